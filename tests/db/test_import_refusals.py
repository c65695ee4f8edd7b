"""An import refuses nonsense, naming the record, field, value and what was expected, and
writes nothing: impossible or future dates, events out of order, hidden characters,
conflicting accounts, files too deep or too large, and never more than the problem cap."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from casework import cli
from casework.db.models import User, YoungPerson
from casework.errors import ImportRefused
from casework.services import bundle
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSPHRASE, Opened

TODAY = NOW.date()
FUTURE = (TODAY + timedelta(days=30)).isoformat()


@pytest.fixture
def exported(demo_db: Opened) -> dict[str, Any]:
    return bundle.export_bundle(demo_db.db, SYSTEM_ACTOR, now=NOW)


def _counts(opened: Opened) -> tuple[int, int]:
    with opened.db.reading() as session:
        people = session.scalar(select(func.count()).select_from(YoungPerson))
        users = session.scalar(select(func.count()).select_from(User))
    return int(people or 0), int(users or 0)


def _refused(opened: Opened, data: dict[str, Any]) -> list[str]:
    before = _counts(opened)
    with pytest.raises(ImportRefused) as caught:
        bundle.import_bundle(opened.db, SYSTEM_ACTOR, data, now=NOW)
    assert _counts(opened) == before  # nothing written
    assert len(caught.value.problems) <= bundle.MAX_PROBLEMS + 1
    return caught.value.problems


def _person_with(data: dict[str, Any], section: str) -> tuple[int, dict[str, Any]]:
    for index, person in enumerate(data["young_people"]):
        if person.get(section):
            return index, person
    raise AssertionError(f"no young person in the demo has {section}")


def _one(problems: list[str], *words: str) -> str:
    found = [p for p in problems if all(w in p for w in words)]
    assert found, problems
    return found[0]


def test_a_closure_in_the_future_or_before_birth(
    exported: dict[str, Any], empty_db: Opened
) -> None:
    data = copy.deepcopy(exported)
    first, second = data["young_people"][0], data["young_people"][1]
    first["closed_on"], first["closure_reason"] = FUTURE, "RC7"
    born = second["date_of_birth"]
    second["closed_on"], second["closure_reason"] = "1990-01-01", "RC7"
    problems = _refused(empty_db, data)
    uid = first["child_uid"]
    _one(problems, f"young_people[0] (Child Unique ID {uid!r}).closed_on", FUTURE, "future")
    _one(problems, "young_people[1]", ".closed_on", "'1990-01-01'", f"born ({born})")


def test_care_entered_in_the_future(exported: dict[str, Any], empty_db: Opened) -> None:
    data = copy.deepcopy(exported)
    index, person = _person_with(data, "care_history")
    person["care_history"]["date_entered_care"] = FUTURE
    problems = _refused(empty_db, data)
    _one(problems, f"young_people[{index}]", "care_history.date_entered_care", FUTURE, "future")


def test_a_contact_finalised_before_it_happened(exported: dict[str, Any], empty_db: Opened) -> None:
    data = copy.deepcopy(exported)
    index, person = _person_with(data, "contacts")
    contact = person["contacts"][0]
    early = datetime.fromisoformat(contact["occurred_at"]) - timedelta(hours=2)
    contact["finalised_at"] = early.isoformat()
    problems = _refused(empty_db, data)
    message = _one(problems, f"young_people[{index}]", "contacts[0].finalised_at")
    assert repr(early.isoformat()) in message and "is finalised before occurred_at" in message


def test_accommodation_ending_before_it_starts(exported: dict[str, Any], empty_db: Opened) -> None:
    data = copy.deepcopy(exported)
    index, person = _person_with(data, "accommodation")
    home = person["accommodation"][0]
    ended = (date.fromisoformat(home["started_on"]) - timedelta(days=1)).isoformat()
    home["ended_on"] = ended
    problems = _refused(empty_db, data)
    message = _one(problems, f"young_people[{index}]", "accommodation[0].ended_on", ended)
    assert "ends before started_on" in message and "expected the same day or later" in message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Ja\x00ne", "U+0000"),
        ("Evil\u202eexe.doc", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("Tab\there", "U+0009"),
        ("Mark\u200fed", "U+200F"),
    ],
)
def test_hidden_characters_in_names(
    exported: dict[str, Any], empty_db: Opened, value: str, words: str
) -> None:
    data = copy.deepcopy(exported)
    data["young_people"][3]["first_name"] = value
    problems = _refused(empty_db, data)
    message = _one(problems, "young_people[3].first_name", words)
    assert "\x00" not in message and "\u202e" not in message  # shown escaped, never raw


def test_hidden_characters_in_free_text_and_worker_names(
    exported: dict[str, Any], empty_db: Opened
) -> None:
    data = copy.deepcopy(exported)
    index, person = _person_with(data, "contacts")
    person["contacts"][0]["views"] = "Fine.\nReally\u202e fine."  # line breaks are fine
    data["workers"][0]["display_name"] = "Lee\x07Lead"
    problems = _refused(empty_db, data)
    _one(problems, f"young_people[{index}].contacts[0].views", "U+202E")
    _one(problems, "workers[0].display_name", "U+0007")
    assert len(problems) == 2


def test_duplicate_user_names_with_different_roles(
    exported: dict[str, Any], empty_db: Opened
) -> None:
    data = copy.deepcopy(exported)
    twin = dict(data["workers"][1])
    twin["role"] = "team_lead" if twin["role"] == "practitioner" else "practitioner"
    data["workers"].append(twin)
    problems = _refused(empty_db, data)
    message = _one(problems, f"workers[{len(data['workers']) - 1}].username", "already listed")
    assert "workers[1]" in message and "different role" in message


def test_an_existing_administrator_listed_as_a_practitioner(
    exported: dict[str, Any], empty_db: Opened
) -> None:
    data = copy.deepcopy(exported)
    data["workers"].append(
        {
            "username": "admin",
            "display_name": "Ada Admin",
            "role": "practitioner",
            "team": data["teams"][0]["name"],
            "leads": [],
        }
    )
    problems = _refused(empty_db, data)
    message = _one(problems, ".role", "'practitioner'", "'admin' already exists")
    assert "administrator" in message
    with empty_db.db.reading() as session:
        assert session.scalar(select(User.role).where(User.username == "admin")) == "admin"


def test_a_deeply_nested_file_is_refused_not_a_crash() -> None:
    with pytest.raises(ImportRefused) as caught:
        bundle.parse_bundle("[" * 200_000 + "]" * 200_000)
    assert "too deep" in caught.value.problems[0]
    nested: Any = "x"
    for _ in range(60):
        nested = {"a": nested}
    with pytest.raises(ImportRefused) as caught:
        bundle.parse_bundle(json.dumps({"format": "casework-bundle", "teams": nested}))
    assert "nested more than" in caught.value.problems[0]


def test_a_file_larger_than_the_limit_is_refused_before_it_is_parsed(
    exported: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.services import bundle_checks

    text = json.dumps(exported)
    monkeypatch.setattr(bundle_checks, "MAX_CHARACTERS", len(text) - 1)
    with pytest.raises(ImportRefused) as caught:
        bundle.parse_bundle(text)
    assert len(caught.value.problems) == 1
    assert f"{len(text):,} characters" in caught.value.problems[0]
    assert "split the bundle" in caught.value.problems[0]
    monkeypatch.setattr(bundle_checks, "MAX_CHARACTERS", len(text))
    assert bundle.parse_bundle(text)


def test_a_lone_surrogate_is_refused_and_printed_safely(
    exported: dict[str, Any],
    empty_db: Opened,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = json.dumps(exported).replace(
        json.dumps(exported["young_people"][2]["last_name"]), '"Sm\\ud800ith"', 1
    )
    with pytest.raises(ImportRefused) as caught:
        bundle.parse_bundle(text)
    _one(caught.value.problems, "last_name", "U+D800", "UTF-8")
    source = tmp_path / "bundle.json"
    source.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    before = _counts(empty_db)
    empty_db.db.close()
    code = cli.main(["import", str(source), "--path", str(empty_db.path)])
    _, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err and "U+D800" in err
    assert before[0] == 0


def test_the_problem_cap_holds_on_every_path(exported: dict[str, Any], empty_db: Opened) -> None:
    # Ten thousand bad records inside one young person (checked after the schema)...
    data = copy.deepcopy(exported)
    _index, person = _person_with(data, "contacts")
    bad = dict(person["contacts"][0], finalised_at="2001-01-01T09:00:00")
    person["contacts"] = [dict(bad) for _ in range(10_000)]
    problems = _refused(empty_db, data)
    assert len(problems) == bundle.MAX_PROBLEMS + 1 and "only the first 200" in problems[-1]
    # ... ten thousand hidden characters ...
    data = copy.deepcopy(exported)
    data["teams"] = [{"name": f"Team\x00{n}"} for n in range(10_000)]
    assert len(_refused(empty_db, data)) <= bundle.MAX_PROBLEMS + 1
    # ... and ten thousand schema problems.
    data = copy.deepcopy(exported)
    data["teams"] = [{"name": n} for n in range(10_000)]
    assert len(_refused(empty_db, data)) <= bundle.MAX_PROBLEMS + 1


def test_a_clean_bundle_still_imports(exported: dict[str, Any], empty_db: Opened) -> None:
    result = bundle.import_bundle(empty_db.db, SYSTEM_ACTOR, exported, now=NOW)
    assert result.young_people_created == len(exported["young_people"])


def test_the_opening_date_is_a_recorded_fact_never_the_import_day(
    exported: dict[str, Any], empty_db: Opened
) -> None:
    data = copy.deepcopy(exported)
    index, person = _person_with(data, "contacts")
    person["opened_on"] = None
    bare = data["young_people"][index + 1 if index == 0 else 0]
    bare["opened_on"] = None
    for section in bundle_casework_sections(bare):
        bare[section] = []
    problems = _refused(empty_db, data)
    refused = _one(problems, "opened_on", "missing", "day the case opened")
    assert bare["child_uid"] in refused
    assert not any(person["child_uid"] in p and "opened_on" in p for p in problems)
    # Without the bare record, the other takes its earliest dated fact, not the import day.
    data["young_people"] = [person]
    bundle.import_bundle(empty_db.db, SYSTEM_ACTOR, data, now=NOW)
    earliest = min(date.fromisoformat(c["occurred_at"][:10]) for c in person["contacts"])
    with empty_db.db.reading() as session:
        opened = session.scalar(
            select(YoungPerson.opened_on).where(YoungPerson.child_uid == person["child_uid"])
        )
    assert opened is not None and opened <= earliest < NOW.date()


def bundle_casework_sections(person: dict[str, Any]) -> list[str]:
    from casework.services.bundle_casework import _DATED_FIELDS

    return [s for s in _DATED_FIELDS if person.get(s)]
