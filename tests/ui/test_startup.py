"""From launch to sign-in: first run, passphrase, keyring problems, recovery, demo mode,
and the one crash path."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from casework.db import keys
from casework.db.database import open_database, unlock
from casework.errors import ValidationFailed
from tests.ui.conftest import FAST_KDF, PASSPHRASE, PASSWORD, Clock, DbFile, close_all_windows
from ui import crash
from ui.demo_mode import DemoStartup
from ui.dialogs.create_database import CreateDatabaseDialog
from ui.dialogs.login import LoginWindow
from ui.dialogs.recovery_code import RecoveryCodeDialog
from ui.dialogs.unlock import PassphraseDialog, ProblemDialog, RecoveryDialog
from ui.startup import PASSPHRASE_ENV, Startup

TIMEOUT = 10_000
CODE_PATTERN = re.compile(r"\A[A-Z2-9]{4}(-[A-Z2-9]{4}){5}\Z")


class NoKeyring:
    """A computer without a secure keyring."""

    def is_available(self) -> bool:
        return False


@pytest.fixture
def startups() -> Iterator[list[Startup]]:
    made: list[Startup] = []
    yield made
    for startup in made:
        startup.session.shutdown()
    close_all_windows()  # what a flow left on screen (a main window, a recovery code)


def begin(qtbot: QtBot, startup: Startup, made: list[Startup]) -> None:
    made.append(startup)
    with qtbot.waitSignal(startup.dialog_shown, timeout=TIMEOUT):
        startup.start()


def begin_to_login(qtbot: QtBot, startup: Startup, made: list[Startup]) -> LoginWindow:
    made.append(startup)
    with qtbot.waitSignal(startup.session.login_shown, timeout=TIMEOUT) as shown:
        startup.start()
    login = shown.args[0]
    qtbot.waitUntil(lambda: login.database() is not None, timeout=TIMEOUT)
    return login


def fill_person(qtbot: QtBot, person: object, username: str, name: str, password: str) -> None:
    qtbot.keyClicks(person.username, username)  # type: ignore[attr-defined]
    qtbot.keyClicks(person.full_name, name)  # type: ignore[attr-defined]
    qtbot.keyClicks(person.password.edit, password)  # type: ignore[attr-defined]


def sign_in(qtbot: QtBot, startup: Startup, login: LoginWindow, username: str, pw: str) -> object:
    qtbot.keyClicks(login.username, username)
    qtbot.keyClicks(login.password, pw)
    with qtbot.waitSignal(startup.session.main_shown, timeout=TIMEOUT) as shown:
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    return shown.args[0]


def test_first_run_creates_a_passphrase_database_end_to_end(
    qtbot: QtBot, tmp_path: Path, fixed_clock: Clock, startups: list[Startup]
) -> None:
    path = tmp_path / "new folder" / "casework.db"
    startup = Startup(path, fixed_clock, key_store_factory=NoKeyring, kdf=FAST_KDF, environ={})
    begin(qtbot, startup, startups)
    dialog = startup.dialog
    assert isinstance(dialog, CreateDatabaseDialog)
    qtbot.waitUntil(lambda: dialog.keyring_status.text().startswith("No secure keyring"))
    assert dialog.passphrase_mode() and not dialog.use_keyring.isEnabled()

    qtbot.keyClicks(dialog.passphrase.edit, PASSPHRASE)
    qtbot.keyClicks(dialog.confirm.edit, PASSPHRASE)
    fill_person(qtbot, dialog.admin, "it.admin", "Ines Admin", "violet harbour lamp 7")
    qtbot.keyClicks(dialog.team_name, "Leaving Care North")
    fill_person(qtbot, dialog.lead, "t.lead", "Tom Lead", "password1")

    dialog.create_button.click()  # refused before anything is created
    assert "commonly used" in dialog.lead.password.problems_label.plain_text()
    assert dialog.summary.isVisible() and not path.exists()

    dialog.lead.password.edit.clear()
    qtbot.keyClicks(dialog.lead.password.edit, "quiet orchard river 42")
    with qtbot.waitSignal(startup.dialog_shown, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    shown = startup.dialog
    assert isinstance(shown, RecoveryCodeDialog)
    assert CODE_PATTERN.match(shown.code_label.text())
    assert not shown.continue_button.isEnabled()
    shown.copy_button.click()
    assert QApplication.clipboard().text() == shown.code()
    shown.stored.setChecked(True)
    with qtbot.waitSignal(startup.session.login_shown, timeout=TIMEOUT) as login_shown:
        shown.continue_button.click()
    assert QApplication.clipboard().text() != shown.code()  # copy removed

    assert path.exists() and keys.sidecar_path(path).exists()
    assert keys.read_key_info(path).mode == "passphrase"
    login = login_shown.args[0]
    window = sign_in(qtbot, startup, login, "t.lead", "quiet orchard river 42")
    assert window.workspace.section_titles() == [
        "My work",
        "Front door",
        "Closures",
        "Caseload",
        "Closure audits",
        "Dashboard",
    ]

    startup.session.shutdown()
    key, info = unlock(path, passphrase=PASSPHRASE)
    open_database(path, key, info=info).close()


def test_first_run_with_a_keyring_keeps_the_key_there(
    qtbot: QtBot, tmp_path: Path, fixed_clock: Clock, startups: list[Startup]
) -> None:
    store = keys.MemoryKeyStore()  # stands in for the OS keyring
    path = tmp_path / "casework.db"
    startup = Startup(path, fixed_clock, key_store_factory=lambda: store, kdf=FAST_KDF)
    begin(qtbot, startup, startups)
    dialog = startup.dialog
    assert isinstance(dialog, CreateDatabaseDialog)
    qtbot.waitUntil(dialog.use_keyring.isChecked, timeout=TIMEOUT)
    assert not dialog.passphrase.isEnabled()
    fill_person(qtbot, dialog.admin, "it.admin", "Ines Admin", "violet harbour lamp 7")
    qtbot.keyClicks(dialog.team_name, "16+ Team")
    fill_person(qtbot, dialog.lead, "it.admin", "Tom Lead", "quiet orchard river 42")
    dialog.create_button.click()
    assert "need different user names" in dialog.summary.plain_text()
    assert dialog.focusWidget() is dialog.lead.username

    dialog.lead.username.clear()
    qtbot.keyClicks(dialog.lead.username, "t.lead")
    with qtbot.waitSignal(startup.dialog_shown, timeout=TIMEOUT):
        dialog.create_button.click()
    assert isinstance(startup.dialog, RecoveryCodeDialog)
    info = keys.read_key_info(path)
    assert info.mode == "keyring" and info.matches(store.get(info.database_id))


def test_unlocking_with_a_wrong_then_the_right_passphrase(
    qtbot: QtBot, db_file: DbFile, fixed_clock: Clock, startups: list[Startup]
) -> None:
    db_file.to_passphrase_mode()
    startup = Startup(db_file.path, fixed_clock, environ={})
    begin(qtbot, startup, startups)
    dialog = startup.dialog
    assert isinstance(dialog, PassphraseDialog)

    qtbot.keyClicks(dialog.passphrase.edit, "not the passphrase")
    qtbot.keyClick(dialog.passphrase.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=TIMEOUT)
    assert "does not unlock this database" in dialog.error.plain_text()
    assert startup.dialog is dialog and startup.session.login is None

    dialog.passphrase.edit.clear()
    qtbot.keyClicks(dialog.passphrase.edit, PASSPHRASE)
    with qtbot.waitSignal(startup.session.login_shown, timeout=TIMEOUT) as shown:
        dialog.unlock_button.click()
    login = shown.args[0]
    qtbot.waitUntil(lambda: login.database() is not None, timeout=TIMEOUT)
    sign_in(qtbot, startup, login, db_file.lead_username, PASSWORD)


def test_the_passphrase_setting_is_used_without_asking(
    qtbot: QtBot, db_file: DbFile, fixed_clock: Clock, startups: list[Startup]
) -> None:
    db_file.to_passphrase_mode()
    startup = Startup(db_file.path, fixed_clock, environ={PASSPHRASE_ENV: PASSPHRASE})
    login = begin_to_login(qtbot, startup, startups)
    assert startup.dialog is None and login.isVisible()


def test_a_wrong_passphrase_setting_falls_back_to_asking(
    qtbot: QtBot, db_file: DbFile, fixed_clock: Clock, startups: list[Startup]
) -> None:
    db_file.to_passphrase_mode()
    startup = Startup(db_file.path, fixed_clock, environ={PASSPHRASE_ENV: "wrong one"})
    startups.append(startup)
    with qtbot.waitSignal(startup.dialog_shown, timeout=TIMEOUT):
        startup.start()
    assert isinstance(startup.dialog, PassphraseDialog)
    assert PASSPHRASE_ENV in startup.dialog.error.plain_text()
    assert startup.session.login is None


def test_keyring_mode_opens_behind_the_login_window(
    qtbot: QtBot, db_file: DbFile, fixed_clock: Clock, startups: list[Startup]
) -> None:
    store = db_file.key_store()
    startup = Startup(db_file.path, fixed_clock, key_store_factory=lambda: store)
    login = begin_to_login(qtbot, startup, startups)
    window = sign_in(qtbot, startup, login, db_file.lead_username, PASSWORD)
    assert "Casework" in window.windowTitle()


def test_missing_keyring_entry_explains_and_recovery_code_restores_it(
    qtbot: QtBot, db_file: DbFile, fixed_clock: Clock, startups: list[Startup]
) -> None:
    empty = keys.MemoryKeyStore()  # a new computer: the keyring has no entry
    startup = Startup(db_file.path, fixed_clock, key_store_factory=lambda: empty)
    begin(qtbot, startup, startups)
    problem = startup.dialog
    assert isinstance(problem, ProblemDialog)
    assert "keyring has no key for this database" in problem.message.text()
    assert "recovery code" in problem.steps.text()
    assert startup.session.login is None

    with qtbot.waitSignal(startup.dialog_shown):
        problem.action_buttons["Use the recovery code"].click()
    recovery = startup.dialog
    assert isinstance(recovery, RecoveryDialog)
    qtbot.waitUntil(recovery.use_keyring.isChecked, timeout=TIMEOUT)
    qtbot.keyClicks(recovery.code, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    qtbot.keyClick(recovery.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: recovery.error.isVisibleTo(recovery), timeout=TIMEOUT)
    assert "does not belong to this database" in recovery.error.plain_text()

    recovery.code.clear()
    qtbot.keyClicks(recovery.code, db_file.recovery_code.lower().replace("-", " "))
    with qtbot.waitSignal(startup.session.login_shown, timeout=TIMEOUT) as shown:
        recovery.recover_button.click()
    login = shown.args[0]
    qtbot.waitUntil(lambda: login.database() is not None, timeout=TIMEOUT)
    assert empty.get(keys.read_key_info(db_file.path).database_id) == db_file.key


def test_a_database_without_its_key_file_is_reported_and_left_alone(
    qtbot: QtBot, db_file: DbFile, fixed_clock: Clock, startups: list[Startup]
) -> None:
    keys.sidecar_path(db_file.path).unlink()
    before = db_file.path.read_bytes()
    startup = Startup(db_file.path, fixed_clock, key_store_factory=db_file.key_store)
    begin(qtbot, startup, startups)
    problem = startup.dialog
    assert isinstance(problem, ProblemDialog)
    assert "is missing" in problem.message.text()
    assert "Use the recovery code" not in problem.action_buttons
    assert db_file.path.read_bytes() == before
    assert not keys.sidecar_path(db_file.path).exists()


def test_demo_mode_starts_and_lands_on_my_work(qtbot: QtBot, fixed_clock: Clock) -> None:
    demo = DemoStartup(fixed_clock, people=30, kdf=FAST_KDF)
    try:
        with qtbot.waitSignal(demo.session.main_shown, timeout=30_000) as shown:
            demo.start()
        window = shown.args[0]
        assert "DEMO — synthetic data" in window.windowTitle()
        assert window.workspace.current_section() == "My work"
        # The banner shows the shared password and lists every account, practitioners too.
        banner = window.statusBar().findChild(QLabel, "demoPassword")
        assert banner is not None and demo.password in banner.text()
        roles = {a.role for a in window.demo_accounts}
        assert {r.split(" ")[0] for r in roles} == {"Team", "Practitioner", "Administrator"}
        assert {"lead.north", "it.admin"} <= {a.username for a in window.demo_accounts}
        caseload = window.workspace.sections["Caseload"].caseload
        qtbot.waitUntil(lambda: caseload.model.rowCount() > 0, timeout=TIMEOUT)
        assert demo.path.exists()
        # Today's due snapshots were computed on a worker while the sign-in window was up.
        qtbot.waitUntil(lambda: demo.session.warmed_due is not None, timeout=TIMEOUT)
        db = demo.session.db
        assert db is not None
        with db.reading() as session:
            held = session.execute(text("SELECT count(*) FROM due_snapshots")).scalar_one()
            people = session.execute(text("SELECT count(*) FROM young_people")).scalar_one()
        assert held == people == 30
    finally:
        window.idle.stop()
        window._may_close = True
        window.close()
        demo.cleanup()
    assert not demo.directory.exists()


def test_crash_report_logs_type_and_frames_but_never_the_message(
    qtbot: QtBot, crash_log_in_tmp: Path
) -> None:
    try:
        raise ValueError("Jane Example, born 01/02/2007, lives at 1 High Street")
    except ValueError:
        crash.report(*sys.exc_info())
    text = (crash_log_in_tmp / crash.LOG_FILE).read_text()
    assert "ValueError" in text and "test_crash_report_logs_type" in text
    assert "Jane" not in text and "High Street" not in text
    box = crash.current_box()
    assert box is not None and "Your saved work is safe" in box.text()
    assert str(crash_log_in_tmp) in box.text()
    box.close()


def test_expected_errors_are_shown_plainly_not_as_crashes(
    qtbot: QtBot, crash_log_in_tmp: Path
) -> None:
    box = crash.show_error(None, ValidationFailed(["Enter a name.", "Choose a team."]))
    assert box is not None
    assert box.text() == "Please correct the following:\n• Enter a name.\n• Choose a team."
    box.close()
    assert not (crash_log_in_tmp / crash.LOG_FILE).exists()
