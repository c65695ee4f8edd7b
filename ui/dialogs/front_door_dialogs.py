"""The front door's two dialogs: recording a concern received about a young person, and
deciding what happens to a contact or a referral.

``ConcernDialog`` finds the young person by name or Child ID, then takes when the concern
was received, who it came from and how to reach them, what was reported, the concern
factors (CIN assessment factor codes) and whether the young person is already known.

``DecisionDialog`` reads the young person's front-door history first (concerns and
referrals in the last 12 months, re-referral, any repeated-concerns alert) and shows it,
with the deadline, above the decision; the decision cannot be chosen until the history is
on screen. A decision needs a rationale; referral to adult safeguarding is offered only for
young people who were 18 or over when the concern was received.

Both run their service call on a worker. Refused input comes back as the service's
problems, shown at the top in plain words with everything typed kept.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.clock import local_today, to_local
from casework.db.database import Database
from casework.domain.calendar import age_on
from casework.domain.codes import AssessmentFactor, ReferralSource
from casework.domain.front_door import ContactDecision, ReferralDecision
from casework.domain.leaving_care import ADULT_AGE
from casework.services import front_door, people
from casework.services.common import Changed
from casework.services.front_door import ConcernInput, DecisionHistory, ItemDetail, QueueItem
from casework.services.people import CaseloadQuery, CaseloadRow
from casework.services.permissions import Actor
from ui import tasks
from ui.dialogs.record_dialogs import code_combo, text_box
from ui.dialogs.young_person_form import DateField, to_qdate
from ui.models.front_door_model import (
    kind_label,
    person_text,
    received_text,
    time_left_text,
)
from ui.views.record_common import (
    LONDON,
    NOTHING_SAVED,
    SECTION_STYLE,
    banner,
    failure_heading,
    group,
    problems_of,
    quiet_label,
    text_label,
    unexpected,
)
from ui.widgets.dialog_footer import DialogFooter
from ui.widgets.forms import scrolling_layout
from ui.widgets.problems import ProblemList

Clock = Callable[[], datetime]
#: How many young people the picker lists at once; typing narrows the rest.
PICK_LIMIT = 40
SEARCH_DELAY_MS = 200

CONCERN_LABELS = {
    "source": "Source",
    "reported": "What was reported",
    "received_at": "Received",
    "factors": "Concern factors",
}
DECISION_LABELS = {"decision": "Decision", "rationale": "Rationale"}


# --- finding the young person --------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    rows: list[CaseloadRow]
    total: int


def find_people(db: Database, actor: Actor, words: str, now: datetime) -> Found:
    """Runs on a worker: the first young people matching ``words`` (name or Child ID)."""
    ids = people.caseload_ids(db, actor, CaseloadQuery(search=words.strip()), now=now)
    rows = people.caseload_rows(db, actor, ids[:PICK_LIMIT], today=local_today(now))
    return Found(rows, len(ids))


def _row_text(row: CaseloadRow) -> str:
    return f"{row.name} ({row.child_uid}) · aged {row.age} · {row.team_name}"


class PersonPicker(QWidget):
    """A search box over the caseload and the matching young people; choose one."""

    found = Signal(int)  # a search finished: how many matched

    def __init__(self, db: Database, actor: Actor, clock: Clock) -> None:
        super().__init__()
        self._db, self._actor, self._clock = db, actor, clock
        self._generation = 0
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type a name or Child ID")
        self.search.setAccessibleName("Find the young person")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Matching young people")
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setFixedHeight(self.results.fontMetrics().lineSpacing() * 6 + 14)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.currentItemChanged.connect(lambda *_: self._show_chosen())
        self.chosen = text_label("", rich=True)
        self.chosen.setAccessibleName("Chosen young person")
        self.note = quiet_label("Looking…")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self.search_now)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.note)
        layout.addWidget(self.chosen)
        self.setFocusProxy(self.search)
        self._show_chosen()

    def search_now(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        tasks.run(
            find_people,
            self._db,
            self._actor,
            self.search.text(),
            self._clock(),
            on_result=lambda found: self._on_found(generation, found),
            on_error=lambda exc: self._on_failed(generation, exc),
        )

    def person_id(self) -> int | None:
        item = self.results.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def person_text(self) -> str:
        item = self.results.currentItem()
        return item.text() if item is not None else ""

    def choose(self, person_id: int) -> bool:
        for row in range(self.results.count()):
            if self.results.item(row).data(Qt.ItemDataRole.UserRole) == person_id:
                self.results.setCurrentRow(row)
                return True
        return False

    def _show_chosen(self) -> None:
        text = self.person_text()
        if text:
            self.chosen.setText(f"Concern about: <b>{html.escape(text)}</b>")
        else:
            self.chosen.setText("<i>No young person chosen yet.</i>")

    def _on_found(self, generation: int, found: Found) -> None:
        if not isValid(self) or generation != self._generation:
            return
        chosen = self.person_id()
        self.results.clear()
        for row in found.rows:
            item = QListWidgetItem(_row_text(row))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.results.addItem(item)
        if chosen is not None:
            self.choose(chosen)
        elif len(found.rows) == 1:
            self.results.setCurrentRow(0)
        self.note.setText(_found_note(found, bool(self.search.text().strip())))
        self.found.emit(found.total)

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if isValid(self) and generation == self._generation:
            self.note.setText(unexpected(exc))


def _found_note(found: Found, searched: bool) -> str:
    if found.total == 0:
        return "No young person matches. Check the spelling or try the Child ID."
    if found.total > len(found.rows):
        return f"Showing {len(found.rows)} of {found.total:,}: type more to narrow the list."
    if searched:
        return f"{found.total:,} match. Click the young person the concern is about."
    return "Click the young person the concern is about."


# --- recording a concern -------------------------------------------------------------------


class ConcernDialog(QDialog):
    """Record a concern received about a young person (a safeguarding contact)."""

    saved = Signal(object)  # the core's Changed

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        parent: QWidget | None = None,
        *,
        person_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record a concern")
        self._db, self._actor, self._clock = db, actor, clock
        self._saving = False
        self._wanted = person_id
        self.problems = ProblemList()
        self.picker = PersonPicker(db, actor, clock)
        self.picker.found.connect(self._on_found)
        self.footer = DialogFooter(self, "Record concern")
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                "A concern received by phone, email or in person about a young person. "
                "A team lead must decide what happens next <b>within 1 working day</b>; "
                "it appears in the front-door queue as soon as it is recorded.",
                rich=True,
            )
        )
        layout.addWidget(self.problems)
        columns = QHBoxLayout()
        columns.addLayout(self._left_column(), 1)
        columns.addSpacing(12)
        columns.addLayout(self._right_column(), 1)
        layout.addLayout(columns, 1)
        layout.addWidget(self.footer)
        self.setMinimumWidth(1040)
        self.picker.setFocus()
        self.picker.search_now()

    def _left_column(self) -> QFormLayout:
        now = to_local(self._clock())
        today = to_qdate(now.date())
        self.date = DateField(today.addYears(-1), today, optional=False)
        self.date.setCalendarPopup(True)
        self.date.set_value(now.date())
        self.date.setAccessibleName("Date received")
        self.date.setMinimumWidth(self.date.fontMetrics().horizontalAdvance("00/00/00000") + 48)
        self.time = QTimeEdit(QTime(now.hour, now.minute))
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Time received")
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("00:000") + 48)
        moment = QHBoxLayout()
        moment.addWidget(self.date)
        moment.addWidget(QLabel("at"))
        moment.addWidget(self.time)
        moment.addWidget(quiet_label("UK time"))
        moment.addStretch(1)
        self.source = code_combo(ReferralSource.choices())
        self.source.setAccessibleName("Source")
        self.source.setMaxVisibleItems(14)
        self.referrer_name = QLineEdit()
        self.referrer_name.setPlaceholderText("For example: PC Amy Khan, Westfield School DSL")
        self.referrer_contact = QLineEdit()
        self.referrer_contact.setPlaceholderText("Phone number or email address")
        self.already_known = QCheckBox("Already &known to children's services")
        self.already_known.setChecked(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._buddy("&Young person:", self.picker.search), self.picker)
        form.addRow(self._buddy("Rec&eived:", self.date), moment)
        form.addRow(self._buddy("&Source:", self.source), self.source)
        form.addRow(self._buddy("&Referrer:", self.referrer_name), self.referrer_name)
        form.addRow(
            self._buddy("&How to reach them:", self.referrer_contact), self.referrer_contact
        )
        form.addRow("", self.already_known)
        return form

    def _right_column(self) -> QVBoxLayout:
        self.reported = text_box(7)
        self.reported.setAccessibleName("What was reported")
        self.reported.setPlaceholderText("What the referrer said, in their words where possible")
        self.factors = QListWidget()
        self.factors.setAccessibleName("Concern factors")
        for code, label in AssessmentFactor.choices():
            item = QListWidgetItem(f"{code} — {label}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.factors.addItem(item)
        self.factors.itemClicked.connect(self._toggle_factor)
        self.factors.itemChanged.connect(lambda _item: self._show_factors())
        self.ticked = text_label("", rich=True)
        self.ticked.setAccessibleName("Concern factors ticked")
        self._show_factors()
        self.factors.setMinimumHeight(self.factors.fontMetrics().lineSpacing() * 9)
        column = QVBoxLayout()
        column.addWidget(self._buddy("What was re&ported (required):", self.reported))
        column.addWidget(self.reported)
        column.addWidget(self._buddy("Concern &factors (tick all that apply):", self.factors))
        column.addWidget(self.factors, 1)
        column.addWidget(self.ticked)
        return column

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    @staticmethod
    def _toggle_factor(item: QListWidgetItem) -> None:
        """A click anywhere on the line ticks it, not only on the small box."""
        ticked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)

    def _show_factors(self) -> None:
        codes = self.chosen_factors()
        if not codes:
            self.ticked.setText("<i>No factors ticked.</i>")
            return
        words = "; ".join(f"{code} {AssessmentFactor.parse(code).label}" for code in codes)
        self.ticked.setText(f"Ticked: <b>{html.escape(words)}</b>")

    # --- reading the form ----------------------------------------------------------------

    def chosen_factors(self) -> tuple[str, ...]:
        return tuple(
            self.factors.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.factors.count())
            if self.factors.item(row).checkState() == Qt.CheckState.Checked
        )

    def set_factors(self, codes: tuple[str, ...]) -> None:
        for row in range(self.factors.count()):
            item = self.factors.item(row)
            ticked = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def received_at(self) -> datetime:
        day = self.date.value() or to_local(self._clock()).date()
        clock = self.time.time()
        return datetime(day.year, day.month, day.day, clock.hour(), clock.minute(), tzinfo=LONDON)

    def concern(self) -> ConcernInput:
        return ConcernInput(
            received_at=self.received_at(),
            source=self.source.currentData() or "",
            reported=self.reported.toPlainText(),
            referrer_name=self.referrer_name.text().strip(),
            referrer_contact=self.referrer_contact.text().strip(),
            factors=self.chosen_factors(),
            already_known=self.already_known.isChecked(),
        )

    def check(self) -> list[str]:
        problems = []
        if self.picker.person_id() is None:
            problems.append("Young person: find them by name or Child ID and click them.")
        if self.source.currentData() is None:
            problems.append("Source: choose who the concern came from.")
        if not self.reported.toPlainText().strip():
            problems.append("What was reported: record what the referrer told you.")
        return problems

    # --- saving --------------------------------------------------------------------------

    def accept(self) -> None:
        if self._saving:
            return
        problems = self.check()
        if problems:
            self.problems.set_problems(problems, NOTHING_SAVED)
            return
        person_id = self.picker.person_id()
        self._set_saving(True)
        tasks.run(
            front_door.record_concern,
            self._db,
            self._actor,
            person_id,
            self.concern(),
            now=self._clock(),
            on_result=self._on_saved,
            on_error=self._on_failed,
        )

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.footer.set_saving(saving)

    def _on_found(self, _total: int) -> None:
        if self._wanted is not None and self.picker.choose(self._wanted):
            self._wanted = None

    def _on_saved(self, changed: Changed) -> None:
        if not isValid(self) or not self.isVisible():
            return
        self._set_saving(False)
        self.saved.emit(changed)
        super().accept()

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        self.problems.set_problems(problems_of(exc, CONCERN_LABELS), NOTHING_SAVED)


# --- deciding ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionContext:
    """What the decision-maker sees before deciding (read on a worker)."""

    history: DecisionHistory
    age_on_receipt: int | None
    detail: ItemDetail | None = None


@dataclass(frozen=True)
class DecisionDone:
    """A decision recorded: what it was and, for a referral decision, the referral opened."""

    item: QueueItem
    decision: str
    label: str
    referral_id: int | None


def load_context(db: Database, actor: Actor, item: QueueItem, now: datetime) -> DecisionContext:
    """Runs on a worker: the history, and the young person's age when it was received."""
    history = front_door.decision_history(
        db,
        actor,
        item.young_person_id,
        now=now,
        referral_id=item.id if item.kind == "referral" else None,
    )
    detail = front_door.item_detail(db, actor, item.kind, item.id, now=now)
    rows = people.caseload_rows(db, actor, [item.young_person_id], today=local_today(now))
    age = None
    if rows:
        received_on = to_local(item.received_at).date()
        age = age_on(rows[0].date_of_birth, max(received_on, rows[0].date_of_birth))
    return DecisionContext(history, age, detail)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def history_html(item: QueueItem, history: DecisionHistory) -> str:
    """The counts, in words, saying where the item being decided is counted."""
    contacts = _plural(history.contacts_12_months, "concern")
    referrals = _plural(history.referrals_12_months, "referral")
    if item.kind == "contact":
        contacts += " (this one included)"
    else:
        referrals += " (this one included)"
    re_referral = (
        "<b>Yes</b>: referred again within 12 months of an earlier referral"
        if history.re_referral
        else "No"
    )
    risks = (
        "<b>" + html.escape(" · ".join(str(r) for r in history.open_risks)) + "</b>"
        if history.open_risks
        else "None open"
    )
    allegations = (
        f"<b>{_plural(history.open_allegations, 'allegation')} without an outcome</b>"
        if history.open_allegations
        else "None open"
    )
    return (
        "<table cellspacing='0' cellpadding='2'>"
        f"<tr><td>Concerns received (contacts):&nbsp;</td><td><b>{contacts}</b></td></tr>"
        f"<tr><td>Referrals to children's social care:&nbsp;</td><td><b>{referrals}</b></td></tr>"
        f"<tr><td>Re-referral:&nbsp;</td><td>{re_referral}</td></tr>"
        f"<tr><td>Open risks:&nbsp;</td><td>{risks}</td></tr>"
        f"<tr><td>Allegations:&nbsp;</td><td>{allegations}</td></tr>"
        "</table>"
    )


def detail_html(detail: ItemDetail | None) -> str:
    """What was received, in full, before anyone decides."""
    if detail is None:
        return ""
    parts = [
        f"<p><b>What was reported</b> ({html.escape(detail.source)}):<br>"
        f"{html.escape(detail.text).replace(chr(10), '<br>')}</p>"
    ]
    if detail.referrer_name or detail.referrer_contact:
        who = " · ".join(x for x in (detail.referrer_name, detail.referrer_contact) if x)
        parts.append(f"<p>Referrer: {html.escape(who)}</p>")
    if detail.factors:
        parts.append(f"<p>Concern factors: {html.escape('; '.join(detail.factors))}</p>")
    return "".join(parts)


def deadline_text(item: QueueItem) -> tuple[str, str]:
    """The deadline line and its severity."""
    words = html.escape(time_left_text(item))
    text = f"Decision due by the end of <b>{item.due:%d/%m/%Y}</b>: <b>{words}</b>"
    if item.overdue:
        return text, "overdue"
    return text, "warning" if "today" in item.time_left else "info"


class DecisionDialog(QDialog):
    """Decide a contact or a referral: history and deadline first, then the decision."""

    loaded = Signal()  # the history is on screen and the decision can be chosen
    saved = Signal(object)  # a DecisionDone

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        item: QueueItem,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db, self._actor, self._clock = db, actor, clock
        self.item = item
        self._saving = False
        self.context: DecisionContext | None = None
        self.setWindowTitle(f"Decide: {kind_label(item).lower()} about {person_text(item)}")
        self.setStyleSheet(SECTION_STYLE)
        self.problems = ProblemList()
        self.footer = DialogFooter(self, "Record decision")
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.problems)
        column.addWidget(self._history_box())
        column.addWidget(self._decision_box())
        column.addStretch(1)
        # The history can be long: it scrolls, the heading and buttons stay on screen.
        self.body = scrolling_layout(self, body, self.footer, top=self._heading())
        self.body.setAccessibleName("History and decision")
        self.setMinimumWidth(720)
        # Focus starts on the history, never on a decision: reading comes first.
        self.body.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.body.setFocus(Qt.FocusReason.OtherFocusReason)
        self._set_deciding(False)
        self._load()

    # --- building ------------------------------------------------------------------------

    def _heading(self) -> QWidget:
        item = self.item
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        title = text_label(
            f"{html.escape(kind_label(item))} about <b>{html.escape(person_text(item))}</b>",
            rich=True,
        )
        title.setStyleSheet("font-size: 13pt;")
        column.addWidget(title)
        column.addWidget(
            quiet_label(f"Received {received_text(item)} (UK time) from {item.source}.")
        )
        text, level = deadline_text(item)
        self.deadline = banner(text, level)
        self.deadline.setAccessibleName("Deadline")
        column.addWidget(self.deadline)
        return box

    def _history_box(self) -> QWidget:
        box, column = group("1. Before you decide: front-door history, last 12 months")
        self.alert = banner("", "overdue")
        self.alert.setAccessibleName("Repeated concerns alert")
        self.alert.hide()
        self.history = text_label("Reading the history…", rich=True)
        self.history.setAccessibleName("History")
        column.addWidget(self.alert)
        column.addWidget(self.history)
        return box

    def _decision_box(self) -> QWidget:
        box, column = group("2. Decision")
        self.choices = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        codes = ContactDecision if self.item.kind == "contact" else ReferralDecision
        grid = QGridLayout()
        grid.setVerticalSpacing(4)
        choices = codes.choices()
        half = (len(choices) + 1) // 2
        for number, (code, label) in enumerate(choices):
            button = QRadioButton(label)
            self.buttons[code] = button
            self.choices.addButton(button)
            grid.addWidget(button, number % half, number // half)
        column.addLayout(grid)
        self.adult_note = quiet_label("")
        self.adult_note.hide()
        column.addWidget(self.adult_note)
        self.choice_note = banner("", "info")
        self.choice_note.hide()
        column.addWidget(self.choice_note)
        self.choices.buttonToggled.connect(self._on_choice)
        self.rationale = text_box(5)
        self.rationale.setAccessibleName("Rationale")
        self.rationale.setPlaceholderText(
            "Why this decision: what you weighed up, who you spoke to, what happens next"
        )
        rationale_label = QLabel("&Why (rationale, required, read at audit):")
        rationale_label.setBuddy(self.rationale)
        column.addSpacing(6)
        column.addWidget(rationale_label)
        column.addWidget(self.rationale)
        return box

    # --- loading the history -------------------------------------------------------------

    def _load(self) -> None:
        tasks.run(
            load_context,
            self._db,
            self._actor,
            self.item,
            self._clock(),
            on_result=self._on_loaded,
            on_error=self._on_load_failed,
        )

    def _on_loaded(self, context: DecisionContext) -> None:
        if not isValid(self):
            return
        self.context = context
        self.history.setText(detail_html(context.detail) + history_html(self.item, context.history))
        alert = context.history.repeat_alert
        if alert:
            self.alert.setText(
                f"<span style='font-size:12pt'>⚠ <b>ALERT: {html.escape(alert)}</b></span>"
                "<br>Look at the earlier concerns before deciding."
            )
        self.alert.setVisible(bool(alert))
        self._set_deciding(True)
        self._limit_adult_safeguarding(context.age_on_receipt)
        self.loaded.emit()

    def _on_load_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.history.setText(html.escape(unexpected(exc)))

    def _set_deciding(self, ready: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(ready)
        self.rationale.setEnabled(ready)
        self.footer.ok_button.setEnabled(ready and not self._saving)

    def _limit_adult_safeguarding(self, age: int | None) -> None:
        button = self.buttons.get(ContactDecision.ADULT_SAFEGUARDING.value)
        if button is None or (age is not None and age >= ADULT_AGE):
            return
        button.setEnabled(False)
        if age is None:
            why = "their date of birth is not recorded"
        else:
            why = f"they were {age} when the concern was received"
        self.adult_note.setText(
            f"Referral to adult safeguarding is only for young people aged {ADULT_AGE} "
            f"or over: {why}."
        )
        self.adult_note.show()

    def _on_choice(self, button: QAbstractButton, checked: bool) -> None:
        if not checked:
            return
        code = self.decision()
        if code == ContactDecision.REFERRAL.value and self.item.kind == "contact":
            self.choice_note.setText(
                "This opens a <b>referral to children's social care</b>. It joins the "
                "front-door queue with its own decision due within 1 working day."
            )
            self.choice_note.show()
        else:
            self.choice_note.hide()

    # --- deciding ------------------------------------------------------------------------

    def decision(self) -> str | None:
        for code, button in self.buttons.items():
            if button.isChecked():
                return code
        return None

    def choose(self, code: str) -> None:
        self.buttons[code].setChecked(True)

    def check(self) -> list[str]:
        problems = []
        if self.decision() is None:
            problems.append("Decision: choose what happens next.")
        if not self.rationale.toPlainText().strip():
            problems.append("Rationale: say why this decision was made.")
        return problems

    def accept(self) -> None:
        if self._saving or self.context is None:
            return
        problems = self.check()
        if problems:
            self.problems.recheck_on_edit(self, self.check)
            self.problems.set_problems(problems, NOTHING_SAVED)
            self.body.ensureWidgetVisible(self.problems)
            return
        decide = (
            front_door.decide_concern if self.item.kind == "contact" else front_door.decide_referral
        )
        self._saving = True
        self.footer.set_saving(True)
        tasks.run(
            decide,
            self._db,
            self._actor,
            self.item.id,
            self.decision(),
            self.rationale.toPlainText(),
            now=self._clock(),
            expected_version=self.context.detail.version if self.context.detail else None,
            on_result=self._on_saved,
            on_error=self._on_failed,
        )

    def _on_saved(self, changed: Changed) -> None:
        if not isValid(self) or not self.isVisible():
            return
        self._saving = False
        self.footer.set_saving(False)
        code = self.decision() or ""
        button = self.buttons.get(code)
        referral = changed.ids[1] if len(changed.ids) > 1 and self.item.kind == "contact" else None
        self.saved.emit(DecisionDone(self.item, code, button.text() if button else code, referral))
        super().accept()

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._saving = False
        self.footer.set_saving(False)
        self.problems.set_problems(problems_of(exc, DECISION_LABELS), failure_heading(exc))


__all__ = [
    "ConcernDialog",
    "DecisionContext",
    "DecisionDialog",
    "DecisionDone",
    "Found",
    "PersonPicker",
    "deadline_text",
    "find_people",
    "history_html",
    "load_context",
]
