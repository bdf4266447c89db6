"""The unified social credit code and its check character (GB 32100-2015)."""

from __future__ import annotations

import pytest

from mqa_workflow.applicants.uscc import check_character, make_uscc, uscc_problem

# Published codes of real organizations (public business registration records).
KNOWN_VALID = ["91440300708461136T", "914403001922038216", "91110000802100433B"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_pass_their_check_character(code: str) -> None:
    assert uscc_problem(code) is None


def test_a_changed_character_fails_the_check_and_names_the_expected_one() -> None:
    code = KNOWN_VALID[0]
    altered = code[:5] + ("1" if code[5] != "1" else "2") + code[6:]
    assert uscc_problem(altered) == (
        f"{altered!r} fails its check character: the 18th should be "
        f"{check_character(altered[:17])!r}")


@pytest.mark.parametrize(("code", "fragment"), [
    ("9144030070846113", "has 16 characters; a USCC has 18"),
    ("91440300708461136I", "contains 'I'"),
    ("9144030O708461136T", "contains 'O'"),
])
def test_malformed_codes_are_refused_with_the_reason(code: str, fragment: str) -> None:
    problem = uscc_problem(code)
    assert problem is not None and fragment in problem


def test_a_check_value_of_31_wraps_to_zero() -> None:
    # Search for a body whose weighted sum is a multiple of 31: its check character is '0'.
    body = next(f"9144030000000{n:04d}" for n in range(10000)
                if check_character(f"9144030000000{n:04d}") == "0")
    assert make_uscc(body)[-1] == "0" and uscc_problem(make_uscc(body)) is None


def test_the_first_eight_characters_must_be_digits() -> None:
    code = make_uscc("9144030A708461136")
    problem = uscc_problem(code)
    assert problem is not None and "first 8 characters" in problem
