"""What the closure checks work with: severities, outcomes and check ids with their titles
and reasons, the closure reasons (DfE CIN census codes RC1-RC9 and the care-leaver reasons,
:mod:`casework.domain.closure_grounds`), the local configuration (:class:`ClosureRules`),
the facts read from the record and the request, and a check's result. The checks
themselves are in :mod:`casework.domain.closure`, which re-exports everything here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Self

from casework.domain import closure_grounds as grounds
from casework.domain.calendar import age_on
from casework.domain.codes import (
    ClosureReason,
    CodeList,
    UnknownCode,
)


class Severity(enum.StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"
    OFF = "off"  # switched off by local configuration (never a statutory check)


class RequestStatus(enum.StrEnum):
    """Where a closure request is."""

    PENDING = "pending"
    RETURNED = "returned"
    APPROVED = "approved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "pending": "Waiting for a team lead",
            "returned": "Returned to the worker",
            "approved": "Approved, not yet closed",
            "closed": "Closed",
            "withdrawn": "Withdrawn",
        }[self.value]


class Outcome(enum.StrEnum):
    """How a check came out. ``needs_team_lead``: failed, but a team lead may resolve it by
    recording a decision on the request (who holds an open risk; why unsuitable
    accommodation is accepted). ``overridden``: a failed warning with a written
    justification."""

    PASSED = "passed"
    NOT_APPLICABLE = "not_applicable"
    FAILED = "failed"
    NEEDS_TEAM_LEAD = "needs_team_lead"
    OVERRIDDEN = "overridden"


class CheckId(enum.StrEnum):
    FRONT_DOOR = "front-door-decided"
    ENQUIRIES = "assessments-and-enquiries-finished"
    ALLEGATIONS = "allegations-have-outcomes"
    EXPLOITATION = "exploitation-and-missing-screened"
    OPEN_RISKS = "open-risks-held"
    RETURN_INTERVIEWS = "return-interviews-held"
    SEEN = "seen-recently-and-views-recorded"
    OPEN_ACTIONS = "referrals-out-and-actions-finished"
    ACCOMMODATION = "accommodation-known-and-suitable"
    TOLD_CAN_RETURN = "told-can-return-until-25"
    SUMMARY = "closure-summary-complete"
    RE_REFERRALS = "re-referral-pattern"
    DRAFTS = "no-drafts-outstanding"
    REASON = "reason-evidence"

    @property
    def number(self) -> str:
        """The check's number in the closure checklist ("4" covers both exploitation checks)."""
        return _NUMBERS[self]

    @property
    def label(self) -> str:
        """The plain title shown on screens."""
        return _TITLES[self]

    @property
    def why(self) -> str:
        return _WHY[self]


_NUMBERS = {
    CheckId.FRONT_DOOR: "1",
    CheckId.ENQUIRIES: "2",
    CheckId.ALLEGATIONS: "3",
    CheckId.EXPLOITATION: "4a",
    CheckId.OPEN_RISKS: "4b",
    CheckId.RETURN_INTERVIEWS: "5",
    CheckId.SEEN: "6",
    CheckId.OPEN_ACTIONS: "7",
    CheckId.ACCOMMODATION: "8",
    CheckId.TOLD_CAN_RETURN: "9",
    CheckId.SUMMARY: "10",
    CheckId.RE_REFERRALS: "11",
    CheckId.DRAFTS: "12",
    CheckId.REASON: "13",
}

_TITLES = {
    CheckId.FRONT_DOOR: "Every concern and referral has a decision",
    CheckId.ENQUIRIES: "No assessment or section 47 enquiry left unfinished",
    CheckId.ALLEGATIONS: "Every allegation has a recorded outcome",
    CheckId.EXPLOITATION: "Exploitation and missing screened recently",
    CheckId.OPEN_RISKS: "Open medium or high risks are handed to someone",
    CheckId.RETURN_INTERVIEWS: "Return interview held after every missing episode",
    CheckId.SEEN: "Seen recently, seen alone where needed, views on closure recorded",
    CheckId.OPEN_ACTIONS: "Referrals out have outcomes and no follow-up is overdue",
    CheckId.ACCOMMODATION: "Accommodation known and suitable",
    CheckId.TOLD_CAN_RETURN: "Told in writing they can come back for support until 25",
    CheckId.SUMMARY: "Closure summary complete",
    CheckId.RE_REFERRALS: "Repeated referrals explained",
    CheckId.DRAFTS: "No draft notes outstanding",
    CheckId.REASON: "The closure reason's own evidence",
}

_WHY = {
    CheckId.FRONT_DOOR: "A concern or referral nobody decided on is a risk nobody weighed. "
    "Closing around it loses it.",
    CheckId.ENQUIRIES: "CIN rules: no closure while an assessment or a section 47 enquiry is "
    "unfinished. An assessment is finished when a team lead authorises it, and an enquiry "
    "needs an initial conference or a recorded reason it is not needed (Working Together to "
    "Safeguard Children 2023, chapter 2). A child protection plan still in force is ended "
    "by a review conference, not by closing the case (Working Together 2023, chapter 2).",
    CheckId.ALLEGATIONS: "Keeping Children Safe in Education: an allegation is not finished "
    "until its outcome is recorded, with who decided and when.",
    CheckId.EXPLOITATION: "Inspectors found cases closed while young people were at risk of "
    "sexual exploitation. Exploitation and missing are screened shortly before closing.",
    CheckId.OPEN_RISKS: "A medium or high risk does not end when the case does, and any "
    "medium or high exploitation or missing screening in the last 12 months needs a team "
    "lead's decision even if a later screening is lower (inspection findings: cases closed "
    "while young people were at risk of sexual exploitation). Someone must hold the risk "
    "afterwards and say how it will be reviewed; a child's risk cannot be handed to adult "
    "safeguarding (Care Act 2014 s42 is for adults; Working Together 2023).",
    CheckId.RETURN_INTERVIEWS: "Statutory guidance on children who run away or go missing "
    "from home or care (2014): an independent return interview is held within 72 hours of "
    "every return. Offering one is not enough; a young person's recorded refusal is their "
    "answer. Nobody closes a case while the young person is still missing.",
    CheckId.SEEN: "Good closure practice: the young person is seen shortly before closing, "
    "seen alone where there has been risk, and their views are recorded.",
    CheckId.OPEN_ACTIONS: "Open actions and referrals are finished or handed on, not left "
    "hanging on a closed case.",
    CheckId.ACCOMMODATION: "A case is never closed silently while the young person is "
    "homeless, in custody or nobody knows where they live. While the council still owes "
    "keeping in touch or accommodation duties (Children Act 1989 s23B(8), s23C(2)-(4), "
    "s23C(6)-(7)), residence not known (R), homeless (S) and custody (X) stop closure "
    "outright: no team lead's note can pass them.",
    CheckId.TOLD_CAN_RETURN: "A former relevant care leaver may ask for a personal adviser, "
    "an assessment and a pathway plan at any time until 25 (Children Act 1989 s23CZB). They "
    "are told so in writing before the case closes.",
    CheckId.SUMMARY: "Whoever picks the case up next needs to know why it was open, what "
    "changed, who is still involved and what to do if concerns come back.",
    CheckId.RE_REFERRALS: "Two or more referrals in a year is a pattern (a re-referral is a "
    "referral within 12 months of a previous one: DfE Children in Need census; contacts "
    "that did not become referrals do not count). Closing again needs a written reason why "
    "this time is different.",
    CheckId.DRAFTS: "A draft note is work nobody else can see. The chronology is built "
    "from finalised notes, so it is current only once no drafts are waiting.",
    CheckId.REASON: "A care leaver's case closes only on a ground the law accepts for their "
    "category and age (Children Act 1989 s23B(1), s23B(11), s23C(2), s23C(6)-(7), s23CZB, "
    "s24; Care Leavers (England) Regulations 2010 regs 2(1) and 3(3)), and each reason has "
    "its own evidence (CIN rules: RC8 and RC9 need an assessment; a transfer needs where to "
    "and when).",
}

STATUTORY: frozenset[CheckId] = frozenset(
    {
        CheckId.FRONT_DOOR,
        CheckId.ENQUIRIES,
        CheckId.ALLEGATIONS,
        CheckId.OPEN_RISKS,
        CheckId.RETURN_INTERVIEWS,
        CheckId.ACCOMMODATION,
        CheckId.REASON,
    }
)
"""Checks that are always blockers, whatever the council configuration says."""

RESOLVED_BY_TEAM_LEAD: frozenset[CheckId] = frozenset({CheckId.OPEN_RISKS, CheckId.ACCOMMODATION})
"""Checks a team lead may pass by recording a decision on the request."""

_DEFAULT_SEVERITY = {check: Severity.BLOCKER for check in CheckId} | {
    CheckId.RE_REFERRALS: Severity.WARNING,
}


class CareLeaverClosureReason(CodeList):
    """Closure reasons for care leavers, each with the CIN code it
    is counted as in returns (``cin``)*."""

    _cin: str

    def __new__(cls, code: str, label: str = "", cin: str = "RC7") -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label
        member._annex_a = None
        member._ssda903 = None
        member._cin = cin
        return member

    REACHED_21_DECLINED = ("CL21", "Reached 21 and declined further support", "RC7")
    REACHED_25 = ("CL25", "Reached 25", "RC7")
    NO_LONGER_REQUIRES = ("CLNR", "No longer requires services", "RC7")
    REFUSES_CONTACT = ("CLRF", "Refuses contact after documented attempts", "RC7")
    TRANSFERRED = ("CLTR", "Transferred to another council", "RC5")
    ADULT_SERVICES = ("CLAS", "Moved to adult services", "RC6")
    DIED = ("CLDI", "Died", "RC2")

    @property
    def cin(self) -> ClosureReason:
        """The CIN census reason this counts as."""
        return ClosureReason.parse(self._cin)

    @classmethod
    def list_name(cls) -> str:
        return "care-leaver closure reason"


Reason = ClosureReason | CareLeaverClosureReason


def parse_reason(code: str) -> Reason:
    """A CIN (RC1-RC9) or care-leaver (CL..) closure reason; raises ``UnknownCode`` naming
    every allowed code."""
    for kind in (ClosureReason, CareLeaverClosureReason):
        try:
            return kind.parse(code)
        except UnknownCode:
            continue
    raise UnknownCode(
        "closure reason", code, (*ClosureReason.codes(), *CareLeaverClosureReason.codes())
    )


def reason_label(code: str) -> str:
    reason = parse_reason(code)
    return f"{reason.value} {reason.label}"


def reason_choices() -> list[tuple[str, str]]:
    """(code, "code label") for a drop-down: care-leaver reasons first, then CIN."""
    return [(r.value, f"{r.value} {r.label}") for r in (*CareLeaverClosureReason, *ClosureReason)]


@dataclass(frozen=True)
class ReasonChoice:
    """A closure reason as a screen offers it: open or not, and the legal reason why not."""

    code: str
    text: str  # "CL21 Reached 21 and declined further support"
    allowed: bool
    why: str = ""


def reason_options(facts: ClosureFacts, on: date) -> list[ReasonChoice]:
    """Every closure reason for this young person on ``on``, in display order, each open
    only where it ends the duty for their category and age (see
    :mod:`casework.domain.closure_grounds`). Transfer and adult services are never open for
    a care leaver: they are arrangements alongside the case."""
    age = age_on(facts.date_of_birth, on)
    out = []
    for option in grounds.options(facts.eligibility, age, facts.activity):
        reason = parse_reason(option.code)
        out.append(
            ReasonChoice(option.code, f"{reason.value} {reason.label}", option.allowed, option.why)
        )
    return out


_DIED = (ClosureReason.RC2, CareLeaverClosureReason.DIED)
_TRANSFER = (ClosureReason.RC5, CareLeaverClosureReason.TRANSFERRED)
_ADULT = (ClosureReason.RC6, CareLeaverClosureReason.ADULT_SERVICES)
_ORDERS = (ClosureReason.RC1, ClosureReason.RC3, ClosureReason.RC4)
_AFTER_ASSESSMENT = (ClosureReason.RC8, ClosureReason.RC9)


# --- configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosureRules:
    """Local closure practice. Defaults are common local practice."""

    screening_days: int = 28  # CSE, CCE and missing screened within this many days before
    seen_days: int = 28  # seen face to face within this many days before the request
    re_referral_count: int = 2  # this many referrals in 12 months is a pattern
    refusal_attempts: int = 3  # documented attempts before "refuses contact" is accepted
    refusal_months: int = 3  # ... within this many months before the request
    review_flag_working_days: int = 5  # a request waiting longer is flagged in the queue
    severities: Mapping[CheckId, Severity] = field(default_factory=dict)

    def severity(self, check: CheckId) -> Severity:
        if check in STATUTORY:
            return Severity.BLOCKER
        return self.severities.get(check, _DEFAULT_SEVERITY[check])

    def validated(self) -> ClosureRules:
        """Raise ValueError naming the first setting that is not allowed."""
        for name in (
            "screening_days",
            "seen_days",
            "re_referral_count",
            "refusal_attempts",
            "refusal_months",
            "review_flag_working_days",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(
                    f"closure.{name} = {value!r}: expected a whole number of 1 or more"
                )
        for check, severity in self.severities.items():
            if check in STATUTORY and severity is not Severity.BLOCKER:
                raise ValueError(
                    f"closure.severity.{check.value} = {severity.value!r} would weaken a "
                    "statutory check: it is always a blocker"
                )
        return self


# --- facts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One thing a check looked at: ``kind`` is the record type (``contact``,
    ``referral`` ...), ``id`` its row, ``text`` what it says, ``ok`` whether it counts in the
    check's favour."""

    kind: str
    id: int | None
    text: str
    ok: bool = True


@dataclass(frozen=True)
class ConcernFact:
    id: int
    received_on: date
    decided: bool


@dataclass(frozen=True)
class ReferralFact:
    id: int
    received_on: date
    decided: bool
    assessment_started_on: date | None = None
    assessment_completed_on: date | None = None
    strategy_discussion_on: date | None = None
    s47_outcome: str = ""
    icpc_on: date | None = None
    icpc_not_required: bool = False
    assessment_authorised_on: date | None = None


@dataclass(frozen=True)
class AllegationFact:
    id: int
    received_on: date
    outcome: str | None


@dataclass(frozen=True)
class ScreeningFact:
    id: int
    risk_type: str
    level: str
    screened_on: date
    current: bool  # the latest screening of its type


@dataclass(frozen=True)
class MissingFact:
    id: int
    started_on: date
    ended_on: date | None
    interview_offered_on: date | None
    interview_held_on: date | None = None
    interview_declined: bool = False  # the young person's recorded refusal


@dataclass(frozen=True)
class ProtectionPlanFact:
    id: int
    started_on: date
    ended_on: date | None


@dataclass(frozen=True)
class ContactFact:
    id: int
    occurred_on: date
    final: bool
    successful: bool | None
    face_to_face: bool
    seen: bool
    seen_alone: bool
    author: str = ""


@dataclass(frozen=True)
class ServiceReferralFact:
    id: int
    service: str
    organisation: str
    status: str
    final: bool


@dataclass(frozen=True)
class FollowUpFact:
    id: int
    description: str
    due_on: date
    done: bool


@dataclass(frozen=True)
class AccommodationNow:
    id: int
    letter: str
    suitable: bool
    started_on: date
    awaiting_review: bool = False  # suitable only once a team lead reviews it (B&B 18+)


@dataclass(frozen=True)
class ClosureFacts:
    """What the record holds, as the checks read it. Lists hold the last 13 months or
    anything still open, whichever is more; the checks pick their own windows."""

    person_id: int
    date_of_birth: date
    eligibility: str
    concerns: tuple[ConcernFact, ...] = ()
    referrals: tuple[ReferralFact, ...] = ()
    allegations: tuple[AllegationFact, ...] = ()
    screenings: tuple[ScreeningFact, ...] = ()
    missing: tuple[MissingFact, ...] = ()
    contacts: tuple[ContactFact, ...] = ()
    service_referrals: tuple[ServiceReferralFact, ...] = ()
    follow_ups: tuple[FollowUpFact, ...] = ()
    accommodation: AccommodationNow | None = None
    told_can_return_on: date | None = None
    declined_support_on: date | None = None
    last_plan_review_on: date | None = None
    activity: str | None = None  # the SSDA903 activity code on the day the checks run
    protection_plans: tuple[ProtectionPlanFact, ...] = ()
    record_version: int = 1


@dataclass(frozen=True)
class RequestFacts:
    """What the closure request says. Free text is checked for being there, not judged."""

    reason: str = ""
    why_open: str = ""
    what_changed: str = ""
    agencies_involved: str = ""
    if_concerns_return: str = ""
    young_person_views: str = ""
    reason_date: date | None = None  # death, transfer, order or move to adult services
    receiving_body: str = ""  # the receiving council or adult services team
    risk_holder: str = ""  # team lead: who holds an open risk after closure
    risk_review: str = ""  # team lead: how that risk will be reviewed
    accommodation_decision: str = ""  # team lead: why closing is right despite it
    justifications: Mapping[str, str] = field(default_factory=dict)  # check id -> text


@dataclass(frozen=True)
class CheckResult:
    id: CheckId
    severity: Severity
    outcome: Outcome
    summary: str  # one line: what was found
    evidence: tuple[Evidence, ...] = ()
    justification: str = ""

    @property
    def title(self) -> str:
        return self.id.label

    @property
    def why(self) -> str:
        return self.id.why

    @property
    def passed(self) -> bool:
        return self.outcome in (Outcome.PASSED, Outcome.NOT_APPLICABLE, Outcome.OVERRIDDEN)

    @property
    def blocks(self) -> bool:
        """Stops the request being made (a team lead's decision cannot come first)."""
        return self.severity is Severity.BLOCKER and self.outcome is Outcome.FAILED

    @property
    def blocks_approval(self) -> bool:
        return self.severity is Severity.BLOCKER and not self.passed

    @property
    def needs_justification(self) -> bool:
        return self.severity is Severity.WARNING and self.outcome is Outcome.FAILED


# --- what a closure request asks for, by reason ---------------------------------------------

_DEATH_FIELDS = ("Date of death", None)
_TRANSFER_FIELDS = ("Transfer date", "Receiving council")
_ADULT_FIELDS = ("Date of the move to adult services", "Adult services team taking over")
REASON_FIELDS: dict[str, tuple[str | None, str | None]] = {
    "RC1": ("Date of the adoption order", None),
    "RC2": _DEATH_FIELDS,
    "RC3": ("Date of the child arrangements order", None),
    "RC4": ("Date of the special guardianship order", None),
    "RC5": _TRANSFER_FIELDS,
    "RC6": _ADULT_FIELDS,
    "CLDI": _DEATH_FIELDS,
    "CLTR": _TRANSFER_FIELDS,
    "CLAS": _ADULT_FIELDS,
}
"""The request's extra fields per reason: (label of the date it needs, label of who takes
over). Local practice: what the council records alongside each CIN census reason."""

REASON_HELP = {
    "CL21": 'They must be 21 or over, with "declined further support" recorded on Legal status '
    "(Children Act 1989 s23CZB).",
    "CL25": "They must be 25 or over.",
    "CLNR": "Needs a pathway plan review in the last 6 months that agreed it (s23CZB, s24).",
    "CLRF": "Needs documented unsuccessful contact attempts in the last few months (see check "
    "13); a status, not a closure, for relevant and former relevant young people under 21.",
    "RC8": "Needs a completed assessment on the record.",
    "RC9": "Needs a completed assessment on the record.",
}


"""What else each reason needs on the record (the reason check says the same once it has
run)."""


def reason_fields(code: str) -> tuple[str | None, str | None]:
    """The request's extra fields for a closure reason, by their labels: (the date it
    needs, the body taking over), each None when the reason needs none."""
    return REASON_FIELDS.get(code, (None, None))
