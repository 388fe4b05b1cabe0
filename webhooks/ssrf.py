"""SSRF guard: only http(s) URLs whose every resolved address is public, unless the host is allowed.

Checked when an endpoint is created or changed and again before each attempt (DNS can change).
``TRADEHUB_WEBHOOK_ALLOWED_HOSTS`` lists host names or CIDRs exempt from the address check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from engine.errors import UserInputError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(UserInputError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="unsafe_url")


def parse_url(url: str) -> tuple[str, int]:
    """Return ``(host, port)`` of a well-formed http(s) URL, or raise ``UnsafeUrl``."""
    if len(url) > 2048:
        raise UnsafeUrl("url is longer than 2048 characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl(f"invalid url: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("url must start with http:// or https://")
    if not parts.hostname:
        raise UnsafeUrl("url has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("url must not carry credentials")
    return parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def _forbidden(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )


def _allowed(host: str, addresses: list[Address], allowed: tuple[str, ...]) -> bool:
    if host in allowed:
        return True
    networks = []
    for entry in allowed:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return bool(addresses) and all(any(a in net for net in networks) for a in addresses)


def check_addresses(host: str, addresses: list[Address], allowed: tuple[str, ...]) -> None:
    if _allowed(host, addresses, allowed):
        return
    for address in addresses:
        if _forbidden(address):
            raise UnsafeUrl(f"{host} resolves to a non-public address ({address})")


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[Address]:
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeUrl(f"{host} does not resolve: {error.strerror}") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def check_url(url: str, allowed: tuple[str, ...]) -> str:
    """Validate ``url`` now (blocking DNS); return it unchanged."""
    host, port = parse_url(url)
    if host in allowed:
        return url
    check_addresses(host, resolve(host, port), allowed)
    return url


async def check_url_async(url: str, allowed: tuple[str, ...]) -> None:
    """The same check from async code, resolving in a thread."""
    host, port = parse_url(url)
    if host in allowed:
        return
    if _literal(host) is not None:
        check_addresses(host, [_literal(host)], allowed)  # type: ignore[list-item]
        return
    addresses = await asyncio.to_thread(resolve, host, port)
    check_addresses(host, addresses, allowed)
