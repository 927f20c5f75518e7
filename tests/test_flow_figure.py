"""Tests for the pipeline flow figure of the introduction notebook."""

from __future__ import annotations

from vdp101.flow_figure import PIPELINE_STAGES, plot_pipeline_flow


def _texts(figure):
    (axes,) = figure.axes
    return [text.get_text() for text in axes.texts]


def test_stages_follow_extract_transform_load():
    assert [(stage.etl_step, stage.component) for stage in PIPELINE_STAGES] == [
        ("extract", "source"),
        ("transform", "model"),
        ("load", "destination"),
    ]


def test_modes_differ_only_in_destination():
    differing = [stage.component for stage in PIPELINE_STAGES if stage.sync_resource != stage.async_resource]

    assert differing == ["destination"]
    assert PIPELINE_STAGES[2].sync_resource == "destination-connectors/destination-http"
    assert PIPELINE_STAGES[2].async_resource == "destination-connectors/postgres-db"


def test_figure_labels_both_modes_and_steps():
    texts = _texts(plot_pipeline_flow())

    assert texts[:6] == ["Extract", "(source)", "Transform", "(model)", "Load", "(destination)"]
    assert "SYNC mode" in texts
    assert "ASYNC mode" in texts
    assert "detections in the HTTP response" in texts
    assert "data mapping indices, at once" in texts


def test_figure_draws_each_resource_box():
    texts = _texts(plot_pipeline_flow())

    assert texts.count("client\n(your code)") == 2
    assert texts.count("source-http\n(source-connectors)") == 2
    assert texts.count("yolov7\n(model)") == 2
    assert texts.count("destination-http\n(destination-connectors)") == 1
    assert texts.count("postgres-db\n(destination-connectors)") == 1


def test_figure_has_fixed_size_without_axis():
    figure = plot_pipeline_flow()
    (axes,) = figure.axes

    assert tuple(figure.get_size_inches()) == (10.0, 5.8)
    assert axes.axison is False
    assert len(axes.patches) == 8
