"""The front door's code lists: contact and referral decisions, allegation roles, risk
types and levels, services referred to and where a referral out stands. Their sources are
in :mod:`casework.domain.front_door` (Working Together to Safeguard Children 2023, the
Ofsted Annex A fields) and on each list; that module re-exports them with the clocks.
"""

from __future__ import annotations

from typing import Self

from casework.domain.codes import AssessmentFactor, CodeList
from casework.domain.leaving_care import ADULT_AGE


class ContactDecision(CodeList):
    """What happens to a safeguarding contact."""

    NO_FURTHER_ACTION = ("nfa", "No further action")
    INFORMATION_AND_ADVICE = ("information_advice", "Information and advice")
    EARLY_HELP = ("early_help", "Early help")
    REFERRAL = ("referral", "Referral to children's social care")
    STRATEGY_DISCUSSION = ("strategy_discussion", "Strategy discussion for immediate risk")
    ADULT_SAFEGUARDING = ("adult_safeguarding", "Referral to adult safeguarding (18 and over only)")

    @property
    def creates_referral(self) -> bool:
        """True where the decision opens a referral to children's social care."""
        return self is ContactDecision.REFERRAL

    @property
    def minimum_age(self) -> int | None:
        """The youngest age (on the day the contact was received) the decision is for."""
        return ADULT_AGE if self is ContactDecision.ADULT_SAFEGUARDING else None

    @classmethod
    def list_name(cls) -> str:
        return "contact decision"


class ReferralDecision(CodeList):
    """What happens to a referral. ``nfa`` gives Annex A
    ``Referral NFA?``."""

    NO_FURTHER_ACTION = ("nfa", "No further action")
    ASSESSMENT = ("assessment", "Child and family assessment")
    STRATEGY_DISCUSSION = ("strategy_s47", "Strategy discussion and section 47 enquiry")
    EARLY_HELP = ("early_help", "Early help")

    @property
    def nfa(self) -> bool:
        """Annex A ``Referral NFA?``: yes only for no further action."""
        return self is ReferralDecision.NO_FURTHER_ACTION

    @property
    def proceeds_to_assessment(self) -> bool:
        """The referral goes on to assessment: a child and family assessment, or a strategy
        discussion and section 47 enquiry (whose assessment runs to the same 45 working
        days from the referral; Working Together to Safeguard Children 2023, chapter 2)."""
        return self in (ReferralDecision.ASSESSMENT, ReferralDecision.STRATEGY_DISCUSSION)

    @classmethod
    def list_name(cls) -> str:
        return "referral decision"


class AllegationSubjectRole(CodeList):
    """The role of the person an allegation is about."""

    FOSTER_CARER = ("foster_carer", "Foster carer")
    RESIDENTIAL_WORKER = ("residential_worker", "Residential worker")
    PERSONAL_ADVISER = ("personal_adviser", "Personal adviser")
    TEACHER = ("teacher", "Teacher")
    OTHER_PROFESSIONAL = ("other_professional", "Other professional")
    VOLUNTEER = ("volunteer", "Volunteer")

    @classmethod
    def list_name(cls) -> str:
        return "allegation subject role"


class RiskType(CodeList):
    """The structured risk screenings. ``factors`` are the CIN
    assessment factors the type reports as; homelessness has none."""

    _factors: tuple[AssessmentFactor, ...]

    def __new__(
        cls, code: str, label: str = "", factors: tuple[AssessmentFactor, ...] = ()
    ) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label
        member._annex_a = None
        member._ssda903 = None
        member._factors = factors
        return member

    CSE = ("cse", "Child sexual exploitation", (AssessmentFactor.CSE,))
    CCE = ("cce", "Child criminal exploitation", (AssessmentFactor.CCE,))
    MISSING = ("missing", "Missing", (AssessmentFactor.MISSING,))
    TRAFFICKING = ("trafficking", "Trafficking", (AssessmentFactor.TRAFFICKING,))
    GANGS = ("gangs", "Gangs", (AssessmentFactor.GANGS,))
    SELF_HARM = ("self_harm", "Self-harm", (AssessmentFactor.SELF_HARM,))
    MENTAL_HEALTH = ("mental_health", "Mental health", (AssessmentFactor.MENTAL_HEALTH_CHILD,))
    SUBSTANCE_MISUSE = (
        "substance_misuse",
        "Substance misuse (alcohol or drugs)",
        (AssessmentFactor.ALCOHOL_CHILD, AssessmentFactor.DRUGS_CHILD),
    )
    DOMESTIC_ABUSE = (
        "domestic_abuse",
        "Domestic abuse",
        (AssessmentFactor.DOMESTIC_ABUSE_CHILD,),
    )
    HOMELESSNESS = ("homelessness", "Homelessness")

    @property
    def factors(self) -> tuple[AssessmentFactor, ...]:
        """The CIN assessment factors this type reports as (empty for homelessness)."""
        return self._factors

    @property
    def cin_codes(self) -> tuple[str, ...]:
        """The CIN assessment factor codes, e.g. ``("1A", "2A")`` for substance misuse."""
        return tuple(factor.value for factor in self._factors)

    @classmethod
    def for_factor(cls, factor: AssessmentFactor | str) -> RiskType | None:
        """The screening a concern factor calls for (``"2A"`` -> substance misuse), or
        ``None`` where no screening covers it. Raises :class:`UnknownCode` for a bad code."""
        wanted = AssessmentFactor.parse(factor)
        return next((risk for risk in cls if wanted in risk.factors), None)

    @classmethod
    def list_name(cls) -> str:
        return "risk type"


class RiskLevel(CodeList):
    """A screening's level, lowest first. Compare with :attr:`rank` (the codes are strings,
    so ``<`` on members compares spelling, not severity)."""

    NONE = ("none", "None")
    LOW = ("low", "Low")
    MEDIUM = ("medium", "Medium")
    HIGH = ("high", "High")

    @property
    def rank(self) -> int:
        """0 for none up to 3 for high."""
        return list(RiskLevel).index(self)

    @property
    def needs_review_within_weeks(self) -> bool:
        """Medium and high: a review date within the allowed weeks is required."""
        return self.rank >= RiskLevel.MEDIUM.rank

    @property
    def needs_sign_off(self) -> bool:
        """High: a team lead must sign the screening off."""
        return self is RiskLevel.HIGH

    @classmethod
    def list_name(cls) -> str:
        return "risk level"


class ServiceType(CodeList):
    """Where a referral out goes."""

    HOUSING = ("housing", "Housing")
    EET = ("eet", "Education, employment or training")
    HEALTH = ("health", "Health")
    MENTAL_HEALTH = ("mental_health", "Mental health")
    SUBSTANCE_MISUSE = ("substance_misuse", "Substance misuse")
    BENEFITS = ("benefits", "Benefits")
    LEGAL = ("legal", "Legal")
    OTHER = ("other", "Other")

    @classmethod
    def list_name(cls) -> str:
        return "service type"


class ServiceReferralStatus(CodeList):
    """Where a referral out has got to. Declined, completed and withdrawn are final."""

    SENT = ("sent", "Sent")
    ACKNOWLEDGED = ("acknowledged", "Acknowledged")
    ACCEPTED = ("accepted", "Accepted")
    DECLINED = ("declined", "Declined")
    COMPLETED = ("completed", "Completed")
    WITHDRAWN = ("withdrawn", "Withdrawn")

    @property
    def final(self) -> bool:
        """The referral is finished: declined, completed or withdrawn."""
        return self in _FINAL_STATUSES

    @property
    def needs_reason(self) -> bool:
        """Declined: the service's reason must be recorded."""
        return self is ServiceReferralStatus.DECLINED

    @property
    def needs_outcome(self) -> bool:
        """Completed or withdrawn: what came of it must be recorded."""
        return self in (ServiceReferralStatus.COMPLETED, ServiceReferralStatus.WITHDRAWN)

    @property
    def awaiting_response(self) -> bool:
        """* Sent or acknowledged: no answer yet, so the chase reminder runs."""
        return self in (ServiceReferralStatus.SENT, ServiceReferralStatus.ACKNOWLEDGED)

    @classmethod
    def list_name(cls) -> str:
        return "service referral status"


_FINAL_STATUSES = frozenset(
    {
        ServiceReferralStatus.DECLINED,
        ServiceReferralStatus.COMPLETED,
        ServiceReferralStatus.WITHDRAWN,
    }
)
