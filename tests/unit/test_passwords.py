"""NIST-style password rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.domain.passwords import MAX_LENGTH, MIN_LENGTH, password_problems


def test_good_passphrase_accepted() -> None:
    assert password_problems("correct horse battery staple", "jsmith") == []
    assert password_problems("Kettle on by 7, then the 9:15 visit", "asha.patel") == []


def test_no_composition_rules() -> None:
    # All lower case, no digits, no symbols: fine if long and uncommon.
    assert password_problems("mauve otters juggle", "jsmith") == []


def test_too_short() -> None:
    problems = password_problems("mauve7x!", "jsmith")
    assert len(problems) == 1
    assert "at least 10 characters" in problems[0]


def test_length_bounds() -> None:
    base = "plum-orchard-lantern-"
    assert password_problems((base * 20)[:MAX_LENGTH], "jsmith") == []
    too_long = password_problems((base * 20)[: MAX_LENGTH + 1], "jsmith")
    assert len(too_long) == 1
    assert f"no more than {MAX_LENGTH}" in too_long[0]


def test_length_counts_code_points_after_nfkc() -> None:
    # Ten characters, each two UTF-8 bytes: long enough.
    assert password_problems("ééééééééèé", "jsmith") == []
    # "ﬃ" (one code point) becomes "ffi" under NFKC: 8 typed characters count as 10.
    assert password_problems("ﬃxq7wz!k", "jsmith") == []
    # Decomposed accents normalise to one code point each: 9 code points, too short.
    assert len(password_problems("e\u0301" * 9, "jsmith")) >= 1


@pytest.mark.parametrize(
    "password",
    ["password", "Password123", "qwertyuiop", "1234567890", "iloveyou"],
)
def test_common_passwords_refused(password: str) -> None:
    assert any("commonly used" in p for p in password_problems(password, "jsmith"))


@pytest.mark.parametrize(
    "password",
    ["password1234", "qwertyuiop!", "QwertyUiop!!", "sunshine2024", "football#1"],
)
def test_common_passwords_with_short_endings_refused(password: str) -> None:
    assert any("commonly used" in p for p in password_problems(password, "jsmith"))


def test_common_password_with_long_ending_is_not_blocked_by_the_list() -> None:
    assert not any("commonly used" in p for p in password_problems("qwerty!!73xq", "jsmith"))


def test_single_repeated_character() -> None:
    problems = password_problems("zzzzzzzzzzzz", "jsmith")
    assert any("same character" in p for p in problems)


@pytest.mark.parametrize("password", ["jsmith-rocks-2026", "my JSmith passphrase", "jsmith1234"])
def test_user_name_refused(password: str) -> None:
    assert any("user name" in p for p in password_problems(password, "JSmith"))


def test_user_name_equal_to_password_refused() -> None:
    assert any("user name" in p for p in password_problems("asha.patel.42", "asha.patel.42"))


def test_short_user_names_are_not_checked() -> None:
    assert password_problems("bob likes red kites", "bob") == []


def test_every_problem_is_reported() -> None:
    problems = password_problems("aaaa", "aaaa")
    assert len(problems) == 3  # too short, repeated, contains the user name


@given(st.text(min_size=0, max_size=300))
def test_messages_are_sentences_and_never_echo_the_password(password: str) -> None:
    for message in password_problems(password, "casework-user"):
        assert message.endswith(".")
        assert message[0].isupper()
        if len(password) >= 4:
            assert password not in message


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=0, max_size=MIN_LENGTH - 1))
def test_anything_shorter_than_the_minimum_is_refused(password: str) -> None:
    assert password_problems(password, "jsmith") != []
