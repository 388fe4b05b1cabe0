"""`requests` sessions that send a client library's hard-coded host somewhere else.

`resolving_session` connects to another address for chosen host names (like curl --resolve);
`rebased_session` rewrites a base URL to another one (a gateway with its own name).

Client libraries such as tweepy hard-code their API host. This adapter keeps the URL, the Host
header, SNI and certificate verification for the real name (`api.twitter.com`) while the TCP
connection goes to the configured address: a local fake in tests, a gateway or proxy in
deployments that need one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter


class ResolvingAdapter(HTTPAdapter):
    """Send requests for `host` to `address` ("127.0.0.1:8443"), verifying TLS as `host`.

    With `ca_bundle` only that bundle is trusted for the resolved hosts, whatever
    REQUESTS_CA_BUNDLE says (requests lets the environment override a session's `verify`).
    """

    def __init__(self, resolve: Mapping[str, str], *, ca_bundle: str | None = None, **kwargs: Any) -> None:
        self._resolve = dict(resolve)
        self._ca_bundle = ca_bundle
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Keep the real Host header and pin the CA bundle for resolved hosts, then send as usual."""
        split = urlsplit(request.url)
        name = split.hostname or ""
        if name in self._resolve:
            request.headers.setdefault("Host", split.netloc)
            if self._ca_bundle is not None and kwargs.get("verify") is not False:
                kwargs["verify"] = self._ca_bundle
        return super().send(request, *args, **kwargs)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Swap the connection target; keep the real name for SNI and hostname checks."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name = urlsplit(request.url).hostname or ""
        address = self._resolve.get(name)
        if address is not None:
            target = urlsplit(f"//{address}")
            host_params["host"] = target.hostname
            host_params["port"] = target.port or host_params["port"]
            if host_params["scheme"] == "https":
                pool_kwargs["server_hostname"] = name
                pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs


def resolving_session(resolve: Mapping[str, str], *, ca_bundle: str | None = None) -> requests.Session:
    """A session whose connections to the names in `resolve` go to the mapped addresses."""
    session = requests.Session()
    adapter = ResolvingAdapter(resolve, ca_bundle=ca_bundle)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class RebasingAdapter(HTTPAdapter):
    """Rewrite URLs under `from_base` to `to_base` (a gateway with its own name and certificate)."""

    def __init__(self, from_base: str, to_base: str, *, ca_bundle: str | None = None, **kwargs: Any) -> None:
        self._from = from_base.rstrip("/")
        self._to = to_base.rstrip("/")
        self._ca_bundle = ca_bundle
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Point the request at the new base, then send as usual."""
        url = request.url or ""
        if url == self._from or url.startswith(self._from + "/") or url.startswith(self._from + "?"):
            request.url = self._to + url[len(self._from) :]
            request.headers.pop("Host", None)
        if self._ca_bundle is not None and kwargs.get("verify") is not False:
            kwargs["verify"] = self._ca_bundle
        return super().send(request, *args, **kwargs)


def rebased_session(from_base: str, to_base: str, *, ca_bundle: str | None = None) -> requests.Session:
    """A session that sends requests meant for `from_base` to `to_base` instead."""
    session = requests.Session()
    adapter = RebasingAdapter(from_base, to_base, ca_bundle=ca_bundle)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
