"""Window sizes that suit the screen they open on (council laptops are often 1366x768)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def fit_to_screen(widget: QWidget, width: int, height: int, share: float = 0.92) -> None:
    """Resize to ``width`` x ``height``, or to ``share`` of the available screen if smaller."""
    screen = widget.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, int(room.width() * share))
        height = min(height, int(room.height() * share))
    widget.resize(width, height)
