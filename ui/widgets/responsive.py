"""A toolbar row that folds onto two lines when its controls do not fit side by side
(1366x768 at 150% text), instead of drawing them over each other."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget


class FoldingBar(QWidget):
    """``left`` controls, then ``right`` ones at the far end; below each other if the
    width is too small for both groups on one line."""

    def __init__(self, left: list[QWidget], right: list[QWidget]) -> None:
        super().__init__()
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._left = QHBoxLayout()
        self._right = QHBoxLayout()
        for widget in left:
            self._left.addWidget(widget)
        self._left.addStretch(1)
        self._right.addStretch(1)
        for widget in right:
            self._right.addWidget(widget)
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addLayout(self._left, 1)
        self._row.addLayout(self._right)
        self._outer.addLayout(self._row)
        self.folded = False

    def _needed(self) -> int:
        return self._left.minimumSize().width() + self._right.minimumSize().width() + 24

    def resizeEvent(self, event: QResizeEvent) -> None:
        fold = event.size().width() < self._needed()
        if fold != self.folded:
            self.folded = fold
            direction = (
                QBoxLayout.Direction.TopToBottom if fold else QBoxLayout.Direction.LeftToRight
            )
            self._row.setDirection(direction)
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        hint.setWidth(max(self._left.minimumSize().width(), self._right.minimumSize().width()))
        return hint
