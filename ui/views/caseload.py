"""The caseload screen: search, "Only my cases", the lazy table and "Add young person".

Searching, sorting and "Only my cases" all re-query in SQL through ``CaseloadModel``;
the table shows whatever page of rows is on screen, with each young person's open risks
(red when high), in-touch status, next due item and accommodation warning from the due
engine. Enter or a double-click opens the selected young person's record
(``open_record``); "Chronology" shows their history in a window.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casework.db.database import Database
from casework.services.common import Changed
from casework.services.permissions import Actor
from ui.dialogs.young_person_form import YoungPersonDialog
from ui.models.caseload_model import (
    ACCOMMODATION,
    AGE,
    CHILD_ID,
    COLUMNS,
    ELIGIBILITY,
    IN_TOUCH,
    NAME,
    NEXT_DUE,
    OPEN_RISKS,
    PERSONAL_ADVISER,
    SOCIAL_WORKER,
    TEAM,
    CaseloadModel,
)
from ui.views.chronology import ChronologyDialog
from ui.widgets.responsive import FoldingBar
from ui.widgets.tables import freeze_first_column, list_table, select_table_row, selected_row

Clock = Callable[[], datetime]
SEARCH_DELAY_MS = 250
_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Starting widths from typical values; the last column stretches to fill what is left.
# Measuring the real rows ("resize to contents") would read every page of the caseload.
# Overdue and warning cells are bold (about 10% wider), so those columns allow for it.
_SAMPLES = {
    NAME: "Abcdefghijk, Abcdefgh",
    CHILD_ID: "C0000000",
    AGE: "Age 00",
    OPEN_RISKS: "CSE high · +1",
    IN_TOUCH: "Refuses contact",
    NEXT_DUE: "OVERDUE · 00/00/0000 · Pathway plan review",
    ACCOMMODATION: "Unsuitable: Bed and breakfast",
    ELIGIBILITY: "Former relevant child",
    TEAM: "Leaving Care North",
    SOCIAL_WORKER: "Abcdefghi Abcdefghij",
    PERSONAL_ADVISER: "Abcdefghi Abcdefghij",
}


def count_text(count: int, *, searching: bool, mine_only: bool) -> str:
    """ "1,687 young people", "3 matches", "12 young people allocated to you"."""
    if searching:
        return "1 match" if count == 1 else f"{count:,} matches"
    people = "1 young person" if count == 1 else f"{count:,} young people"
    return f"{people} allocated to you" if mine_only else people


def empty_text(search: str, *, mine_only: bool) -> str:
    """What to tell someone when nothing is listed, and what they can do about it."""
    if search:
        where = " allocated to you" if mine_only else ""
        return (
            f"<p><b>No young people{where} match “{html.escape(search)}”.</b></p>"
            "<p>Search by the start of a last name, first name, preferred name or Child "
            "Unique ID. Check the spelling, or clear the search to see everyone.</p>"
        )
    if mine_only:
        return (
            "<p><b>No young people are allocated to you as social worker or personal "
            "adviser.</b></p><p>Untick “Only my cases” to see your team's caseload.</p>"
        )
    return (
        "<p><b>There are no young people in your team's caseload yet.</b></p>"
        "<p>Use “Add young person” to add the first one.</p>"
    )


def _empty_action_text(search: str, mine_only: bool) -> str:
    if search:
        return "Clear search"
    return "Show my team's caseload" if mine_only else "Add young person"


class CaseloadView(QWidget):
    open_record = Signal(int)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._dialog: YoungPersonDialog | None = None
        self._chronology: ChronologyDialog | None = None
        self._select_id: int | None = None  # row to select once the next query lands
        self._focus_results = False
        self.model = CaseloadModel(db, actor, clock, parent=self)
        self._build()
        self._connect()
        self.refresh()

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name or Child ID")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the caseload")
        self.search.setMinimumWidth(
            self.search.fontMetrics().horizontalAdvance(self.search.placeholderText()) + 80
        )
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self.mine_only = QCheckBox("&Only my cases")
        self.mine_only.setToolTip("Only young people you are social worker or personal adviser to")
        self.whereabouts = QCheckBox("&Whereabouts unknown")
        self.whereabouts.setToolTip(
            "Only young people living in “residence not known” today. Under 18s must be "
            "reported missing to the police; for everyone, keep taking steps to re-establish "
            "contact (Children Act 1989 s23C(2))."
        )
        self.count = QLabel("Loading the caseload…")
        self.count.setObjectName("caseloadCount")
        self.add_button = QPushButton("&Add young person")
        self.open_button = QPushButton("Op&en record")
        self.open_button.setToolTip(
            "Open the selected young person's record (Enter or double-click)"
        )
        self.open_button.setEnabled(False)
        self.chronology_button = QPushButton("C&hronology")
        self.chronology_button.setToolTip("The selected young person's history, newest first")
        self.chronology_button.setEnabled(False)
        self.table = self._make_table()
        self.empty = QLabel()
        self.empty.setObjectName("caseloadEmpty")
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(24, 48, 24, 24)
        self.empty_action = QPushButton()
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addWidget(self.empty)
        empty_layout.addWidget(self.empty_action, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(empty_page)

        # One line, or two at 1366x768 with 150% text (never drawn over each other).
        self.bar = FoldingBar(
            [self.search, self.mine_only, self.whereabouts, self.count],
            [self.chronology_button, self.open_button, self.add_button],
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.pages, 1)
        QWidget.setTabOrder(self.search, self.mine_only)
        QWidget.setTabOrder(self.mine_only, self.whereabouts)
        QWidget.setTabOrder(self.whereabouts, self.table)
        QWidget.setTabOrder(self.table, self.chronology_button)
        QWidget.setTabOrder(self.chronology_button, self.open_button)
        QWidget.setTabOrder(self.open_button, self.add_button)
        self.setFocusProxy(self.search)

    def _make_table(self) -> QTableView:
        table = list_table(self.model)
        header = table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(NAME, Qt.SortOrder.AscendingOrder)
        metrics = table.fontMetrics()
        for column, sample in _SAMPLES.items():
            bold = 1.1 if column in (OPEN_RISKS, IN_TOUCH, NEXT_DUE, ACCOMMODATION) else 1.0
            header.resizeSection(column, int(metrics.horizontalAdvance(sample) * bold) + 28)
        # Ten columns rarely fit: Name keeps its width (a stretched section would shrink to
        # nothing) and the table scrolls sideways; the last column takes any room left.
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(metrics.horizontalAdvance("Age 00") + 16)
        table.setSortingEnabled(True)
        table.setAccessibleName("Caseload")
        self.frozen = freeze_first_column(table)  # the name stays while the rest scrolls
        table.installEventFilter(self)
        return table

    def _connect(self) -> None:
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self._search_keys = _SearchKeys(self)
        self.search.installEventFilter(self._search_keys)
        self._debounce.timeout.connect(self._apply_search)
        self.mine_only.toggled.connect(self.model.set_mine_only)
        self.whereabouts.toggled.connect(self.model.set_whereabouts_unknown)
        self.add_button.clicked.connect(self.add_young_person)
        self.open_button.clicked.connect(self._open_selected)
        self.chronology_button.clicked.connect(self.show_chronology)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_sort_indicator)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.empty_action.clicked.connect(self._on_empty_action)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.model.loading_changed.connect(self._on_loading)
        self.model.loaded.connect(self._on_loaded)
        self.model.failed.connect(self._on_failed)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search).setWhatsThis(
            "Caseload: search by name or ID"
        )
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh).setWhatsThis(
            "Caseload: read the list again"
        )

    # --- public --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Query again (after a save elsewhere, F5, or unlocking)."""
        self._debounce.stop()
        self.model.load(self.search.text(), self.mine_only.isChecked())

    def clear(self) -> None:
        """Drop every row and anything typed (idle lock): no case data stays in memory."""
        self._debounce.stop()
        self.search.blockSignals(True)
        self.search.setText("")  # unlike clear(), leaves no name to undo back
        self.search.blockSignals(False)
        dialog, self._dialog = self._dialog, None
        if dialog is not None:
            dialog.discard()
            dialog.deleteLater()
        chronology, self._chronology = self._chronology, None
        if chronology is not None:
            chronology.view.clear()
            chronology.close()
            chronology.deleteLater()
        self.model.clear()
        self._select_id = None
        self._on_selection()
        self.count.setText("")
        self.empty.clear()
        self.pages.setCurrentIndex(0)

    def selected_id(self) -> int | None:
        row = selected_row(self.table)
        return None if row is None else self.model.id_at(row)

    def select_person(self, person_id: int) -> bool:
        row = self.model.row_of(person_id)
        if row is None:
            return False
        select_table_row(self.table, row, NAME, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def add_young_person(self) -> None:
        if self._dialog is not None:
            self._dialog.raise_()
            self._dialog.activateWindow()
            return
        self._dialog = YoungPersonDialog(self._db, self._actor, self._clock, self)
        self._dialog.saved.connect(self._on_added)
        self._dialog.finished.connect(self._on_dialog_closed)
        self._dialog.open()

    @property
    def dialog(self) -> YoungPersonDialog | None:
        return self._dialog

    def show_chronology(self) -> None:
        """The selected young person's chronology, in a window of its own."""
        person_id = self.selected_id()
        if person_id is None:
            return
        row = self.model.row_at(self.table.currentIndex().row())
        name = f"{row.name} ({row.child_uid})" if row is not None else ""
        if self._chronology is None:
            dialog = ChronologyDialog(
                self._db, self._actor, self._clock, person_id, self, name=name
            )
            dialog.finished.connect(self._on_chronology_closed)
            self._chronology = dialog
        else:
            self._chronology.show_person(person_id, name)
        self._chronology.show()
        self._chronology.raise_()
        self._chronology.activateWindow()

    @property
    def chronology(self) -> ChronologyDialog | None:
        return self._chronology

    # --- reacting --------------------------------------------------------------------------

    def _apply_search(self) -> None:
        self.model.set_search(self.search.text())

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _on_empty_action(self) -> None:
        query = self.model.query
        if query.whereabouts_unknown:
            self.whereabouts.setChecked(False)
        elif query.search:
            self.search.clear()
            self._apply_search()
            self.search.setFocus()
        elif query.mine_only:
            self.mine_only.setChecked(False)
        else:
            self.add_young_person()

    def focus_results(self) -> None:
        """Enter in the search box: search now, then put the keyboard in the results."""
        self._debounce.stop()
        self._apply_search()
        if self.model.is_loading:
            self._focus_results = True
        else:
            self._enter_table()

    def _enter_table(self) -> None:
        self._focus_results = False
        if self.model.rowCount() == 0:
            return
        first = self.model.id_at(0)
        if self.selected_id() is None and first is not None:
            self.select_person(first)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remember_selection(self) -> None:
        if self._select_id is None:
            self._select_id = self.selected_id()

    def _on_loading(self, loading: bool) -> None:
        if loading and not self.count.text():
            self.count.setText("Loading the caseload…")

    def _on_loaded(self, count: int) -> None:
        query = self.model.query
        counted = count_text(count, searching=bool(query.search), mine_only=query.mine_only)
        if query.whereabouts_unknown:
            counted += " · whereabouts unknown"
        self.count.setText(counted)
        if count == 0 and query.whereabouts_unknown:
            self.empty.setText(
                "<p><b>Nobody listed here lives in “residence not known” today.</b></p>"
                "<p>Untick “Whereabouts unknown” to see the whole caseload.</p>"
            )
            self.empty_action.setText("Show the whole caseload")
            self.empty_action.show()
        elif count == 0:
            self.empty.setText(empty_text(query.search, mine_only=query.mine_only))
            self.empty_action.setText(_empty_action_text(query.search, query.mine_only))
            self.empty_action.show()
            self.pages.setCurrentIndex(1)
        else:
            self.pages.setCurrentIndex(0)
        wanted, self._select_id = self._select_id, None
        if wanted is not None:
            self.select_person(wanted)
        self._on_selection()  # a reset clears the selection without saying so
        if self._focus_results:
            self._enter_table()

    def _on_failed(self, message: str) -> None:
        self.count.setText("")
        self.empty.setText(f"<p><b>{html.escape(message)}</b></p>")
        self.empty_action.hide()
        if self.model.rowCount() == 0:
            self.pages.setCurrentIndex(1)

    def _on_selection(self) -> None:
        chosen = self.selected_id() is not None
        self.open_button.setEnabled(chosen)
        self.chronology_button.setEnabled(chosen)

    def _on_sort_indicator(self, column: int, _order: Qt.SortOrder) -> None:
        """A click on a status column sorts nothing: put the arrow back where it was."""
        if COLUMNS[column].sort_key is not None:
            return
        header = self.table.horizontalHeader()
        order = (
            Qt.SortOrder.DescendingOrder
            if self.model.query.descending
            else (Qt.SortOrder.AscendingOrder)
        )
        header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column(), order)
        header.blockSignals(False)
        header.viewport().update()

    def _open_selected(self) -> None:
        person_id = self.selected_id()
        if person_id is not None:
            self.open_record.emit(person_id)

    def _open_row(self, row: int) -> None:
        person_id = self.model.id_at(row)
        if person_id is not None:
            self.open_record.emit(person_id)

    def _on_added(self, changed: Changed) -> None:
        if changed.ids:
            self._select_id = changed.ids[0]
        self.search.blockSignals(True)
        self.search.clear()  # so the person just added is in the list
        self.search.blockSignals(False)
        self.refresh()
        self.table.setFocus()

    def _on_chronology_closed(self) -> None:
        dialog, self._chronology = self._chronology, None
        if dialog is not None:
            dialog.deleteLater()

    def _on_dialog_closed(self) -> None:
        if self._dialog is not None:
            self._dialog.deleteLater()
            self._dialog = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _OPEN_KEYS and self.table.currentIndex().isValid():
                self._open_row(self.table.currentIndex().row())
                return True
        return super().eventFilter(watched, event)


class _SearchKeys(QObject):
    """Enter or Down in the search box moves to the results; Escape clears the search."""

    def __init__(self, view: CaseloadView) -> None:
        super().__init__(view)
        self._view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key in (*_OPEN_KEYS, Qt.Key.Key_Down):
            self._view.focus_results()
            return True
        if key == Qt.Key.Key_Escape and self._view.search.text():
            self._view.search.clear()
            return True
        return False


__all__ = ["COLUMNS", "CaseloadView", "count_text", "empty_text"]
