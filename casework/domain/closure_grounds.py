"""Lawful closure grounds: which closure reason ends which duty, for whom, at what age.

A care leaver's case may close only where the law ends the council's duties. The
categories arise by law (Children Act 1989 s23A, s23C(1), s24; Care Leavers (England)
Regulations 2010 (CLR 2010) regs 3 and 4), and each carries duties that only certain
events end:

- eligible (16-17, looked after): leaving care makes them relevant and 18 makes them
  former relevant; only death ends the duties (CPPCR 2010 regs 40-44);
- relevant (16-17, left care): the duties of s23B(1)-(11) run to 18, when they become
  former relevant (s23C(1)); six continuous months living with a parent ends them (CLR
  2010 reg 3(3)), which changes the category rather than closing the case;
- former relevant under 21: keeping in touch, re-establishing contact, a personal
  adviser and the pathway plan (s23C(2)-(4)); "refuses contact" (REFU) and "no longer
  requires services" (NREQ) are statuses, not closures;
- former relevant 21-24: support if they ask (s23CZB), so declining it, or no longer
  wanting it, ends it; but the duties continue while they pursue the programme of
  education or training in their pathway plan (s23C(6)-(7));
- qualifying: advice and assistance (s24-s24B), which end when no longer needed, at the
  age limit or on death;
- at 25 every leaving-care duty ends (s23CZB, s23C(7)).

The responsible council stays responsible wherever the young person lives (CLR 2010 reg
2(1)): a move to another council or to adult social care runs alongside a care leaver's
case as an *arrangement* and never closes it. For a child in need who is not a care
leaver, the CIN census reasons (RC1-RC9) close the case.

:data:`MATRIX` is the table itself; :func:`options` answers, for one person on one day,
which reasons are open and, for each that is not, the legal reason why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from casework.domain.codes import ClosureReason, CodeList, EligibilityCategory

__all__ = [
    "ARRANGEMENT_ONLY",
    "EDUCATION_OR_TRAINING",
    "MATRIX",
    "ArrangementKind",
    "Band",
    "ReasonOption",
    "band_for",
    "is_allowed",
    "options",
    "owes_contact_or_accommodation",
]

# The care-leaver reason codes (the members of ``closure.CareLeaverClosureReason``); kept
# as plain codes so this table does not import the closure engine.
CL21: Final = "CL21"  # reached 21 and declined further support
CL25: Final = "CL25"  # reached 25
CLNR: Final = "CLNR"  # no longer requires services
CLRF: Final = "CLRF"  # refuses contact after documented attempts
CLTR: Final = "CLTR"  # transferred to another council
CLAS: Final = "CLAS"  # moved to adult services
CLDI: Final = "CLDI"  # died

CARE_LEAVER_REASONS: Final = (CL21, CL25, CLNR, CLRF, CLTR, CLAS, CLDI)
CIN_REASONS: Final = tuple(r.value for r in ClosureReason)

#: Reasons that are arrangements alongside a care leaver's case, never a closure of it.
ARRANGEMENT_ONLY: Final = frozenset({CLTR, CLAS, "RC5", "RC6"})

#: SSDA903 activity codes that are education or training (higher or other education,
#: apprenticeships). F5/P5 ("training or employment") do not say which, so they are not
#: counted: the worker records the programme on the pathway plan.
EDUCATION_OR_TRAINING: Final = frozenset({"F1", "P1", "F2", "P2", "F4", "P4"})

_LEAVERS = (
    EligibilityCategory.ELIGIBLE,
    EligibilityCategory.RELEVANT,
    EligibilityCategory.FORMER_RELEVANT,
    EligibilityCategory.QUALIFYING,
)


@dataclass(frozen=True)
class Band:
    """One row of the matrix: a category over an age range (``from_age`` inclusive,
    ``to_age`` exclusive, ``None`` for no upper limit), the reasons that end its duties,
    what the duty is and what alone ends it, each with its source."""

    category: EligibilityCategory
    from_age: int
    to_age: int | None
    allowed: frozenset[str]
    duty: str
    ends: str
    in_education: bool | None = None  # None: either; True/False: only then

    def covers(self, category: EligibilityCategory, age: int, in_education: bool) -> bool:
        return (
            self.category is category
            and self.from_age <= age
            and (self.to_age is None or age < self.to_age)
            and (self.in_education is None or self.in_education is in_education)
        )


_E, _R, _F, _Q, _N = (
    EligibilityCategory.ELIGIBLE,
    EligibilityCategory.RELEVANT,
    EligibilityCategory.FORMER_RELEVANT,
    EligibilityCategory.QUALIFYING,
    EligibilityCategory.NO_CURRENT,
)

MATRIX: Final[tuple[Band, ...]] = (
    Band(
        _E,
        0,
        None,
        frozenset({CLDI}),
        "an eligible child is looked after: needs assessment, personal adviser and pathway "
        "plan (CPPCR 2010 regs 40-44)",
        "leaving care makes them relevant and 18 makes them former relevant (Children Act "
        "1989 s23A, s23C(1)); only death ends the duties",
    ),
    Band(
        _R,
        0,
        None,
        frozenset({CLDI}),
        "a relevant child is owed a personal adviser, a pathway plan, keeping in touch and "
        "suitable accommodation and maintenance (Children Act 1989 s23B(1)-(11); CLR 2010 "
        "regs 5-9)",
        "the duties end at 18, when they become former relevant (s23C(1)), or after six "
        "continuous months living with a parent (CLR 2010 reg 3(3)), which changes the "
        "category; refusing contact is a status, not a closure (s23B(1))",
    ),
    Band(
        _F,
        0,
        21,
        frozenset({CLDI}),
        "a former relevant young person under 21 is owed keeping in touch, re-establishing "
        "contact if it is lost, a personal adviser and the pathway plan (Children Act 1989 "
        "s23C(2)-(4))",
        "the duties end at 21 (s23C(6)-(7)) or on death; refusing contact (REFU) and no "
        "longer requiring services (NREQ) are statuses, not closures",
    ),
    Band(
        _F,
        21,
        25,
        frozenset({CLDI}),
        "a former relevant young person pursuing the programme of education or training in "
        "their pathway plan keeps keeping in touch, a personal adviser and the plan "
        "(Children Act 1989 s23C(6)-(7))",
        "the duties continue while they pursue the programme, to 25 at most (s23C(7)); "
        "close when it ends",
        in_education=True,
    ),
    Band(
        _F,
        21,
        25,
        frozenset({CL21, CLNR, CLRF, CLDI}),
        "from 21 a former relevant young person who asks is owed an assessment, a pathway "
        "plan and a personal adviser until 25 (Children Act 1989 s23CZB)",
        "the support ends when they decline it or no longer want it, at 25, or on death (s23CZB)",
        in_education=False,
    ),
    Band(
        _F,
        25,
        None,
        frozenset({CL25, CLDI}),
        "every leaving-care duty has ended at 25 (Children Act 1989 s23C(7), s23CZB)",
        "close as reached 25",
    ),
    Band(
        _Q,
        0,
        21,
        frozenset({CLNR, CLRF, CLDI}),
        "a qualifying care leaver is owed advice and assistance (Children Act 1989 s24-s24B)",
        "it ends when they no longer need it, at the age limit or on death (s24)",
    ),
    Band(
        _Q,
        21,
        25,
        frozenset({CL21, CLNR, CLRF, CLDI}),
        "a qualifying care leaver 21-24 is owed help with education or training only "
        "(Children Act 1989 s24B(3)-(5))",
        "it ends when they no longer need it, at 25 or on death (s24B(5))",
    ),
    Band(
        _Q,
        25,
        None,
        frozenset({CL25, CLDI}),
        "every leaving-care duty has ended at 25 (Children Act 1989 s24B(5))",
        "close as reached 25",
    ),
    Band(
        _N,
        0,
        None,
        frozenset(CIN_REASONS),
        "a child in need who is not a care leaver (Children Act 1989 s17)",
        "the CIN census reasons RC1-RC9 close a child-in-need case",
    ),
)


def band_for(category: EligibilityCategory, age: int, in_education: bool) -> Band:
    """The one matrix row for this category, age and education."""
    for band in MATRIX:
        if band.covers(category, age, in_education):
            return band
    raise LookupError(f"no closure band for {category.value} at {age}")  # pragma: no cover


@dataclass(frozen=True)
class ReasonOption:
    """One closure reason for one person on one day: whether it is open, and if not, the
    legal reason why (shown beside it on screen and as the refusal)."""

    code: str
    allowed: bool
    why: str = ""


def _why_not(code: str, category: EligibilityCategory, age: int, band: Band) -> str:
    leaver = category in _LEAVERS
    if leaver and code in ARRANGEMENT_ONLY:
        what = "another council" if code in (CLTR, "RC5") else "adult social care"
        return (
            f"A move to {what} does not end a care leaver's duties: the responsible council "
            "stays responsible wherever they live (Care Leavers (England) Regulations 2010 "
            "reg 2(1)). Record it as an arrangement on the Closure tab instead."
        )
    if not leaver and code in CARE_LEAVER_REASONS:
        return (
            "Care-leaver reasons are for care leavers; a child in need's case closes with a "
            "CIN census reason (RC1-RC9)."
        )
    if leaver and code in CIN_REASONS:
        return (
            "CIN census reasons close a child-in-need case; a care leaver's case closes only "
            f"when the law ends the duty: {band.ends}."
        )
    if code in (CLRF, CLNR) and category in (_R, _F) and age < 21:
        status = "refuses contact (REFU)" if code == CLRF else "no longer requires services (NREQ)"
        section = "s23B(1)" if category is _R else "s23C(2)"
        return (
            f"They are {age}: '{status}' is a status, not a closure, for a "
            f"{category.label.lower()} under 21. The duty to keep in touch and to "
            f"re-establish contact continues (Children Act 1989 {section}); record the "
            "status on the Legal status tab and keep trying."
        )
    return (
        f"Not a lawful ground for a {category.label.lower()} aged {age}: {band.duty}; {band.ends}."
    )


def options(
    category: EligibilityCategory | str, age: int, activity: str | None = None
) -> list[ReasonOption]:
    """Every closure reason, care-leaver reasons first, each open or not with why, for a
    person of ``category`` aged ``age`` whose current activity code is ``activity``."""
    kind = EligibilityCategory.parse(category) if isinstance(category, str) else category
    in_education = (activity or "") in EDUCATION_OR_TRAINING
    band = band_for(kind, age, in_education)
    out = []
    for code in (*CARE_LEAVER_REASONS, *CIN_REASONS):
        if code in band.allowed:
            out.append(ReasonOption(code, True))
        else:
            out.append(ReasonOption(code, False, _why_not(code, kind, age, band)))
    return out


def is_allowed(
    code: str, category: EligibilityCategory | str, age: int, activity: str | None = None
) -> ReasonOption:
    """The option for one reason code (unknown codes are never allowed)."""
    for option in options(category, age, activity):
        if option.code == code:
            return option
    return ReasonOption(code, False, f"{code!r} is not a closure reason.")


def owes_contact_or_accommodation(
    category: EligibilityCategory | str, age: int, activity: str | None = None
) -> bool:
    """Whether the council owes keeping in touch or accommodation duties that only the law
    can end: eligible and relevant children, former relevant young people under 21, and
    those 21-24 in education or training under their plan (Children Act 1989 s23B,
    s23C(2)-(7))."""
    kind = EligibilityCategory.parse(category) if isinstance(category, str) else category
    if kind in (_E, _R):
        return True
    if kind is _F:
        return age < 21 or (age < 25 and (activity or "") in EDUCATION_OR_TRAINING)
    return False


def allowed_codes(options_: Iterable[ReasonOption]) -> list[str]:
    return [o.code for o in options_ if o.allowed]


class ArrangementKind(CodeList):
    """What runs alongside a care leaver's case without closing it (CLR 2010 reg 2(1)):
    another council involved where they now live, or adult social care."""

    TRANSFER = ("transfer", "Another council involved (they live in its area)")
    ADULT_SERVICES = ("adult_services", "Adult social care involved")

    @classmethod
    def list_name(cls) -> str:
        return "arrangement"


def arrangement_problem(category: EligibilityCategory | str) -> str | None:
    """Why an arrangement cannot be recorded for this category (None when it can): a child
    in need who is not a care leaver is transferred by closing with RC5 or RC6."""
    kind = EligibilityCategory.parse(category) if isinstance(category, str) else category
    if kind in _LEAVERS:
        return None
    return (
        "Arrangements run alongside a care leaver's case (CLR 2010 reg 2(1)). For a child "
        "in need who is not a care leaver, a transfer to another council or to adult social "
        "care closes the case: request closure with RC5 or RC6."
    )
