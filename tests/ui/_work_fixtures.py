"""Helpers for the My work, caseload status and chronology tests.

They build on ``tests.ui._fixtures`` (a fresh copy of a 60-person demo database signed in
as the lead of Leaving Care North); load both with
``pytest_plugins = ["tests.ui._fixtures", "tests.ui._work_fixtures"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, or_, select

from casework.db.models import User, YoungPerson
from casework.services import auth
from casework.services.permissions import Actor

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

PASSWORD = "correct-staple-2026"  # every demo account's, in tests/ui/_fixtures.py
TIMEOUT = 10_000


def busiest_practitioner(env: Env) -> str:
    """The username of the practitioner allocated to the most young people."""
    with env.db.reading() as session:
        cases = (
            select(func.count(YoungPerson.id))
            .where(
                or_(
                    YoungPerson.personal_adviser_id == User.id,
                    YoungPerson.social_worker_id == User.id,
                )
            )
            .scalar_subquery()
        )
        username = session.scalar(
            select(User.username)
            .where(User.role == "practitioner", User.active.is_(True))
            .order_by(cases.desc(), User.id)
            .limit(1)
        )
    assert username is not None
    return username


@pytest.fixture
def practitioner(env: Env) -> Actor:
    """The practitioner with the most cases, signed in."""
    return auth.login(env.db, busiest_practitioner(env), PASSWORD, now=env.now)


__all__ = ["PASSWORD", "TIMEOUT", "busiest_practitioner", "practitioner"]
