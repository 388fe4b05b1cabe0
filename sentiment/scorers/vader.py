"""VADER extended for crypto markets: the default scorer.

Pipeline for one text: pattern rules (liquidations, support, percent moves, ...) -> emoji to
tokens -> VADER tokenising -> multi-word phrases merged into tokens -> VADER's valence rules
(negation, boosters, caps, "but") over a lexicon extended with market words -> market
adjustments: sarcasm flips praise, questions / information posts / quiet-market
descriptors / posts without any market cue are pulled towards neutral.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, normalize

from sentiment.models import Score
from sentiment.scorers.base import clean_text, label_for
from sentiment.scorers.lexicon import (
    EMOJI_MAP,
    EMOJI_TOKENS,
    INFO_TOKENS,
    MARKET_WORDS,
    NEUTRAL_TOKENS,
    PHRASES,
    QUESTION_STARTERS,
    SARCASM_TOKENS,
)
from sentiment.scorers.rules import apply_rules, rule_valences
from sentiment.scorers.valence import but_check, scored, word_valence


@dataclass(frozen=True, slots=True)
class VaderTuning:
    """Global knobs of the market adjustments (no per-phrase tuning lives here)."""

    threshold: float = 0.2
    general_weight: float = 0.75
    no_market_cue_weight: float = 0.35
    question_factor: float = 0.35
    info_factor: float = 0.5
    quiet_factor: float = 0.5
    sarcasm_flip: float = 0.8


def _phrase_index() -> dict[str, list[tuple[tuple[str, ...], str | None]]]:
    index: dict[str, list[tuple[tuple[str, ...], str | None]]] = {}
    for phrase, valence in PHRASES.items():
        words = tuple(phrase.split())
        token = None if valence is None else "_".join(words)
        index.setdefault(words[0], []).append((words[1:], token))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


_PHRASE_INDEX = _phrase_index()


_OPENERS = frozenset({"so", "ok", "okay", "hey", "guys", "serious", "honest", "quick", "real", "genuine"})
_CLAUSE_ENDS = frozenset(".!?;,:")
_PUNCTUATION = string.punctuation
_PHRASE_FIRST = frozenset(_PHRASE_INDEX)
CLAUSE_BREAK = "|"


def _tokenise(text: str) -> tuple[list[str], list[str]]:
    """VADER's tokens (and their lower case) plus a break token after each clause.

    The break keeps negation and boosters inside their clause: "not securities. Huge win".
    """
    words: list[str] = []
    for raw in text.split():
        stripped = raw.strip(_PUNCTUATION)
        words.append(raw if len(stripped) <= 2 else stripped)  # VADER keeps short tokens: emoticons
        if len(raw) > 1 and raw[-1] in _CLAUSE_ENDS:
            words.append(CLAUSE_BREAK)
    return words, [word.lower() for word in words]


def _merge_phrases(words: list[str], lowered: list[str], cues: list[str]) -> tuple[list[str], list[str]]:
    """Replace known multi-word phrases by single tokens (or drop hedges)."""
    if _PHRASE_FIRST.isdisjoint(lowered):
        return words, lowered
    merged: list[str] = []
    i = 0
    while i < len(words):
        for rest, token in _PHRASE_INDEX.get(lowered[i], ()):
            end = i + 1 + len(rest)
            if tuple(lowered[i + 1 : end]) == rest:
                if token is not None:
                    merged.append(token)
                    cues.append(token)
                i = end
                break
        else:
            merged.append(words[i])
            i += 1
    return merged, [word.lower() for word in merged]


class CryptoVaderScorer:
    """VADER with a crypto-market lexicon, phrase rules, sarcasm and neutrality handling."""

    name = "vader"

    def __init__(self, *, tuning: VaderTuning | None = None) -> None:
        self._tuning = tuning or VaderTuning()
        self._analyzer = SentimentIntensityAnalyzer()
        market = dict(MARKET_WORDS)
        market.update(EMOJI_TOKENS)
        market.update({"_".join(p.split()): v for p, v in PHRASES.items() if v is not None})
        market.update(rule_valences())
        self._analyzer.lexicon.update(market)
        self._market_tokens = frozenset(token for token, valence in market.items() if valence != 0.0)
        emoji_table = {ord(ch): f" {desc} " for ch, desc in self._analyzer.emojis.items() if len(ch) == 1}
        emoji_table.update({ord(ch): f" {tok} " for ch, tok in EMOJI_MAP.items() if len(ch) == 1})
        self._emoji_table = emoji_table

    def score(self, text: str) -> Score:
        """Score one post: label, compound score in [-1, 1] and the cues that fired."""
        text = clean_text(text)
        cues: list[str] = []
        lower = text.lower()
        text = apply_rules(text, lower, cues)
        if not text.isascii():
            text = text.translate(self._emoji_table)
        words, lowered = _merge_phrases(*_tokenise(text), cues)
        if not words:
            return Score(label_for(0.0, self._tuning.threshold), 0.0, ())
        compound = self._compound(text, words, lowered, cues)
        return Score(label_for(compound, self._tuning.threshold), round(compound, 4), tuple(dict.fromkeys(cues)))

    def score_batch(self, texts: Sequence[str]) -> list[Score]:
        """Score many posts, in order."""
        return [self.score(text) for text in texts]

    def _compound(self, text: str, words: list[str], lowered: list[str], cues: list[str]) -> float:
        tuning = self._tuning
        upper = sum(1 for word in words if word.isupper())
        is_cap_diff = 0 < len(words) - upper < len(words)
        lexicon = self._analyzer.lexicon
        sentiments = [
            word_valence(lexicon, words, lowered, i, is_cap_diff) if scored(lexicon, lowered, i) else 0.0
            for i in range(len(lowered))
        ]
        sentiments = but_check(lowered, sentiments)
        market_hit = False
        sarcastic = False
        for i, token in enumerate(lowered):
            if token in self._market_tokens:
                market_hit = True
                if token not in cues and not token.startswith(("rule_", "pct_")):
                    cues.append(token)  # market words, slang and emoji that carried the score
                if token in SARCASM_TOKENS:
                    sarcastic = True
            elif sentiments[i]:
                sentiments[i] *= tuning.general_weight
        if not sarcastic and "emoji_clap" in lowered:
            # Applause next to bad market news is mockery ("halted again, great job 👏").
            sarcastic = any(
                value < -1.0 for token, value in zip(lowered, sentiments, strict=True) if token in self._market_tokens
            )
        if sarcastic:
            cues.append("sarcasm")
            # Stated facts ("up 40%", "shorts liquidated") are not what sarcasm mocks; praise is.
            sentiments = [
                -value * tuning.sarcasm_flip if value > 0 and not token.startswith(("pct_", "rule_")) else value
                for value, token in zip(sentiments, lowered, strict=True)
            ]
        total = sum(sentiments)
        if total:
            emphasis = self._analyzer._punctuation_emphasis(text)
            total += emphasis if total > 0 else -emphasis
        compound = normalize(total)
        return compound * self._damping(lowered, text, market_hit, cues)

    def _damping(self, lowered: list[str], text: str, market_hit: bool, cues: list[str]) -> float:
        tuning = self._tuning
        factor = 1.0
        if not market_hit:
            factor *= tuning.no_market_cue_weight / tuning.general_weight
        if "?" in text and (
            lowered[0] in QUESTION_STARTERS
            or (len(lowered) > 1 and lowered[0] in _OPENERS and lowered[1] in QUESTION_STARTERS)
        ):
            factor *= tuning.question_factor
            cues.append("question")
        if any(token in INFO_TOKENS for token in lowered):
            factor *= tuning.info_factor
            cues.append("information")
        if any(token in NEUTRAL_TOKENS for token in lowered):
            factor *= tuning.quiet_factor
            cues.append("quiet_market")
        return factor
