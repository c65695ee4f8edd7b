"""Migrations: one head, a linear chain, the packaged HEAD constant right, an upgraded
empty database equal to the models, and refusal of a database from a newer version."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from casework.db import engine as engines
from casework.db.database import open_database, unlock
from casework.db.migrate import script_heads, script_revisions, upgrade
from casework.db.migrations import HEAD
from casework.db.models import Base
from casework.errors import MigrationFailed, NotACaseworkDatabase
from tests.conftest import NOW, PASSPHRASE, Opened


def test_single_head_matching_constant() -> None:
    assert script_heads() == [HEAD]


def test_linear_chain() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", "casework.db:migrations")
    scripts = list(ScriptDirectory.from_config(cfg).walk_revisions())
    assert [s.revision for s in scripts] == script_revisions()
    for newer, older in itertools.pairwise(scripts):
        assert newer.down_revision == older.revision
    assert scripts[-1].down_revision is None


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_upgraded_database_equals_models(empty_db: Opened) -> None:
    with empty_db.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        # SQLite cannot reflect expression indexes, so check that one by name.
        names = set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'").scalars()
        )
    assert diff == []
    assert "ix_young_people_last_name_lower" in names


def test_migration_refuses_foreign_keys_on(tmp_path: Path) -> None:
    eng = engines.make_engine(tmp_path / "fk.db", bytes(32), foreign_keys=True, pooled=False)
    with pytest.raises(MigrationFailed, match="foreign keys"):
        upgrade(eng)
    eng.dispose()


def test_newer_schema_refused_untouched(empty_db: Opened) -> None:
    with empty_db.db.unit_of_work() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    empty_db.db.close()
    key, info = unlock(empty_db.path, passphrase=PASSPHRASE)
    before = hashlib.sha256(empty_db.path.read_bytes()).hexdigest()
    with pytest.raises(NotACaseworkDatabase, match="newer version"):
        open_database(empty_db.path, key, info=info, now=NOW)
    assert hashlib.sha256(empty_db.path.read_bytes()).hexdigest() == before
