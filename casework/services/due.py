"""What is due: the one engine (``casework.domain.due``) fed from the database.

Facts for many young people are loaded in bulk, one query per table, and handed to the
pure rules; the "My work" screen, the caseload's status columns, the record header and
``casework-admin report due`` all come from here, so they always agree.
"""

from __future__ import annotations

import gc
import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from casework.clock import local_today, to_local
from casework.config import council_rules
from casework.db.database import Database
from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    CircumstanceChange,
    Contact,
    ContactSummary,
    EligibilityDecision,
    FollowUpAction,
    NeedsAssessment,
    PathwayPlan,
    PlanReview,
    StatusEvent,
    SummarisedContact,
    SupportEvent,
    User,
    YoungPerson,
)
from casework.domain import due as rules_mod
from casework.domain.codes import AccommodationType, Activity
from casework.domain.due import CaseFacts, DueItem, DueRules, work_order
from casework.domain.in_touch import ContactFact, InTouchState, derive_in_touch
from casework.domain.in_touch import StatusEvent as StatusFact
from casework.domain.leaving_care import (
    CategoryView,
    ContactMadeBy,
    ContactMethod,
    ExplicitStatus,
)
from casework.domain.leaving_care import (
    CircumstanceChange as Change,
)
from casework.errors import NotFound
from casework.services import due_snapshot
from casework.services.categories import category_inputs
from casework.services.common import People, checked_reading, require, require_current
from casework.services.common import rows_in as _rows
from casework.services.due_audit import audit_work
from casework.services.due_front_door import OpenRisk, front_door_items, open_risks
from casework.services.people import relation_of
from casework.services.permissions import CASE_ROLES, Action, Actor, Role


@dataclass(frozen=True)
class CaseStatus:
    """A young person's derived state: in touch or not, what is due, where they live."""

    person_id: int
    in_touch: InTouchState
    items: tuple[DueItem, ...]
    accommodation: rules_mod.AccommodationFact | None
    accommodation_warning: str | None
    open_risks: tuple[OpenRisk, ...] = ()  # e.g. child sexual exploitation, high
    category: CategoryView | None = None  # the category in force, with its reasons

    @property
    def next_due(self) -> DueItem | None:
        return self.items[0] if self.items else None

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


@dataclass(frozen=True)
class WorkItem:
    """One line of "My work": a due item and whose it is."""

    person_id: int
    child_uid: str
    name: str
    worker_id: int | None
    worker: str | None
    item: DueItem


_F2F = frozenset(m for m in ContactMethod if m.face_to_face)


_METHODS = {m.value: m for m in ContactMethod}
_MADE_BY = {m.value: m for m in ContactMadeBy}


def _fact(
    cid: int | None, when: datetime, ok: bool, method: str, seen: bool, alone: bool, by: str
) -> ContactFact:
    kind = _METHODS.get(method)
    return ContactFact(
        cid, when, ok, kind in _F2F, seen, alone, _MADE_BY.get(by, ContactMadeBy.OTHER), kind
    )


_CONTACT_COLUMNS = (
    Contact.id,
    Contact.occurred_at,
    Contact.successful,
    Contact.method,
    Contact.seen,
    Contact.seen_alone,
    Contact.made_by,
)


def _all_contacts(session: Session, ids: People) -> dict[int, list[ContactFact]]:
    """Every finalised contact: for one record, where the whole history is shown."""
    out: dict[int, list[ContactFact]] = defaultdict(list)
    stmt = select(Contact.young_person_id, *_CONTACT_COLUMNS).where(Contact.status == "final")
    for pid, *row in _rows(session, stmt, Contact.young_person_id, ids):
        out[pid].append(_fact(*row))
    return out


def _summarised_contacts(
    session: Session, ids: People, as_of: date | None = None
) -> dict[int, list[ContactFact]]:
    """Only the contacts that decide in-touch status and visit timers, from the summary
    table (``contact_summary``): the same answers as the full history, at list speed.

    The summary holds the latest contacts, so it cannot answer for a day before them:
    with ``as_of``, anyone whose summary holds a contact dated after it is read from the
    full history instead (and the rules then ignore what came after)."""
    out = _summary_contacts(session, ids)
    if as_of is None:
        return out
    later = [pid for pid, facts in out.items() if any(f.on > as_of for f in facts)]
    if later:
        out.update(_all_contacts(session, later))
    return out


def _summary_contacts(session: Session, ids: People) -> dict[int, list[ContactFact]]:
    cs = ContactSummary
    stmt = select(
        cs.young_person_id,
        cs.last_success_id,
        cs.last_pa_success_id,
        cs.last_visit_pa_id,
        cs.last_visit_sw_id,
        cs.last_visit_other_id,
        cs.attempts_since,
        cs.last_attempt_id,
    )
    summaries = list(_rows(session, stmt, cs.young_person_id, ids))
    # The columns the rules read of the summarised contacts, copied beside the summary
    # (``summarised_contacts``): a few small rows per person, not the contacts table.
    sc = SummarisedContact
    copied = select(
        sc.contact_id, sc.occurred_at, sc.successful, sc.method, sc.seen, sc.seen_alone, sc.made_by
    )
    found = {row[0]: row for row in _rows(session, copied, sc.young_person_id, ids)}
    out: dict[int, list[ContactFact]] = {}
    for pid, *latest, attempts, last_attempt in summaries:
        facts = [_fact(*found[cid]) for cid in dict.fromkeys(latest) if cid in found]
        attempt = found.get(last_attempt) if last_attempt else None
        if attempt is not None and attempts > 0:
            # Only how many attempts failed since the last success matters to the rules.
            facts.append(_fact(*attempt))
            facts += [_fact(None, *attempt[1:])] * (attempts - 1)
        out[pid] = facts
    return out


def _statuses(session: Session, ids: People) -> dict[int, list[StatusFact]]:
    out: dict[int, list[StatusFact]] = defaultdict(list)
    stmt = select(
        StatusEvent.young_person_id,
        StatusEvent.id,
        StatusEvent.status,
        StatusEvent.effective_on,
        StatusEvent.ended_on,
    )
    for pid, sid, status, on, ended in _rows(session, stmt, StatusEvent.young_person_id, ids):
        out[pid].append(StatusFact(sid, ExplicitStatus.parse(status), on, ended))
    return out


def _accommodation(session: Session, ids: People) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    a = AccommodationPeriod
    stmt = select(
        a.young_person_id,
        a.id,
        a.started_on,
        a.letter,
        a.ended_on,
        a.suitable,
        a.council_provided,
        a.team_lead_reviewed_on,
    )
    for pid, aid, start, letter, end, suitable, council, reviewed in _rows(
        session, stmt, a.young_person_id, ids
    ):
        out[pid].append(
            rules_mod.AccommodationFact(
                aid, start, AccommodationType.parse(letter), end, suitable, council, reviewed
            )
        )
    return out


def _activities(session: Session, ids: People) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    stmt = select(
        ActivityPeriod.young_person_id,
        ActivityPeriod.id,
        ActivityPeriod.started_on,
        ActivityPeriod.code,
        ActivityPeriod.ended_on,
    )
    for pid, aid, start, code, end in _rows(session, stmt, ActivityPeriod.young_person_id, ids):
        out[pid].append(rules_mod.ActivityFact(aid, start, Activity.parse(code), end))
    return out


def _needs(session: Session, ids: People) -> dict[int, Any]:
    out: dict[int, Any] = {}
    stmt = select(
        NeedsAssessment.young_person_id,
        NeedsAssessment.id,
        NeedsAssessment.eligible_from,
        NeedsAssessment.completed_on,
    ).order_by(NeedsAssessment.id)
    for pid, nid, eligible_from, done in _rows(session, stmt, NeedsAssessment.young_person_id, ids):
        out[pid] = rules_mod.NeedsAssessmentFact(nid, eligible_from, done)  # latest wins
    return out


def _plans(session: Session, ids: People) -> dict[int, Any]:
    plans: dict[int, tuple[int, date]] = {}
    stmt = select(PathwayPlan.young_person_id, PathwayPlan.id, PathwayPlan.started_on).where(
        PathwayPlan.ended_on.is_(None)
    )
    for pid, plan_id, start in _rows(session, stmt, PathwayPlan.young_person_id, ids):
        plans[pid] = (plan_id, start)
    by_plan = {plan_id: pid for pid, (plan_id, _) in plans.items()}
    reviews: dict[int, list[date]] = defaultdict(list)
    review_stmt = select(PlanReview.plan_id, PlanReview.reviewed_on)
    for plan_id, on in _rows(session, review_stmt, PlanReview.plan_id, list(by_plan)):
        reviews[by_plan[plan_id]].append(on)
    changes: dict[int, list[rules_mod.ChangeFact]] = defaultdict(list)
    change_stmt = select(
        CircumstanceChange.young_person_id,
        CircumstanceChange.id,
        CircumstanceChange.occurred_on,
        CircumstanceChange.kind,
    )
    for pid, cid, on, kind in _rows(session, change_stmt, CircumstanceChange.young_person_id, ids):
        changes[pid].append(rules_mod.ChangeFact(cid, on, Change.parse(kind)))
    return {
        pid: rules_mod.PathwayPlanFact(
            plan_id, start, tuple(sorted(reviews[pid])), tuple(changes[pid])
        )
        for pid, (plan_id, start) in plans.items()
    }


def support_events(session: Session, ids: People) -> dict[int, dict[str, list[date]]]:
    out: dict[int, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
    stmt = select(SupportEvent.young_person_id, SupportEvent.kind, SupportEvent.occurred_on)
    for pid, kind, on in _rows(session, stmt, SupportEvent.young_person_id, ids):
        out[pid][kind].append(on)
    return out


def _follow_ups(session: Session, ids: People, as_of: date | None = None) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    stmt = select(
        FollowUpAction.young_person_id,
        FollowUpAction.id,
        FollowUpAction.due_on,
        FollowUpAction.done_on,
        FollowUpAction.description,
        FollowUpAction.created_at,
    )
    for pid, fid, due, done, text, created in _rows(
        session, stmt, FollowUpAction.young_person_id, ids
    ):
        if as_of is not None and created.date() > as_of:
            continue  # not yet recorded on that day
        out[pid].append(rules_mod.FollowUpFact(fid, due, done is not None, text, done))
    return out


def declined_on(events: dict[str, list[date]]) -> date | None:
    """The last decline, unless they took up support (asked for a PA) after it."""
    declined = max(events.get("declined_support", []), default=None)
    accepted = max(events.get("pa_accepted", []), default=None)
    if declined is None or (accepted is not None and accepted > declined):
        return None
    return declined


def _upto(events: dict[str, list[date]], as_of: date | None) -> dict[str, list[date]]:
    if as_of is None:
        return events
    return {kind: [d for d in days if d <= as_of] for kind, days in events.items()}


def load_facts(
    session: Session, ids: People, *, full: bool = False, as_of: date | None = None
) -> dict[int, CaseFacts]:
    """Everything the due rules read, for many young people at once. ``full`` reads every
    contact (one record's screen); otherwise the contact summary stands in for them.
    ``as_of``: the record as it stood that day: confirmations, follow-ups and support
    milestones recorded later are left out, the summary never answers for a day before
    its contacts, and the rules ignore every later dated fact."""
    people = {
        pid: (created, closed, opened, pa)
        for pid, created, closed, opened, pa in _rows(
            session,
            select(
                YoungPerson.id,
                YoungPerson.created_at,
                YoungPerson.closed_on,
                YoungPerson.opened_on,
                YoungPerson.personal_adviser_id,
            ),
            YoungPerson.id,
            ids,
        )
    }
    contacts = _all_contacts(session, ids) if full else _summarised_contacts(session, ids, as_of)
    statuses = _statuses(session, ids)
    accommodation, activities = _accommodation(session, ids), _activities(session, ids)
    needs, plans, support = _needs(session, ids), _plans(session, ids), support_events(session, ids)
    follow_ups = _follow_ups(session, ids, as_of)
    inputs = category_inputs(session, ids, as_of)
    facts = {}
    for pid, (created, closed, opened, pa) in people.items():
        events = _upto(support.get(pid, {}), as_of)
        category = inputs[pid]
        facts[pid] = CaseFacts(
            date_of_birth=category.date_of_birth,
            category=category.confirmed,
            confirmed_on=category.confirmed_on,
            suggested_then=category.suggested_then,
            care=category.care,
            has_pa=pa is not None,
            pa_accepted_on=max(events.get("pa_accepted", []), default=None),
            death_notified_on=min(events.get("death_notified", []), default=None),
            contacts=tuple(contacts.get(pid, ())),
            statuses=tuple(statuses.get(pid, ())),
            accommodation=tuple(sorted(accommodation.get(pid, ()), key=lambda a: a.start)),
            activities=tuple(sorted(activities.get(pid, ()), key=lambda a: a.start)),
            needs_assessment=needs.get(pid),
            plan=plans.get(pid),
            pa_offer_on=min(events.get("pa_offer_21", []), default=None),
            declined_support_on=declined_on(events),
            reminders_sent=tuple(sorted(events.get("reminder_sent", []))),
            follow_ups=tuple(follow_ups.get(pid, ())),
            opened_on=opened or created.date(),
            closed=closed is not None and (as_of is None or closed <= as_of),
        )
    return facts


def record_state(
    session: Session, ids: People, as_of: date
) -> dict[int, tuple[tuple[ContactFact, ...], tuple[StatusFact, ...], Any, Any]]:
    """For each young person in ``ids``: the contacts, status events, accommodation and
    activity periods exactly as :func:`load_facts` reads them ``as_of`` a day, without the
    rest of the facts (the figures that need only these: in touch, where they live, what
    they do)."""
    contacts = _summarised_contacts(session, ids, as_of)
    statuses = _statuses(session, ids)
    accommodation, activities = _accommodation(session, ids), _activities(session, ids)
    people = [pid for (pid,) in _rows(session, select(YoungPerson.id), YoungPerson.id, ids)]
    return {
        pid: (
            tuple(contacts.get(pid, ())),
            tuple(statuses.get(pid, ())),
            tuple(sorted(accommodation.get(pid, ()), key=lambda a: a.start)),
            tuple(sorted(activities.get(pid, ()), key=lambda a: a.start)),
        )
        for pid in people
    }


def read_differently(session: Session, ids: People, day: date) -> set[int]:
    """Who, of ``ids``, has facts that :func:`load_facts` reads differently ``as_of=day``
    than with no day (what today's due snapshots were made from): a closing date set, a
    summarised contact, eligibility decision, support milestone or follow-up dated or
    recorded after ``day``. For everyone else the two readings give the same facts."""
    out = {
        pid
        for (pid,) in _rows(
            session,
            select(YoungPerson.id).where(YoungPerson.closed_on.is_not(None)),
            YoungPerson.id,
            ids,
        )
    }
    # Stored times are naive UTC; a day later in England starts at most an hour earlier in
    # UTC, so a day's margin finds every candidate and the exact test is made in Python.
    since = datetime.combine(day, datetime.min.time())
    sc = SummarisedContact
    stmt = select(sc.young_person_id, sc.occurred_at).where(sc.occurred_at >= since)
    out |= {pid for pid, at in _rows(session, stmt, sc.young_person_id, ids) if at.date() > day}
    e = EligibilityDecision
    stmt = select(e.young_person_id, e.decided_at).where(e.decided_at >= since)
    out |= {
        pid for pid, at in _rows(session, stmt, e.young_person_id, ids) if to_local(at).date() > day
    }
    f = FollowUpAction
    stmt = select(f.young_person_id, f.created_at).where(f.created_at >= since)
    out |= {pid for pid, at in _rows(session, stmt, f.young_person_id, ids) if at.date() > day}
    later = select(SupportEvent.young_person_id).where(SupportEvent.occurred_on > day)
    out |= {pid for (pid,) in _rows(session, later, SupportEvent.young_person_id, ids)}
    return out


def accommodation_warning(current: rules_mod.AccommodationFact | None) -> str | None:
    """What the caseload flags about where someone lives (None when nothing to flag)."""
    if current is None:
        return "No accommodation recorded"
    kind = current.letter
    if kind.needs_team_lead_review and current.team_lead_reviewed_on is None:
        return f"{kind.label}: awaiting team lead review"
    if kind.value in ("S", "R"):
        return kind.label
    if current.suitable is False:
        return f"Unsuitable: {kind.label}"
    return None


def status_of(pid: int, facts: CaseFacts, today: date, rules: DueRules) -> CaseStatus:
    state = derive_in_touch(facts.contacts, facts.statuses, today, rules.in_touch_window_months)
    stood = rules_mod.facts_as_of(facts, today)
    current = rules_mod.current_accommodation(stood.accommodation, today)
    items, category = rules_mod.due_items_and_category(facts, today, rules, as_it_stood=stood)
    return CaseStatus(
        pid, state, tuple(items), current, accommodation_warning(current), category=category
    )


def statuses_in(
    session: Session,
    ids: People,
    today: date,
    rules: DueRules | None = None,
    *,
    full: bool = False,
    as_of: bool = False,
) -> dict[int, CaseStatus]:
    """Derived status for many young people; ``full`` reads every contact (one record).
    ``rules`` default to the council's configuration. ``as_of``: ``today`` is a day in
    the past and the answer is the record as it stood then."""
    rules = rules or council_rules()
    with bulk_work():
        facts = load_facts(session, ids, full=full, as_of=today if as_of else None)
        # As of a day, only the cases open by then (the facts' own list).
        who = list(facts) if as_of else ids
        extra = front_door_items(session, who, today, rules.calendar, as_of=as_of)
        risks = open_risks(session, who, as_of=today if as_of else None)
        return {
            pid: _with(status_of(pid, f, today, rules), extra.get(pid, []), risks.get(pid, ()))
            for pid, f in facts.items()
        }


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while facts for thousands of young people
    are built: they are all kept, so each collection pass it would trigger (every few
    hundred new objects) re-scans everything alive and frees nothing; a list of 1,700
    young people spent a fifth of its time there. Reference counting still frees as usual;
    the collector is switched back on if this turned it off, so answers never change."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _with(status: CaseStatus, extra: list[DueItem], risks: tuple[OpenRisk, ...] = ()) -> CaseStatus:
    """The care-leaver items and the front-door ones, most urgent first, and open risks."""
    items = sorted((*status.items, *extra), key=lambda i: (i.due, i.kind.value, i.source_id or 0))
    return replace(status, items=tuple(items), open_risks=risks)


def case_statuses(
    db: Database, actor: Actor, ids: Sequence[int], *, now: datetime
) -> dict[int, CaseStatus]:
    """Derived status for young people the actor may see (others are left out)."""
    if actor.role not in CASE_ROLES:
        require_current(db, actor, now=now)
        return {}
    with checked_reading(db, actor, None, now=now) as session:
        allowed = _visible(session, actor, ids)
        return statuses_in(session, allowed, local_today(now))


def _visible(session: Session, actor: Actor, ids: Iterable[int]) -> list[int]:
    wanted = list(ids)
    stmt = select(YoungPerson.id).where(
        (YoungPerson.team_id.in_(actor.team_ids))
        | (YoungPerson.social_worker_id == actor.user_id)
        | (YoungPerson.personal_adviser_id == actor.user_id)
    )
    return [pid for (pid,) in _rows(session, stmt, YoungPerson.id, wanted)]


def _work(session: Session, stmt: Any, today: date, *, as_of: bool = False) -> list[WorkItem]:
    with bulk_work():
        return _work_items(session, stmt, today, as_of=as_of)


_HOLDER = aliased(User)


def _work_items(session: Session, stmt: Any, today: date, *, as_of: bool) -> list[WorkItem]:
    # Each young person with the name of the worker who holds them (their personal adviser,
    # else their social worker), in the one query.
    worker = func.coalesce(YoungPerson.personal_adviser_id, YoungPerson.social_worker_id)
    people = session.execute(
        stmt.add_columns(_HOLDER.display_name).outerjoin(_HOLDER, _HOLDER.id == worker)
    ).all()
    # The facts are read for the same selection, as a subquery: nothing bound per person.
    # Callers read in one snapshot (``Database.reading``), so it selects the same people.
    selection = stmt.with_only_columns(YoungPerson.id)
    due = (
        {pid: s.items for pid, s in statuses_in(session, selection, today, as_of=True).items()}
        if as_of
        else _due_today(session, selection, today, [p[0] for p in people])
    )
    items = []
    for pid, child_uid, first, last, adviser, social_worker, held_by in people:
        holder, name = adviser or social_worker, f"{first} {last}"
        items += [WorkItem(pid, child_uid, name, holder, held_by, item) for item in due[pid]]
    items.sort(key=_urgency)
    return items


def _urgency(work: WorkItem) -> tuple[bool, int, date, str]:
    """Most urgent first (:func:`casework.domain.due.work_order`: overdue first, by
    severity then how late; then the rest by severity then due date), then by name."""
    return (*work_order(work.item), work.name)


@dataclass
class _Pending:
    """Snapshots computed during a read, stored once the read has ended."""

    computed: dict[int, tuple[DueItem, ...]]
    generation: int


_PENDING_KEY = "casework.due_snapshot.pending"


def _due_today(
    session: Session, selection: Any, today: date, selected: list[int]
) -> dict[int, tuple[DueItem, ...]]:
    """Today's items for the selection (whose ids, ``selected``, were read in this same
    snapshot): from fresh snapshots where there are any, the engine for the rest
    (remembered on the session for ``my_work`` to store)."""
    cached = due_snapshot.read(session, selection, today, selected=selected)
    out = dict(cached.items)
    if cached.missing:
        # Nobody held (a cold open): the facts are read for the selection itself, as a
        # subquery, rather than for a list of thousands of ids.
        statuses = statuses_in(session, selection if not out else cached.missing, today)
        computed = {pid: statuses[pid].items for pid in cached.missing if pid in statuses}
        out.update(computed)
        session.info[_PENDING_KEY] = _Pending(computed, cached.generation)
    return out


def my_work(db: Database, actor: Actor, *, now: datetime, team: bool = False) -> list[WorkItem]:
    """The actor's due and overdue items, most urgent first. With ``team`` (team leads),
    every item in the teams they lead, each with the worker who holds it."""
    stmt = select(
        YoungPerson.id,
        YoungPerson.child_uid,
        YoungPerson.first_name,
        YoungPerson.last_name,
        YoungPerson.personal_adviser_id,
        YoungPerson.social_worker_id,
    )
    if team and actor.led_team_ids:
        stmt = stmt.where(YoungPerson.team_id.in_(actor.led_team_ids))
    else:
        stmt = stmt.where(
            (YoungPerson.social_worker_id == actor.user_id)
            | (YoungPerson.personal_adviser_id == actor.user_id)
        )
    today = local_today(now)
    pending: _Pending | None = None
    with checked_reading(db, actor, Action.LIST_CASELOAD, now=now) as session:
        items = _work(session, stmt, today)
        pending = session.info.pop(_PENDING_KEY, None)
        found = audit_work(
            session,
            owners=[actor.user_id] if actor.user_id is not None else [],
            owner_teams=actor.led_team_ids if team else (),
            led_teams=actor.led_team_ids if team and actor.role is Role.TEAM_LEAD else (),
            today=today,
        )
        if found:
            names = {uid: name for uid, name in session.execute(select(User.id, User.display_name))}
            audits = [
                WorkItem(
                    w.person_id,
                    w.child_uid,
                    w.name,
                    w.worker_id,
                    names.get(w.worker_id or 0),
                    w.item,
                )
                for w in found
            ]
            # Both already in order: merged, not sorted again.
            items = list(heapq.merge(items, sorted(audits, key=_urgency), key=_urgency))
    if pending is not None:
        due_snapshot.store(db, pending.computed, today, pending.generation)
    return items


def report_due(db: Database, actor: Actor, *, as_of: date, now: datetime) -> list[dict[str, Any]]:
    """Every due item in the database as of a date (``casework-admin report due``)."""
    require(db, actor, Action.RUN_REPORTS, now=now, record_type="report")
    stmt = select(
        YoungPerson.id,
        YoungPerson.child_uid,
        YoungPerson.first_name,
        YoungPerson.last_name,
        YoungPerson.personal_adviser_id,
        YoungPerson.social_worker_id,
    ).where(_opened_by(as_of))
    with db.reading() as session:
        usernames = {uid: name for uid, name in session.execute(select(User.id, User.username))}
        work = _work(session, stmt, as_of, as_of=True)
    return [
        {
            "child_id": w.child_uid,
            "kind": w.item.kind.value,
            "due": w.item.due.isoformat(),
            "overdue": w.item.overdue,
            "worker": usernames.get(w.worker_id) if w.worker_id else None,
        }
        for w in work
    ]


@dataclass(frozen=True)
class RecordStatus:
    """What a young person's record header shows, from their full history."""

    status: CaseStatus
    reestablish_steps: tuple[str, ...]
    whereabouts: rules_mod.Whereabouts | None = None  # unknown today: since when, how long


def person_status(db: Database, actor: Actor, person_id: int, *, now: datetime) -> RecordStatus:
    """In-touch state, due items, accommodation warning and, when contact is lost, the
    steps to re-establish it (the s23C duty), read from every contact on the record."""
    from casework.domain.in_touch import reestablish_steps

    require(
        db,
        actor,
        Action.VIEW_RECORD,
        relation_of(db, actor, person_id),
        now=now,
        record_type="young_person",
        record_id=person_id,
    )
    today = local_today(now)
    with db.reading() as session:
        facts = load_facts(session, [person_id], full=True)
        if person_id not in facts:
            raise NotFound("That young person's record does not exist.")
        rules = council_rules()
        extra = front_door_items(session, [person_id], today, rules.calendar)
        risks = open_risks(session, [person_id])
    status = _with(
        status_of(person_id, facts[person_id], today, rules),
        extra.get(person_id, []),
        risks.get(person_id, ()),
    )
    steps = reestablish_steps(status.in_touch, facts[person_id].contacts)
    lost = rules_mod.whereabouts_unknown(facts[person_id], today)
    return RecordStatus(status, tuple(steps), lost)


def _accommodation_cells(home: rules_mod.AccommodationFact | None) -> dict[str, Any]:
    """SSDA903-style accommodation: the letter, its suitability, and ``ACCOM`` (letter plus
    1 suitable, 2 unsuitable; S and X are always 2). The suitability is the recorded one."""
    if home is None:
        return {"code": None, "letter": None, "suitability": None}
    letter = home.letter
    if letter.always_unsuitable or home.suitable is False:
        return {"code": f"{letter.value}2", "letter": letter.value, "suitability": "unsuitable"}
    if home.suitable is None:
        return {"code": letter.value, "letter": letter.value, "suitability": "not assessed"}
    return {"code": f"{letter.value}1", "letter": letter.value, "suitability": "suitable"}


def _opened_by(as_of: date) -> Any:
    """Cases open on the record by ``as_of``: one opened later was not on the record then."""
    return YoungPerson.opened_on.is_(None) | (YoungPerson.opened_on <= as_of)


def _report_people(session: Session, as_of: date) -> list[Any]:
    stmt = (
        select(
            YoungPerson.id,
            YoungPerson.child_uid,
            YoungPerson.personal_adviser_id,
            YoungPerson.social_worker_id,
            YoungPerson.closed_on,
        )
        .where(_opened_by(as_of))
        .order_by(YoungPerson.child_uid)
    )
    return list(session.execute(stmt).all())


def report_status(
    db: Database, actor: Actor, *, as_of: date, now: datetime
) -> list[dict[str, Any]]:
    """Per young person, the record as it stood on ``as_of`` (``casework-admin report
    status``): derived and confirmed category and the one in force, in-touch code and the
    latest date of contact (one definition, :mod:`casework.domain.in_touch`),
    accommodation code and suitability, activity, personal adviser, whereabouts, and the
    next due item. Closed cases are listed with their closure date and nothing due."""
    from casework.domain.in_touch import latest_date_of_contact, ssda903_in_touch

    require(db, actor, Action.RUN_REPORTS, now=now, record_type="report")
    rules = council_rules()
    with db.reading() as session:
        usernames = {uid: name for uid, name in session.execute(select(User.id, User.username))}
        people = _report_people(session, as_of)
        ids = [p.id for p in people]
        facts = load_facts(session, ids, as_of=as_of)
        extra = front_door_items(session, ids, as_of, rules.calendar, as_of=True)
    out = []
    for p in people:
        case = facts[p.id]
        status = _with(status_of(p.id, case, as_of, rules), extra.get(p.id, []))
        view = rules_mod.category_of(case, as_of)
        activity = rules_mod.current_activity(rules_mod.facts_as_of(case, as_of).activities, as_of)
        lost = rules_mod.whereabouts_unknown(case, as_of)
        nxt = status.next_due
        latest = latest_date_of_contact(status.in_touch)
        closed_on = p.closed_on
        out.append(
            {
                "child_id": p.child_uid,
                "category": {
                    "derived": view.derived.value if view.derived else None,
                    "confirmed": view.confirmed.value,
                    "confirmed_on": view.confirmed_on.isoformat() if view.confirmed_on else None,
                    "in_force": view.effective.value,
                    "facts_disagree": view.disagrees,
                },
                "in_touch": ssda903_in_touch(status.in_touch),
                "latest_date_of_contact": latest.isoformat() if latest else None,
                "accommodation": _accommodation_cells(status.accommodation),
                "activity": activity.code.value if activity else None,
                "personal_adviser": usernames.get(p.personal_adviser_id)
                if p.personal_adviser_id
                else None,
                "whereabouts_unknown_days": lost.days if lost else None,
                "closed_on": closed_on.isoformat()
                if closed_on is not None and closed_on <= as_of
                else None,
                "next_due": None
                if nxt is None
                else {"kind": nxt.kind.value, "due": nxt.due.isoformat(), "overdue": nxt.overdue},
            }
        )
    return out


def report_whereabouts(
    db: Database, actor: Actor, *, as_of: date, now: datetime
) -> list[dict[str, Any]]:
    """Everyone whose whereabouts were unknown on ``as_of``, longest first, with the days
    unknown and, under 18, that a missing-person report is required
    (``casework-admin report whereabouts``)."""
    require(db, actor, Action.RUN_REPORTS, now=now, record_type="report")
    with db.reading() as session:
        usernames = {uid: name for uid, name in session.execute(select(User.id, User.username))}
        people = _report_people(session, as_of)
        facts = load_facts(session, [p.id for p in people], as_of=as_of)
    out = []
    for p in people:
        lost = rules_mod.whereabouts_unknown(facts[p.id], as_of)
        if lost is None:
            continue
        worker = p.personal_adviser_id or p.social_worker_id
        out.append(
            {
                "child_id": p.child_uid,
                "since": lost.since.isoformat(),
                "days_unknown": lost.days,
                "under_18": lost.under_18,
                "missing_person_report_required": lost.missing_report_required,
                "worker": usernames.get(worker) if worker else None,
            }
        )
    return sorted(out, key=lambda row: (-row["days_unknown"], row["child_id"]))
