"""``casework --demo``: a throwaway database of invented people, signed straight in.

The database lives in a new temporary folder with its key held only in memory; the
folder (database, -wal, -shm and key file) is deleted when the app quits, and again
at interpreter exit in case the app was stopped some other way.
"""

from __future__ import annotations

import atexit
import secrets
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

from ui import crash, tasks
from ui.session import Session

if TYPE_CHECKING:
    from casework.db.keys import KdfParams

Clock = Callable[[], datetime]
DEMO_PEOPLE = 300
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def demo_password() -> str:
    """A fresh random password for this run's demo accounts (never stored anywhere)."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    return "demo-" + "-".join(groups)


def build_demo(
    path: Path,
    password: str,
    people: int,
    kdf: KdfParams | None,
    now: datetime,
    progress: Callable[[str], None],
) -> tuple[Any, Any, Any]:
    """Worker: create the demo database and sign in as the demo team lead."""
    from casework.db.keys import MemoryKeyStore
    from casework.services import auth
    from casework.services.demo import create_demo_database, demo_accounts

    db, _code, summary = create_demo_database(
        path,
        now=now,
        password=password,
        people=people,
        key_store=MemoryKeyStore(),
        kdf=kdf,
        progress=progress,
    )
    progress("signing you in as the demo team lead")
    actor = auth.login(db, summary.lead_username, password, now=now)
    return db, actor, demo_accounts(db)


class PreparingDialog(QDialog):
    """Shown while the demo database is filled."""

    def __init__(self, people: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preparingDemo")
        self.setWindowTitle("Casework demo")
        title = QLabel(
            f"<h2>Preparing the demo</h2><p>Inventing {people} young people, their teams "
            "and workers. Every name and detail is synthetic.</p>"
        )
        title.setWordWrap(True)
        self.step = QLabel("Starting…")
        bar = QProgressBar()
        bar.setRange(0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(bar)
        layout.addWidget(self.step)
        self.resize(440, 180)

    def set_step(self, text: str) -> None:
        self.step.setText(text[:1].upper() + text[1:] + "…")


class DemoStartup(QObject):
    quit_requested = Signal()

    def __init__(
        self,
        clock: Clock,
        *,
        people: int = DEMO_PEOPLE,
        kdf: KdfParams | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.people = people
        self.kdf = kdf
        self.directory = Path(tempfile.mkdtemp(prefix="casework-demo-"))
        self.path = self.directory / "demo.db"
        self.password = demo_password()
        self.session = Session(
            self.path,
            clock,
            demo_hint=self._hint(),
            lock_hint=f"<b>DEMO:</b> the password for this run is <b>{self.password}</b>",
            parent=self,
        )
        self.session.quit_requested.connect(self.quit_requested)
        self.preparing: PreparingDialog | None = None
        self._cleaned = False
        atexit.register(self.cleanup)

    def _hint(self) -> str:
        return (
            "<b>DEMO: synthetic data.</b> Sign in as <b>lead.north</b> (team lead), "
            "<b>it.admin</b> (administrator) or any practitioner listed under "
            "“Demo accounts” in the main window. Every demo account's password for this "
            f"run is <b>{self.password}</b>"
        )

    def start(self) -> None:
        self.preparing = PreparingDialog(self.people)
        self.preparing.rejected.connect(self.quit_requested)
        self.preparing.setWindowModality(Qt.WindowModality.NonModal)
        self.preparing.show()
        tasks.run(
            build_demo,
            self.path,
            self.password,
            self.people,
            self.kdf,
            self.clock(),
            on_result=self._built,
            on_error=self._failed,
            on_progress=self.preparing.set_step,
        )

    def _built(self, result: object) -> None:
        db, actor, accounts = cast("tuple[Any, Any, list[Any]]", result)
        self.session.set_database(db)
        window = self.session.show_main(actor)
        window.show_demo_accounts(self.password, accounts)
        self._close_preparing()

    def _failed(self, exc: BaseException) -> None:
        self._close_preparing()
        box = crash.show_error(None, exc) or crash.current_box()
        if box is None:
            self.quit_requested.emit()
        else:
            box.finished.connect(self.quit_requested)

    def _close_preparing(self) -> None:
        if self.preparing is not None:
            self.preparing.rejected.disconnect(self.quit_requested)
            self.preparing.hide()
            self.preparing.deleteLater()
            self.preparing = None

    def cleanup(self) -> None:
        """Close the database and delete the whole temporary folder."""
        if self._cleaned:
            return
        self._cleaned = True
        self.session.shutdown()
        shutil.rmtree(self.directory, ignore_errors=True)


class DemoAccountsDialog(QDialog):
    """Every demo account, its role and team, and the one password they share."""

    def __init__(self, parent: QWidget, password: str, accounts: list[Any]) -> None:
        from PySide6.QtWidgets import QDialogButtonBox, QTableWidget, QTableWidgetItem

        super().__init__(parent)
        self.setWindowTitle("Demo accounts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        note = QLabel(
            f"Every account below signs in with <b>{password}</b> (for this run only). "
            "Team leads approve closures and decide front-door concerns; practitioners "
            "keep in touch and request closures; the administrator manages accounts."
        )
        note.setWordWrap(True)
        note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(len(accounts), 3)
        self.table.setAccessibleName("Demo accounts")
        self.table.setHorizontalHeaderLabels(["User name", "Role", "Team"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, account in enumerate(accounts):
            for column, text in enumerate((account.username, account.role, account.team)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)
