"""Signing in: one message for every failure, a growing delay, Argon2id hashes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.db.models import User
from casework.errors import LoginRefused, ValidationFailed
from casework.services import auth, users
from casework.services.permissions import SYSTEM_ACTOR, Role
from tests.conftest import NOW, PASSWORD, Opened


def _refusal(opened: Opened, username: str, password: str, when=NOW) -> LoginRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(LoginRefused) as caught:
        auth.login(opened.db, username, password, now=when)
    return caught.value


def test_login_ok(empty_db: Opened) -> None:
    actor = auth.login(empty_db.db, "LEAD", PASSWORD, now=NOW)
    assert actor.role is Role.TEAM_LEAD and actor.team_ids


def test_same_message_for_unknown_user_and_wrong_password(empty_db: Opened) -> None:
    unknown = _refusal(empty_db, "nobody", PASSWORD)
    wrong = _refusal(empty_db, "lead", "not-the-password")
    assert str(unknown) == str(wrong)
    assert "nobody" not in str(unknown)


def test_growing_delay_for_known_and_unknown_names(empty_db: Opened) -> None:
    for name in ("lead", "ghost"):
        waits = []
        when = NOW
        for _ in range(6):
            refusal = _refusal(empty_db, name, "wrong-password-x", when)
            waits.append(refusal.retry_after_seconds)
            when = when + timedelta(seconds=refusal.retry_after_seconds + 0.001)
        assert waits == [0, 0, 0, 2, 4, 8], waits
    # Within the wait even the right password is refused, without checking it.
    refusal = _refusal(empty_db, "lead", PASSWORD, NOW + timedelta(seconds=1))
    assert "Try again in" in str(refusal)


def test_success_resets_the_delay(empty_db: Opened) -> None:
    when = NOW
    for _ in range(4):
        when += timedelta(
            seconds=_refusal(empty_db, "lead", "nope-nope-nope", when).retry_after_seconds + 1
        )
    auth.login(empty_db.db, "lead", PASSWORD, now=when)
    assert _refusal(empty_db, "lead", "nope-nope-nope", when).retry_after_seconds == 0


def test_inactive_account_refused_alike(empty_db: Opened) -> None:
    users.set_active(empty_db.db, SYSTEM_ACTOR, "lead", False, now=NOW)
    assert str(_refusal(empty_db, "lead", PASSWORD)) == str(_refusal(empty_db, "x", PASSWORD))


def test_hash_is_argon2id_with_enough_memory(empty_db: Opened) -> None:
    with empty_db.db.reading() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "lead"))
    assert stored and stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


@pytest.mark.parametrize("password", ["short", "password1234", "lead.smith-2026x"])
def test_weak_passwords_refused(empty_db: Opened, password: str) -> None:
    new = users.NewUser("lead.smith", "Lee Smith", Role.PRACTITIONER, password, team="North")
    with pytest.raises(ValidationFailed):
        users.add_user(empty_db.db, SYSTEM_ACTOR, new, now=NOW)
