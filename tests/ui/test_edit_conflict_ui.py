"""Two people, one record, on screen: a save refused because someone else changed the
record meanwhile says who, what and when where the form shows what is wrong, keeps
everything typed, and overwrites nothing."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from casework.db.database import Database, open_database
from casework.db.models import User, YoungPerson
from casework.services import auth
from casework.services import safeguarding as sg
from casework.services.people import open_record, update_young_person
from casework.services.permissions import Actor
from tests.ui._fixtures import NOW
from ui.dialogs.safeguarding_dialogs import AllegationOutcomeDialog
from ui.dialogs.young_person_form import CHANGED_MEANWHILE as RECORD_CHANGED_MEANWHILE
from ui.views.record import RecordView
from ui.views.record_common import CHANGED_MEANWHILE, RecordContext

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TIMEOUT = 5000
PASSWORD = "correct-staple-2026"


def _shots(tmp_path: Path) -> Path:
    """Where the pictures of the message go: ``CASEWORK_SHOTS`` when set (to look at
    them), else the test's own folder."""
    folder = Path(os.environ.get("CASEWORK_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _other_computer(env: Env) -> Database:
    """The same file opened again: another person's laptop."""
    return open_database(env.db.path, env.db.key)


def _worker(db: Database, person_id: int) -> Actor:
    with db.reading() as session:
        person = session.get(YoungPerson, person_id)
        assert person is not None
        uid = person.personal_adviser_id or person.social_worker_id
        name = session.scalar(select(User.username).where(User.id == uid))
    assert name is not None
    return auth.login(db, name, PASSWORD, now=NOW)


def test_details_changed_on_another_computer_are_named_and_what_was_typed_stays(
    qtbot: QtBot, env: Env, tmp_path: Path
) -> None:
    view = RecordView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    person = env.person(team_id=env.lead.team_id)
    view.show_person(person.id)
    qtbot.waitUntil(lambda: view.record is not None, timeout=TIMEOUT)
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.form.is_ready, timeout=TIMEOUT)

    other = _other_computer(env)
    try:
        worker = _worker(other, person.id)
        shown = open_record(other, worker, person.id, now=env.now)
        update_young_person(
            other,
            worker,
            person.id,
            replace(shown.details, preferred_name="Sunny", disability="yes"),
            expected_version=shown.version,
            now=env.now + timedelta(minutes=12),
        )
    finally:
        other.close()

    view.form._preferred.setText("Bee")
    view.form._last.setText("Typed-Surname")
    qtbot.mouseClick(view.form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(view.form.problems()), timeout=TIMEOUT)

    [problem] = view.form.problems()
    assert f"{worker.display_name} changed disability and preferred name" in problem
    assert "at 10:42 on 27 November 2026" in problem
    assert "nothing of theirs was overwritten" in problem
    assert view.form._summary._heading == RECORD_CHANGED_MEANWHILE
    assert view.is_editing  # the form stays open with everything typed
    assert view.form._preferred.text() == "Bee"
    assert view.form._last.text() == "Typed-Surname"
    saved = env.person(id=person.id)
    assert saved.preferred_name == "Sunny" and saved.last_name == person.last_name

    assert view.window().grab().save(str(_shots(tmp_path) / "conflict.png"))


def test_an_outcome_recorded_meanwhile_is_named_in_the_dialog(
    qtbot: QtBot, env: Env, tmp_path: Path
) -> None:
    person = env.person(team_id=env.lead.team_id)
    data = sg.AllegationInput("foster_carer", env.now - timedelta(days=2), "Pushed them.")
    (aid,) = sg.record_allegation(env.db, env.lead, person.id, data, now=env.now).ids
    [allegation] = [
        a for a in sg.list_allegations(env.db, env.lead, person.id, now=env.now) if a.id == aid
    ]
    ctx = RecordContext(env.db, env.lead, env.clock, person.id)
    dialog = AllegationOutcomeDialog(ctx, allegation)
    qtbot.addWidget(dialog)
    dialog.show()
    other = _other_computer(env)
    try:
        lead = auth.login(other, env.lead.username, PASSWORD, now=env.now)
        sg.close_allegation(
            other,
            lead,
            aid,
            "unfounded",
            "Nothing happened.",
            env.now.date(),
            now=env.now + timedelta(minutes=12),
        )
    finally:
        other.close()
    dialog.choose("substantiated")
    dialog.rationale.setPlainText("Seen on camera.")
    dialog.accept()
    qtbot.waitUntil(lambda: bool(dialog.problems.problems()), timeout=TIMEOUT)
    [problem] = dialog.problems.problems()
    assert "already recorded the outcome of this allegation at 10:42" in problem
    assert dialog.problems._heading == CHANGED_MEANWHILE
    assert dialog.isVisible()
    assert dialog.rationale.toPlainText() == "Seen on camera."
    assert dialog.chosen() == "substantiated"
    [after] = [
        a for a in sg.list_allegations(env.db, env.lead, person.id, now=env.now) if a.id == aid
    ]
    assert after.outcome == "unfounded"
    assert dialog.grab().save(str(_shots(tmp_path) / "conflict-dialog.png"))
