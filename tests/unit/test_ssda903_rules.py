"""The SSDA903 Header and OC3 rules (DfE SSDA903 validation rules, lac2025_26): each one
fires on the breach it names and stays quiet on a valid row."""

from __future__ import annotations

from datetime import date

import pytest

from casework.domain import ssda903 as r

YEAR = 2026  # 1 April 2025 to 31 March 2026


def _pair(
    in_touch: str = "YES",
    activ: str = "F2",
    accom: str = "D1",
    *,
    dob: date = date(2006, 6, 10),
    age: int = 19,
    sex: str = "F",
    upn: str = "",
    child: str = "C1",
) -> tuple[r.HeaderRow, r.OC3Row]:
    return (
        r.HeaderRow(child, sex, dob, "WBRI", upn),
        r.OC3Row(child, dob, in_touch, activ, accom, age),
    )


def _codes(*pairs: tuple[r.HeaderRow, r.OC3Row], last: list[r.OC3Row] | None = None) -> set[str]:
    header = [h for h, _ in pairs]
    oc3 = [o for _, o in pairs]
    return {b.rule for b in r.check_return(header, oc3, YEAR, last)}


def test_a_valid_row_breaks_nothing() -> None:
    assert _codes(_pair()) == set()
    assert _codes(_pair("NO", "0", "0")) == set()
    assert _codes(_pair("DIED", "0", "0")) == set()


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        (("MAYBE", "F2", "D1"), "131"),
        (("YES", "F3", "D1"), "132"),
        (("YES", "F2", "S1"), "133"),
        (("YES", "F2", "X1"), "133"),
        (("YES", "F2", "D"), "133"),
        (("YES", "", ""), "153"),
        (("DIED", "F2", "0"), "344"),
        (("RHOM", "0", "U1"), "344"),
        (("YES", "0", "D1"), "345"),
        (("YES", "F2", "0"), "345"),
    ],
)
def test_oc3_code_and_consistency_rules(row: tuple[str, str, str], rule: str) -> None:
    assert rule in _codes(_pair(*row))


def test_3001_no_staying_put_at_the_17th_birthday() -> None:
    seventeen = _pair("YES", "F2", "Z1", dob=date(2008, 6, 10), age=17)
    assert "3001" in _codes(seventeen)
    assert "3001" not in _codes(_pair("YES", "F2", "Z1", dob=date(2007, 6, 10), age=18))


def test_347_no_foyer_under_18() -> None:
    assert "347" in _codes(_pair("YES", "F2", "T1", dob=date(2008, 6, 10), age=17))
    assert "347" not in _codes(_pair("YES", "F2", "T1", dob=date(2007, 6, 10), age=18))


def test_348_once_died_always_died() -> None:
    _, last = _pair("DIED", "0", "0")
    assert "348" in _codes(_pair("NO", "0", "0"), last=[last])
    assert "348" not in _codes(_pair("DIED", "0", "0"), last=[last])
    assert "348" not in _codes(_pair("NO", "0", "0"), last=[])


def test_header_rules() -> None:
    assert "101" in _codes(_pair(sex="1"))
    assert "232" in _codes(_pair(sex="U"))
    assert "168" in _codes(_pair(upn="I123456789012"))
    assert "168" not in _codes(_pair(upn="A123456789012"))
    assert "209" in _codes(_pair(upn="UN1"))
    twins = _pair(upn="A123456789012"), _pair(upn="A123456789012", child="C2")
    assert "444" in _codes(*twins)


def test_tables_agree() -> None:
    header, oc3 = _pair()
    other = r.HeaderRow("C1", "F", date(2006, 6, 11), "WBRI")
    assert {b.rule for b in r.check_return([other], [oc3], YEAR)} == {"INT15"}
    assert {b.rule for b in r.check_return([], [oc3], YEAR)} == {"INT06"}
    assert {b.rule for b in r.check_return([header], [], YEAR)} == {"EPI"}
    assert "INT34" in {b.rule for b in r.check_return([header], [oc3, oc3], YEAR)}


def test_every_breach_names_the_child_and_what_is_expected() -> None:
    header, oc3 = _pair("YES", "0", "D1")
    (breach,) = r.check_return([header], [oc3], YEAR)
    assert (breach.child, breach.table, breach.field, breach.rule) == ("C1", "OC3", "ACTIV", "345")
    assert str(breach).startswith("C1: OC3 ACTIV: rule 345: IN_TOUCH is YES")


def test_who_is_reported_and_when() -> None:
    assert r.collection_period(2026) == (date(2025, 4, 1), date(2026, 3, 31))
    assert r.reported_birthday(date(2008, 4, 1), 2026) == (17, date(2025, 4, 1))
    assert r.reported_birthday(date(2004, 4, 1), 2026) == (21, date(2025, 4, 1))
    assert r.reported_birthday(date(2004, 3, 31), 2026) is None  # 21 on 31/3/2025: last year
    assert r.reported_birthday(date(2009, 4, 1), 2026) is None  # 17 only in 2026-27
    with pytest.raises(ValueError, match="collection year"):
        r.collection_period(26)


def test_the_window_is_three_months_before_to_one_after() -> None:
    assert r.birthday_window(date(2025, 5, 31)) == (date(2025, 2, 28), date(2025, 6, 30))


def test_values_as_written() -> None:
    assert r.date_text(date(2007, 2, 3)) == "03/02/2007"
    assert [r.header_sex(s) for s in ("male", "female", "not_stated", "neither")] == [
        "M",
        "F",
        "U",
        "U",
    ]
