"""Exercises of part 5: read a SYNC response with attribute access.

Each answer is a function. The checker calls it on responses made up for the test,
so an answer that only fits the notebook's response does not pass.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from vdp101.exercises.registry import ExerciseFailed, call_learner_function, exercise, require_function

# (left, top, width, height) of the boxes that 05-1 is called on, in pixels.
CORNER_CASES = ((10, 20, 30, 40), (0, 0, 600, 400), (325, 64, 100, 262))

INDEX_A = "01H0000000000000000000000A"
INDEX_B = "01H0000000000000000000000B"
INDEX_C = "01H0000000000000000000000C"


def _object(category: str, score: float, left: int, top: int, width: int, height: int) -> dict[str, Any]:
    return {
        "category": category,
        "score": score,
        "bounding_box": {"top": top, "left": left, "width": width, "height": height},
    }


def _response(indices: list[str], outputs: list[tuple[str, list[dict[str, Any]] | None]]) -> str:
    """Build the JSON text of a one-model SYNC response. None as objects leaves the field out."""
    task_outputs = []
    for index, objects in outputs:
        detection: dict[str, Any] = {} if objects is None else {"objects": objects}
        task_outputs.append({"index": index, "detection": detection})
    body = {
        "data_mapping_indices": indices,
        "model_outputs": [{"model": "models/yolov7", "task": "TASK_DETECTION", "task_outputs": task_outputs}],
    }
    return json.dumps(body)


CUP = _object("cup", 0.91, 172, 17, 237, 292)
SPOON = _object("spoon", 0.78, 325, 64, 100, 262)
PERSON_LEFT = _object("person", 0.88, 12, 30, 140, 380)
PERSON_RIGHT = _object("person", 0.81, 300, 41, 150, 360)
DOG = _object("dog", 0.96, 324, 102, 208, 405)

# Responses that 05-2 is called on, with the counts it should return.
COUNT_CASES: tuple[tuple[str, str, dict[str, int]], ...] = (
    ("one image", _response([INDEX_A], [(INDEX_A, [CUP, SPOON])]), {"cup": 1, "spoon": 1}),
    (
        "two images",
        _response([INDEX_A, INDEX_B], [(INDEX_A, [PERSON_LEFT, DOG]), (INDEX_B, [PERSON_RIGHT])]),
        {"person": 2, "dog": 1},
    ),
    ("an empty objects list", _response([INDEX_A], [(INDEX_A, [])]), {}),
    (
        "a detection without an objects field",
        _response([INDEX_A, INDEX_B], [(INDEX_A, None), (INDEX_B, [DOG])]),
        {"dog": 1},
    ),
)

# task_outputs listed in another order than data_mapping_indices, so that only
# matching by index finds the right output.
SHUFFLED_RESPONSE = _response(
    [INDEX_A, INDEX_B, INDEX_C],
    [(INDEX_C, [CUP, SPOON]), (INDEX_A, [DOG, PERSON_LEFT]), (INDEX_B, [])],
)
SHUFFLED_EXPECTED = {0: ["dog", "person"], 1: [], 2: ["cup", "spoon"]}


@exercise("05-1", "Turn a bounding box into corner coordinates")
def check_box_corners(answer: Any) -> str:
    function = require_function(answer)
    for left, top, width, height in CORNER_CASES:
        box = SimpleNamespace(left=left, top=top, width=width, height=height)
        shown = f"SimpleNamespace(left={left}, top={top}, width={width}, height={height})"
        result = call_learner_function(function, shown, box)
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            raise ExerciseFailed(f"For {shown} the function returned {result!r}. Return a tuple of four numbers.")

        result = tuple(result)
        expected = (left, top, left + width, top + height)
        if result == expected:
            continue
        if result == (left, top, width, height):
            raise ExerciseFailed(
                f"For {shown} the function returned the box's own fields. The last two values are "
                "the coordinates of the bottom-right corner, not the size."
            )
        if result == (top, left, top + height, left + width):
            raise ExerciseFailed(f"For {shown} the function returned {result!r}: x and y are swapped. x comes first.")
        raise ExerciseFailed(
            f"For {shown} the function returned {result!r}. Return (x1, y1, x2, y2): the top-left "
            "and the bottom-right corner, with y growing downwards."
        )
    return "The corners are (left, top) and (left + width, top + height), which is what Pillow's rectangle takes."


@exercise("05-2", "Count the detected objects per category")
def check_count_categories(answer: Any) -> str:
    function = require_function(answer)
    for case, text, expected in COUNT_CASES:
        result = call_learner_function(function, f"a response with {case}", text)
        if not isinstance(result, dict):
            returned = "None" if result is None else f"a {type(result).__name__}"
            raise ExerciseFailed(
                f"For a response with {case} the function returned {returned}. "
                "Return a dict that maps each category to its number of objects."
            )
        if result != expected:
            raise ExerciseFailed(
                f"For a response with {case} the function returned {result!r}, but the response contains "
                f"{sum(expected.values())} objects. Count the objects of every task output, not only the first."
            )
    return (
        "The counts add up over every image. getattr(detection, 'objects', []) also covers a "
        "detection whose empty objects list was left out of the JSON."
    )


@exercise("05-3", "Find the objects of one input by its index")
def check_objects_for_input(answer: Any) -> str:
    function = require_function(answer)
    for position, expected in SHUFFLED_EXPECTED.items():
        shown = f"the test response and position {position}"
        result = call_learner_function(function, shown, SHUFFLED_RESPONSE, position)
        if not isinstance(result, (list, tuple)) or not all(isinstance(name, str) for name in result):
            raise ExerciseFailed(f"For {shown} the function returned {result!r}. Return a list of category names.")
        if sorted(result) != expected:
            raise ExerciseFailed(
                f"For {shown} the function returned {sorted(result)!r}. In the test response the "
                "task_outputs are in another order than data_mapping_indices: look the output up "
                "by its index field."
            )
    return (
        "Each input is found through data_mapping_indices[position] and the index field of its "
        "task output, so the order of task_outputs does not matter."
    )

