"""``tradehub webhooks ...`` runs the same actions through the hub, as the named user (real processes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def tradehub(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRADEHUB_HOME": str(home), "TRADEHUB_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    env.pop("TRADEHUB_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "hub.app.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.timeout(600)  # five CLI processes, each importing the app (~5 s idle, far more on a busy box)
def test_add_list_and_refuse_a_private_address(tmp_path: Path, template_db: Path) -> None:
    shutil.copy(template_db, tmp_path / "tradehub.db")
    assert tradehub(tmp_path, "user", "add", "alice").returncode == 0
    added = tradehub(tmp_path, "webhooks", "add", "http://127.0.0.1:9/x", "order.*,risk.alert", "--as", "alice")
    assert added.returncode == 0, added.stderr
    assert "whsec_" in added.stdout
    endpoint_id = added.stdout.split("Added ", 1)[1].split(" ", 1)[0]
    listed = tradehub(tmp_path, "webhooks", "list", "--as", "alice")
    assert f"{endpoint_id} active: http://127.0.0.1:9/x [order.*, risk.alert]" in listed.stdout
    refused = tradehub(tmp_path, "webhooks", "add", "http://10.0.0.1/x", "order.*", "--as", "alice")
    assert refused.returncode == 1 and "non-public address" in refused.stderr
