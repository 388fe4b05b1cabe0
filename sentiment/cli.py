"""`tradehub sentiment ...`: score JSON lines from stdin, for evaluation and scripting.

    $ echo '{"id": 1, "text": "BTC to the moon 🚀"}' | tradehub sentiment score
    {"id": 1, "text": "BTC to the moon 🚀", "label": "positive", "score": 0.8, "cues": [...]}

One output line per non-blank input line, in input order. A line that is not a JSON object with
a string `text` field yields `{"line": N, "error": {"code": ..., "message": ...}}` and the run
continues. Bytes that are not UTF-8 are replaced (U+FFFD) rather than failing the line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from sentiment.errors import ScorerUnavailable
from sentiment.scorers import build_scorer
from sentiment.scorers.base import Scorer

app = typer.Typer(help="Sentiment pipeline: score posts with the crypto-aware scorers.", no_args_is_help=True)


class ScorerName(StrEnum):
    """Scorers selectable on the command line."""

    VADER = "vader"
    TRANSFORMERS = "transformers"
    ENSEMBLE = "ensemble"


def _parse(number: int, raw: bytes) -> tuple[dict[str, Any], bool]:
    """Decode one input line into (record with a `text` field, True) or (error record, False)."""
    line = raw.decode("utf-8", errors="replace").strip()
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return _error(number, "invalid_json", f"not valid JSON: {error.msg} at column {error.colno}"), False
    if not isinstance(record, dict):
        return _error(number, "not_an_object", "each line must be a JSON object"), False
    if not isinstance(record.get("text"), str):
        return _error(number, "missing_text", "the object needs a string field 'text'"), False
    return record, True


def _error(number: int, code: str, message: str) -> dict[str, Any]:
    return {"line": number, "error": {"code": code, "message": message}}


def score_lines(scorer: Scorer, lines: Iterable[bytes], *, batch_size: int = 64) -> Iterator[dict[str, Any]]:
    """Score raw JSON lines in batches, yielding one output record per non-blank line, in order."""
    numbered = ((number, raw) for number, raw in enumerate(lines, start=1) if raw.strip())
    while batch := list(islice(numbered, batch_size)):
        parsed = [_parse(number, raw) for number, raw in batch]
        scores = iter(scorer.score_batch([record["text"] for record, ok in parsed if ok]))
        for record, ok in parsed:
            if not ok:
                yield record
                continue
            score = next(scores)
            yield {**record, "label": score.label.value, "score": score.score, "cues": list(score.cues)}


@app.command()
def score(
    scorer: Annotated[ScorerName, typer.Option("--scorer", help="Which scorer to use.")] = ScorerName.VADER,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="Local sequence-classification model directory (transformers, ensemble)."),
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Lines scored per batch.")] = 64,
) -> None:
    """Read JSON lines with a `text` field on stdin; write each with `label` and `score` added."""
    try:
        built = build_scorer(scorer.value, model_dir=model, batch_size=batch_size)
    except (ValueError, ScorerUnavailable, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    stdin: BinaryIO = sys.stdin.buffer
    stdout = sys.stdout
    for record in score_lines(built, stdin, batch_size=batch_size):
        stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        stdout.flush()


@app.callback()
def _main() -> None:
    """Sentiment pipeline commands."""


if __name__ == "__main__":
    app()
