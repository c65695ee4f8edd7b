"""Subject access (UK GDPR Article 15): every table that can refer to a young person is
read, third-party details are marked, the answer is audited and its files owner-only."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casework import cli
from casework.db import keys
from casework.db.models import AuditEvent, Base, SafeguardingContact, User, YoungPerson
from casework.errors import PermissionDenied
from casework.services import document_pdf, subject_access
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
    text = _pdf_text(written[1])
    first = answer.person.fields["first_name"]
    assert f"Subject access record: {first}" in text[0]
    assert "DRAFT FOR REVIEW" in text[0]
    assert any("REVIEW (names the person who made the referral): referrer name:" in t for t in text)
    whole = " ".join(text)
    sections = ["The young person's record", "Chronology", "Who read or changed the record"]
    assert [whole.index(s) for s in sections] == sorted(whole.index(s) for s in sections)
    assert whole.count(" UTC: ") == len(answer.audit_events)
    uid = answer.person.fields["child_uid"]
    for number, page in enumerate(text, start=1):
        footer = f"OFFICIAL-SENSITIVE: personal data. Subject access draft: {uid}"
        assert f"{footer} Page {number} of {len(text)}" in page
    with pytest.raises(Exception, match="already exists"):
        subject_access.write_files(answer, tmp_path)


def _pdf_text(path: Path) -> list[str]:
    """Each page's text as a reader extracts it, runs of white space made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_names_outside_latin_1_print_as_written(full_demo: Opened, tmp_path: Path) -> None:
    pid = _with_contact(full_demo)
    answer = subject_access.gather(full_demo.db, SYSTEM_ACTOR, pid, now=NOW)
    fields = {**answer.person.fields, "first_name": "Zoë", "last_name": "Ní Bhriain Łukasz"}
    renamed = replace(answer, person=replace(answer.person, fields=fields))
    written = subject_access.write_files(renamed, tmp_path)
    text = _pdf_text(written[1])
    assert "Subject access record: Zoë Ní Bhriain Łukasz" in text[0]
    assert "first name: Zoë" in text[0] and "last name: Ní Bhriain Łukasz" in text[0]
    data = json.loads(written[0].read_text(encoding="utf-8"))
    assert data["young_person"]["fields"]["last_name"] == "Ní Bhriain Łukasz"


def test_the_pdf_layout() -> None:
    lines = [
        document_pdf.Line("Title: Zoë", "title"),
        document_pdf.Line("A heading", "heading"),
        document_pdf.Line("REVIEW (why): a flagged line", "flag", 12),
        document_pdf.Line("No glyph here: \u4e2d, kept in the JSON"),
        document_pdf.Line("first\nsecond"),
        document_pdf.Line("word " * 400),  # one paragraph over several lines
    ] + [document_pdf.Line(f"line {n} (x)") for n in range(200)]
    pdf = document_pdf.render(lines, footer="Draft 7")
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 2
    assert pages[0].splitlines()[:4] == [
        "Title: Zoë",
        "A heading",
        "REVIEW (why): a flagged line",
        "No glyph here: ?, kept in the JSON",
    ]
    assert "first\nsecond" in pages[0]
    body = "\n".join(pages)
    assert body.count("word") == 400 and "line 7 (x)" in body and "line 199 (x)" in body
    assert pages[-1].splitlines()[-1] == (
        f"OFFICIAL-SENSITIVE: personal data. Draft 7  Page {len(pages)} of {len(pages)}"
    )
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    assert {str(f["/BaseFont"]).split("+")[-1] for f in fonts} == {
        "DejaVuSansBook",
        "DejaVuSansBold",
    }
    for font in fonts:  # the glyphs used are embedded: no reader needs the font installed
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
    with pytest.raises(ValueError, match="Unknown PDF line style"):
        document_pdf.Line("x", "shouting")


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
