"""The due snapshot (``casework.services.due_snapshot``) never shows a stale answer: every
kind of fact change deletes that young person's snapshot in the same transaction, a
settings or configuration change makes every snapshot stale, a new day recomputes, and a
snapshot computed from an older read is never stored."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from casework.clock import local_today
from casework.db.database import Database
from casework.db.due_snapshots import _PARENTS, IGNORED, invalidate, touched
from casework.db.models import (
    Base,
    Contact,
    DueSnapshot,
    DueSnapshotGeneration,
    FollowUpAction,
    Setting,
    StatusEvent,
    YoungPerson,
)
from casework.services import contacts, demo, due, due_snapshot
from casework.services.contacts import FollowUpInput
from tests.conftest import NOW, Opened

TODAY = local_today(NOW)


def _snapshots(db: Database) -> dict[int, tuple[date, str]]:
    with db.reading() as session:
        rows = session.execute(
            select(DueSnapshot.young_person_id, DueSnapshot.day, DueSnapshot.fingerprint)
        ).all()
    return {pid: (day, stamp) for pid, day, stamp in rows}


def _generation(db: Database) -> int:
    with db.reading() as session:
        return due_snapshot.generation(session)


def _fresh(db: Database, today: date = TODAY) -> dict[int, tuple[Any, ...]]:
    """Every young person's items straight from the engine, no snapshot involved."""
    with db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id)))
        return {pid: s.items for pid, s in due.statuses_in(session, ids, today).items()}


def _from_snapshots(db: Database, today: date = TODAY) -> dict[int, tuple[Any, ...]]:
    with db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id)))
        cached = due_snapshot.read(session, ids, today)
    assert cached.missing == []
    return cached.items


def test_snapshots_give_the_engines_answer_and_my_work_reads_them(full_demo: Opened) -> None:
    db = full_demo.db
    lead = full_demo.login(demo.DEMO_LEAD_USERNAME)
    computed = due.my_work(db, lead, now=NOW, team=True)  # computes and stores
    stored = _snapshots(db)
    assert stored and {day for day, _ in stored.values()} == {TODAY}
    assert due.my_work(db, lead, now=NOW, team=True) == computed  # read from the snapshots
    assert due_snapshot.warm(db, now=NOW) == len(_fresh(db)) - len(stored)
    assert _from_snapshots(db) == _fresh(db)
    assert due_snapshot.warm(db, now=NOW) == 0  # nothing left to compute


def _row_of(session: Session, model: type[Any]) -> Any:
    return session.scalars(select(model).limit(1)).first()


def _person_of(session: Session, row: Any) -> int:
    table = row.__tablename__
    if isinstance(row, YoungPerson):
        return int(row.id)
    if hasattr(row, "young_person_id"):
        return int(row.young_person_id)
    if table in _PARENTS:
        column, parent_id, person = _PARENTS[table]
        return int(session.scalar(select(person).where(parent_id == getattr(row, column))))
    # audit_grades: through its judgement's closure audit
    from casework.db.models import AuditJudgement, ClosureAudit

    judgement = session.get(AuditJudgement, row.judgement_id)
    assert judgement is not None
    audit = session.get(ClosureAudit, judgement.audit_id)
    assert audit is not None
    return int(audit.young_person_id)


FACT_MODELS = sorted(
    (m.class_ for m in Base.registry.mappers if m.local_table.name not in IGNORED),
    key=lambda c: c.__tablename__,
)
# Rows the engine never reads about one person: a change clears every snapshot.
EVERYONE = {"settings", "audit_samples"}


@pytest.mark.tampers  # rows are changed directly, without audit events
@pytest.mark.parametrize("model", FACT_MODELS, ids=lambda m: m.__tablename__)
def test_a_change_to_any_fact_deletes_that_persons_snapshot(
    full_demo: Opened, model: type[Any]
) -> None:
    """Every table outside the ignored ones: a change to one row deletes exactly its young
    person's snapshot (or, for tables that belong to nobody, every snapshot), in the same
    transaction, and raises the generation."""
    db = full_demo.db
    due_snapshot.warm(db, now=NOW)
    before, generation = _snapshots(db), _generation(db)
    with db.unit_of_work() as session:
        row = _row_of(session, model)
        if row is None:  # none in the demo: trace a new one, as a flush would
            _trace_a_new_row(session, model)
            return
        person = None if model.__tablename__ in EVERYONE else _person_of(session, row)
        column = next(c.key for c in model.__mapper__.column_attrs if not c.columns[0].primary_key)
        flag_modified(row, column)
    after = _snapshots(db)
    assert _generation(db) == generation + 1
    if person is None:
        assert after == {}
    else:
        assert person in before and person not in after
        assert set(before) - set(after) == {person}


def _trace_a_new_row(session: Session, model: type[Any]) -> None:
    """A pending row of ``model`` pointing at an existing parent is traced to the parent's
    young person (nothing is written)."""
    table = model.__tablename__
    if table in _PARENTS:
        column, parent_id, person = _PARENTS[table]
        parent, pid = session.execute(select(parent_id, person).limit(1)).one()
        row = model(**{column: parent})
    else:
        pid = session.scalar(select(YoungPerson.id).limit(1))
        row = model(young_person_id=pid)
    session.add(row)
    assert touched(session) == ({pid}, False)
    session.expunge(row)


def test_every_table_is_either_ignored_or_traced_to_a_person() -> None:
    """New tables are not silently ignored: each is read by the hook (a young_person_id,
    a parent, or clear-all), and only the listed ones are skipped."""
    traced = {
        m.local_table.name
        for m in Base.registry.mappers
        if "young_person_id" in m.local_table.c or m.local_table.name in _PARENTS
    }
    derived = {"contact_summaries", "summarised_contacts", "due_snapshots"}
    assert IGNORED.isdisjoint(traced - derived)
    others = {m.local_table.name for m in Base.registry.mappers} - traced - IGNORED
    assert others == {"young_people", "audit_grades", *EVERYONE}


@pytest.mark.tampers
def test_adding_deleting_and_moving_rows_invalidate_each_person(full_demo: Opened) -> None:
    db = full_demo.db
    due_snapshot.warm(db, now=NOW)
    with db.reading() as session:
        a, b, c = session.scalars(select(YoungPerson.id).order_by(YoungPerson.id).limit(3))
        status = session.scalars(select(StatusEvent.id)).first()
    with db.unit_of_work() as session:
        session.add(
            FollowUpAction(
                young_person_id=a,
                due_on=TODAY,
                description="Ring",
                created_at=NOW.replace(tzinfo=None),
            )
        )
    assert a not in _snapshots(db) and b in _snapshots(db)
    due_snapshot.warm(db, now=NOW)
    with db.unit_of_work() as session:
        contact = session.scalars(select(Contact).where(Contact.young_person_id == b)).first()
        assert contact is not None
        addenda = list(contact.addenda)
        for addendum in addenda:
            session.delete(addendum)
        contact.young_person_id = c  # moved: both people's answers change
    gone = set(_snapshots(db))
    assert b not in gone and c not in gone and a in gone
    if status is not None:
        due_snapshot.warm(db, now=NOW)
        with db.unit_of_work() as session:
            event = session.get(StatusEvent, status)
            assert event is not None
            owner = event.young_person_id
            session.delete(event)
        assert owner not in _snapshots(db)


@pytest.mark.tampers
def test_a_bulk_statement_clears_every_snapshot(full_demo: Opened) -> None:
    db = full_demo.db
    due_snapshot.warm(db, now=NOW)
    assert _snapshots(db)
    with db.unit_of_work() as session:
        session.execute(update(Contact).where(Contact.id == -1).values(method="phone"))
    assert _snapshots(db) == {}
    due_snapshot.warm(db, now=NOW)
    with db.unit_of_work() as session:
        session.execute(text("  update contacts SET method = method WHERE id = -1"))
    assert _snapshots(db) == {}
    due_snapshot.warm(db, now=NOW)
    with db.unit_of_work() as session:
        session.execute(text("SELECT count(*) FROM contacts"))
        session.execute(text("UPDATE alembic_version SET version_num = version_num"))
        session.execute(
            update(DueSnapshot).where(DueSnapshot.young_person_id == -1).values(items="[]")
        )
    assert _snapshots(db)  # reading, or writing a table the engine never reads, clears nothing
    with db.unit_of_work() as session:
        session.execute(text('delete from "follow_up_actions" WHERE id = -1'))
    assert _snapshots(db) == {}


def test_recording_through_the_services_keeps_my_work_equal_to_the_engine(
    full_demo: Opened,
) -> None:
    """Real use cases (a follow-up added and completed, a status recorded): My work read
    through the snapshots always equals a fresh computation."""
    db = full_demo.db
    lead = full_demo.login(demo.DEMO_LEAD_USERNAME)
    due.my_work(db, lead, now=NOW, team=True)
    with db.reading() as session:
        pid = session.scalar(
            select(DueSnapshot.young_person_id).order_by(DueSnapshot.young_person_id)
        )
    assert pid is not None
    added = contacts.add_follow_up(
        db, lead, pid, FollowUpInput("Ring the college", TODAY + timedelta(days=3)), now=NOW
    )
    assert pid not in _snapshots(db)
    work = due.my_work(db, lead, now=NOW, team=True)
    assert any(
        w.person_id == pid and "Ring the college" in w.item.title + w.item.detail for w in work
    )
    assert _from_snapshots_for(db, [pid]) == {pid: _fresh(db)[pid]}
    contacts.complete_follow_up(db, lead, pid, added.ids[0], TODAY, now=NOW)
    assert pid not in _snapshots(db)
    after = due.my_work(db, lead, now=NOW, team=True)
    assert not any("Ring the college" in w.item.title + w.item.detail for w in after)
    contacts.record_status(db, lead, pid, "REFU", TODAY, "Told me on the phone.", now=NOW)
    assert pid not in _snapshots(db)
    due.my_work(db, lead, now=NOW, team=True)
    assert _from_snapshots_for(db, [pid]) == {pid: _fresh(db)[pid]}


def _from_snapshots_for(db: Database, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    with db.reading() as session:
        cached = due_snapshot.read(session, ids, TODAY)
    assert cached.missing == []
    return cached.items


def test_a_settings_change_makes_every_snapshot_stale(full_demo: Opened) -> None:
    from casework.services import settings

    db = full_demo.db
    admin = full_demo.login(demo.ADMIN_USERNAME)
    due_snapshot.warm(db, now=NOW)
    assert _snapshots(db)
    settings.set_idle_lock_minutes(db, admin, 20, now=NOW)
    assert _snapshots(db) == {}


def test_a_new_council_configuration_reads_no_old_snapshot(
    full_demo: Opened, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework import config

    db = full_demo.db
    due_snapshot.warm(db, now=NOW)
    with db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id)))
        assert due_snapshot.read(session, ids, TODAY).missing == []
    toml = tmp_path / "council.toml"
    toml.write_text("[due]\nplan_review_months = 3\n", encoding="utf-8")
    monkeypatch.setenv(config.ENV, str(toml))
    caches = (
        config.council_rules,
        config.front_door_rules,
        config.closure_rules,
        config.audit_rules,
        due_snapshot.fingerprint,
    )
    for cached in caches:
        cached.cache_clear()
    try:
        with db.reading() as session:
            assert sorted(due_snapshot.read(session, ids, TODAY).missing) == sorted(ids)
        assert due_snapshot.warm(db, now=NOW) == len(ids)
        assert _from_snapshots(db) == _fresh(db)
    finally:
        monkeypatch.delenv(config.ENV)
        for cached in caches:
            cached.cache_clear()


def test_a_new_day_recomputes(full_demo: Opened) -> None:
    """Yesterday's snapshots answer nothing today: My work on a later day computes and
    stores that day's, which equal the engine's answer for that day."""
    db = full_demo.db
    lead = full_demo.login(demo.DEMO_LEAD_USERNAME)
    due.my_work(db, lead, now=NOW, team=True)
    later_now = NOW + timedelta(days=40)
    later = local_today(later_now)
    team = sorted(_snapshots(db))
    with db.reading() as session:
        assert sorted(due_snapshot.read(session, team, later).missing) == team
    due.my_work(db, lead, now=later_now, team=True)
    assert {day for day, _ in _snapshots(db).values()} == {later}
    with db.reading() as session:
        cached = due_snapshot.read(session, team, later)
    fresh = _fresh(db, later)
    assert cached.missing == [] and cached.items == {pid: fresh[pid] for pid in team}
    assert cached.items != {pid: _fresh(db)[pid] for pid in team}  # the day mattered


def test_a_snapshot_from_an_older_read_is_never_stored(full_demo: Opened) -> None:
    """Read at generation g; someone changes a fact (g + 1); storing what was computed
    from the older read stores nothing."""
    db = full_demo.db
    with db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id).limit(5)))
        cached = due_snapshot.read(session, ids, TODAY)
        statuses = due.statuses_in(session, cached.missing, TODAY)
    with db.unit_of_work() as session:
        invalidate(session.connection(), [ids[0]])
    computed = {pid: statuses[pid].items for pid in cached.missing}
    assert due_snapshot.store(db, computed, TODAY, cached.generation) is False
    assert _snapshots(db) == {}
    assert due_snapshot.store(db, computed, TODAY, _generation(db)) is True
    assert set(_snapshots(db)) == set(computed)


def test_snapshots_are_outside_the_audit_trail_and_the_generation_row_exists(
    full_demo: Opened,
) -> None:
    from casework.db import audit_rows

    assert {"due_snapshots", "due_snapshot_generation"} <= audit_rows.UNTRACKED
    with full_demo.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(DueSnapshotGeneration)) == 1
        assert session.get(Setting, "database_id") is not None
