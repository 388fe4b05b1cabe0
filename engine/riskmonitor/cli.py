"""``tradehub risk ...``: team risk rules for the monitor, and a one-off evaluation.

tradehub risk rules set TEAM [--max-drawdown 10%] [--daily-loss 500] [--concentration 40%]
                             [--exposure 50000] [--var-budget 1000] [--slack-channel C0123456789] [--cooldown 30m]
tradehub risk rules list
tradehub risk rules delete TEAM
tradehub risk check          evaluate every team now (alerts fire as they would on a tick)

A limit given as ``off`` is switched off; options not given keep their value.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

app = typer.Typer(help="Team risk monitor: rules and evaluation.", no_args_is_help=True)
rules_app = typer.Typer(help="Per-team risk rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

Limit = Annotated[str | None, typer.Option(help="e.g. 10% (or off)")]
Money = Annotated[str | None, typer.Option(help="USDT, e.g. 500 (or off)")]


def _monitor():  # type: ignore[no-untyped-def]
    from engine.riskmonitor.plugin import monitor_for
    from hub.app.cli import container

    return monitor_for(container())


@rules_app.command("set")
def set_rules(
    team: str,
    max_drawdown: Limit = None,
    daily_loss: Money = None,
    concentration: Limit = None,
    exposure: Money = None,
    var_budget: Money = None,
    slack_channel: Annotated[str | None, typer.Option(help="Slack channel id, e.g. C0123456789 (or off)")] = None,
    cooldown: Annotated[str | None, typer.Option(help="Quiet time after an alert, e.g. 30m, 2h")] = None,
) -> None:
    """Create or change TEAM's rules; every value is checked before anything is saved."""
    from engine.errors import TradehubError
    from hub.app.cli import fail

    options = {
        "max_drawdown": max_drawdown,
        "daily_loss": daily_loss,
        "concentration": concentration,
        "exposure": exposure,
        "var_budget": var_budget,
        "slack_channel": slack_channel,
        "cooldown": cooldown,
    }
    try:
        rules = _monitor().rules.set(team, options)
    except TradehubError as error:
        raise fail(error) from None
    print(f"Saved. {rules.describe()}")


@rules_app.command("list")
def list_rules() -> None:
    """Every team's rules."""
    found = _monitor().rules.list()
    print("\n".join(r.describe() for r in found) or "No team has risk rules.")


@rules_app.command("delete")
def delete_rules(team: str) -> None:
    """Remove TEAM's rules (its members are no longer monitored)."""
    from engine.errors import TradehubError
    from hub.app.cli import fail

    try:
        _monitor().rules.delete(team)
    except TradehubError as error:
        raise fail(error) from None
    print(f"Deleted the risk rules of {team}.")


@app.command()
def check() -> None:
    """Evaluate every team member now and print the alerts that fired (Slack posts need `tradehub serve`)."""
    fired = asyncio.run(_monitor().evaluate_all())
    print("\n".join(f"#{a.id} {a.message}" for a in fired) or "No new alerts.")
