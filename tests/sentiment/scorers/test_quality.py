"""Regression guard on hand-written crypto posts (written for this project, not the dev set)."""

from __future__ import annotations

import json
from pathlib import Path

from sentiment.scorers.vader import CryptoVaderScorer

PAYLOAD = Path(__file__).resolve().parents[1] / "payloads" / "crypto_posts.jsonl"


def test_accuracy_and_per_class_recall_on_hand_labelled_posts() -> None:
    rows = [json.loads(line) for line in PAYLOAD.read_text(encoding="utf-8").splitlines() if line.strip()]
    scorer = CryptoVaderScorer()
    predicted = [scorer.score(row["text"]).label.value for row in rows]
    accuracy = sum(p == row["label"] for p, row in zip(predicted, rows, strict=True)) / len(rows)
    assert accuracy >= 0.85
    for label in ("positive", "negative", "neutral"):
        gold = [p for p, row in zip(predicted, rows, strict=True) if row["label"] == label]
        assert sum(p == label for p in gold) / len(gold) >= 0.75, label
