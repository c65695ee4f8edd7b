"""The chronology's closure events: requests, returns, approvals (and voided ones),
closing, notes appended to a closed case, reopening, and arrangements recorded alongside a
care leaver's case (another council or adult social care: CLR 2010 reg 2(1))."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.db.models import CareArrangement, CaseReopening, ClosedCaseNote, ClosureRequest
from casework.domain.closure import reason_label
from casework.domain.closure_grounds import ArrangementKind
from casework.domain.codes import UnknownCode
from casework.services.chronology_events import Event, EventKind

Names = dict[int, str]
_KIND = EventKind.CLOSURE


def _reason(code: str) -> str:
    try:
        return reason_label(code)
    except UnknownCode:
        return code


def closure_events(session: Session, pid: int, names: Names) -> Iterator[Event]:
    for r in session.scalars(select(ClosureRequest).where(ClosureRequest.young_person_id == pid)):
        at = to_local(r.requested_at)
        yield Event(
            at.date(),
            at,
            _KIND,
            f"Closure requested: {_reason(r.reason)}",
            r.what_changed,
            names.get(r.requested_by),
        )
        if r.review_comments and r.reviewed_at:
            when = to_local(r.reviewed_at)
            yield Event(
                when.date(),
                when,
                _KIND,
                "Closure request returned",
                r.review_comments,
                names.get(r.reviewed_by or 0),
            )
        if r.voided_at:
            when = to_local(r.voided_at)
            yield Event(when.date(), when, _KIND, "Closure approval voided", r.void_note)
        if r.closed_on and r.closed_at:
            yield Event(
                r.closed_on,
                to_local(r.closed_at),
                _KIND,
                f"Case closed: {_reason(r.reason)}",
                r.if_concerns_return,
                names.get(r.closed_by or 0),
            )
    for n in session.scalars(select(ClosedCaseNote).where(ClosedCaseNote.young_person_id == pid)):
        at = to_local(n.created_at)
        yield Event(at.date(), at, _KIND, "Note on the closed case", n.text, names.get(n.author_id))
    for o in session.scalars(select(CaseReopening).where(CaseReopening.young_person_id == pid)):
        at = to_local(o.reopened_at)
        yield Event(at.date(), at, _KIND, "Case reopened", o.reason, names.get(o.reopened_by))
    for a in session.scalars(select(CareArrangement).where(CareArrangement.young_person_id == pid)):
        at = to_local(a.recorded_at)
        yield Event(
            a.started_on,
            at,
            _KIND,
            f"Arrangement alongside the case: {ArrangementKind.parse(a.kind).label} "
            f"({a.with_whom})",
            a.note,
            names.get(a.recorded_by),
        )
