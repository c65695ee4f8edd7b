"""The chronology: events newest first, kind filters, and the PDF export."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from casework.db.models import AuditEvent, Contact
from casework.services.chronology import EventKind, chronology
from ui.views.chronology import ChronologyDialog, ChronologyView, count_text

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TIMEOUT = 10_000


def busiest_person(env: Env) -> int:
    """A young person in the lead's team with the most contacts."""
    with env.db.reading() as session:
        found = session.execute(
            select(Contact.young_person_id)
            .group_by(Contact.young_person_id)
            .order_by(func.count(Contact.id).desc())
        ).scalars()
        for person_id in found:
            if env.person(id=person_id).team_id in env.lead.team_ids:
                return int(person_id)
    raise AssertionError("no young person in the lead's team has contacts")


def make_view(qtbot: QtBot, env: Env) -> tuple[ChronologyView, int]:
    view = ChronologyView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    person_id = busiest_person(env)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.show_person(person_id, "Test Person (C1)")
    return view, person_id


def test_events_are_shown_newest_first(qtbot: QtBot, env: Env) -> None:
    view, person_id = make_view(qtbot, env)
    expected = chronology(env.db, env.lead, person_id, now=env.now)
    assert len(expected) > 5
    assert view.events() == view.shown_events() == expected
    days = [e.on for e in view.shown_events()]
    assert days == sorted(days, reverse=True)
    shown = view.browser.toPlainText()
    assert expected[0].title in shown and expected[-1].title in shown
    assert shown.index(expected[0].title) < shown.index(expected[-1].title)
    assert f"{expected[0].on:%d/%m/%Y}" in shown
    assert view.count.text() == count_text(len(expected), len(expected))
    contacts = sum(e.kind is EventKind.CONTACT for e in expected)
    assert view.kind_boxes[EventKind.CONTACT].text() == f"Contacts ({contacts})"
    assert view.export_button.isEnabled()


def test_filtering_by_kind_narrows_the_list(qtbot: QtBot, env: Env) -> None:
    view, _person_id = make_view(qtbot, env)
    everything = view.events()
    view.kind_boxes[EventKind.CONTACT].setChecked(False)
    without = view.shown_events()
    assert without == [e for e in everything if e.kind is not EventKind.CONTACT]
    assert len(without) < len(everything)
    assert view.count.text() == f"{len(without)} of {len(everything)} events shown, newest first"
    view.set_kinds([EventKind.CONTACT])
    only = view.shown_events()
    assert only and all(e.kind is EventKind.CONTACT for e in only)
    view.set_kinds([])
    assert view.shown_events() == []
    assert "No events of the kinds chosen" in view.browser.toPlainText()
    assert not view.export_button.isEnabled()
    view.show_all_kinds()
    assert view.shown_events() == everything


def test_export_writes_an_audited_pdf(qtbot: QtBot, env: Env, tmp_path: Path) -> None:
    view, person_id = make_view(qtbot, env)
    target = tmp_path / "chronology.pdf"
    with qtbot.waitSignal(view.exported, timeout=TIMEOUT) as exported:
        view.export_pdf_to(target)
    assert exported.args == [str(target)]
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000
    assert "Saved" in view.status.text() and "secure" in view.status.text()
    with env.db.reading() as session:
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export_chronology")
        ).all()
    assert [a.record_id for a in audited] == [str(person_id)]


def test_export_of_some_kinds_only_and_a_folder_that_cannot_be_written(
    qtbot: QtBot, env: Env, tmp_path: Path
) -> None:
    view, _person_id = make_view(qtbot, env)
    view.set_kinds([EventKind.ACCOMMODATION, EventKind.PLAN])
    target = tmp_path / "some.pdf"
    with qtbot.waitSignal(view.exported, timeout=TIMEOUT):
        view.export_pdf_to(target)
    assert target.read_bytes().startswith(b"%PDF")

    blocked = tmp_path / "no-such-folder" / "x.pdf"
    with qtbot.waitSignal(view.export_failed, timeout=TIMEOUT) as failed:
        view.export_pdf_to(blocked)
    assert "could not be saved" in failed.args[0]
    assert view.export_button.isEnabled()


def test_clear_forgets_the_young_person(qtbot: QtBot, env: Env) -> None:
    view, _person_id = make_view(qtbot, env)
    view.clear()
    assert view.person_id is None and view.events() == []
    assert view.browser.toPlainText() == "" and view.count.text() == ""
    assert not view.export_button.isEnabled()


def test_dialog_shows_the_young_person_and_clears_when_closed(qtbot: QtBot, env: Env) -> None:
    person_id = busiest_person(env)
    dialog = ChronologyDialog(env.db, env.lead, env.clock, person_id, name="Test Person (C1)")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Chronology — Test Person (C1)"
    qtbot.waitUntil(lambda: bool(dialog.view.events()), timeout=TIMEOUT)
    dialog.reject()
    assert dialog.view.events() == []


def test_pdf_filter_note_names_the_left_out_kinds_when_few_are_unticked() -> None:
    from casework.services.chronology import EventKind
    from ui.views.chronology import _filter_note

    kept = [k for k in EventKind if k is not EventKind.CONTACT]
    note = _filter_note(kept)
    assert "Not included in this chronology: contacts." in note
    assert "accommodation" not in note.lower()

    only = [EventKind.CONTACT]
    assert "Only these kinds of event are included: contacts." in _filter_note(only)
    assert _filter_note(None) == ""
