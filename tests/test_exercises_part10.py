"""Tests for the exercise checkers of the payload-size appendix."""

from __future__ import annotations

import pytest

from vdp101.exercises import check

# coffee.jpg is 71,303 bytes. vdp101's client sends it in a 95,126-byte JSON body
# and a 71,475-byte multipart body.
MEASURED_RATIO = 95_126 / 71_475


def test_10_1_padded_length_passes():
    feedback = check("10-1", 1_333_336)

    assert feedback.passed
    assert feedback.message == (
        "4 x ceil(1,000,000 / 3) = 1,333,336 characters: the file grows by a third, "
        "and the last group of 3 bytes is padded with '='."
    )


@pytest.mark.parametrize("answer", [1_333_333, 1_333_334])
def test_10_1_unpadded_length_gets_hint(answer):
    feedback = check("10-1", answer)

    assert not feedback.passed
    assert feedback.message == (
        f"{answer:,} is 4/3 of the file, rounded. base64 writes 4 characters for every started "
        "group of 3 bytes, so round the number of groups up before multiplying."
    )


def test_10_1_smaller_than_file_rejected():
    feedback = check("10-1", 750_000)

    assert not feedback.passed
    assert feedback.message.startswith("750,000 characters is not more than the 1,000,000 bytes of the file.")


def test_10_1_text_answer_rejected():
    feedback = check("10-1", "1333336")

    assert not feedback.passed
    assert feedback.message == "The answer should be a whole number of characters, not str."


def test_10_1_other_number_explained():
    feedback = check("10-1", 2_000_000)

    assert not feedback.passed
    assert feedback.message == (
        "2,000,000 is not the length. Each group of 3 bytes (24 bits) becomes 4 characters of 6 bits."
    )


def test_10_2_measured_ratio_passes():
    feedback = check("10-2", MEASURED_RATIO)

    assert feedback.passed
    assert feedback.message == (
        "About 1.33: the JSON body is a third larger than the multipart body, which "
        "carries the 71,303 bytes of coffee.jpg as they are."
    )


def test_10_2_rounded_ratio_passes():
    assert check("10-2", 1.33).passed


def test_10_2_inverted_ratio_gets_hint():
    feedback = check("10-2", 1 / MEASURED_RATIO)

    assert not feedback.passed
    assert feedback.message == "0.75 is the multipart body divided by the base64 body. Divide the other way round."


def test_10_2_same_body_gets_hint():
    feedback = check("10-2", 1.0)

    assert not feedback.passed
    assert feedback.message == "A ratio of 1 compares a body with itself. Take one body from each response's request."


def test_10_2_file_ratio_alone_rejected():
    feedback = check("10-2", 1.5)

    assert not feedback.passed
    assert feedback.message.startswith("1.50 is not the ratio of the two request bodies.")


def test_10_2_none_rejected():
    feedback = check("10-2", None)

    assert not feedback.passed
    assert feedback.message == "The answer should be a number, the ratio of two lengths, not NoneType."
