"""Closing a case: the closure checks run over the record, a worker's request,
the team lead's review and approval bound to a fingerprint of the evidence, closing,
reopening, and notes appended to a closed case.

The rules are pure (:mod:`casework.domain.closure`); this module reads the facts they need
for one young person or thousands at once, and writes each step in one transaction with
its audit event.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_naive_utc
from casework.config import closure_rules
from casework.db.database import Database
from casework.db.models import (
    AuditEvent,
    CaseReopening,
    ClosedCaseNote,
    ClosureOverride,
    ClosureRequest,
    ClosureRequestVersion,
    YoungPerson,
)
from casework.domain import closure as rules
from casework.domain.calendar import age_on
from casework.domain.closure import RequestStatus as Status
from casework.domain.closure_state import CaseState, Offer, Step, Who, offers, to_fix_on_record
from casework.domain.codes import UnknownCode
from casework.domain.leaving_care import plain_date
from casework.errors import CaseClosed, NotFound, PermissionDenied, Refusal, ValidationFailed
from casework.services import audit
from casework.services.arrangements import ArrangementView, arrangements_in
from casework.services.auth import confirm_password
from casework.services.closure_facts import _day, _names
from casework.services.closure_facts import load_facts as load_facts
from casework.services.closure_queue import QueueRow as QueueRow
from casework.services.closure_queue import queue as queue
from casework.services.common import Changed, add_audited, check_approver, require
from casework.services.people import check_on_person, require_on_person
from casework.services.permissions import (
    Action,
    Actor,
    Relation,
    allowed,
    denial_message,
)

RECORD_TYPE = "closure_request"


_ACTIVE = (Status.PENDING, Status.RETURNED, Status.APPROVED)


class ApprovalVoided(ValidationFailed):
    """The record changed after approval: the approval is void and the request is back
    with the team lead."""


# --- input and views ---


@dataclass(frozen=True)
class ClosureInput:
    """What the worker writes on a closure request."""

    reason: str
    why_open: str = ""
    what_changed: str = ""
    agencies_involved: str = ""
    if_concerns_return: str = ""
    young_person_views: str = ""
    reason_date: date | None = None
    receiving_body: str = ""
    justifications: Mapping[str, str] = field(default_factory=dict)  # check id -> text


@dataclass(frozen=True)
class TeamLeadDecisions:
    risk_holder: str = ""
    risk_review: str = ""
    accommodation_decision: str = ""


@dataclass(frozen=True)
class OverrideView:
    check_id: str
    title: str
    justification: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class RequestView:
    id: int
    person_id: int
    status: Status
    data: ClosureInput
    decisions: TeamLeadDecisions
    requested_by_id: int
    requested_by: str
    requested_at: datetime
    submitted_at: datetime
    anchor_on: date
    decisions_by: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_comments: str
    voided_at: datetime | None
    void_note: str
    closed_on: date | None
    closed_by: str | None
    overrides: tuple[OverrideView, ...]
    author_ids: frozenset[int] = frozenset()  # everyone who wrote any version

    @property
    def reason_label(self) -> str:
        try:
            return rules.reason_label(self.data.reason)
        except UnknownCode:
            return self.data.reason


@dataclass(frozen=True)
class NoteView:
    id: int
    text: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class ReopeningView:
    id: int
    reason: str
    reopened_by: str
    reopened_at: datetime


@dataclass(frozen=True)
class ClosureOverview:
    """Everything the Closure tab and the team lead's review show about one case."""

    person_id: int
    child_uid: str
    name: str
    state: CaseState
    closed_on: date | None
    closure_reason: str | None
    request: RequestView | None
    checks: tuple[rules.CheckResult, ...]
    checked_on: date
    can_request: bool
    can_approve: bool
    approval_current: bool | None  # None unless approved; False once the record changed
    changed_since_approval: tuple[str, ...]
    notes: tuple[NoteView, ...]
    reopenings: tuple[ReopeningView, ...]
    history: tuple[RequestView, ...]  # earlier requests: closed, withdrawn
    # Every closure reason as of today, open only where it ends the duty (the matrix).
    reasons: tuple[rules.ReasonChoice, ...] = ()
    # Arrangements alongside a care leaver's case (CLR 2010 reg 2(1)), newest first.
    arrangements: tuple[ArrangementView, ...] = ()
    age: int | None = None  # on the day the checks count back from

    # The closure steps this state allows, each allowed or refused (with why) for the
    # person who asked for the overview.
    offers: tuple[Offer, ...] = ()

    @property
    def state_label(self) -> str:
        return self.state.label

    def offer(self, step: Step) -> Offer | None:
        """The step if this state allows it (allowed or not, with why); None otherwise."""
        return next((o for o in self.offers if o.step is step), None)

    def may(self, step: Step) -> bool:
        found = self.offer(step)
        return found is not None and found.allowed

    @property
    def to_fix_on_record(self) -> tuple[rules.CheckResult, ...]:
        """The checks only a change to the record fixes (the banner's count)."""
        return to_fix_on_record(self.checks)


def _request_facts(data: ClosureInput, decisions: TeamLeadDecisions) -> rules.RequestFacts:
    return rules.RequestFacts(
        reason=data.reason.strip(),
        why_open=data.why_open,
        what_changed=data.what_changed,
        agencies_involved=data.agencies_involved,
        if_concerns_return=data.if_concerns_return,
        young_person_views=data.young_person_views,
        reason_date=data.reason_date,
        receiving_body=data.receiving_body,
        risk_holder=decisions.risk_holder,
        risk_review=decisions.risk_review,
        accommodation_decision=decisions.accommodation_decision,
        justifications={k: v for k, v in data.justifications.items() if v.strip()},
    )


def _input_of(row: ClosureRequest, overrides: Sequence[ClosureOverride]) -> ClosureInput:
    return ClosureInput(
        reason=row.reason,
        why_open=row.why_open,
        what_changed=row.what_changed,
        agencies_involved=row.agencies_involved,
        if_concerns_return=row.if_concerns_return,
        young_person_views=row.young_person_views,
        reason_date=row.reason_date,
        receiving_body=row.receiving_body,
        justifications={o.check_id: o.justification for o in overrides},
    )


def _decisions_of(row: ClosureRequest) -> TeamLeadDecisions:
    return TeamLeadDecisions(row.risk_holder, row.risk_review, row.accommodation_decision)


def _overrides(session: Session, request_id: int) -> list[ClosureOverride]:
    stmt = select(ClosureOverride).where(ClosureOverride.request_id == request_id)
    return list(session.scalars(stmt.order_by(ClosureOverride.id)))


def _view(session: Session, row: ClosureRequest, names: Mapping[int, str]) -> RequestView:
    overrides = _overrides(session, row.id)

    def name(uid: int | None) -> str | None:
        return names.get(uid, "?") if uid else None

    return RequestView(
        id=row.id,
        person_id=row.young_person_id,
        status=Status(row.status),
        data=_input_of(row, overrides),
        decisions=_decisions_of(row),
        requested_by_id=row.requested_by,
        requested_by=names.get(row.requested_by, "?"),
        requested_at=row.requested_at,
        submitted_at=row.submitted_at,
        anchor_on=row.anchor_on,
        decisions_by=name(row.decisions_by),
        reviewed_by=name(row.reviewed_by),
        reviewed_at=row.reviewed_at,
        review_comments=row.review_comments,
        voided_at=row.voided_at,
        void_note=row.void_note,
        closed_on=row.closed_on,
        closed_by=name(row.closed_by),
        overrides=tuple(
            OverrideView(
                o.check_id,
                _check_title(o.check_id),
                o.justification,
                names.get(o.recorded_by, "?"),
                o.recorded_at,
            )
            for o in overrides
        ),
        author_ids=frozenset(a for a in request_authors(session, row) if a is not None),
    )


def _check_title(check_id: str) -> str:
    try:
        return rules.CheckId(check_id).label
    except ValueError:
        return check_id


def _active(session: Session, person_id: int) -> ClosureRequest | None:
    stmt = (
        select(ClosureRequest)
        .where(ClosureRequest.young_person_id == person_id)
        .where(ClosureRequest.status.in_([s.value for s in _ACTIVE]))
        .order_by(ClosureRequest.id.desc())
    )
    return session.scalars(stmt).first()


def _last_closed(session: Session, person_id: int) -> ClosureRequest | None:
    stmt = (
        select(ClosureRequest)
        .where(ClosureRequest.young_person_id == person_id)
        .where(ClosureRequest.status == Status.CLOSED.value)
        .order_by(ClosureRequest.id.desc())
    )
    return session.scalars(stmt).first()


def run_checks_in(
    session: Session, person_id: int, data: ClosureInput, decisions: TeamLeadDecisions, on: date
) -> tuple[list[rules.CheckResult], dict[str, Any]]:
    facts = load_facts(session, [person_id], on)
    if person_id not in facts:
        raise NotFound("That young person's record does not exist.")
    request = _request_facts(data, decisions)
    results = rules.run_checks(facts[person_id], request, on, closure_rules())
    return results, rules.evidence_snapshot(facts[person_id], request)


def run_request(
    session: Session, row: ClosureRequest
) -> tuple[list[rules.CheckResult], dict[str, Any]]:
    """The checks and evidence snapshot for a stored request, counted back from the day it
    was submitted."""
    data = _input_of(row, _overrides(session, row.id))
    return run_checks_in(session, row.young_person_id, data, _decisions_of(row), row.anchor_on)


# --- reading ---


def preview_checks(
    db: Database, actor: Actor, person_id: int, data: ClosureInput, *, now: datetime
) -> list[rules.CheckResult]:
    """Run every check as if ``data`` were submitted today, with any team-lead decisions
    already recorded on the active request."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        active = _active(session, person_id)
        decisions = _decisions_of(active) if active else TeamLeadDecisions()
        return run_checks_in(session, person_id, data, decisions, local_today(now))[0]


def reason_options(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[rules.ReasonChoice]:
    """Every closure reason for this young person today, each open only where it ends the
    duty for their category and age (:mod:`casework.domain.closure_grounds`), with the
    legal reason for each that is not."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    today = local_today(now)
    with db.reading() as session:
        facts = load_facts(session, [person_id], today)
    if person_id not in facts:
        raise NotFound("That young person's record does not exist.")
    return rules.reason_options(facts[person_id], today)


def _refusal(actor: Actor, action: Action, relation: Relation) -> str | None:
    """The permission policy's refusal for ``action``, in words; None when allowed."""
    if allowed(actor.role, action, relation):
        return None
    return denial_message(actor.role, action, relation)


def overview(db: Database, actor: Actor, person_id: int, *, now: datetime) -> ClosureOverview:
    """The case's closure state with the checks run now: against the active request when
    there is one (counting back from the day it was submitted), otherwise against an empty
    request, which shows what the record itself still needs."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    today = local_today(now)
    with db.reading() as session:
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        names = _names(session)
        active = _active(session, person_id)
        if active is None and person.closed_on is not None:
            active = _last_closed(session, person_id)  # what the checks said at closing
        view = _view(session, active, names) if active else None
        if view is not None:
            on = view.anchor_on
            results, snapshot = run_checks_in(session, person_id, view.data, view.decisions, on)
        else:
            on = today
            results, snapshot = run_checks_in(
                session, person_id, ClosureInput(reason=""), TeamLeadDecisions(), on
            )
        current: bool | None = None
        changed: tuple[str, ...] = ()
        if active is not None and active.status == Status.APPROVED:
            current = rules.fingerprint(snapshot) == active.approved_fingerprint
            if not current:
                before = json.loads(active.approved_snapshot or "{}")
                changed = tuple(rules.changed_sections(before, snapshot))
        past = session.scalars(
            select(ClosureRequest)
            .where(ClosureRequest.young_person_id == person_id)
            .where(ClosureRequest.status.in_((Status.CLOSED.value, Status.WITHDRAWN.value)))
            .order_by(ClosureRequest.id.desc())
        )
        history = tuple(_view(session, r, names) for r in past if view is None or r.id != view.id)
        notes = tuple(
            NoteView(n.id, n.text, names.get(n.author_id, "?"), n.created_at)
            for n in session.scalars(
                select(ClosedCaseNote)
                .where(ClosedCaseNote.young_person_id == person_id)
                .order_by(ClosedCaseNote.id.desc())
            )
        )
        reopenings = tuple(
            ReopeningView(r.id, r.reason, names.get(r.reopened_by, "?"), r.reopened_at)
            for r in session.scalars(
                select(CaseReopening)
                .where(CaseReopening.young_person_id == person_id)
                .order_by(CaseReopening.id.desc())
            )
        )
        state = (
            CaseState.CLOSED
            if person.closed_on
            else (CaseState(view.status.value) if view else CaseState.OPEN)
        )
        relation = actor.relation_to(
            person.team_id, person.social_worker_id, person.personal_adviser_id
        )
        who = Who(
            edit_refusal=_refusal(actor, Action.EDIT_RECORD, relation),
            review_refusal=_refusal(actor, Action.REVIEW_AS_TEAM_LEAD, relation),
            wrote_request=view is not None and actor.user_id in view.author_ids,
        )
        today_facts = load_facts(session, [person_id], today)[person_id]
        return ClosureOverview(
            person_id=person_id,
            child_uid=person.child_uid,
            name=f"{person.first_name} {person.last_name}",
            state=state,
            closed_on=person.closed_on,
            closure_reason=person.closure_reason,
            request=view,
            checks=tuple(results),
            checked_on=on,
            can_request=rules.can_request(results),
            can_approve=rules.can_approve(results),
            offers=offers(state, results, who),
            approval_current=current,
            changed_since_approval=changed,
            notes=notes,
            reopenings=reopenings,
            history=history,
            reasons=tuple(rules.reason_options(today_facts, today)),
            arrangements=tuple(arrangements_in(session, person_id, names)),
            age=age_on(person.date_of_birth, on),
        )


# The status a closure request is left in by each step of its audit trail.
_STEP_STATUS = {
    "request_closure": Status.PENDING,
    "resubmit_closure": Status.PENDING,
    "closure_approval_voided": Status.PENDING,
    "return_closure": Status.RETURNED,
    "approve_closure": Status.APPROVED,
    "withdraw_closure": Status.WITHDRAWN,
}


@dataclass(frozen=True)
class ClosureStateOn:
    """A case's closure state as it stood at the end of a day: closed or not (and since
    when), and the closure request active then, with its status on that day."""

    day: date
    closed: bool
    closed_on: date | None
    request_id: int | None
    request_status: Status | None


def _steps_from_row(row: ClosureRequest) -> list[tuple[datetime, Status]]:
    """The dated steps of a request written without them in the audit trail (generated
    demo data): requested, then reviewed (returned or approved) when its status says so;
    a withdrawal, undated there, counts from its last dated step."""
    steps = [(row.requested_at, Status.PENDING)]
    status = Status(row.status)
    if row.reviewed_at is not None and status in (Status.RETURNED, Status.APPROVED):
        steps.append((row.reviewed_at, status))
    elif row.reviewed_at is not None and status is Status.CLOSED:
        steps.append((row.reviewed_at, Status.APPROVED))
    if status is Status.WITHDRAWN:
        steps.append((max(at for at, _ in steps), Status.WITHDRAWN))
    return steps


def closure_state_on(session: Session, person_id: int, day: date) -> ClosureStateOn:
    """The case's closure state at the end of ``day``. Closed: the latest closing on or
    before the day came after every reopening on or before it. The request active on the
    day and its status then are read from the audit trail, which dates every step
    (requested, returned, approved, voided, withdrawn); requests made after the day are
    left out."""
    rows = list(
        session.scalars(
            select(ClosureRequest)
            .where(ClosureRequest.young_person_id == person_id)
            .order_by(ClosureRequest.id)
        )
    )
    closings = [r.closed_on for r in rows if r.closed_on is not None and r.closed_on <= day]
    reopenings = [
        _day(at)
        for at in session.scalars(
            select(CaseReopening.reopened_at).where(CaseReopening.young_person_id == person_id)
        )
        if _day(at) <= day
    ]
    last_closed = max(closings, default=None)
    closed = last_closed is not None and all(r < last_closed for r in reopenings)
    trail: dict[int, list[tuple[datetime, Status]]] = defaultdict(list)
    if rows:
        events = session.execute(
            select(AuditEvent.record_id, AuditEvent.action, AuditEvent.occurred_at)
            .where(AuditEvent.record_type == RECORD_TYPE)
            .where(AuditEvent.record_id.in_([str(r.id) for r in rows]))
            .where(AuditEvent.outcome == "ok")
            .order_by(AuditEvent.id)
        )
        for record_id, action, at in events:
            if record_id and action in _STEP_STATUS:
                trail[int(record_id)].append((at, _STEP_STATUS[action]))
    active: tuple[int, Status] | None = None
    for r in rows:
        if _day(r.requested_at) > day:
            continue
        status = Status.CLOSED if r.closed_on is not None and r.closed_on <= day else None
        steps = trail.get(r.id) or _steps_from_row(r)
        then = [step for at, step in steps if _day(at) <= day]
        status = status or (then[-1] if then else Status.PENDING)
        if status in _ACTIVE:
            active = (r.id, status)
    return ClosureStateOn(
        day,
        closed,
        last_closed if closed else None,
        active[0] if active else None,
        active[1] if active else None,
    )


def checks_for_child(
    db: Database, actor: Actor, child_uid: str, *, now: datetime
) -> tuple[int, list[rules.CheckResult]]:
    """The checks for the young person with this child id (``casework-admin
    closure-check``): against their active request if there is one, else as of today."""
    require(db, actor, Action.RUN_REPORTS, now=now, record_type="report")
    with db.reading() as session:
        pid = _child_pid(session, child_uid)
        active = _active(session, pid)
        if active is not None:
            return pid, run_request(session, active)[0]
        return pid, run_checks_in(
            session, pid, ClosureInput(""), TeamLeadDecisions(), local_today(now)
        )[0]


def _child_pid(session: Session, child_uid: str) -> int:
    pid = session.scalar(select(YoungPerson.id).where(YoungPerson.child_uid == child_uid))
    if pid is None:
        raise NotFound(f"No young person has the child id {child_uid!r}.")
    return pid


def checks_for_child_as_of(
    db: Database, actor: Actor, child_uid: str, day: date, *, now: datetime
) -> tuple[ClosureStateOn, list[rules.CheckResult]]:
    """The checks on the record as it stood on ``day`` (``casework-admin closure-check
    --as-of``), with the case's closure state then. A request's wording can change after
    the day, so the checks run as for an empty request: what the record itself still
    needed on that day. A day after today is refused: the record cannot be seen then."""
    require(db, actor, Action.RUN_REPORTS, now=now, record_type="report")
    if day > local_today(now):
        raise ValidationFailed([f"as of: {day:%d/%m/%Y} is in the future"])
    with db.reading() as session:
        pid = _child_pid(session, child_uid)
        born = session.scalar(select(YoungPerson.date_of_birth).where(YoungPerson.id == pid))
        if born is not None and day < born:
            raise ValidationFailed([f"as of: {day:%d/%m/%Y} is before they were born"])
        facts = load_facts(session, [pid], day, as_of=True)[pid]
        state = closure_state_on(session, pid, day)
    empty = _request_facts(ClosureInput(""), TeamLeadDecisions())
    return state, rules.run_checks(facts, empty, day, closure_rules())


def check_open_cases(
    db: Database, actor: Actor, *, now: datetime
) -> dict[int, list[rules.CheckResult]]:
    """Every check for every open case (no closure request data): what each record still
    needs before it could close. Reads each table once for all of them."""
    require(db, actor, Action.RUN_REPORTS, now=now, record_type="report")
    today = local_today(now)
    config = closure_rules()
    empty = _request_facts(ClosureInput(""), TeamLeadDecisions())
    with db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id).where(YoungPerson.closed_on.is_(None))))
        facts = load_facts(session, ids, today)
    return {pid: rules.run_checks(f, empty, today, config) for pid, f in facts.items()}


# --- the worker's steps ---


def _text_problems(data: ClosureInput) -> list[str]:
    problems = []
    try:
        rules.parse_reason(data.reason)
    except UnknownCode as exc:
        problems.append(f"reason: {exc}" if data.reason.strip() else "reason: choose a reason.")
    for check_id in data.justifications:
        try:
            rules.CheckId(check_id)
        except ValueError:
            problems.append(f"justifications: {check_id!r} is not a closure check.")
    return problems


def _refusals(results: Sequence[rules.CheckResult]) -> list[str]:
    out = []
    for r in results:
        if r.blocks:
            out.append(f"{r.id.number}. {r.title}: {r.summary}")
        elif r.needs_justification:
            out.append(f"{r.id.number}. {r.title}: {r.summary} Write a justification to go on.")
    return out


def _save_overrides(
    session: Session,
    actor: Actor,
    request: ClosureRequest,
    results: Sequence[rules.CheckResult],
    now: datetime,
) -> None:
    """Keep one override per overridden warning (replacing earlier ones); each is audited
    as an override so audits can find them."""
    for old in _overrides(session, request.id):
        session.delete(old)
    session.flush()
    for r in results:
        if r.outcome is rules.Outcome.OVERRIDDEN:
            row = ClosureOverride(
                request_id=request.id,
                check_id=r.id.value,
                justification=r.justification,
                recorded_by=actor.user_id,
                recorded_at=to_naive_utc(now),
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                actor,
                "closure_override",
                now=now,
                record_type="closure_override",
                record_id=row.id,
                fields=[r.id.value],
            )


_INPUT_FIELDS = [
    "reason",
    "reason_date",
    "receiving_body",
    "why_open",
    "what_changed",
    "agencies_involved",
    "if_concerns_return",
    "young_person_views",
]


def _apply(row: ClosureRequest, data: ClosureInput) -> None:
    row.reason = rules.parse_reason(data.reason).value
    row.reason_date = data.reason_date
    row.receiving_body = data.receiving_body.strip()
    row.why_open = data.why_open.strip()
    row.what_changed = data.what_changed.strip()
    row.agencies_involved = data.agencies_involved.strip()
    row.if_concerns_return = data.if_concerns_return.strip()
    row.young_person_views = data.young_person_views.strip()


def _record_version(
    session: Session, actor: Actor, row: ClosureRequest, kind: str, now: datetime
) -> None:
    """Keep who wrote this version of the request (separation of duties reads it)."""
    latest = session.scalar(
        select(ClosureRequestVersion.version)
        .where(ClosureRequestVersion.request_id == row.id)
        .order_by(ClosureRequestVersion.version.desc())
    )
    session.add(
        ClosureRequestVersion(
            request_id=row.id,
            version=(latest or 0) + 1,
            kind=kind,
            author_id=actor.user_id,
            written_at=to_naive_utc(now),
        )
    )
    session.flush()


def request_authors(session: Session, row: ClosureRequest) -> set[int | None]:
    """Everyone who wrote, rewrote, resubmitted or justified any version of a request."""
    versions = select(ClosureRequestVersion.author_id).where(
        ClosureRequestVersion.request_id == row.id
    )
    justified = select(ClosureOverride.recorded_by).where(ClosureOverride.request_id == row.id)
    return {row.requested_by, *session.scalars(versions), *session.scalars(justified)}


def request_closure(
    db: Database, actor: Actor, person_id: int, data: ClosureInput, *, now: datetime
) -> Changed:
    """Submit a closure request. Refused, naming each one, while a blocker the worker can
    fix fails or a failed warning has no justification."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _text_problems(data)
        if problems:
            raise ValidationFailed(problems)
        today = local_today(now)
        active = _active(session, person_id)
        if active is not None:
            raise ValidationFailed(
                [
                    "A closure request for this young person is already "
                    f"{Status(active.status).label.lower()}: open it on the Closure tab."
                ]
            )
        results, _ = run_checks_in(session, person_id, data, TeamLeadDecisions(), today)
        refusals = _refusals(results)
        if refusals:
            raise ValidationFailed(refusals)
        row = ClosureRequest(
            young_person_id=person_id,
            status=Status.PENDING.value,
            requested_by=actor.user_id,
            requested_at=to_naive_utc(now),
            submitted_at=to_naive_utc(now),
            anchor_on=today,
        )
        _apply(row, data)
        changed = add_audited(
            session,
            actor,
            row,
            "request_closure",
            now=now,
            record_type=RECORD_TYPE,
            fields=_INPUT_FIELDS,
        )
        _record_version(session, actor, row, "request", now)
        _save_overrides(session, actor, row, results, now)
        return changed


def _load(session: Session, request_id: int) -> ClosureRequest:
    row = session.get(ClosureRequest, request_id)
    if row is None:
        raise NotFound("That closure request no longer exists.")
    return row


def _expect(row: ClosureRequest, *allowed: Status) -> None:
    if Status(row.status) not in allowed:
        wanted = " or ".join(s.label.lower() for s in allowed)
        raise ValidationFailed(
            [f"This request is {Status(row.status).label.lower()}; it must be {wanted}."]
        )


def resubmit_closure(
    db: Database, actor: Actor, request_id: int, data: ClosureInput, *, now: datetime
) -> Changed:
    """Send a returned request back to the team lead, amended; the checks run again and
    count back from today."""
    with db.unit_of_work() as session:
        person_id = _load(session, request_id).young_person_id
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _text_problems(data)
        if problems:
            raise ValidationFailed(problems)
        today = local_today(now)
        row = _load(session, request_id)
        _expect(row, Status.RETURNED)
        results, _ = run_checks_in(session, person_id, data, _decisions_of(row), today)
        refusals = _refusals(results)
        if refusals:
            raise ValidationFailed(refusals)
        _apply(row, data)
        row.status = Status.PENDING.value
        row.submitted_at = to_naive_utc(now)
        row.anchor_on = today
        audit.record(
            session,
            actor,
            "resubmit_closure",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=_INPUT_FIELDS,
        )
        _record_version(session, actor, row, "resubmit", now)
        _save_overrides(session, actor, row, results, now)
        return Changed(RECORD_TYPE, (row.id,))


def withdraw_closure(db: Database, actor: Actor, request_id: int, *, now: datetime) -> Changed:
    with db.unit_of_work() as session:
        person_id = _load(session, request_id).young_person_id
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        row = _load(session, request_id)
        _expect(row, Status.PENDING, Status.RETURNED, Status.APPROVED)
        row.status = Status.WITHDRAWN.value
        audit.record(
            session,
            actor,
            "withdraw_closure",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=["status"],
        )
        return Changed(RECORD_TYPE, (row.id,), ("status",))


# --- the team lead's steps ---


def record_decisions(
    db: Database,
    actor: Actor,
    request_id: int,
    decisions: TeamLeadDecisions,
    *,
    now: datetime,
) -> Changed:
    """The team lead records who holds an open risk after closure (and how it will be
    reviewed), and why unsuitable or unknown accommodation does not stop closure."""
    with db.unit_of_work() as session:
        row = _load(session, request_id)
        check_on_person(session, actor, row.young_person_id, Action.REVIEW_AS_TEAM_LEAD, now)
        holder, review = decisions.risk_holder.strip(), decisions.risk_review.strip()
        if bool(holder) != bool(review):
            missing = "how the risk will be reviewed" if holder else "who holds the risk"
            raise ValidationFailed([f"risk_review: Say {missing} as well."])
        _expect(row, Status.PENDING)
        dob = session.scalar(
            select(YoungPerson.date_of_birth).where(YoungPerson.id == row.young_person_id)
        )
        refused = rules.risk_holder_problem(holder, age_on(dob, row.anchor_on)) if dob else None
        if refused:
            raise ValidationFailed([f"risk_holder: {refused}"])
        row.risk_holder, row.risk_review = holder, review
        row.accommodation_decision = decisions.accommodation_decision.strip()
        row.decisions_by = actor.user_id
        fields = ["risk_holder", "risk_review", "accommodation_decision"]
        audit.record(
            session,
            actor,
            "closure_decisions",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=fields,
        )
        return Changed(RECORD_TYPE, (row.id,), tuple(fields))


def approve_closure(
    db: Database, actor: Actor, request_id: int, password: str, *, now: datetime
) -> Changed:
    """Approve a pending request: the team lead re-enters their password, may not be the
    requester, and every check must pass. The approval is bound to a fingerprint of the
    evidence the checks read."""
    confirmed = confirm_password(  # its own throttle; on a team server, the server's grant
        db, actor, password, now=now, grant=("closure_request", request_id)
    )
    with db.unit_of_work() as session:
        row = _load(session, request_id)
        check_on_person(session, actor, row.young_person_id, Action.REVIEW_AS_TEAM_LEAD, now)
        check_approver(
            session,
            actor,
            request_authors(session, row),
            what="this closure request",
            action="approve_closure",
            now=now,
            record_type=RECORD_TYPE,
            record_id=request_id,
        )
        if not confirmed:
            raise Refusal(
                PermissionDenied("That password is not right, so the closure was not approved."),
                lambda audited: audit.record(
                    audited,
                    actor,
                    "approve_closure",
                    now=now,
                    record_type=RECORD_TYPE,
                    record_id=request_id,
                    outcome="denied",
                ),
            )
        _expect(row, Status.PENDING)
        results, snapshot = run_request(session, row)
        if not rules.can_approve(results):
            failing = [
                f"{r.id.number}. {r.title}: {r.summary}"
                for r in results
                if r.blocks_approval or r.needs_justification
            ]
            raise ValidationFailed(failing)
        row.status = Status.APPROVED.value
        row.reviewed_by, row.reviewed_at = actor.user_id, to_naive_utc(now)
        row.review_comments = ""
        row.approved_fingerprint = rules.fingerprint(snapshot)
        row.approved_snapshot = json.dumps(snapshot, sort_keys=True)
        audit.record(
            session,
            actor,
            "approve_closure",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=["status", "approved_fingerprint"],
        )
        return Changed(RECORD_TYPE, (row.id,), ("status",))


def return_closure(
    db: Database, actor: Actor, request_id: int, comments: str, *, now: datetime
) -> Changed:
    """Send a pending request back to the worker; the comments say what to do."""
    with db.unit_of_work() as session:
        row = _load(session, request_id)
        check_on_person(session, actor, row.young_person_id, Action.REVIEW_AS_TEAM_LEAD, now)
        if not comments.strip():
            raise ValidationFailed(
                ["comments: Say what the worker needs to do before it can close."]
            )
        _expect(row, Status.PENDING)
        row.status = Status.RETURNED.value
        row.reviewed_by, row.reviewed_at = actor.user_id, to_naive_utc(now)
        row.review_comments = comments.strip()
        audit.record(
            session,
            actor,
            "return_closure",
            now=now,
            record_type=RECORD_TYPE,
            record_id=row.id,
            fields=["status", "review_comments"],
        )
        return Changed(RECORD_TYPE, (row.id,), ("status",))


# --- closing and reopening ---


def _void(
    session: Session, actor: Actor, row: ClosureRequest, changed: list[str], now: datetime
) -> str:
    note = (
        "The record changed after the approval ("
        + (", ".join(changed) or "the evidence")
        + "), so the approval is void: the checks ran again and the request is back with "
        "a team lead."
    )
    row.status = Status.PENDING.value
    row.approved_fingerprint = None
    row.approved_snapshot = None
    row.voided_at = to_naive_utc(now)
    row.void_note = note
    row.submitted_at = to_naive_utc(now)
    audit.record(
        session,
        actor,
        "closure_approval_voided",
        now=now,
        record_type=RECORD_TYPE,
        record_id=row.id,
        fields=["status"],
    )
    return note


def close_case(
    db: Database, actor: Actor, request_id: int, closed_on: date, *, now: datetime
) -> Changed:
    """Close an approved case. If anything the checks read changed since the approval,
    the approval is voided (and that is saved) and the case stays open."""
    with db.unit_of_work() as session:
        person_id = _load(session, request_id).young_person_id
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        today = local_today(now)
        voided: str | None = None
        row = _load(session, request_id)
        _expect(row, Status.APPROVED)
        problems = []
        if closed_on > today:
            problems.append(
                f"closed_on: The closure date {plain_date(closed_on)} is in the future."
            )
        if closed_on < row.anchor_on:
            problems.append(
                f"closed_on: The closure date {plain_date(closed_on)} is before the request "
                f"({plain_date(row.anchor_on)})."
            )
        if row.reason_date is not None and closed_on < row.reason_date:
            problems.append(
                f"closed_on: The case cannot close before the date its reason gives "
                f"({plain_date(row.reason_date)}): close it on or after that day."
            )
        if problems:
            raise ValidationFailed(problems)
        _, snapshot = run_request(session, row)
        if rules.fingerprint(snapshot) != row.approved_fingerprint:
            before = json.loads(row.approved_snapshot or "{}")
            voided = _void(session, actor, row, rules.changed_sections(before, snapshot), now)
        else:
            person = session.get(YoungPerson, person_id)
            assert person is not None
            row.status = Status.CLOSED.value
            row.closed_on, row.closed_by, row.closed_at = (
                closed_on,
                actor.user_id,
                to_naive_utc(now),
            )
            person.closed_on = closed_on
            person.closure_reason = row.reason
            audit.record(
                session,
                actor,
                "close_case",
                now=now,
                record_type="young_person",
                record_id=person_id,
                fields=["closed_on", "closure_reason"],
            )
    if voided is not None:
        raise ApprovalVoided([voided])
    return Changed("young_person", (person_id,), ("closed_on",))


def reopen_case(
    db: Database, actor: Actor, person_id: int, reason: str, *, now: datetime
) -> Changed:
    """Reopen a closed case, with a reason; audited as its own action."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now, closed_ok=True)
        return reopen_in(session, actor, person_id, reason, now=now)


def reopen_in(
    session: Session, actor: Actor, person_id: int, reason: str, *, now: datetime
) -> Changed:
    """The reopening itself, inside a use case's unit of work once its checks have passed
    (the record's Reopen, or a team lead acting on an audit that found the closure unsafe)."""
    if not reason.strip():
        raise ValidationFailed(["reason: Say why the case is being reopened."])
    person = session.get(YoungPerson, person_id)
    if person is None:
        raise NotFound("That young person's record does not exist.")
    if person.closed_on is None:
        raise ValidationFailed(["This case is open: there is nothing to reopen."])
    last = session.scalars(
        select(ClosureRequest.id)
        .where(ClosureRequest.young_person_id == person_id)
        .where(ClosureRequest.status == Status.CLOSED.value)
        .order_by(ClosureRequest.id.desc())
    ).first()
    person.closed_on = None
    person.closure_reason = None
    row = CaseReopening(
        young_person_id=person_id,
        closure_request_id=last,
        reason=reason.strip(),
        reopened_by=actor.user_id,
        reopened_at=to_naive_utc(now),
    )
    return add_audited(
        session,
        actor,
        row,
        "reopen_case",
        now=now,
        record_type="case_reopening",
        fields=["reason"],
    )


def add_note(db: Database, actor: Actor, person_id: int, text: str, *, now: datetime) -> Changed:
    """Append a note to a closed case (the one change a closed case accepts)."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now, closed_ok=True)
        if not text.strip():
            raise ValidationFailed(["text: Write the note first."])
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        if person.closed_on is None:
            raise CaseClosed(
                "Notes are appended here only once a case is closed; record a contact instead."
            )
        row = ClosedCaseNote(
            young_person_id=person_id,
            text=text.strip(),
            author_id=actor.user_id,
            created_at=to_naive_utc(now),
        )
        return add_audited(
            session,
            actor,
            row,
            "closed_case_note",
            now=now,
            record_type="closed_case_note",
            fields=["text"],
        )


__all__ = [
    "ApprovalVoided",
    "ClosureInput",
    "ClosureOverview",
    "QueueRow",
    "Status",
    "TeamLeadDecisions",
    "add_note",
    "approve_closure",
    "check_open_cases",
    "checks_for_child",
    "close_case",
    "overview",
    "preview_checks",
    "queue",
    "reason_options",
    "record_decisions",
    "reopen_case",
    "request_authors",
    "request_closure",
    "resubmit_closure",
    "return_closure",
    "withdraw_closure",
]
