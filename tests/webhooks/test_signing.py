"""Signatures verify with the official ``standardwebhooks`` library and match the spec's example."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from webhooks import signing

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_the_spec_example_signs_to_the_published_signature() -> None:
    body = b'{"test": 2432232314}'
    signature = signing.sign(SPEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_our_headers_verify_with_the_official_library() -> None:
    secret = signing.new_secret()
    body = json.dumps({"type": "order.filled", "data": {"qty": "0.01"}}).encode()
    import time

    headers = signing.headers([secret], "msg_abc", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_during_rotation_both_the_old_and_the_new_secret_verify() -> None:
    import time

    old, new = signing.new_secret(), signing.new_secret()
    body = b'{"type":"order.placed"}'
    headers = signing.headers([new, old], "msg_rot", int(time.time()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)


def test_secrets_are_prefixed_and_random() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(signing.secret_key(first)) == 24
