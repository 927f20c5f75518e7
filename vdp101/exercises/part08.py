"""Exercises of part 8: batch sizes, duplicate images and a per-image summary of a folder."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vdp101.exercises.registry import ExerciseFailed, call_learner_function, exercise, require_function
from vdp101.folder import FolderDetections, find_images
from vdp101.samples import data_dir

if TYPE_CHECKING:
    import pandas as pd

COMPARED_BATCH_SIZES = (1, 8)


@exercise("08-1", "Compare two batch sizes")
def check_batch_sizes(answer: Any) -> str:
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise ExerciseFailed(
            "The answer should be a tuple of three values: the number of requests with batch_size=1, "
            "the number with batch_size=8, and whether the two tables are equal (True or False)."
        )
    requests_one, requests_eight, same_table = answer
    for value in (requests_one, requests_eight):
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise ExerciseFailed(
                f"The first two values should be ints, the numbers of requests, not {type(value).__name__}."
            )

    images, others = find_images(data_dir())
    file_count = len(images) + len(others)
    expected_one, expected_eight = (math.ceil(len(images) / size) for size in COMPARED_BATCH_SIZES)
    if requests_one != expected_one:
        if requests_one == file_count:
            raise ExerciseFailed(
                f"{file_count} is the number of files in the folder. detect_folder sends only the images "
                "and skips the other files."
            )
        raise ExerciseFailed(
            f"With batch_size=1 each request carries one image, so {requests_one} requests do not fit. "
            "Count the images that find_images returns."
        )
    if requests_eight != expected_eight:
        raise ExerciseFailed(
            f"With batch_size=8, {requests_eight} requests do not fit. A request carries up to 8 images, "
            "and a batch that is not full is sent too."
        )

    # DataFrame.equals returns a bool, and comparisons of numpy values return numpy.bool_.
    if type(same_table).__name__ not in ("bool", "bool_"):
        raise ExerciseFailed(
            f"The third value should be True or False, not {type(same_table).__name__}. "
            "Compare the two tables with DataFrame.equals."
        )
    if not same_table:
        raise ExerciseFailed(
            "Run detect_folder with both batch sizes and compare the tables with "
            "first.table.equals(second.table)."
        )
    return (
        f"{expected_one} requests with batch_size=1 and {expected_eight} with batch_size=8, and the same "
        "table: the batch size decides how the images share requests, not what the model finds in each."
    )


@exercise("08-2", "Detect two copies of one photo")
def check_duplicate_photos(answer: Any) -> str:
    if not isinstance(answer, FolderDetections):
        raise ExerciseFailed(
            f"The answer should be what detect_folder returns, a FolderDetections, not {type(answer).__name__}."
        )
    if _same_folder(answer.folder, data_dir()):
        raise ExerciseFailed(
            "These are the results of the sample folder. Make a new folder with a text file and two "
            "copies of one photo, and run detect_folder on it."
        )
    if not answer.skipped:
        raise ExerciseFailed("detect_folder skipped no file. Put a text file in the folder too.")
    if len(answer.images) != 2:
        raise ExerciseFailed(
            f"The folder has {len(answer.images)} images. Put exactly two in it: copies of one photo "
            "under different names."
        )

    first, second = answer.images
    paths = [answer.image_path(name) for name in answer.images]
    for path in paths:
        if not path.is_file():
            raise ExerciseFailed(f"{path} no longer exists. Keep the folder until the check has run.")
    if paths[0].read_bytes() != paths[1].read_bytes():
        raise ExerciseFailed(
            f"{first} and {second} are different files. Copy one photo twice, for example with shutil.copy."
        )

    rows = [_rows_without_image(answer.table, name) for name in answer.images]
    if not rows[0] and not rows[1]:
        raise ExerciseFailed(
            "Neither copy has a row, so there is nothing to compare. The local gateway finds objects "
            "only in the sample photos: copy one of those."
        )
    if rows[0] != rows[1]:
        raise ExerciseFailed(
            f"The rows of {first} and {second} differ. Run detect_folder again on the folder, and pass "
            "its result unchanged."
        )
    return (
        "results names the skipped text file and counts both copies as images. Their rows differ only "
        "in the image column: the model sees the pixels, not the file name."
    )


# Tables that 08-3 is called on, with the category it should return for each image.
# In the first one the best object of an image is neither its first nor its last row. In
# the second the rows of the images are interleaved and the index labels are not 0, 1, 2, ...
TOP_CATEGORY_CASES: tuple[tuple[str, list[tuple[str, str, float]], list[int] | None, dict[str, str]], ...] = (
    (
        "a table in which the best object of an image is neither its first nor its last row",
        [
            ("a.jpg", "spoon", 0.78),
            ("a.jpg", "cup", 0.91),
            ("a.jpg", "dining table", 0.55),
            ("b.jpg", "cat", 0.94),
            ("c.png", "bench", 0.62),
            ("c.png", "person", 0.88),
        ],
        None,
        {"a.jpg": "cup", "b.jpg": "cat", "c.png": "person"},
    ),
    (
        "a table with the rows of two images mixed and the index labels 10, 3, 7, 5",
        [
            ("x.jpg", "dog", 0.61),
            ("y.jpg", "horse", 0.73),
            ("x.jpg", "person", 0.97),
            ("y.jpg", "person", 0.52),
        ],
        [10, 3, 7, 5],
        {"x.jpg": "person", "y.jpg": "horse"},
    ),
)


@exercise("08-3", "Find the best category of each image")
def check_top_category(answer: Any) -> str:
    import pandas as pd

    function = require_function(answer)
    for case, rows, labels, expected in TOP_CATEGORY_CASES:
        table = _test_table(rows, labels)
        result = call_learner_function(function, case, table.copy())

        if isinstance(result, pd.DataFrame):
            raise ExerciseFailed(
                f"For {case} the function returned a DataFrame. Return a Series: one category per image."
            )
        if not isinstance(result, pd.Series):
            raise ExerciseFailed(
                f"For {case} the function returned a {type(result).__name__}. Return a pandas Series "
                "indexed by image name."
            )
        if sorted(map(str, result.index)) != sorted(expected):
            raise ExerciseFailed(
                f"For {case} the Series has the index {result.index.tolist()!r}. Index it by image name, "
                "with one entry per image."
            )
        if pd.api.types.is_numeric_dtype(result):
            raise ExerciseFailed(
                f"For {case} the Series holds numbers. Return the category of the best-scoring object, "
                "not its score."
            )

        found = {str(image): category for image, category in result.items()}
        if found == expected:
            continue
        first_rows = {image: category for image, category, _score in reversed(rows)}
        if found == first_rows:
            raise ExerciseFailed(
                f"For {case} the function returned the category of each image's first row. "
                "Take the row with the highest score instead."
            )
        raise ExerciseFailed(
            f"For {case} the function returned {found!r}, which is not the category of each image's "
            "highest-scoring object."
        )
    return (
        "For each image the Series gives the category of the row with the highest score, wherever "
        "that row is in the table and whatever its index label."
    )


def _test_table(rows: Sequence[tuple[str, str, float]], labels: Sequence[int] | None) -> pd.DataFrame:
    """Build a table with the columns of FolderDetections.table from (image, category, score) rows."""
    import pandas as pd

    records = [
        {
            "image": image,
            "category": category,
            "score": score,
            "left": 10 * position,
            "top": 5,
            "width": 100,
            "height": 80,
            "model": "models/yolov7",
        }
        for position, (image, category, score) in enumerate(rows)
    ]
    return pd.DataFrame(records, index=labels)


def _rows_without_image(table: pd.DataFrame, image: str) -> list[tuple[Any, ...]]:
    rows = table[table["image"] == image].drop(columns="image")
    return [tuple(row) for row in rows.itertuples(index=False)]


def _same_folder(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return False
