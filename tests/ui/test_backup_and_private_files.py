"""The administrator's "Back up now" and schedule, and the files the app writes itself
(chronology PDF, crash log) being owner-only whatever the umask."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from pytestqt.qtbot import QtBot

from casework.db import keys
from casework.services.backup import list_backups, schedule
from tests.ui.conftest import NOW, Clock, Opened
from ui import crash
from ui.main_window import MainWindow
from ui.views.admin_settings import AdminSettingsView
from ui.views.chronology import write_pdf

TIMEOUT = 20_000


def _settings(qtbot: QtBot, opened: Opened, clock: Clock) -> AdminSettingsView:
    window = MainWindow(opened.db, opened.login(opened.admin), clock)
    qtbot.addWidget(window)
    window.show()
    window.workspace.show_section("Settings")
    view = window.workspace.sections["Settings"]
    assert isinstance(view, AdminSettingsView)
    qtbot.waitUntil(view.backup_save.isEnabled, timeout=TIMEOUT)
    return view


def test_back_up_now_writes_a_checked_private_backup(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    view = _settings(qtbot, opened, fixed_clock)
    assert view.backup_hours.value() == 24 and view.backup_keep.value() == 7
    assert "No backup" in view.backup_status.text()
    with qtbot.waitSignal(view.backed_up, timeout=TIMEOUT) as done:
        view.backup_now_button.click()
    assert "checked by opening it" in done.args[0]
    taken = list_backups(opened.db.path)
    assert [when for when, _ in taken] == [NOW.replace(microsecond=0)]
    backup = taken[0][1]
    folder = backup.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (backup, keys.sidecar_path(backup)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert view.backup_now_button.isEnabled()


def test_the_schedule_is_saved(qtbot: QtBot, opened: Opened, fixed_clock: Clock) -> None:
    view = _settings(qtbot, opened, fixed_clock)
    view.backup_hours.setValue(0)
    view.backup_keep.setValue(3)
    with qtbot.waitSignal(view.message, timeout=TIMEOUT) as saved:
        view.backup_save.click()
    assert "never" in saved.args[0]
    plan = schedule(opened.db)
    assert (plan.interval_hours, plan.keep) == (0, 3)


def test_pdf_and_crash_log_are_owner_only_under_umask_000(
    qapp: object, tmp_path: Path, crash_log_in_tmp: Path
) -> None:
    old = os.umask(0)
    try:
        from casework.db import files

        target = tmp_path / "Chronology.pdf"
        with files.private_output(target, replace=True) as tmp:
            write_pdf("<p>Test</p>", str(tmp))
        logger = crash._logger()
        logger.error("Unexpected error\n%s", "ValueError")
        for handler in logger.handlers:
            handler.flush()
    finally:
        os.umask(old)
        logger = logging.getLogger("casework.crash")
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
    assert target.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert stat.S_IMODE(crash_log_in_tmp.stat().st_mode) == 0o700
    log = crash_log_in_tmp / crash.LOG_FILE
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def _problem_on_start(qtbot: QtBot, path: Path, clock: Clock) -> tuple[str, list[str]]:
    from ui import tasks
    from ui.dialogs.unlock import ProblemDialog
    from ui.startup import Startup

    startup = Startup(path, clock)
    try:
        with qtbot.waitSignal(startup.dialog_shown, timeout=TIMEOUT):
            startup.start()
        problem = startup.dialog
        assert isinstance(problem, ProblemDialog)
        return problem.message.text(), list(problem.action_buttons)
    finally:
        tasks.wait_for_all(10_000)
        if startup.dialog is not None:
            startup.dialog.close()
        startup.session.shutdown()


def test_the_app_shows_the_same_plain_message_as_the_command_line(
    qtbot: QtBot, tmp_path: Path, fixed_clock: Clock
) -> None:
    """The file checks run before the app asks for anything, with the same words."""
    folder_db = tmp_path / "a" / "c.db"
    folder_db.mkdir(parents=True)
    text, actions = _problem_on_start(qtbot, folder_db, fixed_clock)
    assert "is a folder, not a database file" in text and actions == ["Try again"]

    listed = tmp_path / "b" / "c.db"
    listed.parent.mkdir()
    listed.write_bytes(os.urandom(4096))
    keys.sidecar_path(listed).write_text("[1, 2, 3]")
    before = listed.read_bytes()
    text, _ = _problem_on_start(qtbot, listed, fixed_clock)
    assert "is damaged or is not a Casework key file" in text
    assert listed.read_bytes() == before and sorted(p.name for p in listed.parent.iterdir()) == [
        "c.db",
        "c.db.keys.json",
    ]
