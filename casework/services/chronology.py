"""A young person's chronology: every event on the record in date order, filterable by
kind, and as a self-contained HTML document for printing or saving as PDF."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today
from casework.db.database import Database
from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    CircumstanceChange,
    Contact,
    EligibilityDecision,
    FollowUpAction,
    NeedsAssessment,
    PathwayPlan,
    PlanReview,
    StatusEvent,
    SupportEvent,
    User,
    YoungPerson,
)
from casework.domain.codes import AccommodationType, Activity, EligibilityCategory
from casework.domain.leaving_care import CircumstanceChange as Change
from casework.domain.leaving_care import ContactMethod, ExplicitStatus
from casework.errors import NotFound
from casework.services import audit
from casework.services.chronology_closure import closure_events
from casework.services.chronology_events import Event, EventKind
from casework.services.chronology_front_door import FRONT_DOOR_SOURCES
from casework.services.common import require
from casework.services.pathway import SupportKind
from casework.services.people import check_on_person, relation_of
from casework.services.permissions import Action, Actor


def _d(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _contacts(session: Session, pid: int, names: dict[int, str]) -> Iterator[Event]:
    stmt = select(Contact).where(Contact.young_person_id == pid, Contact.status == "final")
    for c in session.scalars(stmt):
        method = ContactMethod.parse(c.method).label if c.method else "Contact"
        outcome = "successful" if c.successful else "attempted, not reached"
        seen = " · seen alone" if c.seen_alone else (" · seen" if c.seen else "")
        detail = c.discussed + (f"\nTheir words: {c.views}" if c.views else "")
        yield Event(
            _d(c.occurred_at),
            c.occurred_at,
            EventKind.CONTACT,
            f"{method} ({outcome}{seen})",
            detail,
            names.get(c.author_id),
        )
        for a in c.addenda:
            yield Event(
                _d(a.created_at),
                a.created_at,
                EventKind.CONTACT,
                f"Addendum to the contact of {c.occurred_at:%d/%m/%Y}",
                a.text,
                names.get(a.author_id),
            )


def _homes(session: Session, pid: int, names: dict[int, str]) -> Iterator[Event]:
    for a in session.scalars(
        select(AccommodationPeriod).where(AccommodationPeriod.young_person_id == pid)
    ):
        kind = AccommodationType.parse(a.letter)
        suitable = "suitable" if a.suitable else f"unsuitable: {a.unsuitable_reason}"
        yield Event(
            a.started_on,
            None,
            EventKind.ACCOMMODATION,
            f"Moved to {kind.label}",
            f"{a.provider or 'Provider not recorded'} ({suitable})",
        )
        if a.ended_on:
            yield Event(
                a.ended_on, None, EventKind.ACCOMMODATION, f"Last night in {kind.label}", ""
            )
        if a.team_lead_reviewed_on:
            yield Event(
                a.team_lead_reviewed_on,
                None,
                EventKind.ACCOMMODATION,
                f"Team lead reviewed {kind.label}",
                a.review_note,
                names.get(a.team_lead_reviewed_by or 0),
            )
    for p in session.scalars(select(ActivityPeriod).where(ActivityPeriod.young_person_id == pid)):
        yield Event(p.started_on, None, EventKind.ACTIVITY, Activity.parse(p.code).label, p.detail)


def _plans(session: Session, pid: int, names: dict[int, str]) -> Iterator[Event]:
    for plan in session.scalars(select(PathwayPlan).where(PathwayPlan.young_person_id == pid)):
        yield Event(
            plan.started_on,
            None,
            EventKind.PLAN,
            "Pathway plan started",
            plan.participation,
            names.get(plan.created_by),
        )
    for r in session.scalars(
        select(PlanReview)
        .join(PathwayPlan, PathwayPlan.id == PlanReview.plan_id)
        .where(PathwayPlan.young_person_id == pid)
    ):
        took_part = "took part" if r.young_person_participated else "did not take part"
        yield Event(
            r.reviewed_on,
            None,
            EventKind.PLAN,
            f"Pathway plan reviewed ({took_part})",
            r.notes,
            names.get(r.reviewed_by),
        )
    for n in session.scalars(select(NeedsAssessment).where(NeedsAssessment.young_person_id == pid)):
        if n.completed_on:
            yield Event(
                n.completed_on, None, EventKind.PLAN, "Needs assessment completed", n.summary
            )


def _statuses(session: Session, pid: int, names: dict[int, str]) -> Iterator[Event]:
    for s in session.scalars(select(StatusEvent).where(StatusEvent.young_person_id == pid)):
        yield Event(
            s.effective_on,
            None,
            EventKind.STATUS,
            ExplicitStatus.parse(s.status).label,
            s.note,
            names.get(s.recorded_by),
        )
        if s.ended_on:
            yield Event(
                s.ended_on,
                None,
                EventKind.STATUS,
                f"No longer: {ExplicitStatus.parse(s.status).label.lower()}",
                "",
            )
    for c in session.scalars(
        select(CircumstanceChange).where(CircumstanceChange.young_person_id == pid)
    ):
        yield Event(
            c.occurred_on,
            None,
            EventKind.STATUS,
            f"Change of circumstances: {Change.parse(c.kind).label.lower()}",
            "",
            names.get(c.recorded_by),
        )


def _others(session: Session, pid: int, names: dict[int, str]) -> Iterator[Event]:
    for e in session.scalars(
        select(EligibilityDecision).where(EligibilityDecision.young_person_id == pid)
    ):
        cat = EligibilityCategory.parse(e.decided).label
        verb = "confirmed" if e.decided == e.suggested else "set (overriding the suggestion)"
        yield Event(
            _d(e.decided_at),
            e.decided_at,
            EventKind.ELIGIBILITY,
            f"Eligibility {verb}: {cat}",
            e.reason,
            names.get(e.decided_by),
        )
    for f in session.scalars(select(FollowUpAction).where(FollowUpAction.young_person_id == pid)):
        yield Event(
            _d(f.created_at),
            f.created_at,
            EventKind.FOLLOW_UP,
            f"Follow-up set, due {f.due_on:%d/%m/%Y}",
            f.description,
            names.get(f.owner_id or 0),
        )
        if f.done_on:
            yield Event(f.done_on, None, EventKind.FOLLOW_UP, "Follow-up done", f.description)
    for s in session.scalars(select(SupportEvent).where(SupportEvent.young_person_id == pid)):
        yield Event(
            s.occurred_on,
            None,
            EventKind.SUPPORT,
            SupportKind(s.kind).label,
            s.note,
            names.get(s.recorded_by),
        )


def chronology(
    db: Database,
    actor: Actor,
    person_id: int,
    *,
    now: datetime,
    kinds: Iterable[EventKind] | None = None,
) -> list[Event]:
    """Every event, newest first; ``kinds`` filters."""
    require(
        db,
        actor,
        Action.VIEW_RECORD,
        relation_of(db, actor, person_id),
        now=now,
        record_type="young_person",
        record_id=person_id,
    )
    wanted = set(kinds) if kinds is not None else set(EventKind)
    with db.reading() as session:
        events = [event for event in events_in(session, person_id) if event.kind in wanted]
    return sorted_events(events)


def events_in(session: Session, person_id: int) -> list[Event]:
    """Every event on one record, unsorted, read in ``session`` (no permission check:
    callers check first)."""
    names = {uid: n for uid, n in session.execute(select(User.id, User.display_name))}
    return [
        event
        for source in (
            _contacts,
            _homes,
            _plans,
            _statuses,
            _others,
            *FRONT_DOOR_SOURCES,
            closure_events,
        )
        for event in source(session, person_id, names)
    ]


def sorted_events(events: Iterable[Event]) -> list[Event]:
    """Newest first. Untimed events (a date only) sort before timed ones on the same day;
    timestamps compare aware and naive times alike."""
    return sorted(
        events,
        key=lambda e: (e.on, e.at is not None, e.at.timestamp() if e.at else 0.0),
        reverse=True,
    )


def chronology_html(
    db: Database,
    actor: Actor,
    person_id: int,
    *,
    now: datetime,
    kinds: Iterable[EventKind] | None = None,
) -> str:
    """The chronology as a printable HTML document (the UI saves it as PDF). Exporting a
    record is audited like opening it."""
    events = chronology(db, actor, person_id, now=now, kinds=kinds)
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.VIEW_RECORD, now)
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        audit.record(
            session,
            actor,
            "export_chronology",
            now=now,
            record_type="young_person",
            record_id=person_id,
        )
        title = f"{person.first_name} {person.last_name} ({person.child_uid})"
    esc = html.escape
    rows = "".join(
        f"<tr><td>{e.on:%d/%m/%Y}{' ' + format(e.at, '%H:%M') if e.at else ''}</td>"
        f"<td>{esc(e.kind.label)}</td><td><b>{esc(e.title)}</b>"
        f"{'<br>' + esc(e.detail).replace(chr(10), '<br>') if e.detail else ''}</td>"
        f"<td>{esc(e.by or '')}</td></tr>"
        for e in events
    )
    return (
        "<html><head><meta charset='utf-8'><style>"
        "body{font-family:sans-serif;font-size:9pt} table{border-collapse:collapse;width:100%}"
        "td,th{border-bottom:1px solid #999;padding:3px;vertical-align:top;text-align:left}"
        "</style></head><body>"
        f"<h2>Chronology: {esc(title)}</h2>"
        f"<p>Printed {local_today(now):%d/%m/%Y} from Casework. OFFICIAL-SENSITIVE: personal "
        f"data. {len(events)} events, newest first.</p>"
        "<table><tr><th width='13%'>Date</th><th width='21%'>Kind</th>"
        "<th width='51%'>What happened</th><th width='15%'>Recorded by</th></tr>"
        f"{rows}</table></body></html>"
    )
