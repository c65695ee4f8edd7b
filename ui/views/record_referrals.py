"""The record's "Concerns and referrals" section.

At the top, the history the front door decides with: concerns and referrals in the last
12 months, re-referrals counted, a repeated-concerns alert that cannot be missed, open
risks and allegations, and one line of what needs doing now.

Then each referral, newest first, as a card: when it came and from whom, why, the
decision and its rationale (or AWAITING DECISION with its deadline); for an assessment
when it started, whether the young person was seen (and alone), when it was completed or
the date it is due by (OVERDUE once past), and the team lead's authorisation (team leads
get "Authorise…"); the strategy discussion, the section 47 outcome, and the initial child
protection conference, its due date, or the recorded reason none is needed. "Record
progress…" on each decided referral. A card with anything overdue has a red edge.

Then the child protection plans: when each was made, the core group (due within 10
working days of the conference), the review conferences (the first within 3 months, then
at most every 6; Working Together 2023) and the plan's end, with buttons to record them.

Then the concerns received, newest first, with the decision or "Awaiting decision".

The assessment clock runs for every referral that proceeds (a child and family assessment
or a section 47 enquiry) from the referral's receipt, which for a referral made from a
contact is the contact's receipt, until a team lead authorises the assessment.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.config import council_rules
from casework.db.database import Database
from casework.domain import front_door as rules
from casework.services import child_protection, front_door
from casework.services.child_protection import PlanView
from casework.services.front_door import ConcernView, DecisionHistory, ReferralView
from casework.services.permissions import Actor, Role
from ui.dialogs.referral_dialogs import (
    AuthoriseAssessmentDialog,
    EndPlanDialog,
    PlanMeetingDialog,
    ReferralProgressDialog,
    StartPlanDialog,
    decision_label,
)
from ui.views.record_accommodation import FittedTable
from ui.views.record_common import (
    SECTION_STYLE,
    Clock,
    RecordSection,
    banner,
    clear_layout,
    day,
    fill_section,
    group,
    local,
    paragraphs,
    plural,
    quiet_label,
    set_severity,
    text_label,
    when,
)

CONCERN_COLUMNS = ("Received", "Source", "What was reported", "Decision")
REPORTED_LINES = 3
REPORTED_CHARS = 280
KEY_WIDEST = "Strategy discussion"
ASSESSMENT = rules.ReferralDecision.ASSESSMENT.value
STRATEGY = rules.ReferralDecision.STRATEGY_DISCUSSION.value
_RED = QColor("#a4161a")
_RED_BACK = QColor("#fde8e8")
_AMBER_BACK = QColor("#fff4d6")
REFERRAL_STYLE = """
QFrame#referralCard { background: #ffffff; border: 1px solid #c9d1dc; border-radius: 6px; }
QFrame#referralCard[alarm="overdue"] { border: 2px solid #a4161a; border-left-width: 6px; }
QFrame#referralCard[alarm="warning"] { border: 1px solid #c28a00; border-left-width: 6px; }
QLabel#cardPart { color: #1d3557; font-weight: bold; padding-top: 4px; }
QLabel#cardKey { color: #4b5563; }
QLabel#reReferral {
    background: #fff4d6; color: #7a4d00; border: 1px solid #c28a00; border-radius: 3px;
    padding: 1px 6px; font-weight: bold; }
QLabel#cardValue[severity="overdue"], QLabel#cardValue[severity="warning"] { padding: 1px 4px; }
QLabel#cardValue[severity="warning"] { background: #fff4d6; font-weight: bold; }
"""


@dataclass(frozen=True)
class ReferralsData:
    referrals: list[ReferralView]
    concerns: list[ConcernView]
    history: DecisionHistory
    decision_due: dict[int, date]  # referrals awaiting a decision: the day it is due by
    concern_due: dict[int, date]  # concerns awaiting a decision: the day it is due by
    re_referrals: frozenset[int]  # within 12 months of an earlier referral
    now: datetime
    plans: tuple[PlanView, ...] = ()


def re_referral_ids(referrals: list[ReferralView]) -> frozenset[int]:
    """The referrals made within 12 months of an earlier one (DfE CIN)."""
    found = set()
    for referral in referrals:
        earlier = [
            local(r.received_at).date()
            for r in referrals
            if r.id != referral.id and r.received_at < referral.received_at
        ]
        if rules.is_re_referral(earlier, local(referral.received_at).date()):
            found.add(referral.id)
    return frozenset(found)


# --- words -------------------------------------------------------------------------------


def first_lines(text: str) -> str:
    """The first few lines of what was reported, with "…" when there is more."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    shown = "\n".join(lines[:REPORTED_LINES])
    cut = len(lines) > REPORTED_LINES or len(shown) > REPORTED_CHARS
    shown = shown[:REPORTED_CHARS].rstrip()
    return shown + "…" if cut else shown


def _days_word(days: int) -> str:
    return "today" if days == 0 else plural(days, "day")


def decision_words(referral: ReferralView, due: date | None, today: date) -> tuple[str, str | None]:
    """The decision (HTML) and its severity: None once decided, red when late."""
    if referral.decision is None:
        if due is None:
            return "<b>AWAITING DECISION</b>", "warning"
        late = today > due
        state = f"OVERDUE: was due by {day(due)}" if late else f"due by {day(due)}"
        if due == today:
            state = f"due by the end of today, {day(due)}"
        return (
            f"<b>AWAITING DECISION</b> ({state}). A team lead decides from the front-door queue.",
            "overdue" if late else "warning",
        )
    decided = f" (decided {when(referral.decided_at)})" if referral.decided_at else ""
    text = f"<b>{html.escape(decision_label(referral.decision))}</b>{decided}"
    if referral.rationale:
        text += f"<br>Why: {paragraphs(referral.rationale)}"
    return text, None


def seen_words(referral: ReferralView) -> tuple[str, str | None]:
    p = referral.progress
    if p.seen_alone:
        return "Seen, and seen alone", None
    if p.child_seen:
        return "Seen, not alone", None
    return "Not seen yet", "warning" if p.assessment_started_on else None


def completed_words(referral: ReferralView, today: date) -> tuple[str, str | None]:
    """When the assessment was completed, or when it is due by (OVERDUE once past). The
    clock stops at authorisation, so a completed one still waiting for it can be late."""
    done, due = referral.progress.assessment_completed_on, referral.assessment_due
    if done is not None:
        if due is not None and not referral.authorised and due < today:
            return (
                f"{day(done)}; OVERDUE: not authorised, the 45 working days ended {day(due)}",
                "overdue",
            )
        if due is not None and done > due:
            return f"{day(done)}: late, it was due by {day(due)}", "warning"
        return day(done), None
    if due is None:
        return "Not completed", None
    days = (due - today).days
    if days < 0:
        return f"OVERDUE: not completed, due by {day(due)} ({_days_word(-days)} ago)", "overdue"
    level = "warning" if days <= 7 else None
    return f"Not completed: due by {day(due)} (in {_days_word(days)})", level


def authorised_words(referral: ReferralView, *, is_lead: bool) -> tuple[str, str | None]:
    if referral.progress.assessment_completed_on is None:
        return "Not yet: the assessment is not completed", None
    if referral.authorised:
        on = f" on {day(referral.authorised_on)}" if referral.authorised_on else ""
        return f"Authorised by a team lead{on}", "ok"
    ask = "" if is_lead else ": ask your team lead"
    return f"AWAITING TEAM-LEAD AUTHORISATION{ask}", "warning"


def conference_words(referral: ReferralView, today: date) -> tuple[str, str | None]:
    """The initial child protection conference: held, not needed (why), or due by."""
    p = referral.progress
    if p.icpc_on is not None:
        return f"Held {day(p.icpc_on)}", None
    if p.icpc_not_required_reason:
        return f"Not needed: {p.icpc_not_required_reason}", None
    due = referral.icpc_due
    if due is None:
        return "Not held: due within 15 working days of the strategy discussion", None
    days = (due - today).days
    if days < 0:
        return f"OVERDUE: not held, ICPC due by {day(due)} ({_days_word(-days)} ago)", "overdue"
    level = "warning" if days <= 7 else None
    return f"Not held yet: ICPC due by {day(due)} (in {_days_word(days)})", level


def has_assessment(referral: ReferralView) -> bool:
    p = referral.progress
    recorded = p.assessment_started_on or p.assessment_completed_on or p.child_seen
    proceeds = referral.decision in (ASSESSMENT, STRATEGY)  # s47 has its assessment too
    return proceeds or bool(recorded)


def has_section47(referral: ReferralView) -> bool:
    p = referral.progress
    recorded = p.strategy_discussion_on or p.s47_outcome or p.icpc_on
    return referral.decision == STRATEGY or bool(recorded or p.icpc_not_required_reason)


def card_alarm(referral: ReferralView, due: date | None, today: date) -> str:
    """The card's edge: red when anything on it is overdue, amber when it waits on
    someone (a decision or a team lead's authorisation)."""
    levels = {decision_words(referral, due, today)[1]}
    if has_assessment(referral):
        levels.add(completed_words(referral, today)[1])
        levels.add(authorised_words(referral, is_lead=True)[1])
    if has_section47(referral) and referral.progress.strategy_discussion_on:
        levels.add(conference_words(referral, today)[1])
    if "overdue" in levels:
        return "overdue"
    return "warning" if "warning" in levels else ""


def needs_doing(data: ReferralsData, today: date) -> tuple[str, str]:
    """One line of what needs doing across the referrals, and its severity."""
    alarms = [card_alarm(r, data.decision_due.get(r.id), today) for r in data.referrals]
    awaiting = sum(1 for r in data.referrals if r.decision is None)
    overdue_assessments = sum(
        1
        for r in data.referrals
        if r.assessment_due and not r.authorised and r.assessment_due < today
    )
    overdue_icpc = sum(1 for r in data.referrals if r.icpc_due and r.icpc_due < today)
    to_authorise = sum(
        1 for r in data.referrals if r.progress.assessment_completed_on and not r.authorised
    )
    parts = [
        plural(awaiting, "referral awaiting a decision", "referrals awaiting a decision"),
        plural(overdue_assessments, "assessment overdue", "assessments overdue"),
        plural(
            to_authorise, "assessment awaiting authorisation", "assessments awaiting authorisation"
        ),
        plural(overdue_icpc, "conference overdue", "conferences overdue"),
    ]
    shown = [p for p in parts if not p.startswith("0 ")]
    if not shown:
        return "Nothing on the referrals is waiting or overdue.", "ok"
    level = "overdue" if "overdue" in alarms else "warning"
    return "<b>Needs doing:</b> " + " · ".join(html.escape(p) for p in shown), level


def history_line(data: ReferralsData, today: date) -> str:
    """Concerns and referrals in the last 12 months, with the re-referrals among them."""
    h = data.history
    re_count = sum(
        1
        for r in data.referrals
        if r.id in data.re_referrals
        and rules.referrals_in_last_12_months([local(r.received_at).date()], today)
    )
    line = (
        f"<span style='font-size:12pt'><b>{plural(h.contacts_12_months, 'concern')}</b> and "
        f"<b>{plural(h.referrals_12_months, 'referral')}</b> in the last 12 months</span>"
    )
    if re_count:
        line += f"<span style='font-size:12pt'> · <b>{plural(re_count, 're-referral')}</b></span>"
    return line


def risks_line(history: DecisionHistory) -> str:
    parts = []
    if history.open_risks:
        parts.append("Open risks: " + html.escape(", ".join(str(r) for r in history.open_risks)))
    if history.open_allegations:
        parts.append(
            plural(history.open_allegations, "allegation", "allegations") + " without an outcome"
        )
    if not parts:
        return ""
    return "<b>" + " · ".join(parts) + "</b> (see Safeguarding and risk)"


def repeat_text(alert: str) -> str:
    """The core's repeat alert, worded for the record (not a new concern being decided)."""
    text = alert.replace(", counting this one", "")
    return f"<span style='font-size:12pt'><b>⚠ {html.escape(text)}</b></span>"


# --- widgets -----------------------------------------------------------------------------


class _Table(FittedTable):
    """A fitted table that refits once its stretched columns have their final widths."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__(columns)
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self.fit)
        self.horizontalHeader().sectionResized.connect(lambda *_a: self._refit.start())


def _cell(text: str, *, alarm: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if alarm:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    if alarm == "overdue":
        item.setForeground(QBrush(_RED))
        item.setBackground(QBrush(_RED_BACK))
    elif alarm == "warning":
        item.setBackground(QBrush(_AMBER_BACK))
    return item


def _value(text: str, level: str | None = None, *, rich: bool = False) -> QLabel:
    label = text_label(text, rich=rich)
    label.setObjectName("cardValue")
    if level:
        set_severity(label, level)
    return label


def _key(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("cardKey")
    # One width on every card, so the values line up from card to card.
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(KEY_WIDEST) + 8)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def _part(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("cardPart")
    return label


class ReferralCard(QFrame):
    """One referral: what came in, the decision, and everything after it."""

    def __init__(
        self,
        referral: ReferralView,
        *,
        decision_due: date | None,
        re_referral: bool,
        today: date,
        is_lead: bool,
    ) -> None:
        super().__init__()
        self.referral = referral
        self.setObjectName("referralCard")
        self.setProperty("alarm", card_alarm(referral, decision_due, today))
        self.progress_button: QPushButton | None = None
        self.authorise_button: QPushButton | None = None
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(self._top(re_referral))
        layout.addLayout(self.grid)
        self._row("Why referred", _value(first_lines(referral.reason)))
        words, level = decision_words(referral, decision_due, today)
        self._row("Decision", _value(words, level, rich=True))
        if has_assessment(referral):
            self._assessment(today, is_lead=is_lead)
        if has_section47(referral):
            self._section47(today)

    def _top(self, re_referral: bool) -> QHBoxLayout:
        r = self.referral
        title = text_label(
            f"<span style='font-size:11pt'><b>Referral received {when(r.received_at)}</b>"
            f"</span> · {html.escape(r.source)}",
            rich=True,
        )
        top = QHBoxLayout()
        top.addWidget(title, 1)
        if re_referral:
            badge = QLabel("RE-REFERRAL")
            badge.setObjectName("reReferral")
            badge.setToolTip("Made within 12 months of an earlier referral")
            top.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        if r.decision is not None:
            self.progress_button = QPushButton("Record &progress…")
            self.progress_button.setToolTip(
                "The assessment, strategy discussion, section 47 enquiry and conference"
            )
            top.addWidget(self.progress_button, 0, Qt.AlignmentFlag.AlignTop)
        return top

    def _row(self, key: str, value: QWidget, extra: QWidget | None = None) -> None:
        row = self.grid.rowCount()
        self.grid.addWidget(_key(key), row, 0)
        if extra is None:
            self.grid.addWidget(value, row, 1)
            return
        line = QHBoxLayout()
        line.addWidget(value, 1)
        line.addWidget(extra, 0, Qt.AlignmentFlag.AlignTop)
        self.grid.addLayout(line, row, 1)

    def _heading(self, text: str) -> None:
        self.grid.addWidget(_part(text), self.grid.rowCount(), 0, 1, 2)

    def _assessment(self, today: date, *, is_lead: bool) -> None:
        r = self.referral
        p = r.progress
        self._heading("Assessment: 45 working days from receipt to authorisation")
        started = day(p.assessment_started_on, "Not started")
        self._row("Started", _value(started))
        self._row("Young person", _value(*seen_words(r)))
        self._row("Completed", _value(*completed_words(r, today)))
        words, level = authorised_words(r, is_lead=is_lead)
        waiting = p.assessment_completed_on is not None and not r.authorised
        if is_lead and waiting:
            self.authorise_button = QPushButton("&Authorise…")
        self._row("Authorised", _value(words, level), self.authorise_button)

    def _section47(self, today: date) -> None:
        p = self.referral.progress
        self._heading("Strategy discussion, section 47 and conference")
        awaited = self.referral.decision == STRATEGY
        missing = ("Not recorded yet", "warning") if awaited else ("Not recorded", None)
        if p.strategy_discussion_on is not None:
            self._row("Strategy discussion", _value(day(p.strategy_discussion_on)))
        else:
            self._row("Strategy discussion", _value(*missing))
        self._row("Section 47 outcome", _value(p.s47_outcome or "Not recorded yet"))
        self._row("Conference (ICPC)", _value(*conference_words(self.referral, today)))


# --- the section -------------------------------------------------------------------------


class ReferralsSection(RecordSection):
    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, clock, parent)
        self.setStyleSheet(SECTION_STYLE + REFERRAL_STYLE)
        self._data: ReferralsData | None = None
        self.is_lead = actor.role is Role.TEAM_LEAD
        self.cards: dict[int, ReferralCard] = {}
        fill_section(
            self,
            [
                self.status,
                self._history_box(),
                self._referrals_box(),
                self._plans_box(),
                self._concerns_box(),
            ],
        )

    def _history_box(self) -> QWidget:
        box, layout = group("The last 12 months")
        self.history = text_label(rich=True)
        self.history.setAccessibleName("Concerns and referrals in the last 12 months")
        self.repeat_alert = banner("", "overdue")
        self.repeat_alert.setAccessibleName("Repeated concerns")
        self.repeat_alert.hide()
        self.re_referral_note = banner("", "warning")
        self.re_referral_note.hide()
        self.risks = text_label(rich=True)
        self.to_do = banner("", "ok")
        self.to_do.setAccessibleName("Needs doing")
        self.to_do.hide()
        for widget in (
            self.history,
            self.repeat_alert,
            self.re_referral_note,
            self.risks,
            self.to_do,
        ):
            layout.addWidget(widget)
        return box

    def _referrals_box(self) -> QWidget:
        box, layout = group("Referrals to children's social care")
        self.referral_note = quiet_label()
        self.referral_cards = QVBoxLayout()
        self.referral_cards.setSpacing(10)
        layout.addWidget(self.referral_note)
        layout.addLayout(self.referral_cards)
        return box

    def _plans_box(self) -> QWidget:
        box, layout = group("Child protection plans")
        self.plan_note = quiet_label()
        self.start_plan_button = QPushButton("Record a child protection &plan…")
        self.start_plan_button.clicked.connect(self.start_plan)
        top = QHBoxLayout()
        top.addWidget(self.plan_note, 1)
        top.addWidget(self.start_plan_button, 0, Qt.AlignmentFlag.AlignTop)
        self.plan_cards = QVBoxLayout()
        self.plan_cards.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(self.plan_cards)
        self.plan_widgets: dict[int, PlanCard] = {}
        return box

    def _concerns_box(self) -> QWidget:
        box, layout = group("Concerns received")
        self.concern_button = QPushButton("Record a &concern…")
        self.concern_button.clicked.connect(self.record_concern)
        self.concern_note = quiet_label()
        top = QHBoxLayout()
        top.addWidget(self.concern_note, 1)
        top.addWidget(self.concern_button, 0, Qt.AlignmentFlag.AlignTop)
        self.concern_table = _Table(CONCERN_COLUMNS)
        self.concern_table.setAccessibleName("Concerns received")
        header = self.concern_table.horizontalHeader()
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Stretch,
            )
        ):
            header.setSectionResizeMode(column, mode)
        layout.addLayout(top)
        layout.addWidget(self.concern_table)
        self.concern_table.hide()
        return box

    # --- data -----------------------------------------------------------------------------

    @staticmethod
    def load_data(db: Database, actor: Actor, person_id: int, *, now: datetime) -> ReferralsData:
        referrals = front_door.list_referrals(db, actor, person_id, now=now)
        calendar = council_rules().calendar
        due = {
            r.id: rules.referral_decision_due(local(r.received_at), calendar)
            for r in referrals
            if r.decision is None
        }
        concerns = front_door.list_concerns(db, actor, person_id, now=now)
        concern_due = {
            c.id: rules.contact_decision_due(local(c.received_at), calendar)
            for c in concerns
            if c.decision is None
        }
        return ReferralsData(
            referrals,
            concerns,
            front_door.decision_history(db, actor, person_id, now=now),
            due,
            concern_due,
            re_referral_ids(referrals),
            now,
            tuple(child_protection.list_plans(db, actor, person_id, now=now)),
        )

    @property
    def data(self) -> ReferralsData | None:
        return self._data

    def fill(self, data: ReferralsData) -> None:
        self._data = data
        today = local(data.now).date()
        self._fill_history(data, today)
        self._fill_referrals(data, today)
        self._fill_plans(data, today)
        self._fill_concerns(data, today)

    def clear_content(self) -> None:
        self._data = None
        clear_layout(self.referral_cards)
        self.cards = {}
        clear_layout(self.plan_cards)
        self.plan_widgets = {}
        self.plan_note.clear()
        for label in (
            self.history,
            self.repeat_alert,
            self.re_referral_note,
            self.risks,
            self.to_do,
            self.referral_note,
            self.concern_note,
        ):
            label.clear()
        for label in (self.repeat_alert, self.re_referral_note, self.to_do):
            label.hide()
        self.concern_table.setRowCount(0)
        self.concern_table.hide()

    def _fill_history(self, data: ReferralsData, today: date) -> None:
        self.history.setText(history_line(data, today))
        alert = data.history.repeat_alert
        self.repeat_alert.setText(repeat_text(alert) if alert else "")
        self.repeat_alert.setVisible(bool(alert))
        latest = data.referrals[0] if data.referrals else None
        flagged = latest is not None and latest.id in data.re_referrals
        if latest is not None and flagged:
            self.re_referral_note.setText(
                f"<b>RE-REFERRAL:</b> the latest referral ({day(local(latest.received_at))}) "
                "came within 12 months of an earlier referral."
            )
        self.re_referral_note.setVisible(flagged)
        self.risks.setText(risks_line(data.history))
        self.risks.setVisible(bool(self.risks.text()))
        words, level = needs_doing(data, today) if data.referrals else ("", "ok")
        self.to_do.setText(words)
        set_severity(self.to_do, level)
        self.to_do.setVisible(bool(words))

    def _fill_referrals(self, data: ReferralsData, today: date) -> None:
        clear_layout(self.referral_cards)
        self.cards = {}
        for referral in data.referrals:
            card = ReferralCard(
                referral,
                decision_due=data.decision_due.get(referral.id),
                re_referral=referral.id in data.re_referrals,
                today=today,
                is_lead=self.is_lead,
            )
            if card.progress_button is not None:
                card.progress_button.clicked.connect(
                    lambda _c=False, i=referral.id: self.record_progress(i)
                )
            if card.authorise_button is not None:
                card.authorise_button.clicked.connect(
                    lambda _c=False, i=referral.id: self.authorise(i)
                )
            self.cards[referral.id] = card
            self.referral_cards.addWidget(card)
        self.referral_note.setText("Newest first." if data.referrals else "No referrals recorded.")

    def _fill_plans(self, data: ReferralsData, today: date) -> None:
        clear_layout(self.plan_cards)
        self.plan_widgets = {}
        for plan in data.plans:
            card = PlanCard(plan, today)
            if card.meeting_button is not None:
                card.meeting_button.clicked.connect(
                    lambda _c=False, i=plan.id: self.record_meeting(i)
                )
            if card.end_button is not None:
                card.end_button.clicked.connect(lambda _c=False, i=plan.id: self.end_plan(i))
            self.plan_widgets[plan.id] = card
            self.plan_cards.addWidget(card)
        open_plan = any(p.open for p in data.plans)
        choices = plan_referrals(data)
        self.start_plan_button.setEnabled(not open_plan and bool(choices))
        self.start_plan_button.setToolTip(
            "A plan is already open: end it first."
            if open_plan
            else ""
            if choices
            else "Record the initial child protection conference on a referral first."
        )
        self.plan_note.setText(
            "Newest first. Working Together 2023: the core group meets within 10 working days "
            "of the initial conference; the first review conference within 3 months, then at "
            "most every 6 months."
            if data.plans
            else "No child protection plan recorded."
        )

    def _fill_concerns(self, data: ReferralsData, today: date) -> None:
        concerns = data.concerns
        rows = [
            [
                _cell(when(c.received_at)),
                _cell(c.source),
                _cell(first_lines(c.reported)),
                _concern_decision(c, data.concern_due.get(c.id), today),
            ]
            for c in concerns
        ]
        self.concern_table.setRowCount(len(rows))
        for row, items in enumerate(rows):
            for column, item in enumerate(items):
                self.concern_table.setItem(row, column, item)
        self.concern_table.setVisible(bool(rows))
        self.concern_table.fit()
        self.concern_note.setText(
            "Newest first. A team lead decides each one from the front-door queue."
            if concerns
            else "No concerns recorded."
        )

    # --- actions --------------------------------------------------------------------------

    def _referral(self, referral_id: int) -> ReferralView | None:
        referrals = self._data.referrals if self._data else []
        return next((r for r in referrals if r.id == referral_id), None)

    def record_progress(self, referral_id: int) -> None:
        referral = self._referral(referral_id)
        if referral is not None and referral.decision is not None:
            self.open_dialog(ReferralProgressDialog(self.context(), referral, self))

    def authorise(self, referral_id: int) -> None:
        referral = self._referral(referral_id)
        if referral is not None and self.is_lead:
            self.open_dialog(AuthoriseAssessmentDialog(self.context(), referral, self))

    def _plan(self, plan_id: int) -> PlanView | None:
        plans = self._data.plans if self._data else ()
        return next((p for p in plans if p.id == plan_id), None)

    def start_plan(self) -> None:
        if self._data is None:
            return
        choices = plan_referrals(self._data)
        if choices:
            self.open_dialog(StartPlanDialog(self.context(), choices, self))

    def record_meeting(self, plan_id: int) -> None:
        plan = self._plan(plan_id)
        if plan is not None and plan.open:
            self.open_dialog(PlanMeetingDialog(self.context(), plan, self))

    def end_plan(self, plan_id: int) -> None:
        plan = self._plan(plan_id)
        if plan is not None and plan.open:
            self.open_dialog(EndPlanDialog(self.context(), plan, self))

    def record_concern(self) -> None:
        if self.person_id is None:
            return
        from ui.dialogs.front_door_dialogs import ConcernDialog

        dialog = ConcernDialog(self._db, self._actor, self._clock, self, person_id=self.person_id)
        self.open_dialog(dialog)


def plan_referrals(data: ReferralsData) -> list[ReferralView]:
    """Referrals whose initial conference was held and that have no plan yet."""
    planned = {p.referral_id for p in data.plans}
    return [r for r in data.referrals if r.progress.icpc_on is not None and r.id not in planned]


def review_words(plan: PlanView, today: date) -> tuple[str, str | None]:
    """The review conferences held, and the next one's due date (OVERDUE once past)."""
    held = [m.held_on for m in plan.meetings if m.kind is rules.CpMeetingKind.REVIEW_CONFERENCE]
    done = "Held " + ", ".join(day(d) for d in held) + ". " if held else ""
    due = plan.review_due
    if due is None:
        return done.strip() or "None held", None
    rule = "within 3 months of the initial conference" if not held else "6 months after the last"
    if due < today:
        return f"{done}OVERDUE: the next was due by {day(due)} ({rule})", "overdue"
    level = "warning" if (due - today).days <= 14 else None
    return f"{done}Next due by {day(due)} ({rule})", level


def core_group_words(plan: PlanView, today: date) -> tuple[str, str | None]:
    held = [m.held_on for m in plan.meetings if m.kind is rules.CpMeetingKind.CORE_GROUP]
    if held:
        return "Met " + ", ".join(day(d) for d in held), None
    due = plan.core_group_due
    if due is None:
        return "Not recorded", None
    if due < today:
        return (
            f"OVERDUE: the first meeting was due by {day(due)} (10 working days)",
            "overdue",
        )
    return f"First meeting due by {day(due)} (10 working days)", "warning"


class PlanCard(QFrame):
    """One child protection plan with its meetings and clocks."""

    def __init__(self, plan: PlanView, today: date) -> None:
        super().__init__()
        self.plan = plan
        self.setObjectName("referralCard")
        self.meeting_button: QPushButton | None = None
        self.end_button: QPushButton | None = None
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        top = QHBoxLayout()
        state = "open" if plan.open else f"ended {day(plan.ended_on)}"
        top.addWidget(
            text_label(
                f"<span style='font-size:11pt'><b>Plan made at the conference on "
                f"{day(plan.started_on)}</b></span> · {state}",
                rich=True,
            ),
            1,
        )
        if plan.open:
            self.meeting_button = QPushButton("Record a &meeting…")
            self.end_button = QPushButton("&End the plan…")
            top.addWidget(self.meeting_button, 0, Qt.AlignmentFlag.AlignTop)
            top.addWidget(self.end_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addLayout(grid)
        rows = [("Core group", _value(*core_group_words(plan, today)))]
        rows.append(("Review conferences", _value(*review_words(plan, today))))
        if not plan.open:
            rows.append(("Ended", _value(f"{day(plan.ended_on)}: {plan.end_reason}")))
        levels = set()
        for n, (key, value) in enumerate(rows):
            grid.addWidget(_key(key), n, 0)
            grid.addWidget(value, n, 1)
            levels.add(value.property("severity"))
        alarm = "overdue" if "overdue" in levels else ""
        self.setProperty("alarm", alarm)


def _concern_decision(concern: ConcernView, due: date | None, today: date) -> QTableWidgetItem:
    if concern.decision is None:
        if due is None:
            return _cell("AWAITING DECISION", alarm="warning")
        if today > due:
            return _cell(f"AWAITING DECISION\nOVERDUE: was due by {day(due)}", alarm="overdue")
        return _cell(f"AWAITING DECISION\ndue by {day(due)}", alarm="warning")
    text = concern.decision
    if concern.decided_at is not None:
        text += f" ({day(local(concern.decided_at))})"
    if concern.rationale:
        text += f"\n{first_lines(concern.rationale)}"
    return _cell(text)


__all__ = ["PlanCard", "ReferralCard", "ReferralsData", "ReferralsSection"]
