"""Users and teams (administrators): the list of accounts and what can be done to them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casework.services.permissions import Role
from ui import crash, tasks
from ui.dialogs.user_forms import AddUserDialog, ResetPasswordDialog

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor
    from casework.services.users import UserSummary

Clock = Callable[[], datetime]
Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Name", "User name", "Role", "Team", "Leads", "Active")
ROLE_NAMES = {
    Role.PRACTITIONER: "Practitioner",
    Role.TEAM_LEAD: "Team lead",
    Role.ADMIN: "Administrator",
}
INACTIVE = QColor("#6b7280")


def load_users(db: Database, actor: Actor, now: datetime) -> list[UserSummary]:
    from casework.services.users import list_users

    return list_users(db, actor, now=now)


def change_active(
    db: Database,
    actor: Actor,
    username: str,
    active: bool,
    now: datetime,
    version: int | None = None,
) -> Any:
    from casework.services.users import set_active

    return set_active(db, actor, username, active, now=now, expected_version=version)


class UsersModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._users: list[UserSummary] = []

    def set_users(self, users: list[UserSummary]) -> None:
        self.beginResetModel()
        self._users = list(users)
        self.endResetModel()

    def users(self) -> list[UserSummary]:
        return list(self._users)

    def user_at(self, row: int) -> UserSummary | None:
        return self._users[row] if 0 <= row < len(self._users) else None

    def row_of(self, username: str) -> int | None:
        for row, user in enumerate(self._users):
            if user.username == username:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._users)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        user = self.user_at(index.row())
        if user is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(user, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and not user.active:
            return INACTIVE
        return None

    @staticmethod
    def _cell(user: UserSummary, column: int) -> str:
        values = (
            user.display_name,
            user.username,
            ROLE_NAMES.get(user.role, user.role.label),
            user.team or "—",
            ", ".join(user.leads) or "—",
            "Yes" if user.active else "No (deactivated)",
        )
        return values[column]


def teams_summary(users: list[UserSummary]) -> str:
    """One line per team: who leads it and how many active people are in it."""
    teams: dict[str, dict[str, Any]] = {}
    for user in users:
        if user.team:
            entry = teams.setdefault(user.team, {"members": 0, "leads": []})
            entry["members"] += 1 if user.active else 0
        for led in user.leads:
            teams.setdefault(led, {"members": 0, "leads": []})["leads"].append(user.display_name)
    if not teams:
        return "No teams yet. A team is created when you add its first member."
    lines = []
    for name in sorted(teams):
        leads = ", ".join(teams[name]["leads"]) or "no lead"
        count = teams[name]["members"]
        people = "1 active member" if count == 1 else f"{count} active members"
        lines.append(f"<b>{escape(name)}</b>: led by {escape(leads)}; {people}")
    return "<br>".join(lines)


class AdminUsersView(QWidget):
    message = Signal(str)
    loaded = Signal()

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminUsers")
        self._db, self._actor, self._clock = db, actor, clock
        self.model = UsersModel(self)
        self._select_after_load: str | None = None
        self._build()
        self.refresh()

    def _build(self) -> None:
        title = QLabel("<h2>Users and teams</h2>")
        intro = QLabel(
            "Everyone who can sign in to Casework. Deactivating an account stops the person "
            "signing in but keeps their name on records and in the audit trail."
        )
        intro.setWordWrap(True)
        self.add_button = QPushButton("&Add user…")
        self.reset_button = QPushButton("&Reset password…")
        self.active_button = QPushButton("&Deactivate")
        self.table = QTableView()
        self.table.setObjectName("usersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self.reset_password)
        self.teams = QLabel()
        self.teams.setObjectName("teamsSummary")
        self.teams.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.reset_button, self.active_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("<h3>Teams</h3>"))
        layout.addWidget(self.teams)
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.active_button.clicked.connect(self.toggle_active)
        self._selection_changed()
        self.setFocusProxy(self.table)

    # --- loading ------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        self._select_after_load = select or self._selected_username()
        tasks.run(
            load_users,
            self._db,
            self._actor,
            self._clock(),
            on_result=self._loaded,
            on_error=self._error,
        )

    def _loaded(self, users: Any) -> None:
        self.model.set_users(users)
        self.teams.setText(teams_summary(users))
        if self._select_after_load is not None:
            row = self.model.row_of(self._select_after_load)
            if row is not None:
                self.table.selectRow(row)
        self._selection_changed()
        self.loaded.emit()

    def clear(self) -> None:
        self.model.set_users([])
        self.teams.clear()

    # --- actions ------------------------------------------------------------------------

    def selected(self) -> UserSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.user_at(rows[0].row()) if rows else None

    def _selected_username(self) -> str | None:
        user = self.selected()
        return user.username if user else None

    def _selection_changed(self, *_args: object) -> None:
        user = self.selected()
        self.reset_button.setEnabled(user is not None)
        self.active_button.setEnabled(user is not None and user.id != self._actor.user_id)
        self.active_button.setText("Reac&tivate" if user and not user.active else "&Deactivate")

    def team_names(self) -> list[str]:
        names = {u.team for u in self.model.users() if u.team}
        names |= {t for u in self.model.users() for t in u.leads}
        return sorted(names)

    def add_user(self) -> AddUserDialog:
        dialog = AddUserDialog(self._db, self._actor, self._clock, self.team_names(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(self._added)
        dialog.open()
        return dialog

    def _added(self, username: str) -> None:
        self.message.emit(f"Added user {username}.")
        self.refresh(select=username)

    def reset_password(self) -> ResetPasswordDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = ResetPasswordDialog(self._db, self._actor, self._clock, user, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reset_done.connect(self._password_set)
        dialog.open()
        return dialog

    def _password_set(self, username: str) -> None:
        self.message.emit(f"New password set for {username}.")
        self.refresh(select=username)

    def toggle_active(self) -> QMessageBox | None:
        user = self.selected()
        if user is None:
            return None
        if not user.active:
            self._set_active(user.username, True, user.version)
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "Deactivate account", "", parent=self)
        box.setObjectName("confirmDeactivate")
        box.setText(
            f"Deactivate {user.display_name} ({user.username})?\n\n"
            "They will not be able to sign in. Their name stays on the records they worked "
            "on, and you can reactivate the account later."
        )
        yes = box.addButton("Deactivate", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes.clicked.connect(lambda: self._set_active(user.username, False, user.version))
        box.open()
        return box

    def _set_active(self, username: str, active: bool, version: int | None = None) -> None:
        word = "Reactivated" if active else "Deactivated"

        def done(_changed: object) -> None:
            self.message.emit(f"{word} {username}.")
            self.refresh()

        tasks.run(
            change_active,
            self._db,
            self._actor,
            username,
            active,
            self._clock(),
            version,
            on_result=done,
            on_error=self._error,
        )

    def _error(self, exc: BaseException) -> None:
        crash.show_error(self, exc)
