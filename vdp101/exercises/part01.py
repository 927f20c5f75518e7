"""Exercises of part 1: what a pipeline is, its modes, and a first trigger."""

from __future__ import annotations

import json
from typing import Any

from vdp101.exercises.registry import ExerciseFailed, exercise
from vdp101.samples import data_dir

ETL_COMPONENTS = {"extract": "source", "transform": "model", "load": "destination"}

# Scenarios of exercise 01-2, in the order the notebook lists them, with the mode each needs.
MODE_SCENARIOS = (
    ("a", "a doorbell camera that must know within a second whether a person is at the door", "MODE_SYNC"),
    ("b", "a nightly job that stores the detections of a day of traffic-camera frames for a report", "MODE_ASYNC"),
)

COFFEE_SAMPLE = "coffee.jpg"


@exercise("01-1", "Match the ETL steps to pipeline components")
def check_etl_components(answer: Any) -> str:
    if not isinstance(answer, dict):
        raise ExerciseFailed(
            f"The answer should be a dict that maps each ETL step to a component, not {type(answer).__name__}."
        )
    steps = {_normalise(key): value for key, value in answer.items()}
    missing = [step for step in ETL_COMPONENTS if step not in steps]
    if missing:
        raise ExerciseFailed(f"The dict lacks the key {missing[0]!r}. Use the keys 'extract', 'transform' and 'load'.")
    extra = sorted(str(step) for step in steps if step not in ETL_COMPONENTS)
    if extra:
        raise ExerciseFailed(f"Remove the key {extra[0]!r}: a pipeline has only the steps extract, transform and load.")

    for step, expected in ETL_COMPONENTS.items():
        component = _normalise(steps[step])
        if component not in ETL_COMPONENTS.values():
            raise ExerciseFailed(
                f"{component!r} is not a component kind. Use 'source', 'model' or 'destination' as values."
            )
        if component != expected:
            raise ExerciseFailed(
                f"The {component} does not {step} the data. Look at the column headers of the pipeline figure."
            )
    return "The source extracts the data, the model transforms it and the destination loads the results."


@exercise("01-2", "Choose the pipeline mode for each application")
def check_modes(answer: Any) -> str:
    if not isinstance(answer, (list, tuple)) or len(answer) != len(MODE_SCENARIOS):
        raise ExerciseFailed(
            f"The answer should be a list of {len(MODE_SCENARIOS)} modes, one per application, "
            'such as ["MODE_ASYNC", "MODE_ASYNC"].'
        )
    for (letter, _, expected), written in zip(MODE_SCENARIOS, answer):
        mode = _read_mode(written)
        if mode is None:
            raise ExerciseFailed(f"Application {letter}: {written!r} is not a mode. Write 'MODE_SYNC' or 'MODE_ASYNC'.")
        if mode != expected:
            raise ExerciseFailed(
                f"Application {letter} needs the other mode. Ask whether it waits for the detections "
                "in the response, or only needs them stored."
            )
    return "The doorbell waits for the detections in the response (SYNC). The nightly job only needs them stored (ASYNC)."


@exercise("01-3", "List the objects found in coffee.jpg")
def check_coffee_categories(answer: Any) -> str:
    expected = _recorded_categories(COFFEE_SAMPLE)
    if not isinstance(answer, (list, tuple)) or not all(isinstance(name, str) for name in answer):
        raise ExerciseFailed(f"The answer should be a list of category names (strings), not {type(answer).__name__}.")

    unexpected = sorted(set(answer) - set(expected))
    if unexpected:
        raise ExerciseFailed(
            f"{unexpected[0]!r} is not among the objects the local gateway returns for {COFFEE_SAMPLE}. "
            f"Check that you triggered the pipeline on {COFFEE_SAMPLE}."
        )
    if len(answer) != len(expected):
        raise ExerciseFailed(
            f"Your list has {len(answer)} names, but the response for {COFFEE_SAMPLE} has {len(expected)} "
            "objects. Take the category of every object."
        )
    if list(answer) != sorted(answer):
        raise ExerciseFailed("The names are right. Sort them alphabetically with sorted().")
    return f"The local gateway finds {len(expected)} objects in {COFFEE_SAMPLE}: {', '.join(expected)}."


def _normalise(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _read_mode(value: Any) -> str | None:
    """Return "MODE_SYNC" or "MODE_ASYNC" for a mode written with or without the prefix, else None."""
    if not isinstance(value, str):
        return None
    name = value.strip().upper().removeprefix("MODE_")
    return f"MODE_{name}" if name in ("SYNC", "ASYNC") else None


def _recorded_categories(sample: str) -> list[str]:
    """Return the sorted categories that the local gateway replays for a bundled sample."""
    annotations = json.loads((data_dir() / "annotations.json").read_text(encoding="utf-8"))
    return sorted(item["category"] for item in annotations[sample]["objects"])
