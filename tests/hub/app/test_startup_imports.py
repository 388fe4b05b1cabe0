"""Start-up stays light: with no exchange account or wallet configured, no process imports ccxt, web3
or eth-account (together seconds of start-up for every ``tradehub`` call, worker and server).

Each check runs in a fresh interpreter, because this test process has long imported them. The venues
themselves still load when used: the venue tests add and trade on configured accounts.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

#: starts the app in a subprocess: generous on a loaded CI box
pytestmark = pytest.mark.timeout(600)

HEAVY = ("ccxt", "web3", "eth_account")

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    HEAVY = sys.argv[1].split(",")

    def loaded(step):
        found = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
        print(f"{step}: {','.join(found) or '-'}")

    import hub.app.cli  # what the console script imports, with every plugin's sub-commands mounted
    loaded("cli")
    from hub.app.worker import make_celery
    from hub.app.settings import Settings

    settings = Settings(home=Path(sys.argv[2]))
    celery = make_celery(settings)
    celery.loader.import_default_modules()  # the task modules a worker imports at start
    loaded("worker")

    from fastapi.testclient import TestClient
    from hub.app.api import create_app
    from hub.app.container import build

    container = build(settings)
    container.add_user("newcomer")
    key = container.services.users.create_key("newcomer")
    with TestClient(create_app(container)) as client:  # lifespan: reconciliation and background services
        assert client.get("/healthz").status_code == 200
        reply = client.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT"},
                            headers={"Authorization": f"Bearer {key}"})
        assert reply.status_code == 200 and reply.json()["ok"], reply.text
    container.close()
    loaded("server")

    import engine.venues.accounts, engine.venues.ccxt, engine.venues.dex, engine.venues.tracker  # noqa: E401
    loaded("venue modules")

    from engine.venues.dex import DexVenue  # the adapters themselves load on first use
    from engine.venues.ccxt import CcxtVenue, reconcile
    assert DexVenue.__name__ == "DexVenue" and CcxtVenue.__name__ == "CcxtVenue" and callable(reconcile)
    loaded("adapters")
    """
)


def test_no_venue_configured_means_no_ccxt_web3_or_eth_account(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, ",".join(HEAVY), str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    steps = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    assert steps.get("cli") == "-", result.stdout
    assert steps.get("worker") == "-", result.stdout
    assert steps.get("server") == "-", result.stdout
    assert steps.get("venue modules") == "-", result.stdout
    adapters = set(steps.get("adapters", "").split(","))
    assert {"ccxt", "web3", "eth_account"} <= adapters, result.stdout  # the check itself can see them


def test_package_names_resolve_as_before() -> None:
    import engine.venues.ccxt as ccxt_venues
    import engine.venues.dex as dex_venues
    from engine.venues.ccxt.adapter import CcxtVenue
    from engine.venues.dex.adapter import DexVenue

    reconcile_module = importlib.import_module("engine.venues.ccxt.reconcile")
    assert ccxt_venues.CcxtVenue is CcxtVenue
    assert ccxt_venues.reconcile is reconcile_module.reconcile  # the function, not the submodule of that name
    assert ccxt_venues.Reconciliation is reconcile_module.Reconciliation
    assert dex_venues.DexVenue is DexVenue
    assert set(ccxt_venues.__all__) <= set(dir(ccxt_venues))
    assert set(dex_venues.__all__) <= set(dir(dex_venues))
    with pytest.raises(AttributeError):
        _ = ccxt_venues.NoSuchName
    assert ccxt_venues.is_ccxt_venue(object()) is False
