"""Request-flow diagrams of the three pipeline modes, drawn with matplotlib.

Each diagram is a row of boxes (client, API gateway, the pipeline's source, model and
destination) joined by numbered arrows. Solid arrows carry the request and its data
forwards; dashed arrows run along the bottom and carry a reply or a later read back.
``flow_steps`` lists the same numbered arrows as text, for readers and for tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Flow", "Step", "async_flow", "flow_steps", "pull_flow", "sync_flow"]

_BOX_WIDTH = 1.6
_BOX_HEIGHT = 0.9
_BOX_GAP = 1.5
# Depth below the boxes of the first dashed return path, and the spacing of the next ones.
_RETURN_DEPTH = 0.45
_RETURN_SPACING = 0.4

_PIPELINE_COLOR = "#dbe9f6"
_BOX_COLOR = "#ffffff"
_OUTSIDE_COLOR = "#f3f3f3"
_FORWARD_COLOR = "#1f4e79"
_RETURN_COLOR = "#b35900"


@dataclass(frozen=True)
class Step:
    """One arrow of a flow: from one box to another, with what it carries."""

    source: str
    target: str
    label: str
    returning: bool = False


@dataclass(frozen=True)
class Flow:
    """A request flow: box names left to right, which of them form the pipeline, and the arrows in order."""

    mode: str
    boxes: tuple[str, ...]
    pipeline_boxes: tuple[str, ...]
    steps: tuple[Step, ...]


FLOWS: dict[str, Flow] = {
    "SYNC": Flow(
        mode="SYNC",
        boxes=("Client", "API gateway", "Source\nHTTP", "Model\nYOLOv7", "Destination\nHTTP"),
        pipeline_boxes=("Source\nHTTP", "Model\nYOLOv7", "Destination\nHTTP"),
        steps=(
            Step("Client", "API gateway", "POST triggerSync\nwith images"),
            Step("API gateway", "Source\nHTTP", "task_inputs"),
            Step("Source\nHTTP", "Model\nYOLOv7", "images"),
            Step("Model\nYOLOv7", "Destination\nHTTP", "detections"),
            Step("Destination\nHTTP", "Client", "200 response with model_outputs, same connection", returning=True),
        ),
    ),
    "ASYNC": Flow(
        mode="ASYNC",
        boxes=("Client", "API gateway", "Source\nHTTP", "Model\nYOLOv7", "Destination\ndatabase"),
        pipeline_boxes=("Source\nHTTP", "Model\nYOLOv7", "Destination\ndatabase"),
        steps=(
            Step("Client", "API gateway", "POST triggerAsync\nwith images"),
            Step("API gateway", "Source\nHTTP", "task_inputs"),
            Step("Source\nHTTP", "Client", "200 at once: data_mapping_indices only", returning=True),
            Step("Source\nHTTP", "Model\nYOLOv7", "images,\nin the background"),
            Step("Model\nYOLOv7", "Destination\ndatabase", "detections,\nwritten later"),
            Step("Destination\ndatabase", "Client", "later: client queries results by index", returning=True),
        ),
    ),
    "PULL": Flow(
        mode="PULL",
        boxes=("Schedule", "Source\ndata store", "Model\nYOLOv7", "Destination\ndatabase"),
        pipeline_boxes=("Source\ndata store", "Model\nYOLOv7", "Destination\ndatabase"),
        steps=(
            Step("Schedule", "Source\ndata store", "timer fires,\nno client request"),
            Step("Source\ndata store", "Model\nYOLOv7", "new images\npulled"),
            Step("Model\nYOLOv7", "Destination\ndatabase", "detections"),
        ),
    ),
}
"""The flow of each mode. PULL was announced for VDP but never shipped, so its flow
shows the design: a schedule starts the pipeline, and no client waits for a reply."""


def sync_flow() -> Figure:
    """Draw the SYNC flow: the client waits and the results come back in the HTTP response."""
    return _draw_flow(FLOWS["SYNC"], title="SYNC: the response carries the detections")


def async_flow() -> Figure:
    """Draw the ASYNC flow: the client gets an acknowledgement, the results go to a database."""
    return _draw_flow(FLOWS["ASYNC"], title="ASYNC: acknowledged at once, results land in the destination")


def pull_flow() -> Figure:
    """Draw the PULL flow: a schedule, not a client, starts the pipeline."""
    return _draw_flow(FLOWS["PULL"], title="PULL (announced, never shipped): a schedule starts the pipeline")


def flow_steps(mode: str) -> list[str]:
    """Return the numbered arrows of a mode's flow as text, one line per arrow.

    Args:
        mode: "SYNC", "ASYNC" or "PULL", with or without the ``MODE_`` prefix, any case.

    Raises:
        ValueError: the mode is not one of the three; the message lists them.
    """
    key = mode.upper().removeprefix("MODE_")
    if key not in FLOWS:
        raise ValueError(f"Unknown pipeline mode {mode!r}. Use one of: {', '.join(FLOWS)}.")

    lines = []
    for number, step in enumerate(FLOWS[key].steps, start=1):
        source = step.source.replace("\n", " ")
        target = step.target.replace("\n", " ")
        kind = "reply" if step.returning else "request"
        label = step.label.replace("\n", " ")
        lines.append(f"{number}. {source} -> {target} ({kind}): {label}")
    return lines


def _draw_flow(flow: Flow, *, title: str) -> Figure:
    import matplotlib.pyplot as plt

    centers = {name: position * (_BOX_WIDTH + _BOX_GAP) for position, name in enumerate(flow.boxes)}
    return_count = sum(step.returning for step in flow.steps)
    # Leave room below the boxes for the deepest return path and its label.
    if return_count:
        bottom = -_BOX_HEIGHT / 2 - _RETURN_DEPTH - (return_count - 1) * _RETURN_SPACING - 0.35
    else:
        bottom = -_BOX_HEIGHT / 2 - 0.3
    top = _BOX_HEIGHT / 2 + 0.7
    left = -_BOX_WIDTH / 2 - 0.3
    right = centers[flow.boxes[-1]] + _BOX_WIDTH / 2 + 0.3

    # One data unit is the same length on both axes, so the height follows from the width.
    width_inches = 2.4 * len(flow.boxes)
    height_inches = width_inches * (top - bottom) / (right - left) + 0.4
    figure, axis = plt.subplots(figsize=(width_inches, height_inches), layout="constrained")
    # Closed in pyplot, so a notebook shows the figure once, as the cell's value.
    plt.close(figure)
    axis.set_xlim(left, right)
    axis.set_ylim(bottom, top)
    axis.set_aspect("equal")
    axis.set_axis_off()
    axis.set_title(title, fontsize=11)

    _draw_pipeline_frame(axis, [centers[name] for name in flow.pipeline_boxes])
    for name, x in centers.items():
        color = _BOX_COLOR if name in flow.pipeline_boxes else _OUTSIDE_COLOR
        _draw_box(axis, x, name, color)

    return_level = 0
    for number, step in enumerate(flow.steps, start=1):
        if step.returning:
            depth = _BOX_HEIGHT / 2 + _RETURN_DEPTH + return_level * _RETURN_SPACING
            _draw_return(axis, centers[step.source], centers[step.target], depth, return_level, f"{number}. {step.label}")
            return_level += 1
        else:
            _draw_forward(axis, centers[step.source], centers[step.target], f"{number}. {step.label}")
    return figure


def _draw_box(axis: Axes, x: float, label: str, color: str) -> None:
    from matplotlib.patches import FancyBboxPatch

    axis.add_patch(
        FancyBboxPatch(
            (x - _BOX_WIDTH / 2, -_BOX_HEIGHT / 2),
            _BOX_WIDTH,
            _BOX_HEIGHT,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=color,
            edgecolor="#333333",
            linewidth=1.2,
            zorder=2,
        )
    )
    axis.text(x, 0, label, ha="center", va="center", fontsize=10, zorder=3)


def _draw_pipeline_frame(axis: Axes, xs: list[float]) -> None:
    from matplotlib.patches import FancyBboxPatch

    left = min(xs) - _BOX_WIDTH / 2 - 0.15
    width = max(xs) - min(xs) + _BOX_WIDTH + 0.3
    axis.add_patch(
        FancyBboxPatch(
            (left, -_BOX_HEIGHT / 2 - 0.15),
            width,
            _BOX_HEIGHT + 0.75,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            facecolor=_PIPELINE_COLOR,
            edgecolor=_FORWARD_COLOR,
            linewidth=1.0,
            zorder=1,
        )
    )
    axis.text(left + 0.12, _BOX_HEIGHT / 2 + 0.45, "Pipeline", ha="left", va="center", fontsize=10,
              color=_FORWARD_COLOR, weight="bold", zorder=3)


def _draw_forward(axis: Axes, x_from: float, x_to: float, label: str) -> None:
    """Draw a solid arrow between neighbouring boxes, labelled above it."""
    start = x_from + _BOX_WIDTH / 2
    end = x_to - _BOX_WIDTH / 2
    axis.annotate(
        "",
        xy=(end, 0),
        xytext=(start, 0),
        arrowprops={"arrowstyle": "-|>", "color": _FORWARD_COLOR, "linewidth": 1.5, "shrinkA": 0, "shrinkB": 0},
        zorder=4,
    )
    axis.text((start + end) / 2, 0.08, label, ha="center", va="bottom", fontsize=7.5, color=_FORWARD_COLOR, zorder=4)


def _draw_return(axis: Axes, x_from: float, x_to: float, depth: float, level: int, label: str) -> None:
    """Draw a dashed arrow that leaves the bottom of one box, runs below the row and enters another.

    Deeper paths (higher ``level``) enter the target further from its centre, so arrowheads do not overlap.
    """
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    direction = -1 if x_to < x_from else 1
    start_x = x_from + direction * 0.25
    end_x = x_to - direction * (0.25 + 0.25 * level)
    points = [(start_x, -_BOX_HEIGHT / 2), (start_x, -depth), (end_x, -depth), (end_x, -_BOX_HEIGHT / 2)]
    codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO]
    axis.add_patch(
        FancyArrowPatch(
            path=Path(points, codes),
            arrowstyle="-|>",
            mutation_scale=12,
            color=_RETURN_COLOR,
            linewidth=1.4,
            linestyle=(0, (4, 3)),
            zorder=4,
        )
    )
    axis.text((start_x + end_x) / 2, -depth - 0.04, label, ha="center", va="top", fontsize=8, color=_RETURN_COLOR,
              zorder=4)
