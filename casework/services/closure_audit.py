"""Closure audits: drawing a period's sample of approved closures, assigning auditors,
the audit beside the record as it stood on the closure date, blind moderation and its
resolution, recommended reopenings and learning actions for workers.

The rules are pure (:mod:`casework.domain.audit_sampling`); each use case here checks the
one permission policy, then reads or writes in one transaction with its audit event. A
recommended reopening is a request a team lead acts on: reopening goes through the closure
workflow's own reopen step (:func:`casework.services.closure.reopen_case`), so the
reopening and its audit event are the same whichever screen it starts from; whether the
recommendation has been acted on is derived from the reopenings recorded since.
"""

from __future__ import annotations

import json
import secrets
import types
import typing
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_local, to_naive_utc
from casework.config import audit_rules, closure_rules
from casework.db.database import Database
from casework.db.models import (
    AuditGrade,
    AuditJudgement,
    AuditSample,
    CaseReopening,
    ClosureAudit,
    ClosureOverride,
    ClosureRequest,
    LearningAction,
    MissingEpisode,
    RiskScreening,
    User,
    YoungPerson,
)
from casework.domain import audit_sampling as rules
from casework.domain import closure as closure_rules_mod
from casework.domain.audit_sampling import AuditDomain, AuditState, Grade, SampleReason
from casework.domain.closure import RequestStatus
from casework.domain.codes import UnknownCode
from casework.domain.leaving_care import plain_date
from casework.errors import NotFound, PermissionDenied, Refusal, ValidationFailed
from casework.services import audit, concurrency
from casework.services import closure as closure_service
from casework.services.chronology import events_in, sorted_events
from casework.services.chronology_events import Event
from casework.services.common import Changed, check, check_current, require, rows_in
from casework.services.people import check_on_person
from casework.services.permissions import Action, Actor, Role

RECORD_TYPE = "closure_audit"
_WHAT = "closure audit"
FIRST, SECOND, AGREED = "first", "second", "agreed"


# --- reading the closures a sample is drawn from ---


def _day(moment: datetime) -> date:
    return to_local(moment).date()


def closed_cases(session: Session, start: date, end: date) -> list[rules.ClosedCase]:
    """Approved closures that closed a case between ``start`` and ``end`` (inclusive), with
    their override counts, CSE/CCE/missing screenings and missing episodes: one query per
    table."""
    r = ClosureRequest
    rows = session.execute(
        select(r.id, r.young_person_id, r.closed_on, r.requested_by, r.reviewed_by)
        .where(r.status == RequestStatus.CLOSED.value)
        .where(r.closed_on >= start)
        .where(r.closed_on <= end)
        .order_by(r.id)
    ).all()
    ids = [row[0] for row in rows]
    people = sorted({row[1] for row in rows})
    overrides: dict[int, int] = defaultdict(int)
    for (rid,) in rows_in(
        session, select(ClosureOverride.request_id), ClosureOverride.request_id, ids
    ):
        overrides[rid] += 1
    marks: dict[int, list[rules.RiskMark]] = defaultdict(list)
    s = RiskScreening
    stmt = select(s.young_person_id, s.risk_type, s.level, s.screened_on).where(
        s.risk_type.in_(rules.EXPLOITATION_TYPES)
    )
    for pid, kind, level, on in rows_in(session, stmt, s.young_person_id, people):
        marks[pid].append(rules.RiskMark(kind, level, on))
    spans: dict[int, list[rules.MissingSpan]] = defaultdict(list)
    m = MissingEpisode
    spans_stmt = select(m.young_person_id, m.started_at, m.ended_at)
    for pid, started, ended in rows_in(session, spans_stmt, m.young_person_id, people):
        spans[pid].append(rules.MissingSpan(_day(started), _day(ended) if ended else None))
    return [
        rules.ClosedCase(
            request_id=rid,
            person_id=pid,
            closed_on=closed_on or start,
            requested_by=requested_by,
            approved_by=approved_by,
            overrides=overrides.get(rid, 0),
            screenings=tuple(marks.get(pid, ())),
            missing=tuple(spans.get(pid, ())),
        )
        for rid, pid, closed_on, requested_by, approved_by in rows
    ]


# --- sampling ---


@dataclass(frozen=True)
class SampleSummary:
    id: int
    period_start: date
    period_end: date
    seed: int
    population: int
    sampled: int
    moderated: int
    random_percent: int
    moderation_percent: int
    created_at: datetime
    by_reason: Mapping[str, int] = field(default_factory=dict)


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the first day of that month, or a plain refusal."""
    try:
        year, month = text.strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(
            [f"month: {text!r} is not a month: expected YYYY-MM, like 2026-03."]
        ) from None


def draw_sample(
    db: Database, actor: Actor, month: date, *, now: datetime, seed: int | None = None
) -> SampleSummary:
    """Draw and save the audit sample for the period starting in ``month``. The period
    must have ended and must not overlap an earlier sample. Without a seed one is chosen
    at random; either way it is recorded, so the sample can be drawn again identically."""
    with db.unit_of_work() as session:
        check(session, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
        start, end = rules.period(month, audit_rules())
        today = local_today(now)
        if end >= today:
            raise ValidationFailed(
                [
                    f"month: The period {plain_date(start)} to {plain_date(end)} has not ended "
                    "yet: sample it once it has, so every closure in it is counted."
                ]
            )
        if seed is None:
            seed = secrets.randbelow(2**31 - 1)
        elif not 0 <= seed < 2**31:
            raise ValidationFailed([f"seed: {seed} is not valid: expected 0 to {2**31 - 1}."])
        return _summary(session, draw_sample_in(session, actor, start, end, seed, now=now))


def draw_sample_in(
    session: Session, actor: Actor, start: date, end: date, seed: int, *, now: datetime
) -> AuditSample:
    """Draw and write a sample in ``session`` (the caller has checked permission)."""
    config = audit_rules()
    clash = session.scalars(
        select(AuditSample)
        .where(AuditSample.period_start <= end)
        .where(AuditSample.period_end >= start)
    ).first()
    if clash is not None:
        raise ValidationFailed(
            [
                f"month: A sample already covers {plain_date(clash.period_start)} to "
                f"{plain_date(clash.period_end)} (seed {clash.seed}); each closure is "
                "sampled once."
            ]
        )
    sample = rules.draw_sample(closed_cases(session, start, end), start, end, seed, config)
    row = AuditSample(
        period_start=start,
        period_end=end,
        seed=seed,
        random_percent=config.random_percent,
        moderation_percent=config.moderation_percent,
        lookback_months=config.lookback_months,
        population=sample.population,
        created_by=actor.user_id,
        created_at=to_naive_utc(now),
    )
    session.add(row)
    session.flush()
    for case in sample.cases:
        session.add(
            ClosureAudit(
                sample_id=row.id,
                closure_request_id=case.request_id,
                young_person_id=case.person_id,
                reasons=",".join(r.value for r in case.reasons),
                reason_detail=case.detail,
                moderated=case.moderated,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "draw_audit_sample",
        now=now,
        record_type="audit_sample",
        record_id=row.id,
        fields=["seed", "period_start", "period_end"],
    )
    return row


def _summary(session: Session, row: AuditSample) -> SampleSummary:
    audits = session.execute(
        select(ClosureAudit.reasons, ClosureAudit.moderated).where(ClosureAudit.sample_id == row.id)
    ).all()
    by_reason: dict[str, int] = {r.value: 0 for r in SampleReason}
    for reasons, _ in audits:
        for code in reasons.split(","):
            by_reason[code] = by_reason.get(code, 0) + 1
    return SampleSummary(
        id=row.id,
        period_start=row.period_start,
        period_end=row.period_end,
        seed=row.seed,
        population=row.population,
        sampled=len(audits),
        moderated=sum(1 for _, moderated in audits if moderated),
        random_percent=row.random_percent,
        moderation_percent=row.moderation_percent,
        created_at=row.created_at,
        by_reason=by_reason,
    )


def samples(db: Database, actor: Actor, *, now: datetime) -> list[SampleSummary]:
    """Every sample, newest period first."""
    require(db, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
    with db.reading() as session:
        rows = session.scalars(select(AuditSample).order_by(AuditSample.period_start.desc()))
        return [_summary(session, row) for row in rows]


# --- the list of audits ---


@dataclass(frozen=True)
class AuditRow:
    id: int
    sample_id: int
    period_start: date
    request_id: int
    person_id: int
    child_uid: str
    name: str
    closed_on: date
    closure_reason: str
    requested_by: str
    approved_by: str
    reasons: tuple[SampleReason, ...]
    reason_detail: str
    moderated: bool
    auditor_id: int | None
    auditor: str | None
    moderator_id: int | None
    moderator: str | None
    state: AuditState
    overall: Grade | None  # the agreed grade when there is one, else the first auditor's
    safe: bool | None
    reopen: str  # "", "recommended", "reopened" or "declined"
    open_actions: int
    version: int = 1  # as read: a change to it passes it back

    @property
    def reasons_label(self) -> str:
        return "; ".join(r.label for r in self.reasons)


def _names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}


def _judgements(session: Session, audit_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    j = AuditJudgement
    for (row,) in rows_in(session, select(j), j.audit_id, audit_ids):
        out[row.audit_id][row.kind] = row
    return out


def _grades(session: Session, judgement_ids: Sequence[int]) -> dict[int, list[AuditGrade]]:
    out: dict[int, list[AuditGrade]] = defaultdict(list)
    g = AuditGrade
    for (row,) in rows_in(session, select(g).order_by(g.id), g.judgement_id, judgement_ids):
        out[row.judgement_id].append(row)
    return out


def _judgement(row: Any, grades: Sequence[AuditGrade]) -> rules.Judgement | None:
    """A submitted judgement as the rules compare it (None for a draft)."""
    if row is None or row.submitted_at is None or row.overall is None or row.safe is None:
        return None
    return rules.Judgement(
        row.auditor_id,
        {g.domain: Grade(g.grade) for g in grades if g.grade},
        Grade(row.overall),
        bool(row.safe),
    )


def _reopen_state(row: ClosureAudit, reopened: Collection[int]) -> str:
    """ "" (no reopening recommended), "recommended" (waiting for a team lead), "reopened"
    (the case was reopened from the audited closure, whenever) or "declined"."""
    if row.reopen_requested_at is None:
        return ""
    if row.closure_request_id in reopened:
        return "reopened"
    if row.reopen_declined_at is not None:
        return "declined"
    return "recommended"


def _reopenings(session: Session, request_ids: Sequence[int]) -> set[int]:
    """Which of these closures have since been reopened."""
    c = CaseReopening
    stmt = select(c.closure_request_id)
    return {rid for (rid,) in rows_in(session, stmt, c.closure_request_id, request_ids)}


def _state(row: ClosureAudit, kinds: Mapping[str, Any], grades: dict[int, list[Any]]) -> Any:
    first, second = kinds.get(FIRST), kinds.get(SECOND)
    a = _judgement(first, grades.get(first.id, []) if first else [])
    b = _judgement(second, grades.get(second.id, []) if second else [])
    differences = len(rules.disagreements(a, b)) if a and b else 0
    return rules.audit_state(
        auditor=row.auditor_id,
        first_started=first is not None,
        first_submitted=a is not None,
        moderated=row.moderated,
        second_submitted=b is not None,
        differences=differences,
        resolved=AGREED in kinds and kinds[AGREED].submitted_at is not None,
    )


def list_audits(
    db: Database, actor: Actor, *, now: datetime, sample_id: int | None = None
) -> list[AuditRow]:
    """The sampled closures (of one sample, or all), newest period first, then by closure
    date. Team leads see every team's: audits are often made across teams."""
    require(db, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
    a, r, p, s = ClosureAudit, ClosureRequest, YoungPerson, AuditSample
    stmt = (
        select(a, s.period_start, r, p.child_uid, p.first_name, p.last_name)
        .join(s, s.id == a.sample_id)
        .join(r, r.id == a.closure_request_id)
        .join(p, p.id == a.young_person_id)
        .order_by(s.period_start.desc(), r.closed_on, a.id)
    )
    if sample_id is not None:
        stmt = stmt.where(a.sample_id == sample_id)
    with db.reading() as session:
        names = _names(session)
        rows = session.execute(stmt).all()
        ids = [row[0].id for row in rows]
        judgements = _judgements(session, ids)
        grades = _grades(session, [j.id for kinds in judgements.values() for j in kinds.values()])
        reopened = _reopenings(session, [row[0].closure_request_id for row in rows])
        open_actions: dict[int, int] = defaultdict(int)
        la = LearningAction
        for (aid,) in rows_in(
            session, select(la.audit_id).where(la.done_on.is_(None)), la.audit_id, ids
        ):
            open_actions[aid] += 1
        out = []
        for row, period_start, req, uid, first_name, last_name in rows:
            kinds = judgements.get(row.id, {})
            final = kinds.get(AGREED) or kinds.get(FIRST)
            submitted = final is not None and final.submitted_at is not None
            overall = final.overall if final is not None and submitted else None
            safe = final.safe if final is not None and submitted else None
            out.append(
                AuditRow(
                    id=row.id,
                    sample_id=row.sample_id,
                    period_start=period_start,
                    request_id=req.id,
                    person_id=row.young_person_id,
                    child_uid=uid,
                    name=f"{first_name} {last_name}",
                    closed_on=req.closed_on or period_start,
                    closure_reason=_reason_label(req.reason),
                    requested_by=names.get(req.requested_by, "?"),
                    approved_by=names.get(req.reviewed_by or 0, "?"),
                    reasons=_reasons(row.reasons),
                    reason_detail=row.reason_detail,
                    moderated=row.moderated,
                    auditor_id=row.auditor_id,
                    auditor=names.get(row.auditor_id) if row.auditor_id else None,
                    moderator_id=row.moderator_id,
                    moderator=names.get(row.moderator_id) if row.moderator_id else None,
                    state=_state(row, kinds, grades),
                    overall=Grade(overall) if overall else None,
                    safe=safe,
                    reopen=_reopen_state(row, reopened),
                    open_actions=open_actions.get(row.id, 0),
                    version=row.version,
                )
            )
        return out


def _reasons(text: str) -> tuple[SampleReason, ...]:
    return tuple(SampleReason(code) for code in text.split(",") if code)


def _reason_label(code: str) -> str:
    try:
        return closure_rules_mod.reason_label(code)
    except UnknownCode:
        return code


# --- assigning auditors ---


@dataclass(frozen=True)
class Auditor:
    id: int
    name: str


def auditors(db: Database, actor: Actor, *, now: datetime) -> list[Auditor]:
    """Who may be assigned audits: active team leads."""
    require(db, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
    with db.reading() as session:
        rows = session.execute(
            select(User.id, User.display_name)
            .where(User.role == Role.TEAM_LEAD.value)
            .where(User.active.is_(True))
            .order_by(User.display_name)
        )
        return [Auditor(uid, name) for uid, name in rows]


def _load(session: Session, audit_id: int) -> ClosureAudit:
    row = session.get(ClosureAudit, audit_id)
    if row is None:
        raise NotFound("That closure audit does not exist.")
    return row


def _request(session: Session, row: ClosureAudit) -> ClosureRequest:
    req = session.get(ClosureRequest, row.closure_request_id)
    assert req is not None  # a foreign key
    return req


def assign(
    db: Database,
    actor: Actor,
    audit_id: int,
    auditor_id: int,
    *,
    now: datetime,
    second: bool = False,
    expected_version: int | None = None,
) -> Changed:
    """Assign the auditor (or, with ``second``, the moderating auditor) of a sampled
    closure. Refused, with the reason, for someone who asked for or approved the closure,
    for the first auditor as moderator, and once that audit has been submitted."""
    with db.unit_of_work() as session:
        check(session, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
        row = _load(session, audit_id)
        concurrency.expect(session, row, expected_version, record_type=RECORD_TYPE, what=_WHAT)
        req = _request(session, row)
        user = session.get(User, auditor_id)
        if user is None or not user.active or user.role != Role.TEAM_LEAD.value:
            raise ValidationFailed(["auditor: Choose an active team lead."])
        kinds = _judgements(session, [row.id]).get(row.id, {})
        if second:
            if not row.moderated:
                raise ValidationFailed(["This audit was not chosen for a second audit."])
            done = kinds.get(SECOND)
        else:
            done = kinds.get(FIRST)
        if done is not None and done.submitted_at is not None:
            raise ValidationFailed(["That audit has been submitted: it cannot be reassigned."])
        why = rules.exclusion_reason(
            auditor_id,
            req.requested_by,
            req.reviewed_by,
            first_auditor_id=row.auditor_id if second else None,
        )
        if why is None and not second and auditor_id == row.moderator_id:
            why = "is this closure's moderating auditor"
        if why is not None:
            message = rules.excluded_message(user.display_name, why, second=second)
            raise ValidationFailed([f"auditor: {message}"])
        if done is not None and done.auditor_id != auditor_id:
            _drop_judgement(session, done)
        if second:
            row.moderator_id = auditor_id
        else:
            row.auditor_id = auditor_id
        row.assigned_by, row.assigned_at = actor.user_id, to_naive_utc(now)
        field_name = "moderator_id" if second else "auditor_id"
        audit.record(
            session,
            actor,
            "assign_closure_audit",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=[field_name],
        )
        return Changed(RECORD_TYPE, (row.id,), (field_name,))


def _drop_judgement(session: Session, judgement: AuditJudgement) -> None:
    for grade in session.scalars(select(AuditGrade).where(AuditGrade.judgement_id == judgement.id)):
        session.delete(grade)
    session.flush()
    session.delete(judgement)
    session.flush()


# --- the audit: the record as it stood on the closure date ---


@dataclass(frozen=True)
class GradeView:
    domain: AuditDomain
    grade: Grade | None
    evidence: str


@dataclass(frozen=True)
class JudgementView:
    kind: str
    auditor_id: int
    auditor: str
    grades: tuple[GradeView, ...]
    overall: Grade | None
    safe: bool | None
    safety_note: str
    summary: str
    submitted_at: datetime | None
    version: int = 1  # as read: a change to it passes it back


@dataclass(frozen=True)
class ActionView:
    id: int
    owner_id: int
    owner: str
    description: str
    due_on: date
    done_on: date | None
    done_note: str
    version: int = 1  # as read: a change to it passes it back

    def overdue(self, today: date) -> bool:
        return self.done_on is None and self.due_on < today


@dataclass(frozen=True)
class OverrideSeen:
    check: str
    justification: str
    recorded_by: str


@dataclass(frozen=True)
class RecordAtClosure:
    """The closed record as it stood on the closure date, read-only."""

    person_id: int
    child_uid: str
    name: str
    date_of_birth: date
    closed_on: date
    reason: str
    request_text: tuple[tuple[str, str], ...]  # (heading, what the worker wrote)
    requested_by_id: int
    requested_by: str
    requested_at: datetime
    approved_by_id: int | None
    approved_by: str | None
    approved_at: datetime | None
    team_lead_decisions: tuple[tuple[str, str], ...]
    overrides: tuple[OverrideSeen, ...]
    checks: tuple[closure_rules_mod.CheckResult, ...]  # as run on the approved evidence
    chronology: tuple[Event, ...]  # up to and including the closure date, newest first


@dataclass(frozen=True)
class AuditDetail:
    id: int
    state: AuditState
    reasons: tuple[SampleReason, ...]
    reason_detail: str
    moderated: bool
    auditor_id: int | None
    auditor: str | None
    moderator_id: int | None
    moderator: str | None
    record: RecordAtClosure
    judgements: tuple[JudgementView, ...]  # what this actor may see
    hidden: tuple[str, ...]  # judgements kept from this actor until theirs is submitted
    disagreements: tuple[str, ...]  # compared keys where first and second differ
    resolution_note: str
    resolved_by: str | None
    reopen: str
    reopen_reason: str
    reopen_declined_note: str
    actions: tuple[ActionView, ...]
    # Why this actor may not decide the reopening ("" when they may): see
    # :func:`casework.domain.audit_sampling.reopening_exclusion`.
    reopen_excluded: str = ""
    version: int = 1  # as read: a change to it passes it back

    def mine(self, actor: Actor) -> JudgementView | None:
        """The judgement this actor writes here (first or second), if started."""
        kind = self.my_kind(actor)
        return next((j for j in self.judgements if j.kind == kind), None)

    def my_kind(self, actor: Actor) -> str | None:
        if actor.user_id is not None and actor.user_id == self.auditor_id:
            return FIRST
        if actor.user_id is not None and actor.user_id == self.moderator_id:
            return SECOND
        return None


_REQUEST_HEADINGS = (
    ("why_open", "Why the case was open"),
    ("what_changed", "What has changed"),
    ("agencies_involved", "Agencies involved"),
    ("if_concerns_return", "If concerns return"),
    ("young_person_views", "The young person's views"),
    ("receiving_body", "Receiving council or team"),
)


def _from_json(kind: Any, value: Any) -> Any:
    """Rebuild a value of type ``kind`` from the plain JSON the evidence snapshot holds."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return _from_json(options[0], value)
    if origin is tuple:
        inner = typing.get_args(kind)[0]
        return tuple(_from_json(inner, v) for v in value)
    if origin in (Mapping, dict) or kind is Mapping:
        return dict(value)
    if is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        args = {}
        for f in fields(kind):
            if f.name in value:
                args[f.name] = _from_json(hints[f.name], value[f.name])
            elif f.default is MISSING and f.default_factory is MISSING:
                raise ValueError(f"the snapshot has no {f.name}")
        return kind(**args)
    if kind is date:
        return date.fromisoformat(value)
    return value


def checks_at_approval(snapshot_json: str | None, on: date) -> list[closure_rules_mod.CheckResult]:
    """The closure checks as the team lead approved them: run again over the evidence
    snapshot the approval was bound to (the record as it then stood), counted back from
    the day the request was submitted. Empty when there is no readable snapshot."""
    if not snapshot_json:
        return []
    data = json.loads(snapshot_json)
    request_data = data.pop("request", {})
    try:
        facts = _from_json(closure_rules_mod.ClosureFacts, data)
        request = _from_json(closure_rules_mod.RequestFacts, request_data)
    except (ValueError, TypeError, KeyError):
        return []
    return closure_rules_mod.run_checks(facts, request, on, closure_rules())


def _record(session: Session, row: ClosureAudit, names: Mapping[int, str]) -> RecordAtClosure:
    req = _request(session, row)
    person = session.get(YoungPerson, row.young_person_id)
    assert person is not None and req.closed_on is not None
    overrides = session.scalars(
        select(ClosureOverride)
        .where(ClosureOverride.request_id == req.id)
        .order_by(ClosureOverride.id)
    )
    events = [e for e in events_in(session, person.id) if e.on <= req.closed_on]
    decisions = (
        ("Who holds the open risk", req.risk_holder),
        ("How that risk will be reviewed", req.risk_review),
        ("Why the accommodation does not stop closure", req.accommodation_decision),
    )
    return RecordAtClosure(
        person_id=person.id,
        child_uid=person.child_uid,
        name=f"{person.first_name} {person.last_name}",
        date_of_birth=person.date_of_birth,
        closed_on=req.closed_on,
        reason=_reason_label(req.reason),
        request_text=tuple((heading, getattr(req, name)) for name, heading in _REQUEST_HEADINGS),
        requested_by_id=req.requested_by,
        requested_by=names.get(req.requested_by, "?"),
        requested_at=req.requested_at,
        approved_by_id=req.reviewed_by,
        approved_by=names.get(req.reviewed_by) if req.reviewed_by else None,
        approved_at=req.reviewed_at,
        team_lead_decisions=tuple((h, t) for h, t in decisions if t),
        overrides=tuple(
            OverrideSeen(
                _check_label(o.check_id),
                o.justification,
                names.get(o.recorded_by, "?"),
            )
            for o in overrides
        ),
        checks=tuple(checks_at_approval(req.approved_snapshot, req.anchor_on)),
        chronology=tuple(sorted_events(events)),
    )


def _check_label(check_id: str) -> str:
    try:
        return closure_rules_mod.CheckId(check_id).label
    except ValueError:
        return check_id


def _grade_of(row: AuditGrade | None) -> Grade | None:
    return Grade(row.grade) if row is not None and row.grade else None


def _judgement_view(
    row: AuditJudgement, grades: Sequence[AuditGrade], names: Mapping[int, str]
) -> JudgementView:
    by_domain = {g.domain: g for g in grades}
    return JudgementView(
        kind=row.kind,
        auditor_id=row.auditor_id,
        auditor=names.get(row.auditor_id, "?"),
        grades=tuple(
            GradeView(
                d,
                _grade_of(by_domain.get(d.value)),
                by_domain[d.value].evidence if d.value in by_domain else "",
            )
            for d in AuditDomain
        ),
        overall=Grade(row.overall) if row.overall else None,
        safe=row.safe,
        safety_note=row.safety_note,
        summary=row.summary,
        submitted_at=row.submitted_at,
        version=row.version,
    )


def _visible(actor: Actor, row: ClosureAudit, kinds: Mapping[str, AuditJudgement]) -> set[str]:
    """Which judgements this actor may see. Your own, always. Another auditor's only once
    it is submitted and, if you audit this closure too, once yours is submitted: the
    second audit is blind."""
    mine = None
    if actor.user_id is not None and actor.user_id == row.auditor_id:
        mine = FIRST
    elif actor.user_id is not None and actor.user_id == row.moderator_id:
        mine = SECOND
    own_done = mine is not None and mine in kinds and kinds[mine].submitted_at is not None
    seen = set()
    for kind, judgement in kinds.items():
        theirs_visible = judgement.submitted_at is not None and (mine is None or own_done)
        if kind == mine or theirs_visible:
            seen.add(kind)
    return seen


def _reopen_excluded(actor: Actor, record: RecordAtClosure) -> str:
    why = rules.reopening_exclusion(actor.user_id, record.requested_by_id, record.approved_by_id)
    return "" if why is None else rules.reopening_excluded_message(why)


def audit_detail(db: Database, actor: Actor, audit_id: int, *, now: datetime) -> AuditDetail:
    """One sampled closure: the record as it stood on the closure date, the judgements
    this actor may see, the reopening recommended and the learning actions. Opening it is
    audited like opening the record."""
    with db.unit_of_work() as session:
        check(session, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
        row = _load(session, audit_id)
        names = _names(session)
        record = _record(session, row, names)
        kinds = _judgements(session, [row.id]).get(row.id, {})
        grades = _grades(session, [j.id for j in kinds.values()])
        seen = _visible(actor, row, kinds)
        a = _judgement(kinds.get(FIRST), grades.get(kinds[FIRST].id, []) if FIRST in kinds else [])
        b = _judgement(
            kinds.get(SECOND), grades.get(kinds[SECOND].id, []) if SECOND in kinds else []
        )
        differ = tuple(rules.disagreements(a, b)) if a and b else ()
        if not ({FIRST, SECOND} <= seen):
            differ = ()
        actions = session.scalars(
            select(LearningAction)
            .where(LearningAction.audit_id == row.id)
            .order_by(LearningAction.due_on, LearningAction.id)
        )
        audit.record(
            session,
            actor,
            "open_closure_audit",
            now=now,
            record_type="young_person",
            record_id=row.young_person_id,
        )
        return AuditDetail(
            id=row.id,
            state=_state(row, kinds, grades),
            reasons=_reasons(row.reasons),
            reason_detail=row.reason_detail,
            moderated=row.moderated,
            auditor_id=row.auditor_id,
            auditor=names.get(row.auditor_id) if row.auditor_id else None,
            moderator_id=row.moderator_id,
            moderator=names.get(row.moderator_id) if row.moderator_id else None,
            record=record,
            judgements=tuple(
                _judgement_view(kinds[k], grades.get(kinds[k].id, []), names)
                for k in (FIRST, SECOND, AGREED)
                if k in kinds and k in seen
            ),
            hidden=tuple(k for k in (FIRST, SECOND, AGREED) if k in kinds and k not in seen),
            disagreements=differ,
            resolution_note=row.resolution_note,
            resolved_by=names.get(row.resolved_by) if row.resolved_by else None,
            reopen=_reopen_state(row, _reopenings(session, [row.closure_request_id])),
            reopen_reason=row.reopen_reason,
            reopen_declined_note=row.reopen_declined_note,
            reopen_excluded=_reopen_excluded(actor, record),
            version=row.version,
            actions=tuple(
                ActionView(
                    x.id,
                    x.owner_id,
                    names.get(x.owner_id, "?"),
                    x.description,
                    x.due_on,
                    x.done_on,
                    x.done_note,
                    x.version,
                )
                for x in actions
            ),
        )


# --- writing a judgement ---


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner_id: int | None
    due_on: date | None


@dataclass(frozen=True)
class JudgementInput:
    """What an auditor writes: per domain a grade code (or "") and the evidence."""

    grades: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    overall: str = ""
    safe: bool | None = None
    safety_note: str = ""
    summary: str = ""
    actions: tuple[ActionInput, ...] = ()


def _grade_or_none(code: str, where: str, problems: list[str]) -> Grade | None:
    if not code.strip():
        return None
    try:
        return Grade.parse(code)
    except UnknownCode as exc:
        problems.append(f"{where}: {exc}")
        return None


def _grade_problems(data: JudgementInput, submit: bool) -> list[str]:
    problems = [
        f"grades: {key!r} is not an audit domain."
        for key in data.grades
        if key not in AuditDomain.codes()
    ]
    for d in AuditDomain:
        code, evidence = data.grades.get(d.value, ("", ""))
        grade = _grade_or_none(code, d.value, problems)
        if submit and grade is None:
            problems.append(f"{d.value}: Grade “{d.label}”.")
        if submit and not evidence.strip():
            problems.append(f"{d.value}: Write the evidence for “{d.label}”.")
    overall = _grade_or_none(data.overall, "overall", problems)
    if submit and overall is None:
        problems.append("overall: Give an overall grade.")
    return problems


def _judgement_problems(
    data: JudgementInput, *, submit: bool, today: date, worker_id: int
) -> list[str]:
    problems = _grade_problems(data, submit)
    if submit and data.safe is None:
        problems.append("safe: Say whether the closure was safe.")
    if submit and data.safe is False:
        if not data.safety_note.strip():
            problems.append("safety_note: Say why the closure was not safe.")
        if not any(a.owner_id == worker_id for a in data.actions):
            problems.append(
                "actions: A closure that was not safe needs at least one action for the "
                "worker who asked for it."
            )
    for i, action in enumerate(data.actions, start=1):
        for problem in rules.learning_action_problems(
            action.description, action.owner_id, action.due_on, today
        ):
            problems.append(f"actions {i}: {problem}")
    return problems


def save_judgement(
    db: Database,
    actor: Actor,
    audit_id: int,
    data: JudgementInput,
    *,
    now: datetime,
    submit: bool = False,
    expected_version: int | None = None,
) -> Changed:
    """Save the actor's judgement (the first audit, or the blind second one) as a draft,
    or submit it. Submitting needs every domain graded with evidence, an overall grade and
    an answer to "was the closure safe?"; a "no" needs the reason and at least one action
    for the worker, and recommends reopening (a team lead decides). Learning actions are
    created on submission."""
    with db.unit_of_work() as session:
        check(session, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
        today = local_today(now)
        row = _load(session, audit_id)
        req = _request(session, row)
        if actor.user_id is not None and actor.user_id == row.auditor_id:
            kind = FIRST
        elif actor.user_id is not None and actor.user_id == row.moderator_id:
            kind = SECOND
        else:
            raise PermissionDenied(
                "You are not this closure's auditor or moderating auditor, so you cannot "
                "write its audit."
            )
        why = rules.exclusion_reason(actor.user_id, req.requested_by, req.reviewed_by)
        if why is not None:
            raise PermissionDenied(rules.excluded_message("You", why))
        problems = _judgement_problems(data, submit=submit, today=today, worker_id=req.requested_by)
        if problems:
            raise ValidationFailed(problems)
        judgement = session.scalars(
            select(AuditJudgement)
            .where(AuditJudgement.audit_id == row.id)
            .where(AuditJudgement.kind == kind)
        ).first()
        if judgement is not None:  # the same audit open twice: the older copy never wins
            concurrency.expect(
                session, judgement, expected_version, record_type="audit_judgements", what=_WHAT
            )
        if judgement is not None and judgement.submitted_at is not None:
            raise ValidationFailed(["This audit has been submitted and cannot be changed."])
        if judgement is None:
            judgement = AuditJudgement(
                audit_id=row.id, kind=kind, auditor_id=actor.user_id, started_at=to_naive_utc(now)
            )
            session.add(judgement)
            session.flush()
        _write(session, judgement, data)
        fields_changed = ["grades", "overall", "safe", "safety_note", "summary"]
        if submit:
            judgement.submitted_at = to_naive_utc(now)
            _after_submit(session, actor, row, judgement, data, now)
            fields_changed.append("submitted_at")
        audit.record(
            session,
            actor,
            "submit_closure_audit" if submit else "save_closure_audit",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=fields_changed,
        )
        return Changed(RECORD_TYPE, (row.id,), tuple(fields_changed))


def _write(session: Session, judgement: AuditJudgement, data: JudgementInput) -> None:
    existing = {
        g.domain: g
        for g in session.scalars(select(AuditGrade).where(AuditGrade.judgement_id == judgement.id))
    }
    for d in AuditDomain:
        code, evidence = data.grades.get(d.value, ("", ""))
        grade = Grade.parse(code).value if code.strip() else None
        g = existing.get(d.value)
        if g is None:
            g = AuditGrade(judgement_id=judgement.id, domain=d.value)
            session.add(g)
        g.grade, g.evidence = grade, evidence.strip()
    judgement.overall = Grade.parse(data.overall).value if data.overall.strip() else None
    judgement.safe = data.safe
    judgement.safety_note = data.safety_note.strip()
    judgement.summary = data.summary.strip()
    session.flush()


def _after_submit(
    session: Session,
    actor: Actor,
    row: ClosureAudit,
    judgement: AuditJudgement,
    data: JudgementInput,
    now: datetime,
) -> None:
    for action in data.actions:
        assert action.owner_id is not None and action.due_on is not None
        la = LearningAction(
            audit_id=row.id,
            owner_id=action.owner_id,
            description=action.description.strip(),
            due_on=action.due_on,
            created_by=actor.user_id,
            created_at=to_naive_utc(now),
        )
        session.add(la)
        session.flush()
        audit.record(
            session,
            actor,
            "learning_action",
            now=now,
            record_type="learning_action",
            record_id=la.id,
            fields=["description", "owner_id", "due_on"],
        )
    if judgement.safe is False and row.reopen_requested_at is None:
        row.reopen_requested_at = to_naive_utc(now)
        row.reopen_reason = judgement.safety_note
        audit.record(
            session,
            actor,
            "recommend_reopening",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=["reopen_requested_at", "reopen_reason"],
        )


def resolve(
    db: Database,
    actor: Actor,
    audit_id: int,
    agreed: JudgementInput,
    note: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Resolve a moderation disagreement: the agreed grades (every domain, overall and
    "safe?") and a note of how it was settled. Not by whoever asked for or approved the
    closure."""
    with db.unit_of_work() as session:
        check(session, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
        today = local_today(now)
        row = _load(session, audit_id)
        concurrency.expect(session, row, expected_version, record_type=RECORD_TYPE, what=_WHAT)
        req = _request(session, row)
        kinds = _judgements(session, [row.id]).get(row.id, {})
        grades = _grades(session, [j.id for j in kinds.values()])
        if row.resolved_at is not None:  # another team lead resolved it first: theirs stands
            raise concurrency.conflict(
                session,
                row,
                record_type=RECORD_TYPE,
                what=_WHAT,
                detail="There is no disagreement to resolve on this audit.",
            )
        if _state(row, kinds, grades) is not AuditState.DISAGREEMENT:
            raise ValidationFailed(["There is no disagreement to resolve on this audit."])
        why = rules.exclusion_reason(actor.user_id or 0, req.requested_by, req.reviewed_by)
        if why is not None:
            raise PermissionDenied(rules.excluded_message("You", why, second=True))
        problems = _judgement_problems(agreed, submit=True, today=today, worker_id=req.requested_by)
        if not note.strip():
            problems.append("note: Say how the disagreement was resolved.")
        if problems:
            raise ValidationFailed(problems)
        judgement = AuditJudgement(
            audit_id=row.id,
            kind=AGREED,
            auditor_id=actor.user_id,
            started_at=to_naive_utc(now),
            submitted_at=to_naive_utc(now),
        )
        session.add(judgement)
        session.flush()
        _write(session, judgement, agreed)
        row.resolution_note = note.strip()
        row.resolved_by, row.resolved_at = actor.user_id, to_naive_utc(now)
        _after_submit(session, actor, row, judgement, agreed, now)
        audit.record(
            session,
            actor,
            "resolve_closure_audit",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=["resolution_note", "agreed"],
        )
        return Changed(RECORD_TYPE, (row.id,), ("resolution_note",))


def _check_reopen_decider(
    session: Session, actor: Actor, row: ClosureAudit, action: str, *, now: datetime
) -> None:
    """Inside a unit of work: a reopening must be waiting, and the decider must not be
    whoever asked for or approved the closure (local practice, separation of duties:
    :func:`casework.domain.audit_sampling.reopening_exclusion`). The refusal is audited
    with the field ``separation_of_duties``."""
    state = _reopen_state(row, _reopenings(session, [row.closure_request_id]))
    if state != "recommended":
        raise ValidationFailed(["No reopening is waiting for a decision on this audit."])
    req = _request(session, row)
    why = rules.reopening_exclusion(actor.user_id, req.requested_by, req.reviewed_by)
    if why is None:
        return

    def record(s: Session) -> None:
        audit.record(
            s,
            actor,
            action,
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=["separation_of_duties"],
            outcome="denied",
        )

    raise Refusal(PermissionDenied(rules.reopening_excluded_message(why)), record)


def reopen_from_audit(
    db: Database, actor: Actor, audit_id: int, reason: str, *, now: datetime
) -> Changed:
    """A team lead of the young person's team reopens a case an audit found unsafe, with
    a reason: not whoever asked for or approved the closure (local practice, separation
    of duties). The decider's checks and the closure workflow's reopening are one unit of
    work: both or neither."""
    with db.reading() as session:
        person_id = _load(session, audit_id).young_person_id
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.REVIEW_AS_TEAM_LEAD, now, closed_ok=True)
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now, closed_ok=True)
        _check_reopen_decider(session, actor, _load(session, audit_id), "reopen_case", now=now)
        return closure_service.reopen_in(session, actor, person_id, reason, now=now)


def decline_reopening(
    db: Database,
    actor: Actor,
    audit_id: int,
    note: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """A team lead of the young person's team decides not to reopen a case an audit found
    unsafe, saying why (reopening itself is the closure workflow's reopen step). Not
    whoever asked for or approved the closure (local practice, separation of duties)."""
    with db.reading() as session:
        person_id = _load(session, audit_id).young_person_id
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.REVIEW_AS_TEAM_LEAD, now, closed_ok=True)
        row = _load(session, audit_id)
        concurrency.expect(session, row, expected_version, record_type=RECORD_TYPE, what=_WHAT)
        if row.reopen_declined_at is not None:  # another team lead decided it first
            raise concurrency.conflict(
                session,
                row,
                record_type=RECORD_TYPE,
                what=_WHAT,
                detail="No reopening is waiting for a decision on this audit.",
            )
        _check_reopen_decider(session, actor, row, "decline_reopening", now=now)
        if not note.strip():
            raise ValidationFailed(["note: Say why the case is not being reopened."])
        row.reopen_declined_by, row.reopen_declined_at = actor.user_id, to_naive_utc(now)
        row.reopen_declined_note = note.strip()
        audit.record(
            session,
            actor,
            "decline_reopening",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=["reopen_declined_note"],
        )
        return Changed(RECORD_TYPE, (row.id,), ("reopen_declined_note",))


# --- learning actions ---


def complete_action(
    db: Database,
    actor: Actor,
    action_id: int,
    note: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Mark a learning action done, saying what was done: by its owner, or a team lead."""
    with db.unit_of_work() as session:
        row = session.get(LearningAction, action_id)
        if row is None:
            raise NotFound("That learning action does not exist.")
        if actor.user_id == row.owner_id:
            check_current(session, actor, now=now)
        else:
            check(
                session,
                actor,
                Action.AUDIT_CLOSURES,
                now=now,
                record_type="learning_action",
                record_id=action_id,
            )
        if not note.strip():
            raise ValidationFailed(["note: Say what was done."])
        what = "learning action"
        concurrency.expect(session, row, expected_version, record_type="learning_action", what=what)
        if row.done_on is not None:
            on = plain_date(row.done_on)
            done = f"It was marked done on {on}."
            if row.version <= 1:
                raise ValidationFailed([f"This action was marked done on {on}."])
            raise concurrency.conflict(
                session, row, record_type="learning_action", what=what, detail=done
            )
        row.done_on, row.done_note, row.done_by = local_today(now), note.strip(), actor.user_id
        audit.record(
            session,
            actor,
            "complete_learning_action",
            now=now,
            record_type="learning_action",
            record_id=row.id,
            fields=["done_on", "done_note"],
        )
        return Changed("learning_action", (row.id,), ("done_on",))


# --- moderation report ---


@dataclass(frozen=True)
class AgreementReport:
    agreement: rules.Agreement
    auditors: Mapping[int, str]


def agreement_report(
    db: Database, actor: Actor, *, now: datetime, sample_id: int | None = None
) -> AgreementReport:
    """Agreement between first and second auditors over every moderated audit where both
    are submitted: per domain and per auditor."""
    require(db, actor, Action.AUDIT_CLOSURES, now=now, record_type=RECORD_TYPE)
    with db.reading() as session:
        stmt = select(ClosureAudit.id).where(ClosureAudit.moderated.is_(True))
        if sample_id is not None:
            stmt = stmt.where(ClosureAudit.sample_id == sample_id)
        ids = list(session.scalars(stmt))
        judgements = _judgements(session, ids)
        grades = _grades(session, [j.id for kinds in judgements.values() for j in kinds.values()])
        pairs = []
        for aid in ids:
            kinds = judgements.get(aid, {})
            a = _judgement(
                kinds.get(FIRST), grades.get(kinds[FIRST].id, []) if FIRST in kinds else []
            )
            b = _judgement(
                kinds.get(SECOND), grades.get(kinds[SECOND].id, []) if SECOND in kinds else []
            )
            if a and b:
                pairs.append((a, b))
        return AgreementReport(rules.agreement(pairs), _names(session))


def counts_by_state(rows: Sequence[AuditRow]) -> dict[AuditState, int]:
    out = {state: 0 for state in AuditState}
    for row in rows:
        out[row.state] += 1
    return out


__all__ = [
    "AGREED",
    "FIRST",
    "SECOND",
    "ActionInput",
    "AgreementReport",
    "AuditDetail",
    "AuditRow",
    "Auditor",
    "JudgementInput",
    "SampleSummary",
    "agreement_report",
    "assign",
    "audit_detail",
    "auditors",
    "checks_at_approval",
    "closed_cases",
    "complete_action",
    "decline_reopening",
    "draw_sample",
    "list_audits",
    "parse_month",
    "reopen_from_audit",
    "resolve",
    "samples",
    "save_judgement",
]
