"""Principals (who is asking) and role-based permissions, checked once per command in the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.domain import UserId
from engine.errors import PermissionDenied


class Role(StrEnum):
    VIEWER = "viewer"
    TRADER = "trader"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.VIEWER: 0, Role.TRADER: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: UserId
    name: str
    role: Role
    team: str | None = None

    def can(self, family: str) -> bool:
        return self.role.rank >= required_role(family).rank


#: The least role each command family needs. Anything unlisted needs admin.
PERMISSIONS: dict[str, Role] = {
    **dict.fromkeys(
        (
            "help",
            "orders",
            "fills",
            "balance",
            "portfolio",
            "pnl",
            "price",
            "sentiment",
            "strategies",
            "leaders",
            "alerts",
            "risk",
            "link",
            "backtest",
            "venues",
        ),
        Role.VIEWER,
    ),
    **dict.fromkeys(
        ("trade", "cancel", "confirm", "dca", "grid", "rebalance", "stop", "follow", "unfollow", "lead", "webhooks"),
        Role.TRADER,
    ),
    "venue": Role.TRADER,  # removing a configured venue (adding one is CLI/REST only)
    **dict.fromkeys(("kill", "resume"), Role.ADMIN),
}


def required_role(family: str) -> Role:
    return PERMISSIONS.get(family, Role.ADMIN)


def authorize(principal: Principal, family: str) -> None:
    """Raise ``PermissionDenied`` unless the principal's role allows the command family."""
    needed = required_role(family)
    if principal.role.rank < needed.rank:
        raise PermissionDenied(
            f"`{family}` needs the {needed.value} role; {principal.name} is a {principal.role.value}"
        )
