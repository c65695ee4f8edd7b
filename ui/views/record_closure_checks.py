"""One closure check on the Closure tab: its result in colour, why it exists, the evidence
it looked at (each piece linking to its place in the record) and, for a failed warning,
the written justification."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casework.domain.closure import (
    CheckResult,
    Outcome,
    Severity,
)
from casework.domain.closure_state import Fix, fix_for
from ui.dialogs.record_dialogs import text_box
from ui.views.record_closure_words import (
    evidence_html,
    result_words,
)
from ui.views.record_common import (
    set_severity,
    text_label,
)


class CheckRow(QFrame):
    """One check: number, title, result in colour, what was found; "Details" shows why the
    check exists and the evidence, each piece linking to its place in the record. A failed
    (or justified) warning has a box for the written justification."""

    def __init__(
        self,
        link: Callable[[str], None],
        typed: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("checkRow")
        self.result: CheckResult | None = None
        self._key = ""
        self.number = QLabel()
        self.number.setMinimumWidth(self.number.fontMetrics().horizontalAdvance("00a") + 8)
        self.title = text_label()
        self.title.setStyleSheet("font-weight: bold;")
        self.badge = QLabel()
        self.badge.setObjectName("checkResult")
        self.toggle = QToolButton()
        self.toggle.setText("Details")
        self.toggle.setCheckable(True)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.toggled.connect(self._show_details)
        self.summary = text_label()
        self.details = text_label(rich=True, selectable=False)
        self.details.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.details.setProperty("keyboardLinks", True)  # outlined when Tab reaches it
        self.details.linkActivated.connect(link)
        self.details.hide()
        self.justify_label = QLabel("Why closing is still right (required to go on):")
        self.justify_label.setStyleSheet("font-weight: bold;")
        self.justification = text_box(2)
        self.justification.setAccessibleName("Justification")
        self.justification.textChanged.connect(typed)
        self.justification_shown = text_label()
        top = QHBoxLayout()
        top.addWidget(self.number, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.title, 1)
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(self.justify_label)
        layout.addWidget(self.justification)
        layout.addWidget(self.justification_shown)

    @property
    def wants_justification(self) -> bool:
        r = self.result
        return (
            r is not None
            and r.severity is Severity.WARNING
            and r.outcome in (Outcome.FAILED, Outcome.OVERRIDDEN)
        )

    def set_result(self, result: CheckResult, *, editable: bool) -> None:
        self.result = result
        words, key = result_words(result)
        self.number.setText(f"<b>{html.escape(result.id.number)}</b>")
        self.title.setText(result.title)
        self.badge.setText(words)
        self.summary.setText(result.summary)
        self.summary.setVisible(key not in ("passed", "na"))  # "Details" has it
        for widget in (self, self.badge):
            widget.setProperty("result", key)
            set_severity(widget, None)  # re-polish for the new property
        why = f"<i>Why this check exists:</i> {html.escape(result.why)}"
        fix = fix_for(result)
        if fix is not Fix.NOTHING:  # what fixes it: the core's answer
            why = f"<b>What fixes it:</b> {html.escape(fix.words)}<br>{why}"
        if key in ("passed", "na"):
            why = f"{html.escape(result.summary)}<br>{why}"
        lines = evidence_html(result.evidence)
        self.details.setText(why + (f"<br><i>What it looked at:</i><br>{lines}" if lines else ""))
        if key != self._key:  # what is wrong, and where, without a click; passed ones fold
            self.toggle.setChecked(key in ("failed", "team_lead"))
            self._key = key
        wants = self.wants_justification
        self.justify_label.setVisible(wants and editable)
        self.justification.setVisible(wants and editable)
        shown = result.justification if wants and not editable else ""
        self.justification_shown.setText(f"Justification: {shown}" if shown else "")
        self.justification_shown.setVisible(bool(shown))

    def justification_text(self) -> str:
        return self.justification.toPlainText() if self.wants_justification else ""

    def _show_details(self, on: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.details.setVisible(on)
