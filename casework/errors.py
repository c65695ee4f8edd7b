"""Errors the core raises, each carrying a plain-English message fit to show a user.

No message ever contains a key, a passphrase, a password or personal details.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


class CaseworkError(Exception):
    """Base class: ``str(error)`` is a complete sentence a user can act on."""


class DatabaseFileMissing(CaseworkError):
    pass


class DatabaseAlreadyExists(CaseworkError):
    pass


class NotACaseworkDatabase(CaseworkError):
    """The file is damaged, or is not a Casework database at all."""


class DatabaseDamaged(NotACaseworkDatabase):
    """Part of the database file cannot be read with its key (a damaged page)."""


class KeyFileProblem(NotACaseworkDatabase):
    """The key file beside the database is missing, unreadable or not a key file."""


class FileAccessProblem(CaseworkError):
    """A file or folder Casework needs cannot be read or written (permissions, a folder
    where a file should be, a full disk). Nothing about the data is wrong."""


class KeyringUnavailable(CaseworkError):
    """No real OS keyring backend (only fail/null/plaintext ones)."""


class KeyringNotAnswering(CaseworkError):
    """The keyring is locked or did not answer in time."""


class KeyringEntryMissing(CaseworkError):
    pass


class WrongPassphrase(CaseworkError):
    pass


class WrongRecoveryCode(CaseworkError):
    pass


class UnsafeDatabaseSettings(CaseworkError):
    """The self-test found the connection without the settings it must have."""


class MigrationFailed(CaseworkError):
    pass


_FIELD = re.compile(r"(?P<field>[a-z][a-z0-9_]*): (?P<rest>.*)", re.S)
_ITEM = re.compile(r"(?P<field>[a-z][a-z-]*) (?P<item>\d+): (?P<rest>.*)", re.S)
_INVALID = re.compile(r"(?P<value>.*) is not valid: expected (?P<expected>.*)", re.S)
_UNKNOWN = re.compile(r"(?P<value>.*) is not a known .* code; expected one of (?P<codes>.*)", re.S)


@dataclass(frozen=True)
class Problem:
    """One refused answer, structured from the rule to the screen: the field it is about
    (its storage name; None when it is about no single field), the value given when the
    rule names it, what was wrong, and what was expected. ``str()`` is the whole sentence
    ("field: message"), as the command-line tool prints it."""

    field: str | None
    message: str
    value: str | None = None
    expected: str | None = None
    item: int | None = None  # which of several (the 2nd follow-up action)
    choice: bool = False  # the value is not one of a code list's codes: choose from the list
    label: str | None = None  # the rule's own words for the field ("Reason"), when it gave them

    def __str__(self) -> str:
        text = self.message
        if self.value is not None and not self.choice:
            text = f"{self.value} {text}"
        if self.expected is not None and not self.choice:
            text = f"{text}: expected {self.expected}"
        if self.label is not None:
            text = f"{self.label}: {text}"
        if self.field is None:
            return text
        head = self.field if self.item is None else f"{self.field} {self.item}"
        return f"{head}: {text}"

    @classmethod
    def worded(cls, field: str, sentence: str) -> Problem:
        """A rule's sentence that starts with the field's name in words ("Reason: record
        why ..."): the words and the rest kept apart, so a screen can use its own label."""
        label, sep, rest = sentence.partition(": ")
        if not sep or not label[:1].isupper():
            return cls(field, sentence)
        return cls(field, rest, label=label)

    @classmethod
    def of(cls, text: str) -> Problem:
        """A rule's "field: what is wrong: expected ..." sentence, structured once, here in
        the core, so no screen ever takes a sentence apart."""
        field: str | None = None
        item: int | None = None
        rest = text
        numbered = _ITEM.fullmatch(text)
        named = _FIELD.fullmatch(text)
        if numbered is not None:
            field, item, rest = numbered["field"], int(numbered["item"]), numbered["rest"]
        elif named is not None:
            field, rest = named["field"], named["rest"]
        unknown = _UNKNOWN.fullmatch(rest)
        if unknown is not None:
            return cls(
                field,
                rest,
                value=unknown["value"],
                expected=unknown["codes"],
                item=item,
                choice=True,
            )
        invalid = _INVALID.fullmatch(rest)
        if invalid is not None:
            return cls(
                field,
                "is not valid",
                value=invalid["value"],
                expected=invalid["expected"],
                item=item,
            )
        head, sep, expected = rest.partition(": expected ")
        if sep:
            return cls(field, head, expected=expected, item=item)
        return cls(field, rest, item=item)


class ValidationFailed(CaseworkError):
    """Input was refused. ``details`` holds each problem structured (:class:`Problem`);
    ``problems`` the same as plain sentences."""

    def __init__(self, problems: Sequence[str | Problem]) -> None:
        self.details = [p if isinstance(p, Problem) else Problem.of(p) for p in problems]
        self.problems = [p if isinstance(p, str) else str(p) for p in problems]
        super().__init__("; ".join(self.problems) if self.problems else "The input was refused.")


class PermissionDenied(CaseworkError):
    pass


class SessionRevoked(PermissionDenied):
    """The signed-in account was disabled, or its role or teams changed, since sign-in:
    the session ends and the person signs in again."""


class CaseClosed(CaseworkError):
    """The young person's case is closed: only appended notes and reopening are allowed."""


class NotFound(CaseworkError):
    pass


class LoginRefused(CaseworkError):
    """Login failed. The message never says whether the user name exists."""

    def __init__(self, message: str, retry_after_seconds: float = 0.0) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(message)


class ImportRefused(CaseworkError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        head = problems[0] if problems else "The bundle was refused."
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(head + more)


class Cancelled(CaseworkError):
    """A long export or import was cancelled by the person who started it; nothing was
    written."""


class Refusal(Exception):
    """Raised inside a unit of work when a permission check refuses: the unit of work
    rolls back everything, commits the refusal's audit row (``record``, given the session)
    and raises ``error``, so a refusal is audited even though the write never happens.
    Never reaches a caller outside :meth:`casework.db.database.Database.unit_of_work`."""

    def __init__(self, error: CaseworkError, record: Callable[[Any], object]) -> None:
        super().__init__(str(error))
        self.error = error
        self.record = record


class EditConflict(ValidationFailed):
    """Someone else changed or decided a record after this person's screen read it.
    Nothing was written: the message names what changed, by whom and when, and says how to
    carry on (reopen the record, see their change, make yours again). A refusal of the
    input like any other (one problem about no single field), so every form shows it where
    it shows what is wrong and keeps what was typed. ``record_type`` and ``record_id``
    name the record when known."""

    def __init__(
        self, message: str, *, record_type: str | None = None, record_id: object = None
    ) -> None:
        super().__init__([Problem(None, message)])
        self.record_type = record_type
        self.record_id = record_id


class ServerUnavailable(CaseworkError):
    """The team server cannot be reached (network down, refused, timed out, or the
    connection dropped mid-use). Typed work is kept on this computer."""


class ServerCertificateProblem(CaseworkError):
    """The team server's TLS certificate could not be verified: possibly not the council's
    server at all. Nothing was sent."""


class ServerSetupProblem(CaseworkError):
    """The team server was reached but is not ready for Casework (no such database, not a
    Casework database, an older or newer schema, no account for the role, a weaker
    sign-in offered than Casework accepts): something for the council's IT to put right."""
