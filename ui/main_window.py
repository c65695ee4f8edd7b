"""The main window: the workspace while unlocked, the lock screen while locked.

Locking clears every view, closes any open dialog, destroys the workspace (so no model
or widget keeps case data and no late query result can land anywhere) and audits a
``lock``. Unlocking builds a fresh workspace. Signing out or closing audits a logout.

On a team server the status bar names the server, and when it cannot be reached a
banner says so plainly, what still works, and retries every 30 seconds (``ui.offline``
keeps any note a save could not send and sends it when the server is back).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casework.errors import CaseworkError
from ui import crash, tasks
from ui.idle import IdleWatcher, LockScreen
from ui.widgets.sizing import fit_to_screen
from ui.workspace import Place, Workspace

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.connections import SavedConnection
    from casework.services.permissions import Actor
    from ui.offline import OfflineKeeper

Clock = Callable[[], datetime]
# Qt adds the application's name ("… — Casework") to every title: never name it twice.
DEMO_TITLE = "DEMO — synthetic data"
RETRY_MS = 30_000
OFFLINE_KEPT = (
    "<b>Offline: the team server cannot be reached.</b> Your note is kept on this laptop "
    "and will be sent when the connection is back. Until then you can read what is on "
    "screen; nothing else can be saved."
)
OFFLINE_NOTHING_KEPT = (
    "<b>Offline: the team server cannot be reached.</b> Until the connection is back you "
    "can read what is on screen; nothing can be saved. A contact note you write is kept "
    "on this laptop and sent when the connection is back."
)
OFFLINE_STYLE = """
QFrame#offlineBanner { background: #fff4d6; border: 2px solid #c28a00; border-radius: 4px; }
QFrame#offlineBanner QLabel { color: #3d2700; }
"""


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
        server: SavedConnection | None = None,
        keeper: OfflineKeeper | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.server = server
        self.keeper = keeper
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
        self.setCentralWidget(self._central())
        self.idle = IdleWatcher(parent=self)
        self.idle.timed_out.connect(lambda: self.lock(idle=True))
        if server is None:
            self._status_bar()
        self._team_server()
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

    def _central(self) -> QWidget:
        """The offline banner (hidden until needed) above the pages."""
        self.offline_banner = QFrame()
        self.offline_banner.setObjectName("offlineBanner")
        self.offline_banner.setStyleSheet(OFFLINE_STYLE)
        self.offline_text = QLabel(OFFLINE_NOTHING_KEPT)
        self.offline_text.setObjectName("offlineText")
        self.offline_text.setWordWrap(True)
        self.offline_when = QLabel()
        self.offline_when.setObjectName("offlineWhen")
        self.try_again_button = QPushButton("Try again")
        self.try_again_button.setAccessibleName("Try the team server again")
        self.try_again_button.clicked.connect(self.try_again)
        text = QVBoxLayout()
        text.addWidget(self.offline_text)
        text.addWidget(self.offline_when)
        row = QHBoxLayout(self.offline_banner)
        row.addLayout(text, 1)
        row.addWidget(self.try_again_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.offline_banner.hide()
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(RETRY_MS)
        self.retry_timer.timeout.connect(self.try_again)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.offline_banner)
        column.addWidget(self.pages, 1)
        return central

    def _team_server(self) -> None:
        """On a team server: say where the record lives, and be ready to work offline."""
        server, keeper = self.server, self.keeper
        if server is None:
            return
        where = QLabel(f"Team server: {server.describe()}")
        where.setObjectName("statusDatabase")
        where.setToolTip(f"{server.host}:{server.port}, database {server.database}")
        self.statusBar().addPermanentWidget(where)
        self.kept_button = QPushButton()
        self.kept_button.setObjectName("keptNotes")
        self.kept_button.clicked.connect(self.show_kept)
        self.kept_button.hide()
        self.statusBar().insertPermanentWidget(0, self.kept_button)
        tasks.session_hub().offline.connect(self.show_offline)
        if keeper is not None:
            keeper.offline.connect(self.show_offline)
            keeper.kept_changed.connect(self._kept_changed)
            keeper.replayed.connect(self._replayed)
            keeper.problem.connect(self._keep_problem)

    def _build_workspace(self) -> None:
        workspace = Workspace(self.db, self.actor, self.clock, demo=self.demo)
        workspace.lock_requested.connect(self.lock)
        workspace.help_requested.connect(self.show_shortcuts)
        workspace.sign_out_requested.connect(self.request_sign_out)
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

    # --- offline ------------------------------------------------------------------------

    def is_offline(self) -> bool:
        return not self.offline_banner.isHidden()

    def show_offline(self, _message: object = None) -> None:
        """The team server cannot be reached: say so, and try again every 30 seconds."""
        if self.server is None or self._ending:
            return
        self._word_offline()
        self.offline_when.setText(
            f"Noticed at {self.clock().astimezone():%H:%M}. Casework tries again every "
            f"{RETRY_MS // 1000} seconds."
        )
        self.offline_banner.show()
        if not self.retry_timer.isActive():
            self.retry_timer.start()

    def _word_offline(self) -> None:
        kept = self.keeper.count if self.keeper is not None else 0
        self.offline_text.setText(OFFLINE_KEPT if kept else OFFLINE_NOTHING_KEPT)

    def try_again(self) -> None:
        if self.keeper is None:
            return
        self.try_again_button.setEnabled(False)
        self.offline_when.setText("Trying the team server…")
        self.keeper.try_again()

    def _replayed(self, result: Any) -> None:
        self.try_again_button.setEnabled(True)
        if result.offline:
            if self.is_offline():
                self.offline_when.setText(
                    f"Still offline at {self.clock().astimezone():%H:%M}. Casework tries "
                    f"again every {RETRY_MS // 1000} seconds."
                )
            else:
                self.show_offline()
            return
        was_offline = self.is_offline()
        self.retry_timer.stop()
        self.offline_banner.hide()
        words = []
        if was_offline:
            words.append("Connected to the team server again.")
        if result.resent_by_forms:
            words.append("The note you are writing is being saved to the team server.")
        if result.sent:
            notes = "note was" if result.sent == 1 else "notes were"
            words.append(
                f"{result.sent} kept {notes} sent to the team server as drafts: finalise "
                "them from each young person's Contacts."
            )
        if result.refused:
            notes = "note was" if result.refused == 1 else "notes were"
            words.append(
                f"{result.refused} kept {notes} refused by the team server: open Kept "
                "notes to read why, and copy or discard them."
            )
        if words:
            self.statusBar().showMessage(" ".join(words), 20000)

    def _kept_changed(self, count: int) -> None:
        self.kept_button.setText(f"Kept notes ({count})…")
        self.kept_button.setToolTip("Notes kept on this laptop, not yet on the team server")
        self.kept_button.setVisible(count > 0)
        if self.is_offline():
            self._word_offline()

    def _keep_problem(self, message: str) -> None:
        crash.show_error(self if self.isVisible() else None, CaseworkError(message))

    def show_kept(self) -> None:
        from ui.dialogs.kept_notes import KeptNotesDialog

        if self.keeper is not None and self.lock_screen is None:
            KeptNotesDialog(self.keeper, self).open()

    def _leave_kept_notes(self, action: str = "Sign out") -> bool:
        """Signing out or closing with notes kept on this laptop: say what happens to them."""
        kept = self.keeper.count if self.keeper is not None else 0
        if not kept:
            return True
        notes = "1 note is" if kept == 1 else f"{kept} notes are"
        answer = QMessageBox.question(
            self,
            "Notes kept on this laptop",
            f"{notes} kept on this laptop and not yet on the team server. They stay here, "
            "encrypted, and are sent the next time you sign in to this team server on this "
            f"laptop. Until then nobody else can see them.\n\n{action} anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def request_sign_out(self) -> None:
        """Sign out when the person asks: warned first about notes kept on this laptop."""
        if self._leave_kept_notes():
            self.sign_out()

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
            check=self._server_password_check(),
        )
        screen.unlocked.connect(self._unlocked)
        screen.sign_out_requested.connect(self.request_sign_out)
        self.lock_screen = screen
        self.pages.addWidget(screen)
        self.pages.setCurrentWidget(screen)
        self.setWindowTitle("Locked")
        screen.setFocus()
        self.locked.emit()

    def _server_password_check(self) -> Callable[[str, str, datetime], Any] | None:
        """On a team server the password is checked by the server: a fresh connection as
        that role (``server_login``), closed at once."""
        server = self.server
        if server is None:
            return None
        from ui.dialogs.server_login import check_password_on_server

        def check(username: str, password: str, now: datetime) -> Any:
            return check_password_on_server(server, username, password, now)

        return check

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
        self.retry_timer.stop()
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
        if not self._ending and not self._leave_kept_notes("Close Casework"):
            return
        self._end(self._closed)
