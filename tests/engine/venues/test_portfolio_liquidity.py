"""LP tokens in a wallet venue show up in `portfolio`, valued in USDT from the pools (local Uniswap V2 chain)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_account.signers.local import LocalAccount

from engine.clock import FakeClock
from engine.domain import UserId
from engine.errors import VenueUnavailable
from engine.portfolio import PortfolioService
from engine.venues.dex import ChainConfig, DexVenue, DexVenueConfig, TokenConfig, abi
from engine.venues.dex.liquidity import LiquidityPosition
from engine.venues.registry import VenueRegistry
from hub.app.container import Container
from hub.principals import Role
from tests.fakes.chain import LocalChain, deploy_local_chain
from tests.kit.hubdriver import HubDriver

D = Decimal

#: the name the trader gave the wallet account (``wallet_venue`` in the conftest adds it)
WALLET = "lp-wallet"


async def _give_lp(chain: LocalChain, base: str, quote: str, to: str, fraction: int) -> None:
    """Move 1/``fraction`` of the deployer's LP tokens of the ``base``/``quote`` pool to ``to``."""
    deployment = chain.deployment
    assert deployment is not None
    address = await deployment.factory.functions.getPair(
        deployment.tokens[base].address, deployment.tokens[quote].address
    ).call()
    pair = chain.w3.eth.contract(address=address, abi=abi.ERC20)
    held = await pair.functions.balanceOf(chain.deployer).call()
    await chain.transact(pair.functions.transfer(to, held // fraction))


async def _deploy(chain: LocalChain) -> LocalAccount:
    await chain.setup_uniswap(("TKA", "USDT", "TKB"))
    await chain.add_liquidity("TKA", "USDT", D(1000), D(2000))  # TKA at 2 USDT
    await chain.add_liquidity("TKB", "USDT", D(500), D(500))  # TKB at 1 USDT
    await chain.add_liquidity("TKA", "TKB", D(100), D(200))  # TKA at 2 TKB
    wallet = await chain.new_wallet(native=D(10), tokens={"USDT": D(100)})
    await _give_lp(chain, "TKA", "USDT", wallet.address, 10)  # about 10% of the pool: 100 TKA + 200 USDT
    await _give_lp(chain, "TKA", "TKB", wallet.address, 2)  # about half: 50 TKA + 100 TKB
    return wallet


@pytest.fixture(scope="module")
def deployed() -> tuple[LocalChain, LocalAccount]:
    return deploy_local_chain(_deploy)


def _near(value: str | None, expected: str) -> bool:
    return value is not None and abs(D(value) - D(expected)) < D("0.001")


async def test_portfolio_shows_each_lp_position_valued_in_usdt(wallet_venue: LocalChain, trader: HubDriver) -> None:
    reply = await trader.push("portfolio on lp-wallet")

    assert reply.ok, reply.text
    positions = {lp["symbol"]: lp for lp in reply.data["liquidity"]}
    assert set(positions) == {"TKA/USDT", "TKA/TKB"}  # no LP tokens of the TKB/USDT pool
    direct = positions["TKA/USDT"]
    assert _near(direct["share"], "0.1") and _near(direct["base_amount"], "100")
    assert _near(direct["quote_amount"], "200")
    assert D(direct["pool_price"]) == 2 and _near(direct["value"], "400")  # 100 TKA * 2 + 200 USDT
    crossed = positions["TKA/TKB"]
    assert _near(crossed["base_amount"], "50") and _near(crossed["quote_amount"], "100")
    assert _near(crossed["value"], "200")  # 200 TKB, at 1 USDT each from the TKB/USDT pool
    assert direct["impermanent_loss"] is None and crossed["impermanent_loss"] is None  # the deposit is unknown
    assert _near(reply.data["equity"], "700")  # 100 USDT in the wallet plus both positions
    lines = [line for line in reply.text.splitlines() if line.startswith("LP ")]
    assert len(lines) == 2
    assert lines[0].startswith("LP TKA/USDT (lp-wallet): 141.421356 LP tokens, 10.00% of the pool = ")
    assert " = 400.00 USDT; impermanent loss not tracked" in lines[0]


async def test_lp_positions_count_in_equity_and_belong_to_the_owner_only(
    wallet_venue: LocalChain, trader: HubDriver, keyed_container: Container
) -> None:
    everything = await trader.push("portfolio")
    bob = HubDriver(keyed_container, keyed_container.add_user("bob", role=Role.TRADER))
    other = await bob.push("portfolio")

    assert len(everything.data["liquidity"]) == 2
    paper = sum(D(h["value"]) for h in everything.data["holdings"] if h["venue"] == "paper")
    assert _near(str(D(everything.data["equity"]) - paper), "700")
    assert other.ok and other.data["liquidity"] == []


class _Wallet:
    """A wallet venue stand-in: ``kind``, ``owner_user_id`` and the connected ``venue`` like ``ManagedVenue``."""

    kind = "dex"

    def __init__(self, name: str, owner: int, positions: list[LiquidityPosition] | None) -> None:
        self.name, self.owner_user_id, self._positions = name, owner, positions
        self.venue = self

    async def liquidity_positions(self) -> list[LiquidityPosition]:
        if self._positions is None:
            raise VenueUnavailable(f"{self.name}: RPC down")
        return self._positions

    async def last_price(self, symbol: str) -> Decimal:
        raise VenueUnavailable(f"{self.name}: RPC down")


async def test_a_wallet_whose_chain_is_down_is_left_out_and_unpriced_lp_is_shown_unvalued(clock: FakeClock) -> None:
    position = LiquidityPosition("TKA/TKB", D("0.5"), D(50), D(100), D(2), D(200), None, D(7))
    registry = VenueRegistry()
    registry.register(_Wallet("down", 1, None))  # type: ignore[arg-type]
    registry.register(_Wallet("up", 1, [position]))  # type: ignore[arg-type]
    registry.register(_Wallet("someone-else", 2, [position]))  # type: ignore[arg-type]
    service = PortfolioService(None, registry, clock)  # type: ignore[arg-type]  # only LP is read here

    found = await service.liquidity(UserId(1))

    assert [(lp.venue, lp.symbol, lp.value, lp.lp_tokens) for lp in found] == [("up", "TKA/TKB", None, D(7))]


def _dex(chain: LocalChain, wallet: LocalAccount, **settings: float) -> DexVenue:
    deployment = chain.deployment
    assert deployment is not None
    tokens = tuple(TokenConfig(symbol, contract.address, 18) for symbol, contract in deployment.tokens.items())
    config = ChainConfig("local", 131277322940537, "http://127.0.0.1:8545", deployment.router.address,
                         deployment.factory.address, tokens)  # fmt: skip
    return DexVenue(DexVenueConfig(config, "", "", name="lp-wallet", **settings), chain.w3, wallet)  # type: ignore[arg-type]


async def test_lp_positions_once_read_are_reused_for_lp_cache_s(deployed: tuple[LocalChain, LocalAccount]) -> None:
    chain, wallet = deployed
    snapshot = chain.tester.take_snapshot()
    try:
        cached, fresh = _dex(chain, wallet, lp_cache_s=3600), _dex(chain, wallet, lp_cache_s=0)
        before = {lp.symbol for lp in await cached.liquidity_positions()}
        await _give_lp(chain, "TKB", "USDT", wallet.address, 4)
        again = {lp.symbol for lp in await cached.liquidity_positions()}
        now = {lp.symbol for lp in await fresh.liquidity_positions()}
    finally:
        chain.tester.revert_to_snapshot(snapshot)

    assert before == again == {"TKA/USDT", "TKA/TKB"}
    assert now == {"TKA/USDT", "TKA/TKB", "TKB/USDT"}
