"""Referral dialogs of a young person's record: what followed a referral (the child and
family assessment, the strategy discussion, the section 47 enquiry and the initial child
protection conference), and a team lead's authorisation of a completed assessment.

Each is a ``RecordDialog``: checks what it can on the spot, then runs one service call on
a worker; the core's refusals come back at the top in the screen's words with everything
typed kept. Optional dates are a tick box and a date shown once ticked, so a date never
looks recorded when it is not.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QWidget,
)

from casework.domain.codes import UnknownCode
from casework.domain.front_door import CpMeetingKind, ReferralDecision
from casework.services import child_protection, front_door
from casework.services.child_protection import PlanView
from casework.services.front_door import ReferralProgress, ReferralView
from ui.dialogs.record_dialogs import RecordDialog, Submission, text_box
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_common import (
    RecordContext,
    day,
    local,
    quiet_label,
    set_severity,
    text_label,
    when,
)

#: Section 47 outcomes as Working Together 2023 words them; the worker may type another.
S47_OUTCOMES = (
    "Concerns not substantiated",
    "Concerns substantiated; not judged to be at continuing risk of significant harm",
    "Concerns substantiated; judged to be at continuing risk of significant harm",
)
S47_MAX = 500


def decision_label(code: str | None) -> str:
    """A referral decision code in words ("" when there is none)."""
    if not code:
        return ""
    try:
        return ReferralDecision.parse(code).label
    except UnknownCode:
        return code


def referral_heading(referral: ReferralView) -> str:
    """ "Referral received 20/11/2026 14:05 from Police" (HTML)."""
    return (
        f"<b>Referral received {when(referral.received_at)}</b> from {html.escape(referral.source)}"
    )


def _by_referral(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A service that takes the referral's id, not the person's: drop the person id the
    dialog passes (the core checks the referral is on a record the worker may change)."""

    def call(db: Any, actor: Any, _person_id: int, *args: Any, **kwargs: Any) -> Any:
        return fn(db, actor, *args, **kwargs)

    return call


class DatedTick(QWidget):
    """A tick box with a date beside it, shown only once ticked: "Started on 21/11/2026"."""

    def __init__(self, text: str, earliest: date, latest: date) -> None:
        super().__init__()
        self.tick = QCheckBox(text)
        self.date = DateField(to_qdate(earliest), to_qdate(latest), optional=False)
        self.date.setCalendarPopup(True)
        self.date.setMinimumWidth(self.date.fontMetrics().horizontalAdvance("00/00/00000") + 48)
        self.date.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.date.set_value(latest)
        self.date.hide()
        self.tick.toggled.connect(self.date.setVisible)
        self.tick.toggled.connect(self._focus_date)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.tick)
        row.addWidget(self.date)
        row.addStretch(1)
        self.setFocusProxy(self.tick)

    def _focus_date(self, ticked: bool) -> None:
        if ticked and self.tick.hasFocus():
            self.date.setFocus()

    def value(self) -> date | None:
        return self.date.value() if self.tick.isChecked() else None

    def set_value(self, value: date | None) -> None:
        if value is not None:
            self.date.set_value(value)
        self.tick.setChecked(value is not None)


def _heading(text: str) -> QLabel:
    label = text_label(f"<b>{html.escape(text)}</b>", rich=True, selectable=False)
    label.setStyleSheet("color: #1d3557; font-size: 11pt; padding-top: 8px;")
    return label


def _earliest(referral: ReferralView, received: date) -> date:
    p = referral.progress
    dates = [
        d
        for d in (
            p.assessment_started_on,
            p.assessment_completed_on,
            p.strategy_discussion_on,
            p.icpc_on,
            received,
        )
        if d is not None
    ]
    return min(dates)


def _conference_due(referral: ReferralView, today: date) -> tuple[str, str | None]:
    """When the conference is due, worded for the form, and whether it is late."""
    due = referral.icpc_due
    if due is None:
        return "Due within 15 working days of the strategy discussion.", None
    if due < today:
        return (
            f"OVERDUE: it was due by {day(due)}, 15 working days from the strategy discussion.",
            "overdue",
        )
    return f"Due by {day(due)}: 15 working days from the strategy discussion.", None


class ReferralProgressDialog(RecordDialog):
    """Everything after the decision on one referral, in one form."""

    labels: ClassVar[dict[str, str]] = {
        "assessment_started_on": "Assessment started",
        "child_seen": "Young person seen",
        "seen_alone": "Seen alone",
        "assessment_completed_on": "Assessment completed",
        "strategy_discussion_on": "Strategy discussion",
        "s47_outcome": "Section 47 outcome",
        "icpc_on": "Conference held",
        "icpc_not_required_reason": "Why no conference is needed",
    }

    def __init__(
        self, ctx: RecordContext, referral: ReferralView, parent: QWidget | None = None
    ) -> None:
        decision = decision_label(referral.decision) or "No decision yet"
        super().__init__(
            ctx,
            "Record what followed a referral",
            f"{referral_heading(referral)}<br>Decision: {html.escape(decision)}",
            "Save progress",
            parent,
        )
        self.referral_id = referral.id
        self.version = referral.version  # as shown: a change since is named
        today = ctx.today()
        earliest = _earliest(referral, local(referral.received_at).date())
        self._assessment_rows(referral, earliest, today)
        self._section47_rows(earliest, today)
        self._conference_rows(referral, earliest, today)
        self.fill_from(referral.progress)
        self.resize(720, 600)
        self.started.setFocus()

    # --- building -------------------------------------------------------------------------

    def _assessment_rows(self, referral: ReferralView, earliest: date, today: date) -> None:
        self.started = DatedTick("Assessment &started on", earliest, today)
        self.seen = QCheckBox("Young person s&een")
        self.seen_alone = QCheckBox("Seen &alone")
        self.completed = DatedTick("Assessment &completed on", earliest, today)
        seen_row = QWidget()
        row = QHBoxLayout(seen_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.seen)
        row.addSpacing(16)
        row.addWidget(self.seen_alone)
        row.addStretch(1)
        self.seen.toggled.connect(self._sync_seen)
        self.form.addRow(_heading("Assessment"))
        if referral.assessment_due is not None:
            self.form.addRow(
                quiet_label(
                    f"Due by {day(referral.assessment_due)}: 45 working days from the "
                    "referral's receipt, until a team lead authorises it."
                )
            )
        self.form.addRow(self.started)
        self.form.addRow(seen_row)
        self.form.addRow(self.completed)
        self.reauthorise = text_label(
            "Already authorised. Changing the completion date means a team lead must "
            "authorise the assessment again."
        )
        set_severity(self.reauthorise, "warning")
        self.reauthorise.setVisible(referral.authorised)
        self.form.addRow(self.reauthorise)

    def _section47_rows(self, earliest: date, today: date) -> None:
        self.strategy = DatedTick("Strategy &discussion held on", earliest, today)
        self.s47 = QComboBox()
        self.s47.setEditable(True)
        self.s47.addItems(S47_OUTCOMES)
        self.s47.setCurrentIndex(-1)
        line = self.s47.lineEdit()
        assert line is not None  # editable
        line.setMaxLength(S47_MAX)
        line.setPlaceholderText("Choose or type; leave empty while it goes on")
        self.form.addRow(_heading("Strategy discussion and section 47 enquiry"))
        self.form.addRow(self.strategy)
        self.form.addRow("Section &47 outcome", self.s47)
        self.strategy.tick.toggled.connect(self._sync_conference)

    def _conference_rows(self, referral: ReferralView, earliest: date, today: date) -> None:
        self.not_held = QRadioButton("Not held &yet")
        self.held = QRadioButton("&Held on")
        self.not_needed = QRadioButton("&Not needed")
        self.icpc_choice = QButtonGroup(self)
        for button in (self.not_held, self.held, self.not_needed):
            self.icpc_choice.addButton(button)
        self.icpc_on = DateField(to_qdate(earliest), to_qdate(today), optional=False)
        self.icpc_on.setCalendarPopup(True)
        self.icpc_on.setMinimumWidth(
            self.icpc_on.fontMetrics().horizontalAdvance("00/00/00000") + 48
        )
        self.icpc_on.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.icpc_on.set_value(today)
        self.reason = text_box(3)
        self.reason.setPlaceholderText(
            "For example: section 47 found the concerns not substantiated; support continues "
            "under a child in need plan"
        )
        choice = QWidget()
        row = QHBoxLayout(choice)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.not_held)
        row.addSpacing(12)
        row.addWidget(self.held)
        row.addWidget(self.icpc_on)
        row.addSpacing(12)
        row.addWidget(self.not_needed)
        row.addStretch(1)
        self._conference_due, level = _conference_due(referral, today)
        self.conference_note = quiet_label(self._conference_due)
        if level:  # the app's colours, not the quiet grey
            self.conference_note.setStyleSheet("")
            set_severity(self.conference_note, level)
        self.form.addRow(_heading("Initial child protection conference"))
        self.form.addRow(self.conference_note)
        self.form.addRow("Conference", choice)
        self.form.addRow("&Why it is not needed", self.reason)
        for button in (self.not_held, self.held, self.not_needed):
            button.toggled.connect(self._sync_conference)

    def fill_from(self, progress: ReferralProgress) -> None:
        self.started.set_value(progress.assessment_started_on)
        self.seen.setChecked(progress.child_seen)
        self.seen_alone.setChecked(progress.seen_alone)
        self.completed.set_value(progress.assessment_completed_on)
        self.strategy.set_value(progress.strategy_discussion_on)
        self.s47.setEditText(progress.s47_outcome)
        if progress.icpc_on is not None:
            self.icpc_on.set_value(progress.icpc_on)
            self.held.setChecked(True)
        elif progress.icpc_not_required_reason:
            self.reason.setPlainText(progress.icpc_not_required_reason)
            self.not_needed.setChecked(True)
        else:
            self.not_held.setChecked(True)
        self._sync_seen()
        self._sync_conference()

    # --- behaviour ------------------------------------------------------------------------

    def _sync_seen(self) -> None:
        self.seen_alone.setEnabled(self.seen.isChecked())
        if not self.seen.isChecked():
            self.seen_alone.setChecked(False)

    def _sync_conference(self) -> None:
        """A conference (or a decision that none is needed) follows a strategy discussion."""
        possible = self.strategy.tick.isChecked()
        if not possible:
            self.not_held.setChecked(True)
        self.held.setEnabled(possible)
        self.not_needed.setEnabled(possible)
        self.icpc_on.setVisible(possible and self.held.isChecked())
        self.form.setRowVisible(self.reason, possible and self.not_needed.isChecked())
        self.conference_note.setText(
            self._conference_due
            if possible
            else "Record the strategy discussion first: the conference is due within 15 "
            "working days of it."
        )

    def progress(self) -> ReferralProgress:
        held = self.held.isChecked()
        not_needed = self.not_needed.isChecked()
        return ReferralProgress(
            assessment_started_on=self.started.value(),
            child_seen=self.seen.isChecked(),
            seen_alone=self.seen.isChecked() and self.seen_alone.isChecked(),
            assessment_completed_on=self.completed.value(),
            strategy_discussion_on=self.strategy.value(),
            s47_outcome=self.s47.currentText().strip(),
            icpc_on=self.icpc_on.value() if held else None,
            icpc_not_required_reason=self.reason.toPlainText().strip() if not_needed else "",
        )

    def check(self) -> list[str]:
        if self.not_needed.isChecked() and not self.reason.toPlainText().strip():
            return ["Why it is not needed: say why no conference is needed."]
        return []

    def submission(self) -> Submission:
        record = _by_referral(front_door.record_progress)
        return record, (self.referral_id, self.progress()), {"expected_version": self.version}


class AuthoriseAssessmentDialog(RecordDialog):
    """A team lead authorises a completed child and family assessment."""

    def __init__(
        self, ctx: RecordContext, referral: ReferralView, parent: QWidget | None = None
    ) -> None:
        p = referral.progress
        seen = "seen alone" if p.seen_alone else ("seen, not alone" if p.child_seen else "NOT seen")
        super().__init__(
            ctx,
            "Authorise the assessment",
            f"{referral_heading(referral)}<br>Child and family assessment started "
            f"{day(p.assessment_started_on)}, completed {day(p.assessment_completed_on)}; "
            f"young person {seen}.<br><br>Authorising records that you have read the "
            "assessment and agree with its analysis and the plan; it is recorded with your "
            "name.",
            "Authorise assessment",
            parent,
        )
        self.referral_id = referral.id
        self.version = referral.version  # as shown: a change since is named
        self.resize(600, 240)

    def submission(self) -> Submission:
        return (
            _by_referral(front_door.authorise_assessment),
            (self.referral_id,),
            {"expected_version": self.version},
        )


class StartPlanDialog(RecordDialog):
    """Record the child protection plan made at a referral's initial conference."""

    labels: ClassVar[dict[str, str]] = {"started_on": "Initial conference"}

    def __init__(
        self, ctx: RecordContext, referrals: list[ReferralView], parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Record a child protection plan",
            "The plan starts at the initial child protection conference that made it. "
            "Working Together 2023: the core group meets within 10 working days of it, and the "
            "first review conference is within 3 months.",
            "Record the plan",
            parent,
        )
        self.referrals = referrals
        self.referral = QComboBox()
        for r in referrals:
            assert r.progress.icpc_on is not None
            self.referral.addItem(
                f"Conference {day(r.progress.icpc_on)} (referral received {when(r.received_at)})",
                r.id,
            )
        self.form.addRow("&Made at", self.referral)
        self.resize(620, 220)
        self.referral.setFocus()

    def submission(self) -> Submission:
        chosen = self.referrals[max(self.referral.currentIndex(), 0)]
        assert chosen.progress.icpc_on is not None
        return (
            child_protection.start_plan,
            (chosen.progress.icpc_on,),
            {"referral_id": chosen.id},
        )


class PlanMeetingDialog(RecordDialog):
    """Record a review conference or core group meeting held under a plan."""

    labels: ClassVar[dict[str, str]] = {"held_on": "Held on", "kind": "Meeting"}

    def __init__(self, ctx: RecordContext, plan: PlanView, parent: QWidget | None = None) -> None:
        due = []
        if plan.core_group_due is not None:
            due.append(f"first core group due by {day(plan.core_group_due)}")
        if plan.review_due is not None:
            due.append(f"next review conference due by {day(plan.review_due)}")
        super().__init__(
            ctx,
            "Record a child protection meeting",
            f"<b>Plan made {day(plan.started_on)}</b>"
            + (f"<br>{html.escape('; '.join(due)).capitalize()}." if due else ""),
            "Save meeting",
            parent,
        )
        self.plan_id = plan.id
        self.kind = QComboBox()
        for kind in CpMeetingKind:
            self.kind.addItem(kind.label, kind.value)
        if plan.core_group_due is None:
            self.kind.setCurrentIndex(0)
        else:
            self.kind.setCurrentIndex(list(CpMeetingKind).index(CpMeetingKind.CORE_GROUP))
        self.held_on = DateField(to_qdate(plan.started_on), to_qdate(ctx.today()), optional=False)
        self.held_on.setCalendarPopup(True)
        self.held_on.set_value(ctx.today())
        self.note = text_box(3)
        self.note.setPlaceholderText("What was decided (optional)")
        self.form.addRow("&Meeting", self.kind)
        self.form.addRow("&Held on", self.held_on)
        self.form.addRow("&Note", self.note)
        self.resize(600, 300)
        self.kind.setFocus()

    def submission(self) -> Submission:
        return (
            _by_referral(child_protection.record_meeting),
            (
                self.plan_id,
                self.kind.currentData(),
                self.held_on.value(),
                self.note.toPlainText().strip(),
            ),
            {},
        )


class EndPlanDialog(RecordDialog):
    """End a plan, as a review conference decided, with the reason."""

    labels: ClassVar[dict[str, str]] = {"ended_on": "Ended on", "end_reason": "Why it ended"}

    def __init__(self, ctx: RecordContext, plan: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "End the child protection plan",
            f"<b>Plan made {day(plan.started_on)}</b><br>A plan ends when a review conference "
            "decides the child is no longer at continuing risk of significant harm.",
            "End the plan",
            parent,
        )
        self.plan_id = plan.id
        self.version = plan.version
        self.ended_on = DateField(to_qdate(plan.started_on), to_qdate(ctx.today()), optional=False)
        self.ended_on.setCalendarPopup(True)
        self.ended_on.set_value(ctx.today())
        self.reason = text_box(3)
        self.reason.setPlaceholderText(
            "For example: risks reduced; support continues as child in need"
        )
        self.form.addRow("Ended &on", self.ended_on)
        self.form.addRow("&Why it ended", self.reason)
        self.resize(600, 280)
        self.reason.setFocus()

    def check(self) -> list[str]:
        if not self.reason.toPlainText().strip():
            return ["Why it ended: record the conference's decision."]
        return []

    def submission(self) -> Submission:
        return (
            _by_referral(child_protection.end_plan),
            (self.plan_id, self.ended_on.value(), self.reason.toPlainText().strip()),
            {"expected_version": self.version},
        )


__all__ = [
    "S47_OUTCOMES",
    "AuthoriseAssessmentDialog",
    "DatedTick",
    "EndPlanDialog",
    "PlanMeetingDialog",
    "ReferralProgressDialog",
    "StartPlanDialog",
    "decision_label",
    "referral_heading",
]
