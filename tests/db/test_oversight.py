"""The oversight dashboard's figures from a hand-built record set, the same figures as the
record screens show on the demo, and who may see which teams."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    Allegation,
    AuditEvent,
    Referral,
    RiskScreening,
    SafeguardingContact,
    YoungPerson,
)
from casework.domain.due import DueKind
from casework.errors import PermissionDenied, ValidationFailed
from casework.reports.oversight import dashboard_teams, oversight_dashboard
from casework.services import people
from casework.services.due import case_statuses
from casework.services.oversight import record_dashboard_export
from casework.services.people import CaseloadQuery, YoungPersonInput
from tests.conftest import NOW, Opened

START, END = date(2026, 11, 2), date(2026, 11, 20)  # Monday to Friday, before NOW


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, 0, tzinfo=UTC)


def _person(opened: Opened, lead_team: int, uid: str, first: str) -> int:
    data = YoungPersonInput(
        child_uid=uid,
        first_name=first,
        last_name="Test",
        date_of_birth=date(2007, 3, 1),
        sex="female",
        ethnicity="WBRI",
        disability="no",
        uasc=False,
        eligibility="former_relevant",
        team_id=lead_team,
        date_ceased_looked_after=date(2025, 3, 1),
        opened_on=date(2026, 1, 5),
    )
    lead = opened.login("lead")
    return int(people.create_young_person(opened.db, lead, data, now=NOW).ids[0])


@pytest.fixture
def built(empty_db: Opened) -> tuple[Opened, dict[str, int]]:
    """Four young people in North; A and B with the team lead as their personal adviser.
    Rows are written straight into the tables: the figures, not the use cases, are tested."""
    lead = empty_db.login("lead")
    team = next(iter(lead.team_ids))
    ids = {n: _person(empty_db, team, f"C-{n}", n) for n in ("Ann", "Bea", "Cal", "Dee")}
    a, b, c, d = ids["Ann"], ids["Bea"], ids["Cal"], ids["Dee"]
    by = lead.user_id
    assert by is not None
    with empty_db.db.unit_of_work() as s:
        for pid in (a, b):
            s.get(YoungPerson, pid).personal_adviser_id = by  # type: ignore[union-attr]

        def contact(pid: int, day: int, decided: int | None) -> None:
            s.add(
                SafeguardingContact(
                    young_person_id=pid,
                    received_at=_at(day),
                    source="1A",
                    reported="A concern.",
                    recorded_by=by,
                    decided_at=_at(decided) if decided else None,
                )
            )

        contact(a, 2, 3)  # decided the next working day: met
        contact(b, 2, 5)  # three days later: late
        contact(c, 19, None)  # due 20/11, not decided by the end: late
        contact(d, 20, None)  # due 23/11, after the period: not yet judged
        s.add(
            SafeguardingContact(
                young_person_id=a,
                received_at=datetime(2026, 10, 1, 9, tzinfo=UTC),
                source="1A",
                reported="Before the period.",
                recorded_by=by,
            )
        )
        s.add(
            Referral(
                young_person_id=a,
                received_at=_at(9),
                source="1A",
                reason="Referral.",
                recorded_by=by,
                decided_at=_at(10),
                decision="assessment",
            )
        )
        for pid, told, outcome in ((a, 10, "substantiated"), (b, None, None)):
            s.add(
                Allegation(
                    young_person_id=pid,
                    subject_role="foster_carer",
                    received_at=_at(9),
                    details="An allegation.",
                    recorded_by=by,
                    lado_notified_at=_at(told) if told else None,
                    outcome=outcome,
                )
            )
        homes = ((a, "U", True), (b, "S", False), (c, "B", False))
        for pid, letter, suitable in homes:
            s.add(
                AccommodationPeriod(
                    young_person_id=pid,
                    letter=letter,
                    started_on=date(2026, 6, 1),
                    suitable=suitable,
                )
            )
        for pid, code in ((a, "F1"), (b, "G5")):
            s.add(ActivityPeriod(young_person_id=pid, code=code, started_on=date(2026, 9, 1)))
        risks = ((a, "high", date(2026, 11, 10)), (b, "high", date(2026, 11, 30)))
        for pid, level, review in (*risks, (c, "medium", date(2026, 11, 5))):
            s.add(
                RiskScreening(
                    young_person_id=pid,
                    risk_type="cse",
                    level=level,
                    reasoning="Screened.",
                    screened_on=date(2026, 11, 1),
                    review_on=review,
                    screened_by=by,
                )
            )
    return empty_db, ids


def _names(dashboard, ids: dict[str, int], people_ids) -> set[str]:  # type: ignore[no-untyped-def]
    back = {v: k for k, v in ids.items()}
    return {back[p] for p in people_ids}


@pytest.mark.tampers
def test_each_figure_from_a_hand_built_record_set(built) -> None:  # type: ignore[no-untyped-def]
    opened, ids = built
    lead = opened.login("lead")
    dash = oversight_dashboard(opened.db, lead, START, END, now=NOW)
    assert dash.state_on == END
    contacts = dash.figure("contacts_decided_within_1_working_day")
    assert contacts.total() == (1, 3)
    assert _names(dash, ids, [m.person for m in contacts.judged if not m.met]) == {"Bea", "Cal"}
    assert dash.figure("referrals_decided_within_1_working_day").total() == (1, 1)
    assert dash.figure("lado_told_within_1_working_day").total() == (1, 2)
    assert dash.figure("allegations_with_outcome").total() == (1, 2)

    homes = dash.figure("accommodation_suitable")
    assert homes.total() == (1, 4)
    assert homes.rest_by_group() == {"Homeless": 1, "Unknown": 1, "Unsuitable": 1}
    by_group = {m.group: ids_ for m in homes.judged for ids_ in [m.person]}
    assert _names(dash, ids, [by_group["Homeless"]]) == {"Bea"}
    assert _names(dash, ids, [by_group["Unsuitable"]]) == {"Cal"}
    assert _names(dash, ids, [by_group["Unknown"]]) == {"Dee"}

    eet = dash.figure("in_education_employment_or_training")
    assert eet.total() == (1, 4)
    assert eet.rest_by_group() == {"NEET": 1, "Not recorded": 2}

    risks = dash.figure("open_high_risks_without_review")
    assert risks.lower_is_better and risks.total() == (1, 2)  # the medium one is not counted
    assert _names(dash, ids, [m.person for m in risks.judged if m.met]) == {"Ann"}

    touch = dash.figure("in_touch")
    assert touch.total() == (0, 4)  # no contact recorded with anyone
    assert touch.rest_by_group() == {"Not in touch": 4}

    # Per worker: the lead advises Ann and Bea; Cal and Dee are unallocated.
    spread = {name: (n, d) for name, n, d in homes.spread("worker")}
    assert spread == {"Lee Lead": (1, 2), "Unallocated": (0, 2)}
    assert {name for name, _n, _d in homes.spread("team")} == {"North"}
    as_json = homes.as_dict({v: f"C-{k}" for k, v in ids.items()})
    assert as_json["numerator"] == 1 and as_json["denominator"] == 4
    assert as_json["people"] == {"numerator": ["C-Ann"], "rest": ["C-Bea", "C-Cal", "C-Dee"]}
    assert as_json["per_worker"]["Lee Lead"] == {"numerator": 1, "denominator": 2, "percent": 50.0}


def test_figures_agree_with_what_each_record_shows(demo_db: Opened) -> None:
    """In touch, visits and plan reviews on the dashboard for today are what the caseload's
    status (the due engine) says for the same young people."""
    lead = demo_db.login("lead.north")
    dash = oversight_dashboard(demo_db.db, lead, date(2026, 6, 1), NOW.date(), now=NOW)
    open_ids = people.caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)
    statuses = case_statuses(demo_db.db, lead, open_ids, now=NOW)
    mine = {pid for pid, s in statuses.items() if pid in dash.people}
    touch = dash.figure("in_touch")
    in_touch = {m.person for m in touch.judged if m.met}
    assert in_touch == {pid for pid in mine if statuses[pid].in_touch.code.value == "YES"}
    assert len(in_touch) > 0 and touch.total()[1] > len(in_touch)
    visits = dash.figure("visits_on_time")
    late = {m.person for m in visits.judged if not m.met}
    assert late == {
        pid
        for pid in mine
        if any(i.kind is DueKind.VISIT and i.overdue for i in statuses[pid].items)
    }
    for key in (
        "contacts_decided_within_1_working_day",
        "accommodation_suitable",
        "in_education_employment_or_training",
        "pathway_plans_reviewed_in_time",
    ):
        _n, d = dash.figure(key).total()
        assert d > 0, key
    assert dash.teams == ("Leaving Care North",)


def test_team_leads_see_their_teams_and_practitioners_none(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    teams = dashboard_teams(demo_db.db, lead, now=NOW)
    assert [name for _tid, name in teams] == ["Leaving Care North"]
    other = [tid for tid, _n in dashboard_teams(demo_db.db, _system(), now=NOW)]
    foreign = next(t for t in other if t not in lead.team_ids)
    with pytest.raises(ValidationFailed, match="teams you lead"):
        oversight_dashboard(demo_db.db, lead, START, END, now=NOW, team_id=foreign)
    with pytest.raises(ValidationFailed, match="before"):
        oversight_dashboard(demo_db.db, lead, END, START, now=NOW)
    worker = next(u for u in _usernames(demo_db) if not u.startswith(("lead.", "admin")))
    with pytest.raises(PermissionDenied):
        oversight_dashboard(demo_db.db, demo_db.login(worker), START, END, now=NOW)
    record_dashboard_export(demo_db.db, lead, start=START, end=END, now=NOW)
    with demo_db.db.reading() as s:
        actions = list(
            s.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == lead.user_id))
        )
    assert "export_dashboard" in actions


def _system():  # type: ignore[no-untyped-def]
    from casework.services.permissions import SYSTEM_ACTOR

    return SYSTEM_ACTOR


def _usernames(opened: Opened) -> list[str]:
    from casework.db.models import User

    with opened.db.reading() as s:
        return sorted(s.scalars(select(User.username).where(User.active.is_(True))))


def test_the_demo_gives_every_figure_a_value_worth_looking_at(full_demo: Opened) -> None:
    """A team lead opening the demo sees every figure with something in it: shares that
    are neither empty, nothing nor everything, and counts in more than one category."""
    manager = full_demo.login("manager.service")
    dash = oversight_dashboard(full_demo.db, manager, date(2025, 12, 1), NOW.date(), now=NOW)
    assert dash.scope == "All teams" and len(dash.teams) == 3
    for figure in dash.figures:
        if figure.share:
            n, d = figure.total()
            assert 0 < n < d, (figure.key, n, d)
            assert len(figure.spread("worker")) > 1, figure.key
        else:
            assert sum(figure.counts().values()) > 1, figure.key
    assert len(dash.figure("audit_grades").counts()) > 1
    homes = dash.figure("accommodation_suitable").rest_by_group()
    assert set(homes) == {"Homeless", "Unknown", "Unsuitable"}
