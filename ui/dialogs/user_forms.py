"""Administrators' forms: add a user, reset a password. Saved through services on a worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.errors import CaseworkError, ValidationFailed
from casework.services.permissions import Role
from ui import crash, tasks
from ui.widgets.password_field import PasswordField, password_checker, warm_up
from ui.widgets.problems import ProblemList

if TYPE_CHECKING:
    from casework.db.database import Database
    from casework.services.permissions import Actor
    from casework.services.users import NewUser, UserSummary

Clock = Callable[[], datetime]
ROLE_CHOICES = (Role.PRACTITIONER, Role.TEAM_LEAD, Role.ADMIN)


def save_new_user(db: Database, actor: Actor, new: NewUser, now: datetime) -> Any:
    from casework.services.users import add_user

    return add_user(db, actor, new, now=now)


def save_password(db: Database, actor: Actor, username: str, password: str, now: datetime) -> Any:
    from casework.services.users import set_password

    return set_password(db, actor, username, password, now=now)


class _SavingDialog(QDialog):
    """A form with a Save button whose work runs on a worker; problems shown inline."""

    def __init__(self, save_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.problems = ProblemList()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self._save_text = save_text

    def submit(self) -> None:
        raise NotImplementedError

    def _run(self, fn: Callable[..., Any], *args: Any) -> None:
        self.problems.set_problems([])
        self.save_button.setEnabled(False)
        self.save_button.setText("Saving…")
        tasks.run(fn, *args, on_result=self._saved, on_error=self._failed)

    def _saved(self, _changed: object) -> None:
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.save_button.setText(self._save_text)
        if isinstance(exc, ValidationFailed):
            self.problems.set_problems(exc.problems, "Not saved:")
        elif isinstance(exc, CaseworkError):
            self.problems.set_message(str(exc))
        else:
            crash.report(type(exc), exc, exc.__traceback__)


class AddUserDialog(_SavingDialog):
    added = Signal(str)  # user name

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        teams: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Add user", parent)
        self.setObjectName("addUserDialog")
        self.setWindowTitle("Add a user")
        self._db, self._actor, self._clock = db, actor, clock
        self.role = QComboBox()
        for role in ROLE_CHOICES:
            self.role.addItem(role.label, role)
        self.full_name = QLineEdit()
        self.username = QLineEdit()
        self.username.setPlaceholderText("lower case, for example j.smith")
        self.team = QComboBox()
        self.team.setEditable(True)
        self.team.addItems(teams)
        self.team.setCurrentIndex(-1)
        team_line = self.team.lineEdit()
        assert team_line is not None  # editable
        team_line.setPlaceholderText("Choose a team, or type a new team's name")
        self.leads = QListWidget()
        self.leads.setMaximumHeight(110)
        for name in teams:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.leads.addItem(item)
        self.leads_label = QLabel("Also leads")
        self.password = PasswordField(password_checker(lambda: self.username.text()))
        self.form = QFormLayout()
        self.form.addRow("&Role", self.role)
        self.form.addRow("&Full name", self.full_name)
        self.form.addRow("&User name", self.username)
        self.form.addRow("&Team", self.team)
        self.form.addRow(self.leads_label, self.leads)
        self.form.addRow("&Password", self.password)
        note = QLabel(
            "Give the person their password in person or by phone, never by email. "
            "A team lead leads their own team, and any teams ticked under “Also leads”."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(note)
        layout.addWidget(self.problems)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.role.currentIndexChanged.connect(self._role_changed)
        self.username.textChanged.connect(self.password.refresh)
        self._role_changed()
        self.resize(520, 480)
        warm_up()

    def selected_role(self) -> Role:
        return Role(self.role.currentData())

    def _role_changed(self) -> None:
        role = self.selected_role()
        self.team.setEnabled(role is not Role.ADMIN)
        self.leads.setVisible(role is Role.TEAM_LEAD)
        self.leads_label.setVisible(role is Role.TEAM_LEAD)

    def _led_teams(self) -> tuple[str, ...]:
        items = (self.leads.item(i) for i in range(self.leads.count()))
        return tuple(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)

    def new_user(self) -> NewUser:
        from casework.services.users import NewUser

        role = self.selected_role()
        team = self.team.currentText().strip() if role is not Role.ADMIN else ""
        leads = self._led_teams() if role is Role.TEAM_LEAD else ()
        return NewUser(
            username=self.username.text().strip().lower(),
            display_name=self.full_name.text().strip(),
            role=role,
            password=self.password.text(),
            team=team or None,
            leads=leads,
        )

    def local_problems(self) -> list[str]:
        found = [] if self.full_name.text().strip() else ["Enter the person's full name."]
        found += [] if self.username.text().strip() else ["Enter a user name."]
        role = self.selected_role()
        if role is not Role.ADMIN and not self.team.currentText().strip():
            found.append("Choose the team this person belongs to.")
        password = self.password.problems()
        self.password.show_problems(password)
        return found + [f"Password: {p}" for p in password]

    def submit(self) -> None:
        if not self.save_button.isEnabled():
            return
        problems = self.local_problems()
        if problems:
            self.problems.set_problems(problems, "Please correct the following:")
            return
        self._new = self.new_user()
        self._run(save_new_user, self._db, self._actor, self._new, self._clock())

    def _saved(self, changed: object) -> None:
        self.added.emit(self._new.username)
        super()._saved(changed)


class ResetPasswordDialog(_SavingDialog):
    reset_done = Signal(str)

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        user: UserSummary,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Set password", parent)
        self.setObjectName("resetPasswordDialog")
        self.setWindowTitle("Reset a password")
        self._db, self._actor, self._clock, self._user = db, actor, clock, user
        text = QLabel(
            f"<p>Set a new password for <b>{escape(user.display_name)}</b> "
            f"({escape(user.username)}). Their old password stops working at once"
            f"{'' if user.active else ', and the account is reactivated'}.</p>"
            "<p>Give it to them in person or by phone, never by email.</p>"
        )
        text.setWordWrap(True)
        self.password = PasswordField(password_checker(lambda: user.username))
        form = QFormLayout()
        form.addRow("New &password", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(480, 260)
        warm_up()

    def submit(self) -> None:
        if not self.save_button.isEnabled():
            return
        problems = self.password.problems()
        if problems:
            self.password.show_problems(problems)
            return
        self._run(
            save_password,
            self._db,
            self._actor,
            self._user.username,
            self.password.text(),
            self._clock(),
        )

    def _saved(self, changed: object) -> None:
        self.reset_done.emit(self._user.username)
        super()._saved(changed)
