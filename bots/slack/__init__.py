"""Slack front-end: slash command ``/trade``, ``@tradehub`` mentions, direct messages and Block Kit buttons.

Translation only (ARCHITECTURE.md): a Slack request becomes a :class:`bots.gateway.ChatEvent`, the gateway
decides, and its :class:`bots.gateway.ChatAnswer` is rendered as Block Kit. Two transports share one bolt
app: HTTP mode at ``POST /slack/events`` (signed requests) and Socket Mode (``TRADEHUB_SLACK_APP_TOKEN``).
"""
