"""A DEX wallet added as a venue account: `buy 1 TKA/USDT on base-wallet` swaps on a local Uniswap V2 chain."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_account.signers.local import LocalAccount

from tests.fakes.chain import LocalChain, deploy_local_chain
from tests.kit.hubdriver import HubDriver

#: the name the trader gave the wallet account (``wallet_venue`` in the conftest adds it)
WALLET = "base-wallet"


async def _deploy(chain: LocalChain) -> LocalAccount:
    await chain.setup_uniswap(("TKA", "USDT"))
    await chain.add_liquidity("TKA", "USDT", Decimal(1000), Decimal(2000))
    return await chain.new_wallet(native=Decimal(10), tokens={"TKA": Decimal(5), "USDT": Decimal(100)})


@pytest.fixture(scope="module")
def deployed() -> tuple[LocalChain, LocalAccount]:
    return deploy_local_chain(_deploy)


async def test_buy_on_a_wallet_swaps_on_chain_and_books_the_fill(wallet_venue: LocalChain, trader: HubDriver) -> None:
    reply = await trader.push("buy 1 TKA/USDT on base-wallet")

    assert reply.ok, reply.text
    order = reply.data["order"]
    assert (order["status"], Decimal(order["filled_quantity"])) == ("filled", Decimal(1))
    assert Decimal("2") < Decimal(order["average_fill_price"]) < Decimal("2.02")  # 0.3% fee and the price impact
    balance = await trader.push("balance on base-wallet")
    totals = {h["asset"]: Decimal(h["total"]) for h in balance.data["holdings"]}
    assert totals["TKA"] == Decimal(6)
    assert totals["USDT"] == Decimal(100) - Decimal(order["average_fill_price"])
    assert totals["ETH"] < Decimal(10)  # gas was paid


async def test_portfolio_values_wallet_tokens_from_the_pool_in_usd(wallet_venue: LocalChain, trader: HubDriver) -> None:
    reply = await trader.push("portfolio on base-wallet")

    assert reply.ok, reply.text
    values = {h["asset"]: h["value"] for h in reply.data["holdings"]}
    assert Decimal(values["TKA"]) == Decimal(5) * 2  # 1000 TKA / 2000 USDT pool mid price
    assert Decimal(values["USDT"]) == Decimal(100)
    assert values["ETH"] is None  # no ETH/USDT pool configured: shown, not valued


async def test_selling_more_than_the_wallet_holds_is_refused_before_any_transaction(
    wallet_venue: LocalChain, trader: HubDriver
) -> None:
    before = await wallet_venue.w3.eth.block_number

    reply = await trader.push("sell 6 TKA/USDT on base-wallet")

    assert not reply.ok and reply.error_code == "insufficient_balance"
    assert await wallet_venue.w3.eth.block_number == before
