"""What a signed-in user works in: the top bar, the sections for their role, the content.

The whole workspace is built after sign-in and after unlocking, and destroyed when the
window locks, so no widget or model keeps case data while locked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casework.services.permissions import CASE_ROLES, Role

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor

Clock = Callable[[], datetime]
CASELOAD = "Caseload"
USERS = "Users and teams"
SETTINGS = "Settings"


class CaseloadSection(QStackedWidget):
    """The caseload list, and a young person's record in its place when one is opened."""

    message = Signal(str)

    def __init__(self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        from ui.views.caseload import CaseloadView
        from ui.views.record import RecordView

        self.caseload = CaseloadView(db, actor, clock, self)
        self.record = RecordView(db, actor, clock, self)
        self.addWidget(self.caseload)
        self.addWidget(self.record)
        self.caseload.open_record.connect(self.open_person)
        self.record.back_requested.connect(self.back_to_list)
        self.record.changed.connect(self._changed)

    def open_person(self, person_id: int) -> None:
        self.record.show_person(person_id)
        self.setCurrentWidget(self.record)
        self.record.setFocus()

    def back_to_list(self) -> None:
        self.setCurrentWidget(self.caseload)
        self.caseload.setFocus()

    def _changed(self, _what: object) -> None:
        self.caseload.refresh()
        self.message.emit("Changes saved.")

    def clear(self) -> None:
        self.record.clear()
        self.caseload.clear()
        self.setCurrentWidget(self.caseload)


@dataclass(frozen=True)
class SectionSpec:
    title: str
    build: Callable[[Database, Actor, Clock], QWidget]


def _caseload(db: Database, actor: Actor, clock: Clock) -> QWidget:
    return CaseloadSection(db, actor, clock)


def _users(db: Database, actor: Actor, clock: Clock) -> QWidget:
    from ui.views.admin_users import AdminUsersView

    return AdminUsersView(db, actor, clock)


def _settings(db: Database, actor: Actor, clock: Clock) -> QWidget:
    from ui.views.admin_settings import AdminSettingsView

    return AdminSettingsView(db, actor, clock)


def sections_for(role: Role) -> list[SectionSpec]:
    """Only the sections that exist for the role: administrators never see case records."""
    if role in CASE_ROLES:
        return [SectionSpec(CASELOAD, _caseload)]
    if role is Role.ADMIN:
        return [SectionSpec(USERS, _users), SectionSpec(SETTINGS, _settings)]
    return []


def _short_role(role: Role) -> str:
    return {Role.PRACTITIONER: "Practitioner", Role.ADMIN: "Administrator"}.get(role, role.label)


class Workspace(QWidget):
    lock_requested = Signal()
    sign_out_requested = Signal()
    message = Signal(str)
    idle_minutes_changed = Signal(int)

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        *,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.actor = actor
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Sections")
        self.stack = QStackedWidget()
        self.sections: dict[str, QWidget] = {}
        for spec in sections_for(actor.role):
            widget = spec.build(db, actor, clock)
            self._connect_section(widget)
            self.sections[spec.title] = widget
            self.stack.addWidget(widget)
            self.nav.addItem(spec.title)
        mark_demo = getattr(self.sections.get(SETTINGS), "mark_demo", None)
        if demo and callable(mark_demo):
            mark_demo()
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._top_bar(demo))
        layout.addLayout(body, 1)
        self.nav.setFixedWidth(max(180, self.nav.sizeHintForColumn(0) + 40))
        QWidget.setTabOrder(self.nav, self.stack)

    def _connect_section(self, widget: QWidget) -> None:
        for name in ("message", "idle_minutes_changed"):
            signal = getattr(widget, name, None)
            if signal is not None:
                signal.connect(getattr(self, name))

    def _top_bar(self, demo: bool) -> QWidget:
        bar = QWidget()
        bar.setObjectName("topBar")
        title = QLabel("Casework")
        title.setObjectName("appTitle")
        who = QLabel(
            f"Signed in as <b>{escape(self.actor.display_name)}</b>"
            f" · {escape(_short_role(self.actor.role))}"
        )
        who.setObjectName("signedIn")
        self.lock_button = QPushButton("&Lock")
        self.lock_button.setToolTip("Hide everything until you enter your password (Ctrl+L)")
        self.sign_out_button = QPushButton("Sign &out")
        self.lock_button.clicked.connect(self.lock_requested)
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        row = QHBoxLayout(bar)
        row.addWidget(title)
        if demo:
            badge = QLabel("DEMO — synthetic data")
            badge.setObjectName("demoBadge")
            row.addWidget(badge)
        row.addStretch(1)
        row.addWidget(who)
        row.addSpacing(12)
        row.addWidget(self.lock_button)
        row.addWidget(self.sign_out_button)
        return bar

    def section_titles(self) -> list[str]:
        return [self.nav.item(i).text() for i in range(self.nav.count())]

    def show_section(self, title: str) -> QWidget:
        self.nav.setCurrentRow(self.section_titles().index(title))
        return self.sections[title]

    def current_section(self) -> str:
        item = self.nav.currentItem()
        return item.text() if item is not None else ""

    def focus_content(self) -> None:
        current = self.stack.currentWidget()
        if current is not None:
            current.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        """Every view drops its data (before the workspace is destroyed)."""
        for widget in self.sections.values():
            clear: Any = getattr(widget, "clear", None)
            if callable(clear):
                clear()
