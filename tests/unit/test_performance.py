"""Performance figures from hand-built facts: what counts, what met its timescale, and the
same figure per team and per worker."""

from __future__ import annotations

from datetime import date

from casework.domain.performance import Measured, counts_by, figure, ratio, timed

END = date(2026, 3, 31)


def _judged(m: Measured) -> tuple[bool, bool]:
    return m.counts, m.met


def test_timed_work_counts_once_it_can_be_judged() -> None:
    due = date(2026, 3, 10)
    on_time = timed("N", "Ann", due, date(2026, 3, 10), END, person=7)
    assert on_time == Measured("N", "Ann", True, True, 7, "Done 10/03/2026; due 10/03/2026")
    assert _judged(timed("N", "Ann", due, date(2026, 3, 11), END)) == (True, False)
    assert _judged(timed("N", "Ann", due, None, END)) == (True, False)  # late
    assert timed("N", "Ann", due, None, END).detail == "Not done; due 10/03/2026"
    still_in_time = timed("N", "Ann", date(2026, 4, 1), None, END)
    assert still_in_time.counts is False  # its deadline is after the period: not judged
    done_early = timed("N", "Ann", date(2026, 4, 1), date(2026, 3, 31), END)
    assert _judged(done_early) == (True, True)


def test_figure_in_all_per_team_and_per_worker() -> None:
    items = [
        Measured("North", "Ann", True, True),
        Measured("North", "Ann", True, False),
        Measured("North", "Bob", True, True),
        Measured("South", "Cy", True, False),
        Measured("South", "Cy", False, False),  # not judged: left out
    ]
    out = figure("k", "Title", items, "Working Together 2023")
    assert (out["numerator"], out["denominator"], out["percent"]) == (2, 4, 50.0)
    assert out["per_team"] == {"North": ratio(2, 3), "South": ratio(0, 1)}
    assert out["per_team"]["North"]["percent"] == 66.7
    assert out["per_worker"]["Ann"] == ratio(1, 2) and out["per_worker"]["Cy"] == ratio(0, 1)
    assert out["why"] == "Working Together 2023"
    assert figure("k", "Empty", [])["percent"] is None


def test_counts_by_category() -> None:
    out = counts_by(
        "g",
        "Grades",
        [("North", "Ann", "good"), ("North", "Bob", "good"), ("South", "Cy", "inadequate")],
        {"good": "Good", "inadequate": "Inadequate"},
    )
    assert out["counts"] == {"Good": 2, "Inadequate": 1}
    assert out["per_team"]["North"] == {"Good": 2}
    assert out["per_worker"]["Cy"] == {"Inadequate": 1}
