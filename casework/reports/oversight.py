"""Oversight figures for a period: the dashboard a team lead sees for their teams and the
figures ``casework-admin report performance`` prints for every team.

Two kinds of figure, both built from the app's own rules so a figure never disagrees with
what a record shows:

- work that arrived in the period, judged against its timescale (contacts and referrals
  decided within 1 working day, assessments authorised within 45 working days, the LADO
  told within 1 working day: Working Together to Safeguard Children 2023, chapter 2, and
  Keeping Children Safe in Education 2024, part 4), allegations with an outcome, and
  closures in the period (by reason, with an overridden check, their audit grades);
- the record as it stood on the period's last day (or today, if that is sooner), for the
  cases open then: in touch (:mod:`casework.domain.in_touch`, Care Leavers (England)
  Regulations 2010 reg 8), visits and pathway-plan reviews not overdue (the due engine,
  :mod:`casework.domain.due`: regs 8 and 7), accommodation suitable (the recorded
  suitability; SSDA903 treats no fixed abode as always unsuitable), in education,
  employment or training (SSDA903 ``ACTIV``), and open high risks whose review date has
  passed or was never set (local practice: medium and high risks carry a review date).

A young person's team and worker are those allocated now (the record keeps no history of
allocation). Every figure keeps the young people behind it, so the screen opens the list
and the report names them by child identifier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_local
from casework.config import council_rules
from casework.db.database import Database
from casework.db.models import (
    Allegation,
    AuditJudgement,
    ClosureAudit,
    ClosureOverride,
    ClosureRequest,
    Referral,
    RiskScreening,
    SafeguardingContact,
    Team,
    User,
    YoungPerson,
)
from casework.domain import due as rules_mod
from casework.domain import front_door as fd
from casework.domain import performance as perf
from casework.domain.audit_sampling import Grade
from casework.domain.calendar import WorkingCalendar, is_overdue
from casework.domain.closure import RequestStatus, reason_label
from casework.domain.codes import Activity, InTouch, UnknownCode
from casework.domain.in_touch import derive_in_touch
from casework.errors import ValidationFailed
from casework.services import due_snapshot
from casework.services.common import People, require, rows_in
from casework.services.due import bulk_work, load_facts, read_differently, record_state
from casework.services.people import display_name
from casework.services.permissions import Action, Actor, Role

UNALLOCATED = "Unallocated"
Who = Callable[[int], tuple[str, str]]
WORKING_TOGETHER = "Working Together to Safeguard Children 2023, chapter 2"


@dataclass(frozen=True)
class Person:
    """A young person behind a figure, as the list shows them."""

    id: int
    child_uid: str
    name: str
    team: str
    worker: str


@dataclass(frozen=True)
class Dashboard:
    """The figures for ``start``..``end``; the record's state is read on ``state_on``.
    ``scope`` names the teams covered, ``people`` everyone a figure can list."""

    start: date
    end: date
    state_on: date
    scope: str
    teams: tuple[str, ...]
    figures: tuple[perf.Figure, ...]
    people: dict[int, Person]

    def figure(self, key: str) -> perf.Figure:
        for f in self.figures:
            if f.key == key:
                return f
        raise KeyError(key)

    def as_dict(self) -> dict[str, object]:
        ids = {pid: p.child_uid for pid, p in self.people.items()}
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "state_on": self.state_on.isoformat(),
            "scope": self.scope,
            "allocation": "team and worker as allocated now",
            "figures": [f.as_dict(ids) for f in self.figures],
        }


def dashboard_teams(db: Database, actor: Actor, *, now: datetime) -> list[tuple[int, str]]:
    """The teams whose dashboard the actor may open: a team lead's own teams; every team
    for the command-line tool."""
    require(db, actor, Action.VIEW_OVERSIGHT, now=now, record_type="report")
    with db.reading() as session:
        rows = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    if actor.role is Role.SYSTEM:
        return [(tid, name) for tid, name in rows]
    return [(tid, name) for tid, name in rows if tid in actor.team_ids]


def oversight_dashboard(
    db: Database,
    actor: Actor,
    start: date,
    end: date,
    *,
    now: datetime,
    team_id: int | None = None,
) -> Dashboard:
    """The dashboard for the actor's teams (or the one team ``team_id``, which must be
    theirs) from ``start`` to ``end`` inclusive."""
    require(db, actor, Action.VIEW_OVERSIGHT, now=now, record_type="report")
    _check_period(start, end)
    with db.reading() as session:
        names = {k: v for k, v in session.execute(select(Team.id, Team.name))}
    mine = set(names) if actor.role is Role.SYSTEM else set(actor.team_ids) & set(names)
    if team_id is not None:
        if team_id not in mine:
            raise ValidationFailed(
                ["team: you can open the dashboard only for the teams you lead or belong to."]
            )
        mine = {team_id}
    if not mine:
        raise ValidationFailed(["team: you do not lead or belong to any team."])
    scope = ", ".join(sorted(names[t] for t in mine))
    if len(mine) == len(names) and len(names) > 1:
        scope = "All teams"
    with db.reading() as session, bulk_work():
        return gather(session, start, end, frozenset(mine), local_today(now), scope)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed([f"to: {end.isoformat()} is before from: {start.isoformat()}."])


def _day(moment: datetime) -> date:
    return to_local(moment).date()


def _label(code: str) -> str:
    try:
        return reason_label(code)
    except UnknownCode:
        return code


def _proceeds(decision: str) -> bool:
    try:
        return fd.ReferralDecision.parse(decision).proceeds_to_assessment
    except UnknownCode:
        return False


def _people(
    session: Session, teams: frozenset[int] | None
) -> list[tuple[Person, date, date | None]]:
    """Everyone in the teams: as the list shows them, with the day the case opened and the
    day it closed."""
    team_names = {k: v for k, v in session.execute(select(Team.id, Team.name))}
    users = {k: v for k, v in session.execute(select(User.id, User.display_name))}
    y = YoungPerson
    stmt = select(
        y.id,
        y.child_uid,
        y.first_name,
        y.last_name,
        y.preferred_name,
        y.team_id,
        y.personal_adviser_id,
        y.social_worker_id,
        y.opened_on,
        y.created_at,
        y.closed_on,
    )
    if teams is not None:
        stmt = stmt.where(y.team_id.in_(teams))
    out = []
    for pid, uid, first, last, pref, team, pa, sw, opened, created, closed in session.execute(stmt):
        worker = pa or sw
        person = Person(
            pid,
            uid,
            display_name(first, last, pref),
            team_names.get(team, "?"),
            users.get(worker, UNALLOCATED) if worker else UNALLOCATED,
        )
        out.append((person, opened or created.date(), closed))
    return out


def gather(
    session: Session,
    start: date,
    end: date,
    teams: frozenset[int] | None,
    today: date,
    scope: str = "All teams",
    *,
    fast: bool = True,
) -> Dashboard:
    """Every figure for the people in ``teams`` (``None``: everyone). ``fast``: take the
    due items from today's fresh snapshots where they answer (see :func:`_state`); the
    figures are the same either way."""
    _check_period(start, end)
    state_on = min(end, today)
    rows = _people(session, teams)
    people = {p.id: p for p, _o, _c in rows}
    # The people as statements, not lists: one query each, nothing bound per young person.
    y = YoungPerson
    ids = select(y.id) if teams is None else select(y.id).where(y.team_id.in_(teams))
    open_ids = ids.where(y.opened_on.is_(None) | (y.opened_on <= state_on)).where(
        y.closed_on.is_(None) | (y.closed_on > state_on)
    )

    def who(pid: int) -> tuple[str, str]:
        p = people.get(pid)
        return (p.team, p.worker) if p else ("?", UNALLOCATED)

    figures = [
        *_front_door(session, ids, start, end, who),
        *_state(session, open_ids, state_on, who, today=today if fast else None),
        *_closures(session, ids, start, end, who),
    ]
    team_names = tuple(sorted({p.team for p in people.values()}))
    return Dashboard(start, end, state_on, scope, team_names, tuple(figures), people)


def _front_door(
    session: Session, ids: People, start: date, end: date, who: Who
) -> list[perf.Figure]:
    calendar = council_rules().calendar
    # Many arrive on the same day: each timescale is worked out once per day received.
    known: dict[tuple[Callable[[date, WorkingCalendar], date], date], date] = {}

    def due(rule: Callable[[date, WorkingCalendar], date], received: date) -> date:
        found = known.get((rule, received))
        if found is None:
            found = known[(rule, received)] = rule(received, calendar)
        return found

    def inside(moment: datetime) -> bool:
        return start <= _day(moment) <= end

    c = SafeguardingContact
    contacts = [
        perf.timed(
            *who(pid),
            due(fd.contact_decision_due, _day(at)),
            _day(done) if done else None,
            end,
            pid,
        )
        for pid, at, done in rows_in(
            session, select(c.young_person_id, c.received_at, c.decided_at), c.young_person_id, ids
        )
        if inside(at)
    ]
    r = Referral
    referral_rows = [
        row
        for row in rows_in(
            session,
            select(
                r.young_person_id,
                r.received_at,
                r.decided_at,
                r.decision,
                r.assessment_authorised_on,
            ),
            r.young_person_id,
            ids,
        )
        if inside(row[1])
    ]
    referrals = [
        perf.timed(
            *who(pid),
            due(fd.referral_decision_due, _day(at)),
            _day(done) if done else None,
            end,
            pid,
        )
        for pid, at, done, _decision, _auth in referral_rows
    ]
    assessments = [
        perf.timed(*who(pid), due(fd.assessment_due, _day(at)), authorised, end, pid)
        for pid, at, _done, decision, authorised in referral_rows
        if decision and _proceeds(decision)
    ]
    a = Allegation
    allegation_rows = [
        row
        for row in rows_in(
            session,
            select(a.young_person_id, a.received_at, a.lado_notified_at, a.outcome),
            a.young_person_id,
            ids,
        )
        if inside(row[1])
    ]
    lado = [
        perf.timed(
            *who(pid),
            due(fd.lado_notification_due, _day(at)),
            _day(told) if told else None,
            end,
            pid,
        )
        for pid, at, told, _outcome in allegation_rows
    ]
    outcomes = [
        perf.Measured(
            *who(pid),
            True,
            outcome is not None,
            pid,
            f"Received {_day(at):%d/%m/%Y}; "
            + ("outcome recorded" if outcome else "no outcome yet"),
        )
        for pid, at, _told, outcome in allegation_rows
    ]
    return [
        perf.Figure(
            "contacts_decided_within_1_working_day",
            "Contacts decided within 1 working day",
            WORKING_TOGETHER,
            tuple(contacts),
        ),
        perf.Figure(
            "referrals_decided_within_1_working_day",
            "Referrals decided within 1 working day",
            WORKING_TOGETHER,
            tuple(referrals),
        ),
        perf.Figure(
            "assessments_within_45_working_days",
            "Assessments authorised within 45 working days of the referral",
            WORKING_TOGETHER,
            tuple(assessments),
        ),
        perf.Figure(
            "lado_told_within_1_working_day",
            "Allegations: the LADO told within 1 working day",
            "Keeping Children Safe in Education 2024, part 4; Working Together 2023",
            tuple(lado),
        ),
        perf.Figure(
            "allegations_with_outcome",
            "Allegations with an outcome",
            "Keeping Children Safe in Education 2024, part 4 (outcome definitions)",
            tuple(outcomes),
        ),
    ]


_EET = frozenset(a for a in Activity if a.value[:1] in ("F", "P"))
_NEET = frozenset(a for a in Activity if a.value[:1] == "G")


_TOUCH_GROUPS = {
    InTouch.NO: "Not in touch",
    InTouch.REFU: "Refuses contact",
    InTouch.NREQ: "No longer requires services",
    InTouch.RHOM: "Returned home",
}


def _in_touch(pid: int, code: InTouch, team: str, worker: str) -> perf.Measured:
    group = _TOUCH_GROUPS.get(code, "")
    counts = code is not InTouch.DIED
    return perf.Measured(team, worker, counts, code is InTouch.YES, pid, code.label, group)


def _due_kind(
    pid: int, items: Iterable[rules_mod.DueItem], kind: rules_mod.DueKind, team: str, worker: str
) -> perf.Measured | None:
    """On time when no item of ``kind`` is overdue; left out when none is due at all."""
    mine = sorted((i for i in items if i.kind is kind), key=lambda i: i.due)
    if not mine:
        return None
    late = [i for i in mine if i.overdue]
    if late:
        return perf.Measured(
            team, worker, True, False, pid, f"Overdue since {late[0].due:%d/%m/%Y}", "Overdue"
        )
    return perf.Measured(team, worker, True, True, pid, f"Next due {mine[0].due:%d/%m/%Y}")


def _accommodation(
    pid: int, home: rules_mod.AccommodationFact | None, team: str, worker: str
) -> perf.Measured:
    """Suitable as recorded; SSDA903: no fixed abode (S) is always unsuitable, and the
    rest are listed as homeless, unsuitable or unknown."""

    def rest(detail: str, group: str) -> perf.Measured:
        return perf.Measured(team, worker, True, False, pid, detail, group)

    if home is None:
        return rest("No accommodation recorded", "Unknown")
    kind = home.letter
    if kind.value == "S":
        return rest(kind.label, "Homeless")
    if kind.value == "R":
        return rest(kind.label, "Unknown")
    if kind.always_unsuitable or home.suitable is False:
        return rest(f"Unsuitable: {kind.label}", "Unsuitable")
    if home.suitable is None:
        return rest(f"Suitability not assessed: {kind.label}", "Unknown")
    return perf.Measured(team, worker, True, True, pid, kind.label)


def _activity(
    pid: int, activity: rules_mod.ActivityFact | None, team: str, worker: str
) -> perf.Measured:
    if activity is None:
        return perf.Measured(team, worker, True, False, pid, "No activity recorded", "Not recorded")
    code = activity.code
    if code in _EET:
        return perf.Measured(team, worker, True, True, pid, code.label)
    return perf.Measured(team, worker, code in _NEET, False, pid, code.label, "NEET")


def _high_risks(session: Session, ids: People, day: date, who: Who) -> list[perf.Measured]:
    """Each open high risk (the latest screening of its type by ``day``) and whether its
    review is overdue or was never set: the numerator names the risks without a review."""
    r = RiskScreening
    stmt = select(r.young_person_id, r.risk_type, r.level, r.review_on, r.screened_on).order_by(
        r.screened_on.desc(), r.id.desc()
    )
    latest: dict[tuple[int, str], tuple[str, date | None, date]] = {}
    for pid, kind, level, review, screened in rows_in(session, stmt, r.young_person_id, ids):
        if screened <= day:
            latest.setdefault((pid, kind), (level, review, screened))
    out = []
    for (pid, kind), (level, review, _screened) in sorted(latest.items()):
        if fd.RiskLevel.parse(level) is not fd.RiskLevel.HIGH:
            continue
        label = fd.RiskType.parse(kind).label
        if review is None:
            out.append(perf.Measured(*who(pid), True, True, pid, f"{label}: no review date set"))
        elif is_overdue(review, day):
            out.append(
                perf.Measured(*who(pid), True, True, pid, f"{label}: review due {review:%d/%m/%Y}")
            )
        else:
            out.append(
                perf.Measured(*who(pid), True, False, pid, f"{label}: review due {review:%d/%m/%Y}")
            )
    return out


_Periods = tuple[Any, Any, Any, Any]
_DUE_KINDS = frozenset({rules_mod.DueKind.VISIT, rules_mod.DueKind.PLAN_REVIEW})


def _read_state(
    session: Session, ids: People, day: date, today: date | None
) -> tuple[
    list[int],
    dict[int, _Periods],
    dict[int, tuple[rules_mod.DueItem, ...]],
    dict[int, rules_mod.CaseFacts],
]:
    """Everyone open (by id); the young people a fresh snapshot answers for, with their
    contacts, statuses, accommodation and activity and the snapshot's items; the full facts
    of everyone else (see :func:`_state`)."""
    snapshots: dict[int, tuple[rules_mod.DueItem, ...]] = {}
    if day == today:
        snapshots = due_snapshot.read(session, ids, day, only=_DUE_KINDS).items
        for pid in read_differently(session, ids, day):
            snapshots.pop(pid, None)
    if not snapshots:
        facts = load_facts(session, ids, as_of=day)
        return sorted(facts), {}, {}, facts
    state = record_state(session, ids, day)
    order = sorted(state)
    for pid in [pid for pid in order if pid not in snapshots]:
        del state[pid]
    full = [pid for pid in order if pid not in state]
    return order, state, snapshots, load_facts(session, full, as_of=day) if full else {}


def _state(
    session: Session, ids: People, day: date, who: Who, *, today: date | None = None
) -> list[perf.Figure]:
    """The record as it stood on ``day`` for the cases open then: the in-touch rule, the
    visit and plan-review rules of the due engine, the accommodation and activity in force
    (only the rules these figures need are run, as the record screens run them).

    When ``day`` is ``today``, a young person with a fresh due snapshot (today's, made by
    this engine and configuration, not invalidated since) and no fact that reads
    differently as of today takes the visit and plan-review items from it, and only their
    contacts, statuses, accommodation and activity are read: the same items the engine
    would give, without reading the rest of the record and running the rules again (local
    practice: a speed measure; the answers are the due engine's). Everyone else is worked
    out in full."""
    rules = council_rules()
    touch: list[perf.Measured] = []
    visits: list[perf.Measured] = []
    plans: list[perf.Measured] = []
    homes: list[perf.Measured] = []
    activity: list[perf.Measured] = []

    def add(pid: int, contacts: Any, statuses: Any, items: Any, homes_: Any, doing_: Any) -> None:
        team, worker = who(pid)
        state = derive_in_touch(contacts, statuses, day, rules.in_touch_window_months)
        touch.append(_in_touch(pid, state.code, team, worker))
        for kind, bucket in (
            (rules_mod.DueKind.VISIT, visits),
            (rules_mod.DueKind.PLAN_REVIEW, plans),
        ):
            m = _due_kind(pid, items, kind, team, worker)
            if m is not None:
                bucket.append(m)
        homes.append(
            _accommodation(pid, rules_mod.current_accommodation(homes_, day), team, worker)
        )
        activity.append(_activity(pid, rules_mod.current_activity(doing_, day), team, worker))

    order, state, snapshots, facts = _read_state(session, ids, day, today)
    wanted = (rules_mod.visit_due, rules_mod.plan_review_due)
    for pid in order:
        if pid in state:
            contacts, statuses, home_periods, activity_periods = state[pid]
            add(
                pid,
                contacts,
                statuses,
                snapshots[pid],
                rules_mod.accommodation_as_of(home_periods, day),
                rules_mod.activities_as_of(activity_periods, day),
            )
            continue
        case = facts.get(pid)
        if case is None:
            continue
        stood = rules_mod.facts_as_of(case, day)
        items = rules_mod.statutory_items(case, day, rules, only=wanted, as_it_stood=stood)
        add(pid, case.contacts, case.statuses, items, stood.accommodation, stood.activities)
    return [
        perf.Figure(
            "in_touch",
            "Care leavers in touch",
            "Care Leavers (England) Regulations 2010 reg 8; SSDA903 IN_TOUCH",
            tuple(touch),
        ),
        perf.Figure(
            "visits_on_time",
            "Visits not overdue",
            "Care Leavers (England) Regulations 2010 reg 8",
            tuple(visits),
        ),
        perf.Figure(
            "pathway_plans_reviewed_in_time",
            "Pathway plans reviewed in time",
            "Care Leavers (England) Regulations 2010 reg 7",
            tuple(plans),
        ),
        perf.Figure(
            "accommodation_suitable",
            "In suitable accommodation",
            "Children Act 1989 s23B(8) and s23C(4); SSDA903 ACCOM suitability",
            tuple(homes),
        ),
        perf.Figure(
            "in_education_employment_or_training",
            "In education, employment or training",
            "SSDA903 ACTIV; Children Act 1989 s23C(4)",
            tuple(activity),
        ),
        perf.Figure(
            "open_high_risks_without_review",
            "Open high risks without a review in time",
            "Local practice: a high risk is reviewed within 6 weeks of its screening",
            tuple(_high_risks(session, ids, day, who)),
            lower_is_better=True,
        ),
    ]


def _closures(session: Session, ids: People, start: date, end: date, who: Who) -> list[perf.Figure]:
    r = ClosureRequest
    rows = [
        row
        for row in rows_in(
            session,
            select(r.id, r.young_person_id, r.reason, r.closed_on)
            .where(r.status == RequestStatus.CLOSED.value)
            .where(r.closed_on >= start)
            .where(r.closed_on <= end),
            r.young_person_id,
            ids,
        )
    ]
    overridden = set(session.scalars(select(ClosureOverride.request_id)))
    closures = [
        perf.Counted(*who(pid), _label(reason), pid, f"Closed {closed:%d/%m/%Y}")
        for _rid, pid, reason, closed in rows
    ]
    overrides = [
        perf.Measured(
            *who(pid),
            True,
            rid in overridden,
            pid,
            f"Closed {closed:%d/%m/%Y}: "
            + ("a check was overridden" if rid in overridden else "no override"),
        )
        for rid, pid, _r, closed in rows
    ]
    of_request = {rid: pid for rid, pid, _r, _c in rows}
    audit_of: dict[int, int] = {}
    for aid, rid in session.execute(select(ClosureAudit.id, ClosureAudit.closure_request_id)):
        if rid in of_request:
            audit_of[aid] = of_request[rid]
    judged: dict[int, dict[str, str | None]] = defaultdict(dict)
    j = AuditJudgement
    for aid, kind, overall, submitted in session.execute(
        select(j.audit_id, j.kind, j.overall, j.submitted_at)
    ):
        if aid in audit_of and submitted is not None:
            judged[aid][kind] = overall
    labels = {g.value: g.label for g in Grade}
    grades = []
    for aid, kinds in sorted(judged.items()):
        grade = kinds.get("agreed") or kinds.get("first") or ""
        if grade:
            pid = audit_of[aid]
            source = "agreed after moderation" if kinds.get("agreed") else "first audit"
            grades.append(perf.Counted(*who(pid), labels.get(grade, grade), pid, source))
    return [
        perf.Figure(
            "closures_by_reason",
            "Closures by reason",
            "Lawful closure grounds: Children Act 1989 s23C, s23CZB, s24; CLR 2010 regs 3-4",
            counted=tuple(closures),
            share=False,
        ),
        perf.Figure(
            "closures_with_override",
            "Closures where a closure check was overridden",
            "Local practice: overrides are justified and approved by a team lead",
            tuple(overrides),
            lower_is_better=True,
        ),
        perf.Figure(
            "audit_grades",
            "Closure-audit overall grades (agreed grade where moderated)",
            "Local practice: closure audits graded on Ofsted's four-point scale",
            counted=tuple(grades),
            share=False,
        ),
    ]
