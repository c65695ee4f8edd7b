"""Case closure: the checks that stop a case closing before the record shows it is safe
to. Pure rules over plain facts; nothing here reads the clock or the database.

:func:`run_checks` runs the thirteen checks over :class:`ClosureFacts` (what the record
holds) and :class:`RequestFacts` (what the worker and team lead wrote on the closure
request), anchored at one day: the day the request was made, or today when there is no
request. Every check returns a :class:`CheckResult` with an id, a plain title, a
severity, why it exists and the evidence it looked at, each piece naming the record it
came from (so a screen can link to it).

Severities and windows are local practice (:class:`ClosureRules`, read from
``resources/council.toml``), except that a *statutory* check (:data:`STATUTORY`) is always
a blocker: the configuration may not turn it into a warning or switch it off.

Decisions where statute and guidance are silent (local practice chosen here) are marked *.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from casework.domain import closure_grounds as grounds
from casework.domain.calendar import add_months, age_on
from casework.domain.closure_model import (
    _ADULT,
    _AFTER_ASSESSMENT,
    _DIED,
    _ORDERS,
    _TRANSFER,
)
from casework.domain.closure_model import (
    RESOLVED_BY_TEAM_LEAD as RESOLVED_BY_TEAM_LEAD,
)
from casework.domain.closure_model import (
    STATUTORY as STATUTORY,
)
from casework.domain.closure_model import (
    AccommodationNow as AccommodationNow,
)
from casework.domain.closure_model import (
    AllegationFact as AllegationFact,
)
from casework.domain.closure_model import (
    CareLeaverClosureReason as CareLeaverClosureReason,
)
from casework.domain.closure_model import (
    CheckId as CheckId,
)
from casework.domain.closure_model import (
    CheckResult as CheckResult,
)
from casework.domain.closure_model import (
    ClosureFacts as ClosureFacts,
)
from casework.domain.closure_model import (
    ClosureRules as ClosureRules,
)
from casework.domain.closure_model import (
    ConcernFact as ConcernFact,
)
from casework.domain.closure_model import (
    ContactFact as ContactFact,
)
from casework.domain.closure_model import (
    Evidence as Evidence,
)
from casework.domain.closure_model import (
    FollowUpFact as FollowUpFact,
)
from casework.domain.closure_model import (
    MissingFact as MissingFact,
)
from casework.domain.closure_model import (
    Outcome as Outcome,
)
from casework.domain.closure_model import (
    ProtectionPlanFact as ProtectionPlanFact,
)
from casework.domain.closure_model import (
    Reason as Reason,
)
from casework.domain.closure_model import (
    ReasonChoice as ReasonChoice,
)
from casework.domain.closure_model import (
    ReferralFact as ReferralFact,
)
from casework.domain.closure_model import (
    RequestFacts as RequestFacts,
)
from casework.domain.closure_model import (
    RequestStatus as RequestStatus,
)
from casework.domain.closure_model import (
    ScreeningFact as ScreeningFact,
)
from casework.domain.closure_model import (
    ServiceReferralFact as ServiceReferralFact,
)
from casework.domain.closure_model import (
    Severity as Severity,
)
from casework.domain.closure_model import (
    parse_reason as parse_reason,
)
from casework.domain.closure_model import (
    reason_choices as reason_choices,
)
from casework.domain.closure_model import (
    reason_label as reason_label,
)
from casework.domain.closure_model import (
    reason_options as reason_options,
)
from casework.domain.codes import (
    AccommodationType,
    EligibilityCategory,
    UnknownCode,
)
from casework.domain.front_door import RiskLevel, RiskType
from casework.domain.leaving_care import DUTIES_END_AGE, PA_OFFER_AGE, plain_date

__all__ = [
    "STATUTORY",
    "CareLeaverClosureReason",
    "CheckId",
    "CheckResult",
    "ClosureFacts",
    "ClosureRules",
    "Evidence",
    "Outcome",
    "ReasonChoice",
    "RequestFacts",
    "RequestStatus",
    "Severity",
    "can_approve",
    "can_request",
    "fingerprint",
    "parse_reason",
    "reason_label",
    "reason_options",
    "risk_holder_examples",
    "risk_holder_problem",
    "run_checks",
]


# --- the checks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    facts: ClosureFacts
    request: RequestFacts
    on: date
    rules: ClosureRules
    reason: Reason | None

    @property
    def died(self) -> bool:
        return self.reason in _DIED

    @property
    def age(self) -> int:
        return age_on(self.facts.date_of_birth, self.on)

    @property
    def owes_duties(self) -> bool:
        """The council still owes keeping-in-touch or accommodation duties."""
        return grounds.owes_contact_or_accommodation(
            self.facts.eligibility, self.age, self.facts.activity
        )


def _result(check: CheckId, failed: list[str], evidence: list[Evidence], ok: str) -> CheckResult:
    if failed:
        return CheckResult(
            check, Severity.BLOCKER, Outcome.FAILED, " ".join(failed), tuple(evidence)
        )
    return CheckResult(check, Severity.BLOCKER, Outcome.PASSED, ok, tuple(evidence))


def _na(check: CheckId, why: str) -> CheckResult:
    return CheckResult(check, Severity.BLOCKER, Outcome.NOT_APPLICABLE, why)


_PLURALS = {
    "concern or referral": "concerns or referrals",
    "assessment or enquiry": "assessments or enquiries",
    "medium or high risk": "medium or high risks",
    "medium or high exploitation or missing screening": (
        "medium or high exploitation or missing screenings"
    ),
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {_PLURALS.get(word, word + 's')}"


def _check_front_door(c: _Context) -> CheckResult:
    evidence = [
        Evidence(
            "safeguarding_contact",
            x.id,
            f"Concern received {plain_date(x.received_on)}: awaiting a decision",
            False,
        )
        for x in c.facts.concerns
        if not x.decided
    ] + [
        Evidence(
            "referral", r.id, f"Referral received {plain_date(r.received_on)}: no decision", False
        )
        for r in c.facts.referrals
        if not r.decided
    ]
    failed = (
        [f"{_plural(len(evidence), 'concern or referral')} still awaiting a decision."]
        if evidence
        else []
    )
    return _result(
        CheckId.FRONT_DOOR, failed, evidence, "Every concern and referral on record has a decision."
    )


def _check_enquiries(c: _Context) -> CheckResult:
    evidence: list[Evidence] = []
    for r in c.facts.referrals:
        if r.assessment_started_on and not r.assessment_completed_on:
            evidence.append(
                Evidence(
                    "referral",
                    r.id,
                    f"Assessment started {plain_date(r.assessment_started_on)} and not completed",
                    False,
                )
            )
        elif r.assessment_completed_on and not r.assessment_authorised_on:
            evidence.append(
                Evidence(
                    "referral",
                    r.id,
                    f"Assessment completed {plain_date(r.assessment_completed_on)}: not yet "
                    "authorised by a team lead",
                    False,
                )
            )
        if r.strategy_discussion_on and not (r.icpc_on or r.icpc_not_required):
            evidence.append(
                Evidence(
                    "referral",
                    r.id,
                    f"Section 47 enquiry from {plain_date(r.strategy_discussion_on)}: no "
                    'initial conference date and no recorded "not required"',
                    False,
                )
            )
    for plan in c.facts.protection_plans:
        if plan.ended_on is None or plan.ended_on > c.on:
            evidence.append(
                Evidence(
                    "child_protection_plan",
                    plan.id,
                    f"Child protection plan from {plain_date(plan.started_on)} still in force: "
                    "a review conference ends it",
                    False,
                )
            )
    failed = (
        [f"{_plural(len(evidence), 'assessment, enquiry or plan')} unfinished."] if evidence else []
    )
    return _result(
        CheckId.ENQUIRIES,
        failed,
        evidence,
        "No assessment, section 47 enquiry or child protection plan is open.",
    )


def _check_allegations(c: _Context) -> CheckResult:
    evidence = [
        Evidence(
            "allegation",
            a.id,
            f"Allegation received {plain_date(a.received_on)}: no outcome",
            False,
        )
        for a in c.facts.allegations
        if not a.outcome
    ]
    failed = [f"{_plural(len(evidence), 'allegation')} without an outcome."] if evidence else []
    return _result(CheckId.ALLEGATIONS, failed, evidence, "Every allegation has an outcome.")


_SCREENED = (RiskType.CSE, RiskType.CCE, RiskType.MISSING)


def _check_exploitation(c: _Context) -> CheckResult:
    if c.died:
        return _na(CheckId.EXPLOITATION, "Not needed: the young person has died.")
    since = c.on - timedelta(days=c.rules.screening_days)
    evidence: list[Evidence] = []
    missing: list[str] = []
    for kind in _SCREENED:
        done = [
            s
            for s in c.facts.screenings
            if s.risk_type == kind.value and since <= s.screened_on <= c.on
        ]
        if done:
            latest = max(done, key=lambda s: (s.screened_on, s.id))
            level = RiskLevel.parse(latest.level).label.lower()
            evidence.append(
                Evidence(
                    "risk_screening",
                    latest.id,
                    f"{kind.label} screened {plain_date(latest.screened_on)}: {level}",
                )
            )
        else:
            missing.append(kind.label.lower())
            evidence.append(
                Evidence(
                    "risk_screening",
                    None,
                    f"{kind.label}: no screening since {plain_date(since)}",
                    False,
                )
            )
    failed = (
        [
            f"No screening within {c.rules.screening_days} days before {plain_date(c.on)} for "
            f"{', '.join(missing)}."
        ]
        if missing
        else []
    )
    return _result(
        CheckId.EXPLOITATION,
        failed,
        evidence,
        "Child sexual exploitation, child criminal exploitation and missing screened within "
        f"{c.rules.screening_days} days.",
    )


ADULT_AGE = 18

_ADULT_HOLDER_WORDS = (
    "adult safeguarding",
    "adult social care",
    "adults' safeguarding",
    "adult services",
    "adults' services",
    "adult social services",
)


def risk_holder_problem(holder: str, age: int) -> str | None:
    """Why ``holder`` cannot hold a risk for someone aged ``age`` (None when it can).

    Adult safeguarding (Care Act 2014 s42) is for adults: a child's risk stays with
    children's services, the police or another council's children's services (Working
    Together to Safeguard Children 2023)."""
    text = " ".join(holder.casefold().split())
    if age < ADULT_AGE and any(word in text for word in _ADULT_HOLDER_WORDS):
        return (
            f"They are {age}: adult safeguarding cannot hold a child's risk (Care Act 2014 "
            "s42 is for adults; Working Together to Safeguard Children 2023). Name children's "
            "services, the police or another council's children's services."
        )
    return None


def risk_holder_examples(age: int) -> str:
    """Examples of who may hold a risk after closure, for a person aged ``age``."""
    if age < ADULT_AGE:
        return "the police, another council's children's services, the youth justice team"
    return "adult safeguarding, the police, another council"


def _check_open_risks(c: _Context) -> CheckResult:
    """Open medium or high risks, and any medium or high exploitation or missing screening
    in the 12 months before the check day (even if a later one is lower), need a team
    lead's decision on who holds the risk and how it is reviewed (local practice drawn
    from the inspection findings: cases closed while young people were at risk of sexual
    exploitation)."""
    year_ago = add_months(c.on, -12)
    open_risks = [
        s
        for s in c.facts.screenings
        if s.current and RiskLevel.parse(s.level).rank >= RiskLevel.MEDIUM.rank
    ]
    open_ids = {s.id for s in open_risks}
    recent = [
        s
        for s in c.facts.screenings
        if s.id not in open_ids
        and s.risk_type in {k.value for k in _SCREENED}
        and year_ago <= s.screened_on <= c.on
        and RiskLevel.parse(s.level).rank >= RiskLevel.MEDIUM.rank
    ]
    if not open_risks and not recent:
        return _result(
            CheckId.OPEN_RISKS,
            [],
            [],
            "No medium or high risk is open, and no medium or high exploitation or missing "
            "screening in the last 12 months.",
        )
    evidence = [
        Evidence(
            "risk_screening",
            s.id,
            f"{RiskType.parse(s.risk_type).label}: {RiskLevel.parse(s.level).label.lower()} "
            f"(screened {plain_date(s.screened_on)})",
            False,
        )
        for s in open_risks
    ] + [
        Evidence(
            "risk_screening",
            s.id,
            f"{RiskType.parse(s.risk_type).label}: {RiskLevel.parse(s.level).label.lower()} "
            f"on {plain_date(s.screened_on)}, within 12 months (since lowered)",
            False,
        )
        for s in recent
    ]
    parts = []
    if open_risks:
        parts.append(f"{_plural(len(open_risks), 'medium or high risk')} open")
    if recent:
        parts.append(
            f"{_plural(len(recent), 'medium or high exploitation or missing screening')} in "
            "the last 12 months"
        )
    found = " and ".join(parts)
    holder, review = c.request.risk_holder.strip(), c.request.risk_review.strip()
    if holder and review:
        bad_holder = risk_holder_problem(holder, c.age)
        if bad_holder:
            return _result(CheckId.OPEN_RISKS, [bad_holder], evidence, "")
        evidence.append(Evidence("closure_request", None, f"Held by {holder}; review: {review}"))
        return CheckResult(
            CheckId.OPEN_RISKS,
            Severity.BLOCKER,
            Outcome.PASSED,
            f"{found[0].upper()}{found[1:]}: the team lead decided it is held after closure "
            f"by {holder}.",
            tuple(evidence),
        )
    return CheckResult(
        CheckId.OPEN_RISKS,
        Severity.BLOCKER,
        Outcome.NEEDS_TEAM_LEAD,
        f"{found[0].upper()}{found[1:]}: the team lead must record who holds it after "
        f"closure ({risk_holder_examples(c.age)}) and how it will be reviewed.",
        tuple(evidence),
    )


def _check_return_interviews(c: _Context) -> CheckResult:
    """Nobody is still missing, and every missing episode that ended in the 12 months
    before closure had its return interview held, or the young person's refusal recorded
    (statutory guidance on children who run away or go missing from home or care, 2014).
    An episode that began earlier counts while it is open or ended inside the 12 months:
    a young person missing for over a year is still missing."""
    since = add_months(c.on, -12)
    evidence: list[Evidence] = []
    failed = 0
    for m in c.facts.missing:
        if m.ended_on is not None and m.ended_on < since:
            continue
        started = plain_date(m.started_on)
        if m.ended_on is None:
            found, ok = f"Missing since {started}: not yet returned", False
        elif m.interview_held_on is not None:
            found, ok = f"Missing {started}: interview held {plain_date(m.interview_held_on)}", True
        elif m.interview_declined:
            found, ok = f"Missing {started}: the young person declined the interview", True
        elif m.interview_offered_on is not None:
            found = (
                f"Missing {started}: interview offered {plain_date(m.interview_offered_on)} "
                "but not held"
            )
            ok = False
        else:
            found = f"Missing {started}, returned {plain_date(m.ended_on)}: no return interview"
            ok = False
        evidence.append(Evidence("missing_episode", m.id, found, ok))
        failed += not ok
    if failed:
        return _result(
            CheckId.RETURN_INTERVIEWS,
            [
                f"{_plural(failed, 'missing episode')} in the last 12 months without a return "
                "interview held (or still missing)."
            ],
            evidence,
            "",
        )
    ok_text = (
        "No missing episodes in the last 12 months."
        if not evidence
        else "Every missing episode in the last 12 months had its return interview held or "
        "declined."
    )
    return _result(CheckId.RETURN_INTERVIEWS, [], evidence, ok_text)


def _check_seen(c: _Context) -> CheckResult:
    if c.died:
        return _na(CheckId.SEEN, "Not needed: the young person has died.")
    problems: list[str] = []
    evidence: list[Evidence] = []
    if c.reason is CareLeaverClosureReason.REFUSES_CONTACT:
        evidence.append(
            Evidence(
                "closure_request",
                None,
                "They refuse contact: the reason check looks at the attempts instead of a visit",
            )
        )
    else:
        since = c.on - timedelta(days=c.rules.seen_days)
        seen = [
            x
            for x in c.facts.contacts
            if x.final
            and x.successful
            and x.face_to_face
            and x.seen
            and since <= x.occurred_on <= c.on
        ]
        if seen:
            last = max(seen, key=lambda x: (x.occurred_on, x.id))
            evidence.append(
                Evidence(
                    "contact",
                    last.id,
                    f"Seen face to face {plain_date(last.occurred_on)}"
                    + (" (alone)" if last.seen_alone else ""),
                )
            )
        else:
            problems.append(
                f"Not seen face to face since {plain_date(since)} ({c.rules.seen_days} days)."
            )
            evidence.append(
                Evidence(
                    "contact",
                    None,
                    f"No successful face-to-face contact since {plain_date(since)}",
                    False,
                )
            )
        year_ago = add_months(c.on, -12)
        risky = [
            s
            for s in c.facts.screenings
            if s.screened_on >= year_ago and RiskLevel.parse(s.level).rank >= RiskLevel.MEDIUM.rank
        ]
        if risky:
            alone = [x for x in seen if x.seen_alone]
            if alone:
                last = max(alone, key=lambda x: (x.occurred_on, x.id))
                evidence.append(
                    Evidence(
                        "contact",
                        last.id,
                        f"Seen alone {plain_date(last.occurred_on)} (a risk was open in the "
                        "last 12 months)",
                    )
                )
            else:
                kinds = sorted({RiskType.parse(s.risk_type).label.lower() for s in risky})
                problems.append(
                    f"A risk was open in the last 12 months ({', '.join(kinds)}), so they must "
                    f"be seen alone: no such visit since {plain_date(since)}."
                )
                evidence.append(
                    Evidence(
                        "risk_screening",
                        risky[-1].id,
                        f"Risk open in the last 12 months: {', '.join(kinds)}",
                        False,
                    )
                )
    views = c.request.young_person_views.strip()
    if views:
        evidence.append(
            Evidence("closure_request", None, "Their views on closure are recorded on the request")
        )
    else:
        problems.append("Their views on closure are not recorded.")
    return _result(
        CheckId.SEEN, problems, evidence, "Seen recently, and their views on closure are recorded."
    )


def _check_open_actions(c: _Context) -> CheckResult:
    evidence: list[Evidence] = []
    for s in c.facts.service_referrals:
        if not s.final:
            to = s.organisation or s.service
            evidence.append(
                Evidence(
                    "service_referral", s.id, f"Referral out to {to}: {s.status}, no outcome", False
                )
            )
    for f in c.facts.follow_ups:
        if not f.done and f.due_on < c.on:
            evidence.append(
                Evidence(
                    "follow_up",
                    f.id,
                    f"Follow-up overdue since {plain_date(f.due_on)}: {f.description}",
                    False,
                )
            )
    n_out = sum(1 for e in evidence if e.kind == "service_referral")
    n_fu = len(evidence) - n_out
    failed = []
    if n_out:
        failed.append(f"{_plural(n_out, 'referral out')} without an outcome.")
    if n_fu:
        failed.append(f"{_plural(n_fu, 'follow-up')} overdue.")
    return _result(
        CheckId.OPEN_ACTIONS,
        failed,
        evidence,
        "Every referral out has an outcome and no follow-up is overdue.",
    )


_UNKNOWN_OR_HOMELESS = frozenset({"R", "S", "X"})


def _check_accommodation(c: _Context) -> CheckResult:
    """Accommodation known and suitable. R, S and X (and no record at all) stop closure
    outright while the council owes keeping-in-touch or accommodation duties (Children Act
    1989 s23B(8), s23C(2)-(7)); otherwise a team lead may record why closing is right."""
    if c.died:
        return _na(CheckId.ACCOMMODATION, "Not needed: the young person has died.")
    now = c.facts.accommodation
    decision = c.request.accommodation_decision.strip()
    hard = False
    if now is None:
        problem, evidence = (
            "No current accommodation is recorded: where they live is unknown.",
            [Evidence("accommodation", None, "No current accommodation recorded", False)],
        )
        hard = True
    else:
        kind = AccommodationType.parse(now.letter)
        text = f"{kind.value} {kind.label} since {plain_date(now.started_on)}"
        if kind.value in _UNKNOWN_OR_HOMELESS:
            problem = f"{kind.label}: they must not be closed silently."
            hard = True
        elif not now.suitable or kind.always_unsuitable:
            problem = f"{kind.label} is recorded as unsuitable."
        elif now.awaiting_review:
            return _result(
                CheckId.ACCOMMODATION,
                [
                    f"{kind.label} is recorded as suitable but a team lead has not reviewed "
                    "it yet (local practice: from 18, bed and breakfast is suitable only with "
                    "a reason and a second person's review; under 18 it never is, statutory "
                    "guidance on homeless 16 and 17 year olds, 2018). Ask a team lead to "
                    "review it on the Accommodation tab."
                ],
                [Evidence("accommodation", now.id, text + ", awaiting review", False)],
                "",
            )
        else:
            return _result(
                CheckId.ACCOMMODATION,
                [],
                [Evidence("accommodation", now.id, text + ", suitable")],
                "Accommodation known and suitable.",
            )
        evidence = [Evidence("accommodation", now.id, text + ", unsuitable", False)]
    if hard and c.owes_duties:
        category = EligibilityCategory.parse(c.facts.eligibility).label.lower()
        return _result(
            CheckId.ACCOMMODATION,
            [
                f"{problem} They are {c.age} and a {category}: the council still owes keeping "
                "in touch and accommodation duties (Children Act 1989 s23B(8), s23C(2)-(7)), "
                "so the case cannot close until where they live is known and they are not "
                "homeless or in custody. A team lead's note cannot pass this."
            ],
            evidence,
            "",
        )
    if decision:
        evidence.append(Evidence("closure_request", None, f"Team lead's decision: {decision}"))
        return CheckResult(
            CheckId.ACCOMMODATION,
            Severity.BLOCKER,
            Outcome.PASSED,
            f"{problem} The team lead recorded why closing is still right.",
            tuple(evidence),
        )
    return CheckResult(
        CheckId.ACCOMMODATION,
        Severity.BLOCKER,
        Outcome.NEEDS_TEAM_LEAD,
        f"{problem} A team lead must record a decision before it can close.",
        tuple(evidence),
    )


def _check_told_can_return(c: _Context) -> CheckResult:
    age = age_on(c.facts.date_of_birth, c.on)
    category = EligibilityCategory.parse(c.facts.eligibility)
    if c.died:
        return _na(CheckId.TOLD_CAN_RETURN, "Not needed: the young person has died.")
    if category is not EligibilityCategory.FORMER_RELEVANT:
        return _na(
            CheckId.TOLD_CAN_RETURN,
            f"Not needed: the right to return until 25 (Children Act 1989 s23CZB) is a former "
            f"relevant care leaver's; they are {category.label.lower()}.",
        )
    if age >= DUTIES_END_AGE:
        return _na(CheckId.TOLD_CAN_RETURN, f"Not needed: they are {age}.")
    if c.facts.told_can_return_on:
        return _result(
            CheckId.TOLD_CAN_RETURN,
            [],
            [
                Evidence(
                    "support_event",
                    None,
                    f"Told in writing on {plain_date(c.facts.told_can_return_on)}",
                )
            ],
            f"Told in writing on {plain_date(c.facts.told_can_return_on)}.",
        )
    return _result(
        CheckId.TOLD_CAN_RETURN,
        [
            f"They are {age} and a care leaver: record the date they were told in writing they "
            "can come back for support until 25."
        ],
        [
            Evidence(
                "support_event",
                None,
                'No "told in writing they can return" date on the Legal status tab',
                False,
            )
        ],
        "",
    )


_SUMMARY_PARTS = (
    ("why_open", "why the case was open"),
    ("what_changed", "what changed (how needs were met or risk reduced)"),
    ("agencies_involved", "which agencies stay involved"),
    ("if_concerns_return", "what to do if concerns come back"),
)


def _check_summary(c: _Context) -> CheckResult:
    missing = [words for name, words in _SUMMARY_PARTS if not getattr(c.request, name).strip()]
    evidence = [
        Evidence(
            "closure_request",
            None,
            f"Summary: {words}" + (" — missing" if not getattr(c.request, name).strip() else ""),
            bool(getattr(c.request, name).strip()),
        )
        for name, words in _SUMMARY_PARTS
    ]
    failed = [f"The closure summary does not say {', '.join(missing)}."] if missing else []
    return _result(CheckId.SUMMARY, failed, evidence, "The closure summary has all four parts.")


def _check_re_referrals(c: _Context) -> CheckResult:
    """Referrals in the 12 months before closure. Only referrals count: the DfE's
    re-referral is a referral within 12 months of a previous one, and contacts that did
    not become referrals are not referrals (Children in Need census guide)."""
    since = add_months(c.on, -12)
    found = [
        Evidence("referral", r.id, f"Referral received {plain_date(r.received_on)}", False)
        for r in c.facts.referrals
        if since <= r.received_on <= c.on
    ]
    if len(found) >= c.rules.re_referral_count:
        return _result(
            CheckId.RE_REFERRALS,
            [
                f"{_plural(len(found), 'referral')} in the 12 months before "
                f"{plain_date(c.on)}: say in writing why closing now is right."
            ],
            found,
            "",
        )
    return _result(
        CheckId.RE_REFERRALS,
        [],
        found,
        f"{_plural(len(found), 'referral')} in the last 12 months.",
    )


def _check_drafts(c: _Context) -> CheckResult:
    drafts = [x for x in c.facts.contacts if not x.final]
    evidence = [
        Evidence(
            "contact",
            x.id,
            f"Draft contact of {plain_date(x.occurred_on)}"
            + (f" by {x.author}" if x.author else ""),
            False,
        )
        for x in drafts
    ]
    failed = [f"{_plural(len(drafts), 'draft note')} not finalised or discarded."] if drafts else []
    return _result(
        CheckId.DRAFTS,
        failed,
        evidence,
        "No draft notes are waiting, so the chronology holds every note.",
    )


_Found = tuple[list[str], list[Evidence]]

_DATE_WORDS: dict[Reason, str] = {
    **dict.fromkeys(_DIED, "date of death"),
    **dict.fromkeys(_TRANSFER, "transfer date"),
    **dict.fromkeys(_ADULT, "date of the move to adult services"),
    **dict.fromkeys(_ORDERS, "date of the order"),
}


def _reason_date(c: _Context, r: Reason, label: str) -> _Found:
    what = _DATE_WORDS.get(r)
    when = c.request.reason_date
    if what is None:
        return [], []
    if when is None:
        return [f"{label} needs the {what}."], []
    if when > c.on and r in _DIED:
        return [f"The date of death ({plain_date(when)}) is in the future."], []
    if when < c.facts.date_of_birth:
        return [f"The {what} ({plain_date(when)}) is before their date of birth."], []
    return [], [Evidence("closure_request", None, f"{what.capitalize()}: {plain_date(when)}")]


def _reason_receiver(c: _Context, r: Reason, label: str) -> _Found:
    if r not in _TRANSFER and r not in _ADULT:
        return [], []
    who = "receiving council" if r in _TRANSFER else "adult services team taking over"
    body = c.request.receiving_body.strip()
    if not body:
        return [f"{label} needs the {who}."], []
    return [], [Evidence("closure_request", None, f"{who.capitalize()}: {body}")]


def _reason_assessment(c: _Context, r: Reason, label: str) -> _Found:
    if r not in _AFTER_ASSESSMENT:
        return [], []
    done = [(x.assessment_completed_on, x.id) for x in c.facts.referrals]
    done = [d for d in done if d[0] is not None]
    if not done:
        missing = Evidence("referral", None, "No completed assessment", False)
        return [f"{label} needs a completed assessment on the record."], [missing]
    on, rid = max(done)
    assert on is not None
    return [], [Evidence("referral", rid, f"Assessment completed {plain_date(on)}")]


def _reason_age(c: _Context, r: Reason, label: str) -> _Found:
    age = age_on(c.facts.date_of_birth, c.on)
    problems: list[str] = []
    evidence: list[Evidence] = []
    if r is CareLeaverClosureReason.REACHED_21_DECLINED:
        if age < PA_OFFER_AGE:
            problems.append(f"They are {age}: this reason is for 21 and over.")
        declined = c.facts.declined_support_on
        if declined:
            text = f"Declined further support {plain_date(declined)}"
            evidence.append(Evidence("support_event", None, text))
        else:
            problems.append('No "declined further support" is recorded on the Legal status tab.')
    if r is CareLeaverClosureReason.REACHED_25 and age < DUTIES_END_AGE:
        problems.append(f"They are {age}, not yet 25.")
    return problems, evidence


def _reason_no_longer_requires(c: _Context, r: Reason, label: str) -> _Found:
    if r is not CareLeaverClosureReason.NO_LONGER_REQUIRES:
        return [], []
    reviewed = c.facts.last_plan_review_on
    if reviewed and reviewed >= add_months(c.on, -6):
        return [], [Evidence("plan_review", None, f"Pathway plan reviewed {plain_date(reviewed)}")]
    return [
        f"{label} needs a pathway plan review in the last 6 months that agreed it.",
    ], [Evidence("plan_review", None, "No pathway plan review in the last 6 months", False)]


def _reason_refuses(c: _Context, r: Reason, label: str) -> _Found:
    if r is not CareLeaverClosureReason.REFUSES_CONTACT:
        return [], []
    since = add_months(c.on, -c.rules.refusal_months)
    attempts = [
        x
        for x in c.facts.contacts
        if x.final and x.successful is False and since <= x.occurred_on <= c.on
    ]
    evidence = [
        Evidence("contact", x.id, f"Attempt {plain_date(x.occurred_on)}: not successful")
        for x in attempts
    ]
    if len(attempts) >= c.rules.refusal_attempts:
        return [], evidence
    return [
        f"{_plural(len(attempts), 'documented attempt')} since {plain_date(since)}: "
        f"{label} needs at least {c.rules.refusal_attempts}."
    ], evidence


def _reason_ground(c: _Context, r: Reason, label: str) -> _Found:
    """The reason must end the duty for this category and age (the matrix in
    :mod:`casework.domain.closure_grounds`)."""
    option = grounds.is_allowed(r.value, c.facts.eligibility, c.age, c.facts.activity)
    if option.allowed:
        return [], []
    return [f"{label} is not a lawful closure ground here. {option.why}"], [
        Evidence("closure_request", None, f"{label}: not a lawful ground", False)
    ]


_REASON_PARTS = (
    _reason_ground,
    _reason_date,
    _reason_receiver,
    _reason_assessment,
    _reason_age,
    _reason_no_longer_requires,
    _reason_refuses,
)


def _check_reason(c: _Context) -> CheckResult:
    r = c.reason
    if r is None:
        if not c.request.reason.strip():
            return _result(CheckId.REASON, ["Choose a closure reason."], [], "")
        return _result(CheckId.REASON, [f"{c.request.reason!r} is not a closure reason."], [], "")
    label = f"{r.value} {r.label}"
    problems: list[str] = []
    evidence: list[Evidence] = []
    for part in _REASON_PARTS:
        found, seen = part(c, r, label)
        problems += found
        evidence += seen
    if not problems and not evidence:
        evidence.append(
            Evidence("closure_request", None, f"{label}: no further evidence is needed")
        )
    return _result(CheckId.REASON, problems, evidence, f"{label}: its evidence is recorded.")


_CHECKS: tuple[tuple[CheckId, Callable[[_Context], CheckResult]], ...] = (
    (CheckId.FRONT_DOOR, _check_front_door),
    (CheckId.ENQUIRIES, _check_enquiries),
    (CheckId.ALLEGATIONS, _check_allegations),
    (CheckId.EXPLOITATION, _check_exploitation),
    (CheckId.OPEN_RISKS, _check_open_risks),
    (CheckId.RETURN_INTERVIEWS, _check_return_interviews),
    (CheckId.SEEN, _check_seen),
    (CheckId.OPEN_ACTIONS, _check_open_actions),
    (CheckId.ACCOMMODATION, _check_accommodation),
    (CheckId.TOLD_CAN_RETURN, _check_told_can_return),
    (CheckId.SUMMARY, _check_summary),
    (CheckId.RE_REFERRALS, _check_re_referrals),
    (CheckId.DRAFTS, _check_drafts),
    (CheckId.REASON, _check_reason),
)


def _reason_or_none(code: str) -> Reason | None:
    try:
        return parse_reason(code) if code.strip() else None
    except UnknownCode:
        return None


def run_checks(
    facts: ClosureFacts, request: RequestFacts, on: date, rules: ClosureRules | None = None
) -> list[CheckResult]:
    """Every check, in issue order, with the configured severity applied and warnings that
    have a written justification marked overridden. ``on``: the day of the request (today
    when there is none)."""
    rules = rules or ClosureRules()
    context = _Context(facts, request, on, rules, _reason_or_none(request.reason))
    out = []
    for check, run in _CHECKS:
        severity = rules.severity(check)
        if severity is Severity.OFF:
            continue
        result = run(context)
        if result.severity is not severity:
            result = replace(result, severity=severity)
        text = request.justifications.get(check.value, "").strip()
        if result.needs_justification and text:
            result = replace(result, outcome=Outcome.OVERRIDDEN, justification=text)
        out.append(result)
    return out


def can_request(results: Iterable[CheckResult]) -> bool:
    """No blocker the worker must fix (team-lead decisions may still be pending), and every
    failed warning justified."""
    return not any(r.blocks or r.needs_justification for r in results)


def can_approve(results: Iterable[CheckResult]) -> bool:
    """Every blocker passed (team-lead decisions made) and every failed warning justified."""
    return not any(r.blocks_approval or r.needs_justification for r in results)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def evidence_snapshot(facts: ClosureFacts, request: RequestFacts) -> dict[str, Any]:
    """The facts and the request as plain JSON-able data, sections named, lists in a
    stable order: what a fingerprint is taken over."""
    data = {**asdict(facts), "request": asdict(request)}
    return _jsonable(data)  # type: ignore[no-any-return]


def fingerprint(snapshot: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an evidence snapshot."""
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SECTION_WORDS = {
    "concerns": "concerns",
    "referrals": "referrals",
    "allegations": "allegations",
    "screenings": "risk screenings",
    "missing": "missing episodes",
    "contacts": "contacts",
    "service_referrals": "referrals out",
    "follow_ups": "follow-up actions",
    "accommodation": "accommodation",
    "told_can_return_on": "told they can return",
    "declined_support_on": "declined support",
    "last_plan_review_on": "pathway plan reviews",
    "activity": "education, employment or training",
    "record_version": "personal details",
    "date_of_birth": "date of birth",
    "eligibility": "eligibility",
    "request": "the closure request",
}


def changed_sections(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Which parts of the record differ between two snapshots, in words."""
    keys = sorted(set(before) | set(after))
    return [
        _SECTION_WORDS.get(k, k) for k in keys if before.get(k) != after.get(k) and k != "person_id"
    ]
