"""What the queue-like lists (My work, the front door, closures) share: rows in the core's
order, the ones a filter keeps, the day they were read for, and a fixed header."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

AnyIndex = QModelIndex | QPersistentModelIndex


class RowListModel(QAbstractTableModel):
    """Subclasses set ``titles`` and ``tooltips`` and, to narrow the list, override
    ``_keep`` and call ``_refilter`` when their filters change."""

    titles: tuple[str, ...] = ()
    tooltips: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[Any] = []
        self._shown: list[Any] = []
        self._today: date | None = None

    def _set_all(self, rows: Iterable[Any], today: date) -> None:
        self.beginResetModel()
        self._all, self._today = list(rows), today
        self._shown = [r for r in self._all if self._keep(r)]
        self.endResetModel()

    def _refilter(self) -> None:
        self.beginResetModel()
        self._shown = [r for r in self._all if self._keep(r)]
        self.endResetModel()

    def _keep(self, row: Any) -> bool:
        return True

    def clear(self) -> None:
        self.beginResetModel()
        self._all, self._shown, self._today = [], [], None
        self.endResetModel()

    @property
    def today(self) -> date | None:
        return self._today

    def _shown_at(self, row: int) -> Any:
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def _find(self, wanted: Callable[[Any], bool]) -> int | None:
        return next((n for n, row in enumerate(self._shown) if wanted(row)), None)

    # --- QAbstractTableModel -------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.titles)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.titles):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.titles[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltips[section]
        return None
