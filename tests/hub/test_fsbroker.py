"""The embedded broker under concurrency: no torn reads, no message taken twice, none lost."""

from __future__ import annotations

import threading
from pathlib import Path
from queue import Empty

from kombu import Connection

from hub.app import fsbroker


def _connection(root: Path) -> Connection:
    for folder in ("queue", "processed", "control"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return Connection(
        f"{fsbroker.SCHEME}://",
        transport_options={
            "data_folder_in": str(root / "queue"),
            "data_folder_out": str(root / "queue"),
            "processed_folder": str(root / "processed"),
            "store_processed": False,
            "control_folder": str(root / "control"),
        },
    )


def test_messages_written_while_two_consumers_poll_arrive_exactly_once(tmp_path: Path) -> None:
    total = 1500
    received: list[int] = []
    lock = threading.Lock()
    done_producing = threading.Event()
    errors: list[BaseException] = []

    def produce() -> None:
        with _connection(tmp_path) as conn:
            queue = conn.SimpleQueue("jobs")
            for i in range(total):
                queue.put({"n": i})
        done_producing.set()

    def consume() -> None:
        try:
            with _connection(tmp_path) as conn:
                queue = conn.SimpleQueue("jobs")
                while True:
                    try:
                        message = queue.get(block=True, timeout=0.05)
                    except Empty:
                        if done_producing.is_set() and not any((tmp_path / "queue").iterdir()):
                            return
                        continue
                    message.ack()
                    with lock:
                        received.append(message.payload["n"])
        except BaseException as error:  # a torn read used to raise JSONDecodeError here
            errors.append(error)

    consumers = [threading.Thread(target=consume) for _ in range(2)]
    for thread in consumers:
        thread.start()
    produce()
    for thread in consumers:
        thread.join(60)
    assert errors == []
    assert sorted(received) == list(range(total))


def test_each_broker_folder_in_one_process_routes_its_own_messages(tmp_path: Path) -> None:
    """kombu kept one binding state per process: a second folder's queue was taken as bound already,
    its routing table never written, and what was published to it silently dropped."""
    for home in (tmp_path / "first", tmp_path / "second"):
        with _connection(home) as conn:
            queue = conn.SimpleQueue("jobs")
            queue.put({"home": home.name})
            message = queue.get(block=True, timeout=30)
            message.ack()
            assert message.payload == {"home": home.name}


def test_the_celery_app_uses_the_safe_transport(tmp_path: Path) -> None:
    from hub.app.settings import Settings
    from hub.app.worker import make_celery

    app = make_celery(Settings(home=tmp_path))
    with app.connection_for_write() as conn:
        assert isinstance(conn.transport, fsbroker.Transport)
