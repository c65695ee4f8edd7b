"""Two people, one record: a change made after someone's screen read a record is named,
never overwritten.

A screen keeps the ``version`` of each row it shows and hands it to the use case as
``expected_version``. Inside its one unit of work the use case calls :func:`expect` on
the row it is about to change: when the version has moved on, the use case is refused
with :class:`~casework.errors.EditConflict` before anything is written. The message is
built from the audit trail (the events on that record since the screen read it): who
changed it, when, and which fields, or what they decided ("Lee Lead approved this closure
request at 10:42 on 27 November 2026").

``expected_version=None`` means the caller read the row in this same transaction (the
command-line tool, imports, a use case called from another): nothing to compare. Rows are
also the mapper's ``version_id_col`` (``casework.db.models.base.Versioned``), so a write
racing another connection's commit fails as a stale write instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.db import audit_rows
from casework.db.models import AuditEvent, User
from casework.errors import EditConflict

# What each decision's audit action says a person did, in words ("approved").
DECIDED = {
    "approve_closure": "approved",
    "return_closure": "returned",
    "withdraw_closure": "withdrew",
    "resubmit_closure": "resubmitted",
    "close_case": "closed",
    "reopen_case": "reopened",
    "closure_decisions": "recorded the closure decisions on",
    "decide_referral": "recorded a decision on",
    "decide_concern": "recorded a decision on",
    "authorise_assessment": "authorised the assessment on",
    "sign_off_risk": "signed off",
    "close_allegation": "recorded the outcome of",
    "finalise_contact": "completed",
    "discard_draft": "discarded",
    "end_status": "ended",
    "end_accommodation": "ended",
    "end_child_protection_plan": "ended",
    "complete_follow_up": "completed",
    "complete_learning_action": "completed",
    "review_accommodation": "reviewed",
    "review_plan": "reviewed",
    "remove_care_period": "removed",
    "resolve_closure_audit": "resolved",
    "decline_reopening": "declined the reopening on",
    "recommend_reopening": "recommended reopening",
    "assign_closure_audit": "assigned",
    "set_password": "set a new password on",
    "start_plan": "started a new {what}",  # a plan started meanwhile replaces the one shown
    "create_referral": "opened this {what} from a contact",
    "add_accommodation": "recorded a newer {what}",
    "add_activity": "recorded a newer {what}",
}

# Storage names whose words are not just the name with spaces.
LABELS = {
    "uasc": "unaccompanied asylum-seeking child",
    "date_of_birth": "date of birth",
    "social_worker_id": "social worker",
    "personal_adviser_id": "personal adviser",
    "team_id": "team",
    "lado_notified_at": "LADO notified",
    "icpc_on": "initial child protection conference",
    "icpc_not_required_reason": "why no initial child protection conference",
    "draft_follow_ups": "follow-up actions",
    "review_comments": "review comments",
    "password_hash": "password",
    "discussed": "what was discussed",
    "views": "the young person's views",
    "occurred_at": "when it happened",
    "successful": "whether it was successful",
    "made_by": "who made it",
}

_SCAN = 200  # newest events on one record read to find the changes (indexed)


@dataclass(frozen=True)
class OtherChange:
    """One change another person made to a record: who, when (UTC), the audit action and
    the fields it names."""

    who: str
    at: datetime
    action: str
    fields: tuple[str, ...] = ()


def label(field: str) -> str:
    """A field's storage name in words."""
    if field in LABELS:
        return LABELS[field]
    words = field.removesuffix("_id").replace("_", " ")
    return words


def _when(at: datetime) -> str:
    local = to_local(at)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def _one(change: OtherChange, what: str) -> str:
    verb = DECIDED.get(change.action)
    when = _when(change.at)
    if verb is not None:
        done = verb.format(what=what) if "{what}" in verb else f"{verb} this {what}"
        return f"{change.who} already {done} at {when}"
    fields = [label(f) for f in change.fields if f not in {"version", "updated_at"}]
    if not fields:
        return f"{change.who} changed this {what} at {when}"
    shown = fields if len(fields) <= 6 else [*fields[:6], f"{len(fields) - 6} more"]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"{change.who} changed {listed} on this {what} at {when}"


def conflict_message(what: str, changes: Sequence[OtherChange], detail: str = "") -> str:
    """The whole sentence a screen shows: what changed, by whom and when (``detail``: what
    that means for this step), that nothing was overwritten, and how to carry on.
    ``changes`` oldest first."""
    if changes:
        named = "; then ".join(_one(c, what) for c in changes)
        head = f"Since you opened it, {named}."
    else:
        head = f"Someone else changed this {what} since you opened it."
    if detail:
        head = f"{head} {detail}"
    return (
        f"{head} Your change was not saved and nothing of theirs was overwritten. "
        f"Reopen the {what} to see what they did, then make your change again if it is "
        "still needed."
    )


def changes_since(
    session: Session, record_type: str, record_id: object, count: int, table: str | None = None
) -> list[OtherChange]:
    """The newest ``count`` changes the audit trail shows to a record (oldest first):
    events whose row hash differs from the one before it (the row's version is part of
    its hash, so every saved change moves it; reading a record does not). Events name a
    row by the service's record type or by its ``table`` (written before commit for rows
    no event named), so both are read."""
    table = table or audit_rows.table_of(record_type, audit_rows.RECORD_TYPE_TABLES.values())
    names = sorted({record_type, *(audit_rows.record_types_of(table) if table else ())})
    rows = list(
        session.execute(
            select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.actor_id, AuditEvent.action)
            .add_columns(AuditEvent.fields, AuditEvent.row_hash)
            .where(AuditEvent.record_type.in_(names))
            .where(AuditEvent.record_id == str(record_id))
            .where(AuditEvent.outcome == "ok")
            .where(AuditEvent.row_hash.is_not(None))
            .order_by(AuditEvent.id.desc())
            .limit(_SCAN)
        )
    )
    rows.reverse()
    found: list[Any] = []
    previous: str | None = None
    for row in rows:
        if row.row_hash != previous and row.action != "baseline_records":
            found.append(row)
        previous = row.row_hash
    found = found[-count:] if count > 0 else []
    ids = {r.actor_id for r in found if r.actor_id is not None}
    names_by_id: dict[int, str] = {}
    if ids:
        stmt = select(User.id, User.display_name).where(User.id.in_(ids))
        for uid, name in session.execute(stmt):
            names_by_id[uid] = name
    out: list[OtherChange] = []
    for r in found:
        who = (
            names_by_id.get(r.actor_id, "a former user")
            if r.actor_id is not None
            else "the administration tool (casework-admin)"
        )
        fields = tuple(f for f in str(r.fields or "").split(",") if f)
        out.append(OtherChange(who, r.occurred_at.replace(tzinfo=UTC), r.action, fields))
    return out


def conflict(
    session: Session,
    row: Any,
    *,
    record_type: str,
    what: str,
    count: int = 1,
    detail: str = "",
) -> EditConflict:
    """The refusal for a change to ``row`` that someone else's change (the newest
    ``count``) got to first: also what a decision already taken is refused with
    (``detail`` says what it means: "It is finished and can no longer change.")."""
    key = _key(row)
    table = inspect(row).mapper.local_table.name
    changes = changes_since(session, record_type, key, max(count, 1), table)
    return EditConflict(
        conflict_message(what, changes, detail), record_type=record_type, record_id=key
    )


def _key(row: Any) -> str:
    """The row's record id as the audit trail names it (its primary key)."""
    identity = inspect(row).identity or ()
    return "/".join(str(v) for v in identity)


def expect(
    session: Session,
    row: Any,
    expected_version: int | None,
    *,
    record_type: str,
    what: str,
) -> None:
    """Inside a unit of work, before writing ``row``: refuse with EditConflict when it has
    changed since the screen read it at ``expected_version`` (None: nothing to compare)."""
    if expected_version is None or row.version == expected_version:
        return
    behind = row.version - expected_version
    raise conflict(session, row, record_type=record_type, what=what, count=behind)


def expect_all(
    session: Session,
    rows: Mapping[int, Any],
    expected: Mapping[int, int] | None,
    *,
    record_type: str,
    what: str,
) -> None:
    """:func:`expect` for several rows of one kind shown together (a plan's areas)."""
    if expected is None:
        return
    for row_id, version in expected.items():
        row = rows.get(row_id)
        if row is not None:
            expect(session, row, version, record_type=record_type, what=what)
