"""Prometheus metrics of the HTTP app and the hub."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from prometheus_client import Counter, Histogram

try:
    VERSION = version("tradehub")
except PackageNotFoundError:  # running from a source tree that was not installed
    VERSION = "0.0.0+source"

REQUESTS = Counter("tradehub_http_requests_total", "HTTP requests", ["method", "status"])
LATENCY = Histogram(
    "tradehub_http_request_seconds",
    "HTTP request latency",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
COMMANDS = Counter("tradehub_commands_total", "Commands run through the REST API", ["ok"])
