"""The derived in-touch status, its export spellings and the re-establish steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.domain.calendar import add_months
from casework.domain.codes import InTouch
from casework.domain.in_touch import (
    ContactFact,
    InTouchState,
    StatusEvent,
    annex_a_la_in_touch,
    derive_in_touch,
    latest_date_of_contact,
    reestablish_steps,
    ssda903_in_touch,
)
from casework.domain.leaving_care import ContactMadeBy, ContactMethod, ExplicitStatus

TODAY = date(2026, 6, 15)


def ok(on: date, cid: int = 1, **kw: object) -> ContactFact:
    return ContactFact(cid, on, True, **kw)  # type: ignore[arg-type]


def tried(on: date, method: ContactMethod | None = None, cid: int = 2) -> ContactFact:
    return ContactFact(cid, on, False, method=method)


def status(s: ExplicitStatus, on: date, ended: date | None = None, sid: int = 1) -> StatusEvent:
    return StatusEvent(sid, s, on, ended)


# --- Contact-derived ------------------------------------------------------------------


def test_no_contacts_is_not_in_touch_never_lost() -> None:
    state = derive_in_touch([], [], TODAY)
    assert state.code is InTouch.NO
    assert state.since is None
    assert state.latest_successful is None
    assert "no successful contact" in state.explanation


def test_successful_contact_today_is_in_touch() -> None:
    state = derive_in_touch([ok(TODAY)], [], TODAY)
    assert state.code is InTouch.YES
    assert state.since == TODAY
    assert state.window_ends == date(2026, 8, 15)


def test_window_is_within_two_months_by_the_month_end_rule() -> None:
    contact = [ok(date(2025, 12, 31))]
    assert derive_in_touch(contact, [], date(2026, 2, 28)).code is InTouch.YES
    lost = derive_in_touch(contact, [], date(2026, 3, 1))
    assert lost.code is InTouch.NO
    assert lost.since == date(2026, 3, 1)


def test_window_in_a_leap_year() -> None:
    contact = [ok(date(2027, 12, 31))]
    assert derive_in_touch(contact, [], date(2028, 2, 29)).code is InTouch.YES
    assert derive_in_touch(contact, [], date(2028, 3, 1)).code is InTouch.NO


def test_window_is_configurable() -> None:
    contact = [ok(date(2026, 3, 15))]
    assert derive_in_touch(contact, [], TODAY).code is InTouch.NO
    assert derive_in_touch(contact, [], TODAY, window_months=3).code is InTouch.YES
    with pytest.raises(ValueError):
        derive_in_touch(contact, [], TODAY, window_months=0)


def test_failed_attempts_do_not_keep_anyone_in_touch() -> None:
    contacts = [ok(date(2026, 1, 10)), tried(date(2026, 5, 1)), tried(date(2026, 6, 1))]
    state = derive_in_touch(contacts, [], TODAY)
    assert state.code is InTouch.NO
    assert state.attempts_since == 2
    assert "2 attempts" in state.explanation


def test_attempts_before_the_latest_success_are_not_counted() -> None:
    contacts = [tried(date(2026, 5, 1)), ok(date(2026, 5, 2)), tried(date(2026, 6, 1))]
    assert derive_in_touch(contacts, [], TODAY).attempts_since == 1


def test_contacts_after_today_are_ignored() -> None:
    state = derive_in_touch([ok(TODAY + timedelta(days=1))], [], TODAY)
    assert state.code is InTouch.NO


def test_contact_times_are_accepted() -> None:
    state = derive_in_touch([ok(datetime(2026, 6, 15, 23, 59))], [], TODAY)
    assert state.code is InTouch.YES


def test_since_is_the_start_of_the_unbroken_run() -> None:
    # 1 Oct + 2 months is 1 Dec, before 1 Feb: a gap. 1 Apr + 2 months is 1 Jun: no gap.
    run = [ok(date(2025, 10, 1)), ok(date(2026, 2, 1)), ok(date(2026, 4, 1)), ok(date(2026, 6, 1))]
    assert derive_in_touch(run, [], TODAY).since == date(2026, 2, 1)
    gap = [ok(date(2026, 4, 1)), ok(TODAY)]  # 1 Apr + 2 months is 1 Jun, before 15 Jun
    assert derive_in_touch(gap, [], TODAY).since == TODAY


# --- Explicit statuses ----------------------------------------------------------------


def test_explicit_status_wins_over_contact() -> None:
    state = derive_in_touch(
        [ok(date(2026, 6, 1))], [status(ExplicitStatus.RETURNED_HOME, TODAY)], TODAY
    )
    assert state.code is InTouch.RHOM
    assert state.since == TODAY


def test_refusal_is_superseded_by_a_later_successful_contact() -> None:
    refused = [status(ExplicitStatus.REFUSES_CONTACT, date(2026, 5, 1))]
    same_day = derive_in_touch([ok(date(2026, 5, 1))], refused, TODAY)
    assert same_day.code is InTouch.REFU
    later = derive_in_touch([ok(date(2026, 4, 1)), ok(date(2026, 5, 20))], refused, TODAY)
    assert later.code is InTouch.YES
    assert later.since == date(2026, 5, 20)


def test_no_longer_requires_is_superseded_and_can_lapse_again() -> None:
    nreq = [status(ExplicitStatus.NO_LONGER_REQUIRES, date(2025, 9, 1))]
    state = derive_in_touch([ok(date(2025, 10, 1))], nreq, TODAY)
    assert state.code is InTouch.NO
    assert state.since == date(2025, 12, 2)


def test_returned_home_is_not_superseded_by_contact_only_by_ending() -> None:
    home = status(ExplicitStatus.RETURNED_HOME, date(2026, 1, 1))
    assert derive_in_touch([ok(TODAY)], [home], TODAY).code is InTouch.RHOM
    ended = status(ExplicitStatus.RETURNED_HOME, date(2026, 1, 1), ended=date(2026, 6, 1))
    state = derive_in_touch([ok(date(2026, 5, 1))], [ended], TODAY)
    assert state.code is InTouch.YES
    assert state.since == date(2026, 6, 1)
    lapsed = derive_in_touch([ok(date(2025, 12, 1))], [ended], TODAY)
    assert lapsed.code is InTouch.NO
    assert lapsed.since == date(2026, 6, 1)


def test_ending_takes_effect_on_its_date() -> None:
    ended = status(ExplicitStatus.REFUSES_CONTACT, date(2026, 1, 1), ended=TODAY)
    before = derive_in_touch([], [ended], TODAY - timedelta(days=1))
    assert before.code is InTouch.REFU
    assert derive_in_touch([], [ended], TODAY).code is InTouch.NO


def test_latest_event_wins_and_ties_go_to_the_later_record() -> None:
    events = [
        status(ExplicitStatus.RETURNED_HOME, date(2026, 1, 1), sid=1),
        status(ExplicitStatus.REFUSES_CONTACT, date(2026, 3, 1), sid=2),
        status(ExplicitStatus.NO_LONGER_REQUIRES, date(2026, 3, 1), sid=3),
    ]
    assert derive_in_touch([], events, TODAY).code is InTouch.NREQ
    assert derive_in_touch([], events, date(2026, 2, 1)).code is InTouch.RHOM


def test_future_status_is_ignored() -> None:
    later = [status(ExplicitStatus.REFUSES_CONTACT, TODAY + timedelta(days=1))]
    assert derive_in_touch([ok(TODAY)], later, TODAY).code is InTouch.YES


def test_died_is_final() -> None:
    events = [
        status(ExplicitStatus.DIED, date(2026, 2, 1), ended=date(2026, 3, 1), sid=1),
        status(ExplicitStatus.REFUSES_CONTACT, date(2026, 4, 1), sid=2),
    ]
    state = derive_in_touch([ok(TODAY)], events, TODAY)
    assert state.code is InTouch.DIED
    assert state.since == date(2026, 2, 1)


# --- Exports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "annex_a", "ssda903"),
    [
        (InTouch.YES, "a) Yes", "YES"),
        (InTouch.NO, "b) No", "NO"),
        (InTouch.DIED, "c) Died", "DIED"),
        (InTouch.REFU, "d) Refu", "REFU"),
        (InTouch.NREQ, "e) NREQ", "NREQ"),
        (InTouch.RHOM, "f) Rhom", "RHOM"),
    ],
)
def test_export_spellings(code: InTouch, annex_a: str, ssda903: str) -> None:
    state = InTouchState(code, None, None, 0, "")
    assert annex_a_la_in_touch(state) == annex_a
    assert ssda903_in_touch(state) == ssda903


def test_latest_date_of_contact_is_the_in_touch_contact_and_blank_unless_in_touch() -> None:
    contacts = [ok(date(2026, 6, 1)), ok(date(2026, 6, 10), made_by=ContactMadeBy.SOCIAL_WORKER)]
    state = derive_in_touch(contacts, [], TODAY)
    # One definition: the contact that keeps them in touch is the latest date of contact.
    assert latest_date_of_contact(state) == state.latest_successful == date(2026, 6, 10)
    assert state.latest_pa_contact == date(2026, 6, 1)
    only_sw = derive_in_touch(contacts[1:], [], TODAY)
    assert only_sw.code is InTouch.YES and latest_date_of_contact(only_sw) == date(2026, 6, 10)
    lost = derive_in_touch(contacts, [], date(2026, 9, 1))
    assert latest_date_of_contact(lost) is None
    refused = derive_in_touch(contacts, [status(ExplicitStatus.REFUSES_CONTACT, TODAY)], TODAY)
    assert latest_date_of_contact(refused) is None


# --- Re-establishing contact -----------------------------------------------------------


def test_no_steps_unless_not_in_touch() -> None:
    assert reestablish_steps(derive_in_touch([ok(TODAY)], [], TODAY), [ok(TODAY)]) == []
    refu = derive_in_touch([], [status(ExplicitStatus.REFUSES_CONTACT, TODAY)], TODAY)
    assert reestablish_steps(refu, []) == []


def test_steps_name_the_methods_not_yet_tried() -> None:
    contacts = [
        ok(date(2026, 1, 1)),
        tried(date(2026, 5, 1), ContactMethod.PHONE),
        tried(date(2026, 5, 2), ContactMethod.MESSAGE),
    ]
    steps = reestablish_steps(derive_in_touch(contacts, [], TODAY), contacts)
    assert "Not tried yet" in steps[0]
    assert "phone call" not in steps[0]
    assert "email" in steps[0]
    assert any("accommodation provider" in step for step in steps)
    assert any("Record every attempt" in step for step in steps)
    assert not any("team lead" in step for step in steps)
    assert len(steps) <= 6


def test_steps_escalate_after_repeated_attempts() -> None:
    contacts = [tried(date(2026, 5, d), method) for d, method in enumerate(ContactMethod, 1)]
    steps = reestablish_steps(derive_in_touch(contacts, [], TODAY), contacts)
    assert "Every contact method has been tried" in steps[0]
    assert any("team lead" in step for step in steps)


# --- Properties ------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
# The last day of every month: 31 January plus 0 to 11 months.
month_ends = st.builds(
    lambda y, m: add_months(date(y, 1, 31), m), st.integers(2020, 2032), st.integers(0, 11)
)
contact_days = st.one_of(days, month_ends, st.just(date(2028, 2, 29)))
contacts_lists = st.lists(
    st.builds(
        ContactFact,
        id=st.integers(1, 10_000),
        when=contact_days,
        successful=st.booleans(),
        made_by=st.sampled_from(ContactMadeBy),
    ),
    max_size=12,
)
windows = st.integers(min_value=1, max_value=6)


@given(contacts_lists, days, windows)
def test_a_successful_contact_today_always_means_in_touch(
    contacts: list[ContactFact], today: date, window: int
) -> None:
    state = derive_in_touch([*contacts, ok(today)], [], today, window)
    assert state.code is InTouch.YES
    assert state.latest_successful == today
    assert state.attempts_since == 0


@given(contacts_lists, days, windows)
def test_in_touch_exactly_within_the_window(
    contacts: list[ContactFact], today: date, window: int
) -> None:
    state = derive_in_touch(contacts, [], today, window)
    successes = [c.on for c in contacts if c.successful and c.on <= today]
    expected = bool(successes) and today <= add_months(max(successes), window)
    assert (state.code is InTouch.YES) == expected
    if state.code is InTouch.YES:
        assert state.since is not None and state.since <= today
    elif state.since is not None:
        assert state.since <= today
        assert state.since == add_months(max(successes), window) + timedelta(days=1)


@given(contacts_lists, days, days)
def test_adding_a_later_successful_contact_never_loses_touch(
    contacts: list[ContactFact], today: date, extra: date
) -> None:
    before = derive_in_touch(contacts, [], today)
    latest = before.latest_successful
    if latest is None or extra <= latest or extra > today:
        return
    after = derive_in_touch([*contacts, ok(extra)], [], today)
    assert not (before.code is InTouch.YES and after.code is InTouch.NO)
    assert after.window_ends is not None and before.window_ends is not None
    assert after.window_ends >= before.window_ends


@given(contacts_lists, days, days, st.lists(st.sampled_from(ExplicitStatus), max_size=3))
def test_once_died_always_died(
    contacts: list[ContactFact], died_on: date, today: date, others: list[ExplicitStatus]
) -> None:
    events = [status(ExplicitStatus.DIED, died_on, sid=0)]
    events += [status(s, died_on + timedelta(days=n + 1), sid=n + 1) for n, s in enumerate(others)]
    state = derive_in_touch(contacts, events, today)
    assert (state.code is InTouch.DIED) == (died_on <= today)
