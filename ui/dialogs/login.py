"""Signing in: user name and password, with the waiting time after repeated failures shown."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.errors import CaseworkError, LoginRefused
from ui import crash, tasks
from ui.widgets.problems import ProblemList

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor

Clock = Callable[[], datetime]


def sign_in(db: Database, username: str, password: str, now: datetime) -> Actor:
    """Worker: check the password (Argon2) and audit the sign-in."""
    from casework.services import auth

    return auth.login(db, username, password, now=now)


class SignInFields:
    """The widgets every sign-in dialog has (made by :func:`sign_in_fields`)."""

    username: QLineEdit
    password: QLineEdit
    error: ProblemList
    countdown_label: QLabel
    status: QLabel
    sign_in_button: QPushButton


def sign_in_fields(dialog: SignInFields) -> QFormLayout:
    """The widgets every sign-in shows, set on ``dialog`` under the names the sign-in
    dialogs and their tests use (user name, password, problems, countdown, status, the
    default Sign in button); returns the two-row form."""
    dialog.username = QLineEdit()
    dialog.username.setObjectName("username")
    dialog.password = QLineEdit()
    dialog.password.setObjectName("password")
    dialog.password.setEchoMode(QLineEdit.EchoMode.Password)
    form = QFormLayout()
    form.addRow("&User name", dialog.username)
    form.addRow("&Password", dialog.password)
    dialog.error = ProblemList()
    dialog.countdown_label = QLabel()
    dialog.countdown_label.setObjectName("countdown")
    dialog.countdown_label.setProperty("severity", "warning")
    dialog.countdown_label.hide()
    dialog.status = QLabel()
    dialog.status.setObjectName("status")
    dialog.status.setWordWrap(True)
    dialog.status.hide()
    dialog.sign_in_button = QPushButton("Sign in")
    dialog.sign_in_button.setDefault(True)
    return form


class Countdown(QObject):
    """Keeps a button disabled, with the seconds left shown, until a wait is over."""

    finished = Signal()

    def __init__(self, button: QPushButton, label: QLabel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._button = button
        self._label = label
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)

    def start(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self._deadline = time.monotonic() + seconds
        self._button.setEnabled(False)
        self._label.show()
        self._tick()
        self._timer.start()

    def running(self) -> bool:
        return self._timer.isActive()

    def remaining(self) -> int:
        return max(0, math.ceil(self._deadline - time.monotonic()))

    def stop(self) -> None:
        self._timer.stop()
        self._button.setEnabled(True)
        self._label.hide()
        self.finished.emit()

    def _tick(self) -> None:
        left = self.remaining()
        if left <= 0:
            self.stop()
            return
        unit = "second" if left == 1 else "seconds"
        self._label.setText(f"You can try again in {left} {unit}.")


class LoginWindow(SignInFields, QDialog):
    """The sign-in window. It may appear before the database has finished opening:
    a sign-in pressed meanwhile waits for it."""

    signed_in = Signal(object)  # Actor
    ready = Signal()  # the database is open and sign-in possible

    def __init__(
        self,
        path: Path,
        clock: Clock,
        *,
        hint: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginWindow")
        self.setWindowTitle("Sign in")
        self._clock = clock
        self._db: Database | None = None
        self._pending = False
        self._busy = False
        self._build(path, hint)
        self.countdown = Countdown(self.sign_in_button, self.countdown_label, self)
        self.resize(440, 380)

    def _build(self, path: Path, hint: str | None) -> None:
        title = QLabel("<h1>Casework</h1><p>Sign in with your Casework account.</p>")
        form = sign_in_fields(self)
        self.sign_in_button.clicked.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        if hint:
            note = QLabel(hint)
            note.setObjectName("hint")
            note.setWordWrap(True)
            note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.countdown_label)
        layout.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.status)
        layout.addStretch(1)
        where = QLabel(f"Database: {path.name}<br>{path.parent}")
        where.setObjectName("dbPath")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        self.username.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            return  # Escape must not quit Casework by accident; the close button does
        super().keyPressEvent(event)

    # --- the database arriving ----------------------------------------------------------

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def set_database(self, db: Database, note: str = "") -> None:
        self._db = db
        self.set_status(note)
        self.ready.emit()
        if self._pending:
            self._pending = False
            self.submit()

    def database(self) -> Database | None:
        return self._db

    # --- signing in ---------------------------------------------------------------------

    def submit(self) -> None:
        if self._busy or self.countdown.running():
            return
        username = self.username.text().strip()
        if not username or not self.password.text():
            self.error.set_message("Enter your user name and password.")
            (self.username if not username else self.password).setFocus()
            return
        self.error.set_problems([])
        if self._db is None:
            self._pending = True
            self.sign_in_button.setEnabled(False)
            self.set_status("Opening the database… you will be signed in when it is ready.")
            return
        self._set_busy(True)
        tasks.run(
            sign_in,
            self._db,
            username,
            self.password.text(),
            self._clock(),
            on_result=self._signed_in,
            on_error=self._refused,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText("Signing in…" if busy else "Sign in")

    def _signed_in(self, actor: Any) -> None:
        self._set_busy(False)
        self.password.clear()
        self.signed_in.emit(actor)

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, CaseworkError):
            crash.report(type(exc), exc, exc.__traceback__)
            return
        self.error.set_message(str(exc))
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, LoginRefused):
            self.countdown.start(exc.retry_after_seconds)
