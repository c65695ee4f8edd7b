"""Shared fixtures: fixed clocks, fast key derivation, and fresh databases copied from
templates built once per session (real SQLCipher files, never mocks)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casework.db import keys
from casework.db.database import Database, open_database, unlock
from casework.services import auth, demo, setup
from casework.services.permissions import Actor

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
PASSPHRASE = "test passphrase for casework"
PASSWORD = "correct-staple-2026"
# Argon2id at its cheapest: tests are about behaviour, not key-stretching cost.
FAST_KDF = keys.KdfParams(time_cost=1, memory_kib=1024, parallelism=1)


@dataclass
class Opened:
    db: Database
    path: Path

    def login(self, username: str) -> Actor:
        return auth.login(self.db, username, PASSWORD, now=NOW)


def _copy(src: Path, dst_dir: Path) -> Path:
    dst = dst_dir / src.name
    shutil.copy2(src, dst)
    shutil.copy2(keys.sidecar_path(src), keys.sidecar_path(dst))
    return dst


def _open(path: Path) -> Database:
    key, info = unlock(path, passphrase=PASSPHRASE)
    return open_database(path, key, info=info, now=NOW)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    db, _code, _summary = demo.create_demo_database(
        path, now=NOW, password=PASSWORD, people=40, seed=7, passphrase=PASSPHRASE, kdf=FAST_KDF
    )
    db.close()
    return path


@pytest.fixture(scope="session")
def full_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo large enough (200 young people) for every closure state: the demo closes only
    young people whose duties its reason lawfully ends (former relevant 21-24 and
    qualifying care leavers), and a 40-person demo holds too few of them."""
    path = tmp_path_factory.mktemp("full-demo") / "demo.db"
    db, _code, _summary = demo.create_demo_database(
        path, now=NOW, password=PASSWORD, people=200, seed=7, passphrase=PASSPHRASE, kdf=FAST_KDF
    )
    db.close()
    return path


@pytest.fixture
def full_demo(full_demo_template: Path, tmp_path: Path) -> Iterator[Opened]:
    path = _copy(full_demo_template, tmp_path)
    db = _open(path)
    yield Opened(db, path)
    db.close()


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "casework.db"
    first = setup.FirstUsers("admin", "Ada Admin", PASSWORD, "North", "lead", "Lee Lead", PASSWORD)
    db, _code = keys_create(path, first)
    db.close()
    return path


def keys_create(path: Path, first: setup.FirstUsers) -> tuple[Database, str]:
    from casework.db.database import create_database

    return create_database(
        path,
        now=NOW,
        passphrase=PASSPHRASE,
        kdf=FAST_KDF,
        initialise=setup.initialiser(first, NOW),
    )


def _records_match_the_trail(request: pytest.FixtureRequest, db: Database) -> None:
    """After every test that works through Casework, every row still matches its latest
    audit event: no write path escapes the trail."""
    if request.node.get_closest_marker("tampers") is not None:
        return
    from sqlalchemy.exc import DBAPIError

    from casework.errors import CaseworkError
    from casework.services import audit

    try:
        with db.reading() as session:
            problems = [str(p) for p in audit.verify_records(session)]
    except (DBAPIError, CaseworkError):  # the test replaced or damaged the file
        return
    assert problems == [], problems[:5]


@pytest.fixture
def demo_db(
    demo_template: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Opened]:
    path = _copy(demo_template, tmp_path)
    db = _open(path)
    yield Opened(db, path)
    _records_match_the_trail(request, db)
    db.close()


@pytest.fixture
def empty_db(
    empty_template: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Opened]:
    path = _copy(empty_template, tmp_path)
    db = _open(path)
    yield Opened(db, path)
    _records_match_the_trail(request, db)
    db.close()
