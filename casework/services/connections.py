"""Saved team-server connections: what a laptop remembers about where its team works.

A small JSON file in the user's configuration folder lists each team server by a name
the worker recognises, the server's address (``postgresql://HOST[:PORT]/DATABASE``:
no user name, no options) and the certificate authority file that vouches for the
server's TLS certificate. It never holds a password: one in the
address is refused, and one found in the file is not read. Every problem with what is
typed is named, with what was expected.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from casework.db.files import private_dir, write_private
from casework.db.server_address import EXAMPLE, FORM, url_problems
from casework.errors import CaseworkError, Problem, ValidationFailed

FILE_NAME = "connections.json"
FORMAT = "casework-connections"
VERSION = 1
ENV_CONFIG_DIR = "CASEWORK_CONFIG_DIR"
NAME_MAX = 80
MAX_FILE_BYTES = 256 * 1024
MAX_CA_BYTES = 1024 * 1024
PEM_MARK = b"-----BEGIN CERTIFICATE-----"


__all__ = ["EXAMPLE", "FORM", "SavedConnection", "url_problems"]


class ConnectionsFileProblem(CaseworkError):
    """The saved-connections file cannot be read or written."""


@dataclass(frozen=True)
class SavedConnection:
    """One team server as the worker chose to name it."""

    name: str
    url: str
    ca_file: Path | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        try:
            return urlsplit(self.url).port or 5432
        except ValueError:
            return 5432

    @property
    def database(self) -> str:
        return unquote(urlsplit(self.url).path.lstrip("/"))

    def describe(self) -> str:
        """``North Leaving Care on db.council.local`` for the window's status line."""
        return f"{self.name} on {self.host}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "ca_file": str(self.ca_file) if self.ca_file is not None else None,
        }


def default_path() -> Path:
    """``connections.json`` in Casework's configuration folder (``CASEWORK_CONFIG_DIR``
    overrides it)."""
    given = os.environ.get(ENV_CONFIG_DIR)
    if given:
        return Path(given) / FILE_NAME
    from platformdirs import user_config_path

    return user_config_path("Casework", appauthor=False) / FILE_NAME


# --- checking what was typed ---------------------------------------------------------------


def ca_file_problems(ca_file: Path | None) -> list[Problem]:
    """The certificate authority file must be a readable PEM certificate file."""
    if ca_file is None:
        return []
    try:
        if ca_file.is_dir():
            return [Problem("ca_file", f"{ca_file} is a folder, not a file")]
        with open(ca_file, "rb") as fh:
            head = fh.read(MAX_CA_BYTES + 1)
    except FileNotFoundError:
        return [Problem("ca_file", f"{ca_file} does not exist")]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return [Problem("ca_file", f"{ca_file} cannot be read ({reason.lower()})")]
    if len(head) > MAX_CA_BYTES or PEM_MARK not in head:
        return [
            Problem(
                "ca_file",
                f"{ca_file} is not a certificate file",
                expected="a PEM file containing -----BEGIN CERTIFICATE----- (ask IT for "
                "the council's CA certificate)",
            )
        ]
    return []


def problems(
    name: str, url: str, ca_file: Path | None, existing: list[SavedConnection]
) -> list[Problem]:
    """Every problem with a new saved connection, each naming its field."""
    found: list[Problem] = []
    clean = name.strip()
    if not clean:
        found.append(
            Problem(
                "name",
                "is missing",
                expected="a name your team knows, for example North Leaving Care",
            )
        )
    elif len(clean) > NAME_MAX:
        found.append(Problem("name", f"is longer than {NAME_MAX} characters"))
    elif any(c.name.casefold() == clean.casefold() for c in existing):
        found.append(Problem("name", f"{clean} is already saved: choose another name"))
    found += url_problems(url)
    found += ca_file_problems(ca_file)
    return found


def make(
    name: str, url: str, ca_file: Path | None, existing: list[SavedConnection]
) -> SavedConnection:
    """A checked new connection; ``ValidationFailed`` lists every problem."""
    found = problems(name, url, ca_file, existing)
    if found:
        raise ValidationFailed(found)
    return SavedConnection(name.strip(), url.strip(), ca_file)


# --- the file --------------------------------------------------------------------------------


def load(path: Path) -> list[SavedConnection]:
    """The saved connections (none when the file does not exist). An entry with a password
    in its address is left out, never read into memory as one."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ConnectionsFileProblem(
            f"The saved team servers in {path} cannot be read ({exc.strerror}). Choose "
            "This laptop's encrypted file, or ask IT to check the file."
        ) from None
    broken = ConnectionsFileProblem(
        f"The saved team servers in {path} are not in the expected format. Start Casework "
        "with --server ADDRESS, or remove the file and add the servers again."
    )
    if len(raw) > MAX_FILE_BYTES:
        raise broken
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise broken from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise broken
    entries = data.get("connections")
    if not isinstance(entries, list):
        raise broken
    found: list[SavedConnection] = []
    for entry in entries:
        saved = _entry(entry)
        if saved is None:
            raise broken
        if url_problems(saved.url):  # a password (or worse) added by hand: not used
            continue
        found.append(saved)
    return found


def _entry(entry: object) -> SavedConnection | None:
    if not isinstance(entry, dict):
        return None
    name, url, ca = entry.get("name"), entry.get("url"), entry.get("ca_file")
    if not isinstance(name, str) or not isinstance(url, str):
        return None
    if ca is not None and not isinstance(ca, str):
        return None
    return SavedConnection(name, url, Path(ca) if ca else None)


def save(path: Path, connections: list[SavedConnection]) -> None:
    """Write the whole list (owner-only, moved into place whole)."""
    for saved in connections:
        if url_problems(saved.url):
            raise ValueError("only checked connections are saved")
    data = {
        "format": FORMAT,
        "version": VERSION,
        "connections": [c.to_json() for c in connections],
    }
    try:
        private_dir(path.parent)
    except OSError as exc:
        raise ConnectionsFileProblem(
            f"The folder {path.parent} cannot be created ({exc.strerror}). Nothing was saved."
        ) from None
    write_private(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"), replace=True)


def add(path: Path, name: str, url: str, ca_file: Path | None) -> SavedConnection:
    """Check and save a new connection; nothing is written if anything is wrong."""
    existing = load(path)
    saved = make(name, url, ca_file, existing)
    save(path, [*existing, saved])
    return saved


def remove(path: Path, name: str) -> None:
    existing = load(path)
    kept = [c for c in existing if c.name != name]
    if len(kept) != len(existing):
        save(path, kept)
