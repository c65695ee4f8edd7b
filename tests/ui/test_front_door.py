"""The front-door queue: ordered by deadline with overdue flagged, recording a concern,
taking a contact from receipt to a decision, practitioners not deciding, clearing."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot

from casework.domain.calendar import age_on
from casework.services import front_door
from casework.services.permissions import Actor
from casework.services.work_counts import front_door_counts as counts
from tests.ui._front_door_fixtures import (
    NOW,
    concern,
    days_ago,
    quiet_person_ids,
    team_person_ids,
)
from ui import tasks
from ui.dialogs.front_door_dialogs import ConcernDialog, DecisionDialog
from ui.models.front_door_model import DUE, KIND, OVERDUE_TEXT, PERSON, REPORTED, summary_text
from ui.views.front_door import NOT_LEAD, FrontDoorSection, FrontDoorView, summary_html

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures", "tests.ui._work_fixtures"]
TIMEOUT = 10_000


def make_view(qtbot: QtBot, env: Env, actor: Actor) -> FrontDoorView:
    view = FrontDoorView(env.db, actor, env.clock)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.show()
    return view


def texts(view: FrontDoorView, column: int) -> list[str]:
    model = view.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def select_item(view: FrontDoorView, kind: str, item_id: int) -> None:
    row = view.model.row_of(kind, item_id)
    assert row is not None
    view.select_row(row)


def test_queue_orders_by_deadline_and_flags_overdue(qtbot: QtBot, env: Env) -> None:
    first, second, third, fourth = quiet_person_ids(env.db, env.lead)[:4]
    concern(env.db, env.lead, first, days_ago(1 / 24))  # due Monday 30/11
    concern(env.db, env.lead, second, days_ago(10))  # Tuesday 17/11: due 18/11, overdue
    concern(env.db, env.lead, third, days_ago(1))  # Thursday: due today
    concern(env.db, env.lead, fourth, days_ago(2))  # Wednesday: due Thursday, overdue

    view = make_view(qtbot, env, env.lead)

    items = view.model.items()
    assert [i.due for i in items] == sorted(i.due for i in items)
    assert [i.young_person_id for i in items] == [second, fourth, third, first]
    due = texts(view, DUE)
    assert due[0] == "18/11/2026 · OVERDUE by 7 working days"
    assert due[1] == "26/11/2026 · OVERDUE by 1 working day"
    assert due[2] == "27/11/2026 · Due today by end of day"
    assert "OVERDUE" not in due[3]
    assert texts(view, KIND) == ["Concern"] * 4
    overdue = view.model.index(0, PERSON)
    assert overdue.data(Qt.ItemDataRole.ForegroundRole) == OVERDUE_TEXT
    assert overdue.data(Qt.ItemDataRole.FontRole).bold()
    assert view.model.index(3, PERSON).data(Qt.ItemDataRole.FontRole) is None
    found = counts(view.model.items(), NOW.date())
    assert summary_text(found) == "2 OVERDUE, 1 due today, 4 awaiting a decision"
    assert view.summary.text() == summary_html(found)
    assert "color:#a4161a;font-weight:bold'>2 OVERDUE</span>" in view.summary.text()


def test_practitioner_records_a_concern_and_it_appears(
    qtbot: QtBot, env: Env, practitioner: Actor
) -> None:
    person = env.person(id=team_person_ids(env.db, practitioner)[0])
    view = make_view(qtbot, env, practitioner)
    assert view.model.rowCount() == 0
    assert not view.decide_button.isEnabled()
    assert view.decide_button.toolTip() == NOT_LEAD
    assert not view.decide_reason.isHidden() and "team lead" in view.decide_reason.text()

    qtbot.mouseClick(view.concern_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, ConcernDialog)
    qtbot.keyClicks(dialog.picker.search, person.child_uid)
    dialog.picker.search_now()
    qtbot.waitUntil(lambda: dialog.picker.person_id() == person.id, timeout=TIMEOUT)

    dialog.referrer_name.setText("Ms Patel, Westfield College")
    dialog.accept()  # no source, nothing reported
    problems = dialog.problems.plain_text()
    assert "Source: choose who the concern came from." in problems
    assert "What was reported" in problems
    assert dialog.referrer_name.text() == "Ms Patel, Westfield College"  # typed text kept

    dialog.source.setCurrentIndex(dialog.source.findData("2B"))
    dialog.reported.setPlainText("Not been in college for two weeks; friends worried.")
    dialog.set_factors(("10A", "15A"))
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        dialog.accept()

    [item] = view.model.items()
    assert (item.kind, item.young_person_id, item.source) == (
        "contact",
        person.id,
        "Education services",
    )
    assert view.selected_item() == item
    assert "Concern recorded for" in view.notice.text() and not view.notice.isHidden()
    assert view.decide_selected() is None  # a practitioner cannot decide


def test_team_lead_takes_a_contact_from_receipt_to_a_decision(qtbot: QtBot, env: Env) -> None:
    pid = team_person_ids(env.db, env.lead)[0]
    person = env.person(id=pid)
    earlier = concern(env.db, env.lead, pid, days_ago(3))
    front_door.decide_concern(env.db, env.lead, earlier, "nfa", "Known, safe.", now=days_ago(2))
    view = make_view(qtbot, env, env.lead)
    assert view.model.rowCount() == 0

    # Receipt: the concern dialog, started from the queue.
    dialog = view.record_concern()
    dialog.picker.search.setText(person.child_uid)
    dialog.picker.search_now()
    qtbot.waitUntil(lambda: dialog.picker.person_id() == pid, timeout=TIMEOUT)
    dialog.source.setCurrentIndex(dialog.source.findData("6"))
    dialog.reported.setPlainText("Found in a car with two older men at 2am.")
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        dialog.accept()
    contact = view.selected_item()
    assert contact is not None and contact.kind == "contact"

    # Decision: the history and the repeat alert come first.
    assert view.decide_button.isEnabled()
    qtbot.mouseClick(view.decide_button, Qt.MouseButton.LeftButton)
    decision = view.dialog
    assert isinstance(decision, DecisionDialog)
    assert not decision.footer.ok_button.isEnabled()  # not before the history is shown
    qtbot.waitUntil(lambda: decision.context is not None, timeout=TIMEOUT)
    assert not decision.alert.isHidden()
    assert "Repeated concerns: 2 concerns in the last 7 days" in decision.alert.text()
    assert "2 concerns (this one included)" in decision.history.text()
    assert "Decision due by the end of <b>30/11/2026</b>" in decision.deadline.text()

    adult = decision.buttons["adult_safeguarding"]
    age = age_on(person.date_of_birth, NOW.date())
    assert adult.isEnabled() == (age >= 18)

    decision.choose("referral")
    assert "opens a <b>referral" in decision.choice_note.text()
    decision.accept()  # no rationale
    assert "Rationale: say why this decision was made." in decision.problems.plain_text()
    assert decision.decision() == "referral"  # the choice is kept

    decision.rationale.setPlainText("Second concern in a week; exploitation indicators.")
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        decision.accept()
    [item] = view.model.items()
    assert (item.kind, item.young_person_id) == ("referral", pid)
    assert view.selected_item() == item
    assert texts(view, KIND) == ["Referral · ⚠ repeated concerns"]  # two concerns this week
    assert "A referral was opened" in view.notice.text()


def test_adult_safeguarding_only_for_adults(qtbot: QtBot, env: Env) -> None:
    ids = team_person_ids(env.db, env.lead)
    oldest, youngest = env.person(id=ids[0]), env.person(id=ids[-1])
    assert (
        age_on(youngest.date_of_birth, NOW.date()) < 18 <= age_on(oldest.date_of_birth, NOW.date())
    )
    concern(env.db, env.lead, oldest.id, days_ago(1 / 24))
    concern(env.db, env.lead, youngest.id, days_ago(1 / 24))
    view = make_view(qtbot, env, env.lead)
    for person in (oldest, youngest):
        [item] = [i for i in view.model.items() if i.young_person_id == person.id]
        select_item(view, "contact", item.id)
        dialog = view.decide_selected()
        assert dialog is not None
        qtbot.waitUntil(lambda d=dialog: d.context is not None, timeout=TIMEOUT)
        adult = age_on(person.date_of_birth, NOW.date()) >= 18
        assert dialog.buttons["adult_safeguarding"].isEnabled() == adult
        assert dialog.adult_note.isHidden() == adult
        dialog.reject()


def test_clear_empties_and_ignores_a_late_load(qtbot: QtBot, env: Env) -> None:
    concern(env.db, env.lead, team_person_ids(env.db, env.lead)[0], days_ago(5))
    section = FrontDoorSection(env.db, env.lead, env.clock)
    qtbot.addWidget(section)
    view = section.front_door
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=TIMEOUT)
    view.select_row(0)
    view.record_concern()
    assert view.dialog is not None
    view.refresh()  # a load on its way when the lock comes
    with qtbot.waitSignal(view.overdue_changed, timeout=TIMEOUT) as cleared:
        section.clear()
    assert cleared.args == [-1]
    assert view.model.rowCount() == 0 and view.dialog is None
    assert view.summary.text() == "" and view.detail.text() == ""
    tasks.wait_for_all(TIMEOUT)  # the refresh lands, and is ignored
    QCoreApplication.processEvents()
    assert view.model.rowCount() == 0


def test_a_referral_keeps_the_contact_receipt_and_is_not_its_own_re_referral(
    qtbot: QtBot, env: Env
) -> None:
    """Working Together 2023: the referral's clock runs from the contact's receipt; the
    DfE definition: a re-referral follows an earlier referral, and contacts do not count."""
    from sqlalchemy import text

    pid = team_person_ids(env.db, env.lead)[-1]
    with env.db.unit_of_work() as session:
        for table in ("safeguarding_contacts", "referrals"):
            session.execute(text(f"DELETE FROM {table} WHERE young_person_id = :p"), {"p": pid})
    earlier = concern(env.db, env.lead, pid, days_ago(60))
    front_door.decide_concern(env.db, env.lead, earlier, "nfa", "Known, safe.", now=days_ago(59))
    received = days_ago(2)
    contact = concern(env.db, env.lead, pid, received)
    changed = front_door.decide_concern(
        env.db, env.lead, contact, "referral", "Exploitation indicators.", now=days_ago(1)
    )
    view = make_view(qtbot, env, env.lead)
    select_item(view, "referral", changed.ids[1])
    item = view.selected_item()
    assert item is not None and item.received_at == received.replace(tzinfo=None)
    assert item.overdue  # 1 working day from the contact's receipt, not from the decision
    qtbot.mouseClick(view.decide_button, Qt.MouseButton.LeftButton)
    decision = view.dialog
    assert isinstance(decision, DecisionDialog)
    qtbot.waitUntil(lambda: decision.context is not None, timeout=TIMEOUT)
    history = decision.history.text()
    assert "2 concerns" in history and "1 referral (this one included)" in history
    assert "referred again within 12 months" not in history
    decision.reject()


def test_the_summary_says_none_overdue_in_lower_case_when_nothing_is_late() -> None:
    from casework.services.work_counts import FrontDoorCounts

    calm = FrontDoorCounts(overdue=0, today=1, total=3)
    assert summary_text(calm) == "none overdue, 1 due today, 3 awaiting a decision"
    assert summary_html(calm) == summary_text(calm)  # no red, no capitals
    assert "OVERDUE" not in summary_html(calm)
    late = FrontDoorCounts(overdue=1, today=0, total=2)
    assert summary_text(late) == "1 OVERDUE, 0 due today, 2 awaiting a decision"
    assert "font-weight:bold'>1 OVERDUE</span>" in summary_html(late)
    assert summary_text(FrontDoorCounts(0, 0, 0)) == "Nothing is awaiting a decision"


def test_the_queue_shows_what_was_reported(qtbot: QtBot, env: Env) -> None:
    """A team lead triages from the list: each row says what the concern is about (its
    first line), not only who and when."""
    first, second = quiet_person_ids(env.db, env.lead)[:2]
    concern(
        env.db, env.lead, first, days_ago(1), reported="\n  Not seen at college for 3 weeks.\nMore"
    )
    concern(env.db, env.lead, second, days_ago(2), reported="Missing overnight; " + "x" * 200)
    view = make_view(qtbot, env, env.lead)
    shown = dict(
        zip([i.young_person_id for i in view.model.items()], texts(view, REPORTED), strict=True)
    )
    assert shown[first] == "Not seen at college for 3 weeks."
    assert shown[second].startswith("Missing overnight; x") and shown[second].endswith("…")
    assert len(shown[second]) == 120
