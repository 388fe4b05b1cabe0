from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentiment.cli import app

#: starts a Celery worker / the whole product in a subprocess: generous on a loaded CI box
pytestmark = pytest.mark.timeout(600)

REPO = Path(__file__).resolve().parents[2]


def run(stdin: bytes, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(app, ["score", *args], input=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines


def test_scores_lines_in_order_and_passes_fields_through() -> None:
    stdin = b"\n".join(
        [
            json.dumps({"id": "a", "text": "Massive short squeeze, shorts liquidated"}).encode(),
            json.dumps({"id": "b", "text": "Exchange hacked, withdrawals frozen"}).encode(),
            json.dumps({"id": "c", "text": "How do I stake ADA?"}).encode(),
        ]
    )
    code, lines = run(stdin)
    assert code == 0
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert [line["label"] for line in lines] == ["positive", "negative", "neutral"]
    assert all(isinstance(line["score"], float) for line in lines)
    assert lines[0]["text"] == "Massive short squeeze, shorts liquidated"


def test_bad_lines_get_an_error_object_and_the_run_continues() -> None:
    stdin = b"\n".join(
        [
            b"{not json",
            b"[1, 2]",
            b'{"id": 7}',
            b"",
            b'{"text": "ETH breaking out \xff\xfe", "id": 9}',
            b'{"text": ""}',
        ]
    )
    code, lines = run(stdin, "--batch-size", "2")
    assert code == 0
    codes = [line.get("error", {}).get("code") for line in lines[:3]]
    assert codes == ["invalid_json", "not_an_object", "missing_text"]
    assert [line.get("line") for line in lines[:3]] == [1, 2, 3]
    assert lines[3]["id"] == 9 and lines[3]["label"] == "positive"
    assert "\ufffd" in lines[3]["text"]
    assert lines[4]["label"] == "neutral"
    assert len(lines) == 5


def test_hundred_kilobyte_line_is_scored() -> None:
    text = "SOL rally continues 🚀 " + "x" * 100_000
    code, lines = run(json.dumps({"text": text}).encode())
    assert code == 0
    assert lines[0]["label"] == "positive"


def test_transformers_without_model_dir_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["score", "--scorer", "transformers"], input=b'{"text": "x"}')
    assert result.exit_code == 2
    assert "--model" in result.stderr


def test_module_entry_point_runs_as_subprocess() -> None:
    stdin = b'{"text": "BTC bloodbath, longs liquidated"}\nnot json\n{"text": "wagmi \xf0\x9f\x9a\x80"}\n'
    completed = subprocess.run(
        [sys.executable, "-m", "sentiment.cli", "score"],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        timeout=240,
        check=True,
    )
    lines = [json.loads(line) for line in completed.stdout.decode().splitlines()]
    assert [line.get("label") for line in lines] == ["negative", None, "positive"]
    assert lines[1]["error"]["code"] == "invalid_json"
