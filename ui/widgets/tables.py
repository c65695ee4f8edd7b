"""The list table every long list uses: whole-row selection, read-only, fixed row height."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def list_table(model: QAbstractItemModel) -> QTableView:
    """A table over ``model`` that never measures its rows: fixed heights and no
    "resize to contents", either of which would read every row of a lazy model."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def selected_row(table: QTableView) -> int | None:
    """The row that is current and selected, if any."""
    index = table.currentIndex()
    if not index.isValid() or not table.selectionModel().isRowSelected(index.row()):
        return None
    return index.row()


def select_table_row(
    table: QTableView,
    row: int,
    column: int,
    hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
) -> None:
    """Make ``row`` current and the only one selected (focus on ``column``), in view."""
    index = table.model().index(row, column)
    flag = QItemSelectionModel.SelectionFlag
    table.selectionModel().setCurrentIndex(index, flag.ClearAndSelect | flag.Rows)
    table.scrollTo(index, hint)
