"""Small dialogs of a young person's record: addenda, follow-up actions, in-touch
statuses, eligibility overrides and support milestones.

Each is a ``RecordDialog``: checks what it can on the spot, then runs one service call
on a worker. Refused input comes back as the service's problems, shown at the top in
plain words with everything typed kept. ``saved`` carries the core's ``Changed``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.domain.codes import EligibilityCategory
from casework.domain.leaving_care import ExplicitStatus
from casework.services import contacts, pathway
from casework.services.contacts import FollowUpInput
from casework.services.pathway import SupportKind
from ui import tasks
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_common import (
    NOTHING_SAVED,
    RecordContext,
    failure_heading,
    problems_of,
    quiet_label,
    text_label,
)
from ui.widgets.forms import UnsavedChanges, make_default
from ui.widgets.problems import ProblemList

Submission = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def date_field(ctx: RecordContext, *, years_back: int = 30, years_ahead: int = 0) -> DateField:
    """A dd/mm/yyyy field that starts on today."""
    today = to_qdate(ctx.today())
    field = DateField(
        today.addYears(-years_back),
        today.addYears(years_ahead) if years_ahead else today,
        optional=False,
    )
    field.setCalendarPopup(True)
    field.set_value(ctx.today())
    field.setMinimumWidth(field.fontMetrics().horizontalAdvance("00/00/00000") + 48)
    field.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return field


def text_box(lines: int = 4) -> QPlainTextEdit:
    """A plain text box ``lines`` high (it scrolls beyond that); Tab moves on."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 18)
    box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return box


def code_combo(choices: list[tuple[str, str]], *, with_codes: bool = False) -> QComboBox:
    combo = QComboBox()
    combo.setPlaceholderText("Choose…")
    for code, label in choices:
        combo.addItem(f"{code} — {label}" if with_codes else label, code)
    combo.setCurrentIndex(-1)
    return combo


class RecordDialog(QDialog):
    """A form over one service call. Subclasses add rows to ``form`` and give
    ``submission`` (and ``check`` for what can be caught before asking the core)."""

    saved = Signal(object)
    labels: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        ctx: RecordContext,
        title: str,
        intro: str,
        ok_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.ctx = ctx
        self._saving = False
        self.problems = ProblemList()
        self.intro = text_label(intro, rich=True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.ok_button = QPushButton(ok_text)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.accept)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.saving_label = QLabel("Saving…")
        self.saving_label.hide()
        buttons = QDialogButtonBox()
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        self.intro.setVisible(bool(intro))
        layout.addWidget(self.problems)
        layout.addLayout(self.form)
        self.extra = QVBoxLayout()  # room for a large part (a scrolling list) under the form
        layout.addLayout(self.extra, 1)
        row = QVBoxLayout()
        row.addWidget(self.saving_label, 0, Qt.AlignmentFlag.AlignRight)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.setMinimumWidth(520)
        make_default(self.ok_button)  # Enter submits, also after a refusal
        self.unsaved = UnsavedChanges(self)
        self._watching = False

    def showEvent(self, event: QShowEvent) -> None:
        if not self._watching:  # the subclass has filled the form in by now
            self._watching = True
            if self.extra.count() == 0:
                # Nothing large under the form: spare height stays below it instead of
                # being spread between the words and every row.
                self.extra.addStretch(1)
            self.unsaved.mark_saved()
            self.problems.recheck_on_edit(self, self.check)
        super().showEvent(event)

    def reject(self) -> None:
        """Cancel, Escape or closing: asks first when something was typed."""
        if not self.unsaved.may_leave(self):
            return
        super().reject()

    def discard(self) -> None:
        """Close without asking (the screen is locking or signing out)."""
        super().reject()

    def check(self) -> list[str]:
        """Problems the screen can see without asking the core."""
        return []

    def submission(self) -> Submission:
        """(service function, its arguments after the person id, keyword arguments)."""
        raise NotImplementedError

    def accept(self) -> None:
        if self._saving:
            return
        problems = self.check()
        if problems:
            self.problems.set_problems(problems, NOTHING_SAVED)
            return
        fn, args, kwargs = self.submission()
        self._set_saving(True)
        tasks.run(
            fn,
            self.ctx.db,
            self.ctx.actor,
            self.ctx.person_id,
            *args,
            now=self.ctx.clock(),
            on_result=self._on_saved,
            on_error=self._on_failed,
            **kwargs,
        )

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.ok_button.setEnabled(not saving)
        self.saving_label.setVisible(saving)

    def _on_saved(self, changed: object) -> None:
        if not isValid(self) or not self.isVisible():
            return
        self._set_saving(False)
        self.saved.emit(changed)
        super().accept()

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        self.problems.set_problems(problems_of(exc, self.labels), failure_heading(exc))


# --- contacts ----------------------------------------------------------------------------


class AddendumDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {"addendum": "Addendum"}

    def __init__(
        self, ctx: RecordContext, contact_id: int, original: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Add an addendum",
            "A finalised contact cannot be changed. An addendum adds a dated correction or "
            "addition under it; the original stays exactly as it was.",
            "Add addendum",
            parent,
        )
        self.contact_id = contact_id
        quote = text_label(original, rich=True)
        quote.setStyleSheet(
            "background: #f3f5f8; border-left: 4px solid #8a94a3; padding: 6px 8px;"
        )
        shown = QScrollArea()
        shown.setWidgetResizable(True)
        shown.setFrameShape(QScrollArea.Shape.NoFrame)
        shown.setWidget(quote)
        shown.setMaximumHeight(220)
        self.text = text_box(6)
        self.form.addRow("Original", shown)
        self.form.addRow("&Addendum", self.text)
        self.text.setFocus()
        self.resize(640, 420)

    def check(self) -> list[str]:
        if not self.text.toPlainText().strip():
            return ["Addendum: write the correction or addition."]
        return []

    def submission(self) -> Submission:
        return contacts.add_addendum, (self.contact_id, self.text.toPlainText()), {}


class FollowUpDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {"due_on": "Due by"}

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Add a follow-up action", "", "Add action", parent)
        self.description = QLineEdit()
        self.description.setPlaceholderText("For example: chase the housing application")
        self.due = date_field(ctx, years_back=0, years_ahead=2)
        self.due.set_value(ctx.today())
        self.form.addRow("&What needs doing", self.description)
        self.form.addRow("&Due by", self.due)
        self.description.setFocus()

    def check(self) -> list[str]:
        if not self.description.text().strip():
            return ["What needs doing: describe the action."]
        return []

    def submission(self) -> Submission:
        item = FollowUpInput(self.description.text(), self.due.value() or self.ctx.today())
        return contacts.add_follow_up, (item,), {}


class DoneDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {"done_on": "Done on"}

    def __init__(
        self, ctx: RecordContext, action_id: int, description: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Mark a follow-up action done",
            f"<b>{html.escape(description)}</b>",
            "Mark done",
            parent,
        )
        self.action_id = action_id
        self.done_on = date_field(ctx, years_back=2)
        self.form.addRow("&Done on", self.done_on)
        self.done_on.setFocus()

    def submission(self) -> Submission:
        done = self.done_on.value() or self.ctx.today()
        return contacts.complete_follow_up, (self.action_id, done), {}


_STATUS_HELP = {
    "REFU": "They have told you they do not want contact. A later successful contact "
    "ends this status.",
    "NREQ": "They have said they no longer need leaving-care services. A later successful "
    "contact ends this status.",
    "RHOM": "They have lived with their parents (or someone with parental responsibility) "
    "for 6 months or more.",
    "DIED": "This cannot be undone: once recorded, the young person is reported as died.",
}


class StatusDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {
        "status": "Status",
        "effective_on": "From",
        "note": "How this is known",
    }

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Record an in-touch status",
            "In touch or not in touch is worked out from contacts. Record a status only "
            "when one of these applies.",
            "Record status",
            parent,
        )
        self.status = code_combo(ExplicitStatus.choices())
        self.help = quiet_label()
        self.effective_on = date_field(ctx, years_back=10)
        self.note = text_box(3)
        self.note.setPlaceholderText("For example: told me by phone on 20/11/2026")
        self.form.addRow("&Status", self.status)
        self.form.addRow("", self.help)
        self.form.addRow("&From", self.effective_on)
        self.form.addRow("&How this is known", self.note)
        self.status.currentIndexChanged.connect(self._explain)
        self.status.setFocus()

    def _explain(self) -> None:
        code = self.status.currentData()
        self.help.setText(_STATUS_HELP.get(code, ""))
        self.help.setStyleSheet(
            "color: #a4161a; font-weight: bold;" if code == "DIED" else "color: #4b5563;"
        )

    def check(self) -> list[str]:
        problems = []
        if self.status.currentIndex() < 0:
            problems.append("Status: choose one from the list.")
        if not self.note.toPlainText().strip():
            problems.append("How this is known: say who told you and when.")
        return problems

    def submission(self) -> Submission:
        effective = self.effective_on.value() or self.ctx.today()
        args = (self.status.currentData(), effective, self.note.toPlainText())
        return contacts.record_status, args, {}


# --- legal status and support ------------------------------------------------------------


class OverrideDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {"category": "Category", "reason": "Reason"}

    def __init__(
        self, ctx: RecordContext, suggested: EligibilityCategory, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Override the eligibility suggestion",
            f"The care history suggests <b>{html.escape(suggested.label)}</b>. Choose the "
            "category that is right and say why; your reason is kept with the decision.",
            "Record decision",
            parent,
        )
        others = [(c, label) for c, label in EligibilityCategory.choices() if c != suggested]
        self.category = code_combo(others)
        self.reason = text_box(4)
        self.reason.setPlaceholderText(
            "For example: the weeks looked after were recorded wrongly on the old system"
        )
        self.form.addRow("&Category", self.category)
        self.form.addRow("&Reason", self.reason)
        self.category.setFocus()
        self.resize(600, 340)

    def check(self) -> list[str]:
        problems = []
        if self.category.currentIndex() < 0:
            problems.append("Category: choose one from the list.")
        if not self.reason.toPlainText().strip():
            problems.append("Reason: say why this category is right instead of the suggestion.")
        return problems

    def submission(self) -> Submission:
        args = (self.category.currentData(), self.reason.toPlainText())
        return pathway.decide_eligibility, args, {}


class SupportDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {"kind": "What happened", "occurred_on": "Date"}

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Record support after 21", "", "Record", parent)
        self.kind = code_combo([(k.value, k.label) for k in SupportKind])
        self.occurred_on = date_field(ctx, years_back=10)
        self.note = text_box(3)
        self.form.addRow("&What happened", self.kind)
        self.form.addRow("&Date", self.occurred_on)
        self.form.addRow("&Note", self.note)
        self.kind.setFocus()

    def check(self) -> list[str]:
        return ["What happened: choose one from the list."] if self.kind.currentIndex() < 0 else []

    def submission(self) -> Submission:
        occurred: date = self.occurred_on.value() or self.ctx.today()
        args = (self.kind.currentData(), occurred, self.note.toPlainText())
        return pathway.record_support, args, {}
