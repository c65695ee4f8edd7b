"""Signing in: every attempt is audited, including those refused unchecked while a delay
runs, and a shared delay across every account stops a guesser spreading attempts over
user names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.db.models import AuditEvent
from casework.errors import LoginRefused
from casework.services import auth
from tests.conftest import NOW, PASSWORD, Opened


def _events(opened: Opened, action: str) -> list[AuditEvent]:
    with opened.db.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _fail(opened: Opened, name: str, password: str, when=NOW) -> LoginRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(LoginRefused) as caught:
        auth.login(opened.db, name, password, now=when)
    return caught.value


def test_attempts_refused_during_a_delay_are_audited(empty_db: Opened) -> None:
    for _ in range(4):
        _fail(empty_db, "lead", "wrong-password-x")
    assert len(_events(empty_db, "login_failed")) == 4
    refusal = _fail(empty_db, "lead", PASSWORD)  # the right password, refused unchecked
    assert "Try again in" in str(refusal)
    delayed = _events(empty_db, "login_delayed")
    assert len(delayed) == 1 and delayed[0].outcome == "denied"
    assert delayed[0].record_id is not None  # names the account, never the password


def test_password_recheck_refused_during_a_delay_is_audited(empty_db: Opened) -> None:
    actor = empty_db.login("lead")
    for _ in range(4):
        assert not auth.confirm_password(empty_db.db, actor, "wrong-password-x", now=NOW)
    with pytest.raises(LoginRefused):
        auth.confirm_password(empty_db.db, actor, PASSWORD, now=NOW)
    assert len(_events(empty_db, "password_check_delayed")) == 1


def test_spreading_guesses_over_accounts_meets_a_shared_delay(empty_db: Opened) -> None:
    # Three free failures for each of many names: after twenty in all, every name waits.
    names = [f"guess{n}" for n in range(7)] + ["lead"]
    waits = []
    for name in names:
        for _ in range(3):
            try:
                auth.login(empty_db.db, name, "wrong-password-x", now=NOW)
            except LoginRefused as refusal:
                waits.append(refusal.retry_after_seconds)
    assert waits[: auth.GLOBAL_FREE_FAILURES] == [0.0] * auth.GLOBAL_FREE_FAILURES
    assert waits[auth.GLOBAL_FREE_FAILURES] > 0
    # Even the right password for an account never guessed at waits now, and is audited.
    refusal = _fail(empty_db, "admin", PASSWORD)
    assert "this database" in str(refusal)
    assert _events(empty_db, "login_delayed")
    # After the wait, and a quiet spell, the right password works again.
    later = NOW + auth.GLOBAL_WINDOW + timedelta(seconds=auth.MAX_DELAY_SECONDS + 1)
    assert auth.login(empty_db.db, "admin", PASSWORD, now=later).username == "admin"


def test_global_delay_grows_and_is_capped() -> None:
    free = auth.GLOBAL_FREE_FAILURES
    assert [auth.global_delay_after(n) for n in (1, free, free + 1, free + 2)] == [0, 0, 2, 4]
    assert auth.global_delay_after(free + 40) == auth.MAX_DELAY_SECONDS
