"""The record's sections: tabs and clearing, accommodation (always-unsuitable types and the
team-lead review highlight), eligibility (confirm or override with a reason), care
history, age milestones, pathway plans and the essentials checklist."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from casework.domain.leaving_care import EssentialItem
from casework.errors import Problem
from casework.services import accommodation, pathway
from casework.services.accommodation import AccommodationInput
from tests.ui._record_fixtures import (
    TIMEOUT,
    make_view,
    open_person,
    open_section,
    practitioner,
    quick_autosave,  # noqa: F401 (autouse: autosave after 80 ms)
    seed_history,
    team_person,
)
from ui.views.record_common import plain_problem

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]


def labels(widget: object) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))  # type: ignore[attr-defined]


def test_sections_show_the_record_and_clear_drops_everything(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    seed_history(env, person)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == [
        "Details",
        "Contacts",
        "Legal status",
        "Pathway plan",
        "Accommodation",
        "Safeguarding",
        "Concerns and referrals",
        "Closure",
    ]
    qtbot.waitUntil(lambda: view.draft_bar.isVisible(), timeout=TIMEOUT)  # the seeded draft
    for section in view.sections:
        open_section(qtbot, view, section)
    assert view.accommodation.table.rowCount() == 2
    assert "Supported lodgings referral" in view.plan.areas.text()
    view.set_status_summary("In touch · Next due: visit by 04/12/2026", "ok")
    assert view.status_summary.isVisible()
    assert view.status_summary.property("severity") == "ok"
    with pytest.raises(ValueError):
        view.set_status_summary("x", "red")

    view.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert not view.status_summary.isVisible() and view.status_summary.text() == ""
    assert not view.draft_bar.isVisible() and view.draft_notice.text() == ""
    assert view.contacts.data is None and not view.contacts.cards
    assert view.accommodation.data is None and view.accommodation.table.rowCount() == 0
    assert view.accommodation.activity_table.rowCount() == 0
    assert view.plan.areas.text() == "" and view.plan.plan_summary.text() == ""
    assert view.legal.suggested.text() == "" and view.legal.weeks.value() == -1
    for section in view.sections:
        assert section.person_id is None
        assert person.first_name not in labels(section)
        assert "Hawthorn" not in labels(section)


def test_homeless_is_always_unsuitable_and_needs_a_reason(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.accommodation)
    section = view.accommodation
    assert "No accommodation recorded." in labels(section)
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None
    dialog.suitable.click()
    dialog.kind.setCurrentIndex(dialog.kind.findData("S"))
    assert dialog.unsuitable.isChecked() and not dialog.suitable.isEnabled()
    assert "always unsuitable" in dialog.kind_note.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == [
        "Why it is unsuitable: say why the accommodation is unsuitable."
    ]
    dialog.kind.setCurrentIndex(dialog.kind.findData("U"))
    assert dialog.suitable.isEnabled()  # only S and X force it
    dialog.kind.setCurrentIndex(dialog.kind.findData("S"))
    qtbot.keyClicks(dialog.reason, "Sofa-surfing with friends")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=TIMEOUT)
    assert section.table.item(0, 0).text() == "S No fixed abode or homeless"
    assert section.table.item(0, 3).text() == "UNSUITABLE: Sofa-surfing with friends"
    [period] = accommodation.list_accommodation(env.db, env.lead, person.id, now=env.now)
    assert not period.suitable and period.needs_review


def test_accommodation_added_meanwhile_is_named_in_the_dialog_not_ended(
    qtbot: QtBot, env: Env, tmp_path: Path
) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.accommodation)
    section = view.accommodation
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None
    assert dialog.latest == accommodation.Latest()  # the section showed none
    # Meanwhile, on another computer, someone records where they live now.
    accommodation.add_accommodation(
        env.db,
        env.lead,
        person.id,
        AccommodationInput("U", env.now.date(), suitable=True, provider="Flat 2"),
        now=env.now,
    )
    dialog.kind.setCurrentIndex(dialog.kind.findData("U"))
    dialog.suitable.click()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.problems.problems()), timeout=TIMEOUT)
    [problem] = dialog.problems.problems()
    assert "already recorded a newer accommodation" in problem
    assert "Yours would have ended theirs." in problem
    shots = Path(os.environ.get("CASEWORK_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(shots / "accommodation-added-meanwhile.png"))
    # the words are not stood in the middle of the dialog's spare height
    for words in (dialog.intro, dialog.problems):
        assert words.height() - words.heightForWidth(words.width()) < 10
    [period] = accommodation.list_accommodation(env.db, env.lead, person.id, now=env.now)
    assert (period.provider, period.ended_on) == ("Flat 2", None)


def test_bed_and_breakfast_stays_highlighted_until_a_team_lead_reviews_it(
    qtbot: QtBot, env: Env
) -> None:
    person = team_person(env)
    worker = practitioner(env)
    accommodation.add_accommodation(
        env.db,
        worker,
        person.id,
        AccommodationInput(
            "W", env.now.date() - timedelta(days=5), False, "Station Road B&B", "Shared with adults"
        ),
        now=env.now,
    )
    seen_by_worker = make_view(qtbot, env, worker)
    open_person(qtbot, seen_by_worker, person.id)
    open_section(qtbot, seen_by_worker, seen_by_worker.accommodation)
    text = labels(seen_by_worker.accommodation)
    assert "Needs a team-lead review: W Bed and breakfast" in text
    assert "Ask your team lead to review it." in text
    assert not seen_by_worker.accommodation.review_buttons  # only team leads record it
    row = seen_by_worker.accommodation.table.item(0, 5)
    assert row.text() == "NOT REVIEWED: a team lead must review this"
    assert row.background().color().name() == "#fde8e8"

    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.accommodation)
    section = view.accommodation
    [button] = section.review_buttons.values()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == [
        "Decision and next steps: record the decision and what happens next."
    ]
    qtbot.keyClicks(dialog.note, "Agreed for up to 2 weeks; supported lodgings referral made")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not section.review_buttons and "Needs a team-lead review" not in labels(section),
        timeout=TIMEOUT,
    )
    assert section.table.item(0, 5).text().startswith("Reviewed 27/11/2026 by ")
    assert section.table.item(0, 5).background().color().name() != "#fde8e8"


def test_overriding_the_eligibility_suggestion_needs_a_reason(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    care = pathway.CareHistoryInput(weeks_looked_after_since_14=120)
    pathway.save_care_history(env.db, env.lead, person.id, care, now=env.now)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.legal)
    section = view.legal
    assert "In force: <b>Former relevant child</b>" in section.on_record.text()
    assert "From the facts: <b>Former relevant child</b>" in section.suggested.text()
    assert section.suggested.property("severity") == "ok"
    qtbot.mouseClick(section.override_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None
    suggested = pathway.suggestion(env.db, env.lead, person.id, now=env.now).category
    assert dialog.category.findData(suggested.value) == -1  # an override is something else
    dialog.category.setCurrentIndex(dialog.category.findData("qualifying"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == [
        "Reason: say why this category is right instead of the suggestion."
    ]
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "Weeks in care were recorded wrongly on the old system")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            "Qualifying care leaver" in view.summary.text()
            and "Overridden to Qualifying care leaver" in section.decision.text()
        ),
        timeout=TIMEOUT,
    )
    assert "recorded wrongly on the old system" in section.decision.text()
    assert section.suggested.property("severity") == "warning"  # now differs from the record
    assert env.person(id=person.id).eligibility == "qualifying"


def test_saving_the_care_history_works_the_suggestion_out_again(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.legal)
    section = view.legal
    text = section.suggested.text()
    assert "Weeks looked after since the 14th birthday are not recorded" in text
    assert "<b>Qualifying care leaver</b>" in text
    assert section.suggested.property("severity") == "warning"  # the record says otherwise
    section.weeks.setValue(20)
    qtbot.mouseClick(section.save_care_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            "Looked after 20 weeks since the 14th birthday (as recorded)."
            in section.suggested.text()
        ),
        timeout=TIMEOUT,
    )
    assert "<b>Former relevant child</b>" in section.suggested.text()
    assert section.suggested.property("severity") == "ok"
    assert section.weeks.value() == 20


def test_age_milestones_are_dated_and_marked(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.legal)
    text = labels(view.legal)
    assert "14/03/2023" in text and "14/03/2025" in text and "14/03/2028" in text
    assert text.count("✔ Passed") == 2
    assert "Next: in about 16 months" in text
    assert "14/03/2032" in text


def test_a_new_pathway_plan_with_its_areas_appears(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.plan)
    section = view.plan
    assert section.plan_summary.text() == "No pathway plan has been recorded."
    assert not section.review_button.isEnabled()
    qtbot.mouseClick(section.new_plan_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None
    assert len(dialog.areas) == 10
    housing = next(a for a in dialog.areas if a.area.value == "accommodation")
    qtbot.keyClicks(housing.needs, "Needs a stable tenancy")
    qtbot.keyClicks(housing.actions_box, "Supported lodgings referral")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == [
        "How they took part: record how the young person took part.",
        "Accommodation: say who owns the actions.",
    ]
    qtbot.keyClicks(dialog.participation, "Came to the meeting")
    qtbot.keyClicks(housing.owner, "PA")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Needs a stable tenancy" in section.areas.text(), timeout=TIMEOUT)
    assert section.plan_summary.text() == "Started 27/11/2026 · not reviewed yet"
    assert "Supported lodgings referral" in section.areas.text()
    assert "Came to the meeting" in section.participation.text()
    assert section.review_button.isEnabled()
    plan = pathway.current_plan(env.db, env.lead, person.id, now=env.now)
    assert plan is not None and len(plan.areas) == 10


def test_ticking_an_essential_records_it_with_a_date(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.plan)
    tick, when_done = view.plan.essential_rows[EssentialItem.BANK_ACCOUNT]
    assert not when_done.isVisible()
    tick.click()
    assert when_done.isVisible()
    qtbot.waitUntil(lambda: view.plan.essentials_state.text().startswith("Saved"), timeout=TIMEOUT)
    found = pathway.essentials(env.db, env.lead, person.id, now=env.now)
    assert (EssentialItem.BANK_ACCOUNT, env.now.date(), "") in found


def test_ctrl_and_a_number_opens_a_section(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    view.activateWindow()
    qtbot.keyClick(view, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentWidget() is view.plan
    qtbot.waitUntil(lambda: view.plan.is_loaded, timeout=TIMEOUT)


@pytest.mark.parametrize(
    ("problem", "shown"),
    [
        (
            "unsuitable_reason: say why the accommodation is unsuitable",
            "Why it is unsuitable: say why the accommodation is unsuitable.",
        ),
        (
            "letter: '' is not a known accommodation type code; expected one of B, C",
            "Type: choose one from the list.",
        ),
        ("started_on: 2027-01-02 is in the future", "Moved in: 02/01/2027 is in the future."),
        ("follow-up 2: describe the action", "Follow-up action 2: describe the action."),
        (
            "This contact is finalised and can no longer be changed: add an addendum to "
            "correct it.",
            "This contact is finalised and can no longer be changed: add an addendum to "
            "correct it.",
        ),
        ("review_note: record the decision", "Record the decision."),
    ],
)
def test_problems_are_worded_for_the_screen(problem: str, shown: str) -> None:
    labels = {"unsuitable_reason": "Why it is unsuitable", "letter": "Type"}
    labels["started_on"] = "Moved in"
    assert plain_problem(Problem.of(problem), labels) == shown
