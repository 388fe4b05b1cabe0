"""A local feed server: serves RSS/Atom documents by path with ETag / 304 support."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.fakes import Received, ThreadedHTTPFake


class FeedServer(ThreadedHTTPFake):
    """`feeds[path] = (body, content_type)`; answers 304 when If-None-Match matches the ETag."""

    def __init__(self) -> None:
        super().__init__()
        self.feeds: dict[str, tuple[bytes, str]] = {}

    def url(self, path: str) -> str:
        return f"http://{self.address}{path}"

    def handle(self, received: Received) -> tuple[int, dict[str, str], bytes]:
        if received.path not in self.feeds:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        body, content_type = self.feeds[received.path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if received.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": content_type, "ETag": etag}, body


RSS_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Crypto News</title><link>https://news.example</link>
<description>test</description>{items}</channel></rss>"""

RSS_ITEM = """<item><title>{title}</title><link>https://news.example/{guid}</link><guid>{guid}</guid>
<description><![CDATA[{summary}]]></description><pubDate>{date}</pubDate></item>"""

ATOM_TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Chain blog</title><id>urn:blog</id>
<updated>2024-03-01T12:00:00Z</updated>{entries}</feed>"""

ATOM_ENTRY = """<entry><title>{title}</title><id>{guid}</id><link href="https://blog.example/{guid}"/>
<updated>{date}</updated><summary type="html">{summary}</summary><author><name>dev</name></author></entry>"""


def rss(*items: tuple[str, str, str, str]) -> bytes:
    """RSS 2.0 document from (guid, title, summary, RFC 822 date) tuples."""
    body = "".join(RSS_ITEM.format(guid=g, title=t, summary=s, date=d) for g, t, s, d in items)
    return RSS_TEMPLATE.format(items=body).encode()


def atom(*entries: tuple[str, str, str, str]) -> bytes:
    """Atom document from (id, title, summary, RFC 3339 date) tuples."""
    body = "".join(ATOM_ENTRY.format(guid=g, title=t, summary=s, date=d) for g, t, s, d in entries)
    return ATOM_TEMPLATE.format(entries=body).encode()


def serve_directory(server: FeedServer, directory: Path, *, prefix: str = "/") -> list[str]:
    """Serve every .rss / .atom / .xml file in `directory` at `prefix + name`; return the paths."""
    types = {".rss": "application/rss+xml", ".atom": "application/atom+xml", ".xml": "application/xml"}
    paths = []
    for file in sorted(directory.iterdir()):
        if file.suffix in types:
            path = prefix + file.name
            server.feeds[path] = (file.read_bytes(), types[file.suffix])
            paths.append(path)
    return paths
