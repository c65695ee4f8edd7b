"""What an import refuses beyond the JSON Schema: files too large or too deeply nested to
read safely, text that cannot be stored or that hides what it says (control and
bidirectional-override characters), impossible or future dates, events out of order, and
accounts that conflict with each other or with this database.

Every problem names the record, the field, the value and what was expected, and no list
of problems grows past the cap, whatever the path.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.db.models import User
from casework.services.bundle_casework import SECTIONS, Section
from casework.services.permissions import Role

MAX_PROBLEMS = 200
MAX_CHARACTERS = 200_000_000  # about 200 MB of JSON: far beyond any council's caseload
MAX_DEPTH = 16  # a bundle nests at most 7 levels (bundle, people, person, plan, reviews ...)

# Invisible characters that reorder how text is shown (Trojan Source, CVE-2021-42574): a
# record must read as it is stored. Refused in every field.
_BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Direction marks: harmless inside running text, never part of a name or a short field.
_BIDI_MARKS = frozenset("\u200e\u200f\u061c")
_LINE_BREAKS = frozenset("\t\n\r")


def _multiline_keys() -> frozenset[str]:
    keys: set[str] = set()

    def walk(section: Section) -> None:
        keys.update(name for name, spec in section.fields.items() if spec.kind == "text")
        for child in section.children.values():
            walk(child)

    for section in SECTIONS.values():
        walk(section)
    return frozenset(keys)


MULTILINE_KEYS = _multiline_keys()


def capped(problems: list[str]) -> list[str]:
    """At most ``MAX_PROBLEMS`` problems, with a last line saying how many more there were."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    extra = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], f"... and {extra} more problems (only the first 200 shown)"]


def size_problems(text: str) -> list[str]:
    if len(text) > MAX_CHARACTERS:
        return [
            f"the file: {len(text):,} characters is not valid: expected at most "
            f"{MAX_CHARACTERS:,}; split the bundle into smaller ones"
        ]
    return []


def _path(parts: tuple[Any, ...]) -> str:
    text = ""
    for part in parts:
        shown = _shown(str(part))
        text += f"[{part}]" if isinstance(part, int) else (f".{shown}" if text else shown)
    return text or "the bundle"


def _shown(value: str) -> str:
    """The value, safe to print: escapes instead of the characters being complained of."""
    short = value if len(value) <= 60 else value[:57] + "..."
    return short.encode("ascii", "backslashreplace").decode("ascii")


def _character_name(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name:
        names = {"\x00": "NUL"}
        name = names.get(char, "a control character")
    return f"U+{ord(char):04X} ({name})"


def _string_problem(key: object, value: str) -> str | None:
    multiline = key in MULTILINE_KEYS
    for position, char in enumerate(value, start=1):
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return (
                f"it holds half of a UTF-16 pair (U+{code:04X}) at character {position}, "
                "which is not a character: expected text as UTF-8"
            )
        if char in _BIDI_OVERRIDES:
            return (
                f"it holds the invisible direction override {_character_name(char)} at "
                f"character {position}, which makes text display differently from what is "
                "stored: expected plain text"
            )
        if char in _BIDI_MARKS and not multiline:
            return (
                f"it holds the invisible direction mark {_character_name(char)} at character "
                f"{position}: expected a name or short text without hidden characters"
            )
        if unicodedata.category(char) == "Cc" and not (multiline and char in _LINE_BREAKS):
            allowed = "tabs and line breaks only" if multiline else "no control characters"
            return (
                f"it holds the control character {_character_name(char)} at character "
                f"{position}: expected printable text ({allowed})"
            )
    return None


def structure_problems(data: Any) -> list[str]:
    """Nesting depth (checked without recursion), and every string's characters."""
    problems: list[str] = []
    stack: list[tuple[tuple[Any, ...], object, Any]] = [((), None, data)]
    while stack and len(problems) < MAX_PROBLEMS:
        path, key, value = stack.pop()
        if len(path) > MAX_DEPTH:
            return [
                f"{_path(path[:MAX_DEPTH])}: nested more than {MAX_DEPTH} levels deep is not "
                "valid: expected a Casework bundle (at most 7 levels)"
            ]
        if isinstance(value, dict):
            for k, v in reversed(list(value.items())):
                stack.append(((*path, k), k, v))
                if isinstance(k, str) and _string_problem(None, k):
                    problems.append(f"{_path(path)}: the field name {_shown(k)} is not valid")
        elif isinstance(value, list):
            for n in range(len(value) - 1, -1, -1):
                stack.append(((*path, n), key, value[n]))
        elif isinstance(value, str):
            found = _string_problem(key, value)
            if found:
                problems.append(f"{_path(path)}: {_shown(value)!r} is not valid: {found}")
    return problems


# --- dates and order -------------------------------------------------------------------

# Dates that may lie ahead: when something is due, planned or expected.
FUTURE_OK = frozenset(
    {"due_on", "target_on", "review_on", "expected_by", "staying_put_until", "eligible_from"}
)
# (earlier, later) pairs within one record: the later cannot come before the earlier.
ORDER = (
    ("started_on", "ended_on"),
    ("started_at", "ended_at"),
    ("effective_on", "ended_on"),
    ("occurred_at", "finalised_at"),
    ("received_at", "decided_at"),
    ("assessment_started_on", "assessment_completed_on"),
    ("requested_at", "submitted_at"),
    ("screened_on", "signed_off_on"),
    ("sent_on", "last_chased_on"),
)
_WORDS = {
    "ended_on": "ends",
    "ended_at": "ends",
    "finalised_at": "is finalised",
    "decided_at": "is decided",
    "assessment_completed_on": "is completed",
    "submitted_at": "is submitted",
    "signed_off_on": "is signed off",
    "last_chased_on": "is chased",
}


def _day(kind: str, raw: Any) -> date | None:
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw).date() if kind == "datetime" else date.fromisoformat(raw)
    except ValueError:
        return None


def _day_problem(where: str, raw: Any, day: date, born: date | None, today: date) -> str | None:
    if day > today:
        return (
            f"{where}: {raw!r} is not valid: it is in the future; expected a date on or "
            f"before {today.isoformat()} (the day of the import)"
        )
    if born is not None and day < born:
        return (
            f"{where}: {raw!r} is not valid: it is before the young person was born "
            f"({born.isoformat()})"
        )
    return None


def _record_dates(
    where: str, section: Section, item: dict[str, Any], born: date | None, today: date
) -> Iterator[str]:
    days: dict[str, date] = {}  # a datetime for datetime fields: order is by the minute
    for name, spec in section.fields.items():
        day = _day(spec.kind, item.get(name)) if spec.kind in ("date", "datetime") else None
        if day is None:
            continue
        days[name] = datetime.fromisoformat(item[name]) if spec.kind == "datetime" else day
        found = _day_problem(
            f"{where}.{name}", item[name], day, born, date.max if name in FUTURE_OK else today
        )
        if found:
            yield found
    for earlier, later in ORDER:
        if earlier in days and later in days and days[later] < days[earlier]:
            yield (
                f"{where}.{later}: {item[later]!r} is not valid: it {_WORDS[later]} before "
                f"{earlier} ({item[earlier]!r}); expected the same day or later"
            )
    for name, child in section.children.items():
        for n, sub in enumerate(item.get(name) or []):
            if isinstance(sub, dict):
                yield from _record_dates(f"{where}.{name}[{n}]", child, sub, born, today)


def person_date_problems(where: str, person: dict[str, Any], today: date) -> list[str]:
    """Impossible, future and out-of-order dates in one young person's record."""
    problems = []
    born = _day("date", person.get("date_of_birth"))
    if born is not None:
        found = _day_problem(f"{where}.date_of_birth", person["date_of_birth"], born, None, today)
        if found:
            problems.append(found)
            born = None
    for name in ("date_ceased_looked_after", "closed_on"):
        day = _day("date", person.get(name))
        found = (
            None if day is None else _day_problem(f"{where}.{name}", person[name], day, born, today)
        )
        if found:
            problems.append(found)
    for name, section in SECTIONS.items():
        items = person.get(name)
        for n, item in enumerate([items] if section.single else (items or [])):
            if isinstance(item, dict):
                label = f"{where}.{name}" + ("" if section.single else f"[{n}]")
                problems.extend(_record_dates(label, section, item, born, today))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


# --- accounts --------------------------------------------------------------------------


def account_problems(session: Session, workers: list[dict[str, Any]]) -> list[str]:
    """The same user name listed twice, or an account that exists here with another role
    (an administrator cannot arrive as a practitioner)."""
    problems = []
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, worker in enumerate(workers):
        name = str(worker.get("username", "")).strip().casefold()
        where = f"workers[{index}]"
        if name in first:
            earlier, other = first[name]
            differs = [k for k in ("role", "display_name", "team") if other.get(k) != worker.get(k)]
            detail = (
                f" with a different {', '.join(differs)} ({other.get(differs[0])!r} there, "
                f"{worker.get(differs[0])!r} here)"
                if differs
                else ""
            )
            problems.append(
                f"{where}.username: {worker.get('username')!r} is not valid: it is already "
                f"listed as workers[{earlier}]{detail}; expected each account once"
            )
            continue
        first[name] = (index, worker)
        existing = session.scalar(select(User).where(func.lower(User.username) == name))
        if existing is not None and existing.role != worker.get("role"):
            problems.append(
                f"{where}.role: {worker.get('role')!r} is not valid: {existing.username!r} "
                f"already exists in this database as {Role(existing.role).label.lower()}; "
                "expected the same role (an administrator changes roles, not an import)"
            )
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems
