"""One young person's record: who they are at a glance, their details, and "Edit".

Opening a record is audited by the core (``open_record``), so it runs on a worker
like every other read. Refusals (another team's record) and records that no longer
exist are shown in plain words with the way back.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.db.database import Database
from casework.domain.codes import EligibilityCategory, Ethnicity, Sex, UnknownCode, YesNo
from casework.errors import CaseworkError
from casework.services.common import Changed
from casework.services.people import YoungPersonRecord, open_record
from casework.services.permissions import Actor
from ui import tasks
from ui.dialogs.young_person_form import YoungPersonForm, confirm_discard

Clock = Callable[[], datetime]
NOT_ALLOCATED = "Not allocated"
_LOADING, _MESSAGE, _RECORD, _EDIT = range(4)
_LONDON = ZoneInfo("Europe/London")


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else "Not recorded"


def _moment(naive_utc: datetime) -> str:
    local = naive_utc.replace(tzinfo=UTC).astimezone(_LONDON)
    return local.strftime("%d/%m/%Y at %H:%M")


def _label(codes: type[Sex | Ethnicity | YesNo | EligibilityCategory], code: str) -> str:
    try:
        return codes.parse(code).label
    except UnknownCode:
        return code or "Not recorded"


def detail_rows(record: YoungPersonRecord) -> list[tuple[str, str]]:
    """(label, value) pairs for the read-only details, in the form's order."""
    d = record.details
    ceased = d.date_ceased_looked_after
    return [
        ("Child Unique ID", d.child_uid),
        ("First name", d.first_name),
        ("Last name", d.last_name),
        ("Preferred name", d.preferred_name or "None given"),
        ("Date of birth", f"{_day(d.date_of_birth)} (age {record.age})"),
        ("Sex", _label(Sex, d.sex)),
        ("Ethnicity", _label(Ethnicity, d.ethnicity)),
        ("Disability", _label(YesNo, d.disability)),
        ("UASC or former UASC", "Yes" if d.uasc else "No"),
        ("Eligibility category", _label(EligibilityCategory, d.eligibility)),
        ("Ceased to be looked after", _day(ceased) if ceased else "Still looked after"),
        ("Team", record.team_name),
        ("Social worker", record.social_worker_name or NOT_ALLOCATED),
        ("Personal adviser", record.personal_adviser_name or NOT_ALLOCATED),
        ("Last changed", _moment(record.updated_at)),
    ]


def summary_html(record: YoungPersonRecord) -> str:
    """The two lines under the name: age, ID, eligibility; team and allocated workers."""
    d = record.details
    facts = [
        f"Age {record.age}",
        f"Child ID {d.child_uid}",
        _label(EligibilityCategory, d.eligibility),
    ]
    people = [
        f"Team: {record.team_name}",
        f"Social worker: {record.social_worker_name or NOT_ALLOCATED}",
        f"Personal adviser: {record.personal_adviser_name or NOT_ALLOCATED}",
    ]
    return "<br>".join(" · ".join(html.escape(part) for part in line) for line in (facts, people))


class RecordView(QWidget):
    back_requested = Signal()
    changed = Signal(object)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._record: YoungPersonRecord | None = None
        self._person_id: int | None = None
        self._generation = 0
        self._build()

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.back_button = QPushButton("← &Back to caseload")
        self.back_button.clicked.connect(self.request_back)
        self.edit_button = QPushButton("&Edit details")
        self.edit_button.clicked.connect(self.start_edit)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)

        self.message = QLabel()
        self.message.setObjectName("recordMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.message.setContentsMargins(24, 48, 24, 24)
        self.form = YoungPersonForm(self._db, self._actor, self._clock)
        self.form.saved.connect(self._on_saved)
        self.form.cancelled.connect(self.cancel_edit)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._centred(QLabel("Opening the record…")))
        self.pages.addWidget(self.message)
        self.pages.addWidget(self._scrolling(self._record_page()))
        editing = QWidget()
        edit_layout = QVBoxLayout(editing)
        edit_layout.setContentsMargins(0, 0, 0, 0)
        edit_layout.addWidget(self._scrolling(self.form), 1)
        bar = QHBoxLayout()
        bar.addWidget(self.form.button_bar, 1)
        bar.addStretch(0)
        bar.setContentsMargins(9, 0, 0, 0)  # Save stays in view however far the form scrolls
        self.form.button_bar.setMaximumWidth(self.form.maximumWidth() - 18)
        edit_layout.addLayout(bar)
        self.pages.addWidget(editing)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        self.edit_button.hide()
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape)
        QShortcut(QKeySequence.StandardKey.Back, self, self.request_back)

    def _record_page(self) -> QWidget:
        page = QWidget()
        self.name = QLabel()
        self.name.setObjectName("recordName")
        self.name.setStyleSheet("font-size: 16pt; font-weight: bold;")  # beats the app style
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel()
        self.summary.setObjectName("recordSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.details = QFormLayout()
        self.details.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.details.setHorizontalSpacing(24)
        box = QGroupBox("Details")
        box.setLayout(self.details)
        box.setMaximumWidth(760)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignBottom)
        holder = QWidget()
        holder.setMaximumWidth(760)
        holder.setLayout(name_row)
        name_row.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(page)
        layout.addWidget(holder)
        layout.addWidget(self.summary)
        layout.addSpacing(8)
        layout.addWidget(box)
        layout.addStretch(1)
        return page

    @staticmethod
    def _scrolling(widget: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own
        scroll.setWidget(widget)
        return scroll

    @staticmethod
    def _centred(label: QLabel) -> QLabel:
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(24, 48, 24, 24)
        return label

    # --- public --------------------------------------------------------------------------

    @property
    def record(self) -> YoungPersonRecord | None:
        return self._record

    @property
    def person_id(self) -> int | None:
        return self._person_id

    @property
    def is_editing(self) -> bool:
        return self.pages.currentIndex() == _EDIT

    def show_person(self, person_id: int) -> None:
        """Open (audited) and show one young person's record."""
        self._person_id = person_id
        self._record = None
        self.form.clear()
        self.edit_button.hide()
        self.pages.setCurrentIndex(_LOADING)
        self._open(person_id)

    def _open(self, person_id: int) -> None:
        self._generation += 1
        generation = self._generation
        tasks.run(
            open_record,
            self._db,
            self._actor,
            person_id,
            now=self._clock(),
            on_result=lambda record: self._on_opened(generation, record),
            on_error=lambda exc: self._on_open_failed(generation, exc),
        )

    def clear(self) -> None:
        """Forget the record and anything typed (idle lock)."""
        self._generation += 1
        self._record = None
        self._person_id = None
        self.form.clear()
        self.name.clear()
        self.summary.clear()
        self.message.clear()
        self._fill_details([])
        self.edit_button.hide()
        self.pages.setCurrentIndex(_LOADING)

    def start_edit(self) -> None:
        if self._record is None:
            return
        self.form.start_edit(self._record)
        self.edit_button.hide()
        self.pages.setCurrentIndex(_EDIT)

    def cancel_edit(self) -> None:
        if self.form.is_saving:
            return
        if self.form.is_modified() and not confirm_discard(self):
            return
        self._show_record()

    def request_back(self) -> None:
        if self.is_editing and self.form.is_modified() and not confirm_discard(self):
            return
        self.back_requested.emit()

    # --- results -------------------------------------------------------------------------

    def _on_opened(self, generation: int, record: YoungPersonRecord) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._record = record
        self.name.setText(record.display_name)
        self.summary.setText(summary_html(record))
        self._fill_details(detail_rows(record))
        self._show_record()

    def _on_open_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        if isinstance(exc, CaseworkError):
            text = str(exc)
        else:
            from ui import crash

            crash.report(type(exc), exc, exc.__traceback__)
            text = "The record could not be opened because of an unexpected problem."
        self.message.setText(
            f"<p><b>{html.escape(text)}</b></p><p>Use “Back to caseload” to return to the list.</p>"
        )
        self.pages.setCurrentIndex(_MESSAGE)
        self.back_button.setFocus()

    def _on_saved(self, changed: Changed) -> None:
        self.changed.emit(changed)
        if self._person_id is not None:
            self._open(self._person_id)  # read back the new version; the form stays until then

    def _show_record(self) -> None:
        self.pages.setCurrentIndex(_RECORD)
        self.edit_button.setVisible(self._record is not None)
        self.edit_button.setFocus()

    def _fill_details(self, rows: list[tuple[str, str]]) -> None:
        while self.details.rowCount():
            self.details.removeRow(0)
        for label, value in rows:
            shown = QLabel(value)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details.addRow(QLabel(f"<b>{html.escape(label)}</b>"), shown)

    def _on_escape(self) -> None:
        if self.is_editing:
            self.cancel_edit()
        else:
            self.request_back()
