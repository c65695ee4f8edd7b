"""Who the young person is legally, and their pathway planning: care history and the
eligibility suggestion the worker confirms or overrides; the needs assessment; pathway
plans with the ten Schedule 1 areas and their reviews; changes of circumstances; the
leaving-care essentials; and dated support milestones (the PA offer at 21, declining
support, the yearly reminder, being told they can return until 25)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_naive_utc
from casework.db.database import Database
from casework.db.models import (
    CareHistory,
    CarePeriod,
    CircumstanceChange,
    EligibilityDecision,
    EssentialItem,
    NeedsAssessment,
    PathwayPlan,
    PlanArea,
    PlanReview,
    SupportEvent,
    User,
    YoungPerson,
)
from casework.domain import leaving_care as lc
from casework.domain.codes import EligibilityCategory, UnknownCode
from casework.errors import NotFound, ValidationFailed
from casework.services import audit, concurrency
from casework.services.categories import category_inputs
from casework.services.common import Changed, add_audited
from casework.services.people import check_on_person
from casework.services.people import require_on_person as _check
from casework.services.permissions import Action, Actor


class SupportKind(StrEnum):
    PA_OFFER_21 = "pa_offer_21"  # PA to 25 offered at 21
    PA_ACCEPTED = "pa_accepted"  # they asked for a PA after 21
    DECLINED_SUPPORT = "declined_support"
    REMINDER_SENT = "reminder_sent"  # the yearly letter to 21-25s who declined
    TOLD_CAN_RETURN = "told_can_return"  # told in writing they can return until 25
    DEATH_NOTIFIED = "death_notified"  # Ofsted and the Secretary of State told of a death

    @property
    def label(self) -> str:
        return {
            "pa_offer_21": "Personal adviser to 25 offered",
            "pa_accepted": "Asked for a personal adviser after 21",
            "declined_support": "Declined further support",
            "reminder_sent": "Yearly reminder sent (can return until 25)",
            "told_can_return": "Told in writing they can return for support until 25 (s23CZB)",
            "death_notified": "Death notified to Ofsted and the Secretary of State",
        }[self.value]


@dataclass(frozen=True)
class CareHistoryInput:
    date_entered_care: date | None = None
    weeks_looked_after_since_14: int | None = None
    legal_status: str = ""
    detained_or_in_hospital_at_16: bool = False
    sgo_after_looked_after: bool = False
    staying_put_until: date | None = None
    staying_close: bool = False


@dataclass(frozen=True)
class AreaInput:
    area: str
    needs: str = ""
    actions: str = ""
    owner: str = ""
    target_on: date | None = None


@dataclass(frozen=True)
class PlanView:
    id: int
    started_on: date
    participation: str
    ended_on: date | None
    areas: tuple[AreaInput, ...]
    reviews: tuple[tuple[date, bool, str], ...]
    version: int = 1  # as read: a new plan replacing it passes it back


def _not_future(name: str, value: date | None, today: date) -> list[str]:
    if value is not None and value > today:
        return [f"{name}: {value:%d/%m/%Y} is in the future"]
    return []


# --- care history and eligibility -------------------------------------------------------


def save_care_history(
    db: Database,
    actor: Actor,
    person_id: int,
    data: CareHistoryInput,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        today = local_today(now)
        problems = _not_future("date_entered_care", data.date_entered_care, today)
        weeks = data.weeks_looked_after_since_14
        if weeks is not None and not 0 <= weeks <= 52 * 5:
            problems.append(
                f"weeks_looked_after_since_14: {weeks} is not possible: expected 0 to "
                "260 (weeks from the 14th birthday to 18)"
            )
        if problems:
            raise ValidationFailed(problems)
        row = session.get(CareHistory, person_id)
        if row is not None:
            concurrency.expect(
                session, row, expected_version, record_type="care_history", what="care history"
            )
        if row is None:
            row = CareHistory(young_person_id=person_id)
            session.add(row)
        changed = []
        for name, value in vars(data).items():
            if getattr(row, name, None) != value:
                setattr(row, name, value)
                changed.append(name)
        row.updated_at = to_naive_utc(now)
        audit.record(
            session,
            actor,
            "save_care_history",
            now=now,
            record_type="care_history",
            record_id=person_id,
            fields=changed,
        )
        return Changed("care_history", (person_id,), tuple(changed))


def care_facts(session: Session, person: YoungPerson) -> lc.CareHistory:
    """The care history the category is derived from: the same loader every clock uses
    (care periods, returns home, detention or hospital at 16, special guardianship)."""
    return category_inputs(session, [person.id])[person.id].care


@dataclass(frozen=True)
class CarePeriodInput:
    started_on: date
    ended_on: date | None = None
    legal_status: str = ""


def add_care_period(
    db: Database, actor: Actor, person_id: int, data: CarePeriodInput, *, now: datetime
) -> Changed:
    """Record a spell of being looked after (the facts eligibility is derived from: CPPCR
    2010 reg 40, "13 weeks since 14, ending after 16")."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        today = local_today(now)
        problems = _not_future("started_on", data.started_on, today)
        problems += _not_future("ended_on", data.ended_on, today)
        if data.ended_on is not None and data.ended_on < data.started_on:
            problems.append(
                f"ended_on: {data.ended_on:%d/%m/%Y} is before the period started "
                f"({data.started_on:%d/%m/%Y}): expected the same day or later"
            )
        if len(data.legal_status.strip()) > 60:
            problems.append("legal_status: too long: expected at most 60 characters")
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        if data.started_on < person.date_of_birth:
            problems.append(
                f"started_on: {data.started_on:%d/%m/%Y} is before the date of birth: expected "
                "a day in their life"
            )
        for other in session.scalars(
            select(CarePeriod).where(CarePeriod.young_person_id == person_id)
        ):
            end = data.ended_on or date.max
            other_end = other.ended_on or date.max
            if data.started_on <= other_end and other.started_on <= end:
                problems.append(
                    f"started_on: overlaps the period from {other.started_on:%d/%m/%Y}: "
                    "expected periods that do not overlap (end or remove that one first)"
                )
        if problems:
            raise ValidationFailed(problems)
        return add_audited(
            session,
            actor,
            CarePeriod(
                young_person_id=person_id,
                started_on=data.started_on,
                ended_on=data.ended_on,
                legal_status=data.legal_status.strip(),
                recorded_by=actor.user_id,
                recorded_at=to_naive_utc(now),
            ),
            "add_care_period",
            now=now,
            record_type="care_period",
            fields=["started_on", "ended_on", "legal_status"],
        )


def remove_care_period(
    db: Database,
    actor: Actor,
    person_id: int,
    period_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Remove a care period entered in error (audited)."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        row = session.get(CarePeriod, period_id)
        if row is None or row.young_person_id != person_id:
            raise NotFound("That care period is not on this young person's record.")
        concurrency.expect(
            session, row, expected_version, record_type="care_period", what="care period"
        )
        session.delete(row)
        audit.record(
            session,
            actor,
            "remove_care_period",
            now=now,
            record_type="care_period",
            record_id=period_id,
            fields=["started_on", "ended_on", "legal_status"],
        )
        return Changed("care_period", (period_id,), ("removed",))


def suggestion(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> lc.EligibilitySuggestion:
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        return lc.suggest_eligibility(care_facts(session, person), local_today(now))


def decide_eligibility(
    db: Database, actor: Actor, person_id: int, category: str, reason: str, *, now: datetime
) -> Changed:
    """Confirm the suggested category, or override it with a reason."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        try:
            decided = EligibilityCategory.parse(category)
        except UnknownCode as exc:
            raise ValidationFailed([f"category: {exc}"]) from None
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        suggested = lc.suggest_eligibility(care_facts(session, person), local_today(now))
        if decided is not suggested.category and not reason.strip():
            raise ValidationFailed(
                [
                    f"reason: the suggestion is '{suggested.category.label}'; say why "
                    f"'{decided.label}' is right instead"
                ]
            )
        session.add(
            EligibilityDecision(
                young_person_id=person_id,
                suggested=suggested.category.value,
                decided=decided.value,
                reason=reason.strip(),
                decided_by=actor.user_id,
                decided_at=to_naive_utc(now),
            )
        )
        changed: tuple[str, ...] = ()
        if person.eligibility != decided.value:
            person.eligibility = decided.value
            person.updated_at = to_naive_utc(now)
            changed = ("eligibility",)
        audit.record(
            session,
            actor,
            "decide_eligibility",
            now=now,
            record_type="young_person",
            record_id=person_id,
            fields=["eligibility_decision", *changed],
        )
        return Changed("young_person", (person_id,), changed)


# --- needs assessment, plans, reviews, changes ----------------------------------------


def record_needs_assessment(
    db: Database,
    actor: Actor,
    person_id: int,
    *,
    eligible_from: date,
    started_on: date | None,
    completed_on: date | None,
    summary: str,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Record or update the open needs assessment (a completed one stays as it was: a new
    one is started). ``expected_version``: the open assessment as the screen showed it."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        today = local_today(now)
        problems = _not_future("started_on", started_on, today)
        problems += _not_future("completed_on", completed_on, today)
        if completed_on and started_on and completed_on < started_on:
            problems.append("completed_on: before the assessment started")
        if completed_on and not summary.strip():
            problems.append("summary: a completed assessment needs its summary of needs")
        if problems:
            raise ValidationFailed(problems)
        row = session.scalar(
            select(NeedsAssessment)
            .where(NeedsAssessment.young_person_id == person_id)
            .order_by(NeedsAssessment.id.desc())
        )
        if row is not None:
            concurrency.expect(
                session,
                row,
                expected_version,
                record_type="needs_assessment",
                what="needs assessment",
            )
        if row is None or row.completed_on is not None:
            row = NeedsAssessment(young_person_id=person_id)
            session.add(row)
        row.eligible_from = eligible_from
        row.started_on = started_on
        row.completed_on = completed_on
        row.summary = summary.strip()
        session.flush()
        audit.record(
            session,
            actor,
            "record_needs_assessment",
            now=now,
            record_type="needs_assessment",
            record_id=row.id,
            fields=["eligible_from", "started_on", "completed_on", "summary"],
        )
        return Changed("needs_assessment", (row.id,))


def _area_problems(areas: list[AreaInput], today: date) -> list[str]:
    problems = []
    seen = set()
    for item in areas:
        try:
            area = lc.PlanArea.parse(item.area)
        except UnknownCode as exc:
            problems.append(f"area: {exc}")
            continue
        if area in seen:
            problems.append(f"{area.label}: given twice")
        seen.add(area)
        if item.actions.strip() and not item.owner.strip():
            problems.append(f"{area.label}: say who owns the actions")
    return problems


def start_plan(
    db: Database,
    actor: Actor,
    person_id: int,
    *,
    started_on: date,
    participation: str,
    areas: list[AreaInput],
    now: datetime,
    expected_version: int | None = None,
    replacing: int | None = None,
) -> Changed:
    """A new pathway plan (the previous one ends the day it starts). ``replacing`` and
    ``expected_version``: the current plan as the screen showed it, so a plan someone
    else started or changed meanwhile is named, never silently ended."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        today = local_today(now)
        problems = _not_future("started_on", started_on, today) + _area_problems(areas, today)
        if not participation.strip():
            problems.append("participation: record how the young person took part in their plan")
        if problems:
            raise ValidationFailed(problems)
        for old in session.scalars(
            select(PathwayPlan).where(
                PathwayPlan.young_person_id == person_id, PathwayPlan.ended_on.is_(None)
            )
        ):
            if replacing is not None and old.id != replacing:  # someone else's newer plan
                raise concurrency.conflict(
                    session, old, record_type="pathway_plan", what="pathway plan"
                )
            concurrency.expect(
                session, old, expected_version, record_type="pathway_plan", what="pathway plan"
            )
            old.ended_on = started_on
        plan = PathwayPlan(
            young_person_id=person_id,
            started_on=started_on,
            participation=participation.strip(),
            created_by=actor.user_id,
            created_at=to_naive_utc(now),
        )
        session.add(plan)
        session.flush()
        for item in areas:
            session.add(
                PlanArea(
                    plan_id=plan.id,
                    area=lc.PlanArea.parse(item.area).value,
                    needs=item.needs.strip(),
                    actions=item.actions.strip(),
                    owner=item.owner.strip(),
                    target_on=item.target_on,
                )
            )
        audit.record(
            session,
            actor,
            "start_plan",
            now=now,
            record_type="pathway_plan",
            record_id=plan.id,
            fields=["started_on", "participation", "areas"],
        )
        return Changed("pathway_plan", (plan.id,))


def review_plan(
    db: Database,
    actor: Actor,
    person_id: int,
    *,
    reviewed_on: date,
    participated: bool,
    notes: str,
    now: datetime,
) -> Changed:
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _not_future("reviewed_on", reviewed_on, local_today(now))
        if not notes.strip():
            problems.append("notes: record what the review found and decided")
        if problems:
            raise ValidationFailed(problems)
        plan = session.scalar(
            select(PathwayPlan).where(
                PathwayPlan.young_person_id == person_id, PathwayPlan.ended_on.is_(None)
            )
        )
        if plan is None:
            raise ValidationFailed(["There is no current pathway plan to review: start one."])
        if reviewed_on < plan.started_on:
            raise ValidationFailed(["reviewed_on: before the plan started"])
        review = PlanReview(
            plan_id=plan.id,
            reviewed_on=reviewed_on,
            young_person_participated=participated,
            notes=notes.strip(),
            reviewed_by=actor.user_id,
        )
        session.add(review)
        session.flush()
        audit.record(
            session,
            actor,
            "review_plan",
            now=now,
            record_type="pathway_plan",
            record_id=plan.id,
            fields=["reviewed_on", "participated", "notes"],
        )
        return Changed("pathway_plan", (plan.id,), ("reviews",))


def current_plan(db: Database, actor: Actor, person_id: int, *, now: datetime) -> PlanView | None:
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        plan = session.scalar(
            select(PathwayPlan)
            .where(PathwayPlan.young_person_id == person_id)
            .order_by(PathwayPlan.started_on.desc())
        )
        if plan is None:
            return None
        return PlanView(
            plan.id,
            plan.started_on,
            plan.participation,
            plan.ended_on,
            tuple(AreaInput(a.area, a.needs, a.actions, a.owner, a.target_on) for a in plan.areas),
            tuple((r.reviewed_on, r.young_person_participated, r.notes) for r in plan.reviews),
            plan.version,
        )


def record_change(
    db: Database, actor: Actor, person_id: int, kind: str, occurred_on: date, *, now: datetime
) -> Changed:
    """A change of circumstances (custody, parenthood ...) that makes a plan review due."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        try:
            change = lc.CircumstanceChange.parse(kind)
        except UnknownCode as exc:
            raise ValidationFailed([f"kind: {exc}"]) from None
        problems = _not_future("occurred_on", occurred_on, local_today(now))
        if problems:
            raise ValidationFailed(problems)
        row = CircumstanceChange(
            young_person_id=person_id,
            kind=change.value,
            occurred_on=occurred_on,
            recorded_by=actor.user_id,
        )
        return add_audited(
            session,
            actor,
            row,
            "record_change",
            now=now,
            record_type="circumstance_change",
            fields=["kind", "occurred_on"],
        )


# --- essentials and support milestones ------------------------------------------------


def set_essential(
    db: Database,
    actor: Actor,
    person_id: int,
    item: str,
    done_on: date | None,
    note: str = "",
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        try:
            essential = lc.EssentialItem.parse(item)
        except UnknownCode as exc:
            raise ValidationFailed([f"item: {exc}"]) from None
        problems = _not_future("done_on", done_on, local_today(now))
        if problems:
            raise ValidationFailed(problems)
        row = session.scalar(
            select(EssentialItem).where(
                EssentialItem.young_person_id == person_id, EssentialItem.item == essential.value
            )
        )
        if row is not None:
            concurrency.expect(
                session, row, expected_version, record_type="essential_item", what="item"
            )
        if row is None:
            row = EssentialItem(young_person_id=person_id, item=essential.value)
            session.add(row)
        row.done_on = done_on
        row.note = note.strip()
        session.flush()
        audit.record(
            session,
            actor,
            "set_essential",
            now=now,
            record_type="essential_item",
            record_id=row.id,
            fields=["done_on", "note"],
        )
        return Changed("essential_item", (row.id,))


def essentials(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[tuple[lc.EssentialItem, date | None, str]]:
    """Every checklist item in order, done or not."""
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        rows = {
            r.item: r
            for r in session.scalars(
                select(EssentialItem).where(EssentialItem.young_person_id == person_id)
            )
        }
    return [
        (
            item,
            rows[item.value].done_on if item.value in rows else None,
            rows[item.value].note if item.value in rows else "",
        )
        for item in lc.EssentialItem
    ]


def record_support(
    db: Database,
    actor: Actor,
    person_id: int,
    kind: str,
    occurred_on: date,
    note: str = "",
    *,
    now: datetime,
) -> Changed:
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        try:
            support = SupportKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in SupportKind)
            raise ValidationFailed(
                [f"kind: {kind!r} is not known: expected one of {allowed}"]
            ) from None
        problems = _not_future("occurred_on", occurred_on, local_today(now))
        if problems:
            raise ValidationFailed(problems)
        row = SupportEvent(
            young_person_id=person_id,
            kind=support.value,
            occurred_on=occurred_on,
            note=note.strip(),
            recorded_by=actor.user_id,
        )
        return add_audited(
            session,
            actor,
            row,
            "record_support",
            now=now,
            record_type="support_event",
            fields=["kind", "occurred_on", "note"],
        )


# --- reading, for the record's screens ------------------------------------------------


@dataclass(frozen=True)
class DecisionView:
    suggested: str
    decided: str
    reason: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class SupportView:
    kind: SupportKind
    occurred_on: date
    note: str
    recorded_by: str


@dataclass(frozen=True)
class AssessmentView:
    eligible_from: date
    started_on: date | None
    completed_on: date | None
    summary: str
    version: int = 1  # as read: saving it passes it back


@dataclass(frozen=True)
class CarePeriodView:
    id: int
    started_on: date
    ended_on: date | None
    legal_status: str
    version: int = 1  # as read: removing it passes it back


@dataclass(frozen=True)
class LegalOverview:
    care: CareHistoryInput | None
    suggestion: lc.EligibilitySuggestion
    decision: DecisionView | None
    support: list[SupportView]
    category: lc.CategoryView | None = None  # derived vs confirmed, and what is in force
    periods: tuple[CarePeriodView, ...] = ()
    care_version: int | None = None  # the care history as read (None: none recorded yet)


@dataclass(frozen=True)
class PlanOverview:
    plan: PlanView | None
    assessment: AssessmentView | None
    changes: list[tuple[str, date]]
    essentials: list[tuple[lc.EssentialItem, date | None, str]]


def _names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}


def _care_input(row: CareHistory | None) -> CareHistoryInput | None:
    if row is None:
        return None
    return CareHistoryInput(
        row.date_entered_care,
        row.weeks_looked_after_since_14,
        row.legal_status or "",
        row.detained_or_in_hospital_at_16,
        row.sgo_after_looked_after,
        row.staying_put_until,
        row.staying_close,
    )


def legal_overview(db: Database, actor: Actor, person_id: int, *, now: datetime) -> LegalOverview:
    """Care history, the eligibility suggestion, the latest decision and support milestones."""
    found = suggestion(db, actor, person_id, now=now)  # checks the actor may see the record
    with db.reading() as session:
        names = _names(session)
        latest = session.scalar(
            select(EligibilityDecision)
            .where(EligibilityDecision.young_person_id == person_id)
            .order_by(EligibilityDecision.decided_at.desc(), EligibilityDecision.id.desc())
        )
        decision = (
            None
            if latest is None
            else DecisionView(
                latest.suggested,
                latest.decided,
                latest.reason,
                names.get(latest.decided_by, "?"),
                latest.decided_at,
            )
        )
        support = [
            SupportView(SupportKind(e.kind), e.occurred_on, e.note, names.get(e.recorded_by, "?"))
            for e in session.scalars(
                select(SupportEvent)
                .where(SupportEvent.young_person_id == person_id)
                .order_by(SupportEvent.occurred_on.desc(), SupportEvent.id.desc())
            )
        ]
        category = category_inputs(session, [person_id])[person_id].view(local_today(now))
        periods = tuple(
            CarePeriodView(p.id, p.started_on, p.ended_on, p.legal_status, p.version)
            for p in session.scalars(
                select(CarePeriod)
                .where(CarePeriod.young_person_id == person_id)
                .order_by(CarePeriod.started_on, CarePeriod.id)
            )
        )
        history = session.get(CareHistory, person_id)
        return LegalOverview(
            _care_input(history),
            found,
            decision,
            support,
            category,
            periods,
            history.version if history is not None else None,
        )


def plan_overview(db: Database, actor: Actor, person_id: int, *, now: datetime) -> PlanOverview:
    """The current plan, the latest needs assessment, changes of circumstances, essentials."""
    plan = current_plan(db, actor, person_id, now=now)  # checks the actor may see the record
    items = essentials(db, actor, person_id, now=now)
    with db.reading() as session:
        row = session.scalar(
            select(NeedsAssessment)
            .where(NeedsAssessment.young_person_id == person_id)
            .order_by(NeedsAssessment.id.desc())
        )
        assessment = (
            None
            if row is None
            else AssessmentView(
                row.eligible_from, row.started_on, row.completed_on, row.summary, row.version
            )
        )
        changes = [
            (c.kind, c.occurred_on)
            for c in session.scalars(
                select(CircumstanceChange)
                .where(CircumstanceChange.young_person_id == person_id)
                .order_by(CircumstanceChange.occurred_on.desc(), CircumstanceChange.id.desc())
            )
        ]
    return PlanOverview(plan, assessment, changes, items)
