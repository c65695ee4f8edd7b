"""Working through a dropped connection to the team server.

One ``OfflineKeeper`` per signed-in team-server session. It opens the laptop's
encrypted cache of kept notes (``casework.db.draft_cache``, key in the OS keyring) on a
worker, keeps a note a save could not send, and sends kept notes back through the
normal use case when the server answers again (``casework.services.offline_drafts``).

A note still open in its contact form is "live": when the server is back, the form
itself saves what is on screen (the newest text) and the kept copy is then forgotten,
so a note is never sent twice and older text never overwrites newer. Notes whose form
has gone (the idle lock, signing out, closing Casework) are sent from the cache.

Screens find the keeper of their database with ``keeper_for(db)``: a contact form deep
in a record needs no new constructor argument to keep a note.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from casework.services.contacts import ContactInput, FollowUpInput
from ui import tasks

Clock = Callable[[], datetime]
_keepers: dict[int, OfflineKeeper] = {}


def keeper_for(db: object) -> OfflineKeeper | None:
    """The keeper of the team-server session using ``db`` (None for a laptop file)."""
    return _keepers.get(id(db))


def open_cache(path: Path | None, factory: Callable[[], Any]) -> Any:
    """Worker: the kept-notes cache (in Casework's data folder unless ``path``)."""
    from casework.db import draft_cache

    return draft_cache.open_cache(path or draft_cache.default_path(), factory())


def send_kept(db: Any, actor: Any, cache: Any, owner: str, now: datetime, *, live: set[str]) -> Any:
    """Worker: is the server there? Then send every kept note not still open in a form."""
    from casework.services import offline_drafts

    offline_drafts.reachable(db)
    if cache is None:
        return offline_drafts.ReplayResult(0, 0, 0, offline=False)
    return offline_drafts.replay(db, actor, cache, owner, now=now, skip=live)


class OfflineKeeper(QObject):
    """Keeps notes on the laptop while the server is unreachable and sends them back."""

    kept_changed = Signal(int)  # how many notes are kept on this laptop now
    offline = Signal()  # a save could not reach the server
    replayed = Signal(object)  # offline_drafts.ReplayResult
    problem = Signal(str)  # the cache cannot be used, said plainly

    def __init__(
        self,
        db: Any,
        actor: Any,
        clock: Clock,
        *,
        username: str,
        cache_path: Path | None = None,
        key_store_factory: Callable[[], Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        from casework.services.offline_drafts import owner_of

        self.db = db
        self.actor = actor
        self.clock = clock
        self.owner = owner_of(str(db.database_id), username)
        self.cache: Any = None
        self.cache_problem = ""
        self.count = 0
        self.offline_now = False  # the last word from the server was that it is unreachable
        self._live: dict[str, Callable[[], None]] = {}
        self._sending = False
        self._said: set[str] = set()
        self._factory = key_store_factory or _os_key_store
        self._cache_path = cache_path
        _keepers[id(db)] = self

    def start(self) -> None:
        """Open the cache on a worker; kept notes from an earlier session are sent."""
        tasks.run(
            open_cache,
            self._cache_path,
            self._factory,
            on_result=self._cache_ready,
            on_error=self._cache_failed,
        )

    def close(self) -> None:
        if _keepers.get(id(self.db)) is self:
            del _keepers[id(self.db)]

    def _cache_ready(self, cache: Any) -> None:
        self.cache = cache
        self._recount()
        if self.count:
            self.try_again()

    def _cache_failed(self, exc: BaseException) -> None:
        from ui.views.record_common import unexpected

        self.cache_problem = unexpected(exc)

    # --- keeping ------------------------------------------------------------------------

    @staticmethod
    def new_slot() -> str:
        return uuid.uuid4().hex

    def keep(
        self,
        slot: str,
        *,
        person_id: int,
        contact_id: int | None,
        title: str,
        data: ContactInput,
        follow_ups: list[FollowUpInput],
        unreachable: bool = True,
    ) -> bool:
        """Keep a note on this laptop now (one small local write). False, with the reason
        in ``problem``, when the cache cannot be used. ``unreachable``: kept because the
        server could not be reached (the window then says it is offline)."""
        from casework.services import offline_drafts

        if self.cache is None:
            self._say(self.cache_problem or NO_CACHE_YET)
            return False
        try:
            offline_drafts.keep(
                self.cache,
                self.owner,
                slot,
                person_id=person_id,
                contact_id=contact_id,
                title=title,
                data=data,
                follow_ups=follow_ups,
                now=self.clock(),
            )
        except Exception as exc:
            from ui.views.record_common import unexpected

            self._say(unexpected(exc))
            return False
        self._recount()
        if unreachable:
            self.offline_now = True
            self.offline.emit()
        return True

    def _say(self, message: str) -> None:
        """A cache problem is said once per sign-in, not at every autosave."""
        if message not in self._said:
            self._said.add(message)
            self.problem.emit(message)

    def forget(self, slot: str) -> None:
        """The server took the note from its form: the kept copy goes."""
        self._live.pop(slot, None)
        if self.cache is not None and self.cache.get(self.owner, slot) is not None:
            self.cache.remove(self.owner, slot)
            self._recount()

    def discard(self, slot: str) -> None:
        from casework.services import offline_drafts

        if self.cache is not None:
            offline_drafts.discard(self.cache, self.owner, slot)
            self._recount()

    def kept(self) -> list[Any]:
        from casework.services import offline_drafts

        return [] if self.cache is None else offline_drafts.kept(self.cache, self.owner)

    def set_live(self, slot: str, resend: Callable[[], None] | None) -> None:
        """``resend`` saves the open form again; None: the form has gone."""
        if resend is None:
            self._live.pop(slot, None)
        else:
            self._live[slot] = resend

    def _recount(self) -> None:
        count = self.cache.count(self.owner) if self.cache is not None else 0
        self.count = count
        self.kept_changed.emit(count)

    # --- sending ------------------------------------------------------------------------

    def try_again(self) -> None:
        """Ask the server; if it answers, open forms save themselves and the rest of the
        kept notes are sent."""
        if self._sending:
            return
        self._sending = True
        live = dict(self._live)
        tasks.run(
            send_kept,
            self.db,
            self.actor,
            self.cache,
            self.owner,
            self.clock(),
            live=set(live),
            on_result=lambda result: self._sent(result, live),
            on_error=self._not_sent,
        )

    def _sent(self, result: Any, live: dict[str, Callable[[], None]]) -> None:
        from dataclasses import replace

        self._sending = False
        self.offline_now = result.offline
        if not result.offline:
            for resend in live.values():
                resend()
            result = replace(result, resent_by_forms=len(live))
        self._recount()
        self.replayed.emit(result)

    def _not_sent(self, exc: BaseException) -> None:
        from casework.errors import CaseworkError, ServerUnavailable
        from casework.services.offline_drafts import ReplayResult

        self._sending = False
        self.offline_now = isinstance(exc, ServerUnavailable)
        if not isinstance(exc, CaseworkError):
            from ui import crash

            crash.report(type(exc), exc, exc.__traceback__)
        offline = isinstance(exc, ServerUnavailable) or not isinstance(exc, CaseworkError)
        self.replayed.emit(ReplayResult(0, 0, self.count, offline=offline))


def _os_key_store() -> Any:
    from casework.db.keys import OSKeyStore

    return OSKeyStore()


NO_CACHE_YET = (
    "Notes cannot be kept on this laptop yet (the keyring has not answered). What you type "
    "stays on screen; copy it somewhere safe before closing Casework."
)
