"""Password rules in the style of NIST SP 800-63B: length and a block list, no composition
rules (no "must contain a capital and a symbol").

Length is counted in Unicode code points after NFKC normalisation, so a password typed
on different keyboards counts the same.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "password_problems"]

MIN_LENGTH = 10
MAX_LENGTH = 256
#: A user name shorter than this is too likely to appear by chance to be checked for.
_MIN_USERNAME_CHECKED = 4
#: "password1234" or "qwertyuiop!": a common password with up to this many characters
#: (digits or punctuation) added at the end is still refused.
_MAX_SUFFIX = 4


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The zxcvbn list of common passwords, lower-cased; loaded once, on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    words: list[str] = FREQUENCY_LISTS["passwords"]
    return frozenset(word.lower() for word in words)


def _trailing_filler(text: str) -> int:
    """How many characters at the end of ``text`` are digits, punctuation or symbols."""
    count = 0
    for char in reversed(text):
        if char.isalpha() or char.isspace():
            break
        count += 1
    return count


def _is_common(lowered: str) -> bool:
    """On the common list, as typed or with up to four digits/punctuation marks added."""
    common = _common_passwords()
    if lowered in common:
        return True
    filler = min(_trailing_filler(lowered), _MAX_SUFFIX)
    return any(lowered[:-cut] in common for cut in range(1, filler + 1) if lowered[:-cut])


def password_problems(password: str, username: str) -> list[str]:
    """Every reason ``password`` is refused for ``username``; an empty list means it is
    acceptable. Each reason is a sentence a user can act on."""
    text = unicodedata.normalize("NFKC", password)
    lowered = text.casefold()
    problems: list[str] = []
    if len(text) < MIN_LENGTH:
        problems.append(
            f"Use at least {MIN_LENGTH} characters. A few unrelated words are easy to remember."
        )
    if len(text) > MAX_LENGTH:
        problems.append(f"Use no more than {MAX_LENGTH} characters.")
    if len(set(text)) == 1:
        problems.append("Do not use the same character over and over.")
    if _is_common(text.lower()):
        problems.append(
            "This password is on a list of commonly used passwords that attackers try "
            "first. Choose something less predictable."
        )
    name = unicodedata.normalize("NFKC", username).strip().casefold()
    if len(name) >= _MIN_USERNAME_CHECKED and name in lowered:
        problems.append("Do not include your user name in your password.")
    return problems
