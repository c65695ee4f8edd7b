"""The Dashboard section: only for team leads; a tile per figure, named for a screen reader;
one press (or Enter) on a tile shows its spread per team and per worker and its young
people, the rest first; Enter on a young person opens their record; the PDF export is
owner-only and audited; it fits a 1366x768 laptop."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from casework.db.models import AuditEvent
from casework.services.permissions import Role
from ui.views.dashboard import COLUMNS, DashboardView
from ui.widgets.forms import LAPTOP
from ui.workspace import DASHBOARD, DashboardSection, sections_for

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TIMEOUT = 20_000


def _section(qtbot: QtBot, env: Env) -> DashboardSection:
    section = DashboardSection(env.db, env.lead, env.clock)
    qtbot.addWidget(section)
    section.resize(LAPTOP.width() - 200, LAPTOP.height() - 80)  # less the navigation and bars
    with qtbot.waitSignal(section.dashboard.loaded, timeout=TIMEOUT):
        section.show()
    return section


def test_only_team_leads_have_the_dashboard() -> None:
    assert DASHBOARD in [s.title for s in sections_for(Role.TEAM_LEAD)]
    assert DASHBOARD not in [s.title for s in sections_for(Role.PRACTITIONER)]
    assert DASHBOARD not in [s.title for s in sections_for(Role.ADMIN)]


def test_a_tile_per_figure_and_its_young_people(qtbot: QtBot, env: Env) -> None:
    section = _section(qtbot, env)
    view: DashboardView = section.dashboard
    assert view.dashboard is not None
    assert set(view.tiles) == {f.key for f in view.dashboard.figures}
    for tile in view.tiles.values():
        assert tile.accessibleName().strip() and tile.toolTip()
    tile = view.tiles["accommodation_suitable"]
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)  # Enter opens the figure, like a click
    assert view.current_key == "accommodation_suitable" and tile.isChecked()
    figure = view.dashboard.figure("accommodation_suitable")
    assert view.model.rowCount() == figure.total()[1] > 0
    rest = view.model.index(0, COLUMNS.index("Counted as")).data()
    assert rest == "The rest"  # the unsuitable, unknown and homeless come first, by name
    assert "Unsuitable" in view.people_note.text() or "Unknown" in view.people_note.text()
    assert view.team_chart.chart().series() and view.worker_chart.chart().series()
    assert view.worker_chart.chart().title().startswith("Per worker")
    # From the list, the record.
    view.table.setFocus()
    view.table.selectRow(0)
    pid = view.model.index(0, 0).data(Qt.ItemDataRole.UserRole)
    with qtbot.waitSignal(view.open_record, timeout=TIMEOUT) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [pid]
    assert section.currentWidget() is section.record


def test_choosing_a_team_and_a_shorter_period(qtbot: QtBot, env: Env) -> None:
    section = _section(qtbot, env)  # kept: the view is its child
    view = section.dashboard
    assert view.team.count() >= 2  # all my teams, then each
    before = view.dashboard
    view.period.setCurrentIndex(2)  # last 3 months
    start, end = view.period_dates()
    assert (end - start).days == 90
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.show_button.click()
    assert view.dashboard is not before and view.dashboard is not None
    assert view.dashboard.start == start
    view.start.setDate(view.end.date().addDays(1))  # after the end: refused in plain words
    assert view.period.currentText() == "Chosen dates"
    view.show_button.click()
    qtbot.waitUntil(lambda: "before" in view.summary.text(), timeout=TIMEOUT)


def test_the_pdf_is_owner_only_and_audited(qtbot: QtBot, env: Env, tmp_path: Path) -> None:
    section = _section(qtbot, env)  # kept: the view is its child
    view = section.dashboard
    target = tmp_path / "dashboard.pdf"
    with qtbot.waitSignal(view.exported, timeout=TIMEOUT) as done:
        view.export_pdf(str(target))
    assert done.args == [str(target)]
    assert target.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with env.db.reading() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert "export_dashboard" in actions


def test_it_fits_a_laptop(qtbot: QtBot, env: Env) -> None:
    section = _section(qtbot, env)  # kept: the view is its child
    view = section.dashboard
    QApplication.processEvents()
    hint = view.minimumSizeHint()
    assert hint.width() <= LAPTOP.width() - 200 and hint.height() <= LAPTOP.height() - 80
    for tile in view.tiles.values():
        assert tile.isVisible() and tile.geometry().bottom() < view.height()


def test_a_save_reads_the_figures_again_only_when_they_are_on_screen(
    qtbot: QtBot, env: Env
) -> None:
    """A record saved behind the dashboard (opened from its list, or in another section)
    marks the figures stale; they are read again when the dashboard is next shown."""
    section = _section(qtbot, env)
    view = section.dashboard
    first = view.dashboard
    pid = view.model.index(0, 0).data(Qt.ItemDataRole.UserRole)
    section.open_person(pid)
    assert not view.isVisible()
    section._changed(None)  # what saving on the record opened here does
    assert view._stale and not view._loading and view.dashboard is first
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        section.back_to_list()
    assert view.dashboard is not first and not view._stale
    # Saved in another section while this one is hidden: nothing read until it is shown.
    second = view.dashboard
    section.hide()
    section.refresh_list()
    assert view._stale and not view._loading and view.dashboard is second
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        section.show()
    assert view.dashboard is not second
    # On screen: read again at once.
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        section.refresh_list()


def test_the_open_tile_keeps_dark_text_when_focused(qtbot: QtBot, env: Env) -> None:
    """A tile pressed by keyboard is both focused and open: its words stay dark on pale (a
    focused auto-default button would otherwise take the default style's white text)."""
    from ui.app import load_style

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    load_style(app)
    try:
        section = _section(qtbot, env)
        tile = next(iter(section.dashboard.tiles.values()))
        tile.setFocus()
        qtbot.keyClick(tile, Qt.Key.Key_Return)
        assert tile.isChecked()
        qtbot.wait(100)
        shot = section.grab().toImage()
        image = shot.copy(QRect(tile.mapTo(section, QPoint(0, 0)), tile.size()))
        w, h = image.width(), image.height()
        darkest = min(
            image.pixelColor(x, y).lightness()
            for x in range(w // 4, 3 * w // 4)
            for y in range(h // 4, 3 * h // 4)
        )
        assert darkest < 90, "the open tile's words are not dark"
    finally:
        app.setStyleSheet("")
