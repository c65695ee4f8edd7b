"""Signing in to a team server: the same window as on a laptop's own file, with the
server named. The person signs in as their own PostgreSQL role; the password goes to the
server (checked there, SCRAM-SHA-256 over TLS) and is never stored.

The connection is made on a worker (``server_login``), so a slow or silent network never
freezes the window; each way it can fail gets its own plain message and next step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.errors import (
    CaseworkError,
    LoginRefused,
    ServerCertificateProblem,
    ServerSetupProblem,
    ServerUnavailable,
)
from ui import crash, tasks
from ui.dialogs.login import Countdown, SignInFields, sign_in_fields

if TYPE_CHECKING:
    from casework.services.connections import SavedConnection
    from casework.services.permissions import Actor

Clock = Callable[[], datetime]

NEXT_STEP = {
    ServerUnavailable: (
        "Check that this laptop is connected to the council network (in the office, or "
        "through the VPN), then sign in again. If it still fails, ask IT whether the team "
        "server is running."
    ),
    ServerCertificateProblem: (
        "Casework did not connect, so nothing was sent. Do not sign in on this network: "
        "tell IT, who can check the server's certificate and the certificate file saved "
        "for this team server."
    ),
    ServerSetupProblem: "Nothing is wrong on this laptop: tell IT what the message says.",
}


def connect_and_sign_in(
    connection: SavedConnection, username: str, password: str, now: datetime
) -> tuple[Any, Actor]:
    """Worker: connect as the person's own role and build their session."""
    from casework.services.auth import server_login

    return server_login(connection.url, username, password, ca_file=connection.ca_file, now=now)


def check_password_on_server(
    connection: SavedConnection, username: str, password: str, now: datetime
) -> Actor:
    """Worker (the lock screen): the server checks the password by a fresh connection as
    that role; the new connection is closed at once, the session carries on with its own."""
    db, actor = connect_and_sign_in(connection, username, password, now)
    db.close()
    return actor


def sign_in_problem(exc: CaseworkError, host: str) -> list[str]:
    """The server's message, and for a network or certificate failure what to do next.
    Offline at sign-in nothing has been typed yet, so that is said in sign-in's own words."""
    if isinstance(exc, ServerUnavailable):
        lines = [f"Casework cannot reach the team server at {host}, so you cannot sign in now."]
    else:
        lines = [str(exc)]
    for kind, step in NEXT_STEP.items():
        if isinstance(exc, kind):
            lines.append(step)
    return lines


def server_place(connection: SavedConnection) -> str:
    """``North Leaving Care`` / ``db.council.local, database casework``."""
    port = "" if connection.port == 5432 else f":{connection.port}"
    return (
        f"Team server: <b>{escape(connection.name)}</b><br>"
        f"{escape(connection.host)}{port}, database {escape(connection.database)}"
    )


class ServerLoginWindow(SignInFields, QDialog):
    """User name and password for a team server."""

    signed_in = Signal(object, object)  # the ServerDatabase opened as this person, Actor
    back_requested = Signal()  # choose another place to work

    def __init__(
        self,
        connection: SavedConnection,
        clock: Clock,
        *,
        can_go_back: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginWindow")
        self.setWindowTitle("Sign in")
        self.connection = connection
        self._clock = clock
        self._busy = False
        self._build(can_go_back)
        self.countdown = Countdown(self.sign_in_button, self.countdown_label, self)
        self.resize(460, 400)

    def _build(self, can_go_back: bool) -> None:
        title = QLabel(
            "<h1>Casework</h1><p>Sign in to your team's server with your own Casework account.</p>"
        )
        title.setWordWrap(True)
        form = sign_in_fields(self)
        self.sign_in_button.clicked.connect(self.submit)
        self.back_button = QPushButton("Other place to work…")
        self.back_button.setAutoDefault(False)
        self.back_button.setToolTip("Choose this laptop's file or another team server")
        self.back_button.clicked.connect(self.back_requested)
        self.back_button.setVisible(can_go_back)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        where = QLabel(server_place(self.connection))
        where.setObjectName("dbPath")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.countdown_label)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(where)
        self.username.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            return  # Escape must not quit Casework by accident; the close button does
        super().keyPressEvent(event)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

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
        self._set_busy(True)
        tasks.run(
            connect_and_sign_in,
            self.connection,
            username,
            self.password.text(),
            self._clock(),
            on_result=self._signed_in,
            on_error=self._refused,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_in_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.sign_in_button.setText("Connecting…" if busy else "Sign in")
        self.set_status(f"Connecting to {self.connection.host}…" if busy else "")

    def _signed_in(self, result: Any) -> None:
        self._set_busy(False)
        self.password.clear()
        db, actor = result
        self.signed_in.emit(db, actor)

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, CaseworkError):
            crash.report(type(exc), exc, exc.__traceback__)
            exc = ServerUnavailable(
                "Casework could not sign you in because of an unexpected problem while "
                "connecting to the team server."
            )
        self.error.set_problems(sign_in_problem(exc, self.connection.host))
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, LoginRefused):
            self.countdown.start(exc.retry_after_seconds)
