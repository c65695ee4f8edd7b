"""A young person's chronology: every event on the record, newest first, filterable by kind,
and exportable as a PDF.

``ChronologyView`` is a plain widget so the record can embed it as one of its sections;
``ChronologyDialog`` wraps it in a window for the "Chronology" buttons of My work and the
caseload. Events are read on a worker (``casework.services.chronology.chronology``); the kind
filter then works on the events in memory. "Export PDF…" asks where to save, then a worker
builds the printable document (``chronology_html``, which audits the export) and prints it
to an A4 PDF with ``QTextDocument`` and ``QPdfWriter``.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, QStandardPaths, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.db import files
from casework.db.database import Database
from casework.errors import CaseworkError, FileAccessProblem
from casework.services.chronology import chronology, chronology_html
from casework.services.chronology_events import Event, EventKind
from casework.services.permissions import Actor
from ui import tasks
from ui.widgets.sizing import fit_to_screen

Clock = Callable[[], datetime]
PDF_MARGIN_MM = 15.0
PDF_DPI = 300


# --- workers -------------------------------------------------------------------------------


def write_pdf(document_html: str, path: str, title: str = "Chronology") -> None:
    """Print an HTML document to an A4 PDF with 15 mm margins and a footer on every page
    ("OFFICIAL-SENSITIVE", page n of N). Safe on a worker thread: only a QPdfWriter, a
    QPainter and a QTextDocument made here."""
    writer = QPdfWriter(path)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(
        QMarginsF(PDF_MARGIN_MM, PDF_MARGIN_MM, PDF_MARGIN_MM, PDF_MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )
    writer.setResolution(PDF_DPI)
    writer.setTitle(title)
    writer.setCreator("Casework")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        _paint_pages(painter, writer, document_html)
    finally:
        painter.end()
    written = Path(path)
    if not written.exists() or written.stat().st_size == 0:
        raise OSError(f"nothing was written to {path}")


def _paint_pages(painter: QPainter, writer: QPdfWriter, document_html: str) -> None:
    area = writer.pageLayout().paintRectPixels(PDF_DPI)
    footer = PDF_DPI * 10 // 25  # 10 mm for the footer line
    body = QSizeF(area.width(), area.height() - footer)
    document = QTextDocument()
    document.documentLayout().setPaintDevice(writer)
    document.setHtml(document_html)
    document.setPageSize(body)
    pages = document.pageCount()
    small = QFont(document.defaultFont())
    small.setPointSizeF(8)
    for number in range(pages):
        if number:
            writer.newPage()
        top = number * body.height()
        painter.save()
        painter.translate(0, -top)
        document.drawContents(painter, QRectF(0, top, body.width(), body.height()))
        painter.restore()
        painter.setFont(small)
        line = QRectF(0, area.height() - footer * 0.6, body.width(), footer * 0.6)
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft, "OFFICIAL-SENSITIVE: personal data")
        painter.drawText(line, Qt.AlignmentFlag.AlignRight, f"Page {number + 1} of {pages}")


def _filter_note(kinds: list[EventKind] | None) -> str:
    if kinds is None:
        return ""
    left_out = [k for k in EventKind if k not in kinds]
    if left_out and len(left_out) < len(kinds):
        # Usually one or two boxes are unticked: say what is missing, not the long rest.
        names = ", ".join(k.label.lower() for k in left_out)
        return f"<p><b>Not included in this chronology: {html.escape(names)}.</b></p>"
    names = ", ".join(k.label.lower() for k in kinds)
    return f"<p><b>Only these kinds of event are included: {html.escape(names)}.</b></p>"


def export_chronology_pdf(
    db: Database,
    actor: Actor,
    person_id: int,
    now: datetime,
    kinds: list[EventKind] | None,
    path: str,
) -> str:
    """Runs on a worker: the audited printable chronology, saved as a PDF at ``path``."""
    document = chronology_html(db, actor, person_id, now=now, kinds=kinds)
    note = _filter_note(kinds)
    if note and "<body>" in document:
        document = document.replace("<body>", "<body>" + note, 1)
    # Owner-only whatever the umask, and whole or not at all: printed into a private
    # temporary file beside the target, then moved into place.
    try:
        with files.private_output(Path(path), replace=True) as tmp:
            write_pdf(document, str(tmp))
    except FileAccessProblem as exc:  # the view words a folder problem for a PDF itself
        raise OSError(str(exc)) from None
    return path


# --- wording -------------------------------------------------------------------------------

_TABLE = (
    "<table width='100%' cellspacing='0' cellpadding='5' style='border-collapse:collapse'>"
    "{rows}</table>"
)
_HEAD_ROW = (
    "<tr><td style='color:#4b5563;font-size:small'>When</td>"
    "<td style='color:#4b5563;font-size:small'>What happened</td>"
    "<td style='color:#4b5563;font-size:small'>Recorded by</td></tr>"
)
_MONTH_ROW = (
    "<tr><td colspan='3' style='background:#e7ebf0;color:#1d3557;font-weight:bold;"
    "padding-top:8px'>{month}</td></tr>"
)
_EVENT_ROW = (
    "<tr><td width='120' style='color:#39424e'>{when}</td>"
    "<td><span style='color:#4b5563;font-size:small'>{kind}</span><br>"
    "<b>{title}</b>{detail}</td>"
    "<td width='150' style='color:#39424e'>{by}</td></tr>"
)


def _when(event: Event) -> str:
    text = f"{event.on:%a %d/%m/%Y}"
    return f"{text}<br>{event.at:%H:%M}" if event.at is not None else text


def events_html(events: Iterable[Event]) -> str:
    """The events as rows grouped under month headings (they arrive newest first)."""
    rows: list[str] = [_HEAD_ROW]
    month = None
    for event in events:
        if (event.on.year, event.on.month) != month:
            month = (event.on.year, event.on.month)
            rows.append(_MONTH_ROW.format(month=f"{event.on:%B %Y}"))
        detail = html.escape(event.detail).replace("\n", "<br>")
        rows.append(
            _EVENT_ROW.format(
                when=_when(event),
                kind=html.escape(event.kind.label),
                title=html.escape(event.title),
                detail=f"<br>{detail}" if detail else "",
                by=html.escape(event.by or ""),
            )
        )
    return _TABLE.format(rows="".join(rows))


def count_text(shown: int, total: int) -> str:
    events = "1 event" if total == 1 else f"{total:,} events"
    if shown == total:
        return f"{events}, newest first"
    return f"{shown:,} of {events} shown, newest first"


def _plain(exc: BaseException, fallback: str) -> str:
    if isinstance(exc, CaseworkError):
        return str(exc)
    if isinstance(exc, OSError):
        return fallback
    from ui import crash

    crash.report(type(exc), exc, exc.__traceback__)
    return fallback


def default_pdf_name(name: str, today: datetime) -> str:
    safe = "".join(c for c in name if c.isalnum() or c in " -()").strip() or "young person"
    return f"Chronology - {safe} - {today:%Y-%m-%d}.pdf"


# --- the view ------------------------------------------------------------------------------


class ChronologyView(QWidget):
    """One young person's chronology with kind filters and "Export PDF…"."""

    exported = Signal(str)  # the path of a PDF just written
    export_failed = Signal(str)  # a plain sentence
    loaded = Signal(int)  # how many events the record has
    message = Signal(str)

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._person_id: int | None = None
        self._name = ""
        self._events: list[Event] = []
        self._generation = 0
        self._exporting = False
        self._build()

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setObjectName("chronologyTitle")
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading.hide()
        self.count = QLabel()
        self.count.setObjectName("chronologyCount")
        self.kind_boxes: dict[EventKind, QCheckBox] = {}
        kinds = QGridLayout()
        kinds.setHorizontalSpacing(6)
        kinds.setVerticalSpacing(4)
        for n, kind in enumerate(EventKind):
            box = QCheckBox(kind.label)
            box.setChecked(True)
            box.setToolTip(f"Show or hide {kind.label.lower()}")
            box.toggled.connect(self._render)
            self.kind_boxes[kind] = box
            kinds.addWidget(box, n // 4, n % 4)
        self.all_button = QPushButton("Show &every kind")
        self.all_button.clicked.connect(self.show_all_kinds)
        self.export_button = QPushButton("Export &PDF…")
        self.export_button.setToolTip(
            "Save the kinds of event shown as a PDF (A4). The export is recorded in the audit log."
        )
        self.export_button.clicked.connect(self.export_pdf)
        self.export_button.setEnabled(False)
        self.status = QLabel()
        self.status.setObjectName("chronologyStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self.browser = QTextBrowser()
        self.browser.setObjectName("chronologyText")
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName("Chronology, newest first")
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addSpacing(12)
        top.addWidget(self.count, 1)
        top.addWidget(self.export_button)
        filters = QHBoxLayout()
        show = QLabel("Show:")
        filters.addWidget(show, 0, Qt.AlignmentFlag.AlignTop)
        filters.addLayout(kinds)
        filters.addWidget(self.all_button, 0, Qt.AlignmentFlag.AlignTop)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.browser, 1)
        self.setFocusProxy(self.browser)

    # --- public --------------------------------------------------------------------------

    @property
    def person_id(self) -> int | None:
        return self._person_id

    def events(self) -> list[Event]:
        """Every event read for this young person (before the kind filter)."""
        return list(self._events)

    def shown_events(self) -> list[Event]:
        wanted = set(self.checked_kinds())
        return [e for e in self._events if e.kind in wanted]

    def checked_kinds(self) -> list[EventKind]:
        return [kind for kind, box in self.kind_boxes.items() if box.isChecked()]

    def set_kinds(self, kinds: Iterable[EventKind]) -> None:
        wanted = set(kinds)
        for kind, box in self.kind_boxes.items():
            box.blockSignals(True)
            box.setChecked(kind in wanted)
            box.blockSignals(False)
        self._render()

    def show_all_kinds(self) -> None:
        self.set_kinds(EventKind)

    def show_person(self, person_id: int, name: str = "") -> None:
        """Read this young person's events (on a worker) and show them."""
        self._generation += 1
        generation = self._generation
        self._person_id = person_id
        self._name = name
        self._events = []
        self.heading.setText(f"Chronology: {name}")
        self.heading.setVisible(bool(name))
        self.export_button.setEnabled(False)
        self.status.hide()
        self.count.setText("Loading the chronology…")
        self.browser.setPlainText("Loading the chronology…")
        tasks.run(
            chronology,
            self._db,
            self._actor,
            person_id,
            now=self._clock(),
            on_result=lambda events: self._on_loaded(generation, events),
            on_error=lambda exc: self._on_failed(generation, exc),
        )

    def refresh(self) -> None:
        if self._person_id is not None:
            self.show_person(self._person_id, self._name)

    def clear(self) -> None:
        """Forget the young person and every event (idle lock); late results are dropped."""
        self._generation += 1
        self._person_id = None
        self._name = ""
        self._events = []
        self.heading.clear()
        self.heading.hide()
        self.browser.clear()
        self.count.setText("")
        self.status.clear()
        self.status.hide()
        self.export_button.setEnabled(False)
        self._update_kind_labels()

    # --- export --------------------------------------------------------------------------

    def export_pdf(self) -> None:
        """Ask where to save, then save (the button)."""
        if self._person_id is None or self._exporting:
            return
        dialog = QFileDialog(self, "Export the chronology as PDF")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("PDF documents (*.pdf)")
        dialog.setDefaultSuffix("pdf")
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog.setDirectory(folder)
        dialog.selectFile(default_pdf_name(self._name, self._clock()))
        dialog.fileSelected.connect(lambda chosen: self.export_pdf_to(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def export_pdf_to(self, path: Path) -> None:
        """Save the kinds shown as a PDF at ``path`` (on a worker); ``exported`` follows."""
        if self._person_id is None or self._exporting:
            return
        checked = self.checked_kinds()
        if not checked:
            self._show_status("Choose at least one kind of event to export.", "warning")
            return
        kinds = None if len(checked) == len(EventKind) else checked
        self._exporting = True
        self.export_button.setEnabled(False)
        self._show_status("Saving the PDF…", "info")
        generation = self._generation
        tasks.run(
            export_chronology_pdf,
            self._db,
            self._actor,
            self._person_id,
            self._clock(),
            kinds,
            str(path),
            on_result=lambda written: self._on_exported(generation, written),
            on_error=lambda exc: self._on_export_failed(generation, path, exc),
        )

    # --- reacting ------------------------------------------------------------------------

    def _on_loaded(self, generation: int, events: list[Event]) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._events = events
        self._update_kind_labels()
        self._render()
        self.export_button.setEnabled(bool(events))
        self.loaded.emit(len(events))

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        text = _plain(exc, "The chronology could not be read. Close it and try again.")
        self.count.setText("")
        self.browser.setPlainText(text)

    def _update_kind_labels(self) -> None:
        found = Counter(e.kind for e in self._events)
        for kind, box in self.kind_boxes.items():
            box.setText(f"{kind.label} ({found[kind]})" if self._events else kind.label)

    def _render(self) -> None:
        if self._person_id is None:
            return
        shown = self.shown_events()
        self.count.setText(count_text(len(shown), len(self._events)))
        if not self._events:
            self.browser.setHtml("<p>Nothing has been recorded on this record yet.</p>")
        elif not shown:
            self.browser.setHtml(
                "<p><b>No events of the kinds chosen.</b> Use “Show every kind” to see them"
                " all.</p>"
            )
        else:
            self.browser.setHtml(events_html(shown))
        self.export_button.setEnabled(bool(shown) and not self._exporting)

    def _on_exported(self, generation: int, written: str) -> None:
        self._exporting = False
        if not isValid(self) or generation != self._generation:
            return
        self.export_button.setEnabled(bool(self.shown_events()))
        self._show_status(
            f"Saved {written}. It holds personal data: keep it somewhere secure and delete it "
            "when it is no longer needed.",
            "ok",
        )
        self.exported.emit(written)
        self.message.emit("Chronology saved as PDF.")

    def _on_export_failed(self, generation: int, path: Path, exc: BaseException) -> None:
        self._exporting = False
        if not isValid(self) or generation != self._generation:
            return
        self.export_button.setEnabled(bool(self.shown_events()))
        text = _plain(
            exc, f"The PDF could not be saved to {path}. Choose a folder you can save files in."
        )
        self._show_status(text, "error")
        self.export_failed.emit(text)

    def _show_status(self, text: str, severity: str) -> None:
        self.status.setText(text)
        self.status.setProperty("severity", severity)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.show()


class ChronologyDialog(QDialog):
    """The chronology in its own window, for the "Chronology" buttons of the lists."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        person_id: int,
        parent: QWidget | None = None,
        *,
        name: str = "",
    ) -> None:
        super().__init__(parent)
        self.view = ChronologyView(db, actor, clock, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.view.refresh).setWhatsThis(
            "Chronology: read it again"
        )
        self.finished.connect(lambda _result: self.view.clear())
        fit_to_screen(self, 1000, 760)
        self.show_person(person_id, name)

    def show_person(self, person_id: int, name: str = "") -> None:
        self.setWindowTitle(f"Chronology — {name}" if name else "Chronology")
        self.view.show_person(person_id, name)
        self.view.setFocus()
