"""Closure audits, the pure rules: which approved closures a month's audit sample takes and
why, who may not audit a closure, Ofsted's four-point grades, and how often moderating
auditors agree.

Auditing closed case files is how a council's management oversight checks that closures
were safe and timely: Ofsted's inspection of local authority children's services (ILACS)
judges "the impact of leaders on social work practice", including whether leaders know
the quality of practice through audit, and grades on the four-point scale used here
(outstanding, good, requires improvement to be good, inadequate). Working Together to
Safeguard Children 2023 expects decisions about children at risk of exploitation or going
missing to be scrutinised, which is why every closure where such a risk was open in the
year before is audited, not a random share of them.

Nothing here reads the clock or the database: callers pass the facts, the seed and the
day.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from casework.domain.calendar import add_months
from casework.domain.codes import CodeList
from casework.domain.leaving_care import plain_date


class Grade(CodeList):
    """Ofsted's four-point scale, best first."""

    OUTSTANDING = ("outstanding", "Outstanding")
    GOOD = ("good", "Good")
    REQUIRES_IMPROVEMENT = ("requires_improvement", "Requires improvement to be good")
    INADEQUATE = ("inadequate", "Inadequate")

    @classmethod
    def list_name(cls) -> str:
        return "grade"


class AuditDomain(CodeList):
    """What an audit grades, each with evidence notes; the overall grade is separate."""

    RELATIONSHIP = ("relationship", "Relationship and contact")
    RISK = ("risk", "Risk identification and management")
    VOICE = ("voice", "The young person's voice")
    OVERSIGHT = ("oversight", "Management oversight")
    PLANNING = ("planning", "Planning")
    DECISION = ("closure_decision", "The closure decision (safe and timely?)")
    RECORDING = ("recording", "Recording quality")

    @classmethod
    def list_name(cls) -> str:
        return "audit domain"


OVERALL = "overall"
SAFE = "safe"
"""Keys used beside the domains when two audits are compared: the overall grade and the
answer to "was the closure safe?"."""

COMPARED: tuple[str, ...] = (*(d.value for d in AuditDomain), OVERALL, SAFE)


def compared_label(key: str) -> str:
    if key == OVERALL:
        return "Overall grade"
    if key == SAFE:
        return "Was the closure safe?"
    return AuditDomain(key).label


class SampleReason(CodeList):
    """Why a closure is in the sample (a closure may have more than one reason)."""

    RANDOM = ("random", "Chosen at random")
    OVERRIDE = ("override", "A closure check was overridden")
    EXPLOITATION_OR_MISSING = (
        "exploitation_or_missing",
        "Exploitation or missing risk open in the year before closure",
    )

    @classmethod
    def list_name(cls) -> str:
        return "sample reason"


EXPLOITATION_TYPES = ("cse", "cce", "missing")
"""Risk screenings that count: child sexual exploitation, child criminal exploitation and
going missing (the screening types of the same names)."""
_RAISED_LEVELS = frozenset({"medium", "high"})


@dataclass(frozen=True)
class AuditRules:
    """Local practice (``[audit]`` in ``resources/council.toml``)."""

    period_months: int = 1  # how many months of closures one sample covers
    random_percent: int = 10  # share of the period's closures chosen at random
    moderation_percent: int = 20  # share of sampled audits given a blind second audit
    lookback_months: int = 12  # how far before closure an open risk puts a case in the sample

    def validated(self) -> AuditRules:
        for name, low, high in (
            ("period_months", 1, 12),
            ("random_percent", 1, 100),
            ("moderation_percent", 0, 100),
            ("lookback_months", 1, 60),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(
                    f"audit.{name} = {value!r} is not valid: expected a whole number from "
                    f"{low} to {high}"
                )
        return self


@dataclass(frozen=True)
class RiskMark:
    """A risk screening: its type, level and the day it was made."""

    risk_type: str
    level: str
    screened_on: date


@dataclass(frozen=True)
class MissingSpan:
    started_on: date
    ended_on: date | None  # None while still missing


@dataclass(frozen=True)
class ClosedCase:
    """An approved closure that closed the case, with what sampling reads."""

    request_id: int
    person_id: int
    closed_on: date
    requested_by: int
    approved_by: int | None
    overrides: int = 0
    screenings: tuple[RiskMark, ...] = ()
    missing: tuple[MissingSpan, ...] = ()


@dataclass(frozen=True)
class Sampled:
    request_id: int
    person_id: int
    reasons: tuple[SampleReason, ...]
    detail: str  # what put it in the sample, in words
    moderated: bool = False


@dataclass(frozen=True)
class Sample:
    start: date
    end: date  # the last day covered
    seed: int
    population: int  # approved closures in the period
    cases: tuple[Sampled, ...]


def period(first_month: date, rules: AuditRules) -> tuple[date, date]:
    """The first and last day of the sample period that starts in ``first_month``."""
    start = first_month.replace(day=1)
    end = add_months(start, rules.period_months)
    return start, date.fromordinal(end.toordinal() - 1)


def share(count: int, percent: int, *, at_least_one: bool = True) -> int:
    """``percent`` of ``count``, rounded half up; at least one when there is any."""
    if count <= 0 or percent <= 0:
        return 0
    k = (count * percent + 50) // 100
    return min(count, max(k, 1 if at_least_one else 0))


def open_risks_before(case: ClosedCase, lookback_months: int = 12) -> list[str]:
    """Exploitation or missing risk open at any time in the ``lookback_months`` before the
    closure (inclusive of the closure day): a CSE, CCE or missing screening at medium or
    high that was still the latest of its type at some point in the window, or a missing
    episode that overlapped it. Each found risk is described in words."""
    window_start = add_months(case.closed_on, -lookback_months)
    found = []
    by_type: dict[str, list[RiskMark]] = defaultdict(list)
    for mark in case.screenings:
        if mark.risk_type in EXPLOITATION_TYPES and mark.screened_on <= case.closed_on:
            by_type[mark.risk_type].append(mark)
    for risk_type in EXPLOITATION_TYPES:
        marks = sorted(by_type.get(risk_type, []), key=lambda m: m.screened_on)
        for i, mark in enumerate(marks):
            if mark.level not in _RAISED_LEVELS:
                continue
            superseded_on = marks[i + 1].screened_on if i + 1 < len(marks) else None
            if superseded_on is None or superseded_on > window_start:
                found.append(
                    f"{_RISK_WORDS[risk_type]} screened {mark.level} on "
                    f"{plain_date(mark.screened_on)}"
                )
                break
    for span in sorted(case.missing, key=lambda s: s.started_on):
        if span.started_on <= case.closed_on and (
            span.ended_on is None or span.ended_on >= window_start
        ):
            found.append(f"missing from {plain_date(span.started_on)}")
            break
    return found


_RISK_WORDS = {
    "cse": "child sexual exploitation",
    "cce": "child criminal exploitation",
    "missing": "missing",
}


def draw_sample(
    cases: Iterable[ClosedCase],
    start: date,
    end: date,
    seed: int,
    rules: AuditRules | None = None,
) -> Sample:
    """The audit sample of the approved closures that closed between ``start`` and ``end``
    (inclusive): ``random_percent`` of them at random (at least one), every one with an
    override, and every one with exploitation or missing risk open in the year before
    closure. ``moderation_percent`` of the sampled audits (at least one) are marked for a
    blind second audit. The same cases and seed always give the same sample, whatever
    order the cases come in."""
    rules = rules or AuditRules()
    pool = sorted((c for c in cases if start <= c.closed_on <= end), key=lambda c: c.request_id)
    rng = random.Random(seed)
    chosen = {c.request_id for c in rng.sample(pool, share(len(pool), rules.random_percent))}
    picked: list[Sampled] = []
    for case in pool:
        reasons: list[SampleReason] = []
        words: list[str] = []
        if case.request_id in chosen:
            reasons.append(SampleReason.RANDOM)
            words.append("chosen at random")
        if case.overrides:
            reasons.append(SampleReason.OVERRIDE)
            words.append(
                "1 closure check overridden"
                if case.overrides == 1
                else f"{case.overrides} closure checks overridden"
            )
        risks = open_risks_before(case, rules.lookback_months)
        if risks:
            reasons.append(SampleReason.EXPLOITATION_OR_MISSING)
            words.append("risk open in the year before closure: " + "; ".join(risks))
        if reasons:
            detail = "; ".join(words)
            picked.append(Sampled(case.request_id, case.person_id, tuple(reasons), detail))
    moderation = random.Random(f"{seed}:moderation")
    ids = [s.request_id for s in picked]
    second = set(moderation.sample(ids, share(len(ids), rules.moderation_percent)))
    final = tuple(
        Sampled(s.request_id, s.person_id, s.reasons, s.detail, s.request_id in second)
        for s in picked
    )
    return Sample(start, end, seed, len(pool), final)


# --- who may audit ---


def exclusion_reason(
    auditor_id: int,
    requested_by: int,
    approved_by: int | None,
    *,
    first_auditor_id: int | None = None,
) -> str | None:
    """Why this person may not audit this closure, as the words after their name ("asked
    for this closure"), or ``None`` when they may. Nobody audits a closure they asked for
    or approved (independent scrutiny is the point of an audit); a second, moderating
    audit must be by someone other than the first auditor."""
    if auditor_id == requested_by:
        return "asked for this closure"
    if approved_by is not None and auditor_id == approved_by:
        return "approved this closure"
    if first_auditor_id is not None and auditor_id == first_auditor_id:
        return "made the first audit of this closure"
    return None


def excluded_message(who: str, reason: str, *, second: bool = False) -> str:
    """The plain refusal: "Sam Lee asked for this closure, so they cannot audit it:
    choose someone else." (``who`` "You" reads "so you cannot ...")."""
    pronoun = "you" if who == "You" else "they"
    verb = "moderate" if second else "audit"
    tail = "." if who == "You" else ": choose someone else."
    return f"{who} {reason}, so {pronoun} cannot {verb} it{tail}"


def reopening_exclusion(
    decider_id: int | None, requested_by: int, approved_by: int | None
) -> str | None:
    """Why this person may not decide whether to reopen a closure an audit found unsafe,
    as the words after their name ("approved this closure"), or ``None`` when they may.

    Local practice (separation of duties, as for every approval:
    :func:`casework.services.permissions.may_approve`): whoever asked for or approved a
    closure does not judge whether it was wrong, so the reopening is decided by another
    team lead. Someone who cannot be identified (the command-line tool) never decides."""
    if decider_id is None:
        return "cannot be identified"
    if decider_id == requested_by:
        return "asked for this closure"
    if approved_by is not None and decider_id == approved_by:
        return "approved this closure"
    return None


def reopening_excluded_message(reason: str) -> str:
    """The plain refusal for :func:`reopening_exclusion`, said to the person refused."""
    return (
        f"You {reason}, so you cannot decide whether to reopen it: another team lead of "
        "the young person's team must (local practice: whoever asked for or approved a "
        "closure does not judge it)."
    )


# --- moderation ---


@dataclass(frozen=True)
class Judgement:
    """One auditor's submitted judgement: grades per domain, overall grade, safe or not."""

    auditor_id: int
    grades: Mapping[str, Grade]
    overall: Grade
    safe: bool

    def values(self) -> dict[str, str]:
        out = {k: str(v) for k, v in self.grades.items()}
        out[OVERALL] = str(self.overall)
        out[SAFE] = "yes" if self.safe else "no"
        return out


def disagreements(first: Judgement, second: Judgement) -> list[str]:
    """The domains (and overall grade, and "safe?") where two judgements differ."""
    a, b = first.values(), second.values()
    return [key for key in COMPARED if key in a and key in b and a[key] != b[key]]


@dataclass(frozen=True)
class Rate:
    compared: int = 0
    agreed: int = 0

    @property
    def percent(self) -> float | None:
        return None if self.compared == 0 else round(100 * self.agreed / self.compared, 1)

    def plus(self, agreed: bool) -> Rate:
        return Rate(self.compared + 1, self.agreed + (1 if agreed else 0))


@dataclass(frozen=True)
class Agreement:
    """How often first and second auditors agreed: per domain (over moderated audits),
    per auditor (over every domain of every moderated audit they took part in, as first
    or second auditor) and in all."""

    pairs: int
    by_domain: Mapping[str, Rate] = field(default_factory=dict)
    by_auditor: Mapping[int, Rate] = field(default_factory=dict)
    total: Rate = Rate()


def agreement(pairs: Sequence[tuple[Judgement, Judgement]]) -> Agreement:
    by_domain: dict[str, Rate] = {key: Rate() for key in COMPARED}
    by_auditor: dict[int, Rate] = {}
    total = Rate()
    for first, second in pairs:
        a, b = first.values(), second.values()
        for key in COMPARED:
            if key not in a or key not in b:
                continue
            same = a[key] == b[key]
            by_domain[key] = by_domain[key].plus(same)
            total = total.plus(same)
            for who in {first.auditor_id, second.auditor_id}:
                by_auditor[who] = by_auditor.get(who, Rate()).plus(same)
    return Agreement(len(pairs), by_domain, by_auditor, total)


# --- an audit's state ---


class AuditState(CodeList):
    UNASSIGNED = ("unassigned", "Waiting for an auditor")
    ASSIGNED = ("assigned", "Assigned, not started")
    IN_PROGRESS = ("in_progress", "Audit in progress")
    AWAITING_MODERATION = ("awaiting_moderation", "Waiting for the second audit")
    DISAGREEMENT = ("disagreement", "Auditors disagree: to resolve")
    COMPLETE = ("complete", "Complete")

    @classmethod
    def list_name(cls) -> str:
        return "audit state"


def audit_state(
    *,
    auditor: int | None,
    first_started: bool,
    first_submitted: bool,
    moderated: bool,
    second_submitted: bool,
    differences: int,
    resolved: bool,
) -> AuditState:
    if auditor is None:
        return AuditState.UNASSIGNED
    if not first_submitted:
        return AuditState.IN_PROGRESS if first_started else AuditState.ASSIGNED
    if moderated and not second_submitted:
        return AuditState.AWAITING_MODERATION
    if moderated and differences and not resolved:
        return AuditState.DISAGREEMENT
    return AuditState.COMPLETE


def learning_action_problems(
    description: str, owner_id: int | None, due_on: date | None, today: date
) -> list[str]:
    """What is wrong with a learning action as written (empty when it is fine)."""
    problems = []
    if not description.strip():
        problems.append("description: Say what the worker should do or learn.")
    if owner_id is None:
        problems.append("owner: Choose who owns the action.")
    if due_on is None:
        problems.append("due_on: Give a due date.")
    elif due_on < today:
        problems.append(f"due_on: The due date {plain_date(due_on)} is in the past.")
    return problems
