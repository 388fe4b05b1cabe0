"""python-telegram-bot against the Bot API fake: polling, replies, commands, errors."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakes.telegram import FakeTelegram

# A valid 2x1 PNG, as matplotlib would produce (header and IHDR carry the size).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000010806000000f478d4fa0000000d4944415478da63f8cf"
    "c0f01f00050201ff6a0c2b5a0000000049454e44ae426082"
)


def build_application(fake: FakeTelegram) -> Application:  # type: ignore[type-arg]
    return ApplicationBuilder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url).build()


def bot_for(fake: FakeTelegram) -> Bot:
    return Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Confirm", callback_data="confirm:1")]])
    await update.message.reply_text(f"welcome {update.message.from_user.first_name}", reply_markup=keyboard)
    await context.bot.send_photo(update.effective_chat.id, photo=io.BytesIO(PNG), caption="pnl chart")


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("done")
    await query.edit_message_text(f"confirmed {query.data}")


async def test_polling_bot_answers_an_injected_start_with_text_and_photo(fake_telegram: FakeTelegram) -> None:
    application = build_application(fake_telegram)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(confirm))
    async with application:
        await application.bot.set_my_commands([BotCommand("start", "Open the trading menu")])
        await application.start()
        await application.updater.start_polling(timeout=dt.timedelta(seconds=1))
        fake_telegram.push_message("/start", user_id=42, first_name="Ada")

        photo = await fake_telegram.wait_for("sendPhoto")
        text = fake_telegram.requests("sendMessage")[0]
        fake_telegram.push_callback_query("confirm:1", message=text.response["result"], user_id=42)
        edited = await fake_telegram.wait_for("editMessageText")
        await application.updater.stop()
        await application.stop()

    assert [r.name for r in fake_telegram.requests()][:2] == ["getMe", "setMyCommands"]
    assert "deleteWebhook" in fake_telegram.journal.names()
    assert fake_telegram.requests("setMyCommands")[0].body["commands"] == [
        {"command": "start", "description": "Open the trading menu"}
    ]
    assert text.body["chat_id"] == 42 and text.body["text"] == "welcome Ada"
    assert text.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "confirm:1"
    assert photo.files["photo"].data == PNG and photo.body["caption"] == "pnl chart"
    assert photo.response["result"]["photo"][0]["width"] == 2
    assert fake_telegram.requests("answerCallbackQuery")[0].body["text"] == "done"
    assert edited.body["text"] == "confirmed confirm:1" and edited.status == 200
    assert fake_telegram.pending_updates() == 0


async def test_empty_long_polls_are_held_instead_of_spinning(fake_telegram: FakeTelegram) -> None:
    application = build_application(fake_telegram)
    async with application:
        await application.start()
        await application.updater.start_polling(timeout=dt.timedelta(seconds=1))
        # Wait for two answered long-polls instead of sleeping a fixed time (CI may be slow to start PTB).
        first = await fake_telegram.wait_for("getUpdates", predicate=lambda entry: entry.body.get("timeout") == 1)
        second = await fake_telegram.wait_for(
            "getUpdates", predicate=lambda entry: entry is not first and entry.body.get("timeout") == 1
        )
        await application.updater.stop()
        await application.stop()

    polls = fake_telegram.requests("getUpdates")
    assert polls[0] is first and first.response == {"ok": True, "result": []}
    assert second.at - first.at >= 0.9  # the next empty poll was held for its 1 s too: no spinning
    # the two held polls, possibly a third one in flight, plus PTB's final timeout=0 cleanup call
    assert 2 <= len(polls) <= 4


async def test_confirmed_updates_are_not_delivered_again(fake_telegram: FakeTelegram) -> None:
    first = fake_telegram.push_message("/start", user_id=7)
    async with bot_for(fake_telegram) as bot:
        delivered = await bot.get_updates(timeout=0)
        again = await bot.get_updates(offset=delivered[-1].update_id + 1, timeout=0)
    assert [update.update_id for update in delivered] == [first["update_id"]]
    assert delivered[0].message.text == "/start" and delivered[0].message.chat.id == 7
    assert again == ()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_429_surfaces_as_retry_after(fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", status=429, retry_after=7)
    async with bot_for(fake_telegram) as bot:
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(42, "first")
        message = await bot.send_message(42, "second")
    assert raised.value.retry_after == 7
    assert [r.status for r in fake_telegram.requests("sendMessage")] == [429, 200]
    assert fake_telegram.requests("sendMessage")[0].response["parameters"] == {"retry_after": 7}
    assert message.text == "second"


async def test_injected_5xx_and_protocol_errors_reach_the_client(fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", status=502, times=2)
    async with bot_for(fake_telegram) as bot:
        for _ in range(2):
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await bot.send_message(42, "hi")
        sent = await bot.send_message(42, "hi")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("hi", chat_id=42, message_id=sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(42, " ")
    assert [r.status for r in fake_telegram.requests("sendMessage")] == [502, 502, 200, 400]


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    bot = Bot("999:WRONG", base_url=fake_telegram.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await bot.initialize()
    await bot.shutdown()
    assert fake_telegram.requests("getMe")[0].status == 401


async def test_webhook_deliveries_carry_the_registered_secret(fake_telegram: FakeTelegram) -> None:
    application = ApplicationBuilder().token(fake_telegram.token).base_url(fake_telegram.base_url).updater(None).build()
    application.add_handler(CommandHandler("start", start))
    received: list[dict[str, str]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append(dict(request.headers))
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
            return web.Response(status=401)
        await application.process_update(Update.de_json(await request.json(), application.bot))
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/telegram/webhook", receive)
    async with TestServer(receiver, host="127.0.0.1") as server, application:
        url = str(server.make_url("/telegram/webhook"))
        await application.bot.set_webhook(url, secret_token="s3cret")
        update = fake_telegram.message_update("/start", user_id=42, first_name="Ada")
        status = await fake_telegram.deliver_webhook(update)
        with pytest.raises(Conflict):
            await application.bot.get_updates()

    assert status == 200 and received[0]["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
    assert fake_telegram.requests("setWebhook")[0].body == {"url": url, "secret_token": "s3cret"}
    assert fake_telegram.requests("sendMessage")[0].body["text"] == "welcome Ada"
    assert fake_telegram.requests("sendPhoto")[0].files["photo"].data == PNG


async def test_formatting_and_keyboards_are_checked_like_telegram(fake_telegram: FakeTelegram) -> None:
    from telegram.constants import ParseMode
    from telegram.helpers import escape_markdown

    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Confirm", callback_data="c" * 65)]])
    async with bot_for(fake_telegram) as bot:
        with pytest.raises(BadRequest, match="reserved and must be escaped"):
            await bot.send_message(42, "BTC 64000.5", parse_mode=ParseMode.MARKDOWN_V2)
        escaped = await bot.send_message(42, escape_markdown("BTC 64000.5", version=2), parse_mode="MarkdownV2")
        with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
            await bot.send_message(42, "<div>pnl</div>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(42, "confirm?", reply_markup=too_long)
    assert escaped.message_id and fake_telegram.requests("sendMessage")[1].body["text"] == "BTC 64000\\.5"
    assert [r.status for r in fake_telegram.requests("sendMessage")] == [400, 200, 400, 400]
