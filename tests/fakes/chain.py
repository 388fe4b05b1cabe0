"""A local EVM chain (eth-tester + py-evm, in process) with Uniswap V2 deployed from its npm build.

The bytecode comes from ``@uniswap/v2-core@1.0.1`` and ``@uniswap/v2-periphery@1.1.0-beta.0``
(GPL, so installed at test time, never committed)::

    npm install --prefix .ci --no-save --no-package-lock @uniswap/v2-core@1.0.1 @uniswap/v2-periphery@1.1.0-beta.0

``TRADEHUB_UNISWAP_V2_DIR`` overrides where the ``@uniswap`` folder is looked up.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import AsyncWeb3
from web3.providers.eth_tester import AsyncEthereumTesterProvider

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS_ENV = "TRADEHUB_UNISWAP_V2_DIR"
INSTALL_HINT = (
    "Uniswap V2 build artifacts not found; run "
    "`npm install --prefix .ci --no-save --no-package-lock @uniswap/v2-core@1.0.1 @uniswap/v2-periphery@1.1.0-beta.0` "
    f"or set {ARTIFACTS_ENV} to the folder holding v2-core/ and v2-periphery/"
)
MAX_UINT = 2**256 - 1
UNIT = 10**18

T = TypeVar("T")


def artifacts_dir() -> Path | None:
    candidates = [os.environ.get(ARTIFACTS_ENV), str(REPO / ".ci" / "node_modules" / "@uniswap")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "v2-periphery" / "build" / "UniswapV2Router02.json").is_file():
            return Path(candidate)
    return None


def load_artifact(package: str, name: str) -> tuple[list[Any], str]:
    root = artifacts_dir()
    if root is None:
        raise FileNotFoundError(INSTALL_HINT)
    data = json.loads((root / package / "build" / f"{name}.json").read_text())
    bytecode = data["bytecode"] if data["bytecode"].startswith("0x") else "0x" + data["bytecode"]
    return data["abi"], bytecode


@dataclass
class Deployment:
    weth: Any
    factory: Any
    router: Any
    tokens: dict[str, Any]


class LocalChain:
    """One in-process chain; ``w3`` is the AsyncWeb3 the venue under test uses."""

    def __init__(self) -> None:
        provider = AsyncEthereumTesterProvider()
        self.tester = provider.ethereum_tester
        self.w3 = AsyncWeb3(provider)
        self.deployer = ""
        self.deployment: Deployment | None = None

    async def deploy(self, package: str, name: str, *args: Any) -> Any:
        contract_abi, bytecode = load_artifact(package, name)
        factory = self.w3.eth.contract(abi=contract_abi, bytecode=bytecode)
        tx_hash = await factory.constructor(*args).transact({"from": self.deployer})
        receipt = await self.w3.eth.wait_for_transaction_receipt(tx_hash)
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=contract_abi)

    async def setup_uniswap(self, token_symbols: tuple[str, ...] = ("TKA", "TKB")) -> Deployment:
        """Deploy WETH9, the factory, Router02 and one test ERC-20 (18 decimals) per symbol."""
        self.deployer = (await self.w3.eth.accounts)[0]
        weth = await self.deploy("v2-periphery", "WETH9")
        factory = await self.deploy("v2-core", "UniswapV2Factory", self.deployer)
        router = await self.deploy("v2-periphery", "UniswapV2Router02", factory.address, weth.address)
        tokens = {symbol: await self.deploy("v2-core", "ERC20", 10**9 * UNIT) for symbol in token_symbols}
        self.deployment = Deployment(weth, factory, router, tokens)
        return self.deployment

    async def transact(self, call: Any, sender: str | None = None) -> Any:
        tx_hash = await call.transact({"from": sender or self.deployer})
        return await self.w3.eth.wait_for_transaction_receipt(tx_hash)

    async def add_liquidity(self, base: str, quote: str, base_amount: Decimal, quote_amount: Decimal) -> None:
        deployment = self._deployed()
        router = deployment.router
        for symbol in (base, quote):
            await self.transact(deployment.tokens[symbol].functions.approve(router.address, MAX_UINT))
        deadline = await self.timestamp() + 3600
        await self.transact(
            router.functions.addLiquidity(
                deployment.tokens[base].address, deployment.tokens[quote].address,
                int(base_amount * UNIT), int(quote_amount * UNIT), 0, 0, self.deployer, deadline,
            )
        )  # fmt: skip

    async def swap_as_deployer(self, token_in: str, token_out: str, amount_in: Decimal) -> None:
        """Move the pool's price with a trade from another account (a front-runner)."""
        deployment = self._deployed()
        path = [deployment.tokens[token_in].address, deployment.tokens[token_out].address]
        deadline = await self.timestamp() + 3600
        call = deployment.router.functions.swapExactTokensForTokens(
            int(amount_in * UNIT), 0, path, self.deployer, deadline
        )
        await self.transact(call)

    async def new_wallet(self, *, native: Decimal, tokens: dict[str, Decimal]) -> LocalAccount:
        """A fresh key funded with native coin and test tokens from the deployer."""
        account: LocalAccount = Account.create()
        value = int(native * UNIT)
        tx_hash = await self.w3.eth.send_transaction({"from": self.deployer, "to": account.address, "value": value})
        await self.w3.eth.wait_for_transaction_receipt(tx_hash)
        for symbol, amount in tokens.items():
            token = self._deployed().tokens[symbol]
            await self.transact(token.functions.transfer(account.address, int(amount * UNIT)))
        return account

    async def wait_for_pending_transaction(self, *, timeout_s: float = 30.0) -> str:
        """With auto-mining off: wait until a transaction is in the pool and return its hash."""
        filter_id = self.tester.create_pending_transaction_filter()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            arrived = self.tester.get_only_filter_changes(filter_id)
            if arrived:
                return str(arrived[0])
            await asyncio.sleep(0.01)
        raise TimeoutError("no transaction reached the pool")

    async def timestamp(self) -> int:
        return int((await self.w3.eth.get_block("latest"))["timestamp"])

    def _deployed(self) -> Deployment:
        if self.deployment is None:
            raise RuntimeError("call setup_uniswap() first")
        return self.deployment


def deploy_local_chain(deploy: Callable[[LocalChain], Awaitable[T]]) -> tuple[LocalChain, T]:
    """A fresh chain with ``deploy`` run on it, for a module-scoped fixture: ``(chain, what deploy returned)``.

    Without the Uniswap V2 artifacts the test is skipped, or failed on CI (scripts/test installs them
    there, so their absence is a failure).
    """
    if artifacts_dir() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL_HINT)
        pytest.skip(f"the DEX tests need the Uniswap V2 build artifacts from npm: {INSTALL_HINT}")
    chain = LocalChain()
    return chain, asyncio.run(deploy(chain))  # the in-process provider is not bound to an event loop
