"""Pattern rules for market language that a word list cannot express.

Each rule rewrites a span of the text into one token with a market valence, for example
"$180M in shorts liquidated" -> `shorts_liquidated` (positive: price went up) while
"longs wiped out" -> `longs_liquidated` (negative). A rule only runs its regex when one of
its trigger words occurs in the lower-cased text, which keeps the scorer fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_GAP = r"[^.!?;,\n]{0,40}?"  # stay within one clause


@dataclass(frozen=True, slots=True)
class Rule:
    """Replace `pattern` matches by `token` (valence `valence`) when any trigger word occurs."""

    name: str
    triggers: tuple[str, ...]
    pattern: re.Pattern[str]
    token: str
    valence: float


def _rule(name: str, triggers: tuple[str, ...], pattern: str, valence: float) -> Rule:
    return Rule(name, triggers, re.compile(pattern, re.IGNORECASE), f"rule_{name}", valence)


_SHORTS = r"\bshorts?\b"
_LONGS = r"\blongs?\b"
_PAIN = (
    r"(?:liquidated|liquidations?|rekt|wrecked|wiped(?: out)?|squeezed|obliterated|destroyed|burned"
    r"|flushed|blown out|nuked)"
)
_LOSS = (
    r"(?:wrong|rekt|wrecked|crushed|destroyed|trapped|liquidated|squeezed|in shambles|in tears"
    r"|obliterated|burned|capitulating|giving up|silent|quiet|exhausted)"
)
_WIN = r"(?:feasting|in control|winning|eating|celebrating|out in force|took over|taking over|back)"
_LINKS = r"(?:were\s+|are\s+|got\s+|getting\s+|all\s+|just\s+|clearly\s+|firmly\s+)*"
_LEVEL = r"(?:the\s+|another\s+|a\s+|its\s+)?(?:\$?[\d.,]+k?\s+)?(?:key\s+|major\s+|daily\s+|weekly\s+)?"
_VENUES = r"(?:exchanges?|exchange wallets?|coinbase|binance|kraken|okx|bybit|robinhood|cexs?)"
_EXCHANGES = ("exchange", "exchanges", "coinbase", "binance", "kraken", "cex", "cexs", "okx", "bybit", "robinhood")
_EASING = ("slowing", "easing", "drying", "fading", "cooling", "stalling")

RULES: tuple[Rule, ...] = (
    _rule(
        "shorts_liquidated",
        ("short", "shorts", "shorting"),
        rf"{_SHORTS}{_GAP}\b{_PAIN}|{_PAIN}\s+(?:while\s+|from\s+|by\s+)?shorting\b",
        2.6,
    ),
    _rule("longs_liquidated", ("long", "longs"), rf"{_LONGS}{_GAP}\b{_PAIN}", -2.6),
    _rule(
        "bears_lose",
        ("bears", "sellers", "shorters", "doomers"),
        rf"\b(?:bears|sellers|shorters|doomers)\s+{_LINKS}{_LOSS}",
        2.5,
    ),
    _rule(
        "bulls_lose", ("bulls", "buyers", "longers"), rf"\b(?:bulls|buyers|longers|dip buyers)\s+{_LINKS}{_LOSS}", -2.5
    ),
    _rule("bears_win", ("bears", "sellers"), rf"\b(?:bears|sellers)\s+{_LINKS}{_WIN}", -2.4),
    _rule("bulls_win", ("bulls", "buyers"), rf"\b(?:bulls|buyers)\s+{_LINKS}(?:stepping\s+)?(?:{_WIN}|in)\b", 2.4),
    _rule(
        "support_lost",
        ("support",),
        rf"\b(?:lost|loses|losing|broke|breaks|breaking|below|under|through)\s+{_LEVEL}support",
        -2.3,
    ),
    _rule(
        "support_held",
        ("support",),
        rf"\b(?:holding|held|holds|hold|above|bounced? off|bouncing off|off|defended|reclaimed)\s+{_LEVEL}support",
        1.8,
    ),
    _rule(
        "resistance_broken",
        ("resistance",),
        rf"\b(?:broke|breaks|breaking|through|above|flipped|flips|cleared|clears|reclaimed)\s+{_LEVEL}resistance",
        2.2,
    ),
    _rule(
        "resistance_rejected",
        ("resistance",),
        rf"\b(?:rejected|rejection|stuck|capped)\s+(?:at|by|below|under)\s+{_LEVEL}resistance",
        -2.0,
    ),
    _rule(
        "breaks_down",
        ("below", "breakdown", "breaks"),
        r"\b(?:breaks?|broke|breaking|falls?|fell|dips?|dipped|slips?|slipped|closes?|closed)\s+(?:down\s+)?below\b"
        r"|\bbreakdown\b|\bbreaks down\b",
        -2.2,
    ),
    _rule(
        "breaks_up",
        ("above", "out"),
        r"\b(?:breaks?|broke|breaking|closes?|closed|pushes|pushed|back)\s+(?:out\s+)?above\b"
        r"|\b(?:breaking|broke|breaks)\s+out\b",
        2.2,
    ),
    _rule(
        "fear_over",
        ("over", "gone", "done", "ended", "behind"),
        r"\b(?:fud|uncertainty|bloodbath|bear market|bear|dip|correction|capitulation|selling|sell-off|selloff"
        r"|winter|pain|crash)\s+(?:is\s+|are\s+|finally\s+|now\s+)*(?:over|gone|done|ended|behind us)\b",
        2.4,
    ),
    _rule(
        "from_ath",
        ("ath", "high", "highs", "peak", "top"),
        r"\b(?:from|below|under|off)\s+(?:the\s+|its\s+|their\s+)?(?:ath|all[- ]time highs?|highs|peak|top)\b",
        -0.6,
    ),
    _rule(
        "to_exchange",
        _EXCHANGES,
        r"\b(?:moved|moves|moving|sent|sends|sending|deposited|deposits|transferred|transfers|dumped|dumps)"
        rf"{_GAP}\b(?:to|onto|into)\s+(?:an?\s+|the\s+)?{_VENUES}\b",
        -1.5,
    ),
    _rule(
        "off_exchange",
        _EXCHANGES,
        rf"\b(?:withdrew|withdrawn|withdrawing|pulled|pulls|moved|moves|took|taken)\b{_GAP}"
        rf"\b(?:off|out of|from)\s+(?:an?\s+|the\s+)?{_VENUES}\b",
        1.8,
    ),
    _rule(
        "whales_buying",
        ("whale", "whales"),
        rf"\bwhales?{_GAP}\b(?:accumulat\w*|buying|bought|adding|added|loading|scooping)\b",
        2.0,
    ),
    _rule(
        "whales_selling",
        ("whale", "whales"),
        rf"\bwhales?{_GAP}\b(?:selling|sold|dumping|dumped|unloading|unloaded|offloading)\b",
        -2.0,
    ),
    _rule(
        "portfolio_hit",
        ("portfolio", "bags", "account", "wallet", "savings", "stack"),
        r"\b(?:killing|killed|destroyed|destroying|nuked|wrecked|ruined|wiped)\s+(?:my|our|your)\s+"
        r"(?:portfolio|bags|account|wallet|savings|stack)\b",
        -2.6,
    ),
    _rule(
        "pain_easing",
        _EASING,
        r"\b(?:outflows|selling|sell pressure|selling pressure|bleeding|selloff|sell-off|losses|decline|liquidations)"
        r"\s+(?:is\s+|are\s+|finally\s+|now\s+)*(?:slowing|easing|drying up|fading|cooling|stalling)",
        1.8,
    ),
    _rule(
        "gains_fading",
        _EASING,
        r"\b(?:inflows|buying|demand|momentum|growth|rally|adoption|volume)"
        r"\s+(?:is\s+|are\s+|now\s+)*(?:slowing|drying up|fading|cooling|stalling)",
        -1.8,
    ),
    _rule(
        "wrong_bearish",
        ("wrong",),
        r"\bwrong\s+(?:to\s+be\s+|about\s+being\s+|being\s+)?(?:bearish|short|a bear)\b"
        r"|\b(?:bearish|short)\s+(?:was|were)\s+wrong\b",
        2.2,
    ),
    _rule(
        "wrong_bullish",
        ("wrong",),
        r"\bwrong\s+(?:to\s+be\s+|about\s+being\s+|being\s+)?(?:bullish|long|a bull)\b",
        -2.2,
    ),
    _rule(
        "uptrend_broken",
        ("uptrend", "rising"),
        r"\b(?:breaks?|broke|breaking|lost|loses|losing|below)\s+(?:the\s+|its\s+)?(?:uptrend|rising)"
        r"(?:\s+line|\s+support)?\b",
        -2.2,
    ),
    _rule(
        "downtrend_broken",
        ("downtrend",),
        r"\b(?:breaks?|broke|breaking|above|out of)\s+(?:the\s+|its\s+)?downtrend(?:\s+line)?\b",
        2.2,
    ),
    _rule(
        "rally_failed",
        ("failed", "fails", "fizzled", "fizzles", "faded", "fades", "stalled", "stalls", "rejected"),
        r"\b(?:rally|breakout|bounce|pump|recovery|relief rally)\s+(?:attempt\s+)?(?:has\s+|just\s+)?"
        r"(?:failed|fails|fizzled|fizzles|faded|fades|stalled|stalls|got rejected|was rejected)\b",
        -2.2,
    ),
    _rule(
        "costs_down",
        ("fees", "gas", "cost", "costs", "slippage", "spread", "spreads", "latency"),
        r"\b(?:fees|gas|gas fees|costs?|slippage|spreads?|latency)\s+(?:are\s+|is\s+|have\s+|has\s+|just\s+)*"
        r"(?:down|dropped|dropping|fell|falling|lower|cut|slashed)\b(?:\s+(?:by\s+)?\d+(?:\.\d+)?\s?%)?",
        1.6,
    ),
    _rule(
        "venue_down",
        ("down",),
        r"\b(?:coinbase|binance|kraken|robinhood|exchange|app|site|website|api|network|chain|explorer|rpc)\s+"
        r"(?:is\s+|went\s+|goes\s+|was\s+|is\s+still\s+)?down\b(?!\s*(?:\d|bad|only|\$|to\b|from\b|\d))",
        -2.0,
    ),
    _rule(
        "holding_level",
        ("holding", "held", "holds"),
        r"\b(?:holding|held|holds)\s+(?:above\s+|at\s+|onto\s+)?\$?\d[\d.,]*k?\b",
        1.6,
    ),
    _rule(
        "relative_strength",
        ("everything", "everyone", "rest", "market", "others", "alts"),
        r"\b(?:while|as)\s+(?:everything|everyone|the rest|the market|others|alts|all the others)\s+(?:else\s+)?"
        r"(?:is\s+|are\s+)?(?:bleeds?|bleeding|dumps?|dumping|crash(?:es|ing)?|red|tanks?|tanking)\b",
        0.8,
    ),
    _rule(
        "fined",
        ("fine", "fined", "penalty"),
        r"\$\s?[\d.,]+\s?(?:[kmb]n?|million|billion)?\s+(?:fine|penalty)\b|\bfined\b",
        -2.3,
    ),
    _rule(
        "went_long",
        ("long", "longed"),
        r"\b(?:i'?m|i am|went|going|flipped|flip|got|getting|we're)\s+long\b|\blonged\b",
        1.6,
    ),
    _rule(
        "went_short",
        ("short",),
        r"\b(?:i'?m|i am|went|going|flipped|flip|got|getting|we're)\s+short\b(?!\s+squeeze)",
        -1.6,
    ),
)

_UP_VERBS = (
    r"rose|rises|gains?|gained|jumps?|jumped|climbs?|climbed|rall(?:y|ies|ied)|surg(?:es?|ed)"
    r"|soar(?:s|ed)?|pumps?|pumped|adds?|added|rips?|ripped|spikes?|spiked|up"
)
_DOWN_VERBS = (
    r"drops?|dropped|falls?|fell|slides?|slid|sinks?|sank|dumps?|dumped|tanks?|tanked|plunges?|plunged"
    r"|loses?|lost|sheds?|shed|crash(?:es|ed)?|bleeds?|bled|slumps?|slumped|off|retraces?|down"
)
_PERCENT = re.compile(
    rf"(?:(?P<up>\b(?:{_UP_VERBS})\b|\+)|(?P<down>\b(?:{_DOWN_VERBS})\b|(?<![\w.])-))"
    r"\s*(?:by\s+|another\s+|over\s+|nearly\s+|almost\s+|about\s+|~)?(?P<num>\d+(?:\.\d+)?)\s?%",
    re.IGNORECASE,
)


_PERCENT_AFTER = re.compile(
    r"(?<![\w.+-])(?P<num>\d+(?:\.\d+)?)\s?%\s+(?:(?P<up>gains?|pump|rally|rise|jump|surge|move up|bounce|green)"
    r"|(?P<down>drop|dump|decline|crash|loss|losses|fall|drawdown|pullback|correction|haircut|wick down|red))\b",
    re.IGNORECASE,
)


def percent_token(match: re.Match[str]) -> str:
    """Rewrite "up 28%" / "-8%" into the verb plus a token sized by the move."""
    size = float(match.group("num"))
    direction = "up" if match.group("up") else "down"
    magnitude = "big" if size >= 5 else "mid" if size >= 2 else "small"
    word = match.group("up") or match.group("down")
    keep = word if word.isalpha() else ""
    return f" {keep} pct_{direction}_{magnitude} "


PERCENT_TOKENS: dict[str, float] = {
    "pct_up_big": 2.2,
    "pct_up_mid": 1.2,
    "pct_up_small": 0.0,
    "pct_down_big": -2.2,
    "pct_down_mid": -1.2,
    "pct_down_small": 0.0,
}


def _trigger_index() -> dict[str, tuple[int, ...]]:
    index: dict[str, list[int]] = {}
    for position, rule in enumerate(RULES):
        for word in rule.triggers:
            index.setdefault(word, []).append(position)
    return {word: tuple(positions) for word, positions in index.items()}


_TRIGGERS = _trigger_index()
_TRIGGER_WORDS = frozenset(_TRIGGERS)
_WORDS = re.compile(r"[a-z]+")


def apply_rules(text: str, lower: str, cues: list[str]) -> str:
    """Rewrite rule matches in `text` into tokens, appending each rule name to `cues`."""
    present = _TRIGGER_WORDS.intersection(_WORDS.findall(lower))
    due = {position for word in present for position in _TRIGGERS[word]}
    for position in sorted(due):
        rule = RULES[position]
        text, count = rule.pattern.subn(_replacement(rule.token), text)
        if count:
            cues.append(rule.name)
    if "%" in lower:
        text, count = _PERCENT.subn(percent_token, text)
        text, count_after = _PERCENT_AFTER.subn(percent_token, text)
        if count or count_after:
            cues.append("percent_move")
    return text


def _replacement(token: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: f" {token} "


def rule_valences() -> dict[str, float]:
    """Lexicon entries for every token the rules can emit."""
    valences = {rule.token: rule.valence for rule in RULES}
    valences.update(PERCENT_TOKENS)
    return valences
