"""Risk monitor tables on their own ``metadata``, all prefixed ``risk_``.

- ``risk_rules``: one row per team: its limits, Slack channel and alert cooldown.
- ``risk_accounts``: per account: peak equity, the equity the day opened with, the last equity seen.
- ``risk_breaches``: per (account, rule): is it breaching, has this breach been alerted, when the rule
  last fired. This is what makes "once per breach, with a cooldown" survive a restart.
- ``risk_alerts``: every alert fired, its acknowledgement and its Slack delivery state.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

from engine.storage.db import Money

metadata = MetaData()

rules = Table(
    "risk_rules",
    metadata,
    Column("team", String(64), primary_key=True),
    Column("max_drawdown_pct", Money, nullable=True),
    Column("daily_loss", Money, nullable=True),
    Column("concentration_pct", Money, nullable=True),
    Column("exposure", Money, nullable=True),
    Column("var_budget", Money, nullable=True),
    Column("slack_channel", String(32), nullable=True),
    Column("cooldown_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

accounts = Table(
    "risk_accounts",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("peak_equity", Money, nullable=False),
    Column("day_ms", BigInteger, nullable=False),
    Column("day_open_equity", Money, nullable=False),
    Column("last_equity", Money, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

breaches = Table(
    "risk_breaches",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("rule", String(32), primary_key=True),
    Column("breaching", Boolean, nullable=False),
    Column("alerted", Boolean, nullable=False),
    Column("last_fired_ms", BigInteger, nullable=True),
    Column("updated_ms", BigInteger, nullable=False),
)

alerts = Table(
    "risk_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team", String(64), nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("rule", String(32), nullable=False),
    Column("value", Money, nullable=False),
    Column("limit_value", Money, nullable=False),
    Column("message", Text, nullable=False),
    Column("symbol", String(32), nullable=True),  # the position a "Flatten" button sells
    Column("event_id", String(40), nullable=False, unique=True),
    Column("ts_ms", BigInteger, nullable=False),
    Column("acked_by", String(64), nullable=True),
    Column("acked_ms", BigInteger, nullable=True),
    Column("slack_channel", String(32), nullable=True),
    Column("slack_status", String(16), nullable=False),  # none | pending | posted | failed
    Column("slack_attempts", Integer, nullable=False, default=0),
    Column("slack_next_ms", BigInteger, nullable=True),
    Column("slack_ts", String(32), nullable=True),
    Column("slack_error", String(200), nullable=True),
    Index("ix_risk_alerts_team_id", "team", "id"),
    Index("ix_risk_alerts_slack_due", "slack_status", "slack_next_ms"),
)
