"""The JSON bundle: a faithful round trip, and all-or-nothing imports with precise errors."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.db.models import YoungPerson
from casework.errors import ImportRefused
from casework.services import bundle
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, Opened


def _count(opened: Opened) -> int:
    with opened.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(YoungPerson)) or 0)


@pytest.fixture
def exported(demo_db: Opened) -> dict[str, Any]:
    return bundle.export_bundle(demo_db.db, SYSTEM_ACTOR, now=NOW)


def test_round_trip(exported: dict[str, Any], empty_db: Opened) -> None:
    result = bundle.import_bundle(empty_db.db, SYSTEM_ACTOR, exported, now=NOW)
    assert result.young_people_created == len(exported["young_people"]) == 40
    again = bundle.export_bundle(empty_db.db, SYSTEM_ACTOR, now=NOW)
    assert again["young_people"] == exported["young_people"]
    assert {t["name"] for t in exported["teams"]} <= {t["name"] for t in again["teams"]}


def test_closures_and_arrangements_travel(full_demo: Opened, empty_db: Opened) -> None:
    """The demo's closures (closed, reopened, with notes) and accommodation awaiting review
    survive a round trip."""
    exported = bundle.export_bundle(full_demo.db, SYSTEM_ACTOR, now=NOW)
    bundle.import_bundle(empty_db.db, SYSTEM_ACTOR, exported, now=NOW)
    again = bundle.export_bundle(empty_db.db, SYSTEM_ACTOR, now=NOW)
    assert again["young_people"] == exported["young_people"]
    people = exported["young_people"]
    assert any(p["closed_on"] for p in people) and any(p.get("case_reopenings") for p in people)
    assert any(p.get("closure_requests") and p.get("closed_case_notes") for p in people)
    assert any(
        home["letter"] == "W" and home["suitable"] and home["suitable_reason"]
        for p in people
        for home in p.get("accommodation", [])
    )
    kinds = {a["kind"] for p in people for a in p.get("care_arrangements", [])}
    assert kinds == {"transfer", "adult_services"}


def test_accommodation_sharing_a_night_is_refused(
    exported: dict[str, Any], empty_db: Opened
) -> None:
    """Periods end on the last night; the next starts the following day."""
    data = copy.deepcopy(exported)
    person = next(p for p in data["young_people"] if len(p.get("accommodation", [])) >= 2)
    first, second = person["accommodation"][0], person["accommodation"][1]
    first["ended_on"] = second["started_on"]
    problems = _refused(empty_db, data)
    assert any("accommodation[1].started_on" in p and "last night" in p for p in problems), problems


def test_schema_matches_the_code_lists() -> None:
    from casework.domain.codes import EligibilityCategory, Sex, YesNo

    props = bundle.schema()["properties"]["young_people"]["items"]["properties"]
    assert props["sex"]["enum"] == list(Sex.codes())
    assert props["disability"]["enum"] == list(YesNo.codes())
    assert sorted(props["eligibility"]["enum"]) == sorted(EligibilityCategory.codes())


def _refused(opened: Opened, data: dict[str, Any]) -> list[str]:
    before = _count(opened)
    with pytest.raises(ImportRefused) as caught:
        bundle.import_bundle(opened.db, SYSTEM_ACTOR, data, now=NOW)
    assert _count(opened) == before
    return caught.value.problems


def test_one_bad_record_writes_nothing(exported: dict[str, Any], empty_db: Opened) -> None:
    data = copy.deepcopy(exported)
    data["young_people"][5]["date_of_birth"] = "2031-02-30"
    data["young_people"][9]["ethnicity"] = "ZZZZ"
    problems = _refused(empty_db, data)
    uid5 = data["young_people"][5]["child_uid"]
    assert any(
        p.startswith(f"young_people[5] (Child Unique ID '{uid5}').date_of_birth")
        and "2031-02-30" in p
        and "YYYY-MM-DD" in p
        for p in problems
    ), problems


def test_domain_problems_name_record_field_value_expected(
    exported: dict[str, Any], empty_db: Opened
) -> None:
    data = copy.deepcopy(exported)
    data["young_people"][2]["ethnicity"] = "ZZZZ"
    data["young_people"][3]["child_uid"] = data["young_people"][4]["child_uid"]
    problems = _refused(empty_db, data)
    assert any(
        "young_people[2]" in p and "ethnicity" in p and "'ZZZZ'" in p and "WBRI" in p
        for p in problems
    ), problems
    assert any("young_people[4]" in p and "already used" in p for p in problems), problems


def test_unknown_worker_and_team(exported: dict[str, Any], empty_db: Opened) -> None:
    data = copy.deepcopy(exported)
    data["young_people"][0]["personal_adviser"] = "no.such.person"
    data["young_people"][1]["team"] = "Atlantis"
    problems = _refused(empty_db, data)
    assert any("personal_adviser" in p and "no.such.person" in p for p in problems)
    assert any("young_people[1]" in p and "'Atlantis'" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "expected a JSON object"),
        (json.dumps({"format": "casework-bundle", "version": 9}), "version"),
        (
            json.dumps(
                {
                    "format": "casework-bundle",
                    "version": 1,
                    "teams": [],
                    "workers": [],
                    "young_people": [],
                    "extra": 1,
                }
            ),
            "unexpected",
        ),
    ],
)
def test_parse_errors(text: str, words: str) -> None:
    with pytest.raises(ImportRefused) as caught:
        bundle.parse_bundle(text)
    assert any(words in p for p in caught.value.problems), caught.value.problems


def test_schema_file_matches_the_section_specs() -> None:
    from casework.services.bundle_casework import young_person_sections_schema

    props = bundle.schema()["properties"]["young_people"]["items"]["properties"]
    for name, spec in young_person_sections_schema().items():
        assert props[name] == spec, name


def test_round_trip_keeps_what_is_due(
    exported: dict[str, Any], empty_db: Opened, demo_db: Opened
) -> None:
    from casework.services import due

    bundle.import_bundle(empty_db.db, SYSTEM_ACTOR, exported, now=NOW)

    def by_child(opened: Opened) -> dict[str, list[tuple[str, str, bool]]]:
        items = due.report_due(opened.db, SYSTEM_ACTOR, as_of=NOW.date(), now=NOW)
        out: dict[str, list[tuple[str, str, bool]]] = {}
        for item in items:
            out.setdefault(item["child_id"], []).append(
                (item["kind"], item["due"], item["overdue"])
            )
        return out

    assert by_child(empty_db) == by_child(demo_db)
    assert sum(len(p["contacts"]) for p in exported["young_people"]) > 100


def test_section_rules_checked(exported: dict[str, Any], empty_db: Opened) -> None:
    data = copy.deepcopy(exported)
    person = next(p for p in data["young_people"] if p["accommodation"])
    person["accommodation"][0]["letter"] = "S"
    person["accommodation"][0]["suitable"] = True
    person["contacts"][0]["author"] = "nobody.known"
    problems = _refused(empty_db, data)
    assert any("accommodation[0].suitable" in p and "always unsuitable" in p for p in problems)
    assert any("contacts[0].author" in p and "nobody.known" in p for p in problems)


def test_version_one_bundles_still_read(exported: dict[str, Any], empty_db: Opened) -> None:
    from casework.services.bundle_casework import SECTIONS

    data = copy.deepcopy(exported)
    data["version"] = 1
    for person in data["young_people"]:
        for name in SECTIONS:
            person.pop(name, None)
    assert bundle.import_bundle(empty_db.db, SYSTEM_ACTOR, data, now=NOW).young_people_created
