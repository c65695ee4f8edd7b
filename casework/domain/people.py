"""Pure validation of a young person's core details.

Every check runs and every problem is returned, so a form can mark all bad fields at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from casework.domain.calendar import age_on
from casework.domain.codes import (
    CodeList,
    EligibilityCategory,
    Ethnicity,
    Sex,
    UnknownCode,
    YesNo,
)

__all__ = [
    "CHILD_UID_MAX_LENGTH",
    "MAX_AGE",
    "MIN_AGE",
    "NAME_MAX_LENGTH",
    "FieldProblem",
    "validate_young_person",
]

CHILD_UID_MAX_LENGTH = 40
NAME_MAX_LENGTH = 100
#: Ages (on the day of recording) the product accepts; anyone outside is refused.
MIN_AGE = 15
MAX_AGE = 26

_CHILD_UID = re.compile(r"[A-Za-z0-9-]+")
_SHOWN_CHARS = 60


def _show(value: object) -> str:
    """``value`` as it appears in a message: quoted, dates as yyyy-mm-dd, long text cut."""
    if value is None:
        return "a blank value"
    if isinstance(value, date):
        return repr(value.isoformat())
    text = value if isinstance(value, str) else str(value)
    if len(text) > _SHOWN_CHARS:
        text = text[: _SHOWN_CHARS - 3] + "..."
    return repr(text)


@dataclass(frozen=True)
class FieldProblem:
    """One refused field: which field, the value given, and what was expected."""

    field: str
    value: object
    expected: str

    def __str__(self) -> str:
        return f"{self.field}: {_show(self.value)} is not valid: expected {self.expected}"


def _check_child_uid(child_uid: str) -> list[FieldProblem]:
    expected = (
        f"an ID of 1 to {CHILD_UID_MAX_LENGTH} characters using only letters, digits and hyphens"
    )
    ok = (
        isinstance(child_uid, str)
        and 0 < len(child_uid) <= CHILD_UID_MAX_LENGTH
        and _CHILD_UID.fullmatch(child_uid) is not None
    )
    return [] if ok else [FieldProblem("child_uid", child_uid, expected)]


def _check_name(field: str, name: str) -> list[FieldProblem]:
    ok = isinstance(name, str) and name.strip() != "" and len(name) <= NAME_MAX_LENGTH
    if ok:
        return []
    return [FieldProblem(field, name, f"a name of 1 to {NAME_MAX_LENGTH} characters")]


def _check_code(field: str, value: str, codes: type[CodeList]) -> list[FieldProblem]:
    try:
        codes.parse(value)
    except UnknownCode as error:
        expected = f"a {error.list_name} code, one of {', '.join(error.allowed)}"
        return [FieldProblem(field, value, expected)]
    return []


def _check_date_of_birth(date_of_birth: date | None, today: date) -> list[FieldProblem]:
    field = "date_of_birth"
    if date_of_birth is None:
        return [FieldProblem(field, date_of_birth, "a date of birth")]
    if date_of_birth > today:
        return [FieldProblem(field, date_of_birth, "a date not in the future")]
    age = age_on(date_of_birth, today)
    if not MIN_AGE <= age <= MAX_AGE:
        expected = (
            f"a young person aged {MIN_AGE} to {MAX_AGE} today (this date of birth "
            f"makes them {age})"
        )
        return [FieldProblem(field, date_of_birth, expected)]
    return []


def _check_date_ceased(
    ceased: date | None, date_of_birth: date | None, today: date
) -> list[FieldProblem]:
    field = "date_ceased_looked_after"
    if ceased is None:
        return []
    problems = []
    if ceased > today:
        problems.append(FieldProblem(field, ceased, "a date not in the future"))
    if date_of_birth is not None and ceased < date_of_birth:
        problems.append(FieldProblem(field, ceased, "a date on or after the date of birth"))
    return problems


def validate_young_person(
    *,
    child_uid: str,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    sex: str,
    ethnicity: str,
    eligibility: str,
    disability: str,
    uasc: bool,
    date_ceased_looked_after: date | None,
    today: date,
) -> list[FieldProblem]:
    """Every problem with a young person's core details; an empty list means all is well.

    Codes are storage codes (``Sex``, ``Ethnicity``, ``EligibilityCategory``, and
    ``YesNo`` for disability), matched as :meth:`CodeList.parse` matches them.
    ``today`` is the caller's date: nothing here reads the clock.
    """
    problems = [
        *_check_child_uid(child_uid),
        *_check_name("first_name", first_name),
        *_check_name("last_name", last_name),
        *_check_date_of_birth(date_of_birth, today),
        *_check_code("sex", sex, Sex),
        *_check_code("ethnicity", ethnicity, Ethnicity),
        *_check_code("eligibility", eligibility, EligibilityCategory),
        *_check_code("disability", disability, YesNo),
        *_check_date_ceased(date_ceased_looked_after, date_of_birth, today),
    ]
    if not isinstance(uasc, bool):
        problems.append(FieldProblem("uasc", uasc, "yes or no (true or false)"))
    return problems
