"""A local TLS fake of the X API v2 recent-search endpoint, reached by tweepy via a resolving session.

The fake serves a certificate for `api.twitter.com` signed by a throwaway CA generated per run;
`TwitterFake.session()` returns a requests session that connects to the fake for that host name
and trusts only that CA, so tweepy's hard-coded URL, Host header and TLS checks stay real.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sentiment.sources.http import resolving_session
from tests.fakes import Received, ThreadedHTTPFake, json_body

HOST = "api.twitter.com"


@dataclass(frozen=True, slots=True)
class FakeTweet:
    id: int
    text: str
    created_at: str = "2024-03-01T12:00:00.000Z"
    author_id: str = "42"
    likes: int = 0
    retweets: int = 0


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """Write a CA and a leaf for api.twitter.com; return (ca.pem, leaf.pem, leaf.key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tradehub test CA")])
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
            decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    ca_path, cert_path, key_path = directory / "ca.pem", directory / "leaf.pem", directory / "leaf.key"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_path, cert_path, key_path


class TwitterFake(ThreadedHTTPFake):
    """GET /2/tweets/search/recent over TLS as api.twitter.com, with bearer auth and since_id."""

    def __init__(self, *, bearer_token: str = "test-bearer") -> None:  # noqa: S107
        self._directory = tempfile.TemporaryDirectory(prefix="twitter-fake-")
        self.ca_path, cert_path, key_path = _certificates(Path(self._directory.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        super().__init__(ssl_context=context)
        self.bearer_token = bearer_token
        self.tweets: list[FakeTweet] = []
        self.accepted_hosts = {HOST}

    def stop(self) -> None:
        super().stop()
        self._directory.cleanup()

    @property
    def base_url(self) -> str:
        """The fake's own URL (its certificate also covers 127.0.0.1)."""
        return f"https://{self.address}"

    def session(self) -> requests.Session:
        """A session resolving api.twitter.com to this fake and trusting only its CA."""
        return resolving_session({HOST: self.address}, ca_bundle=str(self.ca_path))

    def handle(self, received: Received) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json"}
        if received.headers.get("authorization") != f"Bearer {self.bearer_token}":
            return 401, headers, json_body({"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
        if received.path != "/2/tweets/search/recent" or received.headers.get("host") not in self.accepted_hosts:
            return 404, headers, json_body({"title": "Not Found", "status": 404})
        terms = _terms(received.query.get("query", ""))
        since_id = int(received.query.get("since_id") or 0)
        limit = int(received.query.get("max_results") or 10)
        offset = int(received.query.get("next_token") or 0)
        everything = [
            tweet for tweet in sorted(self.tweets, key=lambda t: -t.id)
            if tweet.id > since_id and any(term in tweet.text.lower() for term in terms)
        ]  # fmt: skip
        matches = everything[offset : offset + limit]
        meta: dict[str, object] = {"result_count": len(matches)}
        if matches:
            meta.update(newest_id=str(matches[0].id), oldest_id=str(matches[-1].id))
        if offset + limit < len(everything):
            meta["next_token"] = str(offset + limit)
        payload: dict[str, object] = {"meta": meta}
        if matches:
            payload["data"] = [_tweet_json(tweet) for tweet in matches]
        return 200, headers, json_body(payload)


def _terms(query: str) -> list[str]:
    inside = query.split(")", 1)[0].lstrip("(")
    return [term.strip().strip('"').lower() for term in inside.split(" OR ") if term.strip()]


def _tweet_json(tweet: FakeTweet) -> dict[str, object]:
    return {
        "id": str(tweet.id),
        "text": tweet.text,
        "created_at": tweet.created_at,
        "author_id": tweet.author_id,
        "lang": "en",
        "edit_history_tweet_ids": [str(tweet.id)],
        "public_metrics": {
            "like_count": tweet.likes, "retweet_count": tweet.retweets, "reply_count": 0, "quote_count": 0,
        },
    }  # fmt: skip
