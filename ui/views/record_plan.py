"""The record's "Pathway plan" section.

The current pathway plan at a glance (when it started and was last reviewed, how the
young person took part, and the ten Schedule 1 areas in one compact table), its
reviews, changes of circumstances (those since the last review highlighted: each makes
a review due), the needs assessment, and the leaving-care essentials checklist.
"""

from __future__ import annotations

import html
from datetime import date, datetime

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.calendar import birthday
from casework.domain.codes import UnknownCode
from casework.domain.leaving_care import SIXTEEN, EssentialItem, PlanArea
from casework.domain.leaving_care import CircumstanceChange as Change
from casework.services import pathway
from casework.services.pathway import AssessmentView, PlanOverview, PlanView
from casework.services.people import YoungPersonRecord
from casework.services.permissions import Actor
from ui import tasks
from ui.dialogs.plan_dialogs import ChangeDialog, NewPlanDialog, ReviewDialog
from ui.dialogs.record_dialogs import text_box
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_common import (
    QUIET,
    Clock,
    RecordSection,
    banner,
    clear_layout,
    day,
    failure_heading,
    fill_section,
    group,
    paragraphs,
    plural,
    problems_of,
    quiet_label,
    set_severity,
    text_label,
)
from ui.widgets.problems import ProblemList

ASSESSMENT_LABELS = {
    "eligible_from": "Eligible from",
    "started_on": "Started",
    "completed_on": "Completed",
    "summary": "Summary of needs",
}


PlanData = PlanOverview


def load_plan(db: Database, actor: Actor, person_id: int, *, now: datetime) -> PlanData:
    return pathway.plan_overview(db, actor, person_id, now=now)


def last_reviewed(plan: PlanView) -> date:
    """The later of the plan's start and its latest review (Annex A's meaning)."""
    return max([plan.started_on, *(r[0] for r in plan.reviews)])


def plan_summary(plan: PlanView) -> str:
    reviews = plural(len(plan.reviews), "review")
    if plan.ended_on is not None:
        return f"The latest plan started {day(plan.started_on)} and ended {day(plan.ended_on)}."
    if plan.reviews:
        return (
            f"Started {day(plan.started_on)} · last reviewed {day(last_reviewed(plan))} ({reviews})"
        )
    return f"Started {day(plan.started_on)} · not reviewed yet"


def _cell(text: str) -> str:
    return paragraphs(text) if text.strip() else f"<span style='color:{QUIET}'>None recorded</span>"


def areas_html(plan: PlanView, today: date) -> str:
    """The ten areas as one table: area, needs, actions, owner, target date."""
    by_area = {a.area: a for a in plan.areas}
    rows = []
    for n, area in enumerate(PlanArea):
        item = by_area.get(area.value)
        needs = _cell(item.needs if item else "")
        actions = _cell(item.actions if item else "")
        owner = html.escape(item.owner) if item and item.owner else ""
        target = ""
        if item and item.target_on:
            late = item.target_on < today and item.actions.strip()
            colour = "#a4161a" if late else "#1b1f24"
            passed = " (passed)" if late else ""
            target = f"<span style='color:{colour}'>{day(item.target_on)}{passed}</span>"
        shade = " bgcolor='#f3f5f8'" if n % 2 else ""
        rows.append(
            f"<tr{shade}><td width='18%'><b>{html.escape(area.label)}</b></td>"
            f"<td width='31%'>{needs}</td><td width='31%'>{actions}</td>"
            f"<td width='10%'>{owner}</td><td width='10%'>{target}</td></tr>"
        )
    head = "".join(
        f"<th align='left'>{h}</th>" for h in ("Area", "Needs", "Actions", "Owner", "Target")
    )
    return (
        "<table width='100%' cellspacing='0' cellpadding='5' border='1' "
        "style='border-collapse: collapse; border-color: #c9d1dc; border-style: solid'>"
        f"<tr bgcolor='#e7ebf0'>{head}</tr>{''.join(rows)}</table>"
    )


def change_label(kind: str) -> str:
    try:
        return Change.parse(kind).label
    except UnknownCode:
        return kind


class PlanSection(RecordSection):
    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, clock, parent)
        self._data: PlanData | None = None
        self._record: YoungPersonRecord | None = None
        self._filling = False
        self.essential_rows: dict[EssentialItem, tuple[QCheckBox, DateField]] = {}
        self._essentials_saved: dict[EssentialItem, date | None] = {}
        fill_section(
            self,
            [
                self.status,
                self._plan_box(),
                self._changes_box(),
                self._assessment_box(),
                self._essentials_box(),
            ],
        )

    # --- building -------------------------------------------------------------------------

    def _plan_box(self) -> QWidget:
        box, layout = group("Pathway plan")
        self.plan_summary = text_label()
        self.plan_summary.setStyleSheet("font-weight: bold;")
        self.participation = text_label(rich=True)
        self.areas = text_label(rich=True)
        self.reviews = QVBoxLayout()
        self.new_plan_button = QPushButton("&New plan…")
        self.review_button = QPushButton("Record &review…")
        self.change_button = QPushButton("Record change of &circumstances…")
        self.new_plan_button.clicked.connect(self.new_plan)
        self.review_button.clicked.connect(self.record_review)
        self.change_button.clicked.connect(self.record_change)
        buttons = QHBoxLayout()
        for button in (self.new_plan_button, self.review_button, self.change_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.plan_summary)
        layout.addWidget(self.participation)
        layout.addWidget(self.areas)
        layout.addWidget(QLabel("<b>Reviews</b>"))
        layout.addLayout(self.reviews)
        return box

    def _changes_box(self) -> QWidget:
        box, layout = group("Changes of circumstances")
        self.changes_banner = banner("", "warning")
        self.changes_banner.hide()
        self.changes = QVBoxLayout()
        layout.addWidget(self.changes_banner)
        layout.addLayout(self.changes)
        return box

    def _assessment_box(self) -> QWidget:
        box, layout = group("Needs assessment")
        today = to_qdate(local_today(self._clock()))
        self.eligible_from = DateField(today.addYears(-12), today.addYears(2), optional=False)
        self.assessment_started = DateField(today.addYears(-12), today, optional=True)
        self.assessment_completed = DateField(today.addYears(-12), today, optional=True)
        for field in (self.eligible_from, self.assessment_started, self.assessment_completed):
            field.setCalendarPopup(True)
            field.setMinimumWidth(field.fontMetrics().horizontalAdvance("Not entered") + 60)
        self.assessment_summary = text_box(4)
        self.assessment_problems = ProblemList()
        self.save_assessment_button = QPushButton("&Save needs assessment")
        self.save_assessment_button.clicked.connect(self.save_assessment)
        self.assessment_saved = QLabel()
        form = QFormLayout()
        form.addRow("Eligible &from", _row(self.eligible_from, "Due within 3 months of this"))
        form.addRow("Star&ted", _row(self.assessment_started))
        form.addRow("Com&pleted", _row(self.assessment_completed))
        form.addRow("S&ummary of needs", self.assessment_summary)
        save = QHBoxLayout()
        save.addWidget(self.save_assessment_button)
        save.addWidget(self.assessment_saved, 1)
        layout.addWidget(self.assessment_problems)
        layout.addLayout(form)
        layout.addLayout(save)
        return box

    def _essentials_box(self) -> QWidget:
        box, layout = group("Leaving care essentials")
        layout.addWidget(quiet_label("Tick each one when it is done and check the date."))
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        today = to_qdate(local_today(self._clock()))
        for row, item in enumerate(EssentialItem):
            tick = QCheckBox(item.label)
            when_done = DateField(today.addYears(-12), today, optional=False)
            when_done.setCalendarPopup(True)
            when_done.setAccessibleName(f"{item.label}: date done")
            when_done.setMinimumWidth(when_done.fontMetrics().horizontalAdvance("00/00/00000") + 48)
            when_done.hide()  # shown once ticked: an unticked date would look recorded
            tick.toggled.connect(lambda _on, i=item: self._essential_changed(i))
            when_done.editingFinished.connect(lambda i=item: self._essential_changed(i))
            grid.addWidget(tick, row, 0)
            grid.addWidget(when_done, row, 1)
            self.essential_rows[item] = (tick, when_done)
        self.essentials_state = QLabel()
        layout.addLayout(grid)
        layout.addWidget(self.essentials_state)
        return box

    # --- data -----------------------------------------------------------------------------

    load_data = staticmethod(load_plan)

    def set_record(self, record: YoungPersonRecord) -> None:
        self._record = record

    def fill(self, data: PlanData) -> None:
        self._data = data
        today = local_today(self._clock())
        self._fill_plan(data.plan, today)
        self._fill_changes(data)
        self._fill_assessment(data.assessment)
        self._fill_essentials(data.essentials)

    def clear_content(self) -> None:
        self._data = None
        self._record = None
        self.plan_summary.clear()
        self.participation.clear()
        self.areas.clear()
        clear_layout(self.reviews)
        clear_layout(self.changes)
        self.changes_banner.clear()
        self.changes_banner.hide()
        self._fill_assessment(None)
        self.assessment_problems.set_problems([])
        self.assessment_saved.clear()
        self.essentials_state.clear()
        self._fill_essentials([(item, None, "") for item in EssentialItem])
        self.save_assessment_button.setEnabled(True)

    def _fill_plan(self, plan: PlanView | None, today: date) -> None:
        clear_layout(self.reviews)
        current = plan is not None and plan.ended_on is None
        self.review_button.setEnabled(current)
        self.review_button.setToolTip("" if current else "Start a plan first")
        if plan is None:
            self.plan_summary.setText("No pathway plan has been recorded.")
            self.participation.clear()
            self.areas.clear()
            self.areas.hide()
            self.reviews.addWidget(quiet_label("None."))
            return
        self.plan_summary.setText(plan_summary(plan))
        self.participation.setText(f"<b>How they took part:</b> {paragraphs(plan.participation)}")
        self.areas.setText(areas_html(plan, today))
        self.areas.show()
        if not plan.reviews:
            self.reviews.addWidget(quiet_label("Not reviewed yet."))
        for reviewed_on, took_part, notes in sorted(plan.reviews, reverse=True):
            part = "took part" if took_part else "did not take part"
            self.reviews.addWidget(
                text_label(
                    f"<b>{day(reviewed_on)}</b> · the young person {part}<br>{paragraphs(notes)}",
                    rich=True,
                )
            )

    def _fill_changes(self, data: PlanData) -> None:
        clear_layout(self.changes)
        plan = data.plan
        since = last_reviewed(plan) if plan is not None and plan.ended_on is None else None
        recent = [c for c in data.changes if since is not None and c[1] > since]
        if recent:
            self.changes_banner.setText(
                f"<b>{plural(len(recent), 'change')} since the plan was last reviewed "
                f"({day(since)}):</b> each makes a review of the plan due."
            )
        self.changes_banner.setVisible(bool(recent))
        if not data.changes:
            self.changes.addWidget(quiet_label("None recorded."))
        for kind, occurred in data.changes:
            line = QLabel(f"{day(occurred)} · {html.escape(change_label(kind))}")
            if since is not None and occurred > since:
                line.setText(line.text() + "  (since the last review)")
                set_severity(line, "warning")
            self.changes.addWidget(line)

    def _fill_assessment(self, found: AssessmentView | None) -> None:
        default = None
        if self._record is not None and self._record.details.date_of_birth is not None:
            default = birthday(self._record.details.date_of_birth, SIXTEEN)
        eligible = found.eligible_from if found is not None else default
        self.eligible_from.set_value(eligible or local_today(self._clock()))
        self.assessment_started.set_value(found.started_on if found else None)
        self.assessment_completed.set_value(found.completed_on if found else None)
        self.assessment_summary.setPlainText(found.summary if found else "")

    def _fill_essentials(self, items: list[tuple[EssentialItem, date | None, str]]) -> None:
        self._filling = True
        try:
            for item, done_on, _note in items:
                self._essentials_saved[item] = done_on
                tick, when_done = self.essential_rows[item]
                tick.setChecked(done_on is not None)
                when_done.set_value(done_on or local_today(self._clock()))
                when_done.setVisible(done_on is not None)
        finally:
            self._filling = False

    # --- actions --------------------------------------------------------------------------

    def new_plan(self) -> None:
        if self.person_id is not None:
            current = self._data.plan if self._data else None
            self.open_dialog(NewPlanDialog(self.context(), current, self))

    def record_review(self) -> None:
        if self.person_id is not None:
            self.open_dialog(ReviewDialog(self.context(), self))

    def record_change(self) -> None:
        if self.person_id is not None:
            self.open_dialog(ChangeDialog(self.context(), self))

    def save_assessment(self) -> None:
        if self.person_id is None:
            return
        self.save_assessment_button.setEnabled(False)
        self.assessment_saved.setText("Saving…")
        tasks.run(
            pathway.record_needs_assessment,
            self._db,
            self._actor,
            self.person_id,
            eligible_from=self.eligible_from.value() or local_today(self._clock()),
            started_on=self.assessment_started.value(),
            completed_on=self.assessment_completed.value(),
            summary=self.assessment_summary.toPlainText(),
            now=self._clock(),
            expected_version=(
                self._data.assessment.version
                if self._data is not None and self._data.assessment is not None
                else None
            ),
            on_result=self._on_assessment_saved,
            on_error=self._on_assessment_failed,
        )

    def _on_assessment_saved(self, changed: object) -> None:
        if self.person_id is None:
            return
        self.save_assessment_button.setEnabled(True)
        self.assessment_problems.set_problems([])
        self.assessment_saved.setText("Saved.")
        set_severity(self.assessment_saved, "ok")
        self.after_change(changed)

    def _on_assessment_failed(self, exc: BaseException) -> None:
        if self.person_id is None:
            return
        self.save_assessment_button.setEnabled(True)
        self.assessment_saved.clear()
        self.assessment_problems.set_problems(
            problems_of(exc, ASSESSMENT_LABELS), failure_heading(exc)
        )

    def _essential_changed(self, item: EssentialItem) -> None:
        if self._filling or self.person_id is None:
            return
        tick, when_done = self.essential_rows[item]
        when_done.setVisible(tick.isChecked())
        done_on = when_done.value() if tick.isChecked() else None
        if self._essentials_saved.get(item) == done_on:
            return
        self._essentials_saved[item] = done_on
        self.essentials_state.setText("Saving…")
        set_severity(self.essentials_state, None)
        tasks.run(
            pathway.set_essential,
            self._db,
            self._actor,
            self.person_id,
            item.value,
            done_on,
            now=self._clock(),
            on_result=lambda changed: self._on_essential_saved(item, done_on, changed),
            on_error=self._on_essential_failed,
        )

    def _on_essential_saved(
        self, item: EssentialItem, done_on: date | None, changed: object
    ) -> None:
        if self.person_id is None:
            return
        self.changed.emit(changed)
        state = f"done {day(done_on)}" if done_on else "not done"
        self.essentials_state.setText(f"Saved: {item.label}, {state}.")
        set_severity(self.essentials_state, "ok")

    def _on_essential_failed(self, exc: BaseException) -> None:
        if self.person_id is None:
            return
        self.essentials_state.setText(" ".join(problems_of(exc, {"done_on": "Date done"})))
        set_severity(self.essentials_state, "error")
        self.reload()


def _row(field: QWidget, hint: str = "") -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(field)
    if hint:
        row.addWidget(quiet_label(hint), 1)
    else:
        row.addStretch(1)
    holder.setFocusProxy(field)
    return holder


__all__ = ["PlanData", "PlanSection", "areas_html", "load_plan"]
