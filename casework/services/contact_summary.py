"""The contact summary: for each young person, the handful of finalised contacts that the
in-touch and visit rules need, kept in ``contact_summaries`` so that lists of thousands of
young people never read every contact.

It is derived data, rebuilt from the full history in SQL (one statement for any number of
young people) whenever a contact is finalised, and by the demo generator and imports.
``rebuild_all`` recreates it for the whole database. With it, ``summarised_contacts`` holds
a copy of the few columns the rules read from each contact it names (final contacts are
read-only), so a list reads neither the contacts table nor its notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from casework.db.models import Contact, ContactSummary, SummarisedContact, YoungPerson
from casework.domain.leaving_care import ContactMadeBy, ContactMethod

FINAL = "final"
_AT_HOME = ContactMethod.FACE_TO_FACE_ACCOMMODATION.value
_CHUNK = 900

Condition = Callable[[Any], ColumnElement[bool]]


def _latest(condition: Condition) -> Any:
    c = aliased(Contact)
    return (
        select(c.id)
        .where(c.young_person_id == YoungPerson.id, c.status == FINAL, condition(c))
        .order_by(c.occurred_at.desc(), c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _visit_by(made_by: ContactMadeBy) -> Condition:
    """A reg 8 visit: seen at their accommodation (Care Leavers (England) Regulations 2010
    reg 8); a meeting anywhere else is a contact, not a visit."""
    return lambda c: (
        c.successful.is_(True) & (c.method == _AT_HOME) & c.seen.is_(True) & (c.made_by == made_by)
    )


def _attempts_since() -> Any:
    c, ok = aliased(Contact), aliased(Contact)
    last_ok = (
        select(func.max(ok.occurred_at))
        .where(ok.young_person_id == c.young_person_id, ok.status == FINAL, ok.successful.is_(True))
        .scalar_subquery()
    )
    return (
        select(func.count(c.id))
        .where(
            c.young_person_id == YoungPerson.id,
            c.status == FINAL,
            c.successful.is_(False),
            or_(last_ok.is_(None), c.occurred_at > last_ok),
        )
        .scalar_subquery()
    )


def _summary_select(ids: Sequence[int] | None) -> Any:
    stmt = select(
        YoungPerson.id,
        _latest(lambda c: c.successful.is_(True)),
        _latest(lambda c: c.successful.is_(True) & (c.made_by == ContactMadeBy.PERSONAL_ADVISER)),
        _latest(_visit_by(ContactMadeBy.PERSONAL_ADVISER)),
        _latest(_visit_by(ContactMadeBy.SOCIAL_WORKER)),
        _latest(_visit_by(ContactMadeBy.OTHER)),
        _attempts_since(),
        _latest(lambda c: c.successful.is_(False)),
    )
    return stmt if ids is None else stmt.where(YoungPerson.id.in_(ids))


_COLUMNS = [
    "young_person_id",
    "last_success_id",
    "last_pa_success_id",
    "last_visit_pa_id",
    "last_visit_sw_id",
    "last_visit_other_id",
    "attempts_since",
    "last_attempt_id",
]


_FACT_COLUMNS = [
    "young_person_id",
    "contact_id",
    "occurred_at",
    "successful",
    "method",
    "seen",
    "seen_alone",
    "made_by",
]


def _facts_select(ids: Sequence[int] | None) -> Any:
    """The columns the rules read, of every contact a summary names (once each)."""
    cs = ContactSummary
    named = or_(
        Contact.id == cs.last_success_id,
        Contact.id == cs.last_pa_success_id,
        Contact.id == cs.last_visit_pa_id,
        Contact.id == cs.last_visit_sw_id,
        Contact.id == cs.last_visit_other_id,
        Contact.id == cs.last_attempt_id,
    )
    stmt = (
        select(
            cs.young_person_id,
            Contact.id,
            Contact.occurred_at,
            Contact.successful,
            Contact.method,
            Contact.seen,
            Contact.seen_alone,
            Contact.made_by,
        )
        .join(cs, named)
        .distinct()
    )
    return stmt if ids is None else stmt.where(cs.young_person_id.in_(ids))


def refresh(session: Session, person_ids: Sequence[int]) -> None:
    """Rebuild the summaries of these young people inside the caller's transaction."""
    ids = list(dict.fromkeys(person_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(delete(ContactSummary).where(ContactSummary.young_person_id.in_(chunk)))
        session.execute(
            delete(SummarisedContact).where(SummarisedContact.young_person_id.in_(chunk))
        )
        session.execute(insert(ContactSummary).from_select(_COLUMNS, _summary_select(chunk)))
        session.execute(insert(SummarisedContact).from_select(_FACT_COLUMNS, _facts_select(chunk)))


def rebuild_all(session: Session) -> None:
    session.execute(delete(ContactSummary))
    session.execute(delete(SummarisedContact))
    session.execute(insert(ContactSummary).from_select(_COLUMNS, _summary_select(None)))
    session.execute(insert(SummarisedContact).from_select(_FACT_COLUMNS, _facts_select(None)))
