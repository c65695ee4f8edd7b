""" "My work": the signed-in worker's due and overdue items, most urgent first.

A PA's day starts here. Each line is one piece of work from the due engine
(``casework.services.due.my_work``) with when it is due in words, what it is and whose
record it is on; overdue lines are red, bold and say OVERDUE. Enter, a double-click or
"Open record" opens the young person's record (``open_record``); "Chronology" shows their
history in a window.

Team leads choose between their own work ("Mine") and every item in the teams they lead
("My team's", the default), and can narrow the team's list to one worker; the worker list
gives each worker's overdue count. Everyone can narrow by kind of work.

Items are read on a worker thread; ``clear()`` (the idle lock) drops them all and ignores
any result still on its way.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.db.database import Database
from casework.domain.due import DueKind
from casework.errors import CaseworkError
from casework.services.due import WorkItem
from casework.services.permissions import Actor
from casework.services.work_counts import Counts, counts
from ui import tasks
from ui.models.my_work_model import (
    DUE,
    PERSON,
    WHAT,
    WORKER,
    MyWorkModel,
    WorkLoaded,
    due_spoken,
    kind_counts,
    load_my_work,
    summary_text,
    worker_counts,
)
from ui.views.chronology import ChronologyDialog
from ui.views.record_common import problems_of
from ui.widgets.severity import SeverityKey
from ui.widgets.tables import keep_readable, list_table, select_table_row, selected_row

Clock = Callable[[], datetime]
_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_SAMPLES = {
    DUE: "⚠ 11 months OVERDUE · 00/00/0000",
    PERSON: "Abcdefghi Abcdefghij (C000000)",
    WORKER: "Abcdefghi Abcdefghij",
}
_FAILED = "My work could not be read. Press F5 to try again."


def _plain(exc: BaseException) -> str:
    if isinstance(exc, CaseworkError):
        return str(exc)
    from ui import crash

    crash.report(type(exc), exc, exc.__traceback__)
    return _FAILED


def summary_html(found: Counts) -> str:
    """The summary line, with the overdue figure in red when there is any."""
    text = html.escape(summary_text(found))
    if found.overdue:
        first, rest = text.split(" overdue", 1)
        return f"<span style='color:#a4161a;font-weight:bold'>{first} OVERDUE</span>{rest}"
    return text


def empty_text(team: bool, filtered: bool) -> str:
    if filtered:
        return (
            "<p><b>Nothing matches the worker and kind chosen.</b></p>"
            "<p>Choose “Everyone” and “All kinds of work” to see the whole list.</p>"
        )
    whose = "the teams you lead" if team else "the young people allocated to you"
    return (
        f"<p><b>Nothing is due for {whose}.</b></p>"
        "<p>Visits, keeping in touch, plan reviews, follow-up actions and other work appear "
        "here as soon as a record makes them due.</p>"
    )


class MyWorkView(QWidget):
    open_record = Signal(int)
    #: Overdue items in the list being shown (the navigation's badge); -1 once cleared.
    overdue_changed = Signal(int)
    loaded = Signal(int)  # a load finished: how many items in all
    message = Signal(str)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._leads = bool(actor.led_team_ids)
        self._generation = 0
        self._loading = False
        self._reselect: WorkItem | None = None
        self._chronology: ChronologyDialog | None = None
        self.model = MyWorkModel(self, lead=self._leads)
        self._build()
        self._connect()
        self.refresh()

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel("My team's work" if self._leads else "My work")
        self.title.setObjectName("viewTitle")
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.summary = QLabel("Checking what is due…")
        self.summary.setObjectName("workSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setStyleSheet("font-size: 11pt;")
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addSpacing(16)
        heading.addWidget(self.summary, 1, Qt.AlignmentFlag.AlignBaseline)
        self.summary.setWordWrap(True)

        self.mine = QRadioButton("&Mine")
        self.mine.setToolTip("Work for the young people allocated to you")
        self.team = QRadioButton("My &team's")
        self.team.setToolTip("Every item in the teams you lead, with the worker holding it")
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.mine)
        self.scope.addButton(self.team)
        (self.team if self._leads else self.mine).setChecked(True)
        self.worker = QComboBox()
        self.worker.setAccessibleName("Worker")
        self.worker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.worker_label = QLabel("&Worker:")
        self.worker_label.setBuddy(self.worker)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of work")
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        kind_label = QLabel("&Kind:")
        kind_label.setBuddy(self.kind)
        self.chronology_button = QPushButton("C&hronology")
        self.chronology_button.setToolTip("The selected young person's history, newest first")
        self.open_button = QPushButton("Op&en record")
        self.open_button.setToolTip(
            "Open the selected young person's record (Enter or double-click)"
        )
        self.done_button = QPushButton("Mark &done…")
        self.done_button.setToolTip("Say what was done about the selected learning action")
        self.done_button.hide()
        bar = QHBoxLayout()
        if self._leads:
            bar.addWidget(QLabel("Show:"))
            bar.addWidget(self.mine)
            bar.addWidget(self.team)
            bar.addSpacing(12)
            bar.addWidget(self.worker_label)
            bar.addWidget(self.worker)
            bar.addSpacing(12)
        else:
            for widget in (self.mine, self.team, self.worker_label, self.worker):
                widget.hide()
        bar.addWidget(kind_label)
        bar.addWidget(self.kind)
        bar.addStretch(1)
        # The actions sit on the heading's line: at 1366x768 and 150% text the filters
        # need the whole line below.
        heading.addWidget(self.done_button)
        heading.addWidget(self.chronology_button)
        heading.addWidget(self.open_button)

        self.table = self._make_table()
        self.detail = QLabel()
        self.detail.setObjectName("workDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 3)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty = QLabel()
        self.empty.setObjectName("workEmpty")
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(24, 48, 24, 24)
        self.show_all_button = QPushButton("Show all work")
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addWidget(self.empty)
        empty_layout.addWidget(self.show_all_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.table, 1)
        self.key = SeverityKey()  # the symbols in words: colour is never the only sign
        list_layout.addWidget(self.key)
        list_layout.addWidget(self.detail)
        self.pages = QStackedWidget()
        self.pages.addWidget(list_page)
        self.pages.addWidget(empty_page)

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self._fill_kinds([])
        self._set_tab_order()
        # No focus proxy: Tab from the navigation would then land on the table and skip the
        # filters. Focus given to the view (arriving here) goes to the table instead.
        self._show_page(empty=True, text="<p>Checking what is due…</p>")
        self._on_selection()

    def _set_tab_order(self) -> None:
        chain = [self.mine, self.team, self.worker] if self._leads else []
        chain += [self.kind, self.table, self.done_button, self.chronology_button, self.open_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _make_table(self) -> QTableView:
        table = list_table(self.model)
        header = table.horizontalHeader()
        metrics = table.fontMetrics()
        for column, sample in _SAMPLES.items():  # overdue rows are bold: about 10% wider
            header.resizeSection(column, int(metrics.horizontalAdvance(sample) * 1.1) + 28)
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        # "What" and the word OVERDUE stay readable at 1366x768 and 150% text.
        keep_readable(table, WHAT, floors={DUE: "⚠ 11 months OVERDUE"})
        header.setMinimumSectionSize(metrics.horizontalAdvance("Young person") + 24)
        table.setColumnHidden(WORKER, not self._leads)
        table.setAccessibleName("My work, most urgent first")
        table.installEventFilter(self)
        return table

    def _connect(self) -> None:
        self.scope.buttonToggled.connect(self._on_scope)
        self.worker.currentIndexChanged.connect(self._apply_filters)
        self.kind.currentIndexChanged.connect(self._apply_filters)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.open_button.clicked.connect(self.open_selected)
        self.done_button.clicked.connect(self.mark_done)
        self.chronology_button.clicked.connect(self.show_chronology)
        self.show_all_button.clicked.connect(self.show_everything)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._after_reset)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh).setWhatsThis(
            "My work: read the list again"
        )

    # --- public --------------------------------------------------------------------------

    @property
    def team_scope(self) -> bool:
        return self._leads and self.team.isChecked()

    @property
    def is_loading(self) -> bool:
        return self._loading

    def refresh(self) -> None:
        """Read the items again (on a worker): after a save, F5, or changing Mine/My team's."""
        self._generation += 1
        generation = self._generation
        team = self.team_scope
        self._loading = True
        if self.model.rowCount() == 0:
            whose = "your teams" if team else "the young people allocated to you"
            self._show_page(empty=True, text=f"<p>Checking what is due for {whose}…</p>")
        self.summary.setText("Checking what is due…")
        tasks.run(
            load_my_work,
            self._db,
            self._actor,
            self._clock(),
            team,
            on_result=lambda loaded: self._on_loaded(generation, loaded),
            on_error=lambda exc: self._on_failed(generation, exc),
        )

    def clear(self) -> None:
        """Drop every item (idle lock); a load still running is ignored when it lands."""
        self._generation += 1
        self._loading = False
        self._reselect = None
        dialog, self._chronology = self._chronology, None
        if dialog is not None:
            dialog.view.clear()
            dialog.close()
            dialog.deleteLater()
        self.model.clear()
        self._fill_workers([])
        self._fill_kinds([])
        self.summary.setText("")
        self.detail.clear()
        self.empty.clear()
        self.overdue_changed.emit(-1)

    def selected_item(self) -> WorkItem | None:
        row = selected_row(self.table)
        return None if row is None else self.model.item_at(row)

    def select_row(self, row: int) -> None:
        select_table_row(self.table, row, DUE)

    def open_selected(self) -> None:
        work = self.selected_item()
        if work is not None:
            self.open_record.emit(work.person_id)

    def show_chronology(self) -> None:
        work = self.selected_item()
        if work is None:
            return
        name = f"{work.name} ({work.child_uid})"
        if self._chronology is None:
            dialog = ChronologyDialog(
                self._db, self._actor, self._clock, work.person_id, self, name=name
            )
            dialog.view.message.connect(self.message)
            dialog.finished.connect(self._chronology_closed)
            self._chronology = dialog
        else:
            self._chronology.show_person(work.person_id, name)
        self._chronology.show()
        self._chronology.raise_()
        self._chronology.activateWindow()

    @property
    def chronology(self) -> ChronologyDialog | None:
        return self._chronology

    def show_everything(self) -> None:
        self.worker.setCurrentIndex(0)
        self.kind.setCurrentIndex(0)

    def set_worker(self, key: int | None) -> bool:
        found = self.worker.findData(key)
        if found >= 0:
            self.worker.setCurrentIndex(found)
        return found >= 0

    def set_kind(self, kind: DueKind | None) -> bool:
        found = self.kind.findData(None if kind is None else kind.value)
        if found >= 0:
            self.kind.setCurrentIndex(found)
        return found >= 0

    # --- reacting ------------------------------------------------------------------------

    def _on_scope(self, _button: object, checked: bool) -> None:
        if not checked:
            return
        self.title.setText("My team's work" if self.team_scope else "My work")
        self.table.setColumnHidden(WORKER, not self.team_scope)
        self.worker_label.setEnabled(self.team_scope)
        self.worker.setEnabled(self.team_scope)
        self._reselect = None
        self.model.clear()
        self.refresh()

    def _on_loaded(self, generation: int, loaded: WorkLoaded) -> None:
        if not isValid(self) or generation != self._generation:
            return  # gone, cleared, or superseded by a newer load
        self._loading = False
        self._fill_workers(loaded.items)
        self.model.set_items(loaded.items, loaded.today)
        self._apply_filters()
        self.overdue_changed.emit(counts(loaded.items, loaded.today, self._leads).overdue)
        self.loaded.emit(len(loaded.items))

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._loading = False
        text = _plain(exc)
        self.summary.setText(html.escape(text))
        if self.model.rowCount() == 0:
            self._show_page(empty=True, text=f"<p><b>{html.escape(text)}</b></p>")

    def _fill_workers(self, items: list[WorkItem]) -> None:
        current = self.worker.currentData()
        self.worker.blockSignals(True)
        self.worker.clear()
        overdue = sum(w.item.overdue for w in items)
        self.worker.addItem(f"Everyone ({overdue:,} overdue of {len(items):,})", None)
        for found in worker_counts(items):
            self.worker.addItem(
                f"{found.name} ({found.overdue:,} overdue of {found.total:,})", found.key
            )
        self.worker.setCurrentIndex(max(0, self.worker.findData(current)))
        self.worker.blockSignals(False)

    def current_kind(self) -> DueKind | None:
        value = self.kind.currentData()
        return None if value is None else DueKind(value)

    def _fill_kinds(self, items: list[WorkItem]) -> None:
        """Kinds with items for the chosen worker, with how many of each. (Combo boxes hold
        the kinds' plain values: a str enum comes back from Qt as a plain str.)"""
        current = self.kind.currentData()
        found = kind_counts(items)
        self.kind.blockSignals(True)
        self.kind.clear()
        self.kind.addItem(f"All kinds of work ({sum(found.values()):,})", None)
        for kind in DueKind:
            if found[kind] or kind.value == current:
                self.kind.addItem(f"{kind.label} ({found[kind]:,})", kind.value)
        self.kind.setCurrentIndex(max(0, self.kind.findData(current)))
        self.kind.blockSignals(False)

    def _apply_filters(self) -> None:
        worker = self.worker.currentData() if self.team_scope else None
        self.model.set_filters(worker, self.current_kind())
        self._fill_kinds(self.model.items_for_worker())
        self._after_reset()

    def _remember_selection(self) -> None:
        if self._reselect is None:
            self._reselect = self.selected_item()

    def _after_reset(self) -> None:
        today = self.model.today
        shown = self.model.shown_items()
        if today is not None and not self._loading:
            waiting = sum(self.model.is_waiting(w) for w in shown)
            note = f" · {waiting:,} waiting for your team lead" if waiting else ""
            self.summary.setText(summary_html(counts(shown, today, self._leads)) + note)
        if shown:
            self._show_page(empty=False)
        elif today is not None and not self._loading:
            filtered = self.model.rowCount() < len(self.model.all_items())
            self._show_page(empty=True, text=empty_text(self.team_scope, filtered))
            self.show_all_button.setVisible(filtered)
        wanted, self._reselect = self._reselect, None
        row = self.model.row_of(wanted) if wanted is not None else None
        if row is None and shown and self.selected_item() is None:
            row = 0  # the row Enter opens is the one selected and described below
        if row is not None:
            self.select_row(row)
        self._on_selection()

    def _show_page(self, *, empty: bool, text: str = "") -> None:
        if empty:
            self.empty.setText(text)
            self.show_all_button.hide()
        self.pages.setCurrentIndex(1 if empty else 0)

    def _on_selection(self) -> None:
        work = self.selected_item()
        self.open_button.setEnabled(work is not None)
        self.chronology_button.setEnabled(work is not None)
        self.done_button.setVisible(work is not None and work.item.kind is DueKind.LEARNING_ACTION)
        today = self.model.today
        if work is None or today is None:
            self.detail.setText(
                "Select a line to see why it is due. Enter or a double-click opens the record."
                if self.model.rowCount()
                else ""
            )
            return
        self.detail.setText(_detail_html(work, today))

    def mark_done(self, note: str | None = None) -> None:
        """Mark the selected learning action (from a closure audit) done, saying what was
        done; ``note`` skips the dialog (tests)."""
        work = self.selected_item()
        if work is None or work.item.kind is not DueKind.LEARNING_ACTION:
            return
        if note is None:
            from ui.views.closure_audits import TextDialog

            dialog = TextDialog(self, "Learning action done", "What was done:")
            if dialog.exec() != TextDialog.DialogCode.Accepted:
                return
            note = dialog.value()
        from casework.services import closure_audit

        tasks.run(
            closure_audit.complete_action,
            self._db,
            self._actor,
            work.item.source_id,
            note,
            now=self._clock(),
            on_result=lambda _changed: self.refresh(),
            on_error=lambda exc: self.detail.setText(html.escape(" ".join(problems_of(exc, {})))),
        )

    def _open_row(self, row: int) -> None:
        work = self.model.item_at(row)
        if work is not None:
            self.open_record.emit(work.person_id)

    def _chronology_closed(self) -> None:
        dialog, self._chronology = self._chronology, None
        if dialog is not None:
            dialog.deleteLater()

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Arriving (the view itself given focus): the table, its first row selected."""
        super().focusInEvent(event)
        self.table.setFocus(event.reason())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _OPEN_KEYS and self.table.currentIndex().isValid():
                self._open_row(self.table.currentIndex().row())
                return True
        return super().eventFilter(watched, event)


def _detail_html(work: WorkItem, today: date) -> str:
    item = work.item
    esc = html.escape
    when = esc(due_spoken(item.due, today))
    if item.overdue:
        when = f"<span style='color:#a4161a;font-weight:bold'>{when}</span>"
    worker = f" · held by {esc(work.worker)}" if work.worker else " · not allocated"
    return (
        f"<b>{esc(work.name)} ({esc(work.child_uid)})</b>{worker} · {esc(item.kind.label)}"
        f"<br>{esc(item.title)}. {when}.<br>{esc(item.detail)}"
    )
