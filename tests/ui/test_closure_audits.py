"""The Closure audits section: only for team leads; the demo's sampled month in the list;
the audit form beside the read-only record as it stood, submitting (and refusals shown in
plain words); the blind second audit and the moderation view's agreement figures."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casework.domain.audit_sampling import AuditDomain, AuditState
from casework.domain.due import DueKind
from casework.services import auth, closure_audit, users
from casework.services.closure_audit import JudgementInput
from casework.services.demo import ADMIN_USERNAME
from casework.services.permissions import Actor, Role
from tests.conftest import PASSWORD
from ui import tasks
from ui.views.closure_audits import COLUMNS, ClosureAuditsSection
from ui.workspace import CLOSURE_AUDITS, sections_for

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures", "tests.ui._work_fixtures"]
TIMEOUT = 10_000
_LEADS = ("lead.north", "lead.south", "lead.sixteenplus")


@pytest.fixture
def env(large_env: Env) -> Env:
    return large_env


def _admin(env: Env) -> Actor:
    return auth.login(env.db, ADMIN_USERNAME, PASSWORD, now=env.now)


def _section(qtbot: QtBot, env: Env) -> ClosureAuditsSection:
    section = ClosureAuditsSection(env.db, env.lead, env.clock)
    qtbot.addWidget(section)
    section.resize(1150, 700)
    section.show()
    qtbot.waitUntil(lambda: section.listing.table.rowCount() > 0, timeout=TIMEOUT)
    return section


def test_only_team_leads_have_closure_audits() -> None:
    assert CLOSURE_AUDITS in [s.title for s in sections_for(Role.TEAM_LEAD)]
    assert CLOSURE_AUDITS not in [s.title for s in sections_for(Role.PRACTITIONER)]
    assert CLOSURE_AUDITS not in [s.title for s in sections_for(Role.ADMIN)]


def test_the_demo_month_is_listed_with_every_state(qtbot: QtBot, env: Env) -> None:
    section = _section(qtbot, env)
    table = section.listing.table
    states = {
        table.item(r, COLUMNS.index("Where it stands")).text() for r in range(table.rowCount())
    }
    for state in AuditState:
        assert state.label in states, state
    assert "seed" in section.listing.summary.text()
    assert table.accessibleName() and section.listing.sample.accessibleName()


def _open_own(qtbot: QtBot, section: ClosureAuditsSection, env: Env, state: AuditState) -> int:
    rows = section.listing.visible_rows()
    row = next(r for r in rows if r.state is state and r.auditor_id == env.lead.user_id)
    section.listing.table.selectRow(rows.index(row))
    section.listing.open_button.click()
    qtbot.waitUntil(lambda: section.audit.detail is not None, timeout=TIMEOUT)
    return row.id


def test_audit_form_beside_the_record_submits(qtbot: QtBot, env: Env) -> None:
    section = _section(qtbot, env)
    audit_id = _open_own(qtbot, section, env, AuditState.ASSIGNED)
    page = section.audit
    detail = page.detail
    assert detail is not None
    assert page.record.isReadOnly()
    text = page.record.toPlainText()
    assert "Closed" in text and "The closure checks as approved" in text
    assert all(e.on <= detail.record.closed_on for e in detail.record.chronology)
    assert page.form_box.isVisible() and page.submit_button.isVisible()
    # Submitting an empty form is refused in plain words, and nothing is lost.
    page.submit_button.click()
    qtbot.waitUntil(lambda: page.status.isVisible(), timeout=TIMEOUT)
    assert "Grade" in page.status.text() and "safe" in page.status.text()
    for field in page.form.domains:
        field.grade.setCurrentIndex(field.grade.findData("good"))
        field.evidence.setPlainText(f"Seen in the record: {field.domain.label}.")
        assert field.grade.accessibleName().endswith("grade")
    page.form.overall.setCurrentIndex(page.form.overall.findData("good"))
    page.form.safe.setCurrentIndex(page.form.safe.findData(True))
    page.submit_button.click()
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.state is AuditState.COMPLETE,
        timeout=TIMEOUT,
    )
    assert not page.form_box.isVisible()  # submitted: read-only now
    tasks.wait_for_all()
    rows = closure_audit.list_audits(env.db, env.lead, now=env.now)
    assert next(r for r in rows if r.id == audit_id).state is AuditState.COMPLETE


def test_unsafe_needs_an_action_for_the_worker(qtbot: QtBot, env: Env) -> None:
    section = _section(qtbot, env)
    _open_own(qtbot, section, env, AuditState.ASSIGNED)
    page = section.audit
    for field in page.form.domains:
        field.grade.setCurrentIndex(field.grade.findData("inadequate"))
        field.evidence.setPlainText("Not enough.")
    page.form.overall.setCurrentIndex(page.form.overall.findData("inadequate"))
    page.form.safe.setCurrentIndex(page.form.safe.findData(False))
    page.form.safety_note.setPlainText("Exploitation risk not handed on.")
    page.submit_button.click()
    qtbot.waitUntil(lambda: page.status.isVisible(), timeout=TIMEOUT)
    assert "at least one action for the worker" in page.status.text()
    page.form.action_text.setText("Discuss the exploitation handover in supervision.")
    page.form.add_action.click()  # owner defaults to the worker who asked for the closure
    assert "Discuss the exploitation" in page.form.action_list.text()
    page.submit_button.click()
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.reopen == "recommended",
        timeout=TIMEOUT,
    )
    assert page.reopen_button.isVisible() and page.detail.actions


def test_second_audit_is_blind_in_the_moderation_view(qtbot: QtBot, env: Env) -> None:
    rows = closure_audit.list_audits(env.db, env.lead, now=env.now)
    row = next(r for r in rows if r.state is AuditState.AWAITING_MODERATION)
    leads = [auth.login(env.db, u, PASSWORD, now=env.now) for u in _LEADS]
    barred = {
        row.auditor_id,
        *(a.user_id for a in leads if a.display_name in (row.requested_by, row.approved_by)),
    }
    moderator = next(a for a in leads if a.user_id not in barred)
    closure_audit.assign(env.db, env.lead, row.id, moderator.user_id or 0, now=env.now, second=True)
    section = ClosureAuditsSection(env.db, moderator, env.clock)
    qtbot.addWidget(section)
    section.resize(1150, 700)
    section.show()
    section.show_moderation()
    page = section.moderation
    qtbot.waitUntil(lambda: page.audit.count() > 0, timeout=TIMEOUT)
    assert "moderated audits" in page.summary.text()
    assert page.by_domain.rowCount() == len(AuditDomain) + 2
    tasks.wait_for_all()
    page.audit.setCurrentIndex(page.audit.findData(row.id))
    qtbot.waitUntil(lambda: "hidden" in page.side_note.text(), timeout=TIMEOUT)
    first_column = {page.side.item(r, 1).text() for r in range(page.side.rowCount())}
    assert first_column == {"—"}  # the first auditor's grades are hidden
    assert "hidden" in page.side_note.text()
    # After the second audit is submitted, the first is shown beside it.
    grades = {d.value: ("good", "Evidence.") for d in AuditDomain}
    closure_audit.save_judgement(
        env.db,
        moderator,
        row.id,
        JudgementInput(grades=grades, overall="good", safe=True),
        now=env.now,
        submit=True,
    )
    page.refresh()
    qtbot.waitUntil(
        lambda: page.side.rowCount() > 0 and page.side.item(0, 1).text() != "—",
        timeout=TIMEOUT,
    )


def test_the_worker_sees_learning_actions_in_my_work_and_marks_them_done(
    qtbot: QtBot, env: Env
) -> None:
    from ui.views.my_work import MyWorkView

    rows = closure_audit.list_audits(env.db, env.lead, now=env.now)
    unsafe = next(r for r in rows if r.reopen == "recommended")
    detail = closure_audit.audit_detail(env.db, env.lead, unsafe.id, now=env.now)
    worker_id = detail.record.requested_by_id
    username = next(
        u.username for u in users.list_users(env.db, _admin(env), now=env.now) if u.id == worker_id
    )
    worker = auth.login(env.db, username, PASSWORD, now=env.now)
    view = MyWorkView(env.db, worker, env.clock)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.show()
    assert view.set_kind(DueKind.LEARNING_ACTION)
    learning = view.model.shown_items()
    assert len(learning) == len([a for a in detail.actions if a.done_on is None]) >= 1
    assert learning[0].item.title.startswith("Learning action: ")
    view.select_row(0)
    assert view.done_button.isVisible()
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.mark_done("Talked it through in supervision.")
    remaining = [w for w in view.model.all_items() if w.item.kind is DueKind.LEARNING_ACTION]
    assert len(remaining) == len(learning) - 1


def test_keyboard_opens_an_audit_and_escape_goes_back(qtbot: QtBot, env: Env) -> None:
    section = _section(qtbot, env)
    table = section.listing.table
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: section.audit.detail is not None, timeout=TIMEOUT)
    assert section.currentWidget() is section.audit
    assert section.audit.back_button.hasFocus() or section.audit.isAncestorOf(
        QApplication.focusWidget()
    )
    qtbot.keyClick(section.audit.back_button, Qt.Key.Key_Escape)
    assert section.currentWidget() is section.listing
    for button in (section.listing.draw_button, section.listing.moderation_button):
        assert "&" in button.text()  # a mnemonic


def test_a_disagreement_is_resolved_with_agreed_grades_and_a_note(qtbot: QtBot, env: Env) -> None:
    section = _section(qtbot, env)
    rows = section.listing.visible_rows()
    row = next(r for r in rows if r.state is AuditState.DISAGREEMENT)
    section.open_audit(row.id)
    page = section.audit
    qtbot.waitUntil(lambda: page.detail is not None, timeout=TIMEOUT)
    assert page.detail is not None and page.detail.disagreements
    assert "disagree" in page.where.text()
    assert page.resolve_button.isVisible()
    page.resolve_button.click()
    assert page.form.note.isVisible() and page.submit_button.text() == "Submi&t agreed grades"
    page.submit_button.click()  # no note yet: refused
    qtbot.waitUntil(lambda: page.status.isVisible(), timeout=TIMEOUT)
    assert "how the disagreement was resolved" in page.status.text()
    page.form.note.setPlainText("Agreed at the moderation meeting.")
    page.submit_button.click()
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.state is AuditState.COMPLETE,
        timeout=TIMEOUT,
    )
    assert page.detail.resolution_note == "Agreed at the moderation meeting."


def test_whoever_approved_the_closure_is_told_why_they_do_not_decide_its_reopening(
    qtbot: QtBot, env: Env
) -> None:
    rows = closure_audit.list_audits(env.db, env.lead, now=env.now)
    unsafe = next(r for r in rows if r.reopen == "recommended")
    detail = closure_audit.audit_detail(env.db, env.lead, unsafe.id, now=env.now)
    approver_id = detail.record.approved_by_id
    username = next(
        u.username
        for u in users.list_users(env.db, _admin(env), now=env.now)
        if u.id == approver_id
    )
    approver = auth.login(env.db, username, PASSWORD, now=env.now)
    section = ClosureAuditsSection(env.db, approver, env.clock)
    qtbot.addWidget(section)
    section.resize(1150, 700)
    section.show()
    page = section.audit
    page.show_audit(unsafe.id, [])
    qtbot.waitUntil(lambda: page.detail is not None, timeout=TIMEOUT)
    assert page.detail is not None and page.detail.reopen == "recommended"
    assert not page.reopen_button.isVisibleTo(page)
    assert not page.decline_button.isVisibleTo(page)
    assert "approved this closure, so you cannot decide" in page.actions_label.text()


def test_every_column_is_on_screen_at_laptop_width(qtbot: QtBot, large_env: Env) -> None:
    """At 1366x768 (less the navigation) no column sits past the right edge, and the short
    columns show their whole words: "Reopening" was cut to "RECOMMEN..." when the widths
    were fixed."""
    from PySide6.QtGui import QFontMetrics

    section = ClosureAuditsSection(large_env.db, large_env.lead, large_env.clock)
    qtbot.addWidget(section)
    section.resize(1366 - 200, 768 - 80)
    section.show()
    table = section.listing.table
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=TIMEOUT)
    header = table.horizontalHeader()
    assert table.horizontalScrollBar().maximum() == 0
    short = [COLUMNS.index(n) for n in ("Closed", "Safe?", "Auditor", "Where it stands")]
    for column in short:
        for row in range(table.rowCount()):
            item = table.item(row, column)
            width = QFontMetrics(item.font()).horizontalAdvance(item.text())
            assert width + 4 <= header.sectionSize(column), (COLUMNS[column], item.text())
    reopening = COLUMNS.index("Reopening")
    for row in range(table.rowCount()):
        item = table.item(row, reopening)
        first = item.text().split(" ")[0]
        width = QFontMetrics(item.font()).horizontalAdvance(first)
        assert width + 4 <= header.sectionSize(reopening), item.text()
