"""The front door on real files: concerns recorded, the one-working-day clock, decisions by
team leads only with a rationale, referrals opened by a decision, the queue by deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from casework.db.models import User
from casework.errors import PermissionDenied, ValidationFailed
from casework.services import front_door
from casework.services.front_door import ConcernInput
from casework.services.people import CaseloadQuery, caseload_ids
from tests.conftest import NOW, Opened

# Thursday 24 December 2026 16:55 UK time (GMT): due by the end of Tuesday 29 December.
CHRISTMAS_EVE = datetime(2026, 12, 24, 16, 55, tzinfo=UTC)


def _concern(**changes: object) -> ConcernInput:
    base = {
        "received_at": CHRISTMAS_EVE,
        "source": "6",
        "reported": "Seen with older men.",
        "factors": ("11A",),
    }
    return ConcernInput(**(base | changes))  # type: ignore[arg-type]


@pytest.fixture
def case(demo_db: Opened):  # type: ignore[no-untyped-def]
    lead = demo_db.login("lead.north")
    return demo_db, lead, caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]


def test_concern_clock_and_queue(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    later = CHRISTMAS_EVE + timedelta(days=5)
    (cid,) = front_door.record_concern(opened.db, lead, pid, _concern(), now=later).ids
    [item] = [i for i in front_door.queue(opened.db, lead, now=later) if i.id == cid]
    assert item.due.isoformat() == "2026-12-29" and not item.overdue
    after = front_door.queue(opened.db, lead, now=CHRISTMAS_EVE + timedelta(days=6))
    assert next(i for i in after if i.id == cid).overdue


def test_bad_concern_is_named(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    with pytest.raises(ValidationFailed) as caught:
        front_door.record_concern(
            opened.db, lead, pid, _concern(source="99", reported=" ", factors=("XX",)), now=NOW
        )
    text = " ".join(caught.value.problems)
    assert "source:" in text and "reported:" in text and "factors:" in text


def test_only_team_leads_decide_with_a_rationale(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    (cid,) = front_door.record_concern(opened.db, lead, pid, _concern(received_at=NOW), now=NOW).ids
    with opened.db.reading() as session:
        pa = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    assert pa is not None
    with pytest.raises(PermissionDenied):
        front_door.decide_concern(opened.db, opened.login(pa), cid, "nfa", "None", now=NOW)
    with pytest.raises(ValidationFailed, match="ationale"):
        front_door.decide_concern(opened.db, lead, cid, "nfa", " ", now=NOW)
    changed = front_door.decide_concern(opened.db, lead, cid, "referral", "Risk of CSE.", now=NOW)
    assert len(changed.ids) == 2  # the contact and the referral it opened
    queued = front_door.queue(opened.db, lead, now=NOW)
    assert not any(i.kind == "contact" and i.id == cid for i in queued)
    referral = next(i for i in queued if i.kind == "referral" and i.id == changed.ids[1])
    front_door.decide_referral(
        opened.db, lead, referral.id, "assessment", "Needs assessing.", now=NOW
    )
    with pytest.raises(ValidationFailed, match="already"):
        front_door.decide_referral(opened.db, lead, referral.id, "nfa", "Changed mind.", now=NOW)


def test_history_and_repeat_alert(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    for days in (3, 1):
        front_door.record_concern(
            opened.db, lead, pid, _concern(received_at=NOW - timedelta(days=days)), now=NOW
        )
    history = front_door.decision_history(opened.db, lead, pid, now=NOW)
    assert history.contacts_12_months == 2 and history.repeat_alert


def test_adult_safeguarding_only_for_18_and_over(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, _ = case
    ids = caseload_ids(opened.db, lead, CaseloadQuery(sort=front_door_sort()), now=NOW)
    youngest = ids[0]
    (cid,) = front_door.record_concern(
        opened.db, lead, youngest, _concern(received_at=NOW), now=NOW
    ).ids
    with pytest.raises(ValidationFailed, match="18"):
        front_door.decide_concern(opened.db, lead, cid, "adult_safeguarding", "Adult now.", now=NOW)


def front_door_sort():  # type: ignore[no-untyped-def]
    from casework.services.people import SortKey

    return SortKey.AGE


def test_front_door_clocks_join_what_is_due(case) -> None:  # type: ignore[no-untyped-def]
    from casework.services import due, safeguarding
    from casework.services.permissions import SYSTEM_ACTOR

    opened, lead, pid = case
    received = NOW - timedelta(days=4)
    front_door.record_concern(opened.db, lead, pid, _concern(received_at=received), now=NOW)
    safeguarding.record_allegation(
        opened.db,
        lead,
        pid,
        safeguarding.AllegationInput("teacher", received, "Inappropriate messages."),
        now=NOW,
    )
    kinds = {i.kind.value: i for i in due.person_status(opened.db, lead, pid, now=NOW).status.items}
    assert kinds["contact_decision"].overdue
    assert kinds["lado_notification"].overdue
    assert "strategy_meeting" not in kinds  # only once the LADO finds the criteria met
    assert not kinds["allegation_outcome"].overdue  # KCSIE: within 1 month for most
    report = due.report_due(opened.db, SYSTEM_ACTOR, as_of=NOW.date(), now=NOW)
    assert {"contact_decision", "lado_notification"} <= {r["kind"] for r in report}


def test_front_door_events_in_the_chronology(case) -> None:  # type: ignore[no-untyped-def]
    from casework.services import chronology

    opened, lead, pid = case
    (cid,) = front_door.record_concern(opened.db, lead, pid, _concern(received_at=NOW), now=NOW).ids
    front_door.decide_concern(opened.db, lead, cid, "referral", "Risk of CSE.", now=NOW)
    events = chronology.chronology(
        opened.db, lead, pid, now=NOW, kinds=[chronology.EventKind.FRONT_DOOR]
    )
    titles = [e.title for e in events]
    assert any(t.startswith("Concern received from") for t in titles)
    assert "Decision: Referral to children's social care" in titles
    assert "Referral to children's social care" in titles


def test_assessment_strategy_and_icpc(case) -> None:  # type: ignore[no-untyped-def]
    from casework.services import due
    from casework.services.front_door import ReferralProgress

    opened, lead, pid = case
    (cid,) = front_door.record_concern(
        opened.db, lead, pid, _concern(received_at=NOW - timedelta(days=20)), now=NOW
    ).ids
    changed = front_door.decide_concern(opened.db, lead, cid, "referral", "Risk.", now=NOW)
    rid = changed.ids[1]
    front_door.decide_referral(opened.db, lead, rid, "assessment", "Assess.", now=NOW)
    with pytest.raises(ValidationFailed, match="strategy discussion first"):
        front_door.record_progress(
            opened.db, lead, rid, ReferralProgress(icpc_not_required_reason="Safe."), now=NOW
        )
    started = NOW.date() - timedelta(days=10)
    front_door.record_progress(
        opened.db,
        lead,
        rid,
        ReferralProgress(
            assessment_started_on=started,
            child_seen=True,
            seen_alone=True,
            strategy_discussion_on=started,
        ),
        now=NOW,
    )
    [view] = [r for r in front_door.list_referrals(opened.db, lead, pid, now=NOW) if r.id == rid]
    assert view.assessment_due is not None and view.icpc_due is not None
    kinds = {i.kind.value for i in due.person_status(opened.db, lead, pid, now=NOW).status.items}
    assert {"assessment", "icpc"} <= kinds
    from casework.services import users
    from casework.services.permissions import SYSTEM_ACTOR, Role
    from tests.conftest import PASSWORD

    team = "Leaving Care North"
    second = users.NewUser("lead.two", "Second Lead", Role.TEAM_LEAD, PASSWORD, team=team)
    users.add_user(opened.db, SYSTEM_ACTOR, second, now=NOW)
    other_lead = opened.login("lead.two")
    with pytest.raises(ValidationFailed, match="not recorded as completed"):
        front_door.authorise_assessment(opened.db, other_lead, rid, now=NOW)
    with opened.db.reading() as session:
        pa = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    worker = opened.login(pa)  # type: ignore[arg-type]
    front_door.record_progress(
        opened.db,
        worker,
        rid,
        ReferralProgress(
            assessment_started_on=started,
            child_seen=True,
            seen_alone=True,
            assessment_completed_on=NOW.date(),
            strategy_discussion_on=started,
            icpc_not_required_reason="Risk reduced by the plan agreed.",
        ),
        now=NOW,
    )
    with pytest.raises(PermissionDenied, match="You wrote or changed this assessment"):
        front_door.authorise_assessment(opened.db, lead, rid, now=NOW)  # it recorded the start
    front_door.authorise_assessment(opened.db, other_lead, rid, now=NOW)
    [view] = [r for r in front_door.list_referrals(opened.db, lead, pid, now=NOW) if r.id == rid]
    assert view.authorised and view.icpc_due is None
    assert any(
        c.referral_id == rid for c in front_door.list_concerns(opened.db, lead, pid, now=NOW)
    )
