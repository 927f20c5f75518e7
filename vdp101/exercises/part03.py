"""Exercises of part 3: recipes, pipeline modes and the full view of a pipeline."""

from __future__ import annotations

import re
from typing import Any

from vdp101.exercises.registry import ExerciseFailed, exercise

HTTP_SOURCE = "source-connectors/source-http"
HTTP_DESTINATION = "destination-connectors/destination-http"
YOLOV7 = "models/yolov7"
TWO_MODELS = (YOLOV7, "models/yolov7-tiny")
RECIPE_VERSION = "v1alpha"

# Component ids of the v1alpha API: letters, digits, '-' and '_', starting and ending
# with a letter or digit, at most 64 characters.
COMPONENT_ID = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-_]{0,62}[A-Za-z0-9])?$")

# Recipes of exercise 03-2 as (source, destination), each with models/yolov7, and the
# mode the gateway gives them. None means the gateway rejects the recipe.
MODE_RECIPES = (
    ("a", "source-connectors/source-grpc", "destination-connectors/destination-grpc", "MODE_SYNC"),
    ("b", "source-connectors/source-http", "destination-connectors/postgres-db", "MODE_ASYNC"),
    ("c", "source-connectors/source-http", "destination-connectors/destination-grpc", None),
)

SYNC_PIPELINE_RESOURCES = (HTTP_SOURCE, YOLOV7, HTTP_DESTINATION)


@exercise("03-1", "Write a SYNC recipe with two models")
def check_two_model_recipe(answer: Any) -> str:
    if not isinstance(answer, dict):
        raise ExerciseFailed(f"The answer should be the recipe as a dict, not {type(answer).__name__}.")
    if answer.get("version") != RECIPE_VERSION:
        raise ExerciseFailed(f"Set the recipe's 'version' to {RECIPE_VERSION!r}.")
    components = answer.get("components")
    if not isinstance(components, list) or not components:
        raise ExerciseFailed("Give the recipe a 'components' list with one dict per component.")

    ids = []
    for position, component in enumerate(components):
        where = f"components[{position}]"
        if not isinstance(component, dict):
            raise ExerciseFailed(f"{where} should be a dict with 'id' and 'resource_name', not {type(component).__name__}.")
        component_id = component.get("id")
        if not isinstance(component_id, str) or not COMPONENT_ID.match(component_id):
            raise ExerciseFailed(
                f"{where} has the id {component_id!r}. Use letters, digits, '-' or '_', "
                "starting and ending with a letter or digit."
            )
        if not isinstance(component.get("resource_name"), str):
            raise ExerciseFailed(f"{where} needs a 'resource_name' string, such as {YOLOV7!r}.")
        ids.append(component_id)
    duplicates = sorted({component_id for component_id in ids if ids.count(component_id) > 1})
    if duplicates:
        raise ExerciseFailed(f"The id {duplicates[0]!r} is used twice. Give each component its own id.")

    names = [component["resource_name"] for component in components]
    sources = [name for name in names if name.startswith("source-connectors/")]
    if sources != [HTTP_SOURCE]:
        raise ExerciseFailed(f"The recipe has the sources {sources}. It needs exactly one: the HTTP source connector.")
    models = [name for name in names if name.startswith("models/")]
    if sorted(models) != sorted(TWO_MODELS):
        raise ExerciseFailed(
            f"The recipe has the models {models}. It needs both detection models of the local gateway, once each."
        )
    destinations = [name for name in names if name.startswith("destination-connectors/")]
    if destinations != [HTTP_DESTINATION]:
        raise ExerciseFailed(
            f"The recipe has the destinations {destinations}. A SYNC pipeline with an HTTP source needs "
            "the destination of the same protocol, alone."
        )
    others = [name for name in names if name not in (HTTP_SOURCE, HTTP_DESTINATION, *TWO_MODELS)]
    if others:
        raise ExerciseFailed(f"{others[0]!r} is not a connector or model. Remove it.")
    return (
        "This SYNC recipe runs both models on every image, so the trigger response has one "
        "model_outputs entry per model."
    )


@exercise("03-2", "Predict the mode of three recipes")
def check_recipe_modes(answer: Any) -> str:
    if not isinstance(answer, (list, tuple)) or len(answer) != len(MODE_RECIPES):
        raise ExerciseFailed(
            f"The answer should be a list of {len(MODE_RECIPES)} values, one per recipe: "
            "'MODE_SYNC', 'MODE_ASYNC' or None."
        )
    for (letter, source, destination, expected), written in zip(MODE_RECIPES, answer):
        if written not in ("MODE_SYNC", "MODE_ASYNC", None):
            raise ExerciseFailed(f"Recipe {letter}: write 'MODE_SYNC', 'MODE_ASYNC' or None, not {written!r}.")
        if written == expected:
            continue
        if expected is None:
            raise ExerciseFailed(
                f"Recipe {letter} pairs {source!r} with {destination!r}. Would the gateway accept it? "
                "Try to create it."
            )
        raise ExerciseFailed(
            f"Recipe {letter} pairs {source!r} with {destination!r}. Compare the protocols of the two "
            "connectors, or create the pipeline and read its mode."
        )
    return "Matching protocols give SYNC, a data destination gives ASYNC, and mixed protocols are rejected."


@exercise("03-3", "Read the full recipe of vdp-101-sync")
def check_sync_pipeline_resources(answer: Any) -> str:
    if answer is None:
        raise ExerciseFailed("The default view leaves the recipe out. Request the view that includes it.")
    if not isinstance(answer, (list, tuple)) or not all(isinstance(name, str) for name in answer):
        raise ExerciseFailed(f"The answer should be a list of resource names (strings), not {type(answer).__name__}.")
    if any(name.startswith("pipelines/") for name in answer):
        raise ExerciseFailed("Those are pipeline names. Take the 'resource_name' of each component of the recipe.")
    if sorted(answer) != sorted(SYNC_PIPELINE_RESOURCES):
        raise ExerciseFailed(
            f"Your list has {sorted(answer)}. Take the 'resource_name' of every component in "
            "recipe['components'] of vdp-101-sync."
        )
    return "vdp-101-sync reads images over HTTP, runs YOLOv7 and answers over HTTP."
