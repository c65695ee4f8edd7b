"""Where the database lives: ``--path``, then ``CASEWORK_DB``, then the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

DB_FILENAME = "casework.db"
ENV_PATH = "CASEWORK_DB"


def default_database_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("Casework", appauthor=False) / DB_FILENAME


def tighten_default_folder(path: Path) -> None:
    """Casework's own data folder is owner-only (an older version may have left it 0755).
    A folder chosen with --path or CASEWORK_DB is the user's to set, and left as it is."""
    if path == default_database_path():
        from casework.db.files import make_private

        make_private(path.parent)


def resolve_path(given: str | os.PathLike[str] | None = None) -> Path:
    if given:
        return Path(given).expanduser().resolve()
    env = os.environ.get(ENV_PATH)
    if env:
        return Path(env).expanduser().resolve()
    return default_database_path()
