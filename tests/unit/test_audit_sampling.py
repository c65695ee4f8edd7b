"""Closure-audit rules: the sample's shares and reasons, reproducibility from the seed,
the open-risk window, auditor exclusions and the moderation agreement arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.config import ConfigError, audit_from
from casework.domain.audit_sampling import (
    AuditDomain,
    AuditRules,
    AuditState,
    ClosedCase,
    Grade,
    Judgement,
    MissingSpan,
    RiskMark,
    SampleReason,
    agreement,
    audit_state,
    disagreements,
    draw_sample,
    excluded_message,
    exclusion_reason,
    open_risks_before,
    period,
    share,
)

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def _case(rid: int, closed: date = date(2026, 3, 15), **kw: object) -> ClosedCase:
    return ClosedCase(rid, 1000 + rid, closed, requested_by=1, approved_by=2, **kw)  # type: ignore[arg-type]


def test_period_is_whole_months_from_the_first() -> None:
    assert period(date(2026, 3, 17), AuditRules()) == MARCH
    assert period(date(2026, 11, 1), AuditRules(period_months=3)) == (
        date(2026, 11, 1),
        date(2027, 1, 31),
    )


@pytest.mark.parametrize(
    ("count", "percent", "expected"),
    [
        (0, 10, 0),
        (1, 10, 1),
        (4, 10, 1),
        (10, 10, 1),
        (15, 10, 2),
        (14, 10, 1),
        (5, 20, 1),
        (3, 100, 3),
        (7, 0, 0),
    ],
)
def test_share_rounds_half_up_with_at_least_one(count: int, percent: int, expected: int) -> None:
    assert share(count, percent) == expected


def test_sample_takes_ten_percent_at_random_every_override_and_every_open_risk() -> None:
    plain = [_case(i) for i in range(1, 31)]  # 30 closures in March
    override = _case(31, overrides=2)
    cse = _case(32, screenings=(RiskMark("cse", "high", date(2025, 9, 1)),))
    missing = _case(33, missing=(MissingSpan(date(2025, 12, 1), date(2025, 12, 3)),))
    outside = _case(34, closed=date(2026, 4, 1), overrides=1)  # April: not this period
    sample = draw_sample([*plain, override, cse, missing, outside], *MARCH, seed=42)
    assert sample.population == 33
    by_id = {s.request_id: s for s in sample.cases}
    random = [s for s in sample.cases if SampleReason.RANDOM in s.reasons]
    assert len(random) == 3  # 10% of 33, rounded
    assert SampleReason.OVERRIDE in by_id[31].reasons and "2 closure checks" in by_id[31].detail
    assert SampleReason.EXPLOITATION_OR_MISSING in by_id[32].reasons
    assert "child sexual exploitation screened high" in by_id[32].detail
    assert SampleReason.EXPLOITATION_OR_MISSING in by_id[33].reasons
    assert 34 not in by_id
    assert all(s.reasons for s in sample.cases)
    assert sum(s.moderated for s in sample.cases) == share(len(sample.cases), 20)


def test_at_least_one_at_random_even_in_a_small_month() -> None:
    sample = draw_sample([_case(1), _case(2)], *MARCH, seed=1)
    assert [s.reasons for s in sample.cases] == [(SampleReason.RANDOM,)]
    assert sample.cases[0].moderated  # 20% of one audit is still one


def test_no_closures_no_sample() -> None:
    sample = draw_sample([], *MARCH, seed=5)
    assert sample.population == 0 and sample.cases == ()


cases_strategy = st.lists(
    st.builds(
        _case,
        st.integers(1, 10_000),
        st.dates(date(2026, 3, 1), date(2026, 3, 31)),
        overrides=st.integers(0, 2),
    ),
    max_size=60,
    unique_by=lambda c: c.request_id,
)


@settings(max_examples=60, deadline=None)
@given(cases=cases_strategy, seed=st.integers(0, 2**31 - 1), order=st.randoms())
def test_same_cases_and_seed_give_the_same_sample_in_any_order(
    cases: list[ClosedCase], seed: int, order: object
) -> None:
    shuffled = list(cases)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    a = draw_sample(cases, *MARCH, seed=seed)
    b = draw_sample(shuffled, *MARCH, seed=seed)
    assert a == b
    random = sum(SampleReason.RANDOM in s.reasons for s in a.cases)
    assert random == share(len(cases), 10)
    overridden = {c.request_id for c in cases if c.overrides}
    assert overridden <= {s.request_id for s in a.cases}


def test_a_different_seed_can_choose_differently() -> None:
    cases = [_case(i) for i in range(1, 101)]
    chosen = {
        tuple(s.request_id for s in draw_sample(cases, *MARCH, seed=seed).cases)
        for seed in range(5)
    }
    assert len(chosen) > 1


def test_open_risk_window_is_the_year_before_closure() -> None:
    closed = date(2026, 3, 15)
    # A high CSE screening lowered to low before the window opened: not open in the year.
    lowered_before = _case(
        1,
        screenings=(
            RiskMark("cse", "high", date(2024, 6, 1)),
            RiskMark("cse", "low", date(2025, 2, 1)),
        ),
    )
    assert open_risks_before(lowered_before) == []
    # Lowered inside the window: it was open in the year before closure.
    lowered_inside = _case(
        2,
        screenings=(
            RiskMark("cce", "medium", date(2024, 6, 1)),
            RiskMark("cce", "low", date(2025, 6, 1)),
        ),
    )
    assert open_risks_before(lowered_inside) == [
        "child criminal exploitation screened medium on 1 June 2024"
    ]
    # Other risk types and low levels do not count; a screening after closure does not.
    other = _case(
        3,
        screenings=(
            RiskMark("self_harm", "high", date(2026, 1, 1)),
            RiskMark("missing", "low", date(2026, 1, 1)),
            RiskMark("cse", "high", closed + timedelta(days=1)),
        ),
    )
    assert open_risks_before(other) == []
    # A missing episode that ended just inside the window counts; one before it does not.
    assert open_risks_before(_case(4, missing=(MissingSpan(date(2025, 3, 1), date(2025, 3, 15)),)))
    assert not open_risks_before(
        _case(5, missing=(MissingSpan(date(2025, 3, 1), date(2025, 3, 14)),))
    )
    assert open_risks_before(_case(6, missing=(MissingSpan(date(2024, 1, 1), None),)))


def test_auditor_exclusions() -> None:
    assert exclusion_reason(1, requested_by=1, approved_by=2) == "asked for this closure"
    assert exclusion_reason(2, 1, 2) == "approved this closure"
    assert exclusion_reason(3, 1, 2) is None
    assert exclusion_reason(3, 1, 2, first_auditor_id=3) == "made the first audit of this closure"
    assert exclusion_reason(4, 1, None, first_auditor_id=3) is None
    assert (
        excluded_message("Sam Lee", "approved this closure")
        == "Sam Lee approved this closure, so they cannot audit it: choose someone else."
    )
    assert (
        excluded_message("You", "asked for this closure", second=True)
        == "You asked for this closure, so you cannot moderate it."
    )


def _judge(who: int, overall: Grade, safe: bool = True, **grades: Grade) -> Judgement:
    base = {d.value: Grade.GOOD for d in AuditDomain}
    base.update({k: v for k, v in grades.items()})
    return Judgement(who, base, overall, safe)


def test_agreement_arithmetic_by_hand() -> None:
    # Pair 1 (auditors 10 and 20): differ on risk and on overall; 7 of 9 compared agree.
    a1 = _judge(10, Grade.GOOD)
    b1 = _judge(20, Grade.REQUIRES_IMPROVEMENT, risk=Grade.INADEQUATE)
    # Pair 2 (auditors 10 and 30): differ on safe only; 8 of 9 agree.
    a2 = _judge(10, Grade.GOOD)
    b2 = _judge(30, Grade.GOOD, safe=False)
    assert disagreements(a1, b1) == ["risk", "overall"]
    assert disagreements(a2, b2) == ["safe"]
    report = agreement([(a1, b1), (a2, b2)])
    assert report.pairs == 2
    assert (report.total.compared, report.total.agreed) == (18, 15)
    assert report.by_domain["risk"].percent == 50.0
    assert report.by_domain["voice"].percent == 100.0
    assert report.by_domain["overall"].percent == 50.0
    assert report.by_domain["safe"].percent == 50.0
    assert (report.by_auditor[10].compared, report.by_auditor[10].agreed) == (18, 15)
    assert report.by_auditor[20].percent == round(100 * 7 / 9, 1)
    assert report.by_auditor[30].percent == round(100 * 8 / 9, 1)
    assert agreement([]).total.percent is None


def test_audit_states() -> None:
    base = dict(
        auditor=1,
        first_started=True,
        first_submitted=True,
        moderated=True,
        second_submitted=True,
        differences=0,
        resolved=False,
    )
    assert audit_state(**{**base, "auditor": None}) is AuditState.UNASSIGNED  # type: ignore[arg-type]
    assert (
        audit_state(**{**base, "first_started": False, "first_submitted": False})  # type: ignore[arg-type]
        is AuditState.ASSIGNED
    )
    assert audit_state(**{**base, "first_submitted": False}) is AuditState.IN_PROGRESS  # type: ignore[arg-type]
    assert audit_state(**{**base, "second_submitted": False}) is AuditState.AWAITING_MODERATION  # type: ignore[arg-type]
    assert audit_state(**{**base, "differences": 2}) is AuditState.DISAGREEMENT  # type: ignore[arg-type]
    assert audit_state(**{**base, "differences": 2, "resolved": True}) is AuditState.COMPLETE  # type: ignore[arg-type]
    assert audit_state(**{**base, "moderated": False}) is AuditState.COMPLETE  # type: ignore[arg-type]


def test_audit_settings_are_checked() -> None:
    assert audit_from({}, "x") == AuditRules()
    assert audit_from({"audit": {"period_months": 3}}, "x").period_months == 3
    with pytest.raises(ConfigError, match=r"audit\.random_percent"):
        audit_from({"audit": {"random_percent": 0}}, "x")
    with pytest.raises(ConfigError, match=r"audit\.sample_size is not a setting"):
        audit_from({"audit": {"sample_size": 5}}, "x")
