"""Transformers backend (extra `ml`): any local sequence-classification model directory.

Works with FinBERT-style (positive / negative / neutral), CryptoBERT-style (Bullish / Bearish /
Neutral) and generic `LABEL_0..2` heads. Nothing is downloaded: the model must be on disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sentiment.errors import ScorerUnavailable
from sentiment.models import Label, Score
from sentiment.scorers.base import clean_text

_GENERIC_3 = {0: Label.NEGATIVE, 1: Label.NEUTRAL, 2: Label.POSITIVE}
_GENERIC_2 = {0: Label.NEGATIVE, 1: Label.POSITIVE}


def label_from_name(name: str, index: int, label_count: int) -> Label:
    """Map a model's label name to ours ("Bullish" -> positive, "LABEL_2" of 3 -> positive)."""
    lowered = name.lower()
    if "pos" in lowered or "bull" in lowered:
        return Label.POSITIVE
    if "neg" in lowered or "bear" in lowered:
        return Label.NEGATIVE
    if "neu" in lowered:
        return Label.NEUTRAL
    generic = _GENERIC_3 if label_count == 3 else _GENERIC_2 if label_count == 2 else {}
    if index in generic:
        return generic[index]
    raise ScorerUnavailable(f"cannot map model label {name!r}; pass label_map")


class TransformersScorer:
    """Scores with a local model through a `text-classification` pipeline, in batches."""

    name = "transformers"

    def __init__(
        self,
        model_dir: str | Path,
        *,
        batch_size: int = 32,
        max_length: int = 256,
        label_map: Mapping[str, Label] | None = None,
    ) -> None:
        try:
            from transformers import pipeline
        except ImportError as error:
            raise ScorerUnavailable("the transformers scorer needs the 'ml' extra (torch, transformers)") from error
        path = Path(model_dir)
        if not (path / "config.json").is_file():
            raise ScorerUnavailable(f"{path} is not a model directory (no config.json)")
        self._pipeline = pipeline("text-classification", model=str(path), tokenizer=str(path), device="cpu")
        self._batch_size = batch_size
        limits = [max_length, getattr(self._pipeline.model.config, "max_position_embeddings", max_length)]
        limits.append(getattr(self._pipeline.tokenizer, "model_max_length", max_length))
        self._max_length = int(min(limits))
        id2label: dict[int, str] = dict(self._pipeline.model.config.id2label)
        self._labels = {
            name: (label_map or {}).get(name) or label_from_name(name, index, len(id2label))
            for index, name in id2label.items()
        }

    def score(self, text: str) -> Score:
        """Score one text."""
        return self.score_batch([text])[0]

    def score_batch(self, texts: Sequence[str]) -> list[Score]:
        """Score texts in batches; the score is P(positive) - P(negative)."""
        cleaned = [clean_text(text) or " " for text in texts]
        if not cleaned:
            return []
        outputs = self._pipeline(
            cleaned, batch_size=self._batch_size, top_k=None, truncation=True, max_length=self._max_length
        )
        return [self._to_score(output) for output in outputs]

    def _to_score(self, output: list[dict[str, Any]]) -> Score:
        probabilities = {Label.POSITIVE: 0.0, Label.NEGATIVE: 0.0, Label.NEUTRAL: 0.0}
        for item in output:
            probabilities[self._labels[item["label"]]] += float(item["score"])
        best = max(probabilities, key=lambda label: probabilities[label])
        value = probabilities[Label.POSITIVE] - probabilities[Label.NEGATIVE]
        return Score(best, round(value, 4), (f"model:{best.value}:{probabilities[best]:.2f}",))
