"""Who may post an alert: tokens, passphrases, source addresses, client certificates, body size, age."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.tradingview.conftest import Trader

BUY = '{"ticker": "BTCUSDT", "action": "buy", "contracts": "0.001"}'


def test_unknown_revoked_and_rotated_tokens_all_answer_the_same_404(alice: Trader) -> None:
    hook = alice.create_hook()
    unknown = alice.send({"url": "/tradingview/" + "x" * 43}, BUY)
    rotated = httpx.post(f"{alice.url}/api/v1/tradingview/hooks/{hook['id']}/rotate", headers=alice.auth).json()
    old = alice.send(hook, BUY)
    assert alice.send(rotated, BUY).status_code == 200
    httpx.delete(f"{alice.url}/api/v1/tradingview/hooks/{hook['id']}", headers=alice.auth).raise_for_status()
    revoked = alice.send(rotated, BUY)

    assert unknown.status_code == old.status_code == revoked.status_code == 404
    assert unknown.json() == old.json() == revoked.json() == {"error": {"code": "not_found", "message": "Not Found"}}
    assert len(alice.alerts()) == 1  # only the alert through the live token was recorded


def test_wrong_or_missing_passphrase_is_refused_and_recorded(alice: Trader) -> None:
    hook = alice.create_hook(passphrase="correct horse battery")
    missing = alice.send(hook, BUY, content_type="application/json")
    wrong = alice.send(hook, BUY.replace("{", '{"passphrase": "correct horse", ', 1), content_type="application/json")
    right = alice.send(hook, BUY.replace("{", '{"passphrase": "correct horse battery", ', 1))
    text = alice.send(hook, "passphrase=nope buy 0.001 BTCUSDT")

    assert missing.status_code == wrong.status_code == text.status_code == 401
    assert wrong.json()["error"] == {
        "code": "bad_passphrase",
        "message": "passphrase: does not match this hook's passphrase",
    }
    assert right.status_code == 200
    refused = alice.alerts(status="rejected")
    assert {a["id"] for a in refused} == {missing.json()["alert_id"], wrong.json()["alert_id"], text.json()["alert_id"]}
    assert alice.outcome(right.json()["alert_id"])["status"] == "executed"


def test_text_alert_carries_its_passphrase_as_a_word(alice: Trader) -> None:
    hook = alice.create_hook(passphrase="no-spaces-here")
    assert alice.send(hook, "buy 0.001 BTCUSDT passphrase=no-spaces").status_code == 401
    sent = alice.send(hook, "buy 0.001 BTCUSDT passphrase=no-spaces-here")
    assert sent.status_code == 200
    alert = alice.outcome(sent.json()["alert_id"])
    assert (alert["status"], alert["command_text"]) == ("executed", "buy 0.001 BTC/USDT")


def test_body_over_64_kb_is_refused_with_413(alice: Trader) -> None:
    hook = alice.create_hook()
    padded = '{"ticker": "BTCUSDT", "action": "buy", "contracts": "0.001", "note": "' + "x" * 65_536 + '"}'
    response = alice.send(hook, padded, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    just_under = '{"ticker": "BTCUSDT", "action": "buy", "contracts": "0.001", "note": "' + "x" * 65_000 + '"}'
    assert alice.send(hook, just_under, content_type="application/json").status_code == 200


def test_ip_allow_list_ignores_forwarded_for_from_an_untrusted_peer(alice: Trader) -> None:
    hook = alice.create_hook(allowed_ips=["tradingview"])
    direct = alice.send(hook, BUY)
    spoofed = alice.send(hook, BUY, headers={"X-Forwarded-For": "52.89.214.238"})
    assert direct.status_code == spoofed.status_code == 403
    assert alice.outcome(direct.json()["alert_id"])["source_ip"] == "127.0.0.1"
    alert = alice.outcome(spoofed.json()["alert_id"])
    assert alert["source_ip"] == "untrusted-proxy"  # uvicorn believed it; tradehub trusts no proxy
    assert alert["reason"] == "source: address untrusted-proxy is not on this hook's allow-list"


def test_forwarded_for_from_a_trusted_proxy_names_the_client(serve: Callable[..., Trader]) -> None:
    alice = serve(trusted_proxies='["127.0.0.1"]')
    hook = alice.create_hook(allowed_ips=["tradingview"])
    via_proxy = alice.send(hook, BUY, headers={"X-Forwarded-For": "52.89.214.238"})
    # the client prepended a TradingView address itself; the proxy appended the real one
    forged = alice.send(hook, BUY, headers={"X-Forwarded-For": "52.89.214.238, 203.0.113.9"})

    assert via_proxy.status_code == 200
    assert alice.outcome(via_proxy.json()["alert_id"])["source_ip"] == "52.89.214.238"
    assert forged.status_code == 403
    assert alice.outcome(forged.json()["alert_id"])["source_ip"] == "203.0.113.9"


def test_client_certificate_forwarded_by_the_proxy_is_required_when_configured(serve: Callable[..., Trader]) -> None:
    alice = serve(trusted_proxies='["127.0.0.1"]', require_client_cert="true")
    hook = alice.create_hook()
    without = alice.send(hook, BUY)
    other = alice.send(hook, BUY, headers={"X-SSL-Client-S-DN": "CN=mallory,O=Example"})
    tradingview = alice.send(hook, BUY, headers={"X-SSL-Client-S-DN": "CN=TradingView Webhooks,O=TradingView Inc."})
    assert without.status_code == other.status_code == 403
    assert without.json()["error"]["code"] == "no_client_cert"
    assert tradingview.status_code == 200


def test_alerts_older_than_max_lag_are_refused(alice: Trader) -> None:
    hook = alice.create_hook()
    # the test clock stands at 2022-01-01T00:00:00Z; the default max_lag is 300 s
    fresh = alice.send(hook, BUY.replace("{", '{"time": "2021-12-31T23:56:00Z", ', 1))
    stale = alice.send(hook, BUY.replace("{", '{"time": "2021-12-31T23:54:59Z", ', 1))
    own_lag = alice.send(hook, BUY.replace("{", '{"timestamp": "2021-12-31T23:58:00Z", "max_lag": "60", ', 1))
    future = alice.send(hook, BUY.replace("{", '{"time": "2022-01-01T00:05:00Z", ', 1))
    assert fresh.status_code == 200
    assert stale.status_code == own_lag.status_code == future.status_code == 422
    assert stale.json()["error"]["message"] == "time: the alert is 301 s old, over max_lag 300 s"
    assert own_lag.json()["error"]["message"] == "time: the alert is 120 s old, over max_lag 60 s"
    assert alice.outcome(stale.json()["alert_id"])["status"] == "rejected"


def test_symbol_allow_list_refuses_other_markets(alice: Trader) -> None:
    hook = alice.create_hook(symbols=["BTCUSDT"])
    refused = alice.send(hook, BUY.replace("BTCUSDT", "ETHUSDT"))
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "ticker: ETH/USDT is not on this hook's symbol allow-list"
    assert alice.send(hook, BUY).status_code == 200


def test_hook_api_needs_a_key_and_keeps_users_apart(alice: Trader) -> None:
    hook = alice.create_hook(label="ema")
    alice.container.add_user("bob")
    bob_key = alice.container.services.users.create_key("bob")
    bob = {"Authorization": f"Bearer {bob_key}"}
    base = f"{alice.url}/api/v1/tradingview"

    assert httpx.get(f"{base}/hooks").status_code == 401
    assert httpx.get(f"{base}/hooks", headers=bob).json() == {"hooks": []}
    assert httpx.delete(f"{base}/hooks/{hook['id']}", headers=bob).status_code == 404
    listed = httpx.get(f"{base}/hooks", headers=alice.auth).json()["hooks"]
    assert [(h["id"], h["label"], h["token"], h["url"]) for h in listed] == [(hook["id"], "ema", None, None)]
    home = alice.container.settings.home
    stored = b"".join(path.read_bytes() for path in home.glob("tradehub.db*"))
    assert hook["token"].encode() not in stored  # only its hash is stored


def test_viewers_cannot_create_hooks(alice: Trader) -> None:
    from hub.principals import Role

    alice.container.add_user("vera", role=Role.VIEWER)
    key = alice.container.services.users.create_key("vera")
    response = httpx.post(f"{alice.url}/api/v1/tradingview/hooks", json={}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
