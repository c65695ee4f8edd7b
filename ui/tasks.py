"""The one place that runs work off the GUI thread.

``run`` hands a plain function to the global QThreadPool and calls back on the GUI
thread with its result or its error. A function that accepts a ``progress`` keyword
gets a callable it may call with a short text; one that accepts ``cancelled`` gets a
callable returning True once the user pressed Cancel. Workers receive and return plain
values (ids, dataclasses), never live ORM objects or widgets.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_live: set[Task] = set()
MIN_THREADS = 4


class _Signals(QObject):
    result = Signal(object)
    error = Signal(object)
    progress = Signal(str)
    finished = Signal()


class Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _Signals()
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._cancel = threading.Event()
        params = inspect.signature(fn).parameters
        if "progress" in params:
            self._kwargs["progress"] = self.signals.progress.emit
        if "cancelled" in params:
            self._kwargs["cancelled"] = self._cancel.is_set

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            value = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # handed to the GUI thread, never lost
            self.signals.error.emit(exc)
        else:
            self.signals.result.emit(value)
        finally:
            self.signals.finished.emit()


class _SessionHub(QObject):
    """Announces, once per worker error, that the signed-in session has ended because its
    account was disabled or changed (the main window signs out and says why)."""

    revoked = Signal(str)
    offline = Signal(str)  # a worker could not reach the team server (its view still hears)


_hub: _SessionHub | None = None


def session_hub() -> _SessionHub:
    global _hub
    if _hub is None:
        _hub = _SessionHub()
    return _hub


def _routed(handler: Callable[[BaseException], None]) -> Callable[[BaseException], None]:
    owner = getattr(handler, "__self__", None)

    def route(exc: BaseException) -> None:
        from casework.errors import ServerUnavailable, SessionRevoked

        if isinstance(exc, SessionRevoked):
            session_hub().revoked.emit(str(exc))
            return
        if isinstance(exc, ServerUnavailable):
            session_hub().offline.emit(str(exc))
        # A widget's own handler is skipped once the widget is gone, as a direct
        # connection to it would be.
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            return
        handler(exc)

    return route


def run(
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[str], None] | None = None,
    **kwargs: Any,
) -> Task:
    """Run ``fn(*args, **kwargs)`` on a worker thread; callbacks arrive on the GUI thread.

    Without ``on_error`` an error goes to the application's one crash path. A
    ``SessionRevoked`` error goes to neither: it ends the session (``session_hub``).
    """
    task = Task(fn, *args, **kwargs)
    if on_result is not None:
        task.signals.result.connect(on_result)
    # A session whose account was disabled or changed ends, whoever asked.
    task.signals.error.connect(_routed(on_error if on_error is not None else _unhandled))
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    _live.add(task)
    task.signals.finished.connect(lambda: _live.discard(task))
    pool = QThreadPool.globalInstance()
    # The work is mostly waiting on SQLCipher and the keyring (which release the GIL): a few
    # more threads than cores keep a slow keyring or a team-wide list from queueing the rest.
    pool.setMaxThreadCount(max(pool.maxThreadCount(), MIN_THREADS))
    pool.start(task)
    return task


def _unhandled(exc: BaseException) -> None:
    from ui.crash import report

    report(type(exc), exc, exc.__traceback__)


def wait_for_all(timeout_ms: int = 30000) -> bool:
    """Block until workers finish (at exit, before the database is closed)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
