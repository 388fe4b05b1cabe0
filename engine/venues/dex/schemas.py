"""Transaction receipts parsed at the edge: status, gas, and ERC-20 Transfer logs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def _hex(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value)
    return text if text.startswith("0x") else "0x" + text


class TransferLog(BaseModel):
    model_config = ConfigDict(frozen=True)

    token: str
    sender: str
    recipient: str
    value: int


class ReceiptSchema(BaseModel):
    model_config = ConfigDict(frozen=True)

    transaction_hash: str
    status: int
    block_number: int
    gas_used: int
    effective_gas_price: int
    transfers: tuple[TransferLog, ...] = ()

    @classmethod
    def from_web3(cls, raw: Any) -> ReceiptSchema:
        """Parse a web3 receipt; Transfer logs are decoded from their topics and data."""
        transfers = []
        for entry in raw["logs"]:
            topics = [_hex(topic) for topic in entry["topics"]]
            if len(topics) != 3 or topics[0].lower() != TRANSFER_TOPIC:
                continue
            data = _hex(entry["data"])
            transfers.append(
                TransferLog(
                    token=str(entry["address"]).lower(),
                    sender="0x" + topics[1][-40:].lower(),
                    recipient="0x" + topics[2][-40:].lower(),
                    value=int(data, 16) if data != "0x" else 0,
                )
            )
        return cls(
            transaction_hash=_hex(raw["transactionHash"]),
            status=int(raw["status"]),
            block_number=int(raw["blockNumber"]),
            gas_used=int(raw["gasUsed"]),
            effective_gas_price=int(raw.get("effectiveGasPrice") or 0),
            transfers=tuple(transfers),
        )

    def transferred(self, token: str, wallet: str) -> int:
        """Net units of ``token`` that moved into ``wallet`` in this transaction (negative: out)."""
        token, wallet = token.lower(), wallet.lower()
        net = 0
        for transfer in self.transfers:
            if transfer.token != token:
                continue
            if transfer.recipient == wallet:
                net += transfer.value
            if transfer.sender == wallet:
                net -= transfer.value
        return net
