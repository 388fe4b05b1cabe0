"""Smart routing between an exchange and a DEX wallet on the local chain: gas decides small orders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from eth_account.signers.local import LocalAccount

from engine.clock import FakeClock
from engine.venues.plugin import accounts
from hub.app.container import Container, build
from hub.principals import Role
from tests.conftest import make_settings
from tests.engine.venues.conftest import MASTER_KEY, exchange_spec, wallet_accounts, wallet_spec
from tests.fakes.chain import LocalChain, deploy_local_chain
from tests.fakes.exchange_state import FakeMarket
from tests.kit.hubdriver import HubDriver

D = Decimal


async def _deploy(chain: LocalChain) -> LocalAccount:
    await chain.setup_uniswap(("TKA", "USDT", "WETH"))
    await chain.add_liquidity("TKA", "USDT", D(100), D(200_000))  # TKA at 2000 USDT
    await chain.add_liquidity("WETH", "USDT", D(10), D(30_000))  # prices the gas: ETH at 3000 USDT
    return await chain.new_wallet(native=D(10), tokens={"USDT": D(5000)})


@pytest.fixture(scope="module")
def deployed() -> tuple[LocalChain, LocalAccount]:
    return deploy_local_chain(_deploy)


@pytest.fixture
async def routed(
    monkeypatch: pytest.MonkeyPatch,
    keyed_container: Container,
    clock: FakeClock,
    deployed: tuple[LocalChain, LocalAccount],
    make_exchange_case,
) -> AsyncIterator[tuple[HubDriver, LocalChain]]:
    """Carol with `binance-main` (TKA asked at 2030.01) and `chain-wallet` (the pool's TKA near 2000)."""
    chain, wallet = deployed
    snapshot = chain.tester.take_snapshot()
    monkeypatch.setenv("TRADEHUB_SMART_ROUTING", "true")
    built = build(make_settings(keyed_container.settings.home, master_key=MASTER_KEY), clock=clock)
    exchanges = accounts(built.db, built.services.venues, built.clock, built.settings)
    wallets = wallet_accounts(built, chain)
    carol = HubDriver(built, built.add_user("carol", role=Role.TRADER))
    market = FakeMarket("TKA/USDT", "TKA", "USDT", D("0.01"), D("0.001"), D("0.001"), D(5), D("2030"))
    case = await make_exchange_case("binance", markets=[market])
    exchanges.add_exchange(carol.user.user_id, exchange_spec(case, "binance-main"))
    wallets.add_wallet(carol.user.user_id, wallet_spec(chain, wallet, "chain-wallet"))
    try:
        yield carol, chain
    finally:
        await exchanges.close()
        await wallets.close()
        built.close()
        chain.tester.revert_to_snapshot(snapshot)


async def test_a_small_buy_stays_on_the_exchange_because_of_dex_gas(routed) -> None:
    carol, _ = routed

    reply = await carol.push("buy 0.01 TKA/USDT")

    assert reply.ok, reply.text
    assert reply.data["order"]["venue"] == "binance-main"
    quotes = {q["venue"]: q for q in reply.data["routing"]["quotes"]}
    dex = quotes["chain-wallet"]
    assert D(dex["price"]) < D(quotes["binance-main"]["price"])  # the pool is cheaper before gas ...
    assert D(dex["gas_cost"]) > 0
    assert D(dex["effective_price"]) == D(dex["price"]) + D(dex["gas_cost"]) / D("0.01")  # ... not after it
    assert D(dex["effective_price"]) > D(quotes["binance-main"]["effective_price"])


async def test_a_large_buy_goes_to_the_dex_where_gas_is_spread_thin(routed) -> None:
    carol, _ = routed

    reply = await carol.push("buy 0.4 TKA/USDT")

    assert reply.ok, reply.text
    assert reply.data["order"]["venue"] == "chain-wallet" and reply.data["order"]["status"] == "filled"
    assert reply.text.startswith("Routed to chain-wallet")


async def test_a_quote_sized_buy_spreads_the_gas_over_its_size(routed) -> None:
    carol, _ = routed

    reply = await carol.push("buy $20 TKA/USDT")  # about 0.01 TKA

    assert reply.ok, reply.text
    assert reply.data["order"]["venue"] == "binance-main"
    assert {q["venue"] for q in reply.data["routing"]["quotes"]} == {"binance-main", "chain-wallet"}
