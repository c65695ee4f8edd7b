"""A team server's address as a person types it: ``postgresql://HOST[:PORT]/DATABASE``,
with no user name (each person signs in as themselves), no password (never stored) and
no options (the connection's security is Casework's to set: verified TLS). Every problem
is named at once; ``casework.db.server.parse_url`` then turns a checked address into the
driver's settings.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from casework.errors import Problem

SCHEMES = ("postgresql", "postgres")
FORM = "postgresql://HOST/DATABASE"
EXAMPLE = "postgresql://db.council.local/casework"


def url_problems(url: str) -> list[Problem]:
    """Every problem with a team server's address, each saying what was expected."""
    url = url.strip()
    expected = f"{FORM}, for example {EXAMPLE}"
    if not url:
        return [Problem("url", "is missing", expected=expected)]
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not url.lower().startswith(f"{parts.scheme}://"):
        shown = f"{parts.scheme}://" if parts.scheme else url
        return [
            Problem(
                "url",
                f"does not start with {SCHEMES[0]}://",
                value=_quoted(shown),
                expected=expected,
            )
        ]
    problems: list[Problem] = []
    if parts.password is not None or "password" in parse_qs(parts.query):
        problems.append(
            Problem(
                "url",
                "has a password in it. Casework never stores passwords: remove it (the "
                "password is asked at each sign-in)",
            )
        )
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if not parts.hostname:
        problems.append(Problem("url", "has no server name", expected=expected))
    if not port_ok:
        problems.append(
            Problem(
                "url",
                "has a port that is not a number from 1 to 65535",
            )
        )
    if not parts.path.strip("/"):
        problems.append(Problem("url", "names no database", expected=expected))
    if parts.username is not None and parts.password is None:
        problems.append(
            Problem(
                "url",
                "names a user. Leave it out: each person signs in with their own name",
                expected=expected,
            )
        )
    if parts.query or parts.fragment:
        problems.append(
            Problem(
                "url",
                "has options after the database name. Leave them out: Casework sets the "
                "connection's security itself (verified TLS)",
                expected=expected,
            )
        )
    return problems


def _quoted(text: str) -> str:
    short = text if len(text) <= 40 else text[:37] + "..."
    return f'"{short}"'
