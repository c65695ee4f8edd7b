"""Where a case stands on closure, what fixes each failing check, and which closure steps
the person looking may take, each with the reason when not. The screens show these as
given; they decide nothing themselves.

The closure process is local practice built on the Care Leavers (England) Regulations
2010 (reg 6: the pathway plan is reviewed, and the case is not closed while the duty
lasts): a request, checks, a team lead's approval, then closing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from casework.domain.closure import CheckResult, Outcome


class CaseState(enum.StrEnum):
    """Where a young person's case stands on closure."""

    OPEN = "open"  # no active request
    PENDING = "pending"  # waiting for a team lead
    RETURNED = "returned"  # sent back to the worker
    APPROVED = "approved"  # approved, not closed yet
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            CaseState.OPEN: "Open",
            CaseState.PENDING: "Waiting for approval",
            CaseState.RETURNED: "Returned",
            CaseState.APPROVED: "Approved",
            CaseState.CLOSED: "Closed",
        }[self]

    @property
    def request_editable(self) -> bool:
        """Whether the worker writes (or rewrites) the request in this state."""
        return self in (CaseState.OPEN, CaseState.RETURNED)


class Fix(enum.StrEnum):
    """What makes a failing check pass."""

    NOTHING = "nothing"  # it passes, is justified, or is not applicable
    RECORD = "record"  # change the record (a contact, a plan, an episode...)
    REQUEST = "request"  # write the request: reason, summary, the young person's views
    JUSTIFY = "justify"  # justify it on the request (a warning)
    TEAM_LEAD = "team_lead"  # a team lead's decision, recorded at review

    @property
    def words(self) -> str:
        return {
            Fix.NOTHING: "",
            Fix.RECORD: "Fix it on the record, where the links below lead.",
            Fix.REQUEST: "Fixed by writing the request below.",
            Fix.JUSTIFY: "Say why the case should close anyway, on the request below.",
            Fix.TEAM_LEAD: "A team lead decides this when reviewing the request.",
        }[self]


# Checks the request itself answers (its reason, summary and the young person's views)
# unless the record's own evidence fails.
REQUEST_CHECKS = frozenset(
    {"closure-summary-complete", "reason-evidence", "seen-recently-and-views-recorded"}
)

# Evidence kinds that are records elsewhere in the young person's file.
RECORD_EVIDENCE = frozenset(
    {
        "contact",
        "follow_up",
        "safeguarding_contact",
        "referral",
        "allegation",
        "risk_screening",
        "missing_episode",
        "service_referral",
        "accommodation",
        "support_event",
        "plan_review",
    }
)


def fix_for(check: CheckResult) -> Fix:
    """What makes ``check`` pass."""
    if check.passed:
        return Fix.NOTHING
    if check.outcome is Outcome.NEEDS_TEAM_LEAD:
        return Fix.TEAM_LEAD
    if check.id.value in REQUEST_CHECKS and not any(
        not e.ok and e.kind in RECORD_EVIDENCE for e in check.evidence
    ):
        return Fix.REQUEST
    if check.needs_justification:
        return Fix.JUSTIFY
    return Fix.RECORD


def stopping_request(checks: Iterable[CheckResult]) -> tuple[CheckResult, ...]:
    """What stops the worker sending the request: failed blockers and unjustified failed
    warnings."""
    return tuple(c for c in checks if c.blocks or c.needs_justification)


def to_fix_on_record(checks: Iterable[CheckResult]) -> tuple[CheckResult, ...]:
    """The checks stopping the request that only a change to the record fixes: the
    banner's "N checks on the record must be fixed" and the list below count these."""
    return tuple(
        c for c in stopping_request(checks) if fix_for(c) not in (Fix.REQUEST, Fix.NOTHING)
    )


@dataclass(frozen=True)
class CheckTally:
    """The checks counted once, here, for every place that shows a count: the banner's
    "N checks on the record must be fixed" and the list's note use the same numbers."""

    total: int
    passed: int
    on_record: int  # stopping the request; fixed only on the record
    on_request: int  # stopping the request; fixed by writing the request
    waiting_for_lead: int

    @property
    def to_fix(self) -> int:
        return self.on_record + self.on_request


def tally(checks: Sequence[CheckResult]) -> CheckTally:
    stopping = stopping_request(checks)
    on_record = len(to_fix_on_record(checks))
    return CheckTally(
        total=len(checks),
        passed=sum(1 for c in checks if c.passed),
        on_record=on_record,
        on_request=len(stopping) - on_record,
        waiting_for_lead=sum(1 for c in checks if c.outcome is Outcome.NEEDS_TEAM_LEAD),
    )


def stopping_words(checks: Iterable[CheckResult]) -> str:
    """The checks stopping the request, in words ("2 seen recently, 5 plan reviewed")."""
    return ", ".join(f"{c.id.number} {c.title.lower()}" for c in stopping_request(checks))


class Step(enum.StrEnum):
    """A closure step someone may take on the case."""

    REQUEST = "request"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    DECIDE = "decide"  # the team lead's decisions on open risk and accommodation
    RETURN = "return"
    APPROVE = "approve"
    CLOSE = "close"
    ADD_NOTE = "add_note"
    REOPEN = "reopen"


_STEPS_IN: dict[CaseState, tuple[Step, ...]] = {
    CaseState.OPEN: (Step.REQUEST,),
    CaseState.RETURNED: (Step.RESUBMIT, Step.WITHDRAW),
    CaseState.PENDING: (Step.WITHDRAW, Step.DECIDE, Step.RETURN, Step.APPROVE),
    CaseState.APPROVED: (Step.CLOSE, Step.WITHDRAW),
    CaseState.CLOSED: (Step.ADD_NOTE, Step.REOPEN),
}
_WORKER_STEPS = frozenset(
    {Step.REQUEST, Step.RESUBMIT, Step.WITHDRAW, Step.CLOSE, Step.ADD_NOTE, Step.REOPEN}
)
_LEAD_STEPS = frozenset({Step.DECIDE, Step.RETURN, Step.APPROVE})

OWN_REQUEST = (
    "You wrote or changed this closure request, so you cannot approve it: another team lead must."
)
NOT_LEAD = "Only a team lead can approve or return a closure request."


class Refused(enum.StrEnum):
    """Why a step is refused."""

    PERMISSION = "permission"  # the role or relation to the record does not allow it
    OWN_WORK = "own_work"  # separation of duties: they wrote the request
    CHECKS = "checks"  # a check still fails


@dataclass(frozen=True)
class Offer:
    """One step the case's state allows, whether this person may take it now, and if not
    why (``refused``, and ``reason``: a plain sentence)."""

    step: Step
    allowed: bool
    reason: str = ""
    refused: Refused | None = None
    # Asking (or resubmitting) by someone who reviews this case themselves (a team lead of
    # its team): the approval must come from another team lead, as nobody approves a
    # request they wrote (:data:`OWN_REQUEST`).
    another_lead_approves: bool = False


@dataclass(frozen=True)
class Who:
    """What the core knows about the person looking: each refusal is the permission
    policy's own sentence (None when allowed)."""

    edit_refusal: str | None
    review_refusal: str | None
    wrote_request: bool


def offers(
    state: CaseState,
    checks: Sequence[CheckResult],
    who: Who,
) -> tuple[Offer, ...]:
    """The steps ``state`` allows, each allowed or refused with its reason."""
    found = []
    for step in _STEPS_IN[state]:
        refused: Refused | None = None
        reason = ""
        if step in _WORKER_STEPS and who.edit_refusal:
            refused, reason = Refused.PERMISSION, who.edit_refusal
        elif step in _LEAD_STEPS and who.review_refusal:
            refused = Refused.PERMISSION
            reason = NOT_LEAD if step is not Step.DECIDE else who.review_refusal
        elif step is Step.APPROVE and who.wrote_request:
            refused, reason = Refused.OWN_WORK, OWN_REQUEST
        elif step is Step.APPROVE and any(
            c.blocks_approval or c.needs_justification for c in checks
        ):
            refused, reason = Refused.CHECKS, "Approve is available once every check passes."
        own_lead = step in (Step.REQUEST, Step.RESUBMIT) and who.review_refusal is None
        found.append(Offer(step, refused is None, reason, refused, own_lead and refused is None))
    return tuple(found)
