"""The front-door queue: contacts and referrals awaiting a decision, soonest deadline first.

Every line is one contact (a concern received about a young person) or one referral to
children's social care, each with a decision due within 1 working day. The Decision due
column gives the date and the time left in words; overdue lines are red, bold and say
OVERDUE. The summary reads "3 OVERDUE, 5 due today, 12 awaiting a decision".

Anyone in a case team can record a concern ("Record a concern…"); only a team lead can
decide ("Decide…"), and a practitioner is told why the button is not available. A
decision to refer opens a referral, which joins the queue and is selected. Enter, a
double-click or "Open record" opens the young person's record (``open_record``).

The queue is read on a worker thread; ``clear()`` (the idle lock) drops it, closes any
open dialog and ignores any result still on its way.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.db.database import Database
from casework.services.common import Changed
from casework.services.front_door import QueueItem
from casework.services.permissions import Action, Actor, Relation, allowed
from casework.services.work_counts import FrontDoorCounts as Counts
from casework.services.work_counts import front_door_counts as counts
from ui import tasks
from ui.dialogs.front_door_dialogs import ConcernDialog, DecisionDialog, DecisionDone
from ui.models.front_door_model import (
    DUE,
    KIND,
    PERSON,
    RECEIVED,
    REPORTED,
    SOURCE,
    FrontDoorModel,
    QueueLoaded,
    kind_label,
    load_queue,
    person_text,
    received_text,
    summary_text,
    time_left_text,
)
from ui.views.list_and_record import ListAndRecord
from ui.views.record_common import SECTION_STYLE, banner, quiet_label, unexpected
from ui.widgets.tables import list_table, select_table_row, selected_row

if TYPE_CHECKING:
    pass

Clock = Callable[[], datetime]
_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_SAMPLES = {
    DUE: "00/00/0000 · OVERDUE by 10 working days",
    KIND: "Referral · ⚠ repeated concerns",
    PERSON: "Abcdefghi Abcdefghij (C000000)",
    RECEIVED: "00/00/0000 00:00",
    SOURCE: "LA services: another local authority",
}
NOT_LEAD = (
    "Only a team lead can decide a contact or referral. Ask your team lead, or record "
    "what you know with “Record a concern…”."
)
NOT_LEAD_SHORT = "Only a team lead can decide:"


def summary_html(found: Counts) -> str:
    """The summary line, with the overdue figure in red when there is any."""
    text = html.escape(summary_text(found))
    if found.overdue:
        first, rest = text.split(" OVERDUE", 1)
        return f"<span style='color:#a4161a;font-weight:bold'>{first} OVERDUE</span>{rest}"
    return text


def detail_html(item: QueueItem) -> str:
    esc = html.escape
    when = esc(time_left_text(item))
    if item.overdue:
        when = f"<span style='color:#a4161a;font-weight:bold'>{when}</span>"
    return (
        f"<b>{esc(kind_label(item))} about {esc(person_text(item))}</b> · received "
        f"{esc(received_text(item))} from {esc(item.source)}<br>"
        f"Decision due by the end of {item.due:%d/%m/%Y}: {when}."
    )


def can_decide(actor: Actor) -> bool:
    return allowed(actor.role, Action.DECIDE_FRONT_DOOR, Relation.OWN_TEAM)


class FrontDoorView(QWidget):
    open_record = Signal(int)
    #: Overdue items in the queue (a navigation badge); -1 once cleared.
    overdue_changed = Signal(int)
    loaded = Signal(int)  # a load finished: how many items
    message = Signal(str)
    record_changed = Signal(object)  # a concern or decision was saved (None: what is not known)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._decides = can_decide(actor)
        self._generation = 0
        self._loading = False
        self._reselect: tuple[str, int] | None = None
        self._after_load: Callable[[QueueItem | None], str] | None = None
        self.dialog: QDialog | None = None
        self.model = FrontDoorModel(self)
        self.setStyleSheet(SECTION_STYLE)
        self._build()
        self._connect()
        self.refresh()

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("Front door")
        title.setObjectName("viewTitle")
        title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.summary = QLabel("Checking the queue…")
        self.summary.setObjectName("frontDoorSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setStyleSheet("font-size: 11pt;")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addSpacing(16)
        heading.addWidget(self.summary, 1, Qt.AlignmentFlag.AlignBaseline)
        whose = "the teams you lead" if self._actor.led_team_ids else "your team"
        intro = quiet_label(
            f"Contacts and referrals in {whose} awaiting a decision, soonest deadline first. "
            "Each needs a decision within 1 working day of receipt."
        )
        self.notice = banner("", "ok")
        self.notice.setObjectName("recordBanner")
        self.notice.hide()

        self.concern_button = QPushButton("&Record a concern…")
        self.concern_button.setToolTip("A concern received about a young person")
        self.decide_button = QPushButton("&Decide…")
        self.open_button = QPushButton("Op&en record")
        self.open_button.setToolTip(
            "Open the selected young person's record (Enter or double-click)"
        )
        self.decide_reason = quiet_label("" if self._decides else NOT_LEAD_SHORT)
        self.decide_reason.setWordWrap(False)
        self.decide_reason.setVisible(not self._decides)
        if not self._decides:
            self.decide_button.setToolTip(NOT_LEAD)
        bar = QHBoxLayout()
        bar.addWidget(self.concern_button)
        bar.addStretch(1)
        bar.addWidget(self.decide_reason)
        bar.addWidget(self.decide_button)
        bar.addWidget(self.open_button)

        self.table = self._make_table()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 2 + 4)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(24, 48, 24, 24)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.detail)
        self.pages = QStackedWidget()
        self.pages.addWidget(list_page)
        self.pages.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(intro)
        layout.addWidget(self.notice)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        for first, second in itertools.pairwise(
            [self.table, self.concern_button, self.decide_button, self.open_button]
        ):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.table)
        self._show_empty("<p>Checking the queue…</p>")
        self._on_selection()

    def _make_table(self) -> QTableView:
        table = list_table(self.model)
        header = table.horizontalHeader()
        metrics = table.fontMetrics()
        for column, sample in _SAMPLES.items():  # overdue rows are bold: about 10% wider
            header.resizeSection(column, int(metrics.horizontalAdvance(sample) * 1.1) + 28)
        # What was reported takes the rest of the width (its first line; the whole text
        # opens with the decision).
        header.setSectionResizeMode(REPORTED, QHeaderView.ResizeMode.Stretch)
        table.setAccessibleName("Front-door queue, soonest deadline first")
        table.installEventFilter(self)
        return table

    def _connect(self) -> None:
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.open_button.clicked.connect(self.open_selected)
        self.concern_button.clicked.connect(self.record_concern)
        self.decide_button.clicked.connect(self.decide_selected)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._after_reset)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh).setWhatsThis(
            "Front door: read the queue again"
        )

    # --- public --------------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def decides(self) -> bool:
        return self._decides

    def refresh(self) -> None:
        """Read the queue again (on a worker): after a save, F5, or another screen's save."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        if self.model.rowCount() == 0:
            self._show_empty("<p>Checking the queue…</p>")
        self.summary.setText("Checking the queue…")
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
        self._after_load = None
        self._close_dialog()
        self.model.clear()
        self.summary.setText("")
        self.notice.clear()
        self.notice.hide()
        self.detail.clear()
        self.empty.clear()
        self.overdue_changed.emit(-1)

    def selected_item(self) -> QueueItem | None:
        row = selected_row(self.table)
        return None if row is None else self.model.item_at(row)

    def select_row(self, row: int) -> None:
        select_table_row(self.table, row, DUE)

    def open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.open_record.emit(item.young_person_id)

    def record_concern(self) -> ConcernDialog:
        """Open the concern dialog (window-modal), starting on the selected young person."""
        self._close_dialog()
        item = self.selected_item()
        dialog = ConcernDialog(
            self._db,
            self._actor,
            self._clock,
            self,
            person_id=item.young_person_id if item is not None else None,
        )
        dialog.saved.connect(self._concern_saved)
        self._show_dialog(dialog)
        return dialog

    def decide_selected(self) -> DecisionDialog | None:
        item = self.selected_item()
        if item is None or not self._decides:
            return None
        self._close_dialog()
        dialog = DecisionDialog(self._db, self._actor, self._clock, item, self)
        dialog.saved.connect(self._decision_saved)
        self._show_dialog(dialog)
        return dialog

    # --- dialogs -------------------------------------------------------------------------

    def _show_dialog(self, dialog: QDialog) -> None:
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

    def _concern_saved(self, changed: Changed) -> None:
        contact_id = changed.ids[0]

        def notice(item: QueueItem | None) -> str:
            if item is None:
                return "Concern recorded."
            return (
                f"Concern recorded for <b>{html.escape(person_text(item))}</b> and selected "
                f"below. A team lead must decide by the end of {item.due:%d/%m/%Y}."
            )

        self._saved(("contact", contact_id), notice, "Concern recorded.")

    def _decision_saved(self, done: DecisionDone) -> None:
        who = html.escape(person_text(done.item))
        what = html.escape(done.label)
        if done.referral_id is None:
            text = f"Decision recorded for <b>{who}</b>: {what}. It has left the queue."
            self._saved(None, lambda _item: text, "Decision recorded.")
            return

        def notice(item: QueueItem | None) -> str:
            due = f", decision due by the end of {item.due:%d/%m/%Y}" if item else ""
            return (
                f"Decision recorded for <b>{who}</b>: {what}. <b>A referral was opened</b> and "
                f"is now in the queue (selected below){due}."
            )

        self._saved(("referral", done.referral_id), notice, "Decision recorded; referral opened.")

    def _saved(
        self,
        select: tuple[str, int] | None,
        notice: Callable[[QueueItem | None], str],
        message: str,
    ) -> None:
        self._reselect = select
        self._after_load = notice
        self.message.emit(message)
        self.record_changed.emit(None)
        self.refresh()

    # --- reacting ------------------------------------------------------------------------

    def _on_loaded(self, generation: int, loaded: QueueLoaded) -> None:
        if not isValid(self) or generation != self._generation:
            return  # gone, cleared, or superseded by a newer load
        self._loading = False
        self.model.set_items(loaded.items, loaded.today)
        self.overdue_changed.emit(counts(loaded.items, loaded.today).overdue)
        self.loaded.emit(len(loaded.items))

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
            item = self.selected_item()
            self._reselect = (item.kind, item.id) if item is not None else None

    def _after_reset(self) -> None:
        today = self.model.today
        if today is not None:
            self.summary.setText(summary_html(counts(self.model.items(), today)))
        if self.model.rowCount():
            self.pages.setCurrentIndex(0)
        elif today is not None:
            self._show_empty(
                "<p><b>Nothing is awaiting a decision.</b></p><p>Concerns appear here as "
                "soon as they are recorded, with the time left to decide.</p>"
            )
        wanted, self._reselect = self._reselect, None
        row = self.model.row_of(*wanted) if wanted is not None else None
        if row is not None:
            self.select_row(row)
        notice, self._after_load = self._after_load, None
        if notice is not None:
            self.notice.setText(notice(self.model.item_at(row) if row is not None else None))
            self.notice.show()
        self._on_selection()

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.pages.setCurrentIndex(1)

    def _on_selection(self) -> None:
        item = self.selected_item()
        self.open_button.setEnabled(item is not None)
        self.decide_button.setEnabled(item is not None and self._decides)
        if item is None:
            self.detail.setText(
                "Select a line to decide it or open the record. Enter or a double-click "
                "opens the record."
                if self.model.rowCount()
                else ""
            )
            return
        self.detail.setText(detail_html(item))

    def _open_row(self, row: int) -> None:
        item = self.model.item_at(row)
        if item is not None:
            self.open_record.emit(item.young_person_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _OPEN_KEYS and self.table.currentIndex().isValid():
                self._open_row(self.table.currentIndex().row())
                return True
        return super().eventFilter(watched, event)


class FrontDoorSection(ListAndRecord):
    """The front-door queue, and a young person's record in its place when one is opened.
    The record view is built the first time."""

    shows = "front_door"  # casework.services.work_lists.WorkList.FRONT_DOOR

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        self.front_door = FrontDoorView(db, actor, clock)
        super().__init__(db, actor, clock, self.front_door, "← &Back to the front door", parent)
