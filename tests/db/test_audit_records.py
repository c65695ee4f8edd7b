"""The audit trail proves the records: an emptied or cut-short chain fails on a database
that holds records, and ``verify-audit --records`` names every row edited, deleted or
inserted behind Casework's back (with the key); a head recorded elsewhere anchors the
chain."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from casework import cli
from casework.db import audit_rows
from casework.services import audit, closure
from tests.conftest import NOW, PASSWORD, Opened
from tests.db.test_closure import FULL, Case, case  # noqa: F401  (the fixture)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _raw(opened: Opened, *statements: str) -> None:
    """What someone holding the key could do, outside Casework."""
    with opened.db.unit_of_work() as session:
        session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for statement in statements:
            session.execute(text(statement))


def _chain(opened: Opened) -> audit.ChainReport:
    with opened.db.reading() as session:
        return audit.verify_chain(session)


def _rows(opened: Opened) -> list[str]:
    with opened.db.reading() as session:
        return [str(p) for p in audit.verify_records(session)]


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import PASSPHRASE

    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)


def test_a_demo_database_passes_records_and_prints_its_full_head(
    demo_db: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    head = _chain(demo_db).head_hash
    demo_db.db.close()
    code, out, err = _run(capsys, "verify-audit", "--records", "--path", str(demo_db.path))
    assert code == 0, err
    assert "Every record matches its latest audit event." in out and f"Head: {head}" in out


@pytest.mark.tampers
def test_an_emptied_trail_fails(demo_db: Opened, capsys: pytest.CaptureFixture[str]) -> None:
    _raw(demo_db, "DELETE FROM audit_events", "DELETE FROM audit_head")
    report = _chain(demo_db)
    assert not report.ok and "is empty but the database holds records" in report.problem
    demo_db.db.close()
    code, _, err = _run(capsys, "verify-audit", "--path", str(demo_db.path))
    assert code == 1 and err.startswith("casework-admin: audit trail broken")
    assert "Traceback" not in err


@pytest.mark.tampers
def test_a_cut_short_trail_with_its_head_rewritten_fails(demo_db: Opened) -> None:
    with demo_db.db.reading() as session:
        last = _chain(demo_db).events
        keep, keep_hash = session.execute(
            text(f"SELECT id, hash FROM audit_events WHERE id = {last - 300}")
        ).one()
    _raw(
        demo_db,
        f"DELETE FROM audit_events WHERE id > {keep}",
        f"UPDATE audit_head SET last_event_id = {keep}, last_hash = '{keep_hash}'",
    )
    report = _chain(demo_db)
    assert not report.ok and "never recorded" in report.problem
    assert _rows(demo_db)  # and every row the removed events recorded is named


@pytest.mark.tampers
def test_records_edited_deleted_and_inserted_with_the_key_are_named(
    demo_db: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    with demo_db.db.reading() as session:
        person = session.execute(text("SELECT MIN(id) FROM young_people")).scalar()
        support = session.execute(text("SELECT MIN(id), MAX(id) FROM support_events")).one()
    _raw(
        demo_db,
        f"UPDATE young_people SET first_name = 'Changed' WHERE id = {person}",
        f"DELETE FROM support_events WHERE id = {support[0]}",
    )
    assert _chain(demo_db).ok  # the chain alone cannot see these two
    _raw(
        demo_db,
        "INSERT INTO support_events (id, young_person_id, kind, occurred_on, note, recorded_by) "
        f"SELECT {support[1] + 1000}, young_person_id, kind, occurred_on, 'slipped in', "
        f"recorded_by FROM support_events WHERE id = {support[1]}",
    )
    assert "never recorded (support_events" in _chain(demo_db).problem  # a new newest row
    found = _rows(demo_db)
    assert any(f"young_people {person}: " in p and "(edited)" in p for p in found)
    assert any(f"support_events {support[0]}: " in p and "(deleted)" in p for p in found)
    assert any(f"support_events {support[1] + 1000}: " in p and "(inserted)" in p for p in found)
    assert len(found) == 3
    demo_db.db.close()
    code, _, err = _run(capsys, "verify-audit", "--records", "--path", str(demo_db.path))
    lines = err.splitlines()
    assert code == 1 and "Traceback" not in err
    assert lines[0].startswith("casework-admin: audit trail broken")  # the new newest row
    assert lines[1] == (
        "casework-admin: 3 record(s) do not match their latest audit event (changed behind "
        "Casework's back):"
    )
    assert len(lines) == 5 and all(line.startswith("  ") for line in lines[2:])


def test_work_done_through_casework_keeps_every_record_matching(case: Case) -> None:  # noqa: F811
    db = case.opened.db
    (rid,) = closure.request_closure(db, case.worker, case.pid, FULL, now=NOW).ids
    closure.return_closure(db, case.lead, rid, "Say more.", now=NOW)
    closure.resubmit_closure(db, case.worker, rid, FULL, now=NOW)
    closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    closure.close_case(db, case.worker, rid, NOW.date(), now=NOW)
    closure.reopen_case(db, case.lead, case.pid, "Asked for help again.", now=NOW)
    assert _chain(case.opened).ok and _rows(case.opened) == []


def test_a_head_recorded_elsewhere_anchors_the_trail(
    demo_db: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    head = _chain(demo_db).head_hash
    closure_lead = demo_db.login("lead.north")  # more events after the head was recorded
    assert closure_lead.username == "lead.north"
    demo_db.db.close()
    path = str(demo_db.path)
    code, out, _ = _run(capsys, "verify-audit", "--expect-head", head, "--path", path)
    assert code == 0 and "anchored" in out
    code, _, err = _run(capsys, "verify-audit", "--expect-head", "ab" * 32, "--path", path)
    assert code == 1 and "is not in the audit trail" in err
    code, _, err = _run(capsys, "verify-audit", "--expect-head", "nonsense", "--path", path)
    assert code == 1 and "64 hex digits" in err


def test_the_upgrade_baseline_vouches_for_rows_written_before_row_hashes(
    demo_db: Opened,
) -> None:
    """What migration 0008 does for an existing database: one event per row the trail
    does not yet vouch for; afterwards every row matches and the chain holds."""
    with demo_db.db.reading() as session:
        support = session.execute(text("SELECT MAX(id) FROM support_events")).scalar()
    _raw(
        demo_db,
        "INSERT INTO support_events (id, young_person_id, kind, occurred_on, note, recorded_by) "
        f"SELECT {support + 1}, young_person_id, kind, occurred_on, note, recorded_by "
        f"FROM support_events WHERE id = {support}",
    )
    assert len(_rows(demo_db)) == 1
    with demo_db.db.unit_of_work() as session:
        conn = session.connection()
        audit_rows.append_row_events(
            conn,
            audit_rows.unvouched_rows(conn),
            occurred_at=NOW.replace(tzinfo=None),
            actor_id=None,
            actor_role="system",
            action="baseline_records",
        )
    assert _rows(demo_db) == [] and _chain(demo_db).ok
