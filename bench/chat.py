"""Chat benchmark: an inbound platform update to the reply delivered at the platform's (fake) API.

    .venv/bin/python -m bench.chat [--updates 300] [--platform telegram|slack|discord ...]

Each platform module (``bench/chat_<platform>.py``) runs the real client library against the local
fake of the platform's API and times, per update, the moment the update is sent (Telegram webhook
POST, signed Slack event, signed Discord interaction) to the moment the fake receives our reply.
Target (issue 3): p99 < 50 ms on this machine.
"""

from __future__ import annotations

import argparse
import importlib

from bench.support.chatstats import print_table

PLATFORMS = ("telegram", "slack", "discord")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=300, help="updates per platform")
    parser.add_argument("--platform", action="append", choices=PLATFORMS, help="default: all three")
    args = parser.parse_args()
    results = []
    for platform in args.platform or PLATFORMS:
        module = importlib.import_module(f"bench.chat_{platform}")
        results.append({"platform": platform, **module.measure(args.updates)})
    print_table(f"chat: update -> reply at the fake API ({args.updates} updates per platform)", results)


if __name__ == "__main__":
    main()
