"""Dialogs of the record's Closure tab: withdraw a closure request, add a note to a closed
case, and reopen a closed case (with the reason, which is required).

Each is a ``RecordDialog``: it checks what it can on the spot, then runs one service call
on a worker; the core's refusals come back in plain words with everything typed kept.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtWidgets import QWidget

from casework.services import closure
from ui.dialogs.record_dialogs import RecordDialog, Submission, text_box
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
        self, ctx: RecordContext, request_id: int, reason: str, parent: QWidget | None = None
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

    def submission(self) -> Submission:
        return _by_request(closure.withdraw_closure), (self.request_id,), {}


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


__all__ = ["NoteDialog", "ReopenDialog", "WithdrawDialog"]
