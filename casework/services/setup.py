"""Setting up a new database: the first administrator, the first team and its lead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from casework.errors import ValidationFailed
from casework.services.permissions import SYSTEM_ACTOR, Role
from casework.services.users import NewUser, add_user_in


@dataclass(frozen=True)
class FirstUsers:
    admin_username: str
    admin_name: str
    admin_password: str
    team_name: str
    lead_username: str
    lead_name: str
    lead_password: str


def initialiser(first: FirstUsers, now: datetime) -> Callable[[Session], None]:
    """The callback ``create_database`` runs inside its creating transaction."""

    def run(session: Session) -> None:
        if first.admin_username.strip().lower() == first.lead_username.strip().lower():
            raise ValidationFailed(
                ["The administrator and the team lead need different user names."]
            )
        add_user_in(
            session,
            SYSTEM_ACTOR,
            NewUser(first.admin_username, first.admin_name, Role.ADMIN, first.admin_password),
            now,
        )
        add_user_in(
            session,
            SYSTEM_ACTOR,
            NewUser(
                first.lead_username,
                first.lead_name,
                Role.TEAM_LEAD,
                first.lead_password,
                team=first.team_name,
                leads=(first.team_name,),
            ),
            now,
        )

    return run
