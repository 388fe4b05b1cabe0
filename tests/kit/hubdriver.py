"""A test driver for the hub in the style of errbot's ``testbot``: push text, read the reply."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hub.app.container import Container
from hub.principals import Principal, Role
from hub.reply import Reply


@dataclass
class HubDriver:
    container: Container
    user: Principal
    _counter = itertools.count(1)

    async def push(
        self, text: str, *, as_user: Principal | None = None, key: str | None = None, frontend: str = "test"
    ) -> Reply:
        """Send ``text`` as a chat message would; each call gets a fresh idempotency key unless given."""
        principal = as_user or self.user
        message_key = key if key is not None else f"msg-{next(self._counter)}"
        return await self.container.hub.handle(principal, text, frontend=frontend, idempotency_key=message_key)

    def add_user(self, name: str, role: Role = Role.TRADER, team: str | None = None) -> Principal:
        return self.container.add_user(name, role=role, team=team)
