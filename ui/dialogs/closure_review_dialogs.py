"""The team lead's two decisions on a closure request, each a small window-modal dialog.

``ApproveDialog`` asks the team lead to re-enter their password. A wrong password is
refused by the core (and audited): the dialog says so plainly, empties the box and
approves nothing. Checks that still fail come back as the core's problems, listed.

``ReturnDialog`` sends the request back to the worker with comments, which are required:
they say what the worker must do before the case can close.

Both run their service call on a worker and emit ``saved`` with the core's ``Changed``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.db.database import Database
from casework.errors import EditConflict, PermissionDenied, ValidationFailed
from casework.services import closure
from casework.services.common import Changed
from casework.services.permissions import Actor
from ui import tasks
from ui.dialogs.record_dialogs import text_box
from ui.views.record_common import (
    SECTION_STYLE,
    banner,
    problems_of,
    quiet_label,
    text_label,
    unexpected,
)
from ui.widgets.dialog_footer import DialogFooter
from ui.widgets.password_field import PasswordField
from ui.widgets.problems import ProblemList

Clock = Callable[[], datetime]
NOT_APPROVED = "The closure was not approved:"
NOT_RETURNED = "Nothing was sent back. Please correct the following:"
NO_PASSWORD = "Password: enter your password to approve the closure."
NO_COMMENTS = "Comments: say what the worker needs to do before the case can close."


@dataclass(frozen=True)
class Reviewing:
    """Which request the dialog acts on, and how to name it."""

    request_id: int
    person: str  # "Jade Okafor (C123456)"
    reason: str  # "CLNR No longer requires services"
    requested_by: str
    overrides: int = 0
    version: int | None = None  # the request's version as shown: a change since is named


def _heading(verb: str, reviewing: Reviewing) -> QLabel:
    label = text_label(f"{verb} the closure of <b>{html.escape(reviewing.person)}</b>", rich=True)
    label.setStyleSheet("font-size: 13pt;")
    return label


class _ReviewDialog(QDialog):
    saved = Signal(object)  # the core's Changed

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        reviewing: Reviewing,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db, self._actor, self._clock = db, actor, clock
        self.reviewing = reviewing
        self._saving = False
        self.setStyleSheet(SECTION_STYLE)
        self.problems = ProblemList()

    footer: DialogFooter

    def _submit(self, call: Callable[..., Changed], *args: object) -> None:
        """Run the core's ``call(db, actor, request id, *args)`` off the GUI thread."""
        self._saving = True
        self.footer.set_saving(True)
        tasks.run(
            call,
            self._db,
            self._actor,
            self.reviewing.request_id,
            *args,
            now=self._clock(),
            expected_version=self.reviewing.version,
            on_result=self._on_saved,
            on_error=self._on_failed,
        )

    def _finished(self) -> bool:
        """Back from the core: False when the dialog has gone meanwhile."""
        if not isValid(self):
            return False
        self._saving = False
        self.footer.set_saving(False)
        return True

    def _on_saved(self, changed: Changed) -> None:
        if self._finished() and self.isVisible():
            self._after_saved()
            self.saved.emit(changed)
            super().accept()

    def _after_saved(self) -> None:
        pass

    def _on_failed(self, exc: BaseException) -> None:
        if self._finished():
            self._show_failure(exc)

    def _show_failure(self, exc: BaseException) -> None:
        raise NotImplementedError


class ApproveDialog(_ReviewDialog):
    """Approve a closure: the team lead re-enters their password."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        reviewing: Reviewing,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(db, actor, clock, reviewing, parent)
        self.setWindowTitle(f"Approve closure: {reviewing.person}")
        self.footer = DialogFooter(self, "&Approve closure")
        what = (
            f"Reason: <b>{html.escape(reviewing.reason)}</b>. Requested by "
            f"{html.escape(reviewing.requested_by)}. Every check passes"
        )
        if reviewing.overrides:
            what += (
                f"; <b>{reviewing.overrides} warning"
                + (" was" if reviewing.overrides == 1 else "s were")
                + " overridden</b> with a written justification"
            )
        self.what = text_label(what + ".", rich=True)
        self.bound = banner(
            "Your approval is tied to the record as it stands now. If anything the checks "
            "read changes before the case is closed, the approval is void and the request "
            "comes back to a team lead.",
            "info",
        )
        self.password = PasswordField(None, ok_text="")
        self.password.edit.setAccessibleName("Your password")
        password_label = QLabel("Re-enter &your password to approve:")
        password_label.setBuddy(self.password.edit)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Approve", reviewing))
        layout.addWidget(self.problems)
        layout.addWidget(self.what)
        layout.addWidget(self.bound)
        layout.addSpacing(6)
        layout.addWidget(password_label)
        layout.addWidget(self.password)
        layout.addWidget(quiet_label("You are signed in as " + actor.display_name + "."))
        layout.addStretch(1)
        layout.addWidget(self.footer)
        self.setMinimumWidth(560)
        self.password.setFocus()

    def accept(self) -> None:
        if self._saving:
            return
        password = self.password.text()
        if not password:
            self.problems.set_problems([NO_PASSWORD], NOT_APPROVED)
            self.password.setFocus()
            return
        self._submit(closure.approve_closure, password)

    def _after_saved(self) -> None:
        self.password.clear()

    def _show_failure(self, exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, PermissionDenied):
            self.problems.set_problems([str(exc)])
        elif isinstance(exc, EditConflict):
            self.problems.set_problems([str(exc)], NOT_APPROVED)
        elif isinstance(exc, ValidationFailed):
            self.problems.set_problems(
                exc.problems or [str(exc)], "The closure was not approved. Still to do:"
            )
        else:
            self.problems.set_problems([unexpected(exc)], NOT_APPROVED)


class ReturnDialog(_ReviewDialog):
    """Send the request back to the worker, saying what they must do."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        reviewing: Reviewing,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(db, actor, clock, reviewing, parent)
        self.setWindowTitle(f"Return to worker: {reviewing.person}")
        self.footer = DialogFooter(self, "&Return to worker")
        self.comments = text_box(6)
        self.comments.setAccessibleName("Comments for the worker")
        self.comments.setPlaceholderText(
            "What the worker needs to do or record before the case can close"
        )
        comments_label = QLabel("&Comments for " + reviewing.requested_by + " (required):")
        comments_label.setBuddy(self.comments)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Return", reviewing))
        layout.addWidget(self.problems)
        layout.addWidget(
            quiet_label(
                "The case stays open. The request goes back to the worker with your "
                "comments; they can amend it and send it again."
            )
        )
        layout.addWidget(comments_label)
        layout.addWidget(self.comments)
        layout.addWidget(self.footer)
        self.setMinimumWidth(560)
        self.comments.setFocus()

    def accept(self) -> None:
        if self._saving:
            return
        text = self.comments.toPlainText()
        if not text.strip():
            self.problems.set_problems([NO_COMMENTS], NOT_RETURNED)
            self.comments.setFocus()
            return
        self._submit(closure.return_closure, text)

    def _show_failure(self, exc: BaseException) -> None:
        self.problems.set_problems(problems_of(exc, {"comments": "Comments"}), NOT_RETURNED)


__all__ = [
    "NO_COMMENTS",
    "NO_PASSWORD",
    "ApproveDialog",
    "ReturnDialog",
    "Reviewing",
]
