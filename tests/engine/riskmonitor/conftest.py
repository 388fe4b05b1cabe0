from __future__ import annotations

from pathlib import Path

import pytest

from hub.app.container import Container
from hub.app.settings import Settings
from tests.engine.riskmonitor.desk import Desk, desk_settings, make_desk


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return desk_settings(tmp_path)


@pytest.fixture
def desk(container: Container) -> Desk:
    return make_desk(container)
