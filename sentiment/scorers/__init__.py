"""Scorers turn post text into a label, a compound score and the cues behind it."""

from __future__ import annotations

from pathlib import Path

from sentiment.scorers.base import Scorer

SCORER_NAMES = ("vader", "transformers", "ensemble")


def build_scorer(name: str = "vader", *, model_dir: str | Path | None = None, batch_size: int = 32) -> Scorer:
    """Build a scorer by name; `transformers` and `ensemble` need `model_dir` and the `ml` extra.

    Raises ValueError for an unknown name or a missing model directory and
    `sentiment.errors.ScorerUnavailable` when the backend cannot be loaded.
    """
    if name == "vader":
        from sentiment.scorers.vader import CryptoVaderScorer

        return CryptoVaderScorer()
    if name not in SCORER_NAMES:
        raise ValueError(f"unknown scorer {name!r}; choose one of {', '.join(SCORER_NAMES)}")
    if model_dir is None:
        raise ValueError(f"the {name} scorer needs a model directory (--model DIR)")
    from sentiment.scorers.transformer import TransformersScorer

    model = TransformersScorer(model_dir, batch_size=batch_size)
    if name == "transformers":
        return model
    from sentiment.scorers.ensemble import EnsembleScorer
    from sentiment.scorers.vader import CryptoVaderScorer

    return EnsembleScorer(CryptoVaderScorer(), model)


__all__ = ["SCORER_NAMES", "Scorer", "build_scorer"]
