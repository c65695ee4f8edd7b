"""Young people: validation with specific messages, optimistic versions, audited changes,
and the caseload searched and sorted in SQL."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from casework.db.models import AuditEvent
from casework.errors import EditConflict, ValidationFailed
from casework.services import people
from casework.services.people import CaseloadQuery, SortKey, YoungPersonInput
from tests.conftest import NOW, Opened


def _input(team_id: int, **changes: object) -> YoungPersonInput:
    base = YoungPersonInput(
        child_uid="NEW-001",
        first_name="Amara",
        last_name="Okafor",
        date_of_birth=date(2008, 5, 17),
        sex="female",
        ethnicity="BAFR",
        disability="no",
        uasc=False,
        eligibility="relevant",
        team_id=team_id,
        date_ceased_looked_after=date(2025, 1, 10),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_create_then_find_by_name_and_id(empty_db: Opened) -> None:
    lead = empty_db.login("lead")
    team = next(iter(lead.team_ids))
    changed = people.create_young_person(empty_db.db, lead, _input(team), now=NOW)
    for search in ("okaf", "amara ok", "new-0"):
        ids = people.caseload_ids(empty_db.db, lead, CaseloadQuery(search=search), now=NOW)
        assert ids == list(changed.ids), search
    assert people.caseload_ids(empty_db.db, lead, CaseloadQuery(search="zz%"), now=NOW) == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": date(1990, 1, 1)}, "date_of_birth"),
        ({"ethnicity": "XXXX"}, "WBRI"),
        ({"child_uid": "bad uid!"}, "child_uid"),
        ({"first_name": " "}, "first_name"),
    ],
)
def test_bad_input_is_named(empty_db: Opened, changes: dict[str, object], words: str) -> None:
    lead = empty_db.login("lead")
    with pytest.raises(ValidationFailed) as caught:
        people.create_young_person(
            empty_db.db, lead, _input(next(iter(lead.team_ids)), **changes), now=NOW
        )
    assert any(words in p for p in caught.value.problems), caught.value.problems
    assert people.caseload_ids(empty_db.db, lead, CaseloadQuery(), now=NOW) == []


def test_duplicate_child_uid(empty_db: Opened) -> None:
    lead = empty_db.login("lead")
    team = next(iter(lead.team_ids))
    people.create_young_person(empty_db.db, lead, _input(team), now=NOW)
    with pytest.raises(ValidationFailed, match="already used"):
        people.create_young_person(empty_db.db, lead, _input(team, child_uid="new-001"), now=NOW)


def test_update_audits_field_names_and_checks_version(empty_db: Opened) -> None:
    lead = empty_db.login("lead")
    team = next(iter(lead.team_ids))
    (pid,) = people.create_young_person(empty_db.db, lead, _input(team), now=NOW).ids
    record = people.open_record(empty_db.db, lead, pid, now=NOW)
    new = dataclasses.replace(record.details, preferred_name="Mara", disability="yes")
    changed = people.update_young_person(
        empty_db.db, lead, pid, new, expected_version=record.version, now=NOW
    )
    assert set(changed.fields) == {"preferred_name", "disability"}
    with empty_db.db.reading() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert (last.action, last.fields) == ("update", "disability,preferred_name")
    with pytest.raises(EditConflict, match="Lee Lead changed disability and preferred name"):
        people.update_young_person(
            empty_db.db, lead, pid, new, expected_version=record.version, now=NOW
        )


def test_opening_a_record_is_audited(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    pid = people.caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]
    people.open_record(demo_db.db, lead, pid, now=NOW)
    with demo_db.db.reading() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert (last.action, last.record_id, last.actor_id) == ("open_record", str(pid), lead.user_id)


@pytest.mark.parametrize("key", list(SortKey))
def test_sorting_in_sql(demo_db: Opened, key: SortKey) -> None:
    lead = demo_db.login("lead.north")
    up = people.caseload_ids(demo_db.db, lead, CaseloadQuery(sort=key), now=NOW)
    down = people.caseload_ids(demo_db.db, lead, CaseloadQuery(sort=key, descending=True), now=NOW)
    assert sorted(up) == sorted(down) and len(up) > 5
    rows = people.caseload_rows(demo_db.db, lead, up, today=NOW.date())
    if key is SortKey.NAME:
        names = [r.name.lower() for r in rows]
        assert names == sorted(names)
    if key is SortKey.AGE:
        dobs = [r.date_of_birth for r in rows]
        assert dobs == sorted(dobs, reverse=True)


def test_rows_outside_scope_are_not_returned(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    mine = set(people.caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW))
    everyone = set(range(1, 41))
    rows = people.caseload_rows(demo_db.db, lead, sorted(everyone), today=NOW.date())
    assert {r.id for r in rows} == mine


def test_edit_allowed_while_allocated_worker_is_inactive(demo_db: Opened) -> None:
    from casework.services import users
    from casework.services.permissions import SYSTEM_ACTOR

    lead = demo_db.login("lead.north")
    ids = people.caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)
    record = next(
        r
        for r in (people.open_record(demo_db.db, lead, i, now=NOW) for i in ids)
        if r.details.personal_adviser_id not in (None, lead.user_id)
    )
    with demo_db.db.reading() as session:
        from casework.db.models import User

        pa = session.get(User, record.details.personal_adviser_id)
        assert pa is not None
        username = pa.username
    users.set_active(demo_db.db, SYSTEM_ACTOR, username, False, now=NOW)
    new = dataclasses.replace(record.details, preferred_name="Jo")
    people.update_young_person(
        demo_db.db, lead, record.id, new, expected_version=record.version, now=NOW
    )
    other = next(
        r
        for r in (people.open_record(demo_db.db, lead, i, now=NOW) for i in ids)
        if r.details.personal_adviser_id != pa.id
    )
    moved = dataclasses.replace(other.details, personal_adviser_id=pa.id)
    with pytest.raises(ValidationFailed, match="personal_adviser_id"):
        people.update_young_person(
            demo_db.db, lead, other.id, moved, expected_version=other.version, now=NOW
        )
