"""The list table every long list uses: whole-row selection, read-only, fixed row height."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def list_table(model: QAbstractItemModel) -> QTableView:
    """A table over ``model`` that never measures its rows: fixed heights and no
    "resize to contents", either of which would read every row of a lazy model."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def selected_row(table: QTableView) -> int | None:
    """The row that is current and selected, if any."""
    index = table.currentIndex()
    if not index.isValid() or not table.selectionModel().isRowSelected(index.row()):
        return None
    return index.row()


def select_table_row(
    table: QTableView,
    row: int,
    column: int,
    hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
) -> None:
    """Make ``row`` current and the only one selected (focus on ``column``), in view."""
    index = table.model().index(row, column)
    flag = QItemSelectionModel.SelectionFlag
    table.selectionModel().setCurrentIndex(index, flag.ClearAndSelect | flag.Rows)
    table.scrollTo(index, hint)


class FrozenColumn(QTableView):
    """A copy of a table's first column laid over it, so the name stays in view while
    the other columns scroll sideways (at 1366x768 the caseload's warnings are off to
    the right). It shares the table's model and selection, and scrolls with it."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.setObjectName("frozenColumn")
        self.setModel(table.model())
        self.setSelectionModel(table.selectionModel())
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the table keeps the keyboard
        self.setAccessibleName("Names")
        self.setSelectionBehavior(table.selectionBehavior())
        self.setSelectionMode(table.selectionMode())
        self.setEditTriggers(table.editTriggers())
        self.setAlternatingRowColors(table.alternatingRowColors())
        self.setVerticalScrollMode(table.verticalScrollMode())
        self.setWordWrap(False)
        self.verticalHeader().hide()
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.verticalHeader().defaultSectionSize())
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultAlignment(table.horizontalHeader().defaultAlignment())
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setStyleSheet(
            "QTableView#frozenColumn { border: none; border-right: 1px solid #8a94a3; }"
        )
        # Its header stands over the table's first one: a click sorts the table.
        header = self.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(table.horizontalHeader().isSortIndicatorShown())
        header.sectionClicked.connect(self._sort)
        main = table.horizontalHeader()
        main.sortIndicatorChanged.connect(header.setSortIndicator)
        header.setSortIndicator(main.sortIndicatorSection(), main.sortIndicatorOrder())
        self._columns()
        table.model().modelReset.connect(self._columns)
        table.model().layoutChanged.connect(self._columns)
        table.horizontalHeader().sectionResized.connect(self._resized)
        self.verticalScrollBar().valueChanged.connect(table.verticalScrollBar().setValue)
        table.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.clicked.connect(lambda index: table.setFocus())
        self.doubleClicked.connect(table.doubleClicked)
        self.viewport().stackUnder(table.verticalScrollBar())
        self._place()
        self.show()

    def _sort(self, column: int) -> None:
        main = self.table.horizontalHeader()
        ascending = Qt.SortOrder.AscendingOrder
        same = main.sortIndicatorSection() == column and main.sortIndicatorOrder() == ascending
        self.table.sortByColumn(column, Qt.SortOrder.DescendingOrder if same else ascending)

    def _columns(self) -> None:
        for column in range(self.model().columnCount()):
            self.setColumnHidden(column, column != 0)
        self.setColumnWidth(0, self.table.columnWidth(0))

    def _resized(self, column: int, _old: int, new: int) -> None:
        if column == 0:
            self.setColumnWidth(0, new)
            self._place()

    def _place(self) -> None:
        table = self.table
        self.setGeometry(
            table.verticalHeader().width() + table.frameWidth(),
            table.frameWidth(),
            table.columnWidth(0),
            table.viewport().height() + table.horizontalHeader().height(),
        )

    def follow(self) -> None:
        """Call from the table's resize: keep covering its first column."""
        self._place()


def freeze_first_column(table: QTableView) -> FrozenColumn:
    """Keep ``table``'s first column in view when it scrolls sideways."""
    frozen = FrozenColumn(table)

    class Follow(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
                frozen.follow()
            return False

    watcher = Follow(table)
    table.installEventFilter(watcher)
    table.viewport().installEventFilter(watcher)
    return frozen


def keep_readable(
    table: QTableView, stretch: int, share: float = 0.4, floors: dict[int, str] | None = None
) -> None:
    """Keep the stretching column ``stretch`` at least ``share`` of the table's width on
    a small screen or with large text: the other columns give up room in proportion,
    never below their heading's width, or the width of their sample in ``floors`` (what
    must stay readable); their full text is on hover."""
    header = table.horizontalHeader()
    natural: dict[int, int] = {}

    def fit() -> None:
        columns = [
            c for c in range(header.count()) if c != stretch and not header.isSectionHidden(c)
        ]
        for column in columns:
            natural.setdefault(column, header.sectionSize(column))
        room = table.viewport().width()
        wanted = sum(natural[c] for c in columns)
        spare = room - int(room * share)
        scale = min(1.0, spare / wanted) if wanted else 1.0
        metrics = header.fontMetrics()
        for column in columns:
            title = str(table.model().headerData(column, Qt.Orientation.Horizontal) or "")
            sample = (floors or {}).get(column, title)
            floor = metrics.horizontalAdvance(sample) * 11 // 10 + 24
            header.resizeSection(column, max(floor, int(natural[column] * scale)))

    class Fit(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Resize:
                fit()
            return False

    table.viewport().installEventFilter(Fit(table))
