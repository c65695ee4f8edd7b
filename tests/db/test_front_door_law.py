"""The front-door clocks the law sets, on real SQLCipher files: a referral keeps its
contact's receipt, the assessment clock runs for section 47 too and stops at authorisation,
the LADO's strategy decision, allegations against KCSIE, still missing and return
interviews held, exploitation screenings, lowered levels signed off by someone else, child
protection plans, re-referrals counting referrals only, and the migration's backfills."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text

from casework.clock import local_today, to_local
from casework.db.models import Referral, User
from casework.domain.calendar import add_months
from casework.errors import PermissionDenied, ValidationFailed
from casework.services import auth, due, front_door, safeguarding, users
from casework.services import child_protection as cp
from casework.services.front_door import ConcernInput, ReferralProgress
from casework.services.people import CaseloadQuery, caseload_ids
from casework.services.permissions import SYSTEM_ACTOR, Actor, Role
from tests.conftest import NOW, Opened
from tests.db._rewind import previous, rewind


@pytest.fixture
def case(demo_db: Opened) -> tuple[Opened, Actor, int]:
    lead = demo_db.login("lead.north")
    return demo_db, lead, caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]


def _items(opened: Opened, actor: Actor, pid: int, now: datetime = NOW) -> dict[str, list]:  # type: ignore[type-arg]
    out: dict[str, list] = {}  # type: ignore[type-arg]
    for item in due.person_status(opened.db, actor, pid, now=now).status.items:
        out.setdefault(item.kind.value, []).append(item)
    return out


def _concern(received: datetime, factors: tuple[str, ...] = ()) -> ConcernInput:
    return ConcernInput(received, "6", "Seen with older men near the station.", factors=factors)


def _referral(opened: Opened, lead: Actor, pid: int, received: datetime, now: datetime) -> int:
    (cid,) = front_door.record_concern(opened.db, lead, pid, _concern(received), now=now).ids
    changed = front_door.decide_concern(opened.db, lead, cid, "referral", "Refer.", now=now)
    return changed.ids[1]


def test_referral_keeps_the_contact_receipt_and_factors(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    received = NOW - timedelta(days=3)
    (cid,) = front_door.record_concern(
        opened.db, lead, pid, _concern(received, ("11A",)), now=NOW
    ).ids
    rid = front_door.decide_concern(opened.db, lead, cid, "referral", "Refer.", now=NOW).ids[1]
    with opened.db.reading() as session:
        row = session.get(Referral, rid)
        assert row is not None
        assert row.received_at == received.replace(tzinfo=None) and row.factors == "11A"
    # Its decision clock ran from the contact's receipt, so it is already overdue.
    decision = next(i for i in _items(opened, lead, pid)["referral_decision"] if i.source_id == rid)
    assert decision.overdue and "Working Together 2023" in decision.detail


@pytest.mark.parametrize("decision", ["assessment", "strategy_s47"])
def test_assessment_clock_until_authorised(case, decision: str) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    received = NOW - timedelta(days=2)
    rid = _referral(opened, lead, pid, received, NOW)
    front_door.decide_referral(opened.db, lead, rid, decision, "Needs assessing.", now=NOW)
    [item] = [i for i in _items(opened, lead, pid)["assessment"] if i.source_id == rid]
    from casework.config import council_rules
    from casework.domain.front_door import assessment_due

    assert item.due == assessment_due(to_local(received), council_rules().calendar)
    today = local_today(NOW)
    start = today - timedelta(days=1)
    done = ReferralProgress(start, True, True, today)
    front_door.record_progress(opened.db, lead, rid, done, now=NOW)
    # Completed is not enough: the clock runs until a team lead authorises it.
    assert any(i.source_id == rid for i in _items(opened, lead, pid)["assessment"])
    other = _second_lead(opened)  # whoever recorded the assessment never authorises it
    front_door.authorise_assessment(opened.db, other, rid, now=NOW)
    assert not any(i.source_id == rid for i in _items(opened, lead, pid).get("assessment", []))
    view = next(v for v in front_door.list_referrals(opened.db, lead, pid, now=NOW) if v.id == rid)
    assert view.authorised and view.authorised_on == today
    with pytest.raises(ValidationFailed, match="already authorised"):
        front_door.authorise_assessment(opened.db, other, rid, now=NOW)
    # A changed completion date needs authorising again.
    front_door.record_progress(
        opened.db,
        lead,
        rid,
        ReferralProgress(start, True, True, start),
        now=NOW,
    )
    assert any(i.source_id == rid for i in _items(opened, lead, pid)["assessment"])


def test_re_referral_counts_referrals_only(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    with opened.db.unit_of_work() as session:  # a clean history for this young person
        for table in ("safeguarding_contacts", "referrals"):
            session.execute(text(f"DELETE FROM {table} WHERE young_person_id = :p"), {"p": pid})
    for days_ago in (40, 20):  # concerns that were not referred
        (cid,) = front_door.record_concern(
            opened.db, lead, pid, _concern(NOW - timedelta(days=days_ago)), now=NOW
        ).ids
        front_door.decide_concern(opened.db, lead, cid, "nfa", "No concerns.", now=NOW)
    rid = _referral(opened, lead, pid, NOW - timedelta(hours=2), NOW)
    history = front_door.decision_history(opened.db, lead, pid, now=NOW, referral_id=rid)
    assert history.contacts_12_months == 3 and history.referrals_12_months == 1
    assert not history.re_referral  # earlier contacts are not referrals (DfE CIN)
    second = _referral(opened, lead, pid, NOW - timedelta(hours=1), NOW)
    again = front_door.decision_history(opened.db, lead, pid, now=NOW, referral_id=second)
    assert again.re_referral and again.referrals_12_months == 2


def test_lado_strategy_decision_and_allegation_timescales(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    received = NOW - timedelta(days=40)
    (aid,) = safeguarding.record_allegation(
        opened.db,
        lead,
        pid,
        safeguarding.AllegationInput("teacher", received, "Inappropriate messages."),
        now=NOW,
    ).ids
    items = _items(opened, lead, pid)
    assert any(i.source_id == aid for i in items["lado_notification"])
    assert not any(i.source_id == aid for i in items.get("strategy_meeting", []))
    outcome = next(i for i in items["allegation_outcome"] if i.source_id == aid)
    assert outcome.overdue and "KCSIE" in outcome.detail and "more than 1 month" in outcome.detail

    def update(**changes: object) -> None:
        base: dict[str, object] = {
            "lado_notified_at": received + timedelta(hours=3),
            "strategy_meeting_at": None,
            "police_involved": False,
            "actions": "",
        }
        safeguarding.update_allegation(opened.db, lead, aid, **(base | changes), now=NOW)  # type: ignore[arg-type]

    update()
    decision = next(i for i in _items(opened, lead, pid)["strategy_decision"] if i.source_id == aid)
    assert decision.overdue and "criteria" in decision.title
    with pytest.raises(ValidationFailed, match="reason"):
        update(strategy_criteria_met=False)
    update(strategy_criteria_met=False, strategy_not_required_reason="Below the harm threshold.")
    items = _items(opened, lead, pid)
    assert not any(i.source_id == aid for i in items.get("strategy_decision", []))
    assert not any(i.source_id == aid for i in items.get("strategy_meeting", []))
    update(strategy_criteria_met=True)
    meeting = next(i for i in _items(opened, lead, pid)["strategy_meeting"] if i.source_id == aid)
    assert meeting.overdue and "72 hours" in meeting.title
    [view] = [
        a for a in safeguarding.list_allegations(opened.db, lead, pid, now=NOW) if a.id == aid
    ]
    assert view.strategy_meeting_owed and view.stage is not None and 1 in view.stage.passed


def test_still_missing_and_return_interview_held(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    gone = NOW - timedelta(days=2)
    (eid,) = safeguarding.save_missing(
        opened.db, lead, pid, safeguarding.MissingInput(gone, reported_to_police=True), now=NOW
    ).ids
    still = next(i for i in _items(opened, lead, pid)["still_missing"] if i.source_id == eid)
    assert still.overdue and "Still missing" in still.title
    back = NOW - timedelta(days=1)
    offered = safeguarding.MissingInput(gone, back, True, back + timedelta(hours=2))
    safeguarding.save_missing(opened.db, lead, pid, offered, episode_id=eid, now=NOW)
    items = _items(opened, lead, pid)
    assert not any(i.source_id == eid for i in items.get("still_missing", []))
    # Offered is not held: the interview stays due.
    interview = next(i for i in items["return_interview"] if i.source_id == eid)
    assert not interview.overdue and "Hold" in interview.title
    with pytest.raises(ValidationFailed, match="before the return"):
        safeguarding.save_missing(
            opened.db,
            lead,
            pid,
            safeguarding.MissingInput(gone, back, True, None, True, "", back - timedelta(hours=1)),
            episode_id=eid,
            now=NOW,
        )
    held = safeguarding.MissingInput(gone, back, True, None, True, "", back + timedelta(hours=20))
    safeguarding.save_missing(opened.db, lead, pid, held, episode_id=eid, now=NOW)
    assert not any(
        i.source_id == eid for i in _items(opened, lead, pid).get("return_interview", [])
    )
    views, _ = safeguarding.list_missing(opened.db, lead, pid, now=NOW)
    view = next(v for v in views if v.id == eid)
    assert view.interview_held_in_time and not view.interview_owed


@pytest.mark.tampers  # clears the person's screenings straight in the file
def test_exploitation_factor_makes_a_screening_due(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    with opened.db.unit_of_work() as session:
        session.execute(text("DELETE FROM risk_screenings WHERE young_person_id = :p"), {"p": pid})
    received = NOW - timedelta(days=1)
    front_door.record_concern(opened.db, lead, pid, _concern(received, ("24A", "2A")), now=NOW)
    due_items = [
        i for i in _items(opened, lead, pid).get("risk_screening", []) if "criminal" in i.title
    ]
    assert len(due_items) == 1 and not due_items[0].overdue
    assert "5 working days" in due_items[0].detail
    safeguarding.screen_risk(
        opened.db,
        lead,
        pid,
        safeguarding.RiskInput("cce", "low", "Talked it through.", local_today(NOW)),
        now=NOW,
    )
    assert not any(
        "criminal" in i.title for i in _items(opened, lead, pid).get("risk_screening", [])
    )


def _second_lead(opened: Opened) -> Actor:
    new = users.NewUser(
        "lead.second",
        "Sam Second",
        Role.TEAM_LEAD,
        "a long enough password 2026",
        leads=("Leaving Care North",),
    )
    users.add_user(opened.db, SYSTEM_ACTOR, new, now=NOW)
    return auth.login(opened.db, "lead.second", "a long enough password 2026", now=NOW)


def test_lowering_a_high_level_needs_another_team_leads_sign_off(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    today = local_today(NOW)
    high = safeguarding.RiskInput(
        "cse",
        "high",
        "Older men, gifts.",
        today - timedelta(days=10),
        ("Unexplained money, gifts, phones or clothes",),
    )
    safeguarding.screen_risk(opened.db, lead, pid, high, now=NOW)
    low = safeguarding.RiskInput("cse", "low", "Moved away from them.", today)
    (sid,) = safeguarding.screen_risk(opened.db, lead, pid, low, now=NOW).ids
    view = next(v for v in safeguarding.list_risks(opened.db, lead, pid, now=NOW) if v.id == sid)
    assert view.awaiting_sign_off and view.lowered_from is not None
    item = next(i for i in _items(opened, lead, pid)["risk_sign_off"] if i.source_id == sid)
    assert "lowering" in item.title and "high to low" in item.title
    with pytest.raises(PermissionDenied, match="another team lead must"):
        safeguarding.sign_off_risk(opened.db, lead, sid, now=NOW)
    other = _second_lead(opened)
    safeguarding.sign_off_risk(opened.db, other, sid, now=NOW)
    assert not any(i.source_id == sid for i in _items(opened, lead, pid).get("risk_sign_off", []))
    with opened.db.reading() as session:
        actions = list(
            session.scalars(
                text(
                    "SELECT action FROM audit_events "
                    "WHERE record_type = 'risk_screening' AND record_id = :r"
                ),
                {"r": str(sid)},
            )
        )
    assert "sign_off_risk" in actions


def test_child_protection_plan_clocks(case) -> None:  # type: ignore[no-untyped-def]
    opened, lead, pid = case
    today = local_today(NOW)
    rid = _referral(opened, lead, pid, NOW - timedelta(days=30), NOW)
    front_door.decide_referral(opened.db, lead, rid, "strategy_s47", "Significant harm.", now=NOW)
    icpc = today - timedelta(days=15)
    progress = ReferralProgress(strategy_discussion_on=today - timedelta(days=28), icpc_on=icpc)
    front_door.record_progress(opened.db, lead, rid, progress, now=NOW)
    with pytest.raises(ValidationFailed, match="initial conference"):
        cp.start_plan(opened.db, lead, pid, icpc - timedelta(days=1), referral_id=rid, now=NOW)
    (plan_id,) = cp.start_plan(opened.db, lead, pid, icpc, referral_id=rid, now=NOW).ids
    items = _items(opened, lead, pid)
    core = next(i for i in items["core_group"] if i.source_id == plan_id)
    review = next(i for i in items["cp_review"] if i.source_id == plan_id)
    assert core.overdue and "10 working days" in core.detail  # Thursday 12 November + 10
    assert review.due == add_months(icpc, 3)
    cp.record_meeting(opened.db, lead, plan_id, "core_group", icpc + timedelta(days=7), now=NOW)
    cp.record_meeting(opened.db, lead, plan_id, "review_conference", today, now=NOW)
    items = _items(opened, lead, pid)
    assert not any(i.source_id == plan_id for i in items.get("core_group", []))
    [review] = [i for i in items["cp_review"] if i.source_id == plan_id]
    assert "6 months" in review.detail
    with opened.db.reading() as session:
        [fact] = cp.plan_facts(session, [pid])[pid]
    assert fact.ended_on is None and fact.last_review_on == today and fact.review_due == review.due
    with pytest.raises(ValidationFailed, match="end_reason"):
        cp.end_plan(opened.db, lead, plan_id, today, " ", now=NOW)
    cp.end_plan(opened.db, lead, plan_id, today, "Risks reduced; child in need plan.", now=NOW)
    assert not _items(opened, lead, pid).get("cp_review")
    [view] = cp.list_plans(opened.db, lead, pid, now=NOW)
    assert not view.open and len(view.meetings) == 2
    from casework.services import chronology

    titles = {
        e.title
        for e in chronology.chronology(
            opened.db, lead, pid, now=NOW, kinds=[chronology.EventKind.FRONT_DOOR]
        )
    }
    assert {
        "Child protection plan made",
        "Core group meeting",
        "Child protection plan ended",
    } <= titles
    assert "Initial child protection conference" in titles


def test_migration_backfills_the_front_door(demo_db: Opened, tmp_path: Path) -> None:
    """Rewind to before 0007 with a contact-made referral, an authorised assessment, a held
    strategy meeting and an accepted return interview; opening upgrades and backfills."""
    from casework.db.database import open_database, unlock
    from tests.conftest import PASSPHRASE

    db = demo_db.db
    with db.reading() as session:
        lead = session.scalar(select(User.id).where(User.username == "lead.north"))
        pid = session.scalar(text("SELECT id FROM young_people ORDER BY id LIMIT 1"))

    def old_rows(conn: Connection) -> None:
        conn.execute(
            text(
                "INSERT INTO referrals (id, young_person_id, received_at, source, reason, "
                "recorded_by, rationale, assessment_child_seen, assessment_seen_alone, "
                "assessment_completed_on, assessment_authorised_by, s47_outcome, "
                "icpc_not_required_reason, decision, decided_at, decided_by) VALUES "
                "(9001, :p, '2026-11-20 15:00:00', '6', 'r', :u, '', 1, 1, '2026-11-25', :u, "
                "'', '', 'assessment', '2026-11-20 16:00:00', :u)"
            ),
            {"p": pid, "u": lead},
        )
        conn.execute(
            text(
                "INSERT INTO safeguarding_contacts (young_person_id, received_at, source, "
                "referrer_name, referrer_contact, reported, factors, already_known, recorded_by, "
                "decision, rationale, decided_by, decided_at, referral_id) VALUES "
                "(:p, '2026-11-19 09:30:00', '6', '', '', 'r', '11A', 1, :u, 'referral', 'x', "
                ":u, '2026-11-20 15:00:00', 9001)"
            ),
            {"p": pid, "u": lead},
        )
        conn.execute(
            text(
                "INSERT INTO missing_episodes (id, young_person_id, started_at, ended_at, "
                "reported_to_police, interview_offered_at, interview_accepted, learned, "
                "recorded_by) VALUES (9001, :p, '2026-11-01 20:00:00', '2026-11-02 08:00:00', "
                "1, '2026-11-02 12:00:00', 1, '', :u)"
            ),
            {"p": pid, "u": lead},
        )

    rewind(demo_db, previous("0007"), tmp_path, then=old_rows)
    key, info = unlock(demo_db.path, passphrase=PASSPHRASE)
    upgraded = open_database(demo_db.path, key, info=info, now=NOW)
    assert upgraded.upgraded_from == previous("0007")
    with upgraded.reading() as session:
        row = session.get(Referral, 9001)
        assert row is not None
        assert row.received_at == datetime(2026, 11, 19, 9, 30) and row.factors == "11A"
        assert row.assessment_authorised_on == date(2026, 11, 25)
        held = session.scalar(
            text("SELECT interview_held_at FROM missing_episodes WHERE id = 9001")
        )
        assert str(held).startswith("2026-11-02 12:00")
        met = session.scalar(
            text(
                "SELECT count(*) FROM allegations WHERE strategy_meeting_at IS NOT NULL "
                "AND (strategy_criteria_met IS NULL OR strategy_criteria_met = 0)"
            )
        )
        assert met == 0
    upgraded.close()


def test_demo_has_examples_of_the_new_clocks(demo_db: Opened) -> None:
    items = due.report_due(demo_db.db, SYSTEM_ACTOR, as_of=NOW.date(), now=NOW)
    kinds = {i["kind"] for i in items}
    assert {
        "lado_notification",
        "strategy_decision",
        "strategy_meeting",
        "allegation_outcome",
        "core_group",
        "icpc",
        "assessment",
        "risk_screening",
    } <= kinds
    today = local_today(NOW).isoformat()
    waiting = [i for i in items if i["kind"] == "contact_decision" and i["due"] == today]
    assert waiting and not any(i["overdue"] for i in waiting)  # due today: due, not overdue
