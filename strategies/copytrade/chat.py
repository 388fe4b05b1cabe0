"""The chat and REST commands ``lead``, ``follow``, ``unfollow`` and ``leaders`` (every front-end reaches
them through the hub's dispatcher). Errors are ``UserInputError`` and change nothing."""

from __future__ import annotations

from decimal import Decimal

from hub.commands import Follow, Lead, Leaders, Unfollow, format_decimal
from hub.dispatch import Context, Handler, Services
from hub.reply import Reply
from strategies.copytrade.board import LeaderStats
from strategies.copytrade.service import CopyTradeService, rule_dict
from strategies.copytrade.storage import Follow as FollowRule

_HUNDRED = Decimal(100)


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * _HUNDRED).quantize(Decimal('0.01')):+}%"


def _sizing(rule: FollowRule) -> str:
    if rule.fixed is not None:
        text = f"${format_decimal(rule.fixed)} per trade"
    else:
        text = f"ratio {format_decimal(rule.ratio if rule.ratio is not None else Decimal(1))} of each trade"
    if rule.max_allocation is not None:
        text += f", at most ${format_decimal(rule.max_allocation)} allocated"
    return text


def _board_line(rank: int, stats: LeaderStats) -> str:
    drawdown = (stats.max_drawdown_30d * _HUNDRED).quantize(Decimal("0.01"))
    return (f"{rank}. {stats.name}: 30d return {_percent(stats.return_30d)}, max drawdown {drawdown}%, "
            f"{stats.followers} follower(s)")  # fmt: skip


def make_handlers(service: CopyTradeService) -> dict[str, Handler]:
    async def lead(services: Services, context: Context, command: Lead) -> Reply:
        data = await service.lead(context.principal.user_id, on=command.on, discord_url=command.discord_url)
        if not command.on:
            return Reply(True, "You are no longer a leader; your trades are not copied any more.", data=data)
        text = f"You are a leader: your fills are copied to your {data['followers']} follower(s)."
        if data["discord"]:
            text += f" Fills are posted to {data['discord']}."
        return Reply(True, text, data=data)

    async def follow(services: Services, context: Context, command: Follow) -> Reply:
        rule = service.follow(context.principal.user_id, command.leader, ratio=command.ratio, fixed=command.fixed,
                              max_allocation=command.max_allocation)  # fmt: skip
        name = command.leader.lstrip("@")
        text = f"Following {name}: {_sizing(rule)}. `unfollow {name}` stops it."
        return Reply(True, text, data={"follow": rule_dict(rule, name)})

    async def unfollow(services: Services, context: Context, command: Unfollow) -> Reply:
        service.unfollow(context.principal.user_id, command.leader)
        name = command.leader.lstrip("@")
        return Reply(True, f"Stopped following {name}.", data={"unfollowed": name})

    async def leaders(services: Services, context: Context, command: Leaders) -> Reply:
        board = await service.board()
        mine = service.activity(context.principal.user_id)
        lines = ["Leaders (30 days):"] + [_board_line(rank, stats) for rank, stats in enumerate(board, 1)]
        if not board:
            lines = ["No leaders yet. `lead on` lets others copy your trades."]
        if mine["following"]:
            lines.append("You follow: " + ", ".join(item["leader"] for item in mine["following"]))
        for item in mine["recent"]:
            if item["status"] == "skipped":
                lines.append(f"Skipped copy of {item['leader']} {item['side']} {item['symbol']}: {item['reason']}")
            else:
                lines.append(f"Copied {item['leader']}: {item['side']} {item['quantity']} {item['symbol']} "
                             f"(order {item['order_id']})")  # fmt: skip
        return Reply(True, "\n".join(lines), data={"leaders": [stats.to_dict() for stats in board], **mine})

    return {"lead": lead, "follow": follow, "unfollow": unfollow, "leaders": leaders}
