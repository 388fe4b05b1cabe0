"""Team rules: parsed once, validated before anything is written, only for teams that exist."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.errors import NotFound, UserInputError
from engine.riskmonitor.rules import TeamRules
from tests.engine.riskmonitor.desk import Desk

FULL = {
    "max_drawdown": "10%",
    "daily_loss": "500",
    "concentration": "40%",
    "exposure": "$50,000",
    "var_budget": "1000.50",
    "slack_channel": "C0RISK0001",
    "cooldown": "2h",
}


def test_rules_are_stored_as_decimals(desk: Desk) -> None:
    saved = desk.monitor.rules.set("desk", FULL)

    assert (
        desk.monitor.rules.get("desk")
        == saved
        == TeamRules(
            team="desk",
            max_drawdown_pct=Decimal(10),
            daily_loss=Decimal(500),
            concentration_pct=Decimal(40),
            exposure=Decimal(50000),
            var_budget=Decimal("1000.50"),
            slack_channel="C0RISK0001",
            cooldown_ms=2 * 3_600_000,
        )
    )
    assert saved.describe().startswith("desk: max drawdown 10%, daily loss 500 USDT")


def test_a_partial_update_keeps_the_other_rules_and_off_clears_one(desk: Desk) -> None:
    desk.monitor.rules.set("desk", FULL)

    changed = desk.monitor.rules.set("desk", {"daily_loss": "250", "exposure": "off"})

    assert changed.daily_loss == Decimal(250)
    assert changed.exposure is None
    assert changed.concentration_pct == Decimal(40) and changed.slack_channel == "C0RISK0001"
    assert [r.team for r in desk.monitor.rules.list()] == ["desk"]


@pytest.mark.parametrize(
    ("option", "value", "complaint"),
    [
        ("daily_loss", "-500", "positive"),
        ("daily_loss", "0", "positive"),
        ("exposure", "NaN", "not a number"),
        ("exposure", "lots", "not a number"),
        ("max_drawdown", "-10%", "more than 0%"),
        ("concentration", "140%", "at most 100%"),
        ("var_budget", "1e400", "positive"),
        ("cooldown", "soon", "30m"),
        ("cooldown", "30d", "at most 7d"),
        ("slack_channel", "#general", "channel id"),
        ("color", "red", "unknown rule option"),
    ],
)
def test_bad_rule_input_is_refused_and_changes_nothing(desk: Desk, option: str, value: str, complaint: str) -> None:
    before = desk.monitor.rules.set("desk", FULL)

    with pytest.raises(UserInputError) as refused:
        desk.monitor.rules.set("desk", {"daily_loss": "1", option: value})

    assert complaint in refused.value.message
    assert desk.monitor.rules.get("desk") == before


def test_rules_for_an_unknown_team_are_refused(desk: Desk) -> None:
    with pytest.raises(UserInputError) as refused:
        desk.monitor.rules.set("ghosts", FULL)

    assert refused.value.code == "unknown_team"
    assert desk.monitor.rules.list() == []


def test_delete(desk: Desk) -> None:
    desk.monitor.rules.set("desk", FULL)

    desk.monitor.rules.delete("desk")

    assert desk.monitor.rules.get("desk") is None
    with pytest.raises(NotFound):
        desk.monitor.rules.delete("desk")
