"""ORM models (SQLAlchemy 2.x typed), one module per feature. Portable SQL only: SQLite
now, PostgreSQL later. Code-list values are stored as their short storage codes
(``casework.domain.codes``), never as database enums, so adding a code is not a schema
change. All timestamps are naive UTC.
"""

from casework.db.models.audit import AuditEvent, AuditHead
from casework.db.models.audit_closure import (
    AuditGrade,
    AuditJudgement,
    AuditSample,
    ClosureAudit,
    LearningAction,
)
from casework.db.models.base import Base, Setting
from casework.db.models.closure import (
    CareArrangement,
    CaseReopening,
    ClosedCaseNote,
    ClosureOverride,
    ClosureRequest,
    ClosureRequestVersion,
)
from casework.db.models.derived import DueSnapshot, DueSnapshotGeneration
from casework.db.models.front_door import (
    Allegation,
    ChildProtectionMeeting,
    ChildProtectionPlan,
    MissingEpisode,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
)
from casework.db.models.leaving_care import (
    AccommodationPeriod,
    ActivityPeriod,
    CareHistory,
    CarePeriod,
    CircumstanceChange,
    Contact,
    ContactAddendum,
    ContactSummary,
    EligibilityDecision,
    EssentialItem,
    FollowUpAction,
    NeedsAssessment,
    PathwayPlan,
    PlanArea,
    PlanReview,
    StatusEvent,
    SummarisedContact,
    SupportEvent,
)
from casework.db.models.people import LoginThrottle, Team, TeamLeadership, User, YoungPerson

__all__ = [
    "AccommodationPeriod",
    "ActivityPeriod",
    "Allegation",
    "AuditEvent",
    "AuditGrade",
    "AuditHead",
    "AuditJudgement",
    "AuditSample",
    "Base",
    "CareArrangement",
    "CareHistory",
    "CarePeriod",
    "CaseReopening",
    "ChildProtectionMeeting",
    "ChildProtectionPlan",
    "CircumstanceChange",
    "ClosedCaseNote",
    "ClosureAudit",
    "ClosureOverride",
    "ClosureRequest",
    "ClosureRequestVersion",
    "Contact",
    "ContactAddendum",
    "ContactSummary",
    "DueSnapshot",
    "DueSnapshotGeneration",
    "EligibilityDecision",
    "EssentialItem",
    "FollowUpAction",
    "LearningAction",
    "LoginThrottle",
    "MissingEpisode",
    "NeedsAssessment",
    "PathwayPlan",
    "PlanArea",
    "PlanReview",
    "Referral",
    "RiskScreening",
    "SafeguardingContact",
    "ServiceReferral",
    "Setting",
    "StatusEvent",
    "SummarisedContact",
    "SupportEvent",
    "Team",
    "TeamLeadership",
    "User",
    "YoungPerson",
]
