"""One contact draft's saves: never lost, never duplicated, never out of order.

The contact editor saves a draft from a worker as the worker types, and from the GUI
thread when the record is cleared (the idle lock, closing) or left. Every save of one
draft goes through its ``DraftStore``:

- one at a time (a lock), so a save from the GUI thread that arrives while a worker is
  still creating the draft waits for it and then updates that same draft;
- numbered by edit, so a worker's save that only runs after a newer one was made is
  skipped instead of writing older text over newer;
- versioned: each save, the finalising and the discarding hand the server the version of
  the draft this store last saved or read, so the same draft open on two computers is
  refused on the older one (named, with what the other did) instead of the later autosave
  silently winning. After a save whose answer never arrived (the network dropped), the
  next save first reads the draft to learn whether that save landed;
- once finalised or discarded the store is closed and later saves do nothing.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from casework.clock import to_naive_utc
from casework.db.database import Database
from casework.errors import CaseworkError, ServerUnavailable, ValidationFailed
from casework.services import contacts
from casework.services.common import Changed
from casework.services.contacts import ContactInput, FollowUpInput
from casework.services.permissions import Actor


class DraftStore:
    """One draft's saves, one at a time, from a worker or the GUI thread."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        person_id: int,
        contact_id: int | None = None,
        version: int | None = None,
    ) -> None:
        self._db = db
        self._actor = actor
        self.person_id = person_id
        self.contact_id = contact_id
        self.version = version  # of the saved draft as this store last saw it
        self._unanswered: ContactInput | None = None  # sent, answer lost
        self.closed = False  # finalised or discarded: nothing more to save
        self.saved_edit = 0  # the number of the edit whose text is in the database
        self._lock = threading.Lock()

    def save(
        self,
        data: ContactInput,
        now: datetime,
        edit: int,
        items: list[FollowUpInput] | None = None,
    ) -> Changed | None:
        """Save ``data`` (and the follow-ups typed so far) as typed by edit number ``edit``;
        older text is never written."""
        with self._lock:
            if edit <= self.saved_edit:
                return None
            return self._save(data, now, edit, items)

    def _save(
        self,
        data: ContactInput,
        now: datetime,
        edit: int,
        items: list[FollowUpInput] | None = None,
    ) -> Changed | None:
        if self.closed:
            return None
        if self._unanswered is not None:
            self._learn_what_happened(now)
        try:
            changed = contacts.save_draft(
                self._db,
                self._actor,
                self.person_id,
                data,
                contact_id=self.contact_id,
                follow_ups=items,
                now=now,
                expected_version=self.version,
            )
        except ServerUnavailable:
            # The save may have landed with its answer lost: the next save first finds
            # out (see _learn_what_happened) rather than guess either way.
            self._unanswered = data
            raise
        self.contact_id = changed.ids[0]
        self.version = changed.version
        self.saved_edit = max(self.saved_edit, edit)
        return changed

    def _learn_what_happened(self, now: datetime) -> None:
        """After a save whose answer never came: if the draft is one version on and holds
        exactly what was sent, that save landed and its version is this store's; if it is
        where it was, nothing landed. Anything else is someone else's change, and the
        version this store had makes the next save refused with their name."""
        sent, self._unanswered = self._unanswered, None
        if sent is None or self.contact_id is None:
            return
        try:
            found = contacts.list_contacts(self._db, self._actor, self.person_id, now=now)
        except ServerUnavailable:
            self._unanswered = sent  # still unknown
            raise
        draft = next((c for c in found if c.id == self.contact_id), None)
        if draft is None or self.version is None:
            return
        if draft.version == self.version + 1 and _same(draft.details, sent):
            self.version = draft.version

    def save_somehow(
        self,
        data: ContactInput,
        now: datetime,
        edit: int,
        items: list[FollowUpInput] | None = None,
    ) -> bool:
        """Save on this thread; a time in the future (which only a draft refuses) is set
        to now rather than lose what was written."""
        try:
            self.save(data, now, edit, items)
        except ValidationFailed:
            try:
                self.save(replace(data, occurred_at=now), now, edit, items)
            except CaseworkError:
                return False
        except CaseworkError:
            return False
        return True

    def finalise(
        self, data: ContactInput, items: list[FollowUpInput], now: datetime, edit: int
    ) -> Changed:
        """Save the last edits, then finalise (the saved draft stays if refused)."""
        with self._lock:
            if self.closed:
                raise ValidationFailed(["This contact has already been finalised."])
            try:
                self._save(data, now, edit, items)
            except ValidationFailed as exc:
                raise ValidationFailed(contacts.final_problems(data, now) or exc.problems) from None
            assert self.contact_id is not None
            changed = contacts.finalise(
                self._db,
                self._actor,
                self.person_id,
                self.contact_id,
                data,
                follow_ups=items,
                now=now,
                expected_version=self.version,
            )
            self.closed = True
            return changed

    def discard(self, now: datetime) -> Changed | None:
        with self._lock:
            if self.closed or self.contact_id is None:
                self.closed = True
                return None
            changed = contacts.discard_draft(
                self._db,
                self._actor,
                self.person_id,
                self.contact_id,
                now=now,
                expected_version=self.version,
            )
            self.closed = True
            return changed


def _same(saved: ContactInput, sent: ContactInput) -> bool:
    """The saved draft holds what was sent (times compared in UTC, as saved)."""
    return replace(saved, occurred_at=to_naive_utc(saved.occurred_at)) == replace(
        sent, occurred_at=to_naive_utc(sent.occurred_at)
    )
