"""``/api/v1/webhooks/endpoints``: subscriptions, their delivery log and replay. Starts the pump."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import Response

from hub.app.api import Auth
from webhooks.schemas import EndpointIn, EndpointPatch, ReplayIn, RotateIn
from webhooks.service import Pump, WebhookService, from_app_settings

if TYPE_CHECKING:
    from hub.app.container import Container

BASE = "/api/v1/webhooks/endpoints"


def service_for(container: Container) -> WebhookService:
    return from_app_settings(container.db, container.clock, container.settings)


def make_router(container: Container) -> APIRouter:
    service = service_for(container)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if not service.settings.pump:
            yield
            return
        from hub.app.worker import make_celery
        from webhooks.tasks import celery_enqueue

        pump = Pump(service, celery_enqueue(make_celery(container.settings)))
        pump.start(container.bus)
        try:
            yield
        finally:
            pump.stop(container.bus)

    router = APIRouter(prefix=BASE, tags=["webhooks"], lifespan=lifespan)
    _crud(router, service)
    _log(router, service)
    return router


def _crud(router: APIRouter, service: WebhookService) -> None:
    store = service.store

    @router.post("", status_code=201, summary="Subscribe a URL to events; the secret is shown once")
    async def create(body: EndpointIn, principal: Auth) -> dict[str, Any]:
        endpoint, secret = store.create(principal, body.url, body.events, description=body.description, team=body.team)
        return {**endpoint.to_json(), "secret": secret}

    @router.get("", summary="Your endpoints and your team's")
    async def list_endpoints(principal: Auth) -> dict[str, Any]:
        return {"endpoints": [e.to_json() for e in store.list(principal)]}

    @router.get("/{endpoint_id}", summary="One endpoint")
    async def get(endpoint_id: str, principal: Auth) -> dict[str, Any]:
        return store.get(principal, endpoint_id).to_json()

    @router.patch("/{endpoint_id}", summary="Change URL, events or description; pause or resume")
    async def patch(endpoint_id: str, body: EndpointPatch, principal: Auth) -> dict[str, Any]:
        changed = store.update(
            principal, endpoint_id, url=body.url, events=body.events, description=body.description, paused=body.paused
        )
        return changed.to_json()

    @router.post("/{endpoint_id}/rotate", summary="New secret; the old one also signs during the overlap")
    async def rotate(endpoint_id: str, principal: Auth, body: RotateIn | None = None) -> dict[str, Any]:
        overlap = None if body is None else body.overlap_s
        return {"id": endpoint_id, "secret": store.rotate(principal, endpoint_id, overlap_s=overlap)}

    @router.delete("/{endpoint_id}", status_code=204, summary="Delete; undelivered messages are dropped")
    async def remove(endpoint_id: str, principal: Auth) -> Response:
        store.delete(principal, endpoint_id)
        return Response(status_code=204)


def _log(router: APIRouter, service: WebhookService) -> None:
    store = service.store

    @router.get("/{endpoint_id}/deliveries", summary="Deliveries, newest first, with every attempt")
    async def deliveries(
        endpoint_id: str,
        principal: Auth,
        status: Annotated[str | None, Query(pattern="^(pending|paused|delivered|dead)$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        return {"deliveries": store.deliveries(principal, endpoint_id, status=status, limit=limit)}

    @router.post("/{endpoint_id}/replay", status_code=202, summary="Send one message again, or every failed one")
    async def replay(endpoint_id: str, body: ReplayIn, principal: Auth) -> dict[str, Any]:
        since_ms = None if body.since is None else int(body.since.timestamp() * 1000)
        ids = store.replay(principal, endpoint_id, message_id=body.message_id, since_ms=since_ms)
        return {"queued": len(ids)}
