"""The SSDA903 care-leaver return from the demo, through the public DfE validator
(csc-validator-be-903 in ``.venv-903``, built by ``make validators``): the demo's return
has 0 errors, and a deliberately broken one fails with the rules expected."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from casework import cli
from casework.db import keys
from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    CarePeriod,
    Contact,
    User,
    YoungPerson,
)
from casework.errors import CaseworkError, PermissionDenied
from casework.returns import ssda903
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSPHRASE, Opened

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2026  # 2025-26, the latest collection year that has ended on the test clock


def _validator() -> Path:
    """The validator's Python. Missing is a failure, never a skip: ``make test`` builds it."""
    python = Path(os.environ.get("CASEWORK_903_PYTHON", ROOT / ".venv-903" / "bin" / "python"))
    assert python.exists(), "run `make validators` to build the SSDA903 validator environment"
    return python


def _validate(folder: Path, year: int = YEAR, last: Path | None = None) -> dict[str, object]:
    argv = [str(_validator()), str(ROOT / "tools" / "validate_903.py"), str(folder)]
    argv += ["--year", str(year), "--json"] + (["--last", str(last)] if last else [])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_demo_return_passes_the_public_validator(full_demo: Opened, tmp_path: Path) -> None:
    extract = ssda903.build_extract(full_demo.db, SYSTEM_ACTOR, YEAR, now=NOW)
    assert extract.breaches == ()
    assert len(extract.oc3) > 50
    assert {row.in_touch for row in extract.oc3} >= {"YES", "NO"}
    out = tmp_path / "return"
    written = ssda903.write_extract(extract, out)
    assert [p.name for p in written] == ["Header.csv", "OC3.csv"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in written)
    assert out.stat().st_mode & 0o077 == 0
    result = _validate(out)
    assert result["errors"] == []
    assert result["tables"] == {"Header": "Header.csv", "OC3": "OC3.csv"}


def _broken(folder: Path) -> Path:
    """The demo's tables with known breaches written in by hand."""
    folder.mkdir()
    (folder / "Header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        "B1,M,10/06/2008,WBRI,,,\n"
        "B2,F,10/06/2006,WBRI,,,\n"
        "B3,F,10/06/2005,WBRI,,,\n"
        "B4,M,10/06/2007,XXXX,,,\n",
        encoding="utf-8",
    )
    (folder / "OC3.csv").write_text(
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
        "B1,10/06/2008,YES,F2,Z1\n"  # 3001: Staying Put at 17
        "B2,10/06/2006,YES,0,D1\n"  # 345: in touch with no activity
        "B3,10/06/2005,DIED,F2,0\n"  # 344: died with an activity
        "B4,10/06/2007,YES,F2,S1\n",  # 133: homeless is always unsuitable; 103 ethnicity
        encoding="utf-8",
    )
    return folder


def test_a_broken_return_fails_with_the_expected_rules(tmp_path: Path) -> None:
    folder = _broken(tmp_path / "broken")
    result = _validate(folder)
    found = {(e["child"], e["rule"]) for e in result["errors"]}  # type: ignore[attr-defined]
    expected = {("B1", "3001"), ("B2", "345"), ("B3", "344"), ("B4", "133"), ("B4", "103")}
    assert expected <= found
    ours = {
        (b.child, b.rule)
        for b in ssda903.rules.check_return(
            [
                ssda903.rules.HeaderRow("B1", "M", date(2008, 6, 10), "WBRI"),
                ssda903.rules.HeaderRow("B2", "F", date(2006, 6, 10), "WBRI"),
                ssda903.rules.HeaderRow("B3", "F", date(2005, 6, 10), "WBRI"),
                ssda903.rules.HeaderRow("B4", "M", date(2007, 6, 10), "XXXX"),
            ],
            ssda903.read_oc3(folder),
            YEAR,
        )
    }
    assert expected <= ours  # our own rules find what the validator finds


def test_348_needs_last_years_return(tmp_path: Path) -> None:
    last = tmp_path / "last"
    last.mkdir()
    (last / "OC3.csv").write_text(
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nD1,10/06/2006,DIED,0,0\n", encoding="utf-8"
    )
    now = tmp_path / "now"
    now.mkdir()
    (now / "Header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nD1,M,10/06/2006,WBRI,,,\n", encoding="utf-8"
    )
    (now / "OC3.csv").write_text(
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nD1,10/06/2006,NO,0,0\n", encoding="utf-8"
    )
    found = {e["rule"] for e in _validate(now, last=last)["errors"]}  # type: ignore[attr-defined]
    assert "348" in found
    ours = ssda903.rules.check_return(
        [ssda903.rules.HeaderRow("D1", "M", date(2006, 6, 10), "WBRI")],
        ssda903.read_oc3(now),
        YEAR,
        ssda903.read_oc3(last),
    )
    assert [b.rule for b in ours] == ["348"]


def _person(db: Opened, dob: date, *, ceased: date) -> int:
    with db.db.unit_of_work() as session:
        team = session.scalar(YoungPerson.__table__.select().with_only_columns(YoungPerson.team_id))
        person = YoungPerson(
            child_uid="C900001",
            first_name="Test",
            last_name="Person",
            date_of_birth=dob,
            sex="female",
            ethnicity="WBRI",
            disability="no",
            eligibility="former_relevant",
            team_id=team,
            date_ceased_looked_after=ceased,
            created_at=NOW.replace(tzinfo=None),
            updated_at=NOW.replace(tzinfo=None),
        )
        session.add(person)
        session.flush()
        return person.id


@pytest.mark.tampers  # rows written straight to the tables, without the services
def test_values_are_those_around_the_birthday_not_todays(demo_db: Opened) -> None:
    pid = _person(demo_db, date(2006, 9, 15), ceased=date(2024, 9, 15))  # 19 on 15/9/2025
    naive = datetime(2025, 8, 1, 10, 0)
    with demo_db.db.unit_of_work() as session:
        author = session.scalar(Contact.__table__.select().with_only_columns(Contact.author_id))
        session.add_all(
            [
                CarePeriod(  # looked after from 14 until their 18th birthday
                    young_person_id=pid,
                    started_on=date(2020, 9, 15),
                    ended_on=date(2024, 9, 14),
                    legal_status="C2: full care order",
                    recorded_at=naive,
                ),
                AccommodationPeriod(
                    young_person_id=pid,
                    letter="D",
                    started_on=date(2024, 9, 15),
                    ended_on=date(2025, 12, 31),
                    suitable=True,
                ),
                AccommodationPeriod(
                    young_person_id=pid, letter="S", started_on=date(2026, 1, 1), suitable=False
                ),
                ActivityPeriod(
                    young_person_id=pid,
                    code="F2",
                    started_on=date(2024, 9, 15),
                    ended_on=date(2025, 12, 31),
                ),
                ActivityPeriod(young_person_id=pid, code="G5", started_on=date(2026, 1, 1)),
                Contact(
                    young_person_id=pid,
                    occurred_at=naive,  # six weeks before the birthday: in the window
                    method="phone",
                    successful=True,
                    made_by="personal_adviser",
                    status="final",
                    author_id=author,
                    created_at=naive,
                    updated_at=naive,
                    finalised_at=naive,
                ),
            ]
        )
    extract = ssda903.build_extract(demo_db.db, SYSTEM_ACTOR, YEAR, now=NOW)
    (row,) = [r for r in extract.oc3 if r.child == "C900001"]
    assert (row.in_touch, row.activ, row.accom, row.age) == ("YES", "F2", "D1", 19)


def test_only_administrators_and_the_tool_export_returns(demo_db: Opened) -> None:
    """A return covers every team's young people: the council's performance staff (an
    administrator, or casework-admin) produce it; a team lead sees only their teams."""
    with demo_db.db.reading() as session:
        name = session.scalar(select(User.username).where(User.role == "practitioner"))
        admin = session.scalar(select(User.username).where(User.role == "admin"))
    assert name is not None and admin is not None
    assert ssda903.build_extract(demo_db.db, demo_db.login(admin), YEAR, now=NOW).year == YEAR
    for refused in (name, "lead.north"):
        with pytest.raises(PermissionDenied, match="statutory returns"):
            ssda903.build_extract(demo_db.db, demo_db.login(refused), YEAR, now=NOW)


def test_the_command_line(
    full_demo: Opened,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(keys.OSKeyStore, "is_available", lambda self: False)
    full_demo.db.close()
    out = tmp_path / "ssda"
    path = str(full_demo.path)
    code = cli.main(["export", "ssda903", "--year", "2026", "--out", str(out), "--path", path])
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    assert "care leavers for 2025-26" in stdout
    assert _validate(out)["errors"] == []
    code = cli.main(["export", "ssda903", "--year", "2026", "--out", str(out), "--path", path])
    assert code == 1 and "not an empty folder" in capsys.readouterr()[1]
    following = ["--out", str(tmp_path / "next"), "--last", str(out), "--path", path]
    assert cli.main(["export", "ssda903", "--year", "2027", *following]) == 0
    assert "care leavers for 2026-27" in capsys.readouterr()[0]
    code = cli.main(["export", "ssda903", "--year", "26", "--out", str(tmp_path / "x")])
    assert code == 1 and "not a collection year" in capsys.readouterr()[1]
    code = cli.main(["export", "ssda903", "--out", str(tmp_path / "x")])
    assert code == 1 and "needs --year" in capsys.readouterr()[1]
    with pytest.raises(CaseworkError, match="OC3 files"):
        ssda903.read_oc3(tmp_path)
