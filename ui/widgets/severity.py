"""The key to the symbols beside late work, in words, so colour is never the only sign."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from casework.domain.due import Severity
from ui.models.my_work_model import severity_icon


class SeverityKey(QWidget):
    """ "Late: [stop] safety (act first) [warning] other legal duty [i] council practice"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("severityKey")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Late work:"))
        size = self.fontMetrics().height()
        words = []
        for severity in Severity:
            icon = QLabel()
            icon.setPixmap(severity_icon(severity).pixmap(size, size))
            icon.setAccessibleName(severity.words)
            text = QLabel(severity.words)
            row.addWidget(icon)
            row.addWidget(text)
            row.addSpacing(8)
            words.append(text.text())
        row.addStretch(1)
        self.setAccessibleName("Key to late work: " + "; ".join(words))
