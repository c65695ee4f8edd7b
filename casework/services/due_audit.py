"""What closure audits add to "My work": a worker's open learning actions (due on the date
the auditor set), and for a team lead, each reopening an audit recommended for a young
person in a team they lead, due from the day it was recommended until a team lead reopens
the case or records why not."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.db.models import (
    CaseReopening,
    ClosureAudit,
    ClosureRequest,
    LearningAction,
    User,
    YoungPerson,
)
from casework.domain.due import DueItem, DueKind
from casework.domain.leaving_care import plain_date


@dataclass(frozen=True)
class AuditWork:
    person_id: int
    child_uid: str
    name: str
    worker_id: int | None
    item: DueItem


def audit_work(
    session: Session,
    *,
    owners: Collection[int],
    owner_teams: Collection[int] = (),
    led_teams: Collection[int] = (),
    today: date,
) -> list[AuditWork]:
    """Open learning actions owned by ``owners`` or by members of ``owner_teams``, and
    reopenings waiting for a decision on young people in ``led_teams``."""
    out: list[AuditWork] = []
    la, p, a = LearningAction, YoungPerson, ClosureAudit
    stmt = (
        select(la, p.id, p.child_uid, p.first_name, p.last_name)
        .join(a, a.id == la.audit_id)
        .join(p, p.id == a.young_person_id)
        .where(la.done_on.is_(None))
    )
    condition: Any = la.owner_id.in_(list(owners))
    if owner_teams:
        members = select(User.id).where(User.team_id.in_(list(owner_teams)))
        condition = condition | la.owner_id.in_(members)
    for action, pid, uid, first, last in session.execute(stmt.where(condition)):
        out.append(
            AuditWork(
                pid,
                uid,
                f"{first} {last}",
                action.owner_id,
                DueItem(
                    DueKind.LEARNING_ACTION,
                    action.due_on,
                    action.due_on < today,
                    f"Learning action: {action.description}",
                    "From an audit of this young person's closure: say what was done with "
                    "“Mark done” when it is done.",
                    action.id,
                ),
            )
        )
    if not led_teams:
        return out
    r = ClosureRequest
    stmt2 = (
        select(a, p.child_uid, p.first_name, p.last_name, r.requested_by)
        .join(p, p.id == a.young_person_id)
        .join(r, r.id == a.closure_request_id)
        .where(a.reopen_requested_at.is_not(None))
        .where(a.reopen_declined_at.is_(None))
        .where(p.team_id.in_(list(led_teams)))
    )
    rows = session.execute(stmt2).all()
    reopened = set(
        session.scalars(
            select(CaseReopening.closure_request_id).where(
                CaseReopening.closure_request_id.in_([row[0].closure_request_id for row in rows])
            )
        )
    )
    for audit_row, uid, first, last, requested_by in rows:
        if audit_row.closure_request_id in reopened:
            continue
        asked = audit_row.reopen_requested_at
        assert asked is not None  # selected above
        on = to_local(asked).date()
        out.append(
            AuditWork(
                audit_row.young_person_id,
                uid,
                f"{first} {last}",
                requested_by,
                DueItem(
                    DueKind.REOPEN_DECISION,
                    on,
                    on < today,
                    "An audit found this closure unsafe: reopen the case or record why not",
                    f"Recommended on {plain_date(on)}: {audit_row.reopen_reason}",
                    audit_row.id,
                ),
            )
        )
    return out
