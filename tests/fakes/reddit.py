"""A local fake of Reddit's OAuth token endpoint and `/r/<name>/new` listings, for praw.

Point praw at it with `oauth_url=fake.url` and `reddit_url=fake.url`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import parse_qsl

from tests.fakes import Received, ThreadedHTTPFake, json_body


@dataclass(frozen=True, slots=True)
class FakeSubmission:
    id: str
    subreddit: str
    title: str
    selftext: str = ""
    created_utc: float = 1_709_294_400.0
    score: int = 1
    num_comments: int = 0
    author: str = "satoshi"


class RedditFake(ThreadedHTTPFake):
    """Client-credentials OAuth plus subreddit listings; rejects calls without the issued token."""

    def __init__(self, *, client_id: str = "cid", client_secret: str = "csecret") -> None:  # noqa: S107
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.token = "fake-access-token"
        self.submissions: list[FakeSubmission] = []

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def handle(self, received: Received) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if received.path == "/api/v1/access_token":
            return self._token(received, headers)
        if received.headers.get("authorization") != f"bearer {self.token}":
            return 401, headers, json_body({"message": "Unauthorized", "error": 401})
        parts = received.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "r" and parts[2] == "new":
            return 200, headers, json_body(self._listing(parts[1], int(received.query.get("limit", 25))))
        return 404, headers, json_body({"message": "Not Found", "error": 404})

    def _token(self, received: Received, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = dict(parse_qsl(received.body.decode()))
        authorised = received.headers.get("authorization") == f"Basic {expected}"
        if not authorised or form.get("grant_type") != "client_credentials":
            return 401, headers, json_body({"message": "Unauthorized", "error": 401})
        return (
            200,
            headers,
            json_body({"access_token": self.token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}),
        )

    def _listing(self, subreddit: str, limit: int) -> dict[str, object]:
        items = [item for item in self.submissions if item.subreddit.lower() == subreddit.lower()]
        items.sort(key=lambda item: -item.created_utc)
        children = [{"kind": "t3", "data": _submission_json(item)} for item in items[:limit]]
        return {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(children), "children": children}}


def _submission_json(item: FakeSubmission) -> dict[str, object]:
    return {
        "id": item.id, "name": f"t3_{item.id}", "title": item.title, "selftext": item.selftext,
        "created_utc": item.created_utc, "score": item.score, "num_comments": item.num_comments,
        "author": item.author, "subreddit": item.subreddit,
        "permalink": f"/r/{item.subreddit}/comments/{item.id}/post/", "url": "https://example.invalid/",
    }  # fmt: skip
