"""The add / edit form for a young person's core details.

``YoungPersonForm`` is a plain widget: the record screen embeds it for "Edit", and
``YoungPersonDialog`` wraps it for "Add young person". Saving runs the service on a
worker; refused input comes back as ``ValidationFailed`` and every problem is shown at
the top (each a link to its field) and beside the field, with everything typed kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.codes import CodeList, EligibilityCategory, Ethnicity, Sex, YesNo
from casework.domain.people import CHILD_UID_MAX_LENGTH, NAME_MAX_LENGTH
from casework.errors import CaseworkError, EditConflict, ValidationFailed
from casework.errors import Problem as CoreProblem
from casework.services.common import Changed
from casework.services.people import (
    YoungPersonInput,
    YoungPersonRecord,
    create_young_person,
    update_young_person,
)
from casework.services.permissions import Actor, Role
from casework.services.users import TeamSummary, WorkerOption, list_teams, workers
from ui import tasks
from ui.widgets.forms import confirm_discard, make_default, on_edit, scrolling_layout
from ui.widgets.problems import ProblemList, field_note

NOTHING_SAVED = "Nothing was saved. Please correct the following:"
CHANGED_MEANWHILE = "Nothing was saved: someone else changed this record while you had it open."

Clock = Callable[[], datetime]
NOT_ALLOCATED = "Not allocated"

FIELD_LABELS = {
    "child_uid": "Child Unique ID",
    "first_name": "First name",
    "last_name": "Last name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "uasc": "UASC",
    "eligibility": "Eligibility category",
    "date_ceased_looked_after": "Date ceased to be looked after",
    "team": "Team",
    "social_worker_id": "Social worker",
    "personal_adviser_id": "Personal adviser",
}
_CHOICE_FIELDS = {"sex", "ethnicity", "disability", "eligibility"}
_WORKER_FIELDS = {"social_worker_id", "personal_adviser_id"}
_ISO_DATE = re.compile(r"'(\d{4})-(\d{2})-(\d{2})'")
_BLANK = ("''", "a blank value")


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


@dataclass(frozen=True)
class Problem:
    """One refused answer, worded for a practitioner."""

    field: str | None  # the form field it is about, if any
    advice: str  # what is wrong and what to do, without the field's name

    @property
    def text(self) -> str:
        """The full sentence, naming the field (for the list at the top)."""
        return f"{FIELD_LABELS[self.field]}: {self.advice}" if self.field else self.advice


def _dates(text: str) -> str:
    return _ISO_DATE.sub(lambda d: f"{d[3]}/{d[2]}/{d[1]}", text)


def _advice(problem: CoreProblem) -> str:
    field, value, expected = problem.field, problem.value, problem.expected
    if value is None:
        head = _dates(problem.message)
        return f"{head}. Enter {expected}." if expected else f"{head}."
    if field in _CHOICE_FIELDS or problem.choice:
        return "choose one from the list."
    if field in _WORKER_FIELDS:
        return (
            "the person chosen can no longer hold cases. "
            f"Choose someone else, or “{NOT_ALLOCATED}”."
        )
    if value in _BLANK or not value.strip("'").strip():
        return f"enter {expected}."
    return f"{_dates(value)} is not accepted: it must be {expected}."


def friendly_problem(problem: CoreProblem) -> Problem:
    """One of the core's structured problems, worded for a practitioner.

    The core names fields by their storage names (``date_of_birth``); here they get the
    form's labels and dates are shown as dd/mm/yyyy. A problem about no single field
    (someone else changed the record) comes back as the core words it, with field None.
    """
    if problem.field is None or problem.field not in FIELD_LABELS:
        return Problem(None, str(problem))
    return Problem(problem.field, _advice(problem))


class DateField(QDateEdit):
    """A dd/mm/yyyy date edit that can also be "Not entered", and types comfortably.

    Typing "15/08/2006" works as typed (a bare QDateEdit jumps a section on the "/"
    after a two-digit day), and so do "15082006" and "1/8/2006". Tab moves to the next
    field.
    """

    def __init__(self, earliest: QDate, latest: QDate, *, optional: bool) -> None:
        super().__init__()
        self.setDisplayFormat("dd/MM/yyyy")
        self._optional = optional
        # Optional: the earliest date stands for "Not entered" and is never a real answer.
        self.setDateRange(earliest.addDays(-1) if optional else earliest, latest)
        if optional:
            self.setSpecialValueText("Not entered")
        self._typing_start = latest.addYears(-18)
        self.set_value(None)

    def value(self) -> date | None:
        if self._optional and self.date() == self.minimumDate():
            return None
        chosen = self.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def set_value(self, value: date | None) -> None:
        if value is not None:
            self.setDate(to_qdate(value))
        else:
            self.setDate(self.minimumDate() if self._optional else self.maximumDate())

    def _start_typing(self) -> None:
        self.setDate(QDate(self._typing_start.year(), 1, 1))
        self.setCurrentSection(QDateEdit.Section.DaySection)
        self.lineEdit().setSelection(0, 2)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text.isdigit() and self.value() is None:
            self._start_typing()
        cursor = self.lineEdit().cursorPosition()
        just_moved = cursor > 0 and self.lineEdit().text()[cursor - 1] == "/"
        if text in ("/", ".", "-") and just_moved:
            return  # already moved to the next part when the day or month was complete
        super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        # Tab leaves the field, as in every other field. A QDateEdit otherwise uses Tab to
        # move between day, month and year, and showing "Not entered" it never lets go.
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                return QWidget.focusNextPrevChild(self, event.key() == Qt.Key.Key_Tab)
        return super().event(event)

    def stepBy(self, steps: int) -> None:
        if self.value() is None:
            self._start_typing()
            return
        super().stepBy(steps)


@dataclass(frozen=True)
class Choices:
    teams: list[TeamSummary]
    workers: list[WorkerOption]


def load_choices(db: Database, actor: Actor) -> Choices:
    """Runs on a worker: the actor's teams and the people who can hold their cases."""
    teams = [t for t in list_teams(db) if t.id in actor.team_ids]
    return Choices(teams, workers(db, actor.team_ids) if actor.team_ids else [])


def _code_combo(codes: type[CodeList]) -> QComboBox:
    combo = QComboBox()
    combo.setPlaceholderText("Choose…")
    for code, label in codes.choices():
        combo.addItem(label, code)
    combo.setCurrentIndex(-1)
    return combo


def _select(combo: QComboBox, value: Any) -> None:
    """Select the item carrying ``value``; nothing (the placeholder) when absent."""
    found = combo.findData(value) if value is not None else -1
    if found < 0 and value is None and combo.count() and combo.itemData(0) is None:
        found = 0  # "Not allocated"
    combo.setCurrentIndex(found)


def quiet_colour(widget: QWidget) -> str:
    """A secondary text colour that stays readable: 65% text over the background."""
    palette = widget.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mix = QColor(
        round(0.65 * text.red() + 0.35 * back.red()),
        round(0.65 * text.green() + 0.35 * back.green()),
        round(0.65 * text.blue() + 0.35 * back.blue()),
    )
    return mix.name()


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {quiet_colour(label)};")
    return label


class YoungPersonForm(QWidget):
    """Add or change a young person. Emits ``saved`` with the service's Changed."""

    saved = Signal(object)
    cancelled = Signal()
    ready = Signal()  # team and worker lists have arrived

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setMaximumWidth(860)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._choices: Choices | None = None
        self._pending: YoungPersonInput | None = None
        self._baseline: YoungPersonInput | None = None
        self._person_id: int | None = None
        self._version = 0
        self._extra_workers: dict[int, str] = {}
        self._extra_team: tuple[int, str] | None = None
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._shown: list[str] = []
        self._saving = False
        self._build()
        tasks.run(load_choices, db, actor, on_result=self._on_choices, on_error=self._on_failed)

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        today = to_qdate(local_today(self._clock()))
        self._summary = ProblemList()
        self._summary.field_chosen.connect(self._focus_field)

        self._uid = QLineEdit()
        self._uid.setMaxLength(CHILD_UID_MAX_LENGTH)
        self._first = QLineEdit()
        self._last = QLineEdit()
        self._preferred = QLineEdit()
        for edit in (self._first, self._last, self._preferred):
            edit.setMaxLength(NAME_MAX_LENGTH)
        for edit in (self._uid, self._first, self._last, self._preferred):
            edit.returnPressed.connect(self.save)
        self._preferred.setPlaceholderText("Only if different from the first name")
        self._dob = DateField(today.addYears(-30), today.addYears(1), optional=True)
        self._sex = _code_combo(Sex)
        self._ethnicity = _code_combo(Ethnicity)
        self._disability = _code_combo(YesNo)
        self._uasc = QCheckBox("Unaccompanied asylum-seeking child (UASC), or former UASC")
        self._eligibility = _code_combo(EligibilityCategory)
        self._has_ceased = QCheckBox("Has ceased to be looked after, on")
        self._ceased = DateField(today.addYears(-30), today, optional=False)
        self._ceased.setCalendarPopup(True)
        self._ceased.setEnabled(False)
        self._ceased.hide()  # shown only once ticked: an unticked date would look recorded
        self._has_ceased.toggled.connect(self._ceased.setEnabled)
        self._has_ceased.toggled.connect(self._ceased.setVisible)
        self._team = QComboBox()
        self._team.currentIndexChanged.connect(self._refill_workers)
        self._social_worker = QComboBox()
        self._adviser = QComboBox()
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.save_button.clicked.connect(self.save)
        self._cancel_button = QPushButton("Cancel")
        self._cancel_button.setAutoDefault(False)
        self._cancel_button.clicked.connect(self.cancelled)
        self._loading = QLabel("Loading teams and workers…")

        self.title = QLabel()
        self.title.setObjectName("formTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")  # beats the app style

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._add_section("About the young person", self._identity_rows())
        self._add_section("Care status", self._care_rows())
        self._add_section("Allocation", self._allocation_rows())
        for part in (self._has_ceased, self._ceased):  # the "Left care" row's two parts
            on_edit(part, self._fixer("date_ceased_looked_after"))
        for field in (self._dob, self._ceased):
            field.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            field.setMinimumWidth(field.fontMetrics().horizontalAdvance("00/00/00000") + 48)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addSpacing(8)
        layout.addWidget(self._summary)
        layout.addLayout(self._form)
        # A widget of its own, so a dialog can keep it in view below a scrolling form.
        self.button_bar = QWidget()
        buttons = QHBoxLayout(self.button_bar)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self._loading)
        buttons.addStretch(1)
        box = QDialogButtonBox()  # the platform's button order, as in the app's other dialogs
        box.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(self._cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addWidget(box)
        layout.addWidget(self.button_bar)
        layout.addStretch(1)
        self._set_enabled(False)

    def _identity_rows(self) -> list[tuple[str, str, QWidget, str]]:
        return [
            (
                "child_uid",
                "C&hild Unique ID",
                self._uid,
                "As on the children's social care system: letters, digits and hyphens",
            ),
            ("first_name", "&First name", self._first, ""),
            ("last_name", "&Last name", self._last, ""),
            ("preferred_name", "&Preferred name", self._preferred, "Optional"),
            ("date_of_birth", "&Date of birth", self._dob, "Type it as dd/mm/yyyy"),
            ("sex", "&Sex", self._sex, ""),
            ("ethnicity", "E&thnicity", self._ethnicity, ""),
            ("disability", "Disa&bility", self._disability, ""),
            ("uasc", "UASC", self._uasc, ""),
        ]

    def _care_rows(self) -> list[tuple[str, str, QWidget, str]]:
        ceased = QWidget()
        row = QHBoxLayout(ceased)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._has_ceased)
        row.addWidget(self._ceased)
        row.addStretch(1)
        self._fields["date_ceased_looked_after"] = self._has_ceased
        return [
            ("eligibility", "Eli&gibility category", self._eligibility, ""),
            ("date_ceased_looked_after", "Left care", ceased, "Leave unticked if still in care"),
        ]

    def _allocation_rows(self) -> list[tuple[str, str, QWidget, str]]:
        return [
            ("team", "Tea&m", self._team, ""),
            ("social_worker_id", "Social &worker", self._social_worker, ""),
            ("personal_adviser_id", "Personal ad&viser", self._adviser, ""),
        ]

    def _add_section(self, title: str, rows: list[tuple[str, str, QWidget, str]]) -> None:
        heading = QLabel(f"<b>{html.escape(title)}</b>")
        heading.setContentsMargins(0, 12 if self._form.rowCount() else 0, 0, 4)
        self._form.addRow(heading)
        for field, label_text, widget, hint in rows:
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            error = field_note()
            column.addWidget(error)
            column.addWidget(widget)
            if hint:
                column.addWidget(_hint(hint))
            label = QLabel(label_text)
            label.setBuddy(self._fields.setdefault(field, widget))
            self._form.addRow(label, holder)
            self._errors[field] = error
            on_edit(widget, self._fixer(field))

    # --- choices ---------------------------------------------------------------------------

    def _on_choices(self, choices: Choices) -> None:
        self._choices = choices
        self._team.blockSignals(True)
        self._team.clear()
        for team in choices.teams:
            self._team.addItem(team.name, team.id)
        self._team.blockSignals(False)
        self._refill_workers()
        self._loading.hide()
        if not choices.teams:
            self._show_problems(
                [
                    CoreProblem(
                        None,
                        "You are not a member of any team, so you cannot add or change young "
                        "people's records. Ask your IT administrator to add you to a team.",
                    )
                ]
            )
        self._set_enabled(bool(choices.teams))
        if self._pending is not None:
            self._apply(self._pending)
            self._baseline = self._collect()
        self.ready.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._loading.hide()
        self._show_problems([CoreProblem(None, self._message(exc))])

    @property
    def is_ready(self) -> bool:
        return self._choices is not None

    def _set_enabled(self, enabled: bool) -> None:
        for widget in self._fields.values():
            widget.setEnabled(enabled)
        self._has_ceased.setEnabled(enabled)
        self._ceased.setEnabled(enabled and self._has_ceased.isChecked())
        self.save_button.setEnabled(enabled and not self._saving)

    def _refill_workers(self) -> None:
        team_id = self._team.currentData()
        known = self._choices.workers if self._choices else []
        people = [w for w in known if w.team_id == team_id]
        for combo in (self._social_worker, self._adviser):
            keep = combo.currentData()
            combo.clear()
            combo.addItem(NOT_ALLOCATED, None)
            for person in people:
                lead = " (team lead)" if person.role is Role.TEAM_LEAD else ""
                combo.addItem(f"{person.display_name}{lead}", person.id)
            for worker_id, name in self._extra_workers.items():
                if combo.findData(worker_id) < 0:
                    combo.addItem(name, worker_id)
            _select(combo, keep)
            if combo.currentIndex() < 0:
                combo.setCurrentIndex(0)

    # --- starting --------------------------------------------------------------------------

    def start_new(self) -> None:
        """A blank form for adding someone to the actor's (first) team."""
        self._person_id = None
        self._version = 0
        self._extra_workers = {}
        self._extra_team = None
        self.save_button.setText("Add young person")
        self.title.setText("Add a young person")
        team = self._actor.team_id if self._actor.team_id in self._actor.team_ids else None
        blank = YoungPersonInput(
            child_uid="",
            first_name="",
            last_name="",
            date_of_birth=None,
            sex="",
            ethnicity="",
            disability="",
            uasc=False,
            eligibility="",
            team_id=team if team is not None else -1,
        )
        self._start(blank)
        self._uid.setFocus()

    def start_edit(self, record: YoungPersonRecord) -> None:
        """The form filled with ``record``; saving checks nobody changed it meanwhile."""
        self._person_id = record.id
        self._version = record.version
        details = record.details
        self._extra_workers = {}
        if details.social_worker_id is not None and record.social_worker_name:
            self._extra_workers[details.social_worker_id] = record.social_worker_name
        if details.personal_adviser_id is not None and record.personal_adviser_name:
            self._extra_workers[details.personal_adviser_id] = record.personal_adviser_name
        self._extra_team = (details.team_id, record.team_name)
        self.save_button.setText("Save changes")
        self.title.setText(f"Change details for {record.display_name}")
        self._start(details)
        self._uid.setFocus()

    def _start(self, details: YoungPersonInput) -> None:
        self._clear_problems()
        self._pending = details
        self._baseline = None
        if self._choices is not None:
            self._apply(details)
            self._baseline = self._collect()

    def _apply(self, d: YoungPersonInput) -> None:
        extra = self._extra_team
        if extra is not None and extra[0] == d.team_id and self._team.findData(extra[0]) < 0:
            self._team.addItem(extra[1], extra[0])
        self._uid.setText(d.child_uid)
        self._first.setText(d.first_name)
        self._last.setText(d.last_name)
        self._preferred.setText(d.preferred_name or "")
        self._dob.set_value(d.date_of_birth)
        _select(self._sex, d.sex or None)
        _select(self._ethnicity, d.ethnicity or None)
        _select(self._disability, d.disability or None)
        self._uasc.setChecked(d.uasc)
        _select(self._eligibility, d.eligibility or None)
        self._has_ceased.setChecked(d.date_ceased_looked_after is not None)
        self._ceased.set_value(d.date_ceased_looked_after)
        _select(self._team, d.team_id)
        if self._team.currentIndex() < 0 and self._team.count():
            self._team.setCurrentIndex(0)
        self._refill_workers()
        _select(self._social_worker, d.social_worker_id)
        _select(self._adviser, d.personal_adviser_id)

    # --- reading and saving ----------------------------------------------------------------

    def _collect(self) -> YoungPersonInput:
        """What the form says now, as typed (the service tidies spaces and case)."""
        team = self._team.currentData()
        return YoungPersonInput(
            child_uid=self._uid.text(),
            first_name=self._first.text(),
            last_name=self._last.text(),
            preferred_name=self._preferred.text().strip() or None,
            date_of_birth=self._dob.value(),
            sex=self._sex.currentData() or "",
            ethnicity=self._ethnicity.currentData() or "",
            disability=self._disability.currentData() or "",
            uasc=self._uasc.isChecked(),
            eligibility=self._eligibility.currentData() or "",
            team_id=team if team is not None else -1,
            social_worker_id=self._social_worker.currentData(),
            personal_adviser_id=self._adviser.currentData(),
            date_ceased_looked_after=(
                self._ceased.value() if self._has_ceased.isChecked() else None
            ),
        )

    def is_modified(self) -> bool:
        return self._baseline is not None and self._collect() != self._baseline

    @property
    def is_saving(self) -> bool:
        return self._saving

    def save(self) -> None:
        if self._saving or not self.is_ready:
            return
        data = self._collect()
        self._set_saving(True)
        if self._person_id is None:
            tasks.run(
                create_young_person,
                self._db,
                self._actor,
                data,
                now=self._clock(),
                on_result=self._on_saved,
                on_error=self._on_save_failed,
            )
        else:
            tasks.run(
                update_young_person,
                self._db,
                self._actor,
                self._person_id,
                data,
                expected_version=self._version,
                now=self._clock(),
                on_result=self._on_saved,
                on_error=self._on_save_failed,
            )

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving and self.is_ready)
        self._cancel_button.setEnabled(not saving)
        self._loading.setText("Saving…")
        self._loading.setVisible(saving)

    def _on_saved(self, changed: Changed) -> None:
        self._set_saving(False)
        self._clear_problems()
        self._baseline = self._collect()
        self.saved.emit(changed)

    def _on_save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        if isinstance(exc, EditConflict):
            # Someone else saved this record since it was opened: say who and what, keep
            # everything typed, and leave the version as read (saving again is refused
            # until the record is reopened, so their change is never overwritten).
            self._show_problems(exc.details, CHANGED_MEANWHILE)
        elif isinstance(exc, ValidationFailed) and exc.details:
            self._show_problems(exc.details)
        else:
            self._show_problems([CoreProblem(None, self._message(exc))])

    @staticmethod
    def _message(exc: BaseException) -> str:
        if isinstance(exc, CaseworkError):
            return str(exc)
        from ui import crash

        crash.report(type(exc), exc, exc.__traceback__)
        return "Nothing was saved because of an unexpected problem. Try again in a moment."

    # --- problems --------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """The problems shown now, as the user reads them."""
        return list(self._shown)

    def _show_problems(self, problems: list[CoreProblem], heading: str = NOTHING_SAVED) -> None:
        self._clear_problems()
        order = list(FIELD_LABELS)
        found = sorted(
            (friendly_problem(p) for p in problems),
            key=lambda p: -1 if p.field is None else order.index(p.field),
        )
        fields: list[str | None] = []
        first_field: str | None = None
        for problem in found:
            self._shown.append(problem.text)
            field = problem.field
            if field is not None and field in self._errors:
                first_field = first_field or field
                self._errors[field].setText(problem.advice[:1].upper() + problem.advice[1:])
                self._errors[field].show()
                fields.append(field)
            else:
                fields.append(None)
        self._summary.set_problems(self._shown, heading, fields)
        if first_field is not None:
            self._focus_field(first_field)

    def _fixer(self, field: str) -> Callable[[], None]:
        return lambda: self._fixed(field)

    def _fixed(self, field: str) -> None:
        """The worker changed ``field``: its problem is no longer shown."""
        note = self._errors.get(field)
        if note is not None and note.isVisible():
            note.clear()
            note.hide()
            self._summary.drop_field(field)
            self._shown = self._summary.problems()

    def _clear_problems(self) -> None:
        self._shown = []
        self._summary.set_problems([])
        for label in self._errors.values():
            label.clear()
            label.hide()

    def _focus_field(self, field: str) -> None:
        widget = self._fields.get(field)
        if widget is None:
            return
        if field == "date_ceased_looked_after" and self._has_ceased.isChecked():
            widget = self._ceased
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        """Forget everything typed or shown (the idle lock, or leaving the screen)."""
        self._pending = None
        self._baseline = None
        self._person_id = None
        self._extra_workers = {}
        self._extra_team = None
        self._clear_problems()
        self.title.clear()
        for edit in (self._uid, self._first, self._last, self._preferred):
            edit.setText("")  # unlike clear(), leaves nothing to undo back
        self._dob.set_value(None)
        for combo in (self._sex, self._ethnicity, self._disability, self._eligibility):
            combo.setCurrentIndex(-1)
        self._uasc.setChecked(False)
        self._has_ceased.setChecked(False)
        self._ceased.set_value(None)
        self._refill_workers()


class YoungPersonDialog(QDialog):
    """The form in a dialog, for "Add young person"; ``changed`` holds the result once saved."""

    saved = Signal(object)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add young person")
        self.changed: Changed | None = None
        self.form = YoungPersonForm(db, actor, clock)
        self.form.saved.connect(self._on_saved)
        self.form.cancelled.connect(self.reject)
        # The buttons stay in view below the scrolling form, which never outgrows the screen.
        scroll = scrolling_layout(self, self.form, self.form.button_bar)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own
        self.resize(720, self.sizeHint().height())
        make_default(self.form.save_button)  # Enter saves, also after a refusal
        self.form.start_new()

    def _on_saved(self, changed: Changed) -> None:
        self.changed = changed
        self.saved.emit(changed)
        self.accept()

    def reject(self) -> None:
        if self.form.is_saving:
            return
        if self.form.is_modified() and not confirm_discard(self):
            return
        super().reject()

    def discard(self) -> None:
        """Close without asking and forget what was typed (the idle lock)."""
        self.form.clear()
        super().reject()
