"""The embedded Celery broker: kombu's filesystem transport, made safe for concurrent processes.

kombu's own transport creates a message file and then writes it, so a worker polling the folder
can read an empty file, fail to decode it and stop ("Unrecoverable error: JSONDecodeError"). It also
moves consumed files to the system temp dir, which is a copy (not an atomic rename) when that dir
is on another filesystem, so two workers could take the same message. Here every message is written
to a staging file and renamed into the queue folder in one step, consumers claim a message by an
atomic rename into the processed folder on the same filesystem, and a fan-out table that is being
created is read again instead of being taken for empty.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

SCHEME = "tradehubfs"
_TABLE_READ_ATTEMPTS = 200


class Channel(filesystem.Channel):
    def _staging(self) -> Path:
        staging = Path(self.data_folder_out).parent / "staging"
        staging.mkdir(parents=True, exist_ok=True)
        return staging

    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        staged = self._staging() / name
        try:
            with open(staged, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(staged, os.path.join(self.data_folder_out, name))  # appears complete or not at all
        except OSError as exc:
            raise ChannelError(f"Cannot add message {name!r} to the queue folder") from exc

    def _get(self, queue: str) -> dict[str, Any]:
        wanted = f"{queue}.msg"
        claimed_dir = Path(self.processed_folder)
        claimed_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = claimed_dir / name
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)  # only one consumer wins
            except OSError:
                continue  # another consumer took it
            try:
                payload = claimed.read_bytes()
                if not self.store_processed:
                    claimed.unlink()
            except OSError as exc:
                raise ChannelError(f"Cannot read message {name!r}") from exc
            return loads(bytes_to_str(payload))
        raise Empty()

    def get_table(self, exchange: str) -> list[Any]:
        file = self._exchange_file(exchange)
        for _ in range(_TABLE_READ_ATTEMPTS):
            try:
                with file.open("r") as f_obj:
                    filesystem.lock(f_obj, filesystem.LOCK_SH)
                    try:
                        raw = f_obj.read()
                    finally:
                        filesystem.unlock(f_obj)
            except FileNotFoundError:
                return []
            except OSError as exc:
                raise ChannelError(f"Cannot open {file}") from exc
            if raw.strip():
                return [filesystem.exchange_queue_t(*q) for q in loads(bytes_to_str(raw))]
            time.sleep(0.005)  # created but not yet written by the process binding a queue
        return []


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
