"""The care-leaver category in force, for many young people at once.

Every screen, clock, report and check takes a young person's category from here, through
the one rule :func:`casework.domain.leaving_care.category_on`: derived from the care history
(care periods, returns home), aged by birthdays, compared with the worker's latest dated
confirmation, and the safer of the two while they disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.db.models import (
    CareHistory,
    CarePeriod,
    EligibilityDecision,
    StatusEvent,
    YoungPerson,
)
from casework.domain import leaving_care as lc
from casework.domain.codes import EligibilityCategory
from casework.domain.leaving_care import CategoryView, ExplicitStatus
from casework.services.common import People
from casework.services.common import rows_in as _rows


@dataclass(frozen=True)
class CategoryInputs:
    """What the category in force is worked out from, for one young person."""

    date_of_birth: date
    confirmed: EligibilityCategory
    confirmed_on: date | None
    care: lc.CareHistory
    suggested_then: EligibilityCategory | None = None

    def view(self, on: date) -> CategoryView:
        return lc.category_on(
            self.date_of_birth,
            self.confirmed,
            on,
            care=self.care,
            confirmed_on=self.confirmed_on,
            suggested_then=self.suggested_then,
        )


def category_inputs(
    session: Session, ids: People, as_of: date | None = None
) -> dict[int, CategoryInputs]:
    """The care history (care periods, returns home) and the latest confirmation made on or
    before ``as_of`` (any, when ``None``), for many young people at once. Every screen,
    clock, report and check takes the category from here, through
    :func:`leaving_care.category_on`."""
    # A care history is one row per young person (its key is theirs): read with them.
    people = {}
    histories = {}
    for pid, dob, recorded, ceased, has_history, *history in _rows(
        session,
        select(
            YoungPerson.id,
            YoungPerson.date_of_birth,
            YoungPerson.eligibility,
            YoungPerson.date_ceased_looked_after,
            CareHistory.young_person_id,
            CareHistory.date_entered_care,
            CareHistory.weeks_looked_after_since_14,
            CareHistory.detained_or_in_hospital_at_16,
            CareHistory.sgo_after_looked_after,
        ).outerjoin(CareHistory, CareHistory.young_person_id == YoungPerson.id),
        YoungPerson.id,
        ids,
    ):
        people[pid] = (dob, recorded, ceased)
        if has_history is not None:
            histories[pid] = tuple(history)
    periods: dict[int, list[lc.CarePeriod]] = defaultdict(list)
    stmt = select(
        CarePeriod.young_person_id,
        CarePeriod.started_on,
        CarePeriod.ended_on,
        CarePeriod.legal_status,
    ).order_by(CarePeriod.started_on)
    for pid, start, end, status in _rows(session, stmt, CarePeriod.young_person_id, ids):
        periods[pid].append(lc.CarePeriod(start, end, status))
    home: dict[int, list[lc.HomeSpell]] = defaultdict(list)
    home_stmt = select(
        StatusEvent.young_person_id, StatusEvent.effective_on, StatusEvent.ended_on
    ).where(StatusEvent.status == ExplicitStatus.RETURNED_HOME.value)
    for pid, on, ended in _rows(session, home_stmt, StatusEvent.young_person_id, ids):
        home[pid].append(lc.HomeSpell(on, ended))
    decisions: dict[int, tuple[datetime, int, str, str]] = {}
    decision_stmt = select(
        EligibilityDecision.young_person_id,
        EligibilityDecision.decided_at,
        EligibilityDecision.id,
        EligibilityDecision.decided,
        EligibilityDecision.suggested,
    )
    for pid, at, did, decided, suggested in _rows(
        session, decision_stmt, EligibilityDecision.young_person_id, ids
    ):
        if as_of is not None and to_local(at).date() > as_of:  # decided after the day
            continue
        if pid not in decisions or (at, did) > decisions[pid][:2]:
            decisions[pid] = (at, did, decided, suggested)
    out = {}
    for pid, (dob, recorded, ceased) in people.items():
        entered, weeks, detained, sgo = histories.get(pid, (None, None, False, False))
        care = lc.CareHistory(
            date_of_birth=dob,
            entered_care=entered,
            ceased_care=ceased,
            weeks_looked_after_since_14=weeks,
            detained_or_in_hospital_at_16=bool(detained),
            sgo_after_looked_after=bool(sgo),
            care_periods=tuple(periods.get(pid, ())),
            returned_home=tuple(home.get(pid, ())),
        )
        decision = decisions.get(pid)
        confirmed = EligibilityCategory.parse(decision[2] if decision else recorded)
        out[pid] = CategoryInputs(
            dob,
            confirmed,
            decision[0].date() if decision else None,
            care,
            EligibilityCategory.parse(decision[3]) if decision else None,
        )
    return out


def categories_in(
    session: Session, ids: People, on: date, *, as_of: date | None = None
) -> dict[int, CategoryView]:
    """The category in force on ``on`` for many young people (the closure checks, the
    caseload, the record header and the reports all read it from here)."""
    return {pid: inputs.view(on) for pid, inputs in category_inputs(session, ids, as_of).items()}
