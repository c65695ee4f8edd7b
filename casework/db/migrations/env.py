"""Alembic environment: always run on a connection handed over by casework.db.migrate."""

from __future__ import annotations

from alembic import context

from casework.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Casework migrations run only through casework.db.migrate.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
