"""Locking after a period without use, and the lock screen.

``IdleWatcher`` is an application-wide event filter: any key press, click, wheel turn
or mouse movement restarts a single-shot timer; when it runs out the main window
locks. The lock screen asks the password of the person who was signed in; somebody
else must sign out instead (their own sign-in then starts a fresh session). On a team
server the server checks the password (a fresh connection as that role); while it
cannot be reached Casework stays locked and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.errors import CaseworkError, LoginRefused
from casework.services.auth import REFUSED
from ui import crash, tasks
from ui.dialogs.login import Countdown, sign_in
from ui.widgets.problems import ProblemList

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor

Clock = Callable[[], datetime]
DEFAULT_MINUTES = 15

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Emits ``timed_out`` after the given time with no keyboard or mouse input."""

    timed_out = Signal()

    def __init__(self, minutes: int = DEFAULT_MINUTES, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Precise: a coarse timer may fire up to 5% early (45 s early at 15 minutes).
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._expired)
        self.minutes = minutes
        self.set_interval_ms(minutes * 60_000)
        self._watching = False

    def set_minutes(self, minutes: int) -> None:
        self.minutes = minutes
        self.set_interval_ms(minutes * 60_000)

    def set_interval_ms(self, ms: int) -> None:
        self._timer.setInterval(ms)
        if self._timer.isActive():
            self._timer.start()

    def interval_ms(self) -> int:
        return self._timer.interval()

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)
            self._watching = True
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._watching:
            app.removeEventFilter(self)
            self._watching = False

    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False

    def _expired(self) -> None:
        self.stop()
        self.timed_out.emit()


def lock_refusal(message: str, name: str) -> str:
    """The sign-in refusal as the lock screen says it: there is no user name to get wrong
    here, only the signed-in person's password ("... Wait 2 seconds" kept)."""
    if message.startswith(REFUSED):
        return f"That is not {name}'s password." + message[len(REFUSED) :]
    return message


def locked_reason(locked_at: datetime, idle_minutes: int | None) -> str:
    when = locked_at.astimezone().strftime("%H:%M")
    if idle_minutes is None:
        return f"Locked at {when}."
    unit = "minute" if idle_minutes == 1 else "minutes"
    return f"Locked at {when} after {idle_minutes} {unit} without activity."


class LockScreen(QWidget):
    """Fills the main window while locked; shows no case data at all."""

    unlocked = Signal(object)  # the same Actor, freshly signed in
    sign_out_requested = Signal()

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        *,
        idle_minutes: int | None,
        hint: str | None = None,
        check: Callable[[str, str, datetime], Actor] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self._check = check  # on a team server: the server checks the password
        self._db = db
        self._actor = actor
        self._clock = clock
        self._busy = False
        card = QFrame()
        card.setObjectName("lockCard")
        self._build(card, locked_reason(clock(), idle_minutes), hint)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(card)
        column.addStretch(2)
        outer.addLayout(column)
        outer.addStretch(1)
        self.countdown = Countdown(self.unlock_button, self.countdown_label, self)
        self.setFocusProxy(self.password)

    def _build(self, card: QFrame, reason: str, hint: str | None) -> None:
        name = escape(self._actor.display_name)
        title = QLabel("<h1>Casework is locked</h1>")
        text = QLabel(
            f"<p>{escape(reason)} Case details are hidden until you unlock.</p>"
            f"<p>Signed in as <b>{name}</b>, {escape(self._actor.role.label)}. "
            f"Enter {name}'s password to carry on where you left off.</p>"
        )
        text.setWordWrap(True)
        self.reason = text
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.returnPressed.connect(self.submit)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.error = ProblemList()
        self.countdown_label = QLabel()
        self.countdown_label.setProperty("severity", "warning")
        self.countdown_label.hide()
        other = QLabel(f"Not {name}? Sign out, then sign in as yourself.")
        other.setWordWrap(True)
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        layout = QVBoxLayout(card)
        layout.addWidget(title)
        layout.addWidget(text)
        if hint:
            note = QLabel(hint)
            note.setObjectName("hint")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.countdown_label)
        layout.addSpacing(16)
        layout.addWidget(other)
        layout.addWidget(self.sign_out_button, 0, Qt.AlignmentFlag.AlignLeft)
        card.setMinimumWidth(460)
        card.setMaximumWidth(560)

    def submit(self) -> None:
        if self._busy or self.countdown.running():
            return
        if not self.password.text():
            self.error.set_message("Enter your password.")
            return
        self._busy = True
        self.unlock_button.setEnabled(False)
        self.error.set_problems([])
        if self._check is not None:
            tasks.run(
                self._check,
                self._actor.username,
                self.password.text(),
                self._clock(),
                on_result=self._done,
                on_error=self._refused,
            )
            return
        tasks.run(
            sign_in,
            self._db,
            self._actor.username,
            self.password.text(),
            self._clock(),
            on_result=self._done,
            on_error=self._refused,
        )

    def _done(self, actor: Any) -> None:
        self._busy = False
        self.unlock_button.setEnabled(True)
        self.password.clear()
        if actor.user_id != self._actor.user_id:  # cannot happen: same user name
            self.error.set_message("Only the person who was signed in can unlock.")
            return
        self.unlocked.emit(actor)

    def _refused(self, exc: BaseException) -> None:
        self._busy = False
        self.unlock_button.setEnabled(True)
        if not isinstance(exc, CaseworkError):
            crash.report(type(exc), exc, exc.__traceback__)
            return
        self.error.set_message(lock_refusal(str(exc), self._actor.display_name))
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, LoginRefused):
            self.countdown.start(exc.retry_after_seconds)
