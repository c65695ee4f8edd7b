"""Errors the core raises, each carrying a plain-English message fit to show a user.

No message ever contains a key, a passphrase, a password or personal details.
"""

from __future__ import annotations

from collections.abc import Callable
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


class ValidationFailed(CaseworkError):
    """Input was refused; ``problems`` lists each one as a plain sentence."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
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


class Refusal(Exception):
    """Raised inside a unit of work when a permission check refuses: the unit of work
    rolls back everything, commits the refusal's audit row (``record``, given the session)
    and raises ``error``, so a refusal is audited even though the write never happens.
    Never reaches a caller outside :meth:`casework.db.database.Database.unit_of_work`."""

    def __init__(self, error: CaseworkError, record: Callable[[Any], object]) -> None:
        super().__init__(str(error))
        self.error = error
        self.record = record
