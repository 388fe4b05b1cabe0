"""``POST /discord/interactions`` over real HTTP: the fake Discord signs and delivers, the real app answers."""

from __future__ import annotations

import concurrent.futures
import json

import nacl.signing

from bots.discord.config import DiscordConfig
from hub.app.container import Container
from tests.bots.discord.conftest import OTHER, SLOW_S, STRANGER, TRADER, audited, make_slow, orders
from tests.fakes.discord import DELETE_ORIGINAL, EDIT_ORIGINAL, FOLLOWUP, FakeDiscord

EPHEMERAL = 1 << 6
BUY = {"quantity": "0.001", "symbol": "BTC/USDT"}


def _description(message: dict) -> str:
    return message["embeds"][0]["description"]


def test_ping_is_answered_with_pong(discord_on_fake: FakeDiscord, endpoint: str) -> None:
    delivery = discord_on_fake.deliver(endpoint, discord_on_fake.ping_interaction())
    assert delivery.status == 200 and delivery.body == {"type": 1} and delivery.acknowledged


def test_a_bad_or_missing_signature_is_refused_and_nothing_runs(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container
) -> None:
    fake = discord_on_fake
    interaction = fake.http_slash_command("buy", BUY, user_id=TRADER, guild_id=None)
    body = json.dumps(interaction).encode()
    forged = nacl.signing.SigningKey(b"\x01" * 32)
    stamp = fake.sign_interaction(body)["X-Signature-Timestamp"]
    wrong_key = {
        "X-Signature-Ed25519": forged.sign(stamp.encode() + body).signature.hex(),
        "X-Signature-Timestamp": stamp,
    }
    tampered = fake.sign_interaction(body.replace(b"0.001", b"0.002"))  # signed a different body
    stale = fake.sign_interaction(body, timestamp="1600000000")
    for headers in (wrong_key, tampered, stale, {}, {"X-Signature-Ed25519": "zz", "X-Signature-Timestamp": "x"}):
        delivery = fake.deliver(endpoint, interaction, headers=headers)
        assert delivery.status == 401, headers
        assert delivery.body["error"]["code"] == "unauthenticated"
    assert orders(container) == 0 and audited(container, "buy 0.001 BTC/USDT") == []


def test_a_command_is_answered_in_the_http_response(discord_on_fake: FakeDiscord, endpoint: str) -> None:
    interaction = discord_on_fake.http_slash_command("trade", {"text": "price BTC"}, user_id=TRADER, guild_id=None)
    delivery = discord_on_fake.deliver(endpoint, interaction)
    assert delivery.status == 200 and delivery.body["type"] == 4 and delivery.acknowledged
    assert "BTC/USDT" in _description(delivery.body["data"])


def test_the_ack_budget_leaves_room_inside_discords_deadline(container: Container) -> None:
    # Discord refuses an initial response after 3 s (the tests' fake is more patient, see conftest).
    assert 0 < DiscordConfig.from_settings(container.settings).ack_budget_s <= 1.5 < SLOW_S < 3


def test_typed_buy_trades_once_and_is_audited_as_discord(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container
) -> None:
    interaction = discord_on_fake.http_slash_command("buy", BUY, user_id=TRADER, guild_id=None)
    delivery = discord_on_fake.deliver(endpoint, interaction)
    assert "filled" in _description(delivery.body["data"])
    [row] = audited(container, "buy 0.001 BTC/USDT")
    assert row.idempotency_key == f"discord:{interaction['id']}" and row.principal == "alice"
    assert orders(container) == 1


def test_an_unlinked_user_gets_linking_help_and_nothing_runs(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container
) -> None:
    interaction = discord_on_fake.http_slash_command("buy", BUY, user_id=STRANGER)
    delivery = discord_on_fake.deliver(endpoint, interaction)
    assert "not linked" in _description(delivery.body["data"])
    assert orders(container) == 0


def test_trading_in_a_channel_that_is_not_allow_listed_is_refused(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container
) -> None:
    fake = discord_on_fake
    interaction = fake.http_slash_command("buy", BUY, user_id=TRADER, channel_id=fake.general_channel_id)
    delivery = fake.deliver(endpoint, interaction)
    assert "not allowed in this channel" in _description(delivery.body["data"])
    assert orders(container) == 0


def test_a_balance_answer_in_a_channel_is_ephemeral(discord_on_fake: FakeDiscord, endpoint: str) -> None:
    interaction = discord_on_fake.http_slash_command("portfolio", user_id=TRADER)
    delivery = discord_on_fake.deliver(endpoint, interaction)
    assert delivery.body["type"] == 4 and delivery.body["data"]["flags"] & EPHEMERAL
    assert "Equity" in _description(delivery.body["data"])


def test_a_slow_command_is_deferred_then_the_original_is_edited(
    discord_on_fake: FakeDiscord, endpoint: str, slow_price: None
) -> None:
    fake = discord_on_fake
    interaction = fake.http_slash_command("trade", {"text": "price BTC"}, user_id=TRADER, guild_id=None)
    delivery = fake.deliver(endpoint, interaction)
    assert delivery.body == {"type": 5} and delivery.acknowledged  # deferred: it did not wait for the command
    edited = fake.journal.wait_for_sync(EDIT_ORIGINAL, timeout=30)
    assert edited.status == 200 and edited.path.endswith(f"/{interaction['token']}/messages/@original")
    assert "BTC/USDT" in _description(fake.interaction_state(interaction["id"])["original"])


def test_a_chart_is_uploaded_with_the_follow_up(discord_on_fake: FakeDiscord, endpoint: str) -> None:
    fake = discord_on_fake
    interaction = fake.http_slash_command("trade", {"text": "sentiment BTC"}, user_id=TRADER, guild_id=None)
    assert fake.deliver(endpoint, interaction).body == {"type": 5}
    edited = fake.journal.wait_for_sync(EDIT_ORIGINAL, timeout=30)
    upload = edited.files["files[0]"]
    assert upload.filename == "chart.png" and upload.data.startswith(b"\x89PNG")
    assert edited.response["attachments"][0]["filename"] == "chart.png"
    assert edited.body["embeds"][0]["image"]["url"] == "attachment://chart.png"


def test_a_replayed_interaction_id_runs_once(discord_on_fake: FakeDiscord, endpoint: str, container: Container) -> None:
    interaction = discord_on_fake.http_slash_command("buy", BUY, user_id=TRADER, guild_id=None)
    first = discord_on_fake.deliver(endpoint, interaction)
    second = discord_on_fake.deliver(endpoint, interaction)
    assert second.body == first.body  # the stored reply, not a second order
    runs = audited(container, "buy 0.001 BTC/USDT")
    assert [row.replayed for row in runs] == [False, True]
    assert orders(container) == 1


def test_concurrent_deliveries_of_one_interaction_run_it_once(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container, slow_price: None
) -> None:
    interaction = discord_on_fake.http_slash_command("trade", {"text": "price BTC"}, user_id=TRADER, guild_id=None)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        deliveries = list(pool.map(lambda _: discord_on_fake.deliver(endpoint, interaction), range(2)))
    assert [delivery.status for delivery in deliveries] == [200, 200]
    discord_on_fake.journal.wait_for_sync(EDIT_ORIGINAL, timeout=30)
    assert len(audited(container, "price BTC")) == 1


def test_confirm_button_over_http_runs_once_for_the_same_user_only(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container
) -> None:
    fake = discord_on_fake
    asked = fake.http_slash_command("buy", {"quantity": "0.05", "symbol": "BTC/USDT"}, user_id=TRADER)
    prompt = fake.deliver(endpoint, asked)
    assert prompt.body["type"] == 4
    message = fake.interaction_state(asked["id"])["original"]
    confirm_id = message["components"][0]["components"][0]["custom_id"]
    assert confirm_id.startswith("tradehub:confirm:")

    foreign = fake.deliver(endpoint, fake.http_component(confirm_id, message=message, user_id=OTHER))
    assert foreign.body["type"] == 4 and foreign.body["data"]["flags"] & EPHEMERAL
    assert orders(container) == 0

    pressed = fake.deliver(endpoint, fake.http_component(confirm_id, message=message, user_id=TRADER))
    assert pressed.body["type"] == 7 and pressed.body["data"]["components"] == []
    assert "filled" in _description(pressed.body["data"]) and orders(container) == 1
    assert message["components"] == []  # Discord updated the prompt in place

    again = fake.deliver(endpoint, fake.http_component(confirm_id, message=message, user_id=TRADER))
    assert again.body["type"] == 4 and "already" in _description(again.body["data"])
    assert orders(container) == 1


def test_a_button_that_is_not_ours_is_refused(discord_on_fake: FakeDiscord, endpoint: str) -> None:
    fake = discord_on_fake
    asked = fake.http_slash_command("trade", {"text": "help"}, user_id=TRADER, guild_id=None)
    fake.deliver(endpoint, asked)
    message = fake.interaction_state(asked["id"])["original"]
    delivery = fake.deliver(endpoint, fake.http_component("somebody:else", message=message, user_id=TRADER))
    assert delivery.body["type"] == 4 and delivery.body["data"]["flags"] & EPHEMERAL


def test_a_rate_limited_follow_up_waits_and_is_sent_once(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container, slow_price: None
) -> None:
    fake = discord_on_fake
    fake.fail_next(EDIT_ORIGINAL, status=429, retry_after=0.3)
    interaction = fake.http_slash_command("trade", {"text": "price BTC"}, user_id=TRADER, guild_id=None)
    fake.deliver(endpoint, interaction)
    done = fake.journal.wait_for_sync(EDIT_ORIGINAL, predicate=lambda e: e.status == 200, timeout=30)
    (limited,) = [entry for entry in fake.requests(EDIT_ORIGINAL) if entry.status == 429]
    assert done.at - limited.at >= 0.3  # it honoured retry_after
    assert [entry.status for entry in fake.requests(EDIT_ORIGINAL)] == [429, 200]
    assert len(audited(container, "price BTC")) == 1


def test_server_errors_on_the_follow_up_are_retried_with_backoff(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container, slow_price: None
) -> None:
    fake = discord_on_fake
    fake.fail_next(EDIT_ORIGINAL, status=503, times=2)
    interaction = fake.http_slash_command("trade", {"text": "price BTC"}, user_id=TRADER, guild_id=None)
    fake.deliver(endpoint, interaction)
    fake.journal.wait_for_sync(EDIT_ORIGINAL, predicate=lambda e: e.status == 200, timeout=30)
    assert [entry.status for entry in fake.requests(EDIT_ORIGINAL)] == [503, 503, 200]
    assert len(audited(container, "price BTC")) == 1


def test_a_slow_private_answer_in_a_channel_goes_as_an_ephemeral_follow_up(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container
) -> None:
    fake = discord_on_fake
    make_slow(container, "portfolio")
    interaction = fake.http_slash_command("portfolio", user_id=TRADER)
    assert fake.deliver(endpoint, interaction).body == {"type": 5}  # public "thinking..." in the channel
    followup = fake.journal.wait_for_sync(FOLLOWUP, timeout=30)
    assert followup.body["flags"] & EPHEMERAL and "Equity" in _description(followup.body)
    deleted = fake.journal.wait_for_sync(DELETE_ORIGINAL, timeout=30)
    assert deleted.status == 204 and interaction["token"] in deleted.path
    assert fake.requests(EDIT_ORIGINAL) == []


def test_a_malformed_interaction_is_a_400(discord_on_fake: FakeDiscord, endpoint: str) -> None:
    delivery = discord_on_fake.deliver(endpoint, {"type": 2, "id": "1"})
    assert delivery.status == 400 and "application_id" in delivery.body["error"]["message"]


def test_a_run_button_runs_its_command_over_http(
    discord_on_fake: FakeDiscord, endpoint: str, container: Container
) -> None:
    fake = discord_on_fake
    asked = fake.http_slash_command("trade", {"text": "help"}, user_id=TRADER, guild_id=None)
    fake.deliver(endpoint, asked)
    message = fake.interaction_state(asked["id"])["original"]
    delivery = fake.deliver(endpoint, fake.http_component("tradehub:run:price ETH", message=message, user_id=TRADER))
    assert delivery.body["type"] == 4 and "ETH/USDT" in _description(delivery.body["data"])
    assert len(audited(container, "price ETH")) == 1
