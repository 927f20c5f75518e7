"""Tests for the request-flow diagrams of the pipeline modes."""

from __future__ import annotations

import pytest

from vdp101 import figures


def test_sync_steps_end_with_response():
    assert figures.flow_steps("SYNC") == [
        "1. Client -> API gateway (request): POST triggerSync with images",
        "2. API gateway -> Source HTTP (request): task_inputs",
        "3. Source HTTP -> Model YOLOv7 (request): images",
        "4. Model YOLOv7 -> Destination HTTP (request): detections",
        "5. Destination HTTP -> Client (reply): 200 response with model_outputs, same connection",
    ]


def test_async_acknowledges_before_model_runs():
    steps = figures.flow_steps("MODE_ASYNC")

    assert steps[2] == "3. Source HTTP -> Client (reply): 200 at once: data_mapping_indices only"
    assert steps[3] == "4. Source HTTP -> Model YOLOv7 (request): images, in the background"
    assert steps[-1] == "6. Destination database -> Client (reply): later: client queries results by index"


def test_pull_has_no_client():
    steps = figures.flow_steps("pull")

    assert len(steps) == 3
    assert not any("Client" in step for step in steps)


def test_unknown_mode_lists_modes():
    with pytest.raises(ValueError, match=r"^Unknown pipeline mode 'BATCH'. Use one of: SYNC, ASYNC, PULL.$"):
        figures.flow_steps("BATCH")


@pytest.mark.parametrize(
    ("draw", "box_count", "arrow_count"),
    [(figures.sync_flow, 5, 5), (figures.async_flow, 5, 6), (figures.pull_flow, 4, 3)],
)
def test_figure_draws_boxes_and_arrows(draw, box_count, arrow_count):
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    axis = draw().axes[0]
    boxes = [patch for patch in axis.patches if isinstance(patch, FancyBboxPatch)]
    arrows = [patch for patch in axis.patches if isinstance(patch, FancyArrowPatch)]
    arrows += [text for text in axis.texts if getattr(text, "arrow_patch", None) is not None]

    # One more box than components: the frame around the pipeline.
    assert len(boxes) == box_count + 1
    assert len(arrows) == arrow_count


def test_every_step_names_drawn_boxes():
    for flow in figures.FLOWS.values():
        for step in flow.steps:
            assert step.source in flow.boxes, step
            assert step.target in flow.boxes, step
        assert set(flow.pipeline_boxes) <= set(flow.boxes)
