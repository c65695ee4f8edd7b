"""Everything fits a 1366x768 laptop (less its taskbar): the window opens maximised, no
dialog is taller than the screen, even after a refusal adds problems to it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog
from pytestqt.qtbot import QtBot

from tests.ui._front_door_fixtures import concern, days_ago, team_person_ids
from tests.ui.conftest import FAST_KDF
from ui import tasks
from ui.dialogs.create_database import CreateDatabaseDialog
from ui.dialogs.front_door_dialogs import ConcernDialog, DecisionDialog
from ui.dialogs.young_person_form import YoungPersonDialog
from ui.views.front_door import FrontDoorView
from ui.widgets.forms import LAPTOP

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TIMEOUT = 10_000


def assert_fits(dialog: QDialog) -> None:
    QApplication.processEvents()
    hint = dialog.sizeHint()
    assert hint.height() <= LAPTOP.height(), (type(dialog).__name__, hint)
    assert dialog.height() <= LAPTOP.height(), (type(dialog).__name__, dialog.size())
    assert dialog.width() <= LAPTOP.width(), (type(dialog).__name__, dialog.size())


def decision_dialog(qtbot: QtBot, env: Env) -> DecisionDialog:
    person = team_person_ids(env.db, env.lead)[0]
    for days in (1, 2, 3, 5):  # a long history
        concern(env.db, env.lead, person, days_ago(days))
    view = FrontDoorView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.show()
    view.select_row(0)
    dialog = view.decide_selected()
    assert isinstance(dialog, DecisionDialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=TIMEOUT)
    return dialog


def test_the_decision_dialog_fits_and_starts_on_the_history_not_a_decision(
    qtbot: QtBot, env: Env
) -> None:
    dialog = decision_dialog(qtbot, env)
    assert_fits(dialog)
    focused = QApplication.focusWidget()
    assert focused is dialog.body, focused
    assert not isinstance(focused, QAbstractButton)
    dialog.accept()  # nothing chosen: two problems appear
    assert len(dialog.problems.problems()) == 2
    assert_fits(dialog)
    assert dialog.footer.ok_button.isVisible()
    assert dialog.footer.ok_button.isDefault()
    # Choosing a decision takes its problem away at once.
    dialog.choose("nfa")
    assert dialog.problems.problems() == ["Rationale: say why this decision was made."]


def test_add_young_person_fits_with_every_field_in_error(qtbot: QtBot, env: Env) -> None:
    dialog = YoungPersonDialog(env.db, env.lead, env.clock)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.form.is_ready, timeout=TIMEOUT)
    assert_fits(dialog)
    qtbot.mouseClick(dialog.form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.form.problems()) > 3, timeout=TIMEOUT)
    assert_fits(dialog)
    assert dialog.form.save_button.isVisible()


def test_the_concern_and_first_run_dialogs_fit(qtbot: QtBot, env: Env, tmp_path: Path) -> None:
    concern_dialog = ConcernDialog(env.db, env.lead, env.clock)
    first_run = CreateDatabaseDialog(tmp_path / "new.db", env.clock, kdf=FAST_KDF)
    for dialog in (concern_dialog, first_run):
        qtbot.addWidget(dialog)
        dialog.show()
        assert_fits(dialog)


def test_the_caseload_name_stays_in_view_when_scrolled_sideways(qtbot: QtBot, env: Env) -> None:
    from ui.views.caseload import CaseloadView

    view = CaseloadView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(1366 - 230, 300)  # 1366 wide less the navigation; short, so it scrolls
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT)
    bar = view.table.horizontalScrollBar()
    assert bar.maximum() > 0  # the columns do not all fit: it scrolls sideways
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    frozen = view.frozen
    assert frozen.isVisible() and frozen.width() == view.table.columnWidth(0) > 0
    first = view.model.index(0, 0).data()
    assert frozen.model().index(0, 0).data() == first
    assert frozen.visualRect(frozen.model().index(0, 0)).isValid()
    # Scrolling down moves both together; the keyboard stays in the table.
    view.table.verticalScrollBar().setValue(5)
    QApplication.processEvents()
    assert frozen.verticalScrollBar().value() == 5, (
        frozen.verticalScrollBar().maximum(),
        view.table.verticalScrollBar().maximum(),
        view.table.verticalScrollBar().value(),
        frozen.geometry(),
    )
    assert frozen.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_my_works_what_column_stays_readable_when_narrow(qtbot: QtBot, env: Env) -> None:
    from ui.models.my_work_model import WHAT
    from ui.views.my_work import MyWorkView

    view = MyWorkView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(700, 500)  # 1366x768 at 150% text, less the navigation: about 700 wide
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.show()
    QApplication.processEvents()
    width = view.table.viewport().width()
    assert view.table.horizontalHeader().sectionSize(WHAT) >= int(width * 0.35)
    view.resize(1300, 500)  # room again: the other columns get their width back
    QApplication.processEvents()
    assert view.table.horizontalHeader().sectionSize(0) > 200


def test_the_caseload_bar_folds_instead_of_overlapping(qtbot: QtBot, env: Env) -> None:
    from ui.views.caseload import CaseloadView

    view = CaseloadView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(1100, 500)
    view.show()
    QApplication.processEvents()
    assert not view.bar.folded
    view.resize(620, 500)  # 1366x768 at 150% text leaves about this much
    QApplication.processEvents()
    assert view.bar.folded
    search, add = view.search.geometry(), view.add_button.geometry()
    assert not search.intersects(view.mine_only.geometry())
    assert add.top() > search.top()  # the buttons went to the second line
    assert add.right() <= view.bar.width()


def test_navigation_badges_fit_without_a_fixed_wide_column(qtbot: QtBot, env: Env) -> None:
    from ui.workspace import MY_WORK, Workspace

    workspace = Workspace(env.db, env.lead, env.clock)
    qtbot.addWidget(workspace)
    workspace.resize(1366, 700)
    workspace.show()
    workspace._set_badge(MY_WORK, 1234)
    metrics = workspace.nav.fontMetrics()
    widest = max(metrics.horizontalAdvance(t) for t in workspace.nav_texts())
    assert widest + 20 <= workspace.nav.width() <= max(150, widest + 48)
    assert workspace.nav.width() <= 1366 // 5  # a fifth of the laptop's width at most
    tasks.wait_for_all(10_000)
