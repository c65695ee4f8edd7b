"""The SSDA903 care-leaver return (tables ``Header`` and ``OC3``): who is reported, the
window their values are read from, and the published validation rules, all pure.

Sources: DfE "Children looked after by local authorities in England: guide to the SSDA903
collection" (care leavers, table OC3; child header) and the DfE SSDA903 validation rules
as implemented by Data to Insight's public validator (csc-validator-be-903, ruleset
``lac2025_26``). Rule numbers below are the DfE ones.

Who is reported: every young person whose 17th, 18th, 19th, 20th or 21st birthday falls
in the collection year (1 April to 31 March; the year is named by its end, so 2026 is
2025-26), once, at that birthday.

The values are "as on or around the birthday", not today's: the DfE guide asks for the
young person's circumstances in the period from three months before to one month after
the birthday (:func:`birthday_window`). In touch means a successful contact in that window
(the one in-touch definition, :func:`casework.domain.in_touch.derive_in_touch`, asked on
the window's last day with the window's length), unless a recorded status (died, returned
home, refuses contact, no longer requires services) applied then. Activity and
accommodation are the periods that covered the birthday, or failing that the period that
covered the most days of the window.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from casework.domain.calendar import add_months
from casework.domain.codes import (
    SSDA903_NOT_APPLICABLE,
    Ethnicity,
    InTouch,
    Sex,
)

__all__ = [
    "ACCOM_CODES",
    "ACTIV_CODES",
    "HEADER_COLUMNS",
    "IN_TOUCH_CODES",
    "OC3_COLUMNS",
    "REPORTED_AGES",
    "WINDOW_MONTHS_AFTER",
    "WINDOW_MONTHS_BEFORE",
    "Breach",
    "HeaderRow",
    "OC3Row",
    "birthday_window",
    "check_return",
    "collection_period",
    "date_text",
    "header_sex",
    "reported_birthday",
]

#: The columns of each table, in the order Casework writes them (DfE SSDA903 guide).
HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
OC3_COLUMNS = ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM")

#: Birthdays at which care leavers are reported (DfE SSDA903 guide, table OC3).
REPORTED_AGES = (17, 18, 19, 20, 21)
#: The window around the birthday (DfE SSDA903 guide: three months before to one month
#: after the birthday).
WINDOW_MONTHS_BEFORE = 3
WINDOW_MONTHS_AFTER = 1

IN_TOUCH_CODES = frozenset(code.ssda903 for code in InTouch if code.ssda903)
ACTIV_CODES = frozenset(
    {"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", SSDA903_NOT_APPLICABLE}
)
ACCOM_CODES = frozenset(
    {f"{letter}{n}" for letter in "BCDEGHKRTUVWYZ" for n in "12"}
    | {"S2", "X2", SSDA903_NOT_APPLICABLE}
)
_SEX_CODES = frozenset({"M", "F", "U"})
_ETHNIC_CODES = frozenset(code.value for code in Ethnicity)
# Rule 168: a UPN is a letter (not I, O or S) and 12 digits, or 11 digits and a letter;
# or one of the "UPN unknown" codes UN1 to UN5.
_UPN = re.compile(r"^(?:[A-HJ-NP-RT-Z](?:\d{12}|\d{11}[A-Z])|UN[1-5])$")
_NOT_APPLICABLE_STATUSES = frozenset({"DIED", "RHOM"})
_NOTHING_RECORDED = (
    "no %s is recorded for the days around the birthday reported (three months before to "
    "one month after): record it on the young person's record"
)


@dataclass(frozen=True)
class HeaderRow:
    """One row of the Header table. ``sex`` is ``M``, ``F`` or ``U``; ``upn``,
    ``mother`` and ``mc_dob`` are blank (``""`` / ``None``) when not held."""

    child: str
    sex: str
    dob: date
    ethnic: str
    upn: str = ""
    mother: str = ""
    mc_dob: date | None = None

    def cells(self) -> tuple[str, ...]:
        return (
            self.child,
            self.sex,
            date_text(self.dob),
            self.ethnic,
            self.upn,
            self.mother,
            "" if self.mc_dob is None else date_text(self.mc_dob),
        )


@dataclass(frozen=True)
class OC3Row:
    """One row of the OC3 table, and the birthday it reports (not written out)."""

    child: str
    dob: date
    in_touch: str
    activ: str
    accom: str
    age: int

    def cells(self) -> tuple[str, ...]:
        return (self.child, date_text(self.dob), self.in_touch, self.activ, self.accom)


@dataclass(frozen=True)
class Breach:
    """One broken rule: the child, the table and column, the rule and a plain sentence
    saying what is wrong and what is expected."""

    child: str
    table: str
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.child}: {self.table} {self.field}: rule {self.rule}: {self.message}"


def date_text(day: date) -> str:
    """A date as the SSDA903 files write it: ``dd/mm/yyyy`` (rule 102)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def collection_period(year: int) -> tuple[date, date]:
    """The collection year named by its end: 2026 is 1 April 2025 to 31 March 2026."""
    if not 2000 <= year <= 2100:
        raise ValueError(f"{year} is not a collection year; expected e.g. 2026 for 2025-26")
    return date(year - 1, 4, 1), date(year, 3, 31)


def _birthday(dob: date, age: int) -> date:
    # A 29 February birthday falls on 28 February in other years (the "within N months"
    # convention of casework.domain.calendar).
    return add_months(dob, 12 * age)


def reported_birthday(dob: date, year: int) -> tuple[int, date] | None:
    """The age and birthday at which someone born on ``dob`` is reported in the
    collection year ``year``, or ``None`` when none of their 17th to 21st birthdays
    falls in it (DfE SSDA903 guide, table OC3)."""
    start, end = collection_period(year)
    for age in REPORTED_AGES:
        birthday = _birthday(dob, age)
        if start <= birthday <= end:
            return age, birthday
    return None


def birthday_window(birthday: date) -> tuple[date, date]:
    """The first and last day whose facts count for a birthday: three months before to
    one month after it (DfE SSDA903 guide, care leavers)."""
    return add_months(birthday, -WINDOW_MONTHS_BEFORE), add_months(birthday, WINDOW_MONTHS_AFTER)


def header_sex(sex: Sex | str) -> str:
    """The Header ``SEX`` code (rule 101: M, F or U) for a stored sex."""
    member = Sex.parse(sex)
    if member is Sex.MALE:
        return "M"
    if member is Sex.FEMALE:
        return "F"
    return "U"


# --- the rules --------------------------------------------------------------------------


def check_return(
    header: Sequence[HeaderRow],
    oc3: Sequence[OC3Row],
    year: int,
    last_oc3: Sequence[OC3Row] | None = None,
) -> list[Breach]:
    """Every breach of the published rules Casework's Header and OC3 can break, by child
    and in the order of the rows. ``last_oc3``: last year's OC3, for rule 348."""
    start, end = collection_period(year)
    out: list[Breach] = []
    out += _header_rules(header, start, end)
    headers = {row.child: row for row in header}
    for row in oc3:
        out += _oc3_codes(row)
        out += _oc3_consistency(row)
        out += _oc3_age_rules(row, start, end)
        out += _oc3_against_header(row, headers.get(row.child))
    for child, n in Counter(row.child for row in oc3).items():
        if n > 1:
            out.append(
                Breach(child, "OC3", "CHILD", "INT34", f"the child is in OC3 {n} times; once only")
            )
    oc3_children = {row.child for row in oc3}
    for head in header:
        if head.child not in oc3_children:
            out.append(
                Breach(
                    head.child,
                    "Header",
                    "CHILD",
                    "EPI",
                    "the child is in the Header but not in OC3 (nor in Episodes, which "
                    "Casework does not write): leave them out of the Header",
                )
            )
    if last_oc3 is not None:
        out += _rule_348(oc3, last_oc3)
    return out


def _header_rules(header: Sequence[HeaderRow], start: date, end: date) -> list[Breach]:
    out: list[Breach] = []
    for row in header:
        out += _header_row_rules(row, start, end)
    for upn, n in Counter(r.upn for r in header if r.upn and not r.upn.startswith("UN")).items():
        if n > 1:
            for row in header:
                if row.upn == upn:
                    out.append(
                        Breach(row.child, "Header", "UPN", "444", f"UPN {upn} is given {n} times")
                    )
    for child, n in Counter(row.child for row in header).items():
        if n > 1:
            out.append(
                Breach(child, "Header", "CHILD", "INT32", f"in the Header {n} times; once only")
            )
    return out


def _header_row_rules(row: HeaderRow, start: date, end: date) -> list[Breach]:
    out: list[Breach] = []
    c = row.child
    if row.sex not in _SEX_CODES:
        out.append(Breach(c, "Header", "SEX", "101", f"{row.sex!r} is not M, F or U"))
    elif row.sex == "U":
        out.append(
            Breach(
                c,
                "Header",
                "SEX",
                "232",
                "SEX is U (not stated, or neither): the return takes the sex recorded "
                "at birth or on the child's records, M or F; record it on the person",
            )
        )
    if row.ethnic not in _ETHNIC_CODES:
        out.append(Breach(c, "Header", "ETHNIC", "103", f"{row.ethnic!r} is not an ethnicity code"))
    if row.upn and not _UPN.match(row.upn):
        out.append(
            Breach(
                c,
                "Header",
                "UPN",
                "168",
                f"{row.upn!r} is not a UPN: a letter (not I, O or S) then 12 digits, "
                "or 11 digits and a letter; or UN1 to UN5",
            )
        )
    if row.upn == "UN1":
        out.append(
            Breach(
                c,
                "Header",
                "UPN",
                "209",
                "UN1 (not of school age) cannot be given for a child of school age",
            )
        )
    if row.dob > end:
        out.append(
            Breach(c, "Header", "DOB", "301", "the date of birth is after the collection year")
        )
    if _birthday(row.dob, 25) <= start:
        out.append(Breach(c, "Header", "DOB", "351", "over 25 at the start of the collection year"))
    return out


def _oc3_codes(row: OC3Row) -> list[Breach]:
    out: list[Breach] = []
    c = row.child
    if row.in_touch not in IN_TOUCH_CODES:
        allowed = ", ".join(sorted(IN_TOUCH_CODES))
        out.append(Breach(c, "OC3", "IN_TOUCH", "131", f"{row.in_touch!r} is not one of {allowed}"))
    if not row.activ:
        out.append(Breach(c, "OC3", "ACTIV", "132", f"blank: {_NOTHING_RECORDED % 'activity'}"))
    elif row.activ not in ACTIV_CODES:
        out.append(Breach(c, "OC3", "ACTIV", "132", f"{row.activ!r} is not an activity code"))
    if not row.accom:
        out.append(
            Breach(c, "OC3", "ACCOM", "133", f"blank: {_NOTHING_RECORDED % 'accommodation'}")
        )
    elif len(row.accom) == 1 and row.accom != SSDA903_NOT_APPLICABLE:
        out.append(
            Breach(
                c,
                "OC3",
                "ACCOM",
                "133",
                f"{row.accom!r} has no suitability: record whether the accommodation around "
                "the birthday was suitable (1) or unsuitable (2)",
            )
        )
    elif row.accom not in ACCOM_CODES:
        out.append(
            Breach(
                c,
                "OC3",
                "ACCOM",
                "133",
                f"{row.accom!r} is not an accommodation code (letter and 1 or 2; S and X "
                "only as S2 and X2; or 0)",
            )
        )
    filled = [bool(v) for v in (row.in_touch, row.activ, row.accom)]
    if any(filled) and not all(filled):
        out.append(
            Breach(
                c,
                "OC3",
                "IN_TOUCH",
                "153",
                "IN_TOUCH, ACTIV and ACCOM must all be filled, or all be blank",
            )
        )
    return out


def _oc3_consistency(row: OC3Row) -> list[Breach]:
    c = row.child
    out: list[Breach] = []
    if row.in_touch in _NOT_APPLICABLE_STATUSES and (
        row.activ != SSDA903_NOT_APPLICABLE or row.accom != SSDA903_NOT_APPLICABLE
    ):
        out.append(
            Breach(
                c,
                "OC3",
                "ACTIV",
                "344",
                f"IN_TOUCH is {row.in_touch}, so ACTIV and ACCOM must both be 0 "
                f"(they are {row.activ or 'blank'} and {row.accom or 'blank'})",
            )
        )
    if row.in_touch == "YES" and SSDA903_NOT_APPLICABLE in (row.activ, row.accom):
        out.append(
            Breach(
                c,
                "OC3",
                "ACCOM" if row.accom == SSDA903_NOT_APPLICABLE else "ACTIV",
                "345",
                "IN_TOUCH is YES, so ACTIV and ACCOM must be known (not 0): record the "
                "activity and accommodation around the birthday",
            )
        )
    return out


def _oc3_age_rules(row: OC3Row, start: date, end: date) -> list[Breach]:
    out: list[Breach] = []
    c = row.child
    seventeenth = _birthday(row.dob, 17)
    if start <= seventeenth <= end and row.accom[:1] == "Z":
        out.append(
            Breach(
                c,
                "OC3",
                "ACCOM",
                "3001",
                "their 17th birthday is in the collection year, so they cannot be with "
                "former foster carers (Z): Staying Put starts at 18 (Children Act 1989 s23CZA)",
            )
        )
    if row.age < 18 and row.accom[:1] == "T":
        out.append(
            Breach(
                c,
                "OC3",
                "ACCOM",
                "347",
                "under 18 at the birthday reported, so they cannot be in a foyer (T): record "
                "the supported accommodation type (D or E)",
            )
        )
    if seventeenth > end:
        out.append(
            Breach(
                c,
                "OC3",
                "DOB",
                "391",
                "they are not 17 by the end of the collection year, so are not in OC3",
            )
        )
    return out


def _oc3_against_header(row: OC3Row, header: HeaderRow | None) -> list[Breach]:
    if header is None:
        return [Breach(row.child, "OC3", "CHILD", "INT06", "the child is not in the Header")]
    if header.dob != row.dob:
        return [
            Breach(
                row.child,
                "OC3",
                "DOB",
                "INT15",
                f"DOB {date_text(row.dob)} differs from the Header's {date_text(header.dob)}",
            )
        ]
    return []


def _rule_348(oc3: Iterable[OC3Row], last_oc3: Iterable[OC3Row]) -> list[Breach]:
    died_last_year = {row.child for row in last_oc3 if row.in_touch == "DIED"}
    return [
        Breach(
            row.child,
            "OC3",
            "IN_TOUCH",
            "348",
            f"recorded as DIED in last year's return, so IN_TOUCH must be DIED "
            f"(it is {row.in_touch or 'blank'})",
        )
        for row in oc3
        if row.child in died_last_year and row.in_touch != "DIED"
    ]
