"""The record's "Accommodation and activity" section.

Accommodation history with SSDA903 letters, dates, provider, suitability (with the
reason when unsuitable) and whether the council provides it. Bed and breakfast,
emergency accommodation, residence not known and homelessness stay highlighted in red,
with a banner at the top, until a team lead records a review; only team leads see
"Record team-lead review…". Then the education, employment and training history.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casework.clock import local_today
from casework.db.database import Database
from casework.services import accommodation
from casework.services.accommodation import AccommodationView, ActivityView, Latest
from casework.services.permissions import Actor, Role
from ui.dialogs.accommodation_dialogs import (
    AccommodationDialog,
    ActivityDialog,
    TeamLeadReviewDialog,
)
from ui.views.record_common import (
    Clock,
    RecordSection,
    banner,
    clear_layout,
    day,
    fill_section,
    group,
    plural,
    quiet_label,
    text_label,
)

ACCOMMODATION_COLUMNS = (
    "Type",
    "Dates",
    "Provider or address",
    "Suitability",
    "Council-provided",
    "Team-lead review",
)
ACTIVITY_COLUMNS = ("Activity", "Dates", "Detail")
TYPE_WIDTH = 230
SUITABILITY = 3
_OVERDUE_TEXT = QColor("#a4161a")
_OVERDUE_BACK = QColor("#fde8e8")


def _latest(periods: Sequence[AccommodationView | ActivityView]) -> Latest:
    """The newest period the section shows, or none."""
    newest = max(periods, key=lambda p: (p.started_on, p.id), default=None)
    return Latest() if newest is None else Latest(newest.id, newest.version)


@dataclass(frozen=True)
class AccommodationData:
    periods: list[AccommodationView]
    activities: list[ActivityView]
    date_of_birth: date | None = None


def dates(start: date, end: date | None) -> str:
    return f"{day(start)} to {day(end) if end else 'now'}"


def suitability_text(period: AccommodationView) -> str:
    registered = ""
    if period.registered is not None:
        registered = " (registered)" if period.registered else " (NOT REGISTERED)"
    if period.suitable:
        why = period.suitable_reason.strip()
        if period.awaiting_suitability_review:
            return f"Suitable only once a team lead agrees: {why}"
        return ("Suitable" + registered) + (f": {why}" if why else "")
    reason = period.unsuitable_reason.strip()
    return f"UNSUITABLE{registered}: {reason}" if reason else f"UNSUITABLE{registered}"


def review_text(period: AccommodationView) -> str:
    if period.needs_review:
        return "NOT REVIEWED: a team lead must review this"
    if period.reviewed_on is not None:
        who = f" by {period.reviewed_by}" if period.reviewed_by else ""
        note = f": {period.review_note}" if period.review_note else ""
        return f"Reviewed {day(period.reviewed_on)}{who}{note}"
    return "Not needed"


def review_banner_text(period: AccommodationView, today: date, *, is_lead: bool) -> str:
    days = (today - period.started_on).days
    since = "from today" if days <= 0 else f"since {day(period.started_on)} ({plural(days, 'day')})"
    ask = "" if is_lead else " Ask your team lead to review it."
    return (
        f"<b>⚠ Needs a team-lead review: {html.escape(period.type.value)} "
        f"{html.escape(period.type.label)}</b> {since}.{ask}"
    )


class FittedTable(QTableWidget):
    """A read-only table as tall as its rows, so the page scrolls instead of the table."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__(0, len(columns))
        self.setHorizontalHeaderLabels(list(columns))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.setWordWrap(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)

    def fit(self) -> None:
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(self.horizontalHeader().height() + rows + 2 * self.frameWidth() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()


def _item(text: str, *, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if bold:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    return item


class AccommodationSection(RecordSection):
    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, clock, parent)
        self._data: AccommodationData | None = None
        self.is_lead = actor.role is Role.TEAM_LEAD
        self.review_buttons: dict[int, QPushButton] = {}
        reviews = QWidget()  # the highlighted periods awaiting a team lead's review
        self.reviews = QVBoxLayout(reviews)
        self.reviews.setContentsMargins(0, 0, 0, 0)
        fill_section(self, [self.status, reviews, self._accommodation_box(), self._activity_box()])

    def _accommodation_box(self) -> QWidget:
        box, layout = group("Accommodation")
        self.current = text_label(rich=True)
        self.add_button = QPushButton("&Add accommodation…")
        self.add_button.clicked.connect(self.add_accommodation)
        self.table = FittedTable(ACCOMMODATION_COLUMNS)
        self.table.setAccessibleName("Accommodation history")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, TYPE_WIDTH)
        for column in (1, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (2, 3, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.no_accommodation = quiet_label("No accommodation recorded.")
        top = QHBoxLayout()
        top.addWidget(self.current, 1)
        top.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.no_accommodation)
        return box

    def _activity_box(self) -> QWidget:
        box, layout = group("Education, employment and training")
        self.current_activity = text_label(rich=True)
        self.activity_button = QPushButton("Add ac&tivity…")
        self.activity_button.clicked.connect(self.add_activity)
        self.activity_table = FittedTable(ACTIVITY_COLUMNS)
        self.activity_table.setAccessibleName("Education, employment and training history")
        header = self.activity_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for column in (0, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.no_activity = quiet_label("No education, employment or training recorded.")
        top = QHBoxLayout()
        top.addWidget(self.current_activity, 1)
        top.addWidget(self.activity_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.activity_table)
        layout.addWidget(self.no_activity)
        return box

    # --- data -----------------------------------------------------------------------------

    @staticmethod
    def load_data(
        db: Database, actor: Actor, person_id: int, *, now: datetime
    ) -> AccommodationData:
        return AccommodationData(
            accommodation.list_accommodation(db, actor, person_id, now=now),
            accommodation.list_activity(db, actor, person_id, now=now),
            accommodation.date_of_birth(db, actor, person_id, now=now),
        )

    @property
    def data(self) -> AccommodationData | None:
        return self._data

    def fill(self, data: AccommodationData) -> None:
        self._data = data
        today = local_today(self._clock())
        self._fill_reviews(data.periods, today)
        self._fill_periods(data.periods, today)
        self._fill_activities(data.activities, today)

    def clear_content(self) -> None:
        self._data = None
        clear_layout(self.reviews)
        self.review_buttons = {}
        self.current.clear()
        self.current_activity.clear()
        for table in (self.table, self.activity_table):
            table.setRowCount(0)
            table.fit()

    def _fill_reviews(self, periods: list[AccommodationView], today: date) -> None:
        clear_layout(self.reviews)
        self.review_buttons = {}
        for period in (p for p in periods if p.needs_review):
            row = QHBoxLayout()
            row.addWidget(
                banner(review_banner_text(period, today, is_lead=self.is_lead), "overdue"), 1
            )
            if self.is_lead:
                button = QPushButton("Record team-lead &review…")
                button.clicked.connect(lambda _c=False, p=period: self.review(p.id))
                if (
                    period.recorded_by_id is not None
                    and period.recorded_by_id == self._actor.user_id
                ):
                    button.setEnabled(False)
                    button.setToolTip(
                        "You recorded this accommodation: another team lead must review it."
                    )
                self.review_buttons[period.id] = button
                row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            self.reviews.addLayout(row)

    def _fill_periods(self, periods: list[AccommodationView], today: date) -> None:
        now = next((p for p in periods if p.ended_on is None or p.ended_on >= today), None)
        if now is None:
            self.current.setText("<b>Where they live now is not recorded.</b>")
        else:
            self.current.setText(
                f"Now: <b>{html.escape(now.type.value)} {html.escape(now.type.label)}</b> "
                f"since {day(now.started_on)} · {html.escape(suitability_text(now))}"
            )
        self.table.setRowCount(len(periods))
        for row, period in enumerate(periods):
            self._period_row(row, period)
        self.table.setVisible(bool(periods))
        self.no_accommodation.setVisible(not periods)
        self.table.fit()

    def _period_row(self, row: int, period: AccommodationView) -> None:
        values = (
            f"{period.type.value} {period.type.label}",
            dates(period.started_on, period.ended_on),
            period.provider or "",
            suitability_text(period),
            "Yes" if period.council_provided else "No",
            review_text(period),
        )
        for column, text in enumerate(values):
            unsuitable = column == SUITABILITY and not period.suitable
            item = _item(text, bold=period.needs_review or unsuitable)
            if period.needs_review:
                item.setBackground(QBrush(_OVERDUE_BACK))
                item.setForeground(QBrush(_OVERDUE_TEXT))
            elif unsuitable:
                item.setForeground(QBrush(_OVERDUE_TEXT))
            self.table.setItem(row, column, item)

    def _fill_activities(self, activities: list[ActivityView], today: date) -> None:
        now = next((a for a in activities if a.ended_on is None or a.ended_on >= today), None)
        self.current_activity.setText(
            f"Now: <b>{html.escape(now.activity.value)} {html.escape(now.activity.label)}</b> "
            f"since {day(now.started_on)}"
            if now is not None
            else "<b>What they are doing now is not recorded.</b>"
        )
        self.activity_table.setRowCount(len(activities))
        for row, item in enumerate(activities):
            values = (
                f"{item.activity.value} {item.activity.label}",
                dates(item.started_on, item.ended_on),
                item.detail,
            )
            for column, text in enumerate(values):
                self.activity_table.setItem(row, column, _item(text))
        self.activity_table.setVisible(bool(activities))
        self.no_activity.setVisible(not activities)
        self.activity_table.fit()

    # --- actions --------------------------------------------------------------------------

    def add_accommodation(self) -> None:
        if self.person_id is not None and self._data is not None and self._data.date_of_birth:
            shown = _latest(self._data.periods)
            dialog = AccommodationDialog(self.context(), self._data.date_of_birth, self, shown)
            self.open_dialog(dialog)

    def add_activity(self) -> None:
        if self.person_id is not None:
            shown = _latest(self._data.activities) if self._data is not None else None
            self.open_dialog(ActivityDialog(self.context(), self, shown))

    def review(self, period_id: int) -> None:
        periods = self._data.periods if self._data else []
        period = next((p for p in periods if p.id == period_id), None)
        if period is not None and self.is_lead:
            self.open_dialog(TeamLeadReviewDialog(self.context(), period, self))
