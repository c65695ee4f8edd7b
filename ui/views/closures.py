"""Closures: the team lead's queue of closure requests, and one request's review beside it.

The queue lists requests longest waiting first (young person, worker, reason, when it was
sent, working days waiting, overrides, status). A request waiting for a team lead for more
than the configured working days (5) is flagged: the whole row is red and bold and the
Waiting column says OVERDUE; the summary line counts them first ("2 WAITING TOO LONG")
and the navigation shows them as a badge. Filters narrow the list by status and worker.

Selecting a row shows its review below the list, on one screen: where it stands and the
two decisions (Approve closure…, Return to worker…) at the top; the checks (failures and
decisions first, then overridden warnings, then the rest, each with its evidence and why
it exists); the overrides with their justifications; the team lead's own decisions (who
holds an open risk, why unsuitable accommodation is accepted) when a check needs them;
the closure summary, the young person's views, the reason, the last five contacts and
the current risks. Evidence that names a record links to it: the record opens in place,
on the tab that holds it.

A team lead may not approve a closure they asked for (separation of duties): Approve is
disabled and says why. Practitioners see their own requests and where each stands.

Everything is read on a worker; ``clear()`` (the idle lock) drops it all, closes any open
dialog and ignores any result still on its way.
"""

from __future__ import annotations

import contextlib
import html
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.db.database import Database
from casework.domain.closure import (
    CheckId,
    CheckResult,
    Outcome,
    risk_holder_examples,
    risk_holder_problem,
)
from casework.domain.closure_state import NOT_LEAD, OWN_REQUEST, Refused, Step
from casework.domain.codes import UnknownCode
from casework.domain.leaving_care import ContactMethod
from casework.services import closure, contacts, safeguarding
from casework.services.closure import ClosureOverview, QueueRow, Status, TeamLeadDecisions
from casework.services.common import Changed
from casework.services.contacts import ContactView
from casework.services.permissions import Action, Actor, Relation, Role, allowed
from casework.services.safeguarding import RiskView
from ui import tasks
from ui.dialogs.closure_review_dialogs import ApproveDialog, ReturnDialog, Reviewing
from ui.dialogs.record_dialogs import text_box
from ui.models.closures_model import (
    OVERRIDES,
    PERSON,
    REASON,
    STATUS,
    STATUS_FILTER_LABELS,
    STATUSES,
    SUBMITTED,
    WAITING,
    WORKER,
    ClosuresModel,
    QueueLoaded,
    counts,
    days_words,
    flag_limit,
    load_queue,
    person_text,
    summary_text,
    worker_choices,
)
from ui.views.list_and_record import ListAndRecord
from ui.views.record_common import (
    NOTHING_SAVED,
    QUIET,
    SECTION_STYLE,
    banner,
    clear_layout,
    day,
    failure_heading,
    group,
    paragraphs,
    problems_of,
    quiet_label,
    scrolling,
    set_severity,
    text_label,
    unexpected,
    when,
)
from ui.widgets.problems import ProblemList
from ui.widgets.tables import list_table, select_table_row, selected_row

Clock = Callable[[], datetime]
_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_SAMPLES = {
    PERSON: "Abcdefghi Abcdefghij (C000000)",
    WORKER: "Abcdefgh Abcdefgh",
    SUBMITTED: "00/00/0000 00:00",
    WAITING: "10 working days · OVERDUE",
    OVERRIDES: "⚠ 2 overrides",
    STATUS: "Waiting for a team lead",
}
RECENT_CONTACTS = 5
LEAD_DECISIONS = {"risk_review": "How the risk will be reviewed", "risk_holder": "Who holds it"}

RED, AMBER, GREEN, GREY, PURPLE = "#a4161a", "#7a4d00", "#1e6b34", "#565e6a", "#6b21a8"
OUTCOME_WORDS = {
    Outcome.FAILED: ("✗ FAILED", RED),
    Outcome.NEEDS_TEAM_LEAD: ("⚠ NEEDS A TEAM LEAD'S DECISION", AMBER),
    Outcome.OVERRIDDEN: ("! OVERRIDDEN", PURPLE),
    Outcome.PASSED: ("✓ Passed", GREEN),
    Outcome.NOT_APPLICABLE: ("– Not needed", GREY),
}
_ATTENTION = (Outcome.FAILED, Outcome.NEEDS_TEAM_LEAD, Outcome.OVERRIDDEN)

STYLE = (
    SECTION_STYLE
    + f"""
QLabel#checkCard {{ padding: 5px 8px; border: 1px solid #d0d5dd; border-left-width: 6px;
    border-radius: 3px; background: #ffffff; }}
QLabel#checkCard[outcome="failed"] {{ border-color: {RED}; background: #fde8e8; }}
QLabel#checkCard[outcome="needs_team_lead"] {{ border-color: #c28a00; background: #fff4d6; }}
QLabel#checkCard[outcome="overridden"] {{ border-color: {PURPLE}; background: #f3e8ff; }}
QLabel#checkCard[outcome="passed"] {{ border-left-color: {GREEN}; }}
QLabel#checkCard[outcome="not_applicable"] {{ border-left-color: #9aa1ab; color: {GREY}; }}
QLabel#checkCard:focus {{ border-color: #f2b600; border-width: 2px; border-left-width: 6px;
    padding: 4px 7px 4px 8px; }}
QLabel#overrideCard {{ padding: 6px 8px; border: 2px solid {PURPLE}; border-left-width: 6px;
    border-radius: 3px; background: #f3e8ff; }}
QGroupBox#decisions {{ border: 2px solid #c28a00; background: #fffaf0; }}
"""
)


# --- reading one request -------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewData:
    """What the review pane shows about one request (read on a worker)."""

    row: QueueRow
    overview: ClosureOverview
    contacts: tuple[ContactView, ...]
    risks: tuple[RiskView, ...]


def load_review(db: Database, actor: Actor, row: QueueRow, now: datetime) -> ReviewData:
    """Runs on a worker: the closure overview (checks run now), the last finalised
    contacts and the current medium or high risks."""
    overview = closure.overview(db, actor, row.person_id, now=now)
    found = contacts.list_contacts(db, actor, row.person_id, now=now)
    recent = tuple(c for c in found if not c.is_draft)[:RECENT_CONTACTS]
    risks = safeguarding.current_risks(safeguarding.list_risks(db, actor, row.person_id, now=now))
    return ReviewData(row, overview, recent, tuple(risks))


# --- wording -------------------------------------------------------------------------------


def is_lead(actor: Actor) -> bool:
    return actor.role is Role.TEAM_LEAD and allowed(
        actor.role, Action.REVIEW_AS_TEAM_LEAD, Relation.OWN_TEAM
    )


def summary_html(rows: Sequence[QueueRow]) -> str:
    """The summary line, with the flagged figure in red when there is any."""
    found = counts(rows)
    text = html.escape(summary_text(found))
    if found.flagged:
        first, rest = text.split(" WAITING TOO LONG", 1)
        return f"<span style='color:{RED};font-weight:bold'>{first} WAITING TOO LONG</span>{rest}"
    return text


def check_order(checks: Sequence[CheckResult]) -> list[CheckResult]:
    """What needs attention first (failed, needs a decision, overridden), then the rest,
    each group in the checks' own order."""
    rank = {outcome: n for n, outcome in enumerate(_ATTENTION)}
    return sorted(checks, key=lambda c: rank.get(c.outcome, len(_ATTENTION)))


def check_tally(checks: Sequence[CheckResult]) -> str:
    """ "12 passed · 1 needs a team lead's decision · 1 overridden"."""
    passed = sum(c.outcome in (Outcome.PASSED, Outcome.NOT_APPLICABLE) for c in checks)
    parts = [f"{passed} passed or not needed"]
    failed = sum(c.outcome is Outcome.FAILED for c in checks)
    needs = sum(c.outcome is Outcome.NEEDS_TEAM_LEAD for c in checks)
    overridden = sum(c.outcome is Outcome.OVERRIDDEN for c in checks)
    if failed:
        parts.insert(0, f"<b style='color:{RED}'>{failed} FAILED</b>")
    if needs:
        parts.insert(
            1 if failed else 0, f"<b style='color:{AMBER}'>{needs} need a team lead's decision</b>"
        )
    if overridden:
        parts.append(f"<b style='color:{PURPLE}'>{overridden} overridden</b>")
    return " · ".join(parts)


def evidence_href(kind: str, record_id: int) -> str:
    return f"evidence:{kind}:{record_id}"


def parse_href(href: str) -> tuple[str, int] | None:
    prefix, _, rest = href.partition(":")
    kind, _, number = rest.rpartition(":")
    if prefix != "evidence" or not kind or not number.isdigit():
        return None
    return kind, int(number)


def check_html(check: CheckResult, *, show_why: bool) -> str:
    esc = html.escape
    words, colour = OUTCOME_WORDS[check.outcome]
    head = (
        f"<b style='color:{colour}'>{esc(words)}</b>&nbsp; "
        f"<b>{esc(check.id.number)}. {esc(check.title)}</b>"
    )
    lines = [head, esc(check.summary)]
    if check.outcome not in _ATTENTION:  # compact: one line where it fits
        summary = f" <span style='color:{QUIET}'>— {esc(check.summary)}</span>"
        lines = [head + summary if check.summary else head]
    if check.outcome is Outcome.OVERRIDDEN and check.justification:
        lines.append(
            f"<b style='color:{PURPLE}'>Worker's justification:</b> “{esc(check.justification)}”"
        )
    for item in check.evidence:
        if item.id is None and item.text.rstrip(".") == check.summary.rstrip("."):
            continue  # says what the summary says
        mark = "✓" if item.ok else "✗"
        tint = GREEN if item.ok else RED
        link = (
            f" &nbsp;<a href='{evidence_href(item.kind, item.id)}'>Open ›</a>"
            if item.id is not None
            else ""
        )
        lines.append(f"<span style='color:{tint}'>{mark}</span> {esc(item.text)}{link}")
    if show_why:
        lines.append(f"<span style='color:{QUIET}'><i>Why: {esc(check.why)}</i></span>")
    return "<br>".join(line for line in lines if line)


def _method(code: str) -> str:
    try:
        return ContactMethod.parse(code).label
    except UnknownCode:
        return code


def contact_html(contact: ContactView) -> str:
    d = contact.details
    if d.successful:
        result = "successful"
        seen = "seen alone" if d.seen_alone else ("seen, not alone" if d.seen else "not seen")
    else:
        result, seen = "<b>not successful</b>", "not seen"
    return (
        f"<b>{html.escape(when(d.occurred_at))}</b> · {html.escape(_method(d.method))} · "
        f"{result} · {seen} · by {html.escape(contact.author)}"
    )


def risk_html(risk: RiskView) -> str:
    colour = RED if risk.level.rank >= 3 else AMBER
    review = f", review by {day(risk.review_on)}" if risk.review_on else ""
    sign = " · <b>awaiting sign-off</b>" if risk.awaiting_sign_off else ""
    return (
        f"<b style='color:{colour}'>{html.escape(risk.risk_type.label)}: "
        f"{html.escape(risk.level.label.lower())}</b> (screened {day(risk.screened_on)}{review})"
        f"{sign}"
    )


def _check(overview: ClosureOverview, check: CheckId) -> CheckResult | None:
    return next((c for c in overview.checks if c.id is check), None)


def _needs(overview: ClosureOverview, check: CheckId) -> bool:
    found = _check(overview, check)
    return found is not None and found.outcome is Outcome.NEEDS_TEAM_LEAD


def _codes(checks: Sequence[CheckResult]) -> str:
    return ", ".join(c.id.number for c in checks)


# --- the review pane -----------------------------------------------------------------------


class ReviewPane(QWidget):
    """One request: where it stands and the decisions, then everything behind them."""

    approve_requested = Signal()
    return_requested = Signal()
    open_requested = Signal()
    evidence_requested = Signal(str)  # a record type to show
    decisions_saved = Signal(object)  # the core's Changed
    loaded = Signal(int)  # a request's review is on screen: its id

    def __init__(self, db: Database, actor: Actor, clock: Clock) -> None:
        super().__init__()
        self._db, self._actor, self._clock = db, actor, clock
        self._lead = is_lead(actor)
        self._generation = 0
        self._saving = False
        self.data: ReviewData | None = None
        self._build()
        self.show_nothing("Select a request to review it.")

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = text_label("", rich=True)
        self.title.setAccessibleName("Request")
        self.waiting = banner("", "overdue")
        self.waiting.setAccessibleName("Waiting")
        self.approve_button = QPushButton("&Approve closure…")
        self.approve_button.setToolTip("Re-enter your password to approve the closure")
        self.approve_button.setStyleSheet("font-weight: bold;")
        self.return_button = QPushButton("Re&turn to worker…")
        self.return_button.setToolTip("Send the request back with what the worker must do")
        self.open_button = QPushButton("Op&en record")
        self.open_button.setToolTip("Open the young person's record in place (Enter)")
        self.approve_reason = quiet_label("")
        self.approve_reason.setAccessibleName("Why Approve is not available")
        self.approve_reason.hide()
        self.approve_button.clicked.connect(self.approve_requested)
        self.return_button.clicked.connect(self.return_requested)
        self.open_button.clicked.connect(self.open_requested)
        for button in (self.approve_button, self.return_button):
            button.setVisible(self._lead)
        self.approve_button.setDefault(True)  # the style's primary look; Enter is not taken
        self.approve_button.setAutoDefault(False)
        heading = QVBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        heading.setSpacing(0)
        heading.addWidget(self.title)
        heading.addWidget(self.approve_reason)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addLayout(heading, 1)
        actions.addWidget(self.approve_button)
        actions.addWidget(self.return_button)
        actions.addWidget(self.open_button)
        self.state = banner("", "info")
        self.state.setAccessibleName("Where the request stands")

        self.checks_box, self.checks_layout = group("Closure checks")
        self.tally = text_label("", rich=True)
        self.checks_layout.addWidget(self.tally)
        self.cards = QVBoxLayout()
        self.cards.setSpacing(4)
        self.checks_layout.addLayout(self.cards)

        self.decisions = self._decisions_box()
        self.overrides_box, self.overrides_layout = group("Overrides")
        self.summary_box, summary_layout = group("Closure summary")
        self.summary_form = QFormLayout()
        self.summary_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.summary_form.setVerticalSpacing(4)
        summary_layout.addLayout(self.summary_form)
        self.views_box, views_layout = group("The young person's views")
        self.views = text_label("", rich=True)
        views_layout.addWidget(self.views)
        self.reason_box, reason_layout = group("Reason")
        self.reason = text_label("", rich=True)
        reason_layout.addWidget(self.reason)
        self.contacts_box, contacts_layout = group("Recent contacts (last 5)")
        self.contacts = text_label("", rich=True)
        contacts_layout.addWidget(self.contacts)
        self.risks_box, risks_layout = group("Current risks (medium or high)")
        self.risks = text_label("", rich=True)
        risks_layout.addWidget(self.risks)

        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.checks_box)
        left_column.addStretch(1)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        for box in (
            self.decisions,
            self.overrides_box,
            self.reason_box,
            self.summary_box,
            self.views_box,
            self.contacts_box,
            self.risks_box,
        ):
            right_column.addWidget(box)
        right_column.addStretch(1)
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 4, 0)
        columns.addWidget(left, 11)
        columns.addWidget(right, 10)
        self.body = scrolling(body)

        self.placeholder = QLabel()
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.placeholder.setContentsMargins(24, 24, 24, 24)
        review = QWidget()
        layout = QVBoxLayout(review)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(actions)
        layout.addWidget(self.waiting)
        layout.addWidget(self.state)
        layout.addWidget(self.body, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(review)
        self.pages.addWidget(self.placeholder)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

    def _decisions_box(self) -> QGroupBox:
        box = QGroupBox("Team lead's decisions (needed before approval)")
        box.setObjectName("decisions")
        column = QVBoxLayout(box)
        column.setSpacing(4)
        self.decision_problems = ProblemList()
        column.addWidget(self.decision_problems)
        self.risk_part = QWidget()
        risk = QFormLayout(self.risk_part)
        risk.setContentsMargins(0, 0, 0, 0)
        risk.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.risk_holder = QLineEdit()
        self.risk_holder.setAccessibleName("Who holds the open risk after closure")
        self.risk_holder.setPlaceholderText("e.g. adult safeguarding, police, another council")
        self.risk_review = text_box(2)
        self.risk_review.setAccessibleName("How the risk will be reviewed")
        self.risk_review.setPlaceholderText("Who reviews it, how and when")
        risk.addRow("4b. &Who holds the open risk after closure:", self.risk_holder)
        risk.addRow("How it will be reviewed:", self.risk_review)
        self.accommodation_part = QWidget()
        accommodation = QFormLayout(self.accommodation_part)
        accommodation.setContentsMargins(0, 0, 0, 0)
        accommodation.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.accommodation_decision = text_box(3)
        self.accommodation_decision.setAccessibleName("Why closing is right despite accommodation")
        self.accommodation_decision.setPlaceholderText(
            "Why closing is right although where they live is unsuitable or not known"
        )
        accommodation.addRow(
            "8. Why closing is right despite the &accommodation:", self.accommodation_decision
        )
        self.save_decisions_button = QPushButton("&Save decisions")
        self.save_decisions_button.clicked.connect(self.save_decisions)
        self.decisions_note = quiet_label("")
        row = QHBoxLayout()
        row.addWidget(self.decisions_note, 1)
        row.addWidget(self.save_decisions_button)
        column.addWidget(self.risk_part)
        column.addWidget(self.accommodation_part)
        column.addLayout(row)
        return box

    # --- showing -------------------------------------------------------------------------

    def show_nothing(self, text: str) -> None:
        self._generation += 1
        self.data = None
        self.placeholder.setText(text)
        self.pages.setCurrentWidget(self.placeholder)

    def load(self, row: QueueRow) -> None:
        """Read ``row``'s request on a worker and show it."""
        self._generation += 1
        generation = self._generation
        if self.data is None or self.data.row.request_id != row.request_id:
            self.placeholder.setText(f"Reading the request for {html.escape(person_text(row))}…")
            self.pages.setCurrentWidget(self.placeholder)
        tasks.run(
            load_review,
            self._db,
            self._actor,
            row,
            self._clock(),
            on_result=lambda data: self._on_loaded(generation, data),
            on_error=lambda exc: self._on_failed(generation, exc),
        )

    def reload(self) -> None:
        if self.data is not None:
            self.load(self.data.row)

    def clear(self) -> None:
        self._generation += 1
        self.data = None
        self._saving = False
        for edit in (self.risk_holder,):
            edit.clear()
        self.risk_review.clear()
        self.accommodation_decision.clear()
        self.decision_problems.set_problems([])
        clear_layout(self.cards)
        clear_layout(self.overrides_layout)
        clear_layout(self.summary_form)
        for label in (self.title, self.waiting, self.state, self.tally, self.views):
            label.clear()
        for label in (self.reason, self.contacts, self.risks):
            label.clear()
        self.placeholder.clear()
        self.pages.setCurrentWidget(self.placeholder)

    def _on_loaded(self, generation: int, data: ReviewData) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self.data = data
        self._fill(data)
        self.pages.setCurrentIndex(0)
        self.loaded.emit(data.row.request_id)

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self.data = None
        self.placeholder.setText(
            f"<b>{html.escape(unexpected(exc))}</b><br>Press F5 to read the queue again."
        )
        self.pages.setCurrentWidget(self.placeholder)

    def is_own(self) -> bool:
        request = self.data.overview.request if self.data else None
        return request is not None and self._actor.user_id in request.author_ids

    def _fill(self, data: ReviewData) -> None:
        overview, row = data.overview, data.row
        request = overview.request
        esc = html.escape
        who = esc(request.requested_by if request else row.worker)
        waiting = ""
        if row.status is Status.PENDING and not row.flagged:
            waiting = f" · waiting <b>{days_words(row.waiting_working_days)}</b>"
        self.title.setText(
            f"<b style='font-size:12pt'>{esc(overview.name)} ({esc(overview.child_uid)})</b>"
            f" · requested by {who}"
            f" · sent {esc(when(row.submitted_at))}{waiting}"
        )
        self._fill_waiting(row)
        self._fill_actions(overview, row)
        self._fill_state(overview)
        self._fill_checks(overview)
        self._fill_decisions(overview)
        self._fill_overrides(overview)
        self._fill_request(overview)
        self.contacts.setText(
            "<br>".join(contact_html(c) for c in data.contacts)
            or "<b>No finalised contacts on the record.</b>"
        )
        self.risks.setText(
            "<br>".join(risk_html(r) for r in data.risks) or "No medium or high risk is open."
        )

    def _fill_waiting(self, row: QueueRow) -> None:
        """A red strip when the request has waited too long; otherwise the title says."""
        if row.status is not Status.PENDING or not row.flagged:
            self.waiting.clear()
            self.waiting.hide()
            return
        days = days_words(row.waiting_working_days)
        self.waiting.setText(
            f"<span style='font-size:11pt'>⚠ <b>WAITING TOO LONG: {days}</b></span> — "
            f"a team lead should decide within {days_words(flag_limit())}."
        )
        self.waiting.show()

    def _fill_actions(self, overview: ClosureOverview, row: QueueRow) -> None:
        """Return and Approve as the core offers them to this person, with its reason
        beside Approve when it is not theirs to give."""
        back = overview.offer(Step.RETURN)
        approve = overview.offer(Step.APPROVE)
        self.return_button.setEnabled(back is not None and back.allowed)
        self.approve_button.setEnabled(approve is not None and approve.allowed)
        if approve is None:
            reason = f"This request is {row.status.label.lower()}: nothing to approve."
        else:
            reason = approve.reason
        own = approve is not None and approve.refused is Refused.OWN_WORK
        self.approve_reason.setText(reason)
        self.approve_reason.setVisible(bool(reason) and (own or not self._lead))
        self.approve_button.setToolTip(reason or "Re-enter your password to approve the closure")

    def _fill_state(self, overview: ClosureOverview) -> None:
        request = overview.request
        esc = html.escape
        if request is None:
            text, level = "This young person has no active closure request.", "info"
        elif request.status is Status.RETURNED:
            by = esc(request.reviewed_by or "a team lead")
            on = esc(when(request.reviewed_at)) if request.reviewed_at else ""
            text = (
                f"<b>Returned to {esc(request.requested_by)}</b> by {by} {on}: "
                f"“{esc(request.review_comments)}”"
            )
            level = "info"
        elif request.status is Status.APPROVED:
            by = esc(request.reviewed_by or "a team lead")
            text = f"<b>Approved</b> by {by}; the case is not closed yet."
            level = "ok"
            if overview.approval_current is False:
                changed = esc(", ".join(overview.changed_since_approval) or "the evidence")
                text += (
                    f"<br><b>The record changed since the approval ({changed}): the approval "
                    "will be void when the worker tries to close.</b>"
                )
                level = "overdue"
        else:
            text, level = self._pending_state(overview)
            if request.void_note:
                text += f"<br>Earlier approval void: {esc(request.void_note)}"
        self.state.setText(text)
        set_severity(self.state, level)

    def _pending_state(self, overview: ClosureOverview) -> tuple[str, str]:
        """What a request waiting for a team lead needs next, and its severity."""
        checks = overview.checks
        approve = overview.offer(Step.APPROVE)
        failed = [c for c in checks if c.outcome is Outcome.FAILED]
        needs = [c for c in checks if c.outcome is Outcome.NEEDS_TEAM_LEAD]
        overridden = [c for c in checks if c.outcome is Outcome.OVERRIDDEN]
        if failed:
            return (
                f"<b>Cannot be approved: {len(failed)} check"
                + (" fails" if len(failed) == 1 else "s fail")
                + f" ({_codes(failed)}).</b> Return it to the worker saying what to do.",
                "overdue",
            )
        if needs:
            return (
                f"<b>Not ready: check {_codes(needs)} needs a team lead's decision.</b> "
                "Record it under “Team lead's decisions”, save, then approve.",
                "warning",
            )
        if approve is not None and approve.refused is Refused.OWN_WORK:
            return (
                "Every check passes, <b>but you wrote or changed this request, so another "
                "team lead must approve it.</b> You may still return it or record decisions.",
                "warning",
            )
        text = "<b>Ready to approve: every check passes.</b>"
        if not self._lead:
            text = "<b>Every check passes</b>: waiting for a team lead to approve."
        if overridden:
            text += (
                f" <b style='color:{PURPLE}'>{len(overridden)} warning"
                + (" was" if len(overridden) == 1 else "s were")
                + " overridden</b>: read the justification before approving."
            )
        return text, "ok"

    def _fill_checks(self, overview: ClosureOverview) -> None:
        clear_layout(self.cards)
        self.tally.setText(check_tally(overview.checks))
        self.checks_box.setTitle(f"Closure checks (run against {day(overview.checked_on)})")
        for check in check_order(overview.checks):
            card = QLabel()
            card.setObjectName("checkCard")
            card.setProperty("outcome", check.outcome.value)
            card.setWordWrap(True)
            card.setTextFormat(Qt.TextFormat.RichText)
            card.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            )
            attention = check.outcome in _ATTENTION
            card.setText(check_html(check, show_why=attention))
            card.setToolTip(f"Why this check: {check.why}")
            card.setAccessibleName(f"Check {check.id.number}: {OUTCOME_WORDS[check.outcome][0]}")
            card.linkActivated.connect(self._on_link)
            self.cards.addWidget(card)

    def _fill_decisions(self, overview: ClosureOverview) -> None:
        request = overview.request
        decisions = request.decisions if request else TeamLeadDecisions()
        risk = _needs(overview, CheckId.OPEN_RISKS) or bool(decisions.risk_holder)
        place = _needs(overview, CheckId.ACCOMMODATION) or bool(decisions.accommodation_decision)
        self.decisions.setVisible(risk or place)
        self.risk_part.setVisible(risk)
        self.accommodation_part.setVisible(place)
        self.decision_problems.set_problems([])
        self.risk_holder.setText(decisions.risk_holder)
        # Adult safeguarding is offered as an example only for adults (Care Act 2014 s42).
        self.risk_holder.setPlaceholderText(
            f"e.g. {risk_holder_examples(overview.age if overview.age is not None else 18)}"
        )
        self.risk_review.setPlainText(decisions.risk_review)
        self.accommodation_decision.setPlainText(decisions.accommodation_decision)
        decide = overview.offer(Step.DECIDE)  # the core: pending, and theirs to decide
        editable = decide is not None and decide.allowed
        for widget in (self.risk_holder, self.risk_review, self.accommodation_decision):
            widget.setReadOnly(not editable)
        self.save_decisions_button.setVisible(editable)
        self.save_decisions_button.setEnabled(editable and not self._saving)
        needed = _needs(overview, CheckId.OPEN_RISKS) or _needs(overview, CheckId.ACCOMMODATION)
        if needed:
            self.decisions.setTitle("Team lead's decisions — needed before approval")
        else:
            self.decisions.setTitle("Team lead's decisions (recorded)")
        by = request.decisions_by if request else None
        self.decisions_note.setText(f"Recorded by {by}." if by else "")

    def _fill_overrides(self, overview: ClosureOverview) -> None:
        clear_layout(self.overrides_layout)
        overrides = overview.request.overrides if overview.request else ()
        self.overrides_box.setVisible(bool(overrides))
        self.overrides_box.setTitle(
            f"⚠ Overrides ({len(overrides)}): warnings the worker went ahead with"
        )
        esc = html.escape
        for item in overrides:
            number = ""
            with contextlib.suppress(ValueError):
                number = CheckId(item.check_id).number + ". "
            card = text_label(
                f"<b style='color:{PURPLE}'>! OVERRIDDEN — {esc(number)}{esc(item.title)}</b><br>"
                f"“{paragraphs(item.justification)}”<br>"
                f"<span style='color:{QUIET}'>Justified by {esc(item.recorded_by)}, "
                f"{esc(when(item.recorded_at))}</span>",
                rich=True,
            )
            card.setObjectName("overrideCard")
            self.overrides_layout.addWidget(card)

    def _fill_request(self, overview: ClosureOverview) -> None:
        request = overview.request
        clear_layout(self.summary_form)
        if request is None:
            for box in (self.summary_box, self.views_box, self.reason_box):
                box.hide()
            return
        data = request.data
        parts = (
            ("Why the case was open", data.why_open),
            ("What changed", data.what_changed),
            ("Agencies staying involved", data.agencies_involved),
            ("If concerns come back", data.if_concerns_return),
        )
        for title, text in parts:
            label = text_label(
                paragraphs(text) if text.strip() else "<b style='color:#a4161a'>Missing</b>",
                rich=True,
            )
            heading = QLabel(f"<b>{html.escape(title)}</b>")
            self.summary_form.addRow(heading, label)
        views = data.young_person_views
        self.views.setText(
            f"“{paragraphs(views)}”"
            if views.strip()
            else f"<b style='color:{RED}'>Not recorded</b>"
        )
        extra = []
        if data.reason_date:
            extra.append(f"Date: {day(data.reason_date)}")
        if data.receiving_body.strip():
            extra.append(f"Taken over by: {html.escape(data.receiving_body)}")
        self.reason.setText(
            f"<b>{html.escape(request.reason_label)}</b>"
            + ("<br>" + "<br>".join(extra) if extra else "")
        )
        for box in (self.summary_box, self.views_box, self.reason_box):
            box.show()

    def _on_link(self, href: str) -> None:
        found = parse_href(href)
        if found is not None:
            self.evidence_requested.emit(found[0])

    # --- the team lead's decisions -------------------------------------------------------

    def decisions_typed(self) -> TeamLeadDecisions:
        return TeamLeadDecisions(
            risk_holder=self.risk_holder.text() if self.risk_part.isVisibleTo(self) else "",
            risk_review=self.risk_review.toPlainText() if self.risk_part.isVisibleTo(self) else "",
            accommodation_decision=self.accommodation_decision.toPlainText()
            if self.accommodation_part.isVisibleTo(self)
            else "",
        )

    def save_decisions(self) -> None:
        data = self.data
        if data is None or data.overview.request is None or self._saving:
            return
        typed = self.decisions_typed()
        problems = []
        if self.risk_part.isVisibleTo(self) and not (
            typed.risk_holder.strip() and typed.risk_review.strip()
        ):
            problems.append(
                "4b: say who holds the open risk after closure and how it will be reviewed."
            )
        age = data.overview.age
        refused = (
            risk_holder_problem(typed.risk_holder, age)
            if age is not None and self.risk_part.isVisibleTo(self)
            else None
        )
        if refused:
            problems.append(f"4b: {refused}")
        if self.accommodation_part.isVisibleTo(self) and not typed.accommodation_decision.strip():
            problems.append("8: say why closing is right despite the accommodation.")
        if problems:
            self.decision_problems.set_problems(problems, NOTHING_SAVED)
            return
        self._saving = True
        self.save_decisions_button.setEnabled(False)
        generation = self._generation
        tasks.run(
            closure.record_decisions,
            self._db,
            self._actor,
            data.overview.request.id,
            typed,
            now=self._clock(),
            expected_version=data.overview.request.version,
            on_result=lambda changed: self._on_decisions_saved(generation, changed),
            on_error=lambda exc: self._on_decisions_failed(generation, exc),
        )

    def _on_decisions_saved(self, generation: int, changed: Changed) -> None:
        if not isValid(self):
            return
        self._saving = False
        self.save_decisions_button.setEnabled(True)
        if generation != self._generation:
            return
        self.decision_problems.set_problems([])
        self.decisions_saved.emit(changed)
        self.reload()

    def _on_decisions_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._saving = False
        self.save_decisions_button.setEnabled(True)
        if generation == self._generation:
            self.decision_problems.set_problems(
                problems_of(exc, LEAD_DECISIONS), failure_heading(exc)
            )

    def reviewing(self) -> Reviewing | None:
        data = self.data
        request = data.overview.request if data is not None else None
        if data is None or request is None:
            return None
        overview = data.overview
        return Reviewing(
            request.id,
            f"{overview.name} ({overview.child_uid})",
            request.reason_label,
            request.requested_by,
            len(request.overrides),
            request.version,
        )


# --- the queue -----------------------------------------------------------------------------


class ClosuresView(QWidget):
    open_record = Signal(int)
    #: A record type to show on the young person's record (``person id``, ``kind``).
    open_evidence = Signal(int, str)
    #: Requests waiting too long (a navigation badge, team leads only); -1 once cleared.
    overdue_changed = Signal(int)
    loaded = Signal(int)  # a load of the queue finished: how many requests
    review_loaded = Signal(int)  # a request's review is on screen: its id
    message = Signal(str)
    record_changed = Signal(object)  # approved, returned or decided (None: what is not known)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db, self._actor, self._clock = db, actor, clock
        self._lead = is_lead(actor)
        self._generation = 0
        self._loading = False
        self._reselect: int | None = None
        self._resetting = False
        self._notice_after_load: str | None = None
        self.dialog: QDialog | None = None
        self.model = ClosuresModel(self)
        if not self._lead:
            self.model.set_filters(None, None)
        self.setStyleSheet(STYLE)
        self._build()
        self._connect()
        self.refresh()

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("Closures")
        title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.summary = QLabel("Checking the queue…")
        self.summary.setObjectName("closuresSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setStyleSheet("font-size: 11pt;")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addSpacing(16)
        heading.addWidget(self.summary, 1, Qt.AlignmentFlag.AlignBaseline)
        self.notice = banner("", "ok")
        self.notice.hide()

        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        status_label = QLabel("&Status:")
        status_label.setBuddy(self.status)
        self.worker = QComboBox()
        self.worker.setAccessibleName("Worker")
        self.worker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        worker_label = QLabel("&Worker:")
        worker_label.setBuddy(self.worker)
        whose = "in your teams" if self._lead else "you sent; a team lead approves or returns them"
        intro = quiet_label(
            f"Requests {whose}, longest waiting first. Over "
            f"{days_words(flag_limit())} waiting is overdue."
        )
        bar = QHBoxLayout()
        bar.addWidget(status_label)
        bar.addWidget(self.status)
        bar.addSpacing(12)
        bar.addWidget(worker_label)
        bar.addWidget(self.worker)
        bar.addSpacing(12)
        for widget in (worker_label, self.worker):
            widget.setVisible(self._lead)  # a practitioner sees only their own requests
        bar.addWidget(intro, 1)
        self._fill_status_filter([])
        self._fill_worker_filter()

        self.table = list_table(self.model)
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        for column, sample in _SAMPLES.items():  # flagged rows are bold: about 10% wider
            header.resizeSection(column, int(metrics.horizontalAdvance(sample) * 1.1) + 20)
        header.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.table.setAccessibleName("Closure requests, longest waiting first")
        self.table.installEventFilter(self)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(24, 24, 24, 24)
        self.list_pages = QStackedWidget()
        self.list_pages.addWidget(self.table)
        self.list_pages.addWidget(self.empty)

        self.review = ReviewPane(self._db, self._actor, self._clock)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #d0d5dd;")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list_pages)
        self.splitter.addWidget(self.review)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        rows = self.table.verticalHeader().defaultSectionSize()
        self.list_pages.setMinimumHeight(rows * 3 + 8)
        self.splitter.setSizes([rows * 6 + header.height() + 8, 600])

        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(heading)
        layout.addWidget(self.notice)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        for first, second in itertools.pairwise(
            [
                self.table,
                self.status,
                self.worker,
                self.review.approve_button,
                self.review.return_button,
                self.review.open_button,
            ]
        ):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.table)
        self._show_empty("<p>Checking the queue…</p>")

    def _connect(self) -> None:
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.status.activated.connect(lambda _i: self._apply_filters())
        self.worker.activated.connect(lambda _i: self._apply_filters())
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._after_reset)
        self.review.approve_requested.connect(self.approve_selected)
        self.review.return_requested.connect(self.return_selected)
        self.review.open_requested.connect(self.open_selected)
        self.review.evidence_requested.connect(self._on_evidence)
        self.review.decisions_saved.connect(self._decisions_saved)
        self.review.loaded.connect(self.review_loaded)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh).setWhatsThis(
            "Closures: read the requests again"
        )

    # --- filters -------------------------------------------------------------------------

    def _fill_status_filter(self, rows: Sequence[QueueRow]) -> None:
        current = self.model.status_filter
        found = counts(rows)
        numbers = {
            Status.PENDING: found.pending,
            Status.RETURNED: found.returned,
            Status.APPROVED: found.approved,
        }
        self.status.clear()
        for status in STATUSES:
            label = STATUS_FILTER_LABELS[status]
            if status is Status.PENDING and found.flagged:
                label += f" ({numbers[status]:,}, {found.flagged:,} OVERDUE)"
            else:
                label += f" ({numbers[status]:,})"
            self.status.addItem(label, status.value)
        self.status.addItem(f"Any status ({len(rows):,})", None)
        wanted = current.value if current is not None else None
        self.status.setCurrentIndex(max(0, self.status.findData(wanted)))

    def _fill_worker_filter(self) -> None:
        current = self.model.worker_filter
        rows = self.model.rows_for_status()
        self.worker.clear()
        self.worker.addItem(f"Every worker ({len(rows):,})", None)
        for choice in worker_choices(rows):
            self.worker.addItem(f"{choice.name} ({choice.count:,})", choice.worker_id)
        found = self.worker.findData(current) if current is not None else 0
        self.worker.setCurrentIndex(max(0, found))

    def _apply_filters(self) -> None:
        code = self.status.currentData()
        status = Status(code) if code else None
        worker = self.worker.currentData()
        if status != self.model.status_filter:
            self.model.set_filters(status, self.model.worker_filter)
            self._fill_worker_filter()  # its counts follow the status
            worker = self.worker.currentData()
        self.model.set_filters(status, worker)

    def set_status_filter(self, status: Status | None) -> None:
        self.status.setCurrentIndex(max(0, self.status.findData(status.value if status else None)))
        self._apply_filters()

    def set_worker_filter(self, worker_id: int | None) -> None:
        self.worker.setCurrentIndex(max(0, self.worker.findData(worker_id)))
        self._apply_filters()

    # --- public --------------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def leads(self) -> bool:
        return self._lead

    def refresh(self) -> None:
        """Read the queue again (on a worker): after a decision, F5, or another screen."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        if self.model.rowCount() == 0:
            self._show_empty("<p>Checking the queue…</p>")
        tasks.run(
            load_queue,
            self._db,
            self._actor,
            self._clock(),
            on_result=lambda loaded: self._on_loaded(generation, loaded),
            on_error=lambda exc: self._on_failed(generation, exc),
        )

    def refresh_list(self) -> None:
        self.refresh()

    def clear(self) -> None:
        """Drop everything (idle lock); a load still running is ignored when it lands."""
        self._generation += 1
        self._loading = False
        self._reselect = None
        self._notice_after_load = None
        self._close_dialog()
        self.model.clear()
        self.review.clear()
        self.summary.setText("")
        self.notice.clear()
        self.notice.hide()
        self.empty.clear()
        self.status.clear()
        self.worker.clear()
        self.overdue_changed.emit(-1)

    def selected_row(self) -> QueueRow | None:
        row = selected_row(self.table)
        return None if row is None else self.model.row_at(row)

    def select_row(self, row: int) -> None:
        select_table_row(self.table, row, PERSON)

    def select_request(self, request_id: int) -> bool:
        row = self.model.row_of(request_id)
        if row is None:
            return False
        self.select_row(row)
        return True

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_record.emit(row.person_id)

    def approve_selected(self) -> ApproveDialog | None:
        reviewing = self.review.reviewing()
        if reviewing is None or not self.review.approve_button.isEnabled():
            return None
        dialog = ApproveDialog(self._db, self._actor, self._clock, reviewing, self)
        dialog.saved.connect(
            lambda _changed: self._decided(
                f"Closure of <b>{html.escape(reviewing.person)}</b> approved. The worker can "
                "now close the case from its Closure tab.",
                "Closure approved.",
            )
        )
        self._show_dialog(dialog)
        return dialog

    def return_selected(self) -> ReturnDialog | None:
        reviewing = self.review.reviewing()
        if reviewing is None or not self.review.return_button.isEnabled():
            return None
        dialog = ReturnDialog(self._db, self._actor, self._clock, reviewing, self)
        dialog.saved.connect(
            lambda _changed: self._decided(
                f"The request for <b>{html.escape(reviewing.person)}</b> went back to "
                f"{html.escape(reviewing.requested_by)} with your comments.",
                "Returned to the worker.",
            )
        )
        self._show_dialog(dialog)
        return dialog

    # --- dialogs -------------------------------------------------------------------------

    def _show_dialog(self, dialog: QDialog) -> None:
        self._close_dialog()
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and isValid(dialog):
            dialog.reject()
            dialog.deleteLater()

    def _decided(self, notice: str, message: str) -> None:
        self._notice_after_load = notice
        self.message.emit(message)
        self.record_changed.emit(None)
        self.refresh()

    def _decisions_saved(self, changed: Changed) -> None:
        self.message.emit("Decisions saved.")
        self.record_changed.emit(changed)

    def _on_evidence(self, kind: str) -> None:
        data = self.review.data
        if data is not None:
            self.open_evidence.emit(data.row.person_id, kind)

    # --- reacting ------------------------------------------------------------------------

    def _on_loaded(self, generation: int, loaded: QueueLoaded) -> None:
        if not isValid(self) or generation != self._generation:
            return  # gone, cleared, or superseded by a newer load
        self._loading = False
        self._fill_status_filter(loaded.rows)
        self.model.set_rows(loaded.rows, loaded.today)
        self._fill_worker_filter()
        self.summary.setText(summary_html(loaded.rows))
        flagged = counts(loaded.rows).flagged if self._lead else 0
        self.overdue_changed.emit(flagged)
        self.loaded.emit(len(loaded.rows))

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._loading = False
        text = html.escape(unexpected(exc))
        self.summary.setText(text)
        if self.model.rowCount() == 0:
            self._show_empty(f"<p><b>{text}</b></p><p>Press F5 to try again.</p>")

    def _remember_selection(self) -> None:
        if self._reselect is None:
            row = self.selected_row()
            self._reselect = row.request_id if row is not None else None

    def _after_reset(self) -> None:
        if self.model.rowCount():
            self.list_pages.setCurrentIndex(0)
        elif self.model.today is not None:
            self._show_empty(self._empty_text())
        wanted, self._reselect = self._reselect, None
        row = self.model.row_of(wanted) if wanted is not None else None
        if row is None and self.model.rowCount():
            row = 0  # the longest waiting
        if row is not None:
            self._resetting = True
            try:
                self.select_row(row)
            finally:
                self._resetting = False
        notice, self._notice_after_load = self._notice_after_load, None
        if notice is not None:
            self.notice.setText(notice)
            self.notice.show()
        self._on_selection(force=True)  # the request may have changed: read it again

    def _empty_text(self) -> str:
        if self.model.all_rows():
            return "<p><b>No request matches these filters.</b></p>"
        return (
            "<p><b>No closure requests.</b></p><p>A request appears here as soon as a worker "
            "asks for a case to close, from the record's Closure tab.</p>"
        )

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.list_pages.setCurrentIndex(1)

    def _on_selection(self, *, force: bool = False) -> None:
        if self._resetting:
            return
        row = self.selected_row()
        if row is None:
            self.review.show_nothing(
                "Select a request to review it." if self.model.rowCount() else ""
            )
            return
        data = self.review.data
        showing = data is not None and self.review.pages.currentIndex() == 0
        if not force and showing and data is not None and data.row == row:
            return
        self.review.load(row)

    def _open_row(self, row: int) -> None:
        found = self.model.row_at(row)
        if found is not None:
            self.open_record.emit(found.person_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _OPEN_KEYS and self.table.currentIndex().isValid():
                self._open_row(self.table.currentIndex().row())
                return True
        return super().eventFilter(watched, event)


class ClosuresSection(ListAndRecord):
    """The closure queue with its review, and a young person's record in its place when
    one is opened (from a row, or from a piece of evidence: on the tab that holds it)."""

    shows = "closures"  # casework.services.work_lists.WorkList.CLOSURES

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        self.closures = ClosuresView(db, actor, clock)
        super().__init__(db, actor, clock, self.closures, "← &Back to closures", parent)
        self.closures.open_evidence.connect(self.open_evidence)

    def open_evidence(self, person_id: int, kind: str) -> None:
        """Open the record, then the tab holding ``kind`` records when the record view
        knows how (``RecordView.show_section_for``)."""
        self.open_person(person_id)
        show = getattr(self.record, "show_section_for", None)
        if callable(show):
            show(kind)


__all__ = [
    "NOT_LEAD",
    "OWN_REQUEST",
    "ClosuresSection",
    "ClosuresView",
    "ReviewData",
    "ReviewPane",
    "check_html",
    "check_order",
    "load_review",
    "parse_href",
    "summary_html",
]
