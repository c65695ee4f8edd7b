"""The team lead's Closures section: the queue longest waiting first with requests past 5
working days flagged, the filters, the review pane, separation of duties, approving with
the password, returning with comments, team-lead decisions, and a closure from request
to closed."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from casework.clock import local_today
from casework.domain.closure import CheckId, Outcome
from casework.errors import PermissionDenied
from casework.services import closure
from casework.services.closure import Status
from casework.services.permissions import Actor
from tests.ui._closure_queue_fixtures import (
    NOW,
    PASSWORD,
    Made,
    make_ready,
    new_person,
    open_medium_risk,
    ready_request,
    request,
    team_practitioner,
    two_concerns,
    working_days_before,
)
from ui import tasks
from ui.dialogs.closure_review_dialogs import NO_COMMENTS, ApproveDialog, ReturnDialog
from ui.models.closures_model import OVERRIDES, PERSON, STATUS, WAITING, WORKER
from ui.models.my_work_model import OVERDUE_TEXT
from ui.views.closures import OWN_REQUEST, ClosuresSection, ClosuresView, parse_href
from ui.workspace import CLOSURES, FRONT_DOOR, MY_WORK, sections_for

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures", "tests.ui._work_fixtures"]
TIMEOUT = 10_000


@pytest.fixture
def worker(env: Env) -> Actor:
    return team_practitioner(env.db, env.lead)


def make_view(qtbot: QtBot, env: Env, actor: Actor) -> ClosuresView:
    view = ClosuresView(env.db, actor, env.clock)
    qtbot.addWidget(view)
    view.resize(1300, 740)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.show()
    return view


def mine(view: ClosuresView, made: list[Made]) -> list[int]:
    """The requests made by the test, in the order the queue shows them (the demo has
    some closure requests of its own)."""
    ids = {m.request_id for m in made}
    return [r.request_id for r in view.model.shown_rows() if r.request_id in ids]


def texts(view: ClosuresView, column: int, request_id: int) -> str:
    row = view.model.row_of(request_id)
    assert row is not None
    return view.model.index(row, column).data()


def review(qtbot: QtBot, view: ClosuresView, request_id: int) -> None:
    """Select the request and wait until its review is on screen."""
    assert view.select_request(request_id)

    def shown() -> bool:
        data = view.review.data
        return (
            data is not None
            and data.row.request_id == request_id
            and view.review.pages.currentIndex() == 0
        )

    qtbot.waitUntil(shown, timeout=TIMEOUT)
    tasks.wait_for_all(TIMEOUT)  # a forced re-read after a reset lands too
    QCoreApplication.processEvents()
    qtbot.waitUntil(shown, timeout=TIMEOUT)


def test_closures_section_follows_the_front_door() -> None:
    from casework.services.permissions import Role

    for role in (Role.TEAM_LEAD, Role.PRACTITIONER):
        titles = [s.title for s in sections_for(role)]
        assert titles.index(CLOSURES) == titles.index(FRONT_DOOR) + 1
        assert titles[0] == MY_WORK
    assert CLOSURES not in [s.title for s in sections_for(Role.ADMIN)]


def test_queue_is_longest_waiting_first_and_flags_past_five_working_days(
    qtbot: QtBot, env: Env, worker: Actor
) -> None:
    one = ready_request(env.db, env.lead, worker, at=working_days_before(1), first="Amy")
    five = ready_request(env.db, env.lead, worker, at=working_days_before(5), first="Ben")
    eight = ready_request(env.db, env.lead, worker, at=working_days_before(8), first="Cal")
    view = make_view(qtbot, env, env.lead)

    assert mine(view, [one, five, eight]) == [eight.request_id, five.request_id, one.request_id]
    submitted = [r.submitted_at for r in view.model.shown_rows()]
    assert submitted == sorted(submitted)
    assert texts(view, WAITING, one.request_id) == "1 working day"
    assert texts(view, WAITING, five.request_id) == "5 working days"  # at the limit: not late
    assert texts(view, WAITING, eight.request_id) == "8 working days · OVERDUE"
    late = view.model.index(view.model.row_of(eight.request_id) or 0, PERSON)
    assert late.data(Qt.ItemDataRole.ForegroundRole) == OVERDUE_TEXT
    assert late.data(Qt.ItemDataRole.FontRole).bold()
    on_time = view.model.index(view.model.row_of(five.request_id) or 0, PERSON)
    assert on_time.data(Qt.ItemDataRole.FontRole) is None
    assert texts(view, STATUS, one.request_id) == "Waiting for a team lead"
    assert texts(view, OVERRIDES, one.request_id) == "None"

    flagged = sum(r.flagged for r in view.model.all_rows())
    assert flagged >= 1
    assert f"{flagged} WAITING TOO LONG" in view.summary.text()
    assert "OVERDUE" in view.status.currentText()


def test_badge_counts_flagged_requests_in_the_navigation(
    qtbot: QtBot, env: Env, worker: Actor
) -> None:
    ready_request(env.db, env.lead, worker, at=working_days_before(9))
    section = ClosuresSection(env.db, env.lead, env.clock)
    qtbot.addWidget(section)
    with qtbot.waitSignal(section.overdue_changed, timeout=TIMEOUT) as badge:
        section.closures.refresh()
    flagged = sum(r.flagged for r in section.closures.model.all_rows())
    assert badge.args == [flagged] and flagged >= 1


def test_a_check_card_reached_by_tab_shows_the_focus_outline(
    qtbot: QtBot, env: Env, worker: Actor
) -> None:
    """Check cards take Tab (their links open the record): the focused one is outlined in
    the amber every focused control has, and its words do not move."""
    from ui.app import load_style

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    load_style(app)
    try:
        at = working_days_before(1)
        pid = new_person(env.db, env.lead, worker, first="Gus")
        make_ready(env.db, worker, pid, at=at)
        open_medium_risk(env.db, worker, pid, at=at)
        rid = request(env.db, worker, pid, at=at)
        view = make_view(qtbot, env, env.lead)
        review(qtbot, view, rid)
        card = view.review.cards.itemAt(0).widget()
        assert isinstance(card, QLabel)
        before = card.grab().toImage()
        card.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(card.hasFocus, timeout=TIMEOUT)
        after = card.grab().toImage()

        def amber(image: QImage) -> int:
            return sum(
                image.pixelColor(x, y).name() == "#f2b600"
                for x in range(image.width())
                for y in range(image.height())
            )

        assert amber(before) == 0 and amber(after) > 200
        inner = QRect(12, 8, before.width() - 24, before.height() - 16)
        assert before.copy(inner) == after.copy(inner)  # the words stay where they were
    finally:
        app.setStyleSheet("")


def test_filter_by_worker_and_status(qtbot: QtBot, env: Env, worker: Actor) -> None:
    second = team_practitioner(env.db, env.lead, skip=worker)
    a = ready_request(env.db, env.lead, worker, at=working_days_before(2), first="Dee")
    b = ready_request(env.db, env.lead, second, at=working_days_before(3), first="Eve")
    returned = ready_request(env.db, env.lead, worker, at=working_days_before(4), first="Fay")
    closure.return_closure(env.db, env.lead, returned.request_id, "Add her views.", now=NOW)
    view = make_view(qtbot, env, env.lead)
    assert set(mine(view, [a, b, returned])) == {a.request_id, b.request_id}

    view.set_worker_filter(worker.user_id)
    rows = view.model.shown_rows()
    assert rows and {r.worker_id for r in rows} == {worker.user_id}
    assert mine(view, [a, b, returned]) == [a.request_id]
    assert worker.display_name in view.worker.currentText()
    assert {texts(view, WORKER, r.request_id) for r in rows} == {worker.display_name}

    view.set_status_filter(Status.RETURNED)
    assert mine(view, [a, b, returned]) == [returned.request_id]
    assert {r.status for r in view.model.shown_rows()} == {Status.RETURNED}
    assert texts(view, WAITING, returned.request_id) == "With the worker"

    view.set_worker_filter(None)
    view.set_status_filter(None)
    assert set(mine(view, [a, b, returned])) == {a.request_id, b.request_id, returned.request_id}


def test_review_shows_checks_overrides_summary_contacts_and_risks(
    qtbot: QtBot, env: Env, worker: Actor
) -> None:
    at = working_days_before(1)
    pid = new_person(env.db, env.lead, worker, first="Gus")
    make_ready(env.db, worker, pid, at=at)
    open_medium_risk(env.db, worker, pid, at=at)
    two_concerns(env.db, env.lead, pid, at=at)
    why = "Both concerns were a neighbour dispute; she moved in June."
    rid = request(env.db, worker, pid, at=at, justifications={CheckId.RE_REFERRALS.value: why})
    view = make_view(qtbot, env, env.lead)
    assert texts(view, OVERRIDES, rid) == "⚠ 1 override"
    review(qtbot, view, rid)
    pane = view.review

    cards = [pane.cards.itemAt(i).widget() for i in range(pane.cards.count())]
    outcomes = [card.property("outcome") for card in cards]
    assert outcomes[:2] == ["needs_team_lead", "overridden"]  # attention first
    assert "NEEDS A TEAM LEAD" in cards[0].text()
    assert "Self-harm: medium" in cards[0].text() and "Why:" in cards[0].text()
    assert why in cards[1].text()
    assert not pane.overrides_box.isHidden()
    assert "Overrides (1)" in pane.overrides_box.title()
    assert "Not ready: check 4b" in pane.state.text()
    assert not pane.approve_button.isEnabled()
    assert not pane.decisions.isHidden() and not pane.risk_part.isHidden()
    assert pane.accommodation_part.isHidden()  # check 8 passed: not asked for
    summary = " ".join(label.text() for label in pane.summary_box.findChildren(QLabel))
    for part in ("Why the case was open", "What changed", "Agencies", "If concerns come back"):
        assert part in summary
    assert "Settled in her own tenancy" in summary and "Missing" not in summary
    assert "ready and will ring" in pane.views.text()
    assert "CL21" in pane.reason.text()
    assert "seen alone" in pane.contacts.text()
    assert "Self-harm" in pane.risks.text()

    links = [parse_href(h) for h in _hrefs(cards[0].text())]
    assert [kind for kind, _id in filter(None, links)] == ["risk_screening"]


def _hrefs(text: str) -> list[str]:
    return re.findall(r"href='([^']+)'", text)


def test_evidence_link_opens_the_record_on_its_tab(
    qtbot: QtBot, env: Env, worker: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = ready_request(env.db, env.lead, worker, at=working_days_before(2))
    section = ClosuresSection(env.db, env.lead, env.clock)
    qtbot.addWidget(section)
    section.resize(1300, 740)
    view = section.closures
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        section.show()
    review(qtbot, view, made.request_id)
    shown: list[str] = []
    record = section._record_view()
    monkeypatch.setattr(record, "show_section_for", shown.append, raising=False)
    card = next(
        view.review.cards.itemAt(i).widget()
        for i in range(view.review.cards.count())
        if "risk_screening" in view.review.cards.itemAt(i).widget().text()
    )
    with qtbot.waitSignal(view.open_evidence, timeout=TIMEOUT) as opened:
        card.linkActivated.emit(_hrefs(card.text())[0])
    assert opened.args == [made.person_id, "risk_screening"]
    assert section.currentWidget() is record
    assert shown == ["risk_screening"]


def test_requester_cannot_approve_their_own_closure(qtbot: QtBot, env: Env, worker: Actor) -> None:
    own = ready_request(env.db, env.lead, env.lead, at=working_days_before(2), first="Hal")
    view = make_view(qtbot, env, env.lead)
    review(qtbot, view, own.request_id)
    pane = view.review
    assert not pane.approve_button.isEnabled()
    assert pane.approve_button.toolTip() == OWN_REQUEST
    assert not pane.approve_reason.isHidden() and pane.approve_reason.text() == OWN_REQUEST
    assert "another team lead must approve it" in pane.state.text()
    assert pane.return_button.isEnabled()
    assert view.approve_selected() is None  # no dialog either

    with pytest.raises(PermissionDenied, match="you cannot approve it"):
        closure.approve_closure(env.db, env.lead, own.request_id, PASSWORD, now=NOW)
    assert closure.overview(env.db, env.lead, own.person_id, now=NOW).state == "pending"


def test_wrong_password_approves_nothing(qtbot: QtBot, env: Env, worker: Actor) -> None:
    made = ready_request(env.db, env.lead, worker, at=working_days_before(2))
    view = make_view(qtbot, env, env.lead)
    review(qtbot, view, made.request_id)
    assert view.review.approve_button.isEnabled()
    assert "Ready to approve" in view.review.state.text()

    qtbot.mouseClick(view.review.approve_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, ApproveDialog)
    dialog.accept()  # nothing typed
    assert "enter your password" in dialog.problems.plain_text()

    dialog.password.setText("not-my-password")
    dialog.accept()
    qtbot.waitUntil(
        lambda: "password is not right" in dialog.problems.plain_text(), timeout=TIMEOUT
    )
    assert dialog.isVisible() and dialog.password.text() == ""
    assert "not approved" in dialog.problems.plain_text()
    assert closure.overview(env.db, env.lead, made.person_id, now=NOW).state == "pending"


def test_return_needs_comments(qtbot: QtBot, env: Env, worker: Actor) -> None:
    made = ready_request(env.db, env.lead, worker, at=working_days_before(2))
    view = make_view(qtbot, env, env.lead)
    review(qtbot, view, made.request_id)
    dialog = view.return_selected()
    assert isinstance(dialog, ReturnDialog)
    dialog.comments.setPlainText("   ")
    dialog.accept()
    assert dialog.problems.plain_text() == NO_COMMENTS
    assert closure.overview(env.db, env.lead, made.person_id, now=NOW).state == "pending"

    dialog.comments.setPlainText("Record her views in her own words.")
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        dialog.accept()
    after = closure.overview(env.db, env.lead, made.person_id, now=NOW)
    assert after.state == "returned"
    assert after.request is not None
    assert after.request.review_comments == "Record her views in her own words."
    assert made.request_id not in [r.request_id for r in view.model.shown_rows()]
    assert "went back to" in view.notice.text()
    view.set_status_filter(Status.RETURNED)
    review(qtbot, view, made.request_id)
    assert "Record her views" in view.review.state.text()
    assert not view.review.return_button.isEnabled()


def test_team_lead_decision_resolves_the_check_then_approve_works(
    qtbot: QtBot, env: Env, worker: Actor
) -> None:
    at = working_days_before(1)
    pid = new_person(env.db, env.lead, worker, first="Ivy")
    make_ready(env.db, worker, pid, at=at)
    open_medium_risk(env.db, worker, pid, at=at)
    rid = request(env.db, worker, pid, at=at)
    view = make_view(qtbot, env, env.lead)
    review(qtbot, view, rid)
    pane = view.review
    assert not pane.approve_button.isEnabled()
    before = closure.overview(env.db, env.lead, pid, now=NOW)
    [held] = [c for c in before.checks if c.id is CheckId.OPEN_RISKS]
    assert held.outcome is Outcome.NEEDS_TEAM_LEAD

    pane.risk_holder.setText("Adult safeguarding team")
    pane.save_decisions()  # no review arrangement yet
    assert "how it will be reviewed" in pane.decision_problems.plain_text()

    pane.risk_review.setPlainText("Adult safeguarding review at 6 weeks; GP informed.")
    with qtbot.waitSignal(view.review_loaded, timeout=TIMEOUT):
        pane.save_decisions()
    qtbot.waitUntil(pane.approve_button.isEnabled, timeout=TIMEOUT)
    after = closure.overview(env.db, env.lead, pid, now=NOW)
    [held] = [c for c in after.checks if c.id is CheckId.OPEN_RISKS]
    assert held.outcome is Outcome.PASSED
    assert "Ready to approve" in pane.state.text()
    assert pane.risk_holder.text() == "Adult safeguarding team"

    dialog = view.approve_selected()
    assert dialog is not None
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        dialog.accept()
    assert closure.overview(env.db, env.lead, pid, now=NOW).state == "approved"
    assert "approved" in view.notice.text()


def test_worker_requests_lead_approves_in_the_ui_then_the_case_closes(
    qtbot: QtBot, env: Env, worker: Actor
) -> None:
    at = working_days_before(3)
    pid = new_person(env.db, env.lead, worker, first="Jo")
    make_ready(env.db, worker, pid, at=at)
    rid = request(env.db, worker, pid, at=at, reason="CL21")

    # The worker sees their own request, and that only a team lead decides.
    own_view = make_view(qtbot, env, worker)
    assert rid in [r.request_id for r in own_view.model.shown_rows()]
    assert {r.worker_id for r in own_view.model.all_rows()} == {worker.user_id}
    review(qtbot, own_view, rid)
    assert own_view.review.approve_button.isHidden()
    assert own_view.review.return_button.isHidden()

    view = make_view(qtbot, env, env.lead)
    review(qtbot, view, rid)
    dialog = view.approve_selected()
    assert dialog is not None
    qtbot.keyClicks(dialog.password.edit, PASSWORD)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.footer.ok_button, Qt.MouseButton.LeftButton)
    assert rid not in [r.request_id for r in view.model.shown_rows()]
    view.set_status_filter(Status.APPROVED)
    assert rid in [r.request_id for r in view.model.shown_rows()]

    closed_on = local_today(NOW)
    closure.close_case(env.db, worker, rid, closed_on, now=NOW)
    after = closure.overview(env.db, env.lead, pid, now=NOW)
    assert after.state == "closed" and after.closed_on == closed_on
    view.refresh()
    qtbot.waitUntil(lambda: not view.is_loading, timeout=TIMEOUT)
    assert rid not in [r.request_id for r in view.model.all_rows()]


def test_clear_empties_and_ignores_a_late_load(qtbot: QtBot, env: Env, worker: Actor) -> None:
    made = ready_request(env.db, env.lead, worker, at=working_days_before(2))
    section = ClosuresSection(env.db, env.lead, env.clock)
    qtbot.addWidget(section)
    view = section.closures
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT)
    review(qtbot, view, made.request_id)
    view.return_selected()
    assert view.dialog is not None
    view.refresh()  # a load on its way when the lock comes
    with qtbot.waitSignal(view.overdue_changed, timeout=TIMEOUT) as cleared:
        section.clear()
    assert cleared.args == [-1]
    assert view.model.rowCount() == 0 and view.dialog is None
    assert view.review.data is None and view.review.title.text() == ""
    tasks.wait_for_all(TIMEOUT)  # the refresh lands, and is ignored
    QCoreApplication.processEvents()
    assert view.model.rowCount() == 0


def test_hundreds_of_rows_filter_in_memory(qtbot: QtBot) -> None:
    from datetime import datetime, timedelta

    from casework.services.closure import QueueRow
    from ui.models.closures_model import ClosuresModel

    start = datetime(2026, 6, 1, 9, 0)
    rows = [
        QueueRow(
            request_id=n,
            person_id=n,
            child_uid=f"C{n:06d}",
            name=f"Person {n}",
            status=(Status.PENDING, Status.RETURNED, Status.APPROVED)[n % 3],
            reason="CL21",
            worker_id=n % 7,
            worker=f"Worker {n % 7}",
            submitted_at=start + timedelta(hours=n),
            waiting_working_days=(900 - n) // 8,
            flagged=n % 3 == 0 and (900 - n) // 8 > 5,
            overrides=int(n % 5 == 0),
            reviewed_by=None,
            review_comments="",
            voided=False,
        )
        for n in range(900)
    ]
    model = ClosuresModel()
    model.set_rows(rows, NOW.date())
    assert model.rowCount() == 300  # waiting for a team lead, by default
    model.set_filters(Status.PENDING, 3)
    shown = model.shown_rows()
    assert shown and all(r.worker_id == 3 and r.status is Status.PENDING for r in shown)
    assert [r.submitted_at for r in shown] == sorted(r.submitted_at for r in shown)
    model.set_filters(None, None)
    assert model.rowCount() == 900
    assert model.index(0, WAITING).data() == "112 working days · OVERDUE"
