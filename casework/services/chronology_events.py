"""What a chronology is made of: dated events of a few kinds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class EventKind(StrEnum):
    CONTACT = "contact"
    ACCOMMODATION = "accommodation"
    ACTIVITY = "activity"
    PLAN = "plan"
    STATUS = "status"
    ELIGIBILITY = "eligibility"
    FOLLOW_UP = "follow_up"
    SUPPORT = "support"
    FRONT_DOOR = "front_door"
    ALLEGATION = "allegation"
    RISK = "risk"
    MISSING = "missing"
    SERVICE = "service"
    CLOSURE = "closure"

    @property
    def label(self) -> str:
        return {
            "contact": "Contacts",
            "accommodation": "Accommodation",
            "activity": "Education, employment, training",
            "plan": "Plans, assessments and reviews",
            "status": "In-touch statuses and changes",
            "eligibility": "Eligibility",
            "follow_up": "Follow-up actions",
            "support": "Support milestones",
            "front_door": "Concerns and referrals",
            "allegation": "Allegations",
            "risk": "Risk screenings",
            "missing": "Missing episodes",
            "service": "Referrals out",
            "closure": "Closure, reopening and notes",
        }[self.value]


@dataclass(frozen=True)
class Event:
    on: date
    at: datetime | None  # when a time of day is known
    kind: EventKind
    title: str
    detail: str
    by: str | None = None
