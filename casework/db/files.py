"""The files around a database: checks before SQLCipher touches them, the journal left
beside it, private files written whole, and temporary files cleaned at the next start.

SQLite applies a write-ahead log (``<name>-wal``) or a rollback journal
(``<name>-journal``) found beside a database the first time it reads it, and folds the
log into the main file when the last connection closes, even when every read failed.
A log from another database (or from another copy of this one) would be written into
this file for good. So, before any connection that may write, a log with frames in it
is tried on a private copy; one that does not decrypt with this database's key, or
leaves the copy inconsistent, is set aside (renamed with the time, kept, reported) and
never applied.

Every file Casework writes that can hold personal data is created owner-only (0600,
folders 0700) by passing the mode to ``open``/``mkdir`` (the umask can only remove
bits, never add them), written under a temporary name and moved into place whole.
Temporary files carry the writer's process id; ``tidy`` removes those whose process has
gone, so a killed command leaves nothing behind after the next start.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import struct
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from casework.errors import (
    DatabaseDamaged,
    DatabaseFileMissing,
    FileAccessProblem,
    NotACaseworkDatabase,
)

PAGE_SIZE = 4096  # SQLCipher 4's page size; Casework never changes it
WAL_HEADER_BYTES = 32
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
TEMP_MARK = ".casework-tmp-"
COMPANIONS = ("-wal", "-shm", "-journal")
SET_ASIDE_MARK = ".set-aside-"
ENV_STATE_DIR = "CASEWORK_STATE_DIR"


# --- plain messages for operating-system errors -----------------------------------------------


def os_problem(exc: OSError, what: str) -> FileAccessProblem:
    """A plain message for an operating-system error while working on ``what``."""
    reason = {
        errno.EACCES: "permission denied (ask IT to give your account access)",
        errno.EPERM: "the operation is not permitted (ask IT to give your account access)",
        errno.EROFS: "the disk is read-only",
        errno.ENOSPC: "the disk is full (free some space and try again)",
        errno.EDQUOT: "your disk quota is used up (free some space and try again)",
        errno.EISDIR: "it is a folder, not a file",
        errno.ENOTDIR: "part of the path is a file, not a folder",
        errno.ENOENT: "it does not exist",
        errno.EEXIST: "it already exists",
        errno.EIO: "the disk reported an input/output error (the disk may be failing)",
        errno.ENAMETOOLONG: "the name is too long",
    }.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return FileAccessProblem(f"Cannot use {what}: {reason}.")


# --- checks before SQLCipher touches the file ---------------------------------------------------


def check_database_file(path: Path, *, need_write: bool = True) -> None:
    """Refuse, with a message that says what to do, a database path SQLite should not open.

    Reads at most the first 16 bytes; never writes.
    """
    _check_is_file(path)
    _check_contents(path)
    _check_companions(path)
    if need_write:
        _check_writable(path)


def _check_is_file(path: Path) -> None:
    try:
        path.stat()
    except FileNotFoundError:
        pass
    except NotADirectoryError:
        raise FileAccessProblem(
            f"{path.parent} is a file, not a folder, so there is no database at {path}. "
            "Check the location. Nothing was changed."
        ) from None
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise FileAccessProblem(
                f"Your account is not allowed to look inside the folder {path.parent}. Ask "
                "IT to give your account access to it. Nothing was changed."
            ) from None
        raise os_problem(exc, str(path)) from None
    if path.is_dir():
        raise FileAccessProblem(
            f"{path} is a folder, not a database file. Give the path of the database file "
            f"itself (for example {path / 'casework.db'}). Nothing was changed."
        )
    if not path.exists():
        if path.is_symlink():
            raise DatabaseFileMissing(
                f"{path} is a link to a file that does not exist. Check the location. "
                "Nothing was changed."
            )
        raise DatabaseFileMissing(
            f"There is no database at {path}. Check the location, or create a new database."
        )
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise FileAccessProblem(
            f"{path} is not an ordinary file, so it cannot be a database. Check the "
            "location. Nothing was changed."
        )


def _check_contents(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise FileAccessProblem(
                f"Your account is not allowed to read the database file {path}. Ask IT to "
                "give your account read and write access to it and its key file. Nothing "
                "was changed."
            ) from None
        raise os_problem(exc, f"the database file {path}") from None
    try:
        head = os.read(fd, len(PLAIN_SQLITE_HEADER))
    except OSError as exc:
        raise os_problem(exc, f"the database file {path}") from None
    finally:
        os.close(fd)
    size = path.stat().st_size
    if size == 0:
        raise DatabaseDamaged(
            f"The database file {path} is empty (0 bytes): it was not written completely, or "
            "it was emptied. Nothing was changed. Restore it and its key file from a backup "
            "(casework-admin restore)."
        )
    if head == PLAIN_SQLITE_HEADER:
        raise NotACaseworkDatabase(
            f"{path} is an unencrypted SQLite file, not a Casework database (Casework "
            "databases are always encrypted). Check the location. Nothing was changed."
        )
    if size % PAGE_SIZE:
        raise DatabaseDamaged(
            f"The database file {path} is cut short or has bytes added to it ({size} bytes is "
            f"not a whole number of {PAGE_SIZE}-byte pages), so it is damaged. Nothing was "
            "changed. Restore it and its key file from a backup (casework-admin restore)."
        )


def _check_companions(path: Path) -> None:
    for suffix in COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if companion.is_symlink() or (companion.exists() and not companion.is_file()):
            raise FileAccessProblem(
                f"{companion} is in the way: SQLite keeps its journal under that name, and it "
                "is not an ordinary file. Move it out of the folder, then try again. Nothing "
                "was changed."
            )
        if companion.exists() and not os.access(companion, os.R_OK | os.W_OK):
            raise FileAccessProblem(
                f"Your account cannot read and write {companion}, the journal SQLite keeps "
                "beside the database. Ask IT to give your account access to it. Nothing was "
                "changed."
            )


def _check_writable(path: Path) -> None:
    folder = path.parent
    if not os.access(path, os.W_OK):
        raise FileAccessProblem(
            f"The database file {path} is read-only for your account, and Casework writes to "
            "it (every opening of a record is audited). Ask IT to make it writable by your "
            "account, or copy it and its key file to a folder you can write to. Nothing was "
            "changed."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileAccessProblem(
            f"The folder {folder} is read-only for your account. While a database is open, "
            "SQLite keeps its journal (files ending -wal and -shm) beside it, so Casework must "
            "be able to create files there. Ask IT to make the folder writable by your "
            "account, or copy the database and its key file to a folder you can write to. "
            "The database itself is not damaged, and nothing was changed."
        )


def wal_has_frames(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    try:
        return wal.stat().st_size > WAL_HEADER_BYTES
    except FileNotFoundError:
        return False


def in_use_elsewhere(path: Path) -> bool:
    """True when another process has the database open.

    SQLite holds a shared lock on byte 128 of ``<name>-shm`` for as long as a connection
    is open in WAL mode (its "dead man switch"); a test lock shows whether one is held.
    Only Linux and macOS are asked; elsewhere the answer is False.
    """
    shm = Path(f"{path}-shm")
    if not shm.exists():
        return False
    if sys.platform.startswith("linux"):
        layout, order = "hhqqi", ("type", "whence", "start", "len", "pid")
    elif sys.platform == "darwin":
        layout, order = "qqihh", ("start", "len", "pid", "type", "whence")
    else:
        return False
    import fcntl

    fields = {"type": fcntl.F_WRLCK, "whence": 0, "start": 128, "len": 1, "pid": 0}
    try:
        fd = os.open(shm, os.O_RDONLY)
    except OSError:
        return False
    try:
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(layout, *(fields[k] for k in order)))
    except OSError:
        return False
    finally:
        os.close(fd)
    got = dict(zip(order, struct.unpack(layout, answer), strict=True))
    return bool(got["type"] != fcntl.F_UNLCK)


def set_aside(path: Path, suffixes: tuple[str, ...], now: datetime) -> list[Path]:
    """Rename the companions of ``path`` out of SQLite's way, keeping them."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    moved = []
    for suffix in suffixes:
        source = Path(f"{path}{suffix}")
        if not source.exists():
            continue
        target = Path(f"{path}{suffix}{SET_ASIDE_MARK}{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = Path(f"{path}{suffix}{SET_ASIDE_MARK}{stamp}-{n}")
        try:
            os.rename(source, target)
        except OSError as exc:
            raise os_problem(exc, f"{source} (it could not be set aside)") from None
        moved.append(target)
    return moved


# --- private files --------------------------------------------------------------------------------


def missing_folders(path: Path) -> list[Path]:
    """``path`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    return missing


def remove_empty(folders: list[Path]) -> None:
    """Remove folders this process made, deepest first, if they are still empty."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as a folder only its owner can enter."""
    missing = missing_folders(path)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, PRIVATE_DIR)
    if missing:
        os.chmod(path, PRIVATE_DIR)
    return path


def make_private(path: Path) -> None:
    """Tighten a folder Casework owns to 0700 (an older version may have left it open)."""
    with contextlib.suppress(OSError):
        if path.is_dir() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, PRIVATE_DIR)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def temp_name(prefix: str = "") -> str:
    """A temporary name that says who wrote it (``tidy`` needs that) and nothing else."""
    return f"{prefix}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(6)}"


def _writer_pid(name: str) -> int | None:
    if TEMP_MARK not in name:
        return None
    rest = name.split(TEMP_MARK, 1)[1]
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def state_dir() -> Path:
    """Casework's own folder for bookkeeping (not the database's folder)."""
    given = os.environ.get(ENV_STATE_DIR)
    if given:
        return Path(given)
    from platformdirs import user_data_path

    return user_data_path("Casework", appauthor=False)


def _pending_dir() -> Path:
    return state_dir() / "pending"


def _register(tmp: Path) -> Path | None:
    """Note a temporary file written outside Casework's folders, so the next start can
    remove it if this process is killed. Best effort: the note is not personal data."""
    try:
        folder = private_dir(_pending_dir())
        note = folder / temp_name()
        fd = os.open(note, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(str(tmp))
        return note
    except OSError:
        return None


@contextlib.contextmanager
def private_output(target: Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a temporary owner-only file beside ``target``; once the block ends without an
    error it is synced and moved to ``target`` whole. On any failure nothing is left."""
    folder = target.parent
    if target.is_dir():
        raise FileAccessProblem(f"{target} is a folder: choose a file name. Nothing was written.")
    if not replace and target.exists():
        raise FileAccessProblem(f"{target} already exists. Nothing was written.")
    tmp = folder / temp_name(".")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    except OSError as exc:
        raise os_problem(exc, f"the folder {folder}") from None
    os.close(fd)
    note = _register(tmp)
    try:
        yield tmp
        os.chmod(tmp, PRIVATE_FILE)  # whatever wrote it may have re-created the file
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # never over a file that appeared meanwhile
            except FileExistsError:
                raise FileAccessProblem(
                    f"{target} appeared while it was being written. Nothing was written."
                ) from None
    except OSError as exc:
        raise os_problem(exc, str(target)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if note is not None:
            with contextlib.suppress(OSError):
                os.unlink(note)


@contextlib.contextmanager
def staging(near: Path) -> Iterator[Path]:
    """A private folder beside ``near`` for work in progress (a database being created or
    checked, a backup being written). It is noted, so the next start removes it if this
    process is killed, wherever it is, and removed with its note when the block ends."""
    import tempfile

    try:
        stage = Path(tempfile.mkdtemp(prefix=temp_name(f".{near.name}") + "-", dir=near.parent))
    except OSError as exc:
        raise os_problem(exc, f"the folder {near.parent}") from None
    note = _register(stage)
    try:
        yield stage
    finally:
        remove_tree(stage)
        if note is not None:
            with contextlib.suppress(OSError):
                os.unlink(note)


def write_private(target: Path, data: bytes, *, replace: bool = False) -> None:
    with private_output(target, replace=replace) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


# --- clean-up at the next start -------------------------------------------------------------------


def remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            path.unlink()


def tidy_pending() -> int:
    """Remove temporary files noted by processes that were killed before finishing."""
    removed = 0
    folder = _pending_dir()
    try:
        notes = list(folder.iterdir())
    except OSError:
        return 0
    for note in notes:
        pid = _writer_pid(note.name)
        if pid is None or _alive(pid):
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            tmp = Path(note.read_text(encoding="utf-8").strip())
            if TEMP_MARK in tmp.name and tmp.exists():
                remove_tree(tmp)
                removed += 1
        with contextlib.suppress(OSError):
            note.unlink()
    return removed


def tidy(path: Path, *, is_orphan_key_file: Callable[[Path, Path], bool]) -> int:
    """Remove what killed Casework processes left beside the database at ``path``.

    Temporary files and folders whose writer is gone go. A key file left without its
    database by a creation that was killed between its two steps (the staging folder
    still holds the same key file) is removed, so a killed creation leaves nothing.
    ``is_orphan_key_file(key_file, staged)`` decides whether the two key files match.
    """
    removed = tidy_pending()
    folder = path.parent
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    from casework.db.keys import sidecar_path

    for entry in entries:
        pid = _writer_pid(entry.name)
        if pid is None or _alive(pid):
            continue
        ours = (f".{path.name}{TEMP_MARK}", f"{path.name}.keys.json", f".{TEMP_MARK}")
        if not entry.name.startswith(ours):
            continue
        staged_key_file = entry / sidecar_path(path).name
        real_key_file = sidecar_path(path)
        if (
            entry.is_dir()
            and not path.exists()
            and real_key_file.is_file()
            and staged_key_file.is_file()
            and is_orphan_key_file(real_key_file, staged_key_file)
        ):
            with contextlib.suppress(OSError):
                real_key_file.unlink()
        remove_tree(entry)
        removed += 1
    return removed
