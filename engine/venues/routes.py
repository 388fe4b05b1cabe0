"""``/api/v1/venues``: add, list and remove exchange accounts and DEX wallets (secrets masked in every answer).

A trader adds and removes their own accounts; an admin may add one for another user (``owner``)
and sees everyone's. Secrets travel only in the request body and are stored encrypted.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from engine.errors import PermissionDenied
from engine.venues.accounts import ExchangeAccountSpec, VenueAccount, VenueAccounts, WalletSpec
from engine.venues.dex import TokenConfig
from engine.venues.plugin import accounts
from hub.app.api import Auth

if TYPE_CHECKING:
    from hub.app.container import Container
    from hub.principals import Principal

BASE = "/api/v1/venues"
VenueName = Annotated[str, Field(min_length=1, max_length=32)]


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    symbol: str = Field(min_length=1, max_length=16)
    address: str = Field(min_length=42, max_length=42)
    decimals: int = Field(18, ge=0, le=36)


class WalletIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chain: str = Field(min_length=1, max_length=32)
    chain_id: int | None = Field(None, gt=0)
    rpc_url: str = Field(min_length=8, max_length=2048)
    router: str = Field(min_length=42, max_length=42)
    factory: str = Field(min_length=42, max_length=42)
    tokens: list[TokenIn] = Field(min_length=1, max_length=100)
    keystore: SecretStr = Field(description="keystore JSON (geth / eth-account format) as a string")
    keystore_password: SecretStr
    native_symbol: str | None = Field(None, max_length=16)
    slippage_bps: int = Field(50, ge=0, lt=10_000)
    dry_run: bool = False


class VenueIn(BaseModel):
    """Either ``exchange`` with ``api_key``/``secret`` (and ``password`` for okx/kucoin), or ``dex``."""

    model_config = ConfigDict(extra="forbid")
    name: VenueName
    owner: str | None = Field(None, description="user who owns the account (admins only; default: you)")
    exchange: str | None = Field(None, max_length=40)
    sandbox: bool = False
    api_key: SecretStr | None = None
    secret: SecretStr | None = None
    password: SecretStr | None = None
    api_url: str | None = Field(None, max_length=2048)
    dex: WalletIn | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> VenueIn:
        if (self.exchange is None) == (self.dex is None):
            raise ValueError("give either exchange (with api_key and secret) or dex")
        if self.exchange is not None and (self.api_key is None or self.secret is None):
            raise ValueError("an exchange account needs api_key and secret")
        return self


def _plain(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value()


def _keystore(value: SecretStr) -> str:
    text = value.get_secret_value()
    try:
        return json.dumps(json.loads(text))
    except ValueError:
        return text  # unlocking reports the problem without echoing the content


def owner_of(container: Container, principal: Principal, owner: str | None) -> int:
    """The user the account belongs to: the caller, or (admins only) the named user."""
    from hub.principals import Role

    if principal.role is Role.VIEWER:
        raise PermissionDenied("viewers cannot manage venue accounts")
    if owner is None or owner == principal.name:
        return principal.user_id
    if principal.role is not Role.ADMIN:
        raise PermissionDenied("only an admin can add a venue account for another user")
    return container.services.users.get(owner).user_id


def check_may_manage(principal: Principal, account: VenueAccount) -> None:
    from hub.principals import Role

    if principal.role is not Role.ADMIN and account.owner_user_id != principal.user_id:
        raise PermissionDenied(f"venue {account.name!r} belongs to another user")


def add_from_body(service: VenueAccounts, owner_user_id: int, body: VenueIn) -> VenueAccount:
    if body.dex is None:
        spec = ExchangeAccountSpec(
            body.name, body.exchange or "", _plain(body.api_key), _plain(body.secret), _plain(body.password),
            sandbox=body.sandbox, api_url=body.api_url,
        )  # fmt: skip
        return service.add_exchange(owner_user_id, spec)
    wallet = body.dex
    tokens = tuple(TokenConfig(t.symbol.upper(), t.address, t.decimals) for t in wallet.tokens)
    spec = WalletSpec(
        body.name, wallet.chain, wallet.rpc_url, wallet.router, wallet.factory, tokens,
        _keystore(wallet.keystore), wallet.keystore_password.get_secret_value(), chain_id=wallet.chain_id,
        native_symbol=wallet.native_symbol, slippage_bps=wallet.slippage_bps, dry_run=wallet.dry_run,
    )  # fmt: skip
    return service.add_wallet(owner_user_id, spec)


def make_router(container: Container) -> APIRouter:
    from hub.principals import Role

    service = accounts(container.db, container.services.venues, container.clock, container.settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:  # ccxt and RPC sessions belong to the server's event loop: close them there
            await service.close()

    router = APIRouter(prefix=BASE, tags=["venues"], lifespan=lifespan)

    @router.post("", status_code=201, summary="Add an exchange account or DEX wallet; secrets are never returned")
    async def add(body: VenueIn, principal: Auth) -> dict[str, Any]:
        owner = owner_of(container, principal, body.owner)
        return add_from_body(service, owner, body).to_json()

    @router.get("", summary="Your venue accounts (an admin sees everyone's), secrets masked")
    async def list_venues(principal: Auth) -> dict[str, Any]:
        owner = None if principal.role is Role.ADMIN else principal.user_id
        return {"venues": [account.to_json() for account in service.list(owner)]}

    @router.get("/{name}", summary="One venue account, secrets masked")
    async def get(name: str, principal: Auth) -> dict[str, Any]:
        account = service.get(name)
        check_may_manage(principal, account)
        return account.to_json()

    @router.delete("/{name}", status_code=204, summary="Remove the account and its stored secrets")
    async def remove(name: str, principal: Auth) -> Response:
        check_may_manage(principal, service.get(name))
        await service.remove(name)
        return Response(status_code=204)

    return router
