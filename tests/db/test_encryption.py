"""The file is really encrypted: names written through the app are nowhere on disk."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from casework.db.engine import PLAIN_SQLITE_HEADER
from casework.services import people
from tests.conftest import NOW, Opened

NAMES = ("Zephyrine", "Quillfeather")


def _files(opened: Opened) -> list[bytes]:
    out = []
    for suffix in ("", "-wal", "-shm"):
        target = opened.path.with_name(opened.path.name + suffix)
        if target.exists():
            out.append(target.read_bytes())
    return out


def test_names_are_in_no_file_while_open(empty_db: Opened) -> None:
    lead = empty_db.login("lead")
    people.create_young_person(
        empty_db.db,
        lead,
        people.YoungPersonInput(
            child_uid="ENC-1",
            first_name=NAMES[0],
            last_name=NAMES[1],
            date_of_birth=date(2008, 3, 4),
            sex="female",
            ethnicity="WBRI",
            disability="no",
            uasc=False,
            eligibility="relevant",
            team_id=next(iter(lead.team_ids)),
        ),
        now=NOW,
    )
    blobs = _files(empty_db)
    assert len(blobs) >= 2, "expected the database and its write-ahead log on disk"
    for name in NAMES:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            needle = name.encode(encoding)
            assert all(needle not in blob for blob in blobs), (name, encoding)
    assert all(not blob.startswith(PLAIN_SQLITE_HEADER) for blob in blobs[:1])


def test_plain_sqlite_cannot_read_it(empty_db: Opened) -> None:
    empty_db.db.close()
    conn = sqlite3.connect(empty_db.path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()
