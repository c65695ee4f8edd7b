"""The record's "Concerns and referrals" section: progress recorded and shown (the
assessment and conference due dates appear; "not needed" with a reason clears the
conference clock), a team lead authorises a completed assessment (a practitioner cannot),
an overdue assessment flagged, and clear() forgetting everything.

``CASEWORK_SHOTS=1`` also saves ``shots/referrals_tab.png`` and
``shots/referrals_progress_dialog.png``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from casework.config import council_rules
from casework.domain import front_door as rules
from casework.errors import PermissionDenied
from casework.services import front_door
from casework.services.front_door import ReferralProgress
from casework.services.permissions import Actor
from tests.ui._record_fixtures import TIMEOUT, practitioner, team_person
from tests.ui._referral_fixtures import add_referral, seed_referrals
from ui.dialogs.referral_dialogs import AuthoriseAssessmentDialog, ReferralProgressDialog
from ui.views.record_common import day
from ui.views.record_referrals import ReferralsSection

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
SHOTS = Path(__file__).resolve().parents[2] / "shots"


def text_of(widget: QWidget) -> str:
    """The text of the labels in ``widget`` not hidden on purpose."""

    def shown(label: QLabel) -> bool:
        return not (
            label.isHidden() and label.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
        )

    return "\n".join(label.text() for label in widget.findChildren(QLabel) if shown(label))


def opened(qtbot: QtBot, env: Env, person_id: int, actor: Actor | None = None) -> ReferralsSection:
    section = ReferralsSection(env.db, actor or env.lead, env.clock)
    qtbot.addWidget(section)
    section.resize(1180, 900)
    section.show()
    section.set_person(person_id)
    qtbot.waitUntil(lambda: section.is_loaded, timeout=TIMEOUT)
    return section


def save(qtbot: QtBot, section: ReferralsSection, dialog: object) -> None:
    """Press the dialog's OK; wait for the save and for the section to read it back."""
    before = section.data
    with qtbot.waitSignal(section.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: section.data is not before, timeout=TIMEOUT)


def progress_dialog(
    qtbot: QtBot, section: ReferralsSection, referral: int
) -> ReferralProgressDialog:
    button = section.cards[referral].progress_button
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, ReferralProgressDialog)
    return dialog


def test_progress_recorded_and_shown_then_no_conference_needed(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    referral = add_referral(env, person.id, 10)
    section = opened(qtbot, env, person.id)
    [shown] = section.data.referrals  # type: ignore[union-attr]
    assert shown.assessment_due is not None
    card = text_of(section.cards[referral])
    assert f"Not completed: due by {day(shown.assessment_due)}" in card
    assert "Conference" not in card  # no strategy discussion on an assessment

    dialog = progress_dialog(qtbot, section, referral)
    dialog.started.tick.setChecked(True)
    dialog.started.date.set_value(env.now.date() - timedelta(days=8))
    dialog.completed.tick.setChecked(True)
    dialog.strategy.tick.setChecked(True)
    dialog.strategy.date.set_value(env.now.date() - timedelta(days=3))
    assert dialog.held.isEnabled() and not dialog.seen_alone.isEnabled()
    qtbot.keyClicks(dialog.s47.lineEdit(), "Enquiry continuing")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # completed, never seen
    qtbot.waitUntil(lambda: bool(dialog.problems.problems()), timeout=TIMEOUT)
    [problem] = dialog.problems.problems()
    assert problem.startswith("Young person seen: an assessment is not complete without seeing")
    assert dialog.isVisible() and dialog.s47.currentText() == "Enquiry continuing"
    assert dialog.strategy.value() == env.now.date() - timedelta(days=3)  # typing kept

    dialog.completed.tick.setChecked(False)
    dialog.seen.setChecked(True)
    dialog.seen_alone.setChecked(True)
    save(qtbot, section, dialog)
    [after] = section.data.referrals  # type: ignore[union-attr]
    expected = rules.icpc_due(env.now.date() - timedelta(days=3), council_rules().calendar)
    assert after.icpc_due == expected
    card = text_of(section.cards[referral])
    assert "Seen, and seen alone" in card and "Enquiry continuing" in card
    assert f"Not held yet: ICPC due by {day(expected)}" in card
    assert f"due by {day(after.assessment_due)}" in card  # type: ignore[arg-type]

    dialog = progress_dialog(qtbot, section, referral)
    assert dialog.seen_alone.isChecked() and dialog.not_held.isChecked()  # read back
    dialog.not_needed.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == ["Why it is not needed: say why no conference is needed."]
    qtbot.keyClicks(dialog.reason, "Concerns not substantiated; child in need plan instead.")
    save(qtbot, section, dialog)
    card = text_of(section.cards[referral])
    assert "Not needed: Concerns not substantiated; child in need plan instead." in card
    assert "ICPC due by" not in card
    assert section.data.referrals[0].icpc_due is None  # type: ignore[union-attr]


def test_a_team_lead_authorises_and_a_practitioner_cannot(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    referral = add_referral(env, person.id, 30)
    today = env.now.date()
    done = ReferralProgress(today - timedelta(28), True, False, today - timedelta(2))
    worker = practitioner(env)  # records the assessment; the team lead authorises it
    front_door.record_progress(env.db, worker, referral, done, now=env.now)

    seen_by_worker = opened(qtbot, env, person.id, worker)
    card = seen_by_worker.cards[referral]
    assert card.authorise_button is None
    assert "AWAITING TEAM-LEAD AUTHORISATION: ask your team lead" in text_of(card)
    seen_by_worker.authorise(referral)
    assert seen_by_worker.dialog is None  # nothing to open for a practitioner
    with pytest.raises(PermissionDenied):
        front_door.authorise_assessment(env.db, worker, referral, now=env.now)

    section = opened(qtbot, env, person.id)
    button = section.cards[referral].authorise_button
    assert button is not None and button.isEnabled()
    assert "1 assessment awaiting authorisation" in section.to_do.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, AuthoriseAssessmentDialog)
    assert "young person seen, not alone" in dialog.intro.text()
    save(qtbot, section, dialog)
    card = section.cards[referral]
    assert card.authorise_button is None
    assert "Authorised by a team lead" in text_of(card)
    assert section.to_do.property("severity") == "ok"


def test_an_overdue_assessment_is_flagged(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    referral = add_referral(env, person.id, 100)
    section = opened(qtbot, env, person.id)
    [shown] = section.data.referrals  # type: ignore[union-attr]
    card = section.cards[referral]
    assert card.property("alarm") == "overdue"
    assert f"OVERDUE: not completed, due by {day(shown.assessment_due)}" in text_of(card)
    assert "1 assessment overdue" in section.to_do.text()
    assert section.to_do.property("severity") == "overdue"


def test_seeded_section_and_clear_forgets_everything(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    seed_referrals(env, person.id)
    section = opened(qtbot, env, person.id)
    data = section.data
    assert data is not None and len(section.cards) == 4
    newest, strategy, overdue, first = data.referrals
    assert "AWAITING DECISION" in text_of(section.cards[newest.id])
    assert section.cards[newest.id].progress_button is None  # decide it first
    assert data.re_referrals == {newest.id, strategy.id, overdue.id}
    assert "OVERDUE: not held, ICPC due by" in text_of(section.cards[strategy.id])
    assert "Authorised by a team lead" in text_of(section.cards[first.id])
    assert "3 re-referrals" in section.history.text()
    assert section.repeat_alert.isVisibleTo(section)
    assert "Repeated concerns" in section.repeat_alert.text()
    assert "counting this one" not in section.repeat_alert.text()
    assert section.re_referral_note.isVisibleTo(section)
    assert section.concern_table.rowCount() == 5
    assert section.concern_table.item(0, 3).text().startswith("AWAITING DECISION")
    if os.environ.get("CASEWORK_SHOTS"):
        with_style(lambda: shots(qtbot, section, strategy.id))

    section.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert section.data is None and section.person_id is None and not section.cards
    assert section.concern_table.rowCount() == 0
    assert not section.repeat_alert.isVisibleTo(section)
    text = "\n".join(label.text() for label in section.findChildren(QLabel))
    assert "police" not in text.lower() and "concern" not in section.history.text()


def with_style(take: Callable[[], None]) -> None:
    """Run ``take`` with the app's own style sheet, as the app looks."""
    from importlib.resources import files

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(files("casework_resources").joinpath("style.qss").read_text("utf-8"))
    SHOTS.mkdir(exist_ok=True)
    try:
        take()
    finally:
        app.setStyleSheet("")


def shots(qtbot: QtBot, section: ReferralsSection, referral: int) -> None:
    area = section.findChild(QScrollArea)
    assert area is not None
    page = area.widget()
    section.resize(1180, 900)
    QApplication.processEvents()
    section.resize(1180, max(900, page.heightForWidth(page.width()) + 4))
    QApplication.processEvents()
    section.grab().save(str(SHOTS / "referrals_tab.png"))
    dialog = progress_dialog(qtbot, section, referral)
    QApplication.processEvents()
    dialog.grab().save(str(SHOTS / "referrals_progress_dialog.png"))
    dialog.reject()


def test_section_47_runs_the_assessment_clock_until_authorised(qtbot: QtBot, env: Env) -> None:
    """Working Together 2023: 45 working days from receipt for every referral that
    proceeds, section 47 included; completion alone does not stop the clock."""
    person = team_person(env)
    referral = add_referral(env, person.id, 100, decision="strategy_s47")
    today = env.now.date()
    done = ReferralProgress(today - timedelta(95), True, True, today - timedelta(5))
    front_door.record_progress(env.db, env.lead, referral, done, now=env.now)
    section = opened(qtbot, env, person.id)
    card = section.cards[referral]
    words = text_of(card)
    assert "Assessment: 45 working days from receipt to authorisation" in words
    assert "OVERDUE: not authorised" in words and card.property("alarm") == "overdue"
    assert "1 assessment overdue" in section.to_do.text()


def test_child_protection_plan_recorded_with_its_meetings(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    referral = add_referral(env, person.id, 40, decision="strategy_s47")
    today = env.now.date()
    icpc = today - timedelta(20)
    front_door.record_progress(
        env.db,
        env.lead,
        referral,
        ReferralProgress(strategy_discussion_on=today - timedelta(38), icpc_on=icpc),
        now=env.now,
    )
    section = opened(qtbot, env, person.id)
    assert section.start_plan_button.isEnabled()
    assert "No child protection plan recorded." in section.plan_note.text()
    qtbot.mouseClick(section.start_plan_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None and day(icpc) in dialog.referral.currentText()  # type: ignore[attr-defined]
    save(qtbot, section, dialog)
    [card] = section.plan_widgets.values()
    words = text_of(card)
    assert f"Plan made at the conference on {day(icpc)}" in words
    assert "OVERDUE: the first meeting was due by" in words  # 10 working days have passed
    assert card.property("alarm") == "overdue"
    assert not section.start_plan_button.isEnabled()  # one open plan at a time

    assert card.meeting_button is not None
    qtbot.mouseClick(card.meeting_button, Qt.MouseButton.LeftButton)
    meeting = section.dialog
    assert meeting is not None
    assert meeting.kind.currentData() == "core_group"  # type: ignore[attr-defined]
    save(qtbot, section, meeting)
    [card] = section.plan_widgets.values()
    words = text_of(card)
    assert f"Met {day(today)}" in words and "Next due by" in words
    assert card.property("alarm") == ""
    if os.environ.get("CASEWORK_SHOTS"):
        with_style(lambda: _plan_shot(section))

    assert card.end_button is not None
    qtbot.mouseClick(card.end_button, Qt.MouseButton.LeftButton)
    ending = section.dialog
    assert ending is not None
    qtbot.mouseClick(ending.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert any("Why it ended" in p for p in ending.problems.problems())  # type: ignore[attr-defined]
    ending.reason.setPlainText("Risks reduced; child in need plan.")  # type: ignore[attr-defined]
    save(qtbot, section, ending)
    [card] = section.plan_widgets.values()
    assert "Risks reduced" in text_of(card) and card.meeting_button is None


def _plan_shot(section: ReferralsSection) -> None:
    area = section.findChild(QScrollArea)
    assert area is not None
    page = area.widget()
    section.resize(1180, max(900, page.heightForWidth(1180) + 4))
    QApplication.processEvents()
    section.grab().save(str(SHOTS / "referrals_plan.png"))
