"""The record's Contacts section and the contact editor: drafts kept as the worker types
(and through a lock), finalising, problems in plain words, addenda, follow-up actions,
in-touch statuses."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from casework.errors import EditConflict, ServerUnavailable
from casework.services import contacts
from casework.services.contacts import ContactInput, FollowUpInput
from tests.ui._record_fixtures import (
    TIMEOUT,
    add_final_contact,
    at,
    make_view,
    open_person,
    open_section,
    quick_autosave,  # noqa: F401 (autouse: autosave after 80 ms)
    team_person,
)
from ui.dialogs.contact_draft import DraftStore
from ui.dialogs.contact_editor import ContactEditor
from ui.main_window import MainWindow
from ui.views.record import RecordView

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]


def start_contact(qtbot: QtBot, view: RecordView) -> ContactEditor:
    open_section(qtbot, view, view.contacts)
    qtbot.mouseClick(view.contacts.new_button, Qt.MouseButton.LeftButton)
    assert view.contacts.is_editing
    return view.contacts.editor


def drafts(env: Env, person_id: int) -> list[contacts.ContactView]:
    found = contacts.list_contacts(env.db, env.lead, person_id, now=env.now)
    return [c for c in found if c.is_draft]


def card_text(view: RecordView, contact_id: int) -> str:
    card = view.contacts.cards[contact_id]
    return "\n".join(label.text() for label in card.findChildren(QLabel))


def card_buttons(view: RecordView, contact_id: int) -> list[str]:
    return [b.text() for b in view.contacts.cards[contact_id].findChildren(QPushButton)]


def saved(editor: ContactEditor) -> bool:
    return editor.save_state.text().startswith("Draft saved") and not editor.has_unsaved_edits


def test_recording_a_contact_end_to_end(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    assert editor.title.text() == "New contact with Okafor, Jordan"
    assert editor.contact_id is None  # nothing typed, nothing saved

    editor.method.setCurrentIndex(editor.method.findData("face_to_face_office"))
    qtbot.waitUntil(lambda: editor.contact_id is not None, timeout=TIMEOUT)  # first edit
    editor.successful.click()
    editor.seen.click()
    qtbot.keyClicks(editor.views, "I want to stay in my flat.")
    qtbot.keyClicks(editor.discussed, "Rent arrears and the college application.")
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)
    [draft] = drafts(env, person.id)
    assert draft.id == editor.contact_id
    assert draft.details.discussed == "Rent arrears and the college application."
    assert draft.details.seen and draft.details.method == "face_to_face_office"

    view.show_person(person.id)  # reopen the record
    qtbot.waitUntil(lambda: draft.id in view.contacts.cards, timeout=TIMEOUT)
    assert not view.contacts.is_editing and not editor.is_active
    assert "DRAFT: not finalised" in card_text(view, draft.id)
    assert card_buttons(view, draft.id) == ["Continue &writing"]
    view.contacts.resume(draft.id)
    assert editor.contact_id == draft.id
    assert editor.discussed.toPlainText() == "Rent arrears and the college application."
    assert editor.views.toPlainText() == "I want to stay in my flat."
    assert editor.successful.isChecked() and editor.seen.isChecked()

    with qtbot.waitSignal(view.changed, timeout=TIMEOUT) as finalised:
        qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    assert finalised.args[0].ids == (draft.id,)
    qtbot.waitUntil(
        lambda: (
            view.contacts.cards.get(draft.id) is not None
            and view.contacts.cards[draft.id].objectName() == "contactCard"
        ),
        timeout=TIMEOUT,
    )
    assert not view.contacts.is_editing
    assert not drafts(env, person.id)
    text = card_text(view, draft.id)
    assert "Face to face at the office" in text
    assert "✔ SUCCESSFUL: seen, not alone" in text
    assert "Rent arrears and the college application." in text
    assert card_buttons(view, draft.id) == ["Add addendum…"]  # read-only: no editing
    [final] = contacts.list_contacts(env.db, env.lead, person.id, now=env.now)
    assert final.status == "final"


def test_finalising_without_their_words_lists_the_problems_and_keeps_the_text(
    qtbot: QtBot, env: Env
) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    editor.method.setCurrentIndex(editor.method.findData("phone"))
    editor.successful.click()
    editor.seen.click()
    qtbot.keyClicks(editor.where, "Their flat")

    qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(editor.problems.problems()), timeout=TIMEOUT)
    problems = editor.problems.problems()
    assert "What was discussed: a successful contact needs a note of what was discussed." in (
        problems
    )
    assert (
        "In their own words: record the young person's own words (their views and wishes), "
        "or why they could not be recorded." in problems
    )
    assert all("_" not in p for p in problems)  # no storage names
    assert editor.problems.isVisible()
    assert editor.is_active and view.contacts.is_editing
    assert editor.where.text() == "Their flat"
    assert editor.views.hasFocus() or editor.discussed.hasFocus()
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)
    [draft] = drafts(env, person.id)
    assert draft.details.location == "Their flat"


def test_an_outcome_must_be_chosen_and_an_attempt_reads_as_one(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    editor.method.setCurrentIndex(editor.method.findData("phone"))
    qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    assert editor.problems.problems() == [
        "Outcome: choose Successful (you reached them) or Attempted (you did not)."
    ]
    editor.attempted.click()
    assert not editor.seen.isEnabled() and not editor.seen_alone.isEnabled()
    assert editor.discussed_label.text() == "What was t&ried"
    qtbot.keyClicks(editor.discussed, "Rang twice, no answer.")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT) as done:
        qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    contact_id = done.args[0].ids[0]
    qtbot.waitUntil(
        lambda: (
            view.contacts.cards.get(contact_id) is not None
            and view.contacts.cards[contact_id].objectName() == "contactCard"
        ),
        timeout=TIMEOUT,
    )
    text = card_text(view, contact_id)
    assert "✖ ATTEMPTED: did not reach them" in text
    assert "What was tried:" in text


def test_an_addendum_keeps_the_original(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    contact_id = add_final_contact(
        env, person.id, 3, method="phone", successful=True, discussed="Talked about rent."
    )
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.contacts)
    [add] = view.contacts.cards[contact_id].findChildren(QPushButton)
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    dialog = view.contacts.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == ["Addendum: write the correction or addition."]
    qtbot.keyClicks(dialog.text, "Correction: they pay the rent themselves.")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Addendum 27/11/2026 10:30" in card_text(view, contact_id), timeout=TIMEOUT
    )
    text = card_text(view, contact_id)
    assert "Talked about rent." in text
    assert "Correction: they pay the rent themselves." in text
    [stored] = contacts.list_contacts(env.db, env.lead, person.id, now=env.now)
    assert stored.details.discussed == "Talked about rent."
    assert [a.text for a in stored.addenda] == ["Correction: they pay the rent themselves."]


def test_a_draft_survives_clearing_as_the_lock_does(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    qtbot.keyClicks(editor.discussed, "Visited; they were")  # the first key creates the draft
    qtbot.keyClicks(editor.discussed, " worried about money")  # still within the pause

    view.clear()
    assert view.record is None and not editor.is_active
    assert editor.discussed.toPlainText() == "" and editor.title.text() == ""
    assert not view.contacts.cards and view.draft_notice.text() == ""
    [draft] = drafts(env, person.id)
    assert draft.details.discussed == "Visited; they were worried about money"

    open_person(qtbot, view, person.id)  # the same worker, after unlocking
    qtbot.waitUntil(lambda: view.draft_bar.isVisible(), timeout=TIMEOUT)
    assert "unfinished contact note" in view.draft_notice.text()
    qtbot.mouseClick(view.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.contacts.is_editing, timeout=TIMEOUT)
    assert editor.contact_id == draft.id
    assert editor.discussed.toPlainText() == "Visited; they were worried about money"
    assert not view.draft_bar.isVisible()


def test_locking_the_window_keeps_what_was_being_typed(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    window = MainWindow(env.db, env.lead, env.clock)
    qtbot.addWidget(window)
    try:
        window.show()
        assert window.workspace is not None
        section = window.workspace.sections["Caseload"]
        section.open_person(person.id)
        view = section.record
        qtbot.waitUntil(lambda: view.record is not None, timeout=TIMEOUT)
        editor = start_contact(qtbot, view)
        qtbot.keyClicks(editor.discussed, "Half a sentence")
        window.lock()
        assert window.is_locked() and window.workspace is None
        [draft] = drafts(env, person.id)
        assert draft.details.discussed == "Half a sentence"
    finally:
        window.idle.stop()
        window._may_close = True


def test_later_typing_is_saved_after_a_pause(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    qtbot.keyClicks(editor.where, "Office")
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)
    assert editor.save_state.text() == "Draft saved 10:30"
    qtbot.keyClicks(editor.where, ", room 2")
    assert editor.has_unsaved_edits
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)
    assert [d.details.location for d in drafts(env, person.id)] == ["Office, room 2"]


def test_discarding_a_draft_asks_first(
    qtbot: QtBot, env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    qtbot.keyClicks(editor.discussed, "Wrong young person")
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)
    answers = iter([False, True])
    monkeypatch.setattr("ui.dialogs.contact_editor.ask_discard", lambda _parent: next(answers))
    qtbot.mouseClick(editor.discard_button, Qt.MouseButton.LeftButton)
    assert editor.is_active and drafts(env, person.id)  # "Cancel" keeps it
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(editor.discard_button, Qt.MouseButton.LeftButton)
    assert not view.contacts.is_editing and not editor.is_active
    assert not drafts(env, person.id)


def test_follow_ups_overdue_are_impossible_to_miss(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    due = env.now.date() - timedelta(days=3)
    contacts.add_follow_up(
        env.db, env.lead, person.id, FollowUpInput("Chase the housing officer", due), now=at(env, 9)
    )
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.contacts)
    section = view.contacts
    assert section.overdue_banner.isVisible()
    assert "1 follow-up action is overdue" in section.overdue_banner.text()
    assert section.overdue_banner.property("severity") == "overdue"
    rows = [w for w in section.findChildren(QLabel) if w.objectName() == "followUp"]
    [row] = rows
    assert row.property("severity") == "overdue"
    assert "OVERDUE by 3 days (was due 24/11/2026)" in row.text()

    [done] = [b for b in section.findChildren(QPushButton) if b.text() == "Mark done…"]
    qtbot.mouseClick(done, Qt.MouseButton.LeftButton)
    assert section.dialog is not None
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(section.dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not section.overdue_banner.isVisible(), timeout=TIMEOUT)
    [item] = contacts.list_follow_ups(env.db, env.lead, person.id, now=env.now)
    assert item.done_on == env.now.date()


def test_recording_a_status_needs_how_it_is_known(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    open_section(qtbot, view, view.contacts)
    qtbot.mouseClick(view.contacts.status_button, Qt.MouseButton.LeftButton)
    dialog = view.contacts.dialog
    assert dialog is not None
    dialog.status.setCurrentIndex(dialog.status.findData("REFU"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == ["How this is known: say who told you and when."]
    qtbot.keyClicks(dialog.note, "Told me on the phone")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any("Refuses contact" in w.text() for w in view.contacts.findChildren(QLabel)),
        timeout=TIMEOUT,
    )
    [status] = contacts.list_statuses(env.db, env.lead, person.id, now=env.now)
    assert status.status.value == "REFU" and status.note == "Told me on the phone"


def test_a_time_in_the_future_is_explained_and_never_loses_the_note(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    editor.time.setTime(QTime(23, 55))
    qtbot.keyClicks(editor.discussed, "Notes typed with the wrong time")
    qtbot.waitUntil(lambda: editor.save_state.text().startswith("Not saved"), timeout=TIMEOUT)
    assert editor.save_state.text() == (
        "Not saved: When: the contact's date and time is in the future (expected when it happened)."
    )
    assert editor.save_state.property("severity") == "error"
    assert not drafts(env, person.id)

    view.clear()  # the lock: rather than lose the note, it is kept with the time now
    [draft] = drafts(env, person.id)
    assert draft.details.discussed == "Notes typed with the wrong time"
    assert draft.details.occurred_at == env.now.replace(tzinfo=None)


def test_an_older_save_that_runs_late_never_overwrites_newer_text(env: Env) -> None:
    person = team_person(env)
    store = DraftStore(env.db, env.lead, person.id)
    newer = ContactInput(occurred_at=env.now, discussed="All of it, typed last")
    older = ContactInput(occurred_at=env.now, discussed="A")
    assert store.save(newer, env.now, 5) is not None  # a flush on the GUI thread
    assert store.save(older, env.now, 1) is None  # the first key's worker, running late
    [draft] = drafts(env, person.id)
    assert draft.details.discussed == "All of it, typed last"
    assert store.save(older, env.now, 5) is None  # nothing newer than what is saved


def test_the_same_draft_on_two_computers_refuses_the_older_and_keeps_the_newer(
    env: Env,
) -> None:
    """One worker, one draft, two laptops: the laptop that did not see the other's save is
    refused with who changed it and when, and the newer text stays."""
    person = team_person(env)
    first = DraftStore(env.db, env.lead, person.id)
    first.save(ContactInput(occurred_at=env.now, discussed="Started on the office PC"), env.now, 1)
    [opened] = drafts(env, person.id)
    second = DraftStore(env.db, env.lead, person.id, opened.id, opened.version)
    newer = ContactInput(occurred_at=env.now, discussed="Carried on at the young person's flat")
    second.save(newer, env.now, 1)
    older = ContactInput(occurred_at=env.now, discussed="Started on the office PC, more")
    with pytest.raises(EditConflict, match="what was discussed") as caught:
        first.save(older, env.now, 2)
    assert "was not saved" in str(caught.value)
    [draft] = drafts(env, person.id)
    assert draft.details.discussed == newer.discussed
    with pytest.raises(EditConflict):
        first.discard(env.now)
    assert drafts(env, person.id)[0].status == "draft"
    # The laptop that saved last carries on as before.
    second.save(replace(newer, discussed=newer.discussed + " Agreed a plan."), env.now, 2)
    assert drafts(env, person.id)[0].details.discussed.endswith("Agreed a plan.")


def test_the_form_says_plainly_when_its_draft_was_changed_on_another_computer(
    qtbot: QtBot, env: Env, tmp_path: Path
) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    view.window().resize(1366, 768)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    qtbot.keyClicks(editor.discussed, "Typed here first.")
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)
    shots = Path(os.environ.get("CASEWORK_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    assert view.window().grab().save(str(shots / "contact-draft-saved.png"))
    [draft] = drafts(env, person.id)
    elsewhere = DraftStore(env.db, env.lead, person.id, draft.id, draft.version)
    elsewhere.save(
        ContactInput(occurred_at=env.now, discussed="Typed on the other laptop."), env.now, 1
    )
    qtbot.keyClicks(editor.discussed, " And more here.")
    qtbot.waitUntil(lambda: editor.save_state.text().startswith("Not saved"), timeout=TIMEOUT)
    assert "Since you opened it" in editor.save_state.text()
    assert "reopen the draft" in editor.save_state.toolTip()
    assert editor.discussed.toPlainText() == "Typed here first. And more here."  # kept
    assert drafts(env, person.id)[0].details.discussed == "Typed on the other laptop."
    assert view.window().grab().save(str(shots / "contact-draft-conflict.png"))


def test_a_save_whose_answer_was_lost_is_retried_without_a_version(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The network drops after the server saved the draft but before the answer arrived:
    the retry is not refused as someone else's change (it was this computer's)."""
    person = team_person(env)
    store = DraftStore(env.db, env.lead, person.id)
    store.save(ContactInput(occurred_at=env.now, discussed="First"), env.now, 1)
    real = contacts.save_draft

    def lands_then_drops(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise ServerUnavailable("The connection to the team server was lost.")

    monkeypatch.setattr(contacts, "save_draft", lands_then_drops)
    with pytest.raises(ServerUnavailable):
        store.save(ContactInput(occurred_at=env.now, discussed="Second"), env.now, 2)
    monkeypatch.setattr(contacts, "save_draft", real)
    store.save(ContactInput(occurred_at=env.now, discussed="Second, and more"), env.now, 3)
    assert drafts(env, person.id)[0].details.discussed == "Second, and more"
    assert store.version == drafts(env, person.id)[0].version


def test_a_save_lost_on_the_way_does_not_let_the_next_one_overwrite_another_computer(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The network drops before the save reaches the server; meanwhile the same draft is
    changed on another laptop. The next save here finds that out and is refused."""
    person = team_person(env)
    store = DraftStore(env.db, env.lead, person.id)
    store.save(ContactInput(occurred_at=env.now, discussed="First"), env.now, 1)
    real = contacts.save_draft

    def never_arrives(*_args: Any, **_kwargs: Any) -> Any:
        raise ServerUnavailable("The connection to the team server was lost.")

    monkeypatch.setattr(contacts, "save_draft", never_arrives)
    with pytest.raises(ServerUnavailable):
        store.save(ContactInput(occurred_at=env.now, discussed="Second"), env.now, 2)
    monkeypatch.setattr(contacts, "save_draft", real)
    [draft] = drafts(env, person.id)
    other = DraftStore(env.db, env.lead, person.id, draft.id, draft.version)
    other.save(ContactInput(occurred_at=env.now, discussed="From the other laptop"), env.now, 1)
    with pytest.raises(EditConflict):
        store.save(ContactInput(occurred_at=env.now, discussed="Second, and more"), env.now, 3)
    assert drafts(env, person.id)[0].details.discussed == "From the other laptop"


def test_finalising_asks_first_and_says_it_cannot_be_undone(
    qtbot: QtBot, env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = team_person(env)
    view = make_view(qtbot, env)
    open_person(qtbot, view, person.id)
    editor = start_contact(qtbot, view)
    editor.method.setCurrentIndex(editor.method.findData("phone"))
    editor.successful.click()
    editor.seen.click()
    qtbot.keyClicks(editor.discussed, "Rent arrears.")
    qtbot.waitUntil(lambda: saved(editor), timeout=TIMEOUT)
    asked: list[str] = []

    def refuse(_parent: object, title: str, text: str, action: str) -> bool:
        asked.append(f"{title} {text} {action}")
        return False

    monkeypatch.setattr("ui.widgets.forms.confirm_irreversible", refuse)
    qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    assert asked and "can no longer be changed" in asked[0]
    assert editor.is_active  # still a draft
    [draft] = drafts(env, person.id)
    assert draft.status == "draft"
