"""What is due: one engine for every due and overdue item on a care leaver's record.

:func:`due_items` runs one small pure rule per kind of work over plain facts
(:class:`CaseFacts`) and an injected ``today``; the "My work" screen, the caseload and
``casework-admin report due`` all call it. Clocks follow the clock convention
(docs/architecture.md): "within N months" uses :func:`calendar.add_months`, "within N
working days" uses :meth:`WorkingCalendar.add_working_days`, and an item due today is due,
not overdue.

Who each rule applies to (decisions where statute and guidance are silent, local practice
chosen here, are marked *):

=====================  ====================================================================
visit                  relevant and former relevant in council-provided accommodation
                       today (CLR 2010 reg 8); only the PA's visit at the accommodation
                       counts. Eligible children are looked after and are visited under the
                       looked-after rules instead*.
keep in touch          relevant and former relevant (s23B(1), s23B(11), s23C(2)) until the law ends
                       the duty; from the 21st birthday, not once they have declined support*
                       (the yearly reminder takes over). REFU, NREQ and (from 18) RHOM are
                       recorded statuses, not ends: an attempt stays due every
                       ``contact_attempt_months``.
plan review            every category but "no current eligibility", when a plan has started;
                       not from the 21st birthday once support is declined*.
pathway plan           eligible, relevant and former relevant under 21, and 21-24s who asked
                       for support (s23CZB), with no pathway plan (CPPCR 2010 reg 43;
                       s23B(3)(b); s23C(3)(b)).
personal adviser       the same young people, with no personal adviser allocated (Sch 2
                       para 19C; s23B(2); s23C(3)(a); s23CZB(2)).
needs assessment       eligible and relevant children, and 21-24s who asked (s23CZB(2)),
                       until completed (CPPCR 2010 reg 42; s23B(3)(a)).
confirm eligibility    whenever the facts disagree with the confirmed category.
death notification     a care leaver who died before their 25th birthday: Ofsted and the
                       Secretary of State told within 5 working days (Working Together to
                       Safeguard Children 2023, chapter 5).
accommodation review   any category: W, V, R and S periods with no team-lead review, ended
                       periods included* (highlighted until one is recorded).
PA offer at 21         former relevant, until an offer is recorded (made at any time*).
yearly reminder        anyone who declined support, until 25.
follow-up              every open follow-up action, whatever the age or status.
=====================  ====================================================================

Every rule reads the category in force on ``today`` (:func:`category_of`, which calls
:func:`leaving_care.category_on`): derived from the facts, aged by birthdays, and the safer
of the facts and the worker's confirmation while they disagree. Facts dated after
``today`` are never read (:func:`facts_as_of`), so an answer "as of" a day is the record as
it stood that day.

The engine then applies, in this order: a closed case has nothing due; after a DIED status
only follow-ups and the death notification remain; from the 25th birthday only follow-ups
remain, and no other item due on or after the 25th birthday is shown (the duty ends before
it falls due).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta

from casework.domain.calendar import WorkingCalendar, add_months, age_on, birthday, is_overdue
from casework.domain.codes import AccommodationType, Activity, EligibilityCategory, InTouch
from casework.domain.in_touch import ContactFact, InTouchState, StatusEvent, derive_in_touch
from casework.domain.leaving_care import (
    DUTIES_END_AGE,
    PA_OFFER_AGE,
    SIXTEEN,
    CareHistory,
    CategoryView,
    CircumstanceChange,
    ContactMadeBy,
    ContactMethod,
    ExplicitStatus,
    aged_category,
    category_change_days,
    category_on,
    plain_date,
)

__all__ = [
    "DEFAULT_RULES",
    "AccommodationFact",
    "ActivityFact",
    "CaseFacts",
    "ChangeFact",
    "DueItem",
    "DueKind",
    "DueRules",
    "FollowUpFact",
    "NeedsAssessmentFact",
    "PathwayPlanFact",
    "Whereabouts",
    "accommodation_reviews_due",
    "category_of",
    "confirm_eligibility_due",
    "current_accommodation",
    "current_activity",
    "death_notification_due",
    "due_items",
    "due_items_and_category",
    "facts_as_of",
    "follow_ups_due",
    "keep_in_touch_due",
    "needs_assessment_due",
    "pa_offer_due",
    "pathway_plan_due",
    "personal_adviser_due",
    "plan_review_due",
    "visit_due",
    "whereabouts_unknown",
    "yearly_reminder_due",
]


class DueKind(enum.StrEnum):
    """The kinds of due item, in the order ties on the same date are shown."""

    KEEP_IN_TOUCH = "keep_in_touch"
    VISIT = "visit"
    ACCOMMODATION_REVIEW = "accommodation_review"
    NEEDS_ASSESSMENT = "needs_assessment"
    PLAN_REVIEW = "plan_review"
    PA_OFFER_AT_21 = "pa_offer_at_21"
    YEARLY_REMINDER = "yearly_reminder"
    DEATH_NOTIFICATION = "death_notification"
    CONFIRM_ELIGIBILITY = "confirm_eligibility"
    PATHWAY_PLAN = "pathway_plan"
    PERSONAL_ADVISER = "personal_adviser"
    FOLLOW_UP = "follow_up"
    # The front door and risk: worked out in casework.services.due_front_door.
    CONTACT_DECISION = "contact_decision"
    REFERRAL_DECISION = "referral_decision"
    ASSESSMENT = "assessment"
    ICPC = "icpc"
    LADO_NOTIFICATION = "lado_notification"
    STRATEGY_MEETING = "strategy_meeting"
    ALLEGATION_OUTCOME = "allegation_outcome"
    RETURN_INTERVIEW = "return_interview"
    RISK_REVIEW = "risk_review"
    RISK_SIGN_OFF = "risk_sign_off"
    SERVICE_CHASE = "service_chase"
    STILL_MISSING = "still_missing"
    RISK_SCREENING = "risk_screening"
    STRATEGY_DECISION = "strategy_decision"
    CP_REVIEW = "cp_review"
    CORE_GROUP = "core_group"
    # Closure audits: worked out in casework.services.due_audit.
    LEARNING_ACTION = "learning_action"
    REOPEN_DECISION = "reopen_decision"

    @property
    def label(self) -> str:
        """Plain English for a column or filter."""
        return _KIND_LABELS[self]

    @property
    def severity(self) -> Severity:
        """How much it matters when this is late (see :class:`Severity`)."""
        return _SEVERITY[self]

    @property
    def team_lead_only(self) -> bool:
        """Only a team lead can do it (decide a concern or referral, sign off a high
        risk, review unsuitable or unusual accommodation): on a practitioner's list it
        waits for their team lead."""
        return self in _TEAM_LEAD_ONLY


class Severity(enum.IntEnum):
    """The order late work matters in: 1 first. Every kind of due item has one
    (``_SEVERITY``; a test checks none is left out).

    1. SAFETY: a clock about the young person's safety. Most are set by statutory
       guidance (a referral decision within 1 working day, a child and family assessment
       within 45 working days, an initial child protection conference within 15 working
       days, the first child protection review within 3 months and then at most every 6,
       the core group within 10 working days of the conference, telling the LADO within 1
       working day: Working Together to Safeguard Children 2023; a return interview
       offered within 72 hours, and looking for a young person who is still missing:
       statutory guidance on children who run away or go missing from home or care,
       2014). A concern's decision, the LADO's decision on a strategy meeting and the
       meeting itself, a risk screening after an exploitation concern and a risk's review
       and sign-off run on local procedures, but they are the same safety decisions, so
       they sit here too.
    2. STATUTORY: another clock set in law: keeping in touch (Children Act 1989
       s23B/s23C), PA visits (Care Leavers (England) Regulations 2010 reg 8), a pathway
       plan where none is recorded (Care Planning, Placement and Case Review (England)
       Regulations 2010 reg 43; Children Act 1989 s23B(3)(b), s23C(3)(b), s23CZB(2)) and
       its reviews (CLR 2010 reg 7), the eligible child's needs assessment (CPPCR 2010 reg
       42), a personal adviser for everyone owed one (Children Act 1989 Sch 2 para 19C,
       s23B(2), s23C(3)(a), s23CZB), the PA offer to 25 (s23CZB), and notifying a care
       leaver's death to Ofsted and the Secretary of State within 5 working days (Working
       Together 2023, chapter 5).
    3. PRACTICE: the council's own practice (follow-ups, chasing referrals out,
       accommodation reviews, the yearly reminder, confirming the category when the facts
       disagree, closure-audit learning actions and reopening decisions).
    """

    SAFETY = 1
    STATUTORY = 2
    PRACTICE = 3

    @property
    def words(self) -> str:
        """What a worker reads beside the colour and the symbol."""
        return _SEVERITY_WORDS[self]


_SEVERITY_WORDS = {
    Severity.SAFETY: "Safety deadline",
    Severity.STATUTORY: "Statutory deadline",
    Severity.PRACTICE: "Practice deadline",
}
_SEVERITY = {
    DueKind.CONTACT_DECISION: Severity.SAFETY,
    DueKind.REFERRAL_DECISION: Severity.SAFETY,
    DueKind.ASSESSMENT: Severity.SAFETY,
    DueKind.ICPC: Severity.SAFETY,
    DueKind.LADO_NOTIFICATION: Severity.SAFETY,
    DueKind.STRATEGY_MEETING: Severity.SAFETY,
    DueKind.ALLEGATION_OUTCOME: Severity.SAFETY,
    DueKind.RETURN_INTERVIEW: Severity.SAFETY,
    DueKind.RISK_REVIEW: Severity.SAFETY,
    DueKind.RISK_SIGN_OFF: Severity.SAFETY,
    DueKind.CP_REVIEW: Severity.SAFETY,
    DueKind.CORE_GROUP: Severity.SAFETY,
    DueKind.STILL_MISSING: Severity.SAFETY,
    DueKind.STRATEGY_DECISION: Severity.SAFETY,
    DueKind.RISK_SCREENING: Severity.SAFETY,
    DueKind.KEEP_IN_TOUCH: Severity.STATUTORY,
    DueKind.VISIT: Severity.STATUTORY,
    DueKind.PLAN_REVIEW: Severity.STATUTORY,
    DueKind.PATHWAY_PLAN: Severity.STATUTORY,
    DueKind.NEEDS_ASSESSMENT: Severity.STATUTORY,
    DueKind.PERSONAL_ADVISER: Severity.STATUTORY,
    DueKind.PA_OFFER_AT_21: Severity.STATUTORY,
    DueKind.DEATH_NOTIFICATION: Severity.STATUTORY,
    DueKind.ACCOMMODATION_REVIEW: Severity.PRACTICE,
    DueKind.YEARLY_REMINDER: Severity.PRACTICE,
    DueKind.CONFIRM_ELIGIBILITY: Severity.PRACTICE,
    DueKind.FOLLOW_UP: Severity.PRACTICE,
    DueKind.SERVICE_CHASE: Severity.PRACTICE,
    DueKind.LEARNING_ACTION: Severity.PRACTICE,
    DueKind.REOPEN_DECISION: Severity.PRACTICE,
}
_TEAM_LEAD_ONLY = frozenset(
    {
        DueKind.CONTACT_DECISION,
        DueKind.REFERRAL_DECISION,
        DueKind.RISK_SIGN_OFF,
        DueKind.ACCOMMODATION_REVIEW,
    }
)


_KIND_LABELS = {
    DueKind.KEEP_IN_TOUCH: "Keep in touch",
    DueKind.VISIT: "Visit",
    DueKind.ACCOMMODATION_REVIEW: "Accommodation review",
    DueKind.NEEDS_ASSESSMENT: "Needs assessment",
    DueKind.PLAN_REVIEW: "Pathway plan review",
    DueKind.PA_OFFER_AT_21: "PA offer at 21",
    DueKind.YEARLY_REMINDER: "Yearly reminder",
    DueKind.DEATH_NOTIFICATION: "Notify a care leaver's death",
    DueKind.CONFIRM_ELIGIBILITY: "Confirm eligibility",
    DueKind.PATHWAY_PLAN: "Pathway plan",
    DueKind.PERSONAL_ADVISER: "Allocate a personal adviser",
    DueKind.FOLLOW_UP: "Follow-up action",
    DueKind.CONTACT_DECISION: "Contact decision",
    DueKind.REFERRAL_DECISION: "Referral decision",
    DueKind.ASSESSMENT: "Child and family assessment",
    DueKind.ICPC: "Initial child protection conference",
    DueKind.LADO_NOTIFICATION: "Tell the LADO",
    DueKind.STRATEGY_MEETING: "Allegation strategy meeting",
    DueKind.ALLEGATION_OUTCOME: "Allegation outcome",
    DueKind.RETURN_INTERVIEW: "Return interview",
    DueKind.RISK_REVIEW: "Risk review",
    DueKind.RISK_SIGN_OFF: "High risk sign-off",
    DueKind.SERVICE_CHASE: "Chase a referral out",
    DueKind.STILL_MISSING: "Still missing",
    DueKind.RISK_SCREENING: "Risk screening",
    DueKind.STRATEGY_DECISION: "LADO strategy decision",
    DueKind.CP_REVIEW: "Child protection review conference",
    DueKind.CORE_GROUP: "Core group meeting",
    DueKind.LEARNING_ACTION: "Learning action (closure audit)",
    DueKind.REOPEN_DECISION: "Reopening recommended by an audit",
}
_KIND_ORDER = {kind: n for n, kind in enumerate(DueKind)}


@dataclass(frozen=True)
class DueItem:
    """One piece of work with its due date. ``overdue`` is ``due < today``.

    ``source_id`` names the row to open: the accommodation period (visit, accommodation
    review), the pathway plan (plan review), the needs assessment, the follow-up action, or
    the latest successful contact (keep in touch); ``None`` where there is none.
    """

    kind: DueKind
    due: date
    overdue: bool
    title: str
    detail: str
    source_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: the kind's code and the date as ``YYYY-MM-DD``."""
        return {
            "kind": self.kind.value,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "title": self.title,
            "detail": self.detail,
            "source_id": self.source_id,
        }


# --- Facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccommodationFact:
    """A period in one accommodation. ``end`` is the last night there (the next period
    starts the following day); ``None`` while they live there. ``suitable`` is ``None``
    until assessed."""

    id: int | None
    start: date
    letter: AccommodationType
    end: date | None = None
    suitable: bool | None = None
    council_provided: bool = False
    team_lead_reviewed_on: date | None = None


@dataclass(frozen=True)
class ActivityFact:
    """A period of education, employment, training or NEET (SSDA903 ``ACTIV``)."""

    id: int | None
    start: date
    code: Activity
    end: date | None = None


@dataclass(frozen=True)
class NeedsAssessmentFact:
    """``eligible_from``: the day they became eligible, if after the 16th birthday."""

    id: int | None = None
    eligible_from: date | None = None
    completed_on: date | None = None


@dataclass(frozen=True)
class ChangeFact:
    """A change of circumstances recorded on a date; it makes a plan review due unless a
    review is dated on or after it."""

    id: int | None
    on: date
    change: CircumstanceChange


@dataclass(frozen=True)
class PathwayPlanFact:
    """The pathway plan: when it started, the dates it was reviewed, and changes of
    circumstances recorded against it."""

    id: int | None
    start: date
    reviews: tuple[date, ...] = ()
    changes: tuple[ChangeFact, ...] = ()


@dataclass(frozen=True)
class FollowUpFact:
    """A follow-up action from a contact, due on its own date until done."""

    id: int | None
    due: date
    done: bool = False
    description: str = ""
    done_on: date | None = None  # when known: not done on a day before it


@dataclass(frozen=True)
class CaseFacts:
    """Everything the rules read about one young person.

    ``category`` is the confirmed eligibility category, ``confirmed_on`` the day a worker
    last confirmed it (``None``: as recorded when the case opened), ``suggested_then`` what
    the facts said at that moment; ``care``: the care
    history the category is derived from (``None``: not loaded, the confirmation stands).
    The rules read :func:`category_of`, never ``category`` directly. ``has_pa``: whether a
    personal adviser is allocated (``None``: not known). ``pa_accepted_on``: the day they
    last asked for support after 21 (s23CZB). ``death_notified_on``: the day Ofsted and
    the Secretary of State were told of their death. ``pa_offer_on``: the day the offer of
    a PA to 25 was recorded (accepted or declined). ``declined_support_on``: the day they
    last declined support (``None`` once they take it up again); ``reminders_sent``: the
    days yearly "you can come back" letters went. ``opened_on``: when the case was opened
    (the first-contact clock when there has never been a successful contact).
    """

    date_of_birth: date
    category: EligibilityCategory
    contacts: tuple[ContactFact, ...] = ()
    statuses: tuple[StatusEvent, ...] = ()
    accommodation: tuple[AccommodationFact, ...] = ()
    activities: tuple[ActivityFact, ...] = ()
    needs_assessment: NeedsAssessmentFact | None = None
    plan: PathwayPlanFact | None = None
    pa_offer_on: date | None = None
    declined_support_on: date | None = None
    reminders_sent: tuple[date, ...] = ()
    follow_ups: tuple[FollowUpFact, ...] = ()
    opened_on: date | None = None
    closed: bool = False
    care: CareHistory | None = None
    confirmed_on: date | None = None
    suggested_then: EligibilityCategory | None = None
    has_pa: bool | None = None
    pa_accepted_on: date | None = None
    death_notified_on: date | None = None


@dataclass(frozen=True)
class DueRules:
    """The configurable numbers. Defaults are statute where there is one (marked reg/s),
    otherwise this product's choice (marked *).

    - ``in_touch_window_months``: 2 (the reg 8 interval);
    - ``visit_interval_months``: 2 (reg 8); ``first_visit_days``: 7 calendar days (reg 8);
    - ``visit_by``: who can make a reg 8 visit: the personal adviser (reg 8 names the PA),
      who can never be left out; local practice may add others;
    - ``contact_attempt_months``: 2, the longest gap between steps to keep in touch with
      someone who refuses contact or says they no longer need services (s23B(1), s23B(11),
      s23C(2): the duty continues; the product takes the reg 8 two-month visiting interval as the
      floor a council may shorten but not stretch);
    - ``confirm_eligibility_working_days``: 5* (a worker confirms the category within this
      long of the facts disagreeing with it);
    - ``plan_review_months``: 6 (reg 7);
    - ``change_review_working_days``: 10* (a review "when circumstances change": within 10
      working days of the change being recorded);
    - ``needs_assessment_months``: 3 (reg 42);
    - ``accommodation_review_working_days``: 5* (local practice; 5 working days matches the
      manager-agreement timescale of local closure procedures);
    - ``reminder_interval_months``: 12 (local practice: many councils write every year);
    - ``horizon_days``: leave out items due more than this many days after today; ``None``*
      keeps all (the screen or report may choose its own horizon).
    - ``calendar``: working days (England and Wales bank holidays plus council closures).
    """

    in_touch_window_months: int = 2
    visit_interval_months: int = 2
    first_visit_days: int = 7
    visit_by: frozenset[ContactMadeBy] = frozenset({ContactMadeBy.PERSONAL_ADVISER})
    contact_attempt_months: int = 2
    confirm_eligibility_working_days: int = 5
    plan_review_months: int = 6
    change_review_working_days: int = 10
    needs_assessment_months: int = 3
    accommodation_review_working_days: int = 5
    reminder_interval_months: int = 12
    horizon_days: int | None = None
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar, compare=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and not isinstance(value, bool):
                least = 1 if f.name.endswith("_months") else 0
                if value < least:
                    raise ValueError(f"{f.name} must be at least {least}, not {value}")
        if ContactMadeBy.PERSONAL_ADVISER not in self.visit_by:
            raise ValueError(
                "visit_by must include personal_adviser: Care Leavers (England) Regulations "
                "2010 reg 8 visits are made by the personal adviser"
            )


DEFAULT_RULES = DueRules()

Rule = Callable[[CaseFacts, date, DueRules], list[DueItem]]


def _item(
    kind: DueKind, due: date, today: date, title: str, detail: str, source_id: int | None
) -> DueItem:
    return DueItem(kind, due, is_overdue(due, today), title, detail, source_id)


def _months(n: int) -> str:
    return f"{n} month{'s' if n != 1 else ''}"


# --- Helpers shared by rules ---------------------------------------------------------


def current_accommodation(
    periods: tuple[AccommodationFact, ...], today: date
) -> AccommodationFact | None:
    """The period they live in on ``today`` (the latest start if records overlap);
    ``end`` is the last night there."""
    live = [p for p in periods if p.start <= today and (p.end is None or p.end >= today)]
    return max(live, key=lambda p: p.start, default=None)


def current_activity(periods: tuple[ActivityFact, ...], today: date) -> ActivityFact | None:
    """The education, employment or training period on ``today`` (latest start wins);
    ``end`` is its last day."""
    live = [p for p in periods if p.start <= today and (p.end is None or p.end >= today)]
    return max(live, key=lambda p: p.start, default=None)


def _council_spell(
    periods: tuple[AccommodationFact, ...], today: date
) -> tuple[AccommodationFact, date] | None:
    """The current council-provided period and the start of the unbroken run of
    council-provided periods it ends (moves between them keep the 2-month clock running)."""
    current = current_accommodation(periods, today)
    if current is None or not current.council_provided:
        return None
    spell_start = current.start
    earlier = sorted(
        (p for p in periods if p.council_provided and p.start < current.start),
        key=lambda p: p.start,
        reverse=True,
    )
    for p in earlier:
        if p.end is not None and p.end < spell_start - timedelta(days=1):
            break
        spell_start = min(spell_start, p.start)
    return current, spell_start


@dataclass(frozen=True)
class _PlanDue:
    due: date
    base: date  # the later of the plan start and its last review
    change: ChangeFact | None  # the change that brought the review forward


def _plan_review(plan: PathwayPlanFact | None, today: date, rules: DueRules) -> _PlanDue | None:
    if plan is None or plan.start > today:
        return None
    base = max([plan.start, *(r for r in plan.reviews if r <= today)])
    regular = add_months(base, rules.plan_review_months)
    pending = sorted((c for c in plan.changes if base < c.on <= today), key=lambda c: c.on)
    if pending:
        first = pending[0]
        sooner = rules.calendar.add_working_days(first.on, rules.change_review_working_days)
        if sooner < regular:
            return _PlanDue(sooner, base, first)
    return _PlanDue(regular, base, None)


def _died(case: CaseFacts, today: date) -> bool:
    return any(e.status is ExplicitStatus.DIED and e.on <= today for e in case.statuses)


def _declined_after_21(case: CaseFacts, today: date) -> bool:
    declined = case.declined_support_on
    adult = today >= birthday(case.date_of_birth, PA_OFFER_AGE)
    return adult and declined is not None and declined <= today


# --- The record as it stood on a day, and the category in force ---------------------------


def _upto(d: date | None, today: date) -> date | None:
    return d if d is not None and d <= today else None


def _open_after(end: date | None, today: date) -> date | None:
    """An end dated after ``today`` had not happened yet."""
    return end if end is not None and end <= today else None


def _after(d: date | None, today: date) -> bool:
    return d is not None and d > today


def _nothing_after(case: CaseFacts, today: date) -> bool:
    """True when no fact is dated after ``today`` (the usual case: nothing to leave out)."""
    plan, needs = case.plan, case.needs_assessment
    care = case.care
    return not (
        (care is not None and care.has_later(today))
        or any(c.on > today for c in case.contacts)
        or any(e.on > today or _after(e.ended, today) for e in case.statuses)
        or any(
            a.start > today or _after(a.end, today) or _after(a.team_lead_reviewed_on, today)
            for a in case.accommodation
        )
        or any(a.start > today or _after(a.end, today) for a in case.activities)
        or (needs is not None and _after(needs.completed_on, today))
        or (
            plan is not None
            and (
                plan.start > today
                or any(r > today for r in plan.reviews)
                or any(c.on > today for c in plan.changes)
            )
        )
        or _after(case.pa_offer_on, today)
        or _after(case.declined_support_on, today)
        or any(r > today for r in case.reminders_sent)
        or any(_after(f.done_on, today) for f in case.follow_ups)
        or _after(case.pa_accepted_on, today)
        or _after(case.death_notified_on, today)
    )


def accommodation_as_of(
    periods: tuple[AccommodationFact, ...], today: date
) -> tuple[AccommodationFact, ...]:
    """The accommodation periods as they stood on ``today`` (see :func:`facts_as_of`)."""
    if not any(
        a.start > today or _after(a.end, today) or _after(a.team_lead_reviewed_on, today)
        for a in periods
    ):
        return periods
    return tuple(
        replace(
            a,
            end=_open_after(a.end, today),
            team_lead_reviewed_on=_upto(a.team_lead_reviewed_on, today),
        )
        for a in periods
        if a.start <= today
    )


def activities_as_of(periods: tuple[ActivityFact, ...], today: date) -> tuple[ActivityFact, ...]:
    """The activity periods as they stood on ``today`` (see :func:`facts_as_of`)."""
    if not any(a.start > today or _after(a.end, today) for a in periods):
        return periods
    return tuple(replace(a, end=_open_after(a.end, today)) for a in periods if a.start <= today)


def facts_as_of(case: CaseFacts, today: date) -> CaseFacts:
    """The facts as the record stood on ``today``: anything dated after it is left out, and
    anything that ended or was done after it is still open. Adding a fact dated after
    ``today`` can therefore never change an answer about ``today``."""
    if _nothing_after(case, today):
        return case
    care = None if case.care is None else case.care.as_of(today)
    plan = case.plan
    if plan is not None:
        plan = (
            None
            if plan.start > today
            else replace(
                plan,
                reviews=tuple(r for r in plan.reviews if r <= today),
                changes=tuple(c for c in plan.changes if c.on <= today),
            )
        )
    needs = case.needs_assessment
    if needs is not None:
        needs = replace(needs, completed_on=_upto(needs.completed_on, today))
    return replace(
        case,
        care=care,
        contacts=tuple(c for c in case.contacts if c.on <= today),
        statuses=tuple(
            replace(e, ended=_open_after(e.ended, today)) for e in case.statuses if e.on <= today
        ),
        accommodation=accommodation_as_of(case.accommodation, today),
        activities=activities_as_of(case.activities, today),
        needs_assessment=needs,
        plan=plan,
        pa_offer_on=_upto(case.pa_offer_on, today),
        declined_support_on=_upto(case.declined_support_on, today),
        reminders_sent=tuple(r for r in case.reminders_sent if r <= today),
        follow_ups=tuple(
            f if f.done_on is None or f.done_on <= today else replace(f, done=False)
            for f in case.follow_ups
        ),
        pa_accepted_on=_upto(case.pa_accepted_on, today),
        death_notified_on=_upto(case.death_notified_on, today),
    )


def category_of(case: CaseFacts, today: date) -> CategoryView:
    """The category in force on ``today`` (see :func:`leaving_care.category_on`)."""
    return category_on(
        case.date_of_birth,
        case.category,
        today,
        care=case.care,
        confirmed_on=case.confirmed_on,
        suggested_then=case.suggested_then,
    )


def _cat(case: CaseFacts, today: date) -> EligibilityCategory:
    if case.care is None:  # nothing to derive from: the confirmation, aged
        return aged_category(case.category, case.date_of_birth, today)
    return category_of(case, today).effective


def _asked_after_21(case: CaseFacts, today: date) -> bool:
    """A former relevant care leaver aged 21 to 24 who asked for support (s23CZB)."""
    asked = case.pa_accepted_on
    return asked is not None and asked <= today and not _declined_after_21(case, today)


def _owed_pa_and_plan(case: CaseFacts, today: date) -> bool:
    """Eligible, relevant and former relevant under 21, and 21-24s who asked (s23CZB)."""
    category = _cat(case, today)
    if category in (EligibilityCategory.ELIGIBLE, EligibilityCategory.RELEVANT):
        return True
    if category is not EligibilityCategory.FORMER_RELEVANT:
        return False
    return age_on(case.date_of_birth, today) < PA_OFFER_AGE or _asked_after_21(case, today)


def _duty_start(case: CaseFacts, today: date) -> tuple[date, str]:
    """When the assessment, PA and plan duties started: the 16th birthday, or becoming
    eligible, or the case opening, or (21-24) asking for support, whichever is latest."""
    start, why = birthday(case.date_of_birth, SIXTEEN), "the 16th birthday"
    eligible_from = case.needs_assessment.eligible_from if case.needs_assessment else None
    if eligible_from is not None and start < eligible_from <= today:
        start, why = eligible_from, "becoming eligible"
    if case.opened_on is not None and start < case.opened_on <= today:
        start, why = case.opened_on, "the case opening"
    adult = age_on(case.date_of_birth, today) >= PA_OFFER_AGE
    if adult and case.pa_accepted_on is not None and start < case.pa_accepted_on <= today:
        start, why = case.pa_accepted_on, "asking for support after 21"
    return start, why


# --- The rules -----------------------------------------------------------------------

_VISIT_CATEGORIES = frozenset({EligibilityCategory.RELEVANT, EligibilityCategory.FORMER_RELEVANT})


def _is_visit(contact: ContactFact, rules: DueRules) -> bool:
    """A reg 8 visit: the young person seen at their accommodation by someone in
    ``rules.visit_by`` (always the PA). A meeting anywhere else is a contact."""
    return (
        contact.successful
        and contact.method is ContactMethod.FACE_TO_FACE_ACCOMMODATION
        and contact.seen
        and contact.made_by in rules.visit_by
    )


def visit_due(case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES) -> list[DueItem]:
    """Reg 8 visits (Care Leavers (England) Regulations 2010) for relevant and former
    relevant young people in council-provided accommodation: within 7 days of moving in,
    before each pathway plan review, then at most every 2 months. The earliest of those
    that is still open is due; a visit is the personal adviser (or someone else
    ``rules.visit_by`` adds) seeing the young person at the accommodation, counted from the
    start of the current unbroken run of council-provided accommodation."""
    if _cat(case, today) not in _VISIT_CATEGORIES:
        return []
    spell = _council_spell(case.accommodation, today)
    if spell is None:
        return []
    home, spell_start = spell
    visits = sorted(c.on for c in case.contacts if _is_visit(c, rules) and spell_start <= c.on)
    visits = [v for v in visits if v <= today]
    options: list[tuple[date, str, str]] = []
    if visits:
        options.append(
            (
                add_months(visits[-1], rules.visit_interval_months),
                "Visit due (council-provided accommodation: at most every "
                f"{_months(rules.visit_interval_months)})",
                f"Last visit on {plain_date(visits[-1])}.",
            )
        )
    if not any(v >= home.start for v in visits):
        options.append(
            (
                home.start + timedelta(days=rules.first_visit_days),
                "Visit due (council-provided accommodation: within "
                f"{rules.first_visit_days} days of moving in)",
                f"Moved into {home.letter.label.lower()} on {plain_date(home.start)}; "
                "no visit since.",
            )
        )
    review = None if _declined_after_21(case, today) else _plan_review(case.plan, today, rules)
    if review is not None and not any(v > review.base for v in visits):
        options.append(
            (
                review.due,
                "Visit due before the pathway plan review",
                f"Plan review due {plain_date(review.due)}; no visit since "
                f"{plain_date(review.base)}.",
            )
        )
    due, title, detail = min(options, key=lambda option: option[0])
    return [_item(DueKind.VISIT, due, today, title, detail, home.id)]


_KEEP_IN_TOUCH_CATEGORIES = frozenset(
    {EligibilityCategory.RELEVANT, EligibilityCategory.FORMER_RELEVANT}
)


def _latest_success_id(contacts: tuple[ContactFact, ...], on: date | None) -> int | None:
    ids = [c.id for c in contacts if c.successful and c.on == on and c.id is not None]
    return max(ids, default=None)


def _keep_in_touch_item(
    state: InTouchState, case: CaseFacts, today: date, rules: DueRules
) -> DueItem:
    every = _months(rules.in_touch_window_months)
    source = _latest_success_id(case.contacts, state.latest_successful)
    if state.code is InTouch.YES and state.window_ends is not None:
        title = f"Keep in touch: successful contact due (at least every {every})"
        return _item(
            DueKind.KEEP_IN_TOUCH, state.window_ends, today, title, state.explanation, source
        )
    title = "Not in touch: re-establish contact"
    if state.since is not None:
        due = state.since - timedelta(days=1)  # the last day they were in touch
    elif case.opened_on is not None:
        due = add_months(case.opened_on, rules.in_touch_window_months)
        if not is_overdue(due, today):
            title = f"First contact due (within {every} of the case opening)"
    else:
        due = today  # never in touch and no opening date: due now
        title = "First contact due: no successful contact recorded"
    return _item(DueKind.KEEP_IN_TOUCH, due, today, title, state.explanation, source)


def _keep_trying_item(
    state: InTouchState, case: CaseFacts, today: date, rules: DueRules
) -> DueItem:
    """REFU, NREQ (and RHOM from 18): a recorded status, not the end of the duty. The next
    step to keep in touch is due ``contact_attempt_months`` after the latest contact or
    attempt, or after the status was recorded if later."""
    latest = max((c.on for c in case.contacts if c.on <= today), default=None)
    since = state.since if state.since is not None else today
    base = since if latest is None or latest < since else latest
    every = _months(rules.contact_attempt_months)
    due = add_months(base, rules.contact_attempt_months)
    title = f"Keep in touch ({state.code.label.lower()}): try again at least every {every}"
    detail = (
        f"{state.explanation} A recorded status, not the end of the duty to keep in touch "
        f"(Children Act 1989 s23B(1), s23B(11), s23C(2)): record a contact or attempt by "
        f"{plain_date(due)}."
    )
    source = _latest_success_id(case.contacts, state.latest_successful)
    return _item(DueKind.KEEP_IN_TOUCH, due, today, title, detail, source)


def keep_in_touch_due(
    case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES
) -> list[DueItem]:
    """The next successful contact needed to stay in touch (Children Act 1989 s23B(1),
    s23C(2)): due on the last day of the in-touch window, so it is overdue exactly when
    the young person is not in touch. Never in touch: due ``in_touch_window_months`` after
    the case opened (or today when no opening date is known). REFU and NREQ (and RHOM once
    former relevant) are recorded statuses that never end the duty: a step to keep in
    touch stays due every ``contact_attempt_months``. Nothing after death, and nothing
    from 21 once support is declined (the yearly reminder takes over)."""
    if _cat(case, today) not in _KEEP_IN_TOUCH_CATEGORIES or _declined_after_21(case, today):
        return []
    state = derive_in_touch(case.contacts, case.statuses, today, rules.in_touch_window_months)
    if state.code in (InTouch.YES, InTouch.NO):
        return [_keep_in_touch_item(state, case, today, rules)]
    if state.code is InTouch.DIED:
        return []
    return [_keep_trying_item(state, case, today, rules)]


def plan_review_due(case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES) -> list[DueItem]:
    """Pathway plan review (reg 7): ``plan_review_months`` after the later of the plan's
    start and its last review, or sooner: ``change_review_working_days`` after the first
    change of circumstances recorded since then."""
    if _cat(case, today) is EligibilityCategory.NO_CURRENT or _declined_after_21(case, today):
        return []
    review = _plan_review(case.plan, today, rules)
    if review is None or case.plan is None:
        return []
    since = f"last reviewed on {plain_date(review.base)}"
    if review.base == case.plan.start:
        since = f"started on {plain_date(review.base)}; not yet reviewed"
    if review.change is None:
        title = f"Pathway plan review due (at least every {_months(rules.plan_review_months)})"
        detail = f"Plan {since}."
    else:
        change = review.change
        title = f"Pathway plan review due (circumstances changed: {change.change.label.lower()})"
        detail = (
            f"{change.change.label} recorded on {plain_date(change.on)}: review within "
            f"{rules.change_review_working_days} working days. Plan {since}."
        )
    return [_item(DueKind.PLAN_REVIEW, review.due, today, title, detail, case.plan.id)]


def needs_assessment_due(
    case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES
) -> list[DueItem]:
    """Needs assessment (CPPCR 2010 reg 42 for an eligible child; s23B(3)(a) for a relevant
    child without one; s23CZB(2) for a former relevant 21-24 year old who asks): within
    ``needs_assessment_months`` of the 16th birthday, or of becoming eligible, the case
    opening or asking for support if later, until completed."""
    category = _cat(case, today)
    asked = category is EligibilityCategory.FORMER_RELEVANT and (
        age_on(case.date_of_birth, today) >= PA_OFFER_AGE and _asked_after_21(case, today)
    )
    if category not in (EligibilityCategory.ELIGIBLE, EligibilityCategory.RELEVANT) and not asked:
        return []
    assessment = case.needs_assessment or NeedsAssessmentFact()
    done = assessment.completed_on
    # Done, unless it was done before a 21-24 year old asked again (s23CZB(2)).
    if done is not None and done <= today and (not asked or (case.pa_accepted_on or today) <= done):
        return []
    start, reason = _duty_start(case, today)
    if category is EligibilityCategory.ELIGIBLE and reason == "the case opening":
        start, reason = birthday(case.date_of_birth, SIXTEEN), "the 16th birthday"
        if assessment.eligible_from is not None and assessment.eligible_from > start:
            start, reason = assessment.eligible_from, "becoming eligible"
    months = _months(rules.needs_assessment_months)
    who = {
        EligibilityCategory.ELIGIBLE: "eligible child",
        EligibilityCategory.RELEVANT: "relevant child, s23B(3)(a)",
    }.get(category, "asked for support after 21, s23CZB")
    title = f"Needs assessment due ({who}: within {months} of {reason})"
    detail = f"Clock started on {plain_date(start)}; no completed assessment recorded."
    due = add_months(start, rules.needs_assessment_months)
    return [_item(DueKind.NEEDS_ASSESSMENT, due, today, title, detail, assessment.id)]


def accommodation_reviews_due(
    case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES
) -> list[DueItem]:
    """A team-lead review of bed and breakfast, emergency, residence-not-known and homeless
    periods, within ``accommodation_review_working_days`` of the start, shown until one is
    recorded (ended periods too)."""
    n = rules.accommodation_review_working_days
    items = []
    for period in case.accommodation:
        reviewed = period.team_lead_reviewed_on
        if not period.letter.needs_team_lead_review or period.start > today:
            continue
        if reviewed is not None and reviewed <= today:
            continue
        label = period.letter.label.lower()
        title = f"Team lead review of accommodation due ({label}: within {n} working days)"
        detail = f"Started on {plain_date(period.start)}; no team lead review recorded."
        due = rules.calendar.add_working_days(period.start, n)
        items.append(_item(DueKind.ACCOMMODATION_REVIEW, due, today, title, detail, period.id))
    return items


def pa_offer_due(case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES) -> list[DueItem]:
    """The offer of a personal adviser to 25, due on the 21st birthday of a former relevant
    care leaver until an offer (accepted or declined) is recorded."""
    del rules  # no configurable numbers: the age is statute
    if _cat(case, today) is not EligibilityCategory.FORMER_RELEVANT:
        return []
    if case.pa_offer_on is not None and case.pa_offer_on <= today:
        return []
    due = birthday(case.date_of_birth, PA_OFFER_AGE)
    title = "Offer a personal adviser to 25 (21st birthday)"
    detail = "Former relevant care leaver: record the offer and their answer."
    return [_item(DueKind.PA_OFFER_AT_21, due, today, title, detail, None)]


def yearly_reminder_due(
    case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES
) -> list[DueItem]:
    """For someone who declined support: a reminder that they can come back until 25,
    ``reminder_interval_months`` after the decline or the last reminder sent since, and not
    before the 21st birthday."""
    declined = case.declined_support_on
    if declined is None or declined > today:
        return []
    sent = [r for r in case.reminders_sent if declined <= r <= today]
    last = max([declined, *sent])
    due = max(
        add_months(last, rules.reminder_interval_months),
        birthday(case.date_of_birth, PA_OFFER_AGE),
    )
    title = "Yearly reminder: support is available until 25"
    detail = f"Declined support on {plain_date(declined)}."
    if sent:
        detail += f" Last reminder sent on {plain_date(max(sent))}."
    return [_item(DueKind.YEARLY_REMINDER, due, today, title, detail, None)]


def follow_ups_due(case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES) -> list[DueItem]:
    """Every follow-up action not yet done, on its own due date."""
    del rules
    return [
        _item(
            DueKind.FOLLOW_UP,
            action.due,
            today,
            action.description or "Follow-up action",
            f"Due {plain_date(action.due)}.",
            action.id,
        )
        for action in case.follow_ups
        if not action.done
    ]


def pathway_plan_due(
    case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES
) -> list[DueItem]:
    """A pathway plan for a young person who must have one and has none (CPPCR 2010 reg 43
    for an eligible child; s23B(3)(b) relevant; s23C(3)(b) former relevant under 21;
    s23CZB(2) a 21-24 year old who asked): due when the needs assessment is due, counted
    from the same start."""
    if not _owed_pa_and_plan(case, today) or (case.plan is not None and case.plan.start <= today):
        return []
    start, reason = _duty_start(case, today)
    due = add_months(start, rules.needs_assessment_months)
    title = "Pathway plan due: none recorded"
    detail = (
        f"{_cat(case, today).label}: a pathway plan is required (Care Planning, Placement and "
        "Case Review (England) Regulations 2010 reg 43; Children Act 1989 s23B(3), s23C(3), "
        f"s23CZB). Counted from {reason} ({plain_date(start)})."
    )
    return [_item(DueKind.PATHWAY_PLAN, due, today, title, detail, None)]


def personal_adviser_due(
    case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES
) -> list[DueItem]:
    """A personal adviser for everyone who must have one and has none allocated (Children
    Act 1989 Sch 2 para 19C eligible; s23B(2) relevant; s23C(3)(a) former relevant under
    21; s23CZB(2) 21-24s who asked): due from the day the duty started. Nothing when
    whether a PA is allocated is not known."""
    del rules
    if case.has_pa is not False or not _owed_pa_and_plan(case, today):
        return []
    start, reason = _duty_start(case, today)
    title = "Allocate a personal adviser"
    detail = (
        f"{_cat(case, today).label}: must have a personal adviser (Children Act 1989 Sch 2 "
        f"para 19C, s23B(2), s23C(3)(a), s23CZB). Owed since {reason} ({plain_date(start)})."
    )
    return [_item(DueKind.PERSONAL_ADVISER, start, today, title, detail, None)]


def _disagreement_start(case: CaseFacts, today: date) -> date:
    """The first day of the current run of days on which the facts disagree with the
    confirmation (checked on each day the derived category or the confirmation can change)."""
    days = category_change_days(case.date_of_birth, case.care, today)
    if case.confirmed_on is not None:
        days = sorted({*days, case.confirmed_on} - {d for d in days if d < case.confirmed_on})
    if case.opened_on is not None:
        days = sorted({*(d for d in days if d >= case.opened_on), case.opened_on})
    start = today
    for day in reversed(days):
        if day > today:
            continue
        if not category_of(case, day).disagrees:
            break
        start = day
    return start


def confirm_eligibility_due(
    case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES
) -> list[DueItem]:
    return _confirm_items(case, today, rules, category_of(case, today))


def _confirm_items(
    case: CaseFacts, today: date, rules: DueRules, view: CategoryView
) -> list[DueItem]:
    """ "Confirm eligibility" while the category the facts give differs from the one a
    worker confirmed (categories arise by law from the facts: Children Act 1989 s23A,
    s23C(1), s24; CLR 2010 regs 3-4): due ``confirm_eligibility_working_days`` after they
    began to differ. Until then the clocks follow the safer category."""
    if not view.disagrees or view.derived is None:
        return []
    start = _disagreement_start(case, today)
    due = rules.calendar.add_working_days(start, rules.confirm_eligibility_working_days)
    title = (
        f"Confirm eligibility: the facts say {view.derived.label.lower()}, "
        f"confirmed {view.confirmed.label.lower()}"
    )
    detail = " ".join(view.reasons)
    return [_item(DueKind.CONFIRM_ELIGIBILITY, due, today, title, detail, None)]


def death_notification_due(
    case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES
) -> list[DueItem]:
    """The death of a care leaver up to and including age 24 is notified to Ofsted and the
    Secretary of State within 5 working days (Working Together to Safeguard Children 2023,
    chapter 5), until the notification is recorded. The 5 days are statute, not local."""
    died = sorted(e.on for e in case.statuses if e.status is ExplicitStatus.DIED and e.on <= today)
    if not died:
        return []
    on = died[0]
    if on >= birthday(case.date_of_birth, DUTIES_END_AGE):
        return []
    if _cat(case, on) is EligibilityCategory.NO_CURRENT:
        return []
    notified = case.death_notified_on
    if notified is not None and notified <= today:
        return []
    due = rules.calendar.add_working_days(on, 5)
    title = "Notify Ofsted and the Secretary of State of a care leaver's death (5 working days)"
    detail = (
        f"Died on {plain_date(on)}, aged {age_on(case.date_of_birth, on)}: Working Together to "
        "Safeguard Children 2023, chapter 5. Record the notification when it is made."
    )
    return [_item(DueKind.DEATH_NOTIFICATION, due, today, title, detail, None)]


_STATUTORY_RULES: tuple[Rule, ...] = (
    keep_in_touch_due,
    visit_due,
    accommodation_reviews_due,
    needs_assessment_due,
    pathway_plan_due,
    personal_adviser_due,
    plan_review_due,
    pa_offer_due,
    yearly_reminder_due,
)


def _urgency(item: DueItem) -> tuple[date, int, int, str]:
    return (
        item.due,
        _KIND_ORDER[item.kind],
        -1 if item.source_id is None else item.source_id,
        item.title,
    )


def work_order(item: DueItem) -> tuple[bool, int, date]:
    """Where an item stands in a worker's list (local practice: late safety work is never
    buried below routine visits). Overdue items first, by severity (safety, statutory,
    practice: :class:`Severity`) and within a severity the longest overdue first; then
    the items not yet overdue, by severity and then due date. Callers break ties (by
    name, kind)."""
    return (not item.overdue, int(item.kind.severity), item.due)


def due_items(case: CaseFacts, today: date, rules: DueRules = DEFAULT_RULES) -> list[DueItem]:
    """Every due and overdue item on the record, most urgent first.

    Sorted by due date (so overdue items come first, the longest overdue at the top, then
    items due today, then later ones), ties by kind then source. See the module docstring
    for who each rule applies to and the closure, death and 25th-birthday cut-offs.
    """
    return due_items_and_category(case, today, rules)[0]


def due_items_and_category(
    case: CaseFacts,
    today: date,
    rules: DueRules = DEFAULT_RULES,
    *,
    as_it_stood: CaseFacts | None = None,
) -> tuple[list[DueItem], CategoryView]:
    """:func:`due_items` and the category in force they were worked out with.
    ``as_it_stood``: ``facts_as_of(case, today)`` when the caller has already worked it
    out (it is not worked out twice)."""
    view = category_of(case, today)
    if case.closed:
        return [], view
    case = facts_as_of(case, today) if as_it_stood is None else as_it_stood
    items = follow_ups_due(case, today, rules) + death_notification_due(case, today, rules)
    ends = birthday(case.date_of_birth, DUTIES_END_AGE)
    if today < ends and not _died(case, today):
        items += _confirm_items(case, today, rules, view)
        # The category in force today, worked out once for every rule.
        case = replace(case, category=view.effective, care=None)
        for rule in _STATUTORY_RULES:
            items.extend(item for item in rule(case, today, rules) if item.due < ends)
    if rules.horizon_days is not None:
        last = today + timedelta(days=rules.horizon_days)
        items = [item for item in items if item.due <= last]
    return sorted(items, key=_urgency), view


def statutory_items(
    case: CaseFacts,
    today: date,
    rules: DueRules = DEFAULT_RULES,
    *,
    only: tuple[Rule, ...],
    as_it_stood: CaseFacts | None = None,
) -> list[DueItem]:
    """The items of the statutory rules ``only`` (e.g. ``(visit_due, plan_review_due)``),
    exactly as :func:`due_items_and_category` gives them (nothing once closed, after death
    or from the 25th birthday; worked out with the category in force), without the work
    the other rules would cost: for figures over thousands of young people."""
    if case.closed:
        return []
    view = category_of(case, today)
    case = facts_as_of(case, today) if as_it_stood is None else as_it_stood
    ends = birthday(case.date_of_birth, DUTIES_END_AGE)
    if today >= ends or _died(case, today):
        return []
    case = replace(case, category=view.effective, care=None)
    items = [item for rule in only for item in rule(case, today, rules) if item.due < ends]
    if rules.horizon_days is not None:
        last = today + timedelta(days=rules.horizon_days)
        items = [item for item in items if item.due <= last]
    return sorted(items, key=_urgency)


# --- Whereabouts unknown ---------------------------------------------------------------


@dataclass(frozen=True)
class Whereabouts:
    """A young person nobody knows the whereabouts of: since when, for how many days, and
    whether a missing-person report to the police is required (under 18)."""

    since: date
    days: int
    under_18: bool
    explanation: str

    @property
    def missing_report_required(self) -> bool:
        return self.under_18


def whereabouts_unknown(case: CaseFacts, today: date) -> Whereabouts | None:
    """Whereabouts unknown on ``today``: living in "residence not known" (R), counted from
    the start of the unbroken run of R periods; ``None`` otherwise, and after death. Under
    18, a child whose whereabouts are unknown is reported missing to the police (statutory
    guidance on children who run away or go missing from home or care, 2014); from 18 the
    council keeps taking steps to re-establish contact (Children Act 1989 s23C(2))."""
    if case.closed or _died(case, today):
        return None
    periods = facts_as_of(case, today).accommodation
    current = current_accommodation(periods, today)
    if current is None or current.letter is not AccommodationType.RESIDENCE_NOT_KNOWN:
        return None
    since = current.start
    for p in sorted(periods, key=lambda p: p.start, reverse=True):
        joins = p.end is not None and p.end >= since - timedelta(days=1) and p.start < since
        if p.letter is AccommodationType.RESIDENCE_NOT_KNOWN and joins:
            since = p.start
    under_18 = age_on(case.date_of_birth, today) < 18
    days = (today - since).days
    if under_18:
        why = (
            f"Whereabouts unknown for {days} days (since {plain_date(since)}): under 18, a "
            "missing-person report to the police is required (statutory guidance on children "
            "who run away or go missing from home or care)."
        )
    else:
        why = (
            f"Whereabouts unknown for {days} days (since {plain_date(since)}): keep taking "
            "steps to re-establish contact (Children Act 1989 s23C(2))."
        )
    return Whereabouts(since, days, under_18, why)
