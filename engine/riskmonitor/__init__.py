"""The risk monitor: per-team rules checked against each member's account on fills and price ticks.

Rules (``rules.py``) are limits a team sets: drawdown from peak equity, daily loss, position
concentration, gross exposure and 1-day historical VaR. ``measures.py`` computes the figures (money
in ``Decimal``; VaR statistics in floats), ``monitor.py`` compares them with the rules and fires an
alert once per breach, honouring a cooldown kept in the database, and ``slack.py`` posts alerts to the
team's Slack channel in the background. ``plugin.py`` wires it into the app.
"""
