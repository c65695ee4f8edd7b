"""Choosing where to work: this laptop's file or a saved team server, adding and removing
servers with every problem named, and ``casework --server`` refusing a bad address."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from casework.errors import ValidationFailed
from casework.services import connections
from tests.ui.conftest import Clock, close_all_windows
from ui import app
from ui.dialogs.connection_dialog import ConnectionDialog
from ui.dialogs.server_login import ServerLoginWindow
from ui.startup import Chooser, ServerStartup, Startup

CA_TEXT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv(connections.ENV_CONFIG_DIR, str(folder))
    monkeypatch.delenv("CASEWORK_DB", raising=False)
    return folder / connections.FILE_NAME


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    path = tmp_path / "council-ca.pem"
    path.write_text(CA_TEXT)
    return path


@pytest.fixture
def dialog(qtbot: QtBot, config: Path, tmp_path: Path) -> Iterator[ConnectionDialog]:
    connections.add(config, "North Leaving Care", "postgresql://db.council.local/casework", None)
    shown = ConnectionDialog(config, tmp_path / "casework.db", saved=connections.load(config))
    qtbot.addWidget(shown)
    shown.show()
    yield shown
    close_all_windows()


def texts(dialog: ConnectionDialog) -> list[str]:
    return [dialog.choices.item(i).text() for i in range(dialog.choices.count())]


def test_offers_the_laptop_file_and_each_saved_server(dialog: ConnectionDialog) -> None:
    shown = texts(dialog)
    assert shown[0].startswith("This laptop's encrypted file\ncasework.db in ")
    assert shown[1] == "Team server: North Leaving Care\ndb.council.local, database casework"
    assert dialog.choices.currentRow() == 1  # the team server, where the team works
    assert dialog.remove_button.isEnabled()
    dialog.choices.setCurrentRow(0)
    assert not dialog.remove_button.isEnabled()  # the laptop's file is never removed here


def test_choosing_emits_what_was_chosen(qtbot: QtBot, dialog: ConnectionDialog) -> None:
    with qtbot.waitSignal(dialog.server_chosen) as chosen:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert chosen.args[0].name == "North Leaving Care"


def test_adding_names_every_problem_and_saves_nothing(
    qtbot: QtBot, dialog: ConnectionDialog, config: Path, tmp_path: Path
) -> None:
    before = config.read_bytes()
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.add_panel.isVisible()
    dialog.name.setText("South")
    dialog.url.setText("postgresql://anna:hunter2@db2.council.local/south")
    dialog.ca_file.setText(str(tmp_path / "missing.pem"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    shown = dialog.add_problems.plain_text()
    assert "Server address: has a password in it" in shown
    assert "Certificate file: " in shown and "does not exist" in shown
    assert "hunter2" not in shown
    assert config.read_bytes() == before
    dialog.url.setText("https://db2.council.local/south")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert 'Server address: "https://" does not start with postgresql://' in (
        dialog.add_problems.plain_text()
    )


def test_adding_and_removing_a_server(
    qtbot: QtBot,
    dialog: ConnectionDialog,
    config: Path,
    ca: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.name.setText("South")
    dialog.url.setText("postgresql://db2.council.local:5433/south")
    dialog.ca_file.setText(str(ca))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.add_panel.isVisible()
    assert texts(dialog)[2] == "Team server: South\ndb2.council.local:5433, database south"
    assert [c.name for c in connections.load(config)] == ["North Leaving Care", "South"]
    assert connections.load(config)[1].ca_file == ca
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    dialog.choices.setCurrentRow(1)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert [c.name for c in connections.load(config)] == ["South"]
    assert len(texts(dialog)) == 2


def args(*argv: str) -> argparse.Namespace:
    return app.parse_args(list(argv))


def test_without_saved_servers_the_laptop_file_opens_as_before(config: Path) -> None:
    flow = app.make_flow(args())
    assert isinstance(flow, Startup)


def test_with_saved_servers_the_choice_comes_first(config: Path, qtbot: QtBot) -> None:
    connections.add(config, "North", "postgresql://db.council.local/casework", None)
    flow = app.make_flow(args())
    assert isinstance(flow, Chooser)
    with qtbot.waitSignal(flow.dialog_shown) as shown:
        flow.start()
    dialog = shown.args[0]
    assert isinstance(dialog, ConnectionDialog)
    dialog.choices.setCurrentRow(1)
    dialog.open_chosen()
    assert isinstance(flow.session.login, ServerLoginWindow)  # type: ignore[union-attr]
    login = flow.session.login  # type: ignore[union-attr]
    assert login.back_button.isVisible()
    with qtbot.waitSignal(flow.dialog_shown):
        qtbot.mouseClick(login.back_button, Qt.MouseButton.LeftButton)  # choose again
    flow.shutdown()
    close_all_windows()


def test_a_damaged_connections_file_still_offers_the_laptop_file(config: Path) -> None:
    config.parent.mkdir(parents=True)
    config.write_text("{not json")
    flow = app.make_flow(args())
    assert isinstance(flow, Chooser) and "not in the expected format" in flow.problem


def test_an_explicit_path_skips_the_choice(config: Path, tmp_path: Path) -> None:
    connections.add(config, "North", "postgresql://db.council.local/casework", None)
    assert isinstance(app.make_flow(args("--path", str(tmp_path / "x.db"))), Startup)


def test_server_option_goes_to_sign_in_named_as_saved(
    config: Path, ca: Path, qtbot: QtBot, fixed_clock: Clock
) -> None:
    connections.add(config, "North Leaving Care", "postgresql://db.council.local/casework", ca)
    flow = app.make_flow(args("--server", "postgresql://db.council.local:5432/casework"))
    assert isinstance(flow, ServerStartup)
    assert flow.session.connection.name == "North Leaving Care"
    assert flow.session.connection.ca_file == ca
    flow.start()
    login = flow.session.login
    assert login is not None and not login.back_button.isVisible()
    where = login.findChild(type(login.status), "dbPath")
    assert "North Leaving Care" in where.text() and "db.council.local" in where.text()
    flow.shutdown()
    close_all_windows()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--server", "postgresql://a:pw@db/c"], "has a password in it"),
        (["--server", "db.council.local/casework"], "does not start with postgresql://"),
        (["--server", "postgresql://db/c", "--ca-file", "/nowhere/ca.pem"], "does not exist"),
    ],
)
def test_server_option_refuses_a_bad_address(config: Path, argv: list[str], words: str) -> None:
    with pytest.raises(ValidationFailed, match=words):
        app.make_flow(args(*argv))


def test_server_option_takes_the_certificate_file_from_the_environment(
    config: Path, ca: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(app.CA_FILE_ENV, str(ca))
    flow = app.make_flow(args("--server", "postgresql://db.council.local/casework"))
    assert isinstance(flow, ServerStartup) and flow.session.connection.ca_file == ca
    monkeypatch.setenv(app.CA_FILE_ENV, str(ca.parent / "gone.pem"))
    with pytest.raises(ValidationFailed, match="does not exist"):
        app.make_flow(args("--server", "postgresql://db.council.local/casework"))
