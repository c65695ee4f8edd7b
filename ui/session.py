"""One open database for the life of the app: sign in, work, sign out, sign in again.

The session owns the open ``Database``. It shows the login window (possibly before
the database has finished opening), the main window after a sign-in, and the login
window again after a sign-out. Closing either window asks the app to quit.

``ServerSession`` does the same for a team server, where the database connection is
made by the sign-in itself (as the person's own role) and closed at sign-out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ui import tasks
from ui.dialogs.login import LoginWindow

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.connections import SavedConnection
    from ui.dialogs.server_login import ServerLoginWindow
    from ui.main_window import MainWindow
    from ui.offline import OfflineKeeper

Clock = Callable[[], datetime]


class SessionBase(QObject):
    """What both kinds of session share: the main window a sign-in opens, signing out back
    to the sign-in, and closing the database at quit."""

    quit_requested = Signal()
    login_shown = Signal(object)  # the sign-in window
    main_shown = Signal(object)  # MainWindow

    db: Any
    window: MainWindow | None
    _closed: bool

    def show_login(self, status: str = "") -> Any:
        raise NotImplementedError

    def dismiss_login(self) -> None:
        raise NotImplementedError

    def present(self, window: MainWindow) -> MainWindow:
        """Show the main window a sign-in opened: signing out returns to the sign-in,
        closing quits, and the sign-in dialog goes."""
        window.signed_out.connect(self._signed_out)
        window.closed.connect(self.quit_requested)
        self.window = window
        window.show()
        window.raise_()
        window.activateWindow()
        self.dismiss_login()
        self.main_shown.emit(window)
        return window

    def _before_sign_in_again(self) -> None:
        """What a session lets go of when its person signs out (nothing, on a file)."""

    def _signed_out(self) -> None:
        window, self.window = self.window, None
        why = window.end_message if window is not None else ""
        self._before_sign_in_again()
        self.show_login(why or "You have signed out.")
        if window is not None:
            window.deleteLater()

    def shutdown(self) -> None:
        """At quit: let workers finish, then close the database (a file is checkpointed)."""
        if self._closed:
            return
        self._closed = True
        tasks.wait_for_all()
        if self.db is not None:
            self.db.close()
            self.db = None


class Session(SessionBase):
    def __init__(
        self,
        path: Path,
        clock: Clock,
        *,
        demo_hint: str | None = None,
        lock_hint: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.clock = clock
        self.demo_hint = demo_hint  # shown on the login window (demo mode only)
        self.lock_hint = lock_hint or demo_hint  # shown on the lock screen
        self.db: Database | None = None
        self.login: LoginWindow | None = None
        self.window: MainWindow | None = None
        self._closed = False
        self.warmed_due: int | None = None  # snapshots stored by the warm-up, once done

    @property
    def demo(self) -> bool:
        return self.demo_hint is not None

    def show_login(self, status: str = "") -> LoginWindow:
        if self.login is not None:
            self.login.set_status(status)
            return self.login
        login = LoginWindow(self.path, self.clock, hint=self.demo_hint)
        if self.db is not None:
            login.set_database(self.db)
        if status:
            login.set_status(status)
        login.signed_in.connect(self.show_main)
        login.rejected.connect(self.quit_requested)
        self.login = login
        login.show()
        login.raise_()
        login.activateWindow()
        self.login_shown.emit(login)
        return login

    def set_status(self, text: str) -> None:
        if self.login is not None:
            self.login.set_status(text)

    def set_database(self, db: Database, note: str = "") -> None:
        self.db = db
        if self.login is not None:
            self.login.set_database(db, note)
        self._warm_due(db)

    def _warm_due(self, db: Database) -> None:
        """While the sign-in window is up, compute today's due snapshot for everyone who
        lacks one (``casework.services.due_snapshot.warm``), so the first "My work" of the
        day reads it instead of running the due engine for a whole team."""
        from casework.services import due_snapshot

        tasks.run(due_snapshot.warm, db, now=self.clock(), on_result=self._warmed)

    def _warmed(self, stored: int) -> None:
        self.warmed_due = stored

    def dismiss_login(self) -> None:
        """Close the login window without quitting (another window takes over)."""
        if self.login is not None:
            login, self.login = self.login, None
            login.signed_in.disconnect(self.show_main)
            login.rejected.disconnect(self.quit_requested)
            login.hide()
            login.deleteLater()

    def show_main(self, actor: Any) -> MainWindow:
        from ui.main_window import MainWindow

        assert self.db is not None
        window = MainWindow(self.db, actor, self.clock, demo_hint=self.lock_hint)
        return self.present(window)


class ServerSession(SessionBase):
    """A team server for the life of the app: each sign-in connects as that person's own
    role, and signing out closes that connection. The laptop's kept notes (``OfflineKeeper``)
    belong to the person and server signed in."""

    back_requested = Signal()  # choose another place to work

    def __init__(
        self,
        connection: SavedConnection,
        clock: Clock,
        *,
        can_go_back: bool = False,
        cache_path: Path | None = None,
        key_store_factory: Callable[[], Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.connection = connection
        self.clock = clock
        self.can_go_back = can_go_back
        self.cache_path = cache_path
        self.key_store_factory = key_store_factory
        self.db: Any = None
        self.keeper: OfflineKeeper | None = None
        self.login: ServerLoginWindow | None = None
        self.window: MainWindow | None = None
        self._closed = False

    def show_login(self, status: str = "") -> ServerLoginWindow:
        from ui.dialogs.server_login import ServerLoginWindow

        if self.login is not None:
            self.login.set_status(status)
            return self.login
        login = ServerLoginWindow(self.connection, self.clock, can_go_back=self.can_go_back)
        login.set_status(status)
        login.signed_in.connect(self.show_main)
        login.rejected.connect(self.quit_requested)
        login.back_requested.connect(self._back)
        self.login = login
        login.show()
        login.raise_()
        login.activateWindow()
        self.login_shown.emit(login)
        return login

    def _back(self) -> None:
        self.dismiss_login()
        self.back_requested.emit()

    def set_status(self, text: str) -> None:
        if self.login is not None:
            self.login.set_status(text)

    def dismiss_login(self) -> None:
        if self.login is not None:
            login, self.login = self.login, None
            login.signed_in.disconnect(self.show_main)
            login.rejected.disconnect(self.quit_requested)
            login.hide()
            login.deleteLater()

    def show_main(self, db: Any, actor: Any) -> MainWindow:
        from ui.main_window import MainWindow
        from ui.offline import OfflineKeeper

        self.db = db
        keeper = OfflineKeeper(
            db,
            actor,
            self.clock,
            username=actor.username,
            cache_path=self.cache_path,
            key_store_factory=self.key_store_factory,
            parent=self,
        )
        self.keeper = keeper
        window = MainWindow(db, actor, self.clock, server=self.connection, keeper=keeper)
        keeper.start()
        return self.present(window)

    def _close_connection(self) -> None:
        keeper, self.keeper = self.keeper, None
        if keeper is not None:
            keeper.close()
            keeper.deleteLater()
        db, self.db = self.db, None
        if db is not None:
            tasks.run(db.close, on_error=lambda _exc: None)  # a dead network may be slow

    def _before_sign_in_again(self) -> None:
        self._close_connection()
