"""Signing in (refusals, waiting after repeated failures), the idle lock and signing out."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from casework.db.models import AuditEvent
from casework.services.auth import REFUSED
from tests.ui.conftest import PASSWORD, Clock, Opened
from ui import tasks
from ui.dialogs.login import LoginWindow
from ui.main_window import MainWindow
from ui.session import Session
from ui.views.caseload import CaseloadView
from ui.views.record import RecordView

TIMEOUT = 10_000


def make_login(qtbot: QtBot, opened: Opened, clock: Clock) -> LoginWindow:
    login = LoginWindow(opened.file.path, clock)
    qtbot.addWidget(login)
    login.set_database(opened.db)
    login.show()
    return login


def attempt(qtbot: QtBot, login: LoginWindow, username: str, password: str) -> str:
    login.username.clear()
    login.password.clear()
    qtbot.keyClicks(login.username, username)
    qtbot.keyClicks(login.password, password)
    login.error.set_problems([])
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.error.isVisibleTo(login), timeout=TIMEOUT)
    return login.error.plain_text()


def test_refusal_is_the_same_for_an_unknown_user_and_a_wrong_password(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    login = make_login(qtbot, opened, fixed_clock)
    unknown = attempt(qtbot, login, "nobody.here", "whatever-password")
    wrong = attempt(qtbot, login, opened.lead, "not-the-password")
    assert unknown == wrong == REFUSED
    assert login.sign_in_button.isEnabled()
    assert login.password.text() == ""


def test_repeated_failures_disable_sign_in_with_a_visible_countdown(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    login = make_login(qtbot, opened, fixed_clock)
    for _ in range(3):  # the first three failures cost nothing
        attempt(qtbot, login, opened.lead, "not-the-password")
        assert login.sign_in_button.isEnabled()
    message = attempt(qtbot, login, opened.lead, "not-the-password")
    assert "Wait 2 seconds" in message
    assert not login.sign_in_button.isEnabled()
    assert login.countdown_label.isVisibleTo(login)
    assert login.countdown_label.text() in (
        "You can try again in 2 seconds.",
        "You can try again in 1 second.",
    )
    login.submit()  # pressing Enter meanwhile does nothing
    assert not login.sign_in_button.isEnabled()
    qtbot.waitUntil(login.sign_in_button.isEnabled, timeout=5000)
    assert not login.countdown_label.isVisibleTo(login)


def open_window(qtbot: QtBot, opened: Opened, clock: Clock, username: str) -> MainWindow:
    """A signed-in main window whose idle setting has been read from the database."""
    window = MainWindow(opened.db, opened.login(username), clock)
    qtbot.addWidget(window)
    window.show()
    tasks.wait_for_all()
    QApplication.processEvents()  # deliver the idle minutes read on a worker
    return window


def rows_in_item_views(widget: object) -> int:
    views = widget.findChildren(QAbstractItemView)  # type: ignore[attr-defined]
    return sum(v.model().rowCount() for v in views if v.model() is not None)


def process_deletions() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    QApplication.processEvents()


def audited(opened: Opened, action: str) -> int:
    with opened.db.reading() as session:
        return len(session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_idle_lock_clears_case_data_and_the_same_user_unlocks(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    window = open_window(qtbot, opened, fixed_clock, opened.lead)
    section = window.workspace.sections["Caseload"]
    caseload, record = section.caseload, section.record
    qtbot.waitUntil(lambda: caseload.model.rowCount() > 0, timeout=TIMEOUT)
    person_id = caseload.model.id_at(0)
    section.open_person(person_id)
    qtbot.waitUntil(lambda: record.record is not None, timeout=TIMEOUT)

    seen: dict[str, object] = {}
    original = caseload.clear

    def spy() -> None:
        original()
        seen["rows"] = caseload.model.rowCount()
        seen["record"] = record.record

    caseload.clear = spy  # type: ignore[method-assign]
    window.idle.set_interval_ms(50)
    with qtbot.waitSignal(window.locked, timeout=TIMEOUT):
        pass  # no input: the idle timer runs out
    assert seen == {"rows": 0, "record": None}
    assert window.is_locked() and window.workspace is None
    window.idle.set_interval_ms(10 * 60_000)  # so it does not lock again while reloading
    process_deletions()
    assert not shiboken6.isValid(caseload) and not shiboken6.isValid(record)
    assert window.findChildren(CaseloadView) == [] and window.findChildren(RecordView) == []
    assert rows_in_item_views(window) == 0
    assert window.windowTitle() == "Locked"  # Qt adds " — Casework"

    screen = window.lock_screen
    assert screen is not None
    assert screen.findChildren(QLineEdit) == [screen.password]  # no user name: same user only
    assert "after 15 minutes without activity" in screen.reason.text()
    qtbot.keyClicks(screen.password, "not-the-password")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.error.isVisibleTo(screen), timeout=TIMEOUT)
    assert window.is_locked()

    qtbot.keyClicks(screen.password, PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=TIMEOUT):
        qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    new_caseload = window.workspace.sections["Caseload"].caseload
    qtbot.waitUntil(lambda: new_caseload.model.rowCount() > 0, timeout=TIMEOUT)
    assert window.idle.active()
    qtbot.waitUntil(lambda: audited(opened, "lock") == 1, timeout=TIMEOUT)


def test_activity_postpones_the_idle_lock(qtbot: QtBot, opened: Opened, fixed_clock: Clock) -> None:
    window = open_window(qtbot, opened, fixed_clock, opened.lead)
    timer = window.idle._timer
    assert window.idle.interval_ms() == 15 * 60_000  # the database's default
    window.idle.set_interval_ms(10_000)
    start = timer.remainingTime()
    qtbot.waitUntil(lambda: timer.remainingTime() < start - 30, timeout=TIMEOUT)
    before = timer.remainingTime()
    qtbot.keyClick(window.workspace.nav, Qt.Key.Key_Down)
    assert timer.remainingTime() > before
    assert not window.is_locked()


def test_sign_out_from_the_lock_screen_returns_to_sign_in(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    session = Session(opened.file.path, fixed_clock)
    session.set_database(opened.db)
    login = session.show_login()
    qtbot.keyClicks(login.username, opened.lead)
    qtbot.keyClicks(login.password, PASSWORD)
    with qtbot.waitSignal(session.main_shown, timeout=TIMEOUT) as shown:
        login.sign_in_button.click()
    window = shown.args[0]
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked()
    with qtbot.waitSignal(session.login_shown, timeout=TIMEOUT) as again:
        window.lock_screen.sign_out_button.click()
    assert "signed out" in again.args[0].status.text()
    assert not window.isVisible()

    login = again.args[0]
    qtbot.keyClicks(login.username, opened.lead)
    qtbot.keyClicks(login.password, PASSWORD)
    with qtbot.waitSignal(session.main_shown, timeout=TIMEOUT) as shown:
        login.sign_in_button.click()
    with qtbot.waitSignal(session.login_shown, timeout=TIMEOUT):
        shown.args[0].workspace.sign_out_button.click()
    qtbot.waitUntil(lambda: audited(opened, "logout") == 1, timeout=TIMEOUT)


def test_closing_the_main_window_signs_out_and_quits(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    session = Session(opened.file.path, fixed_clock)
    session.set_database(opened.db)
    window = session.show_main(opened.login(opened.lead))
    with qtbot.waitSignal(session.quit_requested, timeout=TIMEOUT):
        window.close()
    assert not window.isVisible() and window.workspace is None
    assert audited(opened, "logout") == 1


def test_unlock_carries_on_where_you_left_off_and_names_the_password(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    window = open_window(qtbot, opened, fixed_clock, opened.lead)
    section = window.workspace.show_section("Caseload")
    qtbot.waitUntil(lambda: section.caseload.model.rowCount() > 0, timeout=TIMEOUT)
    person_id = section.caseload.model.id_at(0)
    section.open_person(person_id)
    qtbot.waitUntil(lambda: section.record.record is not None, timeout=TIMEOUT)
    section.record.show_section(3)  # Pathway plan
    window.lock()
    screen = window.lock_screen
    assert screen is not None
    qtbot.keyClicks(screen.password, "not-the-password")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.error.isVisibleTo(screen), timeout=TIMEOUT)
    refusal = screen.error.plain_text()
    assert "password" in refusal and "user name" not in refusal
    qtbot.keyClicks(screen.password, PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=TIMEOUT):
        qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    workspace = window.workspace
    assert workspace.current_section() == "Caseload"
    record = workspace.sections["Caseload"].record
    qtbot.waitUntil(lambda: record.record is not None, timeout=TIMEOUT)
    assert record.person_id == person_id and record.tabs.currentIndex() == 3
    assert workspace.sections["Caseload"].currentWidget() is record


def test_a_disabled_account_returns_the_open_session_to_sign_in_saying_why(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    from casework.services import front_door, users
    from casework.services.permissions import SYSTEM_ACTOR

    session = Session(opened.file.path, fixed_clock)
    session.set_database(opened.db)
    actor = opened.login(opened.lead)
    window = session.show_main(actor)
    tasks.wait_for_all()
    users.set_active(opened.db, SYSTEM_ACTOR, actor.username, False, now=fixed_clock())
    errors: list[BaseException] = []
    with qtbot.waitSignal(session.login_shown, timeout=TIMEOUT) as shown:
        tasks.run(front_door.queue, opened.db, actor, now=fixed_clock(), on_error=errors.append)
    assert "disabled" in shown.args[0].status.text()
    assert not errors  # the refusal ends the session instead of showing as a view's error
    assert not window.isVisible() and window.workspace is None
    assert audited(opened, "session_revoked") >= 1
