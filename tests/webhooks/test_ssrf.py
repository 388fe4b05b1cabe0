"""Endpoint URLs that would reach internal addresses are refused unless explicitly allowed."""

from __future__ import annotations

import pytest

from webhooks.ssrf import UnsafeUrl, check_url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://224.0.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://user:pw@93.184.216.34/hook",
        "http:///nohost",
        "not a url",
    ],
)
def test_unsafe_urls_are_refused_with_a_reason(url: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        check_url(url, ())
    assert refused.value.http_status == 400 and refused.value.message


def test_a_public_address_is_accepted() -> None:
    assert check_url("https://93.184.216.34/hooks/tradehub", ()) == "https://93.184.216.34/hooks/tradehub"


def test_allowed_hosts_and_networks_are_exempt() -> None:
    check_url("http://127.0.0.1:9000/hook", ("127.0.0.1",))
    check_url("http://10.1.2.3/hook", ("10.0.0.0/8",))
    with pytest.raises(UnsafeUrl):
        check_url("http://10.1.2.3/hook", ("192.168.0.0/16",))
