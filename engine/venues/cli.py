"""``tradehub venue ...``: add, list and remove exchange accounts and DEX wallets.

Secrets are never command-line arguments (they would land in shell history and ``ps``): API keys are
read from stdin (``--api-key-stdin``: key, secret and optional passphrase on separate lines) or
prompted for without echo; a wallet's keystore JSON comes from stdin followed by its password.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from engine.errors import TradehubError, UserInputError
from engine.venues.accounts import ExchangeAccountSpec, VenueAccount, VenueAccounts, WalletSpec
from engine.venues.dex import TokenConfig

if TYPE_CHECKING:
    from engine.venues.reconciling import VenueReport

app = typer.Typer(help="Exchange accounts and DEX wallets that orders can be placed `on`.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option("--as", help="The user who owns the account")]


def _service_and_owner(as_user: str | None) -> tuple[VenueAccounts, int]:
    from engine.venues.plugin import accounts
    from hub.app.cli import _principal, container

    built = container()
    principal = _principal(built, as_user)
    return accounts(built.db, built.services.venues, built.clock, built.settings), principal.user_id


def _fail(error: TradehubError) -> typer.Exit:
    from hub.app.cli import fail

    return fail(error)


def read_api_credentials(from_stdin: bool) -> tuple[str, str, str]:
    """API key, secret and passphrase from stdin lines, or prompted for without echo."""
    if from_stdin:
        lines = [line.strip() for line in sys.stdin.read().splitlines()]
        lines = [line for line in lines if line]
        if len(lines) not in (2, 3):
            raise UserInputError(
                "--api-key-stdin expects the API key, the secret and optionally a passphrase, one per line"
            )
        return lines[0], lines[1], lines[2] if len(lines) == 3 else ""
    api_key = typer.prompt("API key", hide_input=True)
    secret = typer.prompt("API secret", hide_input=True)
    password = typer.prompt("Passphrase (empty if the exchange has none)", default="", hide_input=True,
                            show_default=False)  # fmt: skip
    return api_key.strip(), secret.strip(), password


def read_keystore(text: str) -> tuple[str, str]:
    """Split stdin into the keystore JSON object and the password that follows it."""
    stripped = text.lstrip()
    try:
        document, end = json.JSONDecoder().raw_decode(stripped)
    except ValueError:
        raise UserInputError("--keystore-stdin expects the keystore JSON followed by its password") from None
    password = stripped[end:].strip()
    if not isinstance(document, dict) or not password:
        raise UserInputError("--keystore-stdin expects the keystore JSON object followed by its password")
    return json.dumps(document), password


def parse_token(text: str) -> TokenConfig:
    """``SYMBOL=ADDRESS[:DECIMALS]``."""
    symbol, separator, rest = text.partition("=")
    address, _, decimals = rest.partition(":")
    if not separator or not symbol or not address:
        raise UserInputError(f"--token {text!r}: use SYMBOL=ADDRESS[:DECIMALS]")
    try:
        return TokenConfig(symbol.strip().upper(), address.strip(), int(decimals) if decimals else 18)
    except ValueError:
        raise UserInputError(f"--token {text!r}: decimals must be a whole number") from None
    except TradehubError as error:
        raise UserInputError(error.message) from None


def _show(account: VenueAccount) -> str:
    config = account.config
    if account.kind == "dex":
        where = f"dex on {config['chain']} (chain {config['chain_id']}), wallet {account.hint}"
    else:
        where = f"{config['exchange']}{' sandbox' if config.get('sandbox') else ''}, key {account.hint}"
    return f"{account.name}\t{where}"


@app.command("add")
def add(
    name: str,
    exchange: Annotated[str | None, typer.Option(help="ccxt exchange id: binance, okx, kraken, ...")] = None,
    sandbox: Annotated[bool, typer.Option(help="Use the exchange's testnet/sandbox")] = False,
    api_key_stdin: Annotated[bool, typer.Option(help="Read API key, secret [, passphrase] from stdin")] = False,
    api_url: Annotated[str | None, typer.Option(help="Replace the exchange's API host (proxy, region)")] = None,
    dex: Annotated[bool, typer.Option(help="Add a DEX wallet instead of an exchange account")] = False,
    chain: Annotated[str | None, typer.Option(help="ethereum, base, polygon, arbitrum or a custom name")] = None,
    chain_id: Annotated[int | None, typer.Option(help="Chain id (needed for chains not listed above)")] = None,
    rpc: Annotated[str | None, typer.Option(help="JSON-RPC URL of the chain")] = None,
    router: Annotated[str | None, typer.Option(help="Uniswap-V2-style router address")] = None,
    factory: Annotated[str | None, typer.Option(help="Its factory address")] = None,
    token: Annotated[list[str] | None, typer.Option(help="SYMBOL=ADDRESS[:DECIMALS], repeatable")] = None,
    keystore_stdin: Annotated[bool, typer.Option(help="Read keystore JSON, then its password, from stdin")] = False,
    dry_run: Annotated[bool, typer.Option(help="DEX: quote and estimate only, never send")] = False,
    as_user: AsUser = None,
) -> None:
    """Add an exchange account (--exchange) or a DEX wallet (--dex); secrets are stored encrypted."""
    try:
        service, owner = _service_and_owner(as_user)
        if dex == (exchange is not None):
            raise UserInputError("give either --exchange ID or --dex")
        if exchange is not None:
            api_key, secret, password = read_api_credentials(api_key_stdin)
            spec = ExchangeAccountSpec(name, exchange, api_key, secret, password, sandbox=sandbox, api_url=api_url)
            account = service.add_exchange(owner, spec)
        else:
            account = service.add_wallet(owner, _wallet_spec(name, chain, chain_id, rpc, router, factory, token,
                                                             keystore_stdin, dry_run))  # fmt: skip
    except TradehubError as error:
        raise _fail(error) from None
    print(f"added {_show(account)}")


def _wallet_spec(
    name: str, chain: str | None, chain_id: int | None, rpc: str | None, router: str | None,
    factory: str | None, tokens: list[str] | None, keystore_stdin: bool, dry_run: bool,
) -> WalletSpec:  # fmt: skip
    missing = [flag for flag, value in (("--chain", chain), ("--rpc", rpc), ("--router", router),
                                        ("--factory", factory), ("--token", tokens)) if not value]  # fmt: skip
    if missing:
        raise UserInputError(f"a DEX wallet needs {', '.join(missing)}")
    if not keystore_stdin:
        raise UserInputError("pass the wallet with --keystore-stdin (keystore JSON, then its password)")
    keystore, password = read_keystore(sys.stdin.read())
    assert chain and rpc and router and factory and tokens  # checked above
    return WalletSpec(
        name, chain, rpc, router, factory, tuple(parse_token(t) for t in tokens), keystore, password,
        chain_id=chain_id, dry_run=dry_run,
    )  # fmt: skip


@app.command("list")
def list_venues(as_user: AsUser = None, all_users: Annotated[bool, typer.Option("--all")] = False) -> None:
    """List venue accounts (secrets masked)."""
    try:
        service, owner = _service_and_owner(as_user)
    except TradehubError as error:
        raise _fail(error) from None
    found = service.list(None if all_users else owner)
    print("\n".join(_show(account) for account in found) if found else "no venue accounts yet")


@app.command("remove")
def remove(name: str, as_user: AsUser = None) -> None:
    """Remove a venue account and its stored secrets (its order history stays)."""
    try:
        service, owner = _service_and_owner(as_user)
        account = service.get(name)
        if account.owner_user_id != owner:
            raise UserInputError(f"venue {name!r} belongs to another user; pass --as its owner")
        asyncio.run(service.remove(name))
    except TradehubError as error:
        raise _fail(error) from None
    print(f"removed {name}")


@app.command("reconcile")
def reconcile_command(
    name: str,
    dry_run: Annotated[bool, typer.Option(help="Only report; book nothing and keep the stored balances")] = False,
    as_user: AsUser = None,
) -> None:
    """Compare an exchange account with tradehub's books: book missed fills, report unknown open orders.

    The server does the same for every exchange account when it starts.
    """
    from engine.venues.managed import ManagedVenue
    from engine.venues.plugin import accounts
    from engine.venues.reconciling import reconcile_venue
    from hub.app.cli import _principal, container

    try:
        built = container()
        owner = _principal(built, as_user).user_id
        service = accounts(built.db, built.services.venues, built.clock, built.settings)
        if service.get(name).owner_user_id != owner:
            raise UserInputError(f"venue {name!r} belongs to another user; pass --as its owner")
        venue = built.services.venues.get(name)
        assert isinstance(venue, ManagedVenue)  # every stored account is registered as one

        async def run() -> VenueReport:
            try:
                return await reconcile_venue(built.services.oms, venue, apply=not dry_run)
            finally:
                await venue.close()

        report = asyncio.run(run())
    except TradehubError as error:
        raise _fail(error) from None
    print_report(report)


def print_report(report: VenueReport) -> None:
    """``VenueReport`` as rich tables: what was booked, unknown open orders, balances."""
    from rich.console import Console
    from rich.table import Table

    from engine.venues.reconciling import describe_open_order

    console = Console(highlight=False)
    verb = "booked" if report.applied else "found (dry run, nothing booked)"
    console.print(
        f"[bold]{report.venue}[/]: {report.checked} working order(s) checked, {len(report.updated)} updated, "
        f"{report.fills} missed fill(s) {verb}, {len(report.vanished)} no longer on the exchange"
        + (" (marked canceled)" if report.applied else ""),
        soft_wrap=True,
    )
    for order_id in report.failed:
        console.print(f"[red]not booked[/]: order {order_id} (see the log)")
    if report.unknown_open_orders:
        table = Table(title="Open orders on the exchange that tradehub does not know (left untouched)")
        for column in ("exchange id", "symbol", "side", "quantity", "price", "filled", "origin"):
            table.add_column(column)
        for order in report.unknown_open_orders:
            table.add_row(
                order.venue_order_id, order.symbol, order.side.value, f"{order.quantity:f}",
                "" if order.price is None else f"{order.price:f}", f"{order.filled_quantity:f}",
                "tradehub (not in this store)" if order.placed_by_tradehub else "elsewhere",
            )  # fmt: skip
        console.print(table)
        for order in report.unknown_open_orders:
            console.print(f"unknown: {describe_open_order(order)}", soft_wrap=True)
    else:
        console.print("No open orders on the exchange that tradehub does not know.")
    if report.drift:
        updated = " (books updated)" if report.applied else ""
        table = Table(title=f"Balances: tradehub's books vs the exchange{updated}")
        for column in ("asset", "tradehub", "exchange"):
            table.add_column(column)
        for drift in report.drift:
            table.add_row(drift.asset, f"{drift.stored:f}", f"{drift.exchange:f}")
        console.print(table)
    else:
        console.print("Balances match the exchange.")
