"""``casework``: the desktop app's entry point.

Kept light on purpose: only the standard library is imported at module level; Qt is
imported in ``main`` and SQLAlchemy and the services load on workers while the first
window is already on screen.

    casework                 the database from CASEWORK_DB or the usual data folder; with
                             team servers saved on this laptop, first a choice of where to work
    casework --path FILE     a particular database file
    casework --server URL    a team server (postgresql://HOST/DATABASE), straight to sign-in;
                             --ca-file PEM names the certificate authority that vouches for it
    casework --demo          a throwaway database of invented people

No setting is ever written to QSettings, so nothing personal is left in the registry
or in configuration files.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

_T_IMPORT = time.perf_counter()
BENCH_ENV = "CASEWORK_BENCH_EXIT_AT_LOGIN"
BENCH_T0_ENV = "CASEWORK_BENCH_T0"
CA_FILE_ENV = "CASEWORK_CA_FILE"  # as for casework-admin server commands


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="casework", description="Casework for care leavers")
    parser.add_argument("--path", help="the database file to open or create")
    parser.add_argument(
        "--server",
        metavar="URL",
        help="work on a team server, at the address IT gives (no password in it)",
    )
    parser.add_argument(
        "--ca-file",
        metavar="PEM",
        help="with --server: the certificate authority file from IT that vouches for the "
        "server (default: CASEWORK_CA_FILE, then the computer's trusted authorities)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="try Casework with a throwaway database of invented people",
    )
    return parser.parse_args(argv)


def load_style(app: QApplication) -> None:
    from importlib.resources import files

    # Without the file the plain platform style still works.
    with contextlib.suppress(ModuleNotFoundError, OSError):
        app.setStyleSheet(files("casework_resources").joinpath("style.qss").read_text("utf-8"))


def make_app() -> QApplication:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Casework")
    app.setApplicationDisplayName("Casework")
    app.setOrganizationName("Casework")
    app.setDesktopFileName("casework")
    app.setQuitOnLastWindowClosed(False)  # flows quit explicitly; dialogs swap freely
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)  # readable on small laptop screens
        app.setFont(font)
    load_style(app)
    from ui.widgets import accessible_names, wheel_guard

    wheel_guard.install(app)  # the wheel scrolls pages, never an unfocused value
    accessible_names.install(app)  # a wrapped field is named after its row's label
    return app


def quit_on_signals(app: QApplication) -> None:
    """Ctrl+C or a polite kill quits normally, so the database is closed (and a demo's
    folder deleted) instead of the process just stopping."""
    import signal

    from PySide6.QtCore import QTimer

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_args: app.quit())
    ticker = QTimer(app)
    ticker.timeout.connect(lambda: None)  # lets Python run signal handlers
    ticker.start(500)


def server_connection(url: str, ca_file: str | None) -> Any:
    """``--server URL [--ca-file PEM]`` as a connection: a saved one with the same address
    lends its name (and certificate file unless one is given). Every problem is named."""
    from pathlib import Path

    from casework.errors import CaseworkError, ValidationFailed
    from casework.services import connections

    ca = Path(ca_file).expanduser() if ca_file else None
    found = connections.url_problems(url) + connections.ca_file_problems(ca)
    if found:
        raise ValidationFailed(found)
    given = connections.SavedConnection(url, url.strip(), ca)
    try:
        saved = connections.load(connections.default_path())
    except CaseworkError:
        saved = []
    same = next((c for c in saved if (c.host, c.port, c.database) == _where(given)), None)
    if same is not None:
        return connections.SavedConnection(same.name, given.url, ca or same.ca_file)
    return connections.SavedConnection(given.database, given.url, ca)


def _where(connection: Any) -> tuple[str, int, str]:
    return (connection.host, connection.port, connection.database)


def make_flow(args: argparse.Namespace) -> Any:
    from casework.clock import utc_now

    if args.demo:
        from ui.demo_mode import DemoStartup

        return DemoStartup(utc_now)
    if args.server:
        from ui.startup import ServerStartup

        ca_file = args.ca_file or os.environ.get(CA_FILE_ENV)
        return ServerStartup(server_connection(args.server, ca_file), utc_now)
    from casework.db.locations import ENV_PATH, resolve_path
    from ui.startup import Chooser, Startup

    path = resolve_path(args.path)
    if not args.path and not os.environ.get(ENV_PATH):
        from casework.errors import CaseworkError
        from casework.services import connections

        file = connections.default_path()
        try:
            saved, problem = connections.load(file), ""
        except CaseworkError as exc:
            saved, problem = [], str(exc)
        if saved or problem:
            return Chooser(path, file, utc_now, saved=saved, problem=problem)
    return Startup(path, utc_now)


def _bench_line(what: str, started: float) -> str:
    """Seconds since launch (a wall-clock stamp from the bench), main() and import."""
    now = time.perf_counter()
    t0 = os.environ.get(BENCH_T0_ENV)
    launch = f"{time.time() - float(t0):.3f} s since launch; " if t0 else ""
    return (
        f"{what}: {launch}{now - started:.3f} s since main(); "
        f"{now - _T_IMPORT:.3f} s since ui.app was imported"
    )


def _watch_login_for_bench(app: QApplication, session: Any, started: float) -> None:
    """CASEWORK_BENCH_EXIT_AT_LOGIN=1: report when the login window is first painted
    and when the database is ready for sign-in, then quit. (A team server's sign-in
    window opens nothing before sign-in: only the first.)"""
    from PySide6.QtCore import QEvent, QObject, QTimer

    def ready() -> None:
        print(_bench_line("database ready", started), flush=True)
        app.quit()

    def shown(login: Any) -> None:
        print(_bench_line("login visible", started), flush=True)
        if not hasattr(login, "database"):
            app.quit()
        elif login.database() is not None:
            ready()
        else:
            login.ready.connect(ready)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, lambda: shown(watched))
            return False

    painted = FirstPaint(app)
    session.login_shown.connect(lambda login: login.installEventFilter(painted))


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = make_app()
    from ui import crash

    crash.install()
    quit_on_signals(app)
    from casework.errors import CaseworkError

    try:
        flow = make_flow(args)
    except CaseworkError as exc:  # a --server address or certificate file refused
        print(f"casework: {exc}", file=sys.stderr)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(None, "Casework", f"Casework cannot start: {exc}")
        return 2
    flow.quit_requested.connect(app.quit)
    app.aboutToQuit.connect(flow.cleanup if args.demo else flow.shutdown)
    from ui.session import SessionBase

    if os.environ.get(BENCH_ENV) == "1" and isinstance(getattr(flow, "session", None), SessionBase):
        _watch_login_for_bench(app, flow.session, started)
    flow.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
