"""Schema migrations (Alembic), run by ``tradehub db upgrade`` and by ``serve`` on start."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine


def target_metadata() -> list[MetaData]:
    """Every metadata whose tables tradehub owns (the imports register the models)."""
    from hub.app.extensions import METADATA

    return [factory() for factory in METADATA]


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("hub") / "migrations"))
    return config


def upgrade(db: Engine, revision: str = "heads") -> str | None:
    """Bring the schema to ``revision`` (every branch head by default); return the current revision(s).

    Packages may add their tables on their own branch, so "up to date" means every head is applied.
    """
    if revision == "heads" and current_heads(db) == script_heads():
        return head_revision()
    config = _config()
    with db.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return head_revision() if revision == "heads" else current_revision(db)


def current_heads(db: Engine) -> set[str]:
    with db.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def current_revision(db: Engine) -> str | None:
    heads = sorted(current_heads(db))
    return ",".join(heads) if heads else None


def script_heads() -> set[str]:
    return set(ScriptDirectory.from_config(_config()).get_heads())


def head_revision() -> str | None:
    heads = sorted(script_heads())
    return ",".join(heads) if heads else None


def autogenerate(db: Engine, message: str) -> None:
    """Developer helper: write a new revision from the difference between models and ``db``."""
    config = _config()
    with db.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
