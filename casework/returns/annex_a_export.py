"""Annex A lists 1, 3, 5 and 9 built from the record, with a completeness report.

For an inspection date ``as_of`` (Ofsted ILACS, Annex A): lists 1, 3 and 5 hold the
contacts, referrals and section 47 enquiries dated in the 6 months up to it (from the
same day 6 months earlier, :func:`add_months`, to ``as_of``, both included, the
"within" convention of every clock in Casework); list 9 holds every young person whose
care-leaver category in force on ``as_of`` is a current one (Children Act 1989 s23A,
s23C, s24), whose case was open that day.

Computed fields come from the rules the app shows, as the record stood on ``as_of``:
the category from :func:`casework.domain.due.category_of`, ``LA in Touch`` and ``Latest
Date of Contact`` from :mod:`casework.domain.in_touch` (one definition), accommodation
and activity from the periods current that day, the latest pathway plan review from the
open plan (the later of its start and its last review), and the 12-month counts from
:func:`casework.domain.front_door.referrals_in_last_12_months` (for a referral imported
from another system, never fewer than that system counted: the earlier referrals it
counted are not in Casework). Team and allocated
workers are read as they stand now (Casework keeps no history of allocations).

The completeness report lists every child with a value that is missing or not
acceptable, with the field, what was expected and where on the record to fix it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.config import council_rules
from casework.db.database import Database
from casework.db.models import (
    ChildProtectionPlan,
    Referral,
    SafeguardingContact,
    Team,
    User,
    YoungPerson,
)
from casework.domain import due as rules_mod
from casework.domain.calendar import add_months, age_on
from casework.domain.codes import (
    CodeList,
    EligibilityCategory,
    Ethnicity,
    InTouch,
    ReferralSource,
    Sex,
    Suitability,
    UnknownCode,
    YesNo,
)
from casework.domain.front_door import ReferralDecision, referrals_in_last_12_months
from casework.domain.in_touch import derive_in_touch, latest_date_of_contact
from casework.errors import Cancelled
from casework.returns import annex_a as fmt
from casework.services import audit
from casework.services.common import refuse_whole_service_on_server, require
from casework.services.due import bulk_work, load_facts
from casework.services.permissions import Action, Actor

__all__ = ["AnnexA", "Gap", "build_lists", "export_annex_a", "window_start"]

#: Annex A lists 1, 3 and 5 cover the 6 months before the inspection.
WINDOW_MONTHS = 6

Progress = Callable[[str], None]
IsCancelled = Callable[[], bool]


@dataclass(frozen=True)
class Gap:
    """A value a list needs that the record does not hold (or holds in a form Annex A
    does not accept): which list and field, for which child, and where to fix it.
    ``person_id`` identifies the record, so a screen can open it."""

    list_no: int
    child_uid: str
    person_id: int
    field: str
    found: object
    expected: str
    fix: str

    def __str__(self) -> str:
        found = "nothing recorded" if self.found in (None, "") else repr(self.found)
        return (
            f"List {self.list_no}, Child Unique ID {self.child_uid}: '{self.field}' has "
            f"{found}; expected {self.expected}. Fix it on the record: {self.fix}."
        )


@dataclass(frozen=True)
class AnnexA:
    """The lists for an inspection date, and every gap found while building them."""

    as_of: date
    window_start: date
    lists: dict[int, list[fmt.Row]]
    gaps: list[Gap]


def window_start(as_of: date) -> date:
    """The first day lists 1, 3 and 5 cover: the same day 6 months earlier."""
    return add_months(as_of, -WINDOW_MONTHS)


@dataclass
class _Person:
    id: int
    uid: str
    sex: str | None
    ethnicity: str | None
    dob: date
    disability: str | None
    uasc: str | None
    team: str | None
    worker: str | None
    pa: str | None


class _Builder:
    def __init__(
        self,
        session: Session,
        as_of: date,
        progress: Progress | None,
        cancelled: IsCancelled | None,
    ) -> None:
        self.session = session
        self.as_of = as_of
        self.start = window_start(as_of)
        self.progress = progress
        self.cancelled = cancelled
        self.gaps: list[Gap] = []
        self.people: dict[int, _Person] = {}

    def step(self, text: str) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled("The Annex A export was cancelled: nothing was written.")
        if self.progress is not None:
            self.progress(text)

    def gap(
        self, list_no: int, p: _Person, field: str, found: object, expected: str, fix: str
    ) -> None:
        self.gaps.append(Gap(list_no, p.uid, p.id, field, found, expected, fix))

    # --- the people ---------------------------------------------------------------------

    def load_people(self) -> None:
        users = {
            uid: name for uid, name in self.session.execute(select(User.id, User.display_name))
        }
        teams = {tid: name for tid, name in self.session.execute(select(Team.id, Team.name))}
        stmt = select(
            YoungPerson.id,
            YoungPerson.child_uid,
            YoungPerson.sex,
            YoungPerson.ethnicity,
            YoungPerson.date_of_birth,
            YoungPerson.disability,
            YoungPerson.uasc,
            YoungPerson.team_id,
            YoungPerson.social_worker_id,
            YoungPerson.personal_adviser_id,
        )
        for pid, uid, sex, eth, dob, dis, uasc, team, sw, pa in self.session.execute(stmt):
            worker = users.get(sw) if sw is not None else None
            adviser = users.get(pa) if pa is not None else None
            self.people[pid] = _Person(
                pid,
                uid,
                _spelling(Sex, sex),
                _spelling(Ethnicity, eth),
                dob,
                _spelling(YesNo, dis),
                (YesNo.YES if uasc else YesNo.NO).annex_a,
                teams.get(team),
                worker or adviser,
                adviser,
            )

    def common(self, list_no: int, p: _Person, on: date) -> list[fmt.Cell]:
        """Child Unique ID, sex, ethnicity, date of birth and age on ``on``."""
        if p.sex is None:
            self.gap(
                list_no, p, fmt.SEX, None, "male, female, neither or not stated", "Details tab, Sex"
            )
        if p.ethnicity is None:
            self.gap(
                list_no, p, "Ethnicity", None, "a DfE ethnicity code", "Details tab, Ethnicity"
            )
        age: int | None = None
        if p.dob <= on:
            age = age_on(p.dob, on)
        else:
            self.gap(
                list_no,
                p,
                fmt.DOB,
                p.dob.isoformat(),
                f"a date of birth on or before {on.isoformat()}",
                "Details tab, Date of birth",
            )
        return [p.uid, p.sex, p.ethnicity, p.dob, age]

    def allocation(self, list_no: int, p: _Person) -> list[fmt.Cell]:
        if p.team is None:
            self.gap(
                list_no, p, fmt.TEAM, None, "the team the case belongs to", "Details tab, Team"
            )
        if p.worker is None:
            self.gap(
                list_no,
                p,
                fmt.WORKER,
                None,
                "an allocated worker",
                "Details tab, Social worker or Personal adviser",
            )
        return [p.team, p.worker]

    def local_day(self, moment: datetime) -> date:
        return to_local(moment).date()

    # --- list 1 -------------------------------------------------------------------------

    def list_1(self) -> list[fmt.Row]:
        self.step("List 1: contacts")
        rows = []
        early, late = _stored_bounds(self.start, self.as_of)
        stmt = select(
            SafeguardingContact.young_person_id,
            SafeguardingContact.received_at,
            SafeguardingContact.source,
        ).where(SafeguardingContact.received_at.between(early, late))
        for pid, received, source in self.session.execute(stmt):
            day = self.local_day(received)
            if not self.start <= day <= self.as_of:
                continue
            p = self.people[pid]
            spelled = _spelling(ReferralSource, source)
            if spelled is None:
                self.gap(
                    1,
                    p,
                    "Contact Source",
                    source,
                    "a CIN referral source code",
                    "Concerns and referrals tab, the contact's source",
                )
            rows.append((*self.common(1, p, day), day, spelled))
        return _sorted(rows, 5)

    # --- list 3 -------------------------------------------------------------------------

    def _referrals(self) -> list[Any]:
        late = datetime.combine(self.as_of, datetime.max.time()) + timedelta(days=1)
        stmt = select(
            Referral.id,
            Referral.young_person_id,
            Referral.received_at,
            Referral.source,
            Referral.decision,
            Referral.decided_at,
            Referral.strategy_discussion_on,
            Referral.icpc_on,
            Referral.icpc_not_required_reason,
            Referral.legacy_referrals_12_months,
        ).where(Referral.received_at <= late)
        return [
            r for r in self.session.execute(stmt) if self.local_day(r.received_at) <= self.as_of
        ]

    def list_3(self, referrals: list[Any]) -> list[fmt.Row]:
        self.step("List 3: referrals")
        by_person: dict[int, list[tuple[int, date]]] = defaultdict(list)
        for r in referrals:
            by_person[r.young_person_id].append((r.id, self.local_day(r.received_at)))
        rows = []
        for r in referrals:
            day = self.local_day(r.received_at)
            if day < self.start:
                continue
            p = self.people[r.young_person_id]
            others = [d for rid, d in by_person[r.young_person_id] if rid != r.id]
            nfa = (
                r.decision == ReferralDecision.NO_FURTHER_ACTION.value
                and r.decided_at is not None
                and self.local_day(r.decided_at) <= self.as_of
            )
            source = _spelling(ReferralSource, r.source)
            if source is None:
                self.gap(
                    3,
                    p,
                    "Referral Source",
                    r.source,
                    "a CIN referral source code",
                    "Concerns and referrals tab, the referral's source",
                )
            rows.append(
                (
                    *self.common(3, p, day),
                    day,
                    source,
                    (YesNo.YES if nfa else YesNo.NO).annex_a,
                    max(
                        referrals_in_last_12_months(others, day), r.legacy_referrals_12_months or 0
                    ),
                    *self.allocation(3, p),
                )
            )
        return _sorted(rows, 5)

    # --- list 5 -------------------------------------------------------------------------

    def list_5(self, referrals: list[Any]) -> list[fmt.Row]:
        self.step("List 5: section 47 enquiries and initial conferences")
        plans = {
            (pid, rid, start)
            for pid, rid, start in self.session.execute(
                select(
                    ChildProtectionPlan.young_person_id,
                    ChildProtectionPlan.referral_id,
                    ChildProtectionPlan.started_on,
                )
            )
        }
        plan_people = {(pid, start) for pid, _rid, start in plans}
        enquiries: dict[int, list[tuple[int, date]]] = defaultdict(list)
        conferences: dict[int, list[tuple[int, date]]] = defaultdict(list)
        for r in referrals:
            if r.strategy_discussion_on is not None and r.strategy_discussion_on <= self.as_of:
                enquiries[r.young_person_id].append((r.id, r.strategy_discussion_on))
            if r.icpc_on is not None and r.icpc_on <= self.as_of:
                conferences[r.young_person_id].append((r.id, r.icpc_on))
        rows = []
        for r in referrals:
            start = r.strategy_discussion_on
            if start is None or not self.start <= start <= self.as_of:
                continue
            p = self.people[r.young_person_id]
            held = r.icpc_on if r.icpc_on is not None and r.icpc_on <= self.as_of else None
            if held is not None:
                unnecessary: str | None = YesNo.NO.annex_a
                made_plan = (r.young_person_id, r.id, held) in plans or (
                    r.young_person_id,
                    held,
                ) in plan_people
                plan = (YesNo.YES if made_plan else YesNo.NO).annex_a
            else:
                unnecessary = YesNo.YES.annex_a if r.icpc_not_required_reason.strip() else None
                plan = None
            if p.disability is None:
                self.gap(
                    5, p, fmt.DISABILITY, None, "yes, no or unknown", "Details tab, Disability"
                )
            s47 = [d for rid, d in enquiries[r.young_person_id] if rid != r.id]
            icpcs = [d for rid, d in conferences[r.young_person_id] if rid != r.id]
            rows.append(
                (
                    *self.common(5, p, start),
                    p.disability,
                    start,
                    unnecessary,
                    held,
                    plan,
                    referrals_in_last_12_months(s47, start),
                    referrals_in_last_12_months(icpcs, start),
                    *self.allocation(5, p),
                )
            )
        return _sorted(rows, 6)

    # --- list 9 -------------------------------------------------------------------------

    def list_9(self) -> list[fmt.Row]:
        self.step("List 9: care leavers (reading the records)")
        as_of = self.as_of
        stmt = select(YoungPerson.id).where(
            (YoungPerson.opened_on.is_(None) | (YoungPerson.opened_on <= as_of))
            & (YoungPerson.closed_on.is_(None) | (YoungPerson.closed_on > as_of))
        )
        window = council_rules().in_touch_window_months
        rows = []
        with bulk_work():
            facts = load_facts(self.session, stmt, as_of=as_of)
            self.step(f"List 9: care leavers (applying the rules to {len(facts)} records)")
            for count, (pid, case) in enumerate(facts.items(), start=1):
                if count % 500 == 0:
                    self.step(f"List 9: {count} of {len(facts)} records")
                row = self._list_9_row(self.people[pid], case, as_of, window)
                if row is not None:
                    rows.append(row)
        return sorted(rows, key=lambda row: str(row[0]))

    def _list_9_row(
        self, p: _Person, case: rules_mod.CaseFacts, as_of: date, window: int
    ) -> fmt.Row | None:
        category = rules_mod.category_of(case, as_of).effective
        if category is EligibilityCategory.NO_CURRENT:
            return None
        stood = rules_mod.facts_as_of(case, as_of)
        state = derive_in_touch(case.contacts, case.statuses, as_of, window)
        latest = latest_date_of_contact(state)
        review = None
        if stood.plan is not None:
            review = max((stood.plan.start, *stood.plan.reviews))
        accommodation, suitability, doing = self._placement(p, state.code, stood, as_of)
        if p.disability is None:
            self.gap(9, p, fmt.DISABILITY, None, "yes, no or unknown", "Details tab, Disability")
        if p.pa is None:
            self.gap(
                9,
                p,
                "Allocated Personal Advisor",
                None,
                "an allocated personal adviser",
                "Details tab, Personal adviser",
            )
        return (
            *self.common(9, p, as_of),
            p.uasc,
            p.disability,
            *self.allocation(9, p),
            p.pa,
            category.annex_a,
            review,
            state.code.annex_a,
            latest,
            accommodation,
            suitability,
            doing,
        )

    def _placement(
        self, p: _Person, code: InTouch, stood: rules_mod.CaseFacts, as_of: date
    ) -> tuple[str | None, str | None, str | None]:
        """Type and suitability of accommodation and activity on ``as_of``: blank for a
        young person who has died or returned home (as in SSDA903, rule 344)."""
        home = rules_mod.current_accommodation(stood.accommodation, as_of)
        activity = rules_mod.current_activity(stood.activities, as_of)
        accommodation = suitability = doing = None
        not_applicable = code in (InTouch.DIED, InTouch.RHOM)
        if not not_applicable:
            if home is not None:
                accommodation = home.letter.annex_a
                if home.letter.always_unsuitable or home.suitable is False:
                    suitability = Suitability.UNSUITABLE.annex_a
                elif home.suitable:
                    suitability = Suitability.SUITABLE.annex_a
                else:
                    self.gap(
                        9,
                        p,
                        fmt.SUITABILITY,
                        None,
                        "suitable or unsuitable",
                        "Accommodation tab, the current period's suitability",
                    )
            if activity is not None:
                doing = activity.code.annex_a
        if code is InTouch.YES:
            if home is None:
                self.gap(
                    9,
                    p,
                    fmt.ACCOMMODATION,
                    None,
                    "the accommodation of a young person in touch",
                    "Accommodation tab, add the current period",
                )
            if doing is None:
                self.gap(
                    9,
                    p,
                    fmt.ACTIVITY,
                    None,
                    "the education, training or employment of a young person in touch",
                    "Accommodation tab, add the current activity",
                )
        return accommodation, suitability, doing


def _spelling(codes: type[CodeList], stored: str | None) -> str | None:
    if stored is None:
        return None
    try:
        return codes.parse(stored).annex_a
    except UnknownCode:
        return None


def _stored_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Stored (naive UTC) times that surely include every local day from first to last."""
    return datetime.combine(first, datetime.min.time()) - timedelta(days=1), datetime.combine(
        last, datetime.max.time()
    ) + timedelta(days=1)


def _sorted(rows: list[tuple[fmt.Cell, ...]], date_index: int) -> list[fmt.Row]:
    """Oldest first, then by child and every other value: the same lists give the same
    order, whatever the row ids."""
    return sorted(rows, key=lambda row: (row[date_index], *(str(v) for v in row)))


def build_lists(
    session: Session,
    as_of: date,
    *,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> AnnexA:
    """Lists 1, 3, 5 and 9 for the inspection date ``as_of``, and every gap found."""
    builder = _Builder(session, as_of, progress, cancelled)
    builder.step("Reading young people")
    builder.load_people()
    referrals = builder._referrals()
    lists = {
        1: builder.list_1(),
        3: builder.list_3(referrals),
        5: builder.list_5(referrals),
        9: builder.list_9(),
    }
    return AnnexA(as_of, builder.start, lists, builder.gaps)


def export_annex_a(
    db: Database,
    actor: Actor,
    *,
    as_of: date,
    now: datetime,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> AnnexA:
    """The Annex A lists for ``as_of`` (permission: producing returns; audited)."""
    refuse_whole_service_on_server(db, "Annex A")
    require(db, actor, Action.EXPORT_RETURNS, now=now, record_type="annex_a")
    with db.reading() as session:
        result = build_lists(session, as_of, progress=progress, cancelled=cancelled)
    with db.unit_of_work() as session:
        audit.record(
            session,
            actor,
            "export_annex_a",
            now=now,
            record_type="annex_a",
            record_id=as_of.isoformat(),
        )
    return result
