"""What the two application-wide event filters cost (the wheel guard and the accessible
names for wrapped fields): every event in the app passes through them.

Times, in an offscreen QApplication, delivering events to a realistic form (the "Add
young person" form's kinds of control in a scroll area): 20,000 mouse moves and 2,000
wheel turns over a combo box, without and then with the filters installed. Reports the
microseconds added per event. Medians of 5 runs.

    .venv/bin/python bench/event_filters_bench.py
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QWidget,
)

MOVES = 20_000
WHEELS = 2_000
RUNS = 5


def form() -> tuple[QScrollArea, QComboBox]:
    page = QWidget()
    layout = QFormLayout(page)
    combo = QComboBox()
    combo.addItems(["S20", "S31", "Police protection"])
    for i in range(12):
        layout.addRow(f"Field {i}", QLineEdit())
    layout.addRow("&Legal status", combo)
    layout.addRow("Date", QDateEdit())
    layout.addRow("Weeks", QSpinBox())
    for i in range(20):
        layout.addRow(f"More {i}", QLineEdit())
    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.resize(600, 300)
    scroll.show()
    return scroll, combo


def deliver(target: QWidget) -> tuple[float, float]:
    """Seconds for the mouse moves and for the wheel turns."""
    where = QPointF(target.rect().center())
    globally = QPointF(target.mapToGlobal(where.toPoint()))
    started = time.perf_counter()
    for _ in range(MOVES):
        move = QMouseEvent(
            QMouseEvent.Type.MouseMove,
            where,
            globally,
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(target, move)
    moved = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(WHEELS):
        wheel = QWheelEvent(
            where,
            globally,
            QPoint(0, 0),
            QPoint(0, 120 if i % 2 else -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(target, wheel)
    return moved, time.perf_counter() - started


def median_runs(target: QWidget) -> tuple[float, float]:
    deliver(target)  # warm-up
    runs = [deliver(target) for _ in range(RUNS)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    scroll, combo = form()
    app.processEvents()
    plain_move, plain_wheel = median_runs(combo)
    from ui.widgets import accessible_names, wheel_guard

    wheel_guard.install(app)  # type: ignore[arg-type]
    accessible_names.install(app)  # type: ignore[arg-type]
    guarded_move, guarded_wheel = median_runs(combo)
    per_move = (guarded_move - plain_move) / MOVES * 1e6
    per_wheel = (guarded_wheel - plain_wheel) / WHEELS * 1e6
    print(f"mouse move: {plain_move / MOVES * 1e6:.1f} us plain, +{per_move:.1f} us filtered")
    print(
        f"wheel over an unfocused combo box: {plain_wheel / WHEELS * 1e6:.1f} us plain "
        f"(changes the value), {guarded_wheel / WHEELS * 1e6:.1f} us filtered "
        f"(scrolls the page instead; {per_wheel:+.1f} us)"
    )
    scroll.close()


if __name__ == "__main__":
    main()
