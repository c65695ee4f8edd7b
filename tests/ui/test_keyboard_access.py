"""Keyboard and screen reader: focus starts in the list, Help lists every shortcut the
window really has, and every control has a name a screen reader can read out."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Clock, Opened
from ui import tasks
from ui.dialogs.shortcuts_help import EVERYWHERE, ShortcutsDialog, shortcuts_of
from ui.main_window import MainWindow

TIMEOUT = 10_000
INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QPlainTextEdit,
    QTextEdit,
    QAbstractSlider,
)


def open_window(qtbot: QtBot, opened: Opened, clock: Clock) -> MainWindow:
    window = MainWindow(opened.db, opened.login(opened.lead), clock)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    tasks.wait_for_all()
    QApplication.processEvents()
    return window


def unnamed(root: QWidget) -> list[str]:
    """Interactive controls under ``root`` a screen reader would announce without a name
    (Qt reads a button's text, a field's buddy label, or the accessible name)."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QScrollBar):
            continue
        parent = widget.parentWidget()
        if isinstance(widget, QLineEdit) and isinstance(parent, QComboBox | QAbstractSpinBox):
            continue  # part of the combo or spin box, which carries the name
        if not widget.isVisibleTo(root.window()) or widget.focusPolicy().value == 0:
            continue
        face = QAccessible.queryAccessibleInterface(widget)
        name = face.text(QAccessible.Text.Name) if face is not None else ""
        if not (name or "").strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(parent)}")
    return missing


def test_focus_starts_in_the_list_not_on_lock(qtbot: QtBot, opened: Opened, fixed_clock: Clock):
    window = open_window(qtbot, opened, fixed_clock)
    assert window.workspace is not None
    my_work = window.workspace.sections["My work"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=TIMEOUT)
    focused = QApplication.focusWidget()
    assert focused is not window.workspace.lock_button
    assert isinstance(focused, QAbstractItemView) and my_work.isAncestorOf(focused)


def test_help_lists_every_shortcut_the_window_has(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    window = open_window(qtbot, opened, fixed_clock)
    assert window.workspace is not None
    section = window.workspace.show_section("Caseload")
    caseload = section.caseload  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: caseload.model.rowCount() > 0, timeout=TIMEOUT)
    section.open_person(caseload.model.id_at(0))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: section.record.record is not None, timeout=TIMEOUT)  # type: ignore[attr-defined]
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    shortcuts = window.findChildren(QShortcut)
    assert len(shortcuts) >= 10
    for shortcut in shortcuts:
        assert shortcut.whatsThis(), shortcut.key().toString()  # every one says what it does
    keys = {k for k, _what in rows}
    assert {"Ctrl+L", "F1", "F5", "Ctrl+1"} <= keys
    assert set(shortcuts_of(window)) <= set(rows) and set(EVERYWHERE) <= set(rows)
    assert unnamed(dialog) == []


def test_every_control_on_every_section_has_a_name(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    window = open_window(qtbot, opened, fixed_clock)
    assert window.workspace is not None
    for title in window.workspace.section_titles():
        section = window.workspace.show_section(title)
        QApplication.processEvents()
        assert unnamed(section) == [], title
    assert unnamed(window.workspace) == []


def test_the_name_check_finds_an_unnamed_field(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QFormLayout, QLabel

    page = QWidget()
    qtbot.addWidget(page)
    form = QFormLayout(page)
    named, bare = QLineEdit(), QLineEdit()
    form.addRow("&Name", named)  # the label is its buddy: read as its name
    form.addRow(QLabel("Nearby words are not a name"))
    form.addRow(bare)
    page.show()
    assert len(unnamed(page)) == 1


def test_every_control_on_every_record_tab_and_the_add_form_has_a_name(
    qtbot: QtBot, opened: Opened, fixed_clock: Clock
) -> None:
    from ui.dialogs.young_person_form import YoungPersonDialog

    window = open_window(qtbot, opened, fixed_clock)
    assert window.workspace is not None
    section = window.workspace.show_section("Caseload")
    caseload = section.caseload  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: caseload.model.rowCount() > 0, timeout=TIMEOUT)
    section.open_person(caseload.model.id_at(0))  # type: ignore[attr-defined]
    record = section.record  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: record.record is not None, timeout=TIMEOUT)
    for index in range(record.tabs.count()):
        record.show_section(index)
        tasks.wait_for_all()
        QApplication.processEvents()
        assert unnamed(record) == [], (record.tabs.tabText(index), unnamed(record))
    dialog = YoungPersonDialog(opened.db, opened.login(opened.lead), fixed_clock)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.form.is_ready, timeout=TIMEOUT)
    assert unnamed(dialog) == []
