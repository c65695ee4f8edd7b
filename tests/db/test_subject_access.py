"""Subject access (UK GDPR Article 15): every table that can refer to a young person is
read, third-party details are marked, the answer is audited and its files owner-only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework import cli
from casework.db import keys
from casework.db.models import AuditEvent, Base, SafeguardingContact, User, YoungPerson
from casework.errors import PermissionDenied
from casework.services import subject_access, text_pdf
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSPHRASE, Opened


def test_every_table_that_can_refer_to_a_person_is_covered() -> None:
    covered = set(subject_access.person_tables())
    for table in Base.metadata.tables.values():
        targets = {fk.column.table.name for fk in table.foreign_keys}
        refers = "young_people" in targets or bool(targets & covered)
        if table.name != "young_people" and (refers or "young_person_id" in table.c):
            assert table.name in covered, f"{table.name} can refer to a young person"
    # Reached only through another table: a contact's addenda, a plan's reviews, an
    # audit's grades, a child protection plan's meetings.
    assert {"contact_addenda", "plan_reviews", "audit_grades", "child_protection_meetings"} <= (
        covered
    )
    assert not covered & {"users", "teams", "audit_samples", "settings"}


def _with_contact(db: Opened) -> int:
    with db.db.reading() as session:
        pid = session.scalar(
            select(SafeguardingContact.young_person_id)
            .where(SafeguardingContact.referrer_name != "")
            .order_by(SafeguardingContact.id)
        )
    assert pid is not None
    return pid


def test_the_answer_holds_every_row_that_refers_to_them(full_demo: Opened, tmp_path: Path) -> None:
    pid = _with_contact(full_demo)
    answer = subject_access.gather(full_demo.db, SYSTEM_ACTOR, pid, now=NOW)
    held: dict[str, int] = {}
    for item in answer.items:
        held[item.table] = held.get(item.table, 0) + 1
    with full_demo.db.reading() as session:
        for name in subject_access.person_tables():
            table = Base.metadata.tables[name]
            if "young_person_id" in table.c:
                count = session.scalar(
                    select(func.count()).select_from(table).where(table.c.young_person_id == pid)
                )
                assert held.get(name, 0) == count, name
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "subject_access", AuditEvent.record_id == str(pid))
        )
    assert audited == 1
    assert len(answer.tables) == len(subject_access.person_tables())
    assert answer.audit_events  # at least the record's creation
    whens = [item.when for item in answer.items if item.when is not None]
    assert [subject_access._sort_day(w) for w in whens] == sorted(
        subject_access._sort_day(w) for w in whens
    )

    written = subject_access.write_files(answer, tmp_path)
    assert [p.suffix for p in written] == [".json", ".pdf"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in written)
    data = json.loads(written[0].read_text(encoding="utf-8"))
    contacts = [r for r in data["records"] if r["table"] == "safeguarding_contacts"]
    assert any("referrer_name" in r["review"] for r in contacts)
    assert data["young_person"]["fields"]["id"] == pid
    pdf = written[1].read_bytes()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"REVIEW \\(names the person who made the referral\\)" in pdf
    with pytest.raises(Exception, match="already exists"):
        subject_access.write_files(answer, tmp_path)


def test_pdf_cross_references_point_at_their_objects() -> None:
    lines = [text_pdf.Line("Title", "title")] + [text_pdf.Line(f"line {n} (x)") for n in range(200)]
    pdf = text_pdf.render(lines, footer="f")
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref\n")
    table = pdf[start:].split(b"\n")
    count = int(table[1].split()[1])
    for number in range(1, count):
        offset = int(table[2 + number].split()[0])
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    assert re.search(rb"/Count (\d+)", pdf) and int(re.search(rb"/Count (\d+)", pdf)[1]) > 1  # type: ignore[index]
    assert b"line 7 \\(x\\)" in pdf


def test_who_may_answer(demo_db: Opened) -> None:
    with demo_db.db.reading() as session:
        pid, team = session.execute(
            select(YoungPerson.id, YoungPerson.team_id).order_by(YoungPerson.id).limit(1)
        ).one()
        worker = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == team)
        )
    assert worker is not None
    with pytest.raises(PermissionDenied, match="subject access"):
        subject_access.gather(demo_db.db, demo_db.login(worker), pid, now=NOW)
    leads = [demo_db.login(name) for name in ("lead.north", "lead.south")]
    own = [lead for lead in leads if team in lead.team_ids]
    other = [lead for lead in leads if team not in lead.team_ids]
    assert subject_access.gather(demo_db.db, own[0], pid, now=NOW).person.key == str(pid)
    with pytest.raises(PermissionDenied):
        subject_access.gather(demo_db.db, other[0], pid, now=NOW)


def test_the_command_line(
    demo_db: Opened,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(keys.OSKeyStore, "is_available", lambda self: False)
    pid = _with_contact(demo_db)
    demo_db.db.close()
    out = tmp_path / "sar"
    out.mkdir()
    argv = ["subject-access", "--person", str(pid), "--out", str(out), "--path", str(demo_db.path)]
    assert cli.main(argv) == 0
    stdout = capsys.readouterr()[0]
    assert "marked for review" in stdout
    assert sorted(p.suffix for p in out.iterdir()) == [".json", ".pdf"]
    assert cli.main(argv) == 1
    assert "already exists" in capsys.readouterr()[1]
    argv[2] = "999999"
    (out / "x").mkdir()
    assert cli.main([*argv[:4], str(out / "x"), "--path", str(demo_db.path)]) == 1
    assert "no young person" in capsys.readouterr()[1]
