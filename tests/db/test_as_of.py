"""The record as it stood on a day, on real SQLCipher files: the closure checks
(``closure-check --as-of``), the case's closure state then and the front-door items of
``report due|status --as-of``. Property: adding any fact dated after the day, or taking any
later step on an earlier fact, never changes the answer for the day."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework import cli
from casework.clock import to_naive_utc
from casework.config import closure_rules, council_rules
from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    Allegation,
    ChildProtectionMeeting,
    ChildProtectionPlan,
    ClosureRequest,
    Contact,
    EligibilityDecision,
    FollowUpAction,
    MissingEpisode,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
    SupportEvent,
    User,
    YoungPerson,
)
from casework.domain import closure as rules
from casework.reports.closure_check import closure_check_as_of
from casework.services import closure
from casework.services.categories import categories_in
from casework.services.due_front_door import front_door_items, open_risks
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSPHRASE, PASSWORD, Opened
from tests.db.test_closure import FULL, Case, case  # noqa: F401  (the fixture)

DAY = date(2026, 9, 28)  # the day asked about (British Summer Time: local != UTC dates)
BEFORE = DAY - timedelta(days=20)
LONDON = ZoneInfo("Europe/London")


def _moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A stored (naive UTC) time for a wall-clock time in England."""
    return to_naive_utc(datetime.combine(day, time(hour, minute), tzinfo=LONDON))


@dataclass(frozen=True)
class Base:
    person: int
    user: int
    concern: int
    referral: int
    allegation: int
    missing: int
    returned: int
    screening: int
    draft: int
    plan: int
    follow_up: int
    service: int
    home: int


def _base(opened: Opened) -> Base:
    """Open facts dated before the day, each with later steps still to take."""
    at = _moment(BEFORE)
    with opened.db.unit_of_work() as s:
        pid = s.scalars(select(YoungPerson.id).order_by(YoungPerson.id)).first()
        uid = s.scalars(select(User.id).order_by(User.id)).first()
        assert pid is not None and uid is not None
        rows: dict[str, Any] = {
            "concern": SafeguardingContact(
                young_person_id=pid,
                received_at=at,
                source="1A",
                reported="x",
                factors="11A",
                recorded_by=uid,
            ),
            "referral": Referral(
                young_person_id=pid, received_at=at, source="1A", reason="x", recorded_by=uid
            ),
            "allegation": Allegation(
                young_person_id=pid,
                subject_role="teacher",
                received_at=at,
                details="x",
                recorded_by=uid,
            ),
            "missing": MissingEpisode(young_person_id=pid, started_at=at, recorded_by=uid),
            "returned": MissingEpisode(
                young_person_id=pid,
                started_at=at - timedelta(days=3),
                ended_at=at - timedelta(days=2),
                recorded_by=uid,
            ),
            "screening": RiskScreening(
                young_person_id=pid,
                risk_type="cse",
                level="high",
                reasoning="x",
                screened_on=BEFORE,
                review_on=BEFORE + timedelta(days=28),
                screened_by=uid,
            ),
            "draft": Contact(
                young_person_id=pid,
                occurred_at=at,
                method="face_to_face_accommodation",
                made_by="personal_adviser",
                status="draft",
                author_id=uid,
                created_at=at,
                updated_at=at,
            ),
            "plan": ChildProtectionPlan(young_person_id=pid, started_on=BEFORE, recorded_by=uid),
            "follow_up": FollowUpAction(
                young_person_id=pid,
                description="x",
                due_on=BEFORE + timedelta(days=5),
                created_at=at,
            ),
            "service": ServiceReferral(
                young_person_id=pid,
                service="housing",
                sent_on=BEFORE,
                expected_by=BEFORE + timedelta(days=10),
                recorded_by=uid,
            ),
            "home": AccommodationPeriod(
                young_person_id=pid, letter="W", started_on=BEFORE, suitable=True
            ),
        }
        s.add_all(rows.values())
        s.add(
            EligibilityDecision(
                young_person_id=pid,
                suggested="former_relevant",
                decided="former_relevant",
                decided_by=uid,
                decided_at=at,
            )
        )
        s.flush()
        return Base(pid, uid, **{name: row.id for name, row in rows.items()})


# --- what may happen after the day ---

Change = Callable[[Session, Base, date, datetime], None]


def _new(factory: Callable[[Base, date, datetime], Any]) -> Change:
    return lambda s, b, day, at: s.add(factory(b, day, at))


def _set(model: Any, field: str, **values: Callable[[date, datetime], Any]) -> Change:
    def change(s: Session, b: Base, day: date, at: datetime) -> None:
        row_id = getattr(b, field)
        s.execute(
            update(model)
            .where(model.id == row_id)
            .values({k: v(day, at) for k, v in values.items()})
        )

    return change


def _day_of(day: date, _at: datetime) -> date:
    return day


def _time_of(_day: date, at: datetime) -> datetime:
    return at


def _const(value: Any) -> Callable[[date, datetime], Any]:
    return lambda _d, _a: value


LATER: dict[str, Change] = {
    "concern received": _new(
        lambda b, d, at: SafeguardingContact(
            young_person_id=b.person,
            received_at=at,
            source="1A",
            reported="x",
            factors="24A",
            recorded_by=b.user,
        )
    ),
    "referral received": _new(
        lambda b, d, at: Referral(
            young_person_id=b.person,
            received_at=at,
            source="1A",
            reason="x",
            factors="10A",
            recorded_by=b.user,
        )
    ),
    "allegation received": _new(
        lambda b, d, at: Allegation(
            young_person_id=b.person,
            subject_role="teacher",
            received_at=at,
            details="x",
            recorded_by=b.user,
        )
    ),
    "screening": _new(
        lambda b, d, at: RiskScreening(
            young_person_id=b.person,
            risk_type="cse",
            level="none",
            reasoning="x",
            screened_on=d,
            screened_by=b.user,
            lowered_from="high",
        )
    ),
    "went missing": _new(
        lambda b, d, at: MissingEpisode(young_person_id=b.person, started_at=at, recorded_by=b.user)
    ),
    "contact": _new(
        lambda b, d, at: Contact(
            young_person_id=b.person,
            occurred_at=at,
            method="face_to_face_accommodation",
            successful=True,
            made_by="personal_adviser",
            seen=True,
            seen_alone=True,
            status="final",
            author_id=b.user,
            created_at=at,
            updated_at=at,
            finalised_at=at,
        )
    ),
    "plan made": _new(
        lambda b, d, at: ChildProtectionPlan(
            young_person_id=b.person, started_on=d, recorded_by=b.user
        )
    ),
    "review conference": _new(
        lambda b, d, at: ChildProtectionMeeting(
            plan_id=b.plan, kind="review_conference", held_on=d, recorded_by=b.user
        )
    ),
    "core group": _new(
        lambda b, d, at: ChildProtectionMeeting(
            plan_id=b.plan, kind="core_group", held_on=d, recorded_by=b.user
        )
    ),
    "follow-up": _new(
        lambda b, d, at: FollowUpAction(
            young_person_id=b.person, description="x", due_on=d, created_at=at
        )
    ),
    "referral out": _new(
        lambda b, d, at: ServiceReferral(
            young_person_id=b.person, service="eet", sent_on=d, recorded_by=b.user
        )
    ),
    "support milestone": _new(
        lambda b, d, at: SupportEvent(
            young_person_id=b.person, kind="declined_support", occurred_on=d, recorded_by=b.user
        )
    ),
    "category confirmed": _new(
        lambda b, d, at: EligibilityDecision(
            young_person_id=b.person,
            suggested="qualifying",
            decided="qualifying",
            decided_by=b.user,
            decided_at=at,
        )
    ),
    "moved": _new(
        lambda b, d, at: AccommodationPeriod(
            young_person_id=b.person, letter="X", started_on=d, suitable=False
        )
    ),
    "activity": _new(
        lambda b, d, at: ActivityPeriod(young_person_id=b.person, code="F1", started_on=d)
    ),
    "closure requested": _new(
        lambda b, d, at: ClosureRequest(
            young_person_id=b.person,
            status="pending",
            reason="AGE",
            requested_by=b.user,
            requested_at=at,
            submitted_at=at,
            anchor_on=d,
        )
    ),
    "concern decided": _set(
        SafeguardingContact, "concern", decided_at=_time_of, decision=_const("nfa")
    ),
    "referral decided": _set(
        Referral,
        "referral",
        decided_at=_time_of,
        decision=_const("strategy_s47"),
        strategy_discussion_on=_day_of,
        s47_outcome=_const("substantiated"),
        icpc_not_required_reason=_const("x"),
        assessment_started_on=_day_of,
        assessment_completed_on=_day_of,
        assessment_authorised_on=_day_of,
    ),
    "allegation resolved": _set(
        Allegation,
        "allegation",
        lado_notified_at=_time_of,
        strategy_criteria_met=_const(True),
        strategy_meeting_at=_time_of,
        outcome=_const("unfounded"),
        outcome_on=_day_of,
    ),
    "came back": _set(MissingEpisode, "missing", ended_at=_time_of),
    "interview refused": _set(
        MissingEpisode, "returned", interview_offered_at=_time_of, interview_accepted=_const(False)
    ),
    "interview held": _set(
        MissingEpisode, "returned", interview_offered_at=_time_of, interview_held_at=_time_of
    ),
    "signed off": _set(
        RiskScreening, "screening", signed_off_by=lambda d, a: 1, signed_off_on=_day_of
    ),
    "contact finalised": _set(
        Contact, "draft", status=_const("final"), successful=_const(True), finalised_at=_time_of
    ),
    "plan ended": _set(ChildProtectionPlan, "plan", ended_on=_day_of, end_reason=_const("x")),
    "follow-up done": _set(FollowUpAction, "follow_up", done_on=_day_of),
    "referral out chased": _set(ServiceReferral, "service", last_chased_on=_day_of),
    "moved out": _set(AccommodationPeriod, "home", ended_on=_day_of),
    "accommodation reviewed": _set(
        AccommodationPeriod, "home", team_lead_reviewed_on=_day_of, team_lead_reviewed_by=_const(1)
    ),
}


def _answer(s: Session, pid: int, day: date) -> dict[str, Any]:
    """Everything the as-of answers say for one young person on ``day``."""
    facts = closure.load_facts(s, [pid], day, as_of=True)[pid]
    empty = rules.RequestFacts()
    checks = rules.run_checks(facts, empty, day, closure_rules())
    items = front_door_items(s, [pid], day, council_rules().calendar, as_of=True).get(pid, [])
    return {
        "facts": facts,
        "checks": [(c.id, c.outcome, c.summary, c.evidence) for c in checks],
        "items": sorted(items, key=repr),
        "risks": open_risks(s, [pid], as_of=day).get(pid, ()),
        "state": closure.closure_state_on(s, pid, day),
    }


class _Undo(Exception):
    """Raised to roll a trial change back."""


def _trial(opened: Opened, base: Base, change: Callable[[Session], None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        with opened.db.unit_of_work() as s:
            change(s)
            s.flush()
            s.expire_all()
            out = _answer(s, base.person, DAY)
            raise _Undo
    except _Undo:
        pass
    return out


@pytest.mark.tampers  # sets up facts and trial changes straight in the file
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(
        st.tuples(
            st.sampled_from(sorted(LATER)),
            st.integers(min_value=1, max_value=60),
            st.integers(min_value=0, max_value=23),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_nothing_dated_after_the_day_changes_the_answer_for_the_day(
    demo_db: Opened, changes: list[tuple[str, int, int]]
) -> None:
    if not hasattr(demo_db, "base"):
        demo_db.base = _base(demo_db)  # type: ignore[attr-defined]
        with demo_db.db.reading() as s:
            demo_db.expected = _answer(s, demo_db.base.person, DAY)  # type: ignore[attr-defined]
    base: Base = demo_db.base  # type: ignore[attr-defined]

    def apply(s: Session) -> None:
        for name, days, hour in changes:
            later = DAY + timedelta(days=days)
            LATER[name](s, base, later, _moment(later, hour, 30))

    assert _trial(demo_db, base, apply) == demo_db.expected  # type: ignore[attr-defined]


@pytest.mark.tampers
def test_each_later_step_is_seen_today_but_not_on_the_day(demo_db: Opened) -> None:
    """The as-of filter is not vacuous: every later change the property tries does change
    the answer as the record stands now, or the facts the checks read today."""
    base = _base(demo_db)
    later = DAY + timedelta(days=1)
    early = _moment(later, 0, 30)  # 23:30 UTC on the day itself: the local date decides
    assert early.date() == DAY
    today = NOW.date()

    def now_answer(s: Session) -> Any:
        facts = closure.load_facts(s, [base.person], today)[base.person]
        items = front_door_items(s, [base.person], today, council_rules().calendar)
        return (
            facts,
            sorted(items.get(base.person, []), key=repr),
            open_risks(s, [base.person]),
            closure.closure_state_on(s, base.person, today),
            categories_in(s, [base.person], today)[base.person].confirmed,
        )

    with demo_db.db.reading() as s:
        before = now_answer(s)
    unseen = []
    for name, change in LATER.items():
        out: list[Any] = []
        try:
            with demo_db.db.unit_of_work() as s:
                change(s, base, later, early)
                s.flush()
                s.expire_all()
                out.append(now_answer(s))
                out.append(_answer(s, base.person, DAY))
                raise _Undo
        except _Undo:
            pass
        if out[0] == before:
            unseen.append(name)
    assert unseen == [], unseen


@pytest.mark.tampers
def test_closure_check_as_of_from_the_cli(
    demo_db: Opened, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _base(demo_db)
    with demo_db.db.unit_of_work() as s:
        s.execute(
            update(SafeguardingContact)
            .where(SafeguardingContact.id == base.concern)
            .values(decided_at=_moment(DAY + timedelta(days=3)), decision="nfa")
        )
        child = s.scalar(select(YoungPerson.child_uid).where(YoungPerson.id == base.person))
    with demo_db.db.reading() as s:
        now_facts = closure.load_facts(s, [base.person], NOW.date())[base.person]
    assert all(c.decided for c in now_facts.concerns if c.id == base.concern)
    report = closure_check_as_of(demo_db.db, SYSTEM_ACTOR, str(child), DAY, now=NOW)
    front = next(c for c in report["checks"] if c["id"] == "front-door-decided")
    waiting = [e["id"] for e in front["evidence"] if e["record"] == "safeguarding_contact"]
    assert not front["passed"] and base.concern in waiting, front
    demo_db.db.close()
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    path = str(demo_db.path)
    args = ["closure-check", "--child-id", str(child), "--path", path, "--as-of"]
    assert cli.main([*args, DAY.isoformat(), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["as_of"] == DAY.isoformat() and printed["closed_on_the_day"] is False
    assert printed["checks"] == report["checks"]
    assert cli.main([*args, DAY.isoformat()]) == 0
    text = capsys.readouterr().out
    assert f"as of {DAY:%d/%m/%Y}: open" in text and "cannot close yet" in text
    assert cli.main([*args, "2026-13-01"]) != 0
    assert "not a date" in capsys.readouterr().err


def test_the_closure_state_on_a_day_follows_the_audit_trail(full_demo: Opened) -> None:
    """Today, the state read from the trail is the state on the record; before a case was
    closed it was open, and on the day it closed it was closed."""
    today = NOW.date()
    with full_demo.db.reading() as s:
        people = list(s.execute(select(YoungPerson.id, YoungPerson.closed_on)))
        requests = {
            pid: [(r.id, r.status) for r in rows]
            for pid in {p for p, _ in people}
            if (
                rows := list(
                    s.scalars(select(ClosureRequest).where(ClosureRequest.young_person_id == pid))
                )
            )
        }
        closed = [(pid, on) for pid, on in people if on is not None]
        assert closed and requests
        for pid, on in closed:
            assert closure.closure_state_on(s, pid, on).closed
            before = closure.closure_state_on(s, pid, on - timedelta(days=1))
            assert not before.closed and before.closed_on is None
        for pid, _on in people:
            state = closure.closure_state_on(s, pid, today)
            active = [
                (rid, status)
                for rid, status in requests.get(pid, [])
                if status in ("pending", "returned", "approved")
            ]
            assert state.closed == any(p == pid for p, _ in closed)
            got = (state.request_id, state.request_status.value if state.request_status else None)
            assert got == (active[-1] if active else (None, None)), pid


def test_closure_check_as_of_refuses_a_day_it_cannot_know(demo_db: Opened) -> None:
    with demo_db.db.reading() as s:
        child, born = s.execute(select(YoungPerson.child_uid, YoungPerson.date_of_birth)).first()
    from casework.errors import ValidationFailed

    later = NOW.date() + timedelta(days=1)
    with pytest.raises(ValidationFailed, match="is in the future"):
        closure_check_as_of(demo_db.db, SYSTEM_ACTOR, child, later, now=NOW)
    with pytest.raises(ValidationFailed, match="before they were born"):
        closure_check_as_of(demo_db.db, SYSTEM_ACTOR, child, born - timedelta(days=1), now=NOW)


def test_each_step_of_a_request_is_seen_from_its_day(case: Case) -> None:  # noqa: F811
    """Requested, returned, resubmitted, approved, closed, reopened: on each day the state
    is the one the steps taken by then left, read from the audit trail."""
    db, days = case.opened.db, [NOW - timedelta(days=n) for n in (10, 8, 6, 4, 2)]
    (rid,) = closure.request_closure(db, case.worker, case.pid, FULL, now=days[0]).ids
    closure.return_closure(db, case.lead, rid, "Name the tenancy worker.", now=days[1])
    closure.resubmit_closure(db, case.worker, rid, FULL, now=days[2])
    closure.approve_closure(db, case.lead, rid, PASSWORD, now=days[3])
    closure.close_case(db, case.worker, rid, days[4].date(), now=days[4])
    closure.reopen_case(db, case.worker, case.pid, "Asked for help again.", now=NOW)

    def state(moment: datetime) -> tuple[bool, str | None]:
        with db.reading() as s:
            found = closure.closure_state_on(s, case.pid, moment.date())
        return found.closed, found.request_status.value if found.request_status else None

    assert state(days[0] - timedelta(days=1)) == (False, None)
    assert [state(d) for d in days] == [
        (False, "pending"),
        (False, "returned"),
        (False, "pending"),
        (False, "approved"),
        (True, None),
    ]
    assert state(NOW) == (False, None)  # reopened
