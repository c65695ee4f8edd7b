"""First run: create a new encrypted database with its administrator, first team and lead."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casework.errors import CaseworkError, ValidationFailed
from ui import crash, tasks
from ui.widgets.forms import make_default
from ui.widgets.password_field import (
    PasswordField,
    passphrase_checker,
    password_checker,
    warm_up,
)
from ui.widgets.problems import ProblemList
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from casework.db.keys import KdfParams, KeyStore
    from casework.services.setup import FirstUsers

Clock = Callable[[], datetime]
KeyStoreFactory = Callable[[], "KeyStore"]


def default_key_store() -> KeyStore:
    from casework.db.keys import OSKeyStore

    return OSKeyStore()


def keyring_available(factory: KeyStoreFactory) -> bool:
    """Whether a real OS keyring answers (run on a worker: it can hang)."""
    from casework.errors import KeyringNotAnswering

    try:
        return factory().is_available()
    except KeyringNotAnswering:
        return False


def create(
    path: Path,
    first: FirstUsers,
    passphrase: str | None,
    factory: KeyStoreFactory,
    kdf: KdfParams | None,
    now: datetime,
    progress: Callable[[str], None],
) -> tuple[Any, str]:
    """Create the database (worker thread); returns (Database, recovery code)."""
    from casework.db.database import create_database
    from casework.services.setup import initialiser

    return create_database(
        path,
        now=now,
        key_store=None if passphrase is not None else factory(),
        passphrase=passphrase,
        kdf=kdf,
        initialise=initialiser(first, now),
        progress=progress,
    )


Check = tuple[QWidget, list[str]]  # a field and what is wrong with it


def _required(edit: QLineEdit, what: str) -> Check:
    return edit, [] if edit.text().strip() else [f"Enter the {what}."]


class _Person:
    """User name, full name and password for one of the first accounts."""

    def __init__(self, form: QFormLayout, who: str) -> None:
        self.username = QLineEdit()
        self.username.setPlaceholderText("for example j.smith")
        self.full_name = QLineEdit()
        self.password = PasswordField(password_checker(lambda: self.username.text()))
        form.addRow("User name", self.username)
        form.addRow("Full name", self.full_name)
        form.addRow("Password", self.password)
        self.who = who
        self.username.textChanged.connect(self.password.refresh)

    def checks(self) -> list[Check]:
        pw = self.password.problems()
        self.password.show_problems(pw)
        owner = self.who[:1].upper() + self.who[1:]
        return [
            _required(self.username, f"{self.who}'s user name"),
            _required(self.full_name, f"{self.who}'s full name"),
            (self.password, [f"{owner}'s password: {p}" for p in pw]),
        ]

    def fields(self) -> list[QWidget]:
        return [self.username, self.full_name, self.password]


class CreateDatabaseDialog(QDialog):
    """Asks for everything a new database needs, then creates it on a worker."""

    created = Signal(object, str)  # Database, recovery code

    def __init__(
        self,
        path: Path,
        clock: Clock,
        *,
        key_store_factory: KeyStoreFactory | None = None,
        kdf: KdfParams | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("createDatabaseDialog")
        self.setWindowTitle("Set up a new database")
        self._path = path
        self._clock = clock
        self._factory = key_store_factory or default_key_store
        self._kdf = kdf
        self._busy = False
        self._build()
        fit_to_screen(self, 680, 800)
        warm_up()
        tasks.run(
            keyring_available,
            self._factory,
            on_result=self._keyring_checked,
            on_error=lambda exc: self._keyring_checked(False),
        )

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel(
            "<h2>Set up Casework</h2>"
            f"<p>There is no Casework database at<br><b>{self._path}</b></p>"
            "<p>Fill in the details below to create a new, encrypted database. Everything "
            "you record in Casework is kept in this one file, and it can only be opened "
            "with its key.</p>"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(intro)
        body_layout.addWidget(self._protection_box())
        admin_form = self._group(body_layout, "Administrator (council IT)")
        self.admin = _Person(admin_form, "administrator")
        team_form = self._group(body_layout, "First team")
        self.team_name = QLineEdit()
        self.team_name.setPlaceholderText("for example Leaving Care North")
        team_form.addRow("Team name", self.team_name)
        self.lead = _Person(self._group(body_layout, "Team lead for this team"), "team lead")
        body_layout.addStretch(1)
        self._scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.summary = ProblemList()
        self.progress = QLabel()
        self.progress.setObjectName("progressText")
        self.progress.hide()
        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton(
            "Create database", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self._set_tab_order()
        make_default(self.create_button)  # Enter creates, also after a refused attempt
        self.summary.recheck_on_edit(body, self.problems)  # a fixed field's problem goes

    def _group(self, parent_layout: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        parent_layout.addWidget(box)
        return form

    def _protection_box(self) -> QGroupBox:
        box = QGroupBox("How the database key is protected")
        form = QFormLayout(box)
        self.keyring_status = QLabel("Checking whether this computer has a secure keyring…")
        self.keyring_status.setWordWrap(True)
        self.use_keyring = QRadioButton("Keep the key in this computer's secure keyring")
        self.use_passphrase = QRadioButton("Protect the database with a passphrase")
        group = QButtonGroup(self)
        group.addButton(self.use_keyring)
        group.addButton(self.use_passphrase)
        self.use_keyring.setEnabled(False)
        self.use_passphrase.setChecked(True)
        self.passphrase = PasswordField(passphrase_checker, ok_text="Long enough.")
        self.confirm = PasswordField()
        form.addRow(self.keyring_status)
        form.addRow(self.use_keyring)
        form.addRow(self.use_passphrase)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Type it again", self.confirm)
        self.use_passphrase.toggled.connect(self._mode_changed)
        return box

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.use_keyring,
            self.use_passphrase,
            self.passphrase.edit,
            self.confirm.edit,
            *self.admin.fields(),
            self.team_name,
            *self.lead.fields(),
            self.create_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            target = second.edit if isinstance(second, PasswordField) else second
            source = first.edit if isinstance(first, PasswordField) else first
            QWidget.setTabOrder(source, target)

    # --- behaviour ----------------------------------------------------------------------

    def _keyring_checked(self, available: object) -> None:
        if available:
            self.keyring_status.setText(
                "This computer has a secure keyring. Keeping the key there means nobody "
                "has to type a passphrase; the database then opens only for this computer "
                "account (or with the recovery code)."
            )
            self.use_keyring.setEnabled(True)
            self.use_keyring.setChecked(True)
        else:
            self.keyring_status.setText(
                "No secure keyring is available on this computer, so the database will be "
                "protected with a passphrase. Choose one of at least 12 characters that you "
                "do not use anywhere else: it is needed every time Casework starts."
            )
            self.use_passphrase.setChecked(True)
        self._mode_changed()

    def _mode_changed(self) -> None:
        needed = self.use_passphrase.isChecked()
        self.passphrase.setEnabled(needed)
        self.confirm.setEnabled(needed)

    def passphrase_mode(self) -> bool:
        return self.use_passphrase.isChecked()

    def checks(self) -> list[Check]:
        found: list[Check] = []
        if self.passphrase_mode():
            weak = self.passphrase.problems()
            self.passphrase.show_problems(weak)
            differ = self.passphrase.text() != self.confirm.text()
            mismatch = ["The two passphrases are different."] if differ else []
            self.confirm.show_problems(mismatch)
            found += [(self.passphrase, weak), (self.confirm, mismatch)]
        found += self.admin.checks()
        found.append(_required(self.team_name, "name of the first team"))
        found += self.lead.checks()
        admin_name = self.admin.username.text().strip().lower()
        if admin_name and admin_name == self.lead.username.text().strip().lower():
            found.append(
                (
                    self.lead.username,
                    ["The administrator and the team lead need different user names."],
                )
            )
        return found

    def problems(self) -> list[str]:
        return [problem for _widget, problems in self.checks() for problem in problems]

    def first_users(self) -> FirstUsers:
        from casework.services.setup import FirstUsers

        return FirstUsers(
            admin_username=self.admin.username.text().strip(),
            admin_name=self.admin.full_name.text().strip(),
            admin_password=self.admin.password.text(),
            team_name=self.team_name.text().strip(),
            lead_username=self.lead.username.text().strip(),
            lead_name=self.lead.full_name.text().strip(),
            lead_password=self.lead.password.text(),
        )

    def submit(self) -> None:
        if self._busy:
            return
        checks = self.checks()
        problems = [problem for _widget, found in checks for problem in found]
        if problems:
            self.summary.set_problems(problems, "Please correct the following before creating:")
            first = next(widget for widget, found in checks if found)
            self._scroll.ensureWidgetVisible(first, 0, 60)
            first.setFocus()
            return
        self.summary.set_problems([])
        self._set_busy(True)
        passphrase = self.passphrase.text() if self.passphrase_mode() else None
        tasks.run(
            create,
            self._path,
            self.first_users(),
            passphrase,
            self._factory,
            self._kdf,
            self._clock(),
            on_result=self._done,
            on_error=self._failed,
            on_progress=self._progress,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.create_button, self.cancel_button):
            widget.setEnabled(not busy)
        self._scroll.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setText("Creating the database…")

    def _progress(self, text: str) -> None:
        self.progress.setText(f"Creating the database: {text}…")

    def _done(self, result: object) -> None:
        db, code = cast("tuple[object, str]", result)
        self._set_busy(False)
        self.created.emit(db, code)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            self.summary.set_problems(exc.problems, "The database was not created:")
        elif isinstance(exc, CaseworkError):
            self.summary.set_problems([str(exc)], "The database was not created:")
        else:
            crash.report(type(exc), exc, exc.__traceback__)

    def reject(self) -> None:
        if not self._busy:
            super().reject()
