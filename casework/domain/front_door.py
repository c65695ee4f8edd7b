"""The front door: contacts, referrals, allegations, risk screening, missing episodes and
referrals out. Pure rules: code lists, timers, "time left" wording, repeat and
re-referral counts, and the checks that stop an item being finished without an outcome.

Clocks follow the one convention for counting (docs/architecture.md, "How clocks are
counted"), through
:mod:`casework.domain.calendar` (nothing here counts days itself):

- "Within N working days of X": :meth:`WorkingCalendar.add_working_days`, due by the end of
  the Nth working day after the date of X, whatever the time of day.
- "Within N months": :func:`add_months`; "within 72 hours": :func:`add_hours` (elapsed
  hours, so 72 hours across a clock change end at 71 or 73 on the wall clock).
- Overdue means the due date (or time) has passed: an item due today is due, not overdue.

"Within N days / months of an earlier date" is tested one way everywhere here (repeat
concerns, re-referrals, counts in the last 12 months): the later date is on or before the
earlier date plus N (:func:`add_months` for months), both as calendar dates. So a concern
exactly 7 days, or exactly 12 months, after another is "within" it.

Decisions where statute and guidance are silent (local practice chosen here) are marked *
in the docstrings.
Nothing here reads the clock: ``now`` and ``today`` are always parameters.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from casework.domain.calendar import WorkingCalendar, add_hours, add_months
from casework.domain.codes import AllegationOutcome, AssessmentFactor, CodeList, UnknownCode
from casework.domain.front_door_codes import (
    AllegationSubjectRole as AllegationSubjectRole,
)
from casework.domain.front_door_codes import (
    ContactDecision as ContactDecision,
)
from casework.domain.front_door_codes import (
    ReferralDecision as ReferralDecision,
)
from casework.domain.front_door_codes import (
    RiskLevel as RiskLevel,
)
from casework.domain.front_door_codes import (
    RiskType as RiskType,
)
from casework.domain.front_door_codes import (
    ServiceReferralStatus as ServiceReferralStatus,
)
from casework.domain.front_door_codes import (
    ServiceType as ServiceType,
)
from casework.domain.leaving_care import day_of, plain_date

__all__ = [
    "ALLEGATION_EXPECTATIONS",
    "ASSESSMENT_WORKING_DAYS",
    "CHASE_AGAIN_DAYS",
    "CHASE_WITHOUT_EXPECTED_DAYS",
    "CONTACT_DECISION_WORKING_DAYS",
    "CORE_GROUP_WORKING_DAYS",
    "CP_FIRST_REVIEW_MONTHS",
    "CP_REVIEW_INTERVAL_MONTHS",
    "EXPLOITATION_FACTORS",
    "ICPC_WORKING_DAYS",
    "LADO_NOTIFICATION_WORKING_DAYS",
    "LOW_RISK_REVIEW_MONTHS",
    "REFERRAL_DECISION_WORKING_DAYS",
    "REPEAT_MONTHS",
    "RETURN_INTERVIEW_HOURS",
    "RISK_REVIEW_WEEKS",
    "SCREENING_DUE_WORKING_DAYS",
    "STRATEGY_MEETING_HOURS",
    "AllegationStage",
    "AllegationSubjectRole",
    "ContactDecision",
    "CpMeetingKind",
    "Problem",
    "ReferralDecision",
    "RepeatAlert",
    "RiskLevel",
    "RiskType",
    "ServiceReferralStatus",
    "ServiceType",
    "TimeLeft",
    "allegation_close_problems",
    "allegation_stage",
    "assessment_due",
    "assessment_open",
    "contact_decision_due",
    "contact_decision_problems",
    "core_group_due",
    "cp_review_due",
    "exploitation_factors",
    "icpc_due",
    "is_re_referral",
    "lado_notification_due",
    "lowering_needs_sign_off",
    "missing_episode_problems",
    "missing_episodes_in_last_12_months",
    "referral_decision_due",
    "referrals_in_last_12_months",
    "repeated_concerns",
    "return_interview_due",
    "return_interview_held_in_time",
    "return_interview_in_time",
    "return_interview_open",
    "risk_review_due",
    "risk_screening_problems",
    "screening_due",
    "service_referral_chase_due",
    "service_referral_close_problems",
    "strategy_criteria_after",
    "strategy_decision_problems",
    "strategy_meeting_due",
    "strategy_meeting_open",
    "time_left",
]

#: Contact decision: 1 working day (local practice in most councils).
CONTACT_DECISION_WORKING_DAYS = 1
#: Referral decision: 1 working day (Working Together 2023).
REFERRAL_DECISION_WORKING_DAYS = 1
#: Child and family assessment: 45 working days from the referral (Working Together 2023).
ASSESSMENT_WORKING_DAYS = 45
#: Initial child protection conference: 15 working days from the strategy discussion.
ICPC_WORKING_DAYS = 15
#: An allegation reported to the LADO within 1 working day (Working Together / KCSIE).
LADO_NOTIFICATION_WORKING_DAYS = 1
#: LADO strategy meeting: 72 hours (local practice; configurable).
STRATEGY_MEETING_HOURS = 72
#: Return interview offered within 72 hours of return (statutory guidance on missing).
RETURN_INTERVIEW_HOURS = 72
#: Medium and high risks reviewed within 6 weeks (local practice default).
RISK_REVIEW_WEEKS = 6
#: * Low risks reviewed within 6 months; a "none" screening needs no review.
LOW_RISK_REVIEW_MONTHS = 6
#: Core group: first meets within 10 working days of the initial child protection
#: conference (Working Together to Safeguard Children 2023, chapter 2).
CORE_GROUP_WORKING_DAYS = 10
#: First child protection review conference within 3 months of the initial conference
#: (Working Together 2023).
CP_FIRST_REVIEW_MONTHS = 3
#: Later review conferences at intervals of no more than 6 months (Working Together 2023).
CP_REVIEW_INTERVAL_MONTHS = 6
#: KCSIE (Part 4): about 80% of allegations resolved within 1 month, 90% within 3 months,
#: all but exceptional cases within 12 months. (months, the share expected by then)
ALLEGATION_EXPECTATIONS: tuple[tuple[int, str], ...] = (
    (1, "about 80%"),
    (3, "90%"),
    (12, "all but exceptional cases"),
)
#: The CIN factors that make an exploitation or missing screening due: missing (10A),
#: child sexual exploitation (11A), trafficking (12A), gangs (13A), child criminal
#: exploitation (24A).
EXPLOITATION_FACTORS: frozenset[AssessmentFactor] = frozenset(
    {
        AssessmentFactor.MISSING,
        AssessmentFactor.CSE,
        AssessmentFactor.TRAFFICKING,
        AssessmentFactor.GANGS,
        AssessmentFactor.CCE,
    }
)
#: A screening after an exploitation factor is coded: within 5 working days (local
#: practice; ``front_door.screening_working_days`` in the council configuration).
SCREENING_DUE_WORKING_DAYS = 5
#: Re-referral window, and the window of "in the last 12 months" counts (DfE CIN).
REPEAT_MONTHS = 12
#: * A referral out with no "response expected by" date is chased 14 days after it went.
CHASE_WITHOUT_EXPECTED_DAYS = 14
#: * After a chase with no answer, chase again 7 days later.
CHASE_AGAIN_DAYS = 7


# --- Timers ------------------------------------------------------------------------------


def contact_decision_due(received_at: date | datetime, calendar: WorkingCalendar) -> date:
    """A contact's decision: within 1 working day of receipt, so by the end of the first
    working day after the date it was received (the time of day does not matter; a contact
    received on a non-working day counts from the next working day)."""
    return calendar.add_working_days(received_at, CONTACT_DECISION_WORKING_DAYS)


def referral_decision_due(received_at: date | datetime, calendar: WorkingCalendar) -> date:
    """A referral's decision: within 1 working day of receipt (Working Together 2023), by
    the end of the first working day after the date received."""
    return calendar.add_working_days(received_at, REFERRAL_DECISION_WORKING_DAYS)


def assessment_due(referral_received: date | datetime, calendar: WorkingCalendar) -> date:
    """A child and family assessment: completed within 45 working days of the referral, by
    the end of the 45th working day after the date the referral was received."""
    return calendar.add_working_days(referral_received, ASSESSMENT_WORKING_DAYS)


def icpc_due(strategy_discussion_on: date | datetime, calendar: WorkingCalendar) -> date:
    """An initial child protection conference: within 15 working days of the strategy
    discussion that started the section 47 enquiry, by the end of the 15th working day
    after the date of that discussion."""
    return calendar.add_working_days(strategy_discussion_on, ICPC_WORKING_DAYS)


def lado_notification_due(received_at: date | datetime, calendar: WorkingCalendar) -> date:
    """Telling the LADO about an allegation: within 1 working day of receipt, by the end of
    the first working day after the date it was received."""
    return calendar.add_working_days(received_at, LADO_NOTIFICATION_WORKING_DAYS)


def _hours_after(start: datetime, hours: int) -> datetime:
    if hours < 0:
        raise ValueError(f"the number of hours must be 0 or more, not {hours}")
    return add_hours(start, hours)


def strategy_meeting_due(received_at: datetime, hours: int = STRATEGY_MEETING_HOURS) -> datetime:
    """A LADO strategy meeting: within ``hours`` (default 72, local practice) calendar hours
    of the recorded time the allegation was received. Hours are elapsed time for a
    zone-aware ``received_at`` (72 hours across a clock change end at 71 or 73 on the wall
    clock); weekends and bank holidays count."""
    return _hours_after(received_at, hours)


def return_interview_due(returned_at: datetime, hours: int = RETURN_INTERVIEW_HOURS) -> datetime:
    """A return interview after a missing episode: offered within ``hours`` (default 72)
    calendar hours of the recorded time of return, counted as :func:`strategy_meeting_due`."""
    return _hours_after(returned_at, hours)


def risk_review_due(
    assessed_on: date | datetime,
    level: RiskLevel,
    weeks: int = RISK_REVIEW_WEEKS,
    low_months: int | None = LOW_RISK_REVIEW_MONTHS,
) -> date | None:
    """The next review of a risk screening.

    - Medium and high: within ``weeks`` (default 6) calendar weeks of the screening date,
      i.e. that date plus ``7 * weeks`` days (not moved off weekends: it is a latest date).
    - * Low: within ``low_months`` (default 6) months, as :func:`add_months`; ``None`` for
      ``low_months`` means no review.
    - * None: no review (``None``); a new concern starts a new screening.
    """
    if weeks < 1:
        raise ValueError(f"the review interval must be at least 1 week, not {weeks}")
    day = day_of(assessed_on)
    level = RiskLevel.parse(level)
    if level.needs_review_within_weeks:
        return day + timedelta(weeks=weeks)
    if level is RiskLevel.LOW and low_months is not None:
        return add_months(day, low_months)
    return None


def service_referral_chase_due(
    sent_on: date | datetime,
    expected_by: date | datetime | None,
    *,
    last_chased_on: date | datetime | None = None,
    without_expected_days: int = CHASE_WITHOUT_EXPECTED_DAYS,
    again_days: int = CHASE_AGAIN_DAYS,
) -> date:
    """When to chase a referral out that has had no answer (callers show it only while
    :attr:`ServiceReferralStatus.awaiting_response`).

    - Due on the "response expected by" date: if nothing has come by the end of that day
      the chase is overdue. An expected date before the sent date counts as the sent date*.
    - * No expected date: ``without_expected_days`` (14) calendar days after it was sent.
    - * Once chased: ``again_days`` (7) calendar days after the latest chase, if that is
      later than the first chase date.
    """
    sent = day_of(sent_on)
    if expected_by is None:
        due = sent + timedelta(days=without_expected_days)
    else:
        due = max(sent, day_of(expected_by))
    if last_chased_on is not None:
        due = max(due, day_of(last_chased_on) + timedelta(days=again_days))
    return due


def assessment_open(decision: ReferralDecision | str | None, authorised_on: date | None) -> bool:
    """True while a referral's 45-working-day assessment clock runs: the referral proceeds
    to assessment (a child and family assessment, or strategy discussion and section 47
    enquiry) and a team lead has not yet authorised the assessment. Working Together to
    Safeguard Children 2023 (chapter 2): the assessment is completed within 45 working
    days of the referral; it is complete when the manager authorises it, not when the
    worker finishes writing it."""
    if decision is None or authorised_on is not None:
        return False
    return ReferralDecision.parse(decision).proceeds_to_assessment


def strategy_meeting_open(criteria_met: bool | None, meeting_at: datetime | None) -> bool:
    """True while a LADO strategy meeting is owed: the LADO found the criteria for one met
    and it has not been held. No clock runs where the criteria are not met (recorded as
    "not required" with a reason) or not yet decided (local LADO procedures; Working
    Together 2023 chapter 2 and KCSIE part 4 leave the meeting to the LADO's judgement)."""
    return criteria_met is True and meeting_at is None


def strategy_criteria_after(criteria_met: bool | None, meeting_at: datetime | None) -> bool | None:
    """The LADO's decision as recorded: a strategy meeting that was held means the
    criteria were met, even where the decision itself was not written down."""
    return True if criteria_met is None and meeting_at is not None else criteria_met


def strategy_decision_problems(
    criteria_met: bool | None, not_required_reason: str, meeting_at: datetime | None
) -> list[Problem]:
    """Why the LADO's strategy-meeting decision cannot be saved as given: "not required"
    needs the reason, and cannot stand beside a meeting that was held; "criteria met"
    keeps no reason. (A meeting held with no decision recorded is taken as the criteria
    met: see :func:`strategy_criteria_after`.)"""
    problems = []
    if criteria_met is False and not not_required_reason.strip():
        problems.append(
            Problem(
                "strategy_not_required_reason",
                "Strategy meeting not required: record the LADO's reason.",
            )
        )
    if criteria_met is False and meeting_at is not None:
        problems.append(
            Problem(
                "strategy_criteria_met",
                "Strategy meeting: a meeting was held, so the criteria were met; it cannot "
                "also be recorded as not required.",
            )
        )
    if criteria_met is True and not_required_reason.strip():
        problems.append(
            Problem(
                "strategy_not_required_reason",
                "Strategy meeting not required: the criteria are met; remove the reason.",
            )
        )
    return problems


@dataclass(frozen=True)
class AllegationStage:
    """How long an open allegation has been open against KCSIE's expectations (part 4:
    about 80% resolved within 1 month, 90% within 3, all but exceptional cases within 12).

    ``due``: the 1-month mark, so the outcome item is overdue once it has passed;
    ``passed``: the milestones (in months: 1, 3, 12) already passed; ``days_open``;
    ``text``: one plain sentence for a worker, naming KCSIE."""

    due: date
    passed: tuple[int, ...]
    days_open: int
    text: str


def allegation_stage(received: date | datetime, today: date | datetime) -> AllegationStage:
    """Where an open allegation stands against KCSIE part 4's expectations (see
    :class:`AllegationStage`). A milestone is passed the day after its date (an allegation
    received on 10 March is within 1 month until the end of 10 April)."""
    start, now = day_of(received), day_of(today)
    days = max((now - start).days, 0)
    marks = [
        (months, share, add_months(start, months)) for months, share in ALLEGATION_EXPECTATIONS
    ]
    passed = tuple(months for months, _, on in marks if now > on)
    opened = f"Open {_plural(days, 'day')}"
    if not passed:
        text = (
            f"{opened}. KCSIE expects about 80% of allegations resolved within 1 month "
            f"(by {plain_date(marks[0][2])})."
        )
    else:
        last = passed[-1]
        share = {m: s for m, s, _ in marks}[last]
        following = next(((m, s, on) for m, s, on in marks if m not in passed), None)
        text = (
            f"{opened}: more than {_plural(last, 'month')}. KCSIE expects {share} of "
            f"allegations resolved within {_plural(last, 'month')}"
        )
        if following is not None:
            months, share_next, on = following
            text += f", {share_next} within {_plural(months, 'month')} (by {plain_date(on)})."
        else:
            text += "; record why this one is exceptional."
    return AllegationStage(marks[0][2], passed, days, text)


def return_interview_open(
    returned_at: datetime | None, held_at: datetime | None, declined: bool | None
) -> bool:
    """True while a return interview is owed: the young person has returned, no interview
    has been held and they have not declined one. Statutory guidance on children who run
    away or go missing from home or care (DfE 2014): an independent return interview is
    carried out within 72 hours of the child's return; offering one is not enough."""
    return returned_at is not None and held_at is None and declined is not True


def return_interview_held_in_time(
    returned_at: datetime, held_at: datetime, hours: int = RETURN_INTERVIEW_HOURS
) -> bool:
    """True when the return interview was held within ``hours`` (72) of the return."""
    return returned_at <= held_at <= return_interview_due(returned_at, hours)


def core_group_due(icpc_on: date | datetime, calendar: WorkingCalendar) -> date:
    """The child protection plan's first core group meeting: within 10 working days of the
    initial child protection conference (Working Together to Safeguard Children 2023,
    chapter 2), by the end of the 10th working day after the conference."""
    return calendar.add_working_days(icpc_on, CORE_GROUP_WORKING_DAYS)


def cp_review_due(icpc_on: date | datetime, reviews: Iterable[date | datetime]) -> date:
    """The next child protection review conference: the first within 3 months of the
    initial conference, later ones within 6 months of the previous review (Working Together
    2023, chapter 2). Reviews dated before the initial conference are ignored."""
    start = day_of(icpc_on)
    held = [day_of(r) for r in reviews if day_of(r) >= start]
    if not held:
        return add_months(start, CP_FIRST_REVIEW_MONTHS)
    return add_months(max(held), CP_REVIEW_INTERVAL_MONTHS)


class CpMeetingKind(CodeList):
    """The meetings of a child protection plan (Working Together 2023, chapter 2)."""

    REVIEW_CONFERENCE = ("review_conference", "Review child protection conference")
    CORE_GROUP = ("core_group", "Core group meeting")

    @classmethod
    def list_name(cls) -> str:
        return "child protection meeting"


def exploitation_factors(codes: Iterable[str]) -> tuple[RiskType, ...]:
    """The screenings a concern's CIN factors call for: missing (10A), child sexual
    exploitation (11A), trafficking (12A), gangs (13A) and child criminal exploitation
    (24A), each once, in that order. Unknown codes raise :class:`UnknownCode`."""
    found = {AssessmentFactor.parse(c) for c in codes if c}
    out = []
    for factor in sorted(found & EXPLOITATION_FACTORS, key=lambda f: int(f.value[:-1])):
        risk = RiskType.for_factor(factor)
        if risk is not None and risk not in out:
            out.append(risk)
    return tuple(out)


def screening_due(
    received_at: date | datetime,
    calendar: WorkingCalendar,
    working_days: int = SCREENING_DUE_WORKING_DAYS,
) -> date:
    """A risk screening after a concern coded with an exploitation factor: within
    ``working_days`` (default 5; local practice) of the concern's receipt."""
    if working_days < 1:
        raise ValueError(f"the screening time must be at least 1 working day, not {working_days}")
    return calendar.add_working_days(received_at, working_days)


def lowering_needs_sign_off(previous: RiskLevel | str | None, new: RiskLevel | str) -> bool:
    """Lowering a medium or high level needs a team lead's sign-off (the exploitation
    oversight inspectors found missing; local practice building on Working Together 2023
    chapter 2 on managers' oversight): True when ``previous`` (the latest screening of the
    same type) was medium or high and ``new`` is lower."""
    if previous is None:
        return False
    before, after = RiskLevel.parse(previous), RiskLevel.parse(new)
    return before.needs_review_within_weeks and after.rank < before.rank


# --- Time left -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeLeft:
    """What a queue shows for a deadline: ``overdue`` once it has passed, and ``text`` in
    plain words ("due in 3 hours", "due today by end of day", "overdue by 2 working days")."""

    overdue: bool
    text: str
    late_by: str = ""  # how long overdue ("2 working days"), empty until it is

    def as_dict(self) -> dict[str, object]:
        return {"overdue": self.overdue, "text": self.text}

    @property
    def shown(self) -> str:
        """As a queue shows it, impossible to miss once overdue: "OVERDUE by 2 working
        days", "Due in 3 hours" (local practice: overdue work is shouted)."""
        if self.overdue:
            return f"OVERDUE by {self.late_by}"
        return self.text[:1].upper() + self.text[1:]


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def _span(delta: timedelta) -> str:
    """A positive span in its two largest units, rounded down ("2 days 5 hours")."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")
    if hours:
        return _plural(hours, "hour") + (f" {_plural(minutes, 'minute')}" if minutes else "")
    return _plural(minutes, "minute") if minutes else "less than a minute"


def _time_left_at(due: datetime, now: datetime) -> TimeLeft:
    if (due.utcoffset() is None) != (now.utcoffset() is None):
        raise ValueError("due and now must both be time-zone-aware, or both naive")
    if now > due:
        late = _span(now - due)
        return TimeLeft(True, f"overdue by {late}", late)
    if now == due:
        return TimeLeft(False, "due now")
    return TimeLeft(False, f"due in {_span(due - now)}")


def _days_text(first: date, last: date, calendar: WorkingCalendar | None) -> str:
    """The days after ``first`` up to ``last``: working days with a calendar (when there is
    at least one), calendar days otherwise."""
    if calendar is not None:
        working = calendar.working_days_between(first, last)
        if working > 0:
            return _plural(working, "working day")
    return _plural((last - first).days, "day")


def time_left(
    due: date | datetime, now: datetime, calendar: WorkingCalendar | None = None
) -> TimeLeft:
    """How long until ``due``, or how long since, for a screen.

    - A ``datetime`` due (a 72-hour clock): elapsed time from ``now``, rounded down to the
      two largest units; overdue once ``now`` is after it. Both must be aware or both naive.
    - A ``date`` due (a working-day or month clock): due by the end of that day, so on the
      day itself "due today by end of day" and not overdue; "due tomorrow"; otherwise "due
      in N working days" / "overdue by N working days" when ``calendar`` is given (working
      days after the earlier date up to and including the later one), or calendar days
      without one, or when no working day falls between (overdue on a weekend, say).
      ``now`` should be in the council's local time: its date is "today".
    """
    if isinstance(due, datetime):
        return _time_left_at(due, now)
    today = now.date()
    if due == today:
        return TimeLeft(False, "due today by end of day")
    if due < today:
        late = _days_text(due, today, calendar)
        return TimeLeft(True, f"overdue by {late}", late)
    if due == today + timedelta(days=1):
        return TimeLeft(False, "due tomorrow")
    return TimeLeft(False, f"due in {_days_text(today, due, calendar)}")


# --- Repeats and re-referrals ------------------------------------------------------------


def _within_days(earlier: date, later: date, days: int) -> bool:
    return earlier <= later <= earlier + timedelta(days=days)


def _within_months(earlier: date, later: date, months: int) -> bool:
    return earlier <= later <= add_months(earlier, months)


@dataclass(frozen=True)
class RepeatAlert:
    """Repeated concerns about one young person, counting the new one.

    ``recent``: concerns in the short window (default the last 7 days); ``in_year``: in the
    long window (default 12 months); ``short_met`` / ``long_met``: which threshold was
    reached; ``message``: one plain sentence for the decision screen.
    """

    recent: int
    in_year: int
    short_met: bool
    long_met: bool
    message: str


def _alert_message(
    recent: int, short_days: int, in_year: int, long_months: int, short: bool, long: bool
) -> str:
    parts = []
    if short:
        parts.append(f"{_plural(recent, 'concern')} in the last {_plural(short_days, 'day')}")
    if long:
        parts.append(f"{_plural(in_year, 'concern')} in the last {_plural(long_months, 'month')}")
    return f"Repeated concerns: {' and '.join(parts)}, counting this one."


def repeated_concerns(
    received: Sequence[date | datetime],
    now: date | datetime,
    short_count: int = 2,
    short_days: int = 7,
    long_count: int = 3,
    long_months: int = REPEAT_MONTHS,
) -> RepeatAlert | None:
    """An alert when concerns repeat: ``short_count`` (2) within ``short_days`` (7) days, or
    ``long_count`` (3) within ``long_months`` (12) months, counting the new one.

    ``received``: when each concern about the young person was received, the new one
    included. A concern counts when ``now``'s date is within the window of its date (see
    the module docstring: one exactly 7 days or 12 months earlier counts). Concerns after
    ``now`` are ignored. ``None`` when neither threshold is reached.
    """
    today = day_of(now)
    days = [day_of(r) for r in received]
    recent = sum(1 for d in days if _within_days(d, today, short_days))
    in_year = sum(1 for d in days if _within_months(d, today, long_months))
    short, long = recent >= short_count, in_year >= long_count
    if not (short or long):
        return None
    message = _alert_message(recent, short_days, in_year, long_months, short, long)
    return RepeatAlert(recent, in_year, short, long, message)


def referrals_in_last_12_months(dates: Iterable[date | datetime], on: date | datetime) -> int:
    """Annex A ``Number of Referrals in Last 12 Months`` for a referral made ``on``: how
    many of the young person's *other* referrals (leave this one out of ``dates``) were made
    within the 12 months up to it: on or before ``on``, and ``on`` within 12 months of them
    (:func:`add_months`, so exactly 12 months earlier counts). * Another referral the same
    day counts; later referrals do not."""
    day = day_of(on)
    return sum(1 for d in dates if _within_months(day_of(d), day, REPEAT_MONTHS))


def is_re_referral(
    previous_referral_dates: Iterable[date | datetime], new_date: date | datetime
) -> bool:
    """A re-referral: made within 12 months of a previous referral (DfE CIN statistics), on
    the same test as :func:`referrals_in_last_12_months` (so exactly 12 months later is a
    re-referral, and the day after is not)."""
    return referrals_in_last_12_months(previous_referral_dates, new_date) > 0


def missing_episodes_in_last_12_months(
    starts: Iterable[date | datetime], today: date | datetime
) -> int:
    """Missing episodes that started within the 12 months up to ``today`` (today included;
    one that started exactly 12 months ago counts)."""
    day = day_of(today)
    return sum(1 for s in starts if _within_months(day_of(s), day, REPEAT_MONTHS))


def return_interview_in_time(
    returned_at: datetime, offered_at: datetime, hours: int = RETURN_INTERVIEW_HOURS
) -> bool:
    """True when the return interview was offered within ``hours`` of the return (for
    reports: a late offer is recorded as it happened, not refused)."""
    return returned_at <= offered_at <= return_interview_due(returned_at, hours)


# --- "Cannot finish without an outcome" --------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason an item cannot be finished: ``field`` is the argument's name (for a form
    to highlight), ``message`` a plain sentence that starts with the field's name in words.
    ``str(problem)`` is the message."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


_C = TypeVar("_C", bound=CodeList)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _pick(
    value: str | None, codes: type[_C], field: str, words: str
) -> tuple[_C | None, list[Problem]]:
    """The chosen code, or a problem saying what to choose."""
    choices = ", ".join(member.label.lower() for member in codes)
    if value is None or not value.strip():
        return None, [Problem(field, f"{words}: choose one of {choices}.")]
    try:
        return codes.parse(value), []
    except UnknownCode:
        return None, [Problem(field, f"{words}: {value!r} is not one of {choices}.")]


def _required(value: object, field: str, message: str) -> list[Problem]:
    return [Problem(field, message)] if _blank(value) else []


def _decided_on_problems(
    decided_on: date | None, today: date, received_on: date | None
) -> list[Problem]:
    field, words = "decided_on", "Decided on"
    if decided_on is None:
        return [Problem(field, f"{words}: record the date the outcome was decided.")]
    day = day_of(decided_on)
    if day > day_of(today):
        return [Problem(field, f"{words}: {plain_date(day)} is in the future.")]
    if received_on is not None and day < day_of(received_on):
        return [
            Problem(
                field,
                f"{words}: {plain_date(day)} is before the allegation was received "
                f"({plain_date(day_of(received_on))}).",
            )
        ]
    return []


def allegation_close_problems(
    outcome: AllegationOutcome | str | None,
    rationale: str | None,
    decided_by: str | int | None,
    decided_on: date | None,
    today: date,
    *,
    received_on: date | None = None,
) -> list[Problem]:
    """Why an allegation cannot be finished yet; an empty list means it can.

    It needs one of the five outcomes (KCSIE), a rationale, who decided (a name or user
    id) and the date decided, which may not be after ``today`` nor, when ``received_on`` is
    given*, before the allegation was received.
    """
    _, problems = _pick(outcome, AllegationOutcome, "outcome", "Outcome")
    problems += _required(rationale, "rationale", "Rationale: say why this outcome was reached.")
    problems += _required(decided_by, "decided_by", "Decided by: record who decided the outcome.")
    problems += _decided_on_problems(decided_on, today, received_on)
    return problems


_ADULTS_ONLY = "referral to adult safeguarding"


def _age_problems(decision: ContactDecision, age_on_receipt: int | None) -> list[Problem]:
    minimum = decision.minimum_age
    if minimum is None:
        return []
    if age_on_receipt is None:
        return [
            Problem(
                "decision",
                f"Decision: {_ADULTS_ONLY} is only for young people aged "
                f"{minimum} or over; record their date of birth first.",
            )
        ]
    if age_on_receipt < minimum:
        return [
            Problem(
                "decision",
                f"Decision: {_ADULTS_ONLY} is only for young people aged "
                f"{minimum} or over; they were {age_on_receipt} when the contact was received.",
            )
        ]
    return []


def contact_decision_problems(
    decision: ContactDecision | str | None,
    rationale: str | None,
    age_on_receipt: int | None,
) -> list[Problem]:
    """Why a contact decision cannot be recorded; an empty list means it can.

    A decision from :class:`ContactDecision` with a rationale; referral to adult
    safeguarding only when the young person was 18 or over on the day the contact was
    received (* with no known age it is refused until a date of birth is recorded).
    Whether the worker may decide is a permission, checked by the services layer.
    """
    chosen, problems = _pick(decision, ContactDecision, "decision", "Decision")
    if chosen is not None:
        problems += _age_problems(chosen, age_on_receipt)
    problems += _required(rationale, "rationale", "Rationale: say why this decision was made.")
    return problems


def service_referral_close_problems(
    status: ServiceReferralStatus | str | None,
    outcome: str | None,
    reason: str | None,
) -> list[Problem]:
    """Why a referral out cannot be finished; an empty list means it can.

    The status must be final (declined, completed or withdrawn); declined needs the
    service's reason; completed and withdrawn need an outcome.
    """
    chosen, problems = _pick(status, ServiceReferralStatus, "status", "Status")
    if chosen is None:
        return problems
    if not chosen.final:
        return [
            Problem(
                "status",
                f"Status: a referral that is {chosen.label.lower()} is not finished; record "
                "that it was declined, completed or withdrawn.",
            )
        ]
    if chosen.needs_reason:
        problems += _required(
            reason, "reason", "Reason: record why the service declined the referral."
        )
    if chosen.needs_outcome:
        problems += _required(
            outcome, "outcome", f"Outcome: record what came of the {chosen.label.lower()} referral."
        )
    return problems


def _review_problems(
    level: RiskLevel, review_on: date | None, screened_on: date, weeks: int
) -> list[Problem]:
    field, words = "review_on", "Review date"
    latest = risk_review_due(screened_on, level, weeks)
    if review_on is not None and day_of(review_on) < day_of(screened_on):
        return [
            Problem(
                field,
                f"{words}: {plain_date(day_of(review_on))} is before the screening "
                f"({plain_date(day_of(screened_on))}).",
            )
        ]
    if not level.needs_review_within_weeks or latest is None:
        return []
    within = f"a {level.label.lower()} risk needs a review within {_plural(weeks, 'week')}"
    if review_on is None:
        return [Problem(field, f"{words}: {within}, by {plain_date(latest)}.")]
    if day_of(review_on) > latest:
        return [
            Problem(
                field,
                f"{words}: {within}, by {plain_date(latest)}, not {plain_date(day_of(review_on))}.",
            )
        ]
    return []


def _indicator_problems(
    level: RiskLevel, indicators: Collection[str], allowed: Collection[str] | None
) -> list[Problem]:
    problems = []
    if level.needs_review_within_weeks and not indicators:
        problems.append(
            Problem(
                "indicators",
                f"Indicators: tick the indicators that make this a {level.label.lower()} risk.",
            )
        )
    unknown = sorted(i for i in indicators if allowed is not None and i not in allowed)
    if unknown:
        problems.append(
            Problem(
                "indicators",
                f"Indicators: {', '.join(unknown)} not on this screening's list.",
            )
        )
    return problems


def risk_screening_problems(
    level: RiskLevel | str | None,
    reasoning: str | None,
    indicators: Collection[str],
    review_on: date | None,
    team_lead_signed_off: bool,
    *,
    screened_on: date,
    weeks: int = RISK_REVIEW_WEEKS,
    allowed_indicators: Collection[str] | None = None,
) -> list[Problem]:
    """Why a risk screening cannot be finished; an empty list means it can.

    - A level, and the reasoning for it, always.
    - High: a team lead's sign-off.
    - Medium and high: a review date on or after ``screened_on`` and no later than
      :func:`risk_review_due` (``weeks``, default 6); any review date given is not before
      the screening.
    - * Medium and high: at least one indicator ticked; with ``allowed_indicators`` (the
      type's configured list) every ticked indicator must be on it.
    """
    chosen, problems = _pick(level, RiskLevel, "level", "Level")
    problems += _required(reasoning, "reasoning", "Reasoning: say why this level was chosen.")
    if chosen is None:
        return problems
    problems += _indicator_problems(chosen, indicators, allowed_indicators)
    problems += _review_problems(chosen, review_on, screened_on, weeks)
    if chosen.needs_sign_off and not team_lead_signed_off:
        problems.append(
            Problem(
                "team_lead_signed_off",
                "Team lead sign-off: a high risk must be signed off by a team lead.",
            )
        )
    return problems


def _episode_time_problems(
    start: datetime | None, end: datetime | None, now: datetime | None
) -> list[Problem]:
    problems = []
    if start is None:
        problems.append(Problem("start", "Start: record when they went missing."))
    if end is None:
        problems.append(
            Problem("end", "End: record when they returned; an episode cannot finish before.")
        )
    elif start is not None and end < start:
        problems.append(Problem("end", "End: the return is before the start of the episode."))
    for field, words, value in (("start", "Start", start), ("end", "End", end)):
        if value is not None and now is not None and value > now:
            problems.append(Problem(field, f"{words}: the time given is in the future."))
    return problems


def missing_episode_problems(
    start: datetime | None,
    end: datetime | None,
    reported_to_police: bool | None,
    interview_offered_at: datetime | None,
    *,
    now: datetime | None = None,
) -> list[Problem]:
    """Why a missing episode cannot be finished; an empty list means it can.

    It needs a start, an end (the return) not before the start, whether it was reported to
    the police (yes or no; ``None`` is "not recorded"), and when a return interview was
    offered, not before the return. * A late offer (after 72 hours) does not block
    finishing; :func:`return_interview_in_time` reports it. With ``now``, times after it
    are refused. Use all-aware or all-naive datetimes.
    """
    problems = _episode_time_problems(start, end, now)
    if reported_to_police is None:
        problems.append(
            Problem(
                "reported_to_police",
                "Reported to police: record whether the police were told (yes or no).",
            )
        )
    if interview_offered_at is None:
        problems.append(
            Problem(
                "interview_offered_at",
                "Return interview offered: record when a return interview was offered.",
            )
        )
    elif end is not None and interview_offered_at < end:
        problems.append(
            Problem(
                "interview_offered_at",
                "Return interview offered: the offer is before the return.",
            )
        )
    return problems
