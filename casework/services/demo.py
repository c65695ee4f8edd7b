"""Realistic synthetic data for trying Casework: teams, workers and young people.

Every name, date and identifier is invented (Faker, en_GB). The same ``seed`` gives
the same people. Later features extend ``populate`` so the demo always shows
everything Casework can do.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_naive_utc
from casework.db import keys
from casework.db.database import Database, create_database
from casework.db.models import Team, TeamLeadership, User, YoungPerson
from casework.domain.calendar import age_on, birthday
from casework.domain.codes import EligibilityCategory, Ethnicity, Sex, YesNo
from casework.services import audit, contact_summary
from casework.services.auth import hash_password
from casework.services.demo_casework import Person, add_death_examples, populate_casework
from casework.services.demo_closure import populate_closures
from casework.services.demo_front_door import populate_front_door
from casework.services.people import EDITABLE, fill_opening_dates
from casework.services.permissions import SYSTEM_ACTOR, Role

TEAMS = (
    ("Leaving Care North", "lead.north"),
    ("Leaving Care South", "lead.south"),
    ("16+ Team", "lead.sixteenplus"),
)
ADMIN_USERNAME = "it.admin"
DEMO_LEAD_USERNAME = "lead.north"
# A team lead over every team: the service manager's all-teams view of the dashboard.
DEMO_MANAGER_USERNAME = "manager.service"

# Rough shape of a care-leaver population; not any council's real figures.
_ETHNICITY_WEIGHTS = {
    Ethnicity.WBRI: 58,
    Ethnicity.WOTH: 5,
    Ethnicity.WIRI: 1,
    Ethnicity.WROM: 1,
    Ethnicity.MWBC: 5,
    Ethnicity.MWBA: 2,
    Ethnicity.MWAS: 2,
    Ethnicity.MOTH: 3,
    Ethnicity.AIND: 1,
    Ethnicity.APKN: 2,
    Ethnicity.ABAN: 1,
    Ethnicity.AOTH: 4,
    Ethnicity.BCRB: 2,
    Ethnicity.BAFR: 5,
    Ethnicity.BOTH: 2,
    Ethnicity.CHNE: 1,
    Ethnicity.OOTH: 4,
    Ethnicity.REFU: 1,
}
_UASC_ETHNICITIES = (Ethnicity.AOTH, Ethnicity.BAFR, Ethnicity.OOTH, Ethnicity.WOTH)
_AGE_WEIGHTS = {16: 8, 17: 14, 18: 16, 19: 15, 20: 13, 21: 11, 22: 8, 23: 7, 24: 6, 25: 2}


@dataclass(frozen=True)
class DemoSummary:
    teams: int
    workers: int
    young_people: int
    lead_username: str
    admin_username: str


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # as a worker reads it: "Team lead"
    team: str  # "" for the administrator


def demo_accounts(db: Database) -> list[DemoAccount]:
    """Every account of a demo database (they all share the run's password), the team
    leads first, then practitioners by team, then the administrator. Demo data only:
    a real database's accounts are listed through ``users.list_users``."""
    order = {str(Role.TEAM_LEAD): 0, str(Role.PRACTITIONER): 1, str(Role.ADMIN): 2}
    with db.reading() as session:
        users = session.scalars(select(User).where(User.active.is_(True))).all()
        found = [
            DemoAccount(u.username, Role(u.role).label, u.team.name if u.team else "")
            for u in users
        ]
        ranks = {u.username: order.get(u.role, 3) for u in users}
    return sorted(found, key=lambda a: (ranks[a.username], a.team, a.username))


def _demo_user(
    session: Session,
    username: str,
    display_name: str,
    role: Role,
    pw_hash: str,
    moment: datetime,
    team_id: int | None = None,
) -> User:
    """An active demo account, flushed so it has its id (every demo account shares the
    demo password)."""
    user = User(
        username=username,
        display_name=display_name,
        role=str(role),
        team_id=team_id,
        password_hash=pw_hash,
        active=True,
        created_at=moment,
        password_changed_at=moment,
    )
    session.add(user)
    session.flush()
    return user


def _workers(
    session: Session, rng: random.Random, fake: object, pw_hash: str, now: datetime
) -> dict[int, list[int]]:
    """Creates teams, an administrator, a lead per team and practitioners; team -> workers."""
    moment = to_naive_utc(now)
    _demo_user(session, ADMIN_USERNAME, "IT Administrator", Role.ADMIN, pw_hash, moment)
    by_team: dict[int, list[int]] = {}
    for name, lead_username in TEAMS:
        team = Team(name=name, created_at=moment)
        session.add(team)
        session.flush()
        name = f"{fake.first_name()} {fake.last_name()}"  # type: ignore[attr-defined]
        lead = _demo_user(session, lead_username, name, Role.TEAM_LEAD, pw_hash, moment, team.id)
        session.add(TeamLeadership(user_id=lead.id, team_id=team.id))
        ids = [lead.id]
        for _ in range(rng.randint(4, 6)):
            first = fake.first_name()  # type: ignore[attr-defined]
            last = fake.last_name()  # type: ignore[attr-defined]
            username = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
            while session.query(User.id).filter_by(username=username).first():
                username += str(rng.randint(0, 9))
            worker = _demo_user(
                session, username, f"{first} {last}", Role.PRACTITIONER, pw_hash, moment, team.id
            )
            ids.append(worker.id)
        by_team[team.id] = ids
    for user in session.query(User).all():
        audit.record(
            session,
            SYSTEM_ACTOR,
            "create_user",
            now=now,
            record_type="user",
            record_id=user.id,
            fields=["username", "display_name", "role", "team_id"],
        )
    return by_team


def _eligibility(rng: random.Random, dob: date, today: date) -> tuple[str, date | None]:
    age = age_on(dob, today)
    sixteen = birthday(dob, 16)
    if rng.random() < 0.08 and age < 21:  # qualifying care leavers are under 21 (s24)
        ceased = sixteen + timedelta(days=rng.randint(0, 500))
        return EligibilityCategory.QUALIFYING.value, min(ceased, today)
    if age < 18:
        if rng.random() < 0.6:
            return EligibilityCategory.ELIGIBLE.value, None
        ceased = sixteen + timedelta(days=rng.randint(1, max(1, (today - sixteen).days)))
        return EligibilityCategory.RELEVANT.value, min(ceased, today)
    ceased = birthday(dob, 18)
    if age >= 22 and rng.random() < 0.05:
        return EligibilityCategory.NO_CURRENT.value, ceased
    return EligibilityCategory.FORMER_RELEVANT.value, ceased


def _people(
    session: Session,
    rng: random.Random,
    fake: object,
    count: int,
    by_team: dict[int, list[int]],
    now: datetime,
) -> int:
    today = local_today(now)
    moment = to_naive_utc(now)
    ages = list(_AGE_WEIGHTS)
    eth = list(_ETHNICITY_WEIGHTS)
    uids = rng.sample(range(100000, 999999), count)
    for n in range(count):
        age = rng.choices(ages, weights=[_AGE_WEIGHTS[a] for a in ages])[0]
        dob = today - timedelta(days=age * 365 + rng.randint(1, 364))
        uasc = rng.random() < 0.1
        male = rng.random() < (0.85 if uasc else 0.52)
        # Every care leaver was looked after, so their sex is on the council's record (the
        # SSDA903 Header takes M or F; rule 232 queries U). The draw that once gave 3 % a
        # "not stated" sex is kept, so a seed still gives the same people.
        if not male:
            rng.random()
        sex = Sex.MALE if male else Sex.FEMALE
        first = fake.first_name_male() if male else fake.first_name_female()  # type: ignore[attr-defined]
        ethnicity = (
            rng.choice(_UASC_ETHNICITIES)
            if uasc
            else rng.choices(eth, weights=[_ETHNICITY_WEIGHTS[e] for e in eth])[0]
        )
        eligibility, ceased = _eligibility(rng, dob, today)
        team_id = rng.choice(list(by_team))
        workers = by_team[team_id]
        person = YoungPerson(
            child_uid=f"C{uids[n]}",
            first_name=first,
            last_name=fake.last_name(),  # type: ignore[attr-defined]
            preferred_name=(fake.first_name() if rng.random() < 0.05 else None),  # type: ignore[attr-defined]
            date_of_birth=dob,
            sex=sex.value,
            ethnicity=ethnicity.value,
            disability=(YesNo.YES if rng.random() < 0.15 else YesNo.NO).value,
            uasc=uasc,
            eligibility=eligibility,
            team_id=team_id,
            social_worker_id=rng.choice(workers) if age < 18 else None,
            personal_adviser_id=rng.choice(workers[1:]) if rng.random() < 0.95 else None,
            date_ceased_looked_after=ceased,
            created_at=moment,
            updated_at=moment,
            version=1,
        )
        session.add(person)
        if n % 500 == 499:
            session.flush()
    session.flush()
    for person_id in session.scalars(
        YoungPerson.__table__.select().with_only_columns(YoungPerson.id).order_by(YoungPerson.id)
    ):
        audit.record(
            session,
            SYSTEM_ACTOR,
            "create",
            now=now,
            record_type="young_person",
            record_id=person_id,
            fields=EDITABLE,
        )
    return count


def populate(
    session: Session,
    *,
    people: int,
    seed: int,
    password: str,
    now: datetime,
    contacts_per_year: float = 10.0,
) -> DemoSummary:
    """Fill an empty database inside the caller's transaction."""
    from faker import Faker

    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    by_team = _workers(session, rng, fake, hash_password(password), now)
    _people(session, rng, fake, people, by_team, now)
    _histories(session, seed, now, by_team, contacts_per_year)
    _service_manager(session, hash_password(password), now)
    return DemoSummary(
        len(by_team),
        sum(len(w) for w in by_team.values()),
        people,
        DEMO_LEAD_USERNAME,
        ADMIN_USERNAME,
    )


def _service_manager(session: Session, pw_hash: str, now: datetime) -> None:
    """A team lead who leads every team (there is no separate manager role: leading a team
    is what lets someone oversee it), made last so nothing else in the demo changes."""
    moment = to_naive_utc(now)
    manager = _demo_user(
        session,
        DEMO_MANAGER_USERNAME,
        "Sam Whitfield (service manager)",
        Role.TEAM_LEAD,
        pw_hash,
        moment,
    )
    for team_id in session.scalars(select(Team.id)):
        session.add(TeamLeadership(user_id=manager.id, team_id=team_id))
    audit.record(
        session,
        SYSTEM_ACTOR,
        "create_user",
        now=now,
        record_type="user",
        record_id=manager.id,
        fields=["username", "display_name", "role", "team_id"],
    )


def _histories(
    session: Session,
    seed: int,
    now: datetime,
    by_team: dict[int, list[int]],
    contacts_per_year: float,
) -> None:
    people = [
        Person(
            p.id,
            p.date_of_birth,
            p.eligibility,
            p.personal_adviser_id,
            p.social_worker_id,
            p.date_ceased_looked_after,
        )
        for p in session.scalars(select(YoungPerson).order_by(YoungPerson.id))
    ]
    team_of = {
        pid: team for pid, team in session.execute(select(YoungPerson.id, YoungPerson.team_id))
    }
    lead_for = {pid: by_team[team][0] for pid, team in team_of.items()}
    populate_casework(
        session,
        people,
        seed=seed,
        now=now,
        today=local_today(now),
        lead_for=lead_for,
        contacts_per_year=contacts_per_year,
    )
    contact_summary.rebuild_all(session)
    fill_opening_dates(session)
    populate_front_door(
        session,
        [(p.id, lead_for[p.id], p.pa_id or p.sw_id or lead_for[p.id]) for p in people],
        seed=seed,
        today=local_today(now),
    )
    lead_id = session.scalar(select(User.id).where(User.username == DEMO_LEAD_USERNAME))
    candidates = [
        (p.id, p.pa_id or p.sw_id, lead_for[p.id])
        for p in people
        if lead_for[p.id] == lead_id and (p.pa_id or p.sw_id)
    ]
    # Only young people already in touch and suitably housed are made ready to close, so the
    # demo keeps its examples of lost touch and unsuitable accommodation.
    from casework.domain.codes import InTouch
    from casework.services.due import statuses_in

    statuses = statuses_in(session, [c[0] for c in candidates], local_today(now))
    candidates = [
        c
        for c in candidates
        if statuses[c[0]].in_touch.code is InTouch.YES and not statuses[c[0]].accommodation_warning
    ]
    random.Random(seed * 7919 + 3).shuffle(candidates)
    populate_closures(session, candidates, now=now)  # type: ignore[arg-type]
    _closure_audits(session, people, lead_for, lead_id, seed=seed, now=now)
    add_death_examples(session, local_today(now), now)
    for p in people:
        audit.record(
            session,
            SYSTEM_ACTOR,
            "generate_demo_history",
            now=now,
            record_type="young_person",
            record_id=p.id,
            fields=["contacts", "accommodation", "activity", "pathway_plan", "front_door"],
        )
    # The histories went in as bulk inserts: one event vouches for each row written.
    audit.vouch_for_all(session, SYSTEM_ACTOR, "generate_demo_history", now=now)


def _closure_audits(
    session: Session,
    people: list[Person],
    lead_for: dict[int, int],
    lead_id: int | None,
    *,
    seed: int,
    now: datetime,
) -> None:
    """Last month's closures in every team, sampled and audited (the demo team lead's
    own team alternating with the others)."""
    from casework.db.models import (
        Allegation,
        ChildProtectionPlan,
        ClosureRequest,
        MissingEpisode,
        Referral,
        SafeguardingContact,
    )
    from casework.services.demo_audit import populate_audits

    # Only people with nothing at the front door, so the demo keeps its examples of the
    # front-door clocks (closing a case finishes whatever it still had open).
    asked = set(session.scalars(select(ClosureRequest.young_person_id)))
    for model in (Allegation, Referral, SafeguardingContact, ChildProtectionPlan, MissingEpisode):
        asked |= set(session.scalars(select(model.young_person_id)))
    pool = [
        (p.id, p.pa_id or p.sw_id, lead_for[p.id])
        for p in people
        if (p.pa_id or p.sw_id) and p.id not in asked
    ]
    # Whoever the closure reason lawfully ends is made ready and closed; others are skipped.
    ready = list(pool)
    random.Random(seed * 104729 + 11).shuffle(ready)
    own = [c for c in ready if c[2] == lead_id]
    others = [c for c in ready if c[2] != lead_id]
    mixed = [c for pair in itertools.zip_longest(own, others) for c in pair if c is not None]
    if lead_id is not None:
        populate_audits(session, mixed, now=now, demo_lead=lead_id)  # type: ignore[arg-type]


def create_demo_database(
    path: Path,
    *,
    now: datetime,
    password: str,
    people: int = 300,
    seed: int = 1,
    key_store: keys.KeyStore | None = None,
    passphrase: str | None = None,
    kdf: keys.KdfParams | None = None,
    progress: Callable[[str], None] | None = None,
    contacts_per_year: float = 10.0,
) -> tuple[Database, str, DemoSummary]:
    """A new encrypted database filled with demo data; returns it, its recovery code and
    what was made. All demo accounts share ``password``."""
    if people < 0 or people > 100_000:
        raise ValueError("people must be between 0 and 100000")
    summary: list[DemoSummary] = []

    def fill(session: Session) -> None:
        if progress:
            progress(f"inventing {people} young people")
        summary.append(
            populate(
                session,
                people=people,
                seed=seed,
                password=password,
                now=now,
                contacts_per_year=contacts_per_year,
            )
        )

    db, code = create_database(
        path,
        now=now,
        key_store=key_store,
        passphrase=passphrase,
        kdf=kdf,
        initialise=fill,
        progress=progress,
    )
    return db, code, summary[0]
