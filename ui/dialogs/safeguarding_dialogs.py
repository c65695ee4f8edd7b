"""Safeguarding and risk dialogs of a young person's record: allegations (record, update,
and a team lead's outcome), risk screenings, missing episodes (and the return), and
referrals out to services (send, then update until it is finished).

Each is a ``RecordDialog``: checks what it can on the spot, then runs one service call
on a worker; the core's refusals come back in the screen's words with everything typed
kept. Times are typed as UK local time and handed to the core zone-aware.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSizePolicy,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.clock import to_local
from casework.domain import front_door as rules
from casework.domain.codes import AllegationOutcome
from casework.errors import Problem, ValidationFailed
from casework.services import safeguarding
from casework.services.safeguarding import (
    AllegationInput,
    AllegationView,
    MissingInput,
    MissingView,
    RiskInput,
    RiskView,
    ServiceReferralView,
)
from ui.dialogs.record_dialogs import RecordDialog, Submission, code_combo, date_field, text_box
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.views.record_common import (
    LONDON,
    RecordContext,
    day,
    failure_heading,
    plain_problem,
    quiet_label,
    set_severity,
    text_label,
    when,
)

#: What each outcome means (Keeping children safe in education, part 4).
OUTCOME_HELP = {
    "substantiated": "there is enough evidence to prove the allegation",
    "malicious": "there is enough evidence to disprove it, and it was a deliberate act to deceive",
    "false": "there is enough evidence to disprove it",
    "unsubstantiated": "there is not enough evidence to prove or disprove it (not a "
    "judgement that it was untrue)",
    "unfounded": "there is no evidence or proper basis to support it",
}
ACCEPTED_CHOICES = (("", "Not known yet"), ("yes", "Yes, accepted"), ("no", "No, declined"))
#: The LADO's decision on a strategy meeting (local LADO procedures).
STRATEGY_CHOICES = (
    ("", "Not decided yet"),
    ("yes", "Criteria met: a strategy meeting is needed"),
    ("no", "Not required"),
)


def safeguarding_problem(problem: Problem, labels: dict[str, str]) -> str:
    """A problem in the screen's words. The front-door rules already word theirs, naming
    the field in words (``label``, "Reason"): the screen's own label replaces it."""
    if problem.label is not None and problem.field is not None:
        return f"{labels.get(problem.field, problem.label)}: {problem.message}"
    return plain_problem(problem, labels)


def _by_id(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A service that takes an item's id, not the person's: drop the person id the dialog
    passes (the core checks the item belongs to a record the worker may change)."""

    def call(db: Any, actor: Any, _person_id: int, *args: Any, **kwargs: Any) -> Any:
        return fn(db, actor, *args, **kwargs)

    return call


def optional_date(ctx: RecordContext, *, years_back: int, years_ahead: int) -> DateField:
    """A dd/mm/yyyy field that starts "Not entered"."""
    today = to_qdate(ctx.today())
    field = DateField(today.addYears(-years_back), today.addYears(years_ahead), optional=True)
    field.setCalendarPopup(True)
    field.setMinimumWidth(field.fontMetrics().horizontalAdvance("Not entered") + 60)
    field.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return field


class MomentField(QWidget):
    """A date and a time (UK), optionally "Not entered"."""

    def __init__(self, ctx: RecordContext, *, optional: bool, years_back: int = 2) -> None:
        super().__init__()
        today = to_qdate(ctx.today())
        self.date = DateField(today.addYears(-years_back), today, optional=optional)
        self.date.setCalendarPopup(True)
        self.date.setMinimumWidth(self.date.fontMetrics().horizontalAdvance("Not entered") + 60)
        self.date.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.time = QTimeEdit(QTime(0, 0))
        self.time.setDisplayFormat("HH:mm")
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("00:000") + 48)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.date)
        row.addWidget(QLabel("at"))
        row.addWidget(self.time)
        row.addWidget(quiet_label("UK time"))
        row.addStretch(1)
        self.date.dateChanged.connect(self._sync)
        if not optional:
            self.set_value(to_local(ctx.clock()))
        self._sync()

    def _sync(self) -> None:
        self.time.setEnabled(self.date.value() is not None)

    def value(self) -> datetime | None:
        chosen = self.date.value()
        if chosen is None:
            return None
        t = self.time.time()
        return datetime(chosen.year, chosen.month, chosen.day, t.hour(), t.minute(), tzinfo=LONDON)

    def set_value(self, moment: datetime | None) -> None:
        if moment is None:
            self.date.set_value(None)
            return
        local = to_local(moment)
        self.date.set_value(local.date())
        self.time.setTime(QTime(local.hour, local.minute))


class SafeguardingDialog(RecordDialog):
    """A record dialog whose refusals come from the front-door rules."""

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationFailed) and exc.problems and isValid(self):
            self._set_saving(False)
            words = [safeguarding_problem(p, self.labels) for p in exc.details]
            self.problems.set_problems(words, failure_heading(exc))
            return
        super()._on_failed(exc)


def _summary(allegation: AllegationView) -> str:
    who = allegation.subject_role.label
    if allegation.subject_description:
        who += f" ({allegation.subject_description})"
    return (
        f"Allegation about a <b>{html.escape(who)}</b>, received "
        f"{when(allegation.received_at)}:<br>{html.escape(allegation.details)}"
    )


# --- allegations ---------------------------------------------------------------------------


class _AllegationProgress(SafeguardingDialog):
    """The LADO, the strategy meeting, the police and the actions: shared by record and
    update."""

    def _progress_rows(self, ctx: RecordContext) -> None:
        self.lado = MomentField(ctx, optional=True)
        self.criteria = QComboBox()
        for code, label in STRATEGY_CHOICES:
            self.criteria.addItem(label, code)
        self.criteria.setAccessibleName("The LADO's decision on a strategy meeting")
        self.not_required = text_box(2)
        self.not_required.setPlaceholderText("The LADO's reason, e.g. below the harm threshold")
        self.meeting = MomentField(ctx, optional=True)
        self.police = QCheckBox("The &police are involved")
        self.actions_box = text_box(3)
        self.actions_box.setPlaceholderText(
            "For example: carer suspended pending enquiries; young person moved to a "
            "different placement"
        )
        self.form.addRow("&LADO told", self.lado)
        self.form.addRow("", quiet_label("Due within 1 working day of receipt."))
        self.form.addRow("LADO's &decision", self.criteria)
        self.form.addRow("&Why not required", self.not_required)
        self.form.addRow("&Strategy meeting held", self.meeting)
        self.form.addRow(
            "",
            quiet_label(
                "Only where the LADO finds the criteria met: then due within 72 hours of "
                "receipt (local LADO procedure)."
            ),
        )
        self.form.addRow("", self.police)
        self.form.addRow("&Actions", self.actions_box)
        self.criteria.currentIndexChanged.connect(self._sync_criteria)
        self._sync_criteria()

    def _sync_criteria(self) -> None:
        self.form.setRowVisible(self.not_required, self.criteria.currentData() == "no")

    def set_criteria(self, met: bool | None, reason: str) -> None:
        code = {None: "", True: "yes", False: "no"}[met]
        self.criteria.setCurrentIndex(self.criteria.findData(code))
        self.not_required.setPlainText(reason)

    def criteria_met(self) -> bool | None:
        return {"": None, "yes": True, "no": False}[self.criteria.currentData()]

    def check(self) -> list[str]:
        if self.criteria.currentData() == "no" and not self.not_required.toPlainText().strip():
            return ["Why not required: record the LADO's reason."]
        return []


class AllegationDialog(_AllegationProgress):
    labels: ClassVar[dict[str, str]] = {
        "subject_role": "About",
        "received_at": "Received",
        "details": "What is alleged",
    }

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Record an allegation",
            "An allegation against someone who works with the young person. The LADO must "
            "be told <b>within 1 working day</b>; it stays on the record, highlighted, until "
            "a team lead records the outcome.",
            "Record allegation",
            parent,
        )
        self.role = code_combo(rules.AllegationSubjectRole.choices())
        self.subject = QLineEdit()
        self.subject.setMaxLength(200)
        self.subject.setPlaceholderText("For example: foster carer Mr B. Hughes")
        self.received = MomentField(ctx, optional=False)
        self.details = text_box(4)
        self.form.addRow("&About", self.role)
        self.form.addRow("&Who", self.subject)
        self.form.addRow("&Received", self.received)
        self.form.addRow("&What is alleged", self.details)
        self._progress_rows(ctx)
        self.resize(720, 620)
        self.role.setFocus()

    def check(self) -> list[str]:
        problems = super().check()
        if self.role.currentIndex() < 0:
            problems.append("About: choose the role of the person the allegation is about.")
        if not self.details.toPlainText().strip():
            problems.append("What is alleged: record what is alleged.")
        return problems

    def submission(self) -> Submission:
        data = AllegationInput(
            subject_role=self.role.currentData(),
            received_at=self.received.value() or self.ctx.clock(),
            details=self.details.toPlainText(),
            subject_description=self.subject.text(),
            lado_notified_at=self.lado.value(),
            strategy_meeting_at=self.meeting.value(),
            police_involved=self.police.isChecked(),
            actions=self.actions_box.toPlainText(),
            strategy_criteria_met=self.criteria_met(),
            strategy_not_required_reason=(
                self.not_required.toPlainText() if self.criteria_met() is False else ""
            ),
        )
        return safeguarding.record_allegation, (data,), {}


class AllegationUpdateDialog(_AllegationProgress):
    labels: ClassVar[dict[str, str]] = {
        "lado_notified_at": "LADO told",
        "strategy_meeting_at": "Strategy meeting held",
        "strategy_criteria_met": "LADO's decision",
        "strategy_not_required_reason": "Why not required",
    }

    def __init__(
        self, ctx: RecordContext, allegation: AllegationView, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, "Update an allegation", _summary(allegation), "Save", parent)
        self.allegation_id = allegation.id
        self.version = allegation.version  # as shown: a change since is named, never undone
        self._progress_rows(ctx)
        self.lado.set_value(allegation.lado_notified_at)
        self.meeting.set_value(allegation.strategy_meeting_at)
        self.set_criteria(allegation.strategy_criteria_met, allegation.strategy_not_required_reason)
        self.police.setChecked(allegation.police_involved)
        self.actions_box.setPlainText(allegation.actions)
        self.resize(720, 480)
        self.lado.date.setFocus()

    def submission(self) -> Submission:
        kwargs = {
            "lado_notified_at": self.lado.value(),
            "strategy_meeting_at": self.meeting.value(),
            "police_involved": self.police.isChecked(),
            "actions": self.actions_box.toPlainText(),
            "strategy_criteria_met": self.criteria_met(),
            "strategy_not_required_reason": (
                self.not_required.toPlainText() if self.criteria_met() is False else ""
            ),
            "expected_version": self.version,
        }
        return _by_id(safeguarding.update_allegation), (self.allegation_id,), kwargs


class AllegationOutcomeDialog(SafeguardingDialog):
    labels: ClassVar[dict[str, str]] = {
        "outcome": "Outcome",
        "rationale": "Rationale",
        "decided_on": "Decided on",
    }

    def __init__(
        self, ctx: RecordContext, allegation: AllegationView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Record the outcome of an allegation",
            _summary(allegation) + "<br><br>The outcome finishes the allegation; it cannot "
            "be changed afterwards.",
            "Record outcome",
            parent,
        )
        self.allegation_id = allegation.id
        self.version = allegation.version
        self.outcomes = QButtonGroup(self)
        choices = QWidget()
        column = QVBoxLayout(choices)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        for code, label in AllegationOutcome.choices():
            button = QRadioButton(f"{label}: {OUTCOME_HELP.get(code, '')}")
            button.setProperty("code", code)
            self.outcomes.addButton(button)
            column.addWidget(button)
        self.rationale = text_box(4)
        self.decided_on = date_field(ctx, years_back=2)
        self.form.addRow("Outcome", choices)
        self.form.addRow("&Rationale", self.rationale)
        self.form.addRow("&Decided on", self.decided_on)
        self.resize(760, 520)
        self.outcomes.buttons()[0].setFocus()

    def chosen(self) -> str | None:
        button = self.outcomes.checkedButton()
        return str(button.property("code")) if button is not None else None

    def choose(self, code: str) -> None:
        for button in self.outcomes.buttons():
            button.setChecked(button.property("code") == code)

    def check(self) -> list[str]:
        problems = []
        if self.chosen() is None:
            problems.append("Outcome: choose one of the five outcomes.")
        if not self.rationale.toPlainText().strip():
            problems.append("Rationale: say why this outcome was reached.")
        return problems

    def submission(self) -> Submission:
        args = (
            self.allegation_id,
            self.chosen() or "",
            self.rationale.toPlainText(),
            self.decided_on.value() or self.ctx.today(),
        )
        return _by_id(safeguarding.close_allegation), args, {"expected_version": self.version}


# --- risk screening ------------------------------------------------------------------------


class RiskDialog(SafeguardingDialog):
    labels: ClassVar[dict[str, str]] = {
        "risk_type": "Risk",
        "level": "Level",
        "reasoning": "Reasoning",
        "indicators": "Indicators",
        "review_on": "Review by",
        "screened_on": "Screened on",
        "team_lead_signed_off": "Team lead sign-off",
    }

    def __init__(self, ctx: RecordContext, *, is_lead: bool, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Screen for a risk",
            "Tick what you have seen, choose the level and say why. Medium and high risks "
            "show at the top of the record and in the caseload until a later screening "
            "lowers them.",
            "Record screening",
            parent,
        )
        self.is_lead = is_lead
        self.kind = code_combo(rules.RiskType.choices())
        self.kind.setMaxVisibleItems(12)
        self.levels = QButtonGroup(self)
        level_row = QWidget()
        row = QHBoxLayout(level_row)
        row.setContentsMargins(0, 0, 0, 0)
        for code, label in rules.RiskLevel.choices():
            button = QRadioButton(label)
            button.setProperty("code", code)
            self.levels.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.level_note = text_label(rich=True)
        self.level_note.setObjectName("levelNote")
        self.level_note.setStyleSheet("QLabel#levelNote { padding: 6px 8px; }")
        self.level_note.setWordWrap(False)  # short lines; a wrapped label here grew too tall
        self.level_note.hide()
        self.indicator_box = QWidget()
        self.indicator_layout = QVBoxLayout(self.indicator_box)
        self.indicator_layout.setContentsMargins(0, 0, 0, 0)
        self.indicator_layout.setSpacing(2)
        self.indicator_checks: list[QCheckBox] = []
        self.no_indicators = quiet_label()
        self.indicator_layout.addWidget(self.no_indicators)
        self.reasoning = text_box(4)
        self.screened_on = date_field(ctx, years_back=1)
        self.review_on = optional_date(ctx, years_back=0, years_ahead=1)
        self.form.addRow("&Risk", self.kind)
        self.form.addRow("Indicators", self.indicator_box)
        self.form.addRow("Level", level_row)
        self.form.addRow("", self.level_note)
        self.form.addRow("R&easoning", self.reasoning)
        self.form.addRow("Screened &on", self.screened_on)
        self.form.addRow("Re&view by", self.review_on)
        self.kind.currentIndexChanged.connect(self._fill_indicators)
        self.levels.buttonToggled.connect(lambda _b, _on: self._on_level())
        self._fill_indicators()
        self.resize(760, 640)
        self.kind.setFocus()

    def _fill_indicators(self) -> None:
        for check in self.indicator_checks:
            self.indicator_layout.removeWidget(check)
            check.deleteLater()
        code = self.kind.currentData()
        offered = safeguarding.indicators().get(code, ()) if code else ()
        self.indicator_checks = [QCheckBox(text) for text in offered]
        for check in self.indicator_checks:
            self.indicator_layout.addWidget(check)
        self.no_indicators.setText("Choose the risk first." if not code else "None listed.")
        self.no_indicators.setVisible(not offered)

    def level(self) -> str | None:
        button = self.levels.checkedButton()
        return str(button.property("code")) if button is not None else None

    def choose_level(self, code: str) -> None:
        for button in self.levels.buttons():
            button.setChecked(button.property("code") == code)

    def tick(self, *texts: str) -> None:
        for check in self.indicator_checks:
            check.setChecked(check.text() in texts)

    def ticked(self) -> tuple[str, ...]:
        return tuple(c.text() for c in self.indicator_checks if c.isChecked() and c.text())

    def _on_level(self) -> None:
        code = self.level()
        level = rules.RiskLevel.parse(code) if code else None
        notes = []
        if level is not None and level.needs_review_within_weeks:
            screened = self.screened_on.value() or self.ctx.today()
            due = rules.risk_review_due(screened, level)
            if self.review_on.value() is None and due is not None:
                self.review_on.set_value(due)
            notes.append(f"A {level.label.lower()} risk is reviewed within 6 weeks.")
        if level is not None and level.needs_sign_off:
            notes.append(
                "You are a team lead: it is signed off as you record it."
                if self.is_lead
                else "<b>A team lead must sign off a high risk</b>: the record shows it as "
                "awaiting sign-off<br>until they do."
            )
        self.level_note.setText("<br>".join(notes))
        self.level_note.setVisible(bool(notes))
        set_severity(self.level_note, "warning" if notes else None)

    def check(self) -> list[str]:
        problems = []
        if self.kind.currentIndex() < 0:
            problems.append("Risk: choose what this screening is for.")
        if self.level() is None:
            problems.append("Level: choose none, low, medium or high.")
        if not self.reasoning.toPlainText().strip():
            problems.append("Reasoning: say why this level was chosen.")
        return problems

    def submission(self) -> Submission:
        data = RiskInput(
            risk_type=self.kind.currentData(),
            level=self.level() or "",
            reasoning=self.reasoning.toPlainText(),
            screened_on=self.screened_on.value() or self.ctx.today(),
            indicators=self.ticked(),
            review_on=self.review_on.value(),
        )
        return safeguarding.screen_risk, (data,), {}


class SignOffDialog(SafeguardingDialog):
    """A team lead reads a high risk screening before signing it off."""

    def __init__(self, ctx: RecordContext, risk: RiskView, parent: QWidget | None = None) -> None:
        ticked = "".join(f"<li>{html.escape(i)}</li>" for i in risk.indicators)
        super().__init__(
            ctx,
            "Sign off a high risk",
            f"<b>High risk: {html.escape(risk.risk_type.label)}</b>, screened "
            f"{day(risk.screened_on)} by {html.escape(risk.screened_by)}.<br>"
            f"Indicators:<ul style='margin-top:0'>{ticked or '<li>None ticked</li>'}</ul>"
            f"Reasoning: {html.escape(risk.reasoning)}<br><br>"
            f"Review by {day(risk.review_on)}. Signing off records that you agree with the "
            "level and the plan to review it.",
            "Sign off",
            parent,
        )
        self.screening_id = risk.id
        self.version = risk.version
        self.resize(640, 360)
        self.ok_button.setFocus()

    def submission(self) -> Submission:
        return (
            _by_id(safeguarding.sign_off_risk),
            (self.screening_id,),
            {"expected_version": self.version},
        )


# --- missing episodes ----------------------------------------------------------------------


def _missing_words(episode: MissingView | None) -> tuple[str, str]:
    """The missing dialog's title and introduction: new, still missing, or back."""
    if episode is None:
        return (
            "Record a missing episode",
            "When they went missing, and whether the police were told. Record the return "
            "when they are back: a return interview is held <b>within 72 hours</b> of it.",
        )
    since = f"Missing from <b>{when(episode.started_at)}</b>"
    if episode.ended_at is None or episode.interview_due is None:
        return (
            "Record the return",
            f"{since}. Record when they came back; a return interview is then held "
            "<b>within 72 hours</b>.",
        )
    return (
        "Record the return interview",
        f"{since}, returned <b>{when(episode.ended_at)}</b>. Statutory guidance on children "
        "who run away or go missing: the return interview is <b>held</b> by "
        f"<b>{when(episode.interview_due)}</b> (72 hours); record when it was offered and "
        "when it was held, even if late, or that they declined it.",
    )


class MissingDialog(SafeguardingDialog):
    labels: ClassVar[dict[str, str]] = {
        "start": "Went missing",
        "end": "Returned",
        "interview_offered_at": "Return interview offered",
        "interview_held_at": "Return interview held",
        "interview_accepted": "Interview accepted",
        "reported_to_police": "Reported to the police",
    }

    def __init__(
        self,
        ctx: RecordContext,
        episode: MissingView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title, intro = _missing_words(episode)
        super().__init__(ctx, title, intro, "Save", parent)
        self.episode_id = episode.id if episode is not None else None
        self.version = episode.version if episode is not None else None
        self.started = MomentField(ctx, optional=False)
        self.ended = MomentField(ctx, optional=True)
        self.police = QCheckBox("Reported to the &police")
        self.offered = MomentField(ctx, optional=True)
        self.held = MomentField(ctx, optional=True)
        self.accepted_choice = QComboBox()
        for code, label in ACCEPTED_CHOICES:
            self.accepted_choice.addItem(label, code)
        self.learned = text_box(4)
        self.learned.setPlaceholderText(
            "Where they were, who with, why they went, what would stop it happening again"
        )
        self.form.addRow("&Went missing", self.started)
        self.form.addRow("", self.police)
        self.form.addRow("&Returned", self.ended)
        self.form.addRow("Return &interview offered", self.offered)
        self.form.addRow("Interview &accepted", self.accepted_choice)
        self.form.addRow("Return interview &held", self.held)
        self.form.addRow("What was &learned", self.learned)
        if episode is not None:
            self._fill(episode)
        self.resize(720, 520)
        first = self.started if episode is None else self.ended
        if episode is not None and episode.ended_at is not None:
            first = self.held if episode.interview_offered_at else self.offered
        first.date.setFocus()

    def _fill(self, episode: MissingView) -> None:
        self.started.set_value(episode.started_at)
        self.ended.set_value(episode.ended_at)
        if episode.ended_at is None:
            self.ended.set_value(to_local(self.ctx.clock()))
        self.police.setChecked(episode.reported_to_police)
        self.offered.set_value(episode.interview_offered_at)
        self.held.set_value(episode.interview_held_at)
        choice = {None: "", True: "yes", False: "no"}[episode.interview_accepted]
        self.accepted_choice.setCurrentIndex(self.accepted_choice.findData(choice))
        self.learned.setPlainText(episode.learned)

    def submission(self) -> Submission:
        choice = self.accepted_choice.currentData()
        data = MissingInput(
            started_at=self.started.value() or self.ctx.clock(),
            ended_at=self.ended.value(),
            reported_to_police=self.police.isChecked(),
            interview_offered_at=self.offered.value(),
            interview_accepted=None if not choice else choice == "yes",
            learned=self.learned.toPlainText(),
            interview_held_at=self.held.value(),
        )
        kwargs = {"episode_id": self.episode_id, "expected_version": self.version}
        return safeguarding.save_missing, (data,), kwargs


# --- referrals out -------------------------------------------------------------------------


class ReferralOutDialog(SafeguardingDialog):
    labels: ClassVar[dict[str, str]] = {
        "service": "Service",
        "sent_on": "Sent on",
        "expected_by": "Answer expected by",
    }

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Refer to a service",
            "A referral to another service. It stays open, with a reminder to chase, until "
            "it is declined (with the reason), completed or withdrawn (with the outcome).",
            "Record referral",
            parent,
        )
        self.service = code_combo(rules.ServiceType.choices())
        self.organisation = QLineEdit()
        self.organisation.setMaxLength(200)
        self.organisation.setPlaceholderText("For example: Northgate Housing Options")
        self.sent_on = date_field(ctx, years_back=1)
        self.expected_by = optional_date(ctx, years_back=1, years_ahead=1)
        self.form.addRow("&Service", self.service)
        self.form.addRow("&Organisation", self.organisation)
        self.form.addRow("Sent &on", self.sent_on)
        self.form.addRow("Answer &expected by", self.expected_by)
        self.form.addRow(
            "",
            quiet_label(
                f"Leave “Not entered” if they gave no date: the reminder to chase comes "
                f"{rules.CHASE_WITHOUT_EXPECTED_DAYS} days after sending."
            ),
        )
        self.resize(640, 340)
        self.service.setFocus()

    def check(self) -> list[str]:
        return ["Service: choose one from the list."] if self.service.currentIndex() < 0 else []

    def submission(self) -> Submission:
        args = (
            self.service.currentData(),
            self.organisation.text(),
            self.sent_on.value() or self.ctx.today(),
            self.expected_by.value(),
        )
        return safeguarding.send_referral_out, args, {}


def referral_title(referral: ServiceReferralView) -> str:
    where = f" ({referral.organisation})" if referral.organisation else ""
    return f"{referral.service.label}{where}, sent {day(referral.sent_on)}"


class ReferralUpdateDialog(SafeguardingDialog):
    labels: ClassVar[dict[str, str]] = {
        "status": "Status",
        "reason": "Why they declined",
        "outcome": "Outcome",
        "chased_on": "Chased on",
    }

    def __init__(
        self, ctx: RecordContext, referral: ServiceReferralView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            "Update a referral out",
            f"<b>{html.escape(referral_title(referral))}</b>. Now: "
            f"{html.escape(referral.status.label.lower())}.",
            "Save",
            parent,
        )
        self.referral_id = referral.id
        self.version = referral.version
        self.status = code_combo(rules.ServiceReferralStatus.choices())
        self.status.setCurrentIndex(self.status.findData(referral.status.value))
        self.reason = text_box(3)
        self.outcome = text_box(3)
        self.chased = QCheckBox("I &chased them today")
        self.form.addRow("&Status", self.status)
        self.form.addRow("&Why they declined", self.reason)
        self.form.addRow("&Outcome", self.outcome)
        self.form.addRow("", self.chased)
        self.status.currentIndexChanged.connect(self._sync)
        self._sync()
        self.resize(640, 380)
        self.status.setFocus()

    def chosen(self) -> rules.ServiceReferralStatus | None:
        code = self.status.currentData()
        return rules.ServiceReferralStatus.parse(code) if code else None

    def _sync(self) -> None:
        status = self.chosen()
        self.reason.setEnabled(status is not None and status.needs_reason)
        self.outcome.setEnabled(status is not None and status.needs_outcome)

    def submission(self) -> Submission:
        status = self.chosen()
        kwargs: dict[str, Any] = {
            "reason": self.reason.toPlainText() if status and status.needs_reason else "",
            "outcome": self.outcome.toPlainText() if status and status.needs_outcome else "",
            "chased_on": self.ctx.today() if self.chased.isChecked() else None,
            "expected_version": self.version,
        }
        args = (self.referral_id, self.status.currentData() or "")
        return _by_id(safeguarding.update_referral_out), args, kwargs


__all__ = [
    "AllegationDialog",
    "AllegationOutcomeDialog",
    "AllegationUpdateDialog",
    "MissingDialog",
    "MomentField",
    "ReferralOutDialog",
    "ReferralUpdateDialog",
    "RiskDialog",
    "SignOffDialog",
    "safeguarding_problem",
]
