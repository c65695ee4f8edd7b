"""Settings (administrators): how soon Casework locks, backups (schedule and "Back up
now"), and facts about this database."""

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

from casework.errors import CaseworkError
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


def read_backups(db: Database) -> tuple[int, int, str, str]:
    """Worker: the schedule, the backup folder and a line about the newest backup."""
    from casework.services.backup import backups_folder, list_backups, schedule

    plan = schedule(db)
    taken = list_backups(db.path)
    return plan.interval_hours, plan.keep, str(backups_folder(db.path)), newest_text(taken)


def newest_text(taken: list[Any]) -> str:
    if not taken:
        return "No backup has been taken yet."
    when, path = taken[-1]
    return f"Newest: {when:%d/%m/%Y %H:%M} UTC ({path.name}); {len(taken)} kept in the folder."


def save_backup_schedule(
    db: Database, actor: Actor, hours: int, keep: int, now: datetime
) -> tuple[int, int]:
    from casework.services.backup import set_schedule

    set_schedule(db, actor, hours, keep, now=now)
    return hours, keep


def back_up_now(db: Database, actor: Actor, now: datetime, progress: Callable[[str], None]) -> str:
    """Worker: "Back up now"; returns the line to show."""
    from casework.services.backup import backup_now, list_backups

    result = backup_now(db, actor, now=now, progress=progress)
    chain = "" if result.chain_ok else f" Its audit trail is {result.audit_chain}."
    return (
        f"Backed up to {result.path.name} ({result.size_bytes // 1024} KiB), checked by "
        f"opening it.{chain} " + newest_text(list_backups(db.path))
    )


def protection_text(mode: str) -> str:
    if mode == "keyring":
        return "Key kept in this computer's secure keyring"
    return "Protected by a passphrase, asked for when Casework starts"


class AdminSettingsView(QWidget):
    message = Signal(str)
    backed_up = Signal(str)
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
        self.backup_hours = QSpinBox()
        self.backup_hours.setRange(0, 24 * 31)
        self.backup_hours.setSuffix(" hours")
        self.backup_hours.setSpecialValueText("Never")
        self.backup_hours.setAccessibleName("Take an automatic backup this often, in hours")
        self.backup_keep = QSpinBox()
        self.backup_keep.setRange(1, 100)
        self.backup_keep.setSuffix(" backups")
        self.backup_keep.setAccessibleName("How many backups to keep")
        self.backup_save = QPushButton("Save &schedule")
        self.backup_now_button = QPushButton("&Back up now")
        self.backup_now_button.setObjectName("backUpNow")
        for widget in (self.backup_hours, self.backup_keep, self.backup_save):
            widget.setEnabled(False)
        self.backup_status = QLabel()
        self.backup_status.setWordWrap(True)
        self.backup_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_folder = QLabel()
        self.backup_folder.setWordWrap(True)
        self.backup_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build()
        tasks.run(read_minutes, db, on_result=self._loaded, on_error=self._error)
        if db.backend == "file":
            tasks.run(read_backups, db, on_result=self._backups_loaded, on_error=self._backup_error)

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
        backup_box = QGroupBox("Backups")
        backup_explain = QLabel(
            "Casework takes an encrypted backup when it starts, if the newest one is older "
            "than the interval, and keeps the newest few. Each backup is checked by opening "
            "it, opens with this database's key, and on another computer with the recovery "
            "code. Copy the folder somewhere safe (another drive) as well."
        )
        backup_explain.setWordWrap(True)
        plan_row = QHBoxLayout()
        plan_row.addWidget(QLabel("Every"))
        plan_row.addWidget(self.backup_hours)
        plan_row.addSpacing(12)
        plan_row.addWidget(QLabel("and keep the newest"))
        plan_row.addWidget(self.backup_keep)
        plan_row.addSpacing(12)
        plan_row.addWidget(self.backup_save)
        plan_row.addStretch(1)
        now_row = QHBoxLayout()
        now_row.addWidget(self.backup_now_button)
        now_row.addStretch(1)
        backup_layout = QVBoxLayout(backup_box)
        on_file = self._db.backend == "file"
        if on_file:
            backup_layout.addWidget(backup_explain)
            backup_layout.addLayout(plan_row)
            backup_layout.addLayout(now_row)
            backup_layout.addWidget(self.backup_status)
            backup_layout.addWidget(self.backup_folder)
        else:
            on_server = QLabel(
                "The records are on the team server: it is backed up by the council's IT with "
                "their usual PostgreSQL tooling (see docs/team-server.md), not from this "
                "computer."
            )
            on_server.setWordWrap(True)
            backup_layout.addWidget(on_server)
            for widget in (backup_explain, self.backup_now_button, self.backup_hours):
                widget.hide()
        about = QGroupBox("This database")
        form = QFormLayout(about)
        location = QLabel(escape(self._db.location))
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        location.setWordWrap(True)
        form.addRow("File" if on_file else "Server", location)
        self.protection = QLabel(
            protection_text(self._db.key_info.mode)
            if on_file
            else "Each person signs in as themselves over a verified, encrypted connection; "
            "the server decides what each can see and change"
        )
        self.protection.setWordWrap(True)
        form.addRow("Protection", self.protection)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Settings</h2>"))
        layout.addWidget(lock_box)
        layout.addWidget(backup_box)
        layout.addWidget(about)
        layout.addStretch(1)
        self.save_button.clicked.connect(self.save)
        self.minutes.valueChanged.connect(lambda _v: self.saved_label.hide())
        self.minutes.editingFinished.connect(self.save_if_changed)
        self.setFocusProxy(self.minutes)
        self.backup_save.clicked.connect(self.save_backup_schedule)
        self.backup_now_button.clicked.connect(self.back_up_now)

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

    # --- backups ------------------------------------------------------------------------

    def _backups_loaded(self, loaded: Any) -> None:
        hours, keep, folder, newest = loaded
        self.backup_hours.setValue(int(hours))
        self.backup_keep.setValue(int(keep))
        for widget in (self.backup_hours, self.backup_keep, self.backup_save):
            widget.setEnabled(True)
        self.backup_status.setText(newest)
        self.backup_folder.setText(f"Folder: {escape(folder)}")

    def save_backup_schedule(self) -> None:
        self.backup_save.setEnabled(False)
        tasks.run(
            save_backup_schedule,
            self._db,
            self._actor,
            self.backup_hours.value(),
            self.backup_keep.value(),
            self._clock(),
            on_result=self._schedule_saved,
            on_error=self._backup_error,
        )

    def _schedule_saved(self, saved: Any) -> None:
        hours, keep = saved
        self.backup_save.setEnabled(True)
        often = "never" if hours == 0 else f"every {hours} hours"
        text = f"Saved. Automatic backups: {often}; the newest {keep} are kept."
        self.backup_status.setText(text)
        self.message.emit(text)

    def back_up_now(self) -> None:
        if not self.backup_now_button.isEnabled():
            return
        self.backup_now_button.setEnabled(False)
        self.backup_status.setText("Backing up…")
        tasks.run(
            back_up_now,
            self._db,
            self._actor,
            self._clock(),
            on_result=self._backed_up,
            on_error=self._backup_error,
            on_progress=lambda text: self.backup_status.setText(f"Backing up: {text}…"),
        )

    def _backed_up(self, text: Any) -> None:
        self.backup_now_button.setEnabled(True)
        self.backup_status.setText(str(text))
        self.message.emit(str(text))
        self.backed_up.emit(str(text))

    def _backup_error(self, exc: BaseException) -> None:
        self.backup_now_button.setEnabled(True)
        self.backup_save.setEnabled(True)
        if isinstance(exc, CaseworkError):
            self.backup_status.setText(f"The backup was not taken: {exc}")
        crash.show_error(self, exc)

    def mark_demo(self) -> None:
        self.protection.setText(
            "Demo database: its key is held in memory only, and the file is deleted when "
            "Casework closes"
        )
        self.backup_now_button.setEnabled(False)
        self.backup_now_button.setToolTip("The demo database is thrown away: nothing to back up.")

    def clear(self) -> None:
        self.saved_label.hide()
