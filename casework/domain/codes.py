"""Every code list the product uses, and the one place that spells their export values.

Each list is a :class:`CodeList`: a string enum whose member *value* is the short, stable
code stored in the database (``"WBRI"``, ``"1A"``, ``"RC8"``, ``"S"``, ``"relevant"``).
Every member also carries:

- ``label``: plain English for screens;
- ``annex_a``: the exact Ofsted ILACS Annex A spelling (``"a) WBRI"``), or ``None`` where
  the list has no Annex A form;
- ``ssda903``: the DfE SSDA903 spelling, or ``None`` where the list is not in that return.

Source of truth: the Ofsted ILACS Annex A lists (Social Finance liia-tools spec), the DfE
SSDA903 guide (OC3) and the DfE Children in Need census guide.
Storage codes never change once released; labels may be reworded freely.
"""

from __future__ import annotations

import enum
from typing import Self

__all__ = [
    "SSDA903_NOT_APPLICABLE",
    "AccommodationType",
    "Activity",
    "AllegationOutcome",
    "AssessmentFactor",
    "ClosureReason",
    "CodeList",
    "EligibilityCategory",
    "Ethnicity",
    "InTouch",
    "ReferralSource",
    "Sex",
    "Suitability",
    "UnknownCode",
    "YesNo",
    "ssda903_accom",
]

#: SSDA903 ACTIV and ACCOM value when the young person has died or returned home (rule 344).
SSDA903_NOT_APPLICABLE = "0"


class UnknownCode(ValueError):
    """A value is not one of the codes of a list. The message names the allowed codes."""

    def __init__(self, list_name: str, value: object, allowed: tuple[str, ...]) -> None:
        self.list_name = list_name
        self.value = value
        self.allowed = allowed
        super().__init__(
            f"{value!r} is not a known {list_name} code; expected one of {', '.join(allowed)}"
        )


class CodeList(enum.StrEnum):
    """Base for code lists. Members are written ``NAME = (code, label, annex_a, ssda903)``.

    ``str(member)`` and ``member.value`` are the storage code. Look a stored or typed code
    up with :meth:`parse`, which is forgiving about case and surrounding spaces.
    """

    _value_: str
    _label: str
    _annex_a: str | None
    _ssda903: str | None

    # ``label`` defaults to "" only so that ``Sex("male")`` type-checks as a value lookup;
    # every member below gives one, and a test checks that none is blank.
    def __new__(
        cls,
        code: str,
        label: str = "",
        annex_a: str | None = None,
        ssda903: str | None = None,
    ) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label
        member._annex_a = annex_a
        member._ssda903 = ssda903
        return member

    @property
    def label(self) -> str:
        """Plain English for screens."""
        return self._label

    @property
    def annex_a(self) -> str | None:
        """The exact Annex A spelling, or ``None`` where there is no Annex A form."""
        return self._annex_a

    @property
    def ssda903(self) -> str | None:
        """The SSDA903 spelling, or ``None`` where the list is not in that return."""
        return self._ssda903

    @classmethod
    def list_name(cls) -> str:
        """What the list is called in messages ("ethnicity", "referral source")."""
        return cls.__name__.lower()

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The storage codes in display order."""
        return tuple(member.value for member in cls)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(code, label)`` pairs in display order, for drop-down lists."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def parse(cls, value: str) -> Self:
        """The member whose storage code is ``value`` (case-insensitive, spaces stripped).

        Raises :class:`UnknownCode` naming the list, the value and the allowed codes.
        """
        exact = cls._value2member_map_.get(value) if isinstance(value, str) else None
        if exact is not None:  # the common case: a stored code, read back
            return exact  # type: ignore[return-value]
        wanted = value.strip().casefold() if isinstance(value, str) else None
        for member in cls:
            if member.value.casefold() == wanted:
                return member
        raise UnknownCode(cls.list_name(), value, cls.codes())


class Sex(CodeList):
    """Annex A ``Gender`` (``Sex`` from the 2026 template)."""

    MALE = ("male", "Male", "a) Male")
    FEMALE = ("female", "Female", "b) Female")
    NOT_STATED = ("not_stated", "Not stated or not recorded", "c) Not stated/recorded")
    NEITHER = ("neither", "Neither", "d) Neither")

    @classmethod
    def list_name(cls) -> str:
        return "sex"


class Ethnicity(CodeList):
    """DfE ethnicity codes, in Annex A order."""

    WBRI = ("WBRI", "White British", "a) WBRI")
    WIRI = ("WIRI", "White Irish", "b) WIRI")
    WIRT = ("WIRT", "Traveller of Irish heritage", "c) WIRT")
    WOTH = ("WOTH", "Any other White background", "d) WOTH")
    WROM = ("WROM", "Gypsy/Roma", "e) WROM")
    MWBC = ("MWBC", "Mixed White and Black Caribbean", "f) MWBC")
    MWBA = ("MWBA", "Mixed White and Black African", "g) MWBA")
    MWAS = ("MWAS", "Mixed White and Asian", "h) MWAS")
    MOTH = ("MOTH", "Any other mixed background", "i) MOTH")
    AIND = ("AIND", "Indian", "j) AIND")
    APKN = ("APKN", "Pakistani", "k) APKN")
    ABAN = ("ABAN", "Bangladeshi", "l) ABAN")
    AOTH = ("AOTH", "Any other Asian background", "m) AOTH")
    BCRB = ("BCRB", "Black Caribbean", "n) BCRB")
    BAFR = ("BAFR", "Black African", "o) BAFR")
    BOTH = ("BOTH", "Any other Black background", "p) BOTH")
    CHNE = ("CHNE", "Chinese", "q) CHNE")
    OOTH = ("OOTH", "Any other ethnic group", "r) OOTH")
    REFU = ("REFU", "Refused", "s) REFU")
    NOBT = ("NOBT", "Information not yet obtained", "t) NOBT")

    @classmethod
    def list_name(cls) -> str:
        return "ethnicity"


class YesNo(CodeList):
    """Annex A yes/no fields. ``UNKNOWN`` only where the field allows it."""

    YES = ("yes", "Yes", "a) Yes")
    NO = ("no", "No", "b) No")
    UNKNOWN = ("unknown", "Unknown", "c) Unknown")

    @classmethod
    def list_name(cls) -> str:
        return "yes/no"


class EligibilityCategory(CodeList):
    """Care-leaver category (Children Act 1989 as amended), in the order a young person
    usually moves through them. Annex A letters are not in this order."""

    ELIGIBLE = ("eligible", "Eligible child", "d) Eligible child")
    RELEVANT = ("relevant", "Relevant child", "a) Relevant child")
    FORMER_RELEVANT = ("former_relevant", "Former relevant child", "b) Former relevant child")
    QUALIFYING = ("qualifying", "Qualifying care leaver", "c) Qualifying care leaver")
    # Annex A "also allows no current eligibility" but gives no spelling, and
    # no public Annex A spec found spells it (the liia-tools pipeline cleans such rows to
    # "e) Other"). "e) No current eligibility" follows the a)-d) pattern; check it against
    # the current Ofsted template before relying on it.
    NO_CURRENT = ("no_current", "No current eligibility", "e) No current eligibility")

    @classmethod
    def list_name(cls) -> str:
        return "eligibility category"


class ReferralSource(CodeList):
    """CIN census referral source; also used for Annex A ``Contact Source``."""

    INDIVIDUAL_FAMILY = ("1A", "Individual: family, relative or carer", "a) 1A: Individual")
    INDIVIDUAL_ACQUAINTANCE = ("1B", "Individual: acquaintance", "b) 1B: Individual")
    INDIVIDUAL_SELF = ("1C", "Individual: self", "c) 1C: Individual")
    INDIVIDUAL_OTHER = ("1D", "Individual: other", "d) 1D: Individual")
    SCHOOLS = ("2A", "Schools", "e) 2A: Schools")
    EDUCATION_SERVICES = ("2B", "Education services", "f) 2B: Education services")
    GP = ("3A", "Health services: GP", "g) 3A: Health services")
    HEALTH_VISITOR = ("3B", "Health services: health visitor", "h) 3B: Health services")
    SCHOOL_NURSE = ("3C", "Health services: school nurse", "i) 3C: Health services")
    OTHER_PRIMARY_HEALTH = (
        "3D",
        "Health services: other primary health services",
        "j) 3D: Health services",
    )
    A_AND_E = ("3E", "Health services: A&E", "k) 3E: Health services")
    OTHER_HEALTH = ("3F", "Health services: other", "l) 3F: Health services")
    HOUSING = ("4", "Housing", "m) 4: Housing")
    LA_SOCIAL_CARE = ("5A", "LA services: social care", "n) 5A: LA services")
    LA_OTHER_INTERNAL = ("5B", "LA services: other internal services", "o) 5B: LA services")
    ANOTHER_LA = ("5C", "LA services: another local authority", "p) 5C: LA services")
    EARLY_HELP = ("5D", "LA services: early help", "p1) 5D: LA services")
    POLICE = ("6", "Police", "q) 6: Police")
    OTHER_LEGAL_AGENCY = ("7", "Other legal agency", "r) 7: Other legal agency")
    OTHER = ("8", "Other", "s) 8: Other")
    ANONYMOUS = ("9", "Anonymous", "t) 9: Anonymous")
    UNKNOWN = ("10", "Unknown", "u) 10: Unknown")

    @classmethod
    def list_name(cls) -> str:
        return "referral source"


class InTouch(CodeList):
    """SSDA903 ``IN_TOUCH`` / Annex A ``LA in Touch``."""

    YES = ("YES", "In touch", "a) Yes", "YES")
    NO = ("NO", "Not in touch", "b) No", "NO")
    DIED = ("DIED", "Died since leaving care", "c) Died", "DIED")
    REFU = ("REFU", "Young person refuses contact", "d) Refu", "REFU")
    NREQ = ("NREQ", "No longer requires services", "e) NREQ", "NREQ")
    RHOM = (
        "RHOM",
        "Returned home to parents or someone with parental responsibility for 6+ months",
        "f) Rhom",
        "RHOM",
    )

    @classmethod
    def list_name(cls) -> str:
        return "in-touch"


#: Annex A ``Type of Accommodation`` spellings, by SSDA903 letter.
_ANNEX_A_ACCOMMODATION = {
    "B": "B: Parents/relatives",
    "C": "C: Community home / residential care",
    "D": "D: Semi-independent, transitional accommodation and self-contained accommodation",
    "E": "E: Supported lodgings",
    "G": "G: Abroad",
    "H": "H: Deported",
    "K": "K: Ordinary lodgings, without formal support",
    "R": "R: Residence not known",
    "S": "S: No fixed abode / homeless",
    "T": "T: Foyers and similar supported accommodation",
    "U": "U: Independent living",
    "V": "V: Emergency accommodation",
    "W": "W: Bed and breakfast",
    "X": "X: In custody",
    "Y": "Y: Other accommodation",
    "Z": "Z: With former foster carers",
}


class AccommodationType(CodeList):
    """SSDA903 accommodation letter. Annex A ``Type of Accommodation`` is written letter,
    colon, label (``"B: Parents/relatives"``), as the public Annex A tools (Data to
    Insight's SSD Annex A query, Social Finance liia-tools-pipeline) write it.

    ``always_unsuitable``: only the ``2`` (unsuitable) form is valid in SSDA903.
    ``needs_team_lead_review``: local practice flag for accommodation a team lead must see.
    """

    _always_unsuitable: bool
    _needs_team_lead_review: bool

    def __new__(
        cls,
        code: str,
        label: str = "",
        always_unsuitable: bool = False,
        needs_team_lead_review: bool = False,
    ) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label
        member._annex_a = _ANNEX_A_ACCOMMODATION[code]
        member._ssda903 = code
        member._always_unsuitable = always_unsuitable
        member._needs_team_lead_review = needs_team_lead_review
        return member

    PARENTS_OR_RELATIVES = ("B", "With parents or relatives")
    COMMUNITY_HOME = ("C", "Community home or other residential care")
    SEMI_INDEPENDENT = (
        "D",
        "Semi-independent or transitional; self-contained with support",
    )
    SUPPORTED_LODGINGS = ("E", "Supported lodgings")
    GONE_ABROAD = ("G", "Gone abroad")
    DEPORTED = ("H", "Deported")
    ORDINARY_LODGINGS = ("K", "Ordinary lodgings without formal support")
    RESIDENCE_NOT_KNOWN = ("R", "Residence not known", False, True)
    NO_FIXED_ABODE = ("S", "No fixed abode or homeless", True, True)
    FOYER = ("T", "Foyer or similar with education, training or employment")
    INDEPENDENT_LIVING = ("U", "Independent living")
    EMERGENCY = ("V", "Emergency accommodation", False, True)
    BED_AND_BREAKFAST = ("W", "Bed and breakfast", False, True)
    CUSTODY = ("X", "In custody", True, False)
    OTHER = ("Y", "Other")
    STAYING_PUT = ("Z", "With former foster carers (Staying Put)")

    @property
    def always_unsuitable(self) -> bool:
        """True where SSDA903 only accepts the unsuitable form (S2, X2)."""
        return self._always_unsuitable

    @property
    def needs_team_lead_review(self) -> bool:
        """True for bed and breakfast, emergency, residence not known and homeless."""
        return self._needs_team_lead_review

    @classmethod
    def list_name(cls) -> str:
        return "accommodation type"


class Suitability(CodeList):
    """Suitable means safe, secure and affordable; unsuitable means it clearly exposes the
    young person to risk of harm or social exclusion."""

    SUITABLE = ("suitable", "Suitable", "a) Suitable", "1")
    UNSUITABLE = ("unsuitable", "Unsuitable", "b) Unsuitable", "2")

    @classmethod
    def list_name(cls) -> str:
        return "suitability"


def ssda903_accom(letter: AccommodationType | str, suitability: Suitability | str) -> str:
    """The SSDA903 ``ACCOM`` value, e.g. ``"S2"``.

    Raises :class:`UnknownCode` for an unknown letter or suitability, and ``ValueError``
    for S1 or X1 (homeless and custody are always unsuitable). For a young person who has
    died or returned home, ``ACCOM`` is :data:`SSDA903_NOT_APPLICABLE` instead.
    """
    accommodation = AccommodationType.parse(letter)
    rating = Suitability.parse(suitability)
    if accommodation.always_unsuitable and rating is Suitability.SUITABLE:
        raise ValueError(
            f"{accommodation.value}1 is not allowed: '{accommodation.label}' is always "
            f"unsuitable, so only {accommodation.value}2 is valid"
        )
    return f"{accommodation.ssda903}{rating.ssda903}"


class Activity(CodeList):
    """SSDA903 ``ACTIV`` / Annex A ``Activity Status`` (written code, colon, label:
    ``"F1: Full time in higher education"``, as the public Annex A tools write it)."""

    HIGHER_EDUCATION_FT = (
        "F1",
        "Full-time higher education",
        "F1: Full time in higher education",
        "F1",
    )
    HIGHER_EDUCATION_PT = (
        "P1",
        "Part-time higher education",
        "P1: Part time in higher education",
        "P1",
    )
    OTHER_EDUCATION_FT = (
        "F2",
        "Full-time other education",
        "F2: Full time in education other than higher",
        "F2",
    )
    OTHER_EDUCATION_PT = (
        "P2",
        "Part-time other education",
        "P2: Part time in education other than higher",
        "P2",
    )
    APPRENTICESHIP_FT = (
        "F4",
        "Full-time apprenticeship",
        "F4: Young person engaged full time in an apprenticeship",
        "F4",
    )
    APPRENTICESHIP_PT = (
        "P4",
        "Part-time apprenticeship",
        "P4: Young person engaged part time in an apprenticeship",
        "P4",
    )
    TRAINING_OR_EMPLOYMENT_FT = (
        "F5",
        "Full-time training or employment (not apprenticeship)",
        "F5: Young person engaged full time in training or employment (not apprenticeship)",
        "F5",
    )
    TRAINING_OR_EMPLOYMENT_PT = (
        "P5",
        "Part-time training or employment (not apprenticeship)",
        "P5: Young person engaged part time in training or employment (not apprenticeship)",
        "P5",
    )
    NEET_ILLNESS_OR_DISABILITY = (
        "G4",
        "Not in education, employment or training: illness or disability",
        "G4: Not in education, employment or training - illness or disability",
        "G4",
    )
    NEET_OTHER = (
        "G5",
        "Not in education, employment or training: other",
        "G5: Not in education, employment or training - other",
        "G5",
    )
    NEET_PREGNANCY_OR_PARENTING = (
        "G6",
        "Not in education, employment or training: pregnancy or parenting",
        "G6: Not in education, employment or training - pregnancy or parenting",
        "G6",
    )
    # Only with DIED or RHOM (SSDA903 rule 344). Annex A lists F1 ... G6 only, so the
    # Annex A cell is left blank (annex_a is None).
    NOT_APPLICABLE = (
        SSDA903_NOT_APPLICABLE,
        "Not applicable (died or returned home)",
        None,
        SSDA903_NOT_APPLICABLE,
    )

    @classmethod
    def list_name(cls) -> str:
        return "activity"


class ClosureReason(CodeList):
    """CIN census reason for closure."""

    RC1 = ("RC1", "Adopted")
    RC2 = ("RC2", "Died")
    RC3 = ("RC3", "Child arrangements order")
    RC4 = ("RC4", "Special guardianship order")
    RC5 = ("RC5", "Transferred to another local authority")
    RC6 = ("RC6", "Transferred to adult social care")
    RC7 = ("RC7", "Services ceased for any other reason, including no longer in need")
    RC8 = ("RC8", "Closed after assessment, no further action")
    RC9 = ("RC9", "Closed after assessment, referred to early help")

    @classmethod
    def list_name(cls) -> str:
        return "closure reason"


_CHILD = "the child or young person"
_PARENT = "a parent or carer"
_HOUSEHOLD = "another person in the household"


class AssessmentFactor(CodeList):
    """CIN census assessment factors: the risk vocabulary.

    Suffix ``A`` concerns the child or young person; for factors 1-6, ``B`` a parent or
    carer and ``C`` another person living in the household. Factor 8 has only ``B``-``F``,
    the kinds of private fostering.
    """

    ALCOHOL_CHILD = ("1A", f"Alcohol misuse: {_CHILD}")
    ALCOHOL_PARENT = ("1B", f"Alcohol misuse: {_PARENT}")
    ALCOHOL_HOUSEHOLD = ("1C", f"Alcohol misuse: {_HOUSEHOLD}")
    DRUGS_CHILD = ("2A", f"Drug misuse: {_CHILD}")
    DRUGS_PARENT = ("2B", f"Drug misuse: {_PARENT}")
    DRUGS_HOUSEHOLD = ("2C", f"Drug misuse: {_HOUSEHOLD}")
    DOMESTIC_ABUSE_CHILD = ("3A", f"Domestic abuse: {_CHILD}")
    DOMESTIC_ABUSE_PARENT = ("3B", f"Domestic abuse: {_PARENT}")
    DOMESTIC_ABUSE_HOUSEHOLD = ("3C", f"Domestic abuse: {_HOUSEHOLD}")
    MENTAL_HEALTH_CHILD = ("4A", f"Mental health: {_CHILD}")
    MENTAL_HEALTH_PARENT = ("4B", f"Mental health: {_PARENT}")
    MENTAL_HEALTH_HOUSEHOLD = ("4C", f"Mental health: {_HOUSEHOLD}")
    LEARNING_DISABILITY_CHILD = ("5A", f"Learning disability: {_CHILD}")
    LEARNING_DISABILITY_PARENT = ("5B", f"Learning disability: {_PARENT}")
    LEARNING_DISABILITY_HOUSEHOLD = ("5C", f"Learning disability: {_HOUSEHOLD}")
    PHYSICAL_DISABILITY_CHILD = ("6A", f"Physical disability or illness: {_CHILD}")
    PHYSICAL_DISABILITY_PARENT = ("6B", f"Physical disability or illness: {_PARENT}")
    PHYSICAL_DISABILITY_HOUSEHOLD = ("6C", f"Physical disability or illness: {_HOUSEHOLD}")
    YOUNG_CARER = ("7A", "Young carer")
    # 8B-8F: privately fostered (DfE Children in Need census guide, "factors identified at
    # the end of assessment"; the same codes in the Data to Insight standard safeguarding
    # dataset, ssd-data-model). There is no 8A.
    PRIVATELY_FOSTERED_OVERSEAS_RETURN = (
        "8B",
        "Privately fostered: overseas child who intends to return",
    )
    PRIVATELY_FOSTERED_OVERSEAS_STAY = (
        "8C",
        "Privately fostered: overseas child who intends to stay",
    )
    PRIVATELY_FOSTERED_EDUCATION = (
        "8D",
        "Privately fostered: UK child in an educational placement",
    )
    PRIVATELY_FOSTERED_FAMILY = (
        "8E",
        "Privately fostered: UK child making alternative family arrangements",
    )
    PRIVATELY_FOSTERED_OTHER = ("8F", "Privately fostered: other")
    UASC = ("9A", "Unaccompanied asylum-seeking child")
    MISSING = ("10A", "Missing")
    CSE = ("11A", "Child sexual exploitation")
    TRAFFICKING = ("12A", "Trafficking")
    GANGS = ("13A", "Gangs")
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = ("14A", "Socially unacceptable behaviour")
    SELF_HARM = ("15A", "Self-harm")
    NEGLECT = ("16A", "Neglect")
    EMOTIONAL_ABUSE = ("17A", "Emotional abuse")
    PHYSICAL_ABUSE_CHILD_ON_CHILD = ("18B", "Physical abuse: child on child")
    PHYSICAL_ABUSE_ADULT_ON_CHILD = ("18C", "Physical abuse: adult on child")
    SEXUAL_ABUSE_CHILD_ON_CHILD = ("19B", "Sexual abuse: child on child")
    SEXUAL_ABUSE_ADULT_ON_CHILD = ("19C", "Sexual abuse: adult on child")
    OTHER = ("20", "Other")
    NO_FACTORS = ("21", "No factors identified")
    FGM = ("22A", "Female genital mutilation")
    FAITH_OR_BELIEF = ("23A", "Abuse linked to faith or belief")
    CCE = ("24A", "Child criminal exploitation")

    @classmethod
    def list_name(cls) -> str:
        return "assessment factor"


class AllegationOutcome(CodeList):
    """Outcome of an allegation against someone who works with children (KCSIE)."""

    SUBSTANTIATED = ("substantiated", "Substantiated")
    MALICIOUS = ("malicious", "Malicious")
    FALSE = ("false", "False")
    UNSUBSTANTIATED = ("unsubstantiated", "Unsubstantiated")
    UNFOUNDED = ("unfounded", "Unfounded")

    @classmethod
    def list_name(cls) -> str:
        return "allegation outcome"
