"""Subject access (UK GDPR Article 15; Data Protection Act 2018 s45 and Schedule 2 Part 3):
everything Casework holds about one young person, as a machine-readable JSON file and a
readable chronological PDF, with details about other people marked for review before
release (Article 15(4): the rights and freedoms of others; DPA 2018 Schedule 2 para 16).

Which tables are read is worked out from the database's own foreign keys
(:func:`person_tables`), never listed by hand: every table with a column referring to
``young_people.id``, and every table referring to one of those (a contact's addenda, a
plan's reviews, an audit's grades), however deep. A new table that can refer to a young
person is therefore in the next answer without anyone remembering it, and a test fails if
one is ever left out. The audit events that name the young person or any of those rows say
who read or changed what, and when: they are included too.

Staff are named (the council's own workers acting in their role); other people's details
are marked: named third-party columns (a referrer, the subject of an allegation, a
provider, who an arrangement is with) and every free-text field, which may mention family
or friends. The answer is a draft for a team lead to review, never sent as it stands.

Each answer is audited (``subject_access``) in the same transaction that reads the record,
and the files are owner-only (``casework.db.files.private_output``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, Text, select
from sqlalchemy.orm import Session

from casework.clock import to_local
from casework.db import files
from casework.db.audit_rows import RECORD_TYPE_TABLES
from casework.db.database import Database
from casework.db.models import AuditEvent, Base, User, YoungPerson
from casework.domain.leaving_care import plain_date
from casework.errors import FileAccessProblem, NotFound
from casework.services import audit, document_pdf
from casework.services.common import check, rows_in
from casework.services.people import RECORD_TYPE, check_on_person
from casework.services.permissions import Action, Actor, Role

__all__ = [
    "THIRD_PARTY_COLUMNS",
    "SubjectAccess",
    "gather",
    "person_tables",
    "write_files",
]

PERSON_TABLE = "young_people"

#: Columns that hold details of someone other than the young person (or their own
#: staff), with why each is marked for review.
THIRD_PARTY_COLUMNS = {
    ("safeguarding_contacts", "referrer_name"): "names the person who made the referral",
    ("safeguarding_contacts", "referrer_contact"): "the referrer's contact details",
    ("allegations", "subject_role"): "describes the person the allegation is about",
    ("allegations", "subject_description"): "describes the person the allegation is about",
    ("care_arrangements", "with_whom"): "names another organisation or person",
    ("accommodation_periods", "provider"): "names the accommodation provider",
    ("service_referrals", "organisation"): "names another organisation",
    ("contacts", "location"): "may name another person's address",
    ("plan_areas", "owner"): "may name someone outside the council",
}
_FREE_TEXT = "free text: check it for details of other people before release"

# The column that dates a row, most telling first; otherwise its first date column.
_DATE_COLUMNS = (
    "occurred_at",
    "received_at",
    "started_at",
    "started_on",
    "screened_on",
    "sent_on",
    "held_on",
    "reviewed_on",
    "effective_on",
    "occurred_on",
    "requested_at",
    "decided_at",
    "written_at",
    "recorded_at",
    "assigned_at",
    "reopened_at",
    "created_at",
    "eligible_from",
    "due_on",
    "done_on",
)


def person_tables(metadata: MetaData = Base.metadata) -> dict[str, list[tuple[str, str]]]:
    """Every table that can refer to a young person, from the foreign keys: for each, the
    (column, parent table) links that lead to ``young_people``, directly or through
    another such table. Ordered parents first."""
    found: dict[str, list[tuple[str, str]]] = {}
    changed = True
    while changed:
        changed = False
        for table in metadata.sorted_tables:
            if table.name == PERSON_TABLE:
                continue
            links = [
                (fk.parent.name, fk.column.table.name)
                for fk in table.foreign_keys
                if fk.column.table.name == PERSON_TABLE or fk.column.table.name in found
            ]
            if links and sorted(links) != sorted(found.get(table.name, [])):
                found[table.name] = links
                changed = True
    order = [t.name for t in metadata.sorted_tables]
    return {name: found[name] for name in order if name in found}


@dataclass(frozen=True)
class Item:
    """One row held about the young person, ready for both files."""

    table: str
    key: str
    when: date | datetime | None
    fields: dict[str, Any]
    review: dict[str, str]


@dataclass(frozen=True)
class SubjectAccess:
    """The whole answer: who, when it was made, every row and every audit event."""

    person: Item
    items: tuple[Item, ...]
    audit_events: tuple[dict[str, Any], ...]
    tables: tuple[str, ...]
    made_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "format": "casework-subject-access",
            "version": 1,
            "made_at": self.made_at.isoformat(timespec="seconds"),
            "notice": (
                "Draft for review. Fields listed under 'review' may hold details of other "
                "people (UK GDPR Article 15(4)); check them before release."
            ),
            "tables": list(self.tables),
            "young_person": _item_json(self.person),
            "records": [_item_json(item) for item in self.items],
            "audit_events": list(self.audit_events),
        }


def _item_json(item: Item) -> dict[str, Any]:
    return {
        "table": item.table,
        "id": item.key,
        "date": None if item.when is None else item.when.isoformat(),
        "fields": {k: _plain(v) for k, v in item.fields.items()},
        "review": item.review,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _when(table: Table, row: dict[str, Any]) -> date | datetime | None:
    for name in _DATE_COLUMNS:
        if name in row and row[name] is not None:
            value: date | datetime = row[name]
            return value
    for column in table.columns:
        found = row.get(column.name)
        if isinstance(found, date | datetime):
            return found
    return None


def _review(table: Table, row: dict[str, Any]) -> dict[str, str]:
    out = {}
    for column in table.columns:
        value = row.get(column.name)
        if value in (None, "", "[]"):
            continue
        reason = THIRD_PARTY_COLUMNS.get((table.name, column.name))
        if reason is None and isinstance(column.type, Text):
            reason = _FREE_TEXT
        if reason is not None:
            out[column.name] = reason
    return out


def _key(table: Table, row: dict[str, Any]) -> str:
    return "/".join(str(row[c.name]) for c in table.primary_key.columns)


def _staff(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}


def _named(table: Table, row: dict[str, Any], staff: dict[int, str]) -> dict[str, Any]:
    """The row with each staff id followed by the worker's name (``*_name``)."""
    out = dict(row)
    for fk in table.foreign_keys:
        if fk.column.table.name == "users" and row.get(fk.parent.name) is not None:
            out[f"{fk.parent.name}_name"] = staff.get(row[fk.parent.name], "unknown account")
    return out


def _collect(session: Session, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of every person table that leads to the young person."""
    metadata = Base.metadata
    keys: dict[str, set[Any]] = {PERSON_TABLE: {person_id}}
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, links in person_tables(metadata).items():
        table = metadata.tables[name]
        seen: dict[str, dict[str, Any]] = {}
        for column, parent in links:
            wanted = keys.get(parent, set())
            if not wanted:
                continue
            for row in rows_in(session, select(table), table.c[column], sorted(wanted)):
                data = dict(row._mapping)
                seen[_key(table, data)] = data
        rows[name] = list(seen.values())
        if "id" in table.c:
            keys[name] = {data["id"] for data in rows[name]}
    return rows


def _audit_events(
    session: Session, person_id: int, rows: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    types_of: dict[str, list[str]] = defaultdict(list)
    for record_type, table in RECORD_TYPE_TABLES.items():
        types_of[table].append(record_type)
    wanted = {(RECORD_TYPE, str(person_id)), (PERSON_TABLE, str(person_id))}
    for table, found in rows.items():
        for data in found:
            if "id" in data:
                for record_type in [*types_of.get(table, []), table]:
                    wanted.add((record_type, str(data["id"])))
    record_types = sorted({t for t, _ in wanted})
    out = []
    stmt = (
        select(
            AuditEvent.id,
            AuditEvent.occurred_at,
            AuditEvent.actor_id,
            AuditEvent.actor_role,
            AuditEvent.action,
            AuditEvent.record_type,
            AuditEvent.record_id,
            AuditEvent.fields,
            AuditEvent.outcome,
        )
        .where(AuditEvent.record_type.in_(record_types))
        .order_by(AuditEvent.id)
    )
    for event in session.execute(stmt):
        if (event.record_type, event.record_id) in wanted:
            out.append(
                {
                    "id": event.id,
                    "when_utc": event.occurred_at.isoformat(timespec="seconds"),
                    "by": event.actor_id,
                    "role": event.actor_role,
                    "action": event.action,
                    "record_type": event.record_type,
                    "record_id": event.record_id,
                    "fields": event.fields,
                    "outcome": event.outcome,
                }
            )
    return out


def gather(db: Database, actor: Actor, person_id: int, *, now: datetime) -> SubjectAccess:
    """Everything held about the young person ``person_id``. A team lead for their own
    team's records, or the command-line tool; audited in the same transaction."""
    with db.unit_of_work() as session:
        if actor.role is Role.SYSTEM:
            check(
                session,
                actor,
                Action.SUBJECT_ACCESS,
                now=now,
                record_type=RECORD_TYPE,
                record_id=person_id,
            )
        else:
            check_on_person(session, actor, person_id, Action.SUBJECT_ACCESS, now)
        person_row = session.execute(
            select(YoungPerson.__table__).where(YoungPerson.id == person_id)
        ).first()
        if person_row is None:
            raise NotFound(f"There is no young person with record id {person_id}.")
        staff = _staff(session)
        person_table = Base.metadata.tables[PERSON_TABLE]
        person_data = dict(person_row._mapping)
        person = Item(
            PERSON_TABLE,
            str(person_id),
            None,
            _named(person_table, person_data, staff),
            _review(person_table, person_data),
        )
        rows = _collect(session, person_id)
        items = []
        for name, found in rows.items():
            table = Base.metadata.tables[name]
            for data in found:
                items.append(
                    Item(
                        name,
                        _key(table, data),
                        _when(table, data),
                        _named(table, data, staff),
                        _review(table, data),
                    )
                )
        items.sort(key=lambda i: (_sort_day(i.when), i.table, i.key))
        events = _audit_events(session, person_id, rows)
        audit.record(
            session,
            actor,
            "subject_access",
            now=now,
            record_type=RECORD_TYPE,
            record_id=person_id,
            fields=sorted(rows),
        )
    return SubjectAccess(person, tuple(items), tuple(events), tuple(sorted(rows)), now)


def _sort_day(when: date | datetime | None) -> datetime:
    if when is None:
        return datetime.min
    if isinstance(when, datetime):
        return when
    return datetime(when.year, when.month, when.day)


# --- the files ------------------------------------------------------------------------------


def _label(table: str) -> str:
    return table.replace("_", " ").capitalize()


def _day(when: date | datetime | None) -> str:
    if when is None:
        return "Undated"
    if isinstance(when, datetime):
        return f"{plain_date(when.date())} {when:%H:%M}"
    return plain_date(when)


def _lines(answer: SubjectAccess) -> list[document_pdf.Line]:
    person = answer.person.fields
    name = f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()
    L = document_pdf.Line
    out = [
        L(f"Subject access record: {name}", "title"),
        L(
            f"Child id {person.get('child_uid')}, born {plain_date(person['date_of_birth'])}. "
            f"Made {plain_date(to_local(answer.made_at).date())} from {len(answer.items)} "
            f"records in {len(answer.tables)} tables and {len(answer.audit_events)} audit "
            "events."
        ),
        L(
            "DRAFT FOR REVIEW: lines marked REVIEW may hold details of other people (UK GDPR "
            "Article 15(4)). Check and redact them before release.",
            "flag",
        ),
        L("The young person's record", "heading"),
    ]
    out += _fields(answer.person)
    out.append(L("Chronology", "heading"))
    for item in answer.items:
        out.append(L(f"{_day(item.when)}: {_label(item.table)} ({item.key})", "heading"))
        out += _fields(item)
    out.append(L("Who read or changed the record (audit trail)", "heading"))
    for event in answer.audit_events:
        out.append(
            L(
                f"{event['when_utc']} UTC: {event['action']} {event['record_type']} "
                f"{event['record_id']} by user {event['by']} ({event['role']}), {event['outcome']}"
            )
        )
    return out


def _fields(item: Item) -> list[document_pdf.Line]:
    out = []
    for name, value in item.fields.items():
        if value in (None, "", "[]"):
            continue
        text = f"{name.replace('_', ' ')}: {_plain(value)}"
        if name in item.review:
            out.append(document_pdf.Line(f"REVIEW ({item.review[name]}): {text}", "flag", 12))
        else:
            out.append(document_pdf.Line(text, "body", 12))
    return out


def write_files(answer: SubjectAccess, folder: Path) -> list[Path]:
    """Write ``subject-access-<child id>.json`` and ``.pdf`` into ``folder``, owner-only.
    Each is written whole under a temporary name and moved into place once both are
    written, so a failure while writing leaves neither."""
    uid = str(answer.person.fields.get("child_uid"))
    targets = [folder / f"subject-access-{uid}.json", folder / f"subject-access-{uid}.pdf"]
    for target in targets:
        if target.exists():
            raise FileAccessProblem(f"{target} already exists. Nothing was written.")
    text = json.dumps(answer.as_json(), indent=2, ensure_ascii=False, default=str) + "\n"
    pdf = document_pdf.render(_lines(answer), footer=f"Subject access draft: {uid}")
    with files.private_output(targets[0]) as tmp_json, files.private_output(targets[1]) as tmp_pdf:
        tmp_json.write_text(text, encoding="utf-8")
        tmp_pdf.write_bytes(pdf)
    return targets
