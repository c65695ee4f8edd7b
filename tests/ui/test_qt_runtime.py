"""Guards against a PySide6 defect seen on this stack: 6.12.0 on Python 3.11 dropped one
reference to None per void call until the interpreter aborted. The dependency is pinned
below 6.12; this test fails if a build with that defect comes back."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QLabel


def test_void_calls_keep_none_alive() -> None:
    app = QApplication.instance() or QApplication([])
    assert app is not None
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    assert sys.getrefcount(None) >= before - 50
