"""Crypto-market lexicon for the VADER scorer: slang, emoji, phrases and cue families.

Valences use VADER's scale (-4 .. +4). Entries describe how traders talk about markets in
general (price action, flows, derivatives, on-chain, regulation, security incidents), not any
particular data set. Multi-word phrases are merged into one token before scoring, so VADER's
negation and booster rules still apply to them ("not a short squeeze").
"""

from __future__ import annotations

# fmt: off
# Single words. Overrides general-English polarity where markets disagree ("support", "fire").
MARKET_WORDS: dict[str, float] = {
    # bullish price action and slang
    "moon": 2.5, "mooning": 2.8, "moons": 2.3, "mooned": 2.3, "moonshot": 2.0, "pump": 1.4,
    "pumping": 2.0, "pumps": 1.6, "bullish": 2.6, "bull": 1.4, "bulls": 0.8, "bullrun": 2.6,
    "breakout": 2.2, "breakouts": 1.8, "rally": 2.2, "rallies": 2.1, "rallying": 2.3, "rallied": 2.1,
    "surge": 2.1, "surges": 2.1, "surging": 2.3, "surged": 2.1, "soar": 2.3, "soars": 2.3,
    "soaring": 2.5, "soared": 2.3, "skyrocket": 2.8, "skyrockets": 2.8, "skyrocketing": 2.9,
    "ripping": 2.4, "ripped": 1.6, "rips": 2.0, "hodl": 1.4, "hodling": 1.4, "hodler": 1.0,
    "hodlers": 1.0, "wagmi": 2.6, "lfg": 2.5, "ath": 1.8, "aths": 1.8, "accumulate": 1.6,
    "accumulating": 1.9, "accumulation": 1.7, "accumulated": 1.5, "adoption": 1.9,
    "inflows": 2.0, "inflow": 1.8, "approval": 2.0, "approved": 2.1, "approves": 2.1,
    "approve": 1.5, "partnership": 1.8, "partnerships": 1.8, "partners": 1.2, "integration": 1.0,
    "integrates": 1.2, "listing": 1.2, "lists": 0.8, "green": 1.4, "gains": 2.0, "gained": 1.6,
    "outperform": 2.0, "outperforms": 2.0, "outperforming": 2.1, "outperformed": 2.0,
    "reclaim": 1.8, "reclaimed": 2.0, "reclaims": 2.0, "reclaiming": 1.9, "bounce": 1.3,
    "bounced": 1.4, "bouncing": 1.4, "rebound": 1.8, "rebounds": 1.8, "rebounded": 1.8,
    "recovery": 1.8, "recovering": 1.5, "recovered": 1.6, "recovers": 1.6, "bottomed": 1.5,
    "uptrend": 2.0, "undervalued": 1.5, "cooking": 1.6, "lambo": 1.5, "printing": 1.5,
    "institutions": 1.0, "institutional": 1.2, "record": 1.0, "growth": 1.6, "growing": 1.3,
    "doubled": 1.6, "doubles": 1.6, "tripled": 1.8, "tripling": 1.8, "validation": 1.5,
    "clarity": 1.3, "deflationary": 1.6, "burns": 1.0, "burn": 0.6, "bid": 0.8, "demand": 1.0,
    "upgraded": 1.0, "shipped": 1.2, "shipping": 1.2, "delivered": 1.5, "milestone": 1.6,
    "legit": 1.5, "stack": 1.0, "stacking": 1.3, "loaded": 1.3, "reversal": 1.0,
    "squeeze": 1.0, "flippening": 1.5, "bullrun's": 2.6, "greenish": 1.0, "parabolic": 2.2,
    "strength": 1.8, "resilient": 1.8, "resilience": 1.6, "euphoria": 1.2, "settles": 0.8,
    "relisted": 1.8, "relist": 1.5, "unbanned": 1.8, "buyback": 1.5, "buybacks": 1.5,
    "airdrop": 0.8, "staking": 0.0, "launchpool": 0.8, "deflation": 1.2, "lowcap": 0.0,
    # bearish price action and slang
    "dump": -2.0, "dumps": -2.1, "dumped": -2.1, "dumping": -2.3, "crash": -2.5, "crashes": -2.5,
    "crashing": -2.8, "crashed": -2.5, "plunge": -2.6, "plunges": -2.6, "plunged": -2.6,
    "plunging": -2.7, "plummet": -2.8, "plummets": -2.8, "plummeted": -2.8, "plummeting": -2.9,
    "tank": -1.6, "tanks": -2.2, "tanked": -2.3, "tanking": -2.4, "slump": -2.0, "slumps": -2.0,
    "slumped": -2.0, "slides": -1.4, "slid": -1.4, "sliding": -1.5, "slipping": -1.3,
    "slips": -1.2, "sinking": -1.9, "sinks": -1.8, "sank": -1.8, "bleed": -2.0, "bleeds": -2.1,
    "bleeding": -2.3, "bled": -2.0, "red": -1.3, "bearish": -2.6, "bear": -1.2, "bears": -0.6,
    "rekt": -2.6, "wrecked": -2.2, "liquidated": -2.0, "liquidation": -1.8, "liquidations": -1.8,
    "rug": -2.6, "rugged": -3.0, "rugpull": -3.1, "rugpulled": -3.1, "rugs": -2.6,
    "exploit": -2.5, "exploited": -2.9, "exploits": -2.5, "hack": -2.6, "hacked": -3.0,
    "hacker": -2.2, "hackers": -2.2, "drained": -2.8, "drain": -2.0, "draining": -2.4,
    "insolvent": -3.0, "insolvency": -3.0, "bankrupt": -3.0, "bankruptcy": -3.0,
    "depeg": -2.8, "depegs": -2.8, "depegged": -2.9, "depegging": -2.8, "delist": -2.5,
    "delisted": -2.6, "delisting": -2.5, "delists": -2.5, "halted": -2.1, "halts": -2.0,
    "halt": -1.8, "outage": -2.5, "outages": -2.5, "downtime": -1.6, "suspends": -2.0,
    "suspended": -2.0, "suspension": -1.9, "frozen": -2.0, "freezes": -2.0, "sues": -2.1,
    "sued": -2.1, "lawsuit": -2.0, "lawsuits": -2.0, "fined": -2.2, "fine": 0.0,
    "penalty": -1.8, "outflows": -2.0, "outflow": -1.8, "capitulation": -2.5,
    "capitulating": -2.6, "capitulate": -2.3, "capitulated": -2.4, "fud": -1.4,
    "selloff": -2.5, "sell-off": -2.5, "unlock": -0.8, "unlocks": -1.2, "dilution": -2.0,
    "inflationary": -1.0, "overhang": -1.6, "rejected": -1.9, "rejection": -1.9,
    "downtrend": -2.0, "bagholder": -2.2, "bagholders": -2.0, "bagholding": -2.2,
    "ngmi": -2.5, "dip": -0.6, "dips": -0.7, "correction": -1.2, "pullback": -0.8,
    "collapse": -2.8, "collapsed": -2.8, "collapsing": -2.9, "collapses": -2.8,
    "ponzi": -3.0, "scam": -3.0, "scammed": -3.0, "scammers": -2.8, "laundering": -2.5,
    "laundered": -2.5, "investigation": -1.8, "probe": -1.5, "crackdown": -2.3, "banned": -2.2,
    "bans": -2.2, "scrutiny": -1.2, "delay": -1.3, "delays": -1.4, "delaying": -1.5,
    "delayed": -1.6, "postponed": -1.5, "layoffs": -2.0, "slashed": -2.0, "slashing": -1.5,
    "exodus": -2.0, "fading": -1.5, "fades": -1.4, "faded": -1.4, "casino": -1.2,
    "vaporware": -2.5, "farmed": -1.6, "cope": -1.4, "copium": -1.6, "hopium": -1.0,
    "shill": -1.0, "shilling": -1.1, "dilutive": -1.8, "weakness": -1.7, "stolen": -2.8,
    "stagnant": -1.2, "bloodbath": -3.0, "carnage": -3.0, "massacre": -3.0, "wipeout": -2.6,
    "flush": -1.2, "flushed": -1.0, "shorting": -1.0, "shorted": -0.8, "lows": -1.0,
    "drawdown": -1.6, "underwater": -2.0, "losses": -1.8, "losing": -1.5, "exit-liquidity": -2.4,
    "sec": 0.0, "regulators": -0.4, "regulatory": 0.0, "crushed": -1.8, "shambles": -2.0,
    "dying": -2.4, "dead": -2.3, "distribution": -1.0, "dumpster": -2.0, "jeets": -1.2,
    "paperhands": -1.4, "fomo": 0.3, "rip": -1.2, "falls": -1.5, "fell": -1.5, "falling": -1.5,
    "drops": -1.3, "dropped": -1.2, "dropping": -1.3, "rises": 1.3, "rose": 1.3, "rising": 1.2,
    "jumps": 1.5, "jumped": 1.5, "climbs": 1.4, "climbing": 1.4, "climbed": 1.4, "spikes": 1.2,
    "declines": -1.4, "declined": -1.4, "declining": -1.5, "slashes": -1.2, "cuts": 0.0,
    "legitimacy": 1.5, "mainstream": 0.8, "seized": -1.8, "seizes": -1.8, "seizure": -1.6,
    "tumble": -2.2, "tumbles": -2.2, "tumbled": -2.2, "tumbling": -2.3, "nosedive": -2.8,
    "nosedives": -2.8, "freefall": -2.8, "congestion": -1.4, "heavy": -0.9, "bottoming": 1.0,
    "topped": -1.2, "topping": -1.0, "cooked": -2.0, "aped": 1.0, "honeypot": -2.8, "drainer": -2.5,
    "exploiter": -2.2, "rejects": -2.0, "launch": 0.8, "launched": 0.8, "launches": 0.8, "hype": 0.8,
    "overhyped": -1.2, "contagion": -2.4, "hawkish": -1.5, "dovish": 1.5, "tariffs": -1.0,
    "greenlight": 2.0, "greenlights": 2.0, "ngu": 2.0, "fudders": -0.5,
    "passed": 0.8, "passes": 1.0, "yield": 0.5, "insane": 0.5, "violent": -0.5, "profit": 1.5,
    "profits": 1.5, "profitable": 1.5, "adds": 0.6, "expensive": -1.0, "exhausted": -1.5,
    "buying": 0.6, "selling": -1.2, "sold": -0.6, "sells": -0.7, "sell": -0.5, "paused": -1.4,
    "pauses": -1.4, "pausing": -1.4, "minted": 0.8, "mints": 0.8, "underperforming": -1.8,
    "underperform": -1.7, "underperformed": -1.7, "underperforms": -1.7, "overbought": -0.6,
    "oversold": 0.6, "stablecoin": 0.0, "withdrawals": 0.0, "compromised": -2.4,
    # words whose general-English polarity misleads in market talk
    "support": 0.3, "fire": 0.0, "killing": -1.0, "top": 0.0, "short": 0.0, "long": 0.5,
    "longs": 0.0, "shorts": 0.0, "whale": 0.0, "whales": 0.0, "free": 0.5, "joke": -0.8,
    "greed": 0.0, "fear": -1.4, "no": -0.5, "high": 0.6, "higher": 0.9, "lower": -0.9,
    "low": -0.7, "sure": 0.5, "lol": 0.4, "lmao": 0.3, "haha": 0.3, "lmfao": 0.3, "funny": 0.5,
    "volatility": -0.4, "volatile": -0.6, "healthy": 1.7, "crab": 0.0, "crabbing": 0.0,
    "interesting": 0.6, "aggressive": 0.0, "pressure": -0.8, "risk": -0.5,
}

# Emoji mapped to a token before tokenising; the token's valence sits in EMOJI_TOKENS.
EMOJI_MAP: dict[str, str] = {
    "🚀": "emoji_rocket", "🌕": "emoji_moon", "🌙": "emoji_moon", "📈": "emoji_chart_up",
    "📉": "emoji_chart_down", "🐂": "emoji_bull", "🐃": "emoji_bull", "🐻": "emoji_bear",
    "💎": "emoji_diamond", "🙌": "emoji_hands", "🟢": "emoji_green", "✅": "emoji_green",
    "🔴": "emoji_red", "🩸": "emoji_blood", "💀": "emoji_skull", "🔥": "emoji_fire",
    "🙃": "sarcasm_upside_down", "🤡": "sarcasm_clown", "🙄": "sarcasm_eyeroll",
    "😬": "emoji_grimace", "😤": "emoji_steam", "🫡": "emoji_salute", "🍿": "emoji_popcorn",
    "👀": "emoji_eyes", "🧵": "info_thread", "👇": "info_pointer", "⬇️": "info_pointer",
    "💸": "emoji_money_out", "🤑": "emoji_money_face", "💰": "emoji_money_bag",
    "🐋": "emoji_whale", "🆙": "emoji_up", "⚠️": "emoji_warning", "⚠": "emoji_warning",
    "😭": "emoji_sob", "👏": "emoji_clap", "😂": "emoji_laugh", "🤣": "emoji_laugh", "😏": "emoji_smirk",
    "🪦": "emoji_tombstone", "⚰️": "emoji_tombstone", "⚰": "emoji_tombstone", "🏦": "emoji_bank",
}

EMOJI_TOKENS: dict[str, float] = {
    "emoji_rocket": 2.4, "emoji_moon": 1.8, "emoji_chart_up": 2.0, "emoji_chart_down": -2.0,
    "emoji_bull": 1.8, "emoji_bear": -1.6, "emoji_diamond": 1.0, "emoji_hands": 0.8,
    "emoji_green": 1.4, "emoji_red": -1.4, "emoji_blood": -2.2, "emoji_skull": 0.0,
    "emoji_fire": 1.1, "sarcasm_upside_down": -1.2, "sarcasm_clown": -1.6,
    "sarcasm_eyeroll": -1.4, "emoji_grimace": -1.2, "emoji_steam": 0.6, "emoji_salute": 0.0,
    "emoji_popcorn": 0.0, "emoji_eyes": 0.3, "info_thread": 0.0, "info_pointer": 0.0,
    "emoji_money_out": -1.0, "emoji_money_face": 1.5, "emoji_money_bag": 1.0, "emoji_whale": 0.0,
    "emoji_up": 1.2, "emoji_clap": 0.4, "emoji_warning": -1.2, "emoji_sob": -0.8, "emoji_laugh": 0.3,
    "emoji_smirk": 0.2, "emoji_tombstone": -2.0, "emoji_bank": 0.0,
}

# Literal multi-word phrases (lower case, as VADER tokenises them). None deletes the phrase
# (hedges such as "not gonna lie" whose "not" must not negate what follows).
PHRASES: dict[str, float | None] = {
    # market idioms where general English gets the polarity wrong
    "short squeeze": 2.6, "supply squeeze": 2.0, "supply shock": 2.0,
    "crash course": 0.0, "killing it": 2.6, "killing me": 0.0, "killed it": 2.4,
    "bull run": 2.6, "bull market": 2.2, "bear market": -2.2, "bull leg": 2.0, "alt season": 2.0,
    "to the moon": 3.0, "we're so back": 3.0, "so back": 2.6, "it's over": -2.4,
    "it's so over": -2.8, "eating good": 2.4, "new ath": 2.6, "new high": 2.2, "new highs": 2.2,
    "all-time high": 2.4, "all time high": 2.4, "record high": 2.4, "higher lows": 2.2,
    "higher low": 2.0, "higher highs": 2.2, "lower highs": -2.2, "lower lows": -2.4,
    "lower high": -2.0, "new low": -2.2, "new lows": -2.2, "multi-month low": -2.0,
    "multi-year low": -2.2, "golden cross": 2.4, "death cross": -2.5, "dead cat bounce": -2.2,
    "rug pull": -3.1, "pump and dump": -2.6, "exit scam": -3.3, "exit liquidity": -2.4,
    "diamond hands": 2.0, "paper hands": -1.4, "buy the dip": 1.2, "bought the dip": 1.4,
    "bought the top": -2.5, "buying the top": -2.0, "top is in": -2.2, "bottom is in": 2.2,
    "down bad": -2.5, "wen lambo": 1.0, "wen moon": 1.2, "break even": -0.8,
    "selling pressure": -2.0, "sell pressure": -2.0, "buying pressure": 2.0,
    "supply overhang": -2.0, "sell wall": -0.8, "buy wall": 1.2, "fear and greed": 0.0,
    "fear & greed": 0.0, "extreme fear": -2.0, "risk off": -1.6, "risk-off": -1.6,
    "risk on": 1.6, "risk-on": 1.6, "sell off": -2.2, "flash crash": -3.0,
    "death spiral": -3.0, "relative strength": 2.0, "cold storage": 1.0, "off exchanges": 1.5,
    "net inflows": 2.2, "net outflows": -2.2, "green candle": 1.6, "red candle": -1.6,
    "green candles": 1.6, "red candles": -1.6, "regulatory clarity": 2.0,
    "no-brainer": 1.5, "no brainer": 1.5, "without a hitch": 2.0,
    "nobody wants": -2.0, "no one wants": -2.0, "drying up": -2.0, "dry powder": 1.4,
    "took an l": -2.0, "takes an l": -2.0, "takes another l": -2.2, "another l": -2.0,
    "took the l": -2.0, "huge w": 2.2, "big w": 2.0, "massive w": 2.2,
    "not a great look": -2.0, "bad look": -1.8, "brace yourselves": -1.8, "getting farmed": -2.0,
    "love to see it": 2.4, "eating it up": 2.0, "in control": 0.0,
    "price in": 0.0, "priced in": 0.0, "all-in": 0.8,
    "is live": 1.2, "goes live": 1.3, "went live": 1.3, "now live": 1.2, "live on mainnet": 1.4,
    "shut down": -2.0, "shuts down": -2.0, "shutting down": -2.0, "giving up": -1.8, "gave up": -1.6,
    "give up": -1.4, "to zero": -2.2, "went to zero": -2.8, "cashing out": -1.4, "cashed out": -1.2,
    "free fall": -2.8, "send it": 2.0, "probably nothing": 1.0, "few understand": 1.0,
    "number go up": 2.0, "up only": 2.2, "only up": 1.8, "down only": -2.2, "bottomed out": 1.5,
    "topped out": -1.6, "blow-off top": -1.8, "aped in": 1.2, "green light": 2.0, "panic selling": -2.6,
    "bank run": -2.6, "hot cpi": -1.5, "cooler than expected": 1.5, "hotter than expected": -1.5,
    "rate cut": 1.5, "rate cuts": 1.5, "rate hike": -1.5, "rate hikes": -1.5, "we're cooked": -2.4,
    "real yield": 1.5, "grinding up": 1.6, "grinds up": 1.6, "grinding higher": 1.6,
    "grinding down": -1.6, "grinding lower": -1.6, "in profit": 1.8, "in the green": 1.8,
    "in the red": -1.8, "in loss": -1.8, "is broken": -1.8, "are broken": -1.8,
    "get out": -1.2, "get out while you can": -2.4, "don't sleep on": 1.8, "do not sleep on": 1.8,
    "can't sell": -2.0, "cannot sell": -2.0, "can't withdraw": -2.2, "cannot withdraw": -2.2,
    "unable to withdraw": -2.2, "like a rock": 1.5, "rock solid": 1.8, "trend change": -0.5,
    "nobody is buying": -1.8, "no one is buying": -1.8, "nobody's buying": -1.8, "no bids": -1.8,
    "no bid": -1.6, "nobody is selling": 1.4, "no one is selling": 1.4,
    "low fees": 1.2, "lower fees": 1.2, "fees are low": 1.2, "high fees": -1.2, "fees are high": -1.2,
    "flush with cash": 1.5, "red flag": -1.8, "red flags": -1.8, "green flag": 1.2, "green flags": 1.2,
    "generational wealth": 1.5, "generational buy": 2.0, "generational entry": 2.0, "bottom signal": 1.5,
    "top signal": -1.5, "local top": -1.5, "local bottom": 1.5, "bull trap": -2.0, "bear trap": 1.5,
    "fake breakout": -1.8, "fakeout": -1.2, "long squeeze": -2.4, "pamp": 1.5, "dumpening": -2.0,
    "buying more": 1.6, "bought more": 1.6, "adding more": 1.5, "added more": 1.5, "loaded up": 1.6,
    "loading up": 1.6, "selling more": -1.4, "is back": 1.3, "are back": 1.3, "coming back": 1.2,
    "fresh capital": 1.6, "new money": 1.5, "has legs": 1.6, "gets sold": -1.6, "get sold": -1.6,
    "got sold": -1.4, "worst is over": 2.4, "worst is behind us": 2.4, "hit a wall": -1.6,
    "never stops": None, "never stop": None, "won't stop": None, "can't stop": None, "doesn't stop": None,
    # hedges and discourse markers that must not act as negation
    "not gonna lie": None, "not going to lie": None, "ngl": None, "no cap": None,
    "not financial advice": None, "nfa": None, "dyor": None, "not gonna sugarcoat it": None,
    "no doubt": 1.0, "no joke": 0.8, "no wonder": 0.0, "no idea": 0.0, "no clue": 0.0,
    # sarcasm markers
    "love that for me": -2.2, "sure buddy": -1.8, "sure jan": -1.8, "totally fine": -1.6,
    "this is fine": -1.6, "they said": -0.6, "what could go wrong": -1.8, "said no one": -1.8,
    "thanks a lot": -1.0, "good times": 0.0,
    # neutral market descriptors and information posts
    "either way": 0.0, "up or down": 0.0, "or down": 0.0, "how to": 0.0, "what is": 0.0,
    "link below": 0.0, "here's what": 0.0, "here's how": 0.0, "trading sideways": 0.0,
    "range bound": 0.0, "just curious": 0.0, "genuinely asking": 0.0,
    "both sides": 0.0, "wait and see": 0.0,
}

# Tokens that mark a post as sarcastic: positive general-English words in it are flipped.
SARCASM_TOKENS: frozenset[str] = frozenset({
    "sarcasm_upside_down", "sarcasm_clown", "sarcasm_eyeroll", "love_that_for_me", "sure_buddy",
    "sure_jan", "totally_fine", "this_is_fine", "they_said", "what_could_go_wrong", "said_no_one",
    "thanks_a_lot",
})

# Tokens that mark an information post (explainers, schedules, releases): pulled towards neutral.
INFO_TOKENS: frozenset[str] = frozenset({
    "explained", "explainer", "explains", "how_to", "what_is", "guide", "thread", "info_thread",
    "info_pointer", "link_below", "livestream", "scheduled", "maintenance", "reminder",
    "released", "release", "recap", "tutorial", "compared", "here's_what", "here's_how",
    "webinar", "ama", "agenda", "announces", "announced", "publishes", "published", "dashboard",
    "conference", "meetup", "summit", "poll", "faq", "changelog", "roadmap",
})

# Descriptors of a quiet market or an undecided author: pulled towards neutral.
NEUTRAL_TOKENS: frozenset[str] = frozenset({
    "flat", "unchanged", "sideways", "rangebound", "range-bound", "crabbing", "chop", "choppy",
    "consolidating", "consolidation", "either_way", "up_or_down", "or_down", "no_idea", "no_clue",
    "trading_sideways", "range_bound", "just_curious", "genuinely_asking", "both_sides",
    "wait_and_see", "boring", "undecided", "neither",
})

# A post starting with one of these and containing "?" is a question, not an opinion.
QUESTION_STARTERS: frozenset[str] = frozenset({
    "how", "what", "what's", "why", "where", "which", "who", "when", "is", "are", "does", "do",
    "did", "should", "could", "can", "would", "will", "anyone", "anybody", "has", "have",
    "whats", "wondering", "question", "q", "where's", "how's", "who's", "which's", "anyone's",
    "thoughts", "curious",
})
# fmt: on
