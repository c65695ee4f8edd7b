"""Backups: an encrypted copy taken while Casework runs, checked by opening it, restored
only to a new place, and taken automatically (rotated) beside the database.

A backup is two files, like the database itself: ``FILE`` and ``FILE.keys.json``.

* ``FILE`` is made with SQLCipher's ``sqlcipher_export()`` inside one read transaction,
  so it is one consistent moment of the database while others carry on writing. A live
  database is never copied file by file (its newest changes may still be in the
  ``-wal`` beside it).
* It is encrypted with the database's own key, and ``FILE.keys.json`` is the database's
  key file as it was at that moment: the key wrapped under the recovery code and, in
  passphrase mode, under the passphrase then in force; no key in clear. So a backup
  opens on this computer exactly as the database does, and on a new laptop with the
  recovery code (``casework-admin restore FILE --path NEW`` with
  ``CASEWORK_RECOVERY_CODE`` set). Losing the backup files gives away nothing without
  the recovery code, the passphrase or this account's keyring.

Every backup is checked before it is given its name: it is opened with the key, every
page is authenticated (``PRAGMA cipher_integrity_check``), SQLite's integrity check
passes, it names the same database, and its audit trail's chain is walked. Both files
are written owner-only in a private staging folder and linked into place, key file
first; a backup killed half-way leaves nothing under its name (``tidy`` removes the
rest at the next start).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy.orm import Session

from casework.db import engine as engines
from casework.db import files, keys
from casework.db.database import (
    DATABASE_ID_SETTING,
    Database,
    exists,
    open_database,
)
from casework.db.models import Setting
from casework.errors import (
    DatabaseAlreadyExists,
    DatabaseDamaged,
    FileAccessProblem,
    ValidationFailed,
)
from casework.services import audit
from casework.services.common import Changed, check, require
from casework.services.permissions import SYSTEM_ACTOR, Action, Actor

ProgressFn = Callable[[str], None]

INTERVAL_KEY = "backup_interval_hours"
KEEP_KEY = "backup_keep"
INTERVAL_DEFAULT = 24  # hours: daily
INTERVAL_MAX = 24 * 31
KEEP_DEFAULT = 7
KEEP_MIN, KEEP_MAX = 1, 100
_STAMP = "%Y%m%dT%H%M%SZ"
_AUTO_NAME = re.compile(r"\A(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}Z)\.db\Z")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    taken_at: datetime
    size_bytes: int
    audit_chain: str  # the backup's own chain summary ("ok: N events, head ...")
    chain_ok: bool


@dataclass(frozen=True)
class Schedule:
    interval_hours: int  # 0: automatic backups are off
    keep: int


# --- taking a backup ----------------------------------------------------------------------------


def backup_database(
    db: Database,
    target: Path,
    *,
    now: datetime,
    actor: Actor = SYSTEM_ACTOR,
    progress: ProgressFn | None = None,
) -> BackupResult:
    """Write an encrypted, checked copy of ``db`` to ``target`` (never over a file)."""
    if exists(target):
        raise DatabaseAlreadyExists(
            f"{target} (or its key file) already exists. A backup is never written over "
            "another file: choose a new name."
        )
    if not target.parent.is_dir():
        raise FileAccessProblem(
            f"The folder {target.parent} does not exist. Create it, or choose another place "
            "for the backup. Nothing was written."
        )
    key = _key_of(db)
    with files.staging(target) as stage:
        chain = _write_checked(db, stage / target.name, target, key, progress)
    with db.unit_of_work() as session:
        audit.record(
            session, actor, "backup", now=now, record_type="database", record_id=db.database_id
        )
    return BackupResult(target, now, target.stat().st_size, chain.summary, chain.ok)


def _write_checked(
    db: Database, staged: Path, target: Path, key: bytes, progress: ProgressFn | None
) -> audit.ChainReport:
    try:
        if progress:
            progress("copying the database")
        _export(db, staged, key)
        if progress:
            progress("checking the copy")
        chain = _check_copy(staged, key, db.database_id)
        # The key file as it is now (a passphrase change since opening is included).
        keys.write_key_info(keys.sidecar_path(staged), keys.read_key_info(db.path), replace=False)
        _link_pair(staged, target)
    except OSError as exc:
        raise files.os_problem(exc, f"the backup {target}") from None
    return chain


def _key_of(db: Database) -> bytes:
    if len(db.key) != keys.KEY_BYTES:
        raise FileAccessProblem("This database was opened without its key; it cannot be backed up.")
    return db.key


def _export(db: Database, staged: Path, key: bytes) -> None:
    """sqlcipher_export() into a new file keyed with ``key``, as one read transaction."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("ATTACH DATABASE ? AS backup KEY ?", (str(staged), f"x'{key.hex()}'"))
        try:
            cur.execute("BEGIN")
            try:
                cur.execute("SELECT sqlcipher_export('backup')")
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        finally:
            cur.execute("DETACH DATABASE backup")
            cur.close()
    except sqlcipher.Error as exc:
        raise engines.plain_error(exc) or FileAccessProblem(
            f"The backup could not be written ({type(exc).__name__}). Nothing was kept."
        ) from None
    finally:
        raw.close()
    os.chmod(staged, files.PRIVATE_FILE)


def _check_copy(path: Path, key: bytes, database_id: str) -> audit.ChainReport:
    """Open the copy with the key and check every page, its structure, id and chain."""
    conn = engines.raw_connect(path, key)
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # as every Casework database
        bad = engines.damaged_pages(conn)
        if bad:
            raise DatabaseDamaged(f"The backup copy does not read back whole ({bad[0]}).")
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            raise DatabaseDamaged(f"The backup copy failed SQLite's check ({integrity[0]}).")
        row = conn.execute(
            "SELECT value FROM settings WHERE key = ?", (DATABASE_ID_SETTING,)
        ).fetchone()
        if row is None or row[0] != database_id:
            raise DatabaseDamaged("The backup copy does not name this database.")
    except sqlcipher.Error as exc:
        raise DatabaseDamaged(
            f"The backup copy could not be read back ({type(exc).__name__})."
        ) from None
    finally:
        conn.close()
    eng = engines.make_engine(path, key, pooled=False)
    try:
        with Session(eng) as session, session.begin():
            return audit.verify_chain(session)
    finally:
        eng.dispose()  # the last connection folds and removes the copy's -wal


def _link_pair(staged: Path, target: Path) -> None:
    """Key file first, then the database; never over an existing file."""
    try:
        os.link(keys.sidecar_path(staged), keys.sidecar_path(target))
    except FileExistsError:
        raise DatabaseAlreadyExists(f"{keys.sidecar_path(target)} appeared meanwhile.") from None
    try:
        os.link(staged, target)
    except FileExistsError:
        keys.sidecar_path(target).unlink()
        raise DatabaseAlreadyExists(f"{target} appeared meanwhile.") from None


# --- restoring ----------------------------------------------------------------------------------


def restore_backup(
    source: Path,
    target: Path,
    *,
    key: bytes,
    now: datetime,
    progress: ProgressFn | None = None,
) -> audit.ChainReport:
    """Copy a backup to a NEW place, check it, and open it once there (never over a file).

    ``key`` is the backup's key (from the keyring, its passphrase or the recovery code).
    Returns the restored database's audit chain report.
    """
    files.check_database_file(source, need_write=False)
    info = keys.read_key_info(source)
    if not info.matches(key):
        raise DatabaseDamaged("That key does not belong to this backup. Nothing was written.")
    if files.wal_has_frames(source):
        raise FileAccessProblem(
            f"A journal ({source.name}-wal) is beside the backup: it is not a finished "
            "Casework backup, or it is open in another program. Nothing was written."
        )
    if exists(target):
        raise DatabaseAlreadyExists(
            f"A database (or its key file) already exists at {target}. Restoring never "
            "writes over a database: choose a new path."
        )
    if progress:
        progress("checking the backup")
    _check_in_place(source, key, info.database_id)
    created = not target.parent.exists()
    try:
        files.private_dir(target.parent)
    except OSError as exc:
        raise files.os_problem(exc, f"the folder {target.parent}") from None
    try:
        return _restore_into(source, target, key, info, now, progress)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                target.parent.rmdir()
        raise


def _check_in_place(path: Path, key: bytes, database_id: str) -> None:
    """The checks of ``_check_copy`` on a file that must not be written (read-only)."""
    try:
        conn = engines.readonly_connect(path, key)
    except sqlcipher.Error:
        raise DatabaseDamaged(f"The backup {path} could not be read with its key.") from None
    try:
        bad = engines.damaged_pages(conn)
        if bad:
            raise DatabaseDamaged(
                f"The backup {path} is damaged ({bad[0]}): use another backup. Nothing was written."
            )
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        row = conn.execute(
            "SELECT value FROM settings WHERE key = ?", (DATABASE_ID_SETTING,)
        ).fetchone()
    except sqlcipher.Error:
        raise DatabaseDamaged(
            f"The backup {path} is damaged (it could not be read through): use another "
            "backup. Nothing was written."
        ) from None
    finally:
        conn.close()
    if integrity != ["ok"]:
        raise DatabaseDamaged(
            f"The backup {path} is damaged ({integrity[0]}): use another backup. Nothing "
            "was written."
        )
    if row is None or row[0] != database_id:
        raise DatabaseDamaged(
            f"The backup {path} does not belong to its key file. Nothing was written."
        )


def _restore_into(
    source: Path,
    target: Path,
    key: bytes,
    info: keys.KeyInfo,
    now: datetime,
    progress: ProgressFn | None,
) -> audit.ChainReport:
    with files.staging(target) as stage:
        chain = _copy_checked(source, stage / target.name, target, key, info, progress)
    restored = open_database(target, key, info=info, now=now, progress=progress)
    restored.close()
    return chain


def _copy_checked(
    source: Path,
    staged: Path,
    target: Path,
    key: bytes,
    info: keys.KeyInfo,
    progress: ProgressFn | None,
) -> audit.ChainReport:
    try:
        if progress:
            progress("copying the backup")
        with open(source, "rb") as src:
            fd = os.open(staged, os.O_CREAT | os.O_EXCL | os.O_WRONLY, files.PRIVATE_FILE)
            with os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
                dst.flush()
                os.fsync(dst.fileno())
        if progress:
            progress("checking the copy")
        chain = _check_copy(staged, key, info.database_id)
        keys.write_key_info(keys.sidecar_path(staged), info, replace=False)
        _link_pair(staged, target)
    except OSError as exc:
        raise files.os_problem(exc, f"{target}") from None
    return chain


# --- automatic, rotated backups beside the database ------------------------------------------


def backups_folder(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".backups")


def auto_backup_path(db_path: Path, now: datetime) -> Path:
    return backups_folder(db_path) / f"{db_path.stem}-{now.strftime(_STAMP)}.db"


def list_backups(db_path: Path) -> list[tuple[datetime, Path]]:
    """The automatic and "Back up now" backups beside ``db_path``, oldest first."""
    folder = backups_folder(db_path)
    found = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _AUTO_NAME.match(entry.name)
        if match and match["stem"] == db_path.stem and entry.is_file():
            taken = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
            found.append((taken, entry))
    return sorted(found)


def schedule(db: Database) -> Schedule:
    with db.reading() as session:
        interval = session.get(Setting, INTERVAL_KEY)
        keep = session.get(Setting, KEEP_KEY)
    return Schedule(
        _bounded(interval, INTERVAL_DEFAULT, 0, INTERVAL_MAX),
        _bounded(keep, KEEP_DEFAULT, KEEP_MIN, KEEP_MAX),
    )


def _bounded(row: Setting | None, default: int, low: int, high: int) -> int:
    try:
        value = int(row.value) if row is not None else default
    except ValueError:
        value = default
    return max(low, min(high, value))


def set_schedule(
    db: Database, actor: Actor, interval_hours: int, keep: int, *, now: datetime
) -> Changed:
    """Administrators: how often automatic backups are taken (0 = never) and how many kept."""
    with db.unit_of_work() as session:
        check(session, actor, Action.MANAGE_SETTINGS, now=now, record_type="setting")
        problems = []
        if not 0 <= interval_hours <= INTERVAL_MAX:
            problems.append(
                f"Automatic backups: every {interval_hours} hours is outside 0 (off) to "
                f"{INTERVAL_MAX} hours."
            )
        if not KEEP_MIN <= keep <= KEEP_MAX:
            problems.append(f"Backups kept: {keep} is outside {KEEP_MIN} to {KEEP_MAX}.")
        if problems:
            raise ValidationFailed(problems)
        for name, value in ((INTERVAL_KEY, interval_hours), (KEEP_KEY, keep)):
            row = session.get(Setting, name)
            if row is None:
                session.add(Setting(key=name, value=str(value)))
            else:
                row.value = str(value)
        audit.record(
            session,
            actor,
            "change_setting",
            now=now,
            record_type="setting",
            record_id=INTERVAL_KEY,
            fields=[INTERVAL_KEY, KEEP_KEY],
        )
    return Changed("setting", (), (INTERVAL_KEY, KEEP_KEY))


def backup_now(
    db: Database, actor: Actor, *, now: datetime, progress: ProgressFn | None = None
) -> BackupResult:
    """Administrators ("Back up now"): a backup into the rotated set beside the database."""
    require(db, actor, Action.MANAGE_SETTINGS, now=now, record_type="database")
    return _rotated_backup(db, actor, now, progress)


def backup_if_due(
    db: Database, *, now: datetime, progress: ProgressFn | None = None
) -> BackupResult | None:
    """At start: take the automatic backup when the newest one is older than the interval."""
    plan = schedule(db)
    if plan.interval_hours == 0:
        return None
    taken = list_backups(db.path)
    if taken and now - taken[-1][0] < timedelta(hours=plan.interval_hours):
        return None
    return _rotated_backup(db, SYSTEM_ACTOR, now, progress)


def _rotated_backup(
    db: Database, actor: Actor, now: datetime, progress: ProgressFn | None
) -> BackupResult:
    folder = backups_folder(db.path)
    try:
        files.private_dir(folder)
    except OSError as exc:
        raise files.os_problem(exc, f"the backup folder {folder}") from None
    files.make_private(folder)
    result = backup_database(
        db, auto_backup_path(db.path, now), now=now, actor=actor, progress=progress
    )
    rotate(db.path, schedule(db).keep)
    return result


def rotate(db_path: Path, keep: int) -> list[Path]:
    """Remove the oldest backups beyond ``keep`` (each with its key file)."""
    removed = []
    backups = list_backups(db_path)
    for _taken, path in backups[: max(0, len(backups) - keep)]:
        for doomed in (path, keys.sidecar_path(path)):
            with contextlib.suppress(FileNotFoundError):
                doomed.unlink()
        removed.append(path)
    return removed
