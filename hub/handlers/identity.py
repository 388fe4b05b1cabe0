"""``link``: connect a chat account to the tradehub user running the command."""

from __future__ import annotations

from hub.commands import Link
from hub.dispatch import Context, Services
from hub.reply import Reply
from hub.users import PLATFORMS


async def link(services: Services, context: Context, command: Link) -> Reply:
    if command.code is None:
        if context.frontend in PLATFORMS:
            return Reply(True, f"This {context.frontend} account is already linked to {context.principal.name}.")
        return Reply(
            True,
            "Send `link` to the tradehub bot in Telegram, Slack or Discord to get a one-time code, "
            "then run `link CODE` here.",
        )
    platform, external_id = services.links.redeem(context.principal, command.code)
    return Reply(
        True,
        f"Linked {platform} account {external_id} to {context.principal.name}.",
        data={"platform": platform, "external_id": external_id, "user": context.principal.name},
    )
