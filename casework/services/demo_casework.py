"""Synthetic care-leaver histories for the demo: a year or more of contacts with gaps,
moves (some homeless, some unsuitable, some awaiting a team lead's review), activity,
pathway plans and reviews (some overdue), needs assessments, statuses, support milestones
and follow-ups. Inserted in bulk; the same seed gives the same histories."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from casework.clock import to_naive_utc
from casework.db import sequences
from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    CareHistory,
    CarePeriod,
    CircumstanceChange,
    Contact,
    ContactAddendum,
    EssentialItem,
    FollowUpAction,
    NeedsAssessment,
    PathwayPlan,
    PlanArea,
    PlanReview,
    StatusEvent,
    SupportEvent,
)
from casework.domain import accommodation as accommodation_rules
from casework.domain.calendar import add_months, age_on, birthday
from casework.domain.codes import EligibilityCategory
from casework.domain.leaving_care import ContactMadeBy, ContactMethod
from casework.domain.leaving_care import EssentialItem as Item
from casework.domain.leaving_care import PlanArea as Area

_ACCOM_ADULT = (
    ("U", 26),
    ("D", 22),
    ("B", 9),
    ("E", 7),
    ("K", 5),
    ("T", 4),
    ("Z", 8),
    ("W", 3),
    ("V", 3),
    ("S", 3),
    ("R", 2),
    ("X", 2),
    ("Y", 2),
    ("G", 1),
)
# Under 18: no foyer (SSDA903 rule 347) and no Staying Put (s23CZA; rule 3001).
_ACCOM_CHILD = (
    ("C", 25),
    ("D", 35),
    ("E", 20),
    ("B", 10),
    ("V", 4),
    ("W", 2),
    ("S", 2),
    ("R", 2),
)
_COUNCIL_PROVIDED = frozenset("CDETVWZ")
_UNSUITABLE_REASONS = (
    "Shared bathroom with adults not known to the service; young person reports feeling unsafe.",
    "Rent arrears and a notice to quit; not affordable on current benefits.",
    "Far from college and family; isolation is affecting mental health.",
    "Overcrowded; sleeping on a sofa.",
)
_ACTIVITY_ADULT = (
    ("F1", 8),
    ("P1", 2),
    ("F2", 14),
    ("P2", 4),
    ("F4", 6),
    ("F5", 18),
    ("P5", 10),
    ("G4", 9),
    ("G5", 22),
    ("G6", 7),
)
_ACTIVITY_CHILD = (("F2", 70), ("P2", 6), ("F4", 8), ("G5", 12), ("G4", 4))
_DISCUSSED = (
    "Talked through the tenancy agreement and the first month's budget.",
    "College attendance, travel costs and applying for the bursary.",
    "Universal Credit claim: went through the journal together.",
    "Health: registered with the local GP, dentist appointment booked.",
    "Contact with siblings; wants to arrange a visit next month.",
    "Job search: updated CV and two applications sent.",
)
_VIEWS = (
    '"I like the flat but I get lonely at night."',
    "Says college is going well and wants to stay on next year.",
    "\"I don't want to move again, I've only just settled.\"",
    "Wants more help with money; worried about bills.",
    "Happy with support; asked to meet at the library next time.",
)
_ATTEMPT_NOTES = {
    "phone": "Rang twice, no answer; left a voicemail.",
    "video": "Video call set up; they did not join.",
    "message": "Text sent, no reply.",
    "email": "Email sent, no reply.",
    "letter": "Letter sent asking them to get in touch.",
}
_F2F_ATTEMPT = "Called at the flat, no one home; card left."


def _attempt_note(method: ContactMethod) -> str:
    return _F2F_ATTEMPT if method.face_to_face else _ATTEMPT_NOTES[method.value]


@dataclass
class _Rows:
    """Rows to insert, table by table (bulk Core inserts keep a large demo quick)."""

    tables: dict[Any, list[dict[str, Any]]]

    def add(self, model: Any, **values: Any) -> None:
        self.tables.setdefault(model, []).append(values)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in weighted], weights=[w for _, w in weighted])[0]


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))))


@dataclass(frozen=True)
class Person:
    id: int
    dob: date
    eligibility: str
    pa_id: int | None
    sw_id: int | None
    ceased: date | None


def _contacts(
    rows: _Rows, rng: random.Random, p: Person, today: date, per_year: float, author: int
) -> None:
    months = rng.randint(12, 20)
    start = add_months(today, -months)
    lost_touch = rng.random() < 0.12  # a gap at the end: not in touch now
    end = today - timedelta(days=rng.randint(70, 200)) if lost_touch else today
    day = start + timedelta(days=rng.randint(0, 20))
    gap = 365 / max(per_year, 1)
    while day <= end:
        successful = rng.random() < 0.8
        method = rng.choice(list(ContactMethod))
        if method.face_to_face and rng.random() < 0.6:
            method = ContactMethod.FACE_TO_FACE_ACCOMMODATION  # most visits are at home
        seen = successful and method.face_to_face
        occurred = _moment(day, rng)
        written = occurred + timedelta(hours=2)
        rows.add(
            Contact,
            young_person_id=p.id,
            occurred_at=occurred,
            method=method.value,
            successful=successful,
            made_by=(
                ContactMadeBy.PERSONAL_ADVISER
                if rng.random() < 0.85
                else ContactMadeBy.SOCIAL_WORKER
            ).value,
            location="",
            seen=seen,
            seen_alone=seen and rng.random() < 0.7,
            views=rng.choice(_VIEWS) if seen else "",
            discussed=rng.choice(_DISCUSSED) if successful else _attempt_note(method),
            status="final",
            author_id=author,
            created_at=written,
            updated_at=written,
            finalised_at=written,
        )
        day += timedelta(days=max(3, int(rng.gauss(gap, gap / 3))))
    if lost_touch:
        for n in range(rng.randint(1, 4)):  # recent failed attempts to re-establish contact
            when = end + timedelta(days=20 * (n + 1))
            if when <= today:
                rows.add(
                    Contact,
                    young_person_id=p.id,
                    occurred_at=(occurred := _moment(when, rng)),
                    method=ContactMethod.PHONE.value,
                    successful=False,
                    made_by=ContactMadeBy.PERSONAL_ADVISER.value,
                    location="",
                    seen=False,
                    seen_alone=False,
                    views="",
                    discussed=_ATTEMPT_NOTES["phone"],
                    status="final",
                    author_id=author,
                    created_at=occurred + timedelta(hours=1),
                    updated_at=occurred + timedelta(hours=1),
                    finalised_at=occurred + timedelta(hours=1),
                )


_SUITABLE_REASONS = {
    "W": "Single room near college for two weeks while a supported flat is prepared; the "
    "young person chose it over a hostel.",
    "V": "Emergency placement after a fire at the flat; safe and staffed while repairs are done.",
}


def _home(
    rng: random.Random, p: Person, start: date, weights: tuple[tuple[str, int], ...]
) -> tuple[str, bool, bool | None]:
    """A letter, its suitability and (for supported accommodation under 18) whether it is
    registered, following the suitability rules in ``casework.domain.accommodation``."""
    under_18 = age_on(p.dob, start) < accommodation_rules.ADULT_AGE
    letter = _pick(rng, _ACCOM_CHILD if under_18 else weights)
    if letter == "Z" and age_on(p.dob, start) >= 21:
        letter = "U"
    suitable = letter not in "SXR" and rng.random() > 0.1
    if letter == "W" and under_18:
        suitable = False  # never suitable under 18 (statutory guidance, 2018)
    registered = None
    if accommodation_rules.needs_registration(letter, p.dob, start):
        registered = rng.random() > 0.05
        suitable = suitable and registered
    return letter, suitable, registered


def _accommodation(rows: _Rows, rng: random.Random, p: Person, today: date, lead_id: int) -> None:
    """Periods end on the last night (the next one starts the following day)."""
    age = age_on(p.dob, today)
    weights = _ACCOM_CHILD if age < 18 else _ACCOM_ADULT
    moves = rng.choices((1, 2, 3, 4), weights=(40, 35, 18, 7))[0]
    starts = sorted({today - timedelta(days=rng.randint(5, 900)) for _ in range(moves)})
    starts = [s for s in starts if s >= p.dob] or [today - timedelta(days=5)]
    recorder = p.pa_id or p.sw_id
    _earlier_home(rows, p, starts[0], recorder)
    for n, start in enumerate(starts):
        letter, suitable, registered = _home(rng, p, start, weights)
        end = accommodation_rules.last_night_before(starts[n + 1]) if n + 1 < len(starts) else None
        # Most past stays were reviewed; the current one often still waits for its review.
        reviewed = letter in "WVRS" and rng.random() < (0.92 if end else 0.45)
        rows.add(
            AccommodationPeriod,
            young_person_id=p.id,
            letter=letter,
            started_on=start,
            ended_on=end,
            provider="" if letter in "SRG" else "Provider " + letter,
            suitable=suitable,
            unsuitable_reason="" if suitable else rng.choice(_UNSUITABLE_REASONS),
            suitable_reason=_SUITABLE_REASONS.get(letter, "") if suitable else "",
            registered=registered,
            council_provided=letter in _COUNCIL_PROVIDED and rng.random() < 0.8,
            recorded_by=recorder,
            team_lead_reviewed_on=start + timedelta(days=3) if reviewed else None,
            team_lead_reviewed_by=lead_id if reviewed else None,
            review_note="Reviewed with the PA; move-on plan agreed." if reviewed else "",
        )
        rows.add(
            CircumstanceChange,
            young_person_id=p.id,
            kind="new_accommodation",
            occurred_on=start,
            recorded_by=lead_id,
        )


def _history_begins(p: Person) -> date:
    """When the leaving-care record begins: the day they left care, or their 16th birthday
    while still looked after (Children Act 1989 s23A and s24: the duties start at 16)."""
    return max(p.ceased or birthday(p.dob, 16), birthday(p.dob, 16))


# Settled homes a care leaver had before the recent moves: suitable, and neither those a
# team lead must review (local practice) nor a foyer or Staying Put under 18 (SSDA903
# rules 347 and 3001; Children Act 1989 s23CZA).
_EARLIER_CHILD = ("D", "E", "B")
_EARLIER_ADULT = ("U", "D", "B", "E", "K", "Z")


def _earlier_home(rows: _Rows, p: Person, first_start: date, recorder: int | None) -> None:
    """The home they had from the start of the record to the first recent move, so the
    history covers every birthday the SSDA903 return asks about. Drawn from its own
    random stream, so every other demo fact stays as it was for a seed."""
    begins = _history_begins(p)
    if begins >= first_start:
        return
    rng = random.Random(f"earlier-home-{p.id}-{begins.isoformat()}")
    adult = age_on(p.dob, begins) >= accommodation_rules.ADULT_AGE
    letter = rng.choice(_EARLIER_ADULT if adult else _EARLIER_CHILD)
    if letter == "Z" and age_on(p.dob, begins) >= 21:
        letter = "U"
    rows.add(
        AccommodationPeriod,
        young_person_id=p.id,
        letter=letter,
        started_on=begins,
        ended_on=accommodation_rules.last_night_before(first_start),
        provider="Provider " + letter,
        suitable=True,
        unsuitable_reason="",
        suitable_reason="",
        registered=True if accommodation_rules.needs_registration(letter, p.dob, begins) else None,
        council_provided=False,
        recorded_by=recorder,
        team_lead_reviewed_on=None,
        team_lead_reviewed_by=None,
        review_note="",
    )


def _activity(rows: _Rows, rng: random.Random, p: Person, today: date) -> None:
    weights = _ACTIVITY_CHILD if age_on(p.dob, today) < 18 else _ACTIVITY_ADULT
    start = today - timedelta(days=rng.randint(30, 500))
    begins = _history_begins(p)
    if begins < start:  # what they did before, from its own stream (see _earlier_home)
        earlier = random.Random(f"earlier-activity-{p.id}-{begins.isoformat()}")
        rows.add(
            ActivityPeriod,
            young_person_id=p.id,
            code=_pick(earlier, _ACTIVITY_CHILD if age_on(p.dob, begins) < 18 else _ACTIVITY_ADULT),
            started_on=begins,
            ended_on=start - timedelta(days=1),
            detail="",
        )
    rows.add(
        ActivityPeriod,
        young_person_id=p.id,
        code=_pick(rng, weights),
        started_on=start,
        ended_on=None,
        detail="",
    )


def _plan(
    rows: _Rows, rng: random.Random, p: Person, today: date, author: int, plan_id: int
) -> int:
    if p.eligibility == EligibilityCategory.NO_CURRENT.value or rng.random() < 0.05:
        return plan_id
    start = today - timedelta(days=rng.randint(20, 700))
    rows.add(
        PathwayPlan,
        id=plan_id,
        young_person_id=p.id,
        started_on=start,
        participation="Young person attended and wrote their own goals.",
        ended_on=None,
        created_by=author,
        created_at=_moment(start, rng),
    )
    for area in Area:
        rows.add(
            PlanArea,
            plan_id=plan_id,
            area=area.value,
            needs="See assessment.",
            actions="PA to support.",
            owner="Personal adviser",
            target_on=start + timedelta(days=180),
        )
    review = start
    overdue_plan = rng.random() < 0.18
    while True:
        review = review + timedelta(days=rng.randint(150, 182))
        if review > today - (timedelta(days=60) if overdue_plan else timedelta(0)):
            break
        rows.add(
            PlanReview,
            plan_id=plan_id,
            reviewed_on=review,
            young_person_participated=rng.random() < 0.85,
            notes="Plan reviewed; actions updated.",
            reviewed_by=author,
        )
    return plan_id + 1


def _care(rows: _Rows, rng: random.Random, p: Person, today: date, author: int) -> tuple[date, int]:
    """Care periods that agree with the demo category (the facts the category is derived
    from): some children came into care twice; qualifying care leavers were looked after
    only a few weeks after 16; those with no current eligibility left care before 16."""
    sixteen = birthday(p.dob, 16)
    entered = sixteen - timedelta(days=rng.randint(200, 1400))
    end = p.ceased
    if p.eligibility == EligibilityCategory.QUALIFYING.value:
        end = p.ceased or today  # looked after a few weeks, ending after 16
        entered = max(sixteen, end - timedelta(days=rng.randint(14, 80)))
    elif p.eligibility == EligibilityCategory.NO_CURRENT.value:
        entered = sixteen - timedelta(days=rng.randint(400, 900))
        end = entered + timedelta(days=rng.randint(20, 80))
    moment = to_naive_utc(_moment(today, rng))
    if rng.random() < 0.15 and p.eligibility not in (
        EligibilityCategory.QUALIFYING.value,
        EligibilityCategory.NO_CURRENT.value,
    ):
        # An earlier spell in care, then home, before the period that led to leaving care.
        earlier = entered - timedelta(days=rng.randint(300, 500))
        rows.add(
            CarePeriod,
            young_person_id=p.id,
            started_on=earlier,
            ended_on=earlier + timedelta(days=rng.randint(30, 120)),
            legal_status="S20",
            recorded_by=author,
            recorded_at=moment,
        )
    rows.add(
        CarePeriod,
        young_person_id=p.id,
        started_on=entered,
        ended_on=end,
        legal_status=rng.choice(("S20", "C2: full care order", "C1: interim care order")),
        recorded_by=author,
        recorded_at=moment,
    )
    last = min(end or today, today, birthday(p.dob, 18))
    weeks = max(0, (last - max(entered, birthday(p.dob, 14))).days // 7)
    return entered, weeks


def _milestones(rows: _Rows, rng: random.Random, p: Person, today: date, author: int) -> None:
    age = age_on(p.dob, today)
    sixteen = birthday(p.dob, 16)
    entered, weeks = _care(rows, rng, p, today, author)
    rows.add(
        CareHistory,
        young_person_id=p.id,
        date_entered_care=entered,
        weeks_looked_after_since_14=None if rng.random() < 0.5 else weeks,
        legal_status="S20",
        detained_or_in_hospital_at_16=False,
        sgo_after_looked_after=False,
        staying_put_until=birthday(p.dob, 21) if rng.random() < 0.08 else None,
        staying_close=rng.random() < 0.05,
        updated_at=to_naive_utc(_moment(today, rng)),
    )
    if p.eligibility in (EligibilityCategory.ELIGIBLE.value, EligibilityCategory.RELEVANT.value):
        done = rng.random() < (0.6 if p.eligibility == EligibilityCategory.ELIGIBLE.value else 0.85)
        rows.add(
            NeedsAssessment,
            young_person_id=p.id,
            eligible_from=sixteen,
            started_on=min(today, sixteen + timedelta(days=20)),
            completed_on=min(today, sixteen + timedelta(days=rng.randint(40, 120)))
            if done
            else None,
            summary="Needs assessed with the young person." if done else "",
        )
    if age >= 21:
        offer = birthday(p.dob, 21) + timedelta(days=rng.randint(0, 40))
        if offer <= today and rng.random() < (0.97 if age >= 22 else 0.75):
            rows.add(
                SupportEvent,
                young_person_id=p.id,
                kind="pa_offer_21",
                occurred_on=offer,
                note="Offer made in writing.",
                recorded_by=author,
            )
        if rng.random() < 0.2:
            declined = max(offer, today - timedelta(days=rng.randint(30, 600)))
            rows.add(
                SupportEvent,
                young_person_id=p.id,
                kind="declined_support",
                occurred_on=min(declined, today),
                note="Declined further support.",
                recorded_by=author,
            )
    for item in Item:
        if rng.random() < 0.6:
            rows.add(
                EssentialItem,
                young_person_id=p.id,
                item=item.value,
                done_on=today - timedelta(days=rng.randint(10, 400)),
                note="",
            )


def _statuses_and_follow_ups(
    rows: _Rows, rng: random.Random, p: Person, today: date, author: int, now: datetime
) -> None:
    roll = rng.random()
    if roll < 0.02:
        rows.add(
            StatusEvent,
            young_person_id=p.id,
            status="REFU",
            effective_on=today - timedelta(days=rng.randint(10, 300)),
            ended_on=None,
            note="Told PA by phone they do not want contact.",
            recorded_by=author,
            recorded_at=to_naive_utc(now),
        )
    elif roll < 0.03 and age_on(p.dob, today) >= 18:
        rows.add(
            StatusEvent,
            young_person_id=p.id,
            status="NREQ",
            effective_on=today - timedelta(days=rng.randint(10, 300)),
            ended_on=None,
            note="Settled in work and own tenancy; no longer wants services.",
            recorded_by=author,
            recorded_at=to_naive_utc(now),
        )
    elif roll < 0.15 and p.eligibility == EligibilityCategory.RELEVANT.value:
        # Home with a parent for 6 months: no longer relevant (CLR 2010 reg 3(3)), so the
        # facts now disagree with the confirmed category and a worker must confirm it.
        rows.add(
            StatusEvent,
            young_person_id=p.id,
            status="RHOM",
            effective_on=today - timedelta(days=rng.randint(2, 40)),
            ended_on=None,
            note="Has lived with mum for six months; settled.",
            recorded_by=author,
            recorded_at=to_naive_utc(now),
        )
    for _ in range(rng.choices((0, 1, 2), weights=(55, 35, 10))[0]):
        due = today + timedelta(days=rng.randint(-40, 30))
        done = due < today and rng.random() < 0.6
        rows.add(
            FollowUpAction,
            young_person_id=p.id,
            contact_id=None,
            description=rng.choice(
                (
                    "Chase housing benefit claim.",
                    "Book GP appointment with them.",
                    "Send bursary form to college.",
                    "Ring the landlord about the repairs.",
                )
            ),
            owner_id=author,
            due_on=due,
            done_on=due if done else None,
            created_at=to_naive_utc(now),
        )


def populate_casework(
    session: Session,
    people: list[Person],
    *,
    seed: int,
    now: datetime,
    today: date,
    lead_for: dict[int, int],
    contacts_per_year: float = 10.0,
) -> dict[str, int]:
    """Add histories for ``people`` inside the caller's transaction; returns row counts."""
    rng = random.Random(seed * 7919 + 1)
    rows = _Rows({})
    plan_id = 1
    for p in people:
        author = p.pa_id or p.sw_id or lead_for[p.id]
        _contacts(rows, rng, p, today, rng.uniform(0.6, 1.4) * contacts_per_year, author)
        _accommodation(rows, rng, p, today, lead_for[p.id])
        _activity(rows, rng, p, today)
        plan_id = _plan(rows, rng, p, today, author, plan_id)
        _milestones(rows, rng, p, today, author)
        _statuses_and_follow_ups(rows, rng, p, today, author, now)
    for model in (
        CarePeriod,
        Contact,
        AccommodationPeriod,
        CircumstanceChange,
        ActivityPeriod,
        PathwayPlan,
        PlanArea,
        PlanReview,
        CareHistory,
        NeedsAssessment,
        SupportEvent,
        EssentialItem,
        StatusEvent,
        FollowUpAction,
    ):
        batch = rows.tables.get(model, [])
        for start in range(0, len(batch), 5000):
            session.execute(insert(model), batch[start : start + 5000])
    sequences.catch_up(session, rows.tables)  # the rows came with their ids
    _examples(session, people, rng, now)
    return {model.__tablename__: len(batch) for model, batch in rows.tables.items()}


def _examples(session: Session, people: list[Person], rng: random.Random, now: datetime) -> None:
    """A few finished contacts get an addendum, so every kind of record is on show."""
    from sqlalchemy import select

    ids = list(session.scalars(select(Contact.id).order_by(Contact.id).limit(2000)))
    for contact_id in rng.sample(ids, min(len(ids), max(1, len(people) // 20))):
        author = session.scalar(select(Contact.author_id).where(Contact.id == contact_id))
        session.add(
            ContactAddendum(
                contact_id=contact_id,
                author_id=author,
                text="Correction: the meeting was at the library, not the office.",
                created_at=to_naive_utc(now),
            )
        )
    session.flush()


def add_death_examples(session: Session, today: date, now: datetime) -> int:
    """One care leaver's death per team, a few days ago, so the 5-working-day notification to
    Ofsted and the Secretary of State (Working Together 2023, chapter 5) is on show: the
    young person under 25 whose name sorts last in each team (never a case with a closure
    under way)."""
    from sqlalchemy import select

    from casework.db.models import ClosureRequest, YoungPerson

    closing = set(session.scalars(select(ClosureRequest.young_person_id)))

    rng = random.Random(today.toordinal())
    chosen: dict[int, tuple[tuple[str, str], int, int]] = {}
    rows = session.execute(
        select(
            YoungPerson.id,
            YoungPerson.team_id,
            YoungPerson.last_name,
            YoungPerson.first_name,
            YoungPerson.date_of_birth,
            YoungPerson.personal_adviser_id,
            YoungPerson.closed_on,
        )
    )
    for pid, team, last, first, dob, pa, closed in rows:
        if closed is not None or pid in closing or age_on(dob, today) >= 25 or pa is None:
            continue
        key = (last.lower(), first.lower())
        if team not in chosen or key > chosen[team][0]:
            chosen[team] = (key, pid, pa)
    for _key, pid, pa in chosen.values():
        session.add(
            StatusEvent(
                young_person_id=pid,
                status="DIED",
                effective_on=today - timedelta(days=rng.randint(1, 6)),
                ended_on=None,
                note="Police informed the team.",
                recorded_by=pa,
                recorded_at=to_naive_utc(now),
            )
        )
    session.flush()
    return len(chosen)
