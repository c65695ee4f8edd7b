"""Forms: Enter submits, the default button survives a refusal, each problem goes as
soon as its field is fixed, and leaving with unsaved edits asks first."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QPushButton, QVBoxLayout
from pytestqt.qtbot import QtBot

from tests.ui.conftest import FAST_KDF, Clock
from ui import tasks
from ui.dialogs.create_database import CreateDatabaseDialog
from ui.dialogs.young_person_form import YoungPersonDialog
from ui.widgets import forms
from ui.widgets.problems import ProblemList

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TIMEOUT = 5000


@pytest.fixture(autouse=True)
def never_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a test's dialog must not wait for an answer nobody will give."""
    monkeypatch.setattr("ui.dialogs.young_person_form.confirm_discard", lambda _p: True)


def add_dialog(qtbot: QtBot, env: Env) -> YoungPersonDialog:
    dialog = YoungPersonDialog(env.db, env.lead, env.clock)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.form.is_ready, timeout=TIMEOUT)
    return dialog


def test_add_young_person_enter_submits_again_after_a_refusal(qtbot: QtBot, env: Env) -> None:
    dialog = add_dialog(qtbot, env)
    form = dialog.form
    form._first.setText("Ada")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(form.problems()), timeout=TIMEOUT)
    first = form.problems()
    assert any(p.startswith("Last name") for p in first)
    assert form.save_button.isDefault() and form.save_button.isEnabled()
    # Fixing a field takes its problem away at once, beside the field and at the top.
    form._last.setText("Lovelace")
    assert not any(p.startswith("Last name") for p in form.problems())
    assert not form._errors["last_name"].isVisible()
    assert form.problems() == [p for p in first if not p.startswith("Last name")]
    # Enter, typed in a field, tries again: the core answers without the fixed problem.
    form._last.setFocus()
    form._shown = []
    qtbot.keyClick(form._last, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(form.problems()), timeout=TIMEOUT)
    assert not any(p.startswith("Last name") for p in form.problems())
    assert any(p.startswith("Child Unique ID") for p in form.problems())
    # Enter on a combo box submits too (through the dialog's default button).
    form._sex.setFocus()
    form._shown = []
    qtbot.keyClick(form._sex, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(form.problems()), timeout=TIMEOUT)


def test_add_young_person_asks_before_dropping_typed_details(
    qtbot: QtBot, env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = add_dialog(qtbot, env)
    asked: list[bool] = []
    monkeypatch.setattr(
        "ui.dialogs.young_person_form.confirm_discard", lambda _p: asked.append(True) or False
    )
    dialog.form._first.setText("Ada")
    dialog.reject()
    assert asked and dialog.isVisible()


def test_a_checked_problem_goes_when_its_field_is_fixed(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    name = QLineEdit()
    kind = QComboBox()
    kind.addItems(["", "Visit"])
    problems = ProblemList()
    layout = QVBoxLayout(dialog)
    for widget in (problems, name, kind):
        layout.addWidget(widget)

    def check() -> list[str]:
        found = []
        if not name.text():
            found.append("Name: enter a name.")
        if not kind.currentText():
            found.append("Kind: choose one.")
        return found

    problems.recheck_on_edit(dialog, check)
    problems.set_problems([*check(), "From the core: try again."], "Nothing was saved.")
    name.setText("Sam")
    assert problems.problems() == ["Kind: choose one.", "From the core: try again."]
    kind.setCurrentIndex(1)
    assert problems.problems() == ["From the core: try again."]


def test_unsaved_changes_notices_every_kind_of_control(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    edit = QLineEdit()
    combo = QComboBox()
    combo.addItems(["a", "b"])
    layout = QVBoxLayout(dialog)
    layout.addWidget(edit)
    layout.addWidget(combo)
    layout.addWidget(QPushButton("Not a value"))
    guard = forms.UnsavedChanges(dialog)
    guard.mark_saved()
    assert not guard.is_modified() and guard.may_leave(dialog)
    combo.setCurrentIndex(1)
    assert guard.is_modified()
    combo.setCurrentIndex(0)
    assert not guard.is_modified()
    edit.setText("x")
    assert guard.is_modified()


def test_first_run_set_up_keeps_enter_and_drops_fixed_problems(
    qtbot: QtBot, tmp_path: Path, fixed_clock: Clock
) -> None:
    dialog = CreateDatabaseDialog(tmp_path / "casework.db", fixed_clock, kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)  # all empty: refused
    before = dialog.summary.problems()
    assert "Enter the name of the first team." in before
    assert dialog.create_button.isDefault()
    qtbot.keyClicks(dialog.team_name, "Leaving Care North")
    after = dialog.summary.problems()
    assert "Enter the name of the first team." not in after and after
    dialog.summary.set_problems([])
    qtbot.keyClick(dialog.team_name, Qt.Key.Key_Return)  # Enter tries again
    assert dialog.summary.problems() == after
    assert not (tmp_path / "casework.db").exists()
    tasks.wait_for_all(5000)  # the keyring check started when the dialog opened
