"""The record's "Safeguarding and risk" section: allegations (a team lead records the
outcome, a practitioner cannot), a practitioner's high risk awaiting a team lead's
sign-off, a late return interview flagged, a referral out declined without a reason
refused, and clear() forgetting everything.

``CASEWORK_SHOTS=1`` also saves screenshots to ``shots/safeguarding_*.png``.
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

from casework.errors import PermissionDenied
from casework.services import safeguarding
from casework.services.safeguarding import MissingInput, RiskInput
from tests.ui._record_fixtures import (
    TIMEOUT,
    at,
    make_view,
    open_person,
    open_section,
    practitioner,
    quick_autosave,  # noqa: F401 (autouse)
    team_person,
)
from tests.ui._safeguarding_fixtures import seed_safeguarding
from ui.views.record import RecordView

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
SHOTS = Path(__file__).resolve().parents[2] / "shots"


def labels(widget: QWidget) -> str:
    """The text of the labels in ``widget``'s window not hidden on purpose (a strip just
    added is shown by Qt a moment later, so visibility itself would race)."""

    def shown(label: QLabel) -> bool:
        hidden = label.isHidden() and label.testAttribute(
            Qt.WidgetAttribute.WA_WState_ExplicitShowHide
        )
        return not hidden and label.window() is widget.window()

    return "\n".join(label.text() for label in widget.findChildren(QLabel) if shown(label))


def opened(qtbot: QtBot, env: Env, person_id: int, actor: object = None) -> RecordView:
    view = make_view(qtbot, env, actor)  # type: ignore[arg-type]
    open_person(qtbot, view, person_id)
    open_section(qtbot, view, view.safeguarding)
    return view


def save(qtbot: QtBot, view: RecordView, dialog: object) -> None:
    """Press the dialog's OK; wait for the save and for the section to read it back."""
    section = view.safeguarding
    before = section.data
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: section.dialog is None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: section.data is not before, timeout=TIMEOUT)


def test_allegation_recorded_and_only_a_team_lead_records_the_outcome(
    qtbot: QtBot, env: Env
) -> None:
    person = team_person(env)
    worker = practitioner(env)
    view = opened(qtbot, env, person.id, worker)
    section = view.safeguarding
    assert "No allegations recorded." in labels(section)
    qtbot.mouseClick(section.allegation_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == [
        "About: choose the role of the person the allegation is about.",
        "What is alleged: record what is alleged.",
    ]
    dialog.role.setCurrentIndex(dialog.role.findData("foster_carer"))
    dialog.received.set_value(at(env, 0, 9))
    qtbot.keyClicks(dialog.details, "Says the carer took their phone and hit them.")
    save(qtbot, view, dialog)
    qtbot.waitUntil(lambda: len(section.update_buttons) == 1, timeout=TIMEOUT)
    text = labels(section)
    assert "OPEN ALLEGATION: Foster carer" in text and "LADO not told yet" in text
    assert "1 open allegation" in section.glance.text()
    assert not section.outcome_buttons  # a practitioner cannot record the outcome
    [allegation] = safeguarding.list_allegations(env.db, worker, person.id, now=env.now)
    with pytest.raises(PermissionDenied):
        safeguarding.close_allegation(
            env.db, worker, allegation.id, "unfounded", "x", env.now.date(), now=env.now
        )

    lead_view = opened(qtbot, env, person.id)
    lead_section = lead_view.safeguarding
    qtbot.mouseClick(lead_section.outcome_buttons[allegation.id], Qt.MouseButton.LeftButton)
    outcome = lead_section.dialog
    outcome.choose("unsubstantiated")
    qtbot.mouseClick(outcome.ok_button, Qt.MouseButton.LeftButton)
    assert outcome.problems.problems() == ["Rationale: say why this outcome was reached."]
    qtbot.keyClicks(outcome.rationale, "Accounts differ; no other evidence.")
    save(qtbot, lead_view, outcome)
    qtbot.waitUntil(lambda: lead_section.allegation_table.rowCount() == 1, timeout=TIMEOUT)
    assert not lead_section.outcome_buttons and not lead_section.update_buttons
    assert lead_section.allegation_table.item(0, 2).text() == "Unsubstantiated"
    assert "0 open allegations" in lead_section.glance.text()


def test_high_risk_awaits_sign_off_until_a_team_lead_signs_it(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    worker = practitioner(env)
    view = opened(qtbot, env, person.id, worker)
    section = view.safeguarding
    assert "No risk screenings recorded yet." in section.no_risks.text()
    qtbot.mouseClick(section.risk_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    dialog.kind.setCurrentIndex(dialog.kind.findData("cse"))
    offered = safeguarding.indicators()["cse"]
    assert [c.text() for c in dialog.indicator_checks] == list(offered)
    dialog.choose_level("high")
    assert "A team lead must sign off" in dialog.level_note.text()
    assert dialog.review_on.value() == env.now.date() + timedelta(weeks=6)
    qtbot.keyClicks(dialog.reasoning, "Older men waiting outside the flat.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # no indicator ticked
    qtbot.waitUntil(lambda: bool(dialog.problems.problems()), timeout=TIMEOUT)
    assert dialog.problems.problems() == [
        "Indicators: tick the indicators that make this a high risk."
    ]
    dialog.tick(offered[0], offered[2])
    save(qtbot, view, dialog)
    qtbot.waitUntil(lambda: "HIGH RISK" in labels(section), timeout=TIMEOUT)
    strip = labels(section)
    assert "AWAITING TEAM-LEAD SIGN-OFF</b>: ask your team lead" in strip
    assert not section.sign_off_buttons
    assert section.screening_table.item(0, 6).text() == "AWAITING TEAM-LEAD SIGN-OFF"

    lead_view = opened(qtbot, env, person.id)
    lead_section = lead_view.safeguarding
    [risk] = safeguarding.list_risks(env.db, env.lead, person.id, now=env.now)
    assert risk.may_sign_off and lead_section.sign_off_buttons[risk.id].isEnabled()
    qtbot.mouseClick(lead_section.sign_off_buttons[risk.id], Qt.MouseButton.LeftButton)
    sign_off = lead_section.dialog
    assert "Older men waiting outside the flat." in sign_off.intro.text()
    save(qtbot, lead_view, sign_off)
    qtbot.waitUntil(lambda: not lead_section.sign_off_buttons, timeout=TIMEOUT)
    assert "AWAITING" not in labels(lead_section)
    assert "HIGH RISK: Child sexual exploitation" in labels(lead_section)  # still open
    assert lead_section.screening_table.item(0, 6).text().startswith(env.lead.display_name)


def test_late_return_interview_is_flagged(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = opened(qtbot, env, person.id)
    section = view.safeguarding
    qtbot.mouseClick(section.missing_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    dialog.started.set_value(at(env, 6, 22))
    dialog.police.setChecked(True)
    save(qtbot, view, dialog)
    [episode] = safeguarding.list_missing(env.db, env.lead, person.id, now=env.now)[0]
    assert "MISSING NOW" in labels(section) and "MISSING NOW" in section.glance.text()
    assert section.missing_table.item(0, 1).text() == "STILL MISSING"

    qtbot.mouseClick(section.return_buttons[episode.id], Qt.MouseButton.LeftButton)
    back = section.dialog
    back.ended.set_value(at(env, 5, 8))  # returned 5 days ago: the 72 hours have passed
    save(qtbot, view, back)
    qtbot.waitUntil(lambda: "LATE: return interview not held" in labels(section), timeout=TIMEOUT)
    assert "1 missing episode in the last 12 months" in section.missing_count.text()

    # Offered is not enough (statutory guidance: held within 72 hours): still flagged.
    qtbot.mouseClick(section.return_buttons[episode.id], Qt.MouseButton.LeftButton)
    offer = section.dialog
    offer.offered.set_value(at(env, 1, 10))
    save(qtbot, view, offer)
    qtbot.waitUntil(lambda: "(offered " in labels(section), timeout=TIMEOUT)
    assert episode.id in section.return_buttons
    assert section.missing_table.item(0, 3).text().startswith("LATE: not held")

    qtbot.mouseClick(section.return_buttons[episode.id], Qt.MouseButton.LeftButton)
    held = section.dialog
    held.accepted_choice.setCurrentIndex(held.accepted_choice.findData("yes"))
    held.held.set_value(at(env, 1, 11))
    save(qtbot, view, held)
    qtbot.waitUntil(lambda: not section.return_buttons, timeout=TIMEOUT)
    cell = section.missing_table.item(0, 3)
    assert cell.text().startswith("LATE: Held")
    assert cell.foreground().color().name() == "#a4161a"


def test_referral_out_declined_without_a_reason_shows_the_problem(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    view = opened(qtbot, env, person.id)
    section = view.safeguarding
    qtbot.mouseClick(section.referral_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    dialog.service.setCurrentIndex(dialog.service.findData("housing"))
    qtbot.keyClicks(dialog.organisation, "Northgate Housing Options")
    dialog.sent_on.set_value(env.now.date() - timedelta(days=20))
    save(qtbot, view, dialog)
    [referral] = safeguarding.list_referrals_out(env.db, env.lead, person.id, now=env.now)
    assert "Chase: OVERDUE by 6 days" in labels(section)  # 14 days without an answer

    qtbot.mouseClick(section.referral_buttons[referral.id], Qt.MouseButton.LeftButton)
    update = section.dialog
    update.status.setCurrentIndex(update.status.findData("declined"))
    assert update.reason.isEnabled() and not update.outcome.isEnabled()
    qtbot.mouseClick(update.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(update.problems.problems()), timeout=TIMEOUT)
    assert update.problems.problems() == [
        "Why they declined: record why the service declined the referral."
    ]
    assert update.isVisible()
    qtbot.keyClicks(update.reason, "Not in their area.")
    save(qtbot, view, update)
    qtbot.waitUntil(lambda: not section.referral_buttons, timeout=TIMEOUT)
    assert section.referral_table.item(0, 3).text() == "Declined"
    assert section.referral_table.item(0, 4).text() == "Not in their area."


def test_seeded_section_and_clear_forgets_everything(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    seed_safeguarding(env, person.id, practitioner(env))
    view = opened(qtbot, env, person.id)
    section = view.safeguarding
    assert view.tabs.tabText(view.tabs.indexOf(section)) == "Safeguarding"
    assert len(section.sign_off_buttons) == 1 and len(section.outcome_buttons) == 1
    assert section.screening_table.rowCount() == 3
    assert section.missing_table.rowCount() == 3 and len(section.return_buttons) == 1
    assert len(section.referral_buttons) == 2 and section.referral_table.rowCount() == 1
    assert "1 concern and 0 referrals" in section.concern_history.text()
    if os.environ.get("CASEWORK_SHOTS"):
        screenshots(qtbot, view)

    view.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert section.data is None and section.person_id is None
    for table in (section.screening_table, section.missing_table, section.referral_table):
        assert table.rowCount() == 0
    assert not section.sign_off_buttons and not section.return_buttons
    text = "\n".join(label.text() for label in section.findChildren(QLabel))
    assert "Hughes" not in text and "station" not in text and "Northgate" not in text


def test_caseload_shows_open_risks(qtbot: QtBot, env: Env) -> None:
    from ui.models.caseload_model import OPEN_RISKS, open_risks_cell
    from ui.views.caseload import CaseloadView

    person = team_person(env, first_name="Aaron")
    worker = practitioner(env)
    safeguarding.screen_risk(
        env.db,
        worker,
        person.id,
        RiskInput("missing", "medium", "Away two nights.", env.now.date(), ("Missing overnight",)),
        now=env.now,
    )
    safeguarding.save_missing(env.db, worker, person.id, MissingInput(at(env, 3)), now=env.now)
    view = CaseloadView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        view.show()
    view.search.setText(person.child_uid)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: view.model.status_of(person.id) is not None, timeout=TIMEOUT)
    index = view.model.index(0, OPEN_RISKS)
    assert index.data() == "Missing medium"
    assert "Missing: medium" in index.data(Qt.ItemDataRole.ToolTipRole)
    from casework.domain.front_door import RiskLevel
    from casework.services.due_front_door import OpenRisk

    high = open_risks_cell(
        (
            OpenRisk("Child sexual exploitation", RiskLevel.HIGH),
            OpenRisk("Missing", RiskLevel.MEDIUM),
        )
    )
    assert high.text == "CSE high · Missing medium" and high.severity == "overdue"
    if os.environ.get("CASEWORK_SHOTS"):
        view.search.setText("")
        qtbot.waitUntil(lambda: view.model.rowCount() > 1, timeout=TIMEOUT)
        with_style(lambda: shoot(view, "safeguarding_caseload.png", (1400, 700)))


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


def shoot(widget: QWidget, name: str, size: tuple[int, int] | None = None) -> None:
    if size is not None:
        widget.resize(*size)
    QApplication.processEvents()
    widget.grab().save(str(SHOTS / name))


def screenshots(qtbot: QtBot, view: RecordView) -> None:
    with_style(lambda: record_shots(view))


def record_shots(view: RecordView) -> None:
    shoot(view, "safeguarding_top.png", (1280, 1000))
    section = view.safeguarding
    area = section.findChild(QScrollArea)
    assert area is not None
    bar = area.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    shoot(view, "safeguarding_middle.png")
    bar.setValue(bar.maximum())
    shoot(view, "safeguarding_bottom.png")
    bar.setValue(0)
    section.screen_risk()
    risk = section.dialog
    assert risk is not None
    risk.kind.setCurrentIndex(risk.kind.findData("cce"))  # type: ignore[attr-defined]
    risk.choose_level("high")  # type: ignore[attr-defined]
    shoot(risk, "safeguarding_risk_dialog.png")
    risk.reject()
    section.record_outcome(next(iter(section.outcome_buttons)))
    outcome = section.dialog
    assert outcome is not None
    shoot(outcome, "safeguarding_outcome_dialog.png")
    outcome.reject()
    section.record_return(next(iter(section.return_buttons)))
    missing = section.dialog
    assert missing is not None
    shoot(missing, "safeguarding_missing_dialog.png")
    missing.reject()


def test_lado_decision_and_kcsie_timescale_on_an_open_allegation(qtbot: QtBot, env: Env) -> None:
    from casework.services.safeguarding import AllegationInput

    person = team_person(env)
    safeguarding.record_allegation(
        env.db,
        env.lead,
        person.id,
        AllegationInput("teacher", at(env, 40, 10), "Sent messages late at night."),
        now=env.now,
    )
    view = opened(qtbot, env, person.id)
    section = view.safeguarding
    text = labels(section)
    assert "LADO's decision on a strategy meeting: once the LADO is told" in text
    assert "strategy meeting not held" not in text  # no 72-hour clock until criteria are met
    assert "more than 1 month" in text and "KCSIE" in text  # past the 80% mark
    [allegation] = safeguarding.list_allegations(env.db, env.lead, person.id, now=env.now)
    qtbot.mouseClick(section.update_buttons[allegation.id], Qt.MouseButton.LeftButton)
    dialog = section.dialog
    dialog.lado.set_value(at(env, 40, 13))
    dialog.criteria.setCurrentIndex(dialog.criteria.findData("no"))
    assert dialog.not_required.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.problems.problems() == ["Why not required: record the LADO's reason."]
    qtbot.keyClicks(dialog.not_required, "Below the harm threshold; school to manage.")
    save(qtbot, view, dialog)
    qtbot.waitUntil(
        lambda: "Strategy meeting not required (the LADO's decision)" in labels(section),
        timeout=TIMEOUT,
    )


def test_a_lowered_level_waits_for_another_team_lead(qtbot: QtBot, env: Env) -> None:
    person = team_person(env)
    today = env.now.date()
    safeguarding.screen_risk(
        env.db,
        env.lead,
        person.id,
        RiskInput(
            "cce",
            "high",
            "Carrying for a local line.",
            today - timedelta(days=9),
            ("Going missing",),
        ),
        now=env.now,
    )
    safeguarding.screen_risk(
        env.db,
        env.lead,
        person.id,
        RiskInput("cce", "low", "Moved area; no contact with the line.", today),
        now=env.now,
    )
    view = opened(qtbot, env, person.id)
    section = view.safeguarding
    text = labels(section)
    assert "Child criminal exploitation LOWERED FROM HIGH TO LOW" in text
    assert "a team lead other than the one who lowered it signs it off" in text
    assert section.screening_table.item(0, 6).text() == (
        "AWAITING TEAM-LEAD SIGN-OFF (lowered from high)"
    )
    [lowered, _] = safeguarding.list_risks(env.db, env.lead, person.id, now=env.now)
    # The lead who lowered it is offered no sign-off: the button is off, and says why.
    button = section.sign_off_buttons[lowered.id]
    assert not button.isEnabled()
    assert "another team lead must sign it off" in button.toolTip()
    assert button.toolTip() in labels(section)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert section.dialog is None
    with pytest.raises(PermissionDenied, match="another team lead must"):
        safeguarding.sign_off_risk(env.db, env.lead, lowered.id, now=env.now)
    if os.environ.get("CASEWORK_SHOTS"):
        with_style(lambda: shoot(view, "safeguarding_lowered.png", (1366, 768)))


def test_an_undecided_lado_strategy_decision_goes_late(qtbot: QtBot, env: Env) -> None:
    from casework.services.safeguarding import AllegationInput

    person = team_person(env)
    safeguarding.record_allegation(
        env.db,
        env.lead,
        person.id,
        AllegationInput("foster_carer", at(env, 9, 10), "Grabbed by the arm.", "", at(env, 9, 12)),
        now=env.now,
    )
    view = opened(qtbot, env, person.id)
    text = labels(view.safeguarding)
    assert "LATE: LADO's decision on a strategy meeting not recorded yet" in text
