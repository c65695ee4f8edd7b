"""Child protection plans: made at an initial child protection conference, reviewed at
review conferences (the first within 3 months, then at most every 6 months) with the core
group first meeting within 10 working days (Working Together to Safeguard Children 2023,
chapter 2), and ended at a conference. Each step is one audited transaction; the clocks
join "My work" through :mod:`casework.services.due_front_door`.

:func:`plan_facts` is the plain fact the closure checks can read: each young person's
plans, whether open, and when the next review is due.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today
from casework.config import council_rules
from casework.db.database import Database
from casework.db.models import ChildProtectionMeeting, ChildProtectionPlan, Referral, User
from casework.domain import front_door as rules
from casework.domain.codes import UnknownCode
from casework.errors import NotFound, ValidationFailed
from casework.services import audit, concurrency
from casework.services.common import Changed, add_audited, rows_in
from casework.services.people import check_on_person, require_on_person
from casework.services.permissions import Action, Actor

RECORD_TYPE = "child_protection_plan"


@dataclass(frozen=True)
class MeetingView:
    id: int
    kind: rules.CpMeetingKind
    held_on: date
    note: str
    recorded_by: str


@dataclass(frozen=True)
class PlanView:
    id: int
    referral_id: int | None
    started_on: date
    ended_on: date | None
    end_reason: str
    meetings: tuple[MeetingView, ...]
    review_due: date | None  # while open
    core_group_due: date | None  # while open and no core group held
    version: int = 1  # as read: a change to it passes it back

    @property
    def open(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class PlanFact:
    """What the closure checks can read about one child protection plan: a plan still open
    (``ended_on`` None) means the child is subject to a plan; ``review_due`` is the next
    review conference's date while it is open."""

    id: int
    started_on: date
    ended_on: date | None
    last_review_on: date | None
    review_due: date | None


def _future(field: str, day: date, today: date) -> list[str]:
    return [f"{field}: {day:%d/%m/%Y} is in the future"] if day > today else []


def start_plan(
    db: Database,
    actor: Actor,
    person_id: int,
    started_on: date,
    *,
    referral_id: int | None = None,
    now: datetime,
) -> Changed:
    """Record a plan made at an initial child protection conference on ``started_on``. With
    a ``referral_id``, the referral's conference date is the start and must match."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _future("started_on", started_on, local_today(now))
        if referral_id is not None:
            referral = session.get(Referral, referral_id)
            if referral is None or referral.young_person_id != person_id:
                raise NotFound("That referral no longer exists.")
            if referral.icpc_on is None:
                problems.append(
                    "started_on: record the initial child protection conference on the "
                    "referral first"
                )
            elif referral.icpc_on != started_on:
                problems.append(
                    f"started_on: the plan starts at the initial conference, held on "
                    f"{referral.icpc_on:%d/%m/%Y}"
                )
        already = session.scalar(
            select(ChildProtectionPlan.id).where(
                ChildProtectionPlan.young_person_id == person_id,
                ChildProtectionPlan.ended_on.is_(None),
            )
        )
        if already is not None:
            problems.append("started_on: a child protection plan is already open; end it first")
        if problems:
            raise ValidationFailed(problems)
        row = ChildProtectionPlan(
            young_person_id=person_id,
            referral_id=referral_id,
            started_on=started_on,
            recorded_by=actor.user_id,
        )
        return add_audited(
            session,
            actor,
            row,
            "start_child_protection_plan",
            now=now,
            record_type=RECORD_TYPE,
            fields=["started_on", "referral_id"],
        )


def _open_plan(session: Session, plan_id: int) -> ChildProtectionPlan:
    row = session.get(ChildProtectionPlan, plan_id)
    if row is None:
        raise NotFound("That child protection plan no longer exists.")
    return row


def record_meeting(
    db: Database,
    actor: Actor,
    plan_id: int,
    kind: str,
    held_on: date,
    note: str = "",
    *,
    now: datetime,
) -> Changed:
    """Record a review conference or core group meeting held under an open plan."""
    with db.unit_of_work() as session:
        check_on_person(
            session, actor, _open_plan(session, plan_id).young_person_id, Action.EDIT_RECORD, now
        )
        problems = _future("held_on", held_on, local_today(now))
        try:
            chosen = rules.CpMeetingKind.parse(kind)
        except UnknownCode as exc:
            problems.append(f"kind: {exc}")
        plan = _open_plan(session, plan_id)
        if plan.ended_on is not None:
            problems.append("held_on: this plan has ended; meetings can no longer be added")
        if held_on < plan.started_on:
            problems.append(
                f"held_on: {held_on:%d/%m/%Y} is before the plan started "
                f"({plan.started_on:%d/%m/%Y})"
            )
        if problems:
            raise ValidationFailed(problems)
        row = ChildProtectionMeeting(
            plan_id=plan_id,
            kind=chosen.value,
            held_on=held_on,
            note=note.strip(),
            recorded_by=actor.user_id,
        )
        return add_audited(
            session,
            actor,
            row,
            "record_child_protection_meeting",
            now=now,
            record_type="child_protection_meeting",
            fields=["kind", "held_on", "note"],
        )


def end_plan(
    db: Database,
    actor: Actor,
    plan_id: int,
    ended_on: date,
    reason: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """End a plan (decided at a review conference), with the reason."""
    with db.unit_of_work() as session:
        check_on_person(
            session, actor, _open_plan(session, plan_id).young_person_id, Action.EDIT_RECORD, now
        )
        problems = _future("ended_on", ended_on, local_today(now))
        if not reason.strip():
            problems.append("end_reason: say why the plan ended (the conference's decision)")
        plan = _open_plan(session, plan_id)
        what = "child protection plan"
        concurrency.expect(session, plan, expected_version, record_type=RECORD_TYPE, what=what)
        if plan.ended_on is not None:
            if plan.version > 1:  # someone else ended it meanwhile: theirs stands
                raise concurrency.conflict(session, plan, record_type=RECORD_TYPE, what=what)
            problems.append("ended_on: this plan has already ended")
        if ended_on < plan.started_on:
            problems.append(
                f"ended_on: {ended_on:%d/%m/%Y} is before the plan started "
                f"({plan.started_on:%d/%m/%Y})"
            )
        if problems:
            raise ValidationFailed(problems)
        plan.ended_on, plan.end_reason = ended_on, reason.strip()
        audit.record(
            session,
            actor,
            "end_child_protection_plan",
            now=now,
            record_type=RECORD_TYPE,
            record_id=plan.id,
            fields=["ended_on", "end_reason"],
        )
        return Changed(RECORD_TYPE, (plan.id,), ("ended_on",))


def _meetings(session: Session, plan_ids: Sequence[int]) -> dict[int, list[ChildProtectionMeeting]]:
    out: dict[int, list[ChildProtectionMeeting]] = defaultdict(list)
    m = ChildProtectionMeeting
    for (row,) in rows_in(session, select(m).order_by(m.held_on, m.id), m.plan_id, plan_ids):
        out[row.plan_id].append(row)
    return out


def _reviews(meetings: Sequence[ChildProtectionMeeting]) -> list[date]:
    kind = rules.CpMeetingKind.REVIEW_CONFERENCE.value
    return [m.held_on for m in meetings if m.kind == kind]


def list_plans(db: Database, actor: Actor, person_id: int, *, now: datetime) -> list[PlanView]:
    """A young person's child protection plans, newest first, with their clocks."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    calendar = council_rules().calendar
    with db.reading() as session:
        names = {uid: n for uid, n in session.execute(select(User.id, User.display_name))}
        plans = list(
            session.scalars(
                select(ChildProtectionPlan)
                .where(ChildProtectionPlan.young_person_id == person_id)
                .order_by(ChildProtectionPlan.started_on.desc(), ChildProtectionPlan.id.desc())
            )
        )
        meetings = _meetings(session, [p.id for p in plans])
    out = []
    core = rules.CpMeetingKind.CORE_GROUP.value
    for p in plans:
        held = meetings.get(p.id, [])
        open_ = p.ended_on is None
        core_held = any(m.kind == core for m in held)
        out.append(
            PlanView(
                p.id,
                p.referral_id,
                p.started_on,
                p.ended_on,
                p.end_reason,
                tuple(
                    MeetingView(
                        m.id,
                        rules.CpMeetingKind.parse(m.kind),
                        m.held_on,
                        m.note,
                        names.get(m.recorded_by, "?"),
                    )
                    for m in held
                ),
                rules.cp_review_due(p.started_on, _reviews(held)) if open_ else None,
                rules.core_group_due(p.started_on, calendar) if open_ and not core_held else None,
                version=p.version,
            )
        )
    return out


def plan_facts(
    session: Session, ids: Sequence[int], *, as_of: date | None = None
) -> dict[int, tuple[PlanFact, ...]]:
    """Per young person, their child protection plans (oldest first) as plain facts, for
    many young people at once: one query per table. ``as_of``: the plans as they stood that
    day: plans made after it left out, an end or a meeting dated after it not yet
    happened."""
    p = ChildProtectionPlan
    plans = [
        (pid, plan_id, start, end)
        for pid, plan_id, start, end in rows_in(
            session,
            select(p.young_person_id, p.id, p.started_on, p.ended_on).order_by(p.started_on, p.id),
            p.young_person_id,
            ids,
        )
    ]
    meetings = _meetings(session, [plan_id for _, plan_id, _, _ in plans])
    out: dict[int, list[PlanFact]] = defaultdict(list)
    for pid, plan_id, start, end in plans:
        held = meetings.get(plan_id, [])
        if as_of is not None:
            if start > as_of:
                continue
            end = None if end is not None and end > as_of else end
            held = [m for m in held if m.held_on <= as_of]
        reviews = _reviews(held)
        out[pid].append(
            PlanFact(
                plan_id,
                start,
                end,
                max(reviews) if reviews else None,
                rules.cp_review_due(start, reviews) if end is None else None,
            )
        )
    return {pid: tuple(facts) for pid, facts in out.items()}
