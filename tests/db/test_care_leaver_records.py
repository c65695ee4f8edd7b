"""Accommodation, activity, eligibility decisions, plans, essentials, support milestones,
the due report and the chronology, on real files."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from casework import cli
from casework.errors import PermissionDenied, ValidationFailed
from casework.services import accommodation, chronology, due, pathway
from casework.services.accommodation import AccommodationInput
from casework.services.pathway import AreaInput
from casework.services.people import CaseloadQuery, caseload_ids
from casework.services.permissions import Actor
from tests.conftest import NOW, PASSPHRASE, Opened

TODAY = NOW.date()


@pytest.fixture
def case(demo_db: Opened):  # type: ignore[no-untyped-def]
    lead = demo_db.login("lead.north")
    return demo_db, lead, caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]


def _practitioner(opened: Opened, lead: Any) -> Any:
    from sqlalchemy import select

    from casework.db.models import User

    with opened.db.reading() as session:
        name = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    assert name is not None
    return opened.login(name)


def test_homeless_is_always_unsuitable_and_needs_review(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    with pytest.raises(ValidationFailed, match="always unsuitable"):
        accommodation.add_accommodation(
            opened.db, lead, pid, AccommodationInput("S", TODAY, suitable=True), now=NOW
        )
    with pytest.raises(ValidationFailed, match=r"(?i)say why"):
        accommodation.add_accommodation(
            opened.db, lead, pid, AccommodationInput("S", TODAY, suitable=False), now=NOW
        )
    worker = _practitioner(opened, lead)
    accommodation.add_accommodation(
        opened.db,
        worker,
        pid,
        AccommodationInput("S", TODAY, suitable=False, unsuitable_reason="Sofa surfing."),
        now=NOW,
    )
    current = accommodation.list_accommodation(opened.db, lead, pid, now=NOW)[0]
    assert current.type.value == "S" and current.needs_review
    with opened.db.reading() as session:
        status = due.statuses_in(session, [pid], TODAY)[pid]
    assert "awaiting team lead review" in (status.accommodation_warning or "")
    assert "accommodation_review" in {item.kind.value for item in status.items}
    accommodation.review_accommodation(
        opened.db, lead, pid, current.id, "Emergency bed found.", now=NOW
    )
    assert not accommodation.list_accommodation(opened.db, lead, pid, now=NOW)[0].needs_review


def _practitioner(opened: Opened, lead: Actor) -> Actor:
    from sqlalchemy import select

    from casework.db.models import User

    with opened.db.reading() as session:
        pa = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    assert pa is not None
    return opened.login(pa)


def test_practitioner_cannot_record_team_lead_review(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    pid = caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]
    from sqlalchemy import select

    from casework.db.models import User

    with demo_db.db.reading() as session:
        pa = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    assert pa is not None
    worker = demo_db.login(pa)
    periods = accommodation.list_accommodation(demo_db.db, worker, pid, now=NOW)
    with pytest.raises(PermissionDenied, match="team lead"):
        accommodation.review_accommodation(demo_db.db, worker, pid, periods[0].id, "ok", now=NOW)


def test_new_period_closes_the_previous_and_refuses_overlap(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    accommodation.add_accommodation(
        opened.db, lead, pid, AccommodationInput("U", TODAY, suitable=True), now=NOW
    )
    periods = accommodation.list_accommodation(opened.db, lead, pid, now=NOW)
    assert periods[0].ended_on is None and periods[1].ended_on == TODAY - timedelta(days=1)
    with pytest.raises(ValidationFailed, match="already starts"):
        accommodation.add_accommodation(
            opened.db, lead, pid, AccommodationInput("D", TODAY, suitable=True), now=NOW
        )


def test_override_needs_a_reason(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    suggested = pathway.suggestion(opened.db, lead, pid, now=NOW).category
    other = "qualifying" if suggested.value != "qualifying" else "relevant"
    with pytest.raises(ValidationFailed, match=r"(?i)say why"):
        pathway.decide_eligibility(opened.db, lead, pid, other, "", now=NOW)
    pathway.decide_eligibility(opened.db, lead, pid, other, "Court order evidence.", now=NOW)
    pathway.decide_eligibility(opened.db, lead, pid, suggested.value, "", now=NOW)


def test_plan_with_areas_and_review(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    with pytest.raises(ValidationFailed, match="who owns"):
        pathway.start_plan(
            opened.db,
            lead,
            pid,
            started_on=TODAY,
            participation="Wrote goals.",
            areas=[AreaInput("finance", actions="Open an account")],
            now=NOW,
        )
    pathway.start_plan(
        opened.db,
        lead,
        pid,
        started_on=TODAY,
        participation="Wrote goals.",
        areas=[AreaInput("finance", "Budgeting", "Open an account", "PA")],
        now=NOW,
    )
    pathway.review_plan(
        opened.db, lead, pid, reviewed_on=TODAY, participated=True, notes="On track.", now=NOW
    )
    plan = pathway.current_plan(opened.db, lead, pid, now=NOW)
    assert plan is not None and plan.started_on == TODAY and len(plan.reviews) == 1
    with opened.db.reading() as session:
        items = due.statuses_in(session, [pid], TODAY, full=True)[pid].items
    review = [i for i in items if i.kind.value == "plan_review"]
    assert review and review[0].due > TODAY + timedelta(days=150)


def test_essentials_and_support(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    pathway.set_essential(opened.db, lead, pid, "bank_account", TODAY, now=NOW)
    done = {item.value: on for item, on, _ in pathway.essentials(opened.db, lead, pid, now=NOW)}
    assert done["bank_account"] == TODAY and len(done) == 6
    with pytest.raises(ValidationFailed, match="expected one of"):
        pathway.record_support(opened.db, lead, pid, "holiday", TODAY, now=NOW)
    pathway.record_support(opened.db, lead, pid, "told_can_return", TODAY, "Letter sent.", now=NOW)


def test_chronology_is_ordered_and_filtered(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    events = chronology.chronology(opened.db, lead, pid, now=NOW)
    assert events and [e.on for e in events] == sorted((e.on for e in events), reverse=True)
    homes = chronology.chronology(
        opened.db, lead, pid, now=NOW, kinds=[chronology.EventKind.ACCOMMODATION]
    )
    assert homes and {e.kind for e in homes} == {chronology.EventKind.ACCOMMODATION}
    page = chronology.chronology_html(opened.db, lead, pid, now=NOW)
    assert page.startswith("<html>") and "Chronology:" in page


def test_report_due_json(
    demo_db: Opened, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_db.db.close()
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    code = cli.main(
        ["report", "due", "--as-of", "2026-11-27", "--json", "--path", str(demo_db.path)]
    )
    items = json.loads(capsys.readouterr().out)
    assert code == 0 and items
    assert set(items[0]) == {"child_id", "kind", "due", "overdue", "worker"}
    for item in items:
        assert item["overdue"] == (date.fromisoformat(item["due"]) < date(2026, 11, 27))
    code = cli.main(["report", "due", "--as-of", "27/11/2026", "--path", str(demo_db.path)])
    assert code == 1 and "expected YYYY-MM-DD" in capsys.readouterr().err
