"""The care-leaver sections of the interchange bundle (version 2): one spec per section
drives export, import and the JSON Schema, so the three cannot drift apart.

Each young person in a bundle may carry ``care_history``, ``care_periods``, ``contacts``
(finalised ones, with their ``addenda``), ``follow_ups``, ``statuses``, ``eligibility_decisions``,
``needs_assessments``, ``pathway_plans`` (with ``areas`` and ``reviews``),
``circumstance_changes``, ``essentials``, ``accommodation``, ``activity`` and
``support_events``, and the front-door and closure sections (``care_arrangements``
among them). Workers are named by user name; dates are ``YYYY-MM-DD`` and times
``YYYY-MM-DDTHH:MM:SS`` (UTC).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    Allegation,
    CareArrangement,
    CareHistory,
    CarePeriod,
    CaseReopening,
    ChildProtectionMeeting,
    ChildProtectionPlan,
    CircumstanceChange,
    ClosedCaseNote,
    ClosureOverride,
    ClosureRequest,
    Contact,
    ContactAddendum,
    EligibilityDecision,
    EssentialItem,
    FollowUpAction,
    MissingEpisode,
    NeedsAssessment,
    PathwayPlan,
    PlanArea,
    PlanReview,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
    StatusEvent,
    SupportEvent,
)
from casework.domain import accommodation as accommodation_rules
from casework.domain import front_door as fd
from casework.domain import leaving_care as lc
from casework.domain.closure import CheckId, RequestStatus, reason_choices
from casework.domain.closure_grounds import ArrangementKind
from casework.domain.codes import (
    AccommodationType,
    Activity,
    AllegationOutcome,
    EligibilityCategory,
    ReferralSource,
    UnknownCode,
)
from casework.services.pathway import SupportKind


@dataclass(frozen=True)
class Field:
    """One bundle field: its column, its kind, and (for codes) the allowed values."""

    column: str
    kind: str  # str, text, bool, int, date, datetime, user, code
    required: bool = True
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    model: Any
    fields: dict[str, Field]
    parent: str = "young_person_id"
    children: dict[str, Section] = field(default_factory=dict)
    single: bool = False  # one object per young person rather than a list
    order: str = "id"


def _codes(kind: Any) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


_CONTACT = Section(
    Contact,
    {
        "occurred_at": Field("occurred_at", "datetime"),
        "method": Field("method", "code", codes=_codes(lc.ContactMethod)),
        "successful": Field("successful", "bool"),
        "made_by": Field("made_by", "code", codes=_codes(lc.ContactMadeBy)),
        "location": Field("location", "str", required=False),
        "seen": Field("seen", "bool"),
        "seen_alone": Field("seen_alone", "bool"),
        "views": Field("views", "text"),
        "discussed": Field("discussed", "text"),
        "author": Field("author_id", "user"),
        "finalised_at": Field("finalised_at", "datetime"),
    },
    children={
        "addenda": Section(
            ContactAddendum,
            {
                "text": Field("text", "text"),
                "author": Field("author_id", "user"),
                "created_at": Field("created_at", "datetime"),
            },
            parent="contact_id",
        )
    },
    order="occurred_at",
)

_PLAN = Section(
    PathwayPlan,
    {
        "started_on": Field("started_on", "date"),
        "ended_on": Field("ended_on", "date", required=False),
        "participation": Field("participation", "text"),
        "created_by": Field("created_by", "user"),
    },
    children={
        "areas": Section(
            PlanArea,
            {
                "area": Field("area", "code", codes=_codes(lc.PlanArea)),
                "needs": Field("needs", "text"),
                "actions": Field("actions", "text"),
                "owner": Field("owner", "str"),
                "target_on": Field("target_on", "date", required=False),
            },
            parent="plan_id",
        ),
        "reviews": Section(
            PlanReview,
            {
                "reviewed_on": Field("reviewed_on", "date"),
                "young_person_participated": Field("young_person_participated", "bool"),
                "notes": Field("notes", "text"),
                "reviewed_by": Field("reviewed_by", "user"),
            },
            parent="plan_id",
        ),
    },
    order="started_on",
)

SECTIONS: dict[str, Section] = {
    "care_history": Section(
        CareHistory,
        {
            "date_entered_care": Field("date_entered_care", "date", required=False),
            "weeks_looked_after_since_14": Field(
                "weeks_looked_after_since_14", "int", required=False
            ),
            "legal_status": Field("legal_status", "str", required=False),
            "detained_or_in_hospital_at_16": Field("detained_or_in_hospital_at_16", "bool"),
            "sgo_after_looked_after": Field("sgo_after_looked_after", "bool"),
            "staying_put_until": Field("staying_put_until", "date", required=False),
            "staying_close": Field("staying_close", "bool"),
        },
        single=True,
        order="young_person_id",
    ),
    "care_periods": Section(
        CarePeriod,
        {
            "started_on": Field("started_on", "date"),
            "ended_on": Field("ended_on", "date", required=False),
            "legal_status": Field("legal_status", "str"),
            "recorded_by": Field("recorded_by", "user", required=False),
        },
        order="started_on",
    ),
    "contacts": _CONTACT,
    "follow_ups": Section(
        FollowUpAction,
        {
            "description": Field("description", "text"),
            "owner": Field("owner_id", "user", required=False),
            "due_on": Field("due_on", "date"),
            "done_on": Field("done_on", "date", required=False),
        },
    ),
    "statuses": Section(
        StatusEvent,
        {
            "status": Field("status", "code", codes=_codes(lc.ExplicitStatus)),
            "effective_on": Field("effective_on", "date"),
            "ended_on": Field("ended_on", "date", required=False),
            "note": Field("note", "text"),
            "recorded_by": Field("recorded_by", "user"),
        },
    ),
    "eligibility_decisions": Section(
        EligibilityDecision,
        {
            "suggested": Field("suggested", "code", codes=_codes(EligibilityCategory)),
            "decided": Field("decided", "code", codes=_codes(EligibilityCategory)),
            "reason": Field("reason", "text"),
            "decided_by": Field("decided_by", "user"),
            "decided_at": Field("decided_at", "datetime"),
        },
    ),
    "needs_assessments": Section(
        NeedsAssessment,
        {
            "eligible_from": Field("eligible_from", "date"),
            "started_on": Field("started_on", "date", required=False),
            "completed_on": Field("completed_on", "date", required=False),
            "summary": Field("summary", "text"),
        },
    ),
    "pathway_plans": _PLAN,
    "circumstance_changes": Section(
        CircumstanceChange,
        {
            "kind": Field("kind", "code", codes=_codes(lc.CircumstanceChange)),
            "occurred_on": Field("occurred_on", "date"),
            "recorded_by": Field("recorded_by", "user"),
        },
    ),
    "essentials": Section(
        EssentialItem,
        {
            "item": Field("item", "code", codes=_codes(lc.EssentialItem)),
            "done_on": Field("done_on", "date", required=False),
            "note": Field("note", "text"),
        },
    ),
    "accommodation": Section(
        AccommodationPeriod,
        {
            "letter": Field("letter", "code", codes=_codes(AccommodationType)),
            "started_on": Field("started_on", "date"),
            "ended_on": Field("ended_on", "date", required=False),
            "provider": Field("provider", "str"),
            "suitable": Field("suitable", "bool"),
            "unsuitable_reason": Field("unsuitable_reason", "text"),
            "council_provided": Field("council_provided", "bool"),
            "team_lead_reviewed_on": Field("team_lead_reviewed_on", "date", required=False),
            "team_lead_reviewed_by": Field("team_lead_reviewed_by", "user", required=False),
            "review_note": Field("review_note", "text"),
            "suitable_reason": Field("suitable_reason", "text", required=False),
            "registered": Field("registered", "bool", required=False),
            "recorded_by": Field("recorded_by", "user", required=False),
        },
        order="started_on",
    ),
    "activity": Section(
        ActivityPeriod,
        {
            "code": Field("code", "code", codes=tuple(c for c in _codes(Activity) if c != "0")),
            "started_on": Field("started_on", "date"),
            "ended_on": Field("ended_on", "date", required=False),
            "detail": Field("detail", "str"),
        },
        order="started_on",
    ),
    "safeguarding_contacts": Section(
        SafeguardingContact,
        {
            "received_at": Field("received_at", "datetime"),
            "source": Field("source", "code", codes=_codes(ReferralSource)),
            "referrer_name": Field("referrer_name", "str"),
            "referrer_contact": Field("referrer_contact", "str"),
            "reported": Field("reported", "text"),
            "factors": Field("factors", "str"),
            "already_known": Field("already_known", "bool"),
            "recorded_by": Field("recorded_by", "user"),
            "decision": Field("decision", "code", required=False, codes=_codes(fd.ContactDecision)),
            "rationale": Field("rationale", "text"),
            "decided_by": Field("decided_by", "user", required=False),
            "decided_at": Field("decided_at", "datetime", required=False),
        },
        order="received_at",
    ),
    "referrals": Section(
        Referral,
        {
            "received_at": Field("received_at", "datetime"),
            "source": Field("source", "code", codes=_codes(ReferralSource)),
            "reason": Field("reason", "text"),
            "factors": Field("factors", "str", required=False),
            "recorded_by": Field("recorded_by", "user"),
            "decision": Field(
                "decision", "code", required=False, codes=_codes(fd.ReferralDecision)
            ),
            "rationale": Field("rationale", "text"),
            "decided_by": Field("decided_by", "user", required=False),
            "decided_at": Field("decided_at", "datetime", required=False),
            "assessment_started_on": Field("assessment_started_on", "date", required=False),
            "assessment_child_seen": Field("assessment_child_seen", "bool"),
            "assessment_seen_alone": Field("assessment_seen_alone", "bool"),
            "assessment_completed_on": Field("assessment_completed_on", "date", required=False),
            "assessment_authorised_by": Field("assessment_authorised_by", "user", required=False),
            "assessment_authorised_on": Field("assessment_authorised_on", "date", required=False),
            "strategy_discussion_on": Field("strategy_discussion_on", "date", required=False),
            "s47_outcome": Field("s47_outcome", "text"),
            "icpc_on": Field("icpc_on", "date", required=False),
            "icpc_not_required_reason": Field("icpc_not_required_reason", "text"),
        },
        order="received_at",
    ),
    "allegations": Section(
        Allegation,
        {
            "subject_role": Field("subject_role", "code", codes=_codes(fd.AllegationSubjectRole)),
            "subject_description": Field("subject_description", "str"),
            "received_at": Field("received_at", "datetime"),
            "details": Field("details", "text"),
            "lado_notified_at": Field("lado_notified_at", "datetime", required=False),
            "strategy_meeting_at": Field("strategy_meeting_at", "datetime", required=False),
            "strategy_criteria_met": Field("strategy_criteria_met", "bool", required=False),
            "strategy_not_required_reason": Field(
                "strategy_not_required_reason", "text", required=False
            ),
            "police_involved": Field("police_involved", "bool"),
            "actions": Field("actions", "text"),
            "outcome": Field("outcome", "code", required=False, codes=_codes(AllegationOutcome)),
            "outcome_rationale": Field("outcome_rationale", "text"),
            "outcome_by": Field("outcome_by", "user", required=False),
            "outcome_on": Field("outcome_on", "date", required=False),
            "recorded_by": Field("recorded_by", "user"),
        },
        order="received_at",
    ),
    "risk_screenings": Section(
        RiskScreening,
        {
            "risk_type": Field("risk_type", "code", codes=_codes(fd.RiskType)),
            "level": Field("level", "code", codes=_codes(fd.RiskLevel)),
            "indicators": Field("indicators", "text"),
            "reasoning": Field("reasoning", "text"),
            "screened_on": Field("screened_on", "date"),
            "review_on": Field("review_on", "date", required=False),
            "screened_by": Field("screened_by", "user"),
            "signed_off_by": Field("signed_off_by", "user", required=False),
            "signed_off_on": Field("signed_off_on", "date", required=False),
            "lowered_from": Field(
                "lowered_from", "code", required=False, codes=_codes(fd.RiskLevel)
            ),
        },
        order="screened_on",
    ),
    "missing_episodes": Section(
        MissingEpisode,
        {
            "started_at": Field("started_at", "datetime"),
            "ended_at": Field("ended_at", "datetime", required=False),
            "reported_to_police": Field("reported_to_police", "bool"),
            "interview_offered_at": Field("interview_offered_at", "datetime", required=False),
            "interview_accepted": Field("interview_accepted", "bool", required=False),
            "interview_held_at": Field("interview_held_at", "datetime", required=False),
            "learned": Field("learned", "text"),
            "recorded_by": Field("recorded_by", "user"),
        },
        order="started_at",
    ),
    "child_protection_plans": Section(
        ChildProtectionPlan,
        {
            "started_on": Field("started_on", "date"),
            "ended_on": Field("ended_on", "date", required=False),
            "end_reason": Field("end_reason", "text", required=False),
            "recorded_by": Field("recorded_by", "user"),
        },
        children={
            "meetings": Section(
                ChildProtectionMeeting,
                {
                    "kind": Field("kind", "code", codes=_codes(fd.CpMeetingKind)),
                    "held_on": Field("held_on", "date"),
                    "note": Field("note", "text", required=False),
                    "recorded_by": Field("recorded_by", "user"),
                },
                parent="plan_id",
                order="held_on",
            )
        },
        order="started_on",
    ),
    "service_referrals": Section(
        ServiceReferral,
        {
            "service": Field("service", "code", codes=_codes(fd.ServiceType)),
            "organisation": Field("organisation", "str"),
            "sent_on": Field("sent_on", "date"),
            "expected_by": Field("expected_by", "date", required=False),
            "status": Field("status", "code", codes=_codes(fd.ServiceReferralStatus)),
            "reason": Field("reason", "text"),
            "outcome": Field("outcome", "text"),
            "last_chased_on": Field("last_chased_on", "date", required=False),
            "recorded_by": Field("recorded_by", "user"),
        },
        order="sent_on",
    ),
    "closure_requests": Section(
        ClosureRequest,
        {
            "status": Field("status", "code", codes=_codes(RequestStatus)),
            "reason": Field("reason", "code", codes=tuple(c for c, _ in reason_choices())),
            "reason_date": Field("reason_date", "date", required=False),
            "receiving_body": Field("receiving_body", "str"),
            "why_open": Field("why_open", "text"),
            "what_changed": Field("what_changed", "text"),
            "agencies_involved": Field("agencies_involved", "text"),
            "if_concerns_return": Field("if_concerns_return", "text"),
            "young_person_views": Field("young_person_views", "text"),
            "requested_by": Field("requested_by", "user"),
            "requested_at": Field("requested_at", "datetime"),
            "submitted_at": Field("submitted_at", "datetime"),
            "anchor_on": Field("anchor_on", "date"),
            "risk_holder": Field("risk_holder", "text"),
            "risk_review": Field("risk_review", "text"),
            "accommodation_decision": Field("accommodation_decision", "text"),
            "decisions_by": Field("decisions_by", "user", required=False),
            "reviewed_by": Field("reviewed_by", "user", required=False),
            "reviewed_at": Field("reviewed_at", "datetime", required=False),
            "review_comments": Field("review_comments", "text"),
            "voided_at": Field("voided_at", "datetime", required=False),
            "void_note": Field("void_note", "text"),
            "closed_on": Field("closed_on", "date", required=False),
            "closed_by": Field("closed_by", "user", required=False),
            "closed_at": Field("closed_at", "datetime", required=False),
        },
        children={
            "overrides": Section(
                ClosureOverride,
                {
                    "check_id": Field("check_id", "code", codes=_codes(CheckId)),
                    "justification": Field("justification", "text"),
                    "recorded_by": Field("recorded_by", "user"),
                    "recorded_at": Field("recorded_at", "datetime"),
                },
                parent="request_id",
            ),
        },
        order="requested_at",
    ),
    "case_reopenings": Section(
        CaseReopening,
        {
            "reason": Field("reason", "text"),
            "reopened_by": Field("reopened_by", "user"),
            "reopened_at": Field("reopened_at", "datetime"),
        },
        order="reopened_at",
    ),
    "care_arrangements": Section(
        CareArrangement,
        {
            "kind": Field("kind", "code", codes=_codes(ArrangementKind)),
            "with_whom": Field("with_whom", "str"),
            "started_on": Field("started_on", "date"),
            "note": Field("note", "text"),
            "recorded_by": Field("recorded_by", "user"),
            "recorded_at": Field("recorded_at", "datetime"),
        },
        order="started_on",
    ),
    "closed_case_notes": Section(
        ClosedCaseNote,
        {
            "text": Field("text", "text"),
            "author_id": Field("author_id", "user"),
            "created_at": Field("created_at", "datetime"),
        },
        order="created_at",
    ),
    "support_events": Section(
        SupportEvent,
        {
            "kind": Field("kind", "code", codes=_codes(SupportKind)),
            "occurred_on": Field("occurred_on", "date"),
            "note": Field("note", "text"),
            "recorded_by": Field("recorded_by", "user"),
        },
    ),
}


# --- JSON Schema ------------------------------------------------------------------------

_SCHEMA_TYPES: dict[str, dict[str, Any]] = {
    "str": {"type": "string", "maxLength": 200},
    "text": {"type": "string", "maxLength": 20000},
    "bool": {"type": "boolean"},
    "int": {"type": "integer", "minimum": 0, "maximum": 1000},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$"},
    "user": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{1,63}$"},
}


def _field_schema(spec: Field) -> dict[str, Any]:
    schema = {"enum": list(spec.codes)} if spec.kind == "code" else dict(_SCHEMA_TYPES[spec.kind])
    if not spec.required:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def section_schema(section: Section) -> dict[str, Any]:
    props = {name: _field_schema(spec) for name, spec in section.fields.items()}
    for name, child in section.children.items():
        props[name] = {"type": "array", "items": section_schema(child)}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [n for n, s in section.fields.items() if s.required],
        "properties": props,
    }


def young_person_sections_schema() -> dict[str, Any]:
    out = {}
    for name, section in SECTIONS.items():
        item = section_schema(section)
        out[name] = item if section.single else {"type": "array", "items": item}
    return out


# --- export -----------------------------------------------------------------------------


def _out(value: Any, spec: Field, usernames: dict[int, str]) -> Any:
    if value is None:
        return None
    if spec.kind == "user":
        return usernames.get(value)
    if spec.kind == "datetime":
        return value.isoformat(timespec="seconds")
    if spec.kind == "date":
        return value.isoformat()
    return value


def _export_rows(
    session: Session, section: Section, parent_ids: list[int], usernames: dict[int, str]
) -> dict[int, list[dict[str, Any]]]:
    model = section.model
    parent_col = getattr(model, section.parent)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not parent_ids:
        return out
    rows = list(
        session.scalars(
            select(model).where(parent_col.in_(parent_ids)).order_by(getattr(model, section.order))
        )
    )
    children = {
        name: _export_rows(session, child, [r.id for r in rows], usernames)
        for name, child in section.children.items()
    }
    for row in rows:
        if model is Contact and row.status != "final":
            continue  # drafts are unfinished work and stay on the machine they were written on
        item = {
            name: _out(getattr(row, spec.column), spec, usernames)
            for name, spec in section.fields.items()
        }
        for name in section.children:
            item[name] = children[name].get(row.id, [])
        out[getattr(row, section.parent)].append(item)
    return out


def export_sections(
    session: Session, person_ids: list[int], usernames: dict[int, str]
) -> dict[int, dict[str, Any]]:
    """Per young person id, their care-leaver sections as bundle JSON."""
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    for name, section in SECTIONS.items():
        rows = _export_rows(session, section, person_ids, usernames)
        for pid in person_ids:
            found = rows.get(pid, [])
            out[pid][name] = (found[0] if found else None) if section.single else found
    return out


# --- import -----------------------------------------------------------------------------

Resolve = Callable[[str], int | None]


@dataclass
class _Import:
    session: Session
    resolve_user: Resolve
    problems: list[str]
    now: datetime  # naive UTC: when imported, for rows that record when they were written

    def value(self, where: str, spec: Field, raw: Any) -> Any:
        if raw is None:
            return None
        if spec.kind == "user":
            uid = self.resolve_user(raw)
            if uid is None:
                self.problems.append(
                    f"{where}: {raw!r} is not valid: expected the user name of "
                    "a worker in this bundle or database"
                )
            return uid
        if spec.kind == "date":
            return date.fromisoformat(raw)
        if spec.kind == "datetime":
            return datetime.fromisoformat(raw)
        return raw

    def add(self, section: Section, item: dict[str, Any], parent_id: int, where: str) -> None:
        before = len(self.problems)
        values = {
            spec.column: self.value(f"{where}.{name}", spec, item.get(name))
            for name, spec in section.fields.items()
        }
        if len(self.problems) > before:
            return  # the import will be refused; don't write a half-formed row meanwhile
        values = {k: ("" if v is None and _text(section, k) else v) for k, v in values.items()}
        row = section.model(**{section.parent: parent_id}, **values)
        if section.model is Contact:
            row.status, row.created_at, row.updated_at = "final", row.finalised_at, row.finalised_at
        for stamp in _WRITTEN_AT.get(section.model, ()):
            setattr(row, stamp, self.now)
        self.session.add(row)
        if section.children:
            self.session.flush()
            for name, child in section.children.items():
                for n, sub in enumerate(item.get(name, [])):
                    self.add(child, sub, row.id, f"{where}.{name}[{n}]")


_WRITTEN_AT: dict[Any, tuple[str, ...]] = {
    PathwayPlan: ("created_at",),
    FollowUpAction: ("created_at",),
    StatusEvent: ("recorded_at",),
    CareHistory: ("updated_at",),
    CarePeriod: ("recorded_at",),
}


def _text(section: Section, column: str) -> bool:
    return any(s.column == column and s.kind in ("text", "str") for s in section.fields.values())


def _overlaps(where: str, homes: list[dict[str, Any]]) -> list[str]:
    """Accommodation periods end on the last night (the next starts the following day):
    two periods sharing a night are refused, as the app's own form refuses them."""
    spans = []
    for n, home in enumerate(homes):
        try:
            start = date.fromisoformat(home["started_on"])
            end = date.fromisoformat(home["ended_on"]) if home.get("ended_on") else None
        except (TypeError, ValueError):
            continue  # the date itself is reported by the field check
        spans.append((start, end, n))
    spans.sort(key=lambda span: (span[0], span[2]))
    out = []
    for (start, end, n), (later, later_end, m) in itertools.pairwise(spans):
        clash = accommodation_rules.overlap_problem(later, later_end, start, end)
        if clash is not None:
            out.append(f"{where}.accommodation[{m}].started_on: {clash.message} (see [{n}])")
    return out


_DATED_FIELDS = {
    "contacts": "occurred_at",
    "statuses": "effective_on",
    "accommodation": "started_on",
    "activity": "started_on",
    "pathway_plans": "started_on",
    "needs_assessments": "started_on",
    "circumstance_changes": "occurred_on",
    "support_events": "occurred_on",
    "eligibility_decisions": "decided_at",
}


def earliest_fact(person: dict[str, Any]) -> date | None:
    """The earliest dated fact in a bundle's young person (their case's opening date when
    the bundle does not carry one); ``None`` when there is none or a date is unreadable
    (the section import names that problem)."""
    days = []
    for section, name in _DATED_FIELDS.items():
        for item in person.get(section) or []:
            value = item.get(name) if isinstance(item, dict) else None
            if isinstance(value, str) and len(value) >= 10:
                try:
                    days.append(date.fromisoformat(value[:10]))
                except ValueError:
                    continue
    return min(days, default=None)


def rule_problems(where: str, person: dict[str, Any]) -> list[str]:
    """Checks beyond the schema that the app's own forms make."""
    problems = []
    homes = person.get("accommodation", [])
    for n, home in enumerate(homes):
        kind = AccommodationType.parse(home["letter"])
        if kind.always_unsuitable and home["suitable"]:
            problems.append(
                f"{where}.accommodation[{n}].suitable: true is not valid: "
                f"{kind.label} is always unsuitable"
            )
        if kind is AccommodationType.RESIDENCE_NOT_KNOWN and home["suitable"]:
            problems.append(
                f"{where}.accommodation[{n}].suitable: true is not valid: residence not "
                "known is never suitable"
            )
    problems += _overlaps(where, homes)
    for n, contact in enumerate(person.get("contacts", [])):
        if contact["seen_alone"] and not contact["seen"]:
            problems.append(
                f"{where}.contacts[{n}].seen_alone: true is not valid: expected "
                "'seen' to be true as well"
            )
    return problems


def import_sections(
    session: Session,
    person_id: int,
    person: dict[str, Any],
    where: str,
    resolve_user: Resolve,
    now: datetime,
) -> list[str]:
    """Add one young person's sections; returns the problems found (nothing is kept by the
    caller's transaction if there are any)."""
    problems = rule_problems(where, person)
    job = _Import(session, resolve_user, problems, now)
    for name, section in SECTIONS.items():
        items = person.get(name)
        if items is None:
            continue
        for n, item in enumerate([items] if section.single else items):
            try:
                job.add(
                    section,
                    item,
                    person_id,
                    f"{where}.{name}" + ("" if section.single else f"[{n}]"),
                )
            except (ValueError, UnknownCode) as exc:
                problems.append(f"{where}.{name}: {exc}")
    return problems
