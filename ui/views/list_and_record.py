"""A list (My work, the front door, the caseload) with a young person's record shown in
its place when a row is opened, and "Back" returning to the list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

if TYPE_CHECKING:  # typing only: importing the core here would slow the first window
    from casework.db.database import Database
    from casework.services.permissions import Actor
    from ui.views.record import RecordView

Clock = Callable[[], datetime]


def shows_change(shows: str | None, what: object) -> bool:
    """Whether a list showing ``shows`` (a WorkList; None for any) can be altered by
    ``what`` (the core's Changed; anything else counts as not known): the core decides
    (``casework.services.work_lists.lists_showing``)."""
    from casework.services.common import Changed
    from casework.services.work_lists import lists_showing

    if shows is None:
        return True
    return shows in lists_showing(what if isinstance(what, Changed) else None)


class ListAndRecord(QStackedWidget):
    """``listing`` must have an ``open_record(int)`` signal, ``refresh()`` and ``clear()``;
    its ``message``, ``record_changed`` and ``overdue_changed`` signals are passed on when it
    has them. The record view is built the first time one is opened unless ``eager``."""

    message = Signal(str)
    # something was saved on a record: the core's Changed (None: not known), so other lists
    # re-read only if it can alter what they show
    record_changed = Signal(object)
    overdue_changed = Signal(int)
    shows: str | None = None  # the WorkList this section lists (None: refresh on any change)

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        listing: Any,
        back_label: str,
        parent: QWidget | None = None,
        *,
        eager: bool = False,
    ) -> None:
        super().__init__(parent)
        self._db, self._actor, self._clock = db, actor, clock
        self._back_label = back_label
        self.listing = listing
        self.record: RecordView | None = None
        self.addWidget(listing)
        self.setFocusProxy(listing)
        listing.open_record.connect(self.open_person)
        for name in ("message", "record_changed", "overdue_changed"):
            signal = getattr(listing, name, None)
            if signal is not None:
                signal.connect(getattr(self, name))
        if eager:
            self._record_view()

    def _record_view(self) -> RecordView:
        if self.record is None:
            from ui.views.record import RecordView

            record = RecordView(self._db, self._actor, self._clock, self)
            record.back_button.setText(self._back_label)
            record.back_requested.connect(self.back_to_list)
            record.changed.connect(self._changed)
            self.addWidget(record)
            self.record = record
        return self.record

    def open_person(self, person_id: int) -> None:
        record = self._record_view()
        record.show_person(person_id)
        self.setCurrentWidget(record)
        record.setFocus()

    def back_to_list(self) -> None:
        self.setCurrentWidget(self.listing)
        self.listing.setFocus()

    def _changed(self, what: object) -> None:
        if shows_change(self.shows, what):
            self.listing.refresh()
        self.message.emit("Changes saved.")
        self.record_changed.emit(what)

    def refresh_list(self) -> None:
        self.listing.refresh()

    def place(self) -> tuple[int, int, bool] | None:
        """The record open here, if any (see ``RecordView.place``)."""
        record = self.record
        return record.place() if record is not None and self.currentWidget() is record else None

    def restore_place(self, place: tuple[int, int, bool]) -> None:
        record = self._record_view()
        self.setCurrentWidget(record)
        record.restore_place(*place)
        record.setFocus()

    def clear(self) -> None:
        if self.record is not None:
            self.record.clear()
        self.listing.clear()
        self.setCurrentWidget(self.listing)
