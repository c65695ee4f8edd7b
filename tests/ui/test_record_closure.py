"""The record's Closure tab: a blocked case shows its blockers and cannot ask; a ready case
is asked for and waits for a team lead; a returned request shows the comments and goes
back; an approved case closes (and the header and the other tabs show it closed); a void
approval is said in red; a closed case takes a note and reopens with a reason; evidence
links go to their tab.

``CASEWORK_SHOTS=1`` also saves ``shots/closure_tab_*.png`` at 1366x768 (run under
``xvfb-run`` with ``QT_QPA_PLATFORM=xcb`` to see the real window).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from casework.services import closure
from tests.ui._closure_fixtures import (
    approved_case,
    closed_case,
    complete_request,
    ready_person,
    returned_case,
)
from tests.ui._record_fixtures import (
    TIMEOUT,
    add_final_contact,
    make_view,
    open_person,
    open_section,
    practitioner,
    quick_autosave,  # noqa: F401 (autouse)
    team_person,
)
from ui.views.record import RecordView
from ui.views.record_closure import ClosureSection

if TYPE_CHECKING:
    from casework.services.permissions import Actor
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
SHOTS = Path(__file__).resolve().parents[2] / "shots"


@pytest.fixture(autouse=True)
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks run again 20 ms after typing instead of 600 ms, so tests stay fast."""
    monkeypatch.setattr("ui.views.record_closure.PREVIEW_DELAY_MS", 20)


def opened(qtbot: QtBot, env: Env, person_id: int, actor: Actor) -> RecordView:
    view = make_view(qtbot, env, actor)
    open_person(qtbot, view, person_id)
    open_section(qtbot, view, view.closure)
    return view


def wait_state(qtbot: QtBot, section: ClosureSection, state: str) -> None:
    qtbot.waitUntil(lambda: section.is_loaded and section.state == state, timeout=TIMEOUT)


def click(qtbot: QtBot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def fill_request(qtbot: QtBot, section: ClosureSection, env: Env) -> None:
    data = complete_request(env)
    section.choose_reason(data.reason)
    for name, box in section.parts.items():
        box.setPlainText(getattr(data, name))
    section.views.setPlainText(data.young_person_views)


def shoot(view: RecordView, name: str) -> None:
    """The record as the app shows it (its own style sheet) at 1366x768."""
    if not os.environ.get("CASEWORK_SHOTS"):
        return
    from importlib.resources import files

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(files("casework_resources").joinpath("style.qss").read_text("utf-8"))
    SHOTS.mkdir(exist_ok=True)
    try:
        view.resize(1366, 768)
        for _ in range(3):
            QApplication.processEvents()
        view.grab().save(str(SHOTS / name))
    finally:
        app.setStyleSheet("")


def test_blocked_case_shows_blockers_and_cannot_ask(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)  # nothing recorded: not screened, not seen, nowhere to live
    view = opened(qtbot, env, person.id, practitioner(env))
    section = view.closure
    assert view.tabs.tabText(view.tabs.indexOf(section)) == "Closure"
    assert section.state == "open"
    assert "cannot close yet" in section.headline.text()
    assert section.headline.property("severity") == "overdue"
    exploitation = section.check_rows["exploitation-and-missing-screened"]
    assert exploitation.badge.text() == "Must be fixed"
    assert exploitation.property("result") == "failed"
    # the evidence shows without a click (a row just added is shown by Qt a moment later)
    qtbot.waitUntil(lambda: exploitation.details.isVisibleTo(section), timeout=TIMEOUT)
    assert section.check_rows["allegations-have-outcomes"].badge.text() == "Passed"
    assert not section.check_rows["allegations-have-outcomes"].details.isVisibleTo(section)
    assert not section.ask_button.isEnabled()
    assert section.why_not.isVisibleTo(section)
    assert "4a exploitation and missing screened recently" in section.why_not.text()
    # 19 and former relevant, nowhere recorded: the council still owes keeping in touch and
    # accommodation duties (s23B(8), s23C(2)-(7)), so no team lead's note can pass it.
    accommodation = section.check_rows["accommodation-known-and-suitable"]
    assert accommodation.badge.text() == "Must be fixed"
    assert accommodation.property("result") == "failed"
    assert "accommodation" in section.why_not.text()
    shoot(view, "closure_tab_blocked.png")

    # filling the form does not help while the record itself fails
    fill_request(qtbot, section, env)
    qtbot.waitUntil(lambda: section.why_not.text().startswith("Not ready"), timeout=TIMEOUT)
    qtbot.wait(50)
    assert not section.ask_button.isEnabled()
    assert "closure summary" not in section.why_not.text()  # that part is done now
    assert "4a exploitation" in section.why_not.text()


def _amber_pixels(widget: QWidget) -> int:
    """How many of the widget's own pixels are the focus outline's amber (#f2b600)."""
    image = widget.grab().toImage()
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).name() == "#f2b600"
    )


def test_tab_shows_where_it_is_on_a_checks_details_and_its_links(qtbot: QtBot, env: Env) -> None:
    """The Details button and the evidence whose links Tab reaches each draw the amber
    focus outline, as every other control does, and nothing moves when they take it."""
    from ui.app import load_style

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    load_style(app)
    try:
        person = team_person(env)
        view = opened(qtbot, env, person.id, practitioner(env))
        section = view.closure
        row = section.check_rows["exploitation-and-missing-screened"]
        qtbot.waitUntil(lambda: row.details.isVisibleTo(section), timeout=TIMEOUT)
        assert _amber_pixels(row.toggle) == 0 and _amber_pixels(row.details) == 0
        where = row.details.mapTo(section, QPoint(0, 0))
        row.toggle.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(row.toggle.hasFocus, timeout=TIMEOUT)
        assert _amber_pixels(row.toggle) > 40
        qtbot.keyClick(row.toggle, Qt.Key.Key_Tab)
        qtbot.waitUntil(row.details.hasFocus, timeout=TIMEOUT)
        assert _amber_pixels(row.details) > 100
        assert row.details.mapTo(section, QPoint(0, 0)) == where
    finally:
        app.setStyleSheet("")


def test_evidence_links_to_its_tab(qtbot: QtBot, env: Env) -> None:
    worker = practitioner(env)
    person = team_person(env)
    view = opened(qtbot, env, person.id, worker)
    section = view.closure
    accommodation = section.check_rows["accommodation-known-and-suitable"]
    assert "href='accommodation:'" in accommodation.details.text()
    accommodation.details.linkActivated.emit("accommodation:")
    assert view.tabs.currentWidget() is view.accommodation
    view.show_closure()
    section.check_rows["exploitation-and-missing-screened"].details.linkActivated.emit(
        "risk_screening:"
    )
    assert view.tabs.currentWidget() is view.safeguarding
    view.show_closure()
    assert not view.show_section_for("closure_request")
    assert view.tabs.currentWidget() is section
    assert view.show_section_for("support_event")
    assert view.tabs.currentWidget() is view.legal


def test_complete_request_is_sent_and_waits_for_a_team_lead(qtbot: QtBot, env: Env) -> None:
    worker = practitioner(env)
    person = ready_person(env, worker)
    view = opened(qtbot, env, person.id, worker)
    section = view.closure
    assert "ready for a closure request" in section.headline.text()
    assert not section.ask_button.isEnabled()  # no reason, summary or views yet
    assert not section.reason_date.isVisibleTo(section)

    section.choose_reason("CLDI")
    assert section.reason_date_label.text() == "Date of death"
    assert section.reason_date.isVisibleTo(section)
    section.choose_reason("CL21")
    assert not section.reason_date.isVisibleTo(section)
    assert not section.receiving.isVisibleTo(section)

    fill_request(qtbot, section, env)
    qtbot.waitUntil(section.ask_button.isEnabled, timeout=TIMEOUT)
    assert not section.why_not.isVisibleTo(section)
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        click(qtbot, section.ask_button)
    wait_state(qtbot, section, "pending")
    assert "Waiting for a team lead" in section.headline.text()
    assert section.withdraw_button.isVisibleTo(section)
    assert not section.form_box.isVisibleTo(section)
    assert "CL21 Reached 21 and declined further support" in "\n".join(
        section.request_form.itemAt(i).widget().text()  # type: ignore[union-attr]
        for i in range(section.request_form.count())
    )
    qtbot.waitUntil(
        lambda: "waiting for a team lead" in view.closure_notice.text(), timeout=TIMEOUT
    )
    queued = closure.queue(env.db, env.lead, now=env.now)
    [row] = [r for r in queued if r.person_id == person.id]
    assert row.reason == "CL21" and row.worker_id == worker.user_id


def test_returned_request_shows_comments_and_goes_back(qtbot: QtBot, env: Env) -> None:
    worker = practitioner(env)
    person = ready_person(env, worker)
    comments = "Say which GP practice they are registered with in the agencies part."
    returned_case(env, worker, person.id, comments)
    view = opened(qtbot, env, person.id, worker)
    section = view.closure
    assert section.state == "returned"
    assert comments in section.headline.text()
    assert f"Returned by {env.lead.display_name}" in section.headline.text()
    assert section.form_box.isVisibleTo(section)
    assert section.reason.currentData() == "CL21"
    assert section.ask_button.text() == "&Send back to the team lead"
    shoot(view, "closure_tab_returned.png")

    agencies = section.parts["agencies_involved"]
    agencies.setPlainText(agencies.toPlainText() + " GP: Hawthorn Road Surgery.")
    qtbot.waitUntil(section.ask_button.isEnabled, timeout=TIMEOUT)
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        click(qtbot, section.ask_button)
    wait_state(qtbot, section, "pending")
    overview = closure.overview(env.db, worker, person.id, now=env.now)
    assert overview.request is not None
    assert overview.request.data.agencies_involved.endswith("Hawthorn Road Surgery.")


def test_approved_case_closes_and_the_record_shows_it_closed(qtbot: QtBot, env: Env) -> None:
    worker = practitioner(env)
    person = ready_person(env, worker)
    approved_case(env, worker, person.id)
    view = opened(qtbot, env, person.id, worker)
    section = view.closure
    assert section.state == "approved"
    assert f"Approved by {env.lead.display_name}" in section.headline.text()
    assert section.closed_on.value() == env.now.date()
    assert not section.void_banner.isVisibleTo(section)
    qtbot.waitUntil(lambda: "can be closed" in view.closure_notice.text(), timeout=TIMEOUT)
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        click(qtbot, section.close_button)
    wait_state(qtbot, section, "closed")
    assert "Closed on 27/11/2026 — CL21 Reached 21 and declined further support." in (
        section.headline.text()
    )
    assert "The record is read-only." in section.headline.text()
    qtbot.waitUntil(
        lambda: "CASE CLOSED on 27/11/2026" in view.closure_notice.text(), timeout=TIMEOUT
    )
    assert view.is_closed and not view.edit_button.isEnabled()

    open_section(qtbot, view, view.contacts)
    qtbot.waitUntil(lambda: not view.contacts.new_button.isEnabled(), timeout=TIMEOUT)
    open_section(qtbot, view, view.safeguarding)
    qtbot.waitUntil(lambda: not view.safeguarding.risk_button.isEnabled(), timeout=TIMEOUT)
    assert view.safeguarding.concern_button.isEnabled()  # a closed case still takes concerns


def test_void_approval_is_said_and_goes_back_to_the_team_lead(qtbot: QtBot, env: Env) -> None:
    worker = practitioner(env)
    person = ready_person(env, worker)
    approved_case(env, worker, person.id)
    add_final_contact(env, person.id, 0, method="phone", successful=True, discussed="Rang.")
    view = opened(qtbot, env, person.id, worker)
    section = view.closure
    assert section.void_banner.isVisibleTo(section)
    assert "approval is void" in section.void_banner.text()
    assert "contacts" in section.void_banner.text()
    qtbot.waitUntil(lambda: "approval is void" in view.closure_notice.text(), timeout=TIMEOUT)
    shoot(view, "closure_tab_void.png")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        click(qtbot, section.close_button)
    wait_state(qtbot, section, "pending")
    assert section.flash.isVisibleTo(section)
    assert "The case was NOT closed." in section.flash.text()
    assert "back with a team lead" in section.flash.text()
    assert "The record changed after the approval" in section.headline.text()


def test_closed_case_takes_a_note_and_reopens_with_a_reason(qtbot: QtBot, env: Env) -> None:
    worker = practitioner(env)
    person = ready_person(env, worker)
    closed_case(env, worker, person.id)
    view = opened(qtbot, env, person.id, worker)
    section = view.closure
    assert section.state == "closed"
    assert not section.checks_box.isVisibleTo(section)
    assert section.no_notes.isVisibleTo(section)
    qtbot.waitUntil(lambda: view.is_closed, timeout=TIMEOUT)

    click(qtbot, section.note_button)
    note = section.dialog
    assert note is not None
    click(qtbot, note.ok_button)  # type: ignore[attr-defined]
    assert note.problems.problems() == ["Note: write the note first."]  # type: ignore[attr-defined]
    qtbot.keyClicks(note.text, "Northshire confirmed they have the file.")  # type: ignore[attr-defined]
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        click(qtbot, note.ok_button)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: section.notes.count() == 1, timeout=TIMEOUT)
    assert not section.no_notes.isVisibleTo(section)
    shoot(view, "closure_tab_closed.png")

    click(qtbot, section.reopen_button)
    reopen = section.dialog
    assert reopen is not None
    click(qtbot, reopen.ok_button)  # type: ignore[attr-defined]
    assert reopen.problems.problems() == [  # type: ignore[attr-defined]
        "Why it is being reopened: say why the case is being reopened."
    ]
    qtbot.keyClicks(reopen.reason, "They came back asking for help with a deposit.")  # type: ignore[attr-defined]
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        click(qtbot, reopen.ok_button)  # type: ignore[attr-defined]
    wait_state(qtbot, section, "open")
    assert "Reopened 27/11/2026" in section.history.text()
    assert "help with a deposit" in section.history.text()
    assert "Closed on 27/11/2026" in section.history.text()
    qtbot.waitUntil(lambda: not view.is_closed, timeout=TIMEOUT)
    assert not view.closure_notice.isVisibleTo(view) and view.edit_button.isEnabled()
    open_section(qtbot, view, view.contacts)
    assert view.contacts.new_button.isEnabled()


def test_the_words_follow_the_form_and_who_is_looking(qtbot: QtBot, env: Env) -> None:
    worker = practitioner(env)
    person = ready_person(env, worker)
    # A team lead of the young person's team, on the form: the boxes are counted, and the
    # approval has to come from another team lead.
    view = opened(qtbot, env, person.id, env.lead)
    section = view.closure
    wait_state(qtbot, section, "open")
    boxes = len(section.parts) + 1  # the summary's parts and their views
    assert boxes == 5
    assert "all five parts are needed" in section.summary_heading.text()
    assert section.ask_button.text() == "&Ask another team lead to approve closure"
    assert section.approver_note.isVisibleTo(section)
    assert "another team lead approves it" in section.approver_note.text()
    # The worker sees the usual words.
    mine = opened(qtbot, env, person.id, worker).closure
    wait_state(qtbot, mine, "open")
    assert mine.ask_button.text() == "&Ask a team lead to approve closure"
    assert not mine.approver_note.isVisibleTo(mine)
    closure.request_closure(env.db, worker, person.id, complete_request(env), now=env.now)
    # The team lead viewing the request is told what they can do, not to ask a team lead.
    lead_view = opened(qtbot, env, person.id, env.lead)
    wait_state(qtbot, lead_view.closure, "pending")
    headline = lead_view.closure.headline.text()
    assert "Waiting for your decision" in headline and "Closures" in headline
    worker_view = opened(qtbot, env, person.id, worker)
    wait_state(qtbot, worker_view.closure, "pending")
    assert "Waiting for a team lead to approve" in worker_view.closure.headline.text()
