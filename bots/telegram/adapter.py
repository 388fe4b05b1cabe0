"""Translate Telegram updates into chat-gateway events and render the answers back.

Decisions (who the user is, what they may do here, exactly-once execution, confirmations) belong
to :class:`bots.gateway.ChatGateway`; this module only maps Telegram's shapes onto it:

* text messages: ``/buy 0.01 BTC/USDT``, ``/buy@ThisBot ...`` in groups, ``/trade buy ...``, or plain
  ``buy 0.01 BTC/USDT`` in a private chat (in groups plain text counts only after ``@ThisBot``);
* inline-keyboard presses: ``tradehub:confirm:<id>`` / ``tradehub:cancel:<id>`` (and ``tradehub:run:<text>``).

The Update's ``update_id`` is the event id, so a webhook retry or a polling redelivery of the same
update runs its command once.
"""

from __future__ import annotations

import html

import structlog
from telegram import Chat, Message, Update, User
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bots.gateway import ChatAnswer, ChatEvent, ChatGateway
from bots.telegram.config import TelegramConfig
from bots.telegram.delivery import DeliveryFailed, Sender
from bots.telegram.render import TelegramMessage, fit, render
from bots.telegram.schemas import ButtonAction, parse_callback_data

PLATFORM = "telegram"
#: Error codes of a press the hub did not accept (as opposed to an accepted one whose command then failed).
_REFUSED_PRESS = frozenset({"not_found", "conflict", "not_linked"})
log = structlog.get_logger(__name__)


def command_text(text: str, *, bot_username: str, private: bool) -> str | None:
    """The hub-grammar text a message carries, or ``None`` when the message is not for this bot.

    ``/price@OtherBot BTC`` is for another bot; plain chatter in a group is not a command.
    ``/start`` (what Telegram sends when a user opens the bot) shows the help.
    """
    stripped = text.strip()
    mention = f"@{bot_username}".lower()
    addressed = private
    if bot_username and stripped.lower().startswith(mention):
        stripped, addressed = stripped[len(mention) :].strip(), True
    if not stripped.startswith("/"):
        return stripped if addressed and stripped else None
    head, _, rest = stripped.partition(" ")
    name, _, addressee = head[1:].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    name, rest = name.lower(), rest.strip()
    if name == "start":
        return "help"
    if name == "trade":
        return rest or "help"
    return f"{name} {rest}".strip() if name else None


def display_name(user: User) -> str:
    return user.username or user.full_name


class TelegramAdapter:
    """PTB handlers that feed the chat gateway; install them on an ``Application`` with :meth:`install`."""

    def __init__(self, gateway: ChatGateway, config: TelegramConfig) -> None:
        self.gateway = gateway
        self.config = config

    def install(self, application: Application) -> None:  # type: ignore[type-arg]
        application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.on_message))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.message, update.effective_user
        if message is None or message.text is None or user is None or user.is_bot:
            return
        chat = message.chat
        private = chat.type == ChatType.PRIVATE
        text = command_text(message.text, bot_username=context.bot.username or "", private=private)
        if text is None:
            return
        event_id = str(update.update_id)
        event = ChatEvent(PLATFORM, str(user.id), str(chat.id), private, text, event_id, display_name(user))
        answer = await self.gateway.handle(event)
        await self.deliver(Sender(context.bot, self.config), answer, chat=chat, user=user, reply_to=message.message_id)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        sender = Sender(context.bot, self.config)
        action = parse_callback_data(query.data)
        if action is None:
            await sender.answer_button(query.id, "This button is no longer active.")
            return
        message = query.message if isinstance(query.message, Message) else None
        chat = message.chat if message is not None else None
        private = chat is None or chat.type == ChatType.PRIVATE
        event = ChatEvent(
            PLATFORM,
            str(query.from_user.id),
            str(chat.id if chat is not None else query.from_user.id),
            private,
            action.value if action.kind == "run" else f"{action.kind} {action.value}",
            str(update.update_id),
            display_name(query.from_user),
        )
        if action.kind == "run":
            answer = await self.gateway.handle(event)
            await sender.answer_button(query.id)
            await self.deliver(sender, answer, chat=chat, user=query.from_user, reply_to=None)
            return
        answer = await self.gateway.press(event, action.value, approve=action.kind == "confirm")
        if not answer.reply.ok and answer.reply.error_code in _REFUSED_PRESS:
            # a foreign, repeated, stale or unlinked press: say why, leave the keyboard to its owner
            await sender.answer_button(query.id, _toast(answer.reply.text), alert=True)
            return
        done = "Confirmed" if action.kind == "confirm" else "Canceled"
        await sender.answer_button(query.id, done if answer.reply.ok else _toast(answer.reply.text))
        await self._settle(sender, answer, action, message, query.from_user)

    async def _settle(
        self, sender: Sender, answer: ChatAnswer, action: ButtonAction, message: Message | None, user: User
    ) -> None:
        """Edit the keyboard message into its outcome (who pressed what, and the result)."""
        if message is None:  # the keyboard message is too old to edit: answer in the user's private chat
            await self.deliver(sender, answer, chat=None, user=user, reply_to=None)
            return
        outcome = render(answer.reply)
        verdict = "✅ Confirmed" if action.kind == "confirm" else "✖️ Canceled"
        detail = outcome.text  # the outcome names what ran, so the prompt itself is replaced
        if answer.private and message.chat.type != ChatType.PRIVATE:
            await self.deliver(sender, answer, chat=None, user=user, reply_to=None)
            detail = "The details are in your private chat with me."
        text = fit([f"<i>{verdict} by {html.escape(user.full_name, quote=False)}</i>", detail])
        await sender.edit(message.chat.id, message.message_id, text, keyboard=None)
        if outcome.image is not None and not answer.private:
            await sender.send(message.chat.id, TelegramMessage("📈", image=outcome.image))

    async def deliver(
        self, sender: Sender, answer: ChatAnswer, *, chat: Chat | None, user: User, reply_to: int | None
    ) -> None:
        """Send an answer where it belongs: the chat it came from, or the user's private chat."""
        message = render(answer.reply)
        if chat is None or chat.type == ChatType.PRIVATE:
            await sender.send(chat.id if chat is not None else user.id, message, reply_to=reply_to)
            return
        if not answer.private:
            await sender.send(chat.id, message, reply_to=reply_to)
            return
        name = html.escape(user.first_name, quote=False)
        try:
            await sender.send(user.id, message)
        except Forbidden:  # the user never opened a private chat with the bot, or blocked it
            bot = html.escape(sender.bot.username or "this bot", quote=False)
            notice = (
                f"{name}, I can only answer that privately: open a chat with @{bot}, press Start, then ask again there."
            )
            await sender.send(chat.id, TelegramMessage(notice), reply_to=reply_to)
            return
        await sender.send(chat.id, TelegramMessage(f"📬 {name}, I sent you the answer privately."), reply_to=reply_to)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(error, DeliveryFailed | TelegramError):
            log.warning("telegram delivery failed", update_id=update_id, error=self._redacted(str(error)))
            return
        log.error("telegram update failed", update_id=update_id, error=type(error).__name__, exc_info=error)

    def _redacted(self, text: str) -> str:
        return text.replace(self.config.token, "[redacted]") if self.config.token else text


def _toast(text: str) -> str:
    """Plain text for an alert box (no markup, at most 200 characters)."""
    plain = text.replace("`", "")
    return plain if len(plain) <= 200 else plain[:199] + "…"
