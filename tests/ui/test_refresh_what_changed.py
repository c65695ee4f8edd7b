"""A save re-reads only the lists its change can alter (the core decides which:
``casework.services.work_lists``): a contact saved on a record refreshes My work and the
caseload, never the front door, the closures queue or the closure audits."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pytestqt.qtbot import QtBot

from casework.services import contacts
from casework.services.common import Changed
from casework.services.contacts import ContactInput
from casework.services.work_lists import WorkList, lists_showing
from ui.views.list_and_record import ListAndRecord
from ui.workspace import (
    CASELOAD,
    CLOSURE_AUDITS,
    CLOSURES,
    DASHBOARD,
    FRONT_DOOR,
    MY_WORK,
    Workspace,
)

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]

TIMEOUT = 5000


def _count_refreshes(workspace: Workspace) -> Counter[str]:
    """Count every time a section's list re-reads (its listing's ``refresh``)."""
    counts: Counter[str] = Counter()
    for title, section in workspace.sections.items():
        listing: Any = section.listing  # type: ignore[attr-defined]
        original = listing.refresh

        def counted(*args: Any, _title: str = title, _original: Any = original) -> Any:
            counts[_title] += 1
            return _original(*args)

        listing.refresh = counted
    return counts


def test_every_section_names_a_list_the_core_knows(qtbot: QtBot, env: Env) -> None:
    workspace = Workspace(env.db, env.lead, env.clock)
    qtbot.addWidget(workspace)
    shows = {
        title: getattr(section, "shows", None) for title, section in workspace.sections.items()
    }
    assert shows == {
        MY_WORK: WorkList.MY_WORK,
        FRONT_DOOR: WorkList.FRONT_DOOR,
        CLOSURES: WorkList.CLOSURES,
        CASELOAD: WorkList.CASELOAD,
        CLOSURE_AUDITS: WorkList.CLOSURE_AUDITS,
        DASHBOARD: WorkList.DASHBOARD,
    }


def test_a_contact_save_does_not_reload_unrelated_lists(qtbot: QtBot, env: Env) -> None:
    workspace = Workspace(env.db, env.lead, env.clock)
    qtbot.addWidget(workspace)
    workspace.show()
    section = workspace.show_section(CASELOAD)
    assert isinstance(section, ListAndRecord)
    person_id = env.person(team_id=env.lead.team_id).id
    section.open_person(person_id)
    record = section.record
    assert record is not None
    qtbot.waitUntil(lambda: record.record is not None, timeout=TIMEOUT)
    counts = _count_refreshes(workspace)

    saved = contacts.save_draft(
        env.db,
        env.lead,
        person_id,
        ContactInput(occurred_at=env.now - timedelta(hours=1), method="phone"),
        now=env.now,
    )
    with qtbot.waitSignal(section.record_changed, timeout=TIMEOUT) as signal:
        record.contacts.after_change(saved)  # what the contact editor's "saved" does
    assert signal.args == [saved]
    assert counts == Counter({CASELOAD: 1, MY_WORK: 1})
    # The dashboard, not on screen, marks its figures stale rather than reading them now.
    dashboard: Any = workspace.sections[DASHBOARD]
    assert dashboard.dashboard._stale

    counts.clear()
    section.record_changed.emit(Changed("closure_request", (1,), ("status",)))
    assert counts == Counter({MY_WORK: 1, CLOSURES: 1, CLOSURE_AUDITS: 1})

    counts.clear()
    section.record_changed.emit(None)  # what changed is not known: every other list
    assert counts == Counter({MY_WORK: 1, FRONT_DOOR: 1, CLOSURES: 1, CLOSURE_AUDITS: 1})


def test_the_core_says_which_lists_a_change_alters() -> None:
    assert lists_showing(Changed("contact", (1,))) == {
        WorkList.MY_WORK,
        WorkList.CASELOAD,
        WorkList.DASHBOARD,
    }
    assert WorkList.FRONT_DOOR in lists_showing(Changed("safeguarding_contact", (1,)))
    assert WorkList.CLOSURES in lists_showing(Changed("young_person", (1,)))
    assert lists_showing(Changed("user", (1,))) == frozenset()
    assert lists_showing(None) == frozenset(WorkList)
