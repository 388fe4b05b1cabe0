"""Configuration from Settings: modes, URLs and the checks Telegram would otherwise fail later."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.telegram.config import TelegramConfig
from tests.conftest import make_settings


def test_a_webhook_secret_telegram_would_refuse_is_rejected_at_start(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, telegram_token="1:x", telegram_webhook_secret="has spaces/and slashes")

    with pytest.raises(ValueError, match="TRADEHUB_TELEGRAM_WEBHOOK_SECRET"):
        TelegramConfig.from_settings(settings)


def test_modes_and_urls_follow_the_settings(tmp_path: Path) -> None:
    polling = TelegramConfig.from_settings(
        make_settings(tmp_path, telegram_token="1:x", telegram_api_url="http://bot-api.local:8081/")
    )
    webhook = TelegramConfig.from_settings(
        make_settings(tmp_path, telegram_token="1:x", telegram_webhook_secret="s3cret_-OK")
    )
    off = TelegramConfig.from_settings(make_settings(tmp_path))

    assert (polling.polling, polling.webhook) == (True, False)
    assert polling.base_url == "http://bot-api.local:8081/bot"
    assert polling.base_file_url == "http://bot-api.local:8081/file/bot"
    assert (webhook.polling, webhook.webhook) == (False, True)
    assert (off.polling, off.webhook) == (False, False)
    assert "1:x" not in repr(polling) and "s3cret" not in repr(webhook)
