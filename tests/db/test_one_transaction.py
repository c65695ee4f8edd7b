"""A write use case checks permission and writes in one ``BEGIN IMMEDIATE`` transaction, on
real SQLCipher files: an administrator's change to the account cannot land between the
check and the write, and a refusal is audited even though the write is rolled back."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.db.models import AuditEvent, Contact, User
from casework.errors import CaseClosed, SessionRevoked
from casework.services import closure, contacts, users
from casework.services.contacts import ContactInput
from casework.services.people import CaseloadQuery, caseload_ids
from casework.services.permissions import SYSTEM_ACTOR, Actor
from tests.conftest import NOW, PASSWORD, Opened
from tests.db.test_closure import TODAY, Case, _request, case  # noqa: F401  (the fixture)

PAUSE = 10.0  # seconds a paused thread waits at most; the tests release it much sooner


def _worker(opened: Opened) -> tuple[Actor, int]:
    with opened.db.reading() as session:
        name = session.scalar(
            select(User.username).where(User.role == "practitioner").order_by(User.id)
        )
    assert name is not None
    worker = opened.login(name)
    return worker, caseload_ids(opened.db, worker, CaseloadQuery(), now=NOW)[0]


def _paused(original: Callable[..., Any], reached: threading.Event, go: threading.Event) -> Any:
    """``original``, but stopping once it has run until ``go`` is set."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        reached.set()
        assert go.wait(PAUSE)
        return result

    return wrapper


def _run(fn: Callable[[], Any], out: dict[str, Any]) -> threading.Thread:
    def target() -> None:
        try:
            out["result"] = fn()
        except Exception as exc:  # handed back to the test thread
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def _count(opened: Opened, stmt: Any) -> int:
    with opened.db.reading() as session:
        return int(session.scalar(stmt) or 0)


DRAFT = ContactInput(occurred_at=NOW - timedelta(hours=1), method="phone")


def test_an_account_disabled_mid_save_waits_for_the_save(
    demo_db: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save has passed its check and holds the write lock: disabling the account
    waits until the save commits, so the save never writes for a session its check
    would now refuse; the session's next save is refused."""
    worker, pid = _worker(demo_db)
    checked, go = threading.Event(), threading.Event()
    monkeypatch.setattr(contacts, "draft_problems", _paused(contacts.draft_problems, checked, go))
    saving: dict[str, Any] = {}
    save = _run(lambda: contacts.save_draft(demo_db.db, worker, pid, DRAFT, now=NOW), saving)
    assert checked.wait(PAUSE)  # the save is past its permission check
    disabling: dict[str, Any] = {}
    disable = _run(
        lambda: users.set_active(demo_db.db, SYSTEM_ACTOR, worker.username, False, now=NOW),
        disabling,
    )
    disable.join(0.5)
    assert disable.is_alive()  # waiting for the save's transaction: no interleaving
    go.set()
    save.join(PAUSE)
    disable.join(PAUSE)
    assert "error" not in saving and "error" not in disabling
    with demo_db.db.reading() as session:
        order = list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.in_(["create_draft", "deactivate_user"]))
                .order_by(AuditEvent.id)
            )
        )
    assert order == ["create_draft", "deactivate_user"]
    with pytest.raises(SessionRevoked, match="disabled"):
        contacts.save_draft(demo_db.db, worker, pid, DRAFT, now=NOW)


def test_a_save_during_a_disabling_waits_and_is_refused_and_audited(
    demo_db: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The administrator's change holds the write lock: the save's check waits for it,
    sees the disabled account, writes nothing, and its refusal is audited."""
    worker, pid = _worker(demo_db)
    contacts_before = _count(demo_db, select(func.count()).select_from(Contact))
    reached, go = threading.Event(), threading.Event()
    monkeypatch.setattr(users, "find_user", _paused(users.find_user, reached, go))
    disabling: dict[str, Any] = {}
    disable = _run(
        lambda: users.set_active(demo_db.db, SYSTEM_ACTOR, worker.username, False, now=NOW),
        disabling,
    )
    assert reached.wait(PAUSE)  # the administrator's transaction has read the account
    saving: dict[str, Any] = {}
    save = _run(lambda: contacts.save_draft(demo_db.db, worker, pid, DRAFT, now=NOW), saving)
    save.join(0.5)
    assert save.is_alive()  # the check waits for the change in progress
    go.set()
    disable.join(PAUSE)
    save.join(PAUSE)
    assert "error" not in disabling
    assert isinstance(saving.get("error"), SessionRevoked)
    assert _count(demo_db, select(func.count()).select_from(Contact)) == contacts_before
    revoked = select(func.count()).where(
        AuditEvent.action == "session_revoked",
        AuditEvent.actor_id == worker.user_id,
        AuditEvent.outcome == "denied",
    )
    assert _count(demo_db, revoked) == 1


def test_a_save_during_a_closing_waits_and_finds_the_case_closed(
    case: Case,  # noqa: F811  (the fixture from test_closure)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The case is being closed (its check passed, the closing holds the write lock): a
    contact saved now waits for it, then finds the case closed and writes nothing."""
    db = case.opened.db
    rid = _request(case)
    closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    checked, go = threading.Event(), threading.Event()
    monkeypatch.setattr(closure, "run_request", _paused(closure.run_request, checked, go))
    closing: dict[str, Any] = {}
    close = _run(lambda: closure.close_case(db, case.worker, rid, TODAY, now=NOW), closing)
    assert checked.wait(PAUSE)  # the closing is past its check, holding the write lock
    saving: dict[str, Any] = {}
    save = _run(lambda: contacts.save_draft(db, case.worker, case.pid, DRAFT, now=NOW), saving)
    save.join(0.5)
    assert save.is_alive()
    go.set()
    close.join(PAUSE)
    save.join(PAUSE)
    assert "error" not in closing
    assert isinstance(saving.get("error"), CaseClosed)
    drafts = select(func.count()).where(
        Contact.young_person_id == case.pid, Contact.status == contacts.DRAFT
    )
    assert _count(case.opened, drafts) == 0
