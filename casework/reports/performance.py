"""``casework-admin report performance``: figures for a period, for a council's
performance team, each as numerator, denominator and percentage, in all, per team and per
worker.

Only figures the record supports soundly are given: the front door's timescales (contacts
and referrals decided within 1 working day, assessments authorised within 45 working days,
the LADO told within 1 working day; Working Together to Safeguard Children 2023, chapter 2,
and Keeping Children Safe in Education 2024, part 4), allegations with an outcome, closures
by reason, closures with an overridden check, and closure-audit grades. A young person's
team and worker are those allocated now (the record keeps no history of allocation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.config import council_rules
from casework.db.database import Database
from casework.db.models import (
    Allegation,
    AuditJudgement,
    ClosureAudit,
    ClosureOverride,
    ClosureRequest,
    Referral,
    SafeguardingContact,
    Team,
    User,
    YoungPerson,
)
from casework.domain import front_door as fd
from casework.domain import performance as perf
from casework.domain.audit_sampling import Grade
from casework.domain.closure import RequestStatus, reason_label
from casework.domain.codes import UnknownCode
from casework.errors import ValidationFailed
from casework.services.common import require
from casework.services.permissions import Action, Actor

UNALLOCATED = "Unallocated"
Who = Callable[[int], tuple[str, str]]


def _day(moment: datetime) -> date:
    return to_local(moment).date()


def _whose(session: Session) -> dict[int, tuple[str, str]]:
    """Each young person's team name and allocated worker's name (PA, else social worker)."""
    teams = {tid: name for tid, name in session.execute(select(Team.id, Team.name))}
    users = {uid: name for uid, name in session.execute(select(User.id, User.display_name))}
    out = {}
    for pid, team, pa, sw in session.execute(
        select(
            YoungPerson.id,
            YoungPerson.team_id,
            YoungPerson.personal_adviser_id,
            YoungPerson.social_worker_id,
        )
    ):
        worker = pa or sw
        out[pid] = (teams.get(team, "?"), users.get(worker, UNALLOCATED) if worker else UNALLOCATED)
    return out


def _label(code: str) -> str:
    try:
        return reason_label(code)
    except UnknownCode:
        return code


def performance_report(
    db: Database, actor: Actor, start: date, end: date, *, now: datetime
) -> dict[str, Any]:
    """The figures for work that arrived (or closures that happened) from ``start`` to
    ``end`` inclusive."""
    require(db, actor, Action.RUN_REPORTS, now=now, record_type="report")
    if end < start:
        raise ValidationFailed([f"to: {end.isoformat()} is before from: {start.isoformat()}."])
    calendar = council_rules().calendar

    def inside(moment: datetime) -> bool:
        return start <= _day(moment) <= end

    with db.reading() as session:
        whose = _whose(session)

        def who(pid: int) -> tuple[str, str]:
            return whose.get(pid, ("?", UNALLOCATED))

        c = SafeguardingContact
        contacts = [
            perf.timed(
                *who(pid),
                fd.contact_decision_due(_day(at), calendar),
                _day(done) if done else None,
                end,
            )
            for pid, at, done in session.execute(
                select(c.young_person_id, c.received_at, c.decided_at)
            )
            if inside(at)
        ]
        r = Referral
        referral_rows = [
            row
            for row in session.execute(
                select(
                    r.young_person_id,
                    r.received_at,
                    r.decided_at,
                    r.decision,
                    r.assessment_authorised_on,
                )
            )
            if inside(row[1])
        ]
        referrals = [
            perf.timed(
                *who(pid),
                fd.referral_decision_due(_day(at), calendar),
                _day(done) if done else None,
                end,
            )
            for pid, at, done, _decision, _auth in referral_rows
        ]
        assessments = [
            perf.timed(*who(pid), fd.assessment_due(_day(at), calendar), authorised, end)
            for pid, at, _done, decision, authorised in referral_rows
            if decision and _proceeds(decision)
        ]
        a = Allegation
        allegation_rows = [
            row
            for row in session.execute(
                select(a.young_person_id, a.received_at, a.lado_notified_at, a.outcome)
            )
            if inside(row[1])
        ]
        lado = [
            perf.timed(
                *who(pid),
                fd.lado_notification_due(_day(at), calendar),
                _day(told) if told else None,
                end,
            )
            for pid, at, told, _outcome in allegation_rows
        ]
        outcomes = [
            perf.Measured(*who(pid), True, outcome is not None)
            for pid, _at, _told, outcome in allegation_rows
        ]
        closures, overrides, grades = _closures(session, start, end, who)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "allocation": "team and worker as allocated now",
        "as_recorded_at": now.isoformat(timespec="seconds"),
        "figures": [
            perf.figure(
                "contacts_decided_within_1_working_day",
                "Contacts decided within 1 working day",
                contacts,
                "Working Together to Safeguard Children 2023, chapter 2",
            ),
            perf.figure(
                "referrals_decided_within_1_working_day",
                "Referrals decided within 1 working day",
                referrals,
                "Working Together to Safeguard Children 2023, chapter 2",
            ),
            perf.figure(
                "assessments_within_45_working_days",
                "Assessments authorised within 45 working days of the referral",
                assessments,
                "Working Together to Safeguard Children 2023, chapter 2",
            ),
            perf.figure(
                "lado_told_within_1_working_day",
                "Allegations: the LADO told within 1 working day",
                lado,
                "Keeping Children Safe in Education 2024, part 4; Working Together 2023",
            ),
            perf.figure("allegations_with_outcome", "Allegations with an outcome", outcomes),
            perf.figure(
                "closures_with_override",
                "Closures where a closure check was overridden",
                overrides,
            ),
            perf.counts_by(
                "closures_by_reason",
                "Closures by reason",
                closures,
                {},
            ),
            perf.counts_by(
                "audit_grades",
                "Closure-audit overall grades (agreed grade where moderated)",
                grades,
                {g.value: g.label for g in Grade},
            ),
        ],
    }


def _proceeds(decision: str) -> bool:
    try:
        return fd.ReferralDecision.parse(decision).proceeds_to_assessment
    except UnknownCode:
        return False


def _closures(
    session: Session, start: date, end: date, who: Who
) -> tuple[list[tuple[str, str, str]], list[perf.Measured], list[tuple[str, str, str]]]:
    r = ClosureRequest
    rows = session.execute(
        select(r.id, r.young_person_id, r.reason)
        .where(r.status == RequestStatus.CLOSED.value)
        .where(r.closed_on >= start)
        .where(r.closed_on <= end)
    ).all()
    overridden = set(session.scalars(select(ClosureOverride.request_id)))
    closures = [(*who(pid), _label(reason)) for _rid, pid, reason in rows]
    overrides = [perf.Measured(*who(pid), True, rid in overridden) for rid, pid, _r in rows]
    ids = {rid for rid, _pid, _r in rows}
    judged: dict[int, dict[str, str | None]] = defaultdict(dict)
    audit_of: dict[int, tuple[int, int]] = {}
    for aid, rid, pid in session.execute(
        select(ClosureAudit.id, ClosureAudit.closure_request_id, ClosureAudit.young_person_id)
    ):
        if rid in ids:
            audit_of[aid] = (rid, pid)
    j = AuditJudgement
    for aid, kind, overall, submitted in session.execute(
        select(j.audit_id, j.kind, j.overall, j.submitted_at)
    ):
        if aid in audit_of and submitted is not None:
            judged[aid][kind] = overall
    grades = _final_grades(judged, audit_of, who)
    return closures, overrides, grades


def _final_grades(
    judged: dict[int, dict[str, str | None]], audit_of: dict[int, tuple[int, int]], who: Who
) -> list[tuple[str, str, str]]:
    out: Iterable[tuple[str, str, str]] = (
        (*who(audit_of[aid][1]), kinds.get("agreed") or kinds.get("first") or "")
        for aid, kinds in judged.items()
    )
    return [g for g in out if g[2]]
