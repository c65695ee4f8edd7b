"""The category in force: derived from the facts every day, aged by birthdays, the safer of
the facts and the worker's confirmation while they disagree; and the properties the law
asks of the clocks (duties that never go silent, answers "as of" a day)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from casework.domain.calendar import birthday
from casework.domain.codes import EligibilityCategory, InTouch
from casework.domain.due import (
    AccommodationFact,
    CaseFacts,
    DueKind,
    DueRules,
    category_of,
    confirm_eligibility_due,
    due_items,
    facts_as_of,
    pathway_plan_due,
    personal_adviser_due,
)
from casework.domain.in_touch import ContactFact, StatusEvent, derive_in_touch
from casework.domain.leaving_care import (
    CareHistory,
    CarePeriod,
    ExplicitStatus,
    HomeSpell,
    category_on,
)
from tests.unit.test_due import births, cases

Cat = EligibilityCategory
DOB = date(2009, 5, 10)
B16, B18, B21, B25 = (birthday(DOB, n) for n in (16, 18, 21, 25))


def care(*periods: CarePeriod, **kw: object) -> CareHistory:
    return CareHistory(DOB, care_periods=periods, **kw)  # type: ignore[arg-type]


LEFT_AT_17 = care(CarePeriod(date(2022, 1, 1), B16 + timedelta(days=300), "C2"))


# --- Derived from care periods ------------------------------------------------------------


def test_thirteen_weeks_since_14_ending_after_16_counted_from_periods() -> None:
    # Two short periods after 14 adding up to 13 weeks, the second ending after 16: eligible.
    twelve = care(
        CarePeriod(B16 - timedelta(days=200), B16 - timedelta(days=130)),
        CarePeriod(B16 - timedelta(days=20), None),
    )
    today = B16 + timedelta(days=10)
    assert category_on(DOB, Cat.ELIGIBLE, today, care=twelve).derived is Cat.ELIGIBLE
    short = care(CarePeriod(B16 - timedelta(days=20), None))
    assert category_on(DOB, Cat.ELIGIBLE, today, care=short).derived is Cat.NO_CURRENT


def test_category_changes_by_itself_at_18_21_and_25() -> None:
    for on, expected in (
        (B18 - timedelta(days=1), Cat.RELEVANT),
        (B18, Cat.FORMER_RELEVANT),
        (B21, Cat.FORMER_RELEVANT),
        (B25, Cat.NO_CURRENT),
    ):
        view = category_on(DOB, Cat.RELEVANT, on, care=LEFT_AT_17)
        assert (view.derived, view.effective, view.disagrees) == (expected, expected, False), on


def test_an_eligible_child_who_leaves_care_is_relevant_without_a_new_confirmation() -> None:
    view = category_on(DOB, Cat.ELIGIBLE, B16 + timedelta(days=320), care=LEFT_AT_17)
    assert view.confirmed is Cat.RELEVANT and not view.disagrees


def test_six_months_at_home_at_16_or_17_ends_being_relevant_reg_3_3() -> None:
    home = replace(LEFT_AT_17, returned_home=(HomeSpell(B16 + timedelta(days=330)),))
    on = B16 + timedelta(days=340)
    view = category_on(DOB, Cat.RELEVANT, on, care=home)
    assert view.derived is Cat.QUALIFYING
    assert any("reg 3(3)" in r for r in view.reasons)
    # The confirmation says relevant: the safer category runs the clocks until confirmed.
    assert view.disagrees and view.effective is Cat.RELEVANT
    broke_down = replace(
        LEFT_AT_17,
        returned_home=(HomeSpell(B16 + timedelta(days=330), B16 + timedelta(days=335)),),
    )
    assert category_on(DOB, Cat.RELEVANT, on, care=broke_down).derived is Cat.RELEVANT


def test_an_override_with_a_reason_stands_until_the_facts_change() -> None:
    on = B16 + timedelta(days=340)
    stands = category_on(
        DOB,
        Cat.QUALIFYING,
        on,
        care=LEFT_AT_17,
        confirmed_on=on - timedelta(days=5),
        suggested_then=Cat.RELEVANT,
    )
    assert not stands.disagrees and stands.effective is Cat.QUALIFYING
    # At 18 the facts say former relevant; the override was about a relevant child.
    later = category_on(
        DOB,
        Cat.QUALIFYING,
        B18,
        care=LEFT_AT_17,
        confirmed_on=on - timedelta(days=5),
        suggested_then=Cat.RELEVANT,
    )
    assert not later.disagrees  # relevant then, former relevant now: the same facts, aged


def test_a_confirmation_the_facts_disagree_with_makes_a_dated_confirm_item() -> None:
    on = B16 + timedelta(days=340)
    facts = CaseFacts(DOB, Cat.QUALIFYING, care=LEFT_AT_17, opened_on=B16)
    view = category_of(facts, on)
    assert view.disagrees and view.effective is Cat.RELEVANT  # the safer one
    item = confirm_eligibility_due(facts, on)[0]
    # The facts have said otherwise since the 16th birthday (eligible, then relevant).
    assert item.due == DueRules().calendar.add_working_days(B16, 5)
    assert "relevant" in item.title and item.detail
    # The relevant child's duties run meanwhile.
    kinds = {i.kind for i in due_items(facts, on)}
    assert {DueKind.CONFIRM_ELIGIBILITY, DueKind.KEEP_IN_TOUCH} <= kinds


def test_pathway_plan_and_personal_adviser_items_for_those_who_must_have_them() -> None:
    on = B16 + timedelta(days=340)
    facts = CaseFacts(DOB, Cat.RELEVANT, care=LEFT_AT_17, opened_on=B16, has_pa=False)
    assert pathway_plan_due(facts, on)[0].kind is DueKind.PATHWAY_PLAN
    assert personal_adviser_due(facts, on)[0].due == B16
    with_pa = replace(facts, has_pa=True)
    assert personal_adviser_due(with_pa, on) == []
    # 21 to 24: only once they ask (s23CZB).
    adult = replace(facts, category=Cat.FORMER_RELEVANT, care=None)
    assert pathway_plan_due(adult, B21 + timedelta(days=10)) == []
    asked = replace(adult, pa_accepted_on=B21 + timedelta(days=5))
    assert pathway_plan_due(asked, B21 + timedelta(days=10)) != []


# --- Properties ---------------------------------------------------------------------------


@given(births, st.integers(0, 700), st.integers(91, 1500))
def test_the_derived_category_at_18_of_a_relevant_child_is_former_relevant(
    dob: date, left_after_16: int, weeks_before: int
) -> None:
    sixteen = birthday(dob, 16)
    ended = min(sixteen + timedelta(days=left_after_16), birthday(dob, 18) - timedelta(days=1))
    history = CareHistory(
        dob, care_periods=(CarePeriod(sixteen - timedelta(days=weeks_before), ended),)
    )
    before = category_on(dob, Cat.RELEVANT, birthday(dob, 18) - timedelta(days=1), care=history)
    if before.derived is not Cat.RELEVANT:
        return  # still looked after on the last day (care ended that day)
    at_18 = category_on(dob, Cat.RELEVANT, birthday(dob, 18), care=history)
    assert at_18.derived is Cat.FORMER_RELEVANT and at_18.effective is Cat.FORMER_RELEVANT


@settings(deadline=None)
@given(cases(), st.sampled_from([Cat.RELEVANT, Cat.FORMER_RELEVANT]))
def test_under_21_either_in_touch_or_a_keep_in_touch_item(
    drawn: tuple[CaseFacts, date], category: Cat
) -> None:
    facts, today = drawn
    facts = replace(facts, category=category, closed=False)
    if today >= birthday(facts.date_of_birth, 21):
        return
    state = derive_in_touch(facts.contacts, facts.statuses, today)
    if state.code in (InTouch.YES, InTouch.DIED):
        return
    kinds = {i.kind for i in due_items(facts, today)}
    assert DueKind.KEEP_IN_TOUCH in kinds, state


@st.composite
def later_facts(draw: st.DrawFn, after: date) -> dict[str, object]:
    """One kind of fact, dated after ``after``."""
    later = after + timedelta(days=draw(st.integers(1, 400)))
    return draw(
        st.sampled_from(
            [
                {"contacts": (ContactFact(900, later, draw(st.booleans())),)},
                {
                    "statuses": (
                        StatusEvent(900, draw(st.sampled_from(list(ExplicitStatus))), later),
                    )
                },
                {
                    "accommodation": (
                        AccommodationFact(
                            900,
                            later,
                            draw(
                                st.sampled_from(
                                    list(
                                        __import__(
                                            "casework.domain.codes", fromlist=["x"]
                                        ).AccommodationType
                                    )
                                )
                            ),
                        ),
                    )
                },
                {"pa_offer_on": later},
                {"declined_support_on": later},
                {"death_notified_on": later},
                {"pa_accepted_on": later},
                {"care": CareHistory(date(2000, 1, 1), care_periods=(CarePeriod(later, None),))},
            ]
        )
    )


def _plus(facts: CaseFacts, extra: dict[str, object]) -> CaseFacts:
    changes: dict[str, object] = {}
    for name, value in extra.items():
        current = getattr(facts, name)
        if isinstance(value, tuple) and isinstance(current, tuple):
            changes[name] = (*current, *value)
        elif name == "care" and isinstance(value, CareHistory):
            changes[name] = replace(
                current, care_periods=(*current.care_periods, *value.care_periods)
            )
        elif current is None:
            # A milestone is one dated fact (the loader keeps the one as of the day).
            changes[name] = value
    return replace(facts, **changes)  # type: ignore[arg-type]


@settings(deadline=None)
@given(st.data())
def test_a_fact_dated_after_the_day_never_changes_the_answer_for_that_day(
    data: st.DataObject,
) -> None:
    facts, today = data.draw(cases())
    facts = replace(facts, care=CareHistory(facts.date_of_birth))
    extra = data.draw(later_facts(today))
    assert due_items(_plus(facts, extra), today) == due_items(facts, today)
    assert facts_as_of(_plus(facts, extra), today) == facts_as_of(facts, today)


def test_a_child_confirmed_relevant_gets_the_pa_offer_at_21_without_a_new_confirmation() -> None:
    """s23CZB: the offer of a PA at 21 reaches a child a worker confirmed relevant at 17;
    the category ages to former relevant at 18 by itself (s23C(1))."""
    case = CaseFacts(DOB, Cat.RELEVANT, care=LEFT_AT_17, confirmed_on=B16 + timedelta(days=310))
    before = B21 - timedelta(days=20)
    offers = [i for i in due_items(case, before) if i.kind is DueKind.PA_OFFER_AT_21]
    assert [i.due for i in offers] == [B21]
    assert not offers[0].overdue
    late = [i for i in due_items(case, B21 + timedelta(days=1)) if i.kind is DueKind.PA_OFFER_AT_21]
    assert late and late[0].overdue
