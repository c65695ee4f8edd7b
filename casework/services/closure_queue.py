"""The team lead's closure queue: closure requests in the teams they lead (a practitioner:
their own), longest waiting first, each with its wait in working days; pending ones that
have waited past the configured working days are flagged (local practice, ``[closure]`` in
``resources/council.toml``). Re-exported by :mod:`casework.services.closure`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from casework.clock import local_today
from casework.config import closure_rules, council_rules
from casework.db.database import Database
from casework.db.models import (
    ClosureOverride,
    ClosureRequest,
    YoungPerson,
)
from casework.domain.closure import RequestStatus as Status
from casework.services.closure_facts import _day, _names
from casework.services.common import checked_reading, require, rows_in
from casework.services.permissions import (
    CASE_ROLES,
    Action,
    Actor,
    Role,
)


@dataclass(frozen=True)
class QueueRow:
    request_id: int
    person_id: int
    child_uid: str
    name: str
    status: Status
    reason: str
    worker_id: int
    worker: str
    submitted_at: datetime
    waiting_working_days: int
    flagged: bool
    overrides: int
    reviewed_by: str | None
    review_comments: str
    voided: bool


def queue(
    db: Database,
    actor: Actor,
    *,
    now: datetime,
    statuses: Sequence[Status] = (Status.PENDING,),
    worker_id: int | None = None,
) -> list[QueueRow]:
    """Closure requests in the teams the actor leads (a practitioner sees their own),
    longest waiting first; pending ones waiting past the configured working days are
    flagged."""
    if actor.role not in CASE_ROLES:
        require(db, actor, Action.LIST_CASELOAD, now=now)
        return []
    today = local_today(now)
    calendar = council_rules().calendar
    limit = closure_rules().review_flag_working_days
    r, p = ClosureRequest, YoungPerson
    stmt = (
        select(r, p.child_uid, p.first_name, p.last_name)
        .join(p, p.id == r.young_person_id)
        .where(r.status.in_([s.value for s in statuses]))
        .order_by(r.submitted_at, r.id)
    )
    if actor.role is Role.TEAM_LEAD:
        stmt = stmt.where(p.team_id.in_(actor.led_team_ids or actor.team_ids))
    else:
        stmt = stmt.where(r.requested_by == actor.user_id)
    if worker_id is not None:
        stmt = stmt.where(r.requested_by == worker_id)
    with checked_reading(db, actor, Action.LIST_CASELOAD, now=now) as session:
        names = _names(session)
        rows = session.execute(stmt).all()
        counts: dict[int, int] = defaultdict(int)
        ids = [row[0].id for row in rows]
        for (rid,) in rows_in(
            session, select(ClosureOverride.request_id), ClosureOverride.request_id, ids
        ):
            counts[rid] += 1
    out = []
    for req, uid, first, last in rows:
        submitted = _day(req.submitted_at)
        waiting = calendar.working_days_between(submitted, today)
        out.append(
            QueueRow(
                request_id=req.id,
                person_id=req.young_person_id,
                child_uid=uid,
                name=f"{first} {last}",
                status=Status(req.status),
                reason=req.reason,
                worker_id=req.requested_by,
                worker=names.get(req.requested_by, "?"),
                submitted_at=req.submitted_at,
                waiting_working_days=waiting,
                flagged=req.status == Status.PENDING and waiting > limit,
                overrides=counts.get(req.id, 0),
                reviewed_by=names.get(req.reviewed_by) if req.reviewed_by else None,
                review_comments=req.review_comments,
                voided=req.voided_at is not None,
            )
        )
    return out
