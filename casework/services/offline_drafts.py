"""Notes kept on the laptop while the team server was unreachable, and sending them.

``keep`` stores a contact note as typed (the contact form's fields and its follow-up
actions) in the laptop's encrypted cache (``casework.db.draft_cache``). ``replay`` sends
each kept note through the normal use case, ``contacts.save_draft``, as the person who
wrote it: the server checks permission, the closed-case rule and everything else as for
any save, in one transaction per note. A note is forgotten only once the server has
accepted it. A note the server refuses stays, marked with the server's own message, for
the person to copy or discard; the server being unreachable again stops the round and
keeps the rest as they were.

What is sent is a draft: finalising stays a deliberate step on the team server.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import literal, select

from casework.clock import to_local
from casework.db.draft_cache import CachedDraft, DraftCache
from casework.errors import CaseworkError, ServerUnavailable
from casework.services.contacts import ContactInput, FollowUpInput, save_draft

PAYLOAD_VERSION = 1


@dataclass(frozen=True)
class KeptDraft:
    """A kept note, as the screens show it."""

    slot: str
    person_id: int
    contact_id: int | None
    title: str
    data: ContactInput
    follow_ups: list[FollowUpInput]
    kept_at: datetime
    refused: str | None = None  # the server's message when it refused the note

    def text(self) -> str:
        """Everything typed, as plain text to copy."""
        d = self.data
        parts = [self.title, f"When: {to_local(d.occurred_at):%d/%m/%Y %H:%M}"]
        if d.location.strip():
            parts.append(f"Where: {d.location.strip()}")
        if d.views.strip():
            parts.append(f"In their own words:\n{d.views.strip()}")
        if d.discussed.strip():
            parts.append(f"What was discussed:\n{d.discussed.strip()}")
        for item in self.follow_ups:
            parts.append(f"Follow-up action, due {item.due_on:%d/%m/%Y}: {item.description}")
        return "\n\n".join(parts)


@dataclass(frozen=True)
class ReplayResult:
    sent: int  # notes the server accepted (and the laptop forgot)
    refused: int  # notes the server refused this round (kept, with its message)
    waiting: int  # notes still kept on the laptop after this round (refused ones included)
    offline: bool  # the server could not be reached: the round stopped
    resent_by_forms: int = 0  # notes still open in a form, which save themselves instead


def owner_of(database_id: str, username: str) -> str:
    """Whose notes: one person on one team server."""
    return f"{database_id}/{username.casefold()}"


def encode(data: ContactInput, follow_ups: list[FollowUpInput]) -> str:
    fields = asdict(data)
    fields["occurred_at"] = data.occurred_at.isoformat()
    items = [
        {"description": f.description, "due_on": f.due_on.isoformat(), "owner_id": f.owner_id}
        for f in follow_ups
    ]
    return json.dumps({"v": PAYLOAD_VERSION, "contact": fields, "follow_ups": items})


def decode(payload: str) -> tuple[ContactInput, list[FollowUpInput]]:
    raw: dict[str, Any] = json.loads(payload)
    fields = dict(raw["contact"])
    fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"])
    items = [
        FollowUpInput(f["description"], date.fromisoformat(f["due_on"]), f.get("owner_id"))
        for f in raw.get("follow_ups", [])
    ]
    return ContactInput(**fields), items


def keep(
    cache: DraftCache,
    owner: str,
    slot: str,
    *,
    person_id: int,
    contact_id: int | None,
    title: str,
    data: ContactInput,
    follow_ups: list[FollowUpInput],
    now: datetime,
) -> None:
    """Keep a note on this laptop (whole, replacing what was kept for the same slot)."""
    cache.put(
        owner,
        slot,
        person_id=person_id,
        contact_id=contact_id,
        title=title,
        payload=encode(data, follow_ups),
        now=now,
    )


def _view(row: CachedDraft) -> KeptDraft:
    data, items = decode(row.payload)
    return KeptDraft(
        slot=row.slot,
        person_id=row.person_id,
        contact_id=row.contact_id,
        title=row.title,
        data=data,
        follow_ups=items,
        kept_at=row.kept_at,
        refused=row.refused,
    )


def kept(cache: DraftCache, owner: str) -> list[KeptDraft]:
    """The person's kept notes, oldest first."""
    return [_view(row) for row in cache.list(owner)]


def discard(cache: DraftCache, owner: str, slot: str) -> None:
    """The person chose to throw a kept note away."""
    cache.remove(owner, slot)


def reachable(db: Any) -> None:
    """Raise ``ServerUnavailable`` unless the server answers a trivial read."""
    with db.reading() as session:
        session.execute(select(literal(1))).scalar_one()


def replay(
    db: Any,
    actor: Any,
    cache: DraftCache,
    owner: str,
    *,
    now: datetime,
    skip: frozenset[str] | set[str] = frozenset(),
) -> ReplayResult:
    """Send every kept note that the server has not refused, oldest first, each through
    ``contacts.save_draft`` in its own transaction; forget each once accepted. Notes in
    ``skip`` (still open in a form, which sends its own newer text) are left."""
    sent = refused = 0
    for row in cache.list(owner):
        if row.refused is not None or row.slot in skip:
            continue
        draft = _view(row)
        try:
            changed = save_draft(
                db,
                actor,
                draft.person_id,
                draft.data,
                contact_id=draft.contact_id,
                follow_ups=draft.follow_ups,
                now=now,
            )
        except ServerUnavailable:
            return ReplayResult(sent, refused, cache.count(owner), offline=True)
        except CaseworkError as exc:
            cache.mark_refused(owner, row.slot, str(exc), now)
            refused += 1
            continue
        # Accepted: forget it, unless it was kept again (more typing) while it was sent;
        # then the newer text is sent next time, as an update of the same draft.
        if not cache.remove(owner, row.slot, kept_at=row.kept_at):
            cache.set_contact_id(owner, row.slot, changed.ids[0])
        sent += 1
    return ReplayResult(sent, refused, cache.count(owner), offline=False)
