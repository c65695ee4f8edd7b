"""Creating, unlocking, opening and recovering a Casework database file.

Nothing here ever creates a key or a database over an existing file, and every
failure leaves the file byte-for-byte as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from casework.db import due_snapshots, files, keys
from casework.db import engine as engines
from casework.db.migrate import backup_before_upgrade, needs_upgrade, upgrade
from casework.db.models import Setting
from casework.errors import (
    DatabaseAlreadyExists,
    DatabaseDamaged,
    EditConflict,
    FileAccessProblem,
    KeyringEntryMissing,
    NotACaseworkDatabase,
    Refusal,
    ValidationFailed,
    WrongPassphrase,
)

DATABASE_ID_SETTING = "database_id"
STALE_WRITE = (
    "Someone else saved a change to this record while yours was being saved, so yours "
    "was not saved and nothing of theirs was overwritten. Reopen the record to see their "
    "change, then make yours again."
)
ProgressFn = Callable[[str], None]


@dataclass
class Database:
    """An open database. Sessions are made per unit of work and never cross threads."""

    path: Path
    engine: Engine
    key_info: keys.KeyInfo
    upgraded_from: str | None = None
    backup_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    # Kept for backups (sqlcipher_export keys the copy with it); never printed.
    key: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readonly = sessionmaker(
            self.engine.execution_options(**{engines.READONLY_OPTION: True}),
            expire_on_commit=False,
        )
        # Any change to a young person's facts deletes their due snapshot in its own
        # transaction (casework.db.due_snapshots).
        due_snapshots.install([self._sessions])

    # Where the records are: "file" here, "server" for a team server (casework.db.server).
    backend: ClassVar[str] = "file"

    @property
    def database_id(self) -> str:
        return self.key_info.database_id

    @property
    def location(self) -> str:
        """Where the records are, for people: the file's path here."""
        return str(self.path)

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction (``BEGIN IMMEDIATE``, so two writers serialise): committed
        when the block ends, rolled back on any error. A use case checks permission inside
        it, so nothing can change between the check and the write. A :class:`Refusal`
        rolls the transaction back, commits only the refusal's audit row, and raises the
        refusal's own error."""
        with _plain_errors(), self._sessions() as session:
            try:
                with session.begin():
                    yield session
            except Refusal as refusal:
                with session.begin():
                    refusal.record(session)
                raise refusal.error from None
            except StaleDataError:
                # A row changed underneath this transaction (its version moved on): the
                # write matched nothing and everything was rolled back.
                raise EditConflict(STALE_WRITE) from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot that never waits for writers."""
        with _plain_errors(), self._readonly() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


@contextlib.contextmanager
def _plain_errors() -> Iterator[None]:
    """A damaged page, a full disk or a read-only file becomes a plain message."""
    try:
        yield
    except DBAPIError as exc:
        plain = engines.plain_error(exc)
        if plain is None:
            raise
        raise plain from None


def exists(path: Path) -> bool:
    return path.exists() or keys.sidecar_path(path).exists()


def create_database(
    path: Path,
    *,
    now: datetime,
    key_store: keys.KeyStore | None = None,
    passphrase: str | None = None,
    kdf: keys.KdfParams | None = None,
    initialise: Callable[[Session], None] | None = None,
    progress: ProgressFn | None = None,
) -> tuple[Database, str]:
    """Create a new encrypted database; returns it open, with the recovery code.

    Exactly one of ``key_store`` (keyring mode) or ``passphrase`` is given.
    ``initialise`` runs inside the creating transaction (first users, settings), so a
    failure there leaves no database behind.
    """
    if (key_store is None) == (passphrase is None):
        raise ValueError("give exactly one of key_store or passphrase")
    if passphrase is not None and (problems := keys.passphrase_problems(passphrase)):
        raise ValidationFailed(problems)
    if exists(path):
        raise DatabaseAlreadyExists(
            f"A database already exists at {path}. Casework never creates a database over "
            "an existing one: choose another location or open it instead."
        )
    tidy(path)
    if path.parent.is_file():
        raise FileAccessProblem(f"{path.parent} is a file, not a folder: choose another location.")
    made = files.missing_folders(path.parent)
    try:
        files.private_dir(path.parent)
    except OSError as exc:
        raise files.os_problem(exc, f"the folder {path.parent}") from None
    key = keys.new_key()
    code = keys.new_recovery_code()
    try:
        if progress:
            progress("protecting the key")
        info = keys.make_key_info(
            key, str(uuid.uuid4()), code, passphrase=passphrase, params=kdf or keys.KdfParams()
        )
        _build_and_link(path, key, info, now, key_store, initialise, progress)
    except BaseException:
        files.remove_empty(made)  # a failed creation leaves no folder behind either
        raise
    return open_database(path, key, info=info), code


def _build_and_link(
    path: Path,
    key: bytes,
    info: keys.KeyInfo,
    now: datetime,
    key_store: keys.KeyStore | None,
    initialise: Callable[[Session], None] | None,
    progress: ProgressFn | None,
) -> None:
    """Build both files in a private staging folder and link them into place, key file
    first. A creation killed between the two links leaves a key file whose twin is still
    in the staging folder: ``tidy`` (run before every open and creation) removes both, so
    a killed creation leaves either nothing or a complete database."""
    with files.staging(path) as stage:
        _link_built(stage / path.name, path, key, info, now, key_store, initialise, progress)


def _link_built(
    tmp: Path,
    path: Path,
    key: bytes,
    info: keys.KeyInfo,
    now: datetime,
    key_store: keys.KeyStore | None,
    initialise: Callable[[Session], None] | None,
    progress: ProgressFn | None,
) -> None:
    try:
        _build(tmp, key, info.database_id, now, initialise, progress)
        if key_store is not None:
            key_store.put(info.database_id, key)
        staged_keys = keys.sidecar_path(tmp)
        keys.write_key_info(staged_keys, info, replace=False)
        try:
            os.link(staged_keys, keys.sidecar_path(path))
        except FileExistsError:
            raise DatabaseAlreadyExists(f"A key file appeared at {path} meanwhile.") from None
        try:
            os.link(tmp, path)
        except FileExistsError:
            keys.sidecar_path(path).unlink()
            raise DatabaseAlreadyExists(f"A database appeared at {path} meanwhile.") from None
    except OSError as exc:
        raise files.os_problem(exc, f"the folder {path.parent}") from None


def tidy(path: Path) -> int:
    """Remove what killed Casework processes left beside ``path`` (see ``files.tidy``);
    run at every start, before the database is opened or created."""
    from casework.db.locations import tighten_default_folder

    tighten_default_folder(path)

    def same_key_file(real: Path, staged: Path) -> bool:
        try:
            return real.read_bytes() == staged.read_bytes()
        except OSError:
            return False

    return files.tidy(path, is_orphan_key_file=same_key_file)


def _build(
    tmp: Path,
    key: bytes,
    database_id: str,
    now: datetime,
    initialise: Callable[[Session], None] | None,
    progress: ProgressFn | None,
) -> None:
    # The file holds personal data (encrypted): readable by its owner only.
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    raw = engines.make_engine(tmp, key, foreign_keys=False, pooled=False)
    try:
        engines.run_outside_transaction(raw, "PRAGMA journal_mode = WAL")
        if progress:
            progress("creating the tables")
        upgrade(raw)
    finally:
        raw.dispose()
    eng = engines.make_engine(tmp, key, pooled=False)
    try:
        with Session(eng) as session, session.begin():
            session.add(Setting(key=DATABASE_ID_SETTING, value=database_id))
            session.add(Setting(key="created_at", value=now.isoformat()))
            if initialise is not None:
                if progress:
                    progress("adding the first users")
                initialise(session)
        engines.checkpoint(eng)
    finally:
        eng.dispose()


def unlock(
    path: Path,
    *,
    key_store: keys.KeyStore | None = None,
    passphrase: str | None = None,
) -> tuple[bytes, keys.KeyInfo]:
    """The key for ``path`` from the keyring or the passphrase, checked against the sidecar."""
    files.check_database_file(path)
    info = keys.read_key_info(path)
    if info.mode == "passphrase":
        if passphrase is None:
            raise WrongPassphrase("This database needs its passphrase to open.")
        return keys.unlock_with_passphrase(info, passphrase), info
    if key_store is None:
        raise KeyringEntryMissing("This database keeps its key in the OS keyring.")
    key = key_store.get(info.database_id)
    if not info.matches(key):
        raise KeyringEntryMissing(
            "The key in this computer's keyring does not belong to this database. "
            "Use the recovery code to restore access."
        )
    return key, info


def open_database(
    path: Path,
    key: bytes,
    *,
    info: keys.KeyInfo | None = None,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
) -> Database:
    """Open (and if needed upgrade) a database. ``now`` dates the pre-upgrade copy.

    Nothing that might write runs before the file has been checked, read with its key
    through a connection that cannot write, and any journal beside it found to belong.
    """
    files.check_database_file(path)
    info = info or keys.read_key_info(path)
    if not info.matches(key):
        raise NotACaseworkDatabase("That key does not belong to this database.")
    engines.probe(path, key)
    notes = settle_journal(path, key, info, now=now or datetime.now(UTC), progress=progress)
    try:
        return _open_checked(path, key, info, now, progress, notes)
    except DBAPIError as exc:
        plain = engines.plain_error(exc)
        if plain is None:
            raise
        raise plain from None


def _open_checked(
    path: Path,
    key: bytes,
    info: keys.KeyInfo,
    now: datetime | None,
    progress: ProgressFn | None,
    notes: list[str],
) -> Database:
    upgraded_from: str | None = None
    backup: Path | None = None
    raw = engines.make_engine(path, key, foreign_keys=False, pooled=False)
    try:
        upgraded_from = needs_upgrade(raw)
        if upgraded_from is not None:
            if now is None:
                raise ValueError("an upgrade needs the current time for its backup name")
            if progress:
                progress("copying the database before upgrading it")
            backup = backup_before_upgrade(path, raw, upgraded_from, now)
            upgrade(raw)
    finally:
        raw.dispose()
    eng = engines.make_engine(path, key)
    try:
        engines.self_test(eng, path)
        with Session(eng) as session:
            stored = session.get(Setting, DATABASE_ID_SETTING)
        if stored is None or stored.value != info.database_id:
            raise NotACaseworkDatabase(
                "The key file beside this database belongs to a different database. "
                "Nothing was changed."
            )
    except BaseException:
        eng.dispose()
        raise
    return Database(path, eng, info, upgraded_from, backup, notes, key)


def settle_journal(
    path: Path,
    key: bytes,
    info: keys.KeyInfo,
    *,
    now: datetime,
    progress: ProgressFn | None = None,
) -> list[str]:
    """Make sure no journal that does not belong to ``path`` is ever applied to it.

    Returns a note for each file set aside. Leaves everything alone while another
    process has the database open (its journal is live). A rollback journal never
    belongs (Casework databases always use write-ahead logging). A write-ahead log with
    frames belongs when, applied to a private copy, the copy still reads with this key,
    names this database and passes SQLCipher's and SQLite's checks. When it does not,
    and the main file alone is sound, the log and its index are set aside; when the main
    file itself is damaged, nothing is moved and the damage is reported.
    """
    if files.in_use_elsewhere(path):
        return []
    notes: list[str] = []
    journal = Path(f"{path}-journal")
    if journal.exists() and journal.stat().st_size > 0:
        for moved in files.set_aside(path, ("-journal",), now):
            notes.append(_set_aside_note("a rollback journal", moved))
    if not files.wal_has_frames(path):
        return notes
    if progress:
        progress("checking the journal left by an unfinished session")
    if _wal_belongs(path, key, info):
        return notes
    conn = engines.readonly_connect(path, key)
    try:
        bad = engines.damaged_pages(conn)
    finally:
        conn.close()
    if bad:
        raise DatabaseDamaged(engines.DAMAGED.format(where=f" ({bad[0]})"))
    for moved in files.set_aside(path, ("-wal", "-shm"), now):
        notes.append(_set_aside_note("a write-ahead log", moved))
    return notes


def _set_aside_note(what: str, moved: Path) -> str:
    return (
        f"Beside the database was {what} that does not belong to it (it does not read with "
        f"this database's key, or does not fit this file). It was not applied: it was set "
        f"aside, unchanged, as {moved.name}. Keep it for IT if work seems to be missing."
    )


def _wal_belongs(path: Path, key: bytes, info: keys.KeyInfo) -> bool:
    """Apply the log to a private copy (never the file itself) and check the result."""
    with files.staging(path) as stage:
        return _log_fits_copy(path, stage / "check.db", key, info)


def _log_fits_copy(path: Path, copy: Path, key: bytes, info: keys.KeyInfo) -> bool:
    try:
        shutil.copyfile(path, copy)
        shutil.copyfile(f"{path}-wal", f"{copy}-wal")
        conn = engines.raw_connect(copy, key)
        try:
            row = conn.execute(
                "SELECT value FROM settings WHERE key = ?", (DATABASE_ID_SETTING,)
            ).fetchone()
            if row is None or row[0] != info.database_id:
                return False
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy is None or busy[0] != 0:
                return False
            if engines.damaged_pages(conn):
                return False
            return [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] == ["ok"]
        finally:
            conn.close()
    except sqlcipher.Error:
        return False
    except OSError as exc:
        raise files.os_problem(exc, f"the folder {path.parent} (to check the journal)") from None


def recover(
    path: Path,
    code: str,
    *,
    key_store: keys.KeyStore | None = None,
    new_passphrase: str | None = None,
) -> keys.KeyInfo:
    """Restore access with the recovery code: put the key back in the keyring, or set a
    new passphrase. Only the sidecar is rewritten (atomically); the database is untouched.
    """
    if (key_store is None) == (new_passphrase is None):
        raise ValueError("give exactly one of key_store or new_passphrase")
    files.check_database_file(path, need_write=False)
    info = keys.read_key_info(path)
    key = keys.unlock_with_recovery_code(info, code)
    engines.probe(path, key)
    if key_store is not None:
        key_store.put(info.database_id, key)
        new_info = keys.as_keyring_mode(info)
    else:
        assert new_passphrase is not None
        if problems := keys.passphrase_problems(new_passphrase):
            raise ValidationFailed(problems)
        new_info = keys.with_passphrase(info, key, new_passphrase)
    keys.write_key_info(keys.sidecar_path(path), new_info, replace=True)
    return new_info
