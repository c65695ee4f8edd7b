"""Returns (administrators): the Ofsted Annex A workbook for an inspection date, with the
completeness report shown before it is written, and the import of another system's Annex
A workbook. Both run on a worker with a progress bar and Cancel; a cancelled export or
import leaves nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casework.errors import Cancelled, CaseworkError, ImportRefused
from ui import crash, tasks

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor

Clock = Callable[[], datetime]


def documents_folder() -> str:
    """Where the file dialogs start: the user's Documents folder, or their home folder
    when there is none (a dialog given a missing folder opens wherever the app was
    started, which may be a code checkout)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return documents
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation)


def export_workbook(
    db: Database,
    actor: Actor,
    as_of: date,
    year: int,
    target: Path,
    now: datetime,
    progress: Callable[[str], None],
    cancelled: Callable[[], bool],
) -> tuple[str, list[str]]:
    """Worker: build the lists, then write the workbook whole (or nothing)."""
    from casework.db import files
    from casework.returns import annex_a, annex_a_export

    result = annex_a_export.export_annex_a(
        db, actor, as_of=as_of, now=now, progress=progress, cancelled=cancelled
    )
    progress("Writing the workbook")
    with files.private_output(target, replace=True) as tmp:
        annex_a.write_workbook(tmp, result.lists, year)
        if cancelled():
            raise Cancelled("The Annex A export was cancelled: nothing was written.")
    counts = ", ".join(f"List {n}: {len(rows)}" for n, rows in result.lists.items())
    return f"Wrote {target} ({counts}). It holds personal data: keep it safe.", [
        str(gap) for gap in result.gaps
    ]


def import_workbook(
    db: Database,
    actor: Actor,
    source: Path,
    team: str | None,
    dry_run: bool,
    now: datetime,
    progress: Callable[[str], None],
    cancelled: Callable[[], bool],
) -> str:
    """Worker: check (and unless a dry run, import) another system's workbook."""
    from casework.returns import annex_a_import

    summary = annex_a_import.import_annex_a(
        db,
        actor,
        source,
        now=now,
        dry_run=dry_run,
        default_team=team,
        progress=progress,
        cancelled=cancelled,
    )
    tail = " The workbook is valid; nothing was written." if dry_run else ""
    return summary.sentence() + tail


class AdminReturnsView(QWidget):
    message = Signal(str)
    finished = Signal()

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminReturns")
        self._db, self._actor, self._clock = db, actor, clock
        self._task: tasks.Task | None = None
        self.save_dialog: QFileDialog | None = None  # the last "Export Annex A…" dialog
        self.as_of = QDateEdit()
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("dd/MM/yyyy")
        today = clock().date()
        self.as_of.setDate(QDate(today.year, today.month, today.day))
        self.as_of.setAccessibleName("Inspection date")
        self.year = QSpinBox()
        self.year.setRange(2024, 2100)
        self.year.setValue(2026)
        self.year.setAccessibleName("Annex A template year (the sex column is Sex from 2026)")
        self.export_button = QPushButton("&Export Annex A…")
        self.export_button.clicked.connect(self._choose_export)
        self.team = QLineEdit()
        self.team.setPlaceholderText("Only needed for a child in List 1 alone")
        self.team.setAccessibleName("Team for a new young person the workbook names no team for")
        self.check_button = QPushButton("&Check a workbook…")
        self.check_button.clicked.connect(lambda: self._choose_import(dry_run=True))
        self.import_button = QPushButton("&Import a workbook…")
        self.import_button.clicked.connect(lambda: self._choose_import(dry_run=False))
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the steps are named in the label
        self.progress.setAccessibleName("Progress")
        self.progress.hide()
        self.step = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Completeness report or import problems")
        self._build()

    def _build(self) -> None:
        export = QGroupBox("Ofsted Annex A for an inspection")
        form = QFormLayout(export)
        form.addRow("Inspection date", self.as_of)
        form.addRow("Template year", self.year)
        form.addRow(
            QLabel(
                "Lists 1, 3 and 5 cover the 6 months up to the inspection date; list 9 everyone "
                "then eligible for leaving-care support. What is missing is listed below."
            )
        )
        form.addRow(self.export_button)
        bring = QGroupBox("Import from another system's Annex A workbook (lists 1, 3, 9)")
        form2 = QFormLayout(bring)
        form2.addRow("Team", self.team)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        form2.addRow(buttons)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(export)
        layout.addWidget(bring)
        layout.addLayout(running)
        layout.addWidget(self.step)
        layout.addWidget(self.result)
        layout.addWidget(self.report, 1)

    # --- starting work -----------------------------------------------------------------

    def _choose_export(self) -> None:
        """Ask where to save, starting in the user's Documents folder as the chronology's
        PDF export does (never the folder the app happened to start in), then export."""
        dialog = QFileDialog(self, "Save the Annex A workbook")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("Excel workbook (*.xlsx)")
        dialog.setDefaultSuffix("xlsx")
        dialog.setDirectory(documents_folder())
        dialog.selectFile("annex-a.xlsx")
        dialog.fileSelected.connect(lambda chosen: self.export_to(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        self.save_dialog = dialog
        dialog.open()

    def _choose_import(self, *, dry_run: bool) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose an Annex A workbook", documents_folder(), "Excel workbook (*.xlsx)"
        )
        if name:
            self.import_from(Path(name), dry_run=dry_run)

    def export_to(self, target: Path) -> None:
        picked = self.as_of.date()
        as_of = date(picked.year(), picked.month(), picked.day())
        self._start("Exporting Annex A")
        self._task = tasks.run(
            export_workbook,
            self._db,
            self._actor,
            as_of,
            self.year.value(),
            target,
            self._clock(),
            on_result=self._exported,
            on_error=self._failed,
            on_progress=self.step.setText,
        )

    def import_from(self, source: Path, *, dry_run: bool) -> None:
        self._start("Checking the workbook" if dry_run else "Importing the workbook")
        self._task = tasks.run(
            import_workbook,
            self._db,
            self._actor,
            source,
            self.team.text().strip() or None,
            dry_run,
            self._clock(),
            on_result=self._imported,
            on_error=self._failed,
            on_progress=self.step.setText,
        )

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.step.setText("Cancelling…")

    def busy(self) -> bool:
        return self._task is not None

    def _start(self, what: str) -> None:
        for button in (self.export_button, self.check_button, self.import_button):
            button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.show()
        self.step.setText(what)
        self.result.clear()
        self.report.clear()

    def _done(self) -> None:
        self._task = None
        for button in (self.export_button, self.check_button, self.import_button):
            button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.hide()
        self.step.clear()
        self.finished.emit()

    # --- results ------------------------------------------------------------------------

    def _exported(self, outcome: Any) -> None:
        text, gaps = outcome
        self._done()
        if gaps:
            self.result.setText(f"{text} Completeness: {len(gaps)} value(s) to fix, below.")
            self.report.setPlainText("\n".join(gaps))
        else:
            self.result.setText(f"{text} Completeness: every value is present.")
        self.message.emit(text)

    def _imported(self, text: Any) -> None:
        self._done()
        self.result.setText(str(text))
        self.message.emit(str(text))

    def _failed(self, exc: BaseException) -> None:
        self._done()
        if isinstance(exc, ImportRefused):
            self.result.setText(
                f"Nothing was imported: {len(exc.problems)} problem(s) to fix in the workbook."
            )
            self.report.setPlainText("\n".join(exc.problems))
        elif isinstance(exc, CaseworkError):
            self.result.setText(str(exc))
        else:
            crash.report(type(exc), exc, exc.__traceback__)

    def clear(self) -> None:
        self.report.clear()
        self.result.clear()
