"""Tests for the exercise registry and every checker: one correct and one incorrect answer each."""

from __future__ import annotations

import pytest

from vdp101.exercises import Feedback, check, exercise_ids
from vdp101.exercises.registry import exercise


def test_correct_answer_passes():
    feedback = check("00-1", "vdp-101-sync")

    assert feedback.passed is True
    assert str(feedback) == "[00-1] Correct: vdp-101-sync is the SYNC pipeline every notebook triggers."


def test_wrong_answer_gives_hint_not_solution():
    feedback = check("00-1", "vdp-101-async")

    assert feedback.passed is False
    assert "vdp-101-sync" not in feedback.message
    assert feedback.message.startswith("That is not the id of the pipeline")


def test_wrong_type_names_the_type():
    feedback = check("00-1", 101)

    assert feedback == Feedback("00-1", "Name the default local pipeline", False, "The answer should be a string, not int.")


def test_unknown_exercise_lists_known_ids():
    with pytest.raises(KeyError, match="No exercise has the id '99-9'. Known exercises: 00-1"):
        check("99-9", None)


def test_duplicate_registration_raises():
    with pytest.raises(ValueError, match="Exercise '00-1' is registered twice."):
        exercise("00-1", "again")(lambda answer: "")


def test_feedback_html_escapes_message():
    feedback = Feedback("00-1", "Title", False, "<b>")

    assert "&lt;b&gt;" in feedback._repr_html_()



def test_exercise_ids_are_part_and_number():
    for exercise_id in exercise_ids():
        part, number = exercise_id.split("-")
        assert part.isdigit(), exercise_id
        assert len(part) == 2, exercise_id
        assert number.isdigit(), exercise_id
