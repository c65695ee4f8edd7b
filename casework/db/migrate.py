"""Schema upgrades with Alembic, all-or-nothing, foreign keys off, file copied first."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from casework.db.engine import checkpoint, run_outside_transaction
from casework.db.migrations import HEAD
from casework.errors import MigrationFailed, NotACaseworkDatabase


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


SCRIPT_LOCATION = "casework.db:migrations"


def alembic_config(conn: Connection, location: str = SCRIPT_LOCATION) -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", location)
    cfg.attributes["connection"] = conn
    return cfg


def _script_directory() -> object:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    return ScriptDirectory.from_config(cfg)


def script_heads() -> list[str]:
    return list(_script_directory().get_heads())  # type: ignore[attr-defined]


def script_revisions() -> list[str]:
    """Every revision, newest first."""
    walk = _script_directory().walk_revisions()  # type: ignore[attr-defined]
    return [script.revision for script in walk]


def needs_upgrade(engine: Engine) -> str | None:
    """The revision the file is at when it is behind HEAD, else None.

    Raises when the file is ahead (written by a newer Casework) or has no schema.
    """
    with engine.connect() as conn:
        rev = current_revision(conn)
    if rev == HEAD:
        return None
    if rev is None:
        raise NotACaseworkDatabase(
            "The file opens with its key but holds no Casework schema. Nothing was changed."
        )
    if rev not in script_revisions():
        raise NotACaseworkDatabase(
            f"This database is at schema revision {rev}, which this version of Casework does "
            "not know: it was probably written by a newer version. Nothing was changed."
        )
    return rev


def backup_before_upgrade(path: Path, engine: Engine, from_rev: str, now: datetime) -> Path:
    """Checkpoint the WAL into the file, then copy the (still encrypted) file."""
    checkpoint(engine)
    engine.dispose()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-upgrade-from-{from_rev}-{stamp}.bak")
    # Owner-only whatever the umask or the source's mode: it holds the same personal data.
    with open(path, "rb") as src:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
    return target


def upgrade(
    engine: Engine,
    *,
    on_step: Callable[[str], None] | None = None,
    location: str = SCRIPT_LOCATION,
) -> None:
    """Upgrade to HEAD in one transaction.

    On SQLite ``engine`` must have foreign keys OFF: with foreign keys on, a batch
    migration that rebuilds a parent table deletes every ON DELETE CASCADE child row; the
    caller passes an engine made with foreign_keys=False, and the references are checked
    before the commit. On PostgreSQL DDL is transactional and tables are altered in place,
    so the whole upgrade is simply one transaction.
    """
    from alembic import command

    sqlite = engine.dialect.name == "sqlite"
    if sqlite and run_outside_transaction(engine, "PRAGMA foreign_keys") != [(0,)]:
        raise MigrationFailed("Refusing to migrate with foreign keys switched on.")
    with engine.connect() as conn:
        try:
            with conn.begin():
                if on_step:
                    on_step("upgrading the database schema")
                command.upgrade(alembic_config(conn, location), "head")  # type: ignore[arg-type]
                problems = (
                    conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if sqlite else []
                )
                if problems:
                    raise MigrationFailed(
                        f"The upgrade would leave {len(problems)} broken references; "
                        "it was rolled back and nothing was changed."
                    )
        except MigrationFailed:
            raise
        except Exception as exc:
            raise MigrationFailed(
                f"The database upgrade failed ({type(exc).__name__}) and was rolled back; "
                "nothing was changed."
            ) from exc


def upgrade_on(conn: Connection, *, location: str = SCRIPT_LOCATION) -> None:
    """Upgrade a team server's database to HEAD inside the caller's transaction (DDL is
    transactional on PostgreSQL), so the caller can add its own steps (the security
    policy, the first accounts) and have all of it or none."""
    from alembic import command

    if conn.dialect.name != "postgresql":
        raise MigrationFailed("Upgrading inside a caller's transaction is for team servers.")
    try:
        command.upgrade(alembic_config(conn, location), "head")  # type: ignore[arg-type]
    except Exception as exc:
        raise MigrationFailed(
            f"The database upgrade failed ({type(exc).__name__}: {_first_line(exc)}) and was "
            "rolled back; nothing was changed."
        ) from exc


def _first_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text_[0][:200] if text_ else ""
