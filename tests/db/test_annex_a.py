"""Annex A from the record and back: the export agrees with the rules the app shows, the
completeness report names what is missing, an export imported into an empty database
exports again identically, a re-import changes nothing, and a malformed workbook, a dry
run, a cancel or a refusal writes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from casework import cli
from casework.db import keys
from casework.db.models import AuditEvent, Referral, YoungPerson
from casework.domain.codes import InTouch
from casework.errors import Cancelled, ImportRefused, PermissionDenied
from casework.returns import annex_a as fmt
from casework.returns import annex_a_export, annex_a_import
from casework.services import audit, due
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSPHRASE, Opened

AS_OF = date(2026, 11, 27)
TABLES = (
    "young_people",
    "safeguarding_contacts",
    "referrals",
    "contacts",
    "accommodation_periods",
    "activity_periods",
    "pathway_plans",
    "in_touch_status_events",
    "users",
    "teams",
    "audit_events",
)


def _export(opened: Opened) -> annex_a_export.AnnexA:
    return annex_a_export.export_annex_a(opened.db, SYSTEM_ACTOR, as_of=AS_OF, now=NOW)


def _workbook(opened: Opened, tmp_path: Path) -> Path:
    path = tmp_path / "annex.xlsx"
    fmt.write_workbook(path, _export(opened).lists)
    return path


def _import(opened: Opened, path: Path, **kwargs: object) -> annex_a_import.ImportSummary:
    return annex_a_import.import_annex_a(
        opened.db, SYSTEM_ACTOR, path, now=NOW, as_of=AS_OF, default_team="North", **kwargs
    )  # type: ignore[arg-type]


def _counts(opened: Opened) -> dict[str, int]:
    with opened.db.reading() as session:
        return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def test_round_trip_gives_identical_lists(
    demo_db: Opened, empty_db: Opened, tmp_path: Path
) -> None:
    first = _export(demo_db)
    assert all(first.lists[n] for n in (1, 3, 9)), "the demo fills lists 1, 3 and 9"
    path = tmp_path / "annex.xlsx"
    fmt.write_workbook(path, first.lists)
    summary = _import(empty_db, path)
    assert summary.people_created and not summary.dry_run
    again = _export(empty_db)
    for list_no in (1, 3, 9):
        assert again.lists[list_no] == first.lists[list_no], f"List {list_no}"
    before = _counts(empty_db)
    second = _import(empty_db, path)
    assert (second.people_created, second.people_updated, second.contacts) == (0, 0, 0)
    assert (second.referrals, second.care_leaver_facts) == (0, 0)
    after = _counts(empty_db)
    assert {t: after[t] - before[t] for t in TABLES if after[t] != before[t]} == {
        "audit_events": 1
    }, "a re-import writes nothing but its own audit event"
    assert _export(empty_db).lists == again.lists


def test_list_9_follows_the_rules_the_app_shows(demo_db: Opened) -> None:
    """LA in Touch and Latest Date of Contact are the record's own (report status)."""
    rows = {row[0]: row for row in _export(demo_db).lists[9]}
    report = due.report_status(demo_db.db, SYSTEM_ACTOR, as_of=AS_OF, now=NOW)
    index = {c.header: i for i, c in enumerate(fmt.columns(9))}
    checked = 0
    for entry in report:
        row = rows.get(entry["child_id"])
        if row is None:
            continue
        checked += 1
        assert row[index["LA in Touch"]] == InTouch(entry["in_touch"]).annex_a
        latest = entry["latest_date_of_contact"]
        assert row[index["Latest Date of Contact"]] == (
            date.fromisoformat(latest) if latest else None
        )
    assert checked == len(rows)


def test_nfa_and_12_month_count(demo_db: Opened) -> None:
    """A referral's count is of the young person's other referrals in the 12 months up to
    it; NFA only for a no-further-action decision made by the inspection date."""
    result = _export(demo_db)
    with demo_db.db.reading() as session:
        referrals = session.execute(
            select(YoungPerson.child_uid, Referral.received_at, Referral.decision).join(
                YoungPerson, YoungPerson.id == Referral.young_person_id
            )
        ).all()
    for row in result.lists[3]:
        uid, day = row[0], row[5]
        assert isinstance(day, date)
        mine = [r for r in referrals if r.child_uid == uid]
        earlier = [
            r
            for r in mine
            if r.received_at.date() <= day
            and r.received_at.date() >= day.replace(year=day.year - 1)
        ]
        assert row[8] == len(earlier) - 1


def test_completeness_names_the_child_field_and_fix(demo_db: Opened) -> None:
    uid = _export(demo_db).lists[9][0][0]
    with demo_db.db.unit_of_work() as session:  # through the ORM: the trail vouches for it
        person = session.scalars(select(YoungPerson).where(YoungPerson.child_uid == uid)).one()
        person.personal_adviser_id = None
        audit.record(
            session,
            SYSTEM_ACTOR,
            "test_change",
            now=NOW,
            record_type="young_people",
            record_id=person.id,
        )
    gaps = [g for g in _export(demo_db).gaps if g.child_uid == uid]
    assert any(g.field == "Allocated Personal Advisor" and g.list_no == 9 for g in gaps)
    gap = next(g for g in gaps if g.field == "Allocated Personal Advisor")
    assert str(gap) == (
        f"List 9, Child Unique ID {uid}: 'Allocated Personal Advisor' has nothing recorded; "
        "expected an allocated personal adviser. Fix it on the record: Details tab, "
        "Personal adviser."
    )
    with demo_db.db.reading() as session:
        assert gap.person_id == session.scalar(
            select(YoungPerson.id).where(YoungPerson.child_uid == uid)
        )


def _break(path: Path, sheet: str, cell: str, value: object) -> Path:
    book = load_workbook(path)
    book[sheet][cell] = value
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("missing sheet", "List 3: found blank; expected this sheet in the workbook."),
        (
            "wrong header",
            "List 9, row 1, column 'LA in Touch': found 'In Touch'; expected the header "
            "'LA in Touch' (values not checked).",
        ),
        (
            "bad date",
            "List 1, row 2, column 'Date of Contact': found '2026-06-01'; expected a date "
            "written dd/mm/yyyy.",
        ),
        (
            "unknown code",
            "List 3, row 2, column 'Referral NFA?': found 'Yes'; expected one of 'a) Yes', "
            "'b) No'.",
        ),
        (
            "duplicate id",
            "List 9, row 3, column 'Child Unique ID': found ",
        ),
    ],
)
def test_malformed_workbook_changes_nothing(
    demo_db: Opened, empty_db: Opened, tmp_path: Path, fault: str, message: str
) -> None:
    path = _workbook(demo_db, tmp_path)
    if fault == "missing sheet":
        book = load_workbook(path)
        del book["List 3"]
        book.save(path)
    elif fault == "wrong header":
        _break(path, "List 9", "M1", "In Touch")
    elif fault == "bad date":
        _break(path, "List 1", "F2", "2026-06-01")
    elif fault == "unknown code":
        _break(path, "List 3", "H2", "Yes")
    else:
        book = load_workbook(path)
        sheet = book["List 9"]
        sheet["A3"] = sheet["A2"].value
        book.save(path)
    before = _counts(empty_db)
    with pytest.raises(ImportRefused) as refused:
        _import(empty_db, path)
    assert any(p.startswith(message) for p in refused.value.problems), refused.value.problems
    assert _counts(empty_db) == before


def test_content_problems_are_all_reported_and_nothing_written(
    demo_db: Opened, empty_db: Opened, tmp_path: Path
) -> None:
    path = _workbook(demo_db, tmp_path)
    book = load_workbook(path)
    book["List 1"]["E2"] = 99
    book.save(path)
    before = _counts(empty_db)
    with pytest.raises(ImportRefused) as refused:
        _import(empty_db, path)
    problems = refused.value.problems
    assert any("List 1, row 2, column 'Age of Child (Years)': found 99" in p for p in problems)
    assert _counts(empty_db) == before


def test_dry_run_and_cancel_write_nothing(
    demo_db: Opened, empty_db: Opened, tmp_path: Path
) -> None:
    path = _workbook(demo_db, tmp_path)
    before = _counts(empty_db)
    summary = _import(empty_db, path, dry_run=True)
    assert summary.dry_run and summary.people_created > 0
    assert _counts(empty_db) == before
    steps: list[str] = []

    def cancelled() -> bool:
        return len(steps) >= 3  # after a few steps, part-way through writing

    with pytest.raises(Cancelled):
        _import(empty_db, path, progress=steps.append, cancelled=cancelled)
    assert _counts(empty_db) == before
    assert steps


def test_export_cancel(demo_db: Opened) -> None:
    with pytest.raises(Cancelled):
        annex_a_export.export_annex_a(
            demo_db.db, SYSTEM_ACTOR, as_of=AS_OF, now=NOW, cancelled=lambda: True
        )


def test_practitioner_may_neither_export_nor_import(demo_db: Opened, tmp_path: Path) -> None:
    worker = demo_db.login("lead.north")
    with demo_db.db.reading() as session:
        audits = session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(PermissionDenied):
        annex_a_export.export_annex_a(demo_db.db, worker, as_of=AS_OF, now=NOW)
    with pytest.raises(PermissionDenied):
        annex_a_import.import_annex_a(demo_db.db, worker, tmp_path / "x.xlsx", now=NOW)
    with demo_db.db.reading() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == (audits or 0) + 2, (
            "each refusal is audited"
        )


def test_import_updates_an_existing_child_rather_than_duplicating(
    demo_db: Opened, tmp_path: Path
) -> None:
    """Importing the demo's own export into the demo adds no young person and no contact
    or referral it already holds."""
    path = _workbook(demo_db, tmp_path)
    before = _counts(demo_db)
    summary = _import(demo_db, path)
    assert (summary.people_created, summary.contacts, summary.referrals) == (0, 0, 0)
    assert _counts(demo_db)["young_people"] == before["young_people"]


def test_cli_export_and_import(
    demo_db: Opened,
    empty_db: Opened,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(keys.OSKeyStore, "is_available", lambda self: False)
    demo_db.db.close()
    empty_db.db.close()
    out = tmp_path / "annex.xlsx"
    code = cli.main(
        [
            "export",
            "annex-a",
            "--path",
            str(demo_db.path),
            "--as-of",
            "2026-11-27",
            "--out",
            str(out),
            "--template-year",
            "2025",
            "--csv",
            str(tmp_path),
        ]
    )
    printed, err = capsys.readouterr()
    assert code == 0, err
    assert "Annex A for 27/11/2026 (lists 1, 3 and 5 from 27/05/2026)" in printed
    assert "Completeness:" in printed and "... List 9" in err
    assert load_workbook(out)["List 9"]["B1"].value == "Gender"
    assert (tmp_path / "List_9.csv").exists()
    args = ["import", "annex-a", str(out), "--path", str(empty_db.path), "--as-of", "2026-11-27"]
    code = cli.main([*args, "--team", "North", "--dry-run"])
    printed, err = capsys.readouterr()
    assert code == 0, err
    assert printed.startswith("Would import:") and "nothing was written" in printed
    assert "... Reading the workbook" in err
    code = cli.main(["export", str(tmp_path / "b.json"), "--path", str(demo_db.path), "--out", "x"])
    _, err = capsys.readouterr()
    assert code == 1 and "belong to `export annex-a`" in err
