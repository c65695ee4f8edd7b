"""The caseload as a lazy table: a list of ids from SQL, display rows read a page at a time.

How it stays fast with thousands of young people:

* Filtering and sorting happen in SQL (``caseload_ids``); the model never sorts or filters
  in Python and there is no proxy model. ``sort()`` re-queries with the matching
  ``SortKey``.
* The id query runs on a worker (``ui.tasks``), together with the first page of display
  rows, so the first paint after opening the caseload or typing a search reads nothing on
  the GUI thread. Results of superseded queries (a search typed on) are dropped by a
  generation number.
* Later pages are read when ``data()`` first asks for a row that is not cached, on the GUI
  thread. That is a deliberate choice: a page is one indexed ``IN (...)`` query of at most
  ``page_size`` ids (about 3-7 ms for 100 rows on an encrypted 5,000-person database), it
  runs in a read-only deferred transaction that never waits for writers in WAL mode, and it
  happens at most once per page. Reading it on a worker would instead paint blank rows
  while scrolling and make PageDown/End select rows with nothing to show.
* The status columns (open risks, in touch, next due, accommodation) come from the due
  engine (``case_statuses``) for the same page of ids. The first page's statuses come with the
  ids; a later page's are read on a worker the first time a status cell of that page is
  painted (about 20-50 ms per 100 rows, too long for the GUI thread), the cells saying
  "Checking…" until they land. They cannot be sorted on: they are worked out, not stored.
* ``clear()`` drops every id, row and status (the idle lock uses it) and ignores any query
  still on its way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.codes import InTouch
from casework.domain.due import DueItem, DueKind
from casework.domain.leaving_care import ExplicitStatus
from casework.errors import CaseworkError
from casework.services.due import CaseStatus, case_statuses
from casework.services.due_front_door import OpenRisk
from casework.services.people import (
    CaseloadQuery,
    CaseloadRow,
    SortKey,
    caseload_ids,
    caseload_rows,
)
from casework.services.permissions import Actor
from casework.services.work_counts import is_soon
from ui import tasks
from ui.models.my_work_model import (
    OVERDUE_FILL,
    OVERDUE_TEXT,
    WARNING_FILL,
    WARNING_TEXT,
    due_words,
    look,
    span_words,
)

Clock = Callable[[], datetime]
AnyIndex = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 100
#: Role giving a row's young person id (known without reading the row).
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole
NOT_ALLOCATED = "Not allocated"
NO_LONGER_LISTED = "No longer in this caseload: press F5 to update the list"
UNREADABLE = "Could not be read: press F5 to try again"
CHECKING = "Checking…"
NOT_WORKED_OUT = "Not available: press F5 to try again"
NOTHING_DUE = "Nothing due"
# "Not allocated" is quieter than a name but still readable (about 6:1 on white).
_QUIET = QBrush(QColor("#565e6a"))


@functools.cache
def _italic() -> QFont:
    font = QFont(QApplication.font())
    font.setItalic(True)
    return font


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: SortKey | None  # None: worked out from the record, not sortable in SQL
    tooltip: str


COLUMNS: tuple[Column, ...] = (
    Column("Name", SortKey.NAME, "Last name, first name (preferred name)"),
    Column("Child ID", SortKey.CHILD_UID, "Child Unique ID"),
    Column("Age", SortKey.AGE, "Age today"),
    Column("Open risks", None, "Medium and high risks from the latest screening of each type"),
    Column("In touch", None, "Whether the council is in touch with them, from their contacts"),
    Column("Next due", None, "The most urgent piece of work on their record"),
    Column("Accommodation", None, "Where they live, when it needs attention (blank when fine)"),
    Column("Eligibility", SortKey.ELIGIBILITY, "Care-leaver eligibility category"),
    Column("Team", SortKey.TEAM, "Allocated team"),
    Column("Social worker", SortKey.SOCIAL_WORKER, "Allocated social worker"),
    Column("Personal adviser", SortKey.PERSONAL_ADVISER, "Allocated personal adviser"),
)
(
    NAME,
    CHILD_ID,
    AGE,
    OPEN_RISKS,
    IN_TOUCH,
    NEXT_DUE,
    ACCOMMODATION,
    ELIGIBILITY,
    TEAM,
    SOCIAL_WORKER,
    PERSONAL_ADVISER,
) = range(len(COLUMNS))
STATUS_COLUMNS = frozenset({OPEN_RISKS, IN_TOUCH, NEXT_DUE, ACCOMMODATION})

_TEXT: dict[int, Callable[[CaseloadRow], str | None]] = {
    NAME: lambda r: r.name,
    CHILD_ID: lambda r: r.child_uid,
    AGE: lambda r: str(r.age),
    ELIGIBILITY: lambda r: r.eligibility,
    TEAM: lambda r: r.team_name,
    SOCIAL_WORKER: lambda r: r.social_worker,
    PERSONAL_ADVISER: lambda r: r.personal_adviser,
}


@dataclass(frozen=True)
class Loaded:
    """What a worker hands back: every matching id, and the first page's rows and statuses."""

    ids: list[int]
    first_page: list[CaseloadRow]
    today: date
    first_statuses: dict[int, CaseStatus]


def load_caseload(
    db: Database, actor: Actor, query: CaseloadQuery, now: datetime, page_size: int
) -> Loaded:
    """Runs on a worker thread: the ids in order, and the first page's rows and statuses."""
    today = local_today(now)
    ids = caseload_ids(db, actor, query, now=now)
    first = ids[:page_size]
    rows = caseload_rows(db, actor, first, today=today)
    return Loaded(ids, rows, today, case_statuses(db, actor, first, now=now))


def load_statuses(db: Database, actor: Actor, ids: list[int], now: datetime) -> dict[int, Any]:
    """Runs on a worker thread: one later page's statuses."""
    return dict(case_statuses(db, actor, ids, now=now))


def _plain(exc: BaseException) -> str:
    if isinstance(exc, CaseworkError):
        return str(exc)
    from ui import crash

    crash.report(type(exc), exc, exc.__traceback__)
    return "The caseload could not be read. Press F5 to try again."


class CaseloadModel(QAbstractTableModel):
    """Young people the actor may see; one row per id, display rows cached by page."""

    loading_changed = Signal(bool)
    loaded = Signal(int)  # a query finished: how many young people match
    failed = Signal(str)  # a plain sentence for the user

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        *,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._clock = clock
        self._page_size = page_size
        self._query = CaseloadQuery()
        self._ids: list[int] = []
        self._pages: dict[int, list[CaseloadRow | None]] = {}
        self._unreadable: set[int] = set()  # pages whose read failed (not retried per paint)
        self._statuses: dict[int, dict[int, CaseStatus]] = {}  # page number -> id -> status
        self._status_pending: set[int] = set()
        self._status_failed: set[int] = set()
        self._today: date | None = None
        self._generation = 0
        self._loading = False

    # --- queries -------------------------------------------------------------------------

    @property
    def query(self) -> CaseloadQuery:
        return self._query

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def page_size(self) -> int:
        return self._page_size

    def set_search(self, text: str) -> None:
        self._set_query(replace(self._query, search=" ".join(text.split())))

    def set_mine_only(self, mine_only: bool) -> None:
        self._set_query(replace(self._query, mine_only=mine_only))

    def set_whereabouts_unknown(self, only: bool) -> None:
        self._set_query(replace(self._query, whereabouts_unknown=only))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks land here: re-query in SQL, never sort in Python. Status columns
        are worked out per page and cannot be sorted on; a click on one does nothing."""
        key = COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self._set_query(replace(self._query, sort=key, descending=descending))

    def sort_column(self) -> int:
        """The column the current query is sorted by."""
        for column, spec in enumerate(COLUMNS):
            if spec.sort_key is self._query.sort:
                return column
        return NAME

    def _set_query(self, query: CaseloadQuery) -> None:
        if query != self._query:
            self._query = query
            self.refresh()

    def load(self, search: str, mine_only: bool) -> None:
        """Run the query with this search and scope (keeping the sort), once."""
        self._query = replace(self._query, search=" ".join(search.split()), mine_only=mine_only)
        self.refresh()

    def refresh(self) -> None:
        """Run the current query again (after a change, or F5)."""
        self._generation += 1
        generation = self._generation
        self._set_loading(True)
        tasks.run(
            load_caseload,
            self._db,
            self._actor,
            self._query,
            self._clock(),
            self._page_size,
            on_result=lambda loaded: self._on_loaded(generation, loaded),
            on_error=lambda exc: self._on_error(generation, exc),
        )

    def _on_loaded(self, generation: int, loaded: Loaded) -> None:
        if not isValid(self) or generation != self._generation:
            return  # the model is gone, or a newer query (or clear) superseded this one
        self.beginResetModel()
        self._ids = loaded.ids
        self._today = loaded.today
        self._pages = {0: self._aligned(loaded.ids[: self._page_size], loaded.first_page)}
        self._unreadable = set()
        self._statuses = {0: loaded.first_statuses}
        self._status_pending, self._status_failed = set(), set()
        self.endResetModel()
        self._set_loading(False)
        self.loaded.emit(len(self._ids))

    def _on_error(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._set_loading(False)
        self.failed.emit(_plain(exc))

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def clear(self) -> None:
        """Forget every id and row, and ignore any query still running (idle lock)."""
        self._generation += 1
        self.beginResetModel()
        self._ids = []
        self._pages = {}
        self._unreadable = set()
        self._statuses = {}
        self._status_pending, self._status_failed = set(), set()
        self._today = None
        self._query = replace(self._query, search="")
        self.endResetModel()
        self._set_loading(False)

    # --- rows ----------------------------------------------------------------------------

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, person_id: int) -> int | None:
        try:
            return self._ids.index(person_id)
        except ValueError:
            return None

    def cached_row_count(self) -> int:
        """How many display rows are held in memory (for tests and the benchmark)."""
        return sum(len(page) for page in self._pages.values())

    def cached_status_count(self) -> int:
        """How many young people's statuses are held in memory (for tests and the benchmark)."""
        return sum(len(page) for page in self._statuses.values())

    def status_of(self, person_id: int) -> CaseStatus | None:
        """A status already read (never starts a read)."""
        for page in self._statuses.values():
            if person_id in page:
                return page[person_id]
        return None

    def statuses_pending(self) -> bool:
        return bool(self._status_pending)

    def _status_at(self, row: int) -> tuple[bool, CaseStatus | None]:
        """(known yet, status) for a row; asks a worker for its page the first time."""
        number = row // self._page_size
        page = self._statuses.get(number)
        if page is None:
            self._request_statuses(number)
            return False, None
        return True, page.get(self._ids[row])

    def _request_statuses(self, number: int) -> None:
        if number in self._status_pending or number in self._status_failed:
            return
        ids = self._ids[number * self._page_size : (number + 1) * self._page_size]
        self._status_pending.add(number)
        generation = self._generation
        tasks.run(
            load_statuses,
            self._db,
            self._actor,
            ids,
            self._clock(),
            on_result=lambda found: self._on_statuses(generation, number, found),
            on_error=lambda exc: self._on_statuses_failed(generation, number, exc),
        )

    def _on_statuses(self, generation: int, number: int, found: dict[int, CaseStatus]) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._status_pending.discard(number)
        self._statuses[number] = found
        self._status_cells_changed(number)

    def _on_statuses_failed(self, generation: int, number: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._status_pending.discard(number)
        self._status_failed.add(number)
        self._status_cells_changed(number)
        _plain(exc)  # an unexpected error is logged; the cells say to press F5

    def _status_cells_changed(self, number: int) -> None:
        first = number * self._page_size
        last = min(len(self._ids), first + self._page_size) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, OPEN_RISKS), self.index(last, ACCOMMODATION))

    def row_at(self, row: int) -> CaseloadRow | None:
        """The display row, reading its page first if needed."""
        if not 0 <= row < len(self._ids):
            return None
        number, offset = divmod(row, self._page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._read_page(number)
        return page[offset]

    def _read_page(self, number: int) -> list[CaseloadRow | None]:
        ids = self._ids[number * self._page_size : (number + 1) * self._page_size]
        today = self._today or local_today(self._clock())
        try:
            rows = caseload_rows(self._db, self._actor, ids, today=today)
        except Exception as exc:  # data() must never raise into the paint loop
            page: list[CaseloadRow | None] = [None] * len(ids)
            self._unreadable.add(number)
            self.failed.emit(_plain(exc))
        else:
            page = self._aligned(ids, rows)
        self._pages[number] = page
        return page

    @staticmethod
    def _aligned(ids: list[int], rows: list[CaseloadRow]) -> list[CaseloadRow | None]:
        """Rows in id order, None where a record left the caseload since the id query."""
        found = {r.id: r for r in rows}
        return [found.get(i) for i in ids]

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            if COLUMNS[section].sort_key is None:
                return f"{COLUMNS[section].tooltip}. Worked out from the record: not sortable."
            return f"{COLUMNS[section].tooltip}. Click to sort; click again to reverse."
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == PERSON_ID_ROLE:
            return self._ids[index.row()]
        if index.column() in STATUS_COLUMNS:
            return self._status_data(index.row(), index.column(), role)
        row = self.row_at(index.row())
        if row is None:
            if role != Qt.ItemDataRole.DisplayRole or index.column() != NAME:
                return None
            failed = index.row() // self._page_size in self._unreadable
            return UNREADABLE if failed else NO_LONGER_LISTED
        value = _TEXT[index.column()](row)
        return _styled(row, index.column(), value, role)

    def _status_data(self, row: int, column: int, role: int) -> Any:
        if role not in _STATUS_ROLES:
            return None
        known, status = self._status_at(row)
        if not known:
            failed = row // self._page_size in self._status_failed
            return _pending(NOT_WORKED_OUT if failed else CHECKING, role)
        if status is None or self._today is None:
            return None
        return _STATUS_CELLS[column](status, self._today).role(role)


def _styled(row: CaseloadRow, column: int, value: str | None, role: int) -> Any:
    if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
        return NOT_ALLOCATED if value is None else value
    if role == Qt.ItemDataRole.ForegroundRole and value is None:
        return _QUIET
    if role == Qt.ItemDataRole.FontRole and value is None:
        return _italic()
    if role == Qt.ItemDataRole.ToolTipRole:
        if column == AGE:
            return f"Born {row.date_of_birth:%d/%m/%Y}"
        return NOT_ALLOCATED if value is None else value
    return None


# --- status columns --------------------------------------------------------------------------

_STATUS_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.FontRole,
    }
)


def in_touch_text(code: InTouch) -> str:
    """ "In touch", "Not in touch", or a recorded status's own label ("Refuses contact"):
    shorter than the SSDA903 labels, which the tooltip gives in full."""
    if code in (InTouch.YES, InTouch.NO):
        return code.label
    return ExplicitStatus.parse(code.value).label


_SHOWN_ITEMS = 6


@dataclass(frozen=True)
class Cell:
    """What one status cell shows; ``severity`` is "overdue", "warning", "quiet" or ""."""

    text: str
    tooltip: str
    severity: str = ""
    spoken: str | None = None

    def role(self, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.spoken or self.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip
        return _severity(self.severity, role)


def _severity(severity: str, role: int) -> Any:
    """The style sheet's severity colours for a cell; bold for overdue and warnings."""
    if severity == "quiet":
        if role == Qt.ItemDataRole.ForegroundRole:
            return _QUIET
        return _italic() if role == Qt.ItemDataRole.FontRole else None
    colours = {"overdue": (OVERDUE_TEXT, OVERDUE_FILL), "warning": (WARNING_TEXT, WARNING_FILL)}
    if severity not in colours:
        return None
    return look(*colours[severity], role)


def _pending(text: str, role: int) -> Any:
    return Cell(text, text, "quiet").role(role)


def in_touch_cell(status: CaseStatus, _today: date) -> Cell:
    state = status.in_touch
    text = in_touch_text(state.code)
    severity = {InTouch.YES: "", InTouch.NO: "overdue", InTouch.REFU: "warning"}.get(
        state.code, "quiet"
    )
    return Cell(text, f"{state.code.label}.\n{state.explanation}", severity)


def short_title(item: DueItem) -> str:
    """What fits a column: the kind of work ("Visit", "Pathway plan review"), or for a
    follow-up action the action itself; the full title is in the tooltip and My work."""
    if item.kind is DueKind.FOLLOW_UP:
        return f"Follow-up: {item.title}"
    return item.kind.label


def next_due_cell(status: CaseStatus, today: date) -> Cell:
    item = status.next_due
    if item is None:
        return Cell(NOTHING_DUE, "Nothing is due on this record.", "quiet")
    text = f"{item.due:%d/%m/%Y} · {short_title(item)}"
    lines = [
        f"• {i.due:%d/%m/%Y} ({due_words(i.due, today)}): {i.title}"
        for i in status.items[:_SHOWN_ITEMS]
    ]
    if len(status.items) > _SHOWN_ITEMS:
        lines.append(f"… and {len(status.items) - _SHOWN_ITEMS} more (see My work)")
    overdue = status.overdue
    head = f"{overdue} overdue, {len(status.items)} in all:" if overdue else "What is due:"
    tooltip = "\n".join([head, *lines])
    if item.overdue:
        spoken = f"Overdue by {span_words((item.due - today).days)}: {item.title}"
        return Cell(f"OVERDUE · {text}", tooltip, "overdue", spoken)
    return Cell(text, tooltip, "warning" if is_soon(item.due, today) else "")


def accommodation_cell(status: CaseStatus, _today: date) -> Cell:
    current = status.accommodation
    where = (
        f"{current.letter.label}, since {current.start:%d/%m/%Y}"
        if current is not None
        else "No accommodation recorded"
    )
    if status.accommodation_warning is None:
        return Cell("", where)
    return Cell(status.accommodation_warning, where, "warning")


#: Short names that fit the column; the tooltip gives the full ones.
RISK_SHORT = {
    "Child sexual exploitation": "CSE",
    "Child criminal exploitation": "CCE",
    "Substance misuse (alcohol or drugs)": "Substance misuse",
}


def open_risks_cell(risks: tuple[OpenRisk, ...]) -> Cell:
    """ "CSE high · Missing medium" (highest first, as the core gives them); red when any is
    high, amber when medium."""
    if not risks:
        return Cell("", "No medium or high risks on the latest screenings.")
    short = [f"{RISK_SHORT.get(r.kind, r.kind)} {r.level.label.lower()}" for r in risks]
    high = any(risk.high for risk in risks)
    tooltip = "Open risks:\n" + "\n".join(f"• {risk}" for risk in risks)
    spoken = "Open risks: " + ", ".join(str(risk) for risk in risks)
    return Cell(" · ".join(short), tooltip, "overdue" if high else "warning", spoken)


_STATUS_CELLS: dict[int, Callable[[CaseStatus, date], Cell]] = {
    OPEN_RISKS: lambda status, _today: open_risks_cell(status.open_risks),
    IN_TOUCH: in_touch_cell,
    NEXT_DUE: next_due_cell,
    ACCOMMODATION: accommodation_cell,
}
