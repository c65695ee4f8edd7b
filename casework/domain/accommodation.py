"""Accommodation rules: when a period covers a day, and when accommodation may be
recorded as suitable. Pure; ``today`` is passed in.

One convention everywhere (screens, closure checks, due items, demo data and bundle
import): ``ended_on`` is the *last night* spent there, and the next period starts the
following day. A period covers ``day`` when ``started_on <= day <= ended_on``; two
periods overlap when one starts on or before the other's last night.

Suitability (SSDA903 guide: suitable means safe, secure and affordable; unsuitable means
it clearly exposes the young person to risk of harm or social exclusion):

- no fixed abode (S) and custody (X) are always unsuitable (SSDA903: only S2 and X2 are
  valid); residence not known (R) is never suitable, since nobody can say it is safe;
- bed and breakfast (W) is never suitable for a 16 or 17 year old, even in an emergency
  (Prevention of homelessness and provision of accommodation for 16 and 17 year old
  young people who may be homeless and/or require accommodation, statutory guidance,
  2018); from 18 it is suitable only with a reason and a team lead's review, by someone
  other than whoever recorded it (local practice: no statute bars it for adults, so it is
  treated as a last resort that a second person agrees);
- emergency accommodation (V) always needs a reason;
- under 18s in supported accommodation (D, E) must be in registered provision
  (Supported Accommodation (England) Regulations 2023): whether it is registered is
  recorded, and unregistered provision is unsuitable;
- SSDA903 rules refused at entry: 347 (no foyer, T, under 18), 3001 (no "with former
  foster carers", Z, around the 17th birthday: Staying Put starts at 18, Children Act
  1989 s23CZA, so Z may not start before the 18th birthday), 345 (a young person in
  touch is never coded ``0``: accommodation is always a letter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from casework.domain.calendar import add_months, age_on
from casework.domain.codes import AccommodationType, UnknownCode

__all__ = [
    "ADULT_AGE",
    "SUPPORTED",
    "AccommodationEntry",
    "Problem",
    "covers",
    "entry_problems",
    "next_start",
    "overlap_problem",
    "suitable_only_after_review",
]

ADULT_AGE = 18

#: Supported accommodation for 16-17 year olds that must be registered with Ofsted
#: (Supported Accommodation (England) Regulations 2023): semi-independent or
#: transitional, and supported lodgings. (Foyers, T, are refused under 18 by rule 347.)
SUPPORTED = frozenset({"D", "E"})

_GUIDANCE_2018 = "statutory guidance on homeless 16 and 17 year olds, 2018"
_LAST_RESORT = "local practice: bed and breakfast is a last resort a second person agrees"
_SUPPORTED_2023 = "Supported Accommodation (England) Regulations 2023"


def covers(started_on: date, ended_on: date | None, day: date) -> bool:
    """Whether a period covers ``day``: ``ended_on`` is the last night there."""
    return started_on <= day and (ended_on is None or day <= ended_on)


def next_start(ended_on: date) -> date:
    """The first day of the next period after a period whose last night is ``ended_on``."""
    return ended_on + timedelta(days=1)


def last_night_before(next_started_on: date) -> date:
    """The last night of a period followed by one that starts on ``next_started_on``."""
    return next_started_on - timedelta(days=1)


def suitable_only_after_review(letter: str) -> bool:
    """Bed and breakfast counts as suitable only once a team lead has reviewed it."""
    return letter == AccommodationType.BED_AND_BREAKFAST.value


@dataclass(frozen=True)
class Problem:
    """One refusal: the form field, the rule's source, and a plain sentence naming it."""

    field: str
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class AccommodationEntry:
    """What a worker enters for one period of accommodation."""

    letter: str
    started_on: date
    suitable: bool
    date_of_birth: date
    ended_on: date | None = None
    provider: str = ""
    unsuitable_reason: str = ""
    suitable_reason: str = ""
    registered: bool | None = None  # supported accommodation under 18 only


def needs_registration(letter: str, date_of_birth: date, started_on: date) -> bool:
    """Whether the form must ask if the provision is registered (under 18 on the day the
    period starts, in supported accommodation)."""
    return letter in SUPPORTED and age_on(date_of_birth, started_on) < ADULT_AGE


def entry_problems(entry: AccommodationEntry, today: date) -> list[Problem]:
    """Every reason the entry is refused, each naming its source."""
    letter = entry.letter.strip().upper()
    if letter == "0":
        return [
            Problem(
                "letter",
                "SSDA903 rules 344 and 345",
                "'0' (not applicable) is only for a return about a young person who has died "
                "or returned home (SSDA903 rule 344); a young person in touch always has an "
                "accommodation letter (SSDA903 rule 345). Choose where they live.",
            )
        ]
    try:
        kind = AccommodationType.parse(letter)
    except UnknownCode as exc:
        return [Problem("letter", "SSDA903 ACCOM codes", str(exc))]
    age = age_on(entry.date_of_birth, entry.started_on)
    return [
        *_always_unsuitable(entry, kind),
        *_bed_and_breakfast_and_emergency(entry, kind, age),
        *_registration(entry, kind, age),
        *_ssda903_age_rules(entry, kind, age),
        *_dates_and_sizes(entry, today),
    ]


def _always_unsuitable(entry: AccommodationEntry, kind: AccommodationType) -> list[Problem]:
    out = []
    if kind.always_unsuitable and entry.suitable:
        out.append(
            Problem(
                "suitable",
                "SSDA903 guide (only S2 and X2 are valid)",
                f"{kind.label} is always unsuitable (SSDA903: only {kind.value}2 is valid).",
            )
        )
    if kind is AccommodationType.RESIDENCE_NOT_KNOWN and entry.suitable:
        out.append(
            Problem(
                "suitable",
                "SSDA903 guide (suitable means safe, secure and affordable)",
                "Residence not known is never suitable: nobody can say it is safe, secure "
                "and affordable (SSDA903 guide).",
            )
        )
    if not entry.suitable and not entry.unsuitable_reason.strip():
        out.append(
            Problem(
                "unsuitable_reason",
                "SSDA903 guide (unsuitable clearly exposes them to risk)",
                "say why the accommodation is unsuitable.",
            )
        )
    return out


def _bed_and_breakfast_and_emergency(
    entry: AccommodationEntry, kind: AccommodationType, age: int
) -> list[Problem]:
    out = []
    reason = entry.suitable_reason.strip()
    if kind is AccommodationType.BED_AND_BREAKFAST and entry.suitable:
        if age < ADULT_AGE:
            out.append(
                Problem(
                    "suitable",
                    _GUIDANCE_2018,
                    f"They are {age}: bed and breakfast is never suitable for 16 and 17 year "
                    f"olds, even in an emergency ({_GUIDANCE_2018}). Record it as unsuitable "
                    "and say why it is being used.",
                )
            )
        elif not reason:
            out.append(
                Problem(
                    "suitable_reason",
                    _LAST_RESORT,
                    "bed and breakfast is suitable only with a reason and a team lead's "
                    f"review ({_LAST_RESORT}): say why it is suitable for them.",
                )
            )
    if kind is AccommodationType.EMERGENCY and entry.suitable and not reason:
        out.append(
            Problem(
                "suitable_reason",
                "local practice (emergency accommodation is reviewed by a team lead)",
                "emergency accommodation needs a reason: say why it is suitable for now.",
            )
        )
    return out


def _registration(entry: AccommodationEntry, kind: AccommodationType, age: int) -> list[Problem]:
    out = []
    if needs_registration(kind.value, entry.date_of_birth, entry.started_on):
        if entry.registered is None:
            out.append(
                Problem(
                    "registered",
                    _SUPPORTED_2023,
                    f"They are {age}: record whether this supported accommodation is "
                    f"registered with Ofsted ({_SUPPORTED_2023}).",
                )
            )
        elif not entry.registered and entry.suitable:
            out.append(
                Problem(
                    "suitable",
                    _SUPPORTED_2023,
                    f"They are {age}: unregistered supported accommodation is unsuitable for "
                    f"16 and 17 year olds ({_SUPPORTED_2023}).",
                )
            )
    return out


def _ssda903_age_rules(
    entry: AccommodationEntry, kind: AccommodationType, age: int
) -> list[Problem]:
    out = []
    if kind is AccommodationType.FOYER and age < ADULT_AGE:
        out.append(
            Problem(
                "letter",
                "SSDA903 rule 347",
                f"They are {age} on {entry.started_on:%d/%m/%Y}: a care leaver under 18 cannot "
                "be recorded as living in a foyer (SSDA903 rule 347). Record the supported "
                "accommodation type (D or E) and whether it is registered.",
            )
        )
    if kind is AccommodationType.STAYING_PUT and age < ADULT_AGE:
        out.append(
            Problem(
                "letter",
                "SSDA903 rule 3001; Children Act 1989 s23CZA",
                f"They are {age} on {entry.started_on:%d/%m/%Y}: living with former foster "
                "carers (Staying Put) starts at 18 (Children Act 1989 s23CZA), and SSDA903 "
                "rule 3001 refuses it around the 17th birthday. Start it on or after "
                f"{add_months(entry.date_of_birth, 12 * ADULT_AGE):%d/%m/%Y}.",
            )
        )
    return out


def _dates_and_sizes(entry: AccommodationEntry, today: date) -> list[Problem]:
    out = []
    if entry.started_on > today:
        out.append(
            Problem(
                "started_on",
                "record as it happens",
                "The move-in date is in the future: record it when it happens.",
            )
        )
    if entry.started_on < entry.date_of_birth:
        out.append(Problem("started_on", "date of birth", "The move-in date is before birth."))
    if entry.ended_on is not None and entry.ended_on < entry.started_on:
        out.append(
            Problem(
                "ended_on",
                "last-night convention",
                "The last night is before the first: a period ends on the last night spent there.",
            )
        )
    if len(entry.provider) > 200:
        out.append(Problem("provider", "form limit", "Expected at most 200 characters."))
    return out


def overlap_problem(
    started_on: date, ended_on: date | None, other_start: date, other_end: date | None
) -> Problem | None:
    """Refuse a period that shares a night with another (``ended_on`` is the last night;
    the next period starts the following day)."""
    later_end = date.max if ended_on is None else ended_on
    other_later_end = date.max if other_end is None else other_end
    if started_on <= other_later_end and other_start <= later_end:
        last = "still open" if other_end is None else f"last night {other_end:%d/%m/%Y}"
        return Problem(
            "started_on",
            "last-night convention",
            f"Overlaps the period from {other_start:%d/%m/%Y} ({last}): a period ends on the "
            "last night spent there and the next starts the following day.",
        )
    return None
