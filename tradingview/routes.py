"""HTTP: the inbound ``POST /tradingview/{token}`` and the hook and alert API under ``/api/v1/tradingview``."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from engine.errors import PermissionDenied
from hub.app.api import Auth
from hub.app.container import Container
from hub.principals import Principal, Role
from tradingview.config import TradingViewSettings
from tradingview.schemas import AlertOut, HookCreate, HookOut
from tradingview.service import TradingViewService

API = "/api/v1/tradingview"


def make_router(container: Container, settings: TradingViewSettings | None = None) -> APIRouter:
    service = TradingViewService(container, settings or TradingViewSettings())

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        frozen = service.settings.gc_freeze
        if frozen:
            freeze_startup_objects()
        try:
            if service.executor is not None:
                service.executor.start()
            yield
        finally:
            if service.executor is not None:
                await service.executor.stop()
            await service.writer.close()
            if frozen:
                unfreeze()

    router = APIRouter(lifespan=lifespan, tags=["tradingview"])

    async def receive(request: Request) -> Response:
        """Receive a TradingView alert (JSON or text/plain): a plain Starlette route, because FastAPI's
        parameter resolution and its garbage cost about a third of the acknowledgement's CPU."""
        raw = await request.body()
        answer = await service.receive(
            request.path_params["token"],
            raw,
            client=None if request.client is None else (request.client.host, request.client.port),
            headers=request.headers,
            content_type=request.headers.get("content-type", ""),
        )
        return Response(answer.encoded(), answer.status, headers=answer.headers, media_type="application/json")

    router.add_route("/tradingview/{token}", receive, methods=["POST"], include_in_schema=False)

    @router.post(f"{API}/hooks", summary="Create a TradingView hook for yourself", status_code=201)
    async def create_hook(body: HookCreate, principal: Auth) -> HookOut:
        _require_trader(principal)
        hook, token = service.hooks.create(principal.user_id, body)
        return hook.out(token=token)

    @router.get(f"{API}/hooks", summary="Your hooks (tokens are never shown again)")
    async def list_hooks(principal: Auth, include_revoked: bool = False) -> dict[str, list[HookOut]]:
        return {"hooks": [h.out() for h in service.hooks.list(principal.user_id, include_revoked=include_revoked)]}

    @router.post(f"{API}/hooks/{{hook_id}}/rotate", summary="New token for a hook; the old URL stops working")
    async def rotate_hook(hook_id: str, principal: Auth) -> HookOut:
        _require_trader(principal)
        hook, token = service.hooks.rotate(principal.user_id, hook_id)
        return hook.out(token=token)

    @router.delete(f"{API}/hooks/{{hook_id}}", summary="Revoke a hook")
    async def revoke_hook(hook_id: str, principal: Auth) -> HookOut:
        _require_trader(principal)
        return service.hooks.revoke(principal.user_id, hook_id).out()

    @router.post(f"{API}/hooks/{{hook_id}}/revoke", summary="Revoke a hook (POST form)")
    async def revoke_hook_post(hook_id: str, principal: Auth) -> HookOut:
        return await revoke_hook(hook_id, principal)

    @router.get(f"{API}/alerts", summary="Your alerts with their outcome, newest first")
    async def list_alerts(
        principal: Auth,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        status: str | None = None,
        hook_id: str | None = None,
    ) -> dict[str, Any]:
        found = service.store.list(principal.user_id, limit=limit, status=status, hook_id=hook_id)
        return {"alerts": [alert_out(a).model_dump() for a in found]}

    return router


_frozen_by = 0  # running apps that asked for the freeze


def freeze_startup_objects() -> None:
    """Exempt what starting the app allocated (modules, routes, metadata: long-lived) from garbage
    collection. A full collection walks every tracked object; at full alert rate one came every few
    thousand alerts and stopped the event loop for hundreds of milliseconds, which was the p99.
    Objects made later are collected as usual; ``unfreeze`` when the (last) app stops."""
    global _frozen_by
    _frozen_by += 1
    if _frozen_by == 1:
        gc.collect()
        gc.freeze()


def freeze_holders() -> int:
    """How many running apps hold the start-up freeze (0: the collector owns every object)."""
    return _frozen_by


def unfreeze() -> None:
    """Hand the frozen objects back to the collector once no running app wants them frozen (a
    process that starts apps again and again, such as a test run, keeps no garbage)."""
    global _frozen_by
    _frozen_by -= 1
    if _frozen_by == 0:
        gc.unfreeze()


def alert_out(record: Any) -> AlertOut:
    return AlertOut(
        id=record.id,
        hook_id=record.hook_id,
        received_ms=record.received_ms,
        status=record.status,
        command_text=record.command_text,
        reason=record.reason,
        order_id=record.order_id,
        duplicate_of=record.duplicate_of,
        completed_ms=record.completed_ms,
        source_ip=record.source_ip,
        content_type=record.content_type,
        body=record.body,
        unknown_keys=record.unknown_keys,
    )


def _require_trader(principal: Principal) -> None:
    if principal.role.rank < Role.TRADER.rank:
        raise PermissionDenied(f"managing TradingView hooks needs the trader role; {principal.name} is a viewer")
