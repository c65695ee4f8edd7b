"""Accommodation and activity dialogs: a move (with its suitability), a team lead's review
of bed and breakfast, emergency, unknown or homeless accommodation, and a change of
education, employment or training."""

from __future__ import annotations

import html
from typing import ClassVar

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QLineEdit,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from casework.domain.codes import AccommodationType, Activity
from casework.services import accommodation
from casework.services.accommodation import AccommodationInput, AccommodationView
from ui.dialogs.record_dialogs import (
    RecordDialog,
    Submission,
    code_combo,
    date_field,
    text_box,
)
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_common import RecordContext, day, quiet_label, set_severity, text_label

PROVIDER_MAX = 200


def _optional_end(ctx: RecordContext) -> DateField:
    today = to_qdate(ctx.today())
    field = DateField(today.addYears(-30), today, optional=True)
    field.setCalendarPopup(True)
    field.setMinimumWidth(field.fontMetrics().horizontalAdvance("Not entered") + 60)
    field.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return field


class AccommodationDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {
        "letter": "Type",
        "started_on": "Moved in",
        "ended_on": "Moved out",
        "suitable": "Suitability",
        "unsuitable_reason": "Why it is unsuitable",
        "provider": "Provider or address",
    }

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Add accommodation",
            "Where they live now. The accommodation before it ends the day before this one starts.",
            "Add accommodation",
            parent,
        )
        self.kind = code_combo(AccommodationType.choices(), with_codes=True)
        self.kind_note = text_label(rich=True)
        self.kind_note.hide()
        self.started_on = date_field(ctx, years_back=30)
        self.ended_on = _optional_end(ctx)
        self.provider = QLineEdit()
        self.provider.setMaxLength(PROVIDER_MAX)
        self.suitable = QRadioButton("&Suitable: safe, secure and affordable")
        self.unsuitable = QRadioButton("&Unsuitable: puts them at risk of harm or social exclusion")
        self.suitability = QButtonGroup(self)
        self.suitability.addButton(self.suitable)
        self.suitability.addButton(self.unsuitable)
        self.reason = text_box(3)
        self.council = QCheckBox("Arranged or paid for by the council (the reg 8 visits apply)")
        choice = QWidget()
        column = QVBoxLayout(choice)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.suitable)
        column.addWidget(self.unsuitable)
        self.form.addRow("&Type", self.kind)
        self.form.addRow("", self.kind_note)
        self.form.addRow("&Moved in", self.started_on)
        self.form.addRow("Moved &out", self.ended_on)
        self.form.addRow("", quiet_label("Leave “Not entered” while they still live there."))
        self.form.addRow("&Provider or address", self.provider)
        self.form.addRow("Suitability", choice)
        self.form.addRow("&Why it is unsuitable", self.reason)
        self.form.addRow("", self.council)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.suitable.toggled.connect(self._sync_reason)
        self.unsuitable.toggled.connect(self._sync_reason)
        self._sync_reason()
        self.resize(720, 520)
        self.kind.setFocus()

    def chosen(self) -> AccommodationType | None:
        code = self.kind.currentData()
        return AccommodationType.parse(code) if code else None

    def _on_kind(self) -> None:
        kind = self.chosen()
        notes = []
        forced = kind is not None and kind.always_unsuitable
        if forced and kind is not None:
            self.unsuitable.setChecked(True)
            notes.append(f"<b>{html.escape(kind.label)} is always unsuitable.</b>")
        self.suitable.setEnabled(not forced)
        if kind is not None and kind.needs_team_lead_review:
            notes.append(
                "A team lead must review this accommodation; it stays highlighted on the "
                "record until they do."
            )
        self.kind_note.setText(" ".join(notes))
        self.kind_note.setVisible(bool(notes))
        set_severity(self.kind_note, "warning" if notes else None)

    def _sync_reason(self) -> None:
        self.reason.setEnabled(self.unsuitable.isChecked())

    def check(self) -> list[str]:
        problems = []
        if self.chosen() is None:
            problems.append("Type: choose one from the list.")
        if self.suitability.checkedButton() is None:
            problems.append("Suitability: choose Suitable or Unsuitable.")
        if self.unsuitable.isChecked() and not self.reason.toPlainText().strip():
            problems.append("Why it is unsuitable: say why the accommodation is unsuitable.")
        return problems

    def submission(self) -> Submission:
        data = AccommodationInput(
            letter=self.kind.currentData(),
            started_on=self.started_on.value() or self.ctx.today(),
            suitable=self.suitable.isChecked(),
            provider=self.provider.text(),
            unsuitable_reason=self.reason.toPlainText() if self.unsuitable.isChecked() else "",
            council_provided=self.council.isChecked(),
            ended_on=self.ended_on.value(),
        )
        return accommodation.add_accommodation, (data,), {}


class TeamLeadReviewDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {"review_note": "Decision and next steps"}

    def __init__(
        self, ctx: RecordContext, period: AccommodationView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Team lead's review of accommodation",
            f"<b>{html.escape(period.type.value)} {html.escape(period.type.label)}</b> from "
            f"{day(period.started_on)}"
            + (f", {html.escape(period.provider)}" if period.provider else ""),
            "Record review",
            parent,
        )
        self.period_id = period.id
        self.note = text_box(5)
        self.note.setPlaceholderText(
            "For example: agreed as a last resort for up to 2 weeks; PA to visit on Friday; "
            "supported lodgings referral made"
        )
        self.form.addRow("&Decision and next steps", self.note)
        self.resize(620, 340)
        self.note.setFocus()

    def check(self) -> list[str]:
        if not self.note.toPlainText().strip():
            return ["Decision and next steps: record the decision and what happens next."]
        return []

    def submission(self) -> Submission:
        return accommodation.review_accommodation, (self.period_id, self.note.toPlainText()), {}


class ActivityDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {
        "code": "Activity",
        "started_on": "From",
        "ended_on": "Until",
    }

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Add education, employment or training",
            "What they are doing now. The activity before it ends the day before this one starts.",
            "Add activity",
            parent,
        )
        choices = [(c, label) for c, label in Activity.choices() if c != "0"]
        self.code = code_combo(choices, with_codes=True)
        self.started_on = date_field(ctx, years_back=15)
        self.ended_on = _optional_end(ctx)
        self.detail = QLineEdit()
        self.detail.setMaxLength(PROVIDER_MAX)
        self.detail.setPlaceholderText("For example: Level 2 Plumbing at City College")
        self.form.addRow("&Activity", self.code)
        self.form.addRow("&From", self.started_on)
        self.form.addRow("&Until", self.ended_on)
        self.form.addRow("&Detail", self.detail)
        self.resize(640, 300)
        self.code.setFocus()

    def check(self) -> list[str]:
        return ["Activity: choose one from the list."] if self.code.currentIndex() < 0 else []

    def submission(self) -> Submission:
        started = self.started_on.value() or self.ctx.today()
        return (
            accommodation.add_activity,
            (self.code.currentData(), started, self.detail.text()),
            {"ended_on": self.ended_on.value()},
        )
