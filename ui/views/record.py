"""One young person's record: who they are at a glance, then its sections.

The header (name, age, ID, category, team and workers, the in-touch and "next due"
line the integrator fills with ``set_status_summary``, and a notice of unfinished
contact drafts) stays in view above the sections: Details (with "Edit details"),
Contacts, Legal status and eligibility, Pathway plan, Accommodation and activity,
Safeguarding and risk, Concerns and referrals, and Closure. Each section loads on a worker
when first shown.

A case with a closure under way says so under the name; a closed case says so in a dark
strip that cannot be missed, and while it is closed the other sections' edit buttons are
disabled (``ReadOnlyGuard``: also those a section adds or re-enables when it reloads);
recording a new concern stays possible, as the core allows it on a closed case. Evidence
on the Closure tab links to its place in the record (``show_section_for``).

Opening a record is audited by the core (``open_record``), so it runs on a worker
like every other read. Refusals (another team's record) and records that no longer
exist are shown in plain words with the way back. ``clear()`` first saves any contact
being written (so the idle lock never loses typing), then forgets everything.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.closure import reason_label
from casework.domain.closure_state import CaseState
from casework.domain.codes import EligibilityCategory, Ethnicity, Sex, UnknownCode, YesNo
from casework.domain.due import Whereabouts
from casework.errors import CaseworkError
from casework.services import closure, due
from casework.services.closure import ClosureOverview
from casework.services.common import Changed
from casework.services.people import YoungPersonRecord, open_record
from casework.services.permissions import Actor
from ui import tasks
from ui.dialogs.subject_access import subject_access_button
from ui.dialogs.young_person_form import YoungPersonForm
from ui.models.my_work_model import span_words
from ui.views.record_accommodation import AccommodationSection
from ui.views.record_closure import EVIDENCE_TABS, ClosureSection
from ui.views.record_common import RecordSection, set_severity
from ui.views.record_contacts import ContactsSection
from ui.views.record_legal import LegalSection
from ui.views.record_plan import PlanSection
from ui.views.record_referrals import ReferralsSection
from ui.views.record_safeguarding import SafeguardingSection
from ui.widgets.forms import confirm_discard

Clock = Callable[[], datetime]
NOT_ALLOCATED = "Not allocated"
_LOADING, _MESSAGE, _RECORD, _EDIT = range(4)
_LONDON = ZoneInfo("Europe/London")
STATUS_LEVELS = ("ok", "warning", "overdue")
HEADER_STYLE = """
QLabel#statusSummary { padding: 6px 10px; border-radius: 4px; border-left: 6px solid #8a94a3; }
QLabel#statusSummary[severity="ok"] { background: #e6f4ea; border-left-color: #1e6b34; }
QLabel#statusSummary[severity="warning"] { background: #fff4d6; border-left-color: #c28a00; }
QLabel#statusSummary[severity="overdue"] { border-left-color: #a4161a; }
QLabel#closureNotice { padding: 6px 10px; border-radius: 4px; border-left: 6px solid #1d4f91;
    background: #e8f0fb; }
QLabel#closureNotice[severity="warning"] { background: #fff4d6; border-left-color: #c28a00; }
QLabel#closureNotice[severity="ok"] { background: #e6f4ea; border-left-color: #1e6b34; }
QLabel#closureNotice[severity="closed"] {
    background: #2b2f36; color: #ffffff; border: 2px solid #000000; font-weight: bold;
    padding: 8px 10px; }
QLabel#draftNotice {
    background: #fff4d6; color: #3d2a00; border: 2px solid #c28a00; border-radius: 4px;
    padding: 6px 8px; font-weight: bold; }
QTabBar::tab { padding: 7px 14px; }
QTabBar::tab:selected { font-weight: bold; color: #1d4f91; }
"""


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else "Not recorded"


def _moment(naive_utc: datetime) -> str:
    local = naive_utc.replace(tzinfo=UTC).astimezone(_LONDON)
    return local.strftime("%d/%m/%Y at %H:%M")


def _label(codes: type[Sex | Ethnicity | YesNo | EligibilityCategory], code: str) -> str:
    try:
        return codes.parse(code).label
    except UnknownCode:
        return code or "Not recorded"


def detail_rows(record: YoungPersonRecord) -> list[tuple[str, str]]:
    """(label, value) pairs for the read-only details, in the form's order."""
    d = record.details
    ceased = d.date_ceased_looked_after
    return [
        ("Child Unique ID", d.child_uid),
        ("First name", d.first_name),
        ("Last name", d.last_name),
        ("Preferred name", d.preferred_name or "None given"),
        ("Date of birth", f"{_day(d.date_of_birth)} (age {record.age})"),
        ("Sex", _label(Sex, d.sex)),
        ("Ethnicity", _label(Ethnicity, d.ethnicity)),
        ("Disability", _label(YesNo, d.disability)),
        ("UASC or former UASC", "Yes" if d.uasc else "No"),
        ("Eligibility category (confirmed)", _label(EligibilityCategory, d.eligibility)),
        ("Ceased to be looked after", _day(ceased) if ceased else "Still looked after"),
        ("Team", record.team_name),
        ("Social worker", record.social_worker_name or NOT_ALLOCATED),
        ("Personal adviser", record.personal_adviser_name or NOT_ALLOCATED),
        ("Last changed", _moment(record.updated_at)),
    ]


def summary_html(record: YoungPersonRecord) -> str:
    """The two lines under the name: age, ID, eligibility; team and allocated workers."""
    d = record.details
    category = (
        record.category.label if record.category else _label(EligibilityCategory, d.eligibility)
    )
    facts = [f"Age {record.age}", f"Child ID {d.child_uid}", category]
    people = [
        f"Team: {record.team_name}",
        f"Social worker: {record.social_worker_name or NOT_ALLOCATED}",
        f"Personal adviser: {record.personal_adviser_name or NOT_ALLOCATED}",
    ]
    return "<br>".join(" · ".join(html.escape(part) for part in line) for line in (facts, people))


class RecordView(QWidget):
    back_requested = Signal()
    changed = Signal(object)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._record: YoungPersonRecord | None = None
        self._person_id: int | None = None
        self._generation = 0
        self._status: due.RecordStatus | None = None
        self._steps_open = False  # the re-establish steps, away from Details
        self._pending_tab = 0  # the section to show once the record has loaded
        self._build()

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.setStyleSheet(HEADER_STYLE)
        self.back_button = QPushButton("← &Back to caseload")
        self.back_button.clicked.connect(self.request_back)
        self.edit_button = QPushButton("&Edit details")
        self.edit_button.clicked.connect(self.start_edit)
        self.name = QLabel()
        self.name.setObjectName("recordName")
        self.name.setStyleSheet("font-size: 16pt; font-weight: bold;")  # beats the app style
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()  # one row, so the sections below get the height
        top.addWidget(self.back_button)
        top.addSpacing(12)
        top.addWidget(self.name, 1)
        top.addWidget(self.edit_button)
        self.subject_access_button = subject_access_button(
            self._db, self._actor, self._clock, self._subject, self
        )
        if self.subject_access_button is not None:  # team leads only
            top.addWidget(self.subject_access_button)

        self.message = QLabel()
        self.message.setObjectName("recordMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.message.setContentsMargins(24, 48, 24, 24)
        self.form = YoungPersonForm(self._db, self._actor, self._clock)
        self.form.saved.connect(self._on_saved)
        self.form.cancelled.connect(self.cancel_edit)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._centred(QLabel("Opening the record…")))
        self.pages.addWidget(self.message)
        self.pages.addWidget(self._record_page())
        editing = QWidget()
        edit_layout = QVBoxLayout(editing)
        edit_layout.setContentsMargins(0, 0, 0, 0)
        edit_layout.addWidget(self._scrolling(self.form), 1)
        bar = QHBoxLayout()
        bar.addWidget(self.form.button_bar, 1)
        bar.addStretch(0)
        bar.setContentsMargins(9, 0, 0, 0)  # Save stays in view however far the form scrolls
        self.form.button_bar.setMaximumWidth(self.form.maximumWidth() - 18)
        edit_layout.addLayout(bar)
        self.pages.addWidget(editing)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        self.edit_button.hide()
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape).setWhatsThis(
            "Record: back to the list"
        )
        QShortcut(QKeySequence.StandardKey.Back, self, self.request_back).setWhatsThis(
            "Record: back to the list"
        )

    def _record_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel()
        self.summary.setObjectName("recordSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.status_summary = QLabel()
        self.status_summary.setObjectName("statusSummary")
        self.status_summary.setAccessibleName("In touch and next due")
        self.status_summary.setTextFormat(Qt.TextFormat.RichText)  # built with html.escape
        self.status_summary.setWordWrap(True)
        self.status_summary.linkActivated.connect(self._toggle_steps)
        self.status_summary.hide()
        self.closure_notice = QLabel()
        self.closure_notice.setObjectName("closureNotice")
        self.closure_notice.setAccessibleName("Closure")
        self.closure_notice.setTextFormat(Qt.TextFormat.RichText)  # built with html.escape
        self.closure_notice.setWordWrap(True)
        self.closure_notice.linkActivated.connect(lambda _link: self.show_closure())
        self.closure_notice.hide()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.closure_notice)
        layout.addWidget(self.status_summary)
        layout.addWidget(self._draft_bar())
        layout.addSpacing(4)
        layout.addWidget(self._sections(), 1)
        return page

    def _draft_bar(self) -> QWidget:
        self.draft_bar = QWidget()
        self.draft_notice = QLabel()
        self.draft_notice.setObjectName("draftNotice")
        self.draft_notice.setWordWrap(True)
        self.continue_button = QPushButton("Continue &writing")
        self.continue_button.clicked.connect(self.continue_draft)
        row = QHBoxLayout(self.draft_bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.draft_notice, 1)
        row.addWidget(self.continue_button)
        self.draft_bar.hide()
        return self.draft_bar

    def _sections(self) -> QTabWidget:
        self.details = QFormLayout()
        self.details.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.details.setHorizontalSpacing(24)
        box = QGroupBox("Details")
        box.setLayout(self.details)
        box.setMaximumWidth(760)
        details = QWidget()
        column = QVBoxLayout(details)
        column.addWidget(box)
        column.addStretch(1)
        self.contacts = ContactsSection(self._db, self._actor, self._clock)
        self.legal = LegalSection(self._db, self._actor, self._clock)
        self.plan = PlanSection(self._db, self._actor, self._clock)
        self.accommodation = AccommodationSection(self._db, self._actor, self._clock)
        self.safeguarding = SafeguardingSection(self._db, self._actor, self._clock)
        self.referrals = ReferralsSection(self._db, self._actor, self._clock)
        self.closure = ClosureSection(self._db, self._actor, self._clock)
        self.sections: list[RecordSection] = [
            self.contacts,
            self.legal,
            self.plan,
            self.accommodation,
            self.safeguarding,
            self.referrals,
            self.closure,
        ]
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        pages = [
            (self._scrolling(details), "Details"),
            (self.contacts, "Contacts"),
            (self.legal, "Legal status"),
            (self.plan, "Pathway plan"),
            (self.accommodation, "Accommodation"),
            (self.safeguarding, "Safeguarding"),
            (self.referrals, "Concerns and referrals"),
            (self.closure, "Closure"),
        ]
        for number, (widget, title) in enumerate(pages, start=1):
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, f"{title} (Ctrl+{number})")
            key = QShortcut(
                QKeySequence(f"Ctrl+{number}"), self, lambda i=index: self.show_section(i)
            )
            key.setWhatsThis(f"Record: the {title} tab")
        for section in self.sections:
            section.changed.connect(self._on_section_changed)
        self.contacts.draft_notice.connect(self._on_draft_notice)
        self.closure.evidence_requested.connect(lambda kind, _id: self.show_section_for(kind))
        self.read_only = ReadOnlyGuard(
            [s for s in self.sections if s is not self.closure], self._keeps_working, self
        )
        self.tabs.currentChanged.connect(self._sync_draft_bar)
        self.tabs.currentChanged.connect(self._render_status)
        return self.tabs

    @staticmethod
    def _scrolling(widget: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own
        scroll.setWidget(widget)
        return scroll

    @staticmethod
    def _centred(label: QLabel) -> QLabel:
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(24, 48, 24, 24)
        return label

    # --- public ---------------------------------------------------------------------------

    @property
    def record(self) -> YoungPersonRecord | None:
        return self._record

    @property
    def person_id(self) -> int | None:
        return self._person_id

    @property
    def is_editing(self) -> bool:
        return self.pages.currentIndex() == _EDIT

    def show_person(self, person_id: int) -> None:
        """Open (audited) and show one young person's record."""
        self.contacts.flush()  # a contact being written for someone else is kept
        self._forget_sections()
        self._person_id = person_id
        self._record = None
        self._status = None
        self._steps_open = False
        self._pending_tab = 0
        self.contacts.resume_when_filled = False
        self._show_closure_state(None)
        self.form.clear()
        self.name.clear()
        self.summary.clear()
        self.edit_button.hide()
        self.pages.setCurrentIndex(_LOADING)
        self._open(person_id)

    def place(self) -> tuple[int, int, bool] | None:
        """Where the user is: the person's id, the section, and whether a contact is being
        written (ids only, nothing personal), so an unlock can carry on there."""
        if self._person_id is None:
            return None
        writing = self.tabs.currentWidget() is self.contacts and self.contacts.is_editing
        return self._person_id, self.tabs.currentIndex(), writing

    def restore_place(self, person_id: int, tab: int, writing: bool) -> None:
        """Open ``person_id`` on section ``tab``, back in the latest draft if ``writing``."""
        self.show_person(person_id)
        self._pending_tab = tab
        self.contacts.resume_when_filled = writing

    def show_section(self, index: int) -> None:
        """Show one of the record's sections (0 is Details)."""
        if self.pages.currentIndex() == _RECORD:
            self.tabs.setCurrentIndex(index)
            self.tabs.currentWidget().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_section_for(self, kind: str) -> bool:
        """Show the section that holds a kind of record ("contact", "risk_screening" …, as
        the closure checks name their evidence); False, staying put, for any other kind."""
        title = EVIDENCE_TABS.get(kind)
        for index in range(self.tabs.count()):
            if title is not None and self.tabs.tabText(index) == title:
                self.show_section(index)
                return True
        return False

    def show_closure(self) -> None:
        self.show_section(self.tabs.indexOf(self.closure))

    @property
    def is_closed(self) -> bool:
        """The case is closed (known once the header's closure line has loaded)."""
        return self.read_only.is_on

    def set_status_summary(self, text: str, level: str) -> None:
        """The in-touch badge and "next due" line under the name; "" hides it.

        ``level`` is "ok", "warning" or "overdue" (the app style's status colours)."""
        if level not in STATUS_LEVELS:
            raise ValueError(f"level must be one of {', '.join(STATUS_LEVELS)}")
        self.status_summary.setText(text)
        set_severity(self.status_summary, level)
        self.status_summary.setVisible(bool(text))

    def continue_draft(self) -> None:
        """Open the Contacts section on the latest unfinished draft."""
        self.tabs.setCurrentWidget(self.contacts)
        self.contacts.resume_latest()

    def _open(self, person_id: int) -> None:
        self._generation += 1
        generation = self._generation
        tasks.run(
            open_record,
            self._db,
            self._actor,
            person_id,
            now=self._clock(),
            on_result=lambda record: self._on_opened(generation, record),
            on_error=lambda exc: self._on_open_failed(generation, exc),
        )

    def clear(self) -> None:
        """Forget the record and anything typed (idle lock); a contact being written is
        saved as a draft first."""
        self.contacts.flush()
        self._generation += 1
        self._record = None
        self._person_id = None
        self._status = None
        self._steps_open = False
        self._forget_sections()
        self.form.clear()
        self.name.clear()
        self.summary.clear()
        self.message.clear()
        self.set_status_summary("", "ok")
        self._show_closure_state(None)
        self._fill_details([])
        self.edit_button.hide()
        self.tabs.setCurrentIndex(0)
        self.pages.setCurrentIndex(_LOADING)

    def _forget_sections(self) -> None:
        for section in self.sections:
            section.clear()
        self._on_draft_notice("")

    def start_edit(self) -> None:
        if self._record is None or self.is_closed:
            return
        self.form.start_edit(self._record)
        self.edit_button.hide()
        self.pages.setCurrentIndex(_EDIT)

    def cancel_edit(self) -> None:
        if self.form.is_saving:
            return
        if self.form.is_modified() and not confirm_discard(self):
            return
        self._show_record()

    def request_back(self) -> None:
        if self.is_editing and self.form.is_modified() and not confirm_discard(self):
            return
        self.contacts.flush()
        self.back_requested.emit()

    # --- results --------------------------------------------------------------------------

    def _subject(self) -> tuple[int, str] | None:
        """The record shown, for the subject access dialog: its id and name with Child ID."""
        record = self._record
        if record is None:
            return None
        return record.id, f"{record.display_name} (Child ID {record.details.child_uid})"

    def _on_opened(self, generation: int, record: YoungPersonRecord) -> None:
        if not isValid(self) or generation != self._generation:
            return
        refreshing = self._record is not None and self.pages.currentIndex() == _RECORD
        self._record = record
        self.name.setText(record.display_name)
        self.summary.setText(summary_html(record))
        self._fill_details(detail_rows(record))
        for section in self.sections:
            section.set_person(record.id)  # a different person clears the section first
        self.contacts.set_name(record.display_name)
        self.legal.set_record(record)
        self.plan.set_record(record)
        if self.contacts.person_id == record.id and not self.contacts.isVisible():
            self.contacts.reload()  # drafts show in the header whichever section is open
        if not refreshing:
            self._show_record()
            if self._pending_tab:
                self.show_section(self._pending_tab)
        self._pending_tab = 0
        self._load_status(generation, record.id)

    def _load_status(self, generation: int, person_id: int) -> None:
        """In touch or not, what is due next, and where they live: under the name; and
        where a closure is (closed, or waiting for a team lead)."""
        tasks.run(
            closure.overview,
            self._db,
            self._actor,
            person_id,
            now=self._clock(),
            on_result=lambda found: self._on_closure_state(generation, found),
            on_error=lambda _exc: self._on_closure_state(generation, None),
        )
        tasks.run(
            due.person_status,
            self._db,
            self._actor,
            person_id,
            now=self._clock(),
            on_result=lambda found: self._on_status(generation, found),
            on_error=lambda _exc: self._on_status(generation, None),
        )

    def _on_status(self, generation: int, found: due.RecordStatus | None) -> None:
        if not isValid(self) or generation != self._generation:
            return
        if found is None:
            self.set_status_summary("What is due could not be worked out just now.", "warning")
            return
        self._status = found
        self._render_status()

    def _on_closure_state(self, generation: int, found: ClosureOverview | None) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._show_closure_state(found)

    def _show_closure_state(self, found: ClosureOverview | None) -> None:
        text, level = closure_notice(found) if found is not None else ("", "")
        self.closure_notice.setText(text)
        set_severity(self.closure_notice, level)
        self.closure_notice.setVisible(bool(text))
        closed = found is not None and found.state is CaseState.CLOSED
        self.read_only.set_on(closed)
        self.edit_button.setEnabled(not closed)
        self.edit_button.setToolTip(
            "The case is closed: reopen it on the Closure tab to change the details."
            if closed
            else ""
        )

    def _keeps_working(self, button: QPushButton) -> bool:
        """Buttons that change nothing, or that a closed case still allows (a new concern)."""
        keep = (
            self.contacts.more_button,
            self.contacts.editor.back_button,
            self.safeguarding.concern_button,
            self.referrals.concern_button,
        )
        return any(button is k for k in keep)

    @property
    def steps_shown(self) -> bool:
        """The re-establish-contact steps are listed in full: always on Details; on the
        other sections only when asked for, so the work below keeps the screen."""
        return self.tabs.currentIndex() == 0 or self._steps_open

    def _render_status(self) -> None:
        if self._status is None:
            return
        text, level = status_text(self._status, local_today(self._clock()), steps=self.steps_shown)
        if self._status.reestablish_steps and self.tabs.currentIndex() != 0 and self._steps_open:
            text += "<a href='#steps' style='color:inherit'>hide the steps</a>"
        self.set_status_summary(text, level)

    def _toggle_steps(self, _link: str = "") -> None:
        self._steps_open = not self._steps_open
        self._render_status()

    def _on_open_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        if isinstance(exc, CaseworkError):
            text = str(exc)
        else:
            from ui import crash

            crash.report(type(exc), exc, exc.__traceback__)
            text = "The record could not be opened because of an unexpected problem."
        self.message.setText(
            f"<p><b>{html.escape(text)}</b></p><p>Use “Back to caseload” to return to the list.</p>"
        )
        self.pages.setCurrentIndex(_MESSAGE)
        self.back_button.setFocus()

    def _on_saved(self, changed: Changed) -> None:
        self.changed.emit(changed)
        if self._person_id is not None:
            self._record = None  # the form stays until the new version is read back
            self._open(self._person_id)

    def _on_section_changed(self, changed: Changed) -> None:
        self.changed.emit(changed)
        if changed.record_type == "young_person" and self._person_id is not None:
            self._open(self._person_id)  # the header and details show the new category
        elif self._person_id is not None:
            self._load_status(self._generation, self._person_id)  # what is due may change

    def _on_draft_notice(self, text: str) -> None:
        self.draft_notice.setText(text)
        self._sync_draft_bar()

    def _sync_draft_bar(self) -> None:
        """The header's draft notice, except on Contacts, where the drafts are listed."""
        text = self.draft_notice.text()
        self.draft_bar.setVisible(bool(text) and self.tabs.currentWidget() is not self.contacts)

    def _show_record(self) -> None:
        self.pages.setCurrentIndex(_RECORD)
        self.edit_button.setVisible(self._record is not None)
        self.edit_button.setFocus()

    def _fill_details(self, rows: list[tuple[str, str]]) -> None:
        while self.details.rowCount():
            self.details.removeRow(0)
        for label, value in rows:
            shown = QLabel(value)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details.addRow(QLabel(f"<b>{html.escape(label)}</b>"), shown)

    def _on_escape(self) -> None:
        if self.is_editing:
            self.cancel_edit()
        elif self.tabs.currentWidget() is self.contacts and self.contacts.is_editing:
            self.contacts.editor.go_back()
        else:
            self.request_back()


def _in_words(due_on: date, today: date) -> str:
    """Worded as My work words it: "2 years overdue, due 03/07/2024", "due tomorrow"."""
    days = (due_on - today).days
    if days == 0:
        return "due today"
    if days < 0:
        return f"{span_words(days)} overdue, due {due_on:%d/%m/%Y}"
    if days == 1:
        return "due tomorrow"
    return f"due in {span_words(days)}" if days < 14 else f"due {due_on:%d/%m/%Y}"


def _category_line(status: due.CaseStatus) -> list[str]:
    """A line when the facts disagree with the confirmed category (empty otherwise)."""
    view = status.category
    if view is None or view.derived is None or not view.disagrees:
        return []
    return [
        f"<b>Confirm eligibility:</b> the facts say {html.escape(view.derived.label)}, "
        f"confirmed {html.escape(view.confirmed.label)}; clocks follow "
        f"{html.escape(view.effective.label)} until a worker confirms"
    ]


def _whereabouts_line(lost: Whereabouts | None) -> list[str]:
    """Whereabouts unknown: for how long and since when; under 18 the missing-person report
    to the police that is required (statutory guidance on children who run away or go
    missing from home or care, 2014); from 18 the duty to keep trying to re-establish
    contact (Children Act 1989 s23C(2))."""
    if lost is None:
        return []
    days = "1 day" if lost.days == 1 else f"{lost.days} days"
    head = f"<b>⚠ WHEREABOUTS UNKNOWN for {days}</b> (since {lost.since:%d/%m/%Y})"
    if lost.missing_report_required:
        return [
            f"{head} · <b>MISSING-PERSON REPORT REQUIRED</b>: under 18, report them missing "
            "to the police (statutory guidance on children who run away or go missing)"
        ]
    return [f"{head} · keep taking steps to re-establish contact (Children Act 1989 s23C(2))"]


def status_text(found: due.RecordStatus, today: date, steps: bool = True) -> tuple[str, str]:
    """The header's status (HTML, every value escaped) and its level: overdue, warning, ok.

    With ``steps`` False the re-establish-contact steps fold into one line with a link
    ("#steps") that shows them."""
    status = found.status
    touch = status.in_touch
    first = [f"<b>{html.escape(touch.code.label)}</b>"]
    if touch.latest_successful:
        first.append(f"last reached {touch.latest_successful:%d/%m/%Y}")
    if touch.attempts_since:
        tries = "attempt" if touch.attempts_since == 1 else "attempts"
        first.append(f"{touch.attempts_since} failed {tries} since")
    if status.overdue:
        first.append(f"<b>{status.overdue} overdue</b>")
    if status.accommodation_warning:
        first.append(f"<b>{html.escape(status.accommodation_warning)}</b>")
    lines = [" · ".join(first), *_whereabouts_line(found.whereabouts), *_category_line(status)]
    if status.open_risks:
        risks = " · ".join(html.escape(str(r)) for r in status.open_risks)
        lines.append(f"<b>⚠ OPEN RISKS: {risks}</b>")
    nxt = status.next_due
    if nxt is not None:
        lines.append(f"Next: {html.escape(nxt.title)} ({_in_words(nxt.due, today)})")
    text = "<br>".join(lines)
    listed = found.reestablish_steps
    if listed and steps:
        items = "".join(f"<li>{html.escape(step)}</li>" for step in listed)
        text += f"<br>To re-establish contact:<ol style='margin-top:0'>{items}</ol>"
    elif listed:
        text += (
            f"<br>To re-establish contact: <a href='#steps' style='color:inherit'>"
            f"show the {len(listed)} steps</a>"
        )
    high = any(r.high for r in status.open_risks)
    lost = found.whereabouts
    if status.overdue or touch.code.value == "NO" or high or (lost and lost.under_18):
        return text, "overdue"
    soon = nxt is not None and (nxt.due - today).days <= 7
    warn = status.accommodation_warning or soon or status.open_risks or lost
    return text, "warning" if warn else "ok"


def closure_notice(found: ClosureOverview) -> tuple[str, str]:
    """The header's closure line (HTML, values escaped) and its style, or ("", "") when no
    closure is under way."""
    request = found.request
    link = "<a href='#closure' style='color:inherit'>Closure tab</a>"
    if found.state is CaseState.CLOSED:
        link = "<a href='#closure' style='color:#ffffff'>Closure tab</a>"
        reason = request.reason_label if request is not None else ""
        if not reason and found.closure_reason:
            try:
                reason = reason_label(found.closure_reason)
            except UnknownCode:
                reason = found.closure_reason
        closed_on = found.closed_on.strftime("%d/%m/%Y") if found.closed_on else "?"
        return (
            f"CASE CLOSED on {closed_on} — {html.escape(reason)}. The record is read-only: "
            f"add a note or reopen the case on the {link}.",
            "closed",
        )
    if found.state is CaseState.APPROVED and found.approval_current is False:
        return (
            "Closure approval is void: the record changed after it was given, so it goes "
            f"back to the team lead ({link}).",
            "warning",
        )
    words = {
        CaseState.PENDING: ("Closure requested: waiting for a team lead to approve it", "info"),
        CaseState.RETURNED: (
            "Closure request returned by the team lead: see their comments",
            "warning",
        ),
        CaseState.APPROVED: ("Closure approved: the case can be closed", "ok"),
    }.get(found.state)
    if words is None:
        return "", ""
    return f"{words[0]} ({link}).", words[1]


class ReadOnlyGuard(QObject):
    """While on (the case is closed), keeps the edit buttons inside some sections disabled:
    those there now, those a section adds when it reloads, and those it enables again.
    Off, each button gets back the state its section last gave it. ``keep`` names buttons
    that stay usable."""

    def __init__(
        self,
        roots: list[RecordSection],
        keep: Callable[[QPushButton], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._roots = roots
        self._keep = keep
        self._on = False
        self._forcing = False
        self._wanted: dict[QPushButton, bool] = {}  # guarded button -> enabled by its section
        self._watched: list[QWidget] = []
        self._sweep = QTimer(self, singleShot=True, interval=0)
        self._sweep.timeout.connect(self.sweep)

    @property
    def is_on(self) -> bool:
        return self._on

    def set_on(self, on: bool) -> None:
        if on == self._on:
            return
        self._on = on
        if on:
            self.sweep()
            return
        self._sweep.stop()
        self._forcing = True
        try:
            for button, wanted in self._wanted.items():
                if isValid(button):
                    button.removeEventFilter(self)
                    button.setEnabled(wanted)
            for widget in self._watched:
                if isValid(widget):
                    widget.removeEventFilter(self)
        finally:
            self._forcing = False
        self._wanted.clear()
        self._watched.clear()

    def sweep(self) -> None:
        """Disable every edit button in the sections; watch new containers for more."""
        if not self._on:
            return
        self._wanted = {b: w for b, w in self._wanted.items() if isValid(b)}
        self._watched = [w for w in self._watched if isValid(w)]
        watched = set(self._watched)
        self._forcing = True
        try:
            for root in self._roots:
                for widget in [root, *root.findChildren(QWidget)]:
                    if isinstance(widget, QPushButton):
                        if self._keep(widget):
                            continue
                        if widget not in self._wanted:
                            explicit = widget.testAttribute(Qt.WidgetAttribute.WA_ForceDisabled)
                            self._wanted[widget] = not explicit
                            widget.installEventFilter(self)
                        widget.setEnabled(False)
                    elif widget not in watched:
                        widget.installEventFilter(self)
                        self._watched.append(widget)
                        watched.add(widget)
        finally:
            self._forcing = False

    @staticmethod
    def _wanted_button(watched: QObject) -> QPushButton:
        assert isinstance(watched, QPushButton)
        return watched

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._on and not self._forcing:
            kind = event.type()
            if kind == QEvent.Type.ChildAdded:
                self._sweep.start()
            elif kind == QEvent.Type.EnabledChange and watched in self._wanted:
                button = self._wanted_button(watched)
                explicit = button.testAttribute(Qt.WidgetAttribute.WA_ForceDisabled)
                self._wanted[button] = not explicit
                if not explicit:
                    self._sweep.start()
        return False
