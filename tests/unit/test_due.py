"""The due engine: one test set per rule (passes, fires, due today vs overdue), the engine's
cut-offs and ordering, and properties around birthdays, month ends and leap years."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.domain.calendar import WorkingCalendar, add_months, birthday
from casework.domain.codes import AccommodationType, Activity, EligibilityCategory
from casework.domain.due import (
    AccommodationFact,
    ActivityFact,
    CaseFacts,
    ChangeFact,
    DueItem,
    DueKind,
    DueRules,
    FollowUpFact,
    NeedsAssessmentFact,
    PathwayPlanFact,
    accommodation_reviews_due,
    current_accommodation,
    current_activity,
    due_items,
    follow_ups_due,
    keep_in_touch_due,
    needs_assessment_due,
    pa_offer_due,
    plan_review_due,
    visit_due,
    yearly_reminder_due,
)
from casework.domain.in_touch import ContactFact, StatusEvent, derive_in_touch
from casework.domain.leaving_care import (
    CircumstanceChange,
    ContactMadeBy,
    ContactMethod,
    ExplicitStatus,
)

Cat = EligibilityCategory
Acc = AccommodationType
DOB = date(2006, 3, 10)  # 20 on TODAY
TODAY = date(2026, 6, 15)


def case(**changes: object) -> CaseFacts:
    base = CaseFacts(DOB, Cat.FORMER_RELEVANT)
    return replace(base, **changes)  # type: ignore[arg-type]


def visit(on: date, cid: int = 1, **kw: object) -> ContactFact:
    fields: dict[str, object] = {
        "face_to_face": True,
        "seen": True,
        "method": ContactMethod.FACE_TO_FACE_ACCOMMODATION,
    }
    fields.update(kw)
    return ContactFact(cid, on, True, **fields)  # type: ignore[arg-type]


def phone(on: date, cid: int = 1) -> ContactFact:
    return ContactFact(cid, on, True)


def council(start: date, pid: int = 10, **kw: object) -> AccommodationFact:
    fields: dict[str, object] = {"council_provided": True}
    fields.update(kw)
    return AccommodationFact(pid, start, Acc.SEMI_INDEPENDENT, **fields)  # type: ignore[arg-type]


def one(items: list[DueItem]) -> DueItem:
    assert len(items) == 1, items
    return items[0]


# --- Visits (reg 8) --------------------------------------------------------------------


def test_no_visit_item_outside_council_provided_accommodation() -> None:
    home = AccommodationFact(1, date(2026, 1, 1), Acc.INDEPENDENT_LIVING)
    assert visit_due(case(accommodation=(home,)), TODAY) == []
    assert visit_due(case(), TODAY) == []


def test_no_visit_item_for_eligible_children() -> None:
    child = CaseFacts(date(2009, 3, 10), Cat.ELIGIBLE, accommodation=(council(date(2026, 6, 1)),))
    assert visit_due(child, TODAY) == []
    assert visit_due(replace(child, category=Cat.QUALIFYING), TODAY) == []


def test_a_meeting_away_from_the_accommodation_is_not_a_reg_8_visit() -> None:
    office = visit(date(2026, 6, 5), method=ContactMethod.FACE_TO_FACE_OFFICE)
    facts = case(accommodation=(council(date(2026, 5, 1)),), contacts=(office,))
    assert one(visit_due(facts, TODAY)).due == date(2026, 5, 8)
    at_home = visit(date(2026, 6, 5))
    assert one(visit_due(replace(facts, contacts=(at_home,)), TODAY)).due == date(2026, 8, 5)


def test_the_pa_cannot_be_left_out_of_visit_by() -> None:
    with pytest.raises(ValueError, match="visit_by must include personal_adviser"):
        DueRules(visit_by=frozenset({ContactMadeBy.SOCIAL_WORKER}))


def test_first_visit_within_7_days_of_moving_in() -> None:
    facts = case(accommodation=(council(date(2026, 6, 10)),))
    item = one(visit_due(facts, TODAY))
    assert item.due == date(2026, 6, 17)
    assert "within 7 days" in item.title
    assert item.source_id == 10
    assert not one(visit_due(facts, date(2026, 6, 17))).overdue
    assert one(visit_due(facts, date(2026, 6, 18))).overdue


def test_then_at_most_every_2_months_after_the_last_visit() -> None:
    facts = case(accommodation=(council(date(2026, 1, 1)),), contacts=(visit(date(2026, 4, 30)),))
    item = one(visit_due(facts, TODAY))
    assert item.due == date(2026, 6, 30)
    assert "every 2 months" in item.title


def test_visit_interval_uses_the_month_end_rule() -> None:
    facts = case(accommodation=(council(date(2025, 12, 1)),), contacts=(visit(date(2025, 12, 31)),))
    item = one(visit_due(facts, date(2026, 2, 28)))
    assert item.due == date(2026, 2, 28)
    assert not item.overdue
    assert one(visit_due(facts, date(2026, 3, 1))).overdue


def test_only_face_to_face_visits_where_they_were_seen_count() -> None:
    contacts = (
        phone(date(2026, 6, 1), 1),
        visit(date(2026, 6, 2), 2, seen=False),
        ContactFact(3, date(2026, 6, 3), False, face_to_face=True, seen=True),
    )
    facts = case(accommodation=(council(date(2026, 1, 1)),), contacts=contacts)
    assert one(visit_due(facts, TODAY)).due == date(2026, 1, 8)


def test_only_the_pa_visits_by_default() -> None:
    sw = visit(date(2026, 6, 1), made_by=ContactMadeBy.SOCIAL_WORKER)
    facts = case(accommodation=(council(date(2026, 5, 1)),), contacts=(sw,))
    assert one(visit_due(facts, TODAY)).due == date(2026, 5, 8)
    rules = DueRules(
        visit_by=frozenset({ContactMadeBy.PERSONAL_ADVISER, ContactMadeBy.SOCIAL_WORKER})
    )
    assert one(visit_due(facts, TODAY, rules)).due == date(2026, 8, 1)


def test_a_move_restarts_the_7_day_clock_but_keeps_the_2_month_clock() -> None:
    first = council(date(2026, 1, 1), pid=1, end=date(2026, 6, 12))
    second = council(date(2026, 6, 12), pid=2)
    facts = case(accommodation=(first, second), contacts=(visit(date(2026, 4, 14)),))
    item = one(visit_due(facts, TODAY))
    assert item.due == date(2026, 6, 14)  # sooner than 12 June + 7 days
    assert item.overdue
    assert item.source_id == 2


def test_visits_before_council_provided_accommodation_do_not_count() -> None:
    before = AccommodationFact(1, date(2025, 1, 1), Acc.PARENTS_OR_RELATIVES, end=date(2026, 6, 1))
    facts = case(
        accommodation=(before, council(date(2026, 6, 1), pid=2)),
        contacts=(visit(date(2026, 2, 1)),),
    )
    assert one(visit_due(facts, TODAY)).due == date(2026, 6, 8)


def test_visit_due_before_a_pathway_plan_review() -> None:
    # Reviewed 10 May; parenthood recorded Monday 1 June brings the next review to 15 June
    # (10 working days), sooner than 2 months after the last visit (1 May + 2 = 1 July).
    change = ChangeFact(7, date(2026, 6, 1), CircumstanceChange.PARENTHOOD)
    plan = PathwayPlanFact(5, date(2026, 1, 5), reviews=(date(2026, 5, 10),), changes=(change,))
    facts = case(
        accommodation=(council(date(2025, 1, 1)),), contacts=(visit(date(2026, 5, 1)),), plan=plan
    )
    review = one(plan_review_due(facts, date(2026, 6, 2)))
    item = one(visit_due(facts, date(2026, 6, 2)))
    assert item.due == review.due == date(2026, 6, 15)
    assert "before the pathway plan review" in item.title
    # A visit since the last review already counts as "before" the next one.
    visited = replace(facts, contacts=(visit(date(2026, 5, 20)),))
    assert one(visit_due(visited, date(2026, 6, 2))).due == date(2026, 7, 20)


# --- Keeping in touch -------------------------------------------------------------------


def test_keep_in_touch_due_at_the_end_of_the_window() -> None:
    facts = case(contacts=(phone(date(2026, 4, 15), 9),))
    item = one(keep_in_touch_due(facts, TODAY))
    assert item.kind is DueKind.KEEP_IN_TOUCH
    assert item.due == TODAY
    assert not item.overdue
    assert item.source_id == 9
    assert "Keep in touch" in item.title


def test_not_in_touch_is_overdue_from_the_first_day_out_of_touch() -> None:
    facts = case(contacts=(phone(date(2026, 4, 14)),))
    item = one(keep_in_touch_due(facts, TODAY))
    assert item.due == date(2026, 6, 14)
    assert item.overdue
    assert item.title.startswith("Not in touch")


def test_first_contact_due_after_the_case_opened() -> None:
    item = one(keep_in_touch_due(case(opened_on=date(2026, 5, 1)), TODAY))
    assert item.due == date(2026, 7, 1)
    assert not item.overdue
    assert "First contact" in item.title
    never = one(keep_in_touch_due(case(), TODAY))
    assert never.due == TODAY
    assert not never.overdue


@pytest.mark.parametrize(
    "status",
    [
        ExplicitStatus.REFUSES_CONTACT,
        ExplicitStatus.NO_LONGER_REQUIRES,
        ExplicitStatus.RETURNED_HOME,
    ],
)
def test_a_recorded_status_never_switches_keeping_in_touch_off(status: ExplicitStatus) -> None:
    recorded = (StatusEvent(1, status, date(2026, 1, 1)),)
    item = one(keep_in_touch_due(case(statuses=recorded), TODAY))
    assert item.due == date(2026, 3, 1) and item.overdue
    assert "s23B(1)" in item.detail
    attempt = ContactFact(5, date(2026, 6, 1), False)
    later = one(keep_in_touch_due(case(statuses=recorded, contacts=(attempt,)), TODAY))
    assert later.due == date(2026, 8, 1) and not later.overdue
    faster = DueRules(contact_attempt_months=1)
    assert one(keep_in_touch_due(case(statuses=recorded), TODAY, faster)).due == date(2026, 2, 1)


def test_keep_in_touch_only_for_relevant_and_former_relevant() -> None:
    child = CaseFacts(date(2009, 3, 10), Cat.QUALIFYING)
    assert keep_in_touch_due(child, TODAY) == []
    assert keep_in_touch_due(replace(child, category=Cat.ELIGIBLE), TODAY) == []
    assert keep_in_touch_due(replace(child, category=Cat.RELEVANT), TODAY) != []
    # A child confirmed eligible at 17 is former relevant from 18 (s23C(1)).
    assert keep_in_touch_due(case(category=Cat.ELIGIBLE), TODAY) != []


def test_declining_support_stops_keep_in_touch_only_from_21() -> None:
    facts = case(declined_support_on=date(2026, 1, 1))
    assert keep_in_touch_due(facts, TODAY) != []
    assert keep_in_touch_due(facts, birthday(DOB, 21)) == []


# --- Pathway plan reviews ---------------------------------------------------------------


def test_plan_review_6_months_after_the_start() -> None:
    facts = case(plan=PathwayPlanFact(5, date(2025, 12, 15)))
    item = one(plan_review_due(facts, TODAY))
    assert item.due == TODAY
    assert not item.overdue
    assert item.source_id == 5
    assert one(plan_review_due(facts, date(2026, 6, 16))).overdue


def test_plan_review_6_months_after_the_last_review() -> None:
    plan = PathwayPlanFact(5, date(2025, 2, 28), reviews=(date(2025, 8, 31), date(2026, 2, 28)))
    assert one(plan_review_due(case(plan=plan), TODAY)).due == date(2026, 8, 28)
    # A review dated after today does not count yet.
    assert one(plan_review_due(case(plan=plan), date(2026, 1, 1))).due == date(2026, 2, 28)


def test_change_of_circumstances_brings_the_review_forward_10_working_days() -> None:
    change = ChangeFact(8, date(2026, 12, 24), CircumstanceChange.HOMELESSNESS)
    plan = PathwayPlanFact(5, date(2026, 10, 1), changes=(change,))
    item = one(plan_review_due(case(plan=plan), date(2027, 1, 4)))
    assert item.due == date(2027, 1, 12)  # bank holidays and weekends skipped
    assert "homelessness" in item.title


def test_change_before_the_last_review_is_dealt_with() -> None:
    change = ChangeFact(8, date(2026, 3, 1), CircumstanceChange.CUSTODY)
    plan = PathwayPlanFact(5, date(2026, 1, 1), reviews=(date(2026, 3, 1),), changes=(change,))
    assert one(plan_review_due(case(plan=plan), TODAY)).due == date(2026, 9, 1)


def test_change_review_never_later_than_the_6_month_review() -> None:
    change = ChangeFact(8, date(2026, 6, 29), CircumstanceChange.PARENTHOOD)
    plan = PathwayPlanFact(5, date(2026, 1, 1), changes=(change,))
    item = one(plan_review_due(case(plan=plan), date(2026, 6, 30)))
    assert item.due == date(2026, 7, 1)
    assert "every 6 months" in item.title


def test_no_plan_review_without_a_plan_or_eligibility() -> None:
    assert plan_review_due(case(), TODAY) == []
    future = PathwayPlanFact(5, TODAY + timedelta(days=1))
    assert plan_review_due(case(plan=future), TODAY) == []
    plan = PathwayPlanFact(5, date(2026, 1, 1))
    assert plan_review_due(case(plan=plan, category=Cat.NO_CURRENT), TODAY) == []


# --- Needs assessment ------------------------------------------------------------------


def test_needs_assessment_3_months_after_the_16th_birthday() -> None:
    child = CaseFacts(date(2010, 3, 15), Cat.ELIGIBLE)
    item = one(needs_assessment_due(child, date(2026, 6, 15)))
    assert item.due == date(2026, 6, 15)
    assert not item.overdue
    assert one(needs_assessment_due(child, date(2026, 6, 16))).overdue


def test_needs_assessment_from_becoming_eligible() -> None:
    child = CaseFacts(
        date(2010, 3, 15), Cat.ELIGIBLE, needs_assessment=NeedsAssessmentFact(3, date(2026, 5, 31))
    )
    item = one(needs_assessment_due(child, TODAY))
    assert item.due == date(2026, 8, 31)
    assert "becoming eligible" in item.title
    assert item.source_id == 3


def test_needs_assessment_29_february_and_month_end_births() -> None:
    leap = CaseFacts(date(2008, 2, 29), Cat.ELIGIBLE)
    assert one(needs_assessment_due(leap, date(2024, 3, 1))).due == date(2024, 5, 29)
    nov = CaseFacts(date(2011, 11, 30), Cat.ELIGIBLE)
    assert one(needs_assessment_due(nov, date(2027, 12, 1))).due == date(2028, 2, 29)


def test_needs_assessment_done_or_not_eligible() -> None:
    done = NeedsAssessmentFact(3, completed_on=date(2026, 5, 1))
    child = CaseFacts(date(2010, 3, 15), Cat.ELIGIBLE, needs_assessment=done)
    assert needs_assessment_due(child, TODAY) == []
    assert needs_assessment_due(replace(child, category=Cat.RELEVANT), TODAY) == []


# --- Accommodation reviews -------------------------------------------------------------


def test_bed_and_breakfast_needs_a_team_lead_review_in_5_working_days() -> None:
    bb = AccommodationFact(4, date(2026, 5, 22), Acc.BED_AND_BREAKFAST)  # Friday
    item = one(accommodation_reviews_due(case(accommodation=(bb,)), date(2026, 5, 26)))
    assert item.due == date(2026, 6, 1)  # 25 May is a bank holiday
    assert not item.overdue
    assert item.source_id == 4
    assert "bed and breakfast" in item.title
    assert one(accommodation_reviews_due(case(accommodation=(bb,)), date(2026, 6, 2))).overdue


@pytest.mark.parametrize(
    "letter", [Acc.BED_AND_BREAKFAST, Acc.EMERGENCY, Acc.RESIDENCE_NOT_KNOWN, Acc.NO_FIXED_ABODE]
)
def test_each_letter_needing_review_stays_highlighted_until_reviewed(letter: Acc) -> None:
    ended = AccommodationFact(4, date(2026, 1, 5), letter, end=date(2026, 2, 1))
    assert one(accommodation_reviews_due(case(accommodation=(ended,)), TODAY)).overdue
    reviewed = replace(ended, team_lead_reviewed_on=date(2026, 1, 6))
    assert accommodation_reviews_due(case(accommodation=(reviewed,)), TODAY) == []


def test_other_accommodation_needs_no_review() -> None:
    periods = tuple(
        AccommodationFact(n, date(2026, 1, 5), letter)
        for n, letter in enumerate(Acc)
        if not letter.needs_team_lead_review
    )
    assert accommodation_reviews_due(case(accommodation=periods), TODAY) == []


def test_review_days_are_configurable() -> None:
    s = AccommodationFact(4, date(2026, 6, 15), Acc.NO_FIXED_ABODE)
    rules = DueRules(accommodation_review_working_days=1)
    assert one(accommodation_reviews_due(case(accommodation=(s,)), TODAY, rules)).due == date(
        2026, 6, 16
    )


# --- PA offer at 21 ----------------------------------------------------------------------


def test_pa_offer_due_on_the_21st_birthday() -> None:
    item = one(pa_offer_due(case(), TODAY))
    assert item.due == date(2027, 3, 10)
    on_the_day = one(pa_offer_due(case(), date(2027, 3, 10)))
    assert not on_the_day.overdue
    assert one(pa_offer_due(case(), date(2027, 3, 11))).overdue


def test_pa_offer_recorded_or_not_former_relevant() -> None:
    assert pa_offer_due(case(pa_offer_on=date(2027, 3, 1)), date(2027, 3, 11)) == []
    assert pa_offer_due(case(category=Cat.QUALIFYING), TODAY) == []


def test_pa_offer_for_a_29_february_birth() -> None:
    facts = CaseFacts(date(2008, 2, 29), Cat.FORMER_RELEVANT)
    assert one(pa_offer_due(facts, TODAY)).due == date(2029, 3, 1)


# --- Yearly reminder ---------------------------------------------------------------------


def test_yearly_reminder_a_year_after_declining() -> None:
    facts = case(declined_support_on=date(2027, 4, 30))
    item = one(yearly_reminder_due(facts, date(2027, 5, 1)))
    assert item.due == date(2028, 4, 30)


def test_yearly_reminder_a_year_after_the_last_one() -> None:
    facts = case(
        declined_support_on=date(2027, 4, 30),
        reminders_sent=(date(2026, 1, 1), date(2028, 4, 29)),
    )
    item = one(yearly_reminder_due(facts, date(2028, 5, 1)))
    assert item.due == date(2029, 4, 29)
    assert "Last reminder" in item.detail


def test_yearly_reminder_not_before_21() -> None:
    facts = case(declined_support_on=date(2025, 1, 1))
    assert one(yearly_reminder_due(facts, TODAY)).due == date(2027, 3, 10)
    assert yearly_reminder_due(case(), TODAY) == []


def test_yearly_reminder_ends_at_25() -> None:
    facts = case(declined_support_on=date(2030, 6, 1))
    assert yearly_reminder_due(facts, date(2030, 7, 1)) != []  # the rule alone
    kinds = {i.kind for i in due_items(facts, date(2030, 7, 1))}
    assert DueKind.YEARLY_REMINDER not in kinds  # due on or after the 25th birthday


# --- Follow-ups ---------------------------------------------------------------------------


def test_follow_ups_on_their_own_dates_until_done() -> None:
    actions = (
        FollowUpFact(1, TODAY, description="Chase GP registration"),
        FollowUpFact(2, date(2026, 6, 1), done=True),
        FollowUpFact(3, date(2026, 6, 14)),
    )
    items = follow_ups_due(case(follow_ups=actions), TODAY)
    assert [(i.source_id, i.overdue) for i in items] == [(1, False), (3, True)]
    assert items[0].title == "Chase GP registration"
    assert items[1].title == "Follow-up action"


# --- The engine ---------------------------------------------------------------------------


def busy_case() -> CaseFacts:
    return case(
        contacts=(visit(date(2026, 3, 1), 1),),
        accommodation=(
            AccommodationFact(4, date(2026, 6, 8), Acc.EMERGENCY, council_provided=True),
        ),
        plan=PathwayPlanFact(5, date(2025, 11, 1)),
        follow_ups=(FollowUpFact(6, date(2026, 7, 1)), FollowUpFact(7, date(2026, 6, 1))),
    )


def test_engine_sorts_most_urgent_first() -> None:
    items = due_items(busy_case(), TODAY)
    assert [i.due for i in items] == sorted(i.due for i in items)
    assert items[0].overdue
    overdue = [i for i in items if i.overdue]
    assert items[: len(overdue)] == overdue
    kinds = {i.kind for i in items}
    assert kinds >= {
        DueKind.KEEP_IN_TOUCH,
        DueKind.VISIT,
        DueKind.ACCOMMODATION_REVIEW,
        DueKind.PLAN_REVIEW,
        DueKind.PA_OFFER_AT_21,
        DueKind.FOLLOW_UP,
    }


def test_same_day_ties_are_ordered_by_kind() -> None:
    facts = case(
        contacts=(phone(date(2026, 4, 15)),),
        follow_ups=(FollowUpFact(6, TODAY),),
        plan=PathwayPlanFact(5, date(2025, 12, 15)),
    )
    kinds = [i.kind for i in due_items(facts, TODAY) if i.due == TODAY]
    assert kinds == [DueKind.KEEP_IN_TOUCH, DueKind.PLAN_REVIEW, DueKind.FOLLOW_UP]


def test_closed_cases_have_nothing_due() -> None:
    assert due_items(replace(busy_case(), closed=True), TODAY) == []


def test_after_death_only_follow_ups_and_the_death_notification_remain() -> None:
    died = (StatusEvent(1, ExplicitStatus.DIED, date(2026, 6, 1)),)
    items = due_items(replace(busy_case(), statuses=died), TODAY)
    assert {i.kind for i in items} == {DueKind.FOLLOW_UP, DueKind.DEATH_NOTIFICATION}
    notify = next(i for i in items if i.kind is DueKind.DEATH_NOTIFICATION)
    assert notify.due == date(2026, 6, 8) and notify.overdue  # 5 working days
    told = replace(busy_case(), statuses=died, death_notified_on=date(2026, 6, 3))
    assert {i.kind for i in due_items(told, TODAY)} == {DueKind.FOLLOW_UP}
    aged_25 = CaseFacts(date(2001, 5, 1), Cat.FORMER_RELEVANT, statuses=died)
    assert due_items(aged_25, TODAY) == []


def test_from_the_25th_birthday_only_follow_ups_remain() -> None:
    b25 = birthday(DOB, 25)
    facts = replace(busy_case(), follow_ups=(FollowUpFact(6, b25),))
    assert {i.kind for i in due_items(facts, b25)} == {DueKind.FOLLOW_UP}
    day_before = due_items(facts, b25 - timedelta(days=1))
    assert {i.kind for i in day_before} > {DueKind.FOLLOW_UP}
    assert all(i.due < b25 for i in day_before if i.kind is not DueKind.FOLLOW_UP)


def test_horizon_leaves_out_far_items() -> None:
    items = due_items(busy_case(), TODAY, DueRules(horizon_days=30))
    assert items
    assert all(i.due <= TODAY + timedelta(days=30) for i in items)
    assert DueKind.PA_OFFER_AT_21 not in {i.kind for i in items}


def test_items_serialise_to_json() -> None:
    items = due_items(busy_case(), TODAY)
    data = json.loads(json.dumps([i.as_dict() for i in items]))
    assert data[0]["due"] == items[0].due.isoformat()
    assert data[0]["kind"] in {k.value for k in DueKind}
    assert all(k.label for k in DueKind)


def test_rules_are_validated() -> None:
    with pytest.raises(ValueError, match="plan_review_months"):
        DueRules(plan_review_months=0)
    with pytest.raises(ValueError, match="first_visit_days"):
        DueRules(first_visit_days=-1)
    assert DueRules() == DueRules(calendar=WorkingCalendar([date(2026, 1, 2)]))


def test_current_accommodation_and_activity() -> None:
    """``end`` is the last night (or day): the next period starts the following day."""
    old = AccommodationFact(1, date(2026, 1, 1), Acc.SEMI_INDEPENDENT, end=TODAY - timedelta(1))
    new = AccommodationFact(2, TODAY, Acc.INDEPENDENT_LIVING)
    assert current_accommodation((old, new), TODAY) == new
    assert current_accommodation((old, new), TODAY - timedelta(days=1)) == old
    assert current_accommodation((old,), TODAY) is None
    assert current_accommodation((), TODAY) is None
    college = ActivityFact(3, date(2025, 9, 1), Activity.OTHER_EDUCATION_FT, end=date(2026, 7, 1))
    assert current_activity((college,), TODAY) == college
    assert current_activity((college,), date(2026, 7, 1)) == college
    assert current_activity((college,), date(2026, 7, 2)) is None


# --- Properties ---------------------------------------------------------------------------

leap_births = st.sampled_from([date(y, 2, 29) for y in (2000, 2004, 2008, 2012)])
births = st.one_of(st.dates(min_value=date(1999, 1, 1), max_value=date(2012, 12, 31)), leap_births)
month_ends = st.builds(
    lambda y, m: add_months(date(y, 1, 31), m), st.integers(2014, 2038), st.integers(0, 11)
)


def _month_end(today: date, months_back: int) -> date:
    """The last day of the month ``months_back`` months before ``today``'s month."""
    return add_months(today.replace(day=1), 1 - months_back) - timedelta(days=1)


# Strategies are built once: building them inside each draw is what makes Hypothesis slow.
BOOLS = st.booleans()
DAY_OFFSETS = st.integers(-500, 40)
MONTHS_BACK = st.integers(0, 16)
COUNTS = st.integers(0, 3)
CATEGORIES = st.sampled_from(list(Cat))
LETTERS = st.sampled_from(list(Acc))
CHANGES = st.sampled_from(list(CircumstanceChange))
STATUSES = st.sampled_from(list(ExplicitStatus))
MADE_BY = st.sampled_from(list(ContactMadeBy))


def _near(draw: st.DrawFn, today: date) -> date:
    """A day around ``today``, half the time a month's last day (31st, 30th, 28/29 Feb)."""
    if draw(BOOLS):
        return _month_end(today, draw(MONTHS_BACK))
    return today + timedelta(days=draw(DAY_OFFSETS))


def _maybe(draw: st.DrawFn, today: date) -> date | None:
    return _near(draw, today) if draw(BOOLS) else None


def _contacts(draw: st.DrawFn, today: date) -> tuple[ContactFact, ...]:
    return tuple(
        ContactFact(
            n,
            _near(draw, today),
            draw(BOOLS),
            face_to_face=draw(BOOLS),
            seen=draw(BOOLS),
            made_by=draw(MADE_BY),
        )
        for n in range(2 * draw(COUNTS))
    )


def _plan(draw: st.DrawFn, today: date) -> PathwayPlanFact | None:
    if not draw(BOOLS):
        return None
    return PathwayPlanFact(
        1,
        _near(draw, today),
        reviews=tuple(_near(draw, today) for _ in range(draw(COUNTS))),
        changes=tuple(
            ChangeFact(n, _near(draw, today), draw(CHANGES)) for n in range(draw(COUNTS))
        ),
    )


def _accommodation(draw: st.DrawFn, today: date) -> tuple[AccommodationFact, ...]:
    return tuple(
        AccommodationFact(
            n,
            _near(draw, today),
            draw(LETTERS),
            end=_maybe(draw, today),
            council_provided=draw(BOOLS),
            team_lead_reviewed_on=_maybe(draw, today),
        )
        for n in range(draw(COUNTS))
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[CaseFacts, date]:
    """A case with every kind of fact, dated around a ``today`` between 16 and 26."""
    dob = draw(births)
    today = birthday(dob, 16) + timedelta(days=draw(st.integers(0, 3700)))
    facts = CaseFacts(
        dob,
        draw(CATEGORIES),
        contacts=_contacts(draw, today),
        statuses=tuple(
            StatusEvent(n, draw(STATUSES), _near(draw, today)) for n in range(draw(COUNTS) // 2)
        ),
        accommodation=_accommodation(draw, today),
        needs_assessment=NeedsAssessmentFact(None, _maybe(draw, today), _maybe(draw, today)),
        plan=_plan(draw, today),
        pa_offer_on=_maybe(draw, today),
        declined_support_on=_maybe(draw, today),
        reminders_sent=tuple(_near(draw, today) for _ in range(draw(COUNTS))),
        follow_ups=tuple(
            FollowUpFact(n, _near(draw, today), draw(BOOLS)) for n in range(draw(COUNTS))
        ),
        opened_on=_maybe(draw, today),
    )
    return facts, today


@settings(deadline=None)
@given(cases())
def test_overdue_means_the_due_date_has_passed(drawn: tuple[CaseFacts, date]) -> None:
    facts, today = drawn
    items = due_items(facts, today)
    for item in items:
        assert item.overdue == (item.due < today)
        if item.due == today:
            assert not item.overdue
        assert item.title.strip()
    assert [i.due for i in items] == sorted(i.due for i in items)


@settings(deadline=None)
@given(cases())
def test_nothing_but_follow_ups_due_from_the_25th_birthday(drawn: tuple[CaseFacts, date]) -> None:
    facts, today = drawn
    b25 = birthday(facts.date_of_birth, 25)
    for item in due_items(facts, today):
        # A death at 24 is still notified, even if the 5 working days run past 25.
        if item.kind not in (DueKind.FOLLOW_UP, DueKind.DEATH_NOTIFICATION):
            assert item.due < b25
            assert today < b25


@settings(deadline=None)
@given(cases())
def test_keep_in_touch_is_overdue_exactly_when_not_in_touch(drawn: tuple[CaseFacts, date]) -> None:
    facts, today = drawn
    facts = replace(facts, category=Cat.RELEVANT, statuses=(), declined_support_on=None)
    if today >= birthday(facts.date_of_birth, 25):
        return  # the duty has ended
    state = derive_in_touch(facts.contacts, (), today)
    items = keep_in_touch_due(facts, today)
    if state.since is not None or state.latest_successful is not None:
        assert one(items).overdue == (state.code.value == "NO")


@st.composite
def visit_cases(draw: st.DrawFn) -> tuple[CaseFacts, date, date]:
    """A care leaver in council-provided accommodation since ``start``, visited on or after
    it, plus a later day to add another visit."""
    start = draw(
        st.one_of(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), month_ends)
    )
    visits = draw(st.lists(st.integers(0, 400), max_size=6))
    today = start + timedelta(days=draw(st.integers(0, 500)))
    contacts = tuple(visit(start + timedelta(days=d), n) for n, d in enumerate(visits))
    plan = draw(st.one_of(st.none(), st.just(PathwayPlanFact(1, start))))
    facts = CaseFacts(
        date(start.year - 19, 1, 1),  # 18 to 20 on every drawn day: the duty is owed
        Cat.FORMER_RELEVANT,
        contacts=contacts,
        accommodation=(council(start),),
        plan=plan,
    )
    return facts, today, start + timedelta(days=draw(st.integers(0, 500)))


@settings(deadline=None)
@given(visit_cases())
def test_visit_due_never_later_than_2_months_after_the_last_visit(
    drawn: tuple[CaseFacts, date, date],
) -> None:
    facts, today, _ = drawn
    item = one(visit_due(facts, today))
    visits = [c.on for c in facts.contacts if c.on <= today]
    if visits:
        assert item.due <= add_months(max(visits), 2)
    else:
        assert item.due <= facts.accommodation[0].start + timedelta(days=7)


@settings(deadline=None)
@given(visit_cases())
def test_a_later_visit_never_makes_the_visit_due_sooner(
    drawn: tuple[CaseFacts, date, date],
) -> None:
    facts, today, extra = drawn
    latest = max((c.on for c in facts.contacts if c.on <= today), default=None)
    if extra > today or (latest is not None and extra <= latest):
        return
    before = one(visit_due(facts, today)).due
    after = one(visit_due(replace(facts, contacts=(*facts.contacts, visit(extra, 99))), today)).due
    assert after >= before


@given(births)
def test_needs_assessment_and_pa_offer_follow_birthdays(dob: date) -> None:
    sixteen = birthday(dob, 16)
    child = CaseFacts(dob, Cat.ELIGIBLE)
    assert one(needs_assessment_due(child, sixteen)).due == add_months(sixteen, 3)
    adult = CaseFacts(dob, Cat.FORMER_RELEVANT)
    b21 = birthday(dob, 21)
    assert not one(pa_offer_due(adult, b21)).overdue
    assert one(pa_offer_due(adult, b21 + timedelta(days=1))).overdue


@given(births, st.integers(0, 3000), st.lists(st.integers(0, 3000), max_size=4))
def test_yearly_reminder_between_21_and_a_year_after_the_last(
    dob: date, declined_after_18: int, sent_after: list[int]
) -> None:
    declined = birthday(dob, 18) + timedelta(days=declined_after_18)
    sent = tuple(declined + timedelta(days=d) for d in sent_after)
    today = max([declined, *sent])
    item = one(
        yearly_reminder_due(
            CaseFacts(dob, Cat.FORMER_RELEVANT, declined_support_on=declined, reminders_sent=sent),
            today,
        )
    )
    assert item.due >= birthday(dob, 21)
    assert item.due == max(add_months(today, 12), birthday(dob, 21))


def test_every_kind_has_a_severity_and_safety_comes_first() -> None:
    from casework.domain.due import DueKind, Severity

    assert sorted(Severity) == [Severity.SAFETY, Severity.STATUTORY, Severity.PRACTICE]
    safety = {k for k in DueKind if k.severity is Severity.SAFETY}
    assert {
        DueKind.REFERRAL_DECISION,
        DueKind.CONTACT_DECISION,
        DueKind.RETURN_INTERVIEW,
        DueKind.LADO_NOTIFICATION,
    } <= safety
    assert DueKind.VISIT.severity is Severity.STATUTORY  # reg 8
    assert DueKind.PLAN_REVIEW.severity is Severity.STATUTORY  # reg 7
    assert DueKind.FOLLOW_UP.severity is Severity.PRACTICE
    assert {s.words for s in Severity} == {
        "Safety deadline",
        "Statutory deadline",
        "Practice deadline",
    }
    assert DueKind.CONTACT_DECISION.team_lead_only and not DueKind.VISIT.team_lead_only


def test_every_kind_of_due_item_has_its_own_severity() -> None:
    """No kind falls back to a default: statutory safety clocks first, other statutory
    clocks next, local practice last (sources in ``Severity``'s docstring)."""
    from casework.domain.due import _SEVERITY, Severity

    assert set(_SEVERITY) == set(DueKind)
    safety = {
        DueKind.CP_REVIEW,
        DueKind.CORE_GROUP,
        DueKind.STILL_MISSING,
        DueKind.ICPC,
        DueKind.ASSESSMENT,
        DueKind.RETURN_INTERVIEW,
        DueKind.LADO_NOTIFICATION,
    }
    statutory = {
        DueKind.PATHWAY_PLAN,
        DueKind.PERSONAL_ADVISER,
        DueKind.DEATH_NOTIFICATION,
        DueKind.PLAN_REVIEW,
        DueKind.VISIT,
        DueKind.KEEP_IN_TOUCH,
    }
    practice = {
        DueKind.FOLLOW_UP,
        DueKind.SERVICE_CHASE,
        DueKind.CONFIRM_ELIGIBILITY,
        DueKind.LEARNING_ACTION,
        DueKind.REOPEN_DECISION,
    }
    assert {k.severity for k in safety} == {Severity.SAFETY}
    assert {k.severity for k in statutory} == {Severity.STATUTORY}
    assert {k.severity for k in practice} == {Severity.PRACTICE}
