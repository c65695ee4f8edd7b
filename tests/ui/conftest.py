"""Fixtures for the app-shell tests: startup, sign-in, lock, administration.

A demo database (40 young people, keyring mode with an in-memory key store, cheapest
Argon2) is built once per session; every test gets its own copy of the .db and
.db.keys.json files. Time is fixed. Windows a test leaves open are closed, and the
workers it started are waited for, before its database is closed.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    # The offscreen screen is a 1366x768 laptop's, the smallest Casework is built for.
    _SCREEN = os.path.join(os.path.dirname(__file__), "laptop_screen.json")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from casework.db import keys
from casework.db.database import Database, open_database
from casework.services import auth
from casework.services.demo import ADMIN_USERNAME, create_demo_database
from casework.services.permissions import Actor
from ui import tasks

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
PASSWORD = "correct-staple-2026"
PASSPHRASE = "a long test passphrase"
FAST_KDF = keys.KdfParams(time_cost=1, memory_kib=1024, parallelism=1)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Template:
    path: Path
    key: bytes
    recovery_code: str
    lead_username: str
    admin_username: str


@dataclass
class DbFile:
    """A copy of the template on disk, not opened."""

    path: Path
    key: bytes
    recovery_code: str
    lead_username: str
    admin_username: str

    def key_store(self) -> keys.MemoryKeyStore:
        store = keys.MemoryKeyStore()
        store.put(keys.read_key_info(self.path).database_id, self.key)
        return store

    def to_passphrase_mode(self, passphrase: str = PASSPHRASE) -> None:
        info = keys.read_key_info(self.path)
        new = keys.with_passphrase(info, self.key, passphrase)
        keys.write_key_info(keys.sidecar_path(self.path), new, replace=True)


@dataclass
class Opened:
    db: Database
    file: DbFile

    def login(self, username: str, password: str = PASSWORD) -> Actor:
        return auth.login(self.db, username, password, now=NOW)

    @property
    def lead(self) -> str:
        return self.file.lead_username

    @property
    def admin(self) -> str:
        return self.file.admin_username


@pytest.fixture(scope="session")
def shell_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    store = keys.MemoryKeyStore()
    path = tmp_path_factory.mktemp("shell-template") / "casework.db"
    db, code, summary = create_demo_database(
        path, now=NOW, password=PASSWORD, people=40, key_store=store, kdf=FAST_KDF
    )
    key = store.get(db.database_id)
    db.close()
    return Template(path, key, code, summary.lead_username, ADMIN_USERNAME)


@pytest.fixture(scope="session", autouse=True)
def app_wide_filters(qapp: QApplication) -> None:
    """What ``ui.app.make_app`` installs on the real application, installed here too."""
    from ui.widgets import accessible_names, wheel_guard

    wheel_guard.install(qapp)
    accessible_names.install(qapp)


@pytest.fixture(autouse=True)
def no_leaks(qapp: QApplication) -> Iterator[None]:
    """Fails a test that leaves a window on screen or a worker running once its own
    fixtures have cleaned up (a leaked window keeps case data in memory; a leaked worker
    can write into the next test's database)."""
    before = set(QApplication.topLevelWidgets())
    threads = set(threading.enumerate())
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    QApplication.processEvents()
    leaked = [
        f"{type(w).__name__} {w.windowTitle()!r}"
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and w not in before
    ]
    running = QThreadPool.globalInstance().activeThreadCount()
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and widget not in before:
            widget.close()  # so one leak does not fail the tests after it
    QThreadPool.globalInstance().waitForDone(10_000)
    assert not leaked, f"the test left windows open: {leaked}"
    assert running == 0, f"the test left {running} worker(s) running"
    # Qt's pool threads show up as "dummy" threads: the pool's count above covers them.
    started = [
        t for t in threading.enumerate() if t not in threads and type(t).__name__ != "_DummyThread"
    ]
    for thread in started:
        thread.join(timeout=5)  # a short warm-up may still be finishing
    alive = [t.name for t in started if t.is_alive()]
    assert not alive, f"the test left threads running: {alive}"


@pytest.fixture(autouse=True)
def discard_without_asking(monkeypatch: pytest.MonkeyPatch) -> list[QWidget]:
    """A test that closes a dialog it typed into is not left waiting on "Discard
    changes?" (a test about that question patches it itself). Lists who was asked."""
    asked: list[QWidget] = []

    def agree(parent: QWidget) -> bool:
        asked.append(parent)
        return True

    monkeypatch.setattr("ui.widgets.forms.confirm_discard", agree)
    return asked


@pytest.fixture(autouse=True)
def irreversible_confirmed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A test that finalises is not left waiting on "This cannot be undone" (a test about
    that question patches it itself). Lists the questions asked."""
    asked: list[str] = []

    def agree(_parent: QWidget, title: str, _text: str, _action: str) -> bool:
        asked.append(title)
        return True

    monkeypatch.setattr("ui.widgets.forms.confirm_irreversible", agree)
    return asked


@pytest.fixture
def fixed_clock() -> Clock:
    return lambda: NOW


@pytest.fixture(autouse=True)
def crash_log_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Crash logs from tests go to the test's folder, never the real log folder."""
    folder = tmp_path / "logs"
    monkeypatch.setattr("ui.crash.log_dir", lambda: folder)
    return folder


def close_all_windows() -> None:
    """Close what a test left open without auditing anything, and delete it."""
    from ui.main_window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.idle.stop()
            widget._may_close = True
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    QApplication.processEvents()


@pytest.fixture
def db_file(shell_template: Template, tmp_path: Path, qapp: QApplication) -> Iterator[DbFile]:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / shell_template.path.name
    shutil.copy2(shell_template.path, path)
    shutil.copy2(keys.sidecar_path(shell_template.path), keys.sidecar_path(path))
    yield DbFile(
        path,
        shell_template.key,
        shell_template.recovery_code,
        shell_template.lead_username,
        shell_template.admin_username,
    )
    close_all_windows()
    tasks.wait_for_all(10_000)


@pytest.fixture
def opened(db_file: DbFile) -> Iterator[Opened]:
    db = open_database(db_file.path, db_file.key)
    yield Opened(db, db_file)
    close_all_windows()
    tasks.wait_for_all(10_000)
    db.close()
