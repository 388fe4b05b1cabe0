"""The scorer interface and shared helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from sentiment.models import Label, Score

MAX_TEXT_CHARS = 4000
"""Longer texts are cut: sentiment of a post is decided well before 4,000 characters."""


@runtime_checkable
class Scorer(Protocol):
    """Anything that turns texts into `Score`s, in order."""

    name: str

    def score(self, text: str) -> Score:
        """Score one text."""
        ...

    def score_batch(self, texts: Sequence[str]) -> list[Score]:
        """Score many texts, in order."""
        ...


def clean_text(text: object) -> str:
    """Coerce any input into bounded, valid text (bytes are decoded with replacement)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    return text


def label_for(score: float, threshold: float) -> Label:
    """Map a compound score to a label with a symmetric neutral band."""
    if score >= threshold:
        return Label.POSITIVE
    if score <= -threshold:
        return Label.NEGATIVE
    return Label.NEUTRAL
