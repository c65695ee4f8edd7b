"""Fixtures for the caseload and record screen tests.

Test modules load this with ``pytest_plugins``. One demo database (60 young people) is
built per session and copied for each test, with its key in an in-memory key store.
Workers started by a test are waited for before its database is closed.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from sqlalchemy import func, or_, select

from casework.db import keys
from casework.db.database import Database, open_database, unlock
from casework.db.models import YoungPerson
from casework.services import auth, demo
from casework.services.permissions import Actor

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
PASSWORD = "correct-staple-2026"
PEOPLE = 60
_KEY_STORE = keys.MemoryKeyStore()


@dataclass
class Env:
    """A fresh copy of the demo database, signed in as the lead of Leaving Care North."""

    db: Database
    lead: Actor
    now: datetime = NOW

    @staticmethod
    def clock() -> datetime:
        return NOW

    def count(self, *conditions: object) -> int:
        with self.db.reading() as session:
            return session.scalar(select(func.count(YoungPerson.id)).where(*conditions)) or 0

    def lead_caseload_count(self) -> int:
        lead = self.lead
        return self.count(
            or_(
                YoungPerson.team_id.in_(lead.team_ids),
                YoungPerson.social_worker_id == lead.user_id,
                YoungPerson.personal_adviser_id == lead.user_id,
            )
        )

    def person(self, **where: object) -> YoungPerson:
        """The first young person matching ``where``; an open case unless an id is given."""
        stmt = select(YoungPerson).filter_by(**where)
        if "id" not in where:
            stmt = stmt.where(YoungPerson.closed_on.is_(None))
        with self.db.reading() as session:
            found = session.scalars(stmt).first()
            assert found is not None
            return found

    def other_team_person_id(self) -> int:
        with self.db.reading() as session:
            found = session.scalar(
                select(YoungPerson.id).where(
                    YoungPerson.team_id.not_in(self.lead.team_ids),
                    or_(
                        YoungPerson.social_worker_id.is_(None),
                        YoungPerson.social_worker_id != self.lead.user_id,
                    ),
                    or_(
                        YoungPerson.personal_adviser_id.is_(None),
                        YoungPerson.personal_adviser_id != self.lead.user_id,
                    ),
                )
            )
            assert found is not None
            return found


def _build_template(folder: Path, people: int = PEOPLE) -> Path:
    path = folder / "caseload.db"
    db, _code, _summary = demo.create_demo_database(
        path,
        now=NOW,
        password=PASSWORD,
        people=people,
        seed=11,
        key_store=_KEY_STORE,
        kdf=keys.KdfParams(time_cost=1, memory_kib=1024, parallelism=1),
    )
    db.close()
    return path


@pytest.fixture(scope="session")
def ui_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_template(tmp_path_factory.mktemp("ui-template"))


@pytest.fixture(scope="session")
def large_ui_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 young people: enough lawful closures in a month for every closure-audit state
    (the demo closes only cases its closure reason lawfully ends)."""
    return _build_template(tmp_path_factory.mktemp("ui-large-template"), people=200)


@pytest.fixture
def env(ui_template: Path, tmp_path: Path, qapp: object) -> Iterator[Env]:
    yield from _env(ui_template, tmp_path)


@pytest.fixture
def large_env(large_ui_template: Path, tmp_path: Path, qapp: object) -> Iterator[Env]:
    yield from _env(large_ui_template, tmp_path)


def _env(template: Path, tmp_path: Path) -> Iterator[Env]:
    path = tmp_path / template.name
    shutil.copy2(template, path)
    shutil.copy2(keys.sidecar_path(template), keys.sidecar_path(path))
    key, info = unlock(path, key_store=_KEY_STORE)
    db = open_database(path, key, info=info)
    try:
        yield Env(db, auth.login(db, demo.DEMO_LEAD_USERNAME, PASSWORD, now=NOW))
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)
        db.close()


__all__ = ["NOW", "Env", "env", "large_env", "large_ui_template", "ui_template"]
