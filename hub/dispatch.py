"""The dispatcher: text -> command -> permission check -> handler -> reply, audited, idempotent.

Every front-end (REST, CLI, chat bots, TradingView) calls ``Hub.handle``; errors become replies
here, once, so handlers raise from ``engine.errors`` and never format error responses.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.errors import TradehubError, UserInputError
from engine.orders.oms import OrderManager
from engine.portfolio import PortfolioService
from engine.storage.db import read_only
from engine.venues.registry import VenueRegistry
from hub import audit, grammar
from hub.chat import ChannelPolicy, LinkCodes
from hub.commands import Command, Confirm, to_dict
from hub.confirmations import Confirmations
from hub.events import EventBus
from hub.principals import Principal, authorize
from hub.redaction import redact, redact_text
from hub.reply import ConfirmationRequest, Reply
from hub.users import UserDirectory
from sentiment.service import SentimentService

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class HubConfig:
    confirm_above_usd: Decimal = Decimal("1000")
    paper_initial_balance: Decimal = Decimal("10000")


@dataclass(frozen=True, slots=True)
class Services:
    """What handlers may use. Built once by the composition root."""

    db: Engine
    clock: Clock
    bus: EventBus
    oms: OrderManager
    portfolio: PortfolioService
    venues: VenueRegistry
    users: UserDirectory
    confirmations: Confirmations
    config: HubConfig
    links: LinkCodes
    channels: ChannelPolicy
    sentiment: SentimentService | None = None


@dataclass(frozen=True, slots=True)
class Context:
    principal: Principal
    frontend: str
    idempotency_key: str
    raw_text: str
    confirmed: bool = False


Handler = Callable[[Services, Context, Any], Awaitable[Reply]]
#: A front-end's extra policy for a parsed command (e.g. "no trading in this group channel"): raise to refuse.
Gate = Callable[[Command], None]


class Hub:
    def __init__(self, services: Services, handlers: dict[str, Handler]) -> None:
        self.services = services
        self._handlers = dict(handlers)
        self._handlers["confirm"] = self._confirm
        self._reader = read_only(services.db) if isinstance(services.db, Engine) else services.db

    def register(self, family: str, handler: Handler) -> None:
        """Add or replace the handler of a command family (used by optional packages)."""
        self._handlers[family] = handler

    async def handle(
        self,
        principal: Principal,
        text: str,
        *,
        frontend: str,
        idempotency_key: str | None = None,
        gate: Gate | None = None,
    ) -> Reply:
        """Run one command for ``principal``. A repeated ``idempotency_key`` returns the first reply.

        ``gate`` lets a front-end refuse a parsed command by its own policy; the refusal is audited
        and remembered like any other reply.
        """
        started = time.perf_counter_ns()
        if idempotency_key is not None:
            stored = self._stored(principal, frontend, idempotency_key)
            if stored is not None:
                self._audit(principal, frontend, text, None, stored, started, idempotency_key, replayed=True)
                return stored
        key = idempotency_key or f"auto-{uuid.uuid4().hex}"
        command: Command | None = None
        try:
            command = grammar.parse(text)
            if gate is not None:
                gate(command)
            reply = await self._run(Context(principal, frontend, key, text), command)
        except TradehubError as error:
            reply = Reply.from_error(error)
        except Exception:
            log.exception("command failed", frontend=frontend, family=getattr(command, "family", None))
            reply = Reply(False, "internal error; the operator has been told", error_code="internal", status=500)
        self._audit(principal, frontend, text, command, reply, started, idempotency_key, remember=True)
        return reply

    async def discard_confirmation(
        self, principal: Principal, confirmation_id: str, *, frontend: str, idempotency_key: str
    ) -> Reply:
        """The owner declined a pending confirmation (a Cancel button): it can no longer run."""
        started = time.perf_counter_ns()
        stored = self._stored(principal, frontend, idempotency_key)
        if stored is not None:
            return stored
        text = f"(decline confirmation {confirmation_id})"
        try:
            pending = self.services.confirmations.consume(principal, confirmation_id, status="declined")
            reply = Reply(True, f"Canceled: `{pending.command_text}` will not run.", data={"declined": pending.id})
        except TradehubError as error:
            reply = Reply.from_error(error)
        self._audit(principal, frontend, text, None, reply, started, idempotency_key, remember=True)
        return reply

    async def _confirm(self, services: Services, context: Context, command: Confirm) -> Reply:
        """Run the command a confirmation holds, as its owner, with the original idempotency key."""
        pending = services.confirmations.consume(context.principal, command.confirmation_id)
        confirmed = Context(context.principal, pending.frontend, pending.idempotency_key, pending.command_text, True)
        return await self._run(confirmed, grammar.parse(pending.command_text))

    async def _run(self, context: Context, command: Command) -> Reply:
        authorize(context.principal, command.family)
        handler = self._handlers.get(command.family)
        if handler is None:
            raise UserInputError(
                f"`{command.family}` is not available in this tradehub build yet; see `help`",
                code="not_available",
            )
        return await handler(self.services, context, command)

    def _stored(self, principal: Principal, frontend: str, key: str) -> Reply | None:
        with self._reader.connect() as conn:  # a plain read: no write lock on SQLite
            body = audit.stored_reply(conn, principal.user_id, frontend, key)
        return None if body is None else reply_from_json(body)

    def _audit(
        self,
        principal: Principal,
        frontend: str,
        text: str,
        command: Command | None,
        reply: Reply,
        started_ns: int,
        key: str | None,
        *,
        replayed: bool = False,
        remember: bool = False,
    ) -> None:
        now = self.services.clock.now_ms()
        entry = audit.AuditEntry(
            ts_ms=now,
            user_id=principal.user_id,
            principal=principal.name,
            frontend=frontend,
            raw_text=redact_text(text),
            command=None if command is None else redact(to_dict(command)),
            ok=reply.ok,
            result_code=reply.error_code,
            result_text=reply.text,
            latency_us=(time.perf_counter_ns() - started_ns) // 1000,
            idempotency_key=key,
            replayed=replayed,
        )
        with self.services.db.begin() as conn:
            audit.record(conn, entry)
            if remember and key is not None and reply.status < 500:
                audit.store_reply(conn, principal.user_id, frontend, key, reply_to_json(reply), now)


def reply_to_json(reply: Reply) -> dict[str, Any]:
    body = reply.to_json()
    body["status"] = reply.status
    return body


def reply_from_json(body: dict[str, Any]) -> Reply:
    confirmation = body.get("confirmation")
    return Reply(
        ok=body["ok"],
        text=body["text"],
        data=body.get("data", {}),
        confirmation=None if confirmation is None else ConfirmationRequest(**confirmation),
        error_code=(body.get("error") or {}).get("code"),
        status=body.get("status", 200),
    )
