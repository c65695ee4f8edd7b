"""The oversight dashboard for team leads: every figure for a chosen period and team, the
same figure per team and per worker side by side as bar charts (so practice that is "too
variable" shows as a spread, not an average), and the young people behind a figure one
click (or Enter) away, each opening their record.

The figures come from ``casework.reports.oversight`` (the same ones ``casework-admin
report performance`` prints); they are read on a worker. "Export PDF…" draws the tiles,
the charts of the chosen figure and every figure's list of the rest into an owner-only A4
PDF, audited like a chronology export.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QMarginsF,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    QSizeF,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casework.clock import local_today
from casework.db import files
from casework.db.database import Database
from casework.domain.performance import Figure
from casework.errors import CaseworkError, FileAccessProblem
from casework.reports.oversight import Dashboard, dashboard_teams, oversight_dashboard
from casework.services.oversight import record_dashboard_export
from casework.services.permissions import Actor
from ui import crash, tasks

Clock = Callable[[], datetime]
PERIODS = (
    ("Last 12 months", 365),
    ("Last 6 months", 182),
    ("Last 3 months", 91),
    ("Last month", 30),
    ("Chosen dates", 0),
)
COLUMNS = ("Young person", "Child ID", "Team", "Worker", "Counted as", "What the record shows")
TILE_COLUMNS = 7
GOOD, POOR, NEUTRAL = QColor("#2e7d32"), QColor("#b3261e"), QColor("#1d3557")
PDF_DPI = 150


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def headline(figure: Figure) -> str:
    """The figure as a tile shows it: "84% · 63 of 75", or the counts."""
    if figure.share:
        n, d = figure.total()
        if d == 0:
            return "nothing to judge"
        return f"{figure.percent():g}% · {n:,} of {d:,}"
    counts = figure.counts()
    total = sum(counts.values())
    if not counts:
        return "none"
    top, many = next(iter(counts.items()))
    return f"{total:,} · most: {top} ({many:,})" if len(counts) > 1 else f"{total:,} · {top}"


def counted_as(figure: Figure, met: bool) -> str:
    if figure.lower_is_better:
        return "Needs action" if met else "No action needed"
    return "Met" if met else "The rest"


def load(
    db: Database, actor: Actor, start: date, end: date, team_id: int | None, now: datetime
) -> tuple[Dashboard, list[tuple[int, str]]]:
    """Worker: the dashboard and the teams the actor may choose."""
    teams = dashboard_teams(db, actor, now=now)
    return oversight_dashboard(db, actor, start, end, now=now, team_id=team_id), teams


Row = tuple[int, tuple[str, ...]]  # person id, the cells


class PeopleModel(QAbstractTableModel):
    """The young people behind a figure: cells made once, read as the view scrolls (a
    figure over a whole service lists thousands)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][1][index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return self.rows[index.row()][0]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal:
            return COLUMNS[section]
        return None


class Tile(QPushButton):
    """One figure: its title and headline; pressing it (or Enter) opens its list."""

    def __init__(self, figure: Figure) -> None:
        super().__init__()
        self.key = figure.key
        self.setCheckable(True)
        self.setAutoDefault(True)  # Enter presses it, like Space
        self.setObjectName("dashboardTile")
        self.setMinimumHeight(70)
        # A tile is never drawn as the window's default button (white on blue): its text
        # stays dark on every state, the open figure is marked by a heavy border and the
        # focus by the app's yellow one.
        self.setStyleSheet(
            "QPushButton, QPushButton:default { color: #1b2430; background: #ffffff; }"
            "QPushButton:hover { background: #eef3fa; }"
            "QPushButton:checked, QPushButton:checked:default"
            " { color: #1b2430; border: 3px solid #1d3557; background: #e7ebf0; }"
            "QPushButton:focus { border: 3px solid #f2b600; }"
        )
        self.update_figure(figure)

    def update_figure(self, figure: Figure) -> None:
        title = textwrap.fill(figure.title, 22, max_lines=3, placeholder="…")
        rest = figure.rest_by_group()
        extra = ", ".join(f"{k.lower()} {v}" for k, v in list(rest.items())[:3])
        value = textwrap.fill(headline(figure), 22, max_lines=2, placeholder="…")
        if extra:
            value += "\n" + textwrap.fill(extra, 22, max_lines=2, placeholder="…")
        self.setText(f"{title}\n{value}")
        note = " Lower is better." if figure.lower_is_better else ""
        more = f"; {extra}" if extra else ""
        self.setAccessibleName(f"{figure.title}: {headline(figure)}{more}.{note}")
        self.setToolTip(f"{figure.title}. Source: {figure.why}.{note}")


def bar_chart(title: str, rows: list[tuple[str, int, int]], share: bool) -> QChart:
    """A horizontal bar per name, highest first at the top: the percentage for a share,
    the count otherwise."""
    chart = QChart()
    chart.setTitle(title)
    heading = QFont()
    heading.setPointSize(8)
    heading.setBold(True)
    chart.setTitleFont(heading)
    chart.legend().hide()
    chart.setMargins(chart.margins() * 0)
    shown = list(reversed(rows[:25]))  # Qt draws the first category at the bottom
    bars = QBarSet("Per cent" if share else "Count")
    bars.setColor(NEUTRAL)
    for _name, n, d in shown:
        bars.append(round(100 * n / d, 1) if share and d else float(n))
    series = QHorizontalBarSeries()
    series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsFormat("@value%" if share else "@value")
    chart.addSeries(series)
    small = QFont()
    small.setPointSize(7)
    names = QBarCategoryAxis()
    names.setLabelsFont(small)
    names.setTruncateLabels(False)  # a worker named in full, even in a narrow chart
    names.append([f"{name[:18]} ({d})" if share else name[:22] for name, _n, d in shown])
    chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(names)
    values = QValueAxis()
    values.setRange(0, 100 if share else max([n for _x, n, _d in shown], default=1) * 1.15)
    values.setLabelFormat("%d")
    values.setLabelsFont(small)
    bars.setLabelFont(small)
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(values)
    return chart


class DashboardView(QWidget):
    """The dashboard: period and team, a tile per figure, the chosen figure's spread per
    team and per worker, and its young people (Enter or double-click opens a record)."""

    open_record = Signal(int)
    message = Signal(str)
    loaded = Signal()
    exported = Signal(str)  # the PDF's path, "" when it was not saved

    def __init__(self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.actor, self.clock = db, actor, clock
        self.dashboard: Dashboard | None = None
        self.current_key = ""
        self.tiles: dict[str, Tile] = {}
        self._team_ids: list[int | None] = [None]
        self._building = False
        self._build()
        self._set_period(0)

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        self.team = QComboBox()
        self.team.setAccessibleName("Team")
        self.team.addItem("All my teams")
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        self.period.addItems([name for name, _days in PERIODS])
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit, name in ((self.start, "From"), (self.end, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self._dates_edited)
        self.show_button = QPushButton("&Show figures")
        self.export_button = QPushButton("Export &PDF…")
        self.export_button.setEnabled(False)
        labels = []
        for text, buddy in (
            ("Tea&m:", self.team),
            ("P&eriod:", self.period),
            ("&From:", self.start),
            ("&To:", self.end),
        ):
            label = QLabel(text)
            label.setBuddy(buddy)
            labels.append((label, buddy))
        bar = QHBoxLayout()
        for label, field in labels:
            bar.addWidget(label)
            bar.addWidget(field)
        bar.addWidget(self.show_button)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        self.summary = QLabel("Choose a period and press Show figures.")
        self.summary.setObjectName("dashboardSummary")
        self.summary.setWordWrap(True)
        self.tile_grid = QGridLayout()
        self.tile_grid.setSpacing(6)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.detail_title = QLabel("")
        self.detail_title.setObjectName("dashboardDetailTitle")
        self.detail_title.setWordWrap(True)
        self.team_chart = QChartView()
        self.worker_chart = QChartView()
        for view, name in (
            (self.team_chart, "Chart: the figure per team"),
            (self.worker_chart, "Chart: the figure per worker, highest first"),
        ):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setAccessibleName(name)
            view.setMinimumSize(QSize(260, 100))
            view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.model = PeopleModel(self)
        self.table = QTableView()
        self.table.setObjectName("dashboardPeople")
        self.table.setAccessibleName("Young people behind the figure (Enter opens the record)")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._open_row)
        self.people_note = QLabel("")
        self.people_note.setWordWrap(True)
        charts = QWidget()
        chart_column = QVBoxLayout(charts)  # teams above workers: names need the width
        chart_column.setContentsMargins(0, 0, 0, 0)
        chart_column.addWidget(self.team_chart, 1)
        chart_column.addWidget(self.worker_chart, 3)
        people = QWidget()
        people_box = QVBoxLayout(people)
        people_box.setContentsMargins(0, 0, 0, 0)
        people_box.addWidget(self.people_note)
        people_box.addWidget(self.table, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(charts)
        self.split.addWidget(people)
        self.split.setStretchFactor(0, 5)
        self.split.setStretchFactor(1, 7)
        self.split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addLayout(self.tile_grid)
        layout.addWidget(self.detail_title)
        layout.addWidget(self.split, 1)
        self.period.currentIndexChanged.connect(self._set_period)
        self.show_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export_pdf)
        self.setFocusProxy(self.show_button)

    # --- period -------------------------------------------------------------------------

    def _set_period(self, index: int) -> None:
        days = PERIODS[index][1]
        if not days:
            return
        today = local_today(self.clock())
        self._building = True
        self.end.setDate(_qdate(today))
        self.start.setDate(_qdate(today - timedelta(days=days - 1)))
        self._building = False

    def _dates_edited(self) -> None:
        if not self._building:
            self.period.setCurrentIndex(len(PERIODS) - 1)

    def period_dates(self) -> tuple[date, date]:
        return _pydate(self.start.date()), _pydate(self.end.date())

    # --- loading ------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if (self.dashboard is None or self._stale) and not self._loading:
            self.refresh()

    _loading = False
    _stale = False  # a record was saved since the figures were read

    def record_saved(self) -> None:
        """Something was saved on a record, so the figures may have changed: read them again
        now if the dashboard is on screen, else the next time it is shown (reading them for
        5,000 young people takes about a second, wasted if nobody looks)."""
        self._stale = True
        if self.isVisible() and not self._loading:
            self.refresh()

    def refresh(self) -> None:
        start, end = self.period_dates()
        team_id = self._team_ids[self.team.currentIndex()] if self.team.count() else None
        self._loading = True
        self._stale = False
        self.show_button.setEnabled(False)
        self.summary.setText("Reading the figures…")
        tasks.run(
            load,
            self.db,
            self.actor,
            start,
            end,
            team_id,
            self.clock(),
            on_result=self._loaded,
            on_error=self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.show_button.setEnabled(True)
        if isinstance(exc, CaseworkError):
            self.summary.setText(str(exc))
            return
        crash.show_error(self, exc)

    def _loaded(self, result: tuple[Dashboard, list[tuple[int, str]]]) -> None:
        if not isValid(self):
            return
        dashboard, teams = result
        self._loading = False
        self.show_button.setEnabled(True)
        self._fill_teams(teams)
        self.dashboard = dashboard
        self.export_button.setEnabled(True)
        self.summary.setText(
            f"<b>{html.escape(dashboard.scope)}</b>: work that arrived from "
            f"{dashboard.start:%d/%m/%Y} to {dashboard.end:%d/%m/%Y}, and the records as "
            f"they stood on {dashboard.state_on:%d/%m/%Y}. Team and worker are those "
            "allocated now. Press a figure (or Enter on it) for its spread and its young "
            "people."
        )
        self._fill_tiles(dashboard)
        self.show_figure(self.current_key or dashboard.figures[0].key)
        self.loaded.emit()
        if self._stale and self.isVisible():  # a record was saved while these were read
            self.refresh()

    def _fill_teams(self, teams: list[tuple[int, str]]) -> None:
        if self.team.count() == len(teams) + 1:
            return
        chosen = self._team_ids[self.team.currentIndex()] if self.team.count() else None
        self.team.blockSignals(True)
        self.team.clear()
        self._team_ids = [None, *[tid for tid, _n in teams]]
        self.team.addItem("All my teams")
        for _tid, name in teams:
            self.team.addItem(name)
        if chosen in self._team_ids:
            self.team.setCurrentIndex(self._team_ids.index(chosen))
        self.team.blockSignals(False)

    def _fill_tiles(self, dashboard: Dashboard) -> None:
        if set(self.tiles) == {f.key for f in dashboard.figures}:
            for f in dashboard.figures:
                self.tiles[f.key].update_figure(f)
            return
        for tile in self.tiles.values():
            self.group.removeButton(tile)
            tile.deleteLater()
        self.tiles = {}
        previous: QWidget = self.export_button
        for n, f in enumerate(dashboard.figures):
            tile = Tile(f)
            tile.clicked.connect(lambda _c=False, key=f.key: self.show_figure(key))
            self.group.addButton(tile)
            self.tile_grid.addWidget(tile, n // TILE_COLUMNS, n % TILE_COLUMNS)
            QWidget.setTabOrder(previous, tile)
            previous = tile
            self.tiles[f.key] = tile
        QWidget.setTabOrder(previous, self.table)

    # --- one figure ---------------------------------------------------------------------

    def show_figure(self, key: str) -> None:
        """The figure's spread per team and per worker, and its young people."""
        dashboard = self.dashboard
        if dashboard is None:
            return
        figure = dashboard.figure(key)
        self.current_key = key
        self.tiles[key].setChecked(True)
        better = " Lower is better." if figure.lower_is_better else ""
        self.detail_title.setText(
            f"<b>{html.escape(figure.title)}</b>: {html.escape(headline(figure))}. "
            f"<span style='color:#4b5563'>Source: {html.escape(figure.why)}.{better}</span>"
        )
        self._set_chart(self.team_chart, bar_chart("Per team", figure.spread("team"), figure.share))
        self.team_chart.setVisible(len(dashboard.teams) > 1)  # one team: its bar is the tile
        title = "Per worker, highest first" if figure.share else "Per worker"
        workers = figure.spread("worker")
        if len(workers) > 25:
            title += f" (first 25 of {len(workers)})"
        self._set_chart(self.worker_chart, bar_chart(title, workers, figure.share))
        self._fill_people(dashboard, figure)

    def _set_chart(self, view: QChartView, chart: QChart) -> None:
        old = view.chart()
        view.setChart(chart)
        if old is not None and old is not chart:
            old.deleteLater()

    def _fill_people(self, dashboard: Dashboard, figure: Figure) -> None:
        rows: list[tuple[int, str, str]] = []
        if figure.share:
            judged = sorted(figure.judged, key=lambda m: m.met != figure.lower_is_better)
            rows = [(m.person or 0, counted_as(figure, m.met), m.detail) for m in judged]
        else:
            rows = [(c.person or 0, c.category, c.detail) for c in figure.counted]
        cells: list[Row] = []
        for pid, counted, detail in rows:
            p = dashboard.people.get(pid)
            if p is not None:
                cells.append((pid, (p.name, p.child_uid, p.team, p.worker, counted, detail)))
        self.model.set_rows(cells)
        self.table.setColumnHidden(2, len(dashboard.teams) < 2)  # one team: no news
        em = self.table.fontMetrics().averageCharWidth()
        for column, chars in enumerate((22, 10, 18, 17, 13)):
            self.table.setColumnWidth(column, chars * em + 12)
        if figure.share:
            n, d = figure.total()
            rest = figure.rest_by_group()
            split = "; ".join(f"{k}: {v}" for k, v in rest.items())
            self.people_note.setText(
                f"{d:,} counted, {n:,} in the figure"
                + (f"; the rest: {split}" if split else "")
                + ". Enter or double-click opens a record."
            )
        else:
            self.people_note.setText(
                f"{len(rows):,} counted. Enter or double-click opens a record."
            )
        if self.model.rowCount():
            self.table.selectRow(0)

    def _open_row(self, index: Any) -> None:
        pid = self.model.rows[index.row()][0] if index.isValid() else 0
        if pid:
            self.open_record.emit(int(pid))

    def people_shown(self) -> list[str]:
        return [cells[0] for _pid, cells in self.model.rows]

    def clear(self) -> None:
        self.dashboard = None
        self.model.set_rows([])
        self.export_button.setEnabled(False)

    # --- PDF ----------------------------------------------------------------------------

    def export_pdf(self, path: str | None = None) -> None:
        dashboard = self.dashboard
        if dashboard is None:
            return
        if path is None:
            folder = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.DocumentsLocation
            )
            name = f"dashboard-{dashboard.start:%Y%m%d}-{dashboard.end:%Y%m%d}.pdf"
            path, _f = QFileDialog.getSaveFileName(
                self, "Export the dashboard", str(Path(folder) / name), "PDF (*.pdf)"
            )
            if not path:
                return
        charts = self._chart_images()
        title = dashboard.figure(self.current_key).title if self.current_key else ""
        self.export_button.setEnabled(False)
        self.message.emit("Saving the dashboard as a PDF…")
        tasks.run(
            export_dashboard_pdf,
            self.db,
            self.actor,
            dashboard,
            self.clock(),
            path,
            charts,
            title,
            on_result=self._exported,
            on_error=self._export_failed,
        )

    def _exported(self, path: str) -> None:
        if not isValid(self):
            return
        self.export_button.setEnabled(self.dashboard is not None)
        self.message.emit(f"Dashboard saved as {path}.")
        self.exported.emit(path)

    def _export_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.export_button.setEnabled(self.dashboard is not None)
        if isinstance(exc, OSError | CaseworkError):
            self.message.emit(f"The PDF was not saved: {exc}")
            self.exported.emit("")
            return
        crash.show_error(self, exc)

    def _chart_images(self) -> list[Any]:
        views = (self.team_chart, self.worker_chart)
        return [view.grab().toImage() for view in views if view.isVisible()]


def dashboard_html(dashboard: Dashboard) -> str:
    """Every figure (with its source) and, for each, the young people in its rest."""
    esc = html.escape
    out = [
        "<html><body>",
        f"<h2>Oversight dashboard: {esc(dashboard.scope)}</h2>",
        f"<p>Work that arrived from {dashboard.start:%d/%m/%Y} to {dashboard.end:%d/%m/%Y}; "
        f"records as they stood on {dashboard.state_on:%d/%m/%Y}. Team and worker as "
        "allocated now. OFFICIAL-SENSITIVE: names young people.</p>",
        "<table width='100%' cellpadding='4' border='1' style='border-collapse:collapse'>",
        "<tr><th align='left'>Figure</th><th align='left'>Value</th>"
        "<th align='left'>Spread per team</th><th align='left'>Source</th></tr>",
    ]
    for f in dashboard.figures:
        spread = ", ".join(
            f"{esc(t)} {round(100 * n / d) if f.share and d else n}{'%' if f.share else ''}"
            for t, n, d in f.spread("team")
        )
        lower = " (lower is better)" if f.lower_is_better else ""
        out.append(
            f"<tr><td>{esc(f.title)}{lower}</td><td>{esc(headline(f))}</td>"
            f"<td>{spread}</td><td>{esc(f.why)}</td></tr>"
        )
    out.append("</table>")
    for f in dashboard.figures:
        if not f.share:
            continue
        wanted = [m for m in f.judged if m.met == f.lower_is_better]
        if not wanted:
            continue
        out.append(f"<h3>{esc(f.title)}: {'counted' if f.lower_is_better else 'the rest'}</h3>")
        out.append("<table width='100%' cellpadding='3'>")
        for m in sorted(wanted, key=lambda m: (m.group, m.detail)):
            p = dashboard.people.get(m.person or 0)
            if p is not None:
                out.append(
                    f"<tr><td>{esc(p.name)} ({esc(p.child_uid)})</td><td>{esc(p.team)}</td>"
                    f"<td>{esc(p.worker)}</td><td>{esc(m.detail)}</td></tr>"
                )
        out.append("</table>")
    out.append("</body></html>")
    return "".join(out)


def export_dashboard_pdf(
    db: Database,
    actor: Actor,
    dashboard: Dashboard,
    now: datetime,
    path: str,
    charts: list[Any],
    chart_title: str = "",
) -> str:
    """Runs on a worker (only a QPdfWriter, a QPainter, a QTextDocument and images made
    beforehand): the audited dashboard as an owner-only A4 PDF at ``path``, written beside
    it under a temporary name and moved into place whole: every figure with its spread per
    team and its source, the young people behind each, then the chosen figure's charts."""
    record_dashboard_export(db, actor, start=dashboard.start, end=dashboard.end, now=now)
    try:
        with files.private_output(Path(path), replace=True) as tmp:
            _write(str(tmp), dashboard_html(dashboard), charts, chart_title)
    except FileAccessProblem as exc:
        raise OSError(str(exc)) from None
    return path


def _write(path: str, document_html: str, charts: list[Any], chart_title: str = "") -> None:
    """Landscape A4: the document's pages, then one page with the chosen figure's charts;
    every page footed "OFFICIAL-SENSITIVE" with its number, like a chronology."""
    writer = QPdfWriter(path)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setResolution(PDF_DPI)
    writer.setTitle("Oversight dashboard")
    writer.setCreator("Casework")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        area = writer.pageLayout().paintRectPixels(PDF_DPI)
        footer = PDF_DPI * 8 // 25  # 8 mm
        body = QSizeF(area.width(), area.height() - footer)
        document = QTextDocument()
        document.documentLayout().setPaintDevice(writer)
        document.setHtml(document_html)
        document.setPageSize(body)
        pages = document.pageCount() + (1 if charts else 0)
        small = QFont(document.defaultFont())
        small.setPointSizeF(8)

        def foot(number: int) -> None:
            painter.setFont(small)
            line = QRectF(0, area.height() - footer * 0.7, body.width(), footer * 0.7)
            painter.drawText(line, Qt.AlignmentFlag.AlignLeft, "OFFICIAL-SENSITIVE: personal data")
            painter.drawText(line, Qt.AlignmentFlag.AlignRight, f"Page {number} of {pages}")

        for number in range(document.pageCount()):
            if number:
                writer.newPage()
            top = number * body.height()
            painter.save()
            painter.translate(0, -top)
            document.drawContents(painter, QRectF(0, top, body.width(), body.height()))
            painter.restore()
            foot(number + 1)
        if charts:
            writer.newPage()
            heading = QFont(document.defaultFont())
            heading.setPointSizeF(12)
            heading.setBold(True)
            painter.setFont(heading)
            title_height = PDF_DPI * 10 // 25
            painter.drawText(
                QRectF(0, 0, body.width(), title_height),
                Qt.AlignmentFlag.AlignLeft,
                f"{chart_title}: per team and per worker",
            )
            width = body.width() / len(charts)
            for n, image in enumerate(charts):
                smooth = Qt.TransformationMode.SmoothTransformation
                scaled = image.scaledToWidth(int(width - 10), smooth)
                painter.drawImage(int(n * width), title_height, scaled)
            foot(pages)
    finally:
        painter.end()
    written = Path(path)
    if not written.exists() or written.stat().st_size == 0:
        raise OSError(f"nothing was written to {path}")
