"""Care-leaver law on real files: answers "as of" a day are the record as it stood then
(the contact summary included), the status and whereabouts reports, care periods and the
category in force, the opening date."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from casework import cli
from casework.db.models import Contact, YoungPerson
from casework.errors import ValidationFailed
from casework.services import contact_summary, due, pathway, people
from casework.services.categories import categories_in
from casework.services.pathway import CarePeriodInput
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSPHRASE, Opened

TODAY = NOW.date()
BEFORE = TODAY - timedelta(days=45)


def _add_later_contacts(opened: Opened, on: date) -> None:
    """A successful PA visit at home for everyone, dated ``on``, and the summary rebuilt."""
    with opened.db.unit_of_work() as session:
        rows = session.execute(select(YoungPerson.id, YoungPerson.personal_adviser_id)).all()
        author = next(a for _, a in rows if a is not None)
        moment = datetime.combine(on, datetime.min.time()).replace(hour=10)
        for pid, pa in rows:
            session.add(
                Contact(
                    young_person_id=pid,
                    occurred_at=moment,
                    method="face_to_face_accommodation",
                    successful=True,
                    made_by="personal_adviser",
                    location="",
                    seen=True,
                    seen_alone=True,
                    views="",
                    discussed="",
                    status="final",
                    author_id=pa or author,
                    created_at=moment,
                    updated_at=moment,
                    finalised_at=moment,
                )
            )
        session.flush()
        contact_summary.rebuild_all(session)


@pytest.mark.tampers  # writes later contacts straight into the file
def test_as_of_answers_never_read_later_contacts_even_from_the_summary(demo_db: Opened) -> None:
    due_before = due.report_due(demo_db.db, SYSTEM_ACTOR, as_of=BEFORE, now=NOW)
    status_before = due.report_status(demo_db.db, SYSTEM_ACTOR, as_of=BEFORE, now=NOW)
    _add_later_contacts(demo_db, BEFORE + timedelta(days=10))
    assert due.report_due(demo_db.db, SYSTEM_ACTOR, as_of=BEFORE, now=NOW) == due_before
    assert due.report_status(demo_db.db, SYSTEM_ACTOR, as_of=BEFORE, now=NOW) == status_before
    # ... while today's answer does see them.
    now_status = due.report_status(demo_db.db, SYSTEM_ACTOR, as_of=TODAY, now=NOW)
    assert {row["in_touch"] for row in now_status} <= {"YES", "DIED", "REFU", "NREQ", "RHOM"}


def test_report_status_and_whereabouts_from_the_cli(
    demo_db: Opened, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_db.db.close()
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    path = str(demo_db.path)
    code = cli.main(["report", "status", "--as-of", TODAY.isoformat(), "--json", "--path", path])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and len(rows) == 40
    row = rows[0]
    assert set(row) >= {
        "child_id",
        "category",
        "in_touch",
        "latest_date_of_contact",
        "accommodation",
        "activity",
        "personal_adviser",
        "next_due",
    }
    assert set(row["category"]) >= {"derived", "confirmed", "in_force", "facts_disagree"}
    for r in rows:
        # One definition: a latest date of contact exactly when in touch.
        assert (r["latest_date_of_contact"] is not None) == (r["in_touch"] == "YES")
        accom = r["accommodation"]
        if accom["letter"] in ("S", "X"):
            assert accom["code"].endswith("2")
    code = cli.main(["report", "status", "--path", path])
    text = capsys.readouterr().out
    assert code == 0 and "young people as of" in text
    code = cli.main(["report", "whereabouts", "--json", "--path", path])
    lost = json.loads(capsys.readouterr().out)
    assert code == 0
    for r in lost:
        assert r["days_unknown"] >= 0 and r["missing_person_report_required"] == r["under_18"]


def test_care_periods_drive_the_category_and_are_checked(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    pid = people.caseload_ids(demo_db.db, lead, people.CaseloadQuery(), now=NOW)[0]
    with pytest.raises(ValidationFailed) as caught:
        pathway.add_care_period(
            demo_db.db,
            lead,
            pid,
            CarePeriodInput(TODAY - timedelta(days=10), TODAY - timedelta(days=20)),
            now=NOW,
        )
    assert any("ended_on" in p for p in caught.value.problems)
    overview = pathway.legal_overview(demo_db.db, lead, pid, now=NOW)
    assert overview.periods and overview.category is not None
    first = overview.periods[0]
    with pytest.raises(ValidationFailed, match="overlaps"):
        pathway.add_care_period(
            demo_db.db, lead, pid, CarePeriodInput(first.started_on, first.ended_on), now=NOW
        )
    for period in overview.periods:
        pathway.remove_care_period(demo_db.db, lead, pid, period.id, now=NOW)
    with demo_db.db.reading() as session:
        view = categories_in(session, [pid], TODAY)[pid]
    assert view.derived is not None  # the recorded dates still give a category
    assert pathway.legal_overview(demo_db.db, lead, pid, now=NOW).periods == ()


def test_a_new_case_opens_today_unless_told_and_never_in_the_future(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    pid = people.caseload_ids(demo_db.db, lead, people.CaseloadQuery(), now=NOW)[0]
    record = people.open_record(demo_db.db, lead, pid, now=NOW)
    assert record.details.opened_on is not None and record.details.opened_on <= TODAY
    assert record.category is not None
    later = record.details.__class__(
        **{**vars(record.details), "opened_on": TODAY + timedelta(days=1)}
    )
    with pytest.raises(ValidationFailed, match="opened_on"):
        people.update_young_person(
            demo_db.db, lead, pid, later, expected_version=record.version, now=NOW
        )


def test_the_caseload_filter_lists_exactly_those_whose_whereabouts_are_unknown(
    demo_db: Opened,
) -> None:
    from casework.services import accommodation
    from casework.services.accommodation import AccommodationInput

    lead = demo_db.login("lead.north")
    mine = set(people.caseload_ids(demo_db.db, lead, people.CaseloadQuery(), now=NOW))
    with demo_db.db.reading() as session:
        open_ids = set(
            session.scalars(select(YoungPerson.id).where(YoungPerson.closed_on.is_(None)))
        )
    statuses = due.report_status(demo_db.db, SYSTEM_ACTOR, as_of=TODAY, now=NOW)
    alive = {r["child_id"] for r in statuses if r["in_touch"] != "DIED"}
    with demo_db.db.reading() as session:
        uid_of = dict(session.execute(select(YoungPerson.id, YoungPerson.child_uid)).all())
    gone = min(p for p in mine & open_ids if uid_of[p] in alive)
    home = AccommodationInput(
        "R", TODAY - timedelta(days=1), suitable=False, unsuitable_reason="Left; not known"
    )
    accommodation.add_accommodation(demo_db.db, lead, gone, home, now=NOW)
    # Someone else moving today must not hide them (each person's own periods decide).
    other = max(p for p in mine & open_ids if p != gone)
    moved = AccommodationInput("U", TODAY, suitable=True)
    accommodation.add_accommodation(demo_db.db, lead, other, moved, now=NOW)
    query = people.CaseloadQuery(whereabouts_unknown=True)
    lost = set(people.caseload_ids(demo_db.db, lead, query, now=NOW))
    report = due.report_whereabouts(demo_db.db, SYSTEM_ACTOR, as_of=TODAY, now=NOW)
    with demo_db.db.reading() as session:
        uids = dict(session.execute(select(YoungPerson.child_uid, YoungPerson.id)).all())
    assert gone in lost
    assert lost == {uids[row["child_id"]] for row in report} & mine
    row = next(r for r in report if uids[r["child_id"]] == gone)
    assert row["days_unknown"] == 1


@pytest.mark.tampers  # moves a case's opening date straight in the file
def test_a_case_opened_after_the_day_is_not_in_that_days_reports(demo_db: Opened) -> None:
    with demo_db.db.unit_of_work() as session:
        person = session.scalars(select(YoungPerson).order_by(YoungPerson.id)).first()
        assert person is not None
        person.opened_on = TODAY - timedelta(days=5)
        uid = person.child_uid
    before = TODAY - timedelta(days=10)
    for report in (due.report_status, due.report_due):
        assert uid not in {
            r["child_id"] for r in report(demo_db.db, SYSTEM_ACTOR, as_of=before, now=NOW)
        }
    assert uid in {
        r["child_id"] for r in due.report_status(demo_db.db, SYSTEM_ACTOR, as_of=TODAY, now=NOW)
    }
