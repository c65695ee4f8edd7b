"""The record's "Safeguarding and risk" section.

At the top, the open risks (the latest medium or high screening of each type), each a
coloured strip that cannot be missed, a high risk no team lead has signed off saying so
in capitals; team leads get "Sign off…". Under them one line with what else is open.

A screening that lowered a medium or high level shows as its own strip until another team
lead signs it off.

Then, each with its own button to record: allegations (open ones highlighted with the
LADO, the LADO's strategy decision (a meeting only where the criteria are met, or "not
required" with the reason), police, and how long it has been open against KCSIE's
expectations, until a team lead records one of the five outcomes; finished ones in a
table), risk screenings (the history), missing episodes (the count in the last 12 months;
an episode still missing, or without a return interview held within 72 hours of the
return, stays highlighted, and a late one is flagged in red), referrals out (open ones
with their chase date), and concerns and referrals received (counts for now, with
"Record a concern…").
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.config import council_rules
from casework.db.database import Database
from casework.domain import front_door as rules
from casework.services import front_door, safeguarding
from casework.services.front_door import DecisionHistory
from casework.services.permissions import Actor, Role
from casework.services.safeguarding import (
    AllegationView,
    MissingView,
    RiskView,
    ServiceReferralView,
)
from ui.dialogs.safeguarding_dialogs import (
    AllegationDialog,
    AllegationOutcomeDialog,
    AllegationUpdateDialog,
    MissingDialog,
    ReferralOutDialog,
    ReferralUpdateDialog,
    RiskDialog,
    SignOffDialog,
    referral_title,
)
from ui.views.record_accommodation import FittedTable
from ui.views.record_common import (
    Clock,
    RecordSection,
    banner,
    clear_layout,
    day,
    due_words,
    fill_section,
    group,
    local,
    paragraphs,
    plural,
    quiet_label,
    text_label,
    when,
)

RISK_COLUMNS = ("Screened", "Risk", "Level", "Indicators", "Reasoning", "Review by", "Sign-off")
ALLEGATION_COLUMNS = ("Received", "About", "Outcome", "Decided", "Rationale")
MISSING_COLUMNS = (
    "Went missing",
    "Returned",
    "Police",
    "Return interview",
    "Accepted",
    "What was learned",
)
REFERRAL_COLUMNS = ("Service", "Sent", "Answer expected", "Status", "Reason or outcome")
_RED = QColor("#a4161a")
_RED_BACK = QColor("#fde8e8")
_AMBER_BACK = QColor("#fff4d6")
_Item = TypeVar("_Item", AllegationView, RiskView, MissingView, ServiceReferralView)


@dataclass(frozen=True)
class SafeguardingData:
    risks: list[RiskView]
    allegations: list[AllegationView]
    missing: list[MissingView]
    missing_12_months: int
    referrals: list[ServiceReferralView]
    history: DecisionHistory
    now: datetime


# --- words -------------------------------------------------------------------------------


def _is_late(due: datetime, now: datetime) -> bool:
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return aware > due


def risk_strip(risk: RiskView, today: date, *, is_lead: bool) -> tuple[str, str]:
    """An open risk's strip (HTML) and its severity: high red, medium amber."""
    high = risk.level.rank >= 3
    head = f"⚠ {risk.level.label.upper()} RISK: {html.escape(risk.risk_type.label)}"
    lines = [f"<span style='font-size:12pt'><b>{head}</b></span>"]
    if risk.awaiting_sign_off:
        ask = "" if is_lead else ": ask your team lead"
        lines[0] += f" &nbsp;·&nbsp; <b>AWAITING TEAM-LEAD SIGN-OFF</b>{ask}"
    lines.append(paragraphs(risk.reasoning))
    facts = [f"Screened {day(risk.screened_on)} by {html.escape(risk.screened_by)}"]
    if risk.review_on is not None:
        words, level = due_words(risk.review_on, today)
        review = f"Review: {words}"
        facts.append(f"<b>{review}</b>" if level != "info" else review)
    if risk.signed_off_by:
        facts.append(f"signed off by {html.escape(risk.signed_off_by)} {day(risk.signed_off_on)}")
    lines.append(" · ".join(facts))
    return "<br>".join(lines), "overdue" if high else "warning"


def _lado_words(allegation: AllegationView, today: date) -> tuple[str, bool]:
    if allegation.lado_notified_at is not None:
        return f"LADO told {when(allegation.lado_notified_at)}", False
    late = today > allegation.lado_due
    state = "LATE: " if late else ""
    return f"<b>{state}LADO not told yet</b> (due by the end of {day(allegation.lado_due)})", late


def _meeting_words(allegation: AllegationView, now: datetime) -> tuple[str, bool]:
    if allegation.strategy_meeting_at is not None:
        return f"Strategy meeting held {when(allegation.strategy_meeting_at)}", False
    if allegation.strategy_criteria_met is False:
        reason = html.escape(allegation.strategy_not_required_reason)
        return f"Strategy meeting not required (the LADO's decision): {reason}", False
    if allegation.strategy_criteria_met is None:
        told = allegation.lado_notified_at
        if told is None:
            return "LADO's decision on a strategy meeting: once the LADO is told", False
        due = council_rules().calendar.add_working_days(local(told), 1)
        late = local(now).date() > due
        state = "LATE: " if late else ""
        return (
            f"<b>{state}LADO's decision on a strategy meeting not recorded yet</b> (due by "
            f"the end of {day(due)}; a meeting only where the criteria are met)",
            late,
        )
    due = allegation.strategy_meeting_due
    late = _is_late(due, now)
    state = "LATE: " if late else ""
    words = f"{state}strategy meeting not held" if late else "Strategy meeting not held yet"
    return f"<b>{words}</b> (due by {when(due)})", late


def allegation_strip(allegation: AllegationView, now: datetime, today: date) -> tuple[str, str]:
    """An open allegation's strip (HTML) and severity: red when a clock has run out."""
    who = allegation.subject_role.label
    if allegation.subject_description:
        who += f" ({allegation.subject_description})"
    lado, lado_late = _lado_words(allegation, today)
    meeting, meeting_late = _meeting_words(allegation, now)
    police = "Police involved" if allegation.police_involved else "Police not involved"
    lines = [
        f"<span style='font-size:12pt'><b>OPEN ALLEGATION: {html.escape(who)}</b></span>",
        f"Received {when(allegation.received_at)} · no outcome yet",
        paragraphs(allegation.details),
        lado,
        meeting,
        police,
    ]
    if allegation.actions:
        lines.append(f"Actions: {paragraphs(allegation.actions)}")
    stage = allegation.stage
    long_open = stage is not None and bool(stage.passed)
    if stage is not None:
        lines.append(f"<b>{html.escape(stage.text)}</b>" if long_open else html.escape(stage.text))
    late = lado_late or meeting_late or long_open
    return "<br>".join(lines), "overdue" if late else "warning"


def lowered_awaiting(risks: list[RiskView]) -> list[RiskView]:
    """The latest screening of each type, where it lowered a medium or high level and no
    team lead has signed that off yet."""
    latest: dict[rules.RiskType, RiskView] = {}
    for risk in risks:  # newest first
        latest.setdefault(risk.risk_type, risk)
    return [r for r in latest.values() if r.lowered_from is not None and r.awaiting_sign_off]


def lowered_strip(risk: RiskView, *, is_lead: bool) -> str:
    """A lowered level waiting for another team lead's sign-off (HTML)."""
    assert risk.lowered_from is not None
    was, now = risk.lowered_from.label.upper(), risk.level.label.upper()
    ask = (
        ": a team lead other than the one who lowered it signs it off"
        if is_lead
        else ": ask your team lead"
    )
    return (
        f"<span style='font-size:12pt'><b>⚠ {html.escape(risk.risk_type.label)} LOWERED "
        f"FROM {was} TO {now}</b></span> &nbsp;·&nbsp; <b>AWAITING TEAM-LEAD SIGN-OFF</b>"
        f"{ask}<br>{paragraphs(risk.reasoning)}<br>Screened {day(risk.screened_on)} by "
        f"{html.escape(risk.screened_by)}"
    )


def allegation_outcome(allegation: AllegationView) -> str:
    return (allegation.outcome or "").capitalize()


def interview_text(episode: MissingView, now: datetime) -> str:
    """The return interview in a table cell: held in time, held LATE, declined, or not
    held yet (with when it was offered)."""
    due = episode.interview_due
    if episode.ended_at is None or due is None:
        return "Not yet returned"
    offered = (
        f"offered {when(episode.interview_offered_at)}" if episode.interview_offered_at else ""
    )
    if episode.interview_held_at is not None:
        held = f"Held {when(episode.interview_held_at)}"
        if episode.interview_held_in_time is False:
            return f"LATE: {held}, was due by {when(due)}"
        return held
    if episode.interview_accepted is False:
        return f"Declined by the young person ({offered})" if offered else "Declined"
    late = _is_late(due, now)
    state = (
        f"LATE: not held, was due by {when(due)}" if late else f"Not held yet: due by {when(due)}"
    )
    return f"{state} ({offered})" if offered else state


def missing_strip(episode: MissingView, now: datetime) -> tuple[str, str] | None:
    """A strip for an episode that needs something done, or None when it does not."""
    police = (
        "reported to the police" if episode.reported_to_police else "NOT reported to the police"
    )
    if episode.ended_at is None:
        return (
            f"<b>MISSING NOW</b> since {when(episode.started_at)} · {police}. Record the "
            "return when they are back: a return interview is due within 72 hours.",
            "overdue",
        )
    if not episode.interview_owed or episode.interview_due is None:
        return None
    late = _is_late(episode.interview_due, now)
    state = "LATE: return interview not held" if late else "Return interview not held yet"
    if episode.interview_offered_at is not None:
        state += f" (offered {when(episode.interview_offered_at)})"
    return (
        f"<b>{state}</b> (due by {when(episode.interview_due)}). Missing "
        f"{when(episode.started_at)}, returned {when(episode.ended_at)}.",
        "overdue" if late else "warning",
    )


def referral_strip(referral: ServiceReferralView, today: date) -> tuple[str, str]:
    """An open referral out's strip and severity: amber once it is time to chase."""
    facts = [f"<b>{html.escape(referral_title(referral))}</b>"]
    if referral.status is not rules.ServiceReferralStatus.SENT:
        facts.append(referral.status.label)
    if referral.expected_by is not None:
        facts.append(f"answer expected by {day(referral.expected_by)}")
    level = "info"
    if referral.chase_due is not None:
        words, level = due_words(referral.chase_due, today)
        chase = f"Chase: {words}"
        facts.append(f"<b>{chase}</b>" if level != "info" else chase)
    return " · ".join(facts), level


def glance_text(data: SafeguardingData, today: date) -> str:
    """One line of what else is open, under the risks."""
    open_allegations = sum(1 for a in data.allegations if a.open)
    chase = sum(1 for r in data.referrals if r.chase_due is not None and r.chase_due <= today)
    missing_now = sum(1 for m in data.missing if m.ended_at is None)
    parts = [
        plural(open_allegations, "open allegation"),
        f"{plural(data.missing_12_months, 'missing episode')} in the last 12 months",
        plural(sum(1 for r in data.referrals if r.open), "open referral out", "open referrals out"),
        f"{plural(data.history.contacts_12_months, 'concern')} in the last 12 months",
    ]
    if missing_now:
        parts.insert(0, "<b>MISSING NOW</b>")
    if chase:
        parts.insert(3, f"<b>{plural(chase, 'referral')} to chase</b>")
    return " · ".join(parts)


def history_text(history: DecisionHistory) -> str:
    parts = [
        f"{plural(history.contacts_12_months, 'concern')} and "
        f"{plural(history.referrals_12_months, 'referral')} in the last 12 months."
    ]
    if history.re_referral:
        parts.append("<b>The latest referral is a re-referral.</b>")
    if history.repeat_alert:
        parts.append(f"<b>{html.escape(history.repeat_alert)}</b>")
    return " ".join(parts)


class _Table(FittedTable):
    """A fitted table that refits once its stretched columns have their final widths."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__(columns)
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self.fit)
        self.horizontalHeader().sectionResized.connect(lambda *_a: self._refit.start())


def _cell(text: str, *, bold: bool = False, alarm: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if bold or alarm:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    if alarm == "overdue":
        item.setForeground(QBrush(_RED))
        item.setBackground(QBrush(_RED_BACK))
    elif alarm == "warning":
        item.setBackground(QBrush(_AMBER_BACK))
    return item


def _fill_table(table: _Table, rows: list[list[QTableWidgetItem]]) -> None:
    table.setRowCount(len(rows))
    for row, items in enumerate(rows):
        for column, item in enumerate(items):
            table.setItem(row, column, item)
    table.setVisible(bool(rows))
    table.fit()


def _stretch(table: _Table, fitted: tuple[int, ...]) -> None:
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        mode = QHeaderView.ResizeMode
        header.setSectionResizeMode(
            column, mode.ResizeToContents if column in fitted else mode.Stretch
        )


def _strip_row(text: str, level: str, buttons: Sequence[QWidget]) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(banner(text, level), 1)
    column = QVBoxLayout()
    for button in buttons:
        column.addWidget(button)
    column.addStretch(1)
    row.addLayout(column)
    return row


# --- the section -------------------------------------------------------------------------


class SafeguardingSection(RecordSection):
    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, clock, parent)
        self._data: SafeguardingData | None = None
        self.is_lead = actor.role is Role.TEAM_LEAD
        self.sign_off_buttons: dict[int, QPushButton] = {}
        self.update_buttons: dict[int, QPushButton] = {}
        self.outcome_buttons: dict[int, QPushButton] = {}
        self.return_buttons: dict[int, QPushButton] = {}
        self.referral_buttons: dict[int, QPushButton] = {}
        fill_section(
            self,
            [
                self.status,
                self._risks_box(),
                self._allegations_box(),
                self._screenings_box(),
                self._missing_box(),
                self._referrals_box(),
                self._concerns_box(),
            ],
        )

    def _risks_box(self) -> QWidget:
        box, layout = group("Open risks")
        box.setObjectName("openRisks")
        self.risk_strips = QVBoxLayout()
        self.no_risks = banner("", "ok")
        self.glance = text_label(rich=True)
        self.glance.setAccessibleName("Also open")
        layout.addLayout(self.risk_strips)
        layout.addWidget(self.no_risks)
        layout.addWidget(self.glance)
        self.no_risks.hide()
        return box

    def _allegations_box(self) -> QWidget:
        box, layout = group("Allegations against people who work with them")
        self.allegation_button = QPushButton("Record &allegation…")
        self.allegation_button.clicked.connect(self.record_allegation)
        self.allegation_note = quiet_label()
        top = QHBoxLayout()
        top.addWidget(self.allegation_note, 1)
        top.addWidget(self.allegation_button, 0, Qt.AlignmentFlag.AlignTop)
        self.allegation_strips = QVBoxLayout()
        self.allegation_table = _Table(ALLEGATION_COLUMNS)
        self.allegation_table.setAccessibleName("Finished allegations")
        _stretch(self.allegation_table, (0, 1, 2, 3))
        layout.addLayout(top)
        layout.addLayout(self.allegation_strips)
        layout.addWidget(self.allegation_table)
        return box

    def _screenings_box(self) -> QWidget:
        box, layout = group("Risk screenings")
        self.risk_button = QPushButton("&Screen for a risk…")
        self.risk_button.clicked.connect(self.screen_risk)
        self.screening_note = quiet_label()
        top = QHBoxLayout()
        top.addWidget(self.screening_note, 1)
        top.addWidget(self.risk_button, 0, Qt.AlignmentFlag.AlignTop)
        self.screening_table = _Table(RISK_COLUMNS)
        self.screening_table.setAccessibleName("Risk screenings")
        _stretch(self.screening_table, (0, 2, 5))
        layout.addLayout(top)
        layout.addWidget(self.screening_table)
        return box

    def _missing_box(self) -> QWidget:
        box, layout = group("Missing episodes")
        self.missing_button = QPushButton("Record &missing episode…")
        self.missing_button.clicked.connect(self.record_missing)
        self.missing_count = text_label(rich=True)
        top = QHBoxLayout()
        top.addWidget(self.missing_count, 1)
        top.addWidget(self.missing_button, 0, Qt.AlignmentFlag.AlignTop)
        self.missing_strips = QVBoxLayout()
        self.missing_table = _Table(MISSING_COLUMNS)
        self.missing_table.setAccessibleName("Missing episodes")
        _stretch(self.missing_table, (0, 1, 2, 4))
        layout.addLayout(top)
        layout.addLayout(self.missing_strips)
        layout.addWidget(self.missing_table)
        return box

    def _referrals_box(self) -> QWidget:
        box, layout = group("Referrals out to services")
        self.referral_button = QPushButton("Refer to a ser&vice…")
        self.referral_button.clicked.connect(self.refer_out)
        self.referral_note = quiet_label()
        top = QHBoxLayout()
        top.addWidget(self.referral_note, 1)
        top.addWidget(self.referral_button, 0, Qt.AlignmentFlag.AlignTop)
        self.referral_strips = QVBoxLayout()
        self.referral_table = _Table(REFERRAL_COLUMNS)
        self.referral_table.setAccessibleName("Finished referrals out")
        _stretch(self.referral_table, (1, 2, 3))
        layout.addLayout(top)
        layout.addLayout(self.referral_strips)
        layout.addWidget(self.referral_table)
        return box

    def _concerns_box(self) -> QWidget:
        box, layout = group("Concerns and referrals received")
        self.concern_button = QPushButton("Record a &concern…")
        self.concern_button.clicked.connect(self.record_concern)
        self.concern_history = text_label(rich=True)
        top = QHBoxLayout()
        top.addWidget(self.concern_history, 1)
        top.addWidget(self.concern_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(quiet_label("Each concern's decision is made from the front-door queue."))
        return box

    # --- data -----------------------------------------------------------------------------

    @staticmethod
    def load_data(db: Database, actor: Actor, person_id: int, *, now: datetime) -> SafeguardingData:
        missing, count = safeguarding.list_missing(db, actor, person_id, now=now)
        return SafeguardingData(
            safeguarding.list_risks(db, actor, person_id, now=now),
            safeguarding.list_allegations(db, actor, person_id, now=now),
            missing,
            count,
            safeguarding.list_referrals_out(db, actor, person_id, now=now),
            front_door.decision_history(db, actor, person_id, now=now),
            now,
        )

    @property
    def data(self) -> SafeguardingData | None:
        return self._data

    def fill(self, data: SafeguardingData) -> None:
        self._data = data
        today = local(data.now).date()
        self._fill_risks(data, today)
        self._fill_allegations(data.allegations, data.now, today)
        self._fill_screenings(data.risks)
        self._fill_missing(data.missing, data.missing_12_months, data.now)
        self._fill_referrals(data.referrals, today)
        self.concern_history.setText(history_text(data.history))

    def clear_content(self) -> None:
        self._data = None
        for strips in (
            self.risk_strips,
            self.allegation_strips,
            self.missing_strips,
            self.referral_strips,
        ):
            clear_layout(strips)
        for buttons in (
            self.sign_off_buttons,
            self.update_buttons,
            self.outcome_buttons,
            self.return_buttons,
            self.referral_buttons,
        ):
            buttons.clear()
        for label in (
            self.no_risks,
            self.glance,
            self.allegation_note,
            self.screening_note,
            self.missing_count,
            self.referral_note,
            self.concern_history,
        ):
            label.clear()
        self.no_risks.hide()
        for table in (
            self.allegation_table,
            self.screening_table,
            self.missing_table,
            self.referral_table,
        ):
            table.setRowCount(0)
            table.fit()

    @staticmethod
    def _button(
        text: str, store: dict[int, QPushButton], key: int, slot: Callable[[int], None]
    ) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda _c=False: slot(key))
        store[key] = button
        return button

    def _sign_off_widgets(self, risk: RiskView) -> list[QWidget]:
        """A team lead's "Sign off…" for a screening awaiting sign-off: disabled, with the
        reason beside it and as its tooltip, where the core refuses them (they screened or
        changed it: separation of duties)."""
        if not (self.is_lead and risk.awaiting_sign_off):
            return []
        button = self._button("Sign &off…", self.sign_off_buttons, risk.id, self.sign_off)
        if risk.sign_off_refusal is None:
            button.setToolTip("Sign off this screening as a team lead")
            return [button]
        button.setEnabled(False)
        button.setToolTip(risk.sign_off_refusal)
        why = quiet_label(risk.sign_off_refusal)
        why.setWordWrap(True)
        why.setMaximumWidth(220)
        why.setObjectName(f"sign_off_refusal_{risk.id}")
        return [button, why]

    def _fill_risks(self, data: SafeguardingData, today: date) -> None:
        clear_layout(self.risk_strips)
        self.sign_off_buttons.clear()
        current = sorted(safeguarding.current_risks(data.risks), key=lambda r: -r.level.rank)
        for risk in current:
            text, level = risk_strip(risk, today, is_lead=self.is_lead)
            self.risk_strips.addLayout(_strip_row(text, level, self._sign_off_widgets(risk)))
        for risk in lowered_awaiting(data.risks):
            text = lowered_strip(risk, is_lead=self.is_lead)
            self.risk_strips.addLayout(_strip_row(text, "warning", self._sign_off_widgets(risk)))
        if not current:
            self.no_risks.setText(
                "No open risks: no medium or high risk on the latest screening of any type."
                if data.risks
                else "No risk screenings recorded yet."
            )
        self.no_risks.setVisible(not current)
        self.glance.setText(glance_text(data, today))

    def _fill_allegations(
        self, allegations: list[AllegationView], now: datetime, today: date
    ) -> None:
        clear_layout(self.allegation_strips)
        self.update_buttons.clear()
        self.outcome_buttons.clear()
        opened = [a for a in allegations if a.open]
        for allegation in opened:
            text, level = allegation_strip(allegation, now, today)
            buttons = [
                self._button("&Update…", self.update_buttons, allegation.id, self.update_allegation)
            ]
            if self.is_lead:
                buttons.append(
                    self._button(
                        "Record &outcome…", self.outcome_buttons, allegation.id, self.record_outcome
                    )
                )
            self.allegation_strips.addLayout(_strip_row(text, level, buttons))
        finished = [a for a in allegations if not a.open]
        self.allegation_note.setText(self._allegation_note(allegations, opened))
        rows = [
            [
                _cell(when(a.received_at)),
                _cell(
                    a.subject_role.label
                    + (f" ({a.subject_description})" if a.subject_description else "")
                ),
                _cell(allegation_outcome(a), bold=True),
                _cell(f"{day(a.outcome_on)} by {a.outcome_by or '?'}"),
                _cell(a.outcome_rationale),
            ]
            for a in finished
        ]
        _fill_table(self.allegation_table, rows)

    def _allegation_note(
        self, allegations: list[AllegationView], opened: list[AllegationView]
    ) -> str:
        if not allegations:
            return "No allegations recorded."
        if opened and not self.is_lead:
            return "A team lead records the outcome; until then the allegation stays open."
        finished = len(allegations) - len(opened)
        return f"{plural(finished, 'finished allegation')} below." if finished else ""

    def _fill_screenings(self, risks: list[RiskView]) -> None:
        rows = []
        for risk in risks:
            high = risk.level.rank >= 3
            lowered = (
                f" (lowered from {risk.lowered_from.label.lower()})" if risk.lowered_from else ""
            )
            sign_off = (
                f"AWAITING TEAM-LEAD SIGN-OFF{lowered}"
                if risk.awaiting_sign_off
                else (
                    f"{risk.signed_off_by} {day(risk.signed_off_on)}"
                    if risk.signed_off_by
                    else "Not needed"
                )
            )
            rows.append(
                [
                    _cell(day(risk.screened_on)),
                    _cell(risk.risk_type.label),
                    _cell(
                        risk.level.label,
                        alarm="overdue" if high else ("warning" if risk.open else ""),
                    ),
                    _cell("\n".join(risk.indicators) or "None ticked"),
                    _cell(f"{risk.reasoning}\n(by {risk.screened_by})"),
                    _cell(day(risk.review_on, "Not needed")),
                    _cell(sign_off, alarm="overdue" if risk.awaiting_sign_off else ""),
                ]
            )
        self.screening_note.setText(
            "No risk screenings recorded." if not risks else "Every screening, newest first."
        )
        _fill_table(self.screening_table, rows)

    def _fill_missing(self, episodes: list[MissingView], count: int, now: datetime) -> None:
        clear_layout(self.missing_strips)
        self.return_buttons.clear()
        for episode in episodes:
            strip = missing_strip(episode, now)
            if strip is None:
                continue
            label = "Record &return…" if episode.ended_at is None else "Record &interview…"
            button = self._button(label, self.return_buttons, episode.id, self.record_return)
            self.missing_strips.addLayout(_strip_row(strip[0], strip[1], [button]))
        self.missing_count.setText(
            f"<b>{plural(count, 'missing episode')} in the last 12 months</b>"
            if episodes
            else "No missing episodes recorded."
        )
        rows = [
            [
                _cell(when(e.started_at)),
                _cell(
                    when(e.ended_at) if e.ended_at else "STILL MISSING",
                    alarm="" if e.ended_at else "overdue",
                ),
                _cell("Reported" if e.reported_to_police else "Not reported"),
                _cell(interview_text(e, now), alarm=_interview_alarm(e, now)),
                _cell({None: "", True: "Yes", False: "No"}[e.interview_accepted]),
                _cell(e.learned),
            ]
            for e in episodes
        ]
        _fill_table(self.missing_table, rows)

    def _fill_referrals(self, referrals: list[ServiceReferralView], today: date) -> None:
        clear_layout(self.referral_strips)
        self.referral_buttons.clear()
        opened = [r for r in referrals if r.open]
        for referral in opened:
            text, level = referral_strip(referral, today)
            button = self._button(
                "U&pdate…", self.referral_buttons, referral.id, self.update_referral
            )
            self.referral_strips.addLayout(_strip_row(text, level, [button]))
        finished = [r for r in referrals if not r.open]
        self.referral_note.setText(
            "No referrals out recorded."
            if not referrals
            else f"{plural(len(opened), 'open referral')}; "
            f"{plural(len(finished), 'finished referral')} below."
        )
        rows = [
            [
                _cell(r.service.label + (f"\n{r.organisation}" if r.organisation else "")),
                _cell(day(r.sent_on)),
                _cell(day(r.expected_by, "No date given")),
                _cell(r.status.label, bold=not r.status.final),
                _cell(r.reason or r.outcome),
            ]
            for r in finished
        ]
        _fill_table(self.referral_table, rows)

    # --- actions --------------------------------------------------------------------------

    @staticmethod
    def _find(items: Sequence[_Item], item_id: int) -> _Item | None:
        return next((i for i in items if i.id == item_id), None)

    def record_allegation(self) -> None:
        if self.person_id is not None:
            self.open_dialog(AllegationDialog(self.context(), self))

    def update_allegation(self, allegation_id: int) -> None:
        found = self._find(self._data.allegations if self._data else [], allegation_id)
        if isinstance(found, AllegationView):
            self.open_dialog(AllegationUpdateDialog(self.context(), found, self))

    def record_outcome(self, allegation_id: int) -> None:
        found = self._find(self._data.allegations if self._data else [], allegation_id)
        if isinstance(found, AllegationView) and self.is_lead:
            self.open_dialog(AllegationOutcomeDialog(self.context(), found, self))

    def screen_risk(self) -> None:
        if self.person_id is not None:
            self.open_dialog(RiskDialog(self.context(), is_lead=self.is_lead, parent=self))

    def sign_off(self, screening_id: int) -> None:
        found = self._find(self._data.risks if self._data else [], screening_id)
        if isinstance(found, RiskView) and self.is_lead and found.may_sign_off:
            self.open_dialog(SignOffDialog(self.context(), found, self))

    def record_missing(self) -> None:
        if self.person_id is not None:
            self.open_dialog(MissingDialog(self.context(), None, self))

    def record_return(self, episode_id: int) -> None:
        found = self._find(self._data.missing if self._data else [], episode_id)
        if isinstance(found, MissingView):
            self.open_dialog(MissingDialog(self.context(), found, self))

    def refer_out(self) -> None:
        if self.person_id is not None:
            self.open_dialog(ReferralOutDialog(self.context(), self))

    def update_referral(self, referral_id: int) -> None:
        found = self._find(self._data.referrals if self._data else [], referral_id)
        if isinstance(found, ServiceReferralView):
            self.open_dialog(ReferralUpdateDialog(self.context(), found, self))

    def record_concern(self) -> None:
        if self.person_id is None:
            return
        from ui.dialogs.front_door_dialogs import ConcernDialog

        dialog = ConcernDialog(self._db, self._actor, self._clock, self, person_id=self.person_id)
        self.open_dialog(dialog)


def _interview_alarm(episode: MissingView, now: datetime) -> str:
    if episode.interview_held_in_time is False:
        return "overdue"
    if episode.interview_owed:
        due = episode.interview_due
        return "overdue" if due is not None and _is_late(due, now) else "warning"
    return ""


__all__ = ["SafeguardingData", "SafeguardingSection"]
