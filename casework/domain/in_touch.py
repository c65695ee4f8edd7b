"""Whether the council is in touch with a young person: derived, never typed.

Children Act 1989 s23B/s23C; SSDA903 ``IN_TOUCH`` (DfE SSDA903 guide) and Annex A
``LA in Touch`` (Ofsted ILACS Annex A, list 9).

How the status is derived (:func:`derive_in_touch`), looking only at facts dated on or
before ``today``:

1. Died: any DIED event wins, for good (SSDA903 rule 348, "once DIED always DIED"); it
   cannot be ended or superseded. A DIED entered in error is corrected on the record, not
   here.
2. Otherwise the latest explicit status event (ties on the same date: the higher ``id``, the
   one recorded later) is the current one; earlier events are superseded by it. It applies
   unless:
   - it has been ended (``ended`` on or before ``today``: the worker recorded that it no
     longer applies, e.g. they have left home), or
   - it is REFU or NREQ and a successful contact is dated strictly after it (they have
     re-engaged; a contact on the same day is taken to be the one in which they refused or
     said they no longer need services). RHOM is not superseded by contact: a young person
     living at home may still talk to their PA; only ``ended`` ends it.
3. Otherwise from contacts: in touch (YES) while ``today`` is within ``window_months`` of the
   latest successful contact (by the end of the same day ``window_months`` later, the
   domain "within N months" convention), else not in touch (NO). Any successful contact
   counts, by whoever made it; face to face is not needed.

One definition for every screen, list and return: "in touch" is :func:`derive_in_touch`, and
the "latest date of contact" (:func:`latest_date_of_contact`, Annex A ``Latest Date of
Contact``) is the date of the very contact that keeps them in touch, blank when they are
not. So ``LA in Touch`` and ``Latest Date of Contact`` can never rest on different contacts.
REFU and NREQ are recorded statuses: for a relevant or former relevant young person the
duty to keep in touch continues (Children Act 1989 s23B(1), s23B(11), s23C(2)); the due
engine keeps a step to keep in touch due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from casework.domain.calendar import add_months
from casework.domain.codes import InTouch
from casework.domain.leaving_care import (
    ContactMadeBy,
    ContactMethod,
    ExplicitStatus,
    day_of,
    plain_date,
)

__all__ = [
    "DEFAULT_WINDOW_MONTHS",
    "ContactFact",
    "InTouchState",
    "StatusEvent",
    "annex_a_la_in_touch",
    "derive_in_touch",
    "latest_date_of_contact",
    "reestablish_steps",
    "ssda903_in_touch",
]

#: The default in-touch window: the reg 8 visiting interval.
DEFAULT_WINDOW_MONTHS = 2
#: Failed attempts after which the steps suggest telling the team lead.
_ESCALATE_AFTER_ATTEMPTS = 3
_SUPERSEDED_BY_CONTACT = frozenset(
    {ExplicitStatus.REFUSES_CONTACT, ExplicitStatus.NO_LONGER_REQUIRES}
)


@dataclass(frozen=True)
class ContactFact:
    """One recorded contact or attempt. ``when`` may be a date or a date and time; only the
    date is used. ``method`` is optional (it lets the re-establish steps name the methods
    not yet tried)."""

    id: int | None
    when: date | datetime
    successful: bool
    face_to_face: bool = False
    seen: bool = False
    seen_alone: bool = False
    made_by: ContactMadeBy = ContactMadeBy.PERSONAL_ADVISER
    method: ContactMethod | None = None
    # The date of the contact, worked out once when it is made (lists read it many times).
    on: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "on", day_of(self.when))


@dataclass(frozen=True)
class StatusEvent:
    """An explicit in-touch status recorded on a date. ``ended``: the date the worker
    recorded that it no longer applies (never for DIED); ``None`` while it applies."""

    id: int | None
    status: ExplicitStatus
    on: date
    ended: date | None = None


@dataclass(frozen=True)
class InTouchState:
    """The derived in-touch status on a given day.

    ``since``: for YES, the first day of the current unbroken run of contact (or the day an
    explicit status ended, if later); for NO, the first day not in touch (``None`` if never
    in touch); for an explicit status, the day it was recorded (the first DIED event for
    DIED). ``window_ends``: the last day the latest successful contact keeps them in touch.
    ``attempts_since``: unsuccessful attempts dated after the latest successful contact (all
    attempts if there has been none). ``latest_pa_contact``: the latest successful contact
    made by the personal adviser.
    """

    code: InTouch
    since: date | None
    latest_successful: date | None
    attempts_since: int
    explanation: str
    window_ends: date | None = None
    latest_pa_contact: date | None = None


@dataclass(frozen=True)
class _Contacts:
    """Contact facts summarised for one day."""

    successes: tuple[date, ...]  # sorted, oldest first
    attempts_since: int
    latest_pa: date | None
    window_months: int

    @property
    def latest(self) -> date | None:
        return self.successes[-1] if self.successes else None

    @property
    def window_ends(self) -> date | None:
        latest = self.latest
        return None if latest is None else add_months(latest, self.window_months)


def _summarise(contacts: Sequence[ContactFact], today: date, window_months: int) -> _Contacts:
    past = [c for c in contacts if c.on <= today]
    successes = tuple(sorted(c.on for c in past if c.successful))
    latest = successes[-1] if successes else None
    attempts = sum(1 for c in past if not c.successful and (latest is None or c.on > latest))
    latest_pa = max(
        (c.on for c in past if c.successful and c.made_by is ContactMadeBy.PERSONAL_ADVISER),
        default=None,
    )
    return _Contacts(successes, attempts, latest_pa, window_months)


def _state(code: InTouch, since: date | None, facts: _Contacts, explanation: str) -> InTouchState:
    return InTouchState(
        code=code,
        since=since,
        latest_successful=facts.latest,
        attempts_since=facts.attempts_since,
        explanation=explanation,
        window_ends=facts.window_ends,
        latest_pa_contact=facts.latest_pa,
    )


def _applies(event: StatusEvent, facts: _Contacts, today: date) -> bool:
    if event.ended is not None and event.ended <= today:
        return False
    latest = facts.latest
    superseded = latest is not None and latest > event.on
    return not (event.status in _SUPERSEDED_BY_CONTACT and superseded)


def _run_start(successes: Sequence[date], after: date | None, window_months: int) -> date:
    """The first contact of the unbroken run ending at the latest one, each contact within
    the window of the one before, counting only contacts dated after ``after``."""
    start = successes[-1]
    for earlier in reversed(successes[:-1]):
        if (after is not None and earlier <= after) or add_months(earlier, window_months) < start:
            break
        start = earlier
    return start


def _attempts_sentence(facts: _Contacts) -> str:
    n = facts.attempts_since
    if n == 0:
        return "No attempts recorded since."
    return f"{n} attempt{'s' if n != 1 else ''} to make contact since."


def _from_contacts(facts: _Contacts, current: StatusEvent | None, today: date) -> InTouchState:
    """YES or NO from the contacts, after any explicit status stopped applying."""
    after = None if current is None else current.on
    ended = None if current is None else current.ended
    latest, window_ends = facts.latest, facts.window_ends
    months = f"{facts.window_months} month{'s' if facts.window_months != 1 else ''}"
    if latest is not None and window_ends is not None and today <= window_ends:
        since = _run_start(facts.successes, after, facts.window_months)
        since = max(since, ended) if ended is not None else since
        return _state(
            InTouch.YES,
            since,
            facts,
            f"In touch: last successful contact on {plain_date(latest)}, within {months} "
            f"(in touch until {plain_date(window_ends)}).",
        )
    if latest is None or window_ends is None:
        lapsed = ended
        what = "Not in touch: no successful contact recorded."
    else:
        lapsed = window_ends + timedelta(days=1)
        lapsed = max(lapsed, ended) if ended is not None else lapsed
        what = (
            f"Not in touch: last successful contact on {plain_date(latest)}, more than "
            f"{months} ago."
        )
    return _state(InTouch.NO, lapsed, facts, f"{what} {_attempts_sentence(facts)}")


def derive_in_touch(
    contacts: Sequence[ContactFact],
    statuses: Sequence[StatusEvent],
    today: date,
    window_months: int = DEFAULT_WINDOW_MONTHS,
) -> InTouchState:
    """The in-touch status on ``today`` (see the module docstring for the rules)."""
    if window_months < 1:
        raise ValueError(f"the in-touch window must be at least 1 month, not {window_months}")
    facts = _summarise(contacts, today, window_months)
    events = sorted(
        (e for e in statuses if e.on <= today), key=lambda e: (e.on, -1 if e.id is None else e.id)
    )
    died = [e for e in events if e.status is ExplicitStatus.DIED]
    if died:
        return _state(
            InTouch.DIED, died[0].on, facts, f"Recorded as died on {plain_date(died[0].on)}."
        )
    current = events[-1] if events else None
    if current is not None and _applies(current, facts, today):
        return _state(
            current.status.in_touch,
            current.on,
            facts,
            f"{current.status.label}: recorded on {plain_date(current.on)}.",
        )
    return _from_contacts(facts, current, today)


def annex_a_la_in_touch(state: InTouchState) -> str:
    """The Annex A ``LA in Touch`` cell, e.g. ``"a) Yes"``."""
    spelling = state.code.annex_a
    if spelling is None:  # every InTouch member has one; kept for the type checker
        raise ValueError(f"{state.code!r} has no Annex A spelling")
    return spelling


def ssda903_in_touch(state: InTouchState) -> str:
    """The SSDA903 ``IN_TOUCH`` value, e.g. ``"YES"``."""
    spelling = state.code.ssda903
    if spelling is None:  # every InTouch member has one; kept for the type checker
        raise ValueError(f"{state.code!r} has no SSDA903 spelling")
    return spelling


def latest_date_of_contact(state: InTouchState) -> date | None:
    """Annex A ``Latest Date of Contact``: the latest successful contact, the same one that
    makes them in touch, blank (``None``) unless in touch. (``latest_pa_contact`` says when
    the personal adviser last reached them, for the worker; it is not this column.)"""
    return state.latest_successful if state.code is InTouch.YES else None


def _methods_step(state: InTouchState, contacts: Sequence[ContactFact]) -> str:
    lost = state.latest_successful
    tried = {
        c.method
        for c in contacts
        if not c.successful and c.method is not None and (lost is None or c.on > lost)
    }
    untried = [m.label.lower() for m in ContactMethod if m not in tried]
    if not untried:
        return (
            "Every contact method has been tried: keep trying, at different times of day "
            "and on different days."
        )
    return f"Try every way you know of reaching them. Not tried yet: {', '.join(untried)}."


def reestablish_steps(state: InTouchState, contacts: Sequence[ContactFact]) -> list[str]:
    """What to do next when a young person is not in touch (the s23C duty to take reasonable
    steps to re-establish contact). Empty unless the status is NO: an explicit status (REFU,
    NREQ, RHOM, DIED) is a recorded decision, not lost touch."""
    if state.code is not InTouch.NO:
        return []
    steps = [
        _methods_step(state, contacts),
        "Ask their accommodation provider, landlord or hostel when they last saw them.",
        "Ask family, friends and former carers they keep in touch with.",
        "Ask other agencies that know them: housing, health, the Jobcentre, their college or "
        "employer, probation or youth justice.",
        "Record every attempt as a contact marked attempted, with who you asked and what they "
        "said.",
    ]
    if state.attempts_since >= _ESCALATE_AFTER_ATTEMPTS:
        steps.append(
            "Tell your team lead. If you are worried about their safety, agree whether to "
            "report them missing to the police."
        )
    return steps
