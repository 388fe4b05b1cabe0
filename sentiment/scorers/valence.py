"""VADER's per-word valence rules, ported to work on pre-lowered tokens.

The rules (boosters, ALL-CAPS emphasis, "no"/"not"/"n't" negation over three preceding words,
"never so", "without doubt", VADER's special idioms, "least", "but") are those of
vaderSentiment 3.3.2 (MIT licence, C.J. Hutto). VADER lower-cases the whole lowered_word list again
for every check, which made it the bottleneck of the crypto scorer; here every lowered_word is
lower-cased once. `tests/sentiment/scorers/test_valence.py` checks the port against VADER.
"""

from __future__ import annotations

from collections.abc import Mapping

from vaderSentiment.vaderSentiment import BOOSTER_DICT, C_INCR, N_SCALAR, NEGATE, SPECIAL_CASES

# VADER's negators plus "nobody" and "zero" ("zero inflows", "nobody is buying").
_NEGATE = frozenset(NEGATE) | {"nobody", "nobody's", "noone", "zero"}
_SPECIAL_FIRST = frozenset(case.split()[0] for case in SPECIAL_CASES) | frozenset(
    key.split()[0] for key in BOOSTER_DICT if " " in key
)


def _negated(lowered_word: str) -> bool:
    return lowered_word in _NEGATE or "n't" in lowered_word


def _booster(word: str, lower: str, valence: float, is_cap_diff: bool) -> float:
    scalar = BOOSTER_DICT.get(lower, 0.0)
    if not scalar:
        return 0.0
    if valence < 0:
        scalar = -scalar
    if is_cap_diff and word.isupper():
        scalar += C_INCR if valence > 0 else -C_INCR
    return scalar


def _negation(valence: float, lowered: list[str], distance: int, i: int) -> float:
    before = lowered[i - distance]
    if distance == 1:
        return valence * N_SCALAR if _negated(before) else valence
    previous = lowered[i - 1]
    if distance == 2:
        if before == "never" and previous in ("so", "this"):
            return valence * 1.25
        if before == "without" and previous == "doubt":
            return valence
        return valence * N_SCALAR if _negated(before) else valence
    middle = lowered[i - 2]
    if (before == "never" and middle in ("so", "this")) or previous in ("so", "this"):
        return valence * 1.25
    if before == "without" and "doubt" in (middle, previous):
        return valence
    return valence * N_SCALAR if _negated(before) else valence


def _idioms(valence: float, lowered: list[str], i: int) -> float:
    window = lowered[max(0, i - 3) : i + 3]
    if not any(lowered_word in _SPECIAL_FIRST for lowered_word in window):
        return valence
    w3, w2, w1, w0 = lowered[i - 3], lowered[i - 2], lowered[i - 1], lowered[i]
    for sequence in (f"{w1} {w0}", f"{w2} {w1} {w0}", f"{w2} {w1}", f"{w3} {w2} {w1}", f"{w3} {w2}"):
        if sequence in SPECIAL_CASES:
            valence = SPECIAL_CASES[sequence]
            break
    if len(lowered) - 1 > i and f"{w0} {lowered[i + 1]}" in SPECIAL_CASES:
        valence = SPECIAL_CASES[f"{w0} {lowered[i + 1]}"]
    if len(lowered) - 1 > i + 1 and f"{w0} {lowered[i + 1]} {lowered[i + 2]}" in SPECIAL_CASES:
        valence = SPECIAL_CASES[f"{w0} {lowered[i + 1]} {lowered[i + 2]}"]
    for n_gram in (f"{w3} {w2} {w1}", f"{w3} {w2}", f"{w2} {w1}"):
        if n_gram in BOOSTER_DICT:
            valence += BOOSTER_DICT[n_gram]
    return valence


def scored(lexicon: Mapping[str, float], lowered: list[str], i: int) -> bool:
    """Whether token `i` carries valence itself (boosters and "kind of" only modify others)."""
    word = lowered[i]
    if word not in lexicon or word in BOOSTER_DICT:
        return False
    return not (word == "kind" and i + 1 < len(lowered) and lowered[i + 1] == "of")


def word_valence(
    lexicon: Mapping[str, float], words: list[str], lowered: list[str], i: int, is_cap_diff: bool
) -> float:
    """Valence of lexicon word `i` after VADER's booster, caps, negation and idiom rules."""
    lowered_word = lowered[i]
    valence = lexicon[lowered_word]
    last = len(lowered) - 1
    if lowered_word == "no" and i != last and lowered[i + 1] in lexicon:
        valence = 0.0
    if (
        (i > 0 and lowered[i - 1] == "no")
        or (i > 1 and lowered[i - 2] == "no")
        or (i > 2 and lowered[i - 3] == "no" and lowered[i - 1] in ("or", "nor"))
    ):
        valence = lexicon[lowered_word] * N_SCALAR
    if is_cap_diff and words[i].isupper():
        valence += C_INCR if valence > 0 else -C_INCR
    for distance in (1, 2, 3):
        if i < distance or lowered[i - distance] in lexicon:
            continue
        scalar = _booster(words[i - distance], lowered[i - distance], valence, is_cap_diff)
        if distance == 2:
            scalar *= 0.95
        elif distance == 3:
            scalar *= 0.9
        valence = _negation(valence + scalar, lowered, distance, i)
        if distance == 3:
            valence = _idioms(valence, lowered, i)
    return _least(valence, lexicon, lowered, i)


def _least(valence: float, lexicon: Mapping[str, float], lowered: list[str], i: int) -> float:
    if i > 1 and lowered[i - 1] == "least" and lowered[i - 1] not in lexicon:
        if lowered[i - 2] not in ("at", "very"):
            return valence * N_SCALAR
    elif i > 0 and lowered[i - 1] == "least" and lowered[i - 1] not in lexicon:
        return valence * N_SCALAR
    return valence


def but_check(lowered: list[str], sentiments: list[float]) -> list[float]:
    """Halve sentiment before the first "but" and raise it by half after (VADER's rule)."""
    if "but" not in lowered:
        return sentiments
    pivot = lowered.index("but")
    return [
        value * 0.5 if index < pivot else value * 1.5 if index > pivot else value
        for index, value in enumerate(sentiments)
    ]
