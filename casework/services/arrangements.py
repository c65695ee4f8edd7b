"""Arrangements alongside a care leaver's case: another council involved where they now
live, or adult social care. Neither closes the case: the responsible council stays
responsible wherever the young person lives (Care Leavers (England) Regulations 2010
reg 2(1)), so each is recorded here, dated and audited, and shown on the Closure tab.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_naive_utc
from casework.db.database import Database
from casework.db.models import CareArrangement, User, YoungPerson
from casework.domain.closure_grounds import ArrangementKind, arrangement_problem
from casework.domain.codes import UnknownCode
from casework.errors import NotFound, ValidationFailed
from casework.services.common import Changed, add_audited
from casework.services.people import check_on_person, require_on_person
from casework.services.permissions import Action, Actor

RECORD_TYPE = "care_arrangement"
_FIELDS = ["kind", "with_whom", "started_on", "note"]


@dataclass(frozen=True)
class ArrangementInput:
    kind: str  # ArrangementKind code
    with_whom: str  # the other council, or the adult social care team
    started_on: date
    note: str = ""


@dataclass(frozen=True)
class ArrangementView:
    id: int
    kind: ArrangementKind
    with_whom: str
    started_on: date
    note: str
    recorded_by: str
    recorded_at: datetime


def _problems(data: ArrangementInput, date_of_birth: date) -> list[str]:
    problems = []
    try:
        ArrangementKind.parse(data.kind)
    except UnknownCode as exc:
        problems.append(f"kind: {exc}")
    who = data.with_whom.strip()
    if not who:
        problems.append("with_whom: name the other council or the adult social care team.")
    elif len(who) > 200:
        problems.append("with_whom: expected at most 200 characters.")
    if data.started_on < date_of_birth:
        problems.append("started_on: the date is before their date of birth.")
    return problems


def add_arrangement(
    db: Database, actor: Actor, person_id: int, data: ArrangementInput, *, now: datetime
) -> Changed:
    """Record an arrangement alongside a care leaver's case; the case stays open."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        problems = _problems(data, person.date_of_birth)
        refused = arrangement_problem(person.eligibility)
        if refused:
            problems.insert(0, f"kind: {refused}")
        if problems:
            raise ValidationFailed(problems)
        row = CareArrangement(
            young_person_id=person_id,
            kind=ArrangementKind.parse(data.kind).value,
            with_whom=data.with_whom.strip(),
            started_on=data.started_on,
            note=data.note.strip(),
            recorded_by=actor.user_id,
            recorded_at=to_naive_utc(now),
        )
        return add_audited(
            session, actor, row, "add_arrangement", now=now, record_type=RECORD_TYPE, fields=_FIELDS
        )


def list_arrangements(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[ArrangementView]:
    """The arrangements recorded alongside the case, newest first."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        names = {uid: n for uid, n in session.execute(select(User.id, User.display_name))}
        return arrangements_in(session, person_id, names)


def arrangements_in(
    session: Session, person_id: int, names: Mapping[int, str]
) -> list[ArrangementView]:
    """The arrangements of one young person, newest first, read in an open session."""
    stmt = (
        select(CareArrangement)
        .where(CareArrangement.young_person_id == person_id)
        .order_by(CareArrangement.started_on.desc(), CareArrangement.id.desc())
    )
    return [
        ArrangementView(
            a.id,
            ArrangementKind.parse(a.kind),
            a.with_whom,
            a.started_on,
            a.note,
            names.get(a.recorded_by, "?"),
            a.recorded_at,
        )
        for a in session.scalars(stmt)
    ]


__all__ = [
    "ArrangementInput",
    "ArrangementView",
    "add_arrangement",
    "arrangements_in",
    "list_arrangements",
]
