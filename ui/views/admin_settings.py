"""Settings (administrators): how soon Casework locks, and facts about this database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui import crash, tasks

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor

Clock = Callable[[], datetime]
MIN_MINUTES, MAX_MINUTES = 1, 30


def read_minutes(db: Database) -> int:
    from casework.services.settings import idle_lock_minutes

    return idle_lock_minutes(db)


def save_minutes(db: Database, actor: Actor, minutes: int, now: datetime) -> int:
    from casework.services.settings import set_idle_lock_minutes

    set_idle_lock_minutes(db, actor, minutes, now=now)
    return minutes


def protection_text(mode: str) -> str:
    if mode == "keyring":
        return "Key kept in this computer's secure keyring"
    return "Protected by a passphrase, asked for when Casework starts"


class AdminSettingsView(QWidget):
    message = Signal(str)
    idle_minutes_changed = Signal(int)
    loaded = Signal()

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminSettings")
        self._db, self._actor, self._clock = db, actor, clock
        self._stored: int | None = None
        self.minutes = QSpinBox()
        self.minutes.setRange(MIN_MINUTES, MAX_MINUTES)
        self.minutes.setSuffix(" minutes")
        self.minutes.setEnabled(False)
        self.minutes.setAccessibleName("Lock after this many minutes without activity")
        self.save_button = QPushButton("&Save")
        self.save_button.setEnabled(False)
        self.saved_label = QLabel()
        self.saved_label.setProperty("severity", "ok")
        self.saved_label.hide()
        self._build()
        tasks.run(read_minutes, db, on_result=self._loaded, on_error=self._error)

    def _build(self) -> None:
        lock_box = QGroupBox("Automatic lock")
        explain = QLabel(
            "Casework locks itself when nobody has used it for this long, hiding all case "
            f"details until the same person enters their password. Between {MIN_MINUTES} "
            f"and {MAX_MINUTES} minutes; shorter is safer in shared offices."
        )
        explain.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Lock after"))
        row.addWidget(self.minutes)
        row.addWidget(QLabel("without activity"))
        row.addSpacing(12)
        row.addWidget(self.save_button)
        row.addStretch(1)
        lock_layout = QVBoxLayout(lock_box)
        lock_layout.addWidget(explain)
        lock_layout.addLayout(row)
        lock_layout.addWidget(self.saved_label)
        about = QGroupBox("This database")
        form = QFormLayout(about)
        location = QLabel(escape(str(self._db.path)))
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        location.setWordWrap(True)
        form.addRow("File", location)
        self.protection = QLabel(protection_text(self._db.key_info.mode))
        self.protection.setWordWrap(True)
        form.addRow("Protection", self.protection)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Settings</h2>"))
        layout.addWidget(lock_box)
        layout.addWidget(about)
        layout.addStretch(1)
        self.save_button.clicked.connect(self.save)
        self.minutes.valueChanged.connect(lambda _v: self.saved_label.hide())
        self.minutes.editingFinished.connect(self.save_if_changed)
        self.setFocusProxy(self.minutes)

    def _loaded(self, minutes: Any) -> None:
        self._stored = int(minutes)
        self.minutes.setValue(self._stored)
        self.minutes.setEnabled(True)
        self.save_button.setEnabled(True)
        self.loaded.emit()

    def save_if_changed(self) -> None:
        """Enter in the box saves, like pressing Save."""
        if self.minutes.hasFocus() and self.minutes.value() != self._stored:
            self.save()

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.save_button.setEnabled(False)
        tasks.run(
            save_minutes,
            self._db,
            self._actor,
            self.minutes.value(),
            self._clock(),
            on_result=self._saved,
            on_error=self._error,
        )

    def _saved(self, minutes: Any) -> None:
        self._stored = int(minutes)
        self.save_button.setEnabled(True)
        unit = "minute" if minutes == 1 else "minutes"
        text = f"Saved. Casework now locks after {minutes} {unit} without activity."
        self.saved_label.setText(text)
        self.saved_label.show()
        self.message.emit(text)
        self.idle_minutes_changed.emit(int(minutes))

    def _error(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        crash.show_error(self, exc)

    def mark_demo(self) -> None:
        self.protection.setText(
            "Demo database: its key is held in memory only, and the file is deleted when "
            "Casework closes"
        )

    def clear(self) -> None:
        self.saved_label.hide()
