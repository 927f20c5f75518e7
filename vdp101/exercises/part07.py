"""Exercises of part 7: batches, detections and SQL of an ASYNC pipeline.

07-2 and 07-3 take code, not values: the checker runs the learner's function on
lists of detections made up for the test, and the learner's SQL on a test table of
the same shape as ``_airbyte_raw_vdp``. So an answer that only fits the notebook's
frames does not pass, and the checks also work against a real VDP.
"""

from __future__ import annotations

import json
import math
import sqlite3
from numbers import Integral
from typing import Any

from vdp101.exercises.registry import ExerciseFailed, call_learner_function, exercise, require_function
from vdp101.responses import DETECTION_TASK, BoundingBox, DetectedObject, Detections

FRAME_COUNT = 12
BATCH_SIZE = 5

MODEL = "models/yolov7"
BOX = BoundingBox(left=10, top=20, width=30, height=40)


def _frame(position: int, *categories: str) -> Detections:
    objects = tuple(DetectedObject(category, 0.8, BOX) for category in categories)
    return Detections(position, f"01H00000000000000000000{position:03d}", MODEL, DETECTION_TASK, objects)


# Lists of detections that 07-2 is called on, with the positions it should return.
SPOON_CASES: tuple[tuple[str, list[Detections], list[int]], ...] = (
    (
        "6 frames in which the spoon appears from frame 2 on",
        [_frame(0, "cup", "dining table"), _frame(1, "cup", "dining table")]
        + [_frame(n, "cup", "spoon", "dining table") for n in range(2, 6)],
        [0, 1],
    ),
    (
        "5 frames in which the spoon leaves at frame 1 and frame 4 has no objects",
        [_frame(0, "spoon", "cup"), _frame(1, "cup"), _frame(2, "dining table"), _frame(3, "spoon"), _frame(4)],
        [1, 2, 4],
    ),
    ("an empty list", [], []),
)

RESULTS_TABLE = "_airbyte_raw_vdp"

# The test table of 07-3 has one row per index: (_airbyte_ab_id, index). Its ids are
# made up, while the gateway derives each id from the index and the model.
SQL_TEST_INDEX = "01H0000000000000000000000B"
SQL_TEST_AB_ID = "a0d2b8e4-61c3-5f97-b45a-7e9c3f10d826"
SQL_ROWS = (
    ("3f7c1e52-9d4b-5a61-8e0f-2b6d4c9a1e07", "01H0000000000000000000000A"),
    (SQL_TEST_AB_ID, SQL_TEST_INDEX),
    ("5c91e7a3-0b28-54d6-9f1e-c4a8d2b6e053", "01H0000000000000000000000C"),
)


@exercise("07-1", "Count the requests of a batched trigger")
def check_request_count(answer: Any) -> str:
    if isinstance(answer, bool) or not isinstance(answer, Integral):
        raise ExerciseFailed(f"The answer should be an int, the number of requests, not {type(answer).__name__}.")

    expected = math.ceil(FRAME_COUNT / BATCH_SIZE)
    if answer == expected:
        remainder = FRAME_COUNT - (expected - 1) * BATCH_SIZE
        sizes = ", ".join([str(BATCH_SIZE)] * (expected - 1))
        return (
            f"{FRAME_COUNT} frames in batches of {BATCH_SIZE} make {expected} requests, with {sizes} and "
            f"{remainder} frames. There are still {FRAME_COUNT} indices, one per frame."
        )
    if answer == FRAME_COUNT:
        raise ExerciseFailed(
            f"{FRAME_COUNT} is the number of frames. One request carries up to {BATCH_SIZE} of them."
        )
    if answer == BATCH_SIZE:
        raise ExerciseFailed(f"{BATCH_SIZE} is the number of frames per request, not the number of requests.")
    if answer == FRAME_COUNT // BATCH_SIZE:
        raise ExerciseFailed(
            f"{answer} requests of {BATCH_SIZE} frames carry {answer * BATCH_SIZE} of the {FRAME_COUNT} "
            "frames. What happens to the frames that are left?"
        )
    raise ExerciseFailed(
        f"{answer} requests is not what trigger_async_multipart sends for {FRAME_COUNT} frames. "
        f"It puts the frames into requests in order, at most {BATCH_SIZE} to a request."
    )


@exercise("07-2", "Find the frames without a spoon")
def check_frames_without_spoon(answer: Any) -> str:
    function = require_function(answer)
    for case, detections, expected in SPOON_CASES:
        result = call_learner_function(function, case, detections)
        if isinstance(result, (set, frozenset)):
            raise ExerciseFailed(f"For {case} the function returned a set. Return a sorted list of ints.")
        if not isinstance(result, (list, tuple)) or not all(
            isinstance(position, Integral) and not isinstance(position, bool) for position in result
        ):
            raise ExerciseFailed(f"For {case} the function returned {result!r}. Return a sorted list of ints.")

        positions = list(result)
        if positions == expected:
            continue
        if sorted(positions) == expected:
            raise ExerciseFailed(
                f"For {case} the function returned {positions!r}. Sort the positions in ascending order."
            )
        with_spoon = [position for position in range(len(detections)) if position not in expected]
        if sorted(positions) == with_spoon:
            raise ExerciseFailed(
                f"For {case} the function returned the frames that contain a spoon. "
                "Return the other ones."
            )
        empty = [found.input_position for found in detections if not found.objects]
        if empty and sorted(positions + empty) == expected:
            raise ExerciseFailed(
                f"For {case} the function returned {positions!r}. Frame {empty[0]} has no objects at all, "
                "so it has no spoon either."
            )
        raise ExerciseFailed(
            f"For {case} the function returned {positions!r}. A frame belongs in the list when none of "
            "its objects has the category 'spoon'."
        )
    return (
        "A frame is in the list when no object of its Detections has the category 'spoon', "
        "including a frame in which the model found nothing."
    )


@exercise("07-3", "Query the destination table by index")
def check_ab_id_query(answer: Any) -> str:
    if not isinstance(answer, str):
        raise ExerciseFailed(
            f"The answer should be the SQL text, a str, not {type(answer).__name__}. "
            "Pass the query itself, not the rows it returns."
        )
    placeholders = _count_placeholders(answer)
    if placeholders == 0:
        raise ExerciseFailed(
            "The query has no ? placeholder. Put a ? where the index goes and pass the index "
            "as a parameter: query_destination(database, sql, [indices[-1]])."
        )
    if placeholders > 1:
        raise ExerciseFailed(
            f"The query has {placeholders} ? placeholders, but it gets one parameter, the index."
        )
    if "json_extract" in answer.lower():
        raise ExerciseFailed(
            "json_extract exists in SQLite only. Read the index with the operator ->>, "
            "so that the query also runs on PostgreSQL."
        )

    rows = _run_on_test_table(answer, SQL_TEST_INDEX)
    if not rows:
        raise ExerciseFailed(
            "On a test table the query found no row for the index it was given. Compare the index "
            "field of _airbyte_data with the parameter: ->> reads a field as text, while -> "
            "returns JSON, with quotes around a string."
        )
    if len(rows) > 1:
        raise ExerciseFailed(
            f"On a test table the query returned {len(rows)} rows, but each index has one row. "
            "Keep only the row whose index field equals the parameter."
        )
    row = rows[0]
    if "_airbyte_ab_id" not in row:
        raise ExerciseFailed(f"The query returned the columns {sorted(row)}. Select _airbyte_ab_id.")

    if row["_airbyte_ab_id"] != SQL_TEST_AB_ID:
        raise ExerciseFailed(
            f"On a test table the query returned the _airbyte_ab_id {row['_airbyte_ab_id']!r}, "
            "which is not the id of the row of the index it was given."
        )
    return (
        "The query returns the one row whose _airbyte_data->>'index' equals the parameter, with its "
        "_airbyte_ab_id, on SQLite and PostgreSQL alike."
    )


def _count_placeholders(sql: str) -> int:
    """Count the ``?`` outside quoted strings and names, as SQLite and query_destination read them."""
    count = 0
    quote: str | None = None
    for character in sql:
        if quote is not None:
            if character == quote:
                quote = None
        elif character in ("'", '"'):
            quote = character
        elif character == "?":
            count += 1
    return count


def _run_on_test_table(sql: str, index: str) -> list[dict[str, Any]]:
    """Run ``sql`` with ``[index]`` on an in-memory table shaped like the local gateway's SQLite destination."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute(
            f"CREATE TABLE {RESULTS_TABLE} "
            "(_airbyte_ab_id TEXT PRIMARY KEY, _airbyte_data TEXT NOT NULL, _airbyte_emitted_at TEXT NOT NULL)"
        )
        connection.executemany(
            f"INSERT INTO {RESULTS_TABLE} VALUES (?, ?, ?)",
            [(ab_id, json.dumps(_row_data(row_index)), "2023-03-01T12:00:00+00:00") for ab_id, row_index in SQL_ROWS],
        )
        try:
            cursor = connection.execute(sql, (index,))
        except sqlite3.Error as error:
            raise ExerciseFailed(f"The query failed on a test table of the same shape: {error}.") from None
        columns = [description[0] for description in cursor.description or ()]
        return [dict(zip(columns, values)) for values in cursor.fetchall()]
    finally:
        connection.close()


def _row_data(index: str) -> dict[str, Any]:
    objects = [{"category": "cup", "score": 0.91, "bounding_box": {"top": 0, "left": 61, "width": 99, "height": 134}}]
    return {
        "index": index,
        "model": MODEL,
        "pipeline": {"name": "pipelines/vdp-101-async"},
        "detection": {"objects": objects},
    }
