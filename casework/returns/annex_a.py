"""The Ofsted ILACS Annex A workbook: its exact headers and value spellings, a writer
(``.xlsx`` with one sheet per list, or one CSV per list) and the project's own reader,
which checks a workbook against the format before anything reads its values.

Source of the format (no official public validator exists): Ofsted's ILACS Annex A
lists as published by Social Finance's liia-tools-pipeline (``Annex_A_schema.yml`` and its
header list) and the value spellings of Data to Insight's SSD Annex A query. Lists 1
(contacts), 3 (referrals), 5 (section 47 enquiries and initial conferences) and 9 (care
leavers). Every code spelling comes from :mod:`casework.domain.codes`, the one place that
spells export values.

Rules the reader enforces (each problem names sheet, row, column, value and what was
expected):

- sheets are named ``List 1`` ... ``List 11``, nothing else; the lists asked for are
  present;
- row 1 is the exact header text in order, nothing after it; the sex column is ``Sex``
  from the 2026 template and ``Gender`` before it (the same in every sheet); values are
  read only once the headers are right;
- dates are date cells formatted ``dd/mm/yyyy`` with no time of day, or the text
  ``dd/mm/yyyy``; counts are whole numbers of 0 or more; text has no spaces at either end
  and is not blank where the field is required; coded fields hold one of the published
  spellings exactly;
- List 9 (local practice, following the liia-tools consistency checks): one row per
  Child Unique ID; in touch (``a) Yes``) needs accommodation, suitability, activity and the
  latest date of contact; died or returned home needs all three blank; not in touch
  needs no latest date of contact; accommodation and suitability come together; ``S``
  and ``X`` only with ``b) Unsuitable``; no plan review before the date of birth.
"""

from __future__ import annotations

import csv
import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from casework.domain.codes import (
    AccommodationType,
    Activity,
    CodeList,
    EligibilityCategory,
    Ethnicity,
    InTouch,
    ReferralSource,
    Sex,
    Suitability,
    YesNo,
)

__all__ = [
    "CURRENT_TEMPLATE_YEAR",
    "LISTS",
    "SEX_HEADER_FROM",
    "Cell",
    "Column",
    "FormatProblem",
    "Kind",
    "ReadResult",
    "Row",
    "columns",
    "format_date",
    "headers",
    "read_workbook",
    "sheet_name",
    "write_csvs",
    "write_workbook",
]

#: The template year the export follows unless told otherwise.
CURRENT_TEMPLATE_YEAR = 2026
#: The first template year whose sex column is headed ``Sex`` (``Gender`` before it).
SEX_HEADER_FROM = 2026
#: The lists Casework writes and reads.
LISTS = (1, 3, 5, 9)
#: Every list the Annex A template has (sheets named after any other are refused).
_ALL_LISTS = tuple(range(1, 12))
DATE_FORMAT = "dd/mm/yyyy"
_DATE_TEXT = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
#: Problems reported before the reader stops looking (a wrong file gives thousands).
MAX_PROBLEMS = 500

Cell = str | int | date | None
Row = tuple[Cell, ...]


class Kind(enum.Enum):
    TEXT = "text"
    DATE = "date"
    COUNT = "count"
    CODE = "code"


@dataclass(frozen=True)
class Column:
    """One column: its header, what it holds, whether a blank is allowed, and for a coded
    column the spellings allowed (in the template's order)."""

    header: str
    kind: Kind
    required: bool = True
    spellings: tuple[str, ...] = ()

    def expected(self) -> str:
        """What the column must hold, in words for a problem message."""
        if self.kind is Kind.DATE:
            what = f"a date written {DATE_FORMAT}"
        elif self.kind is Kind.COUNT:
            what = "a whole number, 0 or more"
        elif self.kind is Kind.CODE:
            what = "one of " + ", ".join(f"'{s}'" for s in self.spellings)
        else:
            what = "text with no spaces at either end"
        return what if self.required else f"{what}, or blank"


def _spellings(codes: Iterable[CodeList]) -> tuple[str, ...]:
    return tuple(m.annex_a for m in codes if m.annex_a is not None)


_YES_NO = _spellings((YesNo.YES, YesNo.NO))
_YES_NO_UNKNOWN = _spellings(YesNo)
_SOURCES = _spellings(ReferralSource)
# List 9 holds only young people with a current category (no "no current eligibility").
_CATEGORIES = tuple(
    sorted(_spellings(c for c in EligibilityCategory if c is not EligibilityCategory.NO_CURRENT))
)

CHILD_ID = "Child Unique ID"
DOB = "Date of Birth"
AGE = "Age of Child (Years)"
SEX = "Sex"  # the 2026 header; ``Gender`` before (see :func:`sex_header`)
TEAM = "Allocated Team"
WORKER = "Allocated Worker"
DISABILITY = "Does the Child have a Disability"
IN_TOUCH = "LA in Touch"
LATEST_CONTACT = "Latest Date of Contact"
ACCOMMODATION = "Type of Accommodation"
SUITABILITY = "Suitability of Accommodation"
ACTIVITY = "Activity Status"
PLAN_REVIEW = "Latest Pathway Plan Review Date"
UASC = "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"
PA = "Allocated Personal Advisor"
CATEGORY = "Eligibility Category"

_COMMON = (
    Column(CHILD_ID, Kind.TEXT),
    Column(SEX, Kind.CODE, spellings=_spellings(Sex)),
    Column("Ethnicity", Kind.CODE, spellings=_spellings(Ethnicity)),
    Column(DOB, Kind.DATE, required=False),
    Column(AGE, Kind.COUNT, required=False),
)

_COLUMNS: dict[int, tuple[Column, ...]] = {
    1: (
        *_COMMON,
        Column("Date of Contact", Kind.DATE),
        Column("Contact Source", Kind.CODE, spellings=_SOURCES),
    ),
    3: (
        *_COMMON,
        Column("Date of referral", Kind.DATE),
        Column("Referral Source", Kind.CODE, spellings=_SOURCES),
        Column("Referral NFA?", Kind.CODE, spellings=_YES_NO),
        Column("Number of Referrals in Last 12 Months", Kind.COUNT),
        Column(TEAM, Kind.TEXT),
        Column(WORKER, Kind.TEXT),
    ),
    5: (
        *_COMMON,
        Column(DISABILITY, Kind.CODE, spellings=_YES_NO_UNKNOWN),
        Column("Strategy discussion initiating Section 47 Enquiry Start Date", Kind.DATE),
        Column(
            "Was an Initial Child Protection Conference deemed unnecessary?",
            Kind.CODE,
            required=False,
            spellings=_YES_NO,
        ),
        Column("Date of Initial Child Protection Conference", Kind.DATE, required=False),
        Column(
            "Did the Initial Child Protection Conference Result in a Child Protection Plan",
            Kind.CODE,
            required=False,
            spellings=_YES_NO_UNKNOWN,
        ),
        Column("Number of Section 47 Enquiries in the last 12 months", Kind.COUNT),
        Column("Number of ICPCs in the last 12 months", Kind.COUNT),
        Column(TEAM, Kind.TEXT),
        Column(WORKER, Kind.TEXT),
    ),
    9: (
        *_COMMON,
        Column(UASC, Kind.CODE, spellings=_YES_NO),
        Column(DISABILITY, Kind.CODE, spellings=_YES_NO_UNKNOWN),
        Column(TEAM, Kind.TEXT),
        Column(WORKER, Kind.TEXT),
        Column(PA, Kind.TEXT),
        Column(CATEGORY, Kind.CODE, spellings=_CATEGORIES),
        Column(PLAN_REVIEW, Kind.DATE, required=False),
        Column(IN_TOUCH, Kind.CODE, spellings=_spellings(InTouch)),
        Column(LATEST_CONTACT, Kind.DATE, required=False),
        Column(ACCOMMODATION, Kind.CODE, required=False, spellings=_spellings(AccommodationType)),
        Column(SUITABILITY, Kind.CODE, required=False, spellings=_spellings(Suitability)),
        Column(ACTIVITY, Kind.CODE, required=False, spellings=_spellings(Activity)),
    ),
}


def sex_header(template_year: int) -> str:
    """``Sex`` from the 2026 template, ``Gender`` before it (values unchanged)."""
    return SEX if template_year >= SEX_HEADER_FROM else "Gender"


def columns(list_no: int) -> tuple[Column, ...]:
    """The columns of a list, in order (the sex column under its 2026 header)."""
    return _COLUMNS[list_no]


def headers(list_no: int, template_year: int = CURRENT_TEMPLATE_YEAR) -> tuple[str, ...]:
    """The exact header row of a list for a template year."""
    sex = sex_header(template_year)
    return tuple(sex if c.header == SEX else c.header for c in _COLUMNS[list_no])


def sheet_name(list_no: int) -> str:
    return f"List {list_no}"


def format_date(day: date) -> str:
    """``dd/mm/yyyy``, the Annex A date."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


# --- writing ----------------------------------------------------------------------------


# Control characters XML 1.0 cannot carry are dropped (Casework's own input checks refuse
# them, so only a damaged record could hold one); the spreadsheet library escapes the rest.
_NOT_XML: dict[int, str | None] = {c: None for c in range(32) if c not in (9, 10, 13)}


def write_workbook(
    target: Path, lists: Mapping[int, Sequence[Row]], template_year: int = CURRENT_TEMPLATE_YEAR
) -> None:
    """One sheet per list (``List 1`` ...), the header row first, text as strings, counts
    as numbers and dates as date cells formatted dd/mm/yyyy (no time of day).

    Written with openpyxl's write-only mode, which streams each row to the file instead of
    keeping every cell object (its normal mode made a large export take 16 s), through
    lxml. ``bench/annex_a_bench.py`` (20,000 contacts, 2,000 referrals, 4,852 care
    leavers, on a shared machine) measured the whole export at a median 2.98 s, the
    workbook 2.26 s of it (5 runs); without lxml 4.71 s and 3.55 s (5 runs); with the
    hand-written parts this replaced 1.87 s and 0.53 s (3 runs). The target is 10 s.
    Every workbook written is read back by :func:`read_workbook` in the tests.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for list_no in sorted(lists):
        sheet = book.create_sheet(sheet_name(list_no))
        sheet.append(headers(list_no, template_year))
        for row in lists[list_no]:
            sheet.append([_xlsx_cell(sheet, WriteOnlyCell, v) for v in row])
    book.save(target)


def _xlsx_cell(sheet: Any, make: Any, value: Cell) -> Any:
    """A value as the write-only sheet takes it: a date as a cell formatted dd/mm/yyyy."""
    if isinstance(value, date):
        dated = make(sheet, value)
        dated.number_format = DATE_FORMAT
        return dated
    if isinstance(value, str):
        return value.translate(_NOT_XML)
    return value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def write_csvs(
    folder: Path,
    lists: Mapping[int, Sequence[Row]],
    template_year: int = CURRENT_TEMPLATE_YEAR,
    *,
    opener: Callable[[Path], Any] | None = None,
) -> list[Path]:
    """One CSV per list (``List_1.csv`` ...), UTF-8, dates dd/mm/yyyy. ``opener`` gives
    the file to write for a target path (the caller's private-output helper)."""
    written = []
    for list_no in sorted(lists):
        target = folder / f"List_{list_no}.csv"
        rows = [list(headers(list_no, template_year))]
        rows += [[_csv_cell(v) for v in row] for row in lists[list_no]]
        if opener is None:
            with target.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(rows)
        else:
            with opener(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(rows)
        written.append(target)
    return written


# --- reading and checking ---------------------------------------------------------------


@dataclass(frozen=True)
class FormatProblem:
    """One thing wrong with a workbook: where (sheet, row, column), the value found and
    what was expected. ``row`` is the spreadsheet row number (1 is the header row);
    ``None`` for a problem with the whole workbook or sheet."""

    sheet: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.sheet if self.sheet else "The workbook"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        found = "blank" if self.value in (None, "") else repr(_plain(self.value))
        return f"{where}: found {found}; expected {self.expected}."


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ReadResult:
    """What the reader found: the rows of each list read (values as written: spellings,
    dates, counts), their spreadsheet row numbers, the template year the headers follow,
    and every problem. Values are only to be used when ``problems`` is empty."""

    lists: dict[int, list[Row]]
    row_numbers: dict[int, list[int]]
    template_year: int | None
    problems: list[FormatProblem]
    truncated: bool = False


class _TooMany(Exception):
    pass


class _Problems:
    def __init__(self) -> None:
        self.items: list[FormatProblem] = []

    def add(
        self, sheet: str, row: int | None, column: str | None, value: object, what: str
    ) -> None:
        self.items.append(FormatProblem(sheet, row, column, value, what))
        if len(self.items) >= MAX_PROBLEMS:
            raise _TooMany


def _date_value(cell: Any) -> tuple[date | None, str | None]:
    """A date cell formatted dd/mm/yyyy or dd/mm/yyyy text: the date, or why not."""
    value = cell.value
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            return None, f"a date with no time of day, written {DATE_FORMAT}"
        fmt = (getattr(cell, "number_format", "") or "").lower()
        if fmt != DATE_FORMAT:
            return None, f"a date cell formatted {DATE_FORMAT} (this one is formatted {fmt!r})"
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, str):
        match = _DATE_TEXT.fullmatch(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day), None
            except ValueError:
                return None, f"a real date written {DATE_FORMAT}"
    return None, f"a date written {DATE_FORMAT}"


def _value(col: Column, cell: Any) -> tuple[Cell, str | None]:
    """The checked value of one cell, or ``(value, why)`` when it is not acceptable."""
    raw = cell.value if cell is not None else None
    if raw is None or (isinstance(raw, str) and raw == ""):
        return None, None if not col.required else col.expected()
    if col.kind is Kind.DATE:
        day, why = _date_value(cell)
        return (day, None) if why is None else (raw, why if col.required else f"{why}, or blank")
    if col.kind is Kind.COUNT:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            if isinstance(raw, str) and raw.isdigit():
                return int(raw), None
            return raw, col.expected()
        if raw != int(raw) or raw < 0:
            return (int(raw) if raw == int(raw) else str(raw)), col.expected()
        return int(raw), None
    if not isinstance(raw, str):
        return raw, col.expected()
    if col.kind is Kind.CODE:
        return (raw, None) if raw in col.spellings else (raw, col.expected())
    if raw != raw.strip() or not raw.strip():
        return raw, col.expected()
    return raw, None


def _template_year(header: str) -> int | None:
    if header == SEX:
        return SEX_HEADER_FROM
    if header == "Gender":
        return SEX_HEADER_FROM - 1
    return None


def read_workbook(
    path: Path,
    *,
    require: Sequence[int] = LISTS,
    template_year: int | None = None,
    allow_blank: frozenset[str] = frozenset(),
    progress: Callable[[str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ReadResult:
    """Read and check an Annex A workbook (see the module docstring for the rules).
    ``require``: the lists that must be present; lists 1, 3, 5 and 9 are read when
    present. ``template_year``: the header to insist on (``None``: either, but the same
    in every sheet). Raises :class:`casework.errors.Cancelled` if ``cancelled`` turns
    true. A file that is not a workbook is a problem, not an exception."""
    from openpyxl import load_workbook

    problems = _Problems()
    lists: dict[int, list[Row]] = {}
    numbers: dict[int, list[int]] = {}
    year = template_year
    try:
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a file it cannot read
            problems.add(
                "", None, None, path.name, f"an .xlsx workbook ({type(exc).__name__}: {exc})"
            )
            return ReadResult({}, {}, None, problems.items)
        try:
            year = _read_sheets(
                book,
                require,
                year,
                lists,
                numbers,
                problems,
                _Options(allow_blank, progress, cancelled),
            )
        finally:
            book.close()
    except _TooMany:
        return ReadResult(lists, numbers, year, problems.items, truncated=True)
    return ReadResult(lists, numbers, year, problems.items)


@dataclass(frozen=True)
class _Options:
    allow_blank: frozenset[str]
    progress: Callable[[str], None] | None
    cancelled: Callable[[], bool] | None


def _read_sheets(
    book: Any,
    require: Sequence[int],
    year: int | None,
    lists: dict[int, list[Row]],
    numbers: dict[int, list[int]],
    problems: _Problems,
    options: _Options,
) -> int | None:
    allowed = {sheet_name(n): n for n in _ALL_LISTS}
    present = {}
    for name in book.sheetnames:
        if name not in allowed:
            problems.add(name, None, None, name, "sheets named 'List 1' to 'List 11' only")
        else:
            present[allowed[name]] = book[name]
    for list_no in require:
        if list_no not in present:
            problems.add(sheet_name(list_no), None, None, None, "this sheet in the workbook")
    for list_no in LISTS:
        if list_no not in present:
            continue
        sheet = present[list_no]
        name = sheet_name(list_no)
        rows = sheet.iter_rows()
        header = [c.value for c in next(rows, ())]
        while header and header[-1] in (None, ""):
            header.pop()
        found_year = _template_year(header[1]) if len(header) > 1 else None
        if year is None and found_year is not None:
            year = found_year
        wanted = list(headers(list_no, year or CURRENT_TEMPLATE_YEAR))
        if header != wanted:
            _header_problems(name, header, wanted, problems)
            continue
        lists[list_no], numbers[list_no] = _read_rows(name, list_no, rows, problems, options)
    return year


def _header_problems(name: str, found: list[Any], wanted: list[str], problems: _Problems) -> None:
    for index in range(max(len(found), len(wanted))):
        got = found[index] if index < len(found) else None
        want = wanted[index] if index < len(wanted) else None
        if got != want:
            column = want if want is not None else f"column {index + 1}"
            expected = f"the header '{want}'" if want is not None else "nothing after the headers"
            problems.add(name, 1, column, got, expected + " (values not checked)")
            return


def _read_rows(
    name: str,
    list_no: int,
    rows: Iterator[Any],
    problems: _Problems,
    options: _Options,
) -> tuple[list[Row], list[int]]:
    from dataclasses import replace

    from casework.errors import Cancelled

    cancelled, progress = options.cancelled, options.progress
    cols = tuple(
        replace(c, required=False) if c.header in options.allow_blank else c
        for c in _COLUMNS[list_no]
    )
    out: list[Row] = []
    numbers: list[int] = []
    for number, cells in enumerate(rows, start=2):
        if number % 1000 == 0:
            if cancelled is not None and cancelled():
                raise Cancelled("The import was cancelled: nothing was written.")
            if progress is not None:
                progress(f"Checking {name}: row {number}")
        cells = tuple(cells)
        if all(c.value in (None, "") for c in cells):
            continue  # a blank line
        row, valid = _read_row(name, number, cols, cells, problems)
        if list_no == 9 and valid:  # consistency only between values that are valid
            _list_9_problems(name, number, row, problems)
        out.append(row)
        numbers.append(number)
    if list_no == 9:
        _unique_ids(name, out, numbers, problems)
    return out, numbers


def _read_row(
    name: str, number: int, cols: tuple[Column, ...], cells: tuple[Any, ...], problems: _Problems
) -> tuple[Row, bool]:
    """One row's values, and whether every one is acceptable."""
    width = len(cols)
    extra = [c for c in cells[width:] if c.value not in (None, "")]
    if extra:
        problems.add(
            name, number, f"column {width + 1}", extra[0].value, "nothing after the last column"
        )
    values = []
    valid = True
    for index, col in enumerate(cols):
        cell = cells[index] if index < len(cells) else None
        value, why = _value(col, cell)
        if why is not None:
            valid = False
            problems.add(name, number, col.header, value, why)
        values.append(value)
    return tuple(values), valid


_L9 = {c.header: i for i, c in enumerate(_COLUMNS[9])}
_NOT_APPLICABLE = {InTouch.DIED.annex_a, InTouch.RHOM.annex_a}
_HOMELESS_OR_CUSTODY = {
    AccommodationType.NO_FIXED_ABODE.annex_a,
    AccommodationType.CUSTODY.annex_a,
}


def _list_9_problems(name: str, number: int, row: Row, problems: _Problems) -> None:
    """The List 9 consistency rules, on a row whose values are otherwise valid."""
    _in_touch_rules(name, number, row, problems)
    accommodation, suitability = row[_L9[ACCOMMODATION]], row[_L9[SUITABILITY]]
    if (accommodation is None) != (suitability is None):
        problems.add(
            name,
            number,
            SUITABILITY if suitability is None else ACCOMMODATION,
            None,
            f"a value: {ACCOMMODATION} and {SUITABILITY} are given together or not at all",
        )
    if accommodation in _HOMELESS_OR_CUSTODY and suitability == Suitability.SUITABLE.annex_a:
        problems.add(
            name, number, SUITABILITY, suitability, f"'b) Unsuitable' for '{accommodation}'"
        )
    dob, review = row[_L9[DOB]], row[_L9[PLAN_REVIEW]]
    if isinstance(dob, date) and isinstance(review, date) and review < dob:
        problems.add(name, number, PLAN_REVIEW, review, "a date on or after the date of birth")


def _in_touch_rules(name: str, number: int, row: Row, problems: _Problems) -> None:
    touch, latest = row[_L9[IN_TOUCH]], row[_L9[LATEST_CONTACT]]
    if touch == InTouch.YES.annex_a:
        for header in (ACCOMMODATION, SUITABILITY, ACTIVITY, LATEST_CONTACT):
            if row[_L9[header]] is None:
                problems.add(name, number, header, None, f"a value when {IN_TOUCH} is 'a) Yes'")
    if touch in _NOT_APPLICABLE:
        for header in (ACCOMMODATION, SUITABILITY, ACTIVITY):
            if row[_L9[header]] is not None:
                problems.add(
                    name, number, header, row[_L9[header]], f"blank when {IN_TOUCH} is '{touch}'"
                )
    if touch == InTouch.NO.annex_a and latest is not None:
        problems.add(name, number, LATEST_CONTACT, latest, f"blank when {IN_TOUCH} is 'b) No'")


def _unique_ids(name: str, rows: list[Row], numbers: list[int], problems: _Problems) -> None:
    seen: dict[Cell, int] = {}
    for row, number in zip(rows, numbers, strict=True):
        uid = row[0]
        if uid is None:
            continue
        if uid in seen:
            problems.add(
                name, number, CHILD_ID, uid, f"one row per child (also on row {seen[uid]})"
            )
        else:
            seen[uid] = number
