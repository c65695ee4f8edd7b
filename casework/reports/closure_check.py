"""``casework-admin closure-check``: the closure checks for one young person, as JSON, from
the same engine the screens use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from casework.db.database import Database
from casework.domain import closure as rules
from casework.services import closure
from casework.services.permissions import Actor


def _check(result: rules.CheckResult) -> dict[str, Any]:
    return {
        "id": result.id.value,
        "number": result.id.number,
        "title": result.title,
        "severity": result.severity.value,
        "passed": result.passed,
        "outcome": result.outcome.value,
        "summary": result.summary,
        "why": result.why,
        "justification": result.justification or None,
        "evidence": [
            {"record": e.kind, "id": e.id, "text": e.text, "ok": e.ok} for e in result.evidence
        ],
    }


def closure_check(db: Database, actor: Actor, child_uid: str, *, now: datetime) -> dict[str, Any]:
    """``{"child_id", "can_close", "checks": [...]}``. ``can_close``: every blocker passed and
    every failed warning justified, as the record and any active request stand."""
    _pid, results = closure.checks_for_child(db, actor, child_uid, now=now)
    return {
        "child_id": child_uid,
        "can_close": rules.can_approve(results),
        "checks": [_check(r) for r in results],
    }


def closure_check_as_of(
    db: Database, actor: Actor, child_uid: str, day: date, *, now: datetime
) -> dict[str, Any]:
    """The checks on the record as it stood on ``day``, with the case's closure state then:
    ``{"child_id", "as_of", "closed_on_the_day", "closed_on", "request", "can_close",
    "checks"}``. ``can_close``: every blocker passed on that day, nothing overridden."""
    state, results = closure.checks_for_child_as_of(db, actor, child_uid, day, now=now)
    return {
        "child_id": child_uid,
        "as_of": day.isoformat(),
        "closed_on_the_day": state.closed,
        "closed_on": state.closed_on.isoformat() if state.closed_on else None,
        "request": None
        if state.request_id is None
        else {"id": state.request_id, "status": state.request_status.value}
        if state.request_status
        else None,
        "can_close": rules.can_approve(results),
        "checks": [_check(r) for r in results],
    }
