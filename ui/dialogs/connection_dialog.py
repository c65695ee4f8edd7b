"""Where to work today: this laptop's encrypted file, or one of the saved team servers.

Shown at start when team servers have been saved (``casework --server ADDRESS`` goes
straight to that server's sign-in instead). Servers are added and removed here; an
address with a password in it, one that is not ``postgresql://``, or a certificate file
that cannot be read is refused with each problem named, and nothing is saved. No
password is ever stored: it is asked at each sign-in.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from casework.errors import CaseworkError, ValidationFailed
from casework.services import connections
from casework.services.connections import SavedConnection
from ui.views.record_common import plain_problem
from ui.widgets.problems import ProblemList

LABELS = {"name": "Name", "url": "Server address", "ca_file": "Certificate file"}
LOCAL = "local"


class ConnectionDialog(QDialog):
    """Choose the laptop's file or a team server; add or remove team servers."""

    local_chosen = Signal()
    server_chosen = Signal(object)  # SavedConnection

    def __init__(
        self,
        connections_file: Path,
        local_path: Path,
        *,
        saved: list[SavedConnection] | None = None,
        problem: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectionDialog")
        self.setWindowTitle("Where to work")
        self.file = connections_file
        self.local_path = local_path
        self.saved: list[SavedConnection] = list(saved or [])
        self._build()
        self.load_problem.set_message(problem)
        self._fill()
        self.resize(560, 480)

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("<h1>Casework</h1><p>Where are the records you want to work on today?</p>")
        title.setWordWrap(True)
        self.choices = QListWidget()
        self.choices.setObjectName("connectionChoices")
        self.choices.setAccessibleName("Where to work")
        self.choices.setWordWrap(True)
        self.choices.setSpacing(2)
        self.choices.itemActivated.connect(lambda _item: self.open_chosen())
        self.choices.currentRowChanged.connect(self._chosen_changed)
        self.load_problem = ProblemList()
        self.open_button = QPushButton("&Open")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_chosen)
        self.add_button = QPushButton("&Add team server…")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.show_add)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAutoDefault(False)
        self.remove_button.setToolTip("Forget this team server on this laptop")
        self.remove_button.clicked.connect(self.remove_chosen)
        quit_button = QPushButton("&Quit")
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(quit_button)
        row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.choices, 1)
        layout.addWidget(self.load_problem)
        layout.addWidget(self._add_panel())
        layout.addLayout(row)

    def _add_panel(self) -> QFrame:
        self.add_panel = QFrame()
        self.add_panel.setObjectName("addServer")
        self.add_panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = QLineEdit()
        self.name.setObjectName("serverName")
        self.name.setPlaceholderText("For example: North Leaving Care")
        self.url = QLineEdit()
        self.url.setObjectName("serverUrl")
        self.url.setPlaceholderText(connections.EXAMPLE)
        self.ca_file = QLineEdit()
        self.ca_file.setObjectName("caFile")
        self.ca_file.setPlaceholderText("From IT; leave empty to use this laptop's own list")
        browse = QPushButton("Choose…")
        browse.setAutoDefault(False)
        browse.setAccessibleName("Choose the certificate file")
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("Server a&ddress", self.url)
        ca_label = QLabel("&Certificate file")
        ca_label.setBuddy(self.ca_file)
        form.addRow(ca_label, ca_row)
        hint = QLabel(
            "IT gives you the server address and, usually, a certificate file. No password "
            "is saved: you type it each time you sign in."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        self.add_problems = ProblemList()
        self.save_button = QPushButton("&Save team server")
        self.save_button.clicked.connect(self.save_new)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.hide_add)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout(self.add_panel)
        column.addWidget(QLabel("<b>Add a team server</b>"))
        column.addLayout(form)
        column.addWidget(hint)
        column.addWidget(self.add_problems)
        column.addLayout(buttons)
        self.add_panel.hide()
        return self.add_panel

    def _fill(self) -> None:
        self.choices.clear()
        local = QListWidgetItem(
            f"This laptop's encrypted file\n{self.local_path.name} in {self.local_path.parent}"
        )
        local.setData(Qt.ItemDataRole.UserRole, LOCAL)
        local.setToolTip(str(self.local_path))
        self.choices.addItem(local)
        for saved in self.saved:
            port = "" if saved.port == 5432 else f":{saved.port}"
            item = QListWidgetItem(
                f"Team server: {saved.name}\n{saved.host}{port}, database {saved.database}"
            )
            item.setData(Qt.ItemDataRole.UserRole, saved.name)
            item.setToolTip(saved.url)
            self.choices.addItem(item)
        self.choices.setCurrentRow(1 if self.saved else 0)

    # --- choosing -----------------------------------------------------------------------

    def chosen(self) -> SavedConnection | str | None:
        item = self.choices.currentItem()
        if item is None:
            return None
        key = item.data(Qt.ItemDataRole.UserRole)
        if key == LOCAL:
            return LOCAL
        return next((c for c in self.saved if c.name == key), None)

    def _chosen_changed(self, _row: int) -> None:
        self.remove_button.setEnabled(isinstance(self.chosen(), SavedConnection))

    def open_chosen(self) -> None:
        chosen = self.chosen()
        if chosen == LOCAL:
            self.local_chosen.emit()
            self.accept()
        elif isinstance(chosen, SavedConnection):
            self.server_chosen.emit(chosen)
            self.accept()

    def remove_chosen(self) -> None:
        chosen = self.chosen()
        if not isinstance(chosen, SavedConnection):
            return
        answer = QMessageBox.question(
            self,
            "Remove this team server?",
            f"Remove {chosen.name} from this laptop's list? Nothing on the server changes; "
            "you can add it again later.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            connections.remove(self.file, chosen.name)
            self.saved = connections.load(self.file)
        except CaseworkError as exc:
            self.load_problem.set_message(str(exc))
            return
        self.load_problem.set_message("")
        self._fill()

    # --- adding -------------------------------------------------------------------------

    def show_add(self) -> None:
        self.add_panel.show()
        self.add_problems.set_problems([])
        self.save_button.setDefault(True)
        self.name.setFocus()

    def hide_add(self) -> None:
        for field in (self.name, self.url, self.ca_file):
            field.clear()
        self.add_problems.set_problems([])
        self.add_panel.hide()
        self.open_button.setDefault(True)
        self.choices.setFocus()

    def _browse(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Certificate file from IT", str(Path.home()), "Certificates (*.pem *.crt)"
        )
        if chosen:
            self.ca_file.setText(chosen)

    def save_new(self) -> None:
        ca_text = self.ca_file.text().strip()
        ca = Path(ca_text).expanduser() if ca_text else None
        try:
            saved = connections.add(self.file, self.name.text(), self.url.text(), ca)
        except ValidationFailed as exc:
            self.add_problems.set_problems(
                [plain_problem(p, LABELS) for p in exc.details],
                "Not saved. Please correct the following:",
            )
            return
        except CaseworkError as exc:
            self.add_problems.set_message(str(exc))
            return
        self.saved.append(saved)
        self.hide_add()
        self._fill()
        self.choices.setCurrentRow(len(self.saved))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.add_panel.isVisible():
            self.hide_add()
            return
        if event.key() == Qt.Key.Key_Escape:
            return  # Escape must not quit Casework by accident; Quit does
        super().keyPressEvent(event)
