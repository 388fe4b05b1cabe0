"""The base class every strategy derives from: identity, parameters, its own ledger, state codec."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar, Self

from engine.errors import UserInputError
from strategies.core.params import Params
from strategies.core.types import Bar, Intent, Side, StrategyFill, Wake

ZERO = Decimal(0)
STATE_VERSION = "1"
_PARAM_PREFIX = "param."


def encode_decimal(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def decode_decimal(text: str) -> Decimal | None:
    return None if text == "" else Decimal(text)


def encode_int(value: int | None) -> str:
    return "" if value is None else str(value)


def decode_int(text: str) -> int | None:
    return None if text == "" else int(text)


class Strategy(ABC):
    """A strategy instance: parameters, a cash/position ledger fed by its fills, and its decisions.

    Subclasses parse their parameters in ``_configure``, decide in ``on_bar`` and ``_after_fill``,
    and round-trip their runtime fields through ``_dump``/``_load``.
    """

    kind: ClassVar[str]
    single_symbol: ClassVar[bool] = True

    def __init__(
        self, *, strategy_id: str, symbols: tuple[str, ...], cash: Decimal, params: Mapping[str, str]
    ) -> None:
        if not symbols:
            raise UserInputError(f"{self.kind} needs a symbol")
        if self.single_symbol and len(symbols) != 1:
            raise UserInputError(f"{self.kind} trades exactly one symbol, got {len(symbols)}")
        if cash <= 0:
            raise UserInputError(f"{self.kind} needs a positive cash budget, not {cash}")
        self.strategy_id = strategy_id
        self.symbols = symbols
        self.params = {key.lower(): value for key, value in params.items()}
        self.initial_cash = cash
        self.cash = cash
        self.positions: dict[str, Decimal] = dict.fromkeys(symbols, ZERO)
        self.stopped = False
        reader = Params(self.params, strategy=self.kind)
        self._configure(reader)
        reader.finish()

    @property
    def symbol(self) -> str:
        return self.symbols[0]

    @property
    def position(self) -> Decimal:
        return self.positions[self.symbols[0]]

    # -- decisions -------------------------------------------------------------------------------
    @abstractmethod
    def _configure(self, params: Params) -> None:
        """Read and validate the parameters."""

    @abstractmethod
    def on_bar(self, bar: Bar) -> list[Intent]:
        """Decide at the close of ``bar``; return the intents to execute."""

    @abstractmethod
    def wake(self) -> Wake:
        """Describe the next bar on which ``on_bar`` can act (see ``Wake``)."""

    def on_fill(self, fill: StrategyFill) -> list[Intent]:
        """Book an execution of one of this strategy's intents and react to it."""
        if fill.side is Side.BUY:
            self.cash -= fill.quote
            self.positions[fill.symbol] += fill.quantity
        else:
            self.cash += fill.quote
            self.positions[fill.symbol] -= fill.quantity
        return self._after_fill(fill)

    def on_reject(self, intent_id: str, reason: str) -> list[Intent]:
        """The venue refused ``intent_id`` (or canceled it); forget whatever waited on it."""
        return self._after_reject(intent_id, reason)

    def _after_fill(self, fill: StrategyFill) -> list[Intent]:
        return []

    def _after_reject(self, intent_id: str, reason: str) -> list[Intent]:
        return []

    # -- state -----------------------------------------------------------------------------------
    def to_state(self) -> dict[str, str]:
        """Everything needed to resume, as a flat ``str -> str`` mapping."""
        state = {
            "kind": self.kind,
            "version": STATE_VERSION,
            "strategy_id": self.strategy_id,
            "symbols": ",".join(self.symbols),
            "initial_cash": str(self.initial_cash),
            "cash": str(self.cash),
            "positions": ",".join(str(self.positions[symbol]) for symbol in self.symbols),
            "stopped": "1" if self.stopped else "0",
        }
        state.update({_PARAM_PREFIX + key: value for key, value in self.params.items()})
        state.update(self._dump())
        return state

    @classmethod
    def from_state(cls, state: Mapping[str, str]) -> Self:
        """Rebuild an instance from ``to_state()`` output."""
        if state.get("kind") != cls.kind or state.get("version") != STATE_VERSION:
            raise ValueError(f"state is for {state.get('kind')} v{state.get('version')}, not {cls.kind}")
        params = {key[len(_PARAM_PREFIX):]: value for key, value in state.items()
                  if key.startswith(_PARAM_PREFIX)}
        symbols = tuple(state["symbols"].split(","))
        instance = cls(strategy_id=state["strategy_id"], symbols=symbols,
                       cash=Decimal(state["initial_cash"]), params=params)
        instance.cash = Decimal(state["cash"])
        instance.positions = dict(zip(symbols, map(Decimal, state["positions"].split(",")), strict=True))
        instance.stopped = state["stopped"] == "1"
        instance._load(state)
        return instance

    @abstractmethod
    def _dump(self) -> dict[str, str]:
        """Runtime fields of the subclass."""

    @abstractmethod
    def _load(self, state: Mapping[str, str]) -> None:
        """Restore the fields written by ``_dump``."""

    def describe(self) -> str:
        """One line for ``strategies`` listings."""
        params = " ".join(f"{key}={value}" for key, value in sorted(self.params.items()))
        return f"{self.kind} {','.join(self.symbols)} {params}".strip()
