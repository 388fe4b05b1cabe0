"""Strategy commands: ``dca``, ``grid``, ``rebalance`` start an instance, ``strategies`` lists them,
``stop ID`` stops one. Each maps the parsed command to ``strategies.core`` parameters and calls the
live strategy service; errors are ``UserInputError`` (400) and create nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.errors import UserInputError
from hub.commands import Dca, Grid, Rebalance, StopStrategy, Strategies, format_decimal, format_duration
from hub.dispatch import Context, Handler, Services
from hub.reply import Reply
from strategies.live import InstanceView, StrategyService, build

if TYPE_CHECKING:
    from hub.app.container import Container

QUOTE = "USDT"  # the paper venue's quote currency: rebalance weights name assets of ASSET/USDT markets


def _merge(fixed: dict[str, str], extra: Iterable[tuple[str, str]]) -> dict[str, str]:
    params = dict(fixed)
    for key, value in extra:
        if key in fixed:
            raise UserInputError(f"`{key}` is already given by the command; drop `{key}={value}`")
        params[key] = value
    return params


def dca_params(command: Dca) -> dict[str, str]:
    fixed = {"amount": format_decimal(command.amount), "every": format_duration(command.every_s)}
    return _merge(fixed, command.params)


def grid_params(command: Grid) -> dict[str, str]:
    fixed = {"lower": format_decimal(command.low), "upper": format_decimal(command.high),
             "levels": str(command.levels)}  # fmt: skip
    return _merge(fixed, command.params)


def rebalance_params(command: Rebalance) -> tuple[tuple[str, ...], dict[str, str]]:
    """Symbols ``ASSET/USDT`` for every weighted asset but USDT itself (that share stays in cash)."""
    weights = [(f"{asset}/{QUOTE}", weight) for asset, weight in command.weights if asset != QUOTE]
    if not weights:
        raise UserInputError(f"rebalance needs at least one asset other than {QUOTE}")
    params = {"weights": ",".join(f"{symbol}:{format_decimal(weight)}" for symbol, weight in weights)}
    if command.every_s is not None:
        params["every"] = format_duration(command.every_s)
    if command.threshold is not None:
        params["threshold"] = format_decimal(command.threshold * 100)
    if command.min_trade is not None:
        params["min_trade"] = format_decimal(command.min_trade)
    return tuple(symbol for symbol, _ in weights), params


def _line(view: InstanceView) -> str:
    instance = view.instance
    params = " ".join(f"{key}={value}" for key, value in sorted(view.strategy.params.items()))
    return (f"{instance.id} {instance.kind} {','.join(instance.symbols)} [{view.status}] {params}\n"
            f"    equity {view.equity:.2f}, P&L {view.pnl:+.2f}; {view.summary()}")  # fmt: skip


def _started(view: InstanceView) -> Reply:
    instance = view.instance
    text = (f"Started {instance.kind} strategy {instance.id} with a budget of {view.strategy.initial_cash:.2f} "
            f"{QUOTE}. `stop {instance.id}` stops it.\n{_line(view)}")  # fmt: skip
    return Reply(True, text, data={"strategy": view.to_dict()})


def make_handlers(container: Container, service: StrategyService | None = None) -> dict[str, Handler]:
    """The strategy command handlers over one ``StrategyService`` built from ``container``."""
    strategies = service or build(container)

    async def dca(services: Services, context: Context, command: Dca) -> Reply:
        view = await strategies.start(context.principal.user_id, "dca", (command.symbol,), dca_params(command))
        return _started(view)

    async def grid(services: Services, context: Context, command: Grid) -> Reply:
        view = await strategies.start(context.principal.user_id, "grid", (command.symbol,), grid_params(command))
        return _started(view)

    async def rebalance(services: Services, context: Context, command: Rebalance) -> Reply:
        symbols, params = rebalance_params(command)
        view = await strategies.start(context.principal.user_id, "rebalance", symbols, params, take_holdings=True)
        return _started(view)

    async def list_(services: Services, context: Context, command: Strategies) -> Reply:
        views = strategies.instances(context.principal.user_id)
        text = "\n".join(_line(view) for view in views) or "No strategies. Start one with `dca`, `grid` or `rebalance`."
        return Reply(True, text, data={"strategies": [view.to_dict() for view in views]})

    async def stop(services: Services, context: Context, command: StopStrategy) -> Reply:
        view = await strategies.stop(context.principal.user_id, command.strategy_id)
        text = f"Stopped {view.instance.kind} strategy {view.instance.id}.\n{_line(view)}"
        return Reply(True, text, data={"strategy": view.to_dict()})

    return {"dca": dca, "grid": grid, "rebalance": rebalance, "strategies": list_, "stop": stop}
