"""Council configuration: local practice as data; statutory timescales cannot be weakened."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from casework import config
from casework.domain.leaving_care import ContactMadeBy


def test_shipped_configuration_loads_with_the_statutory_defaults() -> None:
    config.council_rules.cache_clear()
    rules = config.council_rules()
    assert (rules.visit_interval_months, rules.plan_review_months) == (2, 6)
    assert rules.visit_by == frozenset({ContactMadeBy.PERSONAL_ADVISER})


def test_a_council_can_be_stricter_and_add_closures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(
        '[due]\nin_touch_window_months = 1\nvisit_by = ["personal_adviser", '
        '"social_worker"]\n[calendar]\nclosure_days = ["2026-12-29"]\n'
    )
    monkeypatch.setenv(config.ENV, str(path))
    config.council_rules.cache_clear()
    try:
        rules = config.council_rules()
    finally:
        config.council_rules.cache_clear()
    assert rules.in_touch_window_months == 1 and len(rules.visit_by) == 2
    assert not rules.calendar.is_working_day(date(2026, 12, 29))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[due]\nplan_review_months = 12\n", "would weaken a statutory timescale"),
        ("[due]\nfirst_visit_days = -1\n", "expected a whole number"),
        ("[due]\nvisit_by = ['friend']\n", "visit_by"),
        ("[due]\nvisit_by = ['social_worker']\n", r"due\.visit_by .* personal adviser"),
        ("[due]\ncontact_attempt_months = 3\n", r"due\.contact_attempt_months = 3 would weaken"),
        ("[calendar]\nclosure_days = ['29/12/2026']\n", "YYYY-MM-DD"),
        ("[due\n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_named(text: str, words: str) -> None:
    with pytest.raises(config.ConfigError, match=words):
        config.rules_from(config._load(text, "test.toml"), "test.toml")


def test_front_door_rules_configurable_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = config.front_door_from({"front_door": {"repeat_short_count": 3}}, "x.toml")
    assert (rules.repeat_short_count, rules.strategy_meeting_hours) == (3, 72)
    with pytest.raises(config.ConfigError, match=r"front_door\.strategy_meeting_hours"):
        config.front_door_from({"front_door": {"strategy_meeting_hours": 0}}, "x.toml")
    config.front_door_rules.cache_clear()
    assert config.front_door_rules().repeat_long_months == 12
