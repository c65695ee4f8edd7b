"""Saved team-server connections: every problem named, never a password on disk."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from casework.errors import ValidationFailed
from casework.services import connections as conns
from casework.services.connections import ConnectionsFileProblem, SavedConnection

CA_TEXT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    path = tmp_path / "council-ca.pem"
    path.write_text(CA_TEXT)
    return path


def messages(name: str, url: str, ca_file: Path | None, existing: list[SavedConnection] = []):  # noqa: B006
    return [str(p) for p in conns.problems(name, url, ca_file, existing)]


def test_a_good_connection_has_no_problems(ca: Path) -> None:
    assert messages("North", "postgresql://db.council.local/casework", ca) == []
    assert messages("North", "postgres://db.council.local:5433/casework", None) == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "url: is missing"),
        ("mysql://db/casework", 'url: "mysql://" does not start with postgresql://'),
        ("db.council.local/casework", "does not start with postgresql://"),
        ("postgresql:db/casework", "does not start with postgresql://"),
        ("postgresql://anna:secret@db/casework", "has a password in it"),
        ("postgresql://db/casework?password=secret", "has a password in it"),
        ("postgresql:///casework", "has no server name"),
        ("postgresql://db.council.local", "names no database"),
        ("postgresql://db.council.local:99999/casework", "port that is not a number"),
        ("postgresql://db/casework?sslmode=disable", "has options"),
        ("postgresql://anna@db/casework", "names a user"),
    ],
)
def test_each_address_problem_is_named(url: str, words: str) -> None:
    found = messages("North", url, None)
    assert any(words in m for m in found), found


def test_the_password_itself_never_appears_in_a_message() -> None:
    found = messages("North", "postgresql://anna:hunter2-secret@db/casework", None)
    assert found and not any("hunter2" in m for m in found)


def test_ca_file_problems(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    assert "does not exist" in messages("N", "postgresql://db/c", missing)[0]
    assert "is a folder" in messages("N", "postgresql://db/c", tmp_path)[0]
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("hello")
    assert "is not a certificate file" in messages("N", "postgresql://db/c", not_pem)[0]
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.pem"
        locked.write_text(CA_TEXT)
        locked.chmod(0)
        assert "cannot be read" in messages("N", "postgresql://db/c", locked)[0]


def test_name_problems() -> None:
    existing = [SavedConnection("North", "postgresql://db/c")]
    assert "name: is missing" in messages(" ", "postgresql://db/c", None)[0]
    assert "already saved" in messages("north", "postgresql://db/c", None, existing)[0]
    assert "longer than" in messages("x" * 81, "postgresql://db/c", None)[0]


def test_every_problem_at_once(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        conns.make("", "postgresql://anna:pw@/", tmp_path / "gone.pem", [])
    fields = [p.field for p in caught.value.details]
    assert fields.count("name") == 1 and fields.count("ca_file") == 1
    assert fields.count("url") == 3  # password, no host, no database


def test_add_load_remove_round_trip(tmp_path: Path, ca: Path) -> None:
    path = tmp_path / "config" / "connections.json"
    assert conns.load(path) == []
    conns.add(path, "North Leaving Care", "postgresql://db.council.local/casework", ca)
    conns.add(path, "South", "postgresql://db2.council.local:5433/south", None)
    loaded = conns.load(path)
    assert [c.name for c in loaded] == ["North Leaving Care", "South"]
    assert loaded[0].ca_file == ca
    assert loaded[0].describe() == "North Leaving Care on db.council.local"
    assert (loaded[1].host, loaded[1].port, loaded[1].database) == (
        "db2.council.local",
        5433,
        "south",
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    conns.remove(path, "North Leaving Care")
    assert [c.name for c in conns.load(path)] == ["South"]


def test_nothing_is_written_when_refused(tmp_path: Path) -> None:
    path = tmp_path / "connections.json"
    with pytest.raises(ValidationFailed):
        conns.add(path, "North", "postgresql://anna:pw@db/casework", None)
    assert not path.exists()


def test_a_password_added_by_hand_is_never_loaded(tmp_path: Path) -> None:
    path = tmp_path / "connections.json"
    path.write_text(
        json.dumps(
            {
                "format": conns.FORMAT,
                "version": 1,
                "connections": [
                    {"name": "Bad", "url": "postgresql://a:pw@db/c", "ca_file": None},
                    {"name": "Good", "url": "postgresql://db/c", "ca_file": None},
                ],
            }
        )
    )
    assert [c.name for c in conns.load(path)] == ["Good"]


@pytest.mark.parametrize(
    "content", ["not json", "[]", '{"format": "other"}', '{"format": "casework-connections"}']
)
def test_a_damaged_file_is_reported_plainly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "connections.json"
    path.write_text(content)
    with pytest.raises(ConnectionsFileProblem, match="not in the expected format"):
        conns.load(path)


def test_the_saved_file_has_no_password_key(tmp_path: Path, ca: Path) -> None:
    path = tmp_path / "connections.json"
    conns.add(path, "North", "postgresql://db/casework", ca)
    text = path.read_text()
    assert "password" not in text.lower()
