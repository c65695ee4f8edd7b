"""The same migrations build the schema on PostgreSQL: an empty database upgraded to HEAD
equals the models, in one transaction (a failure leaves nothing behind)."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from casework.db.migrate import current_revision, upgrade
from casework.db.migrations import HEAD
from casework.db.models import Base
from casework.errors import MigrationFailed
from tests.pg.server import PgServer


def _upgraded(pg_server: PgServer, name: str) -> Any:
    engine = pg_server.engine(name)
    upgrade(engine)
    return engine


def test_upgraded_server_database_equals_models(pg_server: PgServer, pg_database: str) -> None:
    engine = _upgraded(pg_server, pg_database)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == HEAD
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("young_people")}
    finally:
        engine.dispose()
    assert diff == []
    # Expression indexes are not compared by autogenerate: check the one there is by name.
    assert "ix_young_people_last_name_lower" in indexes


def test_audit_rows_cannot_be_changed_even_by_the_owner(
    pg_server: PgServer, pg_database: str
) -> None:
    engine = _upgraded(pg_server, pg_database)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, actor_role, action, fields, outcome,"
                    " prev_hash, hash) VALUES (now(), 'system', 'test', '', 'ok', '', '')"
                )
            )
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="cannot be changed"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT action FROM audit_events")).scalars().all() == ["test"]
    finally:
        engine.dispose()


def test_a_failing_upgrade_leaves_nothing(
    pg_server: PgServer, pg_database: str, tmp_path: Any
) -> None:
    # A copy of the migrations with a last step that fails: everything before it is undone.
    import shutil
    from pathlib import Path

    import casework.db.migrations as migrations

    source = Path(migrations.__file__).parent
    copy = tmp_path / "migrations"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / "9999_fails.py").write_text(
        f'revision = "9999"\ndown_revision = "{HEAD}"\nbranch_labels = None\n'
        "depends_on = None\n\n\ndef upgrade() -> None:\n"
        "    from alembic import op\n\n"
        '    op.execute("SELECT * FROM no_such_table")\n'
    )
    engine = pg_server.engine(pg_database)
    try:
        with pytest.raises(MigrationFailed, match="rolled back"):
            upgrade(engine, location=str(copy))
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
