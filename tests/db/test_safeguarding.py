"""Allegations, risk screenings, missing episodes and referrals out on real files: none can
be finished without its outcome."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casework.errors import PermissionDenied, ValidationFailed
from casework.services import safeguarding as sg
from casework.services.people import CaseloadQuery, caseload_ids
from tests.conftest import NOW, Opened

TODAY = NOW.date()


@pytest.fixture
def case(demo_db: Opened):  # type: ignore[no-untyped-def]
    lead = demo_db.login("lead.north")
    return demo_db, lead, caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]


def test_allegation_needs_an_outcome_to_finish(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    data = sg.AllegationInput("foster_carer", NOW - timedelta(days=2), "Pushed them.")
    (aid,) = sg.record_allegation(opened.db, lead, pid, data, now=NOW).ids
    [view] = sg.list_allegations(opened.db, lead, pid, now=NOW)
    assert view.open and view.lado_due > (NOW - timedelta(days=2)).date()
    with pytest.raises(ValidationFailed) as caught:
        sg.close_allegation(opened.db, lead, aid, "", "", TODAY, now=NOW)
    assert any(p.startswith("outcome:") for p in caught.value.problems)
    assert any(p.startswith("rationale:") for p in caught.value.problems)
    sg.close_allegation(
        opened.db, lead, aid, "unsubstantiated", "No evidence either way.", TODAY, now=NOW
    )
    [view] = sg.list_allegations(opened.db, lead, pid, now=NOW)
    assert not view.open and view.outcome_by is not None
    with pytest.raises(ValidationFailed, match="finished"):
        sg.update_allegation(
            opened.db,
            lead,
            aid,
            lado_notified_at=NOW,
            strategy_meeting_at=None,
            police_involved=False,
            actions="",
            now=NOW,
        )


def test_high_risk_from_a_practitioner_awaits_sign_off(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    from sqlalchemy import select

    from casework.db.models import User

    with opened.db.reading() as session:
        pa = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    worker = opened.login(pa)  # type: ignore[arg-type]
    cse = sg.indicators()["cse"]
    with pytest.raises(ValidationFailed, match="reasoning"):
        sg.screen_risk(
            opened.db, worker, pid, sg.RiskInput("cse", "high", "", TODAY, cse[:1]), now=NOW
        )
    with pytest.raises(ValidationFailed, match="indicator"):
        sg.screen_risk(
            opened.db,
            worker,
            pid,
            sg.RiskInput("cse", "high", "Seen with older men.", TODAY, ("made up",)),
            now=NOW,
        )
    (rid,) = sg.screen_risk(
        opened.db,
        worker,
        pid,
        sg.RiskInput("cse", "high", "Seen with older men.", TODAY, cse[:2]),
        now=NOW,
    ).ids
    [view] = [
        v
        for v in sg.current_risks(sg.list_risks(opened.db, lead, pid, now=NOW))
        if v.risk_type.value == "cse"
    ]
    assert view.awaiting_sign_off and view.review_on == TODAY + timedelta(weeks=6)
    with pytest.raises(PermissionDenied):
        sg.sign_off_risk(opened.db, worker, rid, now=NOW)
    sg.sign_off_risk(opened.db, lead, rid, now=NOW)
    assert not sg.list_risks(opened.db, lead, pid, now=NOW)[0].awaiting_sign_off


def test_missing_episode_and_return_interview(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    start = NOW - timedelta(days=4)
    (eid,) = sg.save_missing(opened.db, lead, pid, sg.MissingInput(start), now=NOW).ids
    with pytest.raises(ValidationFailed, match="before"):
        sg.save_missing(
            opened.db,
            lead,
            pid,
            sg.MissingInput(start, ended_at=start - timedelta(hours=1)),
            episode_id=eid,
            now=NOW,
        )
    back = start + timedelta(days=1)
    sg.save_missing(
        opened.db,
        lead,
        pid,
        sg.MissingInput(
            start,
            ended_at=back,
            reported_to_police=True,
            interview_offered_at=back + timedelta(hours=80),
        ),
        episode_id=eid,
        now=NOW,
    )
    views, count = sg.list_missing(opened.db, lead, pid, now=NOW)
    assert count == 1 and views[0].interview_in_time is False


def test_referral_out_needs_reason_or_outcome(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    (rid,) = sg.send_referral_out(
        opened.db,
        lead,
        pid,
        "housing",
        "Homeless Team",
        TODAY - timedelta(days=20),
        TODAY - timedelta(days=5),
        now=NOW,
    ).ids
    [view] = sg.list_referrals_out(opened.db, lead, pid, now=NOW)
    assert view.open and view.chase_due is not None and view.chase_due < TODAY
    sg.update_referral_out(opened.db, lead, rid, "acknowledged", chased_on=TODAY, now=NOW)
    assert sg.list_referrals_out(opened.db, lead, pid, now=NOW)[0].chase_due > TODAY
    with pytest.raises(ValidationFailed, match="reason"):
        sg.update_referral_out(opened.db, lead, rid, "declined", now=NOW)
    sg.update_referral_out(opened.db, lead, rid, "declined", reason="Not in their area.", now=NOW)
    with pytest.raises(ValidationFailed, match="finished"):
        sg.update_referral_out(opened.db, lead, rid, "accepted", now=NOW)
    assert sg.list_referrals_out(opened.db, lead, pid, now=NOW)[0].chase_due is None
    assert isinstance(TODAY, date)
