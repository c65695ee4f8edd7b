"""The Annex A workbook format (Ofsted ILACS Annex A, as published by Social Finance's
liia-tools-pipeline and spelled by Data to Insight's SSD query): exact headers, every code
spelling, dates, and the project's own reader refusing each kind of malformed workbook
with a precise problem."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from casework.domain.codes import AccommodationType, Activity
from casework.returns import annex_a as fmt

COMMON_2026 = ["Child Unique ID", "Sex", "Ethnicity", "Date of Birth", "Age of Child (Years)"]


def test_headers_are_the_published_text() -> None:
    assert list(fmt.headers(1)) == [*COMMON_2026, "Date of Contact", "Contact Source"]
    assert list(fmt.headers(3)) == [
        *COMMON_2026,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ]
    assert list(fmt.headers(5)) == [
        *COMMON_2026,
        "Does the Child have a Disability",
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        "Allocated Team",
        "Allocated Worker",
    ]
    assert list(fmt.headers(9)) == [
        *COMMON_2026,
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability",
        "Allocated Team",
        "Allocated Worker",
        "Allocated Personal Advisor",
        "Eligibility Category",
        "Latest Pathway Plan Review Date",
        "LA in Touch",
        "Latest Date of Contact",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ]


@pytest.mark.parametrize(("year", "header"), [(2024, "Gender"), (2025, "Gender"), (2026, "Sex")])
def test_sex_header_by_template_year(year: int, header: str) -> None:
    for list_no in fmt.LISTS:
        assert fmt.headers(list_no, year)[1] == header


def _spellings(list_no: int, header: str) -> tuple[str, ...]:
    return next(c.spellings for c in fmt.columns(list_no) if c.header == header)


def test_every_code_spelling() -> None:
    assert _spellings(1, "Sex") == ("a) Male", "b) Female", "c) Not stated/recorded", "d) Neither")
    ethnic = "WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH"
    letters = "abcdefghijklmnopqrst"
    codes = [*ethnic.split(), "CHNE", "OOTH", "REFU", "NOBT"]
    assert _spellings(1, "Ethnicity") == tuple(
        f"{x}) {c}" for x, c in zip(letters, codes, strict=True)
    )
    assert _spellings(1, "Contact Source") == (
        "a) 1A: Individual",
        "b) 1B: Individual",
        "c) 1C: Individual",
        "d) 1D: Individual",
        "e) 2A: Schools",
        "f) 2B: Education services",
        "g) 3A: Health services",
        "h) 3B: Health services",
        "i) 3C: Health services",
        "j) 3D: Health services",
        "k) 3E: Health services",
        "l) 3F: Health services",
        "m) 4: Housing",
        "n) 5A: LA services",
        "o) 5B: LA services",
        "p) 5C: LA services",
        "p1) 5D: LA services",
        "q) 6: Police",
        "r) 7: Other legal agency",
        "s) 8: Other",
        "t) 9: Anonymous",
        "u) 10: Unknown",
    )
    assert _spellings(3, "Referral Source") == _spellings(1, "Contact Source")
    assert _spellings(3, "Referral NFA?") == ("a) Yes", "b) No")
    assert _spellings(5, "Does the Child have a Disability") == ("a) Yes", "b) No", "c) Unknown")
    assert _spellings(9, fmt.UASC) == ("a) Yes", "b) No")
    assert _spellings(9, "Eligibility Category") == (
        "a) Relevant child",
        "b) Former relevant child",
        "c) Qualifying care leaver",
        "d) Eligible child",
    )
    assert _spellings(9, "LA in Touch") == (
        "a) Yes",
        "b) No",
        "c) Died",
        "d) Refu",
        "e) NREQ",
        "f) Rhom",
    )
    assert _spellings(9, "Suitability of Accommodation") == ("a) Suitable", "b) Unsuitable")
    accommodation = _spellings(9, "Type of Accommodation")
    assert accommodation[0] == "B: Parents/relatives"
    assert "D: Semi-independent, transitional accommodation and self-contained accommodation" in (
        accommodation
    )
    assert [s.split(":")[0] for s in accommodation] == list(AccommodationType.codes())
    activity = _spellings(9, "Activity Status")
    assert activity[0] == "F1: Full time in higher education"
    assert activity[-1] == "G6: Not in education, employment or training - pregnancy or parenting"
    assert [s.split(":")[0] for s in activity] == [c for c in Activity.codes() if c != "0"]


# --- a small valid workbook, then one fault at a time -------------------------------------

ROW_1 = ("C1", "a) Male", "a) WBRI", date(2008, 1, 2), 18, date(2026, 10, 1), "q) 6: Police")
ROW_3 = (
    "C1",
    "a) Male",
    "a) WBRI",
    date(2008, 1, 2),
    18,
    date(2026, 10, 2),
    "q) 6: Police",
    "b) No",
    0,
    "North",
    "Pat Worker",
)
ROW_9 = (
    "C1",
    "a) Male",
    "a) WBRI",
    date(2008, 1, 2),
    18,
    "b) No",
    "b) No",
    "North",
    "Pat Worker",
    "Pat Worker",
    "b) Former relevant child",
    date(2026, 9, 1),
    "a) Yes",
    date(2026, 11, 1),
    "U: Independent living",
    "a) Suitable",
    "F2: Full time in education other than higher",
)


def _lists() -> dict[int, list[fmt.Row]]:
    return {1: [ROW_1], 3: [ROW_3], 5: [], 9: [ROW_9]}


def _write(tmp_path: Path, lists: dict[int, list[fmt.Row]] | None = None, year: int = 2026) -> Path:
    path = tmp_path / "annex.xlsx"
    fmt.write_workbook(path, lists if lists is not None else _lists(), year)
    return path


def _problems(path: Path, **kwargs: object) -> list[str]:
    return [str(p) for p in fmt.read_workbook(path, **kwargs).problems]  # type: ignore[arg-type]


def test_written_workbook_reads_back_exactly(tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = fmt.read_workbook(path)
    assert result.problems == []
    assert result.template_year == 2026
    assert result.lists == _lists()
    sheet = load_workbook(path)["List 9"]
    assert sheet["D2"].number_format == "dd/mm/yyyy"
    assert [c.value for c in sheet[1]] == list(fmt.headers(9))


def test_text_with_markup_characters_reads_back_and_control_characters_are_dropped(
    tmp_path: Path,
) -> None:
    worker = 'Ann <Lead> & Co, O\'Neill "Zoë" Łukasz'
    lists = _lists()
    lists[9] = [(*ROW_9[:8], worker + "\x00\x1b", *ROW_9[9:])]
    result = fmt.read_workbook(_write(tmp_path, lists))
    assert result.problems == []
    assert result.lists[9][0][8] == worker


def test_gender_template_reads_back_and_is_told_apart(tmp_path: Path) -> None:
    path = _write(tmp_path, year=2025)
    assert fmt.read_workbook(path).template_year == 2025
    assert _problems(path, template_year=2026)[0] == (
        "List 1, row 1, column 'Sex': found 'Gender'; expected the header 'Sex' "
        "(values not checked)."
    )


def test_csv_per_list_with_dates_written_dd_mm_yyyy(tmp_path: Path) -> None:
    written = fmt.write_csvs(tmp_path, _lists())
    assert [p.name for p in written] == ["List_1.csv", "List_3.csv", "List_5.csv", "List_9.csv"]
    with (tmp_path / "List_1.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(fmt.headers(1))
    assert rows[1] == ["C1", "a) Male", "a) WBRI", "02/01/2008", "18", "01/10/2026", "q) 6: Police"]


def _edit(
    path: Path, sheet: str, cell: str, value: object, number_format: str | None = None
) -> Path:
    book = load_workbook(path)
    book[sheet][cell] = value
    if number_format is not None:
        book[sheet][cell].number_format = number_format
    book.save(path)
    return path


def test_missing_sheet(tmp_path: Path) -> None:
    lists = _lists()
    del lists[3]
    assert _problems(_write(tmp_path, lists)) == [
        "List 3: found blank; expected this sheet in the workbook."
    ]


def test_sheet_with_another_name(tmp_path: Path) -> None:
    path = _write(tmp_path)
    book = load_workbook(path)
    book.create_sheet("Notes")
    book.save(path)
    assert _problems(path) == [
        "Notes: found 'Notes'; expected sheets named 'List 1' to 'List 11' only."
    ]


def test_wrong_header(tmp_path: Path) -> None:
    path = _edit(_write(tmp_path), "List 3", "F1", "Date of Referral")
    assert _problems(path) == [
        "List 3, row 1, column 'Date of referral': found 'Date of Referral'; expected the "
        "header 'Date of referral' (values not checked)."
    ]


def test_extra_header(tmp_path: Path) -> None:
    path = _edit(_write(tmp_path), "List 1", "H1", "Notes")
    assert _problems(path) == [
        "List 1, row 1, column 'column 8': found 'Notes'; expected nothing after the headers "
        "(values not checked)."
    ]


@pytest.mark.parametrize(
    ("value", "number_format", "why"),
    [
        ("2026-10-01", None, "found '2026-10-01'; expected a date written dd/mm/yyyy."),
        ("31/02/2026", None, "found '31/02/2026'; expected a real date written dd/mm/yyyy."),
        (
            datetime(2026, 10, 1),
            "yyyy-mm-dd h:mm:ss",
            "found '2026-10-01 00:00:00'; expected a date cell formatted dd/mm/yyyy (this one "
            "is formatted 'yyyy-mm-dd h:mm:ss').",
        ),
        (
            datetime(2026, 10, 1, 9, 30),
            "dd/mm/yyyy",
            "found '2026-10-01 09:30:00'; expected a date with no time of day, written dd/mm/yyyy.",
        ),
    ],
)
def test_bad_date(tmp_path: Path, value: object, number_format: str | None, why: str) -> None:
    path = _edit(_write(tmp_path), "List 1", "F2", value, number_format)
    assert _problems(path) == [f"List 1, row 2, column 'Date of Contact': {why}"]


def test_date_as_text_is_accepted(tmp_path: Path) -> None:
    path = _edit(_write(tmp_path), "List 1", "F2", "01/10/2026")
    result = fmt.read_workbook(path)
    assert result.problems == [] and result.lists[1][0][5] == date(2026, 10, 1)


def test_unknown_code(tmp_path: Path) -> None:
    path = _edit(_write(tmp_path), "List 9", "Q2", "F2")
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(
        "List 9, row 2, column 'Activity Status': found 'F2'; expected one of "
        "'F1: Full time in higher education', "
    )


def test_duplicate_child_in_list_9(tmp_path: Path) -> None:
    lists = _lists()
    lists[9] = [ROW_9, ROW_9]
    assert _problems(_write(tmp_path, lists)) == [
        "List 9, row 3, column 'Child Unique ID': found 'C1'; expected one row per child "
        "(also on row 2)."
    ]


def test_counts_and_text(tmp_path: Path) -> None:
    path = _edit(_write(tmp_path), "List 3", "I2", -1)
    _edit(path, "List 3", "J2", " North")
    assert _problems(path) == [
        "List 3, row 2, column 'Number of Referrals in Last 12 Months': found -1; expected a "
        "whole number, 0 or more.",
        "List 3, row 2, column 'Allocated Team': found ' North'; expected text with no spaces "
        "at either end.",
    ]


def test_blank_worker_allowed_only_when_asked(tmp_path: Path) -> None:
    lists = _lists()
    lists[9] = [(*ROW_9[:8], None, None, *ROW_9[10:])]
    path = _write(tmp_path, lists)
    assert len(_problems(path)) == 2
    assert _problems(path, allow_blank=frozenset({fmt.WORKER, fmt.PA})) == []


def _row_9(**changes: object) -> fmt.Row:
    index = {c.header: i for i, c in enumerate(fmt.columns(9))}
    row: list[Any] = list(ROW_9)
    for header, value in changes.items():
        row[index[header.replace("_", " ")]] = value
    return tuple(row)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"Activity_Status": None},
            "column 'Activity Status': found blank; expected a value when LA in Touch is 'a) Yes'.",
        ),
        (
            {"LA_in_Touch": "c) Died", "Latest_Date_of_Contact": None},
            "column 'Type of Accommodation': found 'U: Independent living'; expected blank when "
            "LA in Touch is 'c) Died'.",
        ),
        (
            {"LA_in_Touch": "b) No"},
            "column 'Latest Date of Contact': found '2026-11-01'; expected blank when LA in "
            "Touch is 'b) No'.",
        ),
        (
            {"Type_of_Accommodation": "S: No fixed abode / homeless"},
            "column 'Suitability of Accommodation': found 'a) Suitable'; expected 'b) Unsuitable' "
            "for 'S: No fixed abode / homeless'.",
        ),
        (
            {"Latest_Pathway_Plan_Review_Date": date(2007, 1, 1)},
            "column 'Latest Pathway Plan Review Date': found '2007-01-01'; expected a date on or "
            "after the date of birth.",
        ),
    ],
)
def test_list_9_consistency(tmp_path: Path, changes: dict[str, object], expected: str) -> None:
    lists = _lists()
    lists[9] = [_row_9(**changes)]
    assert f"List 9, row 2, {expected}" in _problems(_write(tmp_path, lists))


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "annex.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    problems = _problems(path)
    assert len(problems) == 1 and problems[0].startswith(
        "The workbook: found 'annex.xlsx'; expected an .xlsx workbook"
    )


def test_empty_sheet_reads_as_no_rows(tmp_path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for n in (1, 3, 5, 9):
        book.create_sheet(f"List {n}").append(list(fmt.headers(n)))
    path = tmp_path / "annex.xlsx"
    book.save(path)
    result = fmt.read_workbook(path)
    assert result.problems == [] and result.lists == {1: [], 3: [], 5: [], 9: []}
