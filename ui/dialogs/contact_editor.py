"""The keeping-in-touch contact form, and how a note being written is never lost.

Drafts are kept in the database as the worker types:

- the first edit creates the draft at once (``save_draft`` on a worker);
- later edits save it again after ``AUTOSAVE_DELAY_MS`` without typing, and whenever a
  field loses focus;
- ``flush()`` saves what is on screen on the GUI thread (one small write). The record
  calls it before it is cleared (the idle lock, signing out, closing) or moves to
  another young person, so nothing typed is lost;
- every save of one draft goes through its ``DraftStore`` (``contact_draft``), one at a
  time and numbered by edit, so a flush that arrives while a worker is still creating
  the draft waits for it and updates the same draft (never a second one), and a
  worker's save that only starts after a newer one was made is skipped.

"Finalise" saves the draft, asks the core to check it is complete and makes it
read-only; refused, the problems are listed at the top with everything typed kept.
Follow-up actions are added with the contact when it is finalised.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.db.database import Database
from casework.domain.leaving_care import ContactMadeBy, ContactMethod
from casework.errors import EditConflict, ValidationFailed
from casework.services.common import Changed
from casework.services.contacts import ContactInput, ContactView, FollowUpInput
from casework.services.permissions import Actor
from ui import tasks
from ui.dialogs.contact_draft import DraftStore
from ui.dialogs.record_dialogs import code_combo, text_box
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_common import (
    LONDON,
    Clock,
    local,
    plain_problem,
    quiet_label,
    scrolling,
    set_severity,
    unexpected,
    when,
)
from ui.widgets import forms
from ui.widgets.problems import ProblemList

AUTOSAVE_DELAY_MS = 1500
LOCATION_MAX = 200
LABELS = {
    "occurred_at": "When",
    "method": "Method",
    "successful": "Outcome",
    "made_by": "Made by",
    "location": "Where",
    "seen": "Seen",
    "seen_alone": "Seen alone",
    "views": "In their own words",
    "discussed": "What was discussed",
}
NOT_STARTED = "Not saved yet: saved as a draft as soon as you type"


def ask_discard(parent: QWidget) -> bool:
    answer = QMessageBox.question(
        parent,
        "Discard this draft?",
        "Discard this draft contact? What you have written in it will be thrown away.",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class FollowUpRow(QWidget):
    """One follow-up action being written: what, and by when."""

    remove_requested = Signal(object)

    def __init__(self, today: date) -> None:
        super().__init__()
        self.description = QLineEdit()
        self.description.setPlaceholderText("What needs doing, and by whom")
        self.description.setAccessibleName("Follow-up action")
        first = to_qdate(today)
        self.due = DateField(first, first.addYears(2), optional=False)
        self.due.set_value(today)
        self.due.setCalendarPopup(True)
        self.due.setAccessibleName("Due by")
        self.due.setMinimumWidth(self.due.fontMetrics().horizontalAdvance("00/00/00000") + 48)
        remove = QPushButton("Remove")
        remove.setAutoDefault(False)
        remove.clicked.connect(lambda: self.remove_requested.emit(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.description, 1)
        row.addWidget(QLabel("due by"))
        row.addWidget(self.due)
        row.addWidget(remove)

    def is_blank(self) -> bool:
        return not self.description.text().strip()

    def set_value(self, item: FollowUpInput) -> None:
        self.description.setText(item.description)
        self.due.set_value(item.due_on)

    def value(self) -> FollowUpInput:
        due = self.due.value()
        assert due is not None
        return FollowUpInput(self.description.text(), due)


class ContactEditor(QWidget):
    """Write, autosave, finalise or discard one contact. Embedded in the record."""

    finalised = Signal(object)  # Changed
    discarded = Signal(object)  # Changed, or None when nothing had been saved
    back_requested = Signal()
    saved = Signal()  # a save reached the database
    save_failed = Signal(object)  # the error of a save or finalise that did not

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._store: DraftStore | None = None
        self._edits = 0  # edits made since the editor started
        self._saved_edits = 0  # edits known to be in the database
        self._in_flight = False
        self._again = False
        self._filling = False
        self._busy = False  # finalising or discarding
        self._read_only = False
        self.rows: list[FollowUpRow] = []
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        self._build()
        self._connect()

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.save_state = QLabel()
        self.save_state.setObjectName("saveState")
        self.save_state.setAccessibleName("Draft saved state")
        # Under the title, across the form's width: a refusal can be a long sentence, and it
        # wraps there instead of squeezing the title or running off the window.
        self.save_state.setWordWrap(True)
        self.problems = ProblemList()
        head = QVBoxLayout()
        head.setSpacing(2)
        head.addWidget(self.title)
        head.addWidget(self.save_state)

        body = QWidget()
        body.setMaximumWidth(900)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 12, 0)
        column.addLayout(self._build_form())
        column.addStretch(1)

        self.discard_button = QPushButton("Discard dra&ft…")
        self.back_button = QPushButton("Back to &contacts")
        self.back_button.setToolTip("Saves this draft; carry on with it later (Esc)")
        self.finalise_button = QPushButton("F&inalise")
        self.finalise_button.setToolTip("Check the contact is complete and make it read-only")
        self.finalise_button.setDefault(True)
        for button in (self.discard_button, self.back_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.finalise_button)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.problems)
        layout.addWidget(scrolling(body), 1)
        layout.addLayout(buttons)

    def _build_form(self) -> QFormLayout:
        today = to_qdate(local(self._clock()).date())
        self.date = DateField(today.addYears(-5), today, optional=False)
        self.date.setCalendarPopup(True)
        self.date.setMinimumWidth(self.date.fontMetrics().horizontalAdvance("00/00/00000") + 48)
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Time")
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("00:000") + 48)
        moment = QHBoxLayout()
        moment.addWidget(self.date)
        moment.addWidget(QLabel("at"))
        moment.addWidget(self.time)
        moment.addStretch(1)
        self.method = code_combo(ContactMethod.choices())
        self.successful = QRadioButton("&Successful: we reached them")
        self.attempted = QRadioButton("A&ttempted: we did not reach them")
        self.outcome = QButtonGroup(self)
        for button in (self.successful, self.attempted):
            self.outcome.addButton(button)
        outcome = QVBoxLayout()
        outcome.setSpacing(2)
        outcome.addWidget(self.successful)
        outcome.addWidget(self.attempted)
        self.made_by = code_combo(ContactMadeBy.choices())
        self.where = QLineEdit()
        self.where.setMaxLength(LOCATION_MAX)
        self.where.setPlaceholderText("For example: their flat, the office, a café in town")
        self.seen = QCheckBox("Young person &was seen")
        self.seen_alone = QCheckBox("Seen &alone")
        seen = QHBoxLayout()
        seen.addWidget(self.seen)
        seen.addSpacing(24)
        seen.addWidget(self.seen_alone)
        seen.addStretch(1)
        self.views = text_box(6)
        self.views.setAccessibleName("In their own words")
        self.discussed = text_box(9)
        self.discussed.setAccessibleName("What was discussed")
        self.discussed_label = QLabel("What was &discussed")
        self.discussed_label.setBuddy(self.discussed)
        self.rows_box = QVBoxLayout()
        self.add_row_button = QPushButton("Add follow-u&p action")
        self.add_row_button.setAutoDefault(False)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._row(form, "Whe&n", moment, self.date)
        self._row(form, "&Method", self.method)
        form.addRow("Outcome", outcome)
        self._row(form, "Made b&y", self.made_by)
        self._row(form, "W&here", self.where)
        form.addRow("Seen", seen)
        self._row(form, "In their own words", self._with_hint(self.views, VIEWS_HINT))
        form.addRow(self.discussed_label, self.discussed)
        follow = QVBoxLayout()
        follow.addLayout(self.rows_box)
        add = QHBoxLayout()
        add.addWidget(self.add_row_button)
        add.addWidget(quiet_label(FOLLOW_UP_HINT), 1)
        follow.addLayout(add)
        form.addRow("Follow-up actions", follow)
        return form

    @staticmethod
    def _row(form: QFormLayout, text: str, field: Any, buddy: QWidget | None = None) -> None:
        label = QLabel(text)
        label.setBuddy(buddy if buddy is not None else field)
        form.addRow(label, field)

    @staticmethod
    def _with_hint(field: QWidget, hint: str) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(quiet_label(hint))
        holder.setFocusProxy(field)
        holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        return holder

    def _connect(self) -> None:
        self.where.textEdited.connect(self._edited)
        for box in (self.views, self.discussed):
            box.textChanged.connect(self._edited)
        for combo in (self.method, self.made_by):
            combo.currentIndexChanged.connect(self._edited)
        self.date.dateChanged.connect(self._edited)
        self.time.timeChanged.connect(self._edited)
        for button in (self.successful, self.attempted, self.seen, self.seen_alone):
            button.toggled.connect(self._sync_outcome)
            button.toggled.connect(self._edited)
        self._saver = _SaveOnLeaving(self)
        for field in self._fields():
            field.installEventFilter(self._saver)
        self.add_row_button.clicked.connect(self.add_follow_up_row)
        self.finalise_button.clicked.connect(self.finalise)
        self.discard_button.clicked.connect(self.discard)
        self.back_button.clicked.connect(self.go_back)
        save = QShortcut(QKeySequence.StandardKey.Save, self, self.save_now)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.setWhatsThis("Writing a contact: save the draft now")

    def _fields(self) -> list[QWidget]:
        return [
            self.date,
            self.time,
            self.method,
            self.successful,
            self.attempted,
            self.made_by,
            self.where,
            self.seen,
            self.seen_alone,
            self.views,
            self.discussed,
        ]

    # --- starting -------------------------------------------------------------------------

    @property
    def store(self) -> DraftStore | None:
        """The draft being written (its saves), or None."""
        return self._store

    @property
    def contact_id(self) -> int | None:
        return self._store.contact_id if self._store is not None else None

    @property
    def person_id(self) -> int | None:
        return self._store.person_id if self._store is not None else None

    @property
    def is_active(self) -> bool:
        """Writing a contact (not finalised, discarded or cleared)."""
        return self._store is not None and not self._read_only

    @property
    def has_unsaved_edits(self) -> bool:
        return self._edits != self._saved_edits

    def start_new(self, person_id: int, name: str) -> None:
        self._begin(DraftStore(self._db, self._actor, person_id))
        self._fill(ContactInput(occurred_at=self._clock()))  # no outcome: the worker chooses
        self.title.setText(f"New contact with {name}")
        self._set_state(NOT_STARTED)
        self.date.setFocus()

    def resume(self, person_id: int, name: str, view: ContactView) -> None:
        """Carry on writing a saved draft."""
        self._begin(DraftStore(self._db, self._actor, person_id, view.id, view.version))
        self._fill(view.details)
        self._filling = True
        try:
            for item in view.draft_follow_ups:
                self.add_follow_up_row().set_value(item)
        finally:
            self._filling = False
        self.title.setText(f"Draft contact with {name}")
        self._set_state(f"Draft saved {when(view.updated_at)}", "ok")
        self.discussed.setFocus()

    def _begin(self, store: DraftStore) -> None:
        self.clear()
        self._store = store

    def _fill(self, d: ContactInput) -> None:
        self._filling = True
        try:
            moment = local(d.occurred_at)
            self.date.set_value(moment.date())
            self.time.setTime(QTime(moment.hour, moment.minute))
            _choose(self.method, d.method)
            _choose(self.made_by, d.made_by or ContactMadeBy.PERSONAL_ADVISER.value)
            self.where.setText(d.location or "")
            self.outcome.setExclusive(False)
            self.successful.setChecked(d.successful is True)
            self.attempted.setChecked(d.successful is False)
            self.outcome.setExclusive(True)
            self.seen.setChecked(d.seen)
            self.seen_alone.setChecked(d.seen_alone)
            self.views.setPlainText(d.views)
            self.discussed.setPlainText(d.discussed)
            self._sync_outcome()
        finally:
            self._filling = False

    # --- reading --------------------------------------------------------------------------

    def collect(self) -> ContactInput:
        """The contact as typed now."""
        chosen = self.date.value() or local(self._clock()).date()
        clock = self.time.time()
        occurred = datetime(
            chosen.year, chosen.month, chosen.day, clock.hour(), clock.minute(), tzinfo=LONDON
        )
        return ContactInput(
            occurred_at=occurred,
            method=self.method.currentData() or "",
            successful=(
                True
                if self.successful.isChecked()
                else (False if self.attempted.isChecked() else None)
            ),
            made_by=self.made_by.currentData() or "",
            location=self.where.text(),
            seen=self.seen.isChecked(),
            seen_alone=self.seen_alone.isChecked(),
            views=self.views.toPlainText(),
            discussed=self.discussed.toPlainText(),
        )

    def follow_ups(self) -> list[FollowUpInput]:
        return [row.value() for row in self.rows if not row.is_blank()]

    # --- saving ---------------------------------------------------------------------------

    def _edited(self) -> None:
        if self._filling or not self.is_active or self._busy:
            return
        self._edits += 1
        if self.contact_id is None and not self._in_flight:
            self.save_now()  # the first edit creates the draft
        else:
            self._timer.start()

    def save_now(self) -> None:
        """Save the draft on a worker if anything changed since the last save."""
        self._timer.stop()
        store = self._store
        if store is None or not self.is_active or self._busy or not self.has_unsaved_edits:
            return
        if self._in_flight:
            self._again = True
            return
        self._in_flight = True
        edits = self._edits
        self._set_state("Saving…", "info")
        tasks.run(
            store.save,
            self.collect(),
            self._clock(),
            edits,
            self.follow_ups(),
            on_result=lambda _changed: self._on_saved(store, edits),
            on_error=lambda exc: self._on_save_failed(store, exc),
        )

    def _on_saved(self, store: DraftStore, edits: int) -> None:
        if not isValid(self) or store is not self._store:
            return
        self._in_flight = False
        self._saved_edits = max(self._saved_edits, edits)
        if store.closed:
            return
        self._set_state(f"Draft saved {local(self._clock()):%H:%M}", "ok")
        self.saved.emit()
        if self._again:
            self._again = False
            self.save_now()
        elif self.has_unsaved_edits and not self._timer.isActive():
            self._timer.start()

    def _on_save_failed(self, store: DraftStore, exc: BaseException) -> None:
        if not isValid(self) or store is not self._store:
            return
        self._in_flight = False
        self._again = False
        if isinstance(exc, ValidationFailed) and exc.details:
            reason = plain_problem(exc.details[0], self._labels())
        else:
            reason = unexpected(exc)
        self._set_state(f"Not saved: {reason}", "error")
        self.save_state.setToolTip(
            "This draft was changed on another computer since this form read it, so nothing "
            "more is saved from here: copy what you wrote, reopen the draft from the "
            "Contacts list and add it there."
            if isinstance(exc, EditConflict)
            else "It is saved again as soon as you change anything."
        )
        self.save_failed.emit(exc)

    def flush(self) -> bool:
        """Save what is on screen now, on this thread. False if it could not be saved."""
        self._timer.stop()
        store = self._store
        if store is None or not self.is_active or not self.has_unsaved_edits:
            return True
        saved = store.save_somehow(self.collect(), self._clock(), self._edits, self.follow_ups())
        if saved:
            self._saved_edits = self._edits
            self._set_state(f"Draft saved {local(self._clock()):%H:%M}", "ok")
            self.saved.emit()
        return saved

    # --- finishing ------------------------------------------------------------------------

    def finalise(self) -> None:
        store = self._store
        if store is None or not self.is_active or self._busy:
            return
        problems = self._screen_problems()
        if problems:
            self.problems.set_problems(problems, NOTHING_SAVED_FINAL)
            self.successful.setFocus()
            return
        if not forms.confirm_irreversible(
            self,
            "Finalise this contact?",
            "Finalise this contact? It becomes part of the record and can no longer be "
            "changed: later corrections are added as addenda under it.",
            "Finalise",
        ):
            return
        self._timer.stop()
        self._set_busy(True, "Finalising…")
        tasks.run(
            store.finalise,
            self.collect(),
            self.follow_ups(),
            self._clock(),
            self._edits,
            on_result=lambda changed: self._on_finalised(store, changed),
            on_error=lambda exc: self._on_finalise_failed(store, exc),
        )

    def _screen_problems(self) -> list[str]:
        problems = []
        if self.outcome.checkedButton() is None:
            problems.append(
                "Outcome: choose Successful (you reached them) or Attempted (you did not)."
            )
        return problems

    def _on_finalised(self, store: DraftStore, changed: Changed) -> None:
        if not isValid(self) or store is not self._store:
            return
        self._set_busy(False)
        self._saved_edits = self._edits
        self.problems.set_problems([])
        self._set_read_only(True)
        self._set_state(f"Finalised {local(self._clock()):%H:%M}", "ok")
        self.finalised.emit(changed)

    def _on_finalise_failed(self, store: DraftStore, exc: BaseException) -> None:
        if not isValid(self) or store is not self._store:
            return
        self._set_busy(False)
        self.problems.set_problems(
            [plain_problem(p, self._labels()) for p in exc.details]
            if isinstance(exc, ValidationFailed) and exc.details
            else [unexpected(exc)],
            NOTHING_SAVED_FINAL,
        )
        self._focus_problem(exc)
        self._saved_edits = max(self._saved_edits, store.saved_edit)
        if self.has_unsaved_edits:
            self._set_state("Not saved yet", "warning")
            self._timer.start()  # the autosave tries again, and says why if it cannot
        else:
            self._set_state(f"Draft saved {local(self._clock()):%H:%M}", "ok")
        self.save_failed.emit(exc)

    def _focus_problem(self, exc: BaseException) -> None:
        fields = {
            "views": self.views,
            "discussed": self.discussed,
            "method": self.method,
            "seen": self.seen,
            "seen_alone": self.seen_alone,
            "occurred_at": self.date,
            "made_by": self.made_by,
        }
        for problem in exc.details if isinstance(exc, ValidationFailed) else []:
            widget = fields.get(problem.field or "")
            if widget is not None:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def discard(self) -> None:
        store = self._store
        if store is None or not self.is_active or self._busy:
            return
        if not ask_discard(self):
            return
        self._timer.stop()
        self._set_busy(True, "Discarding…")
        tasks.run(
            store.discard,
            self._clock(),
            on_result=lambda changed: self._on_discarded(store, changed),
            on_error=lambda exc: self._on_finalise_failed(store, exc),
        )

    def _on_discarded(self, store: DraftStore, changed: Changed | None) -> None:
        if not isValid(self) or store is not self._store:
            return
        self._set_busy(False)
        self.clear()
        self.discarded.emit(changed)

    def go_back(self) -> None:
        """Back to the list; the draft is saved first and stays there to carry on."""
        if self._busy:
            return
        self.flush()
        self.back_requested.emit()

    def clear(self) -> None:
        """Forget the contact and everything typed (call ``flush`` first to keep it)."""
        self._timer.stop()
        self._store = None
        self._edits = self._saved_edits = 0
        self._in_flight = self._again = self._busy = False
        self._set_read_only(False)
        self._fill(ContactInput(occurred_at=self._clock(), made_by=""))
        for row in list(self.rows):
            self._remove_row(row)
        self.title.clear()
        self.problems.set_problems([])
        self._set_state("")
        self._sync_outcome()

    # --- follow-up rows -------------------------------------------------------------------

    def add_follow_up_row(self) -> FollowUpRow:
        row = FollowUpRow(local(self._clock()).date())
        row.remove_requested.connect(self._remove_row)
        row.description.textChanged.connect(self._edited)
        row.due.dateChanged.connect(self._edited)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        row.description.setFocus()
        return row

    def _remove_row(self, row: FollowUpRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            self._edited()
        row.hide()
        row.deleteLater()

    # --- small things ---------------------------------------------------------------------

    def _labels(self) -> dict[str, str]:
        if self.attempted.isChecked():
            return {**LABELS, "discussed": "What was tried"}
        return LABELS

    def _sync_outcome(self) -> None:
        reached = self.successful.isChecked()
        was_filling, self._filling = self._filling, True
        try:
            if not reached:
                self.seen.setChecked(False)
            if not self.seen.isChecked():
                self.seen_alone.setChecked(False)
        finally:
            self._filling = was_filling
        editable = not self._read_only
        self.seen.setEnabled(editable and reached)
        self.seen_alone.setEnabled(editable and reached and self.seen.isChecked())
        self.discussed_label.setText(
            "What was t&ried" if self.attempted.isChecked() else "What was &discussed"
        )

    def _set_state(self, text: str, level: str | None = None) -> None:
        self.save_state.setText(text)
        self.save_state.setToolTip("")
        set_severity(self.save_state, level)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        for button in (self.finalise_button, self.discard_button, self.back_button):
            button.setEnabled(not busy)
        if busy:
            self._set_state(text, "info")

    def _set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for field in (*self._fields(), self.add_row_button):
            field.setEnabled(not read_only)
        for row in self.rows:
            row.setEnabled(not read_only)
        self.finalise_button.setVisible(not read_only)
        self.discard_button.setVisible(not read_only)
        if not read_only:
            self._sync_outcome()


def _choose(combo: QComboBox, code: str) -> None:
    combo.setCurrentIndex(combo.findData(code) if code else -1)


class _SaveOnLeaving(QObject):
    """Saves the draft whenever one of its fields loses focus."""

    def __init__(self, editor: ContactEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and self._editor.has_unsaved_edits:
            self._editor.save_now()
        return False


VIEWS_HINT = (
    "What they said about how things are and what they want, in their words where you "
    "can. Needed whenever they were seen; if they could not say, write why."
)
FOLLOW_UP_HINT = "Kept with the draft; added to the record when you finalise."
NOTHING_SAVED_FINAL = "Not finalised yet (your draft is kept). Please correct the following:"
__all__ = ["AUTOSAVE_DELAY_MS", "ContactEditor", "DraftStore", "ask_discard"]
