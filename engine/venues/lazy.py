"""Package attributes imported on first use: ``__getattr__, __dir__ = lazy_exports(__name__, {...}, __all__)``.

The venue packages (ccxt, dex) export their adapters this way, so that importing a package for its
configuration types does not import the exchange or chain library behind the adapter.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, lazy: Mapping[str, str], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package``.

    ``lazy`` maps each public name to the submodule that defines it; the first look-up imports that
    submodule and stores the value in the package, so later look-ups skip ``__getattr__``.
    ``__dir__`` lists the package's attributes and the ``public`` names, loaded or not.
    """
    names = dict(lazy)
    listed = frozenset(public)

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        vars(sys.modules[package])[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *listed})

    return __getattr__, __dir__
