"""DEX venue configuration, keystore unlocking and nonce bookkeeping."""

from __future__ import annotations

import asyncio

import pytest
from eth_account import Account

from engine.errors import OperatorError, UnknownSymbol
from engine.venues.dex import ChainConfig, DexVenue, DexVenueConfig, TokenConfig
from engine.venues.dex.keystore import encrypt, unlock
from engine.venues.dex.nonces import NonceManager

ROUTER = "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"
FACTORY = "0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f"
WETH = TokenConfig("WETH", "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 18)
USDC = TokenConfig("USDC", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6)


def chain(**overrides: object) -> ChainConfig:
    settings: dict[str, object] = {
        "name": "ethereum", "chain_id": 1, "rpc_url": "https://rpc.example", "router": ROUTER,
        "factory": FACTORY, "tokens": (WETH, USDC),
    }  # fmt: skip
    settings.update(overrides)
    return ChainConfig(**settings)  # type: ignore[arg-type]


def test_keystore_unlocks_with_its_password_only() -> None:
    account = Account.create()
    keystore = encrypt(account.key, "correct horse", iterations=2)

    assert unlock(keystore, "correct horse").address == account.address
    with pytest.raises(OperatorError, match="cannot unlock"):
        unlock(keystore, "wrong")


def test_config_repr_hides_keystore_and_password() -> None:
    config = DexVenueConfig(chain(), keystore_json='{"crypto": "SECRET-BLOB"}', keystore_password="hunter2")

    assert "SECRET-BLOB" not in repr(config) and "hunter2" not in repr(config)
    assert config.name == "dex-ethereum"


def test_tokens_and_addresses_are_validated() -> None:
    assert chain().token("usdc") == USDC
    with pytest.raises(UnknownSymbol, match="DAI is not a configured token on ethereum"):
        chain().token("DAI")
    with pytest.raises(OperatorError, match="router is not an EVM address"):
        chain(router="0x123")
    with pytest.raises(OperatorError, match="unique"):
        chain(tokens=(WETH, WETH))
    with pytest.raises(OperatorError, match="slippage_bps"):
        DexVenueConfig(chain(), keystore_json="", keystore_password="", slippage_bps=10_000)


async def test_nonces_are_consecutive_under_concurrency_and_resync_after_a_failed_send() -> None:
    chain_counts = iter([7, 9])
    reads: list[int] = []

    async def pending_count() -> int:
        reads.append(1)
        return next(chain_counts)

    manager = NonceManager(pending_count)
    taken: list[int] = []

    async def take() -> None:
        async with manager.reserve() as nonce:
            await asyncio.sleep(0)
            taken.append(nonce)

    await asyncio.gather(*(take() for _ in range(3)))
    with pytest.raises(RuntimeError):
        async with manager.reserve() as nonce:
            assert nonce == 10
            raise RuntimeError("node refused the transaction")
    async with manager.reserve() as nonce:
        resynced = nonce

    assert sorted(taken) == [7, 8, 9]
    assert resynced == 9  # re-read from the chain, which never saw nonce 10
    assert len(reads) == 2


def test_venue_is_built_from_config_with_the_unlocked_wallet_and_no_connection() -> None:
    account = Account.create()
    config = DexVenueConfig(
        chain(), keystore_json=encrypt(account.key, "pw", iterations=2), keystore_password="pw", dry_run=True
    )

    venue = DexVenue.from_config(config)

    assert venue.address == account.address
    assert venue.name == "dex-ethereum"
    assert account.key.hex() not in repr(venue)
