"""A label that lists what is wrong with a form, in plain sentences, or hides itself."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ProblemList(QLabel):
    """Shows one or more problems as a bullet list; invisible when there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problems")
        self.setProperty("severity", "error")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Never taller than its text: spare room in a form belongs elsewhere.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._problems: list[str] = []
        self.hide()

    def problems(self) -> list[str]:
        return list(self._problems)

    def set_problems(self, problems: list[str], heading: str | None = None) -> None:
        self._problems = list(problems)
        if not problems:
            self.clear()
            self.hide()
            return
        if len(problems) == 1 and heading is None:
            html = escape(problems[0])
        else:
            items = "".join(f"<li>{escape(p)}</li>" for p in problems)
            head = f"<p>{escape(heading)}</p>" if heading else ""
            html = f"{head}<ul style='margin-left:-20px'>{items}</ul>"
        self.setText(html)
        self.show()

    def set_message(self, message: str) -> None:
        self.set_problems([message] if message else [])

    def plain_text(self) -> str:
        return "\n".join(self._problems)
