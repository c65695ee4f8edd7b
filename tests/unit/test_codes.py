"""Code lists against the published specifications, with the expected spellings written
out independently."""

from __future__ import annotations

import contextlib

import pytest

from casework.domain.codes import (
    SSDA903_NOT_APPLICABLE,
    AccommodationType,
    Activity,
    AllegationOutcome,
    AssessmentFactor,
    ClosureReason,
    CodeList,
    EligibilityCategory,
    Ethnicity,
    InTouch,
    ReferralSource,
    Sex,
    Suitability,
    UnknownCode,
    YesNo,
    ssda903_accom,
)

ALL_LISTS: list[type[CodeList]] = [
    Sex,
    Ethnicity,
    YesNo,
    EligibilityCategory,
    ReferralSource,
    InTouch,
    AccommodationType,
    Suitability,
    Activity,
    ClosureReason,
    AssessmentFactor,
    AllegationOutcome,
]


def annex(codes: type[CodeList]) -> dict[str, str | None]:
    return {member.value: member.annex_a for member in codes}


# --- Annex A spellings (Ofsted ILACS Annex A) -------------------------------------------


def test_sex_annex_a() -> None:
    assert [m.annex_a for m in Sex] == [
        "a) Male",
        "b) Female",
        "c) Not stated/recorded",
        "d) Neither",
    ]


def test_ethnicity_codes_and_annex_a() -> None:
    expected = [
        "a) WBRI",
        "b) WIRI",
        "c) WIRT",
        "d) WOTH",
        "e) WROM",
        "f) MWBC",
        "g) MWBA",
        "h) MWAS",
        "i) MOTH",
        "j) AIND",
        "k) APKN",
        "l) ABAN",
        "m) AOTH",
        "n) BCRB",
        "o) BAFR",
        "p) BOTH",
        "q) CHNE",
        "r) OOTH",
        "s) REFU",
        "t) NOBT",
    ]
    assert [m.annex_a for m in Ethnicity] == expected
    assert [m.value for m in Ethnicity] == [text.split(") ")[1] for text in expected]


def test_ethnicity_labels() -> None:
    assert Ethnicity.WBRI.label == "White British"
    assert Ethnicity.MWBC.label == "Mixed White and Black Caribbean"
    assert Ethnicity.REFU.label == "Refused"
    assert Ethnicity.NOBT.label == "Information not yet obtained"


def test_yes_no_annex_a() -> None:
    assert [m.annex_a for m in YesNo] == ["a) Yes", "b) No", "c) Unknown"]


def test_eligibility_annex_a() -> None:
    assert annex(EligibilityCategory) == {
        "eligible": "d) Eligible child",
        "relevant": "a) Relevant child",
        "former_relevant": "b) Former relevant child",
        "qualifying": "c) Qualifying care leaver",
        "no_current": "e) No current eligibility",
    }


def test_referral_source_codes_and_annex_a() -> None:
    assert annex(ReferralSource) == {
        "1A": "a) 1A: Individual",
        "1B": "b) 1B: Individual",
        "1C": "c) 1C: Individual",
        "1D": "d) 1D: Individual",
        "2A": "e) 2A: Schools",
        "2B": "f) 2B: Education services",
        "3A": "g) 3A: Health services",
        "3B": "h) 3B: Health services",
        "3C": "i) 3C: Health services",
        "3D": "j) 3D: Health services",
        "3E": "k) 3E: Health services",
        "3F": "l) 3F: Health services",
        "4": "m) 4: Housing",
        "5A": "n) 5A: LA services",
        "5B": "o) 5B: LA services",
        "5C": "p) 5C: LA services",
        "5D": "p1) 5D: LA services",
        "6": "q) 6: Police",
        "7": "r) 7: Other legal agency",
        "8": "s) 8: Other",
        "9": "t) 9: Anonymous",
        "10": "u) 10: Unknown",
    }
    assert ReferralSource.codes()[:4] == ("1A", "1B", "1C", "1D")


def test_in_touch() -> None:
    assert annex(InTouch) == {
        "YES": "a) Yes",
        "NO": "b) No",
        "DIED": "c) Died",
        "REFU": "d) Refu",
        "NREQ": "e) NREQ",
        "RHOM": "f) Rhom",
    }
    assert [m.ssda903 for m in InTouch] == ["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"]


def test_suitability() -> None:
    assert annex(Suitability) == {"suitable": "a) Suitable", "unsuitable": "b) Unsuitable"}
    assert Suitability.SUITABLE.ssda903 == "1"
    assert Suitability.UNSUITABLE.ssda903 == "2"


# --- SSDA903 (DfE SSDA903 guide) ------------------------------------------------------


def test_accommodation_letters() -> None:
    letters = ["B", "C", "D", "E", "G", "H", "K", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"]
    assert list(AccommodationType.codes()) == letters
    for member in AccommodationType:
        assert member.ssda903 == member.value
    assert annex(AccommodationType) == {
        "B": "B: Parents/relatives",
        "C": "C: Community home / residential care",
        "D": "D: Semi-independent, transitional accommodation and self-contained accommodation",
        "E": "E: Supported lodgings",
        "G": "G: Abroad",
        "H": "H: Deported",
        "K": "K: Ordinary lodgings, without formal support",
        "R": "R: Residence not known",
        "S": "S: No fixed abode / homeless",
        "T": "T: Foyers and similar supported accommodation",
        "U": "U: Independent living",
        "V": "V: Emergency accommodation",
        "W": "W: Bed and breakfast",
        "X": "X: In custody",
        "Y": "Y: Other accommodation",
        "Z": "Z: With former foster carers",
    }


def test_always_unsuitable_is_exactly_s_and_x() -> None:
    assert {m.value for m in AccommodationType if m.always_unsuitable} == {"S", "X"}


def test_team_lead_review_is_exactly_w_v_r_s() -> None:
    assert {m.value for m in AccommodationType if m.needs_team_lead_review} == {
        "W",
        "V",
        "R",
        "S",
    }


def test_ssda903_accom() -> None:
    assert ssda903_accom(AccommodationType.NO_FIXED_ABODE, Suitability.UNSUITABLE) == "S2"
    assert ssda903_accom("x", "unsuitable") == "X2"
    assert ssda903_accom("U", Suitability.SUITABLE) == "U1"
    assert ssda903_accom(" z ", "SUITABLE") == "Z1"
    assert SSDA903_NOT_APPLICABLE == "0"


@pytest.mark.parametrize("letter", ["S", "X"])
def test_ssda903_accom_refuses_suitable_homeless_or_custody(letter: str) -> None:
    with pytest.raises(ValueError, match=f"only {letter}2 is valid"):
        ssda903_accom(letter, Suitability.SUITABLE)


def test_ssda903_accom_unknown_letter() -> None:
    with pytest.raises(UnknownCode, match="accommodation type"):
        ssda903_accom("A", "suitable")
    with pytest.raises(UnknownCode, match="suitability"):
        ssda903_accom("B", "1")


def test_every_letter_and_suitability_combination() -> None:
    valid = set()
    for letter in AccommodationType:
        for rating in Suitability:
            with contextlib.suppress(ValueError):
                valid.add(ssda903_accom(letter, rating))
    assert len(valid) == 16 * 2 - 2
    assert "S1" not in valid
    assert "X1" not in valid


def test_activity() -> None:
    assert list(Activity.codes()) == [
        "F1",
        "P1",
        "F2",
        "P2",
        "F4",
        "P4",
        "F5",
        "P5",
        "G4",
        "G5",
        "G6",
        "0",
    ]
    for member in Activity:
        assert member.ssda903 == member.value
    assert annex(Activity) == {
        "F1": "F1: Full time in higher education",
        "P1": "P1: Part time in higher education",
        "F2": "F2: Full time in education other than higher",
        "P2": "P2: Part time in education other than higher",
        "F4": "F4: Young person engaged full time in an apprenticeship",
        "P4": "P4: Young person engaged part time in an apprenticeship",
        "F5": "F5: Young person engaged full time in training or employment (not apprenticeship)",
        "P5": "P5: Young person engaged part time in training or employment (not apprenticeship)",
        "G4": "G4: Not in education, employment or training - illness or disability",
        "G5": "G5: Not in education, employment or training - other",
        "G6": "G6: Not in education, employment or training - pregnancy or parenting",
        "0": None,
    }


# --- CIN census (DfE CIN census guide) ---------------------------------------------------


def test_closure_reasons() -> None:
    assert list(ClosureReason.codes()) == [f"RC{i}" for i in range(1, 10)]
    assert ClosureReason.RC8.label == "Closed after assessment, no further action"
    assert ClosureReason.RC9.label == "Closed after assessment, referred to early help"


def test_assessment_factors() -> None:
    expected = [
        *(f"{n}{suffix}" for n in range(1, 7) for suffix in "ABC"),
        "7A",
        *(f"8{suffix}" for suffix in "BCDEF"),  # privately fostered (CIN census guide)
        "9A",
        "10A",
        "11A",
        "12A",
        "13A",
        "14A",
        "15A",
        "16A",
        "17A",
        "18B",
        "18C",
        "19B",
        "19C",
        "20",
        "21",
        "22A",
        "23A",
        "24A",
    ]
    assert list(AssessmentFactor.codes()) == expected
    assert AssessmentFactor.CSE.value == "11A"
    assert AssessmentFactor.CCE.value == "24A"
    assert all(member.annex_a is None for member in AssessmentFactor)


def test_allegation_outcomes() -> None:
    assert [m.label for m in AllegationOutcome] == [
        "Substantiated",
        "Malicious",
        "False",
        "Unsubstantiated",
        "Unfounded",
    ]


# --- The mechanism ----------------------------------------------------------------------


@pytest.mark.parametrize("codes", ALL_LISTS)
def test_every_member_has_a_label_and_unique_code(codes: type[CodeList]) -> None:
    values = [m.value for m in codes]
    assert len(values) == len({v.casefold() for v in values})
    for member in codes:
        assert member.label.strip() == member.label != ""
        assert str(member) == member.value
        assert member == member.value


@pytest.mark.parametrize("codes", ALL_LISTS)
def test_parse_round_trips(codes: type[CodeList]) -> None:
    for member in codes:
        assert codes.parse(member.value) is member
        assert codes.parse(f"  {member.value.lower()} ") is member
        assert codes.parse(member.value.upper()) is member
        assert codes(member.value) is member


@pytest.mark.parametrize("codes", ALL_LISTS)
def test_annex_a_spellings_are_unique(codes: type[CodeList]) -> None:
    spellings = [m.annex_a for m in codes if m.annex_a is not None]
    assert len(spellings) == len(set(spellings))


def test_parse_error_names_list_value_and_allowed_codes() -> None:
    with pytest.raises(UnknownCode) as caught:
        Ethnicity.parse("XYZ")
    message = str(caught.value)
    assert message.startswith(
        "'XYZ' is not a known ethnicity code; expected one of WBRI, WIRI, WIRT,"
    )
    assert message.endswith("REFU, NOBT")
    assert caught.value.allowed == Ethnicity.codes()
    assert isinstance(caught.value, ValueError)


def test_parse_refuses_annex_a_spelling_and_label() -> None:
    with pytest.raises(UnknownCode):
        Ethnicity.parse("a) WBRI")
    with pytest.raises(UnknownCode):
        Ethnicity.parse("White British")
    with pytest.raises(UnknownCode):
        ReferralSource.parse("p1) 5D: LA services")


def test_parse_refuses_blank_and_non_text() -> None:
    with pytest.raises(UnknownCode, match="'' is not a known sex code"):
        Sex.parse("")
    with pytest.raises(UnknownCode, match="None is not a known"):
        Sex.parse(None)  # type: ignore[arg-type]


def test_choices_in_display_order() -> None:
    assert YesNo.choices() == [("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")]
    assert [code for code, _ in EligibilityCategory.choices()] == [
        "eligible",
        "relevant",
        "former_relevant",
        "qualifying",
        "no_current",
    ]
