"""A sample exercise that shows learners how checking works."""

from __future__ import annotations

from typing import Any

from vdp101.exercises.registry import ExerciseFailed, exercise


@exercise("00-1", "Name the default local pipeline")
def check_default_pipeline_id(answer: Any) -> str:
    if not isinstance(answer, str):
        raise ExerciseFailed(f"The answer should be a string, not {type(answer).__name__}.")
    if answer.strip() != answer:
        raise ExerciseFailed("Remove the spaces around the id: pipeline ids contain none.")
    if answer != "vdp-101-sync":
        raise ExerciseFailed(
            "That is not the id of the pipeline the local gateway creates at start-up. "
            "List the pipelines and read their `id` fields."
        )
    return "vdp-101-sync is the SYNC pipeline every notebook triggers."
