"""Per-team risk rules: the limits, where alerts go, and how long a rule stays quiet after it fired.

Input is validated here once (``parse_rules``) so every front-end (CLI, chat) refuses the same bad
values with the same message, and a refused change writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.errors import NotFound, UserInputError
from engine.riskmonitor import storage as t

RULE_NAMES = ("drawdown", "daily_loss", "concentration", "exposure", "var")
DEFAULT_COOLDOWN_MS = 30 * 60_000
MAX_COOLDOWN_MS = 7 * 86_400_000
MAX_MONEY = Decimal(10) ** 15
_TEAM = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,20}$")
_DURATION = re.compile(r"^([0-9]{1,9})(s|m|h|d)$")
_DURATION_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_HUNDRED = Decimal(100)

#: ``members(team)`` -> user ids of the team's members (the hub's user directory answers it).
Members = Callable[[str], list[int]]


@dataclass(frozen=True, slots=True)
class TeamRules:
    """A team's limits; ``None`` switches a rule off. Percentages are 0-100, money is in USDT."""

    team: str
    max_drawdown_pct: Decimal | None = None
    daily_loss: Decimal | None = None
    concentration_pct: Decimal | None = None
    exposure: Decimal | None = None
    var_budget: Decimal | None = None
    slack_channel: str | None = None
    cooldown_ms: int = DEFAULT_COOLDOWN_MS

    def limit(self, rule: str) -> Decimal | None:
        return {
            "drawdown": self.max_drawdown_pct,
            "daily_loss": self.daily_loss,
            "concentration": self.concentration_pct,
            "exposure": self.exposure,
            "var": self.var_budget,
        }[rule]

    def to_json(self) -> dict[str, object]:
        def show(value: Decimal | None) -> str | None:
            return None if value is None else format(value, "f")

        return {
            "team": self.team,
            "max_drawdown_pct": show(self.max_drawdown_pct),
            "daily_loss": show(self.daily_loss),
            "concentration_pct": show(self.concentration_pct),
            "exposure": show(self.exposure),
            "var_budget": show(self.var_budget),
            "slack_channel": self.slack_channel,
            "cooldown_s": self.cooldown_ms // 1000,
        }

    def describe(self) -> str:
        parts = []
        if self.max_drawdown_pct is not None:
            parts.append(f"max drawdown {self.max_drawdown_pct:f}%")
        if self.daily_loss is not None:
            parts.append(f"daily loss {self.daily_loss:f} USDT")
        if self.concentration_pct is not None:
            parts.append(f"concentration {self.concentration_pct:f}%")
        if self.exposure is not None:
            parts.append(f"exposure {self.exposure:f} USDT")
        if self.var_budget is not None:
            parts.append(f"1-day VaR budget {self.var_budget:f} USDT")
        where = f"Slack {self.slack_channel}" if self.slack_channel else "no Slack channel"
        limits = ", ".join(parts) or "no limits"
        return f"{self.team}: {limits}; {where}; cooldown {format_duration(self.cooldown_ms)}"


def format_duration(ms: int) -> str:
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000)):
        if ms and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms // 1000}s"


def _decimal(text: str, what: str) -> Decimal:
    cleaned = text.strip().replace(",", "").removeprefix("$")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UserInputError(f"{what} `{text[:30]}` is not a number", code="bad_rule") from None
    if not value.is_finite():
        raise UserInputError(f"{what} `{text[:30]}` is not a number", code="bad_rule")
    return value


def parse_money(text: str, what: str) -> Decimal:
    """A positive USDT amount such as ``500`` or ``$50,000``."""
    value = _decimal(text, what)
    if value <= 0 or value > MAX_MONEY:
        raise UserInputError(f"{what} must be a positive amount (got {text[:30]})", code="bad_rule")
    return value


def parse_percent(text: str, what: str) -> Decimal:
    """A percentage ``10%`` or ``10``, more than 0 and at most 100."""
    value = _decimal(text.strip().removesuffix("%"), what)
    if not 0 < value <= _HUNDRED:
        raise UserInputError(f"{what} must be more than 0% and at most 100% (got {text[:30]})", code="bad_rule")
    return value


def parse_cooldown(text: str) -> int:
    """``30m``, ``2h``, ``45s``, ``1d`` (or ``0s`` for none) in milliseconds; at most 7 days."""
    found = _DURATION.match(text.strip().lower())
    if found is None:
        raise UserInputError(f"cooldown `{text[:30]}` must look like 30m, 2h, 45s or 1d", code="bad_rule")
    ms = int(found.group(1)) * _DURATION_MS[found.group(2)]
    if ms > MAX_COOLDOWN_MS:
        raise UserInputError("cooldown must be at most 7d", code="bad_rule")
    return ms


def parse_channel(text: str) -> str:
    channel = text.strip().removeprefix("slack:").upper()
    if not _SLACK_CHANNEL.match(channel):
        raise UserInputError(f"Slack channel `{text[:30]}` must be a channel id like C0123456789", code="bad_rule")
    return channel


def parse_rules(team: str, base: TeamRules | None, options: Mapping[str, str | None]) -> TeamRules:
    """Apply ``options`` (CLI-style names, raw text; ``off``/``none`` clears a limit) to ``base``."""
    if not _TEAM.match(team):
        raise UserInputError(f"invalid team name {team[:70]!r}", code="bad_rule")
    rules = base or TeamRules(team)
    parsers: dict[str, tuple[str, Callable[[str], object]]] = {
        "max_drawdown": ("max_drawdown_pct", lambda v: parse_percent(v, "max drawdown")),
        "daily_loss": ("daily_loss", lambda v: parse_money(v, "daily loss")),
        "concentration": ("concentration_pct", lambda v: parse_percent(v, "concentration")),
        "exposure": ("exposure", lambda v: parse_money(v, "exposure")),
        "var_budget": ("var_budget", lambda v: parse_money(v, "VaR budget")),
        "slack_channel": ("slack_channel", parse_channel),
        "cooldown": ("cooldown_ms", parse_cooldown),
    }
    changes: dict[str, object] = {}
    for option, raw in options.items():
        if raw is None:
            continue
        if option not in parsers:
            raise UserInputError(f"unknown rule option {option!r}", code="bad_rule")
        field_name, parse = parsers[option]
        if raw.strip().lower() in ("off", "none") and option != "cooldown":
            changes[field_name] = None
        else:
            changes[field_name] = parse(raw)
    return replace(rules, **changes)  # type: ignore[arg-type]


def _from_row(row: object) -> TeamRules:
    return TeamRules(
        team=row.team,  # type: ignore[attr-defined]
        max_drawdown_pct=row.max_drawdown_pct,  # type: ignore[attr-defined]
        daily_loss=row.daily_loss,  # type: ignore[attr-defined]
        concentration_pct=row.concentration_pct,  # type: ignore[attr-defined]
        exposure=row.exposure,  # type: ignore[attr-defined]
        var_budget=row.var_budget,  # type: ignore[attr-defined]
        slack_channel=row.slack_channel,  # type: ignore[attr-defined]
        cooldown_ms=row.cooldown_ms,  # type: ignore[attr-defined]
    )


class RuleStore:
    """Team rules in ``risk_rules``. Only teams that have members may get rules."""

    def __init__(self, db: Engine, clock: Clock, members: Members) -> None:
        self.db, self.clock, self.members = db, clock, members

    def get(self, team: str) -> TeamRules | None:
        with self.db.connect() as conn:
            row = conn.execute(select(t.rules).where(t.rules.c.team == team)).first()
        return None if row is None else _from_row(row)

    def list(self) -> list[TeamRules]:
        with self.db.connect() as conn:
            return [_from_row(r) for r in conn.execute(select(t.rules).order_by(t.rules.c.team))]

    def set(self, team: str, options: Mapping[str, str | None]) -> TeamRules:
        """Create or change a team's rules from raw option text; validate everything before writing."""
        if not self.members(team):
            raise UserInputError(f"unknown team {team[:64]!r}: no user belongs to it", code="unknown_team")
        rules = parse_rules(team, self.get(team), options)
        values = _row(rules)
        values["updated_ms"] = self.clock.now_ms()
        with self.db.begin() as conn:
            found = conn.execute(select(t.rules.c.team).where(t.rules.c.team == team)).first()
            if found is None:
                conn.execute(insert(t.rules).values(team=team, **values))
            else:
                conn.execute(update(t.rules).where(t.rules.c.team == team).values(**values))
        return rules

    def delete(self, team: str) -> None:
        with self.db.begin() as conn:
            if conn.execute(delete(t.rules).where(t.rules.c.team == team)).rowcount == 0:
                raise NotFound(f"team {team[:64]!r} has no risk rules")


def _row(rules: TeamRules) -> dict[str, object]:
    return {f.name: getattr(rules, f.name) for f in fields(rules) if f.name != "team"}
