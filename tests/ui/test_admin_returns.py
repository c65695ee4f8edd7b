"""Returns (administrators): the Annex A export shows its completeness report, a workbook
is checked and imported with a progress bar, and Cancel leaves nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from casework.db.models import AuditEvent, YoungPerson
from tests.ui.conftest import Clock, Opened
from ui.main_window import MainWindow
from ui.views.admin_returns import AdminReturnsView

TIMEOUT = 30_000


def returns_view(qtbot: QtBot, opened: Opened, clock: Clock) -> AdminReturnsView:
    window = MainWindow(opened.db, opened.login(opened.admin), clock)
    qtbot.addWidget(window)
    window.show()
    view = window.workspace.sections["Returns"]
    assert isinstance(view, AdminReturnsView)
    return view


def _counts(opened: Opened) -> tuple[int, int]:
    with opened.db.reading() as session:
        people = session.scalar(select(func.count(YoungPerson.id))) or 0
        events = session.scalar(select(func.count(AuditEvent.id))) or 0
    return people, events


def test_export_then_check_and_reimport(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock, tmp_path: Path
) -> None:
    view = returns_view(qtbot, opened, fixed_clock)
    target = tmp_path / "annex.xlsx"
    with qtbot.waitSignal(view.finished, timeout=TIMEOUT):
        view.export_to(target)
        assert not view.progress.isHidden() and view.cancel_button.isEnabled()
    assert view.result.text().startswith(f"Wrote {target} (List 1:")  # the full path
    assert "Completeness:" in view.result.text()
    assert load_workbook(target).sheetnames == ["List 1", "List 3", "List 5", "List 9"]
    assert view.progress.isHidden() and not view.cancel_button.isEnabled()

    people, _ = _counts(opened)
    with qtbot.waitSignal(view.finished, timeout=TIMEOUT):
        view.import_from(target, dry_run=True)
    assert view.result.text().startswith("Would import: 0 young people new")
    assert view.result.text().endswith("nothing was written.")
    assert _counts(opened)[0] == people


def test_a_refused_workbook_lists_every_problem(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock, tmp_path: Path
) -> None:
    view = returns_view(qtbot, opened, fixed_clock)
    target = tmp_path / "annex.xlsx"
    with qtbot.waitSignal(view.finished, timeout=TIMEOUT):
        view.export_to(target)
    book = load_workbook(target)
    book["List 1"]["F1"] = "Contact date"
    book.save(target)
    before = _counts(opened)
    with qtbot.waitSignal(view.finished, timeout=TIMEOUT):
        view.import_from(target, dry_run=False)
    assert view.result.text() == "Nothing was imported: 1 problem(s) to fix in the workbook."
    assert view.report.toPlainText() == (
        "List 1, row 1, column 'Date of Contact': found 'Contact date'; expected the header "
        "'Date of Contact' (values not checked)."
    )
    assert _counts(opened)[0] == before[0]


def test_cancel_leaves_nothing_written(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock, tmp_path: Path
) -> None:
    view = returns_view(qtbot, opened, fixed_clock)
    target = tmp_path / "annex.xlsx"
    with qtbot.waitSignal(view.finished, timeout=TIMEOUT):
        view.export_to(target)
    view.team.setText("Leaving Care North")
    people, _ = _counts(opened)
    with qtbot.waitSignal(view.finished, timeout=TIMEOUT):
        view.import_from(target, dry_run=False)
        view.cancel()
    assert view.result.text() == "The import was cancelled: nothing was written."
    assert _counts(opened)[0] == people
    cancelled = tmp_path / "cancelled.xlsx"
    with qtbot.waitSignal(view.finished, timeout=TIMEOUT):
        view.export_to(cancelled)
        view.cancel()
    assert view.result.text() == "The Annex A export was cancelled: nothing was written."
    assert not cancelled.exists()


def test_the_save_dialog_starts_in_documents_not_the_working_folder(
    qtbot: QtBot,
    opened: Opened,
    fixed_clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    view = returns_view(qtbot, opened, fixed_clock)
    view.export_button.click()
    dialog = view.save_dialog
    assert dialog is not None and dialog.isVisible()
    assert Path(dialog.directory().absolutePath()) == home / "Documents"
    dialog.reject()
    # No Documents folder: the home folder, still never the folder the app started in.
    (home / "Documents").rmdir()
    view.export_button.click()
    assert view.save_dialog is not None
    assert Path(view.save_dialog.directory().absolutePath()) == home
    view.save_dialog.reject()
