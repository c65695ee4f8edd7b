"""Bootstrap the record from another system's Annex A workbook (lists 1, 3 and 9).

A council moving to Casework starts from what its old system can produce; the Ofsted
ILACS Annex A workbook is the one export every children's social care system has. The
import, all or nothing:

1. reads the workbook with the project's own checker (:mod:`casework.returns.annex_a`):
   sheets, exact headers, dates, code spellings, List 9 consistency, one row per child;
2. checks what the format cannot see: one child's sex, ethnicity and date of birth agree
   in every row; ages agree with the dates of birth; no date after the import date or
   before the date of birth; a new child has a date of birth and a team; a category
   that the law gives at the child's age (s23A, s23C(1), s24); ``a) Yes`` in touch with a
   latest contact inside the in-touch window; a named worker who is not two accounts;
   a child whose case is closed is not changed;
3. only when everything is valid writes, in one transaction: young people matched by
   ``Child Unique ID`` (a re-import updates them, never duplicates), front-door contacts
   and referrals not already recorded (same child, day and source), and for List 9 only
   the facts that make the record say what the workbook says as of the import date (a
   successful contact on the latest date of contact, an explicit in-touch status, the
   accommodation, activity and pathway plan review, the category), so importing the same
   workbook twice changes nothing the second time.

What Annex A does not hold is not invented: a young person's name is recorded as "Name
not recorded" until a worker adds it; contacts and referrals arrive without a decision
unless the referral was ``Referral NFA? a) Yes`` (a team lead records what happened,
so they appear in the front-door queue); a contact made to keep in touch is recorded as
made by "someone else", by phone, never as a visit, so it satisfies no visiting duty;
workers named in the workbook who have no account get a disabled account with no
password for an administrator to complete. Every row written is vouched for in the
audit trail.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_local, to_naive_utc
from casework.config import council_rules
from casework.db.database import Database
from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    Contact,
    EligibilityDecision,
    PathwayPlan,
    PlanReview,
    Referral,
    SafeguardingContact,
    StatusEvent,
    Team,
    User,
    YoungPerson,
)
from casework.domain import due as rules_mod
from casework.domain.calendar import add_months, age_on
from casework.domain.codes import (
    AccommodationType,
    Activity,
    CodeList,
    EligibilityCategory,
    Ethnicity,
    InTouch,
    ReferralSource,
    Sex,
    Suitability,
    YesNo,
)
from casework.domain.front_door import ReferralDecision
from casework.domain.in_touch import derive_in_touch, latest_date_of_contact
from casework.domain.leaving_care import ContactMadeBy, ContactMethod, aged_category
from casework.errors import Cancelled, ImportRefused
from casework.returns import annex_a as fmt
from casework.services import audit, contact_summary
from casework.services.common import check as check_permission
from casework.services.common import refuse_whole_service_on_server, require
from casework.services.due import bulk_work, load_facts
from casework.services.permissions import Action, Actor, Role
from casework.services.users import ensure_team

__all__ = ["IMPORT_USERNAME", "ImportSummary", "import_annex_a"]

#: The account that records what an import wrote when no signed-in person did (the
#: command-line tool): disabled, with no password.
IMPORT_USERNAME = "annex-a-import"
NAME_NOT_RECORDED = "Name not recorded"
_NOTE = "Imported from an Annex A workbook"
_LONDON = ZoneInfo("Europe/London")
MAX_PROBLEMS = 200

Progress = Callable[[str], None]
IsCancelled = Callable[[], bool]


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote (or, for a dry run, would write)."""

    dry_run: bool
    people_created: int
    people_updated: int
    contacts: int
    referrals: int
    care_leaver_facts: int
    teams_created: int
    workers_created: int

    def sentence(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb}: {self.people_created} young people new and {self.people_updated} "
            f"updated, {self.contacts} contacts, {self.referrals} referrals, "
            f"{self.care_leaver_facts} care-leaver facts, {self.teams_created} teams and "
            f"{self.workers_created} worker accounts (disabled until an administrator "
            "completes them)."
        )


class _DryRun(Exception):
    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary


def _members(codes: type[CodeList]) -> dict[Any, Any]:
    return {m.annex_a: m for m in codes if m.annex_a is not None}


_SEX = _members(Sex)
_ETHNICITY = _members(Ethnicity)
_YES_NO = _members(YesNo)
_SOURCE = _members(ReferralSource)
_CATEGORY = _members(EligibilityCategory)
_IN_TOUCH = _members(InTouch)
_ACCOMMODATION = _members(AccommodationType)
_SUITABILITY = _members(Suitability)
_ACTIVITY = _members(Activity)


@dataclass
class _Child:
    """Everything the workbook says about one Child Unique ID."""

    uid: str
    sex: str | None = None
    ethnicity: str | None = None
    dob: date | None = None
    team: str | None = None
    worker: str | None = None
    first_seen: tuple[str, int] | None = None  # (sheet, row) where sex etc. were read
    contacts: list[tuple[date, str]] = field(default_factory=list)
    referrals: list[tuple[date, str, bool, int]] = field(default_factory=list)
    care_leaver: fmt.Row | None = None
    earliest: date | None = None


class _Check:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, sheet: str, row: int | None, column: str | None, value: object, why: str) -> None:
        self.problems.append(str(fmt.FormatProblem(sheet, row, column, value, why)))


def _collect(read: fmt.ReadResult, as_of: date, check: _Check) -> dict[str, _Child]:
    """Group the rows by child, checking what one row alone cannot show."""
    children: dict[str, _Child] = {}
    for list_no in (1, 3, 9):
        name = fmt.sheet_name(list_no)
        for row, number in zip(read.lists[list_no], read.row_numbers[list_no], strict=True):
            uid = str(row[0])
            child = children.setdefault(uid, _Child(uid))
            _same_person(child, row, name, number, check)
            event = as_of if list_no == 9 else row[5]
            assert isinstance(event, date)
            _dates(child, row, list_no, name, number, event, as_of, check)
            if list_no == 1:
                child.contacts.append((event, str(row[6])))
            elif list_no == 3:
                count = row[8]
                assert isinstance(count, int)
                child.referrals.append((event, str(row[6]), row[7] == YesNo.YES.annex_a, count))
                child.team = child.team or _text(row[9])
                child.worker = child.worker or _text(row[10])
            else:
                child.care_leaver = row
                child.team, child.worker = _text(row[7]), _text(row[8])
                _care_leaver_checks(row, name, number, as_of, check)
            if list_no != 9:
                child.earliest = min(event, child.earliest or event)
    return children


def _text(value: fmt.Cell) -> str | None:
    return None if value is None else str(value)


def _same_person(child: _Child, row: fmt.Row, name: str, number: int, check: _Check) -> None:
    sex, ethnicity, dob = _text(row[1]), _text(row[2]), row[3]
    if child.first_seen is None:
        child.sex, child.ethnicity = sex, ethnicity
        child.dob = dob if isinstance(dob, date) else None
        child.first_seen = (name, number)
        return
    where = f"the value on {child.first_seen[0]} row {child.first_seen[1]} for the same child"
    if sex != child.sex:
        check.add(name, number, fmt.SEX, sex, f"'{child.sex}', {where}")
    if ethnicity != child.ethnicity:
        check.add(name, number, "Ethnicity", ethnicity, f"'{child.ethnicity}', {where}")
    if dob is not None and child.dob is not None and dob != child.dob:
        check.add(name, number, fmt.DOB, dob, f"{fmt.format_date(child.dob)}, {where}")
    if child.dob is None and isinstance(dob, date):
        child.dob = dob


def _dates(
    child: _Child,
    row: fmt.Row,
    list_no: int,
    name: str,
    number: int,
    event: date,
    as_of: date,
    check: _Check,
) -> None:
    dob, age = row[3], row[4]
    header = {1: "Date of Contact", 3: "Date of referral"}.get(list_no)
    if header is not None and event > as_of:
        check.add(
            name,
            number,
            header,
            event,
            f"a date on or before the import date {fmt.format_date(as_of)}",
        )
    if isinstance(dob, date):
        if dob > event:
            what = header or "the import date"
            check.add(
                name, number, fmt.DOB, dob, f"a date on or before {what} ({fmt.format_date(event)})"
            )
        elif isinstance(age, int) and list_no != 9 and age != age_on(dob, event):
            check.add(
                name,
                number,
                fmt.AGE,
                age,
                f"{age_on(dob, event)}, the age on {fmt.format_date(event)} from the date of birth",
            )


_L9 = {c.header: i for i, c in enumerate(fmt.columns(9))}


def _care_leaver_checks(row: fmt.Row, name: str, number: int, as_of: date, check: _Check) -> None:
    dob = row[3]
    category = _CATEGORY[row[_L9[fmt.CATEGORY]]]
    if isinstance(dob, date) and dob <= as_of:
        aged = aged_category(category, dob, as_of)
        if aged is not category:
            check.add(
                name,
                number,
                "Eligibility Category",
                row[_L9[fmt.CATEGORY]],
                f"a category that applies at age {age_on(dob, as_of)} on the import date "
                f"(the law makes this one '{aged.annex_a}' by then: Children Act 1989 s23C(1), "
                "s24)",
            )
    for header in (fmt.PLAN_REVIEW, fmt.LATEST_CONTACT):
        value = row[_L9[header]]
        if isinstance(value, date) and value > as_of:
            check.add(
                name,
                number,
                header,
                value,
                f"a date on or before the import date {fmt.format_date(as_of)}",
            )
        if isinstance(value, date) and isinstance(dob, date) and value < dob:
            check.add(name, number, header, value, "a date on or after the date of birth")
    latest = row[_L9[fmt.LATEST_CONTACT]]
    window = council_rules().in_touch_window_months
    if (
        row[_L9[fmt.IN_TOUCH]] == InTouch.YES.annex_a
        and isinstance(latest, date)
        and latest <= as_of
        and add_months(latest, window) < as_of
    ):
        check.add(
            name,
            number,
            fmt.LATEST_CONTACT,
            latest,
            f"a contact within {window} months of the import date for 'a) Yes' (the "
            "in-touch rule Casework applies: Children Act 1989 s23B, s23C)",
        )


def _noon(day: date) -> datetime:
    """A stored (naive UTC) time on the local day ``day``."""
    return to_naive_utc(datetime.combine(day, time(12), tzinfo=_LONDON))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", name.casefold()).strip(".")[:50] or "worker"


class _Writer:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        now: datetime,
        as_of: date,
        check: _Check,
        progress: Progress | None,
        cancelled: IsCancelled | None,
    ) -> None:
        self.session, self.actor, self.now, self.as_of = session, actor, now, as_of
        self.stamp = to_naive_utc(now)
        self.check = check
        self.progress, self.cancelled = progress, cancelled
        self.teams_created = self.workers_created = 0
        self.created = self.updated = self.contacts = self.referrals = self.facts = 0
        self.teams: dict[str, Team] = {}
        self.pending: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.default_team: str | None = None
        users = list(session.execute(select(User.id, User.display_name, User.username)))
        self.usernames = {u.username.casefold() for u in users}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for u in users:
            self.by_name[u.display_name.strip().casefold()].append(u.id)
        self.recorder = actor.user_id if actor.user_id is not None else self._import_account()

    def _add(self, model: Any, **values: Any) -> None:
        """Queue a new row; :meth:`write_pending` inserts them in bulk (the audit trail
        vouches for each, ``audit.vouch_for_all``)."""
        self.pending[model].append(values)

    def write_pending(self) -> None:
        for model, rows in self.pending.items():
            if rows:
                self.session.execute(insert(model), rows)
        self.pending.clear()

    def step(self, text: str) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled("The import was cancelled: nothing was written.")
        if self.progress is not None:
            self.progress(text)

    def _import_account(self) -> int:
        found = self.session.scalar(select(User.id).where(User.username == IMPORT_USERNAME))
        if found is not None:
            return found
        user = User(
            username=IMPORT_USERNAME,
            display_name="Annex A import",
            role=Role.ADMIN.value,
            team_id=None,
            password_hash=None,
            active=False,
            created_at=self.stamp,
        )
        self.session.add(user)
        self.session.flush()
        self.usernames.add(IMPORT_USERNAME)
        return user.id

    def team(self, name: str) -> Team:
        if name not in self.teams:
            before = self.session.scalar(select(func.count(Team.id))) or 0
            self.teams[name] = ensure_team(self.session, self.actor, name, self.now)
            after = self.session.scalar(select(func.count(Team.id))) or 0
            self.teams_created += after - before
        return self.teams[name]

    def worker(self, name: str | None, team: Team, where: str) -> int | None:
        if name is None:
            return None
        ids = self.by_name.get(name.strip().casefold(), [])
        if len(ids) > 1:
            self.check.problems.append(
                f"{where}: '{name}' is the name of {len(ids)} accounts; expected one account. "
                "Give the accounts different full names, then import again."
            )
            return None
        if ids:
            return ids[0]
        username, n = _slug(name), 1
        while username.casefold() in self.usernames:
            n += 1
            username = f"{_slug(name)}.{n}"
        user = User(
            username=username,
            display_name=name.strip(),
            role=Role.PRACTITIONER.value,
            team_id=team.id,
            password_hash=None,
            active=False,
            created_at=self.stamp,
        )
        self.session.add(user)
        self.session.flush()
        self.usernames.add(username.casefold())
        self.by_name[name.strip().casefold()].append(user.id)
        self.workers_created += 1
        return user.id

    # --- young people -------------------------------------------------------------------

    def _refusal(self, child: _Child, existing: YoungPerson | None) -> str | None:
        """Why this child cannot be written, or None."""
        where = f"Child Unique ID {child.uid}"
        if existing is not None and existing.closed_on is not None and child.care_leaver:
            return (
                f"{where}: the case was closed on {fmt.format_date(existing.closed_on)}, so "
                "the young person cannot be in List 9; expected an open case. Reopen it "
                "first, or take the child out of List 9."
            )
        if self._team_name(child, existing) is None:
            return (
                f"{where}: no Allocated Team in List 3 or List 9 and no record in Casework; "
                "expected a team for a new young person. Add the child to List 9 or List 3, "
                "or name the team for such children (casework-admin: --team)."
            )
        if existing is None and child.dob is None:
            return (
                f"{where}: no Date of Birth in any row; expected a date of birth for a new "
                "young person."
            )
        return None

    def _team_name(self, child: _Child, existing: YoungPerson | None) -> str | None:
        return (
            child.team
            or (existing.team.name if existing is not None else None)
            or (self.default_team)
        )

    def _values(self, child: _Child, team: Team, existing: YoungPerson | None) -> dict[str, Any]:
        """The young person's columns the workbook gives. ``Allocated Worker`` is the
        social worker, or the personal adviser where there is none (as the export writes
        it), so a worker who is already the one shown changes nothing."""
        where = f"Child Unique ID {child.uid}"
        worker = self.worker(child.worker, team, where)
        row9 = child.care_leaver
        values: dict[str, Any] = {
            "sex": _SEX[child.sex].value,
            "ethnicity": _ETHNICITY[child.ethnicity].value,
            "team_id": team.id,
        }
        if child.dob is not None:
            values["date_of_birth"] = child.dob
        pa = None
        if row9 is not None:
            values["uasc"] = row9[_L9[fmt.UASC]] == YesNo.YES.annex_a
            values["disability"] = _YES_NO[row9[_L9[fmt.DISABILITY]]].value
            pa = self.worker(_text(row9[_L9[fmt.PA]]), team, where)
            if pa is not None:
                values["personal_adviser_id"] = pa
        shown = None
        if existing is not None:
            shown = existing.social_worker_id or existing.personal_adviser_id
        if worker is not None and worker != shown and (existing is not None or worker != pa):
            values["social_worker_id"] = worker
        return values

    def person(self, child: _Child, existing: YoungPerson | None) -> YoungPerson | None:
        refusal = self._refusal(child, existing)
        team_name = self._team_name(child, existing)
        if refusal is not None or team_name is None:
            self.check.problems.append(refusal or "")
            return None
        team = self.team(team_name)
        values = self._values(child, team, existing)
        row9 = child.care_leaver
        if existing is None:
            opened = min(child.earliest or self.as_of, self.as_of)
            category = (
                _CATEGORY[row9[_L9[fmt.CATEGORY]]]
                if row9 is not None
                else EligibilityCategory.NO_CURRENT
            )
            values = {"disability": YesNo.UNKNOWN.value, "uasc": False, **values}
            person = YoungPerson(
                child_uid=child.uid,
                first_name=NAME_NOT_RECORDED,
                last_name="",
                eligibility=category.value,
                opened_on=opened,
                created_at=self.stamp,
                updated_at=self.stamp,
                version=1,
                **values,
            )
            self.session.add(person)
            self.created += 1
            return person
        changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
        if changed and existing.closed_on is not None:
            # A closed case takes new front-door concerns only (they are recorded on it);
            # its details change only once it is reopened.
            self.check.problems.append(
                f"Child Unique ID {child.uid}: the case was closed on "
                f"{fmt.format_date(existing.closed_on)}; expected the workbook to agree with "
                f"its record ({', '.join(sorted(changed))} differ). Reopen it first, or "
                "correct the workbook."
            )
            return existing
        if changed:
            for key, value in changed.items():
                setattr(existing, key, value)
            existing.updated_at = self.stamp
            existing.version += 1
            self.updated += 1
        return existing

    # --- front door ---------------------------------------------------------------------

    def front_door(self, people: dict[str, YoungPerson], children: dict[str, _Child]) -> None:
        ids = [p.id for p in people.values()]
        seen_contacts = self._existing(SafeguardingContact, ids)
        seen_referrals = self._existing(Referral, ids)
        for uid, child in children.items():
            person = people.get(uid)
            if person is None:
                continue
            for day, source in child.contacts:
                key = (person.id, day, _SOURCE[source].value)
                if seen_contacts[key] > 0:  # already recorded: a re-import adds nothing
                    seen_contacts[key] -= 1
                    continue
                self._contact(*key)
            for day, source, nfa, count in child.referrals:
                key = (person.id, day, _SOURCE[source].value)
                if seen_referrals[key] > 0:
                    seen_referrals[key] -= 1
                    continue
                self._referral(*key, nfa, count)
        self.write_pending()

    def _contact(self, pid: int, day: date, source: str) -> None:
        self._add(
            SafeguardingContact,
            young_person_id=pid,
            received_at=_noon(day),
            source=source,
            referrer_name="",
            referrer_contact="",
            reported=f"{_NOTE} (List 1): what was reported was not in the workbook.",
            factors="",
            already_known=True,
            recorded_by=self.recorder,
        )
        self.contacts += 1

    def _referral(self, pid: int, day: date, source: str, nfa: bool, count: int) -> None:
        self._add(
            Referral,
            young_person_id=pid,
            received_at=_noon(day),
            source=source,
            reason=f"{_NOTE} (List 3): the reason was not in the workbook.",
            factors="",
            recorded_by=self.recorder,
            decision=ReferralDecision.NO_FURTHER_ACTION.value if nfa else None,
            rationale=f"{_NOTE}: Referral NFA? a) Yes." if nfa else "",
            decided_by=self.recorder if nfa else None,
            decided_at=_noon(day) if nfa else None,
            legacy_referrals_12_months=count,
        )
        self.referrals += 1

    def _existing(self, model: Any, ids: list[int]) -> Counter[tuple[int, date, str]]:
        """How many of each (young person, day, source) the record already holds."""
        out: Counter[tuple[int, date, str]] = Counter()
        for start in range(0, len(ids), 900):
            stmt = select(model.young_person_id, model.received_at, model.source).where(
                model.young_person_id.in_(ids[start : start + 900])
            )
            for pid, received, source in self.session.execute(stmt):
                out[(pid, to_local(received).date(), source)] += 1
        return out

    # --- care leavers -------------------------------------------------------------------

    def care_leavers(self, people: dict[str, YoungPerson], children: dict[str, _Child]) -> None:
        wanted = {
            people[uid].id: c
            for uid, c in children.items()
            if c.care_leaver is not None and uid in people
        }
        self.session.flush()
        window = council_rules().in_touch_window_months
        with bulk_work():
            facts = load_facts(self.session, list(wanted), full=True, as_of=self.as_of)
        touched = []
        for count, (pid, child) in enumerate(wanted.items(), start=1):
            if count % 500 == 0:
                self.step(f"List 9: {count} of {len(wanted)} care leavers")
            row = child.care_leaver
            assert row is not None
            if self._care_leaver(pid, child.uid, row, facts[pid], window):
                touched.append(pid)
        self.write_pending()
        contact_summary.refresh(self.session, touched)

    def _care_leaver(
        self, pid: int, uid: str, row: fmt.Row, case: rules_mod.CaseFacts, window: int
    ) -> bool:
        """Add the facts that make the record say what ``row`` says on the import date;
        True when a contact was added (the contact summary needs rebuilding)."""
        where = f"Child Unique ID {uid}"
        stood = rules_mod.facts_as_of(case, self.as_of)
        self._category(pid, row, case)
        wrote_contact = self._in_touch(pid, where, row, case, window)
        self._accommodation(pid, where, row, stood)
        self._activity(pid, where, row, stood)
        self._plan(pid, row, stood)
        return wrote_contact

    def _category(self, pid: int, row: fmt.Row, case: rules_mod.CaseFacts) -> None:
        category = _CATEGORY[row[_L9[fmt.CATEGORY]]]
        view = rules_mod.category_of(case, self.as_of)
        if view.effective is category:
            return
        self._add(
            EligibilityDecision,
            young_person_id=pid,
            suggested=(view.derived or category).value,
            decided=category.value,
            reason=f"{_NOTE}: the category it gives.",
            decided_by=self.recorder,
            decided_at=min(_noon(self.as_of), self.stamp),
        )
        self.facts += 1

    def _in_touch(
        self, pid: int, where: str, row: fmt.Row, case: rules_mod.CaseFacts, window: int
    ) -> bool:
        state = derive_in_touch(case.contacts, case.statuses, self.as_of, window)
        want = _IN_TOUCH[row[_L9[fmt.IN_TOUCH]]]
        latest = row[_L9[fmt.LATEST_CONTACT]]
        if (state.code, latest_date_of_contact(state)) == (want, latest):
            return False
        if want is InTouch.YES and isinstance(latest, date):
            known = state.latest_successful
            if known is not None and known > latest:
                self.check.problems.append(
                    f"{where}: Casework records a later successful contact "
                    f"({fmt.format_date(known)}) than the workbook's Latest Date of Contact "
                    f"{fmt.format_date(latest)}; expected the latest contact. Correct the "
                    "workbook or leave the child out."
                )
                return False
            self._add(
                Contact,
                young_person_id=pid,
                occurred_at=_noon(latest),
                method=ContactMethod.PHONE.value,
                successful=True,
                made_by=ContactMadeBy.OTHER.value,
                location=None,
                seen=False,
                seen_alone=False,
                views="",
                discussed=f"{_NOTE}: only the date of the latest contact was known.",
                draft_follow_ups="[]",
                status="final",
                author_id=self.recorder,
                created_at=self.stamp,
                updated_at=self.stamp,
                finalised_at=self.stamp,
            )
            self.facts += 1
            return True
        if want in (InTouch.DIED, InTouch.REFU, InTouch.NREQ, InTouch.RHOM):
            self._add(
                StatusEvent,
                young_person_id=pid,
                status=want.value,
                effective_on=self.as_of,
                ended_on=None,
                note=f"{_NOTE}.",
                recorded_by=self.recorder,
                recorded_at=self.stamp,
            )
            self.facts += 1
            return False
        self.check.problems.append(
            f"{where}: the workbook says '{want.annex_a}' but Casework's record says "
            f"'{state.code.annex_a}' on {fmt.format_date(self.as_of)} ({state.explanation}); "
            "expected the two to agree. Correct the workbook or the record, then import again."
        )
        return False

    def _accommodation(
        self, pid: int, where: str, row: fmt.Row, stood: rules_mod.CaseFacts
    ) -> None:
        letter = row[_L9[fmt.ACCOMMODATION]]
        if letter is None:
            return
        kind = _ACCOMMODATION[letter]
        suitable = _SUITABILITY[row[_L9[fmt.SUITABILITY]]] is Suitability.SUITABLE
        home = rules_mod.current_accommodation(stood.accommodation, self.as_of)
        same = (
            home is not None
            and home.letter is kind
            and (home.suitable is suitable or (kind.always_unsuitable and not suitable))
        )
        if same or not self._close(AccommodationPeriod, home, where, fmt.ACCOMMODATION):
            return
        self._add(
            AccommodationPeriod,
            young_person_id=pid,
            letter=kind.value,
            started_on=self.as_of,
            ended_on=None,
            provider="",
            suitable=suitable,
            unsuitable_reason="" if suitable else f"{_NOTE}.",
            council_provided=False,
            recorded_by=self.recorder,
        )
        self.facts += 1

    def _activity(self, pid: int, where: str, row: fmt.Row, stood: rules_mod.CaseFacts) -> None:
        code = row[_L9[fmt.ACTIVITY]]
        if code is None:
            return
        activity = _ACTIVITY[code]
        doing = rules_mod.current_activity(stood.activities, self.as_of)
        if doing is not None and doing.code is activity:
            return
        if not self._close(ActivityPeriod, doing, where, fmt.ACTIVITY):
            return
        self._add(
            ActivityPeriod,
            young_person_id=pid,
            code=activity.value,
            started_on=self.as_of,
            ended_on=None,
            detail="",
        )
        self.facts += 1

    def _plan(self, pid: int, row: fmt.Row, stood: rules_mod.CaseFacts) -> None:
        review = row[_L9[fmt.PLAN_REVIEW]]
        if not isinstance(review, date):
            return
        plan = stood.plan
        if plan is None:
            self._add(
                PathwayPlan,
                young_person_id=pid,
                started_on=review,
                participation="",
                ended_on=None,
                created_by=self.recorder,
                created_at=self.stamp,
            )
            self.facts += 1
        elif max((plan.start, *plan.reviews)) < review and plan.id is not None:
            self._add(
                PlanReview,
                plan_id=plan.id,
                reviewed_on=review,
                young_person_participated=False,
                notes=f"{_NOTE}.",
                reviewed_by=self.recorder,
            )
            self.facts += 1

    def _close(self, model: Any, current: Any, where: str, header: str) -> bool:
        """End the current period the day before the import date, so the workbook's value
        starts on it; refuse when the current one started on or after that day."""
        if current is None:
            return True
        if current.start >= self.as_of or current.id is None:
            self.check.problems.append(
                f"{where}: Casework records a different {header} from "
                f"{fmt.format_date(current.start)}, on or after the import date; expected an "
                "earlier one. Correct the workbook or the record, then import again."
            )
            return False
        row = self.session.get(model, current.id)
        if row is not None:
            row.ended_on = date.fromordinal(self.as_of.toordinal() - 1)
        return True


def import_annex_a(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    now: datetime,
    as_of: date | None = None,
    dry_run: bool = False,
    default_team: str | None = None,
    progress: Progress | None = None,
    cancelled: IsCancelled | None = None,
) -> ImportSummary:
    """Check an Annex A workbook and, only if all of it is valid, import lists 1, 3 and 9
    in one transaction. ``as_of``: the day the workbook describes (default today): List 9
    values are recorded as true on it. ``dry_run``: check everything, including against
    the record, and write nothing. ``default_team``: the team of a new young person the
    workbook gives none for (one only in List 1). Raises :class:`ImportRefused` listing
    every problem (sheet, row, column, value, expected), :class:`Cancelled` if cancelled."""
    refuse_whole_service_on_server(db, "An Annex A import")
    require(db, actor, Action.IMPORT_RETURNS, now=now, record_type="annex_a")
    day = as_of or local_today(now)
    if progress is not None:
        progress("Reading the workbook")
    read = fmt.read_workbook(
        path,
        require=(1, 3, 9),
        allow_blank=frozenset({fmt.WORKER, fmt.PA}),
        progress=progress,
        cancelled=cancelled,
    )
    if read.problems:
        more = ["... and more problems: the checker stopped looking."] if read.truncated else []
        raise ImportRefused([str(p) for p in read.problems] + more)
    check = _Check()
    children = _collect(read, day, check)
    if check.problems:
        raise ImportRefused(_capped(check.problems))
    try:
        with db.unit_of_work() as session:
            # Checked again inside the write: an account disabled while the workbook was
            # being read is refused before anything is written.
            check_permission(session, actor, Action.IMPORT_RETURNS, now=now, record_type="annex_a")
            writer = _Writer(session, actor, now, day, check, progress, cancelled)
            writer.default_team = default_team
            summary = _write(session, writer, children, dry_run)
            if check.problems:
                raise ImportRefused(_capped(check.problems))
            if dry_run:
                raise _DryRun(summary)
            return summary
    except _DryRun as done:
        return done.summary


def _write(
    session: Session, writer: _Writer, children: dict[str, _Child], dry_run: bool
) -> ImportSummary:
    actor, now, as_of = writer.actor, writer.now, writer.as_of
    existing = {}
    uids = list(children)
    for start in range(0, len(uids), 900):
        stmt = select(YoungPerson).where(YoungPerson.child_uid.in_(uids[start : start + 900]))
        existing.update({p.child_uid: p for p in session.scalars(stmt)})
    people: dict[str, YoungPerson] = {}
    for count, (uid, child) in enumerate(children.items(), start=1):
        if count % 500 == 0:
            writer.step(f"Young people: {count} of {len(children)}")
        person = writer.person(child, existing.get(uid))
        if person is not None:
            people[uid] = person
    session.flush()
    writer.step("Contacts and referrals")
    writer.front_door(people, children)
    writer.step("Care leavers")
    writer.care_leavers(people, children)
    writer.step("Recording the import in the audit trail")
    audit.record(
        session,
        actor,
        "import_annex_a",
        now=now,
        record_type="annex_a",
        record_id=as_of.isoformat(),
    )
    audit.vouch_for_all(session, actor, "import_annex_a", now=now)
    writer.step("Saving")
    return ImportSummary(
        dry_run,
        writer.created,
        writer.updated,
        writer.contacts,
        writer.referrals,
        writer.facts,
        writer.teams_created,
        writer.workers_created,
    )


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    extra = len(problems) - MAX_PROBLEMS
    return [
        *problems[:MAX_PROBLEMS],
        f"... and {extra} more problems (only the first {MAX_PROBLEMS} shown)",
    ]
