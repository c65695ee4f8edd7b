"""The one way a form shows what is wrong: a list of plain sentences at the top, each
(when it is about one field) a link that puts the cursor in that field, and a short
note beside the field itself. A problem disappears as soon as its field is fixed."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ui.widgets.forms import inputs, on_edit


def field_note() -> QLabel:
    """The note beside a field that is wrong (styled with the list; hidden when empty)."""
    label = QLabel()
    label.setObjectName("fieldProblem")
    label.setProperty("severity", "error")
    label.setWordWrap(True)
    label.hide()
    return label


class ProblemList(QLabel):
    """Shows one or more problems as a bullet list; invisible when there are none."""

    field_chosen = Signal(str)  # a problem's link was followed: the field's key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problems")
        self.setProperty("severity", "error")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setAccessibleName("Problems")
        # Links are followed with the mouse; Tab moves straight on to the fields (and
        # Enter keeps submitting the form instead of opening a link).
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.linkActivated.connect(self.field_chosen)
        # Never taller than its text: spare room in a form belongs elsewhere.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._problems: list[str] = []
        self._fields: list[str | None] = []
        self._heading: str | None = None
        self._check: Callable[[], list[str]] | None = None
        self._local: set[str] = set()
        self._watched: set[int] = set()
        self.hide()

    def problems(self) -> list[str]:
        return list(self._problems)

    def set_problems(
        self,
        problems: list[str],
        heading: str | None = None,
        fields: list[str | None] | None = None,
    ) -> None:
        """Show ``problems`` under ``heading``; ``fields`` (one per problem, or None)
        makes each a link to its field."""
        self._problems = list(problems)
        self._fields = list(fields) if fields is not None else [None] * len(problems)
        self._heading = heading
        self._local = set(self._check()) if self._check is not None else set()
        self._render()

    def _render(self) -> None:
        problems, heading = self._problems, self._heading
        if not problems:
            self.clear()
            self.hide()
            return
        texts = [
            f'<a href="{escape(field)}">{escape(p)}</a>' if field else escape(p)
            for p, field in zip(problems, self._fields, strict=True)
        ]
        if len(problems) == 1 and heading is None:
            html = texts[0]
        else:
            items = "".join(f"<li>{t}</li>" for t in texts)
            head = f"<p><b>{escape(heading)}</b></p>" if heading else ""
            html = f"{head}<ul style='margin-left:-20px'>{items}</ul>"
        self.setText(html)
        self.show()

    def set_message(self, message: str) -> None:
        self.set_problems([message] if message else [])

    def plain_text(self) -> str:
        return "\n".join(self._problems)

    def drop_field(self, field: str) -> None:
        """The worker changed ``field``: its problems go."""
        keep = [i for i, f in enumerate(self._fields) if f != field]
        if len(keep) != len(self._fields):
            self._problems = [self._problems[i] for i in keep]
            self._fields = [self._fields[i] for i in keep]
            self._render()

    def recheck_on_edit(self, root: QWidget, check: Callable[[], list[str]]) -> None:
        """Whenever a control under ``root`` is edited, a problem ``check`` found when
        it was shown goes away once ``check`` no longer finds it (problems from the core
        stay until the next attempt)."""
        self._check = check
        if id(root) in self._watched:
            return
        self._watched.add(id(root))
        for widget in inputs(root):
            on_edit(widget, self._recheck)

    def _recheck(self) -> None:
        if not self._problems or self._check is None:
            return
        now = set(self._check())
        keep = [i for i, p in enumerate(self._problems) if p in now or p not in self._local]
        if len(keep) != len(self._problems):
            self._problems = [self._problems[i] for i in keep]
            self._fields = [self._fields[i] for i in keep]
            self._render()
