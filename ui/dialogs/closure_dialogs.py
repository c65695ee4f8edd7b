"""Dialogs of the record's Closure tab: withdraw a closure request, add a note to a closed
case, reopen a closed case (with the reason, which is required), and record an
arrangement alongside a care leaver's case (another council or adult social care: Care
Leavers (England) Regulations 2010 reg 2(1)).

Each is a ``RecordDialog``: it checks what it can on the spot, then runs one service call
on a worker; the core's refusals come back in plain words with everything typed kept.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtWidgets import QLineEdit, QWidget

from casework.domain.closure_grounds import ArrangementKind
from casework.services import arrangements, closure
from casework.services.arrangements import ArrangementInput
from ui.dialogs.record_dialogs import RecordDialog, Submission, code_combo, date_field, text_box
from ui.views.record_common import RecordContext, quiet_label


def _by_request(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A service that takes the request's id, not the person's: drop the person id the
    dialog passes (the core checks the request belongs to a record the worker may change)."""

    def call(db: Any, actor: Any, _person_id: int, *args: Any, **kwargs: Any) -> Any:
        return fn(db, actor, *args, **kwargs)

    return call


class WithdrawDialog(RecordDialog):
    """Confirm withdrawing the active closure request; the case stays open."""

    def __init__(
        self,
        ctx: RecordContext,
        request_id: int,
        reason: str,
        parent: QWidget | None = None,
        *,
        version: int | None = None,
    ) -> None:
        super().__init__(
            ctx,
            "Withdraw the closure request",
            f"Withdraw the request to close this case (<b>{html.escape(reason)}</b>)?<br><br>"
            "The case stays open and the request is kept in the closure history. To close "
            "the case later, make a new request.",
            "Withdraw request",
            parent,
        )
        self.request_id = request_id
        self.version = version  # the request as shown: a change since is named, not undone

    def submission(self) -> Submission:
        return (
            _by_request(closure.withdraw_closure),
            (self.request_id,),
            {"expected_version": self.version},
        )


class NoteDialog(RecordDialog):
    """A note appended to a closed case (the one change a closed case takes)."""

    labels: ClassVar[dict[str, str]] = {"text": "Note"}

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Add a note to the closed case",
            "The case stays closed. The note is added under the closure, with your name and "
            "the time; it cannot be changed afterwards.",
            "Add note",
            parent,
        )
        self.text = text_box(6)
        self.text.setPlaceholderText(
            "For example: Northshire's leaving care team rang to confirm they have the file."
        )
        self.form.addRow("&Note", self.text)
        self.text.setFocus()
        self.resize(620, 320)

    def check(self) -> list[str]:
        return [] if self.text.toPlainText().strip() else ["Note: write the note first."]

    def submission(self) -> Submission:
        return closure.add_note, (self.text.toPlainText(),), {}


class ReopenDialog(RecordDialog):
    """Reopen a closed case; the reason is required and kept in the closure history."""

    labels: ClassVar[dict[str, str]] = {"reason": "Why it is being reopened"}

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Reopen the case",
            "Reopening makes the whole record editable again. The closure, its summary and "
            "the notes stay in the history.",
            "Reopen case",
            parent,
        )
        self.reason = text_box(5)
        self.reason.setPlaceholderText(
            "For example: they have come back asking for help with a deposit for a flat."
        )
        self.form.addRow("&Why it is being reopened", self.reason)
        self.form.addRow("", quiet_label("Required. Say what has happened and who asked."))
        self.reason.setFocus()
        self.resize(620, 320)

    def check(self) -> list[str]:
        if self.reason.toPlainText().strip():
            return []
        return ["Why it is being reopened: say why the case is being reopened."]

    def submission(self) -> Submission:
        return closure.reopen_case, (self.reason.toPlainText(),), {}


class ArrangementDialog(RecordDialog):
    """Record another council or adult social care involved alongside a care leaver's case.
    It never closes the case (CLR 2010 reg 2(1))."""

    labels: ClassVar[dict[str, str]] = {
        "kind": "Arrangement",
        "with_whom": "Who",
        "started_on": "From",
        "note": "Note",
    }

    def __init__(self, ctx: RecordContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Record an arrangement alongside the case",
            "Another council where they now live, or adult social care, involved from a date. "
            "<b>The case stays open</b>: this council stays responsible for a care leaver "
            "wherever they live (Care Leavers (England) Regulations 2010 reg 2(1)).",
            "Record arrangement",
            parent,
        )
        self.kind = code_combo(ArrangementKind.choices())
        self.with_whom = QLineEdit()
        self.with_whom.setMaxLength(200)
        self.with_whom.setPlaceholderText(
            "For example: Northshire County Council leaving care team"
        )
        self.started_on = date_field(ctx, years_back=10)
        self.note = text_box(3)
        self.note.setPlaceholderText("Who does what, and how you keep in touch.")
        self.form.addRow("&Arrangement", self.kind)
        self.form.addRow("&Who", self.with_whom)
        self.form.addRow("&From", self.started_on)
        self.form.addRow("&Note", self.note)
        self.resize(640, 340)
        self.kind.setFocus()

    def check(self) -> list[str]:
        problems = []
        if self.kind.currentIndex() < 0:
            problems.append("Arrangement: choose one from the list.")
        if not self.with_whom.text().strip():
            problems.append("Who: name the other council or the adult social care team.")
        return problems

    def submission(self) -> Submission:
        data = ArrangementInput(
            kind=self.kind.currentData(),
            with_whom=self.with_whom.text(),
            started_on=self.started_on.value() or self.ctx.today(),
            note=self.note.toPlainText(),
        )
        return arrangements.add_arrangement, (data,), {}


__all__ = ["ArrangementDialog", "NoteDialog", "ReopenDialog", "WithdrawDialog"]
