"""Exercises of part 6: how the connectors of a recipe decide the pipeline mode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdp101.exercises.registry import ExerciseFailed, call_learner_function, exercise, require_function

HTTP_SOURCE = "source-connectors/source-http"
GRPC_SOURCE = "source-connectors/source-grpc"
HTTP_DESTINATION = "destination-connectors/destination-http"
GRPC_DESTINATION = "destination-connectors/destination-grpc"

EXERCISE_PIPELINE_ID = "vdp-101-exercise-async"


def _recipe(source: str, models: tuple[str, ...], destination: str) -> dict[str, Any]:
    components = [{"id": "source", "resource_name": source}]
    components += [{"id": f"model-{n}", "resource_name": model} for n, model in enumerate(models, start=1)]
    components.append({"id": "destination", "resource_name": destination})
    return {"version": "v1alpha", "components": components}


# Valid recipes that 06-1 is called on, with the mode each one gives.
MODE_CASES: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("HTTP source, HTTP destination", _recipe(HTTP_SOURCE, ("models/yolov7",), HTTP_DESTINATION), "MODE_SYNC"),
    ("gRPC source, gRPC destination", _recipe(GRPC_SOURCE, ("models/yolov7",), GRPC_DESTINATION), "MODE_SYNC"),
    (
        "HTTP source, PostgreSQL destination",
        _recipe(HTTP_SOURCE, ("models/yolov7",), "destination-connectors/postgres-db"),
        "MODE_ASYNC",
    ),
    (
        "gRPC source, two models, CSV file destination",
        _recipe(GRPC_SOURCE, ("models/yolov7", "models/yolov7-tiny"), "destination-connectors/local-csv"),
        "MODE_ASYNC",
    ),
)


@exercise("06-1", "Derive the mode from a recipe")
def check_pipeline_mode(answer: Any) -> str:
    function = require_function(answer)
    for case, recipe, expected in MODE_CASES:
        result = call_learner_function(function, f"a recipe with {case}", recipe)
        if result not in ("MODE_SYNC", "MODE_ASYNC"):
            raise ExerciseFailed(
                f"For a recipe with {case} the function returned {result!r}. Return 'MODE_SYNC' or 'MODE_ASYNC'."
            )
        if result != expected:
            raise ExerciseFailed(
                f"For a recipe with {case} the function returned {result!r}. Look at the destination: "
                "does the response carry the results back, or does the destination keep them?"
            )
    return (
        "An HTTP or gRPC destination of the same protocol as the source gives SYNC: the results "
        "return in the response. Any data destination gives ASYNC. The models do not matter."
    )


@exercise("06-2", "Create an ASYNC pipeline")
def check_async_pipeline(answer: Any) -> str:
    if not isinstance(answer, Mapping):
        raise ExerciseFailed(
            f"The answer should be the pipeline that the API returned, as a dict, not {type(answer).__name__}."
        )
    # Accept the response body {"pipeline": {...}} as well as the pipeline inside it.
    pipeline = answer.get("pipeline", answer)
    if not isinstance(pipeline, Mapping) or "mode" not in pipeline:
        raise ExerciseFailed(
            f"The dict has the keys {sorted(answer)}, but a pipeline has 'id', 'mode' and 'recipe'. "
            "Pass what create_pipeline returned."
        )
    if pipeline.get("id") != EXERCISE_PIPELINE_ID:
        raise ExerciseFailed(f"The pipeline's id is {pipeline.get('id')!r}. Create it with the id {EXERCISE_PIPELINE_ID!r}.")
    if pipeline["mode"] != "MODE_ASYNC":
        raise ExerciseFailed(
            f"The pipeline's mode is {pipeline['mode']!r}. Its destination decides the mode: "
            "choose one that stores the results instead of returning them."
        )
    return (
        f"{EXERCISE_PIPELINE_ID} is an ASYNC pipeline: its trigger answers at once and the "
        "results go to its destination. Delete it when you are done."
    )
