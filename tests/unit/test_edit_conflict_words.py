"""The words of an edit conflict: who, what and when, that nothing was overwritten, and
what to do next; a decision is named as a decision ("already approved")."""

from __future__ import annotations

from datetime import UTC, datetime

from casework.errors import EditConflict, ValidationFailed
from casework.services.concurrency import OtherChange, conflict_message, label

AT = datetime(2026, 11, 27, 10, 42, tzinfo=UTC)  # GMT: 10:42 in London
SUMMER = datetime(2026, 7, 1, 9, 5, tzinfo=UTC)  # BST: 10:05 in London


def test_a_change_names_the_fields_the_person_and_the_time() -> None:
    text = conflict_message(
        "record", [OtherChange("Pat Adviser", AT, "update", ("preferred_name", "uasc"))]
    )
    assert text.startswith(
        "Since you opened it, Pat Adviser changed preferred name and unaccompanied "
        "asylum-seeking child on this record at 10:42 on 27 November 2026."
    )
    assert "Your change was not saved and nothing of theirs was overwritten." in text
    assert text.endswith(
        "Reopen the record to see what they did, then make your change again if it is still needed."
    )


def test_a_decision_is_named_as_already_taken() -> None:
    text = conflict_message(
        "closure request", [OtherChange("Lee Lead", AT, "approve_closure", ("status",))]
    )
    assert "Lee Lead already approved this closure request at 10:42 on 27 November 2026." in text
    assert "status" not in text


def test_local_time_follows_british_summer_time() -> None:
    text = conflict_message("referral", [OtherChange("Lee Lead", SUMMER, "decide_referral")])
    assert "already recorded a decision on this referral at 10:05 on 1 July 2026" in text


def test_several_changes_in_order_and_a_long_field_list_is_cut() -> None:
    many = tuple(f"field_{n}" for n in range(9))
    text = conflict_message(
        "allegation",
        [
            OtherChange("Pat Adviser", AT, "update_allegation", many),
            OtherChange("Lee Lead", AT, "close_allegation"),
        ],
        "It has an outcome and is finished.",
    )
    assert "field 0, field 1, field 2, field 3, field 4, field 5 and 3 more" in text
    assert "; then Lee Lead already recorded the outcome of this allegation" in text
    assert "It has an outcome and is finished. Your change was not saved" in text


def test_nothing_on_the_trail_still_says_what_happened() -> None:
    text = conflict_message("contact note", [])
    assert text.startswith("Someone else changed this contact note since you opened it.")


def test_bookkeeping_fields_are_not_named_and_labels_read_as_words() -> None:
    text = conflict_message("record", [OtherChange("Ann", AT, "update", ("version",))])
    assert "Ann changed this record at" in text
    assert label("social_worker_id") == "social worker"
    assert label("review_comments") == "review comments"
    assert label("ended_on") == "ended on"


def test_an_edit_conflict_is_one_problem_about_no_field() -> None:
    error = EditConflict("Lee Lead already approved it.", record_type="closure_request")
    assert isinstance(error, ValidationFailed)
    assert str(error) == "Lee Lead already approved it."
    assert [(p.field, p.message) for p in error.details] == [
        (None, "Lee Lead already approved it.")
    ]


def test_a_plan_started_meanwhile_is_named_as_a_new_plan() -> None:
    text = conflict_message("pathway plan", [OtherChange("Pat Adviser", AT, "start_plan")])
    assert "Pat Adviser already started a new pathway plan at 10:42" in text
