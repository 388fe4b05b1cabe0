"""Venue accounts: exchange API keys and DEX wallets that users add, stored encrypted, registered by name.

``VenueAccounts`` adds, lists and removes accounts and keeps the ``VenueRegistry`` in step: every
stored account is registered as a lazily connected ``ManagedVenue`` when the app starts
(``register_all``) and as soon as it is added, so ``buy 0.01 BTC/USDT on binance-main`` reaches it.
Input is validated before anything is stored; secrets never appear in a reply, an error or a log line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock
from engine.errors import Conflict, NotFound, OperatorError, UserInputError
from engine.venues import storage
from engine.venues.ccxt.config import CcxtVenueConfig, Credentials
from engine.venues.credentials import CredentialBox, hint
from engine.venues.dex.config import ChainConfig, DexVenueConfig, TokenConfig
from engine.venues.managed import AccountVenue, ManagedVenue
from engine.venues.registry import VenueRegistry

if TYPE_CHECKING:  # ccxt, web3 and eth-account load only when an account is added or connected
    from web3 import AsyncWeb3

log = logging.getLogger(__name__)

NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,31}$")  # what the grammar accepts after `on`
RESERVED = frozenset({"paper"})

#: chain -> (chain id, native asset) for the chains named in the docs; other chains need --chain-id.
CHAINS: dict[str, tuple[int, str]] = {
    "ethereum": (1, "ETH"),
    "base": (8453, "ETH"),
    "polygon": (137, "POL"),
    "arbitrum": (42161, "ETH"),
}


@dataclass(frozen=True, slots=True)
class ExchangeAccountSpec:
    """An exchange account to add. ``api_url`` replaces the exchange's API host (proxy, regional endpoint)."""

    name: str
    exchange_id: str
    api_key: str = field(repr=False)
    secret: str = field(repr=False)
    password: str = field(default="", repr=False)
    sandbox: bool = False
    api_url: str | None = None


@dataclass(frozen=True, slots=True)
class WalletSpec:
    """A DEX wallet to add: the chain's RPC, its V2 router and factory, the tokens, an encrypted keystore."""

    name: str
    chain: str
    rpc_url: str
    router: str
    factory: str
    tokens: tuple[TokenConfig, ...]
    keystore_json: str = field(repr=False)
    keystore_password: str = field(repr=False)
    chain_id: int | None = None
    native_symbol: str | None = None
    slippage_bps: int = 50
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class VenueAccount:
    """What may be shown of a stored account: never its secrets."""

    name: str
    owner_user_id: int
    kind: str
    config: dict[str, Any]
    hint: str
    created_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "owner_user_id": self.owner_user_id,
            "kind": self.kind,
            **self.config,
            "credentials": self.hint,
            "created_ms": self.created_ms,
        }


def _view(stored: storage.StoredAccount) -> VenueAccount:
    return VenueAccount(stored.name, stored.owner_user_id, stored.kind, stored.config, stored.hint, stored.created_ms)


def _chain_config(config: dict[str, Any]) -> ChainConfig:
    tokens = tuple(TokenConfig(t["symbol"], t["address"], int(t["decimals"])) for t in config["tokens"])
    return ChainConfig(
        name=config["chain"], chain_id=int(config["chain_id"]), rpc_url=config["rpc_url"], router=config["router"],
        factory=config["factory"], tokens=tokens, native_symbol=config["native_symbol"],
    )  # fmt: skip


def _http_web3(chain: ChainConfig) -> AsyncWeb3:
    """A web3 client of ``chain``'s RPC over HTTP (the default ``web3_for``)."""
    from web3 import AsyncHTTPProvider, AsyncWeb3

    return AsyncWeb3(AsyncHTTPProvider(chain.rpc_url))


class VenueAccounts:
    """Add, list and remove venue accounts; register them in ``registry``."""

    def __init__(
        self,
        db: Engine,
        registry: VenueRegistry,
        box: CredentialBox,
        clock: Clock,
        *,
        exchange_overrides: dict[str, Any] | None = None,
        web3_for: Callable[[ChainConfig], AsyncWeb3] | None = None,
    ) -> None:
        self.db = db
        self.registry = registry
        self.box = box
        self.clock = clock
        self._exchange_overrides = dict(exchange_overrides or {})
        self._web3_for = web3_for or _http_web3

    # adding ----------------------------------------------------------------------------------------

    def add_exchange(self, owner_user_id: int, spec: ExchangeAccountSpec) -> VenueAccount:
        """Validate and store an exchange account, then register it; no network call is made."""
        import ccxt

        from engine.venues.ccxt.factory import rebase_urls

        self._check_name(spec.name)
        exchange_id = spec.exchange_id.strip().lower()
        if exchange_id not in ccxt.exchanges:
            raise UserInputError(f"unknown exchange {spec.exchange_id!r}: use a ccxt exchange id such as binance")
        if not spec.api_key.strip() or not spec.secret.strip():
            raise UserInputError("an exchange account needs both an API key and a secret")
        if spec.sandbox and not getattr(ccxt, exchange_id)().urls.get("test"):
            raise UserInputError(f"{exchange_id} has no sandbox/testnet in ccxt; leave --sandbox off")
        config: dict[str, Any] = {"exchange": exchange_id, "sandbox": spec.sandbox}
        if spec.api_url:
            config["api_url"] = spec.api_url
        try:  # the same validation the venue runs when it connects
            self._exchange_config(spec.name, config, Credentials(spec.api_key, spec.secret, spec.password))
            if spec.api_url:
                rebase_urls("", spec.api_url)
        except OperatorError as error:
            raise UserInputError(error.message) from None
        secrets = {"api_key": spec.api_key.strip(), "secret": spec.secret.strip(), "password": spec.password}
        return self._store(owner_user_id, spec.name, "ccxt", config, secrets, hint(spec.api_key.strip()))

    def add_wallet(self, owner_user_id: int, spec: WalletSpec) -> VenueAccount:
        """Validate (unlock the keystore, check addresses) and store a DEX wallet, then register it."""
        from engine.venues.dex.keystore import unlock

        self._check_name(spec.name)
        chain = spec.chain.strip().lower()
        known_id, known_native = CHAINS.get(chain, (None, "ETH"))
        chain_id = spec.chain_id or known_id
        if chain_id is None:
            raise UserInputError(f"unknown chain {spec.chain!r}: give its chain id (known: {', '.join(CHAINS)})")
        if not spec.rpc_url.startswith(("http://", "https://")):
            raise UserInputError("the RPC URL must be an http(s) URL")
        config: dict[str, Any] = {
            "chain": chain, "chain_id": chain_id, "rpc_url": spec.rpc_url, "router": spec.router,
            "factory": spec.factory, "native_symbol": (spec.native_symbol or known_native).upper(),
            "tokens": [{"symbol": t.symbol.upper(), "address": t.address, "decimals": t.decimals} for t in spec.tokens],
            "slippage_bps": spec.slippage_bps, "dry_run": spec.dry_run,
        }  # fmt: skip
        if not spec.tokens:
            raise UserInputError("a DEX wallet needs at least one token (SYMBOL=ADDRESS[:DECIMALS])")
        try:
            _chain_config(config)
            DexVenueConfig(_chain_config(config), "", "", name=spec.name, slippage_bps=spec.slippage_bps)
            account = unlock(spec.keystore_json, spec.keystore_password)
        except OperatorError as error:
            raise UserInputError(error.message) from None
        config["address"] = account.address
        secrets = {"keystore": spec.keystore_json, "password": spec.keystore_password}
        return self._store(owner_user_id, spec.name, "dex", config, secrets, account.address)

    def _check_name(self, name: str) -> None:
        if not NAME.match(name):
            raise UserInputError(
                f"venue name {name!r} must be lower case letters, digits, '-' or '_' (at most 32), e.g. binance-main"
            )
        if name in RESERVED or (name in self.registry.names() and self._stored(name) is None):
            raise Conflict(f"venue name {name!r} is taken by a built-in venue")

    def _store(
        self, owner_user_id: int, name: str, kind: str, config: dict[str, Any], secrets: dict[str, str], shown: str
    ) -> VenueAccount:
        sealed = self.box.seal(secrets)  # refuses without a master key, before anything is stored
        stored = storage.StoredAccount(name, owner_user_id, kind, config, sealed, shown, self.clock.now_ms())
        try:
            with self.db.begin() as conn:
                storage.insert_account(conn, stored)
        except IntegrityError:
            raise Conflict(f"a venue named {name!r} already exists; remove it first or pick another name") from None
        self.registry.register(self._managed(stored))
        log.info("venue account %s (%s) added for user %s", name, kind, owner_user_id)
        return _view(stored)

    # reading and removing --------------------------------------------------------------------------

    def _stored(self, name: str) -> storage.StoredAccount | None:
        with self.db.connect() as conn:
            return storage.get_account(conn, name)

    def get(self, name: str) -> VenueAccount:
        stored = self._stored(name)
        if stored is None:
            raise NotFound(f"no venue account named {name!r}")
        return _view(stored)

    def list(self, owner_user_id: int | None = None) -> list[VenueAccount]:
        """Accounts of ``owner_user_id`` (everyone's with None), secrets masked."""
        with self.db.connect() as conn:
            return [_view(stored) for stored in storage.list_accounts(conn, owner_user_id)]

    async def remove(self, name: str) -> VenueAccount:
        """Delete the account and its secrets; the venue is unregistered and its connection closed.
        Orders and fills placed on it stay in the history."""
        account = self.get(name)
        with self.db.begin() as conn:
            storage.delete_account(conn, name)
        venue = self.registry.unregister(name)
        if isinstance(venue, ManagedVenue):
            await venue.close()
        log.info("venue account %s removed", name)
        return account

    # registration ----------------------------------------------------------------------------------

    def register_all(self) -> int:
        """Register every stored account (not connected yet); return how many."""
        with self.db.connect() as conn:
            stored = storage.list_accounts(conn)
        for account in stored:
            self.registry.register(self._managed(account))
        return len(stored)

    def _managed(self, stored: storage.StoredAccount) -> ManagedVenue:
        return ManagedVenue(
            stored.name, kind=stored.kind, owner_user_id=stored.owner_user_id,
            connect=lambda: self._connect(stored.name), db=self.db,
        )  # fmt: skip

    def _connect(self, name: str) -> AccountVenue:
        stored = self._stored(name)
        if stored is None:
            raise NotFound(f"venue account {name!r} was removed")
        secrets = self.box.open(stored.sealed)
        if stored.kind == "dex":
            from engine.venues.dex.adapter import DexVenue
            from engine.venues.dex.keystore import unlock

            config = DexVenueConfig(
                _chain_config(stored.config), secrets["keystore"], secrets["password"], name=stored.name,
                slippage_bps=int(stored.config.get("slippage_bps", 50)), dry_run=bool(stored.config.get("dry_run")),
            )  # fmt: skip
            wallet = unlock(config.keystore_json, config.keystore_password)
            return DexVenue(config, self._web3_for(config.chain), wallet)
        from engine.venues.ccxt.adapter import CcxtVenue

        credentials = Credentials(secrets["api_key"], secrets["secret"], secrets.get("password", ""))
        return CcxtVenue.from_config(self._exchange_config(stored.name, stored.config, credentials))

    def _exchange_config(self, name: str, config: dict[str, Any], credentials: Credentials) -> CcxtVenueConfig:
        return CcxtVenueConfig(
            config["exchange"], credentials=credentials, name=name, sandbox=bool(config.get("sandbox")),
            api_url=config.get("api_url"), **self._exchange_overrides,
        )  # fmt: skip

    async def close(self) -> None:
        """Close every connected venue account (ccxt sessions, RPC sessions)."""
        for venue in list(self.registry):
            if isinstance(venue, ManagedVenue):
                await venue.close()
