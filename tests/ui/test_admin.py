"""Administrators: no case records, managing users, and the idle-lock setting."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from casework.services import auth
from casework.services.settings import idle_lock_minutes
from tests.ui.conftest import NOW, Clock, Opened
from ui.main_window import MainWindow
from ui.views.admin_settings import AdminSettingsView
from ui.views.admin_users import AdminUsersView
from ui.views.caseload import CaseloadView
from ui.workspace import sections_for

TIMEOUT = 10_000
NEW_PASSWORD = "seven blue herons"


def admin_window(qtbot: QtBot, opened: Opened, clock: Clock) -> MainWindow:
    window = MainWindow(opened.db, opened.login(opened.admin), clock)
    qtbot.addWidget(window)
    window.show()
    return window


def users_view(qtbot: QtBot, window: MainWindow) -> AdminUsersView:
    view = window.workspace.sections["Users and teams"]
    assert isinstance(view, AdminUsersView)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT)
    return view


def select(view: AdminUsersView, username: str) -> None:
    row = view.model.row_of(username)
    assert row is not None
    view.table.selectRow(row)


def test_an_administrator_sees_no_caseload(qtbot: QtBot, opened: Opened, fixed_clock: Clock):
    window = admin_window(qtbot, opened, fixed_clock)
    assert window.workspace.section_titles() == ["Users and teams", "Settings", "Returns"]
    assert window.findChildren(CaseloadView) == []
    assert "Administrator" in window.workspace.findChild(QLabel, "signedIn").text()
    assert [s.title for s in sections_for(window.actor.role)] == [
        "Users and teams",
        "Settings",
        "Returns",
    ]


def test_an_administrator_adds_a_user_and_the_list_shows_them(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    window = admin_window(qtbot, opened, fixed_clock)
    view = users_view(qtbot, window)
    before = view.model.rowCount()
    dialog = view.add_user()
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.full_name, "Priya Shah")
    qtbot.keyClicks(dialog.username, "p.shah")
    dialog.team.setCurrentText("Leaving Care South")
    qtbot.keyClicks(dialog.password.edit, "password1")
    dialog.save_button.click()  # refused before anything is saved
    assert "commonly used" in dialog.password.problems_label.plain_text()
    assert dialog.isVisible() and view.model.row_of("p.shah") is None

    dialog.password.edit.clear()
    qtbot.keyClicks(dialog.password.edit, NEW_PASSWORD)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        qtbot.keyClick(dialog.password.edit, Qt.Key.Key_Return)
    assert view.model.rowCount() == before + 1
    row = view.model.row_of("p.shah")
    assert row is not None
    user = view.model.user_at(row)
    assert user is not None
    assert (user.display_name, user.team) == ("Priya Shah", "Leaving Care South")
    assert view.selected() == user
    assert window.statusBar().currentMessage() == "Added user p.shah."
    assert auth.login(opened.db, "p.shah", NEW_PASSWORD, now=NOW).display_name == "Priya Shah"


def test_a_taken_user_name_is_explained_in_the_dialog(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    view = users_view(qtbot, admin_window(qtbot, opened, fixed_clock))
    dialog = view.add_user()
    qtbot.keyClicks(dialog.full_name, "Another Lead")
    qtbot.keyClicks(dialog.username, opened.lead)
    dialog.team.setCurrentText("Leaving Care North")
    qtbot.keyClicks(dialog.password.edit, NEW_PASSWORD)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.problems.isVisibleTo(dialog), timeout=TIMEOUT)
    assert f"User name '{opened.lead}' is already taken." in dialog.problems.plain_text()
    assert dialog.save_button.isEnabled() and dialog.isVisible()


def test_reset_password_then_deactivate_and_reactivate(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    window = admin_window(qtbot, opened, fixed_clock)
    view = users_view(qtbot, window)
    select(view, opened.lead)
    dialog = view.reset_password()
    assert dialog is not None
    qtbot.keyClicks(dialog.password.edit, NEW_PASSWORD)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        dialog.save_button.click()
    assert auth.login(opened.db, opened.lead, NEW_PASSWORD, now=NOW).username == opened.lead

    select(view, opened.lead)
    assert view.active_button.text() == "&Deactivate"
    box = view.toggle_active()
    assert isinstance(box, QMessageBox) and "will not be able to sign in" in box.text()
    deactivate = next(b for b in box.buttons() if b.text() == "Deactivate")
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        deactivate.click()
    user = view.model.user_at(view.model.row_of(opened.lead))  # type: ignore[arg-type]
    assert user is not None and not user.active
    select(view, opened.lead)
    assert view.active_button.text() == "Reac&tivate"
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.active_button.click()
    user = view.model.user_at(view.model.row_of(opened.lead))  # type: ignore[arg-type]
    assert user is not None and user.active


def test_an_administrator_cannot_deactivate_themselves(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    view = users_view(qtbot, admin_window(qtbot, opened, fixed_clock))
    select(view, opened.admin)
    assert view.reset_button.isEnabled() and not view.active_button.isEnabled()


def test_settings_change_the_idle_lock(qtbot: QtBot, opened: Opened, fixed_clock: Clock):
    window = admin_window(qtbot, opened, fixed_clock)
    window.workspace.show_section("Settings")
    view = window.workspace.sections["Settings"]
    assert isinstance(view, AdminSettingsView)
    qtbot.waitUntil(view.minutes.isEnabled, timeout=TIMEOUT)
    assert view.minutes.value() == 15
    view.minutes.setValue(5)
    with qtbot.waitSignal(view.idle_minutes_changed, timeout=TIMEOUT):
        view.save_button.click()
    assert idle_lock_minutes(opened.db) == 5
    assert window.idle.minutes == 5
    assert "5 minutes" in view.saved_label.text()
