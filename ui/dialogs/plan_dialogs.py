"""Pathway planning dialogs: a new plan with the ten Schedule 1 areas, a plan review, and
a change of circumstances (which makes a review due)."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casework.domain.leaving_care import CircumstanceChange, PlanArea
from casework.services import pathway
from casework.services.pathway import AreaInput, PlanView
from ui.dialogs.record_dialogs import (
    RecordDialog,
    Submission,
    code_combo,
    date_field,
    text_box,
)
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_common import RecordContext, day, quiet_label, scrolling
from ui.widgets.sizing import fit_to_screen

OWNER_MAX = 100


class AreaEditor(QGroupBox):
    """Needs, actions, who owns them and by when, for one plan area."""

    def __init__(self, ctx: RecordContext, area: PlanArea, start: AreaInput | None) -> None:
        super().__init__(area.label)
        self.area = area
        today = to_qdate(ctx.today())
        self.needs = text_box(2)
        self.actions_box = text_box(2)
        self.owner = QLineEdit()
        self.owner.setMaxLength(OWNER_MAX)
        self.owner.setPlaceholderText("Who does it")
        self.target = DateField(today.addYears(-1), today.addYears(4), optional=True)
        self.target.setCalendarPopup(True)
        self.target.setMinimumWidth(self.target.fontMetrics().horizontalAdvance("Not entered") + 60)
        for widget, name in (
            (self.needs, "needs"),
            (self.actions_box, "actions"),
            (self.owner, "owner"),
            (self.target, "target date"),
        ):
            widget.setAccessibleName(f"{area.label}: {name}")
        if start is not None:
            self.needs.setPlainText(start.needs)
            self.actions_box.setPlainText(start.actions)
            self.owner.setText(start.owner)
            self.target.set_value(start.target_on)
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Needs"), 0, 0)
        grid.addWidget(QLabel("Actions"), 0, 1)
        grid.addWidget(self.needs, 1, 0)
        grid.addWidget(self.actions_box, 1, 1)
        grid.addWidget(QLabel("Owner"), 2, 0)
        grid.addWidget(QLabel("Target date"), 2, 1)
        grid.addWidget(self.owner, 3, 0)
        grid.addWidget(self.target, 3, 1)

    def value(self) -> AreaInput:
        return AreaInput(
            self.area.value,
            self.needs.toPlainText(),
            self.actions_box.toPlainText(),
            self.owner.text(),
            self.target.value(),
        )


class NewPlanDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {
        "started_on": "Plan started",
        "participation": "How they took part",
    }

    def __init__(
        self, ctx: RecordContext, current: PlanView | None, parent: QWidget | None = None
    ) -> None:
        copied = (
            f"It starts with what the current plan (from {day(current.started_on)}) says, "
            "so you only change what is new. "
            if current is not None
            else ""
        )
        super().__init__(
            ctx,
            "New pathway plan",
            f"{copied}A new plan replaces the current one from the day it starts. Record "
            "each area's needs and actions, who owns the actions and by when.",
            "Start plan",
            parent,
        )
        # The plan shown (id, version): one started or changed meanwhile is named, not ended.
        self.replacing = (current.id, current.version) if current is not None else None
        self.started_on = date_field(ctx, years_back=10)
        self.participation = text_box(2)
        self.participation.setPlaceholderText(
            "For example: wrote the education section themselves; came to the meeting"
        )
        self.form.addRow("Plan &started", self.started_on)
        self.form.addRow("&How they took part", self.participation)
        existing = {a.area: a for a in current.areas} if current is not None else {}
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 8, 0)
        self.areas = [AreaEditor(ctx, area, existing.get(area.value)) for area in PlanArea]
        for editor in self.areas:
            column.addWidget(editor)
        self.extra.addWidget(quiet_label("The ten areas of the plan (Schedule 1):"))
        self.extra.addWidget(scrolling(holder), 1)
        fit_to_screen(self, 900, 820)
        self.participation.setFocus()

    def check(self) -> list[str]:
        problems = []
        if not self.participation.toPlainText().strip():
            problems.append("How they took part: record how the young person took part.")
        for editor in self.areas:
            value = editor.value()
            if value.actions.strip() and not value.owner.strip():
                problems.append(f"{editor.area.label}: say who owns the actions.")
        return problems

    def submission(self) -> Submission:
        return (
            pathway.start_plan,
            (),
            {
                "started_on": self.started_on.value() or self.ctx.today(),
                "participation": self.participation.toPlainText(),
                "areas": [editor.value() for editor in self.areas],
                "replacing": self.replacing[0] if self.replacing else None,
                "expected_version": self.replacing[1] if self.replacing else None,
            },
        )


class ReviewDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {"reviewed_on": "Reviewed on", "notes": "What was decided"}

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Record a pathway plan review", "", "Record review", parent)
        self.reviewed_on = date_field(ctx, years_back=5)
        self.participated = QCheckBox("The young person took part in the review")
        self.notes = text_box(6)
        self.form.addRow("&Reviewed on", self.reviewed_on)
        self.form.addRow("", self.participated)
        self.form.addRow("&What was decided", self.notes)
        self.resize(620, 400)
        self.notes.setFocus()

    def check(self) -> list[str]:
        if not self.notes.toPlainText().strip():
            return ["What was decided: record what the review found and decided."]
        return []

    def submission(self) -> Submission:
        return (
            pathway.review_plan,
            (),
            {
                "reviewed_on": self.reviewed_on.value() or self.ctx.today(),
                "participated": self.participated.isChecked(),
                "notes": self.notes.toPlainText(),
            },
        )


class ChangeDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {"kind": "What changed", "occurred_on": "When"}

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Record a change of circumstances",
            "A change of circumstances makes a pathway plan review due. Moves, homelessness "
            "and custody are also recorded for you when you add accommodation.",
            "Record change",
            parent,
        )
        self.kind = code_combo(CircumstanceChange.choices())
        self.occurred_on = date_field(ctx, years_back=5)
        self.form.addRow("&What changed", self.kind)
        self.form.addRow("W&hen", self.occurred_on)
        self.kind.setFocus()

    def check(self) -> list[str]:
        return ["What changed: choose one from the list."] if self.kind.currentIndex() < 0 else []

    def submission(self) -> Submission:
        occurred = self.occurred_on.value() or self.ctx.today()
        return pathway.record_change, (self.kind.currentData(), occurred), {}
