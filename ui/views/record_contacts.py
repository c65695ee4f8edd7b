"""The record's Contacts section: keeping in touch.

From the top: the worker's own unfinished drafts (marked DRAFT), overdue follow-up
actions (in red, with a count above everything), open follow-up actions with "Mark
done", recorded in-touch statuses, then every finalised contact, newest first, each
read-only with its dated addenda under it. "New contact" and "Continue writing" open
the contact editor in place of the list; the record stays in view above it.

On a team server, a save that cannot reach the server keeps the note on this laptop
(``ui.offline``): the text stays in the form, a copy goes into the laptop's encrypted
cache, and the form itself sends it again when the server answers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.codes import UnknownCode
from casework.domain.leaving_care import ContactMadeBy, ContactMethod
from casework.errors import ServerUnavailable
from casework.services import contacts
from casework.services.common import Changed
from casework.services.contacts import ContactView, FollowUpView, StatusView
from casework.services.permissions import Actor
from ui.dialogs.contact_editor import ContactEditor
from ui.dialogs.record_dialogs import AddendumDialog, DoneDialog, FollowUpDialog, StatusDialog
from ui.offline import OfflineKeeper, keeper_for
from ui.views.record_common import (
    Clock,
    RecordSection,
    banner,
    clear_layout,
    day,
    due_words,
    group,
    local,
    paragraphs,
    plural,
    quiet_label,
    scrolling,
    set_severity,
    text_label,
    when,
)

PAGE = 20
KEPT_STATE = "Kept on this laptop: the team server cannot be reached. Sent when it is back."
_LIST, _EDITOR = range(2)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CARD_STYLE = """
QFrame#contactCard { background: #ffffff; border: 1px solid #c9d1dc; border-radius: 6px; }
QFrame#draftCard {
    background: #fff4d6; border: 2px solid #c28a00; border-left-width: 8px; border-radius: 6px; }
QLabel#draftBadge {
    background: #7a4d00; color: #ffffff; font-weight: bold; padding: 2px 8px; border-radius: 3px; }
QLabel#outcome { padding: 2px 6px; border-radius: 3px; font-weight: bold; }
QLabel#outcome[severity="ok"] { background: #e6f4ea; }
QLabel#outcome[severity="warning"] { background: #fff4d6; border: 1px solid #c28a00; }
QLabel#addendum {
    background: #f3f5f8; border-left: 4px solid #1d4f91; padding: 6px 8px; }
QLabel#followUp { padding: 4px 6px; border-radius: 3px; }
"""


@dataclass(frozen=True)
class ContactsData:
    contacts: list[ContactView]
    follow_ups: list[FollowUpView]
    statuses: list[StatusView]


def _label(codes: type[ContactMethod] | type[ContactMadeBy], code: str) -> str:
    try:
        return codes.parse(code).label
    except UnknownCode:
        return "Not recorded"


def heading_text(view: ContactView) -> str:
    """``Tue 24/11/2026 14:05 · Phone call``."""
    moment = local(view.details.occurred_at)
    method = _label(ContactMethod, view.details.method)
    return f"{_DAYS[moment.weekday()]} {moment:%d/%m/%Y %H:%M} · {method}"


def outcome_text(view: ContactView) -> tuple[str, str]:
    """What happened, and its severity: a successful contact reads differently at a
    glance from an attempt that did not reach the young person."""
    d = view.details
    if not d.successful:
        return "✖ ATTEMPTED: did not reach them", "warning"
    if d.seen_alone:
        seen = "seen, and seen alone"
    elif d.seen:
        seen = "seen, not alone"
    else:
        seen = "not seen"
    return f"✔ SUCCESSFUL: {seen}", "ok"


def byline(view: ContactView) -> str:
    made_by = _label(ContactMadeBy, view.details.made_by)
    parts = [f"Made by: {made_by}", f"Written by {view.author}"]
    if view.finalised_at is not None:
        parts.append(f"finalised {when(view.finalised_at)}")
    return " · ".join(parts)


def body_html(view: ContactView) -> str:
    d = view.details
    blocks = []
    if d.location.strip():
        blocks.append(f"<b>Where:</b> {html.escape(d.location.strip())}")
    if d.views.strip():
        blocks.append(f"<b>In their own words:</b><br>{paragraphs(d.views)}")
    if d.discussed.strip():
        title = "What was discussed" if d.successful else "What was tried"
        blocks.append(f"<b>{title}:</b><br>{paragraphs(d.discussed)}")
    return "<br><br>".join(blocks) or "<i>Nothing written yet.</i>"


def draft_notice(drafts: list[ContactView]) -> str:
    if not drafts:
        return ""
    latest = max(drafts, key=lambda c: c.updated_at)
    what = "an unfinished contact note" if len(drafts) == 1 else f"{len(drafts)} unfinished notes"
    return f"You have {what} for this young person (last saved {when(latest.updated_at)})."


class ContactsSection(RecordSection):
    draft_notice = Signal(str)  # what the record's header says about drafts; "" for none

    def __init__(
        self, db: Database, actor: Actor, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(db, actor, clock, parent)
        self.setStyleSheet(self.styleSheet() + CARD_STYLE)
        self._name = ""
        self._data: ContactsData | None = None
        self.resume_when_filled = False  # after an unlock: back into the draft
        self._shown = PAGE
        self.cards: dict[int, QFrame] = {}
        self.editor = ContactEditor(db, actor, clock)
        self.editor.finalised.connect(self._on_finalised)
        self.editor.discarded.connect(self._on_discarded)
        self.editor.back_requested.connect(self.show_list)
        self.editor.saved.connect(self._forget_kept)
        self.editor.finalised.connect(self._forget_kept)
        self.editor.discarded.connect(self._forget_kept)
        self.editor.save_failed.connect(self._save_failed)
        self._slot: str | None = None  # the kept copy's name, while offline
        self._slot_store: object | None = None  # the draft (its saves) that copy is of
        self.pages = QStackedWidget()
        self.pages.addWidget(scrolling(self._list_page()))
        self.pages.addWidget(self.editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    def _list_page(self) -> QWidget:
        self.new_button = QPushButton("&New contact")
        self.new_button.setToolTip("Write up a contact or an attempt to make contact")
        self.new_button.setStyleSheet(
            "QPushButton { background: #1d4f91; color: #ffffff; border: 1px solid #163d70; }"
            "QPushButton:focus { border: 2px solid #f2b600; }"
        )
        self.follow_up_button = QPushButton("Add follow-&up action…")
        self.status_button = QPushButton("Record in-touch &status…")
        self.new_button.clicked.connect(self.new_contact)
        self.follow_up_button.clicked.connect(self.add_follow_up)
        self.status_button.clicked.connect(self.record_status)
        actions = QHBoxLayout()
        for button in (self.new_button, self.follow_up_button, self.status_button):
            actions.addWidget(button)
        actions.addStretch(1)

        self.overdue_banner = banner()
        self.overdue_banner.hide()
        self.drafts = QVBoxLayout()
        follow_box, follow = group("Follow-up actions")
        self.follow_ups = QVBoxLayout()
        self.show_done = QCheckBox("Show actions already done")
        self.show_done.toggled.connect(self._refill_follow_ups)
        follow.addLayout(self.follow_ups)
        follow.addWidget(self.show_done)
        status_box, status = group("In-touch statuses recorded")
        self.statuses = QVBoxLayout()
        status.addLayout(self.statuses)
        self.contacts_box, contact = group("Contacts, newest first")
        self.card_list = QVBoxLayout()
        self.card_list.setSpacing(10)
        self.more_button = QPushButton()
        self.more_button.clicked.connect(self.show_more)
        self.more_button.hide()
        contact.addLayout(self.card_list)
        contact.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)

        page = QWidget()
        page.setMaximumWidth(980)
        layout = QVBoxLayout(page)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        layout.addWidget(self.overdue_banner)
        layout.addLayout(self.drafts)
        layout.addWidget(follow_box)
        layout.addWidget(status_box)
        layout.addWidget(self.contacts_box)
        layout.addStretch(1)
        return page

    # --- data -----------------------------------------------------------------------------

    @staticmethod
    def load_data(db: Database, actor: Actor, person_id: int, *, now: datetime) -> ContactsData:
        return ContactsData(
            contacts.list_contacts(db, actor, person_id, now=now),
            contacts.list_follow_ups(db, actor, person_id, now=now),
            contacts.list_statuses(db, actor, person_id, now=now),
        )

    def set_name(self, name: str) -> None:
        self._name = name

    @property
    def data(self) -> ContactsData | None:
        return self._data

    def fill(self, data: ContactsData) -> None:
        self._data = data
        drafts = [c for c in data.contacts if c.is_draft]
        self._fill_drafts(drafts)
        self._refill_follow_ups()
        self._fill_statuses(data.statuses)
        self._fill_cards()
        self._announce_drafts()
        if self.resume_when_filled:
            self.resume_when_filled = False
            self.resume_latest()

    def clear_content(self) -> None:
        self.flush()
        self._release_slot()
        self.editor.clear()
        self.pages.setCurrentIndex(_LIST)
        self._data = None
        self._name = ""
        self._shown = PAGE
        self.cards = {}
        for layout in (self.drafts, self.follow_ups, self.statuses, self.card_list):
            clear_layout(layout)
        self.overdue_banner.clear()
        self.overdue_banner.hide()
        self.more_button.hide()
        self.show_done.setChecked(False)
        self.draft_notice.emit("")

    def _today(self) -> date:
        return local_today(self._clock())

    # --- drafts ---------------------------------------------------------------------------

    def _fill_drafts(self, drafts: list[ContactView]) -> None:
        clear_layout(self.drafts)
        for view in drafts:
            self.drafts.addWidget(self._draft_card(view))

    def _draft_card(self, view: ContactView) -> QFrame:
        card = QFrame()
        card.setObjectName("draftCard")
        badge = QLabel("DRAFT: not finalised")
        badge.setObjectName("draftBadge")
        title = text_label(f"<b>{html.escape(heading_text(view))}</b>", rich=True)
        saved = QLabel(f"Only you can see it. Last saved {when(view.updated_at)}.")
        resume = QPushButton("Continue &writing")
        resume.clicked.connect(lambda: self.resume(view.id))
        top = QHBoxLayout()
        top.addWidget(badge)
        top.addWidget(title, 1)
        top.addWidget(resume)
        column = QVBoxLayout(card)
        column.addLayout(top)
        column.addWidget(saved)
        preview = view.details.discussed.strip() or view.details.views.strip()
        if preview:
            short = preview if len(preview) <= 160 else preview[:157] + "…"
            column.addWidget(quiet_label(short))
        self.cards[view.id] = card
        return card

    def _announce_drafts(self) -> None:
        if self._data is None:
            return
        drafts = [c for c in self._data.contacts if c.is_draft]
        if self.editor.is_active and self.pages.currentIndex() == _EDITOR:
            drafts = [c for c in drafts if c.id != self.editor.contact_id]
        self.draft_notice.emit(draft_notice(drafts))

    # --- follow-ups -----------------------------------------------------------------------

    def _refill_follow_ups(self) -> None:
        clear_layout(self.follow_ups)
        items = self._data.follow_ups if self._data else []
        today = self._today()
        open_items = [f for f in items if f.done_on is None]
        overdue = [f for f in open_items if f.due_on < today]
        self.overdue_banner.setText(
            f"<b>⚠ {plural(len(overdue), 'follow-up action')} "
            f"{'is' if len(overdue) == 1 else 'are'} overdue.</b> See Follow-up actions below."
        )
        self.overdue_banner.setVisible(bool(overdue))
        if not open_items:
            self.follow_ups.addWidget(quiet_label("No open follow-up actions."))
        for item in open_items:
            self.follow_ups.addWidget(self._follow_up_row(item, today))
        done = [f for f in items if f.done_on is not None]
        self.show_done.setText(f"Show actions already done ({len(done)})")
        self.show_done.setVisible(bool(done))
        if self.show_done.isChecked():
            for item in done:
                text = f"Done {day(item.done_on)}: {item.description}"
                self.follow_ups.addWidget(quiet_label(text))

    def _follow_up_row(self, item: FollowUpView, today: date) -> QWidget:
        words, level = due_words(item.due_on, today)
        owner = f" · {item.owner}" if item.owner else ""
        label = text_label(
            f"<b>{html.escape(words)}</b>{html.escape(owner)}<br>{html.escape(item.description)}",
            rich=True,
        )
        label.setObjectName("followUp")
        set_severity(label, level)
        done = QPushButton("Mark done…")
        done.setAccessibleName(f"Mark done: {item.description}")
        done.clicked.connect(lambda: self.mark_done(item.id))
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(label, 1)
        line.addWidget(done, 0, Qt.AlignmentFlag.AlignTop)
        return row

    # --- statuses -------------------------------------------------------------------------

    def _fill_statuses(self, statuses: list[StatusView]) -> None:
        clear_layout(self.statuses)
        if not statuses:
            self.statuses.addWidget(
                quiet_label(
                    "None recorded. Whether they are in touch is worked out from contacts; "
                    "record a status only if they refuse contact, no longer need services, "
                    "have returned home for 6 months or more, or have died."
                )
            )
        for item in statuses:
            text = (
                f"<b>{html.escape(item.status.label)}</b> from {day(item.effective_on)}"
                f"<br>{paragraphs(item.note)}<br><span style='color:#4b5563'>Recorded by "
                f"{html.escape(item.recorded_by)} on {when(item.recorded_at)}</span>"
            )
            self.statuses.addWidget(text_label(text, rich=True))

    # --- contact cards --------------------------------------------------------------------

    def _finals(self) -> list[ContactView]:
        return [c for c in self._data.contacts if not c.is_draft] if self._data else []

    def _fill_cards(self) -> None:
        clear_layout(self.card_list)
        self.cards = {k: v for k, v in self.cards.items() if v.objectName() == "draftCard"}
        finals = self._finals()
        self.contacts_box.setTitle(f"Contacts, newest first ({len(finals)})")
        if not finals:
            self.card_list.addWidget(quiet_label("No finalised contacts yet."))
        for view in finals[: self._shown]:
            self.card_list.addWidget(self._card(view))
        rest = len(finals) - self._shown
        self.more_button.setText(f"Show older contacts ({rest} more)")
        self.more_button.setVisible(rest > 0)

    def show_more(self) -> None:
        self._shown += PAGE
        self._fill_cards()

    def _card(self, view: ContactView) -> QFrame:
        card = QFrame()
        card.setObjectName("contactCard")
        title = text_label(f"<b>{html.escape(heading_text(view))}</b>", rich=True)
        words, level = outcome_text(view)
        outcome = QLabel(words)
        outcome.setObjectName("outcome")
        set_severity(outcome, level)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(outcome, 0, Qt.AlignmentFlag.AlignTop)
        add = QPushButton("Add addendum…")
        add.setAccessibleName(f"Add addendum to the contact of {heading_text(view)}")
        add.clicked.connect(lambda: self.add_addendum(view.id))
        by = QHBoxLayout()
        by.addWidget(quiet_label(byline(view)), 1)
        by.addWidget(add, 0, Qt.AlignmentFlag.AlignBottom)
        column = QVBoxLayout(card)
        column.addLayout(top)
        column.addLayout(by)
        column.addWidget(text_label(body_html(view), rich=True))
        for addendum in view.addenda:
            note = text_label(
                f"<b>Addendum {when(addendum.created_at)}</b> by {html.escape(addendum.author)}"
                f"<br>{paragraphs(addendum.text)}",
                rich=True,
            )
            note.setObjectName("addendum")
            column.addWidget(note)
        self.cards[view.id] = card
        return card

    # --- actions --------------------------------------------------------------------------

    def new_contact(self) -> None:
        if self.person_id is None:
            return
        if not (self.editor.is_active and self.editor.person_id == self.person_id):
            self.flush()
            self._release_slot()
            self.editor.start_new(self.person_id, self._name)
        self._show_editor()

    def resume(self, contact_id: int) -> None:
        if self.person_id is None or self._data is None:
            return
        if self.editor.is_active and self.editor.contact_id == contact_id:
            self._show_editor()
            return
        view = next((c for c in self._data.contacts if c.id == contact_id), None)
        if view is None or not view.is_draft:
            return
        self.flush()
        self._release_slot()
        self.editor.resume(self.person_id, self._name, view)
        self._show_editor()

    def resume_latest(self) -> None:
        drafts = [c for c in self._data.contacts if c.is_draft] if self._data else []
        if self.editor.is_active and self.editor.person_id == self.person_id:
            self._show_editor()
        elif drafts:
            self.resume(max(drafts, key=lambda c: c.updated_at).id)

    def _show_editor(self) -> None:
        self.pages.setCurrentIndex(_EDITOR)
        self._announce_drafts()

    def show_list(self) -> None:
        if self.editor.is_active and self.editor.has_unsaved_edits:
            self.keep_offline(unreachable=False)  # the form's own save did not get through
        self.pages.setCurrentIndex(_LIST)
        self.reload()
        self.new_button.setFocus()

    @property
    def is_editing(self) -> bool:
        return self.pages.currentIndex() == _EDITOR

    def flush(self) -> bool:
        """Save what is on screen now; on a team server that cannot be reached, keep it on
        this laptop instead (without waiting on the network again once it is known to be
        down). False only when it could be neither saved nor kept."""
        keeper = keeper_for(self._db)
        if keeper is not None and keeper.offline_now and self.editor.has_unsaved_edits:
            return self.keep_offline()
        if self.editor.flush():
            return True
        return self.keep_offline(unreachable=False)

    # --- working offline ------------------------------------------------------------------

    def _current_slot(self) -> str:
        store = self.editor.store
        if self._slot is None or self._slot_store is not store:
            self._release_slot()
            self._slot_store = store
            self._slot = OfflineKeeper.new_slot()
        return self._slot

    def _release_slot(self) -> None:
        """The form no longer holds the note: a kept copy is sent from the cache."""
        keeper = keeper_for(self._db)
        if keeper is not None and self._slot is not None:
            keeper.set_live(self._slot, None)
        self._slot = self._slot_store = None

    def _save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ServerUnavailable):
            self.keep_offline()

    def keep_offline(self, *, unreachable: bool = True) -> bool:
        """Keep the note being written on this laptop (team server only)."""
        keeper = keeper_for(self._db)
        store = self.editor.store
        if keeper is None or store is None or store.closed or not self.editor.is_active:
            return False
        slot = self._current_slot()
        kept = keeper.keep(
            slot,
            person_id=store.person_id,
            contact_id=store.contact_id,
            title=self.editor.title.text() or f"Contact with {self._name}",
            data=self.editor.collect(),
            follow_ups=self.editor.follow_ups(),
            unreachable=unreachable,
        )
        if kept:
            keeper.set_live(slot, self.editor.save_now)
            self.editor.save_state.setText(KEPT_STATE)
            self.editor.save_state.setToolTip(
                "Your note is in this laptop's encrypted store. Carry on writing: it is "
                "kept again as you type, and saved to the team server when it answers."
            )
            set_severity(self.editor.save_state, "warning")
        return kept

    def _forget_kept(self, _changed: object = None) -> None:
        """The server took the note from the form: the kept copy is no longer needed."""
        keeper = keeper_for(self._db)
        if keeper is not None and self._slot is not None:
            keeper.forget(self._slot)

    def _on_finalised(self, changed: Changed) -> None:
        self.editor.clear()
        self.pages.setCurrentIndex(_LIST)
        self.after_change(changed)
        self.new_button.setFocus()

    def _on_discarded(self, changed: Changed | None) -> None:
        self.pages.setCurrentIndex(_LIST)
        if changed is not None:
            self.after_change(changed)
        self.new_button.setFocus()

    def add_addendum(self, contact_id: int) -> None:
        view = next((c for c in self._finals() if c.id == contact_id), None)
        if view is None:
            return
        original = f"<b>{html.escape(heading_text(view))}</b><br>{body_html(view)}"
        self.open_dialog(AddendumDialog(self.context(), contact_id, original, self))

    def add_follow_up(self) -> None:
        if self.person_id is not None:
            self.open_dialog(FollowUpDialog(self.context(), self))

    def mark_done(self, action_id: int) -> None:
        items = self._data.follow_ups if self._data else []
        item = next((f for f in items if f.id == action_id), None)
        if item is not None:
            self.open_dialog(DoneDialog(self.context(), action_id, item.description, self))

    def record_status(self) -> None:
        if self.person_id is not None:
            self.open_dialog(StatusDialog(self.context(), self))
