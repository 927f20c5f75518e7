"""Run every image of a folder through a detection pipeline and collect one table.

``detect_folder`` sends the images in multipart batches with a progress bar and
returns a ``FolderDetections``. Its ``table`` is a pandas DataFrame with one row per
detected object::

    image        category  score  left  top  width  height  model
    coffee.jpg   cup        0.91   172   17    237     292  models/yolov7

Boxes are in pixels of the original image, measured from its top left corner.
``filter_detections``, ``count_categories``, ``export_csv`` and ``export_json`` work on
that table; the plots are in ``vdp101.folder_plots``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from vdp101.client import Gateway

__all__ = [
    "TABLE_COLUMNS",
    "FolderDetections",
    "count_categories",
    "detect_folder",
    "export_csv",
    "export_json",
    "filter_detections",
    "find_images",
]

logger = logging.getLogger(__name__)

TABLE_COLUMNS = ("image", "category", "score", "left", "top", "width", "height", "model")

# Column types of a table without rows; with rows pandas infers them from the values.
_EMPTY_COLUMN_TYPES = {
    "image": "object",
    "category": "object",
    "score": "float64",
    "left": "int64",
    "top": "int64",
    "width": "int64",
    "height": "int64",
    "model": "object",
}


@dataclass(frozen=True, eq=False)
class FolderDetections:
    """Detections of every image in a folder.

    Attributes:
        folder: the folder that was read.
        table: one row per detected object, columns ``TABLE_COLUMNS``, sorted by image
            name and then in response order.
        images: names of the images sent to the pipeline, sorted, including those in
            which nothing was found.
        skipped: names of the files that are not images, sorted; they were not sent.
        rejected: names of image files that the gateway could not decode, sorted.
    """

    folder: Path
    table: pd.DataFrame
    images: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """Sentences naming the files that were skipped or rejected, or "" for none."""
        sentences = []
        if self.skipped:
            files = "file that is not an image" if len(self.skipped) == 1 else "files that are not images"
            sentences.append(f"Skipped {len(self.skipped)} {files}: {', '.join(self.skipped)}.")
        if self.rejected:
            sentences.append(
                f"The gateway could not decode {_count(self.rejected, 'image')}: {', '.join(self.rejected)}."
            )
        return " ".join(sentences)

    def image_path(self, name: str) -> Path:
        """Return the path of the image ``name`` of this folder."""
        return self.folder / name

    def __repr__(self) -> str:
        summary = (
            f"FolderDetections: {len(self.table)} objects in {_count(self.images, 'image')} "
            f"of {self.folder.name or self.folder}"
        )
        return f"{summary}. {self.note}" if self.note else f"{summary}."


def find_images(folder: str | os.PathLike[str]) -> tuple[list[Path], list[Path]]:
    """Sort the files of a folder into images and other files.

    A file is an image when Pillow can identify and verify it, whatever its suffix.
    Subfolders and hidden files (a name starting with ".") are left out of both lists.

    Args:
        folder: the folder to read; it is not searched recursively.

    Returns:
        (images, others): two lists of paths, each sorted by file name.

    Raises:
        NotADirectoryError: ``folder`` does not exist or is not a folder.
    """
    directory = Path(folder)
    if not directory.is_dir():
        raise NotADirectoryError(
            f"Image folder {str(directory)!r} does not exist or is not a folder. "
            "Pass the path of a folder that contains JPEG or PNG files."
        )

    images, others = [], []
    for path in sorted(directory.iterdir(), key=lambda item: item.name):
        if path.name.startswith(".") or not path.is_file():
            continue
        (images if _is_image(path) else others).append(path)
    return images, others


def detect_folder(
    folder: str | os.PathLike[str],
    *,
    pipeline_id: str = "vdp-101-sync",
    gateway: Gateway | str | None = None,
    batch_size: int = 8,
    timeout: float = 30.0,
    progress: bool = True,
) -> FolderDetections:
    """Trigger a SYNC detection pipeline on every image of a folder and tabulate the objects.

    Images go to ``triggerSyncMultipart`` in batches of ``batch_size``. When the gateway
    cannot decode an image of a batch, the batch is sent again one image at a time, so
    one broken file costs only its own result.

    Args:
        folder: folder of images; see find_images for what counts as an image.
        pipeline_id: id of a SYNC pipeline with detection models.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        batch_size: images per request, at least 1.
        timeout: seconds to wait for each request.
        progress: show a progress bar that counts images (a widget in a notebook).

    Returns:
        A FolderDetections. Its ``note`` names the skipped and rejected files, which
        are also logged as warnings.

    Raises:
        NotADirectoryError: ``folder`` is not a folder.
        ValueError: ``batch_size`` is less than 1.
        VdpError: a request failed for another reason than an image (pipeline not
            found, gateway unreachable, ...).
    """
    from vdp101._progress import image_progress_bar
    from vdp101.client import Gateway, connect

    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}. Pass batch_size=8, for example.")
    images, others = find_images(folder)
    skipped = tuple(path.name for path in others)
    if skipped:
        # INFO, not WARNING: other files in a photo folder are normal, and the returned
        # FolderDetections names them in its note.
        logger.info("Skipped files in %s that are not images: %s", folder, ", ".join(skipped))
    if not isinstance(gateway, Gateway):
        gateway = connect(gateway, quiet=True)

    records: list[dict[str, Any]] = []
    rejected: list[str] = []
    with image_progress_bar(total=len(images), description="Detecting", disable=not progress) as bar:
        for batch in _batches(images, batch_size):
            records.extend(_detect_batch(batch, pipeline_id, gateway=gateway, timeout=timeout, rejected=rejected))
            bar.update(len(batch))

    if rejected:
        logger.warning("The gateway could not decode these images in %s: %s", folder, ", ".join(sorted(rejected)))
    return FolderDetections(
        folder=Path(folder),
        table=_build_table(records),
        images=tuple(path.name for path in images),
        skipped=skipped,
        rejected=tuple(sorted(rejected)),
    )


def filter_detections(
    table: pd.DataFrame,
    *,
    min_score: float = 0.0,
    categories: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Keep the rows with a score of at least ``min_score`` and, if given, one of ``categories``.

    Returns:
        A new DataFrame with a fresh 0-based index.
    """
    mask = table["score"] >= min_score
    if categories is not None:
        mask &= table["category"].isin(list(categories))
    return table[mask].reset_index(drop=True)


def count_categories(table: pd.DataFrame) -> pd.Series:
    """Count the objects per category, most frequent first and ties in alphabetical order."""
    counts = table.groupby("category").size().sort_values(ascending=False, kind="stable")
    counts.name = "objects"
    return counts


def export_csv(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the table as CSV with a header row and no index column, creating parent folders.

    Returns:
        The path written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(target, index=False)
    return target


def export_json(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the table as a JSON list with one object per row, creating parent folders.

    Returns:
        The path written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    table.to_json(target, orient="records", indent=2)
    return target


def _is_image(path: Path) -> bool:
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        # Pillow raises SyntaxError for some broken PNG and GIF files.
        return False
    return True


def _batches(items: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _detect_batch(
    batch: Sequence[Path],
    pipeline_id: str,
    *,
    gateway: Gateway,
    timeout: float,
    rejected: list[str],
) -> list[dict[str, Any]]:
    """Return the table records of one batch; names of undecodable images go to ``rejected``."""
    from vdp101.client import trigger_multipart
    from vdp101.errors import InvalidImageError
    from vdp101.responses import parse_detections

    try:
        response = trigger_multipart(pipeline_id, list(batch), gateway=gateway, timeout=timeout)
        detections = parse_detections(response)
    except InvalidImageError as error:
        if len(batch) == 1:
            logger.warning("The gateway could not decode %s: %s", batch[0], error)
            rejected.append(batch[0].name)
            return []
        records = []
        for path in batch:
            records.extend(_detect_batch([path], pipeline_id, gateway=gateway, timeout=timeout, rejected=rejected))
        return records

    records = []
    # parse_detections lists all inputs of the first model, then the next model, so
    # sorting by input position keeps each image's rows together.
    for found in sorted(detections, key=lambda item: item.input_position):
        image = batch[found.input_position].name
        for obj in found.objects:
            box = obj.bounding_box
            records.append(
                {
                    "image": image,
                    "category": obj.category,
                    "score": obj.score,
                    "left": box.left,
                    "top": box.top,
                    "width": box.width,
                    "height": box.height,
                    "model": found.model,
                }
            )
    return records


def _build_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    table = pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))
    return table if records else table.astype(_EMPTY_COLUMN_TYPES)


def _count(names: Sequence[str], noun: str) -> str:
    return f"{len(names)} {noun}" if len(names) == 1 else f"{len(names)} {noun}s"
