"""The Closure tab's words: where each kind of evidence lives in the record, the fields
each closure reason asks for, labels and help, and a check's result, evidence, request
and decisions in words. :mod:`ui.views.record_closure` re-exports them."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QPushButton,
)

from casework.domain.closure import (
    CheckResult,
    Evidence,
    Outcome,
    Severity,
)
from casework.domain.closure_model import REASON_HELP as REASON_HELP
from casework.domain.closure_model import reason_fields as reason_fields
from casework.domain.closure_state import Offer, Refused
from casework.services.closure import RequestView
from ui.views.record_common import (
    day,
    local,
    plural,
    text_label,
    when,
)

#: Where in the record each kind of evidence lives: the record's tab titles.
EVIDENCE_TABS = {
    "contact": "Contacts",
    "follow_up": "Contacts",
    "safeguarding_contact": "Concerns and referrals",
    "referral": "Concerns and referrals",
    "allegation": "Safeguarding",
    "risk_screening": "Safeguarding",
    "missing_episode": "Safeguarding",
    "service_referral": "Safeguarding",
    "accommodation": "Accommodation",
    "support_event": "Legal status",
    "plan_review": "Pathway plan",
}

#: The reason-specific fields: (label of the date, label of who takes over), by reason.
SUMMARY_PARTS = (
    ("why_open", "Why the case was open", "What the case was open for, and since when."),
    (
        "what_changed",
        "What changed",
        "How their needs were met or the risk reduced, so the case can close.",
    ),
    (
        "agencies_involved",
        "Agencies still involved",
        "Who stays involved after closure (GP, college, housing, another council…).",
    ),
    (
        "if_concerns_return",
        "If concerns come back",
        "What anyone should do if concerns come back, and who to contact.",
    ),
)
VIEWS_LABEL = "Their views on closure"

_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def summary_heading(boxes: int) -> str:
    """The heading over the summary's boxes, counted from the boxes shown (every one is
    needed: the summary's four parts by check 10, their views by check 6)."""
    count = _COUNT_WORDS[boxes] if boxes < len(_COUNT_WORDS) else str(boxes)
    return f"<b>The closure summary</b> (all {count} parts are needed)"


def ask_label(*, returned: bool, another_lead: bool) -> str:
    """The form's send button. ``another_lead``: the person asking leads the case's team
    (the core's offer says so), so the approval must come from another team lead."""
    if returned:
        return "&Send back to another team lead" if another_lead else "&Send back to the team lead"
    if another_lead:
        return "&Ask another team lead to approve closure"
    return "&Ask a team lead to approve closure"


def pending_heading(approve: Offer | None) -> str:
    """The headline while a request waits, for the person looking (the core's offer to
    approve says whether they may): a team lead who may approve is told where to do it,
    the one who wrote the request that another team lead must."""
    if approve is not None and approve.refused is Refused.OWN_WORK:
        return "You wrote this request, so another team lead must approve the closure."
    if approve is not None and approve.refused is not Refused.PERMISSION:
        return "Waiting for your decision: approve or return the request in the Closures section."
    return "Waiting for a team lead to approve the closure."


ANOTHER_LEAD_NOTE = (
    "You lead this team and may ask to close the case, but nobody approves a request they "
    "wrote: another team lead approves it (local practice, separation of duties)."
)

PROBLEM_LABELS = {
    "reason": "Closure reason",
    "reason_date": "Date",
    "receiving_body": "Who takes over",
    "closed_on": "Closure date",
    "justifications": "Justifications",
    "why_open": "Why the case was open",
    "what_changed": "What changed",
    "agencies_involved": "Agencies still involved",
    "if_concerns_return": "If concerns come back",
    "young_person_views": VIEWS_LABEL,
}

PREVIEW_DELAY_MS = 600  # the checks run again this long after typing stops

CLOSURE_STYLE = """
QFrame#checkRow { background: #ffffff; border: 1px solid #c9d1dc; border-left-width: 6px;
    border-radius: 4px; }
QFrame#checkRow[result="failed"] { border-color: #a4161a; background: #fdf3f3; }
QFrame#checkRow[result="team_lead"] { border-color: #c28a00; background: #fffaf0; }
QFrame#checkRow[result="passed"] { border-left-color: #1e6b34; }
QFrame#checkRow[result="overridden"] { border-left-color: #1d4f91; }
QFrame#checkRow[result="na"] { border-left-color: #a0a7b2; }
QLabel#checkResult { padding: 2px 8px; border-radius: 3px; font-weight: bold; }
QLabel#checkResult[result="passed"] { color: #ffffff; background: #1e6b34; }
QLabel#checkResult[result="failed"] { color: #ffffff; background: #a4161a; }
QLabel#checkResult[result="team_lead"] { color: #3d2a00; background: #f2c14e; }
QLabel#checkResult[result="overridden"] { color: #ffffff; background: #1d4f91; }
QLabel#checkResult[result="na"] { color: #1b1f24; background: #dde1e7; }
QLabel#whyNot { color: #a4161a; font-weight: bold; }
QPushButton#primaryAction { background: #1d4f91; color: #ffffff; border: 1px solid #163d70;
    font-weight: bold; padding: 6px 14px; }
QPushButton#primaryAction:disabled { background: #c9d1dc; color: #4b5563; border-color: #a0a7b2; }
QPushButton#primaryAction:focus { border: 2px solid #f2b600; }
"""


# --- words -------------------------------------------------------------------------------


def result_words(check: CheckResult) -> tuple[str, str]:
    """A check's result in words, and its colour key: passed, failed, team_lead,
    overridden or na."""
    outcome = check.outcome
    if outcome is Outcome.PASSED:
        return "Passed", "passed"
    if outcome is Outcome.NOT_APPLICABLE:
        return "Not applicable", "na"
    if outcome is Outcome.OVERRIDDEN:
        return "Justified", "overridden"
    if outcome is Outcome.NEEDS_TEAM_LEAD:
        return "Needs a team lead's decision", "team_lead"
    if check.severity is Severity.WARNING:
        return "Needs a justification", "failed"
    return "Must be fixed", "failed"


def evidence_html(evidence: Sequence[Evidence]) -> str:
    """The evidence lines as rich text; a line from elsewhere in the record links there
    ("kind:id")."""
    lines = []
    for item in evidence:
        mark = (
            "<span style='color:#1e6b34'>✓</span>"
            if item.ok
            else "<span style='color:#a4161a'><b>✗</b></span>"
        )
        text = html.escape(item.text)
        place = EVIDENCE_TABS.get(item.kind)
        if place is not None:
            href = f"{item.kind}:{item.id if item.id is not None else ''}"
            text = f"<a href='{href}'>{text}</a> <span style='color:#4b5563'>({place})</span>"
        lines.append(f"{mark} {text}")
    return "<br>".join(lines)


def request_rows(request: RequestView) -> list[tuple[str, str]]:
    """(label, value) pairs for a request shown read-only."""
    data = request.data
    rows = [("Closure reason", request.reason_label)]
    date_label, body_label = reason_fields(data.reason)
    if date_label:
        rows.append((date_label, day(data.reason_date)))
    if body_label:
        rows.append((body_label, data.receiving_body or "Not recorded"))
    for name, label, _hint in SUMMARY_PARTS:
        rows.append((label, getattr(data, name) or "Not written"))
    rows.append((VIEWS_LABEL, data.young_person_views or "Not recorded"))
    for override in request.overrides:
        rows.append(
            (
                f"Justification: {override.title}",
                f"{override.justification}\n(by {override.recorded_by}, "
                f"{when(override.recorded_at)})",
            )
        )
    return rows


def decisions_rows(request: RequestView) -> list[tuple[str, str]]:
    d = request.decisions
    rows = []
    if d.risk_holder:
        rows.append(("Who holds the open risk", d.risk_holder))
    if d.risk_review:
        rows.append(("How it will be reviewed", d.risk_review))
    if d.accommodation_decision:
        rows.append(("Why accommodation does not stop closure", d.accommodation_decision))
    return rows


def waiting_words(request: RequestView, today: date) -> str:
    """Who sent the request, when, and how long it has waited (HTML)."""
    sent = local(request.submitted_at)
    who = html.escape(request.requested_by)
    days = (today - sent.date()).days
    if days <= 0:
        return f"Sent by {who} today at {sent:%H:%M}."
    return f"Sent by {who} on {sent:%d/%m/%Y at %H:%M}: <b>waiting {plural(days, 'day')}</b>."


def needs_nothing(check: CheckResult) -> bool:
    """Passed or not applicable, with no justification to show: folded away by default."""
    return check.outcome in (Outcome.PASSED, Outcome.NOT_APPLICABLE)


def _offer_on(button: QPushButton, offer: Offer | None) -> None:
    """Show ``button`` when the case's state allows its step; enable it when the core says
    this person may take it, with the core's reason as its tooltip when not."""
    button.setVisible(offer is not None)
    button.setEnabled(offer is not None and offer.allowed)
    button.setToolTip(offer.reason if offer is not None else "")


def _fill_form_rows(form: QFormLayout, rows: list[tuple[str, str]]) -> None:
    while form.rowCount():
        form.removeRow(0)
    for label, value in rows:
        shown = text_label(value)
        form.addRow(QLabel(f"<b>{html.escape(label)}</b>"), shown)


def _read_form() -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
    form.setHorizontalSpacing(18)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form
