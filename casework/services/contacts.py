"""Keeping-in-touch contacts: drafts saved as the worker types, finalised read-only
contacts, dated addenda, follow-up actions, and recorded in-touch statuses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from casework.clock import local_today, to_naive_utc
from casework.db.database import Database
from casework.db.models import (
    Contact,
    ContactAddendum,
    FollowUpAction,
    StatusEvent,
    User,
    YoungPerson,
)
from casework.domain.codes import UnknownCode
from casework.domain.leaving_care import ContactMadeBy, ContactMethod, ExplicitStatus
from casework.errors import NotFound, ValidationFailed
from casework.services import audit, concurrency, contact_summary
from casework.services.common import Changed, add_audited
from casework.services.people import check_on_person
from casework.services.people import require_on_person as _check
from casework.services.permissions import Action, Actor

DRAFT = "draft"
FINAL = "final"
MAX_TEXT = 20_000
FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class ContactInput:
    """What the worker has typed so far. A draft may be incomplete; finalising checks it."""

    occurred_at: datetime  # aware, or naive UTC
    method: str = ""
    successful: bool | None = None  # None: the worker has not said yet (drafts only)
    made_by: str = ContactMadeBy.PERSONAL_ADVISER.value
    location: str = ""
    seen: bool = False
    seen_alone: bool = False
    views: str = ""
    discussed: str = ""


CONTACT_FIELDS = tuple(f.name for f in fields(ContactInput))


@dataclass(frozen=True)
class FollowUpInput:
    description: str
    due_on: date
    owner_id: int | None = None


@dataclass(frozen=True)
class AddendumView:
    id: int
    text: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class ContactView:
    id: int
    young_person_id: int
    details: ContactInput
    status: str
    author_id: int
    author: str
    updated_at: datetime
    finalised_at: datetime | None
    addenda: tuple[AddendumView, ...] = field(default=())
    draft_follow_ups: tuple[FollowUpInput, ...] = field(default=())
    version: int = 0

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT


@dataclass(frozen=True)
class FollowUpView:
    id: int
    young_person_id: int
    contact_id: int | None
    description: str
    due_on: date
    done_on: date | None
    owner: str | None


@dataclass(frozen=True)
class StatusView:
    id: int
    status: ExplicitStatus
    effective_on: date
    ended_on: date | None
    note: str
    recorded_by: str
    recorded_at: datetime


# --- validation -------------------------------------------------------------------------


def _code_problem(name: str, value: str, codes: Any) -> list[str]:
    try:
        codes.parse(value)
    except UnknownCode as exc:
        return [f"{name}: {exc}"]
    return []


def _text_problems(data: ContactInput) -> list[str]:
    problems = []
    for name in ("views", "discussed"):
        if len(getattr(data, name)) > MAX_TEXT:
            problems.append(f"{name}: the text is longer than {MAX_TEXT} characters")
    if len(data.location) > 200:
        problems.append("location: expected at most 200 characters")
    return problems


def draft_problems(data: ContactInput, now: datetime) -> list[str]:
    """What even a draft must respect: storable, no time in the future."""
    problems = _text_problems(data)
    if to_naive_utc(data.occurred_at) > to_naive_utc(now) + FUTURE_TOLERANCE:
        problems.append(
            "occurred_at: the contact's date and time is in the future: expected when it happened"
        )
    return problems


def final_problems(data: ContactInput, now: datetime) -> list[str]:
    """A finalised contact is a complete written record of what happened."""
    problems = draft_problems(data, now)
    problems += _code_problem("method", data.method, ContactMethod)
    problems += _code_problem("made_by", data.made_by, ContactMadeBy)
    if data.successful is None:
        problems.append(
            "successful: say whether the contact reached the young person "
            "(successful) or was only attempted"
        )
    if data.seen_alone and not data.seen:
        problems.append("seen_alone: a young person seen alone was seen: tick 'seen' too")
    if data.successful is False and (data.seen or data.seen_alone):
        problems.append(
            "seen: an attempted contact that did not reach the young person cannot "
            "have seen them: mark it successful or untick 'seen'"
        )
    if data.successful and not data.discussed.strip():
        problems.append("discussed: a successful contact needs a note of what was discussed")
    if data.seen and not data.views.strip():
        problems.append(
            "views: record the young person's own words (their views and wishes), "
            "or why they could not be recorded"
        )
    if data.successful is False and not data.discussed.strip():
        problems.append(
            "discussed: record what was tried (for example 'rang twice, no answer, left voicemail')"
        )
    return problems


def _follow_up_problems(items: list[FollowUpInput], today: date) -> list[str]:
    problems = []
    for n, item in enumerate(items, start=1):
        if not item.description.strip():
            problems.append(f"follow-up {n}: describe the action")
        if item.due_on < today:
            problems.append(f"follow-up {n}: due date {item.due_on:%d/%m/%Y} is in the past")
    return problems


# --- use cases --------------------------------------------------------------------------


def _apply(contact: Contact, data: ContactInput) -> list[str]:
    changed = []
    for name in CONTACT_FIELDS:
        value = getattr(data, name)
        if name == "occurred_at":
            value = to_naive_utc(value)
        elif isinstance(value, str):
            value = value.strip() if name in ("method", "made_by", "location") else value
        if getattr(contact, name, None) != value:
            setattr(contact, name, value)
            changed.append(name)
    return changed


def save_draft(
    db: Database,
    actor: Actor,
    person_id: int,
    data: ContactInput,
    *,
    contact_id: int | None = None,
    follow_ups: list[FollowUpInput] | None = None,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Create or update the worker's draft. Called as they type, so cheap and forgiving.
    Follow-up actions typed so far are kept with the draft (``follow_ups``; None leaves the
    saved ones as they are) and become real actions when the contact is finalised.
    ``expected_version``: the draft as the screen last saved or read it (the same draft
    open on two computers: the older one is refused, never overwrites the newer)."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = draft_problems(data, now)
        if problems:
            raise ValidationFailed(problems)
        moment = to_naive_utc(now)
        if contact_id is None:
            contact = Contact(
                young_person_id=person_id, status=DRAFT, author_id=actor.user_id, created_at=moment
            )
            session.add(contact)
            action = "create_draft"
        else:
            contact = _own_draft(session, actor, person_id, contact_id, expected_version)
            action = "save_draft"
        changed = _apply(contact, data)
        if follow_ups is not None:
            encoded = _encode_follow_ups(follow_ups)
            if encoded != (contact.draft_follow_ups or "[]"):
                contact.draft_follow_ups = encoded
                changed.append("draft_follow_ups")
        if contact_id is not None and not changed:
            return Changed("contact", (contact.id,), (), contact.version)
        contact.updated_at = moment
        session.flush()
        audit.record(
            session,
            actor,
            action,
            now=now,
            record_type="contact",
            record_id=contact.id,
            fields=changed,
        )
        return Changed("contact", (contact.id,), tuple(changed), contact.version)


def _own_draft(
    session: Session,
    actor: Actor,
    person_id: int,
    contact_id: int,
    expected_version: int | None = None,
) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.young_person_id != person_id:
        raise NotFound("That contact note no longer exists.")
    concurrency.expect(
        session, contact, expected_version, record_type="contact", what="contact note"
    )
    if contact.status != DRAFT:
        # Finalised or discarded (perhaps from another computer since this screen read
        # it): say who did it and when, and keep what they did.
        detail = (
            "It is finalised and can no longer be changed: add an addendum to correct it."
            if contact.status == FINAL
            else "It was discarded, so it can no longer be changed."
        )
        raise concurrency.conflict(
            session, contact, record_type="contact", what="contact note", detail=detail
        )
    if contact.author_id != actor.user_id:
        raise ValidationFailed(["Only the worker who started this draft can change it."])
    return contact


def finalise(
    db: Database,
    actor: Actor,
    person_id: int,
    contact_id: int,
    data: ContactInput,
    *,
    follow_ups: list[FollowUpInput] | None = None,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Save the last edits, check the contact is complete, and make it read-only."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        items = follow_ups or []
        problems = final_problems(data, now) + _follow_up_problems(items, local_today(now))
        if problems:
            raise ValidationFailed(problems)
        moment = to_naive_utc(now)
        contact = _own_draft(session, actor, person_id, contact_id, expected_version)
        changed = _apply(contact, data)
        contact.status = FINAL
        contact.draft_follow_ups = "[]"
        contact.finalised_at = moment
        contact.updated_at = moment
        for item in items:
            _add_follow_up(session, actor, person_id, contact.id, item, now)
        session.flush()
        contact_summary.refresh(session, [person_id])
        audit.record(
            session,
            actor,
            "finalise_contact",
            now=now,
            record_type="contact",
            record_id=contact.id,
            fields=[*changed, "status"],
        )
        return Changed("contact", (contact.id,), (*changed, "status"))


def discard_draft(
    db: Database,
    actor: Actor,
    person_id: int,
    contact_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """A draft is the author's to throw away; it is marked discarded, never deleted."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        contact = _own_draft(session, actor, person_id, contact_id, expected_version)
        contact.status = "discarded"
        contact.updated_at = to_naive_utc(now)
        audit.record(
            session,
            actor,
            "discard_draft",
            now=now,
            record_type="contact",
            record_id=contact.id,
            fields=["status"],
        )
        return Changed("contact", (contact.id,), ("status",))


def add_addendum(
    db: Database, actor: Actor, person_id: int, contact_id: int, text: str, *, now: datetime
) -> Changed:
    """A dated correction or addition to a finalised contact; the original stays as it was."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        if not text.strip():
            raise ValidationFailed(["addendum: write the correction or addition"])
        if len(text) > MAX_TEXT:
            raise ValidationFailed([f"addendum: the text is longer than {MAX_TEXT} characters"])
        contact = session.get(Contact, contact_id)
        if contact is None or contact.young_person_id != person_id:
            raise NotFound("That contact note no longer exists.")
        if contact.status != FINAL:
            raise ValidationFailed(["Only a finalised contact takes addenda: edit the draft."])
        addendum = ContactAddendum(
            contact_id=contact.id,
            text=text.strip(),
            author_id=actor.user_id,
            created_at=to_naive_utc(now),
        )
        session.add(addendum)
        session.flush()
        audit.record(
            session,
            actor,
            "add_addendum",
            now=now,
            record_type="contact",
            record_id=contact.id,
            fields=["addendum"],
        )
        return Changed("contact", (contact.id,), ("addenda",))


def _add_follow_up(
    session: Session,
    actor: Actor,
    person_id: int,
    contact_id: int | None,
    item: FollowUpInput,
    now: datetime,
) -> FollowUpAction:
    action = FollowUpAction(
        young_person_id=person_id,
        contact_id=contact_id,
        description=item.description.strip(),
        owner_id=item.owner_id,
        due_on=item.due_on,
        created_at=to_naive_utc(now),
    )
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor,
        "create_follow_up",
        now=now,
        record_type="follow_up",
        record_id=action.id,
        fields=["description", "due_on", "owner_id"],
    )
    return action


def add_follow_up(
    db: Database, actor: Actor, person_id: int, item: FollowUpInput, *, now: datetime
) -> Changed:
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _follow_up_problems([item], local_today(now))
        if problems:
            raise ValidationFailed(problems)
        action = _add_follow_up(session, actor, person_id, None, item, now)
        return Changed("follow_up", (action.id,))


def complete_follow_up(
    db: Database,
    actor: Actor,
    person_id: int,
    action_id: int,
    done_on: date,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        if done_on > local_today(now):
            raise ValidationFailed(["done_on: the date it was done cannot be in the future"])
        action = session.get(FollowUpAction, action_id)
        if action is None or action.young_person_id != person_id:
            raise NotFound("That follow-up action no longer exists.")
        concurrency.expect(
            session, action, expected_version, record_type="follow_up", what="follow-up action"
        )
        if action.done_on is not None:  # someone else marked it done first: keep theirs
            raise concurrency.conflict(
                session, action, record_type="follow_up", what="follow-up action"
            )
        action.done_on = done_on
        audit.record(
            session,
            actor,
            "complete_follow_up",
            now=now,
            record_type="follow_up",
            record_id=action.id,
            fields=["done_on"],
        )
        return Changed("follow_up", (action.id,), ("done_on",))


def record_status(
    db: Database,
    actor: Actor,
    person_id: int,
    status: str,
    effective_on: date,
    note: str,
    *,
    now: datetime,
) -> Changed:
    """Record an explicit in-touch status (refuses contact, no longer requires services,
    returned home 6+ months, died): dated, with who recorded it."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _code_problem("status", status, ExplicitStatus)
        if effective_on > local_today(now):
            problems.append("effective_on: the date cannot be in the future")
        if not note.strip():
            problems.append("note: say how this is known (for example who told you and when)")
        if problems:
            raise ValidationFailed(problems)
        event = StatusEvent(
            young_person_id=person_id,
            status=ExplicitStatus.parse(status).value,
            effective_on=effective_on,
            note=note.strip(),
            recorded_by=actor.user_id,
            recorded_at=to_naive_utc(now),
        )
        return add_audited(
            session,
            actor,
            event,
            "record_status",
            now=now,
            record_type="status_event",
            fields=["status", "effective_on", "note"],
        )


# --- reading ----------------------------------------------------------------------------


def _names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}


def _encode_follow_ups(items: list[FollowUpInput]) -> str:
    return json.dumps(
        [
            {"description": i.description, "due_on": i.due_on.isoformat(), "owner_id": i.owner_id}
            for i in items
        ]
    )


def _decode_follow_ups(text: str | None) -> tuple[FollowUpInput, ...]:
    try:
        items = json.loads(text or "[]")
        return tuple(
            FollowUpInput(i["description"], date.fromisoformat(i["due_on"]), i.get("owner_id"))
            for i in items
        )
    except (ValueError, KeyError, TypeError):
        return ()


def _view(contact: Contact, names: dict[int, str]) -> ContactView:
    details = ContactInput(**{name: getattr(contact, name) for name in CONTACT_FIELDS})
    addenda = tuple(
        AddendumView(a.id, a.text, names.get(a.author_id, "?"), a.created_at)
        for a in contact.addenda
    )
    return ContactView(
        contact.id,
        contact.young_person_id,
        details,
        contact.status,
        contact.author_id,
        names.get(contact.author_id, "?"),
        contact.updated_at,
        contact.finalised_at,
        addenda,
        _decode_follow_ups(contact.draft_follow_ups) if contact.status == DRAFT else (),
        contact.version,
    )


def list_contacts(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[ContactView]:
    """Finalised contacts, newest first, plus the actor's own drafts (others' drafts are
    their unfinished work and are not shown)."""
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        names = _names(session)
        stmt = (
            select(Contact)
            .where(Contact.young_person_id == person_id)
            .where(
                (Contact.status == FINAL)
                | ((Contact.status == DRAFT) & (Contact.author_id == actor.user_id))
            )
            .order_by(Contact.occurred_at.desc(), Contact.id.desc())
            .options(selectinload(Contact.addenda))
        )
        return [_view(c, names) for c in session.scalars(stmt)]


def my_drafts(db: Database, actor: Actor) -> list[tuple[int, int, str, datetime]]:
    """(contact id, young person id, young person's name, last saved) of the actor's drafts."""
    with db.reading() as session:
        rows = session.execute(
            select(
                Contact.id,
                Contact.young_person_id,
                YoungPerson.first_name,
                YoungPerson.last_name,
                Contact.updated_at,
            )
            .join(YoungPerson, YoungPerson.id == Contact.young_person_id)
            .where(Contact.status == DRAFT, Contact.author_id == actor.user_id)
            .order_by(Contact.updated_at.desc())
        )
        return [(cid, pid, f"{first} {last}", saved) for cid, pid, first, last, saved in rows]


def list_follow_ups(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[FollowUpView]:
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        names = _names(session)
        stmt = (
            select(FollowUpAction)
            .where(FollowUpAction.young_person_id == person_id)
            .order_by(FollowUpAction.done_on.is_not(None), FollowUpAction.due_on)
        )
        return [
            FollowUpView(
                a.id,
                a.young_person_id,
                a.contact_id,
                a.description,
                a.due_on,
                a.done_on,
                names.get(a.owner_id) if a.owner_id else None,
            )
            for a in session.scalars(stmt)
        ]


def list_statuses(db: Database, actor: Actor, person_id: int, *, now: datetime) -> list[StatusView]:
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        names = _names(session)
        stmt = (
            select(StatusEvent)
            .where(StatusEvent.young_person_id == person_id)
            .order_by(StatusEvent.effective_on.desc(), StatusEvent.id.desc())
        )
        return [
            StatusView(
                e.id,
                ExplicitStatus.parse(e.status),
                e.effective_on,
                e.ended_on,
                e.note,
                names.get(e.recorded_by, "?"),
                e.recorded_at,
            )
            for e in session.scalars(stmt)
        ]


def end_status(
    db: Database,
    actor: Actor,
    person_id: int,
    event_id: int,
    ended_on: date,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Record that an explicit status no longer applies (for example they have left home).
    A death is never ended: a DIED recorded in error is a matter for the record's owner."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        event = session.get(StatusEvent, event_id)
        if event is None or event.young_person_id != person_id:
            raise NotFound("That status no longer exists.")
        concurrency.expect(
            session, event, expected_version, record_type="status_event", what="status"
        )
        if event.ended_on is not None:  # someone else ended it first: keep their date
            raise concurrency.conflict(session, event, record_type="status_event", what="status")
        problems = []
        if event.status == ExplicitStatus.DIED.value:
            problems.append("status: a recorded death cannot be ended")
        if ended_on < event.effective_on:
            problems.append("ended_on: before the status took effect")
        if ended_on > local_today(now):
            problems.append("ended_on: the date cannot be in the future")
        if problems:
            raise ValidationFailed(problems)
        event.ended_on = ended_on
        audit.record(
            session,
            actor,
            "end_status",
            now=now,
            record_type="status_event",
            record_id=event.id,
            fields=["ended_on"],
        )
        return Changed("status_event", (event.id,), ("ended_on",))
