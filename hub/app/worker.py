"""The Celery application: Redis broker when ``TRADEHUB_REDIS_URL`` is set, otherwise an embedded
filesystem broker under ``TRADEHUB_HOME`` (hub/app/fsbroker.py) that needs no server. Same tasks either way."""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from hub.app import fsbroker
from hub.app.settings import Settings
from sentiment.settings import SentimentSettings


def make_celery(settings: Settings) -> Celery:
    tasks = ["hub.app.jobs", "webhooks.tasks", "strategies.live.tasks", "strategies.copytrade.tasks"]
    app = Celery("tradehub", include=tasks)
    if settings.redis_url:
        app.conf.broker_url = settings.redis_url
        app.conf.result_backend = settings.redis_url
    else:
        root = (settings.home / "broker").resolve()
        for folder in ("queue", "processed", "results", "control"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        app.conf.broker_url = f"{fsbroker.SCHEME}://"
        app.conf.broker_transport_options = {
            "data_folder_in": str(root / "queue"),
            "data_folder_out": str(root / "queue"),
            "processed_folder": str(root / "processed"),
            "store_processed": False,
            "control_folder": str(root / "control"),
            "polling_interval": 0.1,  # kombu's default of 1 s would add up to a second to every job
        }
        app.conf.result_backend = f"file://{root / 'results'}"
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=3600,
        timezone="UTC",
        enable_utc=True,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "end-of-day-pnl-snapshot": {"task": "tradehub.pnl_snapshot", "schedule": crontab(hour=0, minute=5)},
            "sentiment-poll": {"task": "tradehub.sentiment_poll", "schedule": SentimentSettings().poll_interval_s},
            "sentiment-prune": {"task": "tradehub.sentiment_prune", "schedule": crontab(hour=0, minute=20)},
            "strategies-step": {"task": "tradehub.strategies_step", "schedule": 60.0},
        },
        beat_schedule_filename=str((settings.home / "celerybeat-schedule").resolve()),
    )
    return app


def main() -> None:
    """``python -m hub.app.worker ARGS``: the Celery command line on tradehub's app (embedded worker)."""
    import sys

    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    make_celery(settings).start(sys.argv[1:])


if __name__ == "__main__":
    main()
