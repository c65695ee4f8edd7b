"""What a signed-in user works in: the top bar, the sections for their role, the content.

Practitioners and team leads land on "My work" (what is due, most urgent first), then have
the front door, closure requests and the caseload; each opens a young person's record in
its place. The navigation shows how many items are overdue ("My work (14 overdue)",
"Closures (2 overdue)": requests waiting too long for a team lead).

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
from ui.views.list_and_record import ListAndRecord, shows_change

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor

Clock = Callable[[], datetime]
MY_WORK = "My work"
FRONT_DOOR = "Front door"
CLOSURES = "Closures"
CLOSURE_AUDITS = "Closure audits"
DASHBOARD = "Dashboard"
CASELOAD = "Caseload"
USERS = "Users and teams"
SETTINGS = "Settings"
RETURNS = "Returns"


class CaseloadSection(ListAndRecord):
    """The caseload list, and a young person's record in its place when one is opened."""

    shows = "caseload"  # casework.services.work_lists.WorkList.CASELOAD

    def __init__(self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None):
        from ui.views.caseload import CaseloadView

        self.caseload = CaseloadView(db, actor, clock)
        super().__init__(db, actor, clock, self.caseload, "← &Back to caseload", parent, eager=True)


class MyWorkSection(ListAndRecord):
    """My work, and a young person's record in its place when one is opened from it. The
    record view is made the first time one is opened, so signing in paints My work without
    building a record screen nobody may need."""

    shows = "my_work"  # casework.services.work_lists.WorkList.MY_WORK

    def __init__(self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None):
        from ui.views.my_work import MyWorkView

        self.my_work = MyWorkView(db, actor, clock)
        super().__init__(db, actor, clock, self.my_work, "← &Back to My work", parent)


class DashboardSection(ListAndRecord):
    """The oversight dashboard, and a young person's record in its place when one is opened
    from a figure's list."""

    shows = "dashboard"  # casework.services.work_lists.WorkList.DASHBOARD

    def __init__(self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None):
        from ui.views.dashboard import DashboardView

        self.dashboard = DashboardView(db, actor, clock)
        super().__init__(db, actor, clock, self.dashboard, "← &Back to dashboard", parent)

    def _changed(self, _what: object) -> None:
        self.dashboard.record_saved()  # read again when shown, not behind the record
        self.message.emit("Changes saved.")
        self.record_changed.emit(_what)

    def refresh_list(self) -> None:
        self.dashboard.record_saved()


@dataclass(frozen=True)
class Place:
    """A section's title and the record open in it: (person id, tab, writing a contact)."""

    section: str
    record: tuple[int, int, bool] | None = None


@dataclass(frozen=True)
class SectionSpec:
    title: str
    build: Callable[[Database, Actor, Clock], QWidget]


def _my_work(db: Database, actor: Actor, clock: Clock) -> QWidget:
    return MyWorkSection(db, actor, clock)


def _caseload(db: Database, actor: Actor, clock: Clock) -> QWidget:
    return CaseloadSection(db, actor, clock)


def _front_door(db: Database, actor: Actor, clock: Clock) -> QWidget:
    from ui.views.front_door import FrontDoorSection

    return FrontDoorSection(db, actor, clock)


def _closures(db: Database, actor: Actor, clock: Clock) -> QWidget:
    from ui.views.closures import ClosuresSection

    return ClosuresSection(db, actor, clock)


def _closure_audits(db: Database, actor: Actor, clock: Clock) -> QWidget:
    from ui.views.closure_audits import ClosureAuditsSection

    return ClosureAuditsSection(db, actor, clock)


def _dashboard(db: Database, actor: Actor, clock: Clock) -> QWidget:
    return DashboardSection(db, actor, clock)


def _users(db: Database, actor: Actor, clock: Clock) -> QWidget:
    from ui.views.admin_users import AdminUsersView

    return AdminUsersView(db, actor, clock)


def _settings(db: Database, actor: Actor, clock: Clock) -> QWidget:
    from ui.views.admin_settings import AdminSettingsView

    return AdminSettingsView(db, actor, clock)


def _returns(db: Database, actor: Actor, clock: Clock) -> QWidget:
    from ui.views.admin_returns import AdminReturnsView

    return AdminReturnsView(db, actor, clock)


def sections_for(role: Role) -> list[SectionSpec]:
    """Only the sections that exist for the role: administrators never see case records.
    The first is where the user lands: for caseworkers, what is due today."""
    if role in CASE_ROLES:
        sections = [
            SectionSpec(MY_WORK, _my_work),
            SectionSpec(FRONT_DOOR, _front_door),
            SectionSpec(CLOSURES, _closures),
            SectionSpec(CASELOAD, _caseload),
        ]
        if role is Role.TEAM_LEAD:  # closure audits are management oversight
            sections.append(SectionSpec(CLOSURE_AUDITS, _closure_audits))
            sections.append(SectionSpec(DASHBOARD, _dashboard))
        return sections
    if role is Role.ADMIN:
        return [
            SectionSpec(USERS, _users),
            SectionSpec(SETTINGS, _settings),
            SectionSpec(RETURNS, _returns),
        ]
    return []


def badge_text(title: str, overdue: int) -> str:
    """A section's name in the navigation: "My work (14 overdue)"."""
    return f"{title} ({overdue:,} overdue)" if overdue > 0 else title


def _short_role(role: Role) -> str:
    return {Role.PRACTITIONER: "Practitioner", Role.ADMIN: "Administrator"}.get(role, role.label)


class Workspace(QWidget):
    lock_requested = Signal()
    sign_out_requested = Signal()
    message = Signal(str)
    idle_minutes_changed = Signal(int)
    help_requested = Signal()

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
        self._titles: list[str] = []
        for spec in sections_for(actor.role):
            widget = spec.build(db, actor, clock)
            self.sections[spec.title] = widget
            self._titles.append(spec.title)
            self.stack.addWidget(widget)
            self.nav.addItem(spec.title)
            self._connect_section(spec.title, widget)
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
        self._fit_nav()
        QWidget.setTabOrder(self.nav, self.stack)

    def _fit_nav(self) -> None:
        """As wide as the longest name with its badge now: at 1366x768 and 150% text a
        width kept for "(9,999 overdue)" took a quarter of the screen."""
        widest = max(
            (
                self.nav.fontMetrics().horizontalAdvance(self.nav.item(i).text())
                for i in range(self.nav.count())
            ),
            default=0,
        )
        self.nav.setFixedWidth(max(150, widest + 48))

    def _connect_section(self, title: str, widget: QWidget) -> None:
        for name in ("message", "idle_minutes_changed"):
            signal = getattr(widget, name, None)
            if signal is not None:
                signal.connect(getattr(self, name))
        changed = getattr(widget, "record_changed", None)
        if changed is not None:
            changed.connect(lambda what=None: self._refresh_others(title, what))
        overdue = getattr(widget, "overdue_changed", None)
        if overdue is not None:
            overdue.connect(lambda count: self._set_badge(title, count))

    def _refresh_others(self, saved_in: str, what: object = None) -> None:
        """A record saved from one section: the other lists whose content it can alter
        (the core decides which) re-read what they show."""
        for title, widget in self.sections.items():
            refresh: Any = getattr(widget, "refresh_list", None)
            if title == saved_in or not callable(refresh):
                continue
            if shows_change(getattr(widget, "shows", None), what):
                refresh()

    def _set_badge(self, title: str, overdue: int) -> None:
        item = self.nav.item(self._titles.index(title))
        item.setText(badge_text(title, overdue))
        self._fit_nav()
        items = "1 overdue item" if overdue == 1 else f"{overdue:,} overdue items"
        item.setToolTip(items if overdue > 0 else "")

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
        self.help_button = QPushButton("&Help")
        self.help_button.setToolTip("Keyboard shortcuts (F1)")
        self.help_button.setAccessibleName("Help: keyboard shortcuts")
        self.help_button.clicked.connect(self.help_requested)
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
        row.addWidget(self.help_button)
        row.addWidget(self.lock_button)
        row.addWidget(self.sign_out_button)
        return bar

    def section_titles(self) -> list[str]:
        """The sections' names, without any badge."""
        return list(self._titles)

    def nav_texts(self) -> list[str]:
        """What the navigation shows, badges included."""
        return [self.nav.item(i).text() for i in range(self.nav.count())]

    def show_section(self, title: str) -> QWidget:
        self.nav.setCurrentRow(self._titles.index(title))
        return self.sections[title]

    def current_section(self) -> str:
        row = self.nav.currentRow()
        return self._titles[row] if 0 <= row < len(self._titles) else ""

    def focus_content(self) -> None:
        current = self.stack.currentWidget()
        if current is not None:
            current.setFocus(Qt.FocusReason.OtherFocusReason)

    def place(self) -> Place:
        """Where the user is (section and open record, ids only), for after an unlock."""
        section = self.current_section()
        widget: Any = self.sections.get(section)
        where = getattr(widget, "place", None)
        return Place(section, where() if callable(where) else None)

    def restore(self, place: Place) -> None:
        """Go back to ``place``: its section, and the record that was open there."""
        if place.section not in self._titles:
            return
        widget: Any = self.show_section(place.section)
        if place.record is not None and callable(getattr(widget, "restore_place", None)):
            widget.restore_place(place.record)

    def clear(self) -> None:
        """Every view drops its data (before the workspace is destroyed)."""
        for widget in self.sections.values():
            clear: Any = getattr(widget, "clear", None)
            if callable(clear):
                clear()
