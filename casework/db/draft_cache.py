"""The laptop's small encrypted cache of notes the team server could not take yet.

When the team server cannot be reached, a contact note being written is kept here
until it can be sent. The cache is its own SQLCipher file in Casework's data folder
(owner-only, like every file Casework writes), encrypted with its own random 256-bit
key kept in the OS keyring (``KeyStore``); it is never created over an existing file,
and a file whose key is gone is reported, never replaced.

Each kept note is one row, written in one transaction: a process killed while keeping
it leaves the note kept whole or not at all. Notes belong to an owner (the team
server's database id and the person's user name) so a laptop shared by two workers, or
used with two servers, never sends one person's note as another's. The cache stores
what it is given as text; ``casework.services.offline_drafts`` decides what that is.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casework.db import engine as engines
from casework.db import keys
from casework.db.files import PRIVATE_FILE, os_problem, private_dir, state_dir
from casework.errors import CaseworkError, KeyringEntryMissing

FILE_NAME = "offline-drafts.db"
KEY_PREFIX = "offline-drafts-"
SCHEMA = """
CREATE TABLE IF NOT EXISTS kept_drafts (
    owner TEXT NOT NULL,
    slot TEXT NOT NULL,
    person_id INTEGER NOT NULL,
    contact_id INTEGER,
    title TEXT NOT NULL,
    payload TEXT NOT NULL,
    kept_at TEXT NOT NULL,
    refused TEXT,
    refused_at TEXT,
    PRIMARY KEY (owner, slot)
)
"""
_COLUMNS = "slot, person_id, contact_id, title, payload, kept_at, refused, refused_at"


class DraftCacheUnavailable(CaseworkError):
    """Notes cannot be kept on this laptop (no keyring, a lost key, a damaged file)."""


@dataclass(frozen=True)
class CachedDraft:
    """One kept note as stored: ``payload`` is the service's own text."""

    slot: str
    person_id: int
    contact_id: int | None
    title: str
    payload: str
    kept_at: datetime
    refused: str | None = None
    refused_at: datetime | None = None


def default_path() -> Path:
    """Beside Casework's other bookkeeping (``CASEWORK_STATE_DIR`` overrides it)."""
    return state_dir() / FILE_NAME


def key_name(path: Path) -> str:
    """The keyring entry of the cache at ``path`` (a digest: no user name, no folder)."""
    digest = hashlib.sha256(str(Path(os.path.abspath(path))).encode("utf-8")).hexdigest()
    return KEY_PREFIX + digest[:24]


def open_cache(path: Path, key_store: keys.KeyStore) -> DraftCache:
    """The cache at ``path``, created (with a new key in ``key_store``) if it is not there.

    Run on a worker: the keyring can be slow. Never writes over an existing file."""
    try:
        available = key_store.is_available()
    except CaseworkError as exc:
        raise DraftCacheUnavailable(_no_keyring(str(exc))) from None
    if not available:
        raise DraftCacheUnavailable(_no_keyring("No secure OS keyring is available."))
    name = key_name(path)
    if path.exists():
        try:
            key = key_store.get(name)
        except KeyringEntryMissing:
            raise DraftCacheUnavailable(LOST_KEY.format(path=path)) from None
        except CaseworkError as exc:
            raise DraftCacheUnavailable(_no_keyring(str(exc))) from None
        cache = DraftCache(path, key)
        cache.check()
        return cache
    try:
        key = key_store.get(name)  # a creation killed after storing the key: reuse it
    except KeyringEntryMissing:
        key = keys.new_key()
        key_store.put(name, key)
    except CaseworkError as exc:
        raise DraftCacheUnavailable(_no_keyring(str(exc))) from None
    return DraftCache.create(path, key)


class DraftCache:
    """Short keyed connections per call, so any thread may use it (never two at once per
    connection; SQLite's own locking orders writers)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._key = key

    @classmethod
    def create(cls, path: Path, key: bytes) -> DraftCache:
        try:
            private_dir(path.parent)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
        except FileExistsError:
            cache = cls(path, key)  # another Casework made it meanwhile
            cache.check()
            return cache
        except OSError as exc:
            raise DraftCacheUnavailable(str(os_problem(exc, str(path)))) from None
        os.close(fd)
        cache = cls(path, key)
        with cache._connection() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(SCHEMA)
        return cache

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        try:
            conn = engines.raw_connect(self.path, self._key)
        except Exception as exc:
            raise self._plain(exc) from None
        try:
            yield conn
        except CaseworkError:
            raise
        except Exception as exc:
            raise self._plain(exc) from None
        finally:
            conn.close()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Any]:
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _plain(self, exc: Exception) -> CaseworkError:
        if isinstance(exc, OSError) and exc.errno not in (None, errno.EEXIST):
            return DraftCacheUnavailable(str(os_problem(exc, str(self.path))))
        plain = engines.plain_error(exc)
        if plain is not None:
            return DraftCacheUnavailable(f"{DAMAGED.format(path=self.path)} ({plain})")
        return DraftCacheUnavailable(DAMAGED.format(path=self.path))

    def check(self) -> None:
        """Refuse a file that does not open with its key or lacks the cache's table."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kept_drafts'"
            ).fetchone()
        if not row or row[0] != 1:
            raise DraftCacheUnavailable(DAMAGED.format(path=self.path))

    # --- writing ---------------------------------------------------------------------------

    def put(
        self,
        owner: str,
        slot: str,
        *,
        person_id: int,
        contact_id: int | None,
        title: str,
        payload: str,
        now: datetime,
    ) -> None:
        """Keep (or replace) one note, whole, in one transaction. A note kept again is no
        longer marked refused: it is sent afresh."""
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO kept_drafts (owner, slot, person_id, contact_id, title, payload, "
                "kept_at, refused, refused_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL) "
                "ON CONFLICT (owner, slot) DO UPDATE SET person_id = excluded.person_id, "
                "contact_id = excluded.contact_id, title = excluded.title, "
                "payload = excluded.payload, kept_at = excluded.kept_at, refused = NULL, "
                "refused_at = NULL",
                (owner, slot, person_id, contact_id, title, payload, _stamp(now)),
            )

    def mark_refused(self, owner: str, slot: str, message: str, now: datetime) -> None:
        with self._writing() as conn:
            conn.execute(
                "UPDATE kept_drafts SET refused = ?, refused_at = ? WHERE owner = ? AND slot = ?",
                (message, _stamp(now), owner, slot),
            )

    def set_contact_id(self, owner: str, slot: str, contact_id: int) -> None:
        """The server now holds the note as draft ``contact_id``: a later send updates it."""
        with self._writing() as conn:
            conn.execute(
                "UPDATE kept_drafts SET contact_id = ? WHERE owner = ? AND slot = ?",
                (contact_id, owner, slot),
            )

    def remove(self, owner: str, slot: str, *, kept_at: datetime | None = None) -> bool:
        """Forget a note; with ``kept_at``, only if it was not kept again since (so text
        typed after the send began is never lost). True when a row went."""
        with self._writing() as conn:
            if kept_at is None:
                cur = conn.execute(
                    "DELETE FROM kept_drafts WHERE owner = ? AND slot = ?", (owner, slot)
                )
            else:
                cur = conn.execute(
                    "DELETE FROM kept_drafts WHERE owner = ? AND slot = ? AND kept_at = ?",
                    (owner, slot, _stamp(kept_at)),
                )
            return bool(cur.rowcount)

    # --- reading ---------------------------------------------------------------------------

    def list(self, owner: str) -> list[CachedDraft]:
        """The owner's kept notes, oldest first."""
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM kept_drafts WHERE owner = ? ORDER BY kept_at, slot",
                (owner,),
            ).fetchall()
        return [_draft(row) for row in rows]

    def get(self, owner: str, slot: str) -> CachedDraft | None:
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM kept_drafts WHERE owner = ? AND slot = ?",
                (owner, slot),
            ).fetchone()
        return None if row is None else _draft(row)

    def count(self, owner: str) -> int:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT count(*) FROM kept_drafts WHERE owner = ?", (owner,)
            ).fetchone()
        return int(row[0]) if row else 0


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("times are kept with their zone")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _draft(row: Any) -> CachedDraft:
    kept = _when(row[5])
    assert kept is not None
    return CachedDraft(
        slot=row[0],
        person_id=int(row[1]),
        contact_id=None if row[2] is None else int(row[2]),
        title=row[3],
        payload=row[4],
        kept_at=kept,
        refused=row[6],
        refused_at=_when(row[7]),
    )


def _no_keyring(reason: str) -> str:
    return (
        f"Notes cannot be kept on this laptop while the team server is unreachable: {reason} "
        "What you type stays on screen; copy it somewhere safe before closing Casework."
    )


LOST_KEY = (
    "The notes kept on this laptop ({path}) cannot be read: this computer's keyring no "
    "longer has their key (it may have been reset). The file was left as it is; ask IT."
)
DAMAGED = (
    "The notes kept on this laptop ({path}) cannot be read: the file is damaged or is not "
    "Casework's. It was left as it is; ask IT."
)
