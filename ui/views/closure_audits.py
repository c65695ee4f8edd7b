"""Closure audits, for team leads: the month's sample of approved closures and where each
audit stands; one audit, its form beside the closed record as it stood on the closure
date (read-only); and the moderation view (agreement between first and second auditors,
per domain and per auditor, and one moderated audit's grades side by side).

An auditor writes their own audit; a second, moderating auditor cannot see the first
auditor's grades until they submit their own (the service enforces it and this screen only
shows what the service returns). A disagreement is resolved with agreed grades and a note.
An audit that finds a closure unsafe recommends reopening: a team lead of the young
person's team reopens the case (through the closure workflow's own reopen step) or
records why not. Learning actions go to the worker's "My work" and are marked done here
or there.

Everything is read and written on a worker; ``clear()`` (the idle lock) drops it all.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.audit_sampling import (
    COMPARED,
    AuditDomain,
    AuditState,
    Grade,
    compared_label,
)
from casework.domain.calendar import add_months
from casework.domain.closure import Outcome
from casework.services import closure_audit
from casework.services.closure_audit import (
    ActionInput,
    AuditDetail,
    AuditRow,
    JudgementInput,
    JudgementView,
    RecordAtClosure,
    SampleSummary,
)
from casework.services.permissions import Actor
from ui import tasks
from ui.views.record_common import (
    SECTION_STYLE,
    banner,
    day,
    problems_of,
    scrolling,
    set_severity,
    text_label,
    when,
)

Clock = Callable[[], datetime]
RED, GREEN, AMBER, GREY = "#a4161a", "#1e6b34", "#7a4d00", "#565e6a"
COLUMNS = (
    "Young person",
    "Closed",
    "Why sampled",
    "Auditor",
    "Second auditor",
    "Where it stands",
    "Overall",
    "Safe?",
    "Reopening",
)
_REOPEN_WORDS = {
    "": "",
    "recommended": "RECOMMENDED: a team lead to decide",
    "reopened": "Reopened",
    "declined": "Not reopened (reason recorded)",
}
_KIND_WORDS = {"first": "First audit", "second": "Second (moderating) audit", "agreed": "Agreed"}


def _fail(widget: QLabel, exc: BaseException) -> None:
    widget.setText(html.escape(" ".join(problems_of(exc, {}))))
    set_severity(widget, "overdue")
    widget.show()


def _safe_words(safe: bool | None) -> str:
    return "—" if safe is None else ("Yes" if safe else "NO")


# --- the list --------------------------------------------------------------------------------


def summary_text(sample: SampleSummary | None, rows: Sequence[AuditRow]) -> str:
    """One line: the sample, its seed, and how many audits stand where."""
    if sample is None:
        return "No closures have been sampled yet: draw a sample for a month that has ended."
    states = closure_audit.counts_by_state(rows)
    parts = [
        f"{sample.period_start:%d/%m/%Y} to {sample.period_end:%d/%m/%Y}: {sample.sampled} of "
        f"{sample.population} approved closures sampled (seed {sample.seed}), "
        f"{sample.moderated} for a second audit"
    ]
    parts += [f"{n} {state.label.lower()}" for state, n in states.items() if n]
    return " · ".join(parts)


class SampleDialog(QDialog):
    """Draw a sample: the period's first month and, optionally, a seed."""

    def __init__(self, parent: QWidget | None, default_month: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draw a closure audit sample")
        self.month = QLineEdit(default_month)
        self.month.setAccessibleName("Month (YYYY-MM)")
        self.seed = QLineEdit()
        self.seed.setAccessibleName("Seed (optional)")
        self.seed.setPlaceholderText("chosen at random and recorded")
        form = QFormLayout()
        form.addRow("&Month (YYYY-MM):", self.month)
        form.addRow("&Seed (optional):", self.seed)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Draw sample")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                "Samples every approved closure in the period: 10% at random (at least one), "
                "every closure with an override, and every closure with exploitation or "
                "missing risk open in the year before it. The seed is recorded, so the same "
                "sample can be drawn again."
            )
        )
        layout.addLayout(form)
        layout.addWidget(buttons)


class ChoiceDialog(QDialog):
    """Choose one person from a list (assigning an auditor)."""

    def __init__(self, parent: QWidget | None, title: str, choices: Sequence[tuple[int, str]]):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.combo = QComboBox()
        self.combo.setAccessibleName(title)
        for uid, name in choices:
            self.combo.addItem(name, uid)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        label = QLabel(f"&{title}:")
        label.setBuddy(self.combo)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addWidget(buttons)


class TextDialog(QDialog):
    """A short piece of writing (a reason, a note), required."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QPlainTextEdit(text)
        self.text.setAccessibleName(prompt)
        self.text.setTabChangesFocus(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        label = QLabel(f"&{prompt}")
        label.setBuddy(self.text)
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(520, 260)

    def value(self) -> str:
        return self.text.toPlainText()


class AuditList(QWidget):
    """The samples and their audits."""

    open_audit = Signal(int)
    show_moderation = Signal()
    message = Signal(str)

    def __init__(self, db: Database, actor: Actor, clock: Clock) -> None:
        super().__init__()
        self._db, self._actor, self._clock = db, actor, clock
        self._generation = 0
        self.rows: list[AuditRow] = []
        self.samples: list[SampleSummary] = []
        self.auditors: list[tuple[int, str]] = []
        title = QLabel("<h2>Closure audits</h2>")
        self.summary = text_label("Loading…")
        self.summary.setAccessibleName("Sample summary")
        self.status = banner("", "info")
        self.status.hide()
        self.sample = QComboBox()
        self.sample.setAccessibleName("Sample")
        sample_label = QLabel("&Sample:")
        sample_label.setBuddy(self.sample)
        self.draw_button = QPushButton("&Draw a sample…")
        self.moderation_button = QPushButton("&Moderation and agreement")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Sampled closures")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Short columns take their content's width, so "Safe?" and "Reopening" are never
        # cut; "Why sampled" and "Overall" have a fixed share (the full text is in the
        # tooltip) and the person can widen them.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for name, width in (("Why sampled", 170), ("Overall", 120)):
            column = COLUMNS.index(name)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        # "Reopening" takes the rest: its first word (RECOMMENDED, decided ...) always shows.
        header.setSectionResizeMode(COLUMNS.index("Reopening"), QHeaderView.ResizeMode.Stretch)
        self.open_button = QPushButton("&Open audit")
        self.assign_button = QPushButton("Assign &auditor…")
        self.second_button = QPushButton("Assign s&econd auditor…")
        bar = QHBoxLayout()
        bar.addWidget(sample_label)
        bar.addWidget(self.sample, 1)
        bar.addWidget(self.draw_button)
        bar.addWidget(self.moderation_button)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addWidget(self.assign_button)
        actions.addWidget(self.second_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.sample.currentIndexChanged.connect(self._fill)
        self.draw_button.clicked.connect(self._draw)
        self.moderation_button.clicked.connect(self.show_moderation)
        self.open_button.clicked.connect(self._open)
        self.table.doubleClicked.connect(lambda _index: self._open())
        self.assign_button.clicked.connect(lambda: self._assign(second=False))
        self.second_button.clicked.connect(lambda: self._assign(second=True))
        self.table.itemSelectionChanged.connect(self._enable)
        for key in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.setWhatsThis("Closure audits: open the chosen closure's audit")
            shortcut.activated.connect(self._open)
        self.setFocusProxy(self.table)
        self._enable()

    # --- loading ---

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        tasks.run(
            _load_list,
            self._db,
            self._actor,
            self._clock(),
            on_result=lambda found: self._loaded(generation, found),
            on_error=lambda exc: self._error(generation, exc),
        )

    def _loaded(self, generation: int, found: Any) -> None:
        if generation != self._generation or not isValid(self):
            return
        self.samples, self.rows, self.auditors = found
        current = self.sample.currentData()
        self.sample.blockSignals(True)
        self.sample.clear()
        for s in self.samples:
            self.sample.addItem(
                f"{s.period_start:%B %Y}"
                + (
                    f" to {s.period_end:%B %Y}"
                    if (s.period_start.year, s.period_start.month)
                    != (s.period_end.year, s.period_end.month)
                    else ""
                )
                + f" ({s.sampled} sampled)",
                s.id,
            )
        found_at = self.sample.findData(current)
        self.sample.setCurrentIndex(found_at if found_at >= 0 else 0)
        self.sample.blockSignals(False)
        self._fill()

    def _error(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation and isValid(self):
            _fail(self.status, exc)

    def selected_sample(self) -> SampleSummary | None:
        sid = self.sample.currentData()
        return next((s for s in self.samples if s.id == sid), None)

    def visible_rows(self) -> list[AuditRow]:
        sample = self.selected_sample()
        return [r for r in self.rows if sample is not None and r.sample_id == sample.id]

    def _fill(self) -> None:
        rows = self.visible_rows()
        self.summary.setText(summary_text(self.selected_sample(), rows))
        self.table.setRowCount(len(rows))
        for n, r in enumerate(rows):
            values = (
                f"{r.name} ({r.child_uid})",
                r.closed_on.strftime("%d/%m/%Y"),
                r.reasons_label,
                r.auditor or "Not assigned",
                (r.moderator or "Not assigned") if r.moderated else "—",
                r.state.label,
                r.overall.label if r.overall else "—",
                _safe_words(r.safe),
                _REOPEN_WORDS[r.reopen],
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                item.setToolTip(r.reason_detail if column == 2 else value)
                if (column == 7 and r.safe is False) or (column == 8 and r.reopen == "recommended"):
                    item.setForeground(Qt.GlobalColor.darkRed)
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(n, column, item)
        if rows and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._enable()

    def current(self) -> AuditRow | None:
        row = self.table.currentRow()
        rows = self.visible_rows()
        return rows[row] if 0 <= row < len(rows) else None

    def _enable(self) -> None:
        row = self.current()
        self.open_button.setEnabled(row is not None)
        self.assign_button.setEnabled(row is not None)
        self.second_button.setEnabled(row is not None and row.moderated)

    # --- actions ---

    def _open(self) -> None:
        row = self.current()
        if row is not None:
            self.open_audit.emit(row.id)

    def _draw(self) -> None:
        month = add_months(local_today(self._clock()).replace(day=1), -1)
        dialog = SampleDialog(self, f"{month:%Y-%m}")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        seed_text = dialog.seed.text().strip()
        try:
            seed = int(seed_text) if seed_text else None
            chosen = closure_audit.parse_month(dialog.month.text())
        except ValueError:
            _fail(self.status, ValueError("The seed must be a whole number."))
            return
        except Exception as exc:  # the service's plain refusal
            _fail(self.status, exc)
            return
        tasks.run(
            closure_audit.draw_sample,
            self._db,
            self._actor,
            chosen,
            now=self._clock(),
            seed=seed,
            on_result=self._drawn,
            on_error=lambda exc: _fail(self.status, exc),
        )

    def _drawn(self, summary: SampleSummary) -> None:
        if not isValid(self):
            return
        self.status.setText(
            html.escape(
                f"Sample drawn: {summary.sampled} of {summary.population} approved closures "
                f"(seed {summary.seed})."
            )
        )
        set_severity(self.status, "ok")
        self.status.show()
        self.refresh()

    def _assign(self, *, second: bool) -> None:
        row = self.current()
        if row is None:
            return
        title = "Second auditor" if second else "Auditor"
        dialog = ChoiceDialog(self, title, self.auditors)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        tasks.run(
            closure_audit.assign,
            self._db,
            self._actor,
            row.id,
            dialog.combo.currentData(),
            now=self._clock(),
            second=second,
            expected_version=row.version,
            on_result=lambda _c: self._assigned(),
            on_error=lambda exc: _fail(self.status, exc),
        )

    def _assigned(self) -> None:
        if isValid(self):
            self.status.hide()
            self.refresh()

    def clear(self) -> None:
        self._generation += 1
        self.rows, self.samples = [], []
        self.table.setRowCount(0)


def _load_list(
    db: Database, actor: Actor, now: datetime
) -> tuple[list[SampleSummary], list[AuditRow], list[tuple[int, str]]]:
    samples = closure_audit.samples(db, actor, now=now)
    rows = closure_audit.list_audits(db, actor, now=now)
    people = [(a.id, a.name) for a in closure_audit.auditors(db, actor, now=now)]
    return samples, rows, people


# --- the record as it stood ------------------------------------------------------------------


def record_html(rec: RecordAtClosure) -> str:
    """The closed record on the closure date: the request, the approval, the team lead's
    decisions, the overrides, the checks as approved, and the chronology up to that day."""
    esc = html.escape
    out = [
        f"<h3>{esc(rec.name)} ({esc(rec.child_uid)})</h3>",
        f"<p><b>Closed {day(rec.closed_on)}</b>: {esc(rec.reason)}.<br>"
        f"Asked for by {esc(rec.requested_by)} on {esc(when(rec.requested_at))}; "
        + (
            f"approved by {esc(rec.approved_by)} on {esc(when(rec.approved_at))}."
            if rec.approved_by and rec.approved_at
            else "no approval recorded."
        )
        + "</p>",
        "<h4>The closure request</h4>",
    ]
    for heading, text in rec.request_text:
        if text:
            out.append(f"<p><b>{esc(heading)}:</b> {esc(text)}</p>")
    if rec.team_lead_decisions:
        out.append("<h4>The team lead's decisions</h4>")
        for heading, text in rec.team_lead_decisions:
            out.append(f"<p><b>{esc(heading)}:</b> {esc(text)}</p>")
    out.append(f"<h4>Overrides ({len(rec.overrides)})</h4>")
    if not rec.overrides:
        out.append("<p>None.</p>")
    for o in rec.overrides:
        out.append(
            f"<p style='color:#6b21a8'><b>! {esc(o.check)}</b> — overridden by "
            f"{esc(o.recorded_by)}: “{esc(o.justification)}”</p>"
        )
    out.append("<h4>The closure checks as approved</h4>")
    if not rec.checks:
        out.append("<p>No evidence snapshot was recorded with the approval.</p>")
    for c in rec.checks:
        mark = {
            Outcome.PASSED: ("✓", GREEN),
            Outcome.NOT_APPLICABLE: ("–", GREY),
            Outcome.OVERRIDDEN: ("!", "#6b21a8"),
        }.get(c.outcome, ("✗", RED))
        out.append(
            f"<div><span style='color:{mark[1]}'><b>{mark[0]}</b></span> "
            f"{esc(c.id.number)}. {esc(c.title)} <span style='color:{GREY}'>— "
            f"{esc(c.summary)}</span></div>"
        )
    out.append(f"<h4>Chronology to {day(rec.closed_on)} ({len(rec.chronology)} events)</h4>")
    for e in rec.chronology:
        by = f" <span style='color:{GREY}'>({esc(e.by)})</span>" if e.by else ""
        detail = f"<br>{esc(e.detail)}" if e.detail else ""
        out.append(f"<p><b>{e.on:%d/%m/%Y}</b> {esc(e.kind.label)}: {esc(e.title)}{by}{detail}</p>")
    return "".join(out)


def judgement_html(j: JudgementView) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(g.domain.label)}</td><td><b>{esc(g.grade.label if g.grade else '—')}"
        f"</b></td><td>{esc(g.evidence)}</td></tr>"
        for g in j.grades
    )
    safe = _safe_words(j.safe)
    note = f"<p><b>Why not safe:</b> {esc(j.safety_note)}</p>" if j.safety_note else ""
    state = f"submitted {when(j.submitted_at)}" if j.submitted_at else "DRAFT"
    return (
        f"<h4>{esc(_KIND_WORDS[j.kind])} by {esc(j.auditor)} ({esc(state)})</h4>"
        f"<p><b>Overall:</b> {esc(j.overall.label if j.overall else '—')} · "
        f"<b>Was the closure safe?</b> {esc(safe)}</p>{note}"
        f"<table cellpadding='3' border='1' style='border-collapse:collapse'>{rows}</table>"
        + (f"<p>{esc(j.summary)}</p>" if j.summary else "")
    )


# --- the audit form ---------------------------------------------------------------------------


class DomainField(QWidget):
    """One domain: its name, grade and the evidence behind it, on one line."""

    def __init__(self, domain: AuditDomain) -> None:
        super().__init__()
        self.domain = domain
        self.label = QLabel(f"<b>{html.escape(domain.label)}</b>")
        self.label.setWordWrap(True)
        self.label.setFixedWidth(170)
        self.grade = QComboBox()
        self.grade.setAccessibleName(f"{domain.label}: grade")
        self.grade.addItem("Choose a grade", "")
        for g in Grade:
            self.grade.addItem(g.label, g.value)
        self.grade.setFixedWidth(210)
        self.label.setBuddy(self.grade)
        self.evidence = QPlainTextEdit()
        self.evidence.setAccessibleName(f"{domain.label}: evidence")
        self.evidence.setPlaceholderText("Evidence from the record")
        self.evidence.setTabChangesFocus(True)
        self.evidence.setFixedHeight(46)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.grade)
        layout.addWidget(self.evidence, 1)

    def set(self, grade: Grade | None, evidence: str) -> None:
        self.grade.setCurrentIndex(max(0, self.grade.findData(grade.value if grade else "")))
        self.evidence.setPlainText(evidence)


class AuditForm(QWidget):
    """The auditor's form (or, in ``resolve`` mode, the agreed grades and a note)."""

    def __init__(self, owners: Sequence[tuple[int, str]], today: date) -> None:
        super().__init__()
        self.today = today
        self.domains = [DomainField(d) for d in AuditDomain]
        self.overall = QComboBox()
        self.overall.setAccessibleName("Overall grade")
        self.overall.addItem("Choose a grade", "")
        for g in Grade:
            self.overall.addItem(g.label, g.value)
        self.safe = QComboBox()
        self.safe.setAccessibleName("Was the closure safe?")
        for text, value in (("Not answered", None), ("Yes", True), ("No", False)):
            self.safe.addItem(text, value)
        self.safety_note = QPlainTextEdit()
        self.safety_note.setAccessibleName("Why the closure was not safe")
        self.safety_note.setPlaceholderText(
            "If not safe: why (this goes to the team lead with the recommendation to reopen)"
        )
        self.safety_note.setTabChangesFocus(True)
        self.safety_note.setFixedHeight(48)
        self.summary = QPlainTextEdit()
        self.summary.setAccessibleName("Summary of the audit")
        self.summary.setTabChangesFocus(True)
        self.summary.setFixedHeight(48)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("How the disagreement was resolved")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(48)
        self.note_label = QLabel("How it was &agreed:")
        self.note_label.setBuddy(self.note)
        self.learning_actions: list[ActionInput] = []
        self.action_list = text_label("No learning actions yet.")
        self.action_text = QLineEdit()
        self.action_text.setAccessibleName("Learning action")
        self.action_text.setPlaceholderText("A learning action for the worker")
        self.action_owner = QComboBox()
        self.action_owner.setAccessibleName("Learning action owner")
        self.action_owner.setMinimumWidth(170)
        for uid, name in owners:
            self.action_owner.addItem(name, uid)
        self.action_due = QDateEdit()
        self.action_due.setAccessibleName("Learning action due date")
        self.action_due.setDisplayFormat("dd/MM/yyyy")
        self.action_due.setCalendarPopup(True)
        self.action_due.setDate(QDate(today.year, today.month, today.day).addDays(28))
        self.add_action = QPushButton("Add &learning action")
        self.add_action.clicked.connect(self._add_action)
        top = QFormLayout()
        overall_label = QLabel("O&verall grade:")
        overall_label.setBuddy(self.overall)
        safe_label = QLabel("Was the closure sa&fe?")
        safe_label.setBuddy(self.safe)
        top.addRow(overall_label, self.overall)
        top.addRow(safe_label, self.safe)
        top.addRow("Why not safe:", self.safety_note)
        top.addRow("Summary:", self.summary)
        action_row = QHBoxLayout()
        owner_label = QLabel("O&wner:")
        owner_label.setBuddy(self.action_owner)
        due_label = QLabel("D&ue:")
        due_label.setBuddy(self.action_due)
        action_row.addWidget(owner_label)
        action_row.addWidget(self.action_owner, 1)
        action_row.addWidget(due_label)
        action_row.addWidget(self.action_due)
        action_row.addWidget(self.add_action)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        for field in self.domains:
            layout.addWidget(field)
        layout.addLayout(top)
        layout.addWidget(self.note_label)
        layout.addWidget(self.note)
        layout.addWidget(QLabel("<b>Learning actions</b> (created when submitted)"))
        layout.addWidget(self.action_list)
        layout.addWidget(self.action_text)
        layout.addLayout(action_row)
        self.set_resolving(False)

    def set_resolving(self, resolving: bool) -> None:
        self.note_label.setVisible(resolving)
        self.note.setVisible(resolving)

    def load(self, j: JudgementView | None) -> None:
        for field in self.domains:
            grade = next((g for g in j.grades if g.domain is field.domain), None) if j else None
            field.set(grade.grade if grade else None, grade.evidence if grade else "")
        self.overall.setCurrentIndex(
            max(0, self.overall.findData(j.overall.value if j and j.overall else ""))
        )
        self.safe.setCurrentIndex({None: 0, True: 1, False: 2}[j.safe if j else None])
        self.safety_note.setPlainText(j.safety_note if j else "")
        self.summary.setPlainText(j.summary if j else "")
        self.learning_actions = []
        self._show_actions()

    def _add_action(self) -> None:
        text = self.action_text.text().strip()
        if not text:
            self.action_text.setFocus()
            return
        due = self.action_due.date()
        self.learning_actions.append(
            ActionInput(
                text, self.action_owner.currentData(), date(due.year(), due.month(), due.day())
            )
        )
        self.action_text.clear()
        self._show_actions()

    def _show_actions(self) -> None:
        if not self.learning_actions:
            self.action_list.setText("No learning actions yet.")
            return
        names = {
            self.action_owner.itemData(i): self.action_owner.itemText(i)
            for i in range(self.action_owner.count())
        }
        self.action_list.setText(
            "\n".join(
                f"• {a.description} — {names.get(a.owner_id, '?')}, due {a.due_on:%d/%m/%Y}"
                if a.due_on
                else a.description
                for a in self.learning_actions
            )
        )

    def value(self) -> JudgementInput:
        return JudgementInput(
            grades={
                f.domain.value: (f.grade.currentData() or "", f.evidence.toPlainText())
                for f in self.domains
            },
            overall=self.overall.currentData() or "",
            safe=self.safe.currentData(),
            safety_note=self.safety_note.toPlainText(),
            summary=self.summary.toPlainText(),
            actions=tuple(self.learning_actions),
        )


class AuditPage(QWidget):
    """One audit: the record as it stood on the left, the audit on the right."""

    back = Signal()
    changed = Signal()

    def __init__(self, db: Database, actor: Actor, clock: Clock) -> None:
        super().__init__()
        self._db, self._actor, self._clock = db, actor, clock
        self._generation = 0
        self.detail: AuditDetail | None = None
        self.owners: list[tuple[int, str]] = []
        self.back_button = QPushButton("← &Back to closure audits")
        self.back_button.clicked.connect(self.back)
        self.title = text_label("", rich=True)
        self.record = QTextBrowser()
        self.record.setAccessibleName("The record as it stood on the closure date (read-only)")
        self.record.setOpenLinks(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.record_heading = QLabel("<b>The record on the closure date (read-only)</b>")
        left_layout.addWidget(self.record_heading)
        left_layout.addWidget(self.record, 1)
        self.status = banner("", "info")
        self.status.hide()
        self.where = text_label("", rich=True)
        self.others = QTextBrowser()
        self.others.setAccessibleName("Submitted audits you may see")
        self.others.setMinimumHeight(170)
        self.form = AuditForm([], local_today(clock()))
        self.form_box = QGroupBox("Your audit")
        form_layout = QVBoxLayout(self.form_box)
        form_layout.setContentsMargins(4, 4, 4, 4)
        form_layout.addWidget(self.form)
        self.save_button = QPushButton("&Save draft")
        self.submit_button = QPushButton("Submi&t audit")
        self.resolve_button = QPushButton("&Resolve the disagreement…")
        self.reopen_button = QPushButton("Re&open the case…")
        self.decline_button = QPushButton("Do &not reopen…")
        self.done_button = QPushButton("Mark a learning action &done…")
        self.actions_label = text_label("", rich=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.resolve_button)
        buttons.addStretch(1)
        reopen_row = QHBoxLayout()
        reopen_row.addWidget(self.reopen_button)
        reopen_row.addWidget(self.decline_button)
        reopen_row.addWidget(self.done_button)
        reopen_row.addStretch(1)
        right_page = QWidget()
        right_layout = QVBoxLayout(right_page)
        right_layout.setContentsMargins(4, 0, 4, 0)
        right_layout.addWidget(self.where)
        right_layout.addWidget(self.status)
        right_layout.addLayout(reopen_row)
        right_layout.addWidget(self.actions_label)
        right_layout.addWidget(self.others, 1)
        right_layout.addWidget(self.form_box)
        right_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(scrolling(right_page))
        splitter.setSizes([470, 700])
        splitter.setChildrenCollapsible(False)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.save_button.clicked.connect(lambda: self._save(submit=False))
        self.submit_button.clicked.connect(lambda: self._save(submit=True))
        self.resolve_button.clicked.connect(self._resolve)
        self.reopen_button.clicked.connect(self._reopen)
        self.decline_button.clicked.connect(self._decline)
        self.done_button.clicked.connect(self._done)
        back_key = QShortcut(QKeySequence("Escape"), self)
        back_key.activated.connect(self.back.emit)
        back_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back_key.setWhatsThis("Closure audits: back to the list of sampled closures")
        self._resolving = False

    def show_audit(self, audit_id: int, owners: Sequence[tuple[int, str]]) -> None:
        self.owners = list(owners)
        self._generation += 1
        generation = self._generation
        self.status.hide()
        self.title.setText("Loading…")
        tasks.run(
            closure_audit.audit_detail,
            self._db,
            self._actor,
            audit_id,
            now=self._clock(),
            on_result=lambda d: self._loaded(generation, d),
            on_error=lambda exc: _fail(self.status, exc),
        )

    def _loaded(self, generation: int, detail: AuditDetail) -> None:
        if generation != self._generation or not isValid(self):
            return
        self.detail = detail
        rec = detail.record
        esc = html.escape
        self.title.setText(
            f"<b>Audit of the closure of {esc(rec.name)} ({esc(rec.child_uid)})</b>, closed "
            f"{day(rec.closed_on)}"
        )
        self.record.setHtml(record_html(rec))
        reasons = "; ".join(r.label for r in detail.reasons)
        people = f"Auditor: <b>{esc(detail.auditor or 'not assigned')}</b>"
        if detail.moderated:
            people += f" · second auditor: <b>{esc(detail.moderator or 'not assigned')}</b>"
        hidden = (
            f"<br><i>{len(detail.hidden)} other audit(s) hidden until you submit yours "
            "(the second audit is blind).</i>"
            if detail.hidden
            else ""
        )
        differ = (
            "<br><b style='color:#a4161a'>Auditors disagree on: "
            + esc(", ".join(compared_label(k) for k in detail.disagreements))
            + "</b>"
            if detail.disagreements
            else ""
        )
        resolved = (
            f"<br>Resolved by {esc(detail.resolved_by or '?')}: {esc(detail.resolution_note)}"
            if detail.resolution_note
            else ""
        )
        self.where.setText(
            f"<b>{esc(detail.state.label)}</b> · sampled: {esc(reasons)} "
            f"({esc(detail.reason_detail)})<br>{people}{hidden}{differ}{resolved}"
        )
        self._show_reopen(detail)
        others = [
            j for j in detail.judgements if j.kind != detail.my_kind(self._actor) or j.submitted_at
        ]
        self.others.setHtml(
            "".join(judgement_html(j) for j in others) or "<p>No audit submitted yet.</p>"
        )
        self.others.setVisible(bool(others))
        mine = detail.mine(self._actor)
        writable = detail.my_kind(self._actor) is not None and (
            mine is None or mine.submitted_at is None
        )
        self._resolving = False
        self.form.set_resolving(False)
        self._set_owners(detail)
        self.form.load(mine)
        self.form_box.setTitle("Your audit" if writable else "Audit form")
        self.form_box.setVisible(writable)
        self.save_button.setVisible(writable)
        self.submit_button.setVisible(writable)
        self.submit_button.setText("Submi&t audit")
        self.resolve_button.setVisible(detail.state is AuditState.DISAGREEMENT)

    def _set_owners(self, detail: AuditDetail) -> None:
        rec = detail.record
        owners = [(rec.requested_by_id, f"{rec.requested_by} (the worker)")]
        owners += [(uid, name) for uid, name in self.owners if uid != rec.requested_by_id]
        self.form.action_owner.clear()
        for uid, name in owners:
            self.form.action_owner.addItem(name, uid)

    def _show_reopen(self, detail: AuditDetail) -> None:
        esc = html.escape
        # Whoever asked for or approved the closure is told why they do not decide.
        deciding = detail.reopen == "recommended" and not detail.reopen_excluded
        self.reopen_button.setVisible(deciding)
        self.decline_button.setVisible(deciding)
        lines = []
        if detail.reopen:
            colour = RED if detail.reopen == "recommended" else GREY
            lines.append(
                f"<b style='color:{colour}'>Reopening: {esc(_REOPEN_WORDS[detail.reopen])}</b>"
                f" — {esc(detail.reopen_reason)}"
            )
            if detail.reopen == "recommended" and detail.reopen_excluded:
                lines.append(f"<i>{esc(detail.reopen_excluded)}</i>")
            if detail.reopen_declined_note:
                lines.append(f"Not reopened because: {esc(detail.reopen_declined_note)}")
        today = local_today(self._clock())
        for a in detail.actions:
            state = (
                f"done {a.done_on:%d/%m/%Y}: {esc(a.done_note)}"
                if a.done_on
                else ("<b style='color:#a4161a'>OVERDUE</b>" if a.overdue(today) else "open")
            )
            lines.append(
                f"• {esc(a.description)} — {esc(a.owner)}, due {a.due_on:%d/%m/%Y} ({state})"
            )
        self.actions_label.setText("<br>".join(lines))
        self.actions_label.setVisible(bool(lines))
        self.done_button.setVisible(any(a.done_on is None for a in detail.actions))

    # --- writing ---

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        tasks.run(
            fn,
            *args,
            on_result=lambda _c: self._after(),
            on_error=lambda exc: _fail(self.status, exc),
            **kwargs,
        )

    def _after(self) -> None:
        if not isValid(self) or self.detail is None:
            return
        self.changed.emit()
        self.show_audit(self.detail.id, self.owners)
        self.status.setText("Saved.")
        set_severity(self.status, "ok")
        self.status.show()

    def _save(self, *, submit: bool) -> None:
        if self.detail is None:
            return
        if self._resolving:
            self._run(
                closure_audit.resolve,
                self._db,
                self._actor,
                self.detail.id,
                self.form.value(),
                self.form.note.toPlainText(),
                now=self._clock(),
                expected_version=self.detail.version,
            )
            return
        self._run(
            closure_audit.save_judgement,
            self._db,
            self._actor,
            self.detail.id,
            self.form.value(),
            now=self._clock(),
            submit=submit,
            expected_version=self._own_judgement_version(),
        )

    def _own_judgement_version(self) -> int | None:
        """The version of this person's own judgement as shown (None: not started)."""
        if self.detail is None:
            return None
        mine = [j for j in self.detail.judgements if j.auditor_id == self._actor.user_id]
        return mine[0].version if len(mine) == 1 else None

    def _resolve(self) -> None:
        if self.detail is None:
            return
        first = next((j for j in self.detail.judgements if j.kind == "first"), None)
        self._resolving = True
        self.form.load(first)
        self.form.set_resolving(True)
        self.form_box.setTitle("The agreed grades")
        self.form_box.show()
        self.save_button.hide()
        self.submit_button.setText("Submi&t agreed grades")
        self.submit_button.show()
        self.form.domains[0].grade.setFocus()

    def _reopen(self) -> None:
        if self.detail is None:
            return
        dialog = TextDialog(
            self,
            "Reopen the case",
            "Why the case is being reopened:",
            f"A closure audit found the closure unsafe: {self.detail.reopen_reason}",
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._run(
                closure_audit.reopen_from_audit,
                self._db,
                self._actor,
                self.detail.id,
                dialog.value(),
                now=self._clock(),
            )

    def _decline(self) -> None:
        if self.detail is None:
            return
        dialog = TextDialog(self, "Do not reopen", "Why the case is not being reopened:")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._run(
                closure_audit.decline_reopening,
                self._db,
                self._actor,
                self.detail.id,
                dialog.value(),
                now=self._clock(),
                expected_version=self.detail.version,
            )

    def _done(self) -> None:
        if self.detail is None:
            return
        open_actions = [a for a in self.detail.actions if a.done_on is None]
        dialog = ChoiceDialog(
            self, "Learning action", [(a.id, a.description[:70]) for a in open_actions]
        )
        note = QPlainTextEdit()
        note.setAccessibleName("What was done")
        note.setTabChangesFocus(True)
        label = QLabel("&What was done:")
        label.setBuddy(note)
        layout = dialog.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(2, label)
        layout.insertWidget(3, note)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            chosen = dialog.combo.currentData()
            shown = {a.id: a.version for a in open_actions}
            self._run(
                closure_audit.complete_action,
                self._db,
                self._actor,
                chosen,
                note.toPlainText(),
                now=self._clock(),
                expected_version=shown.get(chosen),
            )

    def clear(self) -> None:
        self._generation += 1
        self.detail = None
        self.record.clear()
        self.others.clear()
        self.form.load(None)


# --- moderation -------------------------------------------------------------------------------


class ModerationPage(QWidget):
    """Agreement between first and second auditors, and one moderated audit side by side."""

    back = Signal()
    open_audit = Signal(int)

    def __init__(self, db: Database, actor: Actor, clock: Clock) -> None:
        super().__init__()
        self._db, self._actor, self._clock = db, actor, clock
        self._generation = 0
        self._side_generation = 0
        self.back_button = QPushButton("← &Back to closure audits")
        self.back_button.clicked.connect(self.back)
        self.summary = text_label("Loading…", rich=True)
        self.by_domain = self._table(("Domain", "Compared", "Agreed", "Agreement"), "By domain")
        self.by_auditor = self._table(("Auditor", "Compared", "Agreed", "Agreement"), "By auditor")
        self.audit = QComboBox()
        self.audit.setAccessibleName("Moderated audit")
        audit_label = QLabel("Moderated a&udit:")
        audit_label.setBuddy(self.audit)
        self.side = self._table(("", "First audit", "Second audit", "Agreed"), "Side by side")
        self.side_note = text_label("", rich=True)
        self.open_button = QPushButton("Open this &audit")
        self.open_button.clicked.connect(self._open_chosen)
        tables = QHBoxLayout()
        for title, table in (
            ("Agreement by domain", self.by_domain),
            ("Agreement by auditor", self.by_auditor),
        ):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.addWidget(table)
            tables.addWidget(box, 1)
        pick = QHBoxLayout()
        pick.addWidget(audit_label)
        pick.addWidget(self.audit, 1)
        pick.addWidget(self.open_button)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(QLabel("<h2>Moderation and agreement</h2>"), 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(tables, 1)
        layout.addLayout(pick)
        layout.addWidget(self.side_note)
        layout.addWidget(self.side, 1)
        self.side.setMaximumHeight(24 * (len(COMPARED) + 1) + 12)
        self.audit.currentIndexChanged.connect(self._show_side)
        back_key = QShortcut(QKeySequence("Escape"), self)
        back_key.activated.connect(self.back.emit)
        back_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back_key.setWhatsThis("Closure audits: back to the list of sampled closures")

    @staticmethod
    def _table(headers: Sequence[str], name: str) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(list(headers))
        table.setAccessibleName(name)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(24)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(headers)):
            table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        return table

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        tasks.run(
            _load_moderation,
            self._db,
            self._actor,
            self._clock(),
            on_result=lambda found: self._loaded(generation, found),
            on_error=lambda exc: self.summary.setText(html.escape(str(exc))),
        )

    def _loaded(self, generation: int, found: Any) -> None:
        if generation != self._generation or not isValid(self):
            return
        report, rows = found
        a = report.agreement
        percent = "—" if a.total.percent is None else f"{a.total.percent}%"
        self.summary.setText(
            f"<b>{a.pairs}</b> moderated audits with both audits submitted; first and second "
            f"auditors gave the same grade in <b>{percent}</b> of {a.total.compared} "
            "judgements compared (seven domains, the overall grade and “was it safe?”)."
        )
        self._rates(self.by_domain, [(compared_label(k), a.by_domain[k]) for k in COMPARED])
        self._rates(
            self.by_auditor,
            sorted(
                ((report.auditors.get(uid, "?"), rate) for uid, rate in a.by_auditor.items()),
                key=lambda pair: pair[0],
            ),
        )
        current = self.audit.currentData()
        self.audit.blockSignals(True)
        self.audit.clear()
        for r in rows:
            self.audit.addItem(f"{r.name} ({r.child_uid}) — {r.state.label}", r.id)
        index = self.audit.findData(current)
        self.audit.setCurrentIndex(index if index >= 0 else 0)
        self.audit.blockSignals(False)
        self._show_side()

    @staticmethod
    def _rates(table: QTableWidget, rates: Sequence[tuple[str, Any]]) -> None:
        table.setRowCount(len(rates))
        for n, (name, rate) in enumerate(rates):
            values = (
                name,
                str(rate.compared),
                str(rate.agreed),
                "—" if rate.percent is None else f"{rate.percent}%",
            )
            for column, value in enumerate(values):
                table.setItem(n, column, QTableWidgetItem(value))

    def _open_chosen(self) -> None:
        chosen = self.audit.currentData()
        if chosen:
            self.open_audit.emit(chosen)

    def _show_side(self) -> None:
        audit_id = self.audit.currentData()
        self.side.setRowCount(0)
        self._side_generation += 1
        if audit_id is None:
            self.side_note.setText("No audit has been chosen for a second audit yet.")
            return
        generation = self._side_generation
        tasks.run(
            closure_audit.audit_detail,
            self._db,
            self._actor,
            audit_id,
            now=self._clock(),
            on_result=lambda d: self._side(generation, d),
            on_error=lambda exc: self.side_note.setText(html.escape(str(exc))),
        )

    def _side(self, generation: int, detail: AuditDetail) -> None:
        if generation != self._side_generation or not isValid(self):
            return
        by_kind = {j.kind: j for j in detail.judgements}
        keys = list(COMPARED)
        self.side.setRowCount(len(keys))
        for n, key in enumerate(keys):
            differs = key in detail.disagreements
            label = compared_label(key) + ("  ≠ DISAGREE" if differs else "")
            self.side.setItem(n, 0, self._cell(label, differs))
            for column, kind in enumerate(("first", "second", "agreed"), start=1):
                self.side.setItem(n, column, self._cell(_value(by_kind.get(kind), key), differs))
        hidden = (
            f" {len(detail.hidden)} audit(s) are hidden from you until you submit your own."
            if detail.hidden
            else ""
        )
        self.side_note.setText(
            html.escape(f"{detail.state.label}.{hidden}")
            + (
                f" <b style='color:{RED}'>{len(detail.disagreements)} disagreement(s).</b>"
                if detail.disagreements
                else ""
            )
        )

    @staticmethod
    def _cell(text: str, differs: bool) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        if differs:
            item.setForeground(Qt.GlobalColor.darkRed)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        return item

    def clear(self) -> None:
        self._generation += 1
        self._side_generation += 1
        for table in (self.by_domain, self.by_auditor, self.side):
            table.setRowCount(0)
        self.audit.clear()


def _value(j: JudgementView | None, key: str) -> str:
    if j is None:
        return "—"
    if key == "overall":
        return j.overall.label if j.overall else "—"
    if key == "safe":
        return _safe_words(j.safe)
    grade = next((g.grade for g in j.grades if g.domain.value == key), None)
    return grade.label if grade else "—"


def _load_moderation(
    db: Database, actor: Actor, now: datetime
) -> tuple[closure_audit.AgreementReport, list[AuditRow]]:
    report = closure_audit.agreement_report(db, actor, now=now)
    rows = [r for r in closure_audit.list_audits(db, actor, now=now) if r.moderated]
    rows.sort(key=lambda r: r.state is not AuditState.DISAGREEMENT)  # to resolve first
    return report, rows


# --- the section ------------------------------------------------------------------------------


class ClosureAuditsSection(QStackedWidget):
    """The list, one audit, and the moderation view, one at a time."""

    message = Signal(str)
    record_changed = Signal(object)  # the core's Changed (None: what is not known)
    shows = "closure_audits"  # casework.services.work_lists.WorkList.CLOSURE_AUDITS

    def __init__(self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(SECTION_STYLE)
        self.listing = AuditList(db, actor, clock)
        self.audit = AuditPage(db, actor, clock)
        self.moderation = ModerationPage(db, actor, clock)
        for page in (self.listing, self.audit, self.moderation):
            self.addWidget(page)
        self.setFocusProxy(self.listing)
        self.listing.open_audit.connect(self.open_audit)
        self.listing.show_moderation.connect(self.show_moderation)
        self.audit.back.connect(self.show_list)
        self.audit.changed.connect(self._changed)
        self.moderation.back.connect(self.show_list)
        self.moderation.open_audit.connect(self.open_audit)
        self.listing.refresh()

    def open_audit(self, audit_id: int) -> None:
        self.audit.show_audit(audit_id, self.listing.auditors)
        self.setCurrentWidget(self.audit)
        self.audit.back_button.setFocus()

    def show_moderation(self) -> None:
        self.moderation.refresh()
        self.setCurrentWidget(self.moderation)
        self.moderation.back_button.setFocus()

    def show_list(self) -> None:
        self.setCurrentWidget(self.listing)
        self.listing.table.setFocus()

    def _changed(self) -> None:
        self.listing.refresh()
        self.record_changed.emit(None)

    def refresh_list(self) -> None:
        self.listing.refresh()

    def clear(self) -> None:
        self.listing.clear()
        self.audit.clear()
        self.moderation.clear()
