"""Draw how data flows through a VDP pipeline, in SYNC and in ASYNC mode.

A pipeline extracts data with a source connector, transforms it with one or more
models and loads the results into a destination connector. The figure shows one
row per mode: in SYNC mode the detections return in the HTTP response, in ASYNC
mode the client gets only the data mapping indices and the results go to a database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PIPELINE_STAGES", "Stage", "plot_pipeline_flow"]


class Stage(NamedTuple):
    """One stage of a pipeline: the component that runs it and its resource in each mode."""

    etl_step: str
    component: str
    sync_resource: str
    async_resource: str


PIPELINE_STAGES: tuple[Stage, ...] = (
    Stage("extract", "source", "source-connectors/source-http", "source-connectors/source-http"),
    Stage("transform", "model", "models/yolov7", "models/yolov7"),
    Stage("load", "destination", "destination-connectors/destination-http", "destination-connectors/postgres-db"),
)
"""The stages in the order data passes through them. The ASYNC destination is a
PostgreSQL database connector, as in the series' ASYNC pipeline ``vdp-101-async``."""

# Light fill colours, grey for the client and one per component kind.
_CLIENT_COLOR = "#e8e8e8"
_STAGE_COLORS = {"source": "#c6dbef", "model": "#fdd0a2", "destination": "#c7e9c0"}

# Layout in data coordinates: the axes span 0..11.6 horizontally and 0..7 vertically.
_WIDTH, _HEIGHT = 11.6, 7.0
_BOX_WIDTH, _BOX_HEIGHT = 2.1, 1.1
_CLIENT_X = 1.15
_STAGE_X = (4.3, 7.35, 10.4)
_SYNC_Y, _ASYNC_Y = 4.6, 1.6


def plot_pipeline_flow() -> Figure:
    """Draw the source, model and destination of a pipeline, one row per mode.

    The top row is a SYNC pipeline (HTTP source and HTTP destination): the client
    sends an image and reads the detections in the response. The bottom row is an
    ASYNC pipeline (HTTP source and a database destination): the client gets the
    data mapping indices at once and the detections are written to the database.
    Column headers name the ETL step of each stage (extract, transform, load).

    Returns:
        A matplotlib Figure, 10 x 5.8 inches, closed in pyplot so that a notebook
        shows it once, as the cell's value.
    """
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(10, 5.8), layout="constrained")
    plt.close(figure)
    axes.set_xlim(0, _WIDTH)
    axes.set_ylim(0, _HEIGHT)
    axes.set_axis_off()

    for stage, x in zip(PIPELINE_STAGES, _STAGE_X):
        axes.text(x, 6.55, stage.etl_step.capitalize(), ha="center", va="center", fontsize=13, weight="bold")
        axes.text(x, 6.15, f"({stage.component})", ha="center", va="center", fontsize=10, color="#555555")

    _draw_row(axes, _SYNC_Y, "SYNC", [stage.sync_resource for stage in PIPELINE_STAGES])
    _draw_row(axes, _ASYNC_Y, "ASYNC", [stage.async_resource for stage in PIPELINE_STAGES])

    # SYNC: the HTTP destination hands the detections back to the waiting client.
    _draw_return_arrow(axes, _STAGE_X[2], _SYNC_Y, "detections in the HTTP response")
    # ASYNC: the source acknowledges at once, and the results stay in the database.
    _draw_return_arrow(axes, _STAGE_X[0], _ASYNC_Y, "data mapping indices, at once")
    axes.text(
        _STAGE_X[2], _ASYNC_Y - _BOX_HEIGHT / 2 - 0.45, "detections written to the database",
        ha="center", va="center", fontsize=9, style="italic",
    )
    return figure


def _draw_row(axes: Axes, y: float, mode: str, resources: list[str]) -> None:
    """Draw the client and the three components of one mode, joined by arrows."""
    axes.text(0.1, y + _BOX_HEIGHT / 2 + 0.35, f"{mode} mode", ha="left", va="center", fontsize=12, weight="bold")
    _draw_box(axes, _CLIENT_X, y, "client\n(your code)", _CLIENT_COLOR)
    for stage, x, resource in zip(PIPELINE_STAGES, _STAGE_X, resources):
        collection, _, name = resource.partition("/")
        # Models show "(model)" and connectors their collection, e.g. "(source-connectors)".
        label = f"{name}\n(model)" if stage.component == "model" else f"{name}\n({collection})"
        _draw_box(axes, x, y, label, _STAGE_COLORS[stage.component])

    edges = [_CLIENT_X, *_STAGE_X]
    labels = ["image", "image", "objects"]
    for start, end, label in zip(edges, edges[1:], labels):
        _draw_arrow(axes, (start + _BOX_WIDTH / 2, y), (end - _BOX_WIDTH / 2, y))
        axes.text((start + end) / 2, y + 0.2, label, ha="center", va="bottom", fontsize=8)


def _draw_box(axes: Axes, x: float, y: float, label: str, color: str) -> None:
    from matplotlib.patches import FancyBboxPatch

    box = FancyBboxPatch(
        (x - _BOX_WIDTH / 2, y - _BOX_HEIGHT / 2), _BOX_WIDTH, _BOX_HEIGHT,
        boxstyle="round,pad=0.02,rounding_size=0.15", facecolor=color, edgecolor="#333333", linewidth=1.2,
    )
    axes.add_patch(box)
    axes.text(x, y, label, ha="center", va="center", fontsize=8.5, linespacing=1.4)


def _draw_arrow(axes: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    axes.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "#333333", "linewidth": 1.3})


def _draw_return_arrow(axes: Axes, from_x: float, y: float, label: str) -> None:
    """Draw an arrow from below the box at ``from_x`` back to below the client, with a label."""
    below = y - _BOX_HEIGHT / 2
    axes.annotate(
        "", xy=(_CLIENT_X, below), xytext=(from_x, below),
        arrowprops={
            "arrowstyle": "-|>", "color": "#1f5fa8", "linewidth": 1.5, "linestyle": "--",
            "connectionstyle": "arc,angleA=-90,angleB=-90,armA=22,armB=22,rad=8",
        },
    )
    axes.text((from_x + _CLIENT_X) / 2, below - 0.62, label, ha="center", va="center", fontsize=9, color="#1f5fa8")
