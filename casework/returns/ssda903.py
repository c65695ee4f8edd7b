"""The SSDA903 care-leaver extract: the Header and OC3 tables for a collection year, read
from the dated history as it stood around each young person's birthday, and checked
against the published rules (:mod:`casework.domain.ssda903`) before anything is written.

Who is in it (DfE guide to the SSDA903 collection, table OC3): every young person whose
17th to 21st birthday falls in the collection year and who was then a relevant or former
relevant child (Children Act 1989 s23A, s24(1A)): they had left care. The category comes
from :func:`casework.services.categories.category_inputs` as the record stood on the
birthday, like every other screen and report. Eligible children (still looked after) are
reported in the episodes tables, which Casework does not hold; qualifying care leavers
are not in OC3.

Values at the birthday, over the window of :func:`casework.domain.ssda903.birthday_window`
(three months before to one month after, DfE SSDA903 guide):
- ``IN_TOUCH``: :func:`casework.domain.in_touch.derive_in_touch` on the window's last day
  with the window's four months as the in-touch window, so YES means a successful contact
  in the window, and a recorded status (DIED, RHOM, REFU, NREQ) in force then wins.
- ``ACTIV`` and ``ACCOM``: the activity and accommodation periods that covered the
  birthday (failing that, the one that covered most days of the window); ``ACCOM`` is the
  letter and 1 (suitable) or 2 (unsuitable). When not in touch (NO, REFU, NREQ) or after
  DIED or RHOM (rule 344), both are ``0``: the council does not know them first hand.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from casework.clock import local_today
from casework.db.database import Database
from casework.db.files import PRIVATE_DIR, PRIVATE_FILE
from casework.db.models import YoungPerson
from casework.domain import ssda903 as rules
from casework.domain.codes import (
    SSDA903_NOT_APPLICABLE,
    EligibilityCategory,
    Suitability,
    ssda903_accom,
)
from casework.domain.in_touch import derive_in_touch
from casework.errors import CaseworkError
from casework.services import audit
from casework.services.categories import CategoryInputs, category_inputs
from casework.services.common import refuse_whole_service_on_server, require
from casework.services.due import _accommodation, _activities, _all_contacts, _statuses
from casework.services.permissions import Action, Actor

__all__ = ["Extract", "build_extract", "read_oc3", "write_extract"]

#: Categories reported in OC3: they have left care (s23A relevant, s24(1A) former relevant).
REPORTED_CATEGORIES = frozenset({EligibilityCategory.RELEVANT, EligibilityCategory.FORMER_RELEVANT})
_REPORTED_ACTIVE = frozenset({"YES"})


class ExtractRefused(CaseworkError):
    """The extract breaks published rules; ``breaches`` lists each by child."""

    def __init__(self, breaches: Sequence[rules.Breach]) -> None:
        self.breaches = list(breaches)
        super().__init__(
            f"The SSDA903 extract breaks {len(self.breaches)} published rule(s); nothing was "
            "written. Fix each record named, then export again."
        )


@dataclass(frozen=True)
class Extract:
    """The two tables, every breach found, and the record id behind each child id."""

    year: int
    header: tuple[rules.HeaderRow, ...]
    oc3: tuple[rules.OC3Row, ...]
    breaches: tuple[rules.Breach, ...]
    person_ids: dict[str, int]

    def csv_text(self, table: str) -> str:
        columns, rows = (
            (rules.HEADER_COLUMNS, self.header)
            if table == "Header"
            else (rules.OC3_COLUMNS, self.oc3)
        )
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row.cells())
        return out.getvalue()


def _period_on(periods: Sequence[Any], birthday: date, first: date, last: date) -> Any:
    """The period covering the birthday, else the one covering most days of the window."""
    best, best_days = None, 0
    for p in periods:
        end = p.end if p.end is not None else last
        if p.start <= birthday <= end:
            return p
        days = (min(end, last) - max(p.start, first)).days + 1
        if days > best_days:
            best, best_days = p, days
    return best


def build_extract(
    db: Database,
    actor: Actor,
    year: int,
    *,
    now: datetime,
    last_oc3: Sequence[rules.OC3Row] | None = None,
    in_touch_as_of: date | None = None,
) -> Extract:
    """Read the record and build both tables for the collection year ``year`` (its end
    year: 2026 is 2025-26), with every breach of the published rules. Audited."""
    start, end = rules.collection_period(year)
    refuse_whole_service_on_server(db, "The SSDA903 return")
    require(db, actor, Action.EXPORT_RETURNS, now=now, record_type="ssda903")
    today = in_touch_as_of or local_today(now)
    with db.unit_of_work() as session:
        people = list(
            session.execute(
                select(
                    YoungPerson.id,
                    YoungPerson.child_uid,
                    YoungPerson.date_of_birth,
                    YoungPerson.sex,
                    YoungPerson.ethnicity,
                )
                .where(YoungPerson.date_of_birth > _years_before(start, 22))
                .where(YoungPerson.date_of_birth <= _years_before(end, 17))
                .order_by(YoungPerson.child_uid)
            )
        )
        due = {p.id: rules.reported_birthday(p.date_of_birth, year) for p in people}
        ids = [pid for pid, when in due.items() if when is not None]
        contacts = _all_contacts(session, ids)
        statuses = _statuses(session, ids)
        homes = _accommodation(session, ids)
        activities = _activities(session, ids)
        categories = category_inputs(session, ids)
        header: list[rules.HeaderRow] = []
        oc3: list[rules.OC3Row] = []
        person_ids: dict[str, int] = {}
        for p in people:
            when = due[p.id]
            if when is None:
                continue
            age, birthday = when
            if _category(session, categories, p.id, birthday) not in REPORTED_CATEGORIES:
                continue
            first, last = rules.birthday_window(birthday)
            asked = min(last, today)
            months = rules.WINDOW_MONTHS_BEFORE + rules.WINDOW_MONTHS_AFTER
            state = derive_in_touch(
                contacts.get(p.id, []), statuses.get(p.id, []), asked, window_months=months
            )
            in_touch = state.code.ssda903 or ""
            activ = accom = SSDA903_NOT_APPLICABLE
            if in_touch in _REPORTED_ACTIVE:
                activ, accom = _activity_and_home(
                    activities.get(p.id, []), homes.get(p.id, []), birthday, first, last
                )
            person_ids[p.child_uid] = p.id
            header.append(
                rules.HeaderRow(p.child_uid, rules.header_sex(p.sex), p.date_of_birth, p.ethnicity)
            )
            oc3.append(rules.OC3Row(p.child_uid, p.date_of_birth, in_touch, activ, accom, age))
        breaches = rules.check_return(header, oc3, year, last_oc3)
        audit.record(
            session,
            actor,
            "export_ssda903",
            now=now,
            record_type="ssda903",
            record_id=f"{year}:{len(oc3)}",
        )
    return Extract(year, tuple(header), tuple(oc3), tuple(breaches), person_ids)


def _category(
    session: Any, loaded: dict[int, CategoryInputs], person_id: int, birthday: date
) -> EligibilityCategory | None:
    """The category on the birthday as the facts then stood (the care periods), which is
    what the return reports; the worker's confirmation only where no care history is
    recorded (:func:`casework.domain.leaving_care.category_on`), and then the latest made
    by the birthday (read again for that person: the bulk read has every confirmation)."""
    inputs = loaded.get(person_id)
    if inputs is None:
        return None
    view = inputs.view(birthday)
    if view.derived is not None:
        return view.derived
    then = category_inputs(session, [person_id], as_of=birthday).get(person_id)
    return None if then is None else then.view(birthday).effective


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _activity_and_home(
    activities: Sequence[Any], homes: Sequence[Any], birthday: date, first: date, last: date
) -> tuple[str, str]:
    """ACTIV and ACCOM around the birthday; blank where nothing covered the window (the
    rules then report the gap, rule 153/132/133, so the worker records it)."""
    activity = _period_on(activities, birthday, first, last)
    home = _period_on(homes, birthday, first, last)
    activ = "" if activity is None else str(activity.code.ssda903 or "")
    if home is None:
        return activ, ""
    if home.suitable is None:  # not yet assessed: the letter alone, which rule 133 reports
        return activ, home.letter.value
    suitability = Suitability.SUITABLE if home.suitable else Suitability.UNSUITABLE
    try:
        accom = ssda903_accom(home.letter, suitability)
    except ValueError:  # S1 or X1: stored as suitable, which the return cannot take
        accom = f"{home.letter.value}1"
    return activ, accom


def read_oc3(folder: Path) -> list[rules.OC3Row]:
    """Last year's OC3 (for rule 348) from a folder of SSDA903 CSV files: the file whose
    columns are exactly OC3's. A clear message when there is none or it cannot be read."""
    if not folder.is_dir():
        raise CaseworkError(f"{folder} is not a folder: give last year's SSDA903 folder.")
    found = []
    for path in sorted(folder.glob("*.csv")):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CaseworkError(f"Cannot read {path}: {exc}") from None
        rows = list(csv.reader(io.StringIO(text)))
        if rows and {c.strip() for c in rows[0]} == set(rules.OC3_COLUMNS):
            found.append((path, rows))
    if len(found) != 1:
        raise CaseworkError(
            f"{folder} holds {len(found)} OC3 files (columns {', '.join(rules.OC3_COLUMNS)}); "
            "expected exactly one."
        )
    path, rows = found[0]
    index = {c.strip(): i for i, c in enumerate(rows[0])}
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            cells = {c: row[i].strip().upper() for c, i in index.items()}
            dob = datetime.strptime(cells["DOB"], "%d/%m/%Y").date()
        except (IndexError, ValueError):
            raise CaseworkError(
                f"{path.name} row {n}: expected CHILD, a DOB as dd/mm/yyyy, IN_TOUCH, ACTIV "
                "and ACCOM."
            ) from None
        out.append(
            rules.OC3Row(
                row[index["CHILD"]].strip(),
                dob,
                cells["IN_TOUCH"],
                cells["ACTIV"],
                cells["ACCOM"],
                0,
            )
        )
    return out


def write_extract(extract: Extract, out: Path) -> list[Path]:
    """Write ``Header.csv`` and ``OC3.csv`` into the new folder ``out`` (owner-only), all
    or nothing: both are written in a private folder beside it, which then takes its
    name. Refused, with nothing written, while the extract breaks a published rule."""
    if extract.breaches:
        raise ExtractRefused(extract.breaches)
    out = out.expanduser().absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CaseworkError(
            f"{out} already exists and is not an empty folder. Nothing was written."
        )
    parent = out.parent
    if not parent.is_dir():
        raise CaseworkError(f"The folder {parent} does not exist. Nothing was written.")
    staging = parent / f".{out.name}.casework-tmp-{os.getpid()}"
    os.mkdir(staging, PRIVATE_DIR)
    try:
        for table in ("Header", "OC3"):
            fd = os.open(
                staging / f"{table}.csv", os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE
            )
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(extract.csv_text(table))
                handle.flush()
                os.fsync(handle.fileno())
        os.rename(staging, out)  # replaces an empty folder; never a full one
    except BaseException:
        for child in staging.glob("*") if staging.exists() else ():
            child.unlink()
        if staging.exists():
            staging.rmdir()
        raise
    return [out / "Header.csv", out / "OC3.csv"]
