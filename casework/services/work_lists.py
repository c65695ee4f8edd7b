"""Which work lists a saved change can alter, so a screen re-reads only those lists
(local practice: a save must not make every list in the app reload).

The lists are the app's sections that list records across young people. What each shows:

* My work and the caseload: what is due and each case's status, which any change to a
  young person's record can move (a contact, a plan, a status, a closure, ...);
* the front door: concerns, referrals and the open risks beside them, and the names;
* closures: the closure requests and the young people they close;
* closure audits: the audits, their learning actions and the closed cases they sample;
* the oversight dashboard: figures over every part of the record (contacts, plans,
  accommodation, risks, the front door, closures and their audits).

Changes to accounts and settings alter no work list (administrators have none).
"""

from __future__ import annotations

from enum import StrEnum

from casework.services.common import Changed


class WorkList(StrEnum):
    MY_WORK = "my_work"
    FRONT_DOOR = "front_door"
    CLOSURES = "closures"
    CASELOAD = "caseload"
    CLOSURE_AUDITS = "closure_audits"
    DASHBOARD = "dashboard"


NOT_ON_A_RECORD = frozenset({"user", "setting", "database"})
"""Record types that are not part of any young person's record."""

_SHOWN_BY: dict[WorkList, frozenset[str]] = {
    WorkList.FRONT_DOOR: frozenset(
        {"young_person", "safeguarding_contact", "referral", "risk_screening", "allegation"}
    ),
    WorkList.CLOSURES: frozenset({"young_person", "closure_request"}),
    WorkList.CLOSURE_AUDITS: frozenset({"closure_request", "closure_audit", "learning_action"}),
}
"""The lists that show only some record types; My work, the caseload and the dashboard
show them all."""

_WHOLE_RECORD = (WorkList.MY_WORK, WorkList.CASELOAD, WorkList.DASHBOARD)


def lists_showing(changed: Changed | None) -> frozenset[WorkList]:
    """The work lists ``changed`` can alter; every list when what changed is not known."""
    if changed is None:
        return frozenset(WorkList)
    kind = changed.record_type
    if kind in NOT_ON_A_RECORD:
        return frozenset()
    shown = {work_list for work_list, kinds in _SHOWN_BY.items() if kind in kinds}
    return frozenset({*_WHOLE_RECORD, *shown})
