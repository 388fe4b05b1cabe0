"""Build, sign and send EIP-1559 transactions; turn web3 failures into ``engine.errors``."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import AsyncWeb3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception

from engine.errors import InsufficientBalance, OrderRejectedByVenue, TradehubError, VenueUnavailable
from engine.venues.dex.nonces import NonceManager

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Fees:
    max_fee_per_gas: int
    max_priority_fee_per_gas: int


@dataclass(frozen=True, slots=True)
class Sent:
    tx_hash: str
    nonce: int
    gas_limit: int


def convert(error: BaseException, *, venue: str, action: str) -> TradehubError:
    """Map a web3 or transport failure onto the engine's tree."""
    if isinstance(error, ContractLogicError) or "execution reverted" in str(error):
        # Nodes answer with a JSON-RPC error that web3 raises as ContractLogicError; in-process
        # backends (eth-tester) raise their own TransactionFailed with the same text.
        message = getattr(error, "message", None) or str(error)
        reason = str(message).replace("execution reverted: ", "")
        return OrderRejectedByVenue(f"{venue}: {action} would revert: {reason}")
    if isinstance(error, TimeExhausted):
        return VenueUnavailable(f"{venue}: {action}: no receipt yet; the transaction is still pending")
    if isinstance(error, OSError | asyncio.TimeoutError | Web3Exception):
        text = str(error)
        if "insufficient funds" in text.lower():
            return InsufficientBalance(f"{venue}: not enough native balance to pay for gas ({action})")
        return VenueUnavailable(f"{venue}: {action} failed: {type(error).__name__}: {text[:200]}")
    raise error


class Sender:
    """Signs with the wallet's key and sends with managed nonces and EIP-1559 fees."""

    def __init__(self, w3: AsyncWeb3, account: LocalAccount, *, chain_id: int, venue: str, priority_fee_wei: int,
                 gas_multiplier: Decimal) -> None:  # fmt: skip
        self._w3 = w3
        self._account = account
        self._chain_id = chain_id
        self._venue = venue
        self._priority_fee = priority_fee_wei
        self._gas_multiplier = gas_multiplier
        self.nonces = NonceManager(lambda: w3.eth.get_transaction_count(account.address, "pending"))

    @property
    def address(self) -> str:
        return self._account.address

    async def fees(self) -> Fees:
        """Max fee = twice the latest base fee plus the tip: survives several full blocks of fee rises."""
        block = await self._w3.eth.get_block("latest")
        base_fee = int(block.get("baseFeePerGas") or 0)
        return Fees(max_fee_per_gas=2 * base_fee + self._priority_fee, max_priority_fee_per_gas=self._priority_fee)

    async def expected_fee_per_gas(self) -> int:
        """What a transaction sent now pays per gas: the latest base fee plus the tip (below the max fee)."""
        block = await self._w3.eth.get_block("latest")
        return int(block.get("baseFeePerGas") or 0) + self._priority_fee

    async def estimate(self, call: Any, *, action: str) -> int:
        """Gas limit for a contract call with the safety multiplier; a revert surfaces here, unsent."""
        try:
            estimate = await call.estimate_gas({"from": self.address})
        except Exception as error:  # convert() re-raises anything it does not recognise
            raise convert(error, venue=self._venue, action=action) from None
        return int((Decimal(estimate) * self._gas_multiplier).to_integral_value(rounding=ROUND_CEILING))

    async def send(self, call: Any, *, gas_limit: int, action: str) -> Sent:
        fees = await self.fees()
        async with self.nonces.reserve() as nonce:
            transaction = await call.build_transaction(
                {
                    "from": self.address,
                    "nonce": nonce,
                    "gas": gas_limit,
                    "maxFeePerGas": fees.max_fee_per_gas,
                    "maxPriorityFeePerGas": fees.max_priority_fee_per_gas,
                    "chainId": self._chain_id,
                    "type": 2,
                }
            )
            signed = self._account.sign_transaction(transaction)
            try:
                tx_hash = await self._w3.eth.send_raw_transaction(signed.raw_transaction)
            except (Web3Exception, OSError, ValueError) as error:
                raise convert(error, venue=self._venue, action=action) from None
        log.info("%s: %s sent as %s (nonce %d)", self._venue, action, tx_hash.to_0x_hex(), nonce)
        return Sent(tx_hash.to_0x_hex(), nonce, gas_limit)

    async def receipt(self, sent: Sent, *, timeout_s: float, poll_s: float, action: str) -> Any:
        try:
            return await self._w3.eth.wait_for_transaction_receipt(
                sent.tx_hash, timeout=timeout_s, poll_latency=poll_s
            )  # fmt: skip
        except (TimeExhausted, Web3Exception, OSError) as error:
            raise convert(error, venue=self._venue, action=action) from None

    async def execute(self, call: Any, *, action: str, timeout_s: float, poll_s: float) -> Any:
        """Estimate gas (a revert surfaces here, unsent), send, and wait for the receipt."""
        gas_limit = await self.estimate(call, action=action)
        sent = await self.send(call, gas_limit=gas_limit, action=action)
        return await self.receipt(sent, timeout_s=timeout_s, poll_s=poll_s, action=action)
