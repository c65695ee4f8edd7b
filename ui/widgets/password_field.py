"""A password box that explains, as the user types, why a password would be refused."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.widgets.problems import ProblemList

Checker = Callable[[str], list[str]]


def password_checker(username: Callable[[], str]) -> Checker:
    """Checks against the account password policy (for the user name given then)."""

    def check(text: str) -> list[str]:
        from casework.domain.passwords import password_problems

        return password_problems(text, username())

    return check


def passphrase_checker(text: str) -> list[str]:
    from casework.db.keys import passphrase_problems

    return passphrase_problems(text)


def warm_up() -> None:
    """Load the common-password list off the GUI thread before the first keystroke."""
    from ui import tasks

    def load() -> None:
        from casework.domain.passwords import password_problems

        password_problems("warm-up", "")

    tasks.run(load, on_error=lambda exc: None)


class PasswordField(QWidget):
    """A hidden-text line edit with a Show box and the policy problems shown under it.

    Problems appear once the user has left the field (or tried to submit), then
    follow every keystroke; a passing password gets a short confirmation.
    """

    changed = Signal()

    def __init__(
        self,
        checker: Checker | None = None,
        *,
        ok_text: str = "This password meets the rules.",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._checker = checker
        self._ok_text = ok_text
        self._touched = False
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_box = QCheckBox("Show", self)
        self.show_box.setToolTip("Show the text while you type it")
        self.problems_label = ProblemList(self)
        self.ok_label = QLabel(ok_text, self)
        self.ok_label.setProperty("severity", "ok")
        self.ok_label.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.show_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.ok_label)
        self.setFocusProxy(self.edit)
        self.show_box.toggled.connect(self._toggle_echo)
        self.edit.textChanged.connect(self._on_text)
        self.edit.editingFinished.connect(self.touch)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def clear(self) -> None:
        self.edit.clear()
        self._touched = False
        self.problems_label.set_problems([])
        self.ok_label.hide()

    def problems(self) -> list[str]:
        return self._checker(self.text()) if self._checker else []

    def touch(self) -> None:
        """Start showing problems (the user left the field or pressed submit)."""
        if self.text():
            self._touched = True
        self.refresh()

    def refresh(self) -> None:
        if not self._touched:
            return
        problems = self.problems()
        self.problems_label.set_problems(problems)
        self.ok_label.setVisible(not problems and bool(self.text()) and bool(self._checker))

    def show_problems(self, problems: list[str]) -> None:
        self._touched = True
        self.problems_label.set_problems(problems)
        self.ok_label.setVisible(False)

    def _toggle_echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.edit.setEchoMode(mode)

    def _on_text(self) -> None:
        self.refresh()
        self.changed.emit()
