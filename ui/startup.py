"""From launch to the login window: find the database, get its key, open it.

    nothing at the path  -> create-database dialog -> recovery code -> login
    keyring mode         -> login shown at once; key fetched and database opened on a worker
    passphrase mode      -> passphrase dialog (or CASEWORK_PASSPHRASE) -> login, opening
    any failure          -> a plain problem screen with next steps (retry / recovery code)

Nothing here ever creates a file over an existing one; the core refuses too.

With team servers saved on this laptop, ``Chooser`` first asks where to work (this
laptop's file or a team server); ``casework --server ADDRESS`` goes straight to that
server's sign-in (``ServerStartup``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from casework.errors import CaseworkError, NotACaseworkDatabase, WrongPassphrase
from ui import crash, tasks
from ui.dialogs.create_database import KeyStoreFactory, default_key_store
from ui.session import ServerSession, Session

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.db.keys import KdfParams, KeyInfo
    from casework.services.connections import SavedConnection

Clock = Callable[[], datetime]
PASSPHRASE_ENV = "CASEWORK_PASSPHRASE"


def find_key_info(path: Path) -> KeyInfo | None:
    """Worker: the key file's contents, or None when neither file exists (first run).

    First removes what a killed Casework left beside the database (temporary files, a
    half-made creation), then checks the database file itself, so a folder, an unreadable
    or read-only file gets its own plain message before anything asks for a passphrase.
    """
    from casework.db import files, keys
    from casework.db.database import tidy

    tidy(path)
    if not path.exists() and not keys.sidecar_path(path).exists() and not path.is_symlink():
        return None
    files.check_database_file(path)
    return keys.read_key_info(path)


def auto_backup(db: Database, now: datetime) -> object:
    """Worker: the automatic backup beside the database, when one is due."""
    from casework.services.backup import backup_if_due

    return backup_if_due(db, now=now)


def preload() -> None:
    """Worker: import the database layer while the first window is being drawn."""
    import casework.db.database
    import casework.services.auth  # noqa: F401


def open_with(
    path: Path,
    info: KeyInfo,
    key: bytes | None,
    passphrase: str | None,
    factory: KeyStoreFactory,
    now: datetime,
    progress: Callable[[str], None],
) -> Database:
    """Worker: get the key (keyring or passphrase) unless given, then open and upgrade."""
    from casework.db.database import open_database, unlock

    if key is None:
        if passphrase is not None:
            key, info = unlock(path, passphrase=passphrase)
        else:
            key, info = unlock(path, key_store=factory())
    return open_database(path, key, info=info, now=now, progress=progress)


def upgrade_note(db: Database) -> str:
    """What the person should know about this opening: an upgrade, a journal set aside."""
    notes = list(getattr(db, "notes", []))
    if db.upgraded_from is not None:
        notes.insert(
            0,
            "The database was upgraded for this version of Casework. A copy of the previous "
            f"version was kept at {db.backup_path}.",
        )
    return " ".join(notes)


class Startup(QObject):
    """Drives the screens before sign-in; then the ``Session`` takes over."""

    quit_requested = Signal()
    dialog_shown = Signal(object)  # each pre-login dialog, for tests and the bench

    def __init__(
        self,
        path: Path,
        clock: Clock,
        *,
        key_store_factory: KeyStoreFactory | None = None,
        kdf: KdfParams | None = None,
        environ: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.clock = clock
        self.factory = key_store_factory or default_key_store
        self.kdf = kdf
        self.environ = os.environ if environ is None else environ
        self.session = Session(path, clock, parent=self)
        self.session.quit_requested.connect(self.quit_requested)
        self.dialog: QDialog | None = None
        self._dialog_quits = False
        self._info: KeyInfo | None = None
        self._env_tried = False

    def start(self) -> None:
        tasks.run(find_key_info, self.path, on_result=self._have_info, on_error=self._failed)
        tasks.run(preload, on_error=lambda exc: None)  # opening reports any real problem

    def shutdown(self) -> None:
        self.session.shutdown()

    # --- deciding -----------------------------------------------------------------------

    def _have_info(self, info: object) -> None:
        if info is None:
            self._create()
            return
        self._info = info  # type: ignore[assignment]
        if self._info.mode != "passphrase":  # type: ignore[union-attr]
            self._open()
            return
        env = self.environ.get(PASSPHRASE_ENV)
        if env and not self._env_tried:
            self._env_tried = True
            self._open(passphrase=env)
        else:
            self._ask_passphrase()

    def _show(self, dialog: QDialog, *, quit_on_reject: bool = True) -> None:
        """Show the next pre-login screen in place of the previous one."""
        self._drop_dialog()
        self.dialog = dialog
        self._dialog_quits = quit_on_reject
        if quit_on_reject:
            dialog.rejected.connect(self.quit_requested)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.dialog_shown.emit(dialog)

    def _drop_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            # A dialog closing because the next screen replaced it must not quit the app.
            if self._dialog_quits:
                dialog.rejected.disconnect(self.quit_requested)
            dialog.hide()
            dialog.deleteLater()

    # --- first run ----------------------------------------------------------------------

    def _create(self) -> None:
        from ui.dialogs.create_database import CreateDatabaseDialog

        dialog = CreateDatabaseDialog(
            self.path, self.clock, key_store_factory=self.factory, kdf=self.kdf
        )
        dialog.created.connect(self._created)
        self._show(dialog)

    def _created(self, db: Any, code: str) -> None:
        from ui.dialogs.recovery_code import RecoveryCodeDialog

        self.session.set_database(db)
        dialog = RecoveryCodeDialog(code)
        dialog.accepted.connect(self._code_kept)
        self._show(dialog)

    def _code_kept(self) -> None:
        self.session.show_login("The database is ready. Sign in as the team lead or administrator.")
        self._drop_dialog()

    # --- unlocking and opening ----------------------------------------------------------

    def _ask_passphrase(self, message: str = "") -> None:
        from ui.dialogs.unlock import PassphraseDialog

        assert self._info is not None
        dialog = PassphraseDialog(self.path, self._info, message=message)
        dialog.unlocked.connect(lambda key: self._open(key=key))
        dialog.recovery_requested.connect(self._recover)
        self._show(dialog)

    def _open(self, *, key: bytes | None = None, passphrase: str | None = None) -> None:
        assert self._info is not None
        self.session.show_login("Opening the database…")
        self._drop_dialog()
        tasks.run(
            open_with,
            self.path,
            self._info,
            key,
            passphrase,
            self.factory,
            self.clock(),
            on_result=self._opened,
            on_error=self._failed,
            on_progress=self._progress,
        )

    def _progress(self, text: str) -> None:
        self.session.set_status(
            f"Upgrading the database for this version of Casework: {text}. "
            "This can take a minute; please wait."
        )

    def _opened(self, db: object) -> None:
        self.session.set_database(db, upgrade_note(db))  # type: ignore[arg-type]
        if not self.session.demo:
            tasks.run(auto_backup, db, self.clock(), on_error=self._backup_failed)

    def _backup_failed(self, exc: BaseException) -> None:
        """An automatic backup that failed is said plainly; work carries on."""
        if not isinstance(exc, CaseworkError):
            crash.report(type(exc), exc, exc.__traceback__)
            return
        text = f"The automatic backup could not be taken: {exc}"
        if self.session.login is not None:
            self.session.set_status(text)
        else:
            crash.show_error(None, CaseworkError(text))

    def _failed(self, exc: BaseException) -> None:
        self.session.dismiss_login()
        if isinstance(exc, WrongPassphrase) and self._info is not None:
            self._ask_passphrase(
                f"The passphrase in the {PASSPHRASE_ENV} setting did not unlock this "
                "database. Enter the passphrase here instead."
            )
            return
        if not isinstance(exc, CaseworkError):
            crash.report(type(exc), exc, exc.__traceback__)
            exc = NotACaseworkDatabase(
                "Casework could not open the database because of an unexpected error. "
                "Nothing was changed."
            )
        from ui.dialogs.unlock import ProblemDialog

        dialog = ProblemDialog(self.path, exc)
        dialog.retry_requested.connect(self._retry)
        dialog.recovery_requested.connect(self._recover)
        self._show(dialog)

    def _retry(self) -> None:
        self._drop_dialog()
        self.start()

    # --- recovery -----------------------------------------------------------------------

    def _recover(self) -> None:
        from ui.dialogs.unlock import RecoveryDialog

        dialog = RecoveryDialog(self.path, key_store_factory=self.factory)
        dialog.recovered.connect(self._recovered)
        dialog.back_requested.connect(self._retry)
        self._show(dialog, quit_on_reject=False)  # Back returns to the start, not Quit

    def _recovered(self, passphrase: object) -> None:
        self._info = None
        tasks.run(
            find_key_info,
            self.path,
            on_result=lambda info: self._reopen(info, passphrase),
            on_error=self._failed,
        )

    def _reopen(self, info: Any, passphrase: object) -> None:
        self._info = info
        self._open(passphrase=passphrase if isinstance(passphrase, str) else None)


class ServerStartup(QObject):
    """``casework --server ADDRESS``: straight to that team server's sign-in."""

    quit_requested = Signal()

    def __init__(
        self, connection: SavedConnection, clock: Clock, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.session = ServerSession(connection, clock, parent=self)
        self.session.quit_requested.connect(self.quit_requested)

    def start(self) -> None:
        tasks.run(preload, on_error=lambda exc: None)
        self.session.show_login()

    def shutdown(self) -> None:
        self.session.shutdown()


class Chooser(QObject):
    """Where to work: this laptop's encrypted file, or a saved team server. Choosing hands
    over to ``Startup`` or a ``ServerSession``; a server's sign-in can come back here."""

    quit_requested = Signal()
    dialog_shown = Signal(object)

    def __init__(
        self,
        local_path: Path,
        connections_file: Path,
        clock: Clock,
        *,
        saved: list[SavedConnection] | None = None,
        problem: str = "",
        key_store_factory: KeyStoreFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.local_path = local_path
        self.connections_file = connections_file
        self.clock = clock
        self.saved = saved
        self.problem = problem
        self.factory = key_store_factory
        self.dialog: QDialog | None = None
        self.flow: Startup | None = None
        self.session: ServerSession | None = None

    def start(self) -> None:
        from ui.dialogs.connection_dialog import ConnectionDialog

        tasks.run(preload, on_error=lambda exc: None)
        dialog = ConnectionDialog(
            self.connections_file, self.local_path, saved=self.saved, problem=self.problem
        )
        dialog.local_chosen.connect(self._local)
        dialog.server_chosen.connect(self._server)
        dialog.rejected.connect(self.quit_requested)
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.dialog_shown.emit(dialog)

    def _drop_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.rejected.disconnect(self.quit_requested)
            dialog.hide()
            dialog.deleteLater()

    def _local(self) -> None:
        self._drop_dialog()
        flow = Startup(self.local_path, self.clock, key_store_factory=self.factory, parent=self)
        flow.quit_requested.connect(self.quit_requested)
        flow.dialog_shown.connect(self.dialog_shown)
        self.flow = flow
        flow.start()

    def _server(self, connection: SavedConnection) -> None:
        self._drop_dialog()
        session = ServerSession(connection, self.clock, can_go_back=True, parent=self)
        session.quit_requested.connect(self.quit_requested)
        session.back_requested.connect(self._again)
        self.session = session
        session.show_login()

    def _again(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            session.deleteLater()
        from casework.services import connections

        try:
            self.saved, self.problem = connections.load(self.connections_file), ""
        except CaseworkError as exc:
            self.saved, self.problem = [], str(exc)
        self.start()

    def shutdown(self) -> None:
        if self.flow is not None:
            self.flow.shutdown()
        if self.session is not None:
            self.session.shutdown()
