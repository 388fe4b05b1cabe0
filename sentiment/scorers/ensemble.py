"""Ensemble: weighted mean of the crypto VADER score and a model's score."""

from __future__ import annotations

from collections.abc import Sequence

from sentiment.models import Score
from sentiment.scorers.base import Scorer, label_for


class EnsembleScorer:
    """Combine two scorers: score = w * first + (1 - w) * second; label from the combined score."""

    name = "ensemble"

    def __init__(self, first: Scorer, second: Scorer, *, first_weight: float = 0.5, threshold: float = 0.2) -> None:
        if not 0.0 <= first_weight <= 1.0:
            raise ValueError("first_weight must be within [0, 1]")
        self._first = first
        self._second = second
        self._weight = first_weight
        self._threshold = threshold

    def score(self, text: str) -> Score:
        """Score one text."""
        return self.score_batch([text])[0]

    def score_batch(self, texts: Sequence[str]) -> list[Score]:
        """Score texts with both scorers and combine."""
        firsts = self._first.score_batch(texts)
        seconds = self._second.score_batch(texts)
        combined = []
        for first, second in zip(firsts, seconds, strict=True):
            value = self._weight * first.score + (1.0 - self._weight) * second.score
            combined.append(Score(label_for(value, self._threshold), round(value, 4), first.cues + second.cues))
        return combined
