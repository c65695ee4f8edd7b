"""The facts the closure checks read (:class:`casework.domain.closure.ClosureFacts`), for
one young person or thousands at once, as the record stands or as it stood on a day. The
checks themselves are pure (:mod:`casework.domain.closure`); the use cases are in
:mod:`casework.services.closure`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    Allegation,
    Contact,
    FollowUpAction,
    MissingEpisode,
    PathwayPlan,
    PlanReview,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
    User,
    YoungPerson,
)
from casework.domain import closure as rules
from casework.domain.accommodation import covers, suitable_only_after_review
from casework.domain.front_door import ServiceReferralStatus
from casework.domain.leaving_care import ContactMethod
from casework.services import child_protection
from casework.services.categories import categories_in
from casework.services.common import rows_in
from casework.services.due import declined_on, support_events

_FACE_TO_FACE = frozenset(m.value for m in ContactMethod if m.face_to_face)
_HORIZON_MONTHS = 13  # facts older than this (and finished) cannot change any check


def _day(moment: datetime) -> date:
    """The date in England of a stored time. Lists of thousands of young people convert
    hundreds of thousands of contact times, so: England has been between 0 and 2 hours
    ahead of UTC since 1848 (GMT, BST, double summer time), so a stored (naive UTC) time
    before 22:00 falls on the same date there; otherwise the offsets are whole hours, so
    the date depends only on the hour, cached per hour."""
    if moment.tzinfo is None and moment.hour < 22 and moment.year > 1847:
        return moment.date()
    return _day_of_hour(moment.replace(minute=0, second=0, microsecond=0))


@lru_cache(maxsize=65536)
def _day_of_hour(hour: datetime) -> date:
    return to_local(hour).date()


def _by(day: date | None, cut: date | None) -> date | None:
    """``day`` as known on ``cut``: a date after it had not happened yet (``None``). With no
    ``cut`` (the record as it stands) every date counts."""
    if day is None or (cut is not None and day > cut):
        return None
    return day


def _at_by(moment: datetime | None, cut: date | None) -> date | None:
    return None if moment is None else _by(_day(moment), cut)


def _concerns(
    session: Session, ids: Sequence[int], cut: date | None = None
) -> dict[int, list[rules.ConcernFact]]:
    c = SafeguardingContact
    out: dict[int, list[rules.ConcernFact]] = defaultdict(list)
    stmt = select(c.young_person_id, c.id, c.received_at, c.decided_at).order_by(c.id)
    for pid, cid, received, decided in rows_in(session, stmt, c.young_person_id, ids):
        if _at_by(received, cut) is None:
            continue  # received after the day
        out[pid].append(rules.ConcernFact(cid, _day(received), _at_by(decided, cut) is not None))
    return out


def _referrals(
    session: Session, ids: Sequence[int], cut: date | None = None
) -> dict[int, list[rules.ReferralFact]]:
    """Every referral. As of ``cut``: those received by then, each step dated after it not
    yet taken; the s47 outcome and a reason no conference was needed carry no date of
    their own, so they count once the strategy discussion they follow had been held."""
    r = Referral
    out: dict[int, list[rules.ReferralFact]] = defaultdict(list)
    for row in rows_in(session, select(r).order_by(r.id), r.young_person_id, ids):
        x = row[0]
        if _at_by(x.received_at, cut) is None:
            continue
        strategy = _by(x.strategy_discussion_on, cut)
        after_strategy = strategy is not None or x.strategy_discussion_on is None
        out[x.young_person_id].append(
            rules.ReferralFact(
                x.id,
                _day(x.received_at),
                _at_by(x.decided_at, cut) is not None,
                _by(x.assessment_started_on, cut),
                _by(x.assessment_completed_on, cut),
                strategy,
                x.s47_outcome if after_strategy else "",
                _by(x.icpc_on, cut),
                after_strategy and bool(x.icpc_not_required_reason.strip()),
                _by(x.assessment_authorised_on, cut),
            )
        )
    return out


def _allegations(
    session: Session, ids: Sequence[int], cut: date | None = None
) -> dict[int, list[rules.AllegationFact]]:
    a = Allegation
    out: dict[int, list[rules.AllegationFact]] = defaultdict(list)
    stmt = select(a.young_person_id, a.id, a.received_at, a.outcome, a.outcome_on).order_by(a.id)
    for pid, aid, received, outcome, outcome_on in rows_in(session, stmt, a.young_person_id, ids):
        if _at_by(received, cut) is None:
            continue
        if outcome_on is not None and _by(outcome_on, cut) is None:
            outcome = None  # the outcome was recorded after the day
        out[pid].append(rules.AllegationFact(aid, _day(received), outcome))
    return out


def _screenings(
    session: Session, ids: Sequence[int], cut: date | None = None
) -> dict[int, list[rules.ScreeningFact]]:
    s = RiskScreening
    stmt = select(s.young_person_id, s.id, s.risk_type, s.level, s.screened_on).order_by(
        s.screened_on.desc(), s.id.desc()
    )
    out: dict[int, list[rules.ScreeningFact]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    for pid, sid, kind, level, on in rows_in(session, stmt, s.young_person_id, ids):
        if _by(on, cut) is None:
            continue  # screened after the day: the latest then was an earlier one
        current = (pid, kind) not in seen
        seen.add((pid, kind))
        out[pid].append(rules.ScreeningFact(sid, kind, level, on, current))
    return {pid: sorted(v, key=lambda f: f.id) for pid, v in out.items()}


def _missing(
    session: Session, ids: Sequence[int], cut: date | None = None
) -> dict[int, list[rules.MissingFact]]:
    """Every missing episode. As of ``cut``: those begun by then, a return, offer or
    interview dated after it not yet happened; a recorded refusal (undated) counts once
    the offer it answered had been made."""
    m = MissingEpisode
    stmt = select(
        m.young_person_id,
        m.id,
        m.started_at,
        m.ended_at,
        m.interview_offered_at,
        m.interview_held_at,
        m.interview_accepted,
    ).order_by(m.id)
    out: dict[int, list[rules.MissingFact]] = defaultdict(list)
    for pid, mid, start, end, offered, held, accepted in rows_in(
        session, stmt, m.young_person_id, ids
    ):
        if _at_by(start, cut) is None:
            continue
        offered_on = _at_by(offered, cut)
        refused = accepted is False and (offered is None or offered_on is not None)
        out[pid].append(
            rules.MissingFact(
                mid,
                _day(start),
                _at_by(end, cut),
                offered_on,
                _at_by(held, cut),
                refused,
            )
        )
    return out


def _contacts(
    session: Session,
    ids: Sequence[int],
    since: datetime,
    names: Mapping[int, str],
    cut: date | None = None,
) -> dict[int, list[rules.ContactFact]]:
    """Final contacts since ``since`` and every draft. As of ``cut``: contacts that took
    place by then, one finalised after it still a draft on the day, whose content (edited
    freely until finalised, without a date) the checks do not read."""
    c = Contact
    window = (c.occurred_at >= since) | (c.status == "draft")
    if cut is not None:  # a contact finalised after the day was still a draft then
        window = window | (c.finalised_at >= datetime.combine(cut, datetime.min.time()))
    stmt = (
        select(
            c.young_person_id,
            c.id,
            c.occurred_at,
            c.status,
            c.successful,
            c.method,
            c.seen,
            c.seen_alone,
            c.author_id,
            c.finalised_at,
        )
        .where(c.status.in_(("final", "draft")))
        .where(window)
        .order_by(c.id)
    )
    out: dict[int, list[rules.ContactFact]] = defaultdict(list)
    for pid, cid, at, status, ok, method, seen, alone, author, finalised in rows_in(
        session, stmt, c.young_person_id, ids
    ):
        final = status == "final"
        if cut is not None:
            if _at_by(at, cut) is None:
                continue  # took place after the day
            final = final and (finalised is None or _at_by(finalised, cut) is not None)
            if final and at < since:
                continue  # outside the window (read only because of the wider filter)
            if not final:  # a draft's content is undated: only that a draft existed counts
                ok, method, seen, alone = None, "", False, False
        out[pid].append(
            rules.ContactFact(
                cid,
                _day(at),
                final,
                ok,
                method in _FACE_TO_FACE,
                seen,
                alone,
                names.get(author, ""),
            )
        )
    return out


def _service_referrals(
    session: Session, ids: Sequence[int], cut: date | None = None
) -> dict[int, list[rules.ServiceReferralFact]]:
    """Every referral out. As of ``cut``: those sent by then (a referral's status carries no
    date, so its present status stands)."""
    s = ServiceReferral
    stmt = select(s.young_person_id, s.id, s.service, s.organisation, s.status, s.sent_on).order_by(
        s.id
    )
    out: dict[int, list[rules.ServiceReferralFact]] = defaultdict(list)
    for pid, sid, service, org, status, sent in rows_in(session, stmt, s.young_person_id, ids):
        if _by(sent, cut) is None:
            continue
        final = ServiceReferralStatus.parse(status).final
        out[pid].append(rules.ServiceReferralFact(sid, service, org, status, final))
    return out


def _follow_ups(
    session: Session, ids: Sequence[int], cut: date | None = None
) -> dict[int, list[rules.FollowUpFact]]:
    """Follow-ups not done. As of ``cut``: those recorded by then and not done by then."""
    f = FollowUpAction
    stmt = select(f.young_person_id, f.id, f.description, f.due_on, f.done_on, f.created_at)
    if cut is None:
        stmt = stmt.where(f.done_on.is_(None))
    out: dict[int, list[rules.FollowUpFact]] = defaultdict(list)
    for pid, fid, text, due, done, created in rows_in(
        session, stmt.order_by(f.id), f.young_person_id, ids
    ):
        if cut is not None and (_at_by(created, cut) is None or _by(done, cut) is not None):
            continue  # recorded after the day, or already done by then
        out[pid].append(rules.FollowUpFact(fid, text, due, False))
    return out


def _accommodation(
    session: Session, ids: Sequence[int], on: date, cut: date | None = None
) -> dict[int, Any]:
    """The period each young person lives in on ``on``: ``ended_on`` is the last night
    there (:func:`casework.domain.accommodation.covers`). As of ``cut``, a team lead's
    review dated after it had not happened."""
    a = AccommodationPeriod
    stmt = (
        select(
            a.young_person_id,
            a.id,
            a.letter,
            a.suitable,
            a.started_on,
            a.ended_on,
            a.team_lead_reviewed_on,
        )
        .where(a.started_on <= on)
        .order_by(a.started_on, a.id)
    )
    out: dict[int, rules.AccommodationNow | None] = {}
    for pid, aid, letter, suitable, start, end, reviewed in rows_in(
        session, stmt, a.young_person_id, ids
    ):
        if not covers(start, end, on):
            out[pid] = None
            continue
        reviewed = _by(reviewed, cut)
        waiting = suitable and reviewed is None and suitable_only_after_review(letter)
        out[pid] = rules.AccommodationNow(aid, letter, suitable, start, waiting)
    return out


def _activity(session: Session, ids: Sequence[int], on: date) -> dict[int, str]:
    """Each young person's SSDA903 activity code on ``on`` (latest start wins)."""
    a = ActivityPeriod
    stmt = (
        select(a.young_person_id, a.code, a.started_on, a.ended_on)
        .where(a.started_on <= on)
        .order_by(a.started_on, a.id)
    )
    out: dict[int, str] = {}
    for pid, code, start, end in rows_in(session, stmt, a.young_person_id, ids):
        if covers(start, end, on):
            out[pid] = code
    return out


def _plan_reviews(session: Session, ids: Sequence[int], cut: date | None = None) -> dict[int, date]:
    stmt = select(PathwayPlan.young_person_id, PlanReview.reviewed_on).join(
        PlanReview, PlanReview.plan_id == PathwayPlan.id
    )
    out: dict[int, date] = {}
    for pid, on in rows_in(session, stmt, PathwayPlan.young_person_id, ids):
        if _by(on, cut) is None:
            continue
        out[pid] = max(on, out.get(pid, on))
    return out


def load_facts(
    session: Session, ids: Sequence[int], on: date, *, as_of: bool = False
) -> dict[int, rules.ClosureFacts]:
    """What the closure checks read, for many young people at once, as the record stands;
    ``on`` is the day the checks count back from.

    ``as_of``: the record as it stood on ``on`` (``closure-check --as-of``). Every fact
    dated after ``on`` is left out (concerns, referrals, allegations, screenings, missing
    episodes, contacts, referrals out, follow-ups, plan reviews, support milestones, child
    protection plans and meetings, the worker's confirmations of the category), and every
    later step on an earlier fact is seen as not yet taken: a decision, an assessment's
    start, completion or authorisation, a strategy discussion or conference, an
    allegation's outcome, a return from missing or a return interview, a contact's
    finalising, a follow-up done, a team lead's accommodation review, a plan ended."""
    cut = on if as_of else None
    people = {
        pid: (dob, eligibility, version)
        for pid, dob, eligibility, version in rows_in(
            session,
            select(
                YoungPerson.id,
                YoungPerson.date_of_birth,
                YoungPerson.eligibility,
                YoungPerson.version,
            ),
            YoungPerson.id,
            ids,
        )
    }
    names = {uid: name for uid, name in session.execute(select(User.id, User.display_name))}
    since = datetime.combine(on - timedelta(days=31 * _HORIZON_MONTHS), datetime.min.time())
    concerns, referrals = _concerns(session, ids, cut), _referrals(session, ids, cut)
    allegations, screenings = _allegations(session, ids, cut), _screenings(session, ids, cut)
    missing = _missing(session, ids, cut)
    contacts = _contacts(session, ids, since, names, cut)
    out_refs, follow_ups = _service_referrals(session, ids, cut), _follow_ups(session, ids, cut)
    accommodation = _accommodation(session, ids, on, cut)
    reviews = _plan_reviews(session, ids, cut)
    activity = _activity(session, ids, on)
    plans = child_protection.plan_facts(session, ids, as_of=cut)
    support = support_events(session, ids)
    facts = {}
    categories = categories_in(session, ids, on, as_of=cut)
    for pid, (dob, _recorded, version) in people.items():
        events = support.get(pid, {})
        if cut is not None:
            events = {kind: [d for d in days if d <= cut] for kind, days in events.items()}
        eligibility = categories[pid].effective.value  # the category in force on ``on``
        told = max(events.get("told_can_return", []), default=None)
        facts[pid] = rules.ClosureFacts(
            person_id=pid,
            date_of_birth=dob,
            eligibility=eligibility,
            concerns=tuple(concerns.get(pid, ())),
            referrals=tuple(referrals.get(pid, ())),
            allegations=tuple(allegations.get(pid, ())),
            screenings=tuple(screenings.get(pid, ())),
            missing=tuple(missing.get(pid, ())),
            contacts=tuple(contacts.get(pid, ())),
            service_referrals=tuple(out_refs.get(pid, ())),
            follow_ups=tuple(follow_ups.get(pid, ())),
            accommodation=accommodation.get(pid),
            told_can_return_on=told,
            declined_support_on=declined_on(events),
            last_plan_review_on=reviews.get(pid),
            activity=activity.get(pid),
            protection_plans=tuple(
                rules.ProtectionPlanFact(p.id, p.started_on, p.ended_on) for p in plans.get(pid, ())
            ),
            record_version=version,
        )
    return facts


def _names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}
