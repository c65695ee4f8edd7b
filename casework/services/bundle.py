"""The JSON interchange bundle: export everything, import all-or-nothing.

The format is documented by ``resources/bundle.schema.json`` (JSON Schema) and
``docs/bundle.md``. Every import problem names the record, the field, the value and
what was expected; if there is any problem nothing at all is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_naive_utc
from casework.db.database import Database
from casework.db.models import Team, TeamLeadership, User, YoungPerson
from casework.errors import ImportRefused, ValidationFailed
from casework.services import audit, bundle_casework, bundle_checks, contact_summary
from casework.services.auth import find_user
from casework.services.common import check
from casework.services.people import YoungPersonInput, add_young_person_in
from casework.services.permissions import CASE_ROLES, Action, Actor, Role
from casework.services.users import ensure_team

FORMAT = "casework-bundle"
VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_PROBLEMS = bundle_checks.MAX_PROBLEMS


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    text = files("casework_resources").joinpath("bundle.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class ImportResult:
    teams_created: int
    workers_created: int
    young_people_created: int


# --- export ---------------------------------------------------------------------------------


def export_bundle(db: Database, actor: Actor, *, now: datetime) -> dict[str, Any]:
    with db.unit_of_work() as session:
        check(session, actor, Action.EXPORT_BUNDLE, now=now, record_type="bundle")
        teams = session.scalars(select(Team).order_by(Team.name)).all()
        workers = session.scalars(
            select(User).where(User.role.in_([str(r) for r in CASE_ROLES])).order_by(User.username)
        ).all()
        people = list(_export_people(session))
        audit.record(
            session, actor, "export_bundle", now=now, record_type="bundle", record_id=len(people)
        )
        return {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": to_naive_utc(now).isoformat(timespec="seconds") + "Z",
            "teams": [{"name": t.name} for t in teams],
            "workers": [
                {
                    "username": w.username,
                    "display_name": w.display_name,
                    "role": w.role,
                    "team": w.team.name if w.team else None,
                    "leads": sorted(t.name for t in w.led_teams),
                }
                for w in workers
            ],
            "young_people": people,
        }


def _export_people(session: Session) -> Iterator[dict[str, Any]]:
    usernames = {uid: name for uid, name in session.execute(select(User.id, User.username))}
    team_names = {tid: name for tid, name in session.execute(select(Team.id, Team.name))}
    people = list(session.scalars(select(YoungPerson).order_by(YoungPerson.child_uid)))
    sections = bundle_casework.export_sections(session, [p.id for p in people], usernames)
    for p in people:
        core = {
            "child_uid": p.child_uid,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "preferred_name": p.preferred_name,
            "date_of_birth": p.date_of_birth.isoformat(),
            "sex": p.sex,
            "ethnicity": p.ethnicity,
            "disability": p.disability,
            "uasc": p.uasc,
            "eligibility": p.eligibility,
            "team": team_names[p.team_id],
            "social_worker": usernames.get(p.social_worker_id) if p.social_worker_id else None,
            "personal_adviser": (
                usernames.get(p.personal_adviser_id) if p.personal_adviser_id else None
            ),
            "date_ceased_looked_after": (
                p.date_ceased_looked_after.isoformat() if p.date_ceased_looked_after else None
            ),
            "opened_on": p.opened_on.isoformat() if p.opened_on else None,
            "closed_on": p.closed_on.isoformat() if p.closed_on else None,
            "closure_reason": p.closure_reason,
        }
        yield core | sections[p.id]


# --- import ---------------------------------------------------------------------------------


def _where(path: Any, data: dict[str, Any]) -> str:
    parts = list(path)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    if len(parts) >= 2 and parts[0] == "young_people" and isinstance(parts[1], int):
        try:
            uid = data["young_people"][parts[1]].get("child_uid")
        except (IndexError, AttributeError, KeyError):
            uid = None
        if uid:
            text = text.replace(
                f"young_people[{parts[1]}]",
                f"young_people[{parts[1]}] (Child Unique ID {uid!r})",
                1,
            )
    return text or "the bundle"


def schema_problems(data: Any) -> list[str]:
    from jsonschema import Draft202012Validator, FormatChecker

    structure = bundle_checks.structure_problems(data)
    if structure:
        return bundle_checks.capped(structure)
    if not isinstance(data, dict):
        return [
            "the bundle: expected a JSON object with format, version, teams, workers and "
            "young_people"
        ]
    if data.get("format") == FORMAT and data.get("version") not in READABLE_VERSIONS:
        known = " or ".join(map(str, READABLE_VERSIONS))
        return [f"version: {data.get('version')!r} is not supported: expected {known}"]
    validator = Draft202012Validator(schema(), format_checker=FormatChecker())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        shown = json.dumps(error.instance)[:80]
        problems.append(
            f"{_where(error.path, data)}: value {shown} is not valid: {_expected(error)}"
        )
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def _expected(error: Any) -> str:
    if error.validator == "enum":
        return "expected one of " + ", ".join(map(str, error.validator_value))
    if error.validator == "format":
        return f"expected a {error.validator_value} (YYYY-MM-DD)"
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required but missing")
    if error.validator == "additionalProperties":
        return "unexpected field(s): " + str(error.message).split("(")[-1].rstrip(")")
    return str(error.message)


def parse_bundle(text: str) -> dict[str, Any]:
    too_big = bundle_checks.size_problems(text)
    if too_big:
        raise ImportRefused(too_big)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [f"the file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from None
    except RecursionError:
        raise ImportRefused(
            [
                f"the file: its nesting is too deep to read: expected a Casework bundle "
                f"(at most {bundle_checks.MAX_DEPTH} levels)"
            ]
        ) from None
    problems = schema_problems(data)
    if problems:
        raise ImportRefused(problems)
    result: dict[str, Any] = data
    return result


def import_bundle(
    db: Database, actor: Actor, data: dict[str, Any], *, now: datetime
) -> ImportResult:
    """Import a parsed bundle in one transaction: all of it, or (on any problem) none."""
    with db.unit_of_work() as session:
        check(session, actor, Action.IMPORT_BUNDLE, now=now, record_type="bundle")
        problems = schema_problems(data)
        if problems:
            raise ImportRefused(problems)
        problems = content_problems(session, data, local_today(now))
        if problems:
            raise ImportRefused(problems)
        teams_before = len(session.scalars(select(Team.id)).all())
        for team in data["teams"]:
            ensure_team(session, actor, team["name"], now)
        workers_created = _import_workers(session, actor, data["workers"], now)
        people = _import_people(session, actor, data, now)
        teams_created = len(session.scalars(select(Team.id)).all()) - teams_before
        audit.record(
            session, actor, "import_bundle", now=now, record_type="bundle", record_id=people
        )
        # Sections go in as bulk inserts: one event vouches for each row written.
        audit.vouch_for_all(session, actor, "import_bundle", now=now)
        return ImportResult(teams_created, workers_created, people)


def content_problems(session: Session, data: dict[str, Any], today: date) -> list[str]:
    """Conflicting accounts and impossible, future or out-of-order dates, before anything
    is written; capped."""
    problems = bundle_checks.account_problems(session, data["workers"])
    for index, person in enumerate(data["young_people"]):
        where = f"young_people[{index}] (Child Unique ID {person['child_uid']!r})"
        problems += bundle_checks.person_date_problems(where, person, today)
        if len(problems) > MAX_PROBLEMS:
            break
    return bundle_checks.capped(problems)


def _import_workers(
    session: Session, actor: Actor, workers: list[dict[str, Any]], now: datetime
) -> int:
    created = 0
    for index, worker in enumerate(workers):
        if find_user(session, worker["username"]) is not None:
            continue
        team = ensure_team(session, actor, worker["team"], now) if worker.get("team") else None
        if worker["role"] == "practitioner" and team is None:
            raise ImportRefused(
                [f"workers[{index}].team: null is not valid: a practitioner must belong to a team"]
            )
        user = User(
            username=worker["username"],
            display_name=worker["display_name"],
            role=worker["role"],
            team_id=team.id if team else None,
            password_hash=None,
            active=False,
            created_at=to_naive_utc(now),
        )
        session.add(user)
        session.flush()
        for led in worker.get("leads", []):
            session.add(
                TeamLeadership(user_id=user.id, team_id=ensure_team(session, actor, led, now).id)
            )
        audit.record(
            session,
            actor,
            "create_user",
            now=now,
            record_type="user",
            record_id=user.id,
            fields=["username", "display_name", "role", "team_id"],
        )
        created += 1
    return created


def _worker_id(session: Session, username: str | None) -> int | str | None:
    if username is None:
        return None
    user = find_user(session, username)
    if user is None or Role(user.role) not in CASE_ROLES:
        return (
            f"{username!r} is not valid: expected the user name of a practitioner or team "
            "lead in this bundle or database"
        )
    return user.id


def _opening_date(person: YoungPerson, item: dict[str, Any], where: str) -> list[str]:
    """A bundle without the case's opening date: the earliest dated fact it carries, never
    the import moment. With neither, the person is refused: the opening date starts the
    case's clocks and history, so it is a recorded fact, not a guess."""
    if item.get("opened_on"):
        return []
    earliest = bundle_casework.earliest_fact(item)
    if earliest is None:
        return [
            f"{where}.opened_on: missing: expected the day the case opened (the bundle "
            "carries no dated contact, plan or other fact to take it from)"
        ]
    person.opened_on = earliest
    return []


def _import_people(session: Session, actor: Actor, data: dict[str, Any], now: datetime) -> int:
    problems: list[str] = []
    created = 0
    imported: list[int] = []
    for index, item in enumerate(data["young_people"]):
        where = f"young_people[{index}] (Child Unique ID {item['child_uid']!r})"
        team = session.scalar(select(Team).where(Team.name == item["team"]))
        ids: dict[str, int | None] = {}
        for field in ("social_worker", "personal_adviser"):
            found = _worker_id(session, item.get(field))
            if isinstance(found, str):
                problems.append(f"{where}.{field}: {found}")
            else:
                ids[field] = found
        if team is None:
            problems.append(
                f"{where}.team: {item['team']!r} is not valid: expected a team "
                "listed in the bundle's teams or present in the database"
            )
        if len(ids) < 2 or team is None:
            continue
        record = YoungPersonInput(
            child_uid=item["child_uid"],
            first_name=item["first_name"],
            last_name=item["last_name"],
            preferred_name=item.get("preferred_name"),
            date_of_birth=date.fromisoformat(item["date_of_birth"]),
            sex=item["sex"],
            ethnicity=item["ethnicity"],
            disability=item["disability"],
            uasc=item["uasc"],
            eligibility=item["eligibility"],
            team_id=team.id,
            social_worker_id=ids["social_worker"],
            personal_adviser_id=ids["personal_adviser"],
            date_ceased_looked_after=(
                date.fromisoformat(item["date_ceased_looked_after"])
                if item.get("date_ceased_looked_after")
                else None
            ),
            opened_on=date.fromisoformat(item["opened_on"]) if item.get("opened_on") else None,
        )
        try:
            person = add_young_person_in(session, actor, record, now, imported=True)
            created += 1
        except ValidationFailed as exc:
            problems.extend(f"{where}.{p}" for p in exc.problems)
            continue
        problems += _closed_state(person, item, where)
        problems += bundle_casework.import_sections(
            session, person.id, item, where, lambda name: _user_id(session, name), to_naive_utc(now)
        )
        problems += _opening_date(person, item, where)
        imported.append(person.id)
        sections = [name for name in bundle_casework.SECTIONS if item.get(name)]
        if sections:
            audit.record(
                session,
                actor,
                "import_records",
                now=now,
                record_type="young_person",
                record_id=person.id,
                fields=sections,
            )
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ImportRefused(bundle_checks.capped(problems))
    session.flush()
    contact_summary.refresh(session, imported)
    return created


def _closed_state(person: Any, item: dict[str, Any], where: str) -> list[str]:
    """A closed case keeps its closure date and reason; each needs the other (CIN rule)."""
    closed, reason = item.get("closed_on"), item.get("closure_reason")
    if bool(closed) != bool(reason):
        return [
            f"{where}.closed_on: a closure date needs a closure reason and a reason needs a "
            f"date: got closed_on={closed!r}, closure_reason={reason!r}"
        ]
    if closed:
        person.closed_on, person.closure_reason = date.fromisoformat(closed), reason
    return []


def _user_id(session: Session, username: str) -> int | None:
    user = find_user(session, username)
    return user.id if user is not None else None
