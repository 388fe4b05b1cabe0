from __future__ import annotations

import pytest

from sentiment.models import Label
from sentiment.scorers.vader import CryptoVaderScorer


@pytest.fixture(scope="module")
def scorer() -> CryptoVaderScorer:
    return CryptoVaderScorer()


def label_of(scorer: CryptoVaderScorer, text: str) -> Label:
    return scorer.score(text).label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Massive short squeeze on ETH right now", Label.POSITIVE),
        ("$250M of shorts got liquidated in an hour, price ripping", Label.POSITIVE),
        ("Over $900M in longs wiped out overnight", Label.NEGATIVE),
        ("Crash course on reading an order book", Label.NEUTRAL),
        ("LINK is absolutely killing it this month", Label.POSITIVE),
        ("Bears crushed again, AVAX closes the week higher", Label.POSITIVE),
        ("Bloodbath across the alts today", Label.NEGATIVE),
        ("Got rekt shorting PEPE, never fighting a meme again", Label.POSITIVE),
        ("BTC lost the 58k support on the 4h", Label.NEGATIVE),
        ("Sellers in control, every bounce gets sold", Label.NEGATIVE),
    ],
)
def test_market_idioms_override_general_english(scorer: CryptoVaderScorer, text: str, expected: Label) -> None:
    assert label_of(scorer, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SOL to the moon 🚀🚀", Label.POSITIVE),
        ("wagmi, accumulating every dip", Label.POSITIVE),
        ("Bought the top again. ngmi", Label.NEGATIVE),
        ("Another rug on a new memecoin, devs gone", Label.NEGATIVE),
        ("💎🙌 HODL", Label.POSITIVE),
        ("LTC 📉📉", Label.NEGATIVE),
        ("Whales accumulating ADA all week", Label.POSITIVE),
        ("Protocol drained for $30M in an exploit", Label.NEGATIVE),
    ],
)
def test_slang_and_emoji(scorer: CryptoVaderScorer, text: str, expected: Label) -> None:
    assert label_of(scorer, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not bullish on DOT here at all", Label.NEGATIVE),
        ("I'm not bearish on BTC, dips get bought", Label.POSITIVE),
        ("Still no capitulation from miners, hashrate steady", Label.POSITIVE),
        ("Not gonna lie, this breakout looks strong", Label.POSITIVE),
    ],
)
def test_negation(scorer: CryptoVaderScorer, text: str, expected: Label) -> None:
    assert label_of(scorer, text) == expected


def test_negation_stays_inside_its_sentence(scorer: CryptoVaderScorer) -> None:
    # Without the sentence break "not" would sit three words before "win" and flip it.
    score = scorer.score("The court said they are not securities. Huge win for the token")
    assert score.score > 0


@pytest.mark.parametrize(
    "text",
    [
        "Great, another 30% dump the day after I bought. Love that for me 🙃",
        "Wow, amazing leadership 🤡 while the chart bleeds",
        "HODL they said. Generational wealth they said. Down 70%",
        "Sure buddy, this 20% drop is totally healthy",
    ],
)
def test_sarcasm_turns_praise_negative(scorer: CryptoVaderScorer, text: str) -> None:
    score = scorer.score(text)
    assert score.label == Label.NEGATIVE
    assert "sarcasm" in score.cues or score.score < -0.3


@pytest.mark.parametrize(
    "text",
    [
        "How do I bridge ETH to Arbitrum without paying huge fees?",
        "Is staking on a hardware wallet safe?",
        "Account abstraction explained, thread 🧵",
        "BTC flat on the day, funding unchanged",
        "Mainnet upgrade scheduled for Tuesday, node operators should update",
        "Weekly recap: BTC +1%, ETH -1%",
    ],
)
def test_questions_and_information_are_neutral(scorer: CryptoVaderScorer, text: str) -> None:
    assert label_of(scorer, text) == Label.NEUTRAL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ETH up 12% since the open", Label.POSITIVE),
        ("My alt bags are down 45% this month", Label.NEGATIVE),
        ("DOGE -18% in a day", Label.NEGATIVE),
    ],
)
def test_percent_moves_count_by_size(scorer: CryptoVaderScorer, text: str, expected: Label) -> None:
    assert label_of(scorer, text) == expected


def test_output_carries_the_cues_that_fired(scorer: CryptoVaderScorer) -> None:
    score = scorer.score("Short squeeze incoming 🚀, bears rekt, wagmi")
    assert "short_squeeze" in score.cues
    assert "emoji_rocket" in score.cues
    assert "wagmi" in score.cues and "bears_lose" in score.cues
    assert 0 < score.score <= 1


def test_plain_english_without_market_cues_is_damped(scorer: CryptoVaderScorer) -> None:
    off_topic = scorer.score("Terrible day at work")
    on_market = scorer.score("Terrible day for ETH, everything dumping")
    assert abs(off_topic.score) < abs(on_market.score)
    assert on_market.label == Label.NEGATIVE


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "🙂", "$$$ ###"])
def test_empty_and_symbol_only_text_is_neutral(scorer: CryptoVaderScorer, text: str) -> None:
    score = scorer.score(text)
    assert score.label == Label.NEUTRAL


def test_huge_text_is_scored_quickly(scorer: CryptoVaderScorer) -> None:
    text = "BTC breaking out 🚀 " + "lorem ipsum dolor sit amet " * 4000
    assert len(text) > 100_000
    score = scorer.score(text)
    assert score.label == Label.POSITIVE


def test_non_utf8_bytes_are_decoded_with_replacement(scorer: CryptoVaderScorer) -> None:
    raw = b"ETH rally \xff\xfe continues " + "🚀".encode()
    score = scorer.score(raw)  # type: ignore[arg-type]
    assert score.label == Label.POSITIVE


def test_batch_keeps_input_order(scorer: CryptoVaderScorer) -> None:
    labels = [s.label for s in scorer.score_batch(["BTC crash", "BTC rally", "BTC meetup tonight"])]
    assert labels == [Label.NEGATIVE, Label.POSITIVE, Label.NEUTRAL]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gas fees are down 80% since the upgrade", Label.POSITIVE),
        ("Binance is down again right when volatility hits", Label.NEGATIVE),
        ("Nobody is buying ETH here", Label.NEGATIVE),
        ("Zero inflows into the new ETFs this week", Label.NEGATIVE),
        ("Don't sleep on TIA", Label.POSITIVE),
        ("ARB holding 1.20 while everything else bleeds", Label.POSITIVE),
        ("The rally failed at resistance again", Label.NEGATIVE),
        ("Outflows are finally slowing down", Label.POSITIVE),
    ],
)
def test_market_rules_for_costs_outages_negators_and_strength(
    scorer: CryptoVaderScorer, text: str, expected: Label
) -> None:
    assert label_of(scorer, text) == expected


def test_applause_next_to_bad_news_is_sarcasm_but_alone_is_praise(scorer: CryptoVaderScorer) -> None:
    mocking = scorer.score("Chain halted for the third time this month, amazing work devs 👏")
    sincere = scorer.score("Mainnet upgrade went live without a hitch, amazing work devs 👏")
    assert mocking.label == Label.NEGATIVE and "sarcasm" in mocking.cues
    assert sincere.label == Label.POSITIVE and "sarcasm" not in sincere.cues
