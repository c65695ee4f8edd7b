"""The record's Closure tab: the closure checks, the worker's request, and the
case's closure from request to closed (and back).

At the top, one strip says where the case is and what to do next: the checks still to
fix (red), waiting for a team lead, the team lead's comments on a returned request,
approved and ready to close, or closed and read-only. Under it, by state:

- open: the thirteen checks, each with its result in colour (passed green, must be fixed
  red, needs a team lead's decision amber, not applicable grey, justified blue), why it
  exists and the evidence it looked at, each piece linking to its place in the record
  (``evidence_requested``); then the request form. The checks run again on a worker as
  the form is typed ("Check again" runs them at once), and "Ask a team lead to approve
  closure" stays disabled, saying why, while anything the worker can fix fails. A failed
  warning gets a box for the written justification beside it;
- pending: the request read-only, how long it has waited, and "Withdraw request";
- returned: the team lead's comments first, the form with the request's values, "Send
  back to the team lead";
- approved: who approved and when, the closure date (today by default) and "Close the
  case"; when the record changed since the approval, that the approval is void and which
  parts changed. If closing finds the approval void, the core saves the void and the
  request goes back to the team lead: the tab says so in red at the top;
- closed: the closure and its summary, the notes added since ("Add a note…"), "Reopen
  case…" (with a reason), and the earlier requests and reopenings.

Team-lead decisions (who holds an open risk, why accommodation does not stop closure) are
made on the team lead's review screen; this tab shows them read-only.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.closure import (
    CheckResult,
    ReasonChoice,
    can_request,
)
from casework.domain.closure_state import CaseState, Step, stopping_words, tally
from casework.errors import ValidationFailed
from casework.services import closure
from casework.services.closure import ApprovalVoided, ClosureInput, ClosureOverview, RequestView
from casework.services.common import Changed
from casework.services.permissions import Actor
from ui import tasks
from ui.dialogs.closure_dialogs import ArrangementDialog, NoteDialog, ReopenDialog, WithdrawDialog
from ui.dialogs.record_dialogs import code_combo, text_box
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_closure_checks import (
    CheckRow,
)
from ui.views.record_closure_words import (
    ANOTHER_LEAD_NOTE,
    CLOSURE_STYLE,
    PREVIEW_DELAY_MS,
    PROBLEM_LABELS,
    REASON_HELP,
    SUMMARY_PARTS,
    VIEWS_LABEL,
    _fill_form_rows,
    _offer_on,
    _read_form,
    ask_label,
    decisions_rows,
    needs_nothing,
    pending_heading,
    reason_fields,
    request_rows,
    summary_heading,
    waiting_words,
)
from ui.views.record_closure_words import (
    EVIDENCE_TABS as EVIDENCE_TABS,
)
from ui.views.record_closure_words import (
    result_words as result_words,
)
from ui.views.record_common import (
    Clock,
    RecordSection,
    banner,
    clear_layout,
    day,
    fill_section,
    group,
    paragraphs,
    plain_problem,
    plural,
    quiet_label,
    set_severity,
    text_label,
    unexpected,
    when,
)
from ui.widgets.problems import ProblemList

# --- the section -------------------------------------------------------------------------


class ClosureSection(RecordSection):
    evidence_requested = Signal(str, object)  # kind, record id (or None)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, clock, parent)
        self.setStyleSheet(self.styleSheet() + CLOSURE_STYLE)
        self._overview: ClosureOverview | None = None
        self._checks: list[CheckResult] = []
        self._checked: ClosureInput | None = None  # the form the checks were run against
        self._form_for: tuple[str, int | None] | None = None  # (state, request) filled in
        self._justifications: dict[str, str] = {}
        self._barred: dict[str, str] = {}  # reason code -> why it is not a lawful ground
        self._filling = False
        self._busy = False
        self._preview_generation = 0
        self.check_rows: dict[str, CheckRow] = {}
        self._preview = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview.timeout.connect(self.check_again)
        fill_section(
            self,
            [
                self.status,
                self._top(),
                self._approved_box(),
                self._decisions_box(),
                self._request_box(),
                self._notes_box(),
                self._checks_box(),
                self._form_box(),
                self._arrangements_box(),
                self._history_box(),
            ],
        )
        self.clear_content()

    # --- building -------------------------------------------------------------------------

    def _top(self) -> QWidget:
        top = QWidget()
        self.flash = banner("", "overdue")
        self.headline = banner("", "info")
        self.headline.setAccessibleName("Where the closure is")
        self.withdraw_button = QPushButton("&Withdraw request…")
        self.withdraw_button.clicked.connect(self.withdraw)
        self.note_button = QPushButton("Add a &note…")
        self.note_button.clicked.connect(self.add_note)
        self.reopen_button = QPushButton("&Reopen case…")
        self.reopen_button.clicked.connect(self.reopen)
        buttons = QVBoxLayout()
        for button in (self.note_button, self.reopen_button, self.withdraw_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.headline, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(top)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.flash)
        layout.addLayout(row)
        return top

    def _approved_box(self) -> QWidget:
        self.approved_box, layout = group("Close the case")
        self.void_banner = banner("", "overdue")
        self.closed_on = DateField(
            to_qdate(date(2000, 1, 1)), to_qdate(date(2100, 1, 1)), optional=False
        )
        self.closed_on.setCalendarPopup(True)
        self.closed_on.setMinimumWidth(
            self.closed_on.fontMetrics().horizontalAdvance("00/00/00000") + 48
        )
        self.close_button = QPushButton("&Close the case")
        self.close_button.setObjectName("primaryAction")
        self.close_button.clicked.connect(self.close_case)
        self.close_problems = ProblemList()
        label = QLabel("Closure &date:")
        label.setBuddy(self.closed_on)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.closed_on)
        row.addSpacing(12)
        row.addWidget(self.close_button)
        row.addStretch(1)
        layout.addWidget(self.void_banner)
        layout.addWidget(self.close_problems)
        layout.addLayout(row)
        layout.addWidget(
            quiet_label(
                "Closing checks the record once more: if anything the checks read changed "
                "since the approval, the approval is void and the request goes back to the "
                "team lead."
            )
        )
        return self.approved_box

    def _decisions_box(self) -> QWidget:
        self.decisions_box, layout = group("The team lead's decisions")
        self.decisions = _read_form()
        self.decisions_by = quiet_label()
        layout.addLayout(self.decisions)
        layout.addWidget(self.decisions_by)
        return self.decisions_box

    def _request_box(self) -> QWidget:
        self.request_box, layout = group("The closure request")
        self.request_form = _read_form()
        self.request_note = quiet_label()
        layout.addLayout(self.request_form)
        layout.addWidget(self.request_note)
        return self.request_box

    def _notes_box(self) -> QWidget:
        self.notes_box, layout = group("Notes added since closing")
        self.notes = QVBoxLayout()
        self.no_notes = quiet_label("No notes yet. Use “Add a note…” to add one.")
        layout.addWidget(self.no_notes)
        layout.addLayout(self.notes)
        return self.notes_box

    def _checks_box(self) -> QWidget:
        self.checks_box, layout = group("Closure checks")
        self.checks_note = text_label(rich=True)
        self.rows = QVBoxLayout()  # what needs something: failed, a team lead's, justified
        self.rows.setSpacing(6)
        self.show_passed = QToolButton()
        self.show_passed.setCheckable(True)
        self.show_passed.setArrowType(Qt.ArrowType.RightArrow)
        self.show_passed.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.show_passed.toggled.connect(self._toggle_passed)
        self.passed_panel = QWidget()
        self.passed_rows = QVBoxLayout(self.passed_panel)
        self.passed_rows.setContentsMargins(0, 0, 0, 0)
        self.passed_rows.setSpacing(6)
        self.passed_panel.hide()
        layout.addWidget(self.checks_note)
        layout.addLayout(self.rows)
        layout.addWidget(self.show_passed, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.passed_panel)
        return self.checks_box

    def _toggle_passed(self, on: bool) -> None:
        self.show_passed.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.passed_panel.setVisible(on)
        self._word_passed()

    def _word_passed(self) -> None:
        count = sum(1 for c in self._checks if needs_nothing(c))
        shown = self.show_passed.isChecked()
        self.show_passed.setText(
            f"{'Hide' if shown else 'Show'} the {plural(count, 'check')} that passed or do "
            "not apply"
        )
        self.show_passed.setVisible(count > 0)

    def _form_box(self) -> QWidget:
        self.form_box, layout = group("Ask to close the case")
        self.reason = code_combo([])  # filled from the core's matrix for this person
        self.reason.setMaxVisibleItems(20)
        self.reason.currentIndexChanged.connect(self._reason_changed)
        self.reason_help = quiet_label()
        self.reason_note = quiet_label()
        self.reason_note.setTextFormat(Qt.TextFormat.RichText)
        today = to_qdate(local_today(self._clock()))
        self.reason_date = DateField(today.addYears(-30), today.addYears(2), optional=True)
        self.reason_date.setCalendarPopup(True)
        self.reason_date.setMinimumWidth(
            self.reason_date.fontMetrics().horizontalAdvance("Not entered") + 60
        )
        self.reason_date.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.reason_date.dateChanged.connect(self._typed)
        self.reason_date_label = QLabel()
        self.receiving = QLineEdit()
        self.receiving.textChanged.connect(self._typed)
        self.receiving_label = QLabel()
        self.parts: dict[str, QPlainTextEdit] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("Closure &reason", self.reason)
        self.form.addRow("", self.reason_note)
        self.form.addRow("", self.reason_help)
        self.form.addRow(self.reason_date_label, self.reason_date)
        self.form.addRow(self.receiving_label, self.receiving)
        self.reason_date_label.setBuddy(self.reason_date)
        self.receiving_label.setBuddy(self.receiving)
        self.summary_heading = QLabel()
        self.form.addRow(self.summary_heading)
        for name, label, hint in SUMMARY_PARTS:
            box = text_box(3)
            box.setPlaceholderText(hint)
            box.setAccessibleName(label)
            box.textChanged.connect(self._typed)
            self.parts[name] = box
            self.form.addRow(label, box)
        self.views = text_box(3)
        self.views.setPlaceholderText(
            "What they said about the case closing, in their words where you can."
        )
        self.views.setAccessibleName(VIEWS_LABEL)
        self.views.textChanged.connect(self._typed)
        self.form.addRow(VIEWS_LABEL, self.views)
        self.summary_heading.setText(summary_heading(len(self.parts) + 1))  # and their views
        self.form_problems = ProblemList()
        self.check_button = QPushButton("Check &again")
        self.check_button.setToolTip("Run the closure checks on the record and the form as typed")
        self.check_button.clicked.connect(self.check_again)
        self.ask_button = QPushButton()
        self.ask_button.setObjectName("primaryAction")
        self.ask_button.clicked.connect(self.submit)
        self.why_not = text_label()
        self.why_not.setObjectName("whyNot")
        self.approver_note = text_label(ANOTHER_LEAD_NOTE)
        self.approver_note.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addStretch(1)
        buttons.addWidget(self.ask_button)
        layout.addLayout(self.form)
        layout.addWidget(self.form_problems)
        layout.addWidget(self.why_not)
        layout.addWidget(self.approver_note)
        layout.addLayout(buttons)
        self._set_reason_fields("")
        return self.form_box

    def _arrangements_box(self) -> QWidget:
        self.arrangements_box, layout = group("Arrangements alongside the case")
        layout.addWidget(
            quiet_label(
                "Another council or adult social care involved. The case stays open: this "
                "council stays responsible wherever they live (Care Leavers (England) "
                "Regulations 2010 reg 2(1))."
            )
        )
        self.arrangements = text_label(rich=True)
        self.arrangements.setAccessibleName("Arrangements alongside the case")
        self.arrangement_button = QPushButton("Record an &arrangement…")
        self.arrangement_button.clicked.connect(self.add_arrangement)
        row = QHBoxLayout()
        row.addWidget(self.arrangements, 1)
        row.addWidget(self.arrangement_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        return self.arrangements_box

    def _history_box(self) -> QWidget:
        self.history_box, layout = group("Closure history")
        self.history = text_label(rich=True)
        layout.addWidget(self.history)
        return self.history_box

    # --- data -----------------------------------------------------------------------------

    @staticmethod
    def load_data(db: Database, actor: Actor, person_id: int, *, now: datetime) -> Any:
        return closure.overview(db, actor, person_id, now=now)

    @property
    def overview(self) -> ClosureOverview | None:
        return self._overview

    @property
    def checks(self) -> list[CheckResult]:
        return list(self._checks)

    @property
    def state(self) -> CaseState | None:
        return self._overview.state if self._overview else None

    @property
    def editable(self) -> bool:
        return self.state is not None and self.state.request_editable

    def fill(self, data: ClosureOverview) -> None:
        self._overview = data
        self._busy = False
        state = data.state
        request = data.request
        today = local_today(self._clock())
        self._fill_headline(data, today)
        for button, step in (
            (self.withdraw_button, Step.WITHDRAW),
            (self.note_button, Step.ADD_NOTE),
            (self.reopen_button, Step.REOPEN),
        ):
            _offer_on(button, data.offer(step))
        self._fill_approved(data, today)
        rows = (
            decisions_rows(request) if request is not None and state is not CaseState.CLOSED else []
        )
        _fill_form_rows(self.decisions, rows)
        self.decisions_by.setText(
            f"Recorded by {request.decisions_by}." if request and request.decisions_by else ""
        )
        self.decisions_box.setVisible(bool(rows))
        self._fill_request(data)
        self._fill_notes(data)
        self.checks_box.setVisible(state is not CaseState.CLOSED)
        self.form_box.setVisible(self.editable)
        self._fill_reasons(data.reasons)
        self._fill_arrangements(data)
        here = (state, request.id if request is not None else None)
        if self.editable and here != self._form_for:  # a reload keeps what is being typed
            self._fill_form(request if state is CaseState.RETURNED else None)
        self._form_for = here
        asking = data.offer(Step.RESUBMIT if state is CaseState.RETURNED else Step.REQUEST)
        another_lead = asking is not None and asking.another_lead_approves
        self.ask_button.setText(
            ask_label(returned=state is CaseState.RETURNED, another_lead=another_lead)
        )
        self.approver_note.setVisible(self.editable and another_lead)
        self._checks = list(data.checks)
        # The overview checked an empty request as of today: that is the form, untouched.
        untouched = state is CaseState.OPEN and self.current_input() == ClosureInput(reason="")
        self._checked = self.current_input() if untouched else None
        self._show_checks(data.checked_on)
        self._fill_history(data)
        if self.editable and self._checked is None:
            self.check_again()  # what is typed (or a returned request) is checked as of today
        self._sync_buttons()

    def clear_content(self) -> None:
        self._overview = None
        self._checks = []
        self._checked = None
        self._form_for = None
        self._busy = False
        self._preview.stop()
        self._preview_generation += 1
        self.flash.clear()
        self.flash.hide()
        self.headline.clear()
        self.headline.hide()
        for button in (self.withdraw_button, self.note_button, self.reopen_button):
            button.hide()
        for box in (
            self.approved_box,
            self.decisions_box,
            self.request_box,
            self.notes_box,
            self.checks_box,
            self.form_box,
            self.arrangements_box,
            self.history_box,
        ):
            box.hide()
        self.arrangements.clear()
        self._barred = {}
        clear_layout(self.rows)
        self.check_rows.clear()
        clear_layout(self.notes)
        for form in (self.decisions, self.request_form):
            _fill_form_rows(form, [])
        for label in (self.checks_note, self.history, self.request_note, self.decisions_by):
            label.clear()
        self._fill_form(None)
        self.form_problems.set_problems([])
        self.close_problems.set_problems([])

    # --- filling --------------------------------------------------------------------------

    def _fill_headline(self, data: ClosureOverview, today: date) -> None:
        request = data.request
        state = data.state
        if state is CaseState.CLOSED:
            reason = request.reason_label if request else (data.closure_reason or "")
            text = (
                f"<span style='font-size:12pt'><b>Closed on {day(data.closed_on)} — "
                f"{html.escape(reason)}.</b></span> The record is read-only.<br>"
                "Add a note to record anything that happens now, or reopen the case to work "
                "on it again."
            )
            level = "info"
        elif state is CaseState.PENDING and request is not None:
            heading = html.escape(pending_heading(data.offer(Step.APPROVE)))
            text = f"<span style='font-size:12pt'><b>{heading}</b></span><br>" + waiting_words(
                request, today
            )
            if request.voided_at is not None and request.void_note:
                text += f"<br><b>{html.escape(request.void_note)}</b>"
            level = "warning" if request.voided_at is not None else "info"
        elif state is CaseState.RETURNED and request is not None:
            who = request.reviewed_by or "A team lead"
            moment = f" on {when(request.reviewed_at)}" if request.reviewed_at else ""
            text = (
                f"<span style='font-size:12pt'><b>Returned by {html.escape(who)}{moment}"
                f"</b></span><br><b>Their comments:</b> {paragraphs(request.review_comments)}"
                "<br>Change what they asked for below, then “Send back to the team lead”."
            )
            level = "warning"
        elif state is CaseState.APPROVED and request is not None:
            who = request.reviewed_by or "a team lead"
            moment = f" on {when(request.reviewed_at)}" if request.reviewed_at else ""
            if data.approval_current is False:
                text = (
                    f"<span style='font-size:12pt'><b>Approved by {html.escape(who)}{moment}, "
                    "but the approval is no longer valid.</b></span><br>The record changed "
                    "since the approval. See below."
                )
                level = "overdue"
            else:
                text = (
                    f"<span style='font-size:12pt'><b>Approved by {html.escape(who)}{moment}."
                    "</b></span><br>Choose the closure date below and close the case."
                )
                level = "ok"
        else:
            record = data.to_fix_on_record
            if record:
                listed = "".join(
                    f"<li><b>{html.escape(c.id.number)}. {html.escape(c.title)}</b></li>"
                    for c in record
                )
                text = (
                    "<span style='font-size:12pt'><b>This case cannot close yet: "
                    f"{plural(len(record), 'check')} on the record must be fixed first."
                    f"</b></span><ul style='margin:2px 0 2px -24px'>{listed}</ul>Each is "
                    "marked <b>Must be fixed</b> below, with links to where to fix it. Then "
                    "write the request at the bottom."
                )
                level = "overdue"
            else:
                text = (
                    "<span style='font-size:12pt'><b>The record is ready for a closure "
                    "request.</b></span><br>Write the request below (reason, summary and "
                    "their views), then ask a team lead to approve it."
                )
                level = "info"
        self.headline.setText(text)
        set_severity(self.headline, level)
        self.headline.show()

    def _fill_approved(self, data: ClosureOverview, today: date) -> None:
        approved = data.state is CaseState.APPROVED
        self.approved_box.setVisible(approved)
        if not approved:
            return
        void = data.approval_current is False
        parts = ", ".join(data.changed_since_approval) or "the evidence"
        self.void_banner.setText(
            "<b>The approval is void: the record changed after it was given "
            f"({html.escape(parts)}).</b><br>Closing will not go ahead: trying saves the void "
            "and sends the request back to the team lead to look at again."
        )
        self.void_banner.setVisible(void)
        anchor = data.request.anchor_on if data.request else today
        self.closed_on.setDateRange(to_qdate(anchor), to_qdate(today))
        self.closed_on.set_value(today)
        self.close_button.setText("Try to &close the case" if void else "&Close the case")

    def _fill_request(self, data: ClosureOverview) -> None:
        request = data.request
        shown = request is not None and data.state in (
            CaseState.PENDING,
            CaseState.APPROVED,
            CaseState.CLOSED,
        )
        self.request_box.setVisible(shown)
        if not shown or request is None:
            return
        self.request_box.setTitle(
            "The closure summary" if data.state is CaseState.CLOSED else "The closure request"
        )
        _fill_form_rows(self.request_form, request_rows(request))
        note = (
            f"Asked for by {request.requested_by} on {when(request.requested_at)}; checks "
            f"counted back from {day(request.anchor_on)}."
        )
        if data.state is CaseState.CLOSED and request.closed_by:
            note += f" Closed by {request.closed_by}."
        self.request_note.setText(note)

    def _fill_notes(self, data: ClosureOverview) -> None:
        clear_layout(self.notes)
        closed = data.state is CaseState.CLOSED
        self.notes_box.setVisible(closed)
        if not closed:
            return
        for note in data.notes:
            label = text_label(
                f"<b>{when(note.created_at)} · {html.escape(note.author)}</b><br>"
                f"{paragraphs(note.text)}",
                rich=True,
            )
            label.setStyleSheet(
                "background: #f3f5f8; border-left: 4px solid #8a94a3; padding: 6px 8px;"
            )
            self.notes.addWidget(label)
        self.no_notes.setVisible(not data.notes)

    def _fill_history(self, data: ClosureOverview) -> None:
        lines = []
        for old in data.history:
            if old.status.value == "closed":
                what = f"Closed on {day(old.closed_on)}"
            else:
                what = "Withdrawn"
            lines.append(
                f"<b>{what}</b> — {html.escape(old.reason_label)}; asked for by "
                f"{html.escape(old.requested_by)} on {when(old.requested_at)}"
            )
        for again in data.reopenings:
            lines.append(
                f"<b>Reopened {when(again.reopened_at)}</b> by {html.escape(again.reopened_by)}: "
                f"{paragraphs(again.reason)}"
            )
        self.history.setText("<br>".join(lines))
        self.history_box.setVisible(bool(lines))

    def _fill_reasons(self, reasons: tuple[ReasonChoice, ...]) -> None:
        """The reasons the core's matrix offers this person today; the others are shown
        greyed out with the law that rules each out (as a tooltip)."""
        current = self.reason.currentData() if self.reason.currentIndex() >= 0 else None
        self._filling = True
        self.reason.blockSignals(True)
        try:
            self.reason.clear()
            allowed = [r for r in reasons if r.allowed]
            barred = [r for r in reasons if not r.allowed]
            for r in allowed:
                self.reason.addItem(r.text, r.code)
            if barred:
                self.reason.insertSeparator(self.reason.count())
            model = self.reason.model()
            for r in barred:
                self.reason.addItem(f"{r.text} (not a lawful ground for them)", r.code)
                index = self.reason.count() - 1
                self.reason.setItemData(index, r.why, Qt.ItemDataRole.ToolTipRole)
                item = model.item(index) if hasattr(model, "item") else None
                if item is not None:
                    item.setEnabled(False)
            self.reason.setCurrentIndex(self.reason.findData(current) if current else -1)
        finally:
            self.reason.blockSignals(False)
            self._filling = False
        self._barred = {r.code: r.why for r in barred}
        verb = "ends" if len(allowed) == 1 else "end"
        words = [
            f"Offered: the {plural(len(allowed), 'reason')} that {verb} the council's duties "
            "for them today."
        ]
        if barred:
            words.append(
                f"{plural(len(barred), 'other reason')} greyed out: point at one to see the "
                "law that rules it out."
            )
        if any("reg 2(1)" in why for why in self._barred.values()):
            words.append(
                "Moving to another council or to adult social care? Record it under "
                "<i>Arrangements</i> below: the case stays open."
            )
        self.reason_note.setText(" ".join(words))
        self.reason_note.setVisible(bool(reasons))

    def _fill_arrangements(self, data: ClosureOverview) -> None:
        lines = [
            f"<b>{html.escape(a.kind.label)}</b> from {day(a.started_on)}: "
            f"{html.escape(a.with_whom)}"
            + (f" — {html.escape(a.note)}" if a.note else "")
            + f" <span style='color:#555'>(recorded by {html.escape(a.recorded_by)})</span>"
            for a in data.arrangements
        ]
        self.arrangements.setText("<br>".join(lines) or "None recorded.")
        self.arrangement_button.setVisible(data.state is not CaseState.CLOSED)
        self.arrangements_box.setVisible(bool(lines) or data.state is not CaseState.CLOSED)

    def _fill_form(self, request: RequestView | None) -> None:
        """The form, empty or with a returned request's values."""
        self._filling = True
        try:
            data = request.data if request is not None else ClosureInput(reason="")
            self.reason.setCurrentIndex(self.reason.findData(data.reason) if data.reason else -1)
            self._set_reason_fields(data.reason)
            self.reason_date.set_value(data.reason_date)
            self.receiving.setText(data.receiving_body)
            for name, box in self.parts.items():
                box.setPlainText(getattr(data, name))
            self.views.setPlainText(data.young_person_views)
            self._justifications = dict(data.justifications)
            for check_id, row in self.check_rows.items():
                row.justification.setPlainText(self._justifications.get(check_id, ""))
            self.form_problems.set_problems([])
            returned = request is not None
            self.form_box.setTitle(
                "Change the request and send it back" if returned else "Ask to close the case"
            )
            self.ask_button.setText(ask_label(returned=returned, another_lead=False))
        finally:
            self._filling = False

    def _show_checks(self, checked_on: date) -> None:
        editable = self.editable
        shown = {result.id.value for result in self._checks}
        for check_id, existing in self.check_rows.items():
            existing.setVisible(check_id in shown)
            self.rows.removeWidget(existing)
            self.passed_rows.removeWidget(existing)
        for result in self._checks:  # in issue order; what needs something first
            row = self.check_rows.get(result.id.value)
            if row is None:
                row = CheckRow(self._on_link, self._typed)
                self._filling = True  # the text typed before, not new typing
                row.justification.setPlainText(self._justifications.get(result.id.value, ""))
                self._filling = False
                self.check_rows[result.id.value] = row
            (self.passed_rows if needs_nothing(result) else self.rows).addWidget(row)
            row.set_result(result, editable=editable)
        self._word_passed()
        counts = tally(self._checks)
        parts = [f"<b>{counts.passed} of {counts.total} passed</b>"]
        if counts.on_record:
            parts.append(f"<b style='color:#a4161a'>{counts.on_record} to fix on the record</b>")
        if counts.on_request:
            parts.append(f"<b>{counts.on_request} answered by writing the request</b>")
        if counts.waiting_for_lead:
            parts.append(f"{counts.waiting_for_lead} waiting for a team lead's decision")
        parts.append(f"checked as of {day(checked_on)}")
        self.checks_note.setText(" · ".join(parts))

    # --- the form -------------------------------------------------------------------------

    def current_input(self) -> ClosureInput:
        code = self.reason.currentData() if self.reason.currentIndex() >= 0 else ""
        date_label, body_label = reason_fields(code or "")
        justifications = {
            check_id: row.justification_text()
            for check_id, row in self.check_rows.items()
            if row.justification_text().strip()
        }
        return ClosureInput(
            reason=code or "",
            why_open=self.parts["why_open"].toPlainText(),
            what_changed=self.parts["what_changed"].toPlainText(),
            agencies_involved=self.parts["agencies_involved"].toPlainText(),
            if_concerns_return=self.parts["if_concerns_return"].toPlainText(),
            young_person_views=self.views.toPlainText(),
            reason_date=self.reason_date.value() if date_label else None,
            receiving_body=self.receiving.text() if body_label else "",
            justifications=justifications,
        )

    def choose_reason(self, code: str) -> None:
        self.reason.setCurrentIndex(self.reason.findData(code))

    def _reason_changed(self) -> None:
        code = self.reason.currentData() if self.reason.currentIndex() >= 0 else ""
        self._set_reason_fields(code or "")
        self._typed()

    def _set_reason_fields(self, code: str) -> None:
        date_label, body_label = reason_fields(code)
        self.reason_date_label.setText(date_label or "")
        self.receiving_label.setText(body_label or "")
        self.form.setRowVisible(self.reason_date, bool(date_label))
        self.form.setRowVisible(self.receiving, bool(body_label))
        self.reason_date.setAccessibleName(date_label or "")
        self.receiving.setAccessibleName(body_label or "")
        self.reason_help.setText(REASON_HELP.get(code, ""))
        self.reason_help.setVisible(code in REASON_HELP)

    def _typed(self) -> None:
        if self._filling or not self.editable:
            return
        self._preview.start()
        self._sync_buttons()

    def check_again(self) -> None:
        """Run the checks on the record and the form as typed, on a worker."""
        if self.person_id is None or not self.editable:
            return
        self._preview.stop()
        self._preview_generation += 1
        generation = self._preview_generation
        data = self.current_input()
        self.check_button.setEnabled(False)
        self.check_button.setText("Checking…")
        tasks.run(
            closure.preview_checks,
            self._db,
            self._actor,
            self.person_id,
            data,
            now=self._clock(),
            on_result=lambda found: self._on_checked(generation, data, found),
            on_error=lambda exc: self._on_check_failed(generation, exc),
        )

    def _on_checked(self, generation: int, data: ClosureInput, found: list[CheckResult]) -> None:
        if not isValid(self) or generation != self._preview_generation:
            return
        self.check_button.setEnabled(True)
        self.check_button.setText("Check &again")
        self._checks = list(found)
        self._checked = data
        self._show_checks(local_today(self._clock()))
        if self._overview is not None and self._overview.state is CaseState.OPEN:
            self._fill_headline_from_checks()
        self._sync_buttons()

    def _on_check_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._preview_generation:
            return
        self.check_button.setEnabled(True)
        self.check_button.setText("Check &again")
        self.form_problems.set_problems([unexpected(exc)])

    def _fill_headline_from_checks(self) -> None:
        assert self._overview is not None
        fake = _with_checks(self._overview, self._checks)
        self._fill_headline(fake, local_today(self._clock()))

    def _sync_buttons(self) -> None:
        if not self.editable:
            return
        current = self._checked is not None and self._checked == self.current_input()
        ready = current and can_request(self._checks)
        self.ask_button.setEnabled(ready and not self._busy)
        if self._busy:
            why = ""
        elif not current:
            why = "Checking the form as typed…"
        elif not ready:
            why = "Not ready to send. Fix first: " + stopping_words(self._checks) + "."
        else:
            why = ""
        self.why_not.setText(why)
        self.why_not.setVisible(bool(why))

    # --- actions --------------------------------------------------------------------------

    def _run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        problems: ProblemList,
        on_done: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self._busy = True
        self.flash.hide()
        problems.set_problems([])
        self._sync_buttons()
        self.close_button.setEnabled(False)
        person_id = self.person_id
        tasks.run(
            fn,
            self._db,
            self._actor,
            *args,
            now=self._clock(),
            on_result=lambda changed: self._on_done(person_id, changed),
            **kwargs,
            on_error=lambda exc: self._on_failed(person_id, exc, problems),
        )

    def _on_done(self, person_id: int | None, changed: Changed) -> None:
        if not isValid(self) or person_id != self.person_id:
            return
        self._busy = False
        self.close_button.setEnabled(True)
        self.after_change(changed)

    def _on_failed(self, person_id: int | None, exc: BaseException, problems: ProblemList) -> None:
        if not isValid(self) or person_id != self.person_id:
            return
        self._busy = False
        self.close_button.setEnabled(True)
        if isinstance(exc, ApprovalVoided):
            said = " ".join(exc.problems) or str(exc)
            self.flash.setText(f"<b>The case was NOT closed.</b> {html.escape(said)}")
            self.flash.show()
            request = self._overview.request if self._overview else None
            ids = (request.id,) if request is not None else ()
            self.after_change(Changed("closure_request", ids, ("status",)))  # the void is saved
            return
        if isinstance(exc, ValidationFailed) and exc.details:
            words = [plain_problem(p, PROBLEM_LABELS) for p in exc.details]
            problems.set_problems(words, "Nothing was sent. Please correct the following:")
        else:
            problems.set_problems([unexpected(exc)])
        self._sync_buttons()

    def submit(self) -> None:
        """Ask a team lead to approve (or, returned, send the request back)."""
        overview = self._overview
        if overview is None or self._busy or not self.editable:
            return
        data = self.current_input()
        if overview.state is CaseState.RETURNED and overview.request is not None:
            self._run(
                closure.resubmit_closure,
                overview.request.id,
                data,
                problems=self.form_problems,
                expected_version=overview.request.version,
            )
        else:
            self._run(closure.request_closure, self.person_id, data, problems=self.form_problems)

    def close_case(self) -> None:
        overview = self._overview
        if overview is None or overview.request is None or self._busy:
            return
        if overview.state is not CaseState.APPROVED:
            return
        chosen = self.closed_on.value() or local_today(self._clock())
        self._run(
            closure.close_case,
            overview.request.id,
            chosen,
            problems=self.close_problems,
            expected_version=overview.request.version,
        )

    def withdraw(self) -> None:
        overview = self._overview
        if overview is None or overview.request is None or self.person_id is None:
            return
        request = overview.request
        self.open_dialog(
            WithdrawDialog(
                self.context(), request.id, request.reason_label, self, version=request.version
            )
        )

    def add_arrangement(self) -> None:
        if self.person_id is not None and self.state is not CaseState.CLOSED:
            self.open_dialog(ArrangementDialog(self.context(), self))

    def add_note(self) -> None:
        if self.person_id is not None and self.state is CaseState.CLOSED:
            self.open_dialog(NoteDialog(self.context(), self))

    def reopen(self) -> None:
        if self.person_id is not None and self.state is CaseState.CLOSED:
            self.open_dialog(ReopenDialog(self.context(), self))

    def _on_link(self, href: str) -> None:
        kind, _, raw = href.partition(":")
        self.evidence_requested.emit(kind, int(raw) if raw.isdigit() else None)


#: Checks the worker passes by writing the request on this tab, not by changing the record.
def _with_checks(data: ClosureOverview, checks: list[CheckResult]) -> ClosureOverview:
    return replace(data, checks=tuple(checks))


__all__ = ["EVIDENCE_TABS", "ClosureSection", "result_words"]
