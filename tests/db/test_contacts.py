"""Keeping-in-touch contacts: drafts kept as typed, finalised read-only, addenda keep the
original, follow-ups, statuses; and the contact summary agrees with the full history."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework.db.models import Contact
from casework.errors import PermissionDenied, ValidationFailed
from casework.services import contacts, due
from casework.services.contacts import ContactInput, FollowUpInput
from casework.services.people import CaseloadQuery, caseload_ids
from tests.conftest import NOW, Opened


@pytest.fixture
def case(demo_db: Opened) -> tuple[Opened, object, int]:
    lead = demo_db.login("lead.north")
    return demo_db, lead, caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]


def _good(**changes: object) -> ContactInput:
    base = ContactInput(
        occurred_at=NOW - timedelta(hours=2),
        method="face_to_face_accommodation",
        successful=True,
        made_by="personal_adviser",
        seen=True,
        seen_alone=True,
        views='"I want to stay here."',
        discussed="Tenancy and budget.",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_draft_saved_then_finalised_then_read_only(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    partial = ContactInput(occurred_at=NOW - timedelta(hours=1), views="half a sent")
    (cid,) = contacts.save_draft(opened.db, lead, pid, partial, now=NOW).ids
    again = dataclasses.replace(partial, views="half a sentence, now whole")
    assert contacts.save_draft(opened.db, lead, pid, again, contact_id=cid, now=NOW).fields == (
        "views",
    )
    mine = [c for c in contacts.list_contacts(opened.db, lead, pid, now=NOW) if c.is_draft]
    assert [c.details.views for c in mine] == ["half a sentence, now whole"]
    contacts.finalise(opened.db, lead, pid, cid, _good(), now=NOW)
    with pytest.raises(ValidationFailed, match="finalised"):
        contacts.save_draft(opened.db, lead, pid, _good(), contact_id=cid, now=NOW)


def test_finalise_names_what_is_missing_and_keeps_the_draft(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    (cid,) = contacts.save_draft(opened.db, lead, pid, _good(views="", discussed=""), now=NOW).ids
    with pytest.raises(ValidationFailed) as caught:
        contacts.finalise(opened.db, lead, pid, cid, _good(views="", discussed=""), now=NOW)
    text = " ".join(caught.value.problems)
    assert "views:" in text and "discussed:" in text
    with opened.db.reading() as session:
        assert session.get(Contact, cid).status == "draft"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_at": NOW + timedelta(days=1)}, "occurred_at"),
        ({"method": "pigeon"}, "method"),
        ({"successful": False}, "seen"),
        ({"seen": False}, "seen_alone"),
    ],
)
def test_contact_rules(case, changes: dict[str, object], field: str) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    (cid,) = contacts.save_draft(opened.db, lead, pid, _good(), now=NOW).ids
    with pytest.raises(ValidationFailed) as caught:
        contacts.finalise(opened.db, lead, pid, cid, _good(**changes), now=NOW)
    assert any(p.startswith(f"{field}:") for p in caught.value.problems), caught.value.problems


def test_addendum_keeps_the_original(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    (cid,) = contacts.save_draft(opened.db, lead, pid, _good(), now=NOW).ids
    contacts.finalise(opened.db, lead, pid, cid, _good(), now=NOW)
    contacts.add_addendum(opened.db, lead, pid, cid, "It was the office, not the flat.", now=NOW)
    view = next(c for c in contacts.list_contacts(opened.db, lead, pid, now=NOW) if c.id == cid)
    assert view.details.discussed == "Tenancy and budget."
    assert [a.text for a in view.addenda] == ["It was the office, not the flat."]


def test_others_drafts_are_not_shown(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    contacts.save_draft(opened.db, lead, pid, _good(), now=NOW)
    colleague = opened.login("it.admin")  # cannot even list
    with pytest.raises(PermissionDenied, match="do not read case records"):
        contacts.list_contacts(opened.db, colleague, pid, now=NOW)


def test_follow_ups_and_status(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    (cid,) = contacts.save_draft(opened.db, lead, pid, _good(), now=NOW).ids
    follow = FollowUpInput("Chase the housing benefit claim.", date(2026, 12, 4))
    contacts.finalise(opened.db, lead, pid, cid, _good(), follow_ups=[follow], now=NOW)
    listed = contacts.list_follow_ups(opened.db, lead, pid, now=NOW)
    new = next(f for f in listed if f.contact_id == cid)
    contacts.complete_follow_up(opened.db, lead, pid, new.id, date(2026, 11, 27), now=NOW)
    with pytest.raises(ValidationFailed, match="how this is known"):
        contacts.record_status(opened.db, lead, pid, "REFU", date(2026, 11, 1), "", now=NOW)
    contacts.record_status(
        opened.db, lead, pid, "refu", date(2026, 11, 1), "Told me by phone.", now=NOW
    )
    (status,) = [
        s
        for s in contacts.list_statuses(opened.db, lead, pid, now=NOW)
        if s.effective_on == date(2026, 11, 1)
    ]
    assert status.status.value == "REFU"


def test_summary_gives_the_same_answers_as_the_full_history(demo_db: Opened) -> None:
    """The list views' shortcut must agree with reading every contact, for everyone."""
    with demo_db.db.reading() as session:
        from casework.db.models import YoungPerson

        ids = list(session.scalars(select(YoungPerson.id)))
        today = NOW.date()
        quick = due.statuses_in(session, ids, today)
        full = due.statuses_in(session, ids, today, full=True)
    assert len(quick) == len(full) == 40
    for pid in ids:
        assert quick[pid].items == full[pid].items, pid
        assert quick[pid].in_touch.code == full[pid].in_touch.code, pid
        assert quick[pid].in_touch.latest_successful == full[pid].in_touch.latest_successful
        assert quick[pid].in_touch.attempts_since == full[pid].in_touch.attempts_since


def _copies_match_the_contacts(session: Session) -> None:
    """``summarised_contacts`` holds exactly the contacts the summaries name, each with the
    same columns as the contact itself."""
    named = session.execute(
        text(
            "SELECT DISTINCT s.young_person_id, c.id, c.occurred_at, c.successful, c.method, "
            "c.seen, c.seen_alone, c.made_by FROM contact_summaries s JOIN contacts c ON c.id "
            "IN (s.last_success_id, s.last_pa_success_id, s.last_visit_pa_id, "
            "s.last_visit_sw_id, s.last_visit_other_id, s.last_attempt_id) "
            "ORDER BY 1, 2"
        )
    ).all()
    copied = session.execute(
        text(
            "SELECT young_person_id, contact_id, occurred_at, successful, method, seen, "
            "seen_alone, made_by FROM summarised_contacts ORDER BY 1, 2"
        )
    ).all()
    assert named and copied == named


def test_the_copied_contact_columns_match_the_contacts(demo_db: Opened) -> None:
    with demo_db.db.reading() as session:
        _copies_match_the_contacts(session)


def test_finalising_refreshes_the_summary(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    (cid,) = contacts.save_draft(opened.db, lead, pid, _good(), now=NOW).ids
    contacts.finalise(opened.db, lead, pid, cid, _good(), now=NOW)
    with opened.db.reading() as session:
        _copies_match_the_contacts(session)
        assert session.execute(
            text("SELECT count(*) FROM summarised_contacts WHERE contact_id = :c"), {"c": cid}
        ).scalar_one()
        state = due.statuses_in(session, [pid], NOW.date())[pid].in_touch
    assert state.code.value == "YES"
    assert state.latest_successful == (NOW - timedelta(hours=2)).date()
    assert isinstance(NOW, datetime)


def test_lost_contact_shows_attempts_and_steps(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    ids = caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)
    states = [due.person_status(demo_db.db, lead, pid, now=NOW) for pid in ids]
    lost = [s for s in states if s.status.in_touch.code.value == "NO"]
    kept = [s for s in states if s.status.in_touch.code.value == "YES"]
    assert lost and kept
    assert all(s.reestablish_steps for s in lost)
    assert not any(s.reestablish_steps for s in kept)
    assert any(s.status.in_touch.attempts_since > 0 for s in lost)


def test_draft_keeps_follow_ups_and_undecided_outcome(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    undecided = ContactInput(occurred_at=NOW - timedelta(hours=1), discussed="Rang them.")
    follow = FollowUpInput("Send the bursary form.", date(2026, 12, 10))
    (cid,) = contacts.save_draft(opened.db, lead, pid, undecided, follow_ups=[follow], now=NOW).ids
    draft = next(c for c in contacts.list_contacts(opened.db, lead, pid, now=NOW) if c.id == cid)
    assert draft.details.successful is None
    assert draft.draft_follow_ups == (follow,)
    with pytest.raises(ValidationFailed, match="successful:"):
        contacts.finalise(opened.db, lead, pid, cid, undecided, follow_ups=[follow], now=NOW)
    contacts.finalise(opened.db, lead, pid, cid, _good(), follow_ups=[follow], now=NOW)
    assert any(
        f.contact_id == cid and f.description == "Send the bursary form."
        for f in contacts.list_follow_ups(opened.db, lead, pid, now=NOW)
    )
