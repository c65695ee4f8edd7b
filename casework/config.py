"""Council configuration (``resources/council.toml``, or the file named by
``CASEWORK_COUNCIL_CONFIG``): local practice as data, never code. Statutory limits cannot
be weakened: a value that would is refused with a message naming the key."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from casework.domain.audit_sampling import AuditRules
from casework.domain.calendar import WorkingCalendar
from casework.domain.closure import CheckId, ClosureRules, Severity
from casework.domain.due import DueRules
from casework.domain.leaving_care import ContactMadeBy
from casework.errors import CaseworkError

ENV = "CASEWORK_COUNCIL_CONFIG"

# Statutory ceilings: a council may be stricter (smaller), never looser.
_STATUTORY_MAX = {
    "visit_interval_months": 2,
    "first_visit_days": 7,
    "plan_review_months": 6,
    "needs_assessment_months": 3,
    # s23B(1), s23B(11)/s23C(2): keeping in touch with someone who refuses contact or says they no
    # longer need services continues; the reg 8 two-month interval is the floor.
    "contact_attempt_months": 2,
}
_INTS = (
    "in_touch_window_months",
    "contact_attempt_months",
    "confirm_eligibility_working_days",
    "visit_interval_months",
    "first_visit_days",
    "plan_review_months",
    "change_review_working_days",
    "needs_assessment_months",
    "accommodation_review_working_days",
    "reminder_interval_months",
)


class ConfigError(CaseworkError):
    pass


def _load(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The council configuration {where} is not valid TOML: {exc}.") from None


def _ints(section: dict[str, Any], where: str) -> dict[str, int]:
    values: dict[str, int] = {}
    for key in _INTS:
        if key not in section:
            continue
        value = section[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(
                f"{where}: due.{key} = {value!r} is not valid: expected a whole "
                "number of 0 or more."
            )
        limit = _STATUTORY_MAX.get(key)
        if limit is not None and value > limit:
            raise ConfigError(
                f"{where}: due.{key} = {value} would weaken a statutory timescale: "
                f"expected at most {limit}."
            )
        values[key] = value
    return values


def rules_from(data: dict[str, Any], where: str) -> DueRules:
    due = data.get("due", {})
    values: dict[str, Any] = _ints(due, where)
    if "visit_by" in due:
        try:
            values["visit_by"] = frozenset(ContactMadeBy.parse(v) for v in due["visit_by"])
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: due.visit_by is not valid: {exc}.") from None
        if ContactMadeBy.PERSONAL_ADVISER not in values["visit_by"]:
            raise ConfigError(
                f"{where}: due.visit_by = {due['visit_by']!r} leaves out the personal adviser: "
                'reg 8 visits are made by the personal adviser, so "personal_adviser" must be '
                "listed (Care Leavers (England) Regulations 2010 reg 8)."
            )
    closures = data.get("calendar", {}).get("closure_days", [])
    try:
        days = [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in closures]
    except ValueError as exc:
        raise ConfigError(f"{where}: calendar.closure_days: {exc}; expected YYYY-MM-DD.") from None
    try:
        return DueRules(calendar=WorkingCalendar(days), **values)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}.") from None


def _source() -> tuple[str, str]:
    """(where, text) of the council configuration in force."""
    override = os.environ.get(ENV)
    if override:
        path = Path(override)
        try:
            return str(path), path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"Cannot read the council configuration {path}: {exc.strerror}."
            ) from None
    text = files("casework_resources").joinpath("council.toml").read_text(encoding="utf-8")
    return "council.toml", text


@lru_cache(maxsize=1)
def council_rules() -> DueRules:
    """The due rules this installation runs with (read once)."""
    where, text = _source()
    return rules_from(_load(text, where), where)


@dataclass(frozen=True)
class FrontDoorRules:
    """Local front-door practice: when repeated concerns raise an alert, the allegation
    strategy meeting's clock (where the LADO finds the criteria met), and how soon a risk
    screening follows a concern coded with an exploitation factor (10A, 11A, 12A, 13A or
    24A)."""

    repeat_short_count: int = 2
    repeat_short_days: int = 7
    repeat_long_count: int = 3
    repeat_long_months: int = 12
    strategy_meeting_hours: int = 72
    screening_working_days: int = 5


def front_door_from(data: dict[str, Any], where: str) -> FrontDoorRules:
    section = data.get("front_door", {})
    values: dict[str, int] = {}
    for key in FrontDoorRules.__dataclass_fields__:
        if key not in section:
            continue
        value = section[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(
                f"{where}: front_door.{key} = {value!r} is not valid: expected a "
                "whole number of 1 or more."
            )
        values[key] = value
    return FrontDoorRules(**values)


@lru_cache(maxsize=1)
def front_door_rules() -> FrontDoorRules:
    """The front-door rules this installation runs with (read once)."""
    where, text = _source()
    return front_door_from(_load(text, where), where)


def closure_from(data: dict[str, Any], where: str) -> ClosureRules:
    """``[closure]`` numbers and ``[closure.severity]`` (check id = "blocker", "warning"
    or "off"). A statutory check cannot be made a warning or switched off."""
    section = dict(data.get("closure", {}))
    raw = section.pop("severity", {})
    known = {f for f in ClosureRules.__dataclass_fields__ if f != "severities"}
    for key in section:
        if key not in known:
            raise ConfigError(
                f"{where}: closure.{key} is not a closure setting: expected one of "
                f"{', '.join(sorted(known))}."
            )
    severities: dict[CheckId, Severity] = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: closure.severity must be a table of check id = severity.")
    for key, value in raw.items():
        try:
            check = CheckId(key)
        except ValueError:
            ids = ", ".join(c.value for c in CheckId)
            raise ConfigError(
                f"{where}: closure.severity.{key} is not a closure check: expected one of {ids}."
            ) from None
        try:
            severities[check] = Severity(value)
        except ValueError:
            raise ConfigError(
                f"{where}: closure.severity.{key} = {value!r}: expected "
                '"blocker", "warning" or "off".'
            ) from None
    try:
        return ClosureRules(**section, severities=severities).validated()
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}.") from None


@lru_cache(maxsize=1)
def closure_rules() -> ClosureRules:
    """The closure rules this installation runs with (read once)."""
    where, text = _source()
    return closure_from(_load(text, where), where)


def audit_from(data: dict[str, Any], where: str) -> AuditRules:
    """``[audit]``: the sample period, the random and moderation shares, and how far back
    an open exploitation or missing risk puts a closure in the sample."""
    section = data.get("audit", {})
    unknown = sorted(set(section) - set(AuditRules.__dataclass_fields__))
    if unknown:
        raise ConfigError(f"{where}: audit.{unknown[0]} is not a setting Casework knows.")
    try:
        return AuditRules(**section).validated()
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}.") from None


@lru_cache(maxsize=1)
def audit_rules() -> AuditRules:
    """The closure-audit rules this installation runs with (read once)."""
    where, text = _source()
    return audit_from(_load(text, where), where)
