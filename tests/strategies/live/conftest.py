"""Fixtures for the live strategy tests: the hub with a funded trader, and a runner over its container."""

from __future__ import annotations

import pytest

from hub.app.container import Container
from strategies.live import LiveRunner
from strategies.live import build as build_strategies


@pytest.fixture
def runner(container: Container) -> LiveRunner:
    return build_strategies(container).runner
