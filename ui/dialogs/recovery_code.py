"""Shows the recovery code once, and does not let the user past until they have kept it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

EXPLANATION = (
    "<h2>Keep this recovery code safe</h2>"
    "<p>This code is the only way back into the database if its passphrase is forgotten, "
    "or if the key kept in this computer's keyring is lost (for example after a new "
    "computer, a rebuilt user account or a keyring reset). Without it, nobody, "
    "including IT and the Casework developers, can open the records.</p>"
    "<p><b>It is shown only this once.</b> Store it where your council keeps sensitive "
    "credentials, such as the IT password safe, or print it and lock it away. Do not keep "
    "it in a file on this computer.</p>"
)


class RecoveryCodeDialog(QDialog):
    """Continue is enabled only once the user confirms the code is stored."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryCodeDialog")
        self.setWindowTitle("Recovery code")
        self._code = code
        text = QLabel(EXPLANATION)
        text.setWordWrap(True)
        self.code_label = QLabel(code)
        self.code_label.setObjectName("recoveryCode")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(20)
        font.setWeight(QFont.Weight.Bold)
        self.code_label.setFont(font)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("&Copy code")
        self.copy_button.setAutoDefault(False)
        self.copy_note = QLabel("")
        self.copy_note.setWordWrap(True)
        self.stored = QCheckBox("I have stored this code safely")
        self.buttons = QDialogButtonBox()
        self.continue_button = self.buttons.addButton(
            "Continue", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.continue_button.setEnabled(False)
        self.continue_button.setDefault(True)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.copy_note, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addSpacing(8)
        layout.addWidget(self.code_label)
        layout.addSpacing(8)
        layout.addLayout(copy_row)
        layout.addWidget(self.stored)
        layout.addWidget(self.buttons)
        self.copy_button.clicked.connect(self.copy)
        self.stored.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self.accept)
        self.resize(620, 440)
        self.stored.setFocus()

    def code(self) -> str:
        return self._code

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._code)
        self.copy_note.setText(
            "Copied. Paste it into the password safe now: the copy is removed from the "
            "clipboard when you continue."
        )

    def accept(self) -> None:
        if not self.stored.isChecked():
            return
        clipboard = QGuiApplication.clipboard()
        if clipboard.text() == self._code:
            clipboard.clear()
        super().accept()

    def reject(self) -> None:
        """Escape and the close button do nothing: the code would be lost for good."""
        self.copy_note.setText(
            "Tick the box once the code is stored safely, then press Continue. "
            "It cannot be shown again."
        )
