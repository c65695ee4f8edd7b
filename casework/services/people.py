"""Young people: add, change, open (audited) and the caseload list (sorted and searched in SQL)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload

from casework.clock import local_today, to_naive_utc
from casework.db.database import Database
from casework.db.models import Team, User, YoungPerson
from casework.domain.calendar import age_on
from casework.domain.codes import EligibilityCategory
from casework.domain.leaving_care import plain_date
from casework.domain.people import validate_young_person
from casework.errors import CaseClosed, NotFound, ValidationFailed
from casework.services import audit, concurrency
from casework.services.categories import categories_in
from casework.services.common import Changed, check, checked_reading, require
from casework.services.permissions import CASE_ROLES, Action, Actor, Relation, Role

RECORD_TYPE = "young_person"


@dataclass(frozen=True)
class YoungPersonInput:
    """What a worker types for a young person. Codes are storage codes."""

    child_uid: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    sex: str
    ethnicity: str
    disability: str
    uasc: bool
    eligibility: str
    team_id: int
    preferred_name: str | None = None
    social_worker_id: int | None = None
    personal_adviser_id: int | None = None
    date_ceased_looked_after: date | None = None
    # The day the case opened (a recorded fact); ``None`` on a new record means today, and
    # on an edit keeps what is recorded.
    opened_on: date | None = None


EDITABLE = tuple(f.name for f in fields(YoungPersonInput))


@dataclass(frozen=True)
class YoungPersonRecord:
    id: int
    details: YoungPersonInput
    age: int
    team_name: str
    social_worker_name: str | None
    personal_adviser_name: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    # The category in force today (derived from the facts, aged by birthdays, the safer of
    # the facts and the confirmation while they disagree): what the header shows.
    category: EligibilityCategory | None = None

    @property
    def display_name(self) -> str:
        return display_name(
            self.details.first_name, self.details.last_name, self.details.preferred_name
        )


@dataclass(frozen=True)
class CaseloadRow:
    id: int
    child_uid: str
    name: str
    date_of_birth: date
    age: int
    eligibility: str
    team_name: str
    social_worker: str | None
    personal_adviser: str | None


class SortKey(StrEnum):
    NAME = "name"
    CHILD_UID = "child_uid"
    AGE = "age"
    TEAM = "team"
    SOCIAL_WORKER = "social_worker"
    PERSONAL_ADVISER = "personal_adviser"
    ELIGIBILITY = "eligibility"


@dataclass(frozen=True)
class CaseloadQuery:
    search: str = ""
    sort: SortKey = SortKey.NAME
    descending: bool = False
    mine_only: bool = False
    # Only those whose whereabouts are unknown today (living in "residence not known").
    whereabouts_unknown: bool = False


def display_name(first: str, last: str, preferred: str | None) -> str:
    name = f"{last}, {first}"
    return f"{name} ({preferred})" if preferred and preferred != first else name


# --- validation -----------------------------------------------------------------------------


def _problems(
    session: Session,
    data: YoungPersonInput,
    today: date,
    own_id: int | None,
    allow_inactive_workers: bool = False,
    unchanged_workers: frozenset[int] = frozenset(),
) -> list[str]:
    problems = [
        str(p)
        for p in validate_young_person(
            child_uid=data.child_uid,
            first_name=data.first_name,
            last_name=data.last_name,
            date_of_birth=data.date_of_birth,
            sex=data.sex,
            ethnicity=data.ethnicity,
            eligibility=data.eligibility,
            disability=data.disability,
            uasc=data.uasc,
            date_ceased_looked_after=data.date_ceased_looked_after,
            today=today,
        )
    ]
    clash = session.scalar(
        select(YoungPerson.id).where(
            func.lower(YoungPerson.child_uid) == data.child_uid.strip().lower()
        )
    )
    opened = data.opened_on
    if opened is not None and opened > today:
        problems.append(
            f"opened_on: {opened:%d/%m/%Y} is in the future: expected the day the case opened"
        )
    if opened is not None and data.date_of_birth is not None and opened < data.date_of_birth:
        problems.append(
            f"opened_on: {opened:%d/%m/%Y} is before the date of birth: expected the day the "
            "case opened"
        )
    if clash is not None and clash != own_id:
        problems.append(
            f"child_uid: '{data.child_uid.strip()}' is already used by another young person: "
            "expected a Child Unique ID not yet in this database"
        )
    if session.get(Team, data.team_id) is None:
        problems.append(f"team: {data.team_id} is not a team in this database")
    for field_name in ("social_worker_id", "personal_adviser_id"):
        worker_id = getattr(data, field_name)
        if worker_id is None or worker_id in unchanged_workers:
            continue  # an allocation left as it was is not re-checked (the worker may have left)
        worker = session.get(User, worker_id)
        usable = worker is not None and (worker.active or allow_inactive_workers)
        if worker is None or not usable or Role(worker.role) not in CASE_ROLES:
            problems.append(
                f"{field_name}: {worker_id} is not valid: expected an active practitioner or "
                "team lead"
            )
    return problems


def _clean(data: YoungPersonInput) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in EDITABLE}
    for name in ("child_uid", "first_name", "last_name", "preferred_name"):
        if values[name] is not None:
            values[name] = " ".join(str(values[name]).split()) or None
    for name in ("sex", "ethnicity", "disability", "eligibility"):
        values[name] = str(values[name]).strip()
    if values["ethnicity"]:
        values["ethnicity"] = values["ethnicity"].upper()
    return values


# --- use cases ------------------------------------------------------------------------------


def _team_relation(actor: Actor, team_id: int) -> Relation:
    return Relation.OWN_TEAM if team_id in actor.team_ids else Relation.OTHER_TEAM


def create_young_person(
    db: Database, actor: Actor, data: YoungPersonInput, *, now: datetime
) -> Changed:
    with db.unit_of_work() as session:
        check(
            session,
            actor,
            Action.CREATE_RECORD,
            _team_relation(actor, data.team_id),
            now=now,
            record_type=RECORD_TYPE,
        )
        person = add_young_person_in(session, actor, data, now)
        return Changed(RECORD_TYPE, (person.id,), EDITABLE)


def add_young_person_in(
    session: Session,
    actor: Actor,
    data: YoungPersonInput,
    now: datetime,
    *,
    imported: bool = False,
) -> YoungPerson:
    """Validate and insert inside the caller's transaction (also used by import, where the
    allocated workers may be accounts created inactive by the same import)."""
    problems = _problems(session, data, local_today(now), None, allow_inactive_workers=imported)
    if problems:
        raise ValidationFailed(problems)
    moment = to_naive_utc(now)
    values = _clean(data)
    values["opened_on"] = data.opened_on or local_today(now)
    person = YoungPerson(**values, created_at=moment, updated_at=moment, version=1)
    session.add(person)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        now=now,
        record_type=RECORD_TYPE,
        record_id=person.id,
        fields=EDITABLE,
    )
    return person


def update_young_person(
    db: Database,
    actor: Actor,
    person_id: int,
    data: YoungPersonInput,
    *,
    expected_version: int,
    now: datetime,
) -> Changed:
    with db.unit_of_work() as session:
        relation = check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        if data.team_id not in actor.team_ids and relation is not Relation.OWN_CASELOAD:
            check(
                session,
                actor,
                Action.CREATE_RECORD,
                _team_relation(actor, data.team_id),
                now=now,
                record_type=RECORD_TYPE,
                record_id=person_id,
            )
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record no longer exists.")
        concurrency.expect(
            session, person, expected_version, record_type=RECORD_TYPE, what="record"
        )
        kept = frozenset(
            w
            for w, new in (
                (person.social_worker_id, data.social_worker_id),
                (person.personal_adviser_id, data.personal_adviser_id),
            )
            if w is not None and w == new
        )
        problems = _problems(session, data, local_today(now), person.id, unchanged_workers=kept)
        if problems:
            raise ValidationFailed(problems)
        values = _clean(data)
        if values["opened_on"] is None:
            values["opened_on"] = person.opened_on  # not given: kept as recorded
        changed = tuple(name for name, value in values.items() if getattr(person, name) != value)
        if not changed:
            return Changed(RECORD_TYPE, (person.id,), ())
        for name in changed:
            setattr(person, name, values[name])
        person.updated_at = to_naive_utc(now)
        audit.record(
            session,
            actor,
            "update",
            now=now,
            record_type=RECORD_TYPE,
            record_id=person.id,
            fields=changed,
        )
        return Changed(RECORD_TYPE, (person.id,), changed)


WRITE_ACTIONS = frozenset(
    {
        Action.EDIT_RECORD,
        Action.CREATE_RECORD,
        Action.REVIEW_AS_TEAM_LEAD,
        Action.DECIDE_FRONT_DOOR,
    }
)
"""Actions a closed case refuses (it is read-only except for appended notes)."""


def access_in(session: Session, actor: Actor, person_id: int) -> tuple[Relation, date | None]:
    """The actor's relation to a young person's record, and the day it was closed."""
    row = session.execute(
        select(
            YoungPerson.team_id,
            YoungPerson.social_worker_id,
            YoungPerson.personal_adviser_id,
            YoungPerson.closed_on,
        ).where(YoungPerson.id == person_id)
    ).first()
    if row is None:
        raise NotFound("That young person's record does not exist.")
    return actor.relation_to(row[0], row[1], row[2]), row[3]


def _access(db: Database, actor: Actor, person_id: int) -> tuple[Relation, date | None]:
    with db.reading() as session:
        return access_in(session, actor, person_id)


def relation_of(db: Database, actor: Actor, person_id: int) -> Relation:
    return _access(db, actor, person_id)[0]


def closed_message(closed_on: date) -> str:
    return (
        f"This case was closed on {plain_date(closed_on)} and is read-only. Add a note to it "
        "on the Closure tab, or reopen it there to record anything else."
    )


def check_on_person(
    session: Session,
    actor: Actor,
    person_id: int,
    action: Action,
    now: datetime,
    *,
    closed_ok: bool = False,
) -> Relation:
    """Inside a write use case's unit of work: the permission check for anything about one
    young person's record (:func:`casework.services.common.check` with the actor's
    relation to it). A closed case refuses every change unless ``closed_ok`` (new
    front-door concerns, closure notes and reopening): local practice, a closed record is
    read-only. Returns the relation."""
    relation, closed_on = access_in(session, actor, person_id)
    check(session, actor, action, relation, now=now, record_type=RECORD_TYPE, record_id=person_id)
    if closed_on is not None and action in WRITE_ACTIONS and not closed_ok:
        raise CaseClosed(closed_message(closed_on))
    return relation


def require_on_person(
    db: Database, actor: Actor, person_id: int, action: Action, now: datetime
) -> None:
    """For read-only use cases: the permission check on one young person's record, in a
    read snapshot (a refusal is audited in a transaction of its own)."""
    relation, _closed_on = _access(db, actor, person_id)
    require(db, actor, action, relation, now=now, record_type=RECORD_TYPE, record_id=person_id)


def open_record(db: Database, actor: Actor, person_id: int, *, now: datetime) -> YoungPersonRecord:
    """Read a young person's record; every opening is audited."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.VIEW_RECORD, now)
        person = session.get(YoungPerson, person_id, options=_WITH_NAMES)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        audit.record(
            session, actor, "open_record", now=now, record_type=RECORD_TYPE, record_id=person.id
        )
        today = local_today(now)
        category = categories_in(session, [person.id], today)[person.id].effective
        return _to_record(person, today, category)


# What a record shows besides the row: its team's and workers' names, read with the row.
_WITH_NAMES = (
    joinedload(YoungPerson.team),
    joinedload(YoungPerson.social_worker),
    joinedload(YoungPerson.personal_adviser),
)


def _to_record(
    person: YoungPerson, today: date, category: EligibilityCategory | None = None
) -> YoungPersonRecord:
    details = YoungPersonInput(**{name: getattr(person, name) for name in EDITABLE})
    return YoungPersonRecord(
        id=person.id,
        details=details,
        age=age_on(person.date_of_birth, today),
        team_name=person.team.name,
        social_worker_name=person.social_worker.display_name if person.social_worker else None,
        personal_adviser_name=(
            person.personal_adviser.display_name if person.personal_adviser else None
        ),
        version=person.version,
        created_at=person.created_at,
        category=category,
        updated_at=person.updated_at,
    )


# --- the caseload ---------------------------------------------------------------------------

_SW = aliased(User)
_PA = aliased(User)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _scope(actor: Actor, mine_only: bool) -> Any:
    mine = or_(
        YoungPerson.social_worker_id == actor.user_id,
        YoungPerson.personal_adviser_id == actor.user_id,
    )
    return mine if mine_only else or_(YoungPerson.team_id.in_(actor.team_ids), mine)


def _search(words: str) -> list[Any]:
    conditions = []
    for word in words.split():
        pattern = _escape_like(word.lower()) + "%"
        conditions.append(
            or_(
                func.lower(YoungPerson.first_name).like(pattern, escape="\\"),
                func.lower(YoungPerson.last_name).like(pattern, escape="\\"),
                func.lower(YoungPerson.preferred_name).like(pattern, escape="\\"),
                func.lower(YoungPerson.child_uid).like(pattern, escape="\\"),
            )
        )
    return conditions


# Each sort key's columns in ascending order; "age" ascending means youngest first.
_ORDER: dict[SortKey, list[Any]] = {
    SortKey.NAME: [func.lower(YoungPerson.last_name), func.lower(YoungPerson.first_name)],
    SortKey.CHILD_UID: [YoungPerson.child_uid],
    SortKey.AGE: [YoungPerson.date_of_birth.desc()],
    SortKey.TEAM: [Team.name],
    SortKey.SOCIAL_WORKER: [_SW.display_name],
    SortKey.PERSONAL_ADVISER: [_PA.display_name],
    SortKey.ELIGIBILITY: [YoungPerson.eligibility],
}
_ORDER_DESC: dict[SortKey, list[Any]] = {
    SortKey.NAME: [
        func.lower(YoungPerson.last_name).desc(),
        func.lower(YoungPerson.first_name).desc(),
    ],
    SortKey.CHILD_UID: [YoungPerson.child_uid.desc()],
    SortKey.AGE: [YoungPerson.date_of_birth],
    SortKey.TEAM: [Team.name.desc()],
    SortKey.SOCIAL_WORKER: [_SW.display_name.desc()],
    SortKey.PERSONAL_ADVISER: [_PA.display_name.desc()],
    SortKey.ELIGIBILITY: [YoungPerson.eligibility.desc()],
}


def _whereabouts_unknown(today: date) -> Any:
    """Living in "residence not known" (R) today: the current period (the latest start of
    those running today, as :func:`domain.due.current_accommodation` has it) is R; open,
    not died. The same rule as :func:`domain.due.whereabouts_unknown`, in SQL."""
    from casework.db.models import AccommodationPeriod, StatusEvent

    here, later = aliased(AccommodationPeriod), aliased(AccommodationPeriod)

    def live(p: Any) -> Any:
        return (
            (p.young_person_id == YoungPerson.id)
            & (p.started_on <= today)
            & (p.ended_on.is_(None) | (p.ended_on > today))
        )

    newer = (
        select(later.id)
        .where(
            later.young_person_id == here.young_person_id,
            later.started_on <= today,
            later.ended_on.is_(None) | (later.ended_on > today),
            later.started_on > here.started_on,
        )
        .exists()
    )
    died = (
        select(StatusEvent.id)
        .where(
            StatusEvent.young_person_id == YoungPerson.id,
            StatusEvent.status == "DIED",
            StatusEvent.effective_on <= today,
        )
        .exists()
    )
    lost = select(here.id).where(live(here), here.letter == "R", ~newer).exists()
    return lost & ~died & YoungPerson.closed_on.is_(None)


def _caseload_select(actor: Actor, query: CaseloadQuery, today: date | None = None) -> Select[Any]:
    order = (_ORDER_DESC if query.descending else _ORDER)[query.sort]
    conditions = [_scope(actor, query.mine_only), *_search(query.search)]
    if query.whereabouts_unknown and today is not None:
        conditions.append(_whereabouts_unknown(today))
    return (
        select(YoungPerson.id)
        .join(Team, Team.id == YoungPerson.team_id)
        .outerjoin(_SW, _SW.id == YoungPerson.social_worker_id)
        .outerjoin(_PA, _PA.id == YoungPerson.personal_adviser_id)
        .where(*conditions)
        .order_by(*order, YoungPerson.id)
    )


def caseload_ids(db: Database, actor: Actor, query: CaseloadQuery, *, now: datetime) -> list[int]:
    """Ids of the young people the actor may see, filtered and sorted in SQL."""
    with checked_reading(db, actor, Action.LIST_CASELOAD, now=now) as session:
        return list(session.scalars(_caseload_select(actor, query, local_today(now))))


def caseload_rows(db: Database, actor: Actor, ids: list[int], *, today: date) -> list[CaseloadRow]:
    """The display rows for ``ids`` (a page of the caseload), in the order given."""
    if actor.role not in CASE_ROLES:
        return []
    with db.reading() as session:
        stmt = (
            select(YoungPerson, Team.name, _SW.display_name, _PA.display_name)
            .join(Team, Team.id == YoungPerson.team_id)
            .outerjoin(_SW, _SW.id == YoungPerson.social_worker_id)
            .outerjoin(_PA, _PA.id == YoungPerson.personal_adviser_id)
            .where(YoungPerson.id.in_(ids), _scope(actor, False))
        )
        found = {}
        categories = categories_in(session, ids, today)
        for person, team_name, sw, pa in session.execute(stmt):
            found[person.id] = CaseloadRow(
                id=person.id,
                child_uid=person.child_uid,
                name=display_name(person.first_name, person.last_name, person.preferred_name),
                date_of_birth=person.date_of_birth,
                age=age_on(person.date_of_birth, today),
                eligibility=categories[person.id].effective.label,
                team_name=team_name,
                social_worker=sw,
                personal_adviser=pa,
            )
    return [found[i] for i in ids if i in found]


def fill_opening_dates(session: Session) -> int:
    """Give every case without an opening date the day of its earliest dated fact (the day
    the row was written when there is none), inside the caller's transaction. Used after
    generating demo data, whose records are written long after the dates they hold."""
    from casework.db.models import (
        AccommodationPeriod,
        ActivityPeriod,
        Contact,
        PathwayPlan,
        StatusEvent,
        SupportEvent,
    )

    missing = {
        pid: created
        for pid, created in session.execute(
            select(YoungPerson.id, YoungPerson.created_at).where(YoungPerson.opened_on.is_(None))
        )
    }
    earliest: dict[int, date] = {}
    dated = (
        (Contact.young_person_id, Contact.occurred_at),
        (StatusEvent.young_person_id, StatusEvent.effective_on),
        (AccommodationPeriod.young_person_id, AccommodationPeriod.started_on),
        (ActivityPeriod.young_person_id, ActivityPeriod.started_on),
        (PathwayPlan.young_person_id, PathwayPlan.started_on),
        (SupportEvent.young_person_id, SupportEvent.occurred_on),
    )
    for person_column, when in dated:
        stmt = select(person_column, func.min(when)).group_by(person_column)
        for pid, first in session.execute(stmt):
            day = first.date() if isinstance(first, datetime) else first
            if pid in missing and day is not None and (pid not in earliest or day < earliest[pid]):
                earliest[pid] = day
    for pid, created in missing.items():
        session.execute(
            update(YoungPerson)
            .where(YoungPerson.id == pid)
            .values(opened_on=earliest.get(pid, created.date()))
        )
    return len(missing)
