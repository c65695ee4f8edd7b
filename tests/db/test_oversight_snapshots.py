"""The dashboard's quick path (visit and plan-review items from today's due snapshots) gives
exactly the figures of the plain path, including for young people whose record reads
differently as of today than the snapshots were made from."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from casework.clock import local_today
from casework.db.models import (
    DueSnapshot,
    EligibilityDecision,
    FollowUpAction,
    PathwayPlan,
    SupportEvent,
    User,
    YoungPerson,
)
from casework.reports import oversight
from casework.services import due as due_service
from casework.services import due_snapshot
from tests.conftest import NOW, Opened

TODAY = local_today(NOW)
START = TODAY - timedelta(days=364)


def _both(opened: Opened) -> tuple[oversight.Dashboard, oversight.Dashboard]:
    with opened.db.reading() as session, due_service.bulk_work():
        plain = oversight.gather(session, START, TODAY, None, TODAY, fast=False)
        fast = oversight.gather(session, START, TODAY, None, TODAY, fast=True)
    return plain, fast


def _open_with_plans(opened: Opened, count: int) -> list[int]:
    with opened.db.reading() as s:
        return list(
            s.scalars(
                select(YoungPerson.id)
                .join(PathwayPlan, PathwayPlan.young_person_id == YoungPerson.id)
                .where(YoungPerson.closed_on.is_(None), PathwayPlan.ended_on.is_(None))
                .order_by(YoungPerson.id)
                .limit(count)
            )
        )


def _later_facts(opened: Opened, pids: list[int]) -> None:
    """Facts dated or recorded after today, written straight into the tables before the
    snapshots are made: a closing date still to come, a decision, a support milestone and
    a follow-up recorded tomorrow."""
    tomorrow = TODAY + timedelta(days=1)
    at = datetime.combine(tomorrow, datetime.min.time()) + timedelta(hours=12)
    closing, deciding, supporting, following = pids
    with opened.db.unit_of_work() as s:
        by = s.scalar(select(User.id).order_by(User.id))
        assert by is not None
        s.get(YoungPerson, closing).closed_on = tomorrow + timedelta(days=30)  # type: ignore[union-attr]
        s.add(
            EligibilityDecision(
                young_person_id=deciding,
                suggested="former_relevant",
                decided="former_relevant",
                reason="Checked.",
                decided_by=by,
                decided_at=at,
            )
        )
        s.add(
            SupportEvent(
                young_person_id=supporting, kind="pa_accepted", occurred_on=tomorrow, recorded_by=by
            )
        )
        s.add(
            FollowUpAction(
                young_person_id=following, description="Ring back.", due_on=tomorrow, created_at=at
            )
        )


def test_snapshots_give_the_plain_figures(full_demo: Opened) -> None:
    pids = _open_with_plans(full_demo, 4)
    _later_facts(full_demo, pids)
    assert due_snapshot.warm(full_demo.db, now=NOW) > 100
    with full_demo.db.reading() as s:
        opened_ids = select(YoungPerson.id)
        assert set(pids) <= due_service.read_differently(s, opened_ids, TODAY)
        with_snapshot = set(due_snapshot.read(s, opened_ids, TODAY).items)
    assert set(pids) <= with_snapshot
    plain, fast = _both(full_demo)
    assert fast == plain
    assert plain.figure("pathway_plans_reviewed_in_time").judged


def test_a_missing_or_stale_snapshot_is_worked_out_in_full(full_demo: Opened) -> None:
    assert due_snapshot.warm(full_demo.db, now=NOW) > 100
    some = _open_with_plans(full_demo, 6)
    with full_demo.db.unit_of_work() as s:
        s.execute(delete(DueSnapshot).where(DueSnapshot.young_person_id.in_(some[:3])))
        s.execute(
            DueSnapshot.__table__.update()
            .where(DueSnapshot.young_person_id.in_(some[3:]))
            .values(day=TODAY - timedelta(days=1))
        )
    plain, fast = _both(full_demo)
    assert fast == plain


def test_without_the_check_for_later_facts_the_figures_would_differ(
    full_demo: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is what keeps a closing date still to come from hiding a plan review."""
    pids = _open_with_plans(full_demo, 4)
    _later_facts(full_demo, pids)
    due_snapshot.warm(full_demo.db, now=NOW)
    monkeypatch.setattr(oversight, "read_differently", lambda *_a: set())
    plain, fast = _both(full_demo)
    assert fast != plain


def test_a_past_period_never_reads_snapshots(
    full_demo: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    due_snapshot.warm(full_demo.db, now=NOW)

    def refuse(*_a: object) -> None:
        raise AssertionError("snapshots read for a day that is not today")

    monkeypatch.setattr(due_snapshot, "read", refuse)
    end = date(2026, 9, 30)
    with full_demo.db.reading() as session, due_service.bulk_work():
        dash = oversight.gather(session, end - timedelta(days=364), end, None, TODAY)
    assert dash.state_on == end
