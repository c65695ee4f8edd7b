"""What the record's sections share.

Dates and times as people write them (dd/mm/yyyy, HH:MM in England), the service's
problems in plain words, a severity colour on any widget, and ``RecordSection``: a
section of a young person's record that loads its data on a worker when it is first
shown, reloads after each change, and forgets everything on ``clear()``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.clock import local_today
from casework.db.database import Database
from casework.errors import CaseworkError, EditConflict, Problem, ValidationFailed
from casework.services.permissions import Actor
from ui import tasks

Clock = Callable[[], datetime]
LONDON = ZoneInfo("Europe/London")
NOTHING_SAVED = "Nothing was saved. Please correct the following:"
CHANGED_MEANWHILE = "Nothing was saved: someone else changed this while you had it open."
QUIET = "#4b5563"  # secondary text, 7:1 on white
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FOLLOW_UP = re.compile(r"follow-up (\d+): (.*)", re.S)


@dataclass(frozen=True)
class RecordContext:
    """Who is working on which record: what every service call from a section needs."""

    db: Database
    actor: Actor
    clock: Clock
    person_id: int

    def today(self) -> date:
        return local_today(self.clock())


# --- words -----------------------------------------------------------------------------


def day(value: date | None, missing: str = "Not recorded") -> str:
    return value.strftime("%d/%m/%Y") if value is not None else missing


def local(moment: datetime) -> datetime:
    """A stored (naive UTC) or aware moment as the time in England."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(LONDON)


def when(moment: datetime) -> str:
    """``27/11/2026 10:42`` in England."""
    return local(moment).strftime("%d/%m/%Y %H:%M")


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def due_words(due: date, today: date) -> tuple[str, str]:
    """How a due date reads today, and its severity ("overdue", "warning" or "info")."""
    days = (due - today).days
    if days < 0:
        return f"OVERDUE by {plural(-days, 'day')} (was due {day(due)})", "overdue"
    if days == 0:
        return f"Due today ({day(due)})", "warning"
    if days <= 7:
        return f"Due in {plural(days, 'day')} ({day(due)})", "warning"
    return f"Due {day(due)}", "info"


def paragraphs(text: str) -> str:
    """Plain text as safe rich text that keeps its line breaks."""
    return html.escape(text.strip()).replace("\n", "<br>")


def _sentence(text: str, *, capital: bool = True) -> str:
    text = _ISO_DATE.sub(lambda d: f"{d[3]}/{d[2]}/{d[1]}", text.strip())
    if capital:
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def plain_problem(problem: Problem, labels: dict[str, str]) -> str:
    """One of the core's structured problems (field ``unsuitable_reason``, "say why ...")
    in the screen's words ("Why it is unsuitable: Say why ...")."""
    if problem.choice:
        body = "choose one from the list"
    else:
        body = problem.message if problem.value is None else f"{problem.value} {problem.message}"
        if problem.expected is not None:
            body = f"{body} (expected {problem.expected})"
    if problem.field == "follow-up" and problem.item is not None:
        return f"Follow-up action {problem.item}: {_sentence(body, capital=False)}"
    if problem.field in labels:
        return f"{labels[problem.field]}: {_sentence(body, capital=False)}"
    return _sentence(body)  # about no field, or a storage name the screen has no label for


def unexpected(exc: BaseException) -> str:
    """An error's plain message; anything unexpected is logged through the crash path."""
    if isinstance(exc, CaseworkError):
        return str(exc)
    from ui import crash

    crash.report(type(exc), exc, exc.__traceback__)
    return "That could not be done because of an unexpected problem. Try again in a moment."


def failure_heading(exc: BaseException) -> str:
    """The heading over a refusal: a change someone else made meanwhile is not the
    person's mistake to correct, so it is not worded as one."""
    return CHANGED_MEANWHILE if isinstance(exc, EditConflict) else NOTHING_SAVED


def problems_of(exc: BaseException, labels: dict[str, str]) -> list[str]:
    if isinstance(exc, ValidationFailed) and exc.details:
        return [plain_problem(p, labels) for p in exc.details]
    return [unexpected(exc)]


# --- widgets ---------------------------------------------------------------------------


def set_severity(widget: QWidget, level: str | None) -> None:
    """Colour a widget with the app style's status colours (see style.qss)."""
    widget.setProperty("severity", level or "")
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def text_label(text: str = "", *, rich: bool = False, selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    return label


def quiet_label(text: str = "") -> QLabel:
    label = text_label(text)
    label.setStyleSheet(f"color: {QUIET};")
    return label


def banner(text: str = "", level: str = "overdue") -> QLabel:
    """A coloured strip that cannot be missed: overdue, warning, info or ok."""
    label = text_label(text, rich=True)
    label.setObjectName("recordBanner")
    set_severity(label, level)
    return label


def group(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setSpacing(6)
    return box, layout


def scrolling(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own
    scroll.setWidget(widget)
    return scroll


def fill_section(section: QWidget, boxes: list[QWidget], max_width: int = 1100) -> None:
    """Lay a record section out as its boxes stacked in a scrolling page of readable width."""
    page = QWidget()
    page.setMaximumWidth(max_width)
    layout = QVBoxLayout(page)
    for box in boxes:
        layout.addWidget(box)
    layout.addStretch(1)
    outer = QVBoxLayout(section)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scrolling(page))


def clear_layout(layout: Any) -> None:
    """Remove and delete every widget and nested layout in ``layout``."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


SECTION_STYLE = """
QLabel#recordBanner { padding: 8px 10px; border-radius: 4px; }
QLabel#recordBanner[severity="overdue"] { border: 2px solid #a4161a; border-left-width: 6px; }
QLabel#recordBanner[severity="warning"] {
    background: #fff4d6; border: 1px solid #c28a00; border-left-width: 6px; }
QLabel#recordBanner[severity="info"] {
    background: #e8f0fb; border: 1px solid #1d4f91; border-left-width: 6px; }
QLabel#recordBanner[severity="ok"] {
    background: #e6f4ea; border: 1px solid #1e6b34; border-left-width: 6px; }
QLabel#sectionStatus { padding: 4px 0; }
"""


class RecordSection(QWidget):
    """One section of a record. Subclasses give ``load_data`` (runs on a worker and
    returns plain values), ``fill`` and ``clear_content``."""

    changed = Signal(object)  # a Changed from the core, after any save

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._person_id: int | None = None
        self._generation = 0
        self._stale = False
        self._loaded = False
        self.dialog: QDialog | None = None  # the last dialog opened, while it is open
        self.status = QLabel()
        self.status.setObjectName("sectionStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        self.setStyleSheet(SECTION_STYLE)

    # --- subclass hooks -------------------------------------------------------------------

    @staticmethod
    def load_data(db: Database, actor: Actor, person_id: int, *, now: datetime) -> Any:
        raise NotImplementedError

    def fill(self, data: Any) -> None:
        raise NotImplementedError

    def clear_content(self) -> None:
        raise NotImplementedError

    # --- public ---------------------------------------------------------------------------

    @property
    def person_id(self) -> int | None:
        return self._person_id

    @property
    def is_loaded(self) -> bool:
        return self._loaded

    def context(self) -> RecordContext:
        assert self._person_id is not None
        return RecordContext(self._db, self._actor, self._clock, self._person_id)

    def set_person(self, person_id: int) -> None:
        """Show ``person_id``'s data: now if visible, else when first shown."""
        if person_id != self._person_id:
            self.clear()
            self._person_id = person_id
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        if self._person_id is None:
            return
        self._stale = False
        self._generation += 1
        generation = self._generation
        if not self._loaded:
            self._show_status("Loading…")
        tasks.run(
            type(self).load_data,
            self._db,
            self._actor,
            self._person_id,
            now=self._clock(),
            on_result=lambda data: self._on_loaded(generation, data),
            on_error=lambda exc: self._on_load_failed(generation, exc),
        )

    def clear(self) -> None:
        """Forget the young person and everything shown or typed (the idle lock)."""
        self._generation += 1
        self._person_id = None
        self._stale = False
        self._loaded = False
        for dialog in self.findChildren(QDialog):
            dialog.reject()
            dialog.deleteLater()
        self.dialog = None
        self.status.clear()
        self.status.hide()
        self.clear_content()

    def open_dialog(self, dialog: QDialog) -> None:
        """Open a dialog whose ``saved`` signal carries a Changed; reload after it."""
        self.dialog = dialog
        dialog.saved.connect(self.after_change)  # type: ignore[attr-defined]
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def after_change(self, changed: object) -> None:
        if not isValid(self):
            return
        self.changed.emit(changed)
        self.reload()

    # --- internals ------------------------------------------------------------------------

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        if isValid(dialog):
            dialog.deleteLater()

    def _show_status(self, text: str, level: str | None = None) -> None:
        self.status.setText(text)
        set_severity(self.status, level)
        self.status.setVisible(bool(text))

    def _on_loaded(self, generation: int, data: Any) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._show_status("")
        self._loaded = True
        self.fill(data)

    def _on_load_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._show_status(unexpected(exc), "error")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()
