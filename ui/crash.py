"""The one crash path, and the plain way to show an expected error.

``report`` is where every unexpected exception ends up: uncaught ones on the GUI
thread (``sys.excepthook``), on other threads (``threading.excepthook``) and worker
errors nobody handled (``ui.tasks``). It logs the exception TYPE and the stack
frames (file, line, function) to a rotating file; never the message or any local
value, because either may hold a young person's details. The user sees a calm
message that says their saved work is safe and where the details went.

A ``CaseworkError`` is not a crash: its text is already a plain sentence for the
user, so ``show_error`` shows it as it is.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from casework.db import files
from casework.errors import CaseworkError, ValidationFailed

LOG_FILE = "crash.log"
_LOGGER_NAME = "casework.crash"
_MAX_CHAIN = 5

_state: dict[str, object] = {"box": None, "bridge": None}


def log_dir() -> Path:
    from platformdirs import user_log_path

    return user_log_path("Casework", appauthor=False)


def log_path() -> Path:
    return log_dir() / LOG_FILE


def _logger() -> logging.Logger:
    logger = logging.getLogger(_LOGGER_NAME)
    target = str(log_path())
    if not any(getattr(h, "baseFilename", None) == target for h in logger.handlers):
        for old in list(logger.handlers):
            logger.removeHandler(old)
            old.close()
        folder = files.private_dir(Path(target).parent)
        files.make_private(folder)
        handler = _PrivateRotatingHandler(
            target, maxBytes=256 * 1024, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
    return logger


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file is readable by its owner only, whatever the umask
    (the log holds no personal details by design; owner-only is the second fence)."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, files.PRIVATE_FILE)
        if hasattr(os, "fchmod"):  # a log an older version left open to others is closed now
            os.fchmod(fd, files.PRIVATE_FILE)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def _short(filename: str) -> str:
    """A frame's file relative to the import path (no home folder or user name)."""
    best = filename
    for root in sys.path:
        if root and filename.startswith(root.rstrip(os.sep) + os.sep):
            candidate = filename[len(root.rstrip(os.sep)) + 1 :]
            if len(candidate) < len(best):
                best = candidate
    return best


def _type_name(exc_type: type[BaseException]) -> str:
    module = exc_type.__module__
    return exc_type.__qualname__ if module == "builtins" else f"{module}.{exc_type.__qualname__}"


def describe(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> str:
    """The type and frames of an exception and its causes; no message, no values."""
    lines: list[str] = []
    seen: set[int] = set()
    current_type, current, current_tb = exc_type, exc, tb
    for depth in range(_MAX_CHAIN):
        if depth:
            lines.append("-- while handling or caused by --")
        lines.append(_type_name(current_type))
        for frame in traceback.extract_tb(current_tb):
            lines.append(f"  {_short(frame.filename)}:{frame.lineno} in {frame.name}")
        if current is None:
            break
        seen.add(id(current))
        nxt = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        if nxt is None or id(nxt) in seen:
            break
        current_type, current, current_tb = type(nxt), nxt, nxt.__traceback__
    return "\n".join(lines)


class _Bridge(QObject):
    """Carries a crash from another thread to the GUI thread."""

    crashed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.crashed.connect(_show_crash_box)


def install() -> None:
    """Route every uncaught exception (any thread) to ``report``."""
    _state["bridge"] = _Bridge()
    sys.excepthook = report
    threading.excepthook = _thread_hook


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    report(args.exc_type, args.exc_value, args.exc_traceback)


def report(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
) -> None:
    """The one crash path: log type and frames, then tell the user plainly."""
    if issubclass(exc_type, KeyboardInterrupt):
        app = QApplication.instance()
        if app is not None:
            app.quit()
        return
    if exc is not None and isinstance(exc, CaseworkError):
        if _on_gui_thread():
            show_error(None, exc)
        return
    try:
        _logger().error("Unexpected error\n%s", describe(exc_type, exc, tb))
    except OSError:
        sys.stderr.write(f"Casework: unexpected {_type_name(exc_type)} (log not writable)\n")
    if _on_gui_thread():
        _show_crash_box()
    elif isinstance(_state["bridge"], _Bridge):
        _state["bridge"].crashed.emit()


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def crash_message() -> str:
    return (
        "Something went wrong inside Casework and it could not finish what it was doing.\n\n"
        "Your saved work is safe: anything you had saved before this message is stored in "
        "the database.\n\n"
        "If this keeps happening, tell your IT service desk. Details (without any personal "
        f"information) were written to:\n{log_path()}"
    )


def current_box() -> QMessageBox | None:
    """The crash message on screen, if any."""
    box = _state["box"]
    if not isinstance(box, QMessageBox) or not shiboken6.isValid(box):
        return None
    return box if box.isVisible() else None


def _show_crash_box() -> None:
    if QApplication.instance() is None:
        return
    if current_box() is not None:
        return  # one message at a time; further errors are only logged
    parent = QApplication.activeWindow()
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Something went wrong")
    box.setText(crash_message())
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setObjectName("crashBox")
    _state["box"] = box
    box.open()


def error_text(exc: BaseException) -> str:
    """The plain text shown for an expected error (a bullet list for refused input)."""
    if isinstance(exc, ValidationFailed) and exc.problems:
        bullets = "\n".join(f"• {p}" for p in exc.problems)
        return f"Please correct the following:\n{bullets}"
    return str(exc)


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox | None:
    """Show an expected error plainly; anything else goes to ``report``."""
    if not isinstance(exc, CaseworkError):
        report(type(exc), exc, exc.__traceback__)
        return None
    box = QMessageBox(QMessageBox.Icon.Warning, "Casework", error_text(exc), parent=parent)
    box.setObjectName("errorBox")
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def handle(parent: QWidget | None, exc: BaseException) -> None:
    """``on_error`` for workers whose expected errors need no special screen."""
    show_error(parent, exc)
