"""The record's subject access button: team leads only; it writes both files on a worker
and says how many fields to review."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests.ui._record_fixtures import make_view, open_person, practitioner, team_person
from ui.dialogs.subject_access import SubjectAccessDialog

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TIMEOUT = 10000


def test_team_leads_write_the_subject_access_files(qtbot: QtBot, env: Env, tmp_path: Path) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    assert view.subject_access_button is not None and view.subject_access_button.isVisible()
    dialog = SubjectAccessDialog(
        env.db, env.lead, env.clock, person.id, view, who=f"{person.first_name} (test)"
    )
    qtbot.addWidget(dialog)
    folder = tmp_path / "sar"
    folder.mkdir()
    dialog.write_to(str(folder))
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Written"), timeout=TIMEOUT)
    assert "marked for review" in dialog.message.text()
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".pdf"]
    dialog.write_to(str(folder))  # a second answer never overwrites the first
    qtbot.waitUntil(lambda: "Nothing was released" in dialog.message.text(), timeout=TIMEOUT)


def test_practitioners_have_no_button(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env, practitioner(env))
    assert view.subject_access_button is None


def test_the_dialog_names_the_young_person_and_defaults_to_writing(qtbot: QtBot, env: Env) -> None:
    person = team_person(env, first_name="Ashleigh")
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    assert view.subject_access_button is not None
    view.subject_access_button.click()
    dialog = view.findChild(SubjectAccessDialog)
    assert dialog is not None
    qtbot.addWidget(dialog)
    for text in (dialog.windowTitle(), dialog.message.text()):
        assert "Ashleigh" in text and person.last_name in text
        assert f"Child ID {person.child_uid}" in text
    assert dialog.choose.isDefault()
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    assert not close.isDefault() and not close.autoDefault()
