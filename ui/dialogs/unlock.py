"""Unlocking the database: the passphrase, what to do when it cannot be opened, and the
recovery code."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from casework.errors import (
    CaseworkError,
    DatabaseDamaged,
    DatabaseFileMissing,
    FileAccessProblem,
    KeyFileProblem,
    KeyringEntryMissing,
    KeyringNotAnswering,
    KeyringUnavailable,
    NotACaseworkDatabase,
    ValidationFailed,
    WrongPassphrase,
)
from ui import crash, tasks
from ui.dialogs.create_database import KeyStoreFactory, default_key_store, keyring_available
from ui.widgets.password_field import PasswordField, passphrase_checker
from ui.widgets.problems import ProblemList

if TYPE_CHECKING:
    from casework.db.keys import KeyInfo


def _path_label(path: Path) -> QLabel:
    label = QLabel(f"Database: {path.name}<br>{path.parent}")
    label.setObjectName("dbPath")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _heading(html: str) -> QLabel:
    label = QLabel(html)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def unwrap_key(info: KeyInfo, passphrase: str) -> bytes:
    """Worker: derive the passphrase key (Argon2id) and unwrap the database key."""
    from casework.db.keys import unlock_with_passphrase

    return unlock_with_passphrase(info, passphrase)


class PassphraseDialog(QDialog):
    """Asks for the passphrase; Unlock checks it on a worker."""

    unlocked = Signal(object)  # the database key (bytes)
    recovery_requested = Signal()

    def __init__(
        self, path: Path, info: KeyInfo, *, message: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setWindowTitle("Unlock the database")
        self._info = info
        self.passphrase = PasswordField()
        self.error = ProblemList()
        self.error.set_message(message)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setDefault(True)
        self.recovery_button = QPushButton("Forgotten the passphrase? Use the recovery code")
        self.recovery_button.setAutoDefault(False)
        self.quit_button = QPushButton("Quit")
        self.quit_button.setAutoDefault(False)
        buttons = QDialogButtonBox()
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        form = QFormLayout()
        form.addRow("&Passphrase", self.passphrase)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _heading(
                "<h2>Unlock the database</h2><p>This database is protected with a passphrase."
                " Enter it to continue. (This is the database passphrase, not your own "
                "password: you sign in next.)</p>"
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        layout.addWidget(self.recovery_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        layout.addWidget(_path_label(path))
        self.unlock_button.clicked.connect(self.submit)
        self.quit_button.clicked.connect(self.reject)
        self.recovery_button.clicked.connect(self._recover)
        self.resize(500, 320)
        self.passphrase.setFocus()

    def submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        if not self.passphrase.text():
            self.error.set_message("Enter the database passphrase.")
            return
        self.unlock_button.setEnabled(False)
        self.unlock_button.setText("Checking…")
        self.error.set_problems([])
        tasks.run(
            unwrap_key,
            self._info,
            self.passphrase.text(),
            on_result=self._done,
            on_error=self._failed,
        )

    def _done(self, key: object) -> None:
        self.unlocked.emit(key)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.unlock_button.setEnabled(True)
        self.unlock_button.setText("Unlock")
        if not isinstance(exc, CaseworkError):
            crash.report(type(exc), exc, exc.__traceback__)
            return
        text = str(exc)
        if isinstance(exc, WrongPassphrase):
            text += " Check Caps Lock and try again, or use the recovery code."
        self.error.set_message(text)
        self.passphrase.edit.selectAll()
        self.passphrase.setFocus()

    def _recover(self) -> None:
        self.recovery_requested.emit()
        self.accept()


_RECOVERY = "Use the recovery code"
_RETRY = "Try again"

# Per error: what to do next, and which ways forward to offer.
_NEXT_STEPS: list[tuple[type[CaseworkError], str, tuple[str, ...]]] = [
    (
        KeyringNotAnswering,
        "Your computer's keyring may be locked or waiting for your computer password in "
        "another window. Unlock it, then press Try again.",
        (_RETRY, _RECOVERY),
    ),
    (
        KeyringUnavailable,
        "This database keeps its key in the computer's keyring, but no secure keyring is "
        "running in this session. If Casework normally opens on this computer, sign out of "
        "the computer and back in, then try again. Otherwise use the recovery code to "
        "protect the database with a passphrase instead.",
        (_RECOVERY, _RETRY),
    ),
    (
        KeyringEntryMissing,
        "The key usually stays on the computer and account where the database was created. "
        "If the database was copied here or the keyring was reset, use the recovery code "
        "that was shown when the database was created.",
        (_RECOVERY,),
    ),
    (
        FileAccessProblem,
        "Once the access named above is fixed (your IT service desk can do it), press Try again.",
        (_RETRY,),
    ),
    (
        DatabaseDamaged,
        "Do not delete the damaged file: keep it for IT. Restore the database and its key "
        "file from a backup (Casework keeps automatic backups in the folder ending "
        "'.backups' beside the database; IT can run 'casework-admin restore').",
        (_RETRY,),
    ),
    (
        KeyFileProblem,
        "The key file (the database's name ending in .keys.json) must sit beside the "
        "database: the key is kept in it (wrapped), so neither the passphrase nor the "
        "recovery code can open the database without it. Restore it from the same backup "
        "as the database, then press Try again.",
        (_RETRY,),
    ),
    (
        NotACaseworkDatabase,
        "Nothing was changed. Check that this is the right file and that its key file "
        "(the same name ending in .keys.json) is beside it. If either was damaged, restore "
        "both from the same backup, or ask IT for help.",
        (_RETRY,),
    ),
    (
        DatabaseFileMissing,
        "Check the location. Casework uses the file given with --path, otherwise the "
        "CASEWORK_DB setting, otherwise its usual data folder. Nothing has been created.",
        (_RETRY,),
    ),
]


def next_steps(exc: BaseException) -> tuple[str, tuple[str, ...]]:
    for kind, text, actions in _NEXT_STEPS:
        if isinstance(exc, kind):
            return text, actions
    return "Nothing was changed. If this keeps happening, contact IT.", (_RETRY,)


class ProblemDialog(QDialog):
    """Says plainly why the database cannot be opened and what to do next."""

    retry_requested = Signal()
    recovery_requested = Signal()

    def __init__(self, path: Path, exc: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemDialog")
        self.setWindowTitle("Casework cannot open the database")
        steps, actions = next_steps(exc)
        self.message = _heading(
            f"<h2>Casework cannot open the database</h2><p>{escape(str(exc))}</p>"
        )
        self.message.setObjectName("problemMessage")
        self.steps = _heading(f"<p><b>What to do next:</b> {steps}</p>")
        buttons = QDialogButtonBox()
        self.action_buttons: dict[str, QPushButton] = {}
        for number, action in enumerate(actions):
            button = buttons.addButton(action, QDialogButtonBox.ButtonRole.ActionRole)
            button.setDefault(number == 0)
            self.action_buttons[action] = button
        quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.clicked.connect(self.reject)
        if _RECOVERY in self.action_buttons:
            self.action_buttons[_RECOVERY].clicked.connect(self._recover)
        if _RETRY in self.action_buttons:
            self.action_buttons[_RETRY].clicked.connect(self._retry)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.steps)
        layout.addStretch(1)
        layout.addWidget(_path_label(path))
        layout.addWidget(buttons)
        self.resize(560, 340)

    def _recover(self) -> None:
        self.recovery_requested.emit()
        self.accept()

    def _retry(self) -> None:
        self.retry_requested.emit()
        self.accept()


def restore_access(
    path: Path, code: str, new_passphrase: str | None, factory: KeyStoreFactory
) -> str | None:
    """Worker: rewrite the key file from the recovery code; returns the new passphrase."""
    from casework.db.database import recover

    if new_passphrase is None:
        recover(path, code, key_store=factory())
    else:
        recover(path, code, new_passphrase=new_passphrase)
    return new_passphrase


class RecoveryDialog(QDialog):
    """Recovery code in; the key goes back to the keyring, or a new passphrase is set."""

    recovered = Signal(object)  # the new passphrase, or None for keyring mode
    back_requested = Signal()

    def __init__(
        self,
        path: Path,
        *,
        key_store_factory: KeyStoreFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryDialog")
        self.setWindowTitle("Use the recovery code")
        self._path = path
        self._factory = key_store_factory or default_key_store
        self._build()
        self.resize(600, 480)
        tasks.run(
            keyring_available,
            self._factory,
            on_result=self._keyring_checked,
            on_error=lambda exc: self._keyring_checked(False),
        )

    def _build(self) -> None:
        self.code = QLineEdit()
        self.code.setObjectName("codeEdit")
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.use_keyring = QRadioButton("Put the key back in this computer's secure keyring")
        self.use_keyring.setEnabled(False)
        self.use_passphrase = QRadioButton("Protect the database with a new passphrase")
        self.use_passphrase.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.use_keyring)
        group.addButton(self.use_passphrase)
        self.passphrase = PasswordField(passphrase_checker, ok_text="Long enough.")
        self.confirm = PasswordField()
        self.use_passphrase.toggled.connect(self._mode_changed)
        self.keyring_note = QLabel("Checking whether this computer has a secure keyring…")
        self.keyring_note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Recovery code", self.code)
        form.addRow(self.keyring_note)
        form.addRow(self.use_keyring)
        form.addRow(self.use_passphrase)
        form.addRow("New passphrase", self.passphrase)
        form.addRow("Type it again", self.confirm)
        self.error = ProblemList()
        buttons = QDialogButtonBox()
        self.recover_button = buttons.addButton("Recover", QDialogButtonBox.ButtonRole.AcceptRole)
        self.recover_button.setDefault(True)
        back = buttons.addButton("Back", QDialogButtonBox.ButtonRole.RejectRole)
        self.recover_button.clicked.connect(self.submit)
        back.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _heading(
                "<h2>Use the recovery code</h2><p>Type the recovery code that was shown once "
                "when this database was created: six groups of four letters and digits. It "
                "does not matter whether you type capitals or the hyphens. The database "
                "itself is not changed; only its key file is rewritten.</p>"
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(_path_label(self._path))
        layout.addWidget(buttons)
        self.code.setFocus()

    def _keyring_checked(self, available: object) -> None:
        self.use_keyring.setEnabled(bool(available))
        if available:
            self.use_keyring.setChecked(True)
            self.keyring_note.setText("Then keep the database key:")
        else:
            self.keyring_note.setText(
                "No secure keyring is available on this computer, so choose a new "
                "passphrase (at least 12 characters). It will be asked for every time "
                "Casework starts."
            )
        self._mode_changed()

    def _mode_changed(self) -> None:
        self.passphrase.setEnabled(self.use_passphrase.isChecked())
        self.confirm.setEnabled(self.use_passphrase.isChecked())

    def problems(self) -> list[str]:
        found = [] if self.code.text().strip() else ["Enter the recovery code."]
        if self.use_passphrase.isChecked():
            found += self.passphrase.problems()
            if self.passphrase.text() != self.confirm.text():
                found.append("The two passphrases are different.")
        return found

    def submit(self) -> None:
        if not self.recover_button.isEnabled():
            return
        problems = self.problems()
        if problems:
            self.error.set_problems(problems)
            return
        self.error.set_problems([])
        self.recover_button.setEnabled(False)
        self.recover_button.setText("Checking…")
        passphrase = self.passphrase.text() if self.use_passphrase.isChecked() else None
        tasks.run(
            restore_access,
            self._path,
            self.code.text(),
            passphrase,
            self._factory,
            on_result=self._done,
            on_error=self._failed,
        )

    def _done(self, passphrase: object) -> None:
        self.recovered.emit(passphrase)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.recover_button.setEnabled(True)
        self.recover_button.setText("Recover")
        if isinstance(exc, ValidationFailed):
            self.error.set_problems(exc.problems)
        elif isinstance(exc, CaseworkError):
            self.error.set_message(str(exc))
        else:
            crash.report(type(exc), exc, exc.__traceback__)

    def reject(self) -> None:
        self.back_requested.emit()
        super().reject()
