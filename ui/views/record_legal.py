"""The record's "Legal status and eligibility" section: who the young person is legally.

The eligibility category the facts give (derived), the category a worker confirmed, and the
one in force (the safer of the two while they disagree), with the reasons, for the worker to
confirm or override with a reason; the care periods and the care history; the birthdays at
which their position changes (16, 18, 21, 25), dated and marked passed or upcoming; and the
support milestones after 21 (the PA offer, declining support, the yearly reminder, being
told they can return until 25).
"""

from __future__ import annotations

import html
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.codes import EligibilityCategory, UnknownCode
from casework.domain.leaving_care import LEGAL_STATUSES, Transition, age_transitions
from casework.services import pathway
from casework.services.pathway import (
    CareHistoryInput,
    CarePeriodInput,
    CarePeriodView,
    DecisionView,
    LegalOverview,
    SupportView,
)
from casework.services.people import YoungPersonRecord
from casework.services.permissions import Actor
from ui import tasks
from ui.dialogs.record_dialogs import OverrideDialog, SupportDialog
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_common import (
    NOTHING_SAVED,
    Clock,
    RecordSection,
    banner,
    clear_layout,
    day,
    failure_heading,
    fill_section,
    group,
    paragraphs,
    problems_of,
    quiet_label,
    set_severity,
    text_label,
    when,
)
from ui.widgets.problems import ProblemList

CARE_LABELS = {
    "date_entered_care": "Date entered care",
    "weeks_looked_after_since_14": "Weeks looked after since 14",
    "legal_status": "Legal status",
    "staying_put_until": "Staying Put until",
}


LegalData = LegalOverview


def load_legal(db: Database, actor: Actor, person_id: int, *, now: datetime) -> LegalData:
    return pathway.legal_overview(db, actor, person_id, now=now)


def category_label(code: str) -> str:
    try:
        return EligibilityCategory.parse(code).label
    except UnknownCode:
        return "Not recorded"


def distance(on: date, today: date) -> str:
    """``in 12 days``, ``in about 5 months``, ``in about 3 years``."""
    days = (on - today).days
    if days == 0:
        return "today"
    if days < 60:
        return f"in {days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"in about {round(days / 30.44)} months"
    return f"in about {round(days / 365.25)} years"


def decision_text(decision: DecisionView | None) -> str:
    if decision is None:
        return "No decision has been recorded yet."
    decided = category_label(decision.decided)
    if decision.decided == decision.suggested:
        what = f"Confirmed as {decided}"
    else:
        what = f"Overridden to {decided} (the suggestion was {category_label(decision.suggested)})"
    reason = f": “{decision.reason}”" if decision.reason else ""
    return f"{what} by {decision.decided_by} on {when(decision.decided_at)}{reason}"


class LegalSection(RecordSection):
    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, clock, parent)
        self._record: YoungPersonRecord | None = None
        self._data: LegalData | None = None
        self._saving = False
        fill_section(
            self,
            [
                self.status,
                self._eligibility_box(),
                self._periods_box(),
                self._care_box(),
                self._milestone_box(),
                self._support_box(),
            ],
            max_width=980,
        )

    # --- building -------------------------------------------------------------------------

    def _eligibility_box(self) -> QWidget:
        box, layout = group("Eligibility category")
        self.on_record = text_label(rich=True)
        self.suggested = banner("", "info")
        self.decision = quiet_label()
        self.eligibility_problems = ProblemList()
        self.confirm_button = QPushButton("&Confirm the facts' category")
        self.confirm_button.setToolTip(
            "Record, dated today, that the category the facts give is right"
        )
        self.override_button = QPushButton("O&verride…")
        self.override_button.setToolTip("Choose another category and say why")
        self.confirm_button.clicked.connect(self.confirm)
        self.override_button.clicked.connect(self.override)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)
        for widget in (self.on_record, self.suggested, self.eligibility_problems):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.decision)
        return box

    def _periods_box(self) -> QWidget:
        box, layout = group("Care periods (the facts the category is worked out from)")
        today = to_qdate(local_today(self._clock()))
        self.periods = QVBoxLayout()
        self.period_start = DateField(today.addYears(-26), today, optional=False)
        self.period_end = DateField(today.addYears(-26), today, optional=True)
        for field in (self.period_start, self.period_end):
            field.setCalendarPopup(True)
            field.setMinimumWidth(field.fontMetrics().horizontalAdvance("00/00/00000") + 60)
        self.period_status = QComboBox()
        self.period_status.setEditable(True)
        self.period_status.addItems(LEGAL_STATUSES)
        status_edit = self.period_status.lineEdit()
        assert status_edit is not None  # an editable combo box always has one
        status_edit.setMaxLength(60)
        self.add_period_button = QPushButton("&Add period")
        self.add_period_button.setToolTip(
            "Record a spell of being looked after: the 13 weeks since 14, ending after 16, "
            "are counted from these (CPPCR 2010 reg 40)"
        )
        self.add_period_button.clicked.connect(self.add_period)
        self.period_problems = ProblemList()
        row = QHBoxLayout()
        row.addWidget(QLabel("From"))
        row.addWidget(self.period_start)
        row.addWidget(QLabel("to"))
        row.addWidget(self.period_end)
        row.addWidget(self.period_status, 1)
        row.addWidget(self.add_period_button)
        layout.addLayout(self.periods)
        layout.addWidget(self.period_problems)
        layout.addLayout(row)
        layout.addWidget(quiet_label("Leave “to” as Not entered while the period continues."))
        return box

    def _care_box(self) -> QWidget:
        box, layout = group("Care history")
        today = to_qdate(local_today(self._clock()))
        self.entered = DateField(today.addYears(-26), today, optional=True)
        self.entered.setCalendarPopup(True)
        self.left_care = QLabel()
        self.weeks = QSpinBox()
        self.weeks.setRange(-1, 260)
        self.weeks.setSpecialValueText("Not recorded")
        self.weeks.setSuffix(" weeks")
        self.legal_status = QComboBox()
        self.legal_status.setEditable(True)
        self.legal_status.addItems(LEGAL_STATUSES)
        status_line = self.legal_status.lineEdit()
        assert status_line is not None  # editable
        status_line.setMaxLength(60)
        status_line.setPlaceholderText("Choose or type")
        self.detained = QCheckBox("Detained, or in hospital, on their 16th birthday")
        self.sgo = QCheckBox("On a special guardianship order made after being looked after")
        self.has_staying_put = QCheckBox("Staying Put (living on with former foster carers) until")
        self.staying_put = DateField(today.addYears(-8), today.addYears(8), optional=False)
        self.staying_put.setCalendarPopup(True)
        self.has_staying_put.toggled.connect(self.staying_put.setVisible)
        self.staying_put.hide()
        self.staying_close = QCheckBox("Staying Close support")
        for field in (self.entered, self.staying_put, self.weeks):
            field.setMinimumWidth(field.fontMetrics().horizontalAdvance("00/00/00000") + 60)
        staying_put = QHBoxLayout()
        staying_put.addWidget(self.has_staying_put)
        staying_put.addWidget(self.staying_put)
        staying_put.addStretch(1)
        self.care_problems = ProblemList()
        self.save_care_button = QPushButton("&Save care history")
        self.save_care_button.clicked.connect(self.save_care)
        self.care_saved = QLabel()
        form = QFormLayout()
        form.addRow("&Date entered care", _left(self.entered))
        form.addRow("Left care", self.left_care)
        weeks_hint = "From the 14th birthday; short breaks (respite) do not count"
        form.addRow("Wee&ks looked after since 14", _left(self.weeks, weeks_hint))
        form.addRow("Le&gal status", self.legal_status)
        form.addRow("", self.detained)
        form.addRow("", self.sgo)
        form.addRow("", _holder(staying_put))
        form.addRow("", self.staying_close)
        save = QHBoxLayout()
        save.addWidget(self.save_care_button)
        save.addWidget(self.care_saved, 1)
        layout.addWidget(self.care_problems)
        layout.addLayout(form)
        layout.addLayout(save)
        return box

    def _milestone_box(self) -> QWidget:
        box, layout = group("Birthdays that change what the council must do")
        self.milestones = QGridLayout()
        self.milestones.setHorizontalSpacing(16)
        self.milestones.setColumnStretch(1, 1)
        layout.addLayout(self.milestones)
        return box

    def _support_box(self) -> QWidget:
        box, layout = group("Support after 21")
        self.support = QVBoxLayout()
        self.support_button = QPushButton("&Record…")
        self.support_button.setToolTip(
            "Record the PA offer at 21, declined support, a yearly reminder, or being told "
            "they can return until 25"
        )
        self.support_button.clicked.connect(self.record_support)
        layout.addLayout(self.support)
        layout.addWidget(self.support_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    # --- data -----------------------------------------------------------------------------

    load_data = staticmethod(load_legal)

    def set_record(self, record: YoungPersonRecord) -> None:
        """The young person as opened (date of birth, category on record, left care)."""
        self._record = record
        if self._data is not None:
            self._fill_eligibility(self._data)
            self._fill_milestones()
        ceased = record.details.date_ceased_looked_after
        self.left_care.setText(
            f"{day(ceased) if ceased else 'Still looked after'} (change it under Details)"
        )

    def fill(self, data: LegalData) -> None:
        self._data = data
        self._fill_eligibility(data)
        self._fill_periods(data.periods)
        self._fill_care(data.care)
        self._fill_milestones()
        self._fill_support(data.support)

    def clear_content(self) -> None:
        self._saving = False
        self.save_care_button.setEnabled(True)
        self.confirm_button.setEnabled(True)
        self._record = None
        self._data = None
        self.on_record.clear()
        self.suggested.clear()
        self.decision.clear()
        self.left_care.clear()
        self.eligibility_problems.set_problems([])
        self.period_problems.set_problems([])
        clear_layout(self.periods)
        self._fill_care(None)
        self.care_problems.set_problems([])
        self.care_saved.clear()
        clear_layout(self.milestones)
        clear_layout(self.support)

    def _fill_eligibility(self, data: LegalData) -> None:
        suggested = data.suggestion.category
        view = data.category
        current = self._record.details.eligibility if self._record else ""
        if view is None:
            self.on_record.setText(f"Confirmed: <b>{html.escape(category_label(current))}</b>")
            agrees = current == suggested.value
        else:
            when = f" on {day(view.confirmed_on)}" if view.confirmed_on else " when the case opened"
            self.on_record.setText(
                f"In force: <b>{html.escape(view.effective.label)}</b> · confirmed "
                f"{html.escape(view.confirmed.label)}{when} · from the facts "
                f"{html.escape(view.derived.label if view.derived else 'not known')}"
            )
            agrees = view.derived in (None, view.confirmed)
        reasons_list = view.reasons if view is not None else data.suggestion.reasons
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in reasons_list)
        if agrees:
            advice = "The facts agree with the confirmed category."
        elif view is not None and not view.disagrees:
            advice = "A worker overrode the facts with a reason; that stands until they change."
        else:
            advice = (
                "The facts say something else: until a worker confirms, the clocks follow "
                "the category that owes more duties. Confirm the facts' category, or override "
                "it with your reason."
            )
        self.suggested.setText(
            f"From the facts: <b>{html.escape(suggested.label)}</b>"
            f"<ul style='margin-left:-20px'>{reasons}</ul>{html.escape(advice)}"
        )
        set_severity(self.suggested, "ok" if agrees else "warning")
        self.decision.setText(decision_text(data.decision))

    def _fill_periods(self, periods: tuple[CarePeriodView, ...]) -> None:
        clear_layout(self.periods)
        if not periods:
            self.periods.addWidget(
                quiet_label("No care periods recorded: the dates under Care history are used.")
            )
        for period in periods:
            row = QHBoxLayout()
            end = day(period.ended_on) if period.ended_on else "continuing"
            status = f" · {period.legal_status}" if period.legal_status else ""
            row.addWidget(text_label(f"{day(period.started_on)} to {end}{status}"), 1)
            remove = QPushButton("Remove")
            remove.setToolTip("Remove a period entered in error (the removal is audited)")
            remove.clicked.connect(
                lambda _=False, pid=period.id, v=period.version: self.remove_period(pid, v)
            )
            row.addWidget(remove)
            self.periods.addWidget(_holder(row))

    def _fill_care(self, care: CareHistoryInput | None) -> None:
        care = care or CareHistoryInput()
        self.entered.set_value(care.date_entered_care)
        weeks = care.weeks_looked_after_since_14
        self.weeks.setValue(-1 if weeks is None else weeks)
        self.legal_status.setCurrentText(care.legal_status)
        self.detained.setChecked(care.detained_or_in_hospital_at_16)
        self.sgo.setChecked(care.sgo_after_looked_after)
        self.has_staying_put.setChecked(care.staying_put_until is not None)
        if care.staying_put_until is not None:
            self.staying_put.set_value(care.staying_put_until)
        self.staying_close.setChecked(care.staying_close)

    def _fill_milestones(self) -> None:
        clear_layout(self.milestones)
        if self._record is None or self._record.details.date_of_birth is None:
            return
        today = local_today(self._clock())
        steps = age_transitions(self._record.details.date_of_birth, today)
        upcoming = next((t for t in steps if not t.passed), None)
        for row, step in enumerate(steps):
            self._milestone_row(row, step, step is upcoming, today)

    def _milestone_row(self, row: int, step: Transition, is_next: bool, today: date) -> None:
        when_label = QLabel(f"<b>{day(step.on)}</b>")
        what = text_label(
            f"<b>{html.escape(step.title)}</b><br><span style='color:#4b5563'>"
            f"{html.escape(step.detail)}</span>",
            rich=True,
        )
        if step.passed:
            state = QLabel("✔ Passed")
            set_severity(state, "ok")
        else:
            state = QLabel(("Next: " if is_next else "") + distance(step.on, today))
            set_severity(state, "info" if is_next else None)
        for column, widget in enumerate((when_label, what, state)):
            self.milestones.addWidget(widget, row, column, Qt.AlignmentFlag.AlignTop)

    def _fill_support(self, items: list[SupportView]) -> None:
        clear_layout(self.support)
        if not items:
            self.support.addWidget(quiet_label("Nothing recorded."))
        for item in items:
            note = f"<br>{paragraphs(item.note)}" if item.note.strip() else ""
            self.support.addWidget(
                text_label(
                    f"<b>{day(item.occurred_on)}</b> · {html.escape(item.kind.label)}{note}"
                    f"<br><span style='color:#4b5563'>Recorded by "
                    f"{html.escape(item.recorded_by)}</span>",
                    rich=True,
                )
            )

    # --- actions --------------------------------------------------------------------------

    def care_input(self) -> CareHistoryInput:
        weeks = self.weeks.value()
        return CareHistoryInput(
            date_entered_care=self.entered.value(),
            weeks_looked_after_since_14=None if weeks < 0 else weeks,
            legal_status=self.legal_status.currentText().strip(),
            detained_or_in_hospital_at_16=self.detained.isChecked(),
            sgo_after_looked_after=self.sgo.isChecked(),
            staying_put_until=(
                self.staying_put.value() if self.has_staying_put.isChecked() else None
            ),
            staying_close=self.staying_close.isChecked(),
        )

    def save_care(self) -> None:
        if self.person_id is None or self._saving:
            return
        self._saving = True
        self.save_care_button.setEnabled(False)
        self.care_saved.setText("Saving…")
        tasks.run(
            pathway.save_care_history,
            self._db,
            self._actor,
            self.person_id,
            self.care_input(),
            now=self._clock(),
            expected_version=self._data.care_version if self._data is not None else None,
            on_result=self._on_care_saved,
            on_error=self._on_care_failed,
        )

    def _on_care_saved(self, changed: object) -> None:
        if self.person_id is None:
            return
        self._saving = False
        self.save_care_button.setEnabled(True)
        self.care_problems.set_problems([])
        self.care_saved.setText("Saved. The suggestion below has been worked out again.")
        set_severity(self.care_saved, "ok")
        self.after_change(changed)

    def _on_care_failed(self, exc: BaseException) -> None:
        if self.person_id is None:
            return
        self._saving = False
        self.save_care_button.setEnabled(True)
        self.care_saved.clear()
        self.care_problems.set_problems(problems_of(exc, CARE_LABELS), failure_heading(exc))

    def add_period(self) -> None:
        if self.person_id is None:
            return
        start = self.period_start.value()
        if start is None:
            return
        data = CarePeriodInput(start, self.period_end.value(), self.period_status.currentText())
        self.add_period_button.setEnabled(False)
        tasks.run(
            pathway.add_care_period,
            self._db,
            self._actor,
            self.person_id,
            data,
            now=self._clock(),
            on_result=self._on_period_changed,
            on_error=self._on_period_failed,
        )

    def remove_period(self, period_id: int, version: int | None = None) -> None:
        if self.person_id is None:
            return
        tasks.run(
            pathway.remove_care_period,
            self._db,
            self._actor,
            self.person_id,
            period_id,
            now=self._clock(),
            expected_version=version,
            on_result=self._on_period_changed,
            on_error=self._on_period_failed,
        )

    def _on_period_changed(self, changed: object) -> None:
        if self.person_id is None:
            return
        self.add_period_button.setEnabled(True)
        self.period_problems.set_problems([])
        self.after_change(changed)

    def _on_period_failed(self, exc: BaseException) -> None:
        if self.person_id is None:
            return
        self.add_period_button.setEnabled(True)
        labels = {"started_on": "From", "ended_on": "To", "legal_status": "Legal status"}
        self.period_problems.set_problems(problems_of(exc, labels), failure_heading(exc))

    def confirm(self) -> None:
        if self.person_id is None or self._data is None:
            return
        self.confirm_button.setEnabled(False)
        tasks.run(
            pathway.decide_eligibility,
            self._db,
            self._actor,
            self.person_id,
            self._data.suggestion.category.value,
            "",
            now=self._clock(),
            on_result=self._on_decided,
            on_error=self._on_decide_failed,
        )

    def _on_decided(self, changed: object) -> None:
        if self.person_id is None:
            return
        self.confirm_button.setEnabled(True)
        self.eligibility_problems.set_problems([])
        self.after_change(changed)

    def _on_decide_failed(self, exc: BaseException) -> None:
        if self.person_id is None:
            return
        self.confirm_button.setEnabled(True)
        self.eligibility_problems.set_problems(problems_of(exc, {}), NOTHING_SAVED)

    def override(self) -> None:
        if self.person_id is None or self._data is None:
            return
        dialog = OverrideDialog(self.context(), self._data.suggestion.category, self)
        self.open_dialog(dialog)

    def record_support(self) -> None:
        if self.person_id is not None:
            self.open_dialog(SupportDialog(self.context(), self))


def _holder(layout: QHBoxLayout) -> QWidget:
    widget = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget


def _left(field: QWidget, hint: str = "") -> QWidget:
    row = QHBoxLayout()
    row.addWidget(field)
    if hint:
        row.addWidget(quiet_label(hint), 1)
    else:
        row.addStretch(1)
    holder = _holder(row)
    holder.setFocusProxy(field)  # the label's shortcut goes to the field
    return holder
