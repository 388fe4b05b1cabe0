from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, SentiText, normalize

from sentiment.scorers.valence import but_check, scored, word_valence

SENTENCES = [
    "The service was not good at all",
    "This is VERY good, I love it",
    "It isn't horrible but it isn't great",
    "Never so happy in my life",
    "No problem, the update works",
    "kind of bad, sort of sad",
    "At least it is not the worst",
    "The food was extremely bad and the staff was rude",
    "Without doubt the best release this year",
    "i don't hate it",
]


@pytest.fixture(scope="module")
def analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@pytest.mark.parametrize("text", SENTENCES)
def test_port_matches_vader_compound(analyzer: SentimentIntensityAnalyzer, text: str) -> None:
    words = SentiText(text).words_and_emoticons
    lowered = [word.lower() for word in words]
    upper = sum(word.isupper() for word in words)
    is_cap_diff = 0 < len(words) - upper < len(words)
    sentiments = [
        word_valence(analyzer.lexicon, words, lowered, i, is_cap_diff) if scored(analyzer.lexicon, lowered, i) else 0.0
        for i in range(len(lowered))
    ]
    sentiments = but_check(lowered, sentiments)
    total = sum(sentiments)
    if total:
        emphasis = analyzer._punctuation_emphasis(text)
        total += emphasis if total > 0 else -emphasis
    assert normalize(total) == pytest.approx(analyzer.polarity_scores(text)["compound"], abs=1e-3)
