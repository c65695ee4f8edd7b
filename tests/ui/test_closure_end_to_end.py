"""One case from request to approval to closed, all through the screens: the worker asks on
the record's Closure tab, the team lead approves in Closures with their password, the worker
closes the case on the Closure tab, and the record then shows it closed and read-only."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from casework.services import closure
from tests.conftest import PASSWORD
from tests.ui._closure_fixtures import ready_person
from tests.ui._record_fixtures import (
    TIMEOUT,
    practitioner,
    quick_autosave,  # noqa: F401 (autouse)
)
from tests.ui.test_closures_queue import make_view as closures_view
from tests.ui.test_closures_queue import review
from tests.ui.test_record_closure import (
    click,
    fill_request,
    opened,
    quick_checks,  # noqa: F401 (autouse)
    wait_state,
)

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures", "tests.ui._work_fixtures"]


def test_request_then_approval_then_closed_through_the_screens(qtbot: QtBot, env: Env) -> None:
    worker = practitioner(env)
    person = ready_person(env, worker)

    # 1. The worker asks on the Closure tab.
    record = opened(qtbot, env, person.id, worker)
    section = record.closure
    fill_request(qtbot, section, env)
    qtbot.waitUntil(section.ask_button.isEnabled, timeout=TIMEOUT)
    with qtbot.waitSignal(record.changed, timeout=TIMEOUT):
        click(qtbot, section.ask_button)
    wait_state(qtbot, section, "pending")
    [row] = [r for r in closure.queue(env.db, env.lead, now=env.now) if r.person_id == person.id]

    # 2. The team lead finds it in Closures and approves with their password.
    queue = closures_view(qtbot, env, env.lead)
    review(qtbot, queue, row.request_id)
    assert queue.review.approve_button.isEnabled()
    dialog = queue.approve_selected()
    assert dialog is not None
    qtbot.keyClicks(dialog.password.edit, PASSWORD)
    with qtbot.waitSignal(queue.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.footer.ok_button, Qt.MouseButton.LeftButton)
    assert closure.overview(env.db, env.lead, person.id, now=env.now).state == "approved"

    # 3. The worker reopens the record, sees the approval and closes the case.
    record.show_person(person.id)
    qtbot.waitUntil(lambda: section.is_loaded and section.state == "approved", timeout=TIMEOUT)
    with qtbot.waitSignal(record.changed, timeout=TIMEOUT):
        click(qtbot, section.close_button)
    wait_state(qtbot, section, "closed")
    qtbot.waitUntil(lambda: "CASE CLOSED" in record.closure_notice.text(), timeout=TIMEOUT)
    assert record.is_closed and not record.edit_button.isEnabled()
    after = closure.overview(env.db, env.lead, person.id, now=env.now)
    assert after.state == "closed" and after.closed_on == env.now.date()
