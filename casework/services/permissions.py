"""The one permission policy: role x action x relation to the record.

Every service call asks ``allowed`` (through ``casework.services.context.require``)
before it reads or writes. Administrators manage accounts and settings but never read
case records. The command-line tool acts as the ``system`` role: whoever runs it
already holds the database key, so it may import, export and verify, but it still
goes through the same checks and the same audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner (social worker or personal adviser)",
    Role.TEAM_LEAD: "Team lead",
    Role.ADMIN: "Administrator (IT)",
    Role.SYSTEM: "casework-admin",
}

PERSON_ROLES = (Role.PRACTITIONER, Role.TEAM_LEAD, Role.ADMIN)
CASE_ROLES = (Role.PRACTITIONER, Role.TEAM_LEAD)


class Action(StrEnum):
    LIST_CASELOAD = "list_caseload"
    VIEW_RECORD = "view_record"
    CREATE_RECORD = "create_record"
    EDIT_RECORD = "edit_record"
    REVIEW_AS_TEAM_LEAD = "review_as_team_lead"
    DECIDE_FRONT_DOOR = "decide_front_door"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_AUDIT = "view_audit"
    EXPORT_BUNDLE = "export_bundle"
    IMPORT_BUNDLE = "import_bundle"
    RUN_REPORTS = "run_reports"
    AUDIT_CLOSURES = "audit_closures"
    EXPORT_RETURNS = "export_returns"
    SUBJECT_ACCESS = "subject_access"
    IMPORT_RETURNS = "import_returns"
    VIEW_OVERSIGHT = "view_oversight"


class Relation(StrEnum):
    OWN_CASELOAD = "own_caseload"  # the actor is the allocated social worker or PA
    OWN_TEAM = "own_team"  # the record belongs to a team the actor is in or leads
    OTHER_TEAM = "other_team"
    NOT_A_RECORD = "not_a_record"  # the action is not about one young person


_ANY_RECORD = frozenset({Relation.OWN_CASELOAD, Relation.OWN_TEAM})
_NOT_RECORD = frozenset({Relation.NOT_A_RECORD})
_NONE: frozenset[Relation] = frozenset()

# The policy table. A missing (role, action) pair means "never".
POLICY: dict[tuple[Role, Action], frozenset[Relation]] = {
    (Role.PRACTITIONER, Action.LIST_CASELOAD): _NOT_RECORD,
    (Role.PRACTITIONER, Action.VIEW_RECORD): _ANY_RECORD,
    (Role.PRACTITIONER, Action.CREATE_RECORD): _ANY_RECORD,
    (Role.PRACTITIONER, Action.EDIT_RECORD): _ANY_RECORD,
    (Role.TEAM_LEAD, Action.LIST_CASELOAD): _NOT_RECORD,
    (Role.TEAM_LEAD, Action.VIEW_RECORD): _ANY_RECORD,
    (Role.TEAM_LEAD, Action.CREATE_RECORD): _ANY_RECORD,
    (Role.TEAM_LEAD, Action.EDIT_RECORD): _ANY_RECORD,
    (Role.TEAM_LEAD, Action.REVIEW_AS_TEAM_LEAD): _ANY_RECORD,
    (Role.TEAM_LEAD, Action.DECIDE_FRONT_DOOR): _ANY_RECORD,
    (Role.TEAM_LEAD, Action.AUDIT_CLOSURES): _NOT_RECORD,
    # Statutory returns (Ofsted Annex A, DfE SSDA903) cover every team: the council's
    # performance staff (an administrator) or the command-line tool (local practice).
    # A subject access request (UK GDPR Article 15) is answered by a team lead for their
    # own team's records, or by the command-line tool (local practice).
    (Role.TEAM_LEAD, Action.SUBJECT_ACCESS): _ANY_RECORD,
    (Role.TEAM_LEAD, Action.VIEW_OVERSIGHT): _NOT_RECORD,
    (Role.ADMIN, Action.MANAGE_USERS): _NOT_RECORD,
    (Role.ADMIN, Action.MANAGE_SETTINGS): _NOT_RECORD,
    (Role.ADMIN, Action.VIEW_AUDIT): _NOT_RECORD,
    # Statutory returns (Ofsted Annex A) and bootstrapping from another system's return:
    # an IT and administration task, as imports and exports are (local practice).
    (Role.ADMIN, Action.EXPORT_RETURNS): _NOT_RECORD,
    (Role.ADMIN, Action.IMPORT_RETURNS): _NOT_RECORD,
    (Role.SYSTEM, Action.MANAGE_USERS): _NOT_RECORD,
    (Role.SYSTEM, Action.MANAGE_SETTINGS): _NOT_RECORD,
    (Role.SYSTEM, Action.VIEW_AUDIT): _NOT_RECORD,
    (Role.SYSTEM, Action.EXPORT_BUNDLE): _NOT_RECORD,
    (Role.SYSTEM, Action.IMPORT_BUNDLE): _NOT_RECORD,
    (Role.SYSTEM, Action.RUN_REPORTS): _NOT_RECORD,
    (Role.SYSTEM, Action.AUDIT_CLOSURES): _NOT_RECORD,
    (Role.SYSTEM, Action.EXPORT_RETURNS): _NOT_RECORD,
    (Role.SYSTEM, Action.SUBJECT_ACCESS): _NOT_RECORD,
    (Role.SYSTEM, Action.IMPORT_RETURNS): _NOT_RECORD,
    (Role.SYSTEM, Action.VIEW_OVERSIGHT): _NOT_RECORD,
}

_ACTION_WORDS = {
    Action.LIST_CASELOAD: "see a caseload",
    Action.VIEW_RECORD: "open this young person's record",
    Action.CREATE_RECORD: "add a young person to this team",
    Action.EDIT_RECORD: "change this young person's record",
    Action.REVIEW_AS_TEAM_LEAD: "record a team lead's review",
    Action.DECIDE_FRONT_DOOR: "decide what happens to a contact or referral",
    Action.MANAGE_USERS: "manage user accounts and teams",
    Action.MANAGE_SETTINGS: "change settings",
    Action.VIEW_AUDIT: "read the audit trail",
    Action.EXPORT_BUNDLE: "export records",
    Action.IMPORT_BUNDLE: "import records",
    Action.RUN_REPORTS: "run council-wide reports",
    Action.AUDIT_CLOSURES: "sample, assign or audit closed cases",
    Action.SUBJECT_ACCESS: "answer a subject access request for this young person",
    Action.EXPORT_RETURNS: "produce statutory returns (Ofsted's Annex A, the DfE SSDA903)",
    Action.IMPORT_RETURNS: "import records from another system's Annex A workbook",
    Action.VIEW_OVERSIGHT: "open the oversight dashboard for a team",
}


def allowed(role: Role, action: Action, relation: Relation) -> bool:
    return relation in POLICY.get((role, action), _NONE)


def denial_message(role: Role, action: Action, relation: Relation) -> str:
    why = {
        Relation.OTHER_TEAM: " It belongs to a team you are not part of.",
        Relation.OWN_CASELOAD: "",
        Relation.OWN_TEAM: "",
        Relation.NOT_A_RECORD: "",
    }[relation]
    if role is Role.ADMIN and action in (Action.VIEW_RECORD, Action.LIST_CASELOAD):
        why = " Administrators manage accounts and settings but do not read case records."
    return f"As {role.label.lower()} you cannot {_ACTION_WORDS[action]}.{why}"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or the command-line tool."""

    user_id: int | None
    username: str
    display_name: str
    role: Role
    team_id: int | None = None
    led_team_ids: frozenset[int] = frozenset()

    @property
    def team_ids(self) -> frozenset[int]:
        """Teams whose records the actor works on: their own and those they lead."""
        own = frozenset({self.team_id}) if self.team_id is not None else frozenset()
        return own | self.led_team_ids

    def relation_to(
        self, team_id: int, social_worker_id: int | None, personal_adviser_id: int | None
    ) -> Relation:
        if self.user_id is not None and self.user_id in (social_worker_id, personal_adviser_id):
            return Relation.OWN_CASELOAD
        if team_id in self.team_ids:
            return Relation.OWN_TEAM
        return Relation.OTHER_TEAM


SYSTEM_ACTOR = Actor(None, "casework-admin", "casework-admin", Role.SYSTEM)


# --- separation of duties ------------------------------------------------------------


def may_approve(authors: Iterable[int | None], approver_id: int | None) -> bool:
    """The one separation-of-duties rule for every approval, sign-off and authorisation:
    nobody approves work they wrote, rewrote, resubmitted or justified, in any version.

    ``authors`` is everyone who put their hand to the thing being approved. An approver
    who cannot be identified (the command-line tool) never approves.
    """
    return approver_id is not None and approver_id not in set(authors)


def approval_refusal(what: str) -> str:
    """The plain message for a refused approval: ``what`` names the thing, e.g.
    "this closure request"."""
    return (
        f"You wrote or changed {what}, so you cannot approve it: another team lead must. "
        "Whoever writes, rewrites, resubmits or justifies any version of a piece of work "
        "never approves it."
    )
