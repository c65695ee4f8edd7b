"""Keeps the due snapshots (``due_snapshots``) honest: whenever a transaction changes
anything the due engine reads about a young person, their snapshot is deleted in that same
transaction and the generation counter is raised.

Two hooks on every session ``Database`` makes:

- after each flush, every new, changed or deleted row is traced to the young person it
  belongs to: a ``young_person_id`` column (before and after the change), the young person
  row itself, or a parent row (a plan review through its pathway plan, a child protection
  meeting or plan area through its plan, an addendum through its contact, a closure version
  or override through its request, a closure audit's parts through the audit). A row of any
  other table clears every snapshot, unless the table is one the engine never reads
  (:data:`IGNORED`);
- a bulk ``INSERT``/``UPDATE``/``DELETE`` run through a session clears every snapshot,
  again unless its table is ignored, and so does a write in plain SQL (``text``) to
  any table that is not.

So an unknown kind of change can only cost a recomputation, never show a stale answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, delete, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from casework.db.models import (
    AuditGrade,
    AuditJudgement,
    ChildProtectionMeeting,
    ChildProtectionPlan,
    ClosureAudit,
    ClosureOverride,
    ClosureRequest,
    ClosureRequestVersion,
    Contact,
    ContactAddendum,
    DueSnapshot,
    DueSnapshotGeneration,
    LearningAction,
    PathwayPlan,
    PlanArea,
    PlanReview,
    YoungPerson,
)

# Tables the due engine never reads: the audit trail, accounts and teams (names shown
# beside the items are read fresh on every list), sign-in state, the snapshots themselves
# and Alembic's bookkeeping. The contact summaries are rewritten only from the contacts,
# whose own rows already name the young person.
IGNORED = frozenset(
    {
        "audit_events",
        "audit_head",
        "login_throttle",
        "users",
        "teams",
        "team_leaderships",
        "due_snapshots",
        "due_snapshot_generation",
        "alembic_version",
        "contact_summaries",
        "summarised_contacts",
    }
)

# Rows without a young_person_id: (the column naming the parent, the parent's id column,
# the parent's young_person_id column).
_PARENTS: dict[str, tuple[str, Any, Any]] = {
    PlanReview.__tablename__: ("plan_id", PathwayPlan.id, PathwayPlan.young_person_id),
    ChildProtectionMeeting.__tablename__: (
        "plan_id",
        ChildProtectionPlan.id,
        ChildProtectionPlan.young_person_id,
    ),
    PlanArea.__tablename__: ("plan_id", PathwayPlan.id, PathwayPlan.young_person_id),
    ContactAddendum.__tablename__: ("contact_id", Contact.id, Contact.young_person_id),
    ClosureRequestVersion.__tablename__: (
        "request_id",
        ClosureRequest.id,
        ClosureRequest.young_person_id,
    ),
    ClosureOverride.__tablename__: (
        "request_id",
        ClosureRequest.id,
        ClosureRequest.young_person_id,
    ),
    AuditJudgement.__tablename__: ("audit_id", ClosureAudit.id, ClosureAudit.young_person_id),
    LearningAction.__tablename__: ("audit_id", ClosureAudit.id, ClosureAudit.young_person_id),
}
_GRADE_PERSON = (
    select(ClosureAudit.young_person_id)
    .join(AuditJudgement, AuditJudgement.audit_id == ClosureAudit.id)
    .where(AuditJudgement.id == bindparam("parent"))
)


def install(makers: Iterable[sessionmaker[Session]]) -> None:
    """Attach both hooks to sessions made by ``makers``."""
    for maker in makers:
        event.listen(maker, "after_flush", _after_flush)
        event.listen(maker, "do_orm_execute", _on_execute)


def _values(obj: Any, column: str) -> set[Any]:
    """The column's value now and, for a changed row, what it was before."""
    found = {getattr(obj, column, None)}
    state = getattr(obj, "_sa_instance_state", None)
    if state is not None and column in state.attrs:
        found.update(state.attrs[column].history.deleted or ())
    found.discard(None)
    return found


def touched(session: Session) -> tuple[set[int], bool]:
    """(young people whose facts this flush changes, whether every snapshot must go)."""
    people: set[int] = set()
    conn = session.connection()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in IGNORED:
            continue
        if isinstance(obj, YoungPerson):
            people.update(_values(obj, "id"))
        elif table is not None and hasattr(type(obj), "young_person_id"):
            people.update(_values(obj, "young_person_id"))
        elif table in _PARENTS:
            column, parent_id, person = _PARENTS[table]
            parents = _values(obj, column)
            if parents:
                stmt = select(person).where(parent_id.in_(parents))
                people.update(p for (p,) in conn.execute(stmt) if p is not None)
        elif isinstance(obj, AuditGrade):
            for parent in _values(obj, "judgement_id"):
                people.update(p for (p,) in conn.execute(_GRADE_PERSON, {"parent": parent}))
        else:
            return people, True
    return people, False


def invalidate(conn: Connection, people: Iterable[int] | None) -> None:
    """Delete the snapshots of ``people`` (``None``: everyone's) and raise the generation."""
    if people is None:
        conn.execute(delete(DueSnapshot))
    else:
        wanted = sorted(people)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            conn.execute(delete(DueSnapshot).where(DueSnapshot.young_person_id.in_(chunk)))
    conn.execute(
        update(DueSnapshotGeneration).values(generation=DueSnapshotGeneration.generation + 1)
    )


def _after_flush(session: Session, _context: object) -> None:
    people, everyone = touched(session)
    if everyone:
        invalidate(session.connection(), None)
    elif people:
        invalidate(session.connection(), people)


# A write in plain SQL, and the table it writes to.
_WRITE = re.compile(
    r"^\s*(?:UPDATE(?:\s+OR\s+\w+)?|(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|DELETE\s+FROM)"
    r"\s+[\"'`\[]?(\w+)",
    re.IGNORECASE,
)


def _on_execute(state: ORMExecuteState) -> None:
    if isinstance(state.statement, TextClause):  # plain SQL: a write clears everything
        found = _WRITE.match(state.statement.text)
        if found is not None and found.group(1).lower() not in IGNORED:
            invalidate(state.session.connection(), None)
        return
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in IGNORED:
        return
    invalidate(state.session.connection(), None)
