"""The laptop's encrypted cache of notes kept while the team server is unreachable: a
real SQLCipher file, its own key, owner-only, and a note kept whole or not at all."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from casework.db import draft_cache, keys
from casework.db.draft_cache import DraftCache, DraftCacheUnavailable, open_cache
from casework.services import offline_drafts
from casework.services.contacts import ContactInput, FollowUpInput

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
OWNER = "db-1/anna"


def put(
    cache: DraftCache, slot: str, text: str, *, owner: str = OWNER, now: datetime = NOW
) -> None:
    cache.put(
        owner, slot, person_id=7, contact_id=None, title="Contact with Sam", payload=text, now=now
    )


def test_created_owner_only_encrypted_with_its_own_key(tmp_path: Path) -> None:
    store = keys.MemoryKeyStore()
    path = tmp_path / "state" / "offline-drafts.db"
    cache = open_cache(path, store)
    put(cache, "a", "Met Sam at the flat; rent arrears discussed")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    raw = path.read_bytes() + b"".join(
        p.read_bytes() for p in path.parent.iterdir() if p.name.endswith("-wal")
    )
    assert b"rent arrears" not in raw and not raw.startswith(b"SQLite format 3")
    assert len(store.get(draft_cache.key_name(path))) == 32
    again = open_cache(path, store)
    assert [d.payload for d in again.list(OWNER)] == ["Met Sam at the flat; rent arrears discussed"]


def test_put_replaces_the_slot_and_clears_a_refusal(tmp_path: Path) -> None:
    cache = open_cache(tmp_path / "c.db", keys.MemoryKeyStore())
    put(cache, "a", "first")
    cache.mark_refused(OWNER, "a", "The case is closed.", NOW)
    assert cache.get(OWNER, "a").refused == "The case is closed."  # type: ignore[union-attr]
    put(cache, "a", "second", now=NOW + timedelta(minutes=1))
    kept = cache.list(OWNER)
    assert [(d.payload, d.refused) for d in kept] == [("second", None)]


def test_owners_never_see_each_others_notes(tmp_path: Path) -> None:
    cache = open_cache(tmp_path / "c.db", keys.MemoryKeyStore())
    put(cache, "a", "anna's note")
    put(cache, "a", "ben's note", owner="db-1/ben")
    assert [d.payload for d in cache.list(OWNER)] == ["anna's note"]
    assert cache.count("db-1/ben") == 1 and cache.count("db-2/anna") == 0


def test_remove_only_the_version_that_was_sent(tmp_path: Path) -> None:
    cache = open_cache(tmp_path / "c.db", keys.MemoryKeyStore())
    put(cache, "a", "old")
    sent = cache.get(OWNER, "a")
    assert sent is not None
    put(cache, "a", "typed while sending", now=NOW + timedelta(seconds=5))
    assert not cache.remove(OWNER, "a", kept_at=sent.kept_at)
    assert cache.count(OWNER) == 1
    newer = cache.get(OWNER, "a")
    assert newer is not None and cache.remove(OWNER, "a", kept_at=newer.kept_at)


def test_a_lost_key_is_reported_and_the_file_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    put(open_cache(path, keys.MemoryKeyStore()), "a", "note")
    before = path.read_bytes()
    with pytest.raises(DraftCacheUnavailable, match="keyring no longer has their key"):
        open_cache(path, keys.MemoryKeyStore())
    assert path.read_bytes() == before


def test_a_wrong_key_or_foreign_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = keys.MemoryKeyStore()
    open_cache(path, store)
    store.put(draft_cache.key_name(path), keys.new_key())
    with pytest.raises(DraftCacheUnavailable, match="damaged or is not"):
        open_cache(path, store)


def test_no_keyring_means_no_cache_and_says_what_to_do(tmp_path: Path) -> None:
    class NoKeyring(keys.MemoryKeyStore):
        def is_available(self) -> bool:
            return False

    with pytest.raises(DraftCacheUnavailable, match="copy it somewhere safe"):
        open_cache(tmp_path / "c.db", NoKeyring())
    assert not (tmp_path / "c.db").exists()


def test_payload_round_trip(tmp_path: Path) -> None:
    cache = open_cache(tmp_path / "c.db", keys.MemoryKeyStore())
    data = ContactInput(
        occurred_at=NOW, method="phone", successful=True, views="Fine", discussed="Rent – £40"
    )
    items = [FollowUpInput("Call the landlord", NOW.date() + timedelta(days=3))]
    offline_drafts.keep(
        cache, OWNER, "s1", person_id=3, contact_id=12, title="Contact with Sam",
        data=data, follow_ups=items, now=NOW,
    )  # fmt: skip
    [kept] = offline_drafts.kept(cache, OWNER)
    assert (kept.data, kept.follow_ups, kept.contact_id) == (data, items, 12)
    assert "Rent – £40" in kept.text() and "Call the landlord" in kept.text()
    summer = replace(kept, data=replace(data, occurred_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC)))
    assert "When: 01/07/2026 10:00" in summer.text()  # as the worker reads a clock in England


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from casework.db.draft_cache import DraftCache

    cache = DraftCache(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))
    text = "x" * 200_000
    i = 0
    print("ready", flush=True)
    while True:
        i += 1
        payload = '{"n": %d, "text": "%s"}' % (i, text)
        cache.put("o", "slot-%d" % (i % 5), person_id=i, contact_id=None, title="t",
                  payload=payload, now=datetime.now(UTC))
    """
)


@pytest.mark.slow
def test_killed_mid_write_leaves_each_note_whole_or_absent(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    key = keys.new_key()
    DraftCache.create(path, key)
    for attempt in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), key.hex()],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
        assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
        time.sleep(0.3 + 0.2 * attempt)  # in the middle of writing large notes
        child.send_signal(signal.SIGKILL)
        child.wait()
        cache = DraftCache(path, key)
        cache.check()
        kept = cache.list("o")
        assert 1 <= len(kept) <= 5
        for draft in kept:
            body = json.loads(draft.payload)  # whole: it parses, with all of its text
            assert body["text"] == "x" * 200_000
            assert draft.person_id == body["n"]
