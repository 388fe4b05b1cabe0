"""The few contract functions and events the venue calls, as JSON ABI fragments.

Kept in code (not loaded from build artifacts) so the venue needs nothing at runtime but an RPC URL.
"""

from __future__ import annotations

from typing import Any


def _function(name: str, inputs: list[str], outputs: list[str], *, view: bool) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "inputs": [{"name": f"arg{index}", "type": kind} for index, kind in enumerate(inputs)],
        "outputs": [{"name": f"out{index}", "type": kind} for index, kind in enumerate(outputs)],
        "stateMutability": "view" if view else "nonpayable",
    }


ERC20 = [
    _function("balanceOf", ["address"], ["uint256"], view=True),
    _function("allowance", ["address", "address"], ["uint256"], view=True),
    _function("decimals", [], ["uint8"], view=True),
    _function("approve", ["address", "uint256"], ["bool"], view=False),
    _function("transfer", ["address", "uint256"], ["bool"], view=False),
    {
        "type": "event",
        "name": "Transfer",
        "anonymous": False,
        "inputs": [
            {"name": "from", "type": "address", "indexed": True},
            {"name": "to", "type": "address", "indexed": True},
            {"name": "value", "type": "uint256", "indexed": False},
        ],
    },
]

ROUTER_V2 = [
    _function("getAmountsOut", ["uint256", "address[]"], ["uint256[]"], view=True),
    _function("getAmountsIn", ["uint256", "address[]"], ["uint256[]"], view=True),
    _function(
        "swapExactTokensForTokens", ["uint256", "uint256", "address[]", "address", "uint256"], ["uint256[]"], view=False
    ),
    _function(
        "swapTokensForExactTokens", ["uint256", "uint256", "address[]", "address", "uint256"], ["uint256[]"], view=False
    ),
]

FACTORY_V2 = [_function("getPair", ["address", "address"], ["address"], view=True)]

PAIR_V2 = [
    _function("getReserves", [], ["uint112", "uint112", "uint32"], view=True),
    _function("token0", [], ["address"], view=True),
    _function("balanceOf", ["address"], ["uint256"], view=True),
    _function("totalSupply", [], ["uint256"], view=True),
]
