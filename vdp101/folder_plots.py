"""Plots of a folder's detection table (see ``vdp101.folder``).

Each function returns a matplotlib Figure that is already closed in pyplot, so a
notebook shows it once, as a cell's value or through ``display``. Bars and points
take the fixed colour of their category from ``vdp101.drawing.category_color``.
A table without rows gives a figure with a message in place of empty axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vdp101.folder import count_categories

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from vdp101.folder import FolderDetections

__all__ = ["NO_DETECTIONS_MESSAGE", "plot_box_sizes", "plot_category_counts", "plot_image_grid", "plot_score_distribution"]

# Width of one panel of the image grid, in inches.
_GRID_PANEL_WIDTH = 3.2

NO_DETECTIONS_MESSAGE = "No detections to plot: the table has no rows."


def plot_category_counts(table: pd.DataFrame) -> Figure:
    """Draw a horizontal bar per category with its number of objects, most frequent on top."""
    counts = count_categories(table)
    figure, axis = _new_figure(width=6.0, height=1.2 + 0.4 * max(len(counts), 1))
    axis.set_title("Objects per category")
    if counts.empty:
        _show_message(axis, NO_DETECTIONS_MESSAGE)
        return figure

    categories = list(counts.index)[::-1]
    axis.barh(categories, list(counts.values)[::-1], color=[_matplotlib_color(name) for name in categories])
    axis.set_xlabel("objects")
    _use_integer_ticks(axis.xaxis)
    return figure


def plot_score_distribution(table: pd.DataFrame, *, bins: int = 10) -> Figure:
    """Draw a histogram of the scores over 0 to 1 in ``bins`` equal bins."""
    figure, axis = _new_figure(width=6.0, height=3.5)
    axis.set_title("Score distribution")
    if table.empty:
        _show_message(axis, NO_DETECTIONS_MESSAGE)
        return figure

    axis.hist(table["score"], bins=bins, range=(0.0, 1.0), color="tab:blue", edgecolor="white")
    axis.set_xlabel("score")
    axis.set_ylabel("objects")
    axis.set_xlim(0.0, 1.0)
    _use_integer_ticks(axis.yaxis)
    return figure


def plot_box_sizes(table: pd.DataFrame) -> Figure:
    """Draw one point per object at (box width, box height) in pixels, coloured by category."""
    figure, axis = _new_figure(width=6.0, height=4.5)
    axis.set_title("Bounding box sizes")
    if table.empty:
        _show_message(axis, NO_DETECTIONS_MESSAGE)
        return figure

    for category, rows in table.groupby("category", sort=True):
        axis.scatter(rows["width"], rows["height"], label=category, color=_matplotlib_color(str(category)))
    axis.set_xlabel("width (pixels)")
    axis.set_ylabel("height (pixels)")
    axis.set_xlim(left=0)
    axis.set_ylim(bottom=0)
    axis.legend(title="category", fontsize="small")
    return figure


def plot_image_grid(
    results: FolderDetections,
    *,
    table: pd.DataFrame | None = None,
    images: Sequence[str] | None = None,
    columns: int = 3,
) -> Figure:
    """Draw each image of a folder with its boxes, in a grid titled "name: N boxes".

    Without any image to show, the figure contains one panel with a message.

    Args:
        results: what detect_folder returned.
        table: rows to draw, e.g. a filter_detections result; default ``results.table``.
        images: names of the images to show, in order; default all of ``results.images``.
        columns: panels per row.

    Raises:
        ValueError: ``columns`` is less than 1.
    """
    from vdp101.drawing import draw_detections

    rows_to_draw = results.table if table is None else table
    names = list(results.images if images is None else images)
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}. Pass columns=3, for example.")
    if not names:
        figure, axis = _new_figure(width=_GRID_PANEL_WIDTH * 2, height=_GRID_PANEL_WIDTH * 0.5)
        if not results.images:
            folder_name = results.folder.name or results.folder
            _show_message(axis, f"No images to show: the folder {folder_name} contains none.")
        else:
            _show_message(axis, "No images to show: the list of image names is empty.")
        return figure

    columns = min(columns, len(names))
    grid_rows = math.ceil(len(names) / columns)
    figure, axes = _new_figure(
        width=_GRID_PANEL_WIDTH * columns, height=_GRID_PANEL_WIDTH * 0.8 * grid_rows, rows=grid_rows, columns=columns
    )
    flat_axes = list(axes.flat) if hasattr(axes, "flat") else [axes]

    for axis, name in zip(flat_axes, names):
        objects = _objects_of(rows_to_draw, name)
        axis.imshow(draw_detections(results.image_path(name), objects))
        noun = "box" if len(objects) == 1 else "boxes"
        axis.set_title(f"{name}: {len(objects)} {noun}")
    for axis in flat_axes:
        axis.set_axis_off()
    return figure


def _objects_of(table: pd.DataFrame, image: str) -> list[dict[str, Any]]:
    """Return the rows of one image as objects in the v1alpha JSON shape that draw_detections reads."""
    rows = table[table["image"] == image]
    return [
        {
            "category": row.category,
            "score": row.score,
            "bounding_box": {"left": row.left, "top": row.top, "width": row.width, "height": row.height},
        }
        for row in rows.itertuples(index=False)
    ]


def _show_message(axis: Any, message: str) -> None:
    """Write ``message`` in the middle of an axis and hide its frame and ticks."""
    axis.text(0.5, 0.5, message, transform=axis.transAxes, ha="center", va="center", fontsize="large")
    axis.set_axis_off()


def _new_figure(*, width: float, height: float, rows: int = 1, columns: int = 1) -> tuple[Figure, Any]:
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(rows, columns, figsize=(width, height), layout="constrained", squeeze=False)
    plt.close(figure)
    return figure, axes[0, 0] if rows == columns == 1 else axes


def _matplotlib_color(category: str) -> tuple[float, float, float]:
    from vdp101.drawing import category_color

    red, green, blue = category_color(category)
    return red / 255, green / 255, blue / 255


def _use_integer_ticks(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
