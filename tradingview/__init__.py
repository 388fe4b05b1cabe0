"""TradingView alerts: authenticated, idempotent, millisecond-acknowledged webhook orders.

``POST /tradingview/{token}`` -> ``service`` (token, source, passphrase, age, rate limit) -> ``parse``
(JSON or text body -> ``Signal``) -> ``alerts.AlertWriter`` (stored, group-committed, before the answer)
-> ``executor`` (after the answer: ``Hub.handle`` as the hook's owner, the alert id as idempotency key)
-> outcome on the alert row and a ``tradingview.alert`` event. ``hooks`` keeps tokens and passphrases
hashed; ``routes`` and ``cli`` manage hooks and list alerts; ``plugin`` registers it all.
"""
