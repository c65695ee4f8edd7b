"""The main window: the workspace while unlocked, the lock screen while locked.

Locking clears every view, closes any open dialog, destroys the workspace (so no model
or widget keeps case data and no late query result can land anywhere) and audits a
``lock``. Unlocking builds a fresh workspace. Signing out or closing audits a logout.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QPushButton, QStackedWidget, QWidget

from ui import crash, tasks
from ui.idle import IdleWatcher, LockScreen
from ui.widgets.sizing import fit_to_screen
from ui.workspace import Place, Workspace

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor

Clock = Callable[[], datetime]
# Qt adds the application's name ("… — Casework") to every title: never name it twice.
DEMO_TITLE = "DEMO — synthetic data"


def end_session(db: Database, actor: Actor, now: datetime, reason: str) -> None:
    """Worker: audit a lock or a logout."""
    from casework.services import auth

    auth.logout(db, actor, now=now, reason=reason)


def read_idle_minutes(db: Database) -> int:
    from casework.services.settings import idle_lock_minutes

    return idle_lock_minutes(db)


class MainWindow(QMainWindow):
    signed_out = Signal()
    closed = Signal()
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        *,
        demo_hint: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.db = db
        self.actor = actor
        self.clock = clock
        self.demo_hint = demo_hint
        self.demo = demo_hint is not None
        self.workspace: Workspace | None = None
        self.lock_screen: LockScreen | None = None
        self._place: Place | None = None
        self._ending = False
        self._may_close = False
        self._then: Callable[[], object] = self.close
        self.end_message = ""  # why the session ended, when the account changed under it
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.idle = IdleWatcher(parent=self)
        self.idle.timed_out.connect(lambda: self.lock(idle=True))
        self._status_bar()
        self._build_workspace()
        QShortcut(QKeySequence("Ctrl+L"), self, self.lock).setWhatsThis("Lock Casework now")
        keys = QShortcut(QKeySequence(Qt.Key.Key_F1), self, self.show_shortcuts)
        keys.setWhatsThis("This list of keyboard shortcuts")
        fit_to_screen(self, 1280, 800)  # the size it returns to when un-maximised
        self.setMinimumSize(800, 520)
        # A laptop's whole screen: at 1366x768 every column and banner needs the room.
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        tasks.run(read_idle_minutes, db, on_result=self.set_idle_minutes, on_error=self._error)
        tasks.session_hub().revoked.connect(self.account_changed)
        self.idle.start()

    # --- building -----------------------------------------------------------------------

    def _status_bar(self) -> None:
        status = self.statusBar()
        if self.demo:  # a throwaway file: its name says nothing, the password matters
            badge = QLabel("DEMO data: deleted on closing")
            badge.setObjectName("demoBadge")
            status.addPermanentWidget(badge)
            return
        on_file = self.db.backend == "file"
        where = QLabel(f"Database: {self.db.path.name if on_file else self.db.location}")
        where.setObjectName("statusDatabase")
        where.setToolTip(self.db.location)
        status.addPermanentWidget(where)

    def _build_workspace(self) -> None:
        workspace = Workspace(self.db, self.actor, self.clock, demo=self.demo)
        workspace.lock_requested.connect(self.lock)
        workspace.help_requested.connect(self.show_shortcuts)
        workspace.sign_out_requested.connect(self.sign_out)
        workspace.message.connect(self.show_message)
        workspace.idle_minutes_changed.connect(self.set_idle_minutes)
        self.workspace = workspace
        self.pages.addWidget(workspace)
        self.pages.setCurrentWidget(workspace)
        self.setWindowTitle(DEMO_TITLE if self.demo else "Casework")
        workspace.focus_content()

    def _destroy_workspace(self) -> None:
        workspace, self.workspace = self.workspace, None
        if workspace is None:
            return
        workspace.clear()
        self.pages.removeWidget(workspace)
        workspace.hide()
        workspace.deleteLater()

    def _close_dialogs(self) -> None:
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                discard = getattr(dialog, "discard", None)  # closes without asking
                discard() if callable(discard) else dialog.reject()

    # --- public -------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Once on screen, the keyboard starts in the first list (never on Lock).
        workspace = self.workspace
        if workspace is not None:
            QTimer.singleShot(0, workspace.focus_content)

    def show_demo_accounts(self, password: str, accounts: list[Any]) -> None:
        """The demo banner: the password every demo account shares (the team lead needs
        it to approve a closure) and a button listing every account."""
        from ui.demo_mode import DemoAccountsDialog

        self.demo_password = password
        self.demo_accounts = list(accounts)
        banner = QLabel(f"Demo password (all accounts, approvals): <b>{password}</b>")
        banner.setObjectName("demoPassword")
        banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton(f"Demo accounts ({len(accounts)})…")
        button.setAccessibleName("Demo accounts")
        button.clicked.connect(lambda: DemoAccountsDialog(self, password, accounts).open())
        self.statusBar().insertPermanentWidget(0, banner)
        self.statusBar().insertPermanentWidget(1, button)

    def show_shortcuts(self) -> None:
        """Help > Keyboard shortcuts: every shortcut the window has now, and Qt's own keys."""
        from ui.dialogs.shortcuts_help import ShortcutsDialog

        if self.lock_screen is None:
            ShortcutsDialog(self).open()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def set_idle_minutes(self, minutes: Any) -> None:
        self.idle.set_minutes(int(minutes))

    def is_locked(self) -> bool:
        return self.lock_screen is not None

    def lock(self, idle: bool = False) -> None:
        if self.lock_screen is not None or self._ending:
            return
        self.idle.stop()
        self._close_dialogs()
        if self.workspace is not None:
            self._place = self.workspace.place()  # ids only: where to carry on after unlock
        self._destroy_workspace()
        self.statusBar().clearMessage()
        tasks.run(end_session, self.db, self.actor, self.clock(), "lock", on_error=self._error)
        screen = LockScreen(
            self.db,
            self.actor,
            self.clock,
            idle_minutes=self.idle.minutes if idle else None,
            hint=self.demo_hint,
        )
        screen.unlocked.connect(self._unlocked)
        screen.sign_out_requested.connect(self.sign_out)
        self.lock_screen = screen
        self.pages.addWidget(screen)
        self.pages.setCurrentWidget(screen)
        self.setWindowTitle("Locked")
        screen.setFocus()
        self.locked.emit()

    def _unlocked(self, actor: Any) -> None:
        self.actor = actor
        screen, self.lock_screen = self.lock_screen, None
        if screen is not None:
            self.pages.removeWidget(screen)
            screen.deleteLater()
        self._build_workspace()
        place, self._place = self._place, None
        if place is not None and self.workspace is not None:
            self.workspace.restore(place)
        self.idle.start()
        self.show_message("Unlocked.")
        self.unlocked.emit()

    def account_changed(self, message: str) -> None:
        """The account was disabled, or its role or teams changed, since sign-in (the
        refusal is already audited): clear everything and go back to sign-in, saying why."""
        if self._ending:
            return
        self.end_message = message
        self.sign_out()

    def sign_out(self) -> None:
        self._place = None
        self._end(self._signed_out)

    def _signed_out(self) -> None:
        self._may_close = True
        self.hide()
        self.signed_out.emit()

    def _closed(self) -> None:
        self._may_close = True
        self.close()
        self.closed.emit()

    def _end(self, then: Callable[[], None]) -> None:
        """Stop the session: clear everything, audit a logout unless locked, then ``then``."""
        if self._ending:
            return
        self._ending = True
        self._then = then
        self.idle.stop()
        self._close_dialogs()
        was_locked = self.lock_screen is not None
        self._destroy_workspace()
        self.hide()
        if was_locked:  # the lock was already audited; nobody is signed in
            then()
            return
        tasks.run(
            end_session,
            self.db,
            self.actor,
            self.clock(),
            "logout",
            on_result=self._ended,
            on_error=self._end_failed,
        )

    def _ended(self, _none: object = None) -> None:
        self._then()

    def _end_failed(self, exc: BaseException) -> None:
        self._error(exc)
        self._then()

    def _error(self, exc: BaseException) -> None:
        crash.show_error(self if self.isVisible() else None, exc)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            event.accept()
            return
        event.ignore()
        self._end(self._closed)
