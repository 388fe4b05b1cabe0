"""Sentiment scorer benchmark: quality on the labelled dev set and throughput beside plain VADER.

Run: `python -m bench.sentiment [--data PATH] [--posts N]`. Prints accuracy, macro-F1 and the
confusion matrix for plain VADER and the crypto scorer, then posts/s of each in the same run.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from sentiment.scorers.vader import CryptoVaderScorer

DEFAULT_DATA = Path("/work/shared/data/sentiment/dev.jsonl")
LABELS = ("positive", "neutral", "negative")


def load(path: Path) -> list[dict[str, str]]:
    """Read the labelled JSON lines."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def plain_vader_label(analyzer: SentimentIntensityAnalyzer) -> Callable[[str], str]:
    """VADER's own recommended thresholds (+-0.05 on compound)."""

    def label(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    return label


def report(name: str, gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    """Print accuracy, macro-F1 and the confusion matrix; return (accuracy, macro-F1)."""
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    f1_scores = []
    for label in LABELS:
        true_pos = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        predicted_count = sum(p == label for p in predicted)
        gold_count = sum(g == label for g in gold)
        precision = true_pos / predicted_count if predicted_count else 0.0
        recall = true_pos / gold_count if gold_count else 0.0
        f1_scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    macro_f1 = sum(f1_scores) / len(f1_scores)
    print(f"\n== {name}: accuracy {accuracy:.1%}  macro-F1 {macro_f1:.3f}  (n={len(gold)})")
    print("gold \\ predicted " + "".join(f"{label:>10}" for label in LABELS))
    for gold_label in LABELS:
        row = [sum(g == gold_label and p == label for g, p in zip(gold, predicted, strict=True)) for label in LABELS]
        print(f"{gold_label:<17}" + "".join(f"{count:>10}" for count in row))
    return accuracy, macro_f1


def throughput(
    scorers: Sequence[Callable[[str], object]], texts: Sequence[str], posts: int, rounds: int = 8
) -> list[float]:
    """Posts per second of each scorer on one core, over `posts` texts cycled from `texts`.

    The scorers take turns in `rounds` slices, so load from other processes hits them alike.
    """
    per_round = max(1, posts // rounds)
    batch = [texts[i % len(texts)] for i in range(per_round)]
    elapsed = [0.0] * len(scorers)
    for _ in range(rounds):
        for index, label in enumerate(scorers):
            started = time.perf_counter()
            for text in batch:
                label(text)
            elapsed[index] += time.perf_counter() - started
    return [per_round * rounds / seconds for seconds in elapsed]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--posts", type=int, default=40_000, help="posts per throughput run")
    parser.add_argument("--errors", action="store_true", help="list the crypto scorer's mistakes")
    args = parser.parse_args(argv)
    rows = load(args.data)
    texts = [row["text"] for row in rows]
    gold = [row["label"] for row in rows]
    plain = plain_vader_label(SentimentIntensityAnalyzer())
    crypto = CryptoVaderScorer()
    report("plain VADER", gold, [plain(text) for text in texts])
    scores = crypto.score_batch(texts)
    report("crypto VADER (default scorer)", gold, [score.label.value for score in scores])
    if args.errors:
        for row, score in zip(rows, scores, strict=True):
            if row["label"] != score.label.value:
                print(f"{row['label'][:3]}->{score.label.value[:3]} {score.score:+.2f} {row['text']} {score.cues}")
    plain_rate, crypto_rate = throughput([plain, crypto.score], texts, args.posts)
    print(
        f"\nthroughput: plain VADER {plain_rate:,.0f} posts/s, crypto VADER {crypto_rate:,.0f} posts/s "
        f"({crypto_rate / plain_rate:.2f}x)"
    )


if __name__ == "__main__":
    main()
