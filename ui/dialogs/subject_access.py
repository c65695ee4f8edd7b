"""Subject access from the record (UK GDPR Article 15): a team lead chooses a folder, and
the JSON and chronological PDF are written there on a worker
(``casework.services.subject_access``), with details of other people marked for review."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.db.database import Database
from casework.services import subject_access
from casework.services.permissions import Actor, Role
from ui import tasks

Clock = Callable[[], datetime]


def _answer(db: Database, actor: Actor, person_id: int, now: datetime, folder: str) -> list[str]:
    answer = subject_access.gather(db, actor, person_id, now=now)
    written = subject_access.write_files(answer, Path(folder))
    marked = sum(len(item.review) for item in answer.items)
    return [p.name for p in written] + [str(marked)]


class SubjectAccessDialog(QDialog):
    """Says what will be written, asks for a folder, writes, then says what to check."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        person_id: int,
        parent: QWidget | None,
        *,
        who: str,
    ) -> None:
        """``who``: the young person as the worker knows them, "Lee, Sam (Child ID C123)",
        so nobody answers a request about the wrong person."""
        super().__init__(parent)
        self.setWindowTitle(f"Subject access request: {who}")
        self._db, self._actor, self._clock, self._person_id = db, actor, clock, person_id
        self.message = QLabel(
            f"Everything Casework holds about {who}, from every part of the "
            "record, is written to a folder you choose: a JSON file and a chronological PDF. "
            "Details of other people and free text are marked for review: check and redact "
            "them before anything is released. The request is recorded in the audit trail."
        )
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.choose = self.buttons.addButton(
            "Choose folder and &write…", QDialogButtonBox.ButtonRole.ActionRole
        )
        # Enter writes (the reason the dialog was opened); Close stays a click or Escape.
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        self.choose.setDefault(True)
        self.choose.setFocus()
        self.choose.clicked.connect(self.ask_folder)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def ask_folder(self) -> None:
        where = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        folder = QFileDialog.getExistingDirectory(
            self, "Folder for the subject access files", where
        )
        if folder:
            self.write_to(folder)

    def write_to(self, folder: str) -> None:
        """Write the files into ``folder`` on a worker; the message says how it went."""
        self.choose.setEnabled(False)
        self.message.setText("Gathering the record and writing the files…")
        tasks.run(
            _answer,
            self._db,
            self._actor,
            self._person_id,
            self._clock(),
            folder,
            on_result=self._written,
            on_error=self._failed,
        )

    def _written(self, result: list[str]) -> None:
        if not isValid(self):
            return
        *names, marked = result
        self.message.setText(
            f"Written: {', '.join(names)}. {marked} fields are marked for review: check "
            "them before release. The files hold personal data: keep them safe."
        )
        self.choose.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.message.setText(f"Nothing was released: {exc}")
        self.choose.setEnabled(True)


def subject_access_button(
    db: Database,
    actor: Actor,
    clock: Clock,
    person: Callable[[], tuple[int, str] | None],
    parent: QWidget,
) -> QPushButton | None:
    """The record header's button, for team leads only (who may answer, in
    ``casework.services.permissions``); ``None`` for everyone else. ``person`` gives the
    open record's id and how the dialog names them, or ``None`` while none is shown."""
    if actor.role is not Role.TEAM_LEAD:
        return None
    button = QPushButton("Subject &access…", parent)
    button.setToolTip("Everything held about this young person, for a subject access request")

    def open_dialog() -> None:
        shown = person()
        if shown is not None:
            dialog = SubjectAccessDialog(db, actor, clock, shown[0], parent, who=shown[1])
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()

    button.clicked.connect(open_dialog)
    return button
