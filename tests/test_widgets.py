"""Tests of the detection explorer, driven headlessly through its widgets' values."""

from __future__ import annotations

import datetime
import html
import io
import re
import socket

import pytest
from PIL import Image

from vdp101.client import Gateway, connect, create_pipeline, delete_pipeline
from vdp101.curl import curl_command
from vdp101.drawing import category_color
from vdp101.responses import BoundingBox, DetectedObject
from vdp101.samples import sample_path
from vdp101.widgets import (
    NO_OBJECTS_ON_LOCAL_GATEWAY,
    PICTURE_MAX_SIDE,
    URL_NEEDS_SAMPLE,
    DetectionExplorer,
    explore_detections,
    render_error,
    render_summary,
    render_table,
    visible_rows,
)

CUP = DetectedObject("cup", 0.91, BoundingBox(left=172, top=17, width=237, height=292))
SPOON = DetectedObject("spoon", 0.78, BoundingBox(left=325, top=64, width=100, height=262))
TABLE = DetectedObject("dining table", 0.55, BoundingBox(left=0, top=0, width=600, height=400))
COFFEE_ROWS = [("models/yolov7", CUP), ("models/yolov7", SPOON), ("models/yolov7", TABLE)]

# Largest difference per colour channel, out of 255, between a drawn box and its colour in the JPEG.
JPEG_TOLERANCE = 24

SYNC_RECIPE = {
    "version": "v1alpha",
    "components": [
        {"id": "source", "resource_name": "source-connectors/source-http"},
        {"id": "yolov7", "resource_name": "models/yolov7"},
        {"id": "destination", "resource_name": "destination-connectors/destination-http"},
    ],
}


def table_rows(table_html: str) -> list[list[str]]:
    """Return the cell texts of each body row of a rendered detections table."""
    body = table_html.split("<tbody>", 1)[1] if "<tbody>" in table_html else ""
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def upload_entry(name: str, content: bytes) -> dict:
    """Build one entry of a version-8 FileUpload value, as the browser sends it."""
    return {
        "name": name,
        "type": "image/png",
        "size": len(content),
        "content": memoryview(content),
        "last_modified": datetime.datetime(2023, 3, 1, tzinfo=datetime.timezone.utc),
    }


def shows_color(explorer: DetectionExplorer, xy: tuple[int, int], color: tuple[int, int, int]) -> bool:
    """Tell whether the explorer's JPEG picture has about ``color`` at ``xy``."""
    with Image.open(io.BytesIO(explorer.picture.value)) as picture:
        pixel = picture.convert("RGB").getpixel(xy)
    # JPEG shifts each channel by a few levels, even at quality 90.
    return all(abs(channel - expected) <= JPEG_TOLERANCE for channel, expected in zip(pixel, color))


@pytest.fixture
def local_gateway(gateway: str) -> Gateway:
    """The session's local gateway as a client Gateway."""
    return connect(gateway, quiet=True)


@pytest.fixture
def explorer(local_gateway: Gateway) -> DetectionExplorer:
    return DetectionExplorer(gateway=local_gateway)


# Rendering functions


def test_visible_rows_filters_score_and_category():
    kept = visible_rows(COFFEE_ROWS, min_score=0.6, categories=["cup", "dining table", "spoon"])

    assert kept == [("models/yolov7", CUP), ("models/yolov7", SPOON)]


def test_visible_rows_empty_selection_keeps_nothing():
    assert visible_rows(COFFEE_ROWS, min_score=0.0, categories=()) == []


def test_render_table_lists_each_object():
    rows = table_rows(render_table(COFFEE_ROWS[:2]))

    assert rows == [
        ["cup", "0.91", "172", "17", "237", "292", "models/yolov7"],
        ["spoon", "0.78", "325", "64", "100", "262", "models/yolov7"],
    ]


def test_render_table_without_rows():
    assert render_table([]) == "<p class='vdp101-empty'>No detections to show.</p>"


def test_render_table_escapes_category():
    odd = DetectedObject("<b>cat</b>", 0.5, BoundingBox(1, 2, 3, 4))

    assert table_rows(render_table([("models/m", odd)]))[0][0] == "&lt;b&gt;cat&lt;/b&gt;"


def test_render_summary_counts_boxes():
    assert render_summary(2, 3, min_score=0.6) == "2 of 3 boxes drawn (score >= 0.60)"
    assert render_summary(1, 1, min_score=0.0) == "1 of 1 box drawn (score >= 0.00)"


def test_render_error_escapes_message():
    assert render_error("") == ""
    assert render_error("Image 'a<b>' failed") == (
        "<div class='vdp101-error' style='color: #b00020'><b>Error:</b> Image &#x27;a&lt;b&gt;&#x27; failed</div>"
    )


# The explorer against the local gateway


def test_explorer_starts_on_first_sample(explorer):
    assert explorer.image.value == ("sample", "astronaut.jpg")
    assert explorer.method.value == "url"
    assert explorer.pipeline.value == "vdp-101-sync"
    assert explorer.error_message == ""
    assert explorer.picture.layout.display == "none"
    assert repr(explorer) == (
        "DetectionExplorer(pipeline='vdp-101-sync', image='astronaut.jpg', method='url'): not run yet"
    )


def test_run_sample_by_url_shows_detections(explorer, local_gateway):
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.run()

    assert explorer.error_message == ""
    assert table_rows(explorer.table.value) == [
        ["cup", "0.91", "172", "17", "237", "292", "models/yolov7"],
        ["spoon", "0.78", "325", "64", "100", "262", "models/yolov7"],
        ["dining table", "0.55", "0", "0", "600", "400", "models/yolov7"],
    ]
    assert explorer.summary.value == "<span>coffee.jpg: 3 of 3 boxes drawn (score &gt;= 0.00)</span>"
    assert explorer.boxes_drawn == 3
    assert explorer.categories.options == ("cup", "dining table", "spoon")
    assert explorer.categories.value == ("cup", "dining table", "spoon")
    assert explorer.picture.layout.display == ""
    with Image.open(io.BytesIO(explorer.picture.value)) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (600, 400)
    assert explorer.curl_command == curl_command(
        "vdp-101-sync", method="url", images=[local_gateway.sample_url("coffee.jpg")], gateway=local_gateway
    )


def test_slider_redraws_without_request(explorer, monkeypatch):
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.run()
    spoon_left_edge = (326, 64 + 100)
    assert shows_color(explorer, spoon_left_edge, category_color("spoon"))

    def fail_request(*args, **kwargs):
        raise AssertionError("redraw sent a request to the gateway")

    monkeypatch.setattr("vdp101.client.send_request", fail_request)
    explorer.min_score.value = 0.8

    assert explorer.boxes_drawn == 1
    assert table_rows(explorer.table.value) == [["cup", "0.91", "172", "17", "237", "292", "models/yolov7"]]
    assert explorer.summary.value == "<span>coffee.jpg: 1 of 3 boxes drawn (score &gt;= 0.80)</span>"
    assert not shows_color(explorer, spoon_left_edge, category_color("spoon"))


def test_category_filter_hides_deselected(explorer):
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.run()
    explorer.categories.value = ("spoon",)

    assert explorer.boxes_drawn == 1
    assert [row[0] for row in table_rows(explorer.table.value)] == ["spoon"]


def test_threshold_survives_next_run(explorer):
    explorer.min_score.value = 0.8
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.run()

    assert explorer.boxes_drawn == 1
    assert explorer.min_score.value == 0.8


def test_run_base64_uploaded_image(explorer):
    explorer.method.value = "base64"
    explorer.upload.value = (upload_entry("my-horse.png", sample_path("horse.png").read_bytes()),)

    assert explorer.image.value == ("upload", "my-horse.png")
    assert explorer.image.label == "my-horse.png (uploaded)"
    explorer.run()

    assert explorer.error_message == ""
    assert table_rows(explorer.table.value) == [["horse", "0.89", "17", "8", "373", "305", "models/yolov7"]]
    assert explorer.summary.value == "<span>my-horse.png: 1 of 1 box drawn (score &gt;= 0.00)</span>"


def test_run_multipart_sample(explorer, local_gateway):
    explorer.image.value = ("sample", "chelsea.jpg")
    explorer.method.value = "multipart"
    explorer.run_button.click()

    assert table_rows(explorer.table.value) == [["cat", "0.94", "18", "0", "384", "300", "models/yolov7"]]
    assert explorer.curl_command == curl_command(
        "vdp-101-sync", method="multipart", images=[sample_path("chelsea.jpg")], gateway=local_gateway
    )
    assert "triggerSyncMultipart" in explorer.curl.value


def test_uploaded_image_with_url_method_explains(explorer):
    explorer.upload.value = (upload_entry("photo.png", sample_path("horse.png").read_bytes()),)

    assert explorer.method.value == "url"
    assert URL_NEEDS_SAMPLE in explorer.notice.value
    assert explorer.run_button.disabled is True

    explorer.run()

    assert explorer.error_message == URL_NEEDS_SAMPLE
    assert explorer.curl_command == ""
    assert explorer.table.value == ""


def test_notice_clears_for_multipart(explorer):
    explorer.upload.value = (upload_entry("photo.png", sample_path("horse.png").read_bytes()),)
    explorer.method.value = "multipart"

    assert explorer.notice.value == ""
    assert explorer.run_button.disabled is False


def blank_png() -> bytes:
    """A plain grey PNG, an image for which the local gateway's stand-in model has no boxes."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 200, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_without_objects_explains_local_model(explorer):
    explorer.method.value = "multipart"
    explorer.upload.value = (upload_entry("my-photo.png", blank_png()),)

    explorer.run()

    assert explorer.error_message == ""
    assert explorer.table.value == "<p class='vdp101-empty'>No detections to show.</p>"
    assert explorer.notice_message == (
        "No objects were found because the local gateway's stand-in model returns the boxes recorded "
        "for the bundled sample images only, and none for other images. To detect objects in your own "
        "photos, set VDP_API_GATEWAY_URL to a real VDP, which runs YOLOv7, and connect to it."
    )
    assert explorer.notice.value == (
        f"<div class='vdp101-notice' style='color: #8a5a00'>{html.escape(NO_OBJECTS_ON_LOCAL_GATEWAY)}</div>"
    )


def test_local_model_notice_clears_on_next_run(explorer):
    explorer.method.value = "multipart"
    explorer.upload.value = (upload_entry("my-photo.png", blank_png()),)
    explorer.run()

    explorer.image.value = ("sample", "horse.png")
    explorer.run()

    assert explorer.boxes_drawn == 1
    assert explorer.notice_message == ""
    assert explorer.notice.value == ""


def test_url_notice_replaces_local_model_notice(explorer):
    explorer.method.value = "multipart"
    explorer.upload.value = (upload_entry("my-photo.png", blank_png()),)
    explorer.run()

    explorer.method.value = "url"

    assert explorer.notice_message == URL_NEEDS_SAMPLE


def test_remote_gateway_omits_local_model_notice(local_gateway):
    remote = Gateway(local_gateway.root_url, is_local=False)
    explorer = DetectionExplorer(gateway=remote)
    explorer.method.value = "base64"
    explorer.upload.value = (upload_entry("my-photo.png", blank_png()),)

    explorer.run()

    assert explorer.error_message == ""
    assert explorer.table.value == "<p class='vdp101-empty'>No detections to show.</p>"
    assert explorer.notice_message == ""
    assert explorer.notice.value == ""


def test_large_upload_is_scaled_down(explorer):
    large = io.BytesIO()
    Image.new("RGB", (3000, 1500), (200, 200, 200)).save(large, format="PNG")
    explorer.method.value = "multipart"
    explorer.upload.value = (upload_entry("large.png", large.getvalue()),)
    explorer.run()

    assert explorer.error_message == ""
    assert explorer.table.value == "<p class='vdp101-empty'>No detections to show.</p>"
    with Image.open(io.BytesIO(explorer.picture.value)) as picture:
        assert picture.size == (PICTURE_MAX_SIDE, PICTURE_MAX_SIDE // 2)


def test_upload_keeps_only_base_name(explorer):
    explorer.upload.value = (upload_entry("../../escape.png", sample_path("horse.png").read_bytes()),)

    assert explorer.image.value == ("upload", "escape.png")


def test_unknown_pipeline_shows_message(explorer, local_gateway):
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.run()
    explorer.pipeline.options = ["missing-pipeline"]
    explorer.run()

    assert explorer.error_message.startswith(
        f"Pipeline 'missing-pipeline' was not found at {local_gateway.api_url} (HTTP 404"
    )
    assert explorer.error_message.endswith("Create it, or list pipelines to check the id.")
    assert "Traceback" not in explorer.error.value
    assert explorer.rows == []
    assert explorer.table.value == ""
    assert explorer.picture.layout.display == "none"
    assert "missing-pipeline/triggerSync" in explorer.curl_command


def test_undecodable_upload_shows_gateway_message(explorer):
    explorer.method.value = "multipart"
    explorer.upload.value = (upload_entry("notes.png", b"these are notes, not pixels"),)
    explorer.run()

    assert explorer.error_message.startswith(
        "The gateway could not use an image sent to pipeline 'vdp-101-sync' (HTTP 422: "
    )
    assert explorer.error.value == render_error(explorer.error_message)


def test_unreachable_gateway_shows_message():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again, so connecting to it is refused.
    explorer = DetectionExplorer(gateway=Gateway(f"http://127.0.0.1:{port}"))

    assert explorer.error_message.startswith(
        f"Could not connect to http://127.0.0.1:{port}/v1alpha/pipelines?page_size=100 (Connection refused)."
    )
    assert explorer.pipeline.options == ()


def test_pipeline_list_reads_gateway(local_gateway):
    create_pipeline("another-sync", SYNC_RECIPE, gateway=local_gateway)
    try:
        explorer = explore_detections(gateway=local_gateway, pipeline_id="another-sync")
    finally:
        delete_pipeline("another-sync", gateway=local_gateway)

    assert explorer.pipeline.options == ("another-sync", "vdp-101-sync")
    assert explorer.pipeline.value == "another-sync"


def test_explorer_displays_its_widget(explorer):
    bundle = explorer._repr_mimebundle_()

    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
    assert bundle["text/plain"] == repr(explorer)


def test_new_choice_marks_shown_result(explorer):
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.run()

    explorer.image.value = ("sample", "chelsea.jpg")

    assert explorer.summary.value == (
        "<span>coffee.jpg: 3 of 3 boxes drawn (score &gt;= 0.00). "
        "Press Run to detect objects in chelsea.jpg.</span>"
    )
    assert explorer.boxes_drawn == 3

    explorer.run()

    assert explorer.summary.value == "<span>chelsea.jpg: 1 of 1 box drawn (score &gt;= 0.00)</span>"
