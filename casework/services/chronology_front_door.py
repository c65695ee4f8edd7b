"""The chronology's front-door and risk events: concerns and their decisions, referrals and
assessments, allegations, risk screenings, missing episodes and referrals out."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.db.models import (
    Allegation,
    ChildProtectionMeeting,
    ChildProtectionPlan,
    MissingEpisode,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
)
from casework.domain import front_door as fd
from casework.domain.codes import AllegationOutcome, ReferralSource
from casework.services.chronology_events import Event, EventKind

Names = dict[int, str]


def _concerns(session: Session, pid: int, names: Names) -> Iterator[Event]:
    kind = EventKind("front_door")
    for c in session.scalars(
        select(SafeguardingContact).where(SafeguardingContact.young_person_id == pid)
    ):
        at = to_local(c.received_at)
        yield Event(
            at.date(),
            at,
            kind,
            f"Concern received from {ReferralSource.parse(c.source).label}",
            c.reported,
            names.get(c.recorded_by),
        )
        if c.decided_at and c.decision:
            when = to_local(c.decided_at)
            yield Event(
                when.date(),
                when,
                kind,
                f"Decision: {fd.ContactDecision.parse(c.decision).label}",
                c.rationale,
                names.get(c.decided_by or 0),
            )
    for r in session.scalars(select(Referral).where(Referral.young_person_id == pid)):
        at = to_local(r.received_at)
        yield Event(
            at.date(),
            at,
            kind,
            "Referral to children's social care",
            r.reason,
            names.get(r.recorded_by),
        )
        if r.decided_at and r.decision:
            when = to_local(r.decided_at)
            yield Event(
                when.date(),
                when,
                kind,
                f"Referral decision: {fd.ReferralDecision.parse(r.decision).label}",
                r.rationale,
                names.get(r.decided_by or 0),
            )
        if r.assessment_completed_on:
            yield Event(
                r.assessment_completed_on, None, kind, "Child and family assessment completed", ""
            )
        if r.assessment_authorised_on:
            yield Event(
                r.assessment_authorised_on,
                None,
                kind,
                "Assessment authorised by a team lead",
                "",
                names.get(r.assessment_authorised_by or 0),
            )
        if r.strategy_discussion_on:
            yield Event(r.strategy_discussion_on, None, kind, "Strategy discussion", r.s47_outcome)
        if r.icpc_on:
            yield Event(r.icpc_on, None, kind, "Initial child protection conference", "")


def _allegations(session: Session, pid: int, names: Names) -> Iterator[Event]:
    kind = EventKind("allegation")
    for a in session.scalars(select(Allegation).where(Allegation.young_person_id == pid)):
        at = to_local(a.received_at)
        role = fd.AllegationSubjectRole.parse(a.subject_role).label.lower()
        yield Event(
            at.date(), at, kind, f"Allegation about a {role}", a.details, names.get(a.recorded_by)
        )
        if a.lado_notified_at:
            told = to_local(a.lado_notified_at)
            yield Event(told.date(), told, kind, "LADO told", "")
            if a.strategy_criteria_met is False:
                yield Event(
                    told.date(),
                    told,
                    kind,
                    "LADO: strategy meeting not required",
                    a.strategy_not_required_reason,
                )
        if a.strategy_meeting_at:
            met = to_local(a.strategy_meeting_at)
            yield Event(met.date(), met, kind, "Allegation strategy meeting held", "")
        if a.outcome and a.outcome_on:
            yield Event(
                a.outcome_on,
                None,
                kind,
                f"Allegation outcome: {AllegationOutcome.parse(a.outcome).label}",
                a.outcome_rationale,
                names.get(a.outcome_by or 0),
            )


def _risks(session: Session, pid: int, names: Names) -> Iterator[Event]:
    kind = EventKind("risk")
    for r in session.scalars(select(RiskScreening).where(RiskScreening.young_person_id == pid)):
        level = fd.RiskLevel.parse(r.level).label.lower()
        yield Event(
            r.screened_on,
            None,
            kind,
            f"{fd.RiskType.parse(r.risk_type).label} screening: {level}",
            r.reasoning,
            names.get(r.screened_by),
        )


def _missing(session: Session, pid: int, names: Names) -> Iterator[Event]:
    kind = EventKind("missing")
    for m in session.scalars(select(MissingEpisode).where(MissingEpisode.young_person_id == pid)):
        start = to_local(m.started_at)
        police = "reported to police" if m.reported_to_police else "not reported to police"
        yield Event(
            start.date(), start, kind, f"Went missing ({police})", "", names.get(m.recorded_by)
        )
        if m.ended_at:
            back = to_local(m.ended_at)
            yield Event(back.date(), back, kind, "Returned", m.learned)
        if m.interview_offered_at:
            offered = to_local(m.interview_offered_at)
            yield Event(offered.date(), offered, kind, "Return interview offered", "")
        if m.interview_held_at:
            held = to_local(m.interview_held_at)
            yield Event(held.date(), held, kind, "Return interview held", m.learned)


def _services(session: Session, pid: int, names: Names) -> Iterator[Event]:
    kind = EventKind("service")
    for s in session.scalars(select(ServiceReferral).where(ServiceReferral.young_person_id == pid)):
        service = fd.ServiceType.parse(s.service).label
        yield Event(
            s.sent_on,
            None,
            kind,
            f"Referred to {service}",
            s.organisation,
            names.get(s.recorded_by),
        )
        status = fd.ServiceReferralStatus.parse(s.status)
        if status.final:
            yield Event(
                s.sent_on,
                None,
                kind,
                f"{service} referral: {status.label.lower()}",
                s.outcome or s.reason,
            )


def _protection(session: Session, pid: int, names: Names) -> Iterator[Event]:
    kind = EventKind("front_door")
    plans = list(
        session.scalars(
            select(ChildProtectionPlan).where(ChildProtectionPlan.young_person_id == pid)
        )
    )
    for p in plans:
        yield Event(
            p.started_on, None, kind, "Child protection plan made", "", names.get(p.recorded_by)
        )
        if p.ended_on:
            yield Event(p.ended_on, None, kind, "Child protection plan ended", p.end_reason)
    if not plans:
        return
    meetings = session.scalars(
        select(ChildProtectionMeeting).where(
            ChildProtectionMeeting.plan_id.in_([p.id for p in plans])
        )
    )
    for m in meetings:
        label = fd.CpMeetingKind.parse(m.kind).label
        yield Event(m.held_on, None, kind, label, m.note, names.get(m.recorded_by))


FRONT_DOOR_SOURCES: tuple[Callable[[Session, int, Names], Iterator[Event]], ...] = (
    _concerns,
    _protection,
    _allegations,
    _risks,
    _missing,
    _services,
)
