"""Test helper: put a database back into the shape an older revision left it, keeping its
data, so a migration can be tested on real rows whatever revisions come after it.

The older shape is read from a scratch database upgraded to that revision by Alembic itself:
tables the later revisions added are dropped, tables they changed are rebuilt from the older
definition (the columns both have are copied), and indexes and triggers are put back as they
were. Rebuilding follows SQLite's own recipe (new table, copy, drop, rename) with foreign keys
off, so no cascade fires and no other table's references are rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, text

from casework.db import engine as engines
from casework.db.database import unlock
from casework.db.migrate import alembic_config
from tests.conftest import PASSPHRASE, Opened


def previous(revision: str) -> str:
    """The revision a migration upgrades from, read from the packaged scripts."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    down = script.get_revision(revision).down_revision
    assert isinstance(down, str), f"{revision} has no single previous revision"
    return down


def _schema(conn: Connection, kind: str) -> dict[str, str]:
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%'",
        (kind,),
    ).all()
    return {str(name): str(sql) for name, sql in rows}


def _columns(conn: Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.exec_driver_sql(f'PRAGMA table_info("{table}")')]


def _shape_at(revision: str, scratch: Path) -> dict[str, dict[str, str]]:
    from alembic import command

    eng = engines.make_engine(scratch, bytes(32), foreign_keys=False, pooled=False)
    with eng.connect() as conn, conn.begin():
        command.upgrade(alembic_config(conn), revision)  # type: ignore[arg-type]
        shape = {kind: _schema(conn, kind) for kind in ("table", "index", "trigger")}
        shape["columns"] = {t: " ".join(_columns(conn, t)) for t in shape["table"]}
    eng.dispose()
    return shape


def rewind(
    opened: Opened,
    revision: str,
    scratch_dir: Path,
    then: Callable[[Connection], None] | None = None,
) -> None:
    """Close ``opened`` and leave its file as ``revision`` left it, data kept; ``then`` runs
    in the same transaction (to add rows in the older shape). Reopen with ``open_database``."""
    shape = _shape_at(revision, scratch_dir / f"at-{revision}.db")
    opened.db.close()
    key, _ = unlock(opened.path, passphrase=PASSPHRASE)
    eng = engines.make_engine(opened.path, key, foreign_keys=False, pooled=False)
    with eng.connect() as conn, conn.begin():
        for name in _schema(conn, "trigger"):
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for name in _schema(conn, "index"):
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        now = _schema(conn, "table")
        for name in now.keys() - shape["table"].keys():
            conn.exec_driver_sql(f'DROP TABLE "{name}"')
        for name, sql in shape["table"].items():
            if name not in now or now[name] == sql:
                continue
            older = set(shape["columns"][name].split())
            common = [c for c in _columns(conn, name) if c in older]
            staged = re.sub(
                rf'^CREATE TABLE\s+"?{re.escape(name)}"?', f'CREATE TABLE "_rewind_{name}"', sql
            )
            conn.exec_driver_sql(staged)
            cols = ", ".join(f'"{c}"' for c in common)
            conn.exec_driver_sql(
                f'INSERT INTO "_rewind_{name}" ({cols}) SELECT {cols} FROM "{name}"'
            )
            conn.exec_driver_sql(f'DROP TABLE "{name}"')
            conn.exec_driver_sql(f'ALTER TABLE "_rewind_{name}" RENAME TO "{name}"')
        for kind in ("index", "trigger"):
            for sql in shape[kind].values():
                conn.exec_driver_sql(sql)
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        if then is not None:
            then(conn)
    eng.dispose()
