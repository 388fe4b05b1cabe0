"""The README's first command installs tradehub without extras: the server must start and trade.

A subprocess makes every optional library (the extras: chat, social, ml, postgres) unimportable and
then does what `tradehub serve` does: import the CLI, build the app, answer /healthz, fill a paper order.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

#: starts a Celery worker / the whole product in a subprocess: generous on a loaded CI box
pytestmark = pytest.mark.timeout(600)

OPTIONAL = (
    "telegram", "slack_bolt", "slack_sdk", "discord", "nacl", "tweepy", "praw", "prawcore", "feedparser",
    "transformers", "torch", "psycopg", "quantstats", "standardwebhooks", "eth_tester",
)

SCRIPT = textwrap.dedent(
    """
    import importlib.abc, sys
    BLOCKED = set(sys.argv[1].split(","))

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
            return None

    sys.meta_path.insert(0, Block())
    from pathlib import Path
    import hub.app.cli  # what the console script imports first
    from fastapi.testclient import TestClient
    from hub.app.api import create_app
    from hub.app.container import build
    from hub.app.settings import Settings

    container = build(Settings(home=Path(sys.argv[2])))
    user = container.add_user("newcomer")
    key = container.services.users.create_key("newcomer")
    with TestClient(create_app(container)) as client:
        assert client.get("/healthz").status_code == 200
        reply = client.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT"},
                            headers={"Authorization": f"Bearer {key}"})
        assert reply.status_code == 200 and reply.json()["ok"], reply.text
    print("base install ok")
    """
)


def test_the_server_starts_and_trades_without_any_extra(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, ",".join(OPTIONAL), str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "base install ok" in result.stdout
