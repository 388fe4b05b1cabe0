"""The embedded Celery broker: kombu's filesystem transport, made safe for concurrent processes.

kombu's own transport creates a message file and then writes it, so a worker polling the folder
can read an empty file, fail to decode it and stop ("Unrecoverable error: JSONDecodeError"). It also
moves consumed files to the system temp dir, which is a copy (not an atomic rename) when that dir
is on another filesystem, so two workers could take the same message. Here every message is written
to a staging file and renamed into the queue folder in one step, consumers claim a message by an
atomic rename into the processed folder on the same filesystem, and a fan-out table that is being
created is read again instead of being taken for empty.

kombu also keeps the declared bindings in one in-memory state per process, whatever the folders: a
second broker folder used in the same process (a test suite, or two homes) found its binding
"already declared", never wrote its routing table, and dropped every message published to it.
Here the state is per control folder, a bind returns only once the routing table on disk holds
it, and a routing table is replaced atomically under a lock.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem, virtual
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

SCHEME = "tradehubfs"
_TABLE_READ_ATTEMPTS = 200
_STATES: dict[str, virtual.BrokerState] = {}
_STATES_LOCK = threading.Lock()


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

    def queue_bind(
        self, queue: str, exchange: str | None = None, routing_key: str = "", arguments: Any = None, **kwargs: Any
    ) -> None:
        """Bind, and make sure the routing table on disk holds the binding before returning.

        kombu skips the table when its in-memory state already has the binding; another thread may
        have recorded it there and not yet written the file, and a message published meanwhile
        would find no route and be dropped."""
        super().queue_bind(queue, exchange, routing_key, arguments, **kwargs)
        exchange = exchange or "amq.direct"
        self._queue_bind(exchange, *self.typeof(exchange).prepare_bind(queue, exchange, routing_key, arguments))

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        """Add a binding to the exchange's routing table: read, extend and replace it in one step."""
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(parents=True, exist_ok=True)
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        try:
            with open(file.with_suffix(".lock"), "a") as guard:
                filesystem.lock(guard, filesystem.LOCK_EX)
                try:
                    table = [filesystem.exchange_queue_t(*q) for q in self._read_table(file)]
                    if binding in table:
                        return
                    staged = file.with_suffix(f".{uuid.uuid4().hex}.tmp")
                    staged.write_bytes(str_to_bytes(dumps([binding, *table])))
                    os.replace(staged, file)  # readers see the old table or the new one, never a torn one
                finally:
                    filesystem.unlock(guard)
        except OSError as exc:
            raise ChannelError(f"Cannot bind {queue!r} to {exchange!r}") from exc

    @staticmethod
    def _read_table(file: Path) -> list[Any]:
        try:
            raw = file.read_bytes()
        except FileNotFoundError:
            return []
        return loads(bytes_to_str(raw)) if raw.strip() else []

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

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        folder = str(Path(client.transport_options.get("control_folder", "control")).resolve())
        with _STATES_LOCK:
            self.state = _STATES.setdefault(folder, virtual.BrokerState())


TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
