"""Leaving care: who a young person is legally, and the code lists of a PA's daily work.

Children Act 1989 s23A, s23C(1), s24; Care Leavers (England) Regulations 2010 regs 3 and
4; CPPCR 2010 reg 40. Pure rules: nothing here reads
the clock or touches the database; ``today`` is always passed in.

Conventions used here, where the statute leaves a choice:

- A care period's end date (and ``CareHistory.ceased_care``) is the day care ended, and the
  young person counts as looked after on that day. So care that ended on the 16th birthday
  "ended after 16", and a period ending on a day counts that day.
- "Weeks looked after since 14" is the worker's recorded figure when there is one. Without
  it, the weeks are counted from the care periods given, or else estimated from the dates
  entered and ceased care as one unbroken period (the reasons say which). Pre-planned short
  breaks (respite) do not count towards the 13 weeks and should not be given as periods.
- Someone whose care has no end date but who is 18 or over is treated as having left care
  on their 18th birthday (care cannot continue past 18).
- Qualifying care leavers aged 21 to 24 get some help (education or training) but are not
  suggested as qualifying: the suggestion is "no current eligibility" with a reason saying
  so, for the worker to override.
- Care periods, when recorded, are the facts: "still looked after", "looked after on or
  after the 16th birthday" and the 13 weeks are all read from them, so "13 weeks since 14,
  ending after 16" (CPPCR 2010 reg 40) is exact. A period starting after ``today`` is
  ignored, and one ending after ``today`` still runs on ``today``.
- A relevant child who has lived with a parent (or someone with parental responsibility)
  for 6 continuous months is not a relevant child (CLR 2010 reg 3(3)); the record holds
  this as an RHOM status dated the day the 6 months were complete. If the arrangement
  breaks down (the status is ended) they are relevant again (reg 3(4)).

The category a worker confirmed is a dated decision, not the category for ever:
:func:`category_on` ages it (eligible or relevant becomes former relevant at 18, everyone
leaves at 25), compares it with the facts, and the clocks follow the safer of the two
(the one owing more duties) until a worker confirms again.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from casework.domain.calendar import age_on, birthday
from casework.domain.codes import CodeList, EligibilityCategory, InTouch

__all__ = [
    "ADULT_AGE",
    "DUTIES_END_AGE",
    "ELIGIBLE_WEEKS",
    "PA_OFFER_AGE",
    "SIXTEEN",
    "CareHistory",
    "CarePeriod",
    "CategoryView",
    "CircumstanceChange",
    "ContactMadeBy",
    "ContactMethod",
    "EligibilitySuggestion",
    "EssentialItem",
    "ExplicitStatus",
    "HomeSpell",
    "Milestone",
    "PlanArea",
    "Transition",
    "age_transitions",
    "aged_category",
    "category_change_days",
    "category_on",
    "count_weeks_looked_after_since_14",
    "day_of",
    "plain_date",
    "suggest_eligibility",
]

#: Weeks looked after since the 14th birthday that make a 16- or 17-year-old eligible.
ELIGIBLE_WEEKS = 13

LEGAL_STATUSES = (
    "Full care order (s31)",  # Children Act 1989 s31
    "Interim care order (s38)",  # Children Act 1989 s38
    "Accommodated with agreement (s20)",  # Children Act 1989 s20
    "Placement order",  # Adoption and Children Act 2002 s21
    "Remanded to local authority accommodation",  # LASPO Act 2012 s104
    "Detained (youth justice)",  # Children Act 1989 s22(1)(b) and the 2010 regs
    "Emergency protection order",  # Children Act 1989 s44
    "Police protection",  # Children Act 1989 s46
)
"""The legal statuses a care period is offered (a worker may type another): the orders
and arrangements under which a child is looked after."""
#: The age at which eligibility starts and the needs-assessment clock runs.
SIXTEEN = 16
#: The age at which a relevant child becomes former relevant.
ADULT_AGE = 18
#: The age at which Staying Put ends and the PA offer "to 25 on request" is made.
PA_OFFER_AGE = 21
#: The age at which leaving-care duties end.
DUTIES_END_AGE = 25
_WEEKS_COUNTED_FROM_AGE = 14

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def plain_date(d: date) -> str:
    """A date as people write it: ``3 March 2026`` (independent of the process locale)."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def day_of(value: date | datetime) -> date:
    """The calendar date of ``value``; the time of day is dropped."""
    if isinstance(value, datetime):
        return value.date()
    return value


# --- Code lists a worker picks from ---------------------------------------------------


class ContactMethod(CodeList):
    """How a keeping-in-touch contact was made."""

    FACE_TO_FACE_ACCOMMODATION = (
        "face_to_face_accommodation",
        "Face to face at their accommodation",
    )
    FACE_TO_FACE_OFFICE = ("face_to_face_office", "Face to face at the office")
    FACE_TO_FACE_COMMUNITY = ("face_to_face_community", "Face to face in the community")
    PHONE = ("phone", "Phone call")
    VIDEO = ("video", "Video call")
    MESSAGE = ("message", "Text or messaging")
    EMAIL = ("email", "Email")
    LETTER = ("letter", "Letter")

    @property
    def face_to_face(self) -> bool:
        """True for the three face-to-face methods (a reg 8 visit needs one of them)."""
        return self.value.startswith("face_to_face")

    @classmethod
    def list_name(cls) -> str:
        return "contact method"


class ContactMadeBy(CodeList):
    """Who made a contact."""

    PERSONAL_ADVISER = ("personal_adviser", "Personal adviser")
    SOCIAL_WORKER = ("social_worker", "Social worker")
    OTHER = ("other", "Someone else")

    @classmethod
    def list_name(cls) -> str:
        return "contact made by"


class ExplicitStatus(CodeList):
    """An in-touch status a worker records as a dated event (the rest are derived).

    Storage codes are the SSDA903 ones; the export spellings come from :attr:`in_touch`
    (:class:`codes.InTouch`), the one place that spells them.
    """

    REFUSES_CONTACT = ("REFU", "Refuses contact")
    NO_LONGER_REQUIRES = ("NREQ", "No longer requires services")
    RETURNED_HOME = ("RHOM", "Returned home to parents for 6 months or more")
    DIED = ("DIED", "Died")

    @property
    def in_touch(self) -> InTouch:
        """The SSDA903 / Annex A in-touch code this status reports as."""
        return InTouch(self.value)

    @classmethod
    def list_name(cls) -> str:
        return "in-touch status"


class PlanArea(CodeList):
    """The ten pathway plan areas of Schedule 1 to the Care Leavers (England) Regs 2010."""

    CONTACT_AND_SUPPORT = ("contact_support", "Contact and support")
    EDUCATION_AND_TRAINING = ("education_training", "Education and training")
    EMPLOYMENT = ("employment", "Employment")
    CONTINGENCY = ("contingency", "Contingency plans")
    ACCOMMODATION = ("accommodation", "Accommodation")
    FAMILY_AND_RELATIONSHIPS = ("family_relationships", "Family and relationships")
    INDEPENDENT_LIVING = ("independent_living", "Independent-living skills")
    FINANCE = ("finance", "Finance")
    HEALTH = ("health", "Health, including mental health")
    IDENTITY = ("identity", "Identity")

    @classmethod
    def list_name(cls) -> str:
        return "pathway plan area"


class EssentialItem(CodeList):
    """The "leaving care essentials" checklist."""

    ID = ("id", "Proof of identity (ID)")
    NATIONAL_INSURANCE = ("ni_number", "National Insurance number")
    BANK_ACCOUNT = ("bank_account", "Bank account")
    GP_REGISTRATION = ("gp_registration", "Registered with a GP")
    HEALTH_HISTORY = ("health_history", "Health history given to them")
    RECORDS_OFFERED = ("records_offered", "Copy of their records offered")

    @classmethod
    def list_name(cls) -> str:
        return "leaving care essential"


class CircumstanceChange(CodeList):
    """A change of circumstances that makes a pathway plan review due."""

    NEW_ACCOMMODATION = ("new_accommodation", "New accommodation")
    CUSTODY = ("custody", "Custody")
    HOMELESSNESS = ("homelessness", "Homelessness")
    PARENTHOOD = ("parenthood", "Became a parent")

    @classmethod
    def list_name(cls) -> str:
        return "change of circumstances"


# --- Eligibility ---------------------------------------------------------------------


@dataclass(frozen=True)
class CarePeriod:
    """A spell of being looked after. ``end`` is the day it ended (counted as looked after);
    ``None`` while it continues."""

    start: date
    end: date | None = None
    legal_status: str = ""


@dataclass(frozen=True)
class HomeSpell:
    """A recorded return home (RHOM): ``on`` is the day 6 continuous months living with a
    parent or someone with parental responsibility were complete (CLR 2010 reg 3(3));
    ``ended`` is the day the arrangement broke down (reg 3(4)), ``None`` while it lasts."""

    on: date
    ended: date | None = None


@dataclass(frozen=True)
class CareHistory:
    """What the record says about a young person's time in care.

    ``ceased_care`` is ``None`` while they are still looked after (a date after ``today`` also
    counts as still looked after, so reports "as of" an earlier date agree).
    ``weeks_looked_after_since_14`` is the worker's figure; ``None`` when not recorded.
    ``care_periods``, when given, are the facts about being looked after: the weeks are
    counted from them if no figure is recorded, and "still looked after" and "looked after
    on or after 16" are read from them. ``returned_home``: recorded RHOM spells.
    """

    date_of_birth: date
    entered_care: date | None = None
    ceased_care: date | None = None
    weeks_looked_after_since_14: int | None = None
    detained_or_in_hospital_at_16: bool = False
    sgo_after_looked_after: bool = False
    care_periods: tuple[CarePeriod, ...] = ()
    returned_home: tuple[HomeSpell, ...] = ()

    def has_later(self, today: date) -> bool:
        """True when anything is dated after ``today``."""

        def later(d: date | None) -> bool:
            return d is not None and d > today

        return (
            later(self.entered_care)
            or later(self.ceased_care)
            or any(p.start > today or later(p.end) for p in self.care_periods)
            or any(h.on > today or later(h.ended) for h in self.returned_home)
        )

    def as_of(self, today: date) -> CareHistory:
        """The history as it stood on ``today``: later periods and returns home left out,
        and anything that ended after ``today`` still running."""
        if not self.has_later(today):
            return self

        def upto(end: date | None) -> date | None:
            return end if end is not None and end <= today else None

        return CareHistory(
            date_of_birth=self.date_of_birth,
            entered_care=self.entered_care if (self.entered_care or today) <= today else None,
            ceased_care=upto(self.ceased_care),
            weeks_looked_after_since_14=self.weeks_looked_after_since_14,
            detained_or_in_hospital_at_16=self.detained_or_in_hospital_at_16,
            sgo_after_looked_after=self.sgo_after_looked_after,
            care_periods=tuple(
                CarePeriod(p.start, upto(p.end), p.legal_status)
                for p in self.care_periods
                if p.start <= today
            ),
            returned_home=tuple(
                HomeSpell(h.on, upto(h.ended)) for h in self.returned_home if h.on <= today
            ),
        )

    @property
    def recorded(self) -> bool:
        """True when the record holds any fact about care (otherwise nothing can be
        derived and the worker's confirmation stands alone)."""
        return bool(
            self.care_periods
            or self.entered_care is not None
            or self.ceased_care is not None
            or self.weeks_looked_after_since_14 is not None
            or self.sgo_after_looked_after
            or self.detained_or_in_hospital_at_16
        )


@dataclass(frozen=True)
class EligibilitySuggestion:
    """The suggested category and why, in plain English, for the worker to confirm or
    override (with their own reason)."""

    category: EligibilityCategory
    reasons: tuple[str, ...]


def count_weeks_looked_after_since_14(
    date_of_birth: date, periods: Sequence[CarePeriod], today: date
) -> int:
    """Whole weeks looked after from the 14th birthday up to ``today`` (and before the 18th
    birthday), from care periods that may overlap. Both end days count; an open period runs
    to ``today``."""
    first = birthday(date_of_birth, _WEEKS_COUNTED_FROM_AGE)
    last = min(day_of(today), birthday(date_of_birth, ADULT_AGE) - timedelta(days=1))
    spans = sorted(
        (max(p.start, first), min(last if p.end is None else p.end, last)) for p in periods
    )
    days = 0
    counted_to: date | None = None
    for start, end in spans:
        if counted_to is not None and start <= counted_to:
            start = counted_to + timedelta(days=1)
        if start > end:
            continue
        days += (end - start).days + 1
        counted_to = end
    return days // 7


def _weeks(care: CareHistory, today: date) -> tuple[int | None, str]:
    """The weeks looked after since 14, and a sentence saying where the figure came from."""
    recorded = care.weeks_looked_after_since_14
    if recorded is not None:
        return recorded, f"Looked after {recorded} weeks since the 14th birthday (as recorded)."
    if care.care_periods:
        periods = [p for p in care.care_periods if p.start <= today]
        weeks = count_weeks_looked_after_since_14(care.date_of_birth, periods, today)
        return weeks, (
            f"Looked after {weeks} weeks since the 14th birthday, counted from "
            f"{len(care.care_periods)} recorded care period(s)."
        )
    if care.entered_care is not None:
        period = CarePeriod(care.entered_care, care.ceased_care)
        weeks = count_weeks_looked_after_since_14(care.date_of_birth, [period], today)
        return weeks, (
            f"About {weeks} weeks looked after since the 14th birthday, estimated from the "
            "dates entered and ceased care as one unbroken period: record the figure to confirm."
        )
    return None, (
        "Weeks looked after since the 14th birthday are not recorded: record them to confirm "
        "eligibility."
    )


def _still_looked_after(care: CareHistory, today: date) -> bool:
    if care.care_periods:
        return any(p.start <= today and (p.end is None or p.end > today) for p in care.care_periods)
    return care.ceased_care is None or care.ceased_care > today


def _looked_after_at_16(care: CareHistory, today: date) -> bool:
    sixteen = birthday(care.date_of_birth, SIXTEEN)
    if care.care_periods:
        return any(
            p.start <= today and (p.end is None or p.end >= sixteen) for p in care.care_periods
        )
    return care.ceased_care is None or care.ceased_care >= sixteen


def _left_care_on(care: CareHistory, today: date) -> date | None:
    """The day the latest care period ended, or the recorded date ceased care."""
    if care.care_periods:
        ends = [p.end for p in care.care_periods if p.start <= today]
        if not ends or None in ends:
            return None
        return max(e for e in ends if e is not None)
    return care.ceased_care


def _at_home(care: CareHistory, today: date) -> HomeSpell | None:
    """The RHOM spell that applies on ``today`` (reg 3(3)), if any."""
    live = [h for h in care.returned_home if h.on <= today and (h.ended is None or h.ended > today)]
    return max(live, key=lambda h: h.on, default=None)


def _was_eligible(care: CareHistory, weeks: int | None, today: date) -> bool:
    """Looked after 13+ weeks since 14 with care ending after 16 (or detained or in hospital
    on the 16th birthday after those weeks)."""
    enough = weeks is not None and weeks >= ELIGIBLE_WEEKS
    return enough and (_looked_after_at_16(care, today) or care.detained_or_in_hospital_at_16)


def _left_care_sentence(care: CareHistory, today: date | None = None) -> str:
    left = care.ceased_care if today is None else _left_care_on(care, today)
    if left is None:
        return "No date ceased care is recorded: care ends at 18 at the latest."
    return f"Left care on {plain_date(left)}."


def _under_18(care: CareHistory, today: date, weeks: int | None) -> EligibilitySuggestion:
    """Ages 16 and 17."""
    sixteenth = plain_date(birthday(care.date_of_birth, SIXTEEN))
    if _still_looked_after(care, today):
        if _was_eligible(care, weeks, today):
            return _suggest(
                EligibilityCategory.ELIGIBLE,
                "Aged 16 or 17, still looked after, and looked after at least "
                f"{ELIGIBLE_WEEKS} weeks since 14.",
            )
        known = "" if weeks is None else f"only {weeks} of the "
        return _suggest(
            EligibilityCategory.NO_CURRENT,
            f"Still looked after, with {known or 'no record of the '}{ELIGIBLE_WEEKS} weeks "
            f"since 14 needed: becomes eligible on reaching {ELIGIBLE_WEEKS} weeks while still "
            "looked after.",
        )
    left = _left_care_sentence(care, today)
    if _was_eligible(care, weeks, today):
        how = (
            "was detained or in hospital on the 16th birthday"
            if not _looked_after_at_16(care, today)
            else "was an eligible child when care ended"
        )
        home = _at_home(care, today)
        if home is not None:
            return _suggest(
                EligibilityCategory.QUALIFYING,
                left,
                f"Aged 16 or 17, no longer looked after, {how}, but has lived with a parent "
                f"for 6 continuous months (recorded {plain_date(home.on)}), so is not a "
                "relevant child (Care Leavers (England) Regulations 2010 reg 3(3)); relevant "
                "again if that breaks down (reg 3(4)).",
            )
        return _suggest(
            EligibilityCategory.RELEVANT, left, f"Aged 16 or 17, no longer looked after, {how}."
        )
    if _looked_after_at_16(care, today):
        return _suggest(
            EligibilityCategory.QUALIFYING,
            left,
            f"Looked after on or after the 16th birthday ({sixteenth}) but fewer than "
            f"{ELIGIBLE_WEEKS} weeks since 14, so not eligible.",
        )
    return _sgo_or_nothing(care, left, f"Care ended before the 16th birthday ({sixteenth}).")


def _sgo_or_nothing(care: CareHistory, *reasons: str) -> EligibilitySuggestion:
    if care.sgo_after_looked_after:
        return _suggest(
            EligibilityCategory.QUALIFYING,
            *reasons,
            "On a special guardianship order made after being looked after.",
        )
    return _suggest(EligibilityCategory.NO_CURRENT, *reasons)


def _adult(care: CareHistory, age: int, weeks: int | None, today: date) -> EligibilitySuggestion:
    """Ages 18 to 24."""
    b18 = birthday(care.date_of_birth, ADULT_AGE)
    eighteenth = plain_date(b18)
    left = _left_care_sentence(care, today)
    home = _at_home(care, b18 - timedelta(days=1))
    if (
        _was_eligible(care, weeks, today)
        and home is not None
        and not _still_looked_after(care, b18)
    ):
        return _suggest(
            EligibilityCategory.QUALIFYING
            if age < PA_OFFER_AGE
            else EligibilityCategory.NO_CURRENT,
            left,
            f"Was living with a parent for 6 continuous months (recorded {plain_date(home.on)}) "
            f"when they turned 18 ({eighteenth}), so was not a relevant child then (Care "
            "Leavers (England) Regulations 2010 reg 3(3)) and is not former relevant "
            "(Children Act 1989 s23C(1)).",
        )
    if _was_eligible(care, weeks, today):
        return _suggest(
            EligibilityCategory.FORMER_RELEVANT,
            left,
            f"Was an eligible or relevant child when they turned 18 ({eighteenth}).",
        )
    qualifies = _looked_after_at_16(care, today) or care.sgo_after_looked_after
    why = (
        f"Looked after on or after the 16th birthday but fewer than {ELIGIBLE_WEEKS} weeks "
        "since 14, so not eligible or relevant."
        if _looked_after_at_16(care, today)
        else "Care ended before the 16th birthday."
    )
    if age < PA_OFFER_AGE:
        if _looked_after_at_16(care, today):
            return _suggest(EligibilityCategory.QUALIFYING, left, why)
        return _sgo_or_nothing(care, left, why)
    if qualifies:
        return _suggest(
            EligibilityCategory.NO_CURRENT,
            left,
            why,
            "Aged 21 or over: a qualifying care leaver can still get help with education or "
            "training until 25. If they are getting that help, confirm them as qualifying.",
        )
    return _suggest(EligibilityCategory.NO_CURRENT, left, why)


def _suggest(category: EligibilityCategory, *reasons: str) -> EligibilitySuggestion:
    return EligibilitySuggestion(category, tuple(reasons))


def suggest_eligibility(care: CareHistory, today: date) -> EligibilitySuggestion:
    """The care-leaver category the care history suggests today (Children Act 1989 s23A,
    s23C(1), s24).

    - eligible: 16 or 17, still looked after, 13+ weeks looked after since 14;
    - relevant: 16 or 17, no longer looked after, was eligible (or was detained or in
      hospital on the 16th birthday after 13+ weeks);
    - former relevant: 18 to 24, was eligible or relevant when care ended;
    - qualifying: under 21, looked after on or after the 16th birthday but not eligible, or
      on a special guardianship order made after being looked after;
    - otherwise, and always from the 25th birthday: no current eligibility.

    Raises ``ValueError`` if ``today`` is before the date of birth.
    """
    dob = care.date_of_birth
    age = age_on(dob, today)
    if age >= DUTIES_END_AGE:
        return _suggest(
            EligibilityCategory.NO_CURRENT,
            f"Aged {age}: leaving-care duties ended on the 25th birthday "
            f"({plain_date(birthday(dob, DUTIES_END_AGE))}).",
        )
    if age < SIXTEEN:
        return _suggest(
            EligibilityCategory.NO_CURRENT,
            f"Under 16: not yet a care leaver. Eligibility starts at 16 "
            f"({plain_date(birthday(dob, SIXTEEN))}) for a child looked after "
            f"{ELIGIBLE_WEEKS} weeks since 14.",
        )
    weeks, weeks_reason = _weeks(care, today)
    found = _under_18(care, today, weeks) if age < ADULT_AGE else _adult(care, age, weeks, today)
    return EligibilitySuggestion(found.category, (*found.reasons, weeks_reason))


# --- The category in force on a day -----------------------------------------------------

#: How many duties each category owes, for "the safer of the two": relevant and former
#: relevant children are owed the most (keeping in touch, PA, plan, accommodation), then
#: eligible children (looked after, with PA, assessment and plan), then qualifying care
#: leavers (advice and assistance), then none.
_DUTY_RANK = {
    EligibilityCategory.NO_CURRENT: 0,
    EligibilityCategory.QUALIFYING: 1,
    EligibilityCategory.ELIGIBLE: 2,
    EligibilityCategory.RELEVANT: 3,
    EligibilityCategory.FORMER_RELEVANT: 3,
}


@dataclass(frozen=True)
class CategoryView:
    """The care-leaver category on a day, with where it came from.

    ``derived``: what the facts say (``None`` when no care history is recorded);
    ``reasons``: why. ``confirmed``: the worker's last confirmation, aged to the day (an
    eligible or relevant child confirmed before 18 is former relevant from the 18th
    birthday, s23C(1); nobody is a care leaver from the 25th birthday); ``confirmed_on``:
    the day of that confirmation (``None`` for the category recorded when the case
    opened). ``effective``: what the clocks follow, the safer of the two while they
    disagree. ``disagrees``: the facts and the confirmation differ and a worker must
    confirm again. A worker's override of the facts (a decision with a reason) stands
    until the facts change again.
    """

    derived: EligibilityCategory | None
    confirmed: EligibilityCategory
    confirmed_on: date | None
    effective: EligibilityCategory
    reasons: tuple[str, ...]
    disagrees: bool = False


def _aged(
    confirmed: EligibilityCategory, care: CareHistory | None, dob: date, today: date
) -> EligibilityCategory:
    age = age_on(dob, today)
    if age >= DUTIES_END_AGE:
        return EligibilityCategory.NO_CURRENT
    adult = confirmed in (EligibilityCategory.ELIGIBLE, EligibilityCategory.RELEVANT)
    if age >= ADULT_AGE and adult:
        return EligibilityCategory.FORMER_RELEVANT
    if (
        confirmed is EligibilityCategory.ELIGIBLE
        and care is not None
        and care.recorded
        and not _still_looked_after(care, today)
    ):
        return EligibilityCategory.RELEVANT  # left care while eligible: s23A(2)
    return confirmed


def aged_category(confirmed: EligibilityCategory, dob: date, today: date) -> EligibilityCategory:
    """A confirmed category aged to ``today`` when no care history is at hand: eligible or
    relevant is former relevant from 18 (s23C(1)); nothing from 25."""
    return _aged(confirmed, None, dob, today)


def _override_stands(
    derived: EligibilityCategory,
    aged: EligibilityCategory,
    suggested_then: EligibilityCategory | None,
    confirmed_on: date | None,
    care: CareHistory,
    today: date,
) -> bool:
    """A dated decision that differed from what the facts said then stands while the facts
    still say the same thing (aged to ``today``)."""
    if derived is aged or suggested_then is None or confirmed_on is None:
        return False
    return derived is _aged(suggested_then, care, care.date_of_birth, today)


def category_on(
    date_of_birth: date,
    confirmed: EligibilityCategory,
    today: date,
    *,
    care: CareHistory | None = None,
    confirmed_on: date | None = None,
    suggested_then: EligibilityCategory | None = None,
) -> CategoryView:
    """The care-leaver category in force on ``today`` (the one function every list, clock,
    report and check uses).

    Categories arise by law from the facts (Children Act 1989 s23A, s23C(1), s24; Care
    Leavers (England) Regulations 2010 regs 3 and 4; CPPCR 2010 reg 40): the derived
    category comes from :func:`suggest_eligibility` over the care history as it stood on
    ``today``. The worker's confirmation is aged to ``today``. While the two differ the
    clocks follow the one owing more duties, so a disagreement can never switch a duty
    off before a worker has looked at it. ``suggested_then`` is what the facts said when
    the worker decided: if the facts still say the same (aged to ``today``), the worker's
    decision, an override with its reason, stands.
    """
    care = None if care is None else care.as_of(today)
    aged = _aged(confirmed, care, date_of_birth, today)
    if care is None or not care.recorded:
        reason = (
            "No care history is recorded, so the category cannot be worked out from the "
            f"facts: the confirmed category ({aged.label}) applies."
        )
        return CategoryView(None, aged, confirmed_on, aged, (reason,))
    found = suggest_eligibility(care, today)
    derived = found.category
    reasons = found.reasons
    if _override_stands(derived, aged, suggested_then, confirmed_on, care, today):
        reasons = (
            *reasons,
            f"A worker decided {aged.label.lower()} on {plain_date(confirmed_on or today)} "
            "knowing the facts said otherwise, with a reason; that decision stands until the "
            "facts change.",
        )
        return CategoryView(derived, aged, confirmed_on, aged, reasons, False)
    effective = derived
    if _DUTY_RANK[aged] > _DUTY_RANK[derived]:
        effective = aged
    if derived is not aged:
        when = "when the case opened" if confirmed_on is None else f"on {plain_date(confirmed_on)}"
        reasons = (
            *reasons,
            f"The facts say {derived.label.lower()}, but {aged.label.lower()} was confirmed "
            f"{when}: a worker must confirm the category. Until then the clocks follow "
            f"{effective.label.lower()}, the category that owes more duties.",
        )
    return CategoryView(derived, aged, confirmed_on, effective, reasons, derived is not aged)


def category_change_days(date_of_birth: date, care: CareHistory | None, today: date) -> list[date]:
    """The days on or before ``today`` on which the derived category can change: the 16th,
    18th, 21st and 25th birthdays, the start and end of each care period, and each return
    home recorded or ended (used to date a disagreement)."""
    days = {birthday(date_of_birth, age) for age in (SIXTEEN, ADULT_AGE, PA_OFFER_AGE)}
    days.add(birthday(date_of_birth, DUTIES_END_AGE))
    if care is not None:
        for p in care.care_periods:
            days.add(p.start)
            if p.end is not None:
                days.add(p.end + timedelta(days=1))
        if care.ceased_care is not None:
            days.add(care.ceased_care + timedelta(days=1))
        for h in care.returned_home:
            days.add(h.on)
            if h.ended is not None:
                days.add(h.ended)
    return sorted(d for d in days if d <= today)


# --- Transitions by age ----------------------------------------------------------------


class Milestone(enum.StrEnum):
    """Birthdays at which a young person's leaving-care position changes."""

    NEEDS_ASSESSMENT_CLOCK = "needs_assessment_clock"
    FORMER_RELEVANT = "former_relevant"
    PA_TO_25_ON_REQUEST = "pa_to_25_on_request"
    DUTIES_END = "duties_end"


@dataclass(frozen=True)
class Transition:
    """A dated milestone. ``passed`` is true from the birthday itself onwards."""

    milestone: Milestone
    age: int
    on: date
    title: str
    detail: str
    passed: bool


_TRANSITIONS: tuple[tuple[Milestone, int, str, str], ...] = (
    (
        Milestone.NEEDS_ASSESSMENT_CLOCK,
        SIXTEEN,
        "16th birthday: needs assessment clock starts",
        "For an eligible child the needs assessment is due within 3 months of the 16th "
        "birthday (or of becoming eligible later).",
    ),
    (
        Milestone.FORMER_RELEVANT,
        ADULT_AGE,
        "18th birthday: relevant becomes former relevant",
        "Care ends. An eligible or relevant child becomes a former relevant care leaver.",
    ),
    (
        Milestone.PA_TO_25_ON_REQUEST,
        PA_OFFER_AGE,
        "21st birthday: Staying Put ends; PA offered to 25 on request",
        "Staying Put support ends. A former relevant care leaver is offered a personal "
        "adviser until 25 if they want one.",
    ),
    (
        Milestone.DUTIES_END,
        DUTIES_END_AGE,
        "25th birthday: leaving-care duties end",
        "The council's leaving-care duties end.",
    ),
)


def age_transitions(dob: date, today: date) -> list[Transition]:
    """The 16th, 18th, 21st and 25th birthdays as dated milestones, in date order."""
    return [
        Transition(milestone, age, on, title, detail, passed=today >= on)
        for milestone, age, title, detail in _TRANSITIONS
        for on in (birthday(dob, age),)
    ]
