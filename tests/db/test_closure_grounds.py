"""Lawful closure grounds and accommodation suitability on real SQLCipher files:
arrangements alongside a care leaver's case (CLR 2010 reg 2(1)), closure refused on a
ground the law does not accept, bed and breakfast reviewed by someone other than whoever
recorded it, and the SSDA903 entry rules (345, 347, 3001)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from casework.db.models import AuditEvent, User
from casework.errors import PermissionDenied, ValidationFailed
from casework.services import accommodation, arrangements, closure, people
from casework.services.accommodation import AccommodationInput
from casework.services.arrangements import ArrangementInput
from casework.services.closure import ClosureInput
from casework.services.permissions import Actor
from tests.conftest import NOW, Opened

TODAY = NOW.date()


@dataclass
class Team:
    opened: Opened
    lead: Actor
    worker: Actor


@pytest.fixture
def team(demo_db: Opened) -> Team:
    lead = demo_db.login("lead.north")
    with demo_db.db.reading() as session:
        username = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    assert username is not None
    return Team(demo_db, lead, demo_db.login(username))


def _person(team: Team, age: int, eligibility: str) -> int:
    dob = date(TODAY.year - age, 1, 15)
    data = people.YoungPersonInput(
        child_uid=f"T{age}{eligibility[:3]}".replace("_", "-"),
        first_name="Test",
        last_name=f"Person{age}",
        date_of_birth=dob,
        sex="female",
        ethnicity="WBRI",
        disability="no",
        uasc=False,
        eligibility=eligibility,
        team_id=team.lead.team_id or 0,
        personal_adviser_id=team.worker.user_id,
    )
    (pid,) = people.create_young_person(team.opened.db, team.lead, data, now=NOW).ids
    return pid


def _events(opened: Opened, action: str) -> list[AuditEvent]:
    with opened.db.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_transfer_is_an_audited_arrangement_and_the_case_stays_open(team: Team) -> None:
    db = team.opened.db
    pid = _person(team, 20, "former_relevant")
    options = {o.code: o for o in closure.reason_options(db, team.worker, pid, now=NOW)}
    assert not options["CLTR"].allowed and "reg 2(1)" in options["CLTR"].why
    assert [c for c, o in options.items() if o.allowed] == ["CLDI"]
    with pytest.raises(ValidationFailed, match=r"reg 2\(1\)"):
        closure.request_closure(
            db,
            team.worker,
            pid,
            ClosureInput("CLTR", reason_date=TODAY, receiving_body="Northshire"),
            now=NOW,
        )
    arrangements.add_arrangement(
        db,
        team.worker,
        pid,
        ArrangementInput("transfer", "Northshire leaving care team", TODAY, "Moved for college."),
        now=NOW,
    )
    [view] = arrangements.list_arrangements(db, team.lead, pid, now=NOW)
    assert view.with_whom == "Northshire leaving care team" and view.started_on == TODAY
    assert view.recorded_by and _events(team.opened, "add_arrangement")
    assert closure.overview(db, team.lead, pid, now=NOW).state == "open"


def test_arrangement_refused_for_a_child_in_need_and_needs_who(team: Team) -> None:
    db = team.opened.db
    child = _person(team, 15, "no_current")
    with pytest.raises(ValidationFailed, match="RC5 or RC6"):
        arrangements.add_arrangement(
            db, team.worker, child, ArrangementInput("transfer", "Northshire", TODAY), now=NOW
        )
    leaver = _person(team, 19, "former_relevant")
    with pytest.raises(ValidationFailed, match="name the other council"):
        arrangements.add_arrangement(
            db, team.worker, leaver, ArrangementInput("adult_services", " ", TODAY), now=NOW
        )
    with pytest.raises(ValidationFailed, match="arrangement code"):
        arrangements.add_arrangement(
            db, team.worker, leaver, ArrangementInput("moved", "Somewhere", TODAY), now=NOW
        )
    assert not _events(team.opened, "add_arrangement")


def test_relevant_child_refusing_contact_cannot_be_closed(team: Team) -> None:
    db = team.opened.db
    pid = _person(team, 17, "relevant")
    with pytest.raises(ValidationFailed) as caught:
        closure.request_closure(
            db,
            team.worker,
            pid,
            ClosureInput("CLRF", young_person_views="Will not speak to us."),
            now=NOW,
        )
    text = " ".join(caught.value.problems)
    assert "s23B(1)" in text and "status, not a closure" in text
    assert closure.overview(db, team.lead, pid, now=NOW).state == "open"


def test_bed_and_breakfast_18_plus_needs_a_reason_and_another_persons_review(
    team: Team,
) -> None:
    db = team.opened.db
    adult = _person(team, 19, "former_relevant")
    started = TODAY - timedelta(days=2)
    with pytest.raises(ValidationFailed, match="say why it is suitable"):
        accommodation.add_accommodation(
            db, team.lead, adult, AccommodationInput("W", started, True), now=NOW
        )
    reason = "Two weeks near work while the flat is repaired."
    accommodation.add_accommodation(
        db,
        team.lead,
        adult,
        AccommodationInput("W", started, True, suitable_reason=reason),
        now=NOW,
    )
    [period] = accommodation.list_accommodation(db, team.lead, adult, now=NOW)
    assert period.awaiting_suitability_review and period.suitable_reason == reason
    facts = closure.preview_checks(db, team.lead, adult, ClosureInput("CLDI"), now=NOW)
    assert facts  # the checks run over the period
    with pytest.raises(PermissionDenied, match="another team lead"):
        accommodation.review_accommodation(db, team.lead, adult, period.id, "Agreed.", now=NOW)
    assert accommodation.list_accommodation(db, team.lead, adult, now=NOW)[0].reviewed_on is None
    # Recorded by the worker instead: the team lead may review it.
    other = _person(team, 20, "former_relevant")
    accommodation.add_accommodation(
        db,
        team.worker,
        other,
        AccommodationInput("W", started, True, suitable_reason=reason),
        now=NOW,
    )
    [waiting] = accommodation.list_accommodation(db, team.lead, other, now=NOW)
    accommodation.review_accommodation(
        db, team.lead, other, waiting.id, "Agreed: 2 weeks.", now=NOW
    )
    reviewed = accommodation.list_accommodation(db, team.lead, other, now=NOW)[0]
    assert not reviewed.awaiting_suitability_review and reviewed.reviewed_by


def test_bed_and_breakfast_never_suitable_under_18_and_registration(team: Team) -> None:
    db = team.opened.db
    child = _person(team, 17, "relevant")
    started = TODAY - timedelta(days=1)
    with pytest.raises(ValidationFailed, match="never suitable for 16 and 17"):
        accommodation.add_accommodation(
            db,
            team.worker,
            child,
            AccommodationInput("W", started, True, suitable_reason="x"),
            now=NOW,
        )
    with pytest.raises(ValidationFailed, match="registered with Ofsted"):
        accommodation.add_accommodation(
            db, team.worker, child, AccommodationInput("D", started, True), now=NOW
        )
    with pytest.raises(ValidationFailed, match="unregistered supported accommodation"):
        accommodation.add_accommodation(
            db,
            team.worker,
            child,
            AccommodationInput("D", started, True, registered=False),
            now=NOW,
        )
    accommodation.add_accommodation(
        db, team.worker, child, AccommodationInput("D", started, True, registered=True), now=NOW
    )
    assert accommodation.list_accommodation(db, team.worker, child, now=NOW)[0].registered is True


@pytest.mark.parametrize(
    ("letter", "age", "rule"),
    [("T", 17, "rule 347"), ("Z", 17, "rule 3001"), ("0", 19, "rule 345")],
)
def test_ssda903_rules_refused_at_entry(team: Team, letter: str, age: int, rule: str) -> None:
    pid = _person(team, age, "relevant" if age < 18 else "former_relevant")
    with pytest.raises(ValidationFailed, match=rule):
        accommodation.add_accommodation(
            team.opened.db,
            team.worker,
            pid,
            AccommodationInput(letter, TODAY - timedelta(days=1), True),
            now=NOW,
        )


def test_periods_end_on_the_last_night(team: Team) -> None:
    db = team.opened.db
    pid = _person(team, 19, "former_relevant")
    first = TODAY - timedelta(days=30)
    accommodation.add_accommodation(
        db,
        team.worker,
        pid,
        AccommodationInput("U", first, True, ended_on=TODAY - timedelta(days=10)),
        now=NOW,
    )
    with pytest.raises(ValidationFailed, match="last night"):
        accommodation.add_accommodation(
            db, team.worker, pid, AccommodationInput("D", TODAY - timedelta(days=10), True), now=NOW
        )
    accommodation.add_accommodation(
        db, team.worker, pid, AccommodationInput("D", TODAY - timedelta(days=9), True), now=NOW
    )
    # The closure checks see the period on its last night.
    with db.reading() as session:
        facts = closure.load_facts(session, [pid], TODAY - timedelta(days=10))[pid]
    assert facts.accommodation is not None and facts.accommodation.letter == "U"


def test_team_lead_cannot_hand_a_childs_risk_to_adult_safeguarding(team: Team) -> None:
    from casework.services import safeguarding
    from casework.services.closure import TeamLeadDecisions

    db = team.opened.db
    pid = _person(team, 17, "relevant")
    safeguarding.screen_risk(
        db,
        team.worker,
        pid,
        safeguarding.RiskInput(
            "cse",
            "high",
            "Older men giving lifts and gifts.",
            TODAY - timedelta(days=40),
            ("Unexplained money, gifts, phones or clothes",),
        ),
        now=NOW,
    )
    died = ClosureInput(
        "CLDI",
        why_open="Relevant child.",
        what_changed="They died.",
        agencies_involved="Police, coroner.",
        if_concerns_return="Not applicable.",
        reason_date=TODAY - timedelta(days=1),
    )
    (rid,) = closure.request_closure(db, team.worker, pid, died, now=NOW).ids
    with pytest.raises(ValidationFailed, match=r"Care Act 2014 s42"):
        closure.record_decisions(
            db, team.lead, rid, TeamLeadDecisions("Adult safeguarding", "Monthly"), now=NOW
        )
    closure.record_decisions(
        db, team.lead, rid, TeamLeadDecisions("Police exploitation team", "Monthly"), now=NOW
    )
    ov = closure.overview(db, team.lead, pid, now=NOW)
    assert ov.can_approve


def test_arrangement_and_last_night_in_the_chronology(team: Team) -> None:
    from casework.services import chronology

    db = team.opened.db
    pid = _person(team, 21, "former_relevant")
    arrangements.add_arrangement(
        db,
        team.worker,
        pid,
        ArrangementInput("adult_services", "Adult community mental health team", TODAY),
        now=NOW,
    )
    accommodation.add_accommodation(
        db, team.worker, pid, AccommodationInput("U", TODAY - timedelta(days=20), True), now=NOW
    )
    accommodation.add_accommodation(
        db, team.worker, pid, AccommodationInput("D", TODAY - timedelta(days=5), True), now=NOW
    )
    titles = {(e.on, e.title) for e in chronology.chronology(db, team.lead, pid, now=NOW)}
    assert (
        TODAY,
        "Arrangement alongside the case: Adult social care involved "
        "(Adult community mental health team)",
    ) in titles
    assert (TODAY - timedelta(days=6), "Last night in Independent living") in titles


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31)))
def test_the_hourly_date_cache_gives_the_date_in_england(moment: datetime) -> None:
    """England's offsets are whole hours, so the cached per-hour date is exact."""
    from casework.clock import to_local
    from casework.services.closure_facts import _day

    assert _day(moment) == to_local(moment).date()
