"""What is due from the front door and risk work, for many young people at once: decisions
on contacts and referrals, assessments, telling the LADO, allegation strategy meetings and
outcomes, return interviews, risk reviews and sign-offs, and chasing referrals out. The
items join the care-leaver ones in "My work", the caseload and ``report due``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.config import front_door_rules
from casework.db.models import (
    Allegation,
    MissingEpisode,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
)
from casework.domain import front_door as fd
from casework.domain.calendar import WorkingCalendar, is_overdue
from casework.domain.due import DueItem, DueKind
from casework.services.common import rows_in

Items = dict[int, list[DueItem]]


def _add(
    out: Items,
    pid: int,
    kind: DueKind,
    due: date,
    today: date,
    title: str,
    detail: str,
    source: int,
) -> None:
    out[pid].append(DueItem(kind, due, is_overdue(due, today), title, detail, source))


def _day(moment: datetime) -> date:
    return to_local(moment).date()


def _decisions(
    session: Session, ids: Sequence[int], today: date, cal: WorkingCalendar, out: Items
) -> None:
    c = SafeguardingContact
    for pid, cid, received in rows_in(
        session,
        select(c.young_person_id, c.id, c.received_at).where(c.decided_at.is_(None)),
        c.young_person_id,
        ids,
    ):
        _add(
            out,
            pid,
            DueKind.CONTACT_DECISION,
            fd.contact_decision_due(to_local(received), cal),
            today,
            "Decide what happens to the safeguarding contact (1 working day)",
            f"Received {to_local(received):%d/%m/%Y %H:%M}.",
            cid,
        )
    r = Referral
    stmt = select(
        r.young_person_id,
        r.id,
        r.received_at,
        r.decided_at,
        r.decision,
        r.assessment_completed_on,
        r.strategy_discussion_on,
        r.icpc_on,
        r.icpc_not_required_reason,
    )
    for pid, rid, received, decided, decision, done, strategy, icpc, not_needed in rows_in(
        session, stmt, r.young_person_id, ids
    ):
        if strategy is not None and icpc is None and not not_needed:
            _add(
                out,
                pid,
                DueKind.ICPC,
                fd.icpc_due(strategy, cal),
                today,
                "Hold the initial child protection conference, or record why it is not needed",
                f"Strategy discussion on {strategy:%d/%m/%Y} (15 working days).",
                rid,
            )
        if decided is None:
            _add(
                out,
                pid,
                DueKind.REFERRAL_DECISION,
                fd.referral_decision_due(to_local(received), cal),
                today,
                "Decide on the referral (1 working day)",
                f"Received {to_local(received):%d/%m/%Y %H:%M}.",
                rid,
            )
        elif decision == fd.ReferralDecision.ASSESSMENT.value and done is None:
            _add(
                out,
                pid,
                DueKind.ASSESSMENT,
                fd.assessment_due(to_local(received), cal),
                today,
                "Complete the child and family assessment (45 working days)",
                f"Referral received {to_local(received):%d/%m/%Y}.",
                rid,
            )


def _allegations(
    session: Session, ids: Sequence[int], today: date, cal: WorkingCalendar, out: Items
) -> None:
    a = Allegation
    stmt = select(
        a.young_person_id, a.id, a.received_at, a.lado_notified_at, a.strategy_meeting_at
    ).where(a.outcome.is_(None))
    for pid, aid, received, lado, meeting in rows_in(session, stmt, a.young_person_id, ids):
        local = to_local(received)
        if lado is None:
            _add(
                out,
                pid,
                DueKind.LADO_NOTIFICATION,
                fd.lado_notification_due(local, cal),
                today,
                "Tell the LADO about the allegation (1 working day)",
                f"Allegation received {local:%d/%m/%Y %H:%M}.",
                aid,
            )
        if meeting is None:
            _add(
                out,
                pid,
                DueKind.STRATEGY_MEETING,
                fd.strategy_meeting_due(local, front_door_rules().strategy_meeting_hours).date(),
                today,
                "Hold the allegation strategy meeting (72 hours)",
                f"Allegation received {local:%d/%m/%Y %H:%M}.",
                aid,
            )
        _add(
            out,
            pid,
            DueKind.ALLEGATION_OUTCOME,
            today,
            today,
            "Allegation open: record its outcome when decided",
            "An allegation stays on the record until an outcome is recorded.",
            aid,
        )


def _missing(session: Session, ids: Sequence[int], today: date, out: Items) -> None:
    m = MissingEpisode
    stmt = select(m.young_person_id, m.id, m.ended_at).where(
        m.ended_at.is_not(None), m.interview_offered_at.is_(None)
    )
    for pid, eid, ended in rows_in(session, stmt, m.young_person_id, ids):
        due = fd.return_interview_due(to_local(ended))
        _add(
            out,
            pid,
            DueKind.RETURN_INTERVIEW,
            due.date(),
            today,
            "Offer a return interview (within 72 hours of return)",
            f"Returned {to_local(ended):%d/%m/%Y %H:%M}; offer by {due:%d/%m/%Y %H:%M}.",
            eid,
        )


def _risks(session: Session, ids: Sequence[int], today: date, out: Items) -> None:
    r = RiskScreening
    stmt = select(
        r.young_person_id, r.id, r.risk_type, r.level, r.screened_on, r.review_on, r.signed_off_on
    ).order_by(r.screened_on.desc(), r.id.desc())
    seen: set[tuple[int, str]] = set()
    for pid, rid, kind, level, screened, review, signed in rows_in(
        session, stmt, r.young_person_id, ids
    ):
        if (pid, kind) in seen:
            continue  # only the latest screening of each type counts
        seen.add((pid, kind))
        label = fd.RiskType.parse(kind).label
        risk = fd.RiskLevel.parse(level)
        if review is not None and risk is not fd.RiskLevel.NONE:
            _add(
                out,
                pid,
                DueKind.RISK_REVIEW,
                review,
                today,
                f"Review the {label.lower()} risk ({risk.label.lower()})",
                f"Screened {screened:%d/%m/%Y}.",
                rid,
            )
        if risk.needs_sign_off and signed is None:
            _add(
                out,
                pid,
                DueKind.RISK_SIGN_OFF,
                screened,
                today,
                f"Team lead to sign off the high {label.lower()} risk",
                f"Screened {screened:%d/%m/%Y}.",
                rid,
            )


def _chases(session: Session, ids: Sequence[int], today: date, out: Items) -> None:
    s = ServiceReferral
    final = [status.value for status in fd.ServiceReferralStatus if status.final]
    stmt = select(
        s.young_person_id, s.id, s.service, s.sent_on, s.expected_by, s.last_chased_on
    ).where(s.status.not_in(final))
    for pid, sid, service, sent, expected, chased in rows_in(session, stmt, s.young_person_id, ids):
        due = fd.service_referral_chase_due(sent, expected, last_chased_on=chased)
        _add(
            out,
            pid,
            DueKind.SERVICE_CHASE,
            due,
            today,
            f"Chase the {fd.ServiceType.parse(service).label.lower()} referral",
            f"Sent {sent:%d/%m/%Y}; no outcome recorded yet.",
            sid,
        )


def front_door_items(
    session: Session, ids: Sequence[int], today: date, calendar: WorkingCalendar
) -> Items:
    out: Items = defaultdict(list)
    steps: list[Callable[[], None]] = [
        lambda: _decisions(session, ids, today, calendar, out),
        lambda: _allegations(session, ids, today, calendar, out),
        lambda: _missing(session, ids, today, out),
        lambda: _risks(session, ids, today, out),
        lambda: _chases(session, ids, today, out),
    ]
    for step in steps:
        step()
    return out


def open_risks(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Per young person, their open risks (the latest screening of each type, when medium or
    high), highest first, as "Child sexual exploitation: high"."""
    r = RiskScreening
    stmt = select(r.young_person_id, r.risk_type, r.level).order_by(
        r.screened_on.desc(), r.id.desc()
    )
    latest: dict[tuple[int, str], fd.RiskLevel] = {}
    for pid, kind, level in rows_in(session, stmt, r.young_person_id, ids):
        latest.setdefault((pid, kind), fd.RiskLevel.parse(level))
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for (pid, kind), level in latest.items():
        if level.needs_review_within_weeks:
            label = f"{fd.RiskType.parse(kind).label}: {level.label.lower()}"
            found[pid].append((-level.rank, label))
    return {pid: tuple(label for _, label in sorted(items)) for pid, items in found.items()}
