"""Discord front-end: a gateway bot with application commands and the HTTP interactions endpoint.

Both paths only translate: an interaction becomes a ``bots.gateway.ChatEvent``, the gateway's
``ChatAnswer`` becomes an embed, buttons and an optional chart attachment. ``plugin.py`` registers
the endpoint (``POST /discord/interactions``) and the gateway bot with the composition root.
"""
