"""A dialog's action and Cancel buttons, with a "Saving…" note while the core works."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QWidget

from ui.widgets.forms import make_default


class DialogFooter(QWidget):
    def __init__(self, dialog: QDialog, ok_text: str) -> None:
        super().__init__()
        self.ok_button = QPushButton(ok_text)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(dialog.accept)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(dialog.reject)
        self._registered = False
        self.saving = QLabel("Saving…")
        self.saving.hide()
        buttons = QDialogButtonBox()
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.saving, 1, Qt.AlignmentFlag.AlignRight)
        row.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._registered:  # inside its dialog by now: Enter presses OK for good
            self._registered = True
            make_default(self.ok_button)
        super().showEvent(event)

    def set_saving(self, saving: bool) -> None:
        self.ok_button.setEnabled(not saving)
        self.saving.setVisible(saving)
