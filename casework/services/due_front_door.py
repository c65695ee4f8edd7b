"""What is due from the front door and risk work, for many young people at once: decisions
on contacts and referrals, assessments (45 working days from receipt until a team lead
authorises them), telling the LADO, the LADO's strategy decision and meeting, allegations
open against KCSIE's expectations, young people still missing, return interviews held,
risk screenings after an exploitation factor, risk reviews and sign-offs (high levels and
lowered levels), child protection review conferences and core groups, and chasing
referrals out. The items join the care-leaver ones in "My work", the caseload and
``report due``. Each item's detail names its source."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.config import front_door_rules
from casework.db.models import (
    Allegation,
    ChildProtectionMeeting,
    ChildProtectionPlan,
    MissingEpisode,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
)
from casework.domain import front_door as fd
from casework.domain.calendar import WorkingCalendar, is_overdue
from casework.domain.due import DueItem, DueKind
from casework.services.common import People, rows_in

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


def _by(day: date | None, cut: date | None) -> date | None:
    """``day`` as known at the end of ``cut``: a date after it had not happened yet. With no
    ``cut`` (the record as it stands) every date counts."""
    return None if day is None or (cut is not None and day > cut) else day


def _at_by(moment: datetime | None, cut: date | None) -> datetime | None:
    """A stored time as known at the end of ``cut`` (its local date decides)."""
    if moment is None or (cut is not None and _day(moment) > cut):
        return None
    return moment


def _contact_decisions(
    session: Session,
    ids: People,
    today: date,
    cal: WorkingCalendar,
    out: Items,
    cut: date | None = None,
) -> None:
    c = SafeguardingContact
    undecided = select(c.young_person_id, c.id, c.received_at, c.decided_at)
    if cut is None:
        undecided = undecided.where(c.decided_at.is_(None))
    for pid, cid, received, decided_at in rows_in(session, undecided, c.young_person_id, ids):
        if _at_by(received, cut) is None or _at_by(decided_at, cut) is not None:
            continue  # received after the day, or decided by then
        _add(
            out,
            pid,
            DueKind.CONTACT_DECISION,
            fd.contact_decision_due(to_local(received), cal),
            today,
            "Decide what happens to the safeguarding contact (1 working day)",
            f"Received {to_local(received):%d/%m/%Y %H:%M}. Local practice: a decision "
            "within 1 working day of receipt.",
            cid,
        )


def _decisions(
    session: Session,
    ids: People,
    today: date,
    cal: WorkingCalendar,
    out: Items,
    cut: date | None = None,
) -> None:
    r = Referral
    stmt = select(
        r.young_person_id,
        r.id,
        r.received_at,
        r.decided_at,
        r.decision,
        r.assessment_authorised_on,
        r.strategy_discussion_on,
        r.icpc_on,
        r.icpc_not_required_reason,
    )
    for pid, rid, received, decided, decision, authorised, strategy, icpc, not_needed in rows_in(
        session, stmt, r.young_person_id, ids
    ):
        if cut is not None:
            if _at_by(received, cut) is None:
                continue
            if strategy is not None and strategy > cut:
                not_needed = ""  # undated: taken as recorded after the discussion it follows
            decided, authorised = _at_by(decided, cut), _by(authorised, cut)
            strategy, icpc = _by(strategy, cut), _by(icpc, cut)
            decision = decision if decided is not None else None
        if strategy is not None and icpc is None and not not_needed:
            _add(
                out,
                pid,
                DueKind.ICPC,
                fd.icpc_due(strategy, cal),
                today,
                "Hold the initial child protection conference, or record why it is not needed",
                f"Strategy discussion on {strategy:%d/%m/%Y}. Working Together 2023: the "
                "conference within 15 working days of the strategy discussion.",
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
                f"Received {to_local(received):%d/%m/%Y %H:%M}. Working Together 2023: a "
                "decision within 1 working day of the referral's receipt.",
                rid,
            )
        elif fd.assessment_open(decision, authorised):
            _add(
                out,
                pid,
                DueKind.ASSESSMENT,
                fd.assessment_due(to_local(received), cal),
                today,
                "Complete and authorise the assessment (45 working days)",
                f"Referral received {to_local(received):%d/%m/%Y}. Working Together 2023: "
                "the assessment is completed, and authorised by a team lead, within 45 "
                "working days of the referral's receipt.",
                rid,
            )


def _allegations(
    session: Session,
    ids: People,
    today: date,
    cal: WorkingCalendar,
    out: Items,
    cut: date | None = None,
) -> None:
    a = Allegation
    stmt = select(
        a.young_person_id,
        a.id,
        a.received_at,
        a.lado_notified_at,
        a.strategy_criteria_met,
        a.strategy_meeting_at,
        a.outcome_on,
    )
    if cut is None:
        stmt = stmt.where(a.outcome.is_(None))
    else:  # an outcome recorded after the day: the allegation was still open then
        stmt = stmt.where(a.outcome.is_(None) | (a.outcome_on > cut))
    hours = front_door_rules().strategy_meeting_hours
    for pid, aid, received, lado, criteria, meeting, _outcome_on in rows_in(
        session, stmt, a.young_person_id, ids
    ):
        if cut is not None:
            if _at_by(received, cut) is None:
                continue
            lado, meeting = _at_by(lado, cut), _at_by(meeting, cut)
            if lado is None:
                criteria = None  # the LADO's decision (undated) follows being told
        local = to_local(received)
        if lado is None:
            _add(
                out,
                pid,
                DueKind.LADO_NOTIFICATION,
                fd.lado_notification_due(local, cal),
                today,
                "Tell the LADO about the allegation (1 working day)",
                f"Allegation received {local:%d/%m/%Y %H:%M}. Working Together 2023 and "
                "KCSIE: the LADO is told within 1 working day.",
                aid,
            )
        elif criteria is None:
            told = to_local(lado)
            _add(
                out,
                pid,
                DueKind.STRATEGY_DECISION,
                cal.add_working_days(told, 1),
                today,
                "Record the LADO's decision: are the criteria for a strategy meeting met?",
                f"LADO told {told:%d/%m/%Y %H:%M}. Local LADO procedure: a strategy meeting "
                "only where the criteria are met; otherwise record why it is not required.",
                aid,
            )
        if fd.strategy_meeting_open(criteria, meeting):
            _add(
                out,
                pid,
                DueKind.STRATEGY_MEETING,
                fd.strategy_meeting_due(local, hours).date(),
                today,
                f"Hold the allegation strategy meeting ({hours} hours)",
                f"Allegation received {local:%d/%m/%Y %H:%M}; the LADO found the criteria "
                f"met. Local LADO procedure: the meeting within {hours} hours.",
                aid,
            )
        stage = fd.allegation_stage(local, today)
        _add(
            out,
            pid,
            DueKind.ALLEGATION_OUTCOME,
            stage.due,
            today,
            "Resolve the allegation and record its outcome",
            stage.text,
            aid,
        )


def _missing(
    session: Session, ids: People, today: date, out: Items, cut: date | None = None
) -> None:
    m = MissingEpisode
    stmt = select(
        m.young_person_id,
        m.id,
        m.started_at,
        m.ended_at,
        m.interview_held_at,
        m.interview_accepted,
        m.interview_offered_at,
    )
    if cut is None:
        stmt = stmt.where(m.interview_held_at.is_(None))
    for pid, eid, started, ended, held, accepted, offered in rows_in(
        session, stmt, m.young_person_id, ids
    ):
        if cut is not None:
            if _at_by(started, cut) is None or _at_by(held, cut) is not None:
                continue  # went missing after the day, or interviewed by then
            ended, held = _at_by(ended, cut), None
            if offered is not None and _at_by(offered, cut) is None:
                accepted = None  # a refusal (undated) answers an offer made after the day
        if ended is None:
            since = to_local(started)
            _add(
                out,
                pid,
                DueKind.STILL_MISSING,
                since.date(),
                today,
                f"Still missing since {since:%d/%m/%Y %H:%M}",
                "Statutory guidance on children who run away or go missing from home or care "
                "(2014): keep looking, with the police, until they are found; record the "
                "return when they are.",
                eid,
            )
            continue
        if not fd.return_interview_open(ended, held, accepted is False):
            continue
        back = to_local(ended)
        due = fd.return_interview_due(back)
        _add(
            out,
            pid,
            DueKind.RETURN_INTERVIEW,
            due.date(),
            today,
            "Hold the return interview (within 72 hours of return)",
            f"Returned {back:%d/%m/%Y %H:%M}; hold it by {to_local(due):%d/%m/%Y %H:%M}. "
            "Statutory guidance on children who run away or go missing (2014): an "
            "independent return interview within 72 hours of return.",
            eid,
        )


def _risks(session: Session, ids: People, today: date, out: Items, cut: date | None = None) -> None:
    r = RiskScreening
    stmt = select(
        r.young_person_id,
        r.id,
        r.risk_type,
        r.level,
        r.screened_on,
        r.review_on,
        r.signed_off_on,
        r.lowered_from,
    ).order_by(r.screened_on.desc(), r.id.desc())
    seen: set[tuple[int, str]] = set()
    for pid, rid, kind, level, screened, review, signed, lowered in rows_in(
        session, stmt, r.young_person_id, ids
    ):
        if _by(screened, cut) is None:
            continue  # screened after the day
        signed = _by(signed, cut)
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
                f"Screened {screened:%d/%m/%Y}. Local practice: a high risk is signed off "
                "by a team lead.",
                rid,
            )
        elif lowered is not None and signed is None:
            was = fd.RiskLevel.parse(lowered).label.lower()
            _add(
                out,
                pid,
                DueKind.RISK_SIGN_OFF,
                screened,
                today,
                f"Team lead to sign off lowering the {label.lower()} risk ({was} to "
                f"{risk.label.lower()})",
                f"Screened {screened:%d/%m/%Y}. Local practice: lowering a medium or high "
                "level needs another team lead's sign-off.",
                rid,
            )


def _chases(
    session: Session, ids: People, today: date, out: Items, cut: date | None = None
) -> None:
    """Referrals out with no final outcome. A referral's status carries no date, so as of a
    day its present status stands; referrals sent after the day and chases after it are
    left out."""
    s = ServiceReferral
    final = [status.value for status in fd.ServiceReferralStatus if status.final]
    stmt = select(
        s.young_person_id, s.id, s.service, s.sent_on, s.expected_by, s.last_chased_on
    ).where(s.status.not_in(final))
    for pid, sid, service, sent, expected, chased in rows_in(session, stmt, s.young_person_id, ids):
        if _by(sent, cut) is None:
            continue
        chased = _by(chased, cut)
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


def _screenings_due(
    session: Session,
    ids: People,
    today: date,
    cal: WorkingCalendar,
    out: Items,
    cut: date | None = None,
) -> None:
    """A screening per risk type after the earliest concern or referral coded with an
    exploitation factor that no screening of that type has followed."""
    received: dict[tuple[int, fd.RiskType], list[tuple[datetime, int]]] = defaultdict(list)
    for model in (SafeguardingContact, Referral):
        stmt = select(model.young_person_id, model.id, model.received_at, model.factors).where(
            model.factors != ""
        )
        for pid, rid, at, factors in rows_in(session, stmt, model.young_person_id, ids):
            if _at_by(at, cut) is None:
                continue  # received after the day
            for risk in fd.exploitation_factors(factors.split(",")):
                received[(pid, risk)].append((at, rid))
    if not received:
        return
    s = RiskScreening
    latest: dict[tuple[int, str], date] = {}
    people = sorted({pid for pid, _ in received})
    screened = select(s.young_person_id, s.risk_type, s.screened_on)
    for pid, kind, on in rows_in(session, screened, s.young_person_id, people):
        if _by(on, cut) is None:
            continue
        key = (pid, kind)
        latest[key] = max(on, latest.get(key, on))
    days = front_door_rules().screening_working_days
    for (pid, risk), seen in received.items():
        done = latest.get((pid, risk.value))
        waiting = [(at, rid) for at, rid in seen if done is None or done < _day(at)]
        if not waiting:
            continue
        at, rid = min(waiting)
        local = to_local(at)
        _add(
            out,
            pid,
            DueKind.RISK_SCREENING,
            fd.screening_due(local, cal, days),
            today,
            f"Screen the {risk.label.lower()} risk",
            f"A concern received {local:%d/%m/%Y} was coded {', '.join(risk.cin_codes)}. "
            f"Local practice: a screening within {days} working days.",
            rid,
        )


def _child_protection(
    session: Session,
    ids: People,
    today: date,
    cal: WorkingCalendar,
    out: Items,
    cut: date | None = None,
) -> None:
    p, m = ChildProtectionPlan, ChildProtectionMeeting
    open_then: ColumnElement[bool] = p.ended_on.is_(None)
    if cut is not None:  # made by the day and not ended by then
        open_then = (p.started_on <= cut) & (open_then | (p.ended_on > cut))
    plans = {
        plan_id: (pid, start)
        for pid, plan_id, start in rows_in(
            session,
            select(p.young_person_id, p.id, p.started_on).where(open_then),
            p.young_person_id,
            ids,
        )
    }
    if not plans:
        return
    met: dict[int, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
    for plan_id, kind, held in rows_in(
        session, select(m.plan_id, m.kind, m.held_on), m.plan_id, sorted(plans)
    ):
        if _by(held, cut) is None:
            continue  # held after the day
        met[plan_id][kind].append(held)
    review, core = fd.CpMeetingKind.REVIEW_CONFERENCE.value, fd.CpMeetingKind.CORE_GROUP.value
    for plan_id, (pid, start) in plans.items():
        reviews = met[plan_id][review]
        _add(
            out,
            pid,
            DueKind.CP_REVIEW,
            fd.cp_review_due(start, reviews),
            today,
            "Hold the child protection review conference",
            (
                f"Plan made at the conference on {start:%d/%m/%Y}. Working Together 2023: "
                "the first review within 3 months of it."
                if not reviews
                else f"Last review {max(reviews):%d/%m/%Y}. Working Together 2023: reviews "
                "at most 6 months apart."
            ),
            plan_id,
        )
        if not any(day >= start for day in met[plan_id][core]):
            _add(
                out,
                pid,
                DueKind.CORE_GROUP,
                fd.core_group_due(start, cal),
                today,
                "Hold the first core group meeting",
                f"Plan made at the conference on {start:%d/%m/%Y}. Working Together 2023: "
                "the core group meets within 10 working days of it.",
                plan_id,
            )


def front_door_items(
    session: Session,
    ids: People,
    today: date,
    calendar: WorkingCalendar,
    *,
    as_of: bool = False,
) -> Items:
    """The front-door items due for many young people on ``today``. ``as_of``: ``today``
    is a day in the past and the items are those of the record as it stood then: facts
    dated after it (concerns, referrals, allegations, screenings, missing episodes, plans,
    meetings, referrals out) are left out, and later steps on earlier facts (decisions,
    authorisations, strategy discussions, conferences, telling the LADO, outcomes,
    returns, interviews, sign-offs, plan ends, chases) are not yet taken."""
    out: Items = defaultdict(list)
    cut = today if as_of else None
    steps: list[Callable[[], None]] = [
        lambda: _contact_decisions(session, ids, today, calendar, out, cut),
        lambda: _decisions(session, ids, today, calendar, out, cut),
        lambda: _allegations(session, ids, today, calendar, out, cut),
        lambda: _missing(session, ids, today, out, cut),
        lambda: _risks(session, ids, today, out, cut),
        lambda: _screenings_due(session, ids, today, calendar, out, cut),
        lambda: _child_protection(session, ids, today, calendar, out, cut),
        lambda: _chases(session, ids, today, out, cut),
    ]
    for step in steps:
        step()
    return out


@dataclass(frozen=True)
class OpenRisk:
    """An open risk: the latest screening of its type is medium or high (a risk that needs
    review within weeks: local practice under Working Together to Safeguard Children 2023).
    ``str()`` reads "Child sexual exploitation: high"."""

    kind: str  # the risk type, in words
    level: fd.RiskLevel

    @property
    def high(self) -> bool:
        return self.level is fd.RiskLevel.HIGH

    def __str__(self) -> str:
        return f"{self.kind}: {self.level.label.lower()}"


def open_risks(
    session: Session, ids: People, *, as_of: date | None = None
) -> dict[int, tuple[OpenRisk, ...]]:
    """Per young person, their open risks (the latest screening of each type, when medium or
    high), highest first; ``as_of``: from the screenings made by that day."""
    r = RiskScreening
    stmt = select(r.young_person_id, r.risk_type, r.level).order_by(
        r.screened_on.desc(), r.id.desc()
    )
    if as_of is not None:
        stmt = stmt.where(r.screened_on <= as_of)
    latest: dict[tuple[int, str], fd.RiskLevel] = {}
    for pid, kind, level in rows_in(session, stmt, r.young_person_id, ids):
        latest.setdefault((pid, kind), fd.RiskLevel.parse(level))
    found: dict[int, list[tuple[int, str, OpenRisk]]] = defaultdict(list)
    for (pid, kind), level in latest.items():
        if level.needs_review_within_weeks:
            label = fd.RiskType.parse(kind).label
            found[pid].append((-level.rank, label, OpenRisk(label, level)))
    return {
        pid: tuple(risk for _, _, risk in sorted(items, key=lambda i: (i[0], i[1])))
        for pid, items in found.items()
    }
