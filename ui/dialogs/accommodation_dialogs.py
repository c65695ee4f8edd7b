"""Accommodation and activity dialogs: a move (with its suitability), a team lead's review
of bed and breakfast, emergency, unknown or homeless accommodation, and a change of
education, employment or training.

The move form follows the core's suitability rules (``casework.domain.accommodation``) as
it is filled in: S and X always unsuitable, R never suitable, bed and breakfast never
suitable under 18 (statutory guidance on homeless 16 and 17 year olds, 2018) and from 18
only with a reason and a team lead's review, emergency accommodation with a reason,
whether supported accommodation for an under 18 is registered (Supported Accommodation
(England) Regulations 2023), and SSDA903 rules 347 and 3001 named before saving."""

from __future__ import annotations

import html
from datetime import date
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

from casework.domain import accommodation as rules
from casework.domain.calendar import age_on
from casework.domain.codes import AccommodationType, Activity
from casework.errors import Problem
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
from ui.views.record_common import (
    RecordContext,
    day,
    plain_problem,
    quiet_label,
    set_severity,
    text_label,
)

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
        "suitable_reason": "Why it is suitable",
        "registered": "Registered with Ofsted",
        "provider": "Provider or address",
    }

    def __init__(
        self,
        ctx: RecordContext,
        date_of_birth: date,
        parent: QWidget | None = None,
        latest: accommodation.Latest | None = None,
    ) -> None:
        self.latest = latest  # the newest period the section showed: checked when adding
        super().__init__(
            ctx,
            "Add accommodation",
            "Where they live now. The accommodation before it ends on the night before this "
            "one starts: a period ends on the last night spent there.",
            "Add accommodation",
            parent,
        )
        self.date_of_birth = date_of_birth
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
        self.suitable_reason = text_box(2)
        self.suitable_reason.setPlaceholderText(
            "For example: two weeks near college while a supported flat is prepared; they chose it."
        )
        self.registered = QRadioButton("Re&gistered with Ofsted")
        self.not_registered = QRadioButton("&Not registered")
        self.registration = QButtonGroup(self)
        self.registration.addButton(self.registered)
        self.registration.addButton(self.not_registered)
        registration = QWidget()
        reg_row = QVBoxLayout(registration)
        reg_row.setContentsMargins(0, 0, 0, 0)
        reg_row.setSpacing(2)
        reg_row.addWidget(self.registered)
        reg_row.addWidget(self.not_registered)
        self.registration_row = registration
        self.rule_note = text_label(rich=True)
        self.rule_note.hide()
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
        self.form.addRow("&Last night there", self.ended_on)
        self.form.addRow("", quiet_label("Leave “Not entered” while they still live there."))
        self.form.addRow("&Provider or address", self.provider)
        self.form.addRow("Registered (under 18)", registration)
        self.form.addRow("Suitability", choice)
        self.form.addRow("", self.rule_note)
        self.form.addRow("&Why it is unsuitable", self.reason)
        self.form.addRow("W&hy it is suitable", self.suitable_reason)
        self.form.addRow("", self.council)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.started_on.dateChanged.connect(self._on_kind)
        self.suitable.toggled.connect(self._sync_reason)
        self.unsuitable.toggled.connect(self._sync_reason)
        self.registered.toggled.connect(self._sync_reason)
        self.not_registered.toggled.connect(self._sync_reason)
        self._on_kind()
        self.resize(720, 600)
        self.kind.setFocus()

    def chosen(self) -> AccommodationType | None:
        code = self.kind.currentData()
        return AccommodationType.parse(code) if code else None

    def _age_at_start(self) -> int:
        return age_on(self.date_of_birth, self.started_on.value() or self.ctx.today())

    def _on_kind(self) -> None:
        kind = self.chosen()
        notes = []
        age = self._age_at_start()
        forced = kind is not None and (
            kind.always_unsuitable
            or kind is AccommodationType.RESIDENCE_NOT_KNOWN
            or (kind is AccommodationType.BED_AND_BREAKFAST and age < rules.ADULT_AGE)
        )
        if forced and kind is not None:
            self.unsuitable.setChecked(True)
            if kind is AccommodationType.BED_AND_BREAKFAST:
                notes.append(
                    f"<b>They are {age}: bed and breakfast is never suitable for 16 and 17 "
                    "year olds</b> (statutory guidance on homeless 16 and 17 year olds, 2018)."
                )
            elif kind is AccommodationType.RESIDENCE_NOT_KNOWN:
                notes.append("<b>Residence not known is never suitable.</b>")
            else:
                notes.append(f"<b>{html.escape(kind.label)} is always unsuitable.</b>")
        self.suitable.setEnabled(not forced)
        if kind is AccommodationType.BED_AND_BREAKFAST and not forced:
            notes.append(
                "Bed and breakfast is suitable only with a reason and a team lead's review, "
                "by someone other than you."
            )
        elif kind is not None and kind.needs_team_lead_review:
            notes.append(
                "A team lead must review this accommodation; it stays highlighted on the "
                "record until they do."
            )
        self.kind_note.setText(" ".join(notes))
        self.kind_note.setVisible(bool(notes))
        set_severity(self.kind_note, "warning" if notes else None)
        needs = kind is not None and rules.needs_registration(
            kind.value, self.date_of_birth, self.started_on.value() or self.ctx.today()
        )
        self.form.setRowVisible(self.registration_row, needs)
        self._sync_reason()

    def _entry(self) -> rules.AccommodationEntry | None:
        kind = self.chosen()
        if kind is None or self.suitability.checkedButton() is None:
            return None
        registered = None
        if self.registration.checkedButton() is not None:
            registered = self.registered.isChecked()
        return rules.AccommodationEntry(
            letter=kind.value,
            started_on=self.started_on.value() or self.ctx.today(),
            suitable=self.suitable.isChecked(),
            date_of_birth=self.date_of_birth,
            ended_on=self.ended_on.value(),
            provider=self.provider.text(),
            unsuitable_reason=self.reason.toPlainText() if self.unsuitable.isChecked() else "",
            suitable_reason=self.suitable_reason.toPlainText() if self.suitable.isChecked() else "",
            registered=registered,
        )

    def _sync_reason(self) -> None:
        self.reason.setEnabled(self.unsuitable.isChecked())
        kind = self.chosen()
        wants_reason = kind in (AccommodationType.BED_AND_BREAKFAST, AccommodationType.EMERGENCY)
        self.form.setRowVisible(self.suitable_reason, bool(wants_reason))
        self.suitable_reason.setEnabled(self.suitable.isChecked())
        entry = self._entry()
        rule_problems = [
            p
            for p in (rules.entry_problems(entry, self.ctx.today()) if entry else [])
            if p.field in ("letter", "suitable", "registered")
        ]
        self.rule_note.setText("<br>".join(html.escape(p.message) for p in rule_problems))
        self.rule_note.setVisible(bool(rule_problems))
        set_severity(self.rule_note, "overdue" if rule_problems else None)

    def check(self) -> list[str]:
        problems = []
        if self.chosen() is None:
            problems.append("Type: choose one from the list.")
        if self.suitability.checkedButton() is None:
            problems.append("Suitability: choose Suitable or Unsuitable.")
        entry = self._entry()
        if entry is not None:
            for p in rules.entry_problems(entry, self.ctx.today()):
                problems.append(plain_problem(Problem(p.field, p.message), self.labels))
        return problems

    def submission(self) -> Submission:
        registered = None
        if self.registration.checkedButton() is not None:
            registered = self.registered.isChecked()
        data = AccommodationInput(
            letter=self.kind.currentData(),
            started_on=self.started_on.value() or self.ctx.today(),
            suitable=self.suitable.isChecked(),
            provider=self.provider.text(),
            unsuitable_reason=self.reason.toPlainText() if self.unsuitable.isChecked() else "",
            council_provided=self.council.isChecked(),
            ended_on=self.ended_on.value(),
            suitable_reason=self.suitable_reason.toPlainText() if self.suitable.isChecked() else "",
            registered=registered,
        )
        return accommodation.add_accommodation, (data,), {"latest": self.latest}


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
        self.version = period.version
        if period.recorded_by_id is not None and period.recorded_by_id == ctx.actor.user_id:
            self.problems.set_problems(
                [
                    "You recorded this accommodation, so another team lead must review it: a "
                    "review is a second person's check."
                ]
            )
        if period.awaiting_suitability_review:
            self.intro.setText(
                self.intro.text()
                + "<br>Recorded as <b>suitable</b> because: "
                + html.escape(period.suitable_reason)
                + "<br>Bed and breakfast counts as suitable only once you agree it here."
            )
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
        kwargs = {"expected_version": self.version}
        return accommodation.review_accommodation, (self.period_id, self.note.toPlainText()), kwargs


class ActivityDialog(RecordDialog):
    labels: ClassVar[dict[str, str]] = {
        "code": "Activity",
        "started_on": "From",
        "ended_on": "Until",
    }

    def __init__(
        self,
        ctx: RecordContext,
        parent: QWidget | None = None,
        latest: accommodation.Latest | None = None,
    ) -> None:
        self.latest = latest
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
            {"ended_on": self.ended_on.value(), "latest": self.latest},
        )
