"""Alembic environment: run against the connection ``hub.app.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from hub.app.migrate import target_metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `tradehub db upgrade` (hub.app.migrate)")
context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
