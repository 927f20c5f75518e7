"""Exercises of the appendix on payload sizes: how much base64 adds to an upload."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from vdp101.exercises.registry import ExerciseFailed, exercise
from vdp101.samples import sample_path

SCAN_BYTES = 1_000_000
MEASURED_SAMPLE = "coffee.jpg"

JSON_ENVELOPE_BYTES = len('{"task_inputs": [{"detection": {"image_base64": ""}}]}')
MULTIPART_ENVELOPE_BYTES = 180
"""Bytes of boundaries and part headers around one file in a multipart body, an estimate:
the exact number depends on the boundary and the file name."""
RATIO_TOLERANCE = 0.01


def base64_length(size: int) -> int:
    """Return the number of characters of the standard base64 text of ``size`` bytes."""
    return 4 * math.ceil(size / 3)


@exercise("10-1", "Predict the size of a base64 payload")
def check_base64_length(answer: Any) -> str:
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise ExerciseFailed(f"The answer should be a whole number of characters, not {type(answer).__name__}.")
    expected = base64_length(SCAN_BYTES)
    if answer == expected:
        return (
            f"4 x ceil({SCAN_BYTES:,} / 3) = {expected:,} characters: the file grows by a third, "
            "and the last group of 3 bytes is padded with '='."
        )
    if expected - 4 < answer < expected:
        raise ExerciseFailed(
            f"{answer:,} is 4/3 of the file, rounded. base64 writes 4 characters for every started "
            "group of 3 bytes, so round the number of groups up before multiplying."
        )
    if answer <= SCAN_BYTES:
        raise ExerciseFailed(
            f"{answer:,} characters is not more than the {SCAN_BYTES:,} bytes of the file. base64 uses "
            "64 symbols, 6 bits each, so it needs more characters than the file has bytes."
        )
    raise ExerciseFailed(
        f"{answer:,} is not the length. Each group of 3 bytes (24 bits) becomes 4 characters of 6 bits."
    )


@exercise("10-2", "Measure the base64 overhead of a request")
def check_measured_ratio(answer: Any) -> str:
    if isinstance(answer, bool) or not isinstance(answer, Real):
        raise ExerciseFailed(f"The answer should be a number, the ratio of two lengths, not {type(answer).__name__}.")
    size = sample_path(MEASURED_SAMPLE).stat().st_size
    expected = (base64_length(size) + JSON_ENVELOPE_BYTES) / (size + MULTIPART_ENVELOPE_BYTES)
    if abs(answer - expected) <= RATIO_TOLERANCE:
        return (
            f"About {expected:.2f}: the JSON body is a third larger than the multipart body, which "
            f"carries the {size:,} bytes of {MEASURED_SAMPLE} as they are."
        )
    if abs(answer - 1 / expected) <= RATIO_TOLERANCE:
        raise ExerciseFailed(
            f"{answer:.2f} is the multipart body divided by the base64 body. Divide the other way round."
        )
    if abs(answer - 1) <= RATIO_TOLERANCE:
        raise ExerciseFailed(
            "A ratio of 1 compares a body with itself. Take one body from each response's request."
        )
    raise ExerciseFailed(
        f"{answer:.2f} is not the ratio of the two request bodies. Send {MEASURED_SAMPLE} once with each "
        "function and divide len(response.request.body) of the base64 request by that of the multipart one."
    )
