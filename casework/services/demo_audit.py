"""Demo closure audits: last month's approved closures across the teams (some with an
overridden check, some with exploitation or missing risk in the year before), the month's
sample drawn with a recorded seed, and its audits in every state: waiting for an auditor,
assigned, in progress, waiting for the blind second audit, auditors disagreeing, resolved,
and complete, one found unsafe with its reopening recommended, with learning actions open,
overdue and done. Written inside the demo's transaction; the closure steps reuse the demo
closure module so every closure passed the engine's checks when it was approved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_naive_utc
from casework.db.models import (
    AuditGrade,
    AuditJudgement,
    ClosureAudit,
    ClosureRequest,
    Contact,
    ContactAddendum,
    LearningAction,
    MissingEpisode,
    RiskScreening,
    User,
)
from casework.domain import closure as closure_rules
from casework.domain.audit_sampling import AuditDomain
from casework.domain.calendar import add_months
from casework.services import contact_summary
from casework.services.closure import load_facts
from casework.services.closure_audit import AGREED, FIRST, SECOND, draw_sample_in
from casework.services.demo_closure import (
    _approve,
    _Case,
    _close,
    _data,
    _plan_review,
    _ready_case,
    _request,
    add_repeat_referrals,
    lawfully_closable,
)
from casework.services.permissions import SYSTEM_ACTOR

DEMO_SEED = 20261
_KINDS = ("plain", "override", "exploitation", "missing", "exploitation", "override")


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0))


def _add_history(session: Session, c: _Case, kind: str, ready_on: date) -> None:
    """What puts a closure in the sample beyond chance: a medium or high CSE/CCE screening
    or a missing episode in the year before (since resolved, as the checks require)."""
    if kind == "exploitation":
        session.add(
            RiskScreening(
                young_person_id=c.pid,
                risk_type="cse" if c.pid % 2 else "cce",
                level="high" if c.pid % 3 == 0 else "medium",
                indicators="Older associates; unexplained gifts",
                reasoning="Concerns from college about older men collecting them.",
                screened_on=ready_on - timedelta(days=190),
                review_on=ready_on - timedelta(days=160),
                screened_by=c.worker,
            )
        )
    elif kind == "missing":
        start = _moment(ready_on - timedelta(days=140), 22)
        session.add(
            MissingEpisode(
                young_person_id=c.pid,
                started_at=start,
                ended_at=start + timedelta(hours=30),
                reported_to_police=True,
                interview_offered_at=start + timedelta(hours=50),
                interview_accepted=True,
                interview_held_at=start + timedelta(hours=52),
                learned="Stayed with a friend after an argument at the hostel.",
                recorded_by=c.worker,
            )
        )
    elif kind == "override":
        add_repeat_referrals(session, c, ready_on)
    session.flush()


def _close_last_month(
    session: Session, c: _Case, kind: str, closed_on: date, now: datetime
) -> ClosureRequest | None:
    ready_on = closed_on - timedelta(days=2)
    _plan_review(session, c, ready_on)
    if not _ready_case(session, c, ready_on, now):
        return None
    _add_history(session, c, kind, ready_on)
    data = _data()
    if kind == "override":
        why = (
            "Both referrals were about rent arrears, now cleared with a repayment plan; no "
            "safeguarding concern in either."
        )
        data = replace(data, justifications={closure_rules.CheckId.RE_REFERRALS.value: why})
    at = _moment(ready_on, 10)
    row = _request(session, c, data, at, now)
    if row is None:
        return None
    _approve(session, c, row, at + timedelta(hours=26))
    _close(session, c, row, closed_on)
    # Nothing was recorded on a closed case after it closed.
    later = select(Contact.id).where(
        Contact.young_person_id == c.pid, Contact.occurred_at > _moment(closed_on, 23)
    )
    session.execute(delete(ContactAddendum).where(ContactAddendum.contact_id.in_(later)))
    session.execute(
        delete(Contact).where(
            Contact.young_person_id == c.pid, Contact.occurred_at > _moment(closed_on, 23)
        )
    )
    contact_summary.refresh(session, [c.pid])
    return row


def _grades(overall: str, **worse: str) -> dict[str, tuple[str, str]]:
    notes = {
        AuditDomain.RELATIONSHIP: "Regular visits, seen alone; the PA knew them well.",
        AuditDomain.RISK: "Screenings up to date; the earlier concerns were reviewed.",
        AuditDomain.VOICE: "Their views are recorded in their own words.",
        AuditDomain.OVERSIGHT: "Supervision notes show the team lead tracking progress.",
        AuditDomain.PLANNING: "Pathway plan reviewed; goals met before closing.",
        AuditDomain.DECISION: "Closed when support was no longer needed; letter given.",
        AuditDomain.RECORDING: "Timely, clear contact records.",
    }
    base = "outstanding" if overall == "outstanding" else "good"
    return {d.value: (worse.get(d.value, base), notes[d]) for d in AuditDomain}


def _judge(
    session: Session,
    audit: ClosureAudit,
    kind: str,
    auditor: int,
    at: datetime,
    *,
    overall: str,
    safe: bool = True,
    note: str = "",
    submitted: bool = True,
    **worse: str,
) -> None:
    row = AuditJudgement(
        audit_id=audit.id,
        kind=kind,
        auditor_id=auditor,
        overall=overall,
        safe=safe,
        safety_note=note,
        summary="Audited against the record as it stood on the closure date.",
        started_at=to_naive_utc(at - timedelta(hours=2)),
        submitted_at=to_naive_utc(at) if submitted else None,
    )
    session.add(row)
    session.flush()
    for domain, (grade, evidence) in _grades(overall, **worse).items():
        session.add(AuditGrade(judgement_id=row.id, domain=domain, grade=grade, evidence=evidence))


def _action(
    session: Session, audit: ClosureAudit, owner: int, by: int, text: str, due: date, at: datetime
) -> LearningAction:
    row = LearningAction(
        audit_id=audit.id,
        owner_id=owner,
        description=text,
        due_on=due,
        created_by=by,
        created_at=to_naive_utc(at),
    )
    session.add(row)
    return row


class _Auditing:
    """The state shared while the demo's audits are written."""

    def __init__(
        self, session: Session, audits: list[ClosureAudit], demo_lead: int, today: date
    ) -> None:
        self.session, self.demo_lead, self.today = session, demo_lead, today
        ids = [a.closure_request_id for a in audits]
        self.requests = {
            r.id: r
            for r in session.scalars(select(ClosureRequest).where(ClosureRequest.id.in_(ids)))
        }
        self.leads = list(
            session.scalars(select(User.id).where(User.role == "team_lead").order_by(User.id))
        )
        self.at = _moment(today - timedelta(days=6), 15)
        self.made: dict[str, int] = {}

    def count(self, state: str) -> None:
        self.made[state] = self.made.get(state, 0) + 1

    def free(self, audit: ClosureAudit) -> list[int]:
        """Team leads who may audit it, the demo lead first."""
        req = self.requests[audit.closure_request_id]
        barred = {req.requested_by, req.reviewed_by}
        ordered = [self.demo_lead, *[u for u in self.leads if u != self.demo_lead]]
        return [u for u in ordered if u not in barred]

    def worker(self, audit: ClosureAudit) -> int:
        return self.requests[audit.closure_request_id].requested_by

    def moderated(self, audits: list[ClosureAudit]) -> None:
        """Waiting for the second audit; auditors disagree; resolved."""
        session, at = self.session, self.at
        for n, audit in enumerate(audits[:3]):
            people = self.free(audit)
            if len(people) < 2:
                self.count("unassigned")
                continue
            # The demo lead moderates, and chairs the moderation that resolves.
            first, second, third = people[1], people[0], people[0]
            audit.auditor_id, audit.moderator_id = first, second
            audit.assigned_by, audit.assigned_at = self.demo_lead, to_naive_utc(at)
            _judge(session, audit, FIRST, first, at, overall="good")
            if n == 0:
                self.count("awaiting_moderation")
                continue
            _judge(
                session,
                audit,
                SECOND,
                second,
                at + timedelta(days=2),
                overall="requires_improvement",
                voice="requires_improvement",
                oversight="inadequate",
            )
            if n == 1:
                self.count("disagreement")
                continue
            self._resolve(audit, third)

    def _resolve(self, audit: ClosureAudit, who: int) -> None:
        at = self.at + timedelta(days=3)
        _judge(
            self.session,
            audit,
            AGREED,
            who,
            at,
            overall="requires_improvement",
            voice="requires_improvement",
            oversight="requires_improvement",
        )
        audit.resolution_note = (
            "Moderation meeting: the young person's views were recorded second-hand, and "
            "supervision did not test the plan for closing. Agreed requires improvement."
        )
        audit.resolved_by, audit.resolved_at = who, to_naive_utc(at)
        worker = self.worker(audit)
        done = _action(
            self.session,
            audit,
            worker,
            who,
            "Record the young person's views in their own words at the closing visit.",
            self.today - timedelta(days=1),
            at,
        )
        done.done_on, done.done_by = self.today - timedelta(days=2), worker
        done.done_note = "Discussed in supervision; template for the closing visit updated."
        self.count("resolved")

    def single(self, audits: list[ClosureAudit]) -> None:
        """Unsafe with reopening recommended; complete; in progress; assigned; the rest
        waiting for an auditor."""

        # The unsafe one first: a closure the demo lead approved, so they see the
        # reopening to decide in My work, while someone else audits it.
        def approved_by_lead(a: ClosureAudit) -> bool:
            return self.requests[a.closure_request_id].reviewed_by == self.demo_lead

        # After the unsafe one, those the demo lead may audit come first.
        audits = sorted(audits, key=lambda a: not approved_by_lead(a))
        audits = audits[:1] + sorted(audits[1:], key=approved_by_lead)
        for n, audit in enumerate(audits):
            people = self.free(audit)
            if n >= 6 or not people:
                self.count("unassigned")
                continue
            auditor = people[1] if n == 0 and len(people) > 1 else people[0]
            audit.auditor_id = auditor
            audit.assigned_by, audit.assigned_at = self.demo_lead, to_naive_utc(self.at)
            if n == 0:
                self._unsafe(audit, auditor)
            elif n in (1, 4):
                overall = "good" if n == 1 else "outstanding"
                _judge(self.session, audit, FIRST, auditor, self.at, overall=overall)
                self.count("complete")
            elif n == 2:
                _judge(
                    self.session, audit, FIRST, auditor, self.at, overall="good", submitted=False
                )
                self.count("in_progress")
            else:
                self.count("assigned")

    def _unsafe(self, audit: ClosureAudit, auditor: int) -> None:
        note = (
            "Exploitation risk was high within the year and the closure summary does not say "
            "who would notice if it returned; no multi-agency view was sought."
        )
        _judge(
            self.session,
            audit,
            FIRST,
            auditor,
            self.at,
            overall="inadequate",
            safe=False,
            note=note,
            risk="inadequate",
            closure_decision="inadequate",
        )
        audit.reopen_requested_at = to_naive_utc(self.at)
        audit.reopen_reason = note
        worker = self.worker(audit)
        for text, due in (
            (
                "Complete exploitation risk training (safeguarding partnership course).",
                self.today + timedelta(days=21),
            ),
            (
                "Contact the young person and offer a review of their support.",
                self.today - timedelta(days=2),
            ),
        ):
            _action(self.session, audit, worker, auditor, text, due, self.at)
        self.count("unsafe")


def populate_audits(
    session: Session,
    candidates: Sequence[tuple[int, int, int]],
    *,
    now: datetime,
    demo_lead: int,
) -> dict[str, int]:
    """Close some of ``candidates`` ((person id, worker id, team lead id), people in touch
    and suitably housed, in any team) last month, draw last month's sample and audit it.
    ``demo_lead`` is the team lead the demo signs in as: they audit closures in other
    teams. Returns how many audits are in each state."""
    today = local_today(now)
    start = add_months(today.replace(day=1), -1)
    end = today.replace(day=1) - timedelta(days=1)
    days = [start + timedelta(days=n) for n in range(1, (end - start).days)]
    closed = 0
    lawful = lawfully_closable(load_facts(session, [c[0] for c in candidates], start), start)
    candidates = [c for c in candidates if c[0] in lawful]
    for pid, worker, lead in candidates:
        if closed >= min(20, len(days)):
            break
        kind = _KINDS[closed % len(_KINDS)]
        if _close_last_month(session, _Case(pid, worker, lead), kind, days[closed], now):
            closed += 1
    session.flush()
    if not closed:
        return {}
    sample = draw_sample_in(
        session, SYSTEM_ACTOR, start, end, DEMO_SEED, now=_moment(end + timedelta(days=1), 9)
    )
    audits = list(
        session.scalars(
            select(ClosureAudit)
            .where(ClosureAudit.sample_id == sample.id)
            .order_by(ClosureAudit.id)
        )
    )
    work = _Auditing(session, audits, demo_lead, today)
    work.moderated([a for a in audits if a.moderated])
    work.single([a for a in audits if not a.moderated])
    session.flush()
    return work.made
