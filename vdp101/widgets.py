"""Detection explorer: trigger a pipeline on one image and browse what it found.

``DetectionExplorer`` lays out ipywidgets 8 controls: an image (a sample from
``data/`` or an uploaded file), the trigger method (URL, base64 or multipart), the
pipeline and a Run button. After a run it shows the image with its boxes, a table of
the detections and the cURL command of the request. The score slider and the
category filter redraw from the stored response without calling the gateway again.

The explorer's state is plain Python: set the widgets' ``value`` and call ``run()``
or ``redraw()``, then read the output widgets. Nothing needs a browser, so tests can
drive it headlessly. Rendering lives in the small ``render_*`` functions below.
"""

from __future__ import annotations

import html
import io
import logging
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from vdp101.samples import sample_names, sample_path

if TYPE_CHECKING:
    from PIL import Image

    from vdp101.client import Gateway
    from vdp101.responses import DetectedObject

__all__ = [
    "DetectionExplorer",
    "explore_detections",
    "render_error",
    "render_summary",
    "render_table",
    "visible_rows",
]

logger = logging.getLogger(__name__)

DEFAULT_PIPELINE_ID = "vdp-101-sync"

# Maximum side length, in pixels, of the picture sent to the browser, and its JPEG quality.
PICTURE_MAX_SIDE = 1024
PICTURE_JPEG_QUALITY = 90

# Maximum page size of the v1alpha pipeline listing.
LISTING_PAGE_SIZE = 100

METHOD_OPTIONS = (("URL", "url"), ("base64", "base64"), ("multipart", "multipart"))

URL_NEEDS_SAMPLE = (
    "The URL method works for sample images only: the gateway downloads image_url "
    "itself and cannot read a file uploaded into this notebook. Choose base64 or multipart."
)

NO_OBJECTS_ON_LOCAL_GATEWAY = (
    "No objects were found because the local gateway's stand-in model returns the boxes recorded "
    "for the bundled sample images only, and none for other images. To detect objects in your own "
    "photos, set VDP_API_GATEWAY_URL to a real VDP, which runs YOLOv7, and connect to it."
)

# Columns of the detections table and the alignment of their cells.
_TABLE_COLUMNS = (
    ("category", "left"),
    ("score", "right"),
    ("left", "right"),
    ("top", "right"),
    ("width", "right"),
    ("height", "right"),
    ("model", "left"),
)
_CELL_STYLE = "padding: 2px 12px; border-bottom: 1px solid #ddd"

# One detected object and the resource name of the model that found it.
Row = tuple[str, "DetectedObject"]

# The image dropdown's values: ("sample", file name in data/) or ("upload", file name).
ImageChoice = tuple[str, str]


def visible_rows(rows: Iterable[Row], *, min_score: float, categories: Iterable[str]) -> list[Row]:
    """Keep the rows whose score is at least ``min_score`` and whose category is selected.

    Args:
        rows: (model, DetectedObject) pairs, in response order.
        min_score: lowest score kept, from 0 to 1.
        categories: category names to keep; an empty selection keeps nothing.
    """
    selected = set(categories)
    return [(model, obj) for model, obj in rows if obj.score >= min_score and obj.category in selected]


def render_table(rows: Sequence[Row]) -> str:
    """Render detections as an HTML table: one row per object, scores to 2 decimals."""
    if not rows:
        return "<p class='vdp101-empty'>No detections to show.</p>"

    # Inline styles, because a <style> element in an HTML widget would apply to the whole page.
    header = "".join(
        f"<th style='{_CELL_STYLE}; text-align: {align}'>{name}</th>" for name, align in _TABLE_COLUMNS
    )
    body = []
    for model, obj in rows:
        box = obj.bounding_box
        cells = (
            obj.category,
            f"{obj.score:.2f}",
            f"{box.left:g}",
            f"{box.top:g}",
            f"{box.width:g}",
            f"{box.height:g}",
            model,
        )
        row = "".join(
            f"<td style='{_CELL_STYLE}; text-align: {align}'>{html.escape(cell)}</td>"
            for cell, (_name, align) in zip(cells, _TABLE_COLUMNS)
        )
        body.append(f"<tr>{row}</tr>")
    return (
        "<table class='vdp101-detections' style='border-collapse: collapse'>"
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def render_summary(shown: int, total: int, *, min_score: float) -> str:
    """Describe how many boxes are drawn, e.g. "2 of 3 boxes drawn (score >= 0.60)"."""
    noun = "box" if total == 1 else "boxes"
    return f"{shown} of {total} {noun} drawn (score >= {min_score:.2f})"


def render_error(message: str) -> str:
    """Render an error message as HTML, or "" when there is no error."""
    if not message:
        return ""
    return f"<div class='vdp101-error' style='color: #b00020'><b>Error:</b> {html.escape(message)}</div>"


def render_notice(message: str) -> str:
    """Render a hint about the current choice of controls as HTML, or "" for none."""
    if not message:
        return ""
    return f"<div class='vdp101-notice' style='color: #8a5a00'>{html.escape(message)}</div>"


def render_curl(command: str) -> str:
    """Render a cURL command as preformatted HTML under a heading, or "" for none."""
    if not command:
        return ""
    return f"<b>cURL command of this request</b><pre class='vdp101-curl'>{html.escape(command)}</pre>"


def encode_picture(image: Image.Image) -> bytes:
    """Encode a drawn image as JPEG bytes for an ipywidgets Image.

    Images larger than ``PICTURE_MAX_SIDE`` pixels on a side are scaled down first. The
    bytes travel to the browser on every redraw, and a PNG of a large photo would be
    tens of megabytes.
    """
    picture = image.copy()
    picture.thumbnail((PICTURE_MAX_SIDE, PICTURE_MAX_SIDE))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=PICTURE_JPEG_QUALITY)
    return buffer.getvalue()


class DetectionExplorer:
    """Interactive explorer of one pipeline's detections on one image.

    Attributes:
        gateway: the Gateway that requests go to.
        rows: (model, DetectedObject) pairs of the last successful run, in response order.
        boxes_drawn: number of boxes on the picture after the filters.
        error_message: message of the last failure, or "".
        notice_message: hint shown above the result, or "": why the URL method cannot
            run an uploaded image, or why an uploaded image got no objects from the
            local gateway.
        curl_command: cURL command of the last request sent, or "".
        widget: the VBox to display; displaying the explorer itself shows it too.
    """

    def __init__(
        self,
        *,
        gateway: Gateway | str | None = None,
        pipeline_id: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Build the controls and read the gateway's pipeline list.

        Args:
            gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
            pipeline_id: pipeline selected at first; default ``vdp-101-sync`` when the
                gateway has it, else the first id in alphabetical order.
            timeout: seconds to wait for each request to the gateway.
        """
        from vdp101.client import Gateway, connect

        self.gateway: Gateway = gateway if isinstance(gateway, Gateway) else connect(gateway, quiet=True)
        self.timeout = timeout
        self.rows: list[Row] = []
        self.boxes_drawn = 0
        self.error_message = ""
        self.notice_message = ""
        self.curl_command = ""
        # Explanation of the last run's result, shown unless a control choice needs a notice.
        self._result_notice = ""
        self._image_bytes: bytes | None = None
        self._image_label = ""
        self._uploads: dict[str, Path] = {}
        # Uploaded files are written here because the trigger functions take paths;
        # the directory is deleted when the explorer is garbage-collected.
        self._upload_dir = tempfile.TemporaryDirectory(prefix="vdp101-uploads-")
        self._resetting_filters = False

        self._build_controls()
        self._build_outputs()
        self.widget = self._layout()
        self.refresh_pipelines(select=pipeline_id)
        self._update_notice()

    # Construction

    def _build_controls(self) -> None:
        self.image = widgets.Dropdown(description="Image", options=self._image_options())
        self.upload = widgets.FileUpload(accept="image/*", multiple=True, description="Upload")
        self.method = widgets.ToggleButtons(
            description="Method", options=METHOD_OPTIONS, value="url", style={"button_width": "90px"}
        )
        self.pipeline = widgets.Dropdown(description="Pipeline")
        self.refresh_button = widgets.Button(description="Refresh list", icon="refresh")
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.min_score = widgets.FloatSlider(
            description="Min score", value=0.0, min=0.0, max=1.0, step=0.05, readout_format=".2f"
        )
        self.categories = widgets.SelectMultiple(description="Categories", rows=5)
        self.min_score.add_class("vdp101-min-score")
        self.categories.add_class("vdp101-categories")

        self.upload.observe(self._on_upload, names="value")
        self.image.observe(self._on_choice_change, names="value")
        self.method.observe(self._on_choice_change, names="value")
        self.min_score.observe(self._on_filter_change, names="value")
        self.categories.observe(self._on_filter_change, names="value")
        self.refresh_button.on_click(lambda _button: self.refresh_pipelines())
        self.run_button.on_click(lambda _button: self.run())

    def _build_outputs(self) -> None:
        self.notice = widgets.HTML()
        self.error = widgets.HTML()
        self.summary = widgets.HTML()
        self.picture = widgets.Image(
            format="jpeg", layout=widgets.Layout(max_width="100%", align_self="flex-start", display="none")
        )
        self.table = widgets.HTML()
        self.curl = widgets.HTML()
        for output, css_class in (
            (self.notice, "vdp101-notice-box"),
            (self.error, "vdp101-error-box"),
            (self.summary, "vdp101-summary"),
            (self.picture, "vdp101-picture"),
            (self.table, "vdp101-table"),
            (self.curl, "vdp101-curl-box"),
        ):
            output.add_class(css_class)

    def _layout(self) -> widgets.VBox:
        layout = widgets.VBox(
            [
                widgets.HBox([self.image, self.upload]),
                self.method,
                widgets.HBox([self.pipeline, self.refresh_button, self.run_button]),
                self.notice,
                self.error,
                widgets.HBox([self.min_score, self.categories]),
                self.summary,
                self.picture,
                self.table,
                self.curl,
            ]
        )
        layout.add_class("vdp101-explorer")
        return layout

    def _image_options(self) -> list[tuple[str, ImageChoice]]:
        options = [(f"{name} (sample)", ("sample", name)) for name in sample_names()]
        options += [(f"{name} (uploaded)", ("upload", name)) for name in sorted(self._uploads)]
        return options

    # Actions

    def refresh_pipelines(self, *, select: str | None = None) -> None:
        """Reload the pipeline ids from the gateway into the pipeline dropdown.

        Args:
            select: id to select; default the current selection if it still exists,
                else ``vdp-101-sync``, else the first id.
        """
        requested_id = select or self.pipeline.value or DEFAULT_PIPELINE_ID
        try:
            pipeline_ids = self._list_pipeline_ids()
        except Exception as error:  # noqa: BLE001 - the widget shows every failure as a message
            self._fail(str(error) or type(error).__name__)
            return

        self.pipeline.options = pipeline_ids
        if requested_id in pipeline_ids:
            self.pipeline.value = requested_id
        elif pipeline_ids:
            self.pipeline.value = pipeline_ids[0]
        if not pipeline_ids:
            self._fail(
                f"The gateway at {self.gateway.api_url} has no pipelines. Create one, then press Refresh list."
            )

    def _list_pipeline_ids(self) -> list[str]:
        """Return the ids of all pipelines, sorted, reading every page of the listing."""
        from vdp101.client import list_pipelines

        pipeline_ids: list[str] = []
        page_token = None
        while True:
            listing = list_pipelines(
                page_size=LISTING_PAGE_SIZE, page_token=page_token, gateway=self.gateway, timeout=self.timeout
            )
            pipeline_ids.extend(pipeline["id"] for pipeline in listing.get("pipelines", []))
            page_token = listing.get("next_page_token")
            if not page_token:
                return sorted(pipeline_ids)

    def add_uploads(self, files: Iterable[Mapping[str, Any]]) -> None:
        """Store uploaded files and select the last one in the image dropdown.

        Args:
            files: entries of a version-8 ``FileUpload.value``: dicts with ``name``
                and ``content`` (a memoryview or bytes).
        """
        last_name = None
        for file in files:
            # Browsers send a base name, but a name set from Python may carry folders.
            name = Path(str(file["name"])).name or "upload"
            path = Path(self._upload_dir.name) / name
            path.write_bytes(bytes(file["content"]))
            self._uploads[name] = path
            last_name = name
        if last_name is None:
            return
        self.image.options = self._image_options()
        self.image.value = ("upload", last_name)

    def run(self) -> None:
        """Trigger the selected pipeline on the selected image and show the result.

        Every Exception is caught: a failure clears the previous result and shows the
        exception's message in the error area, without a traceback.
        """
        self._show_error("")
        self.curl_command = ""
        self._result_notice = ""
        try:
            self._trigger()
        except Exception as error:  # noqa: BLE001 - the widget shows every failure as a message
            self.rows = []
            self._image_bytes = None
            self._fail(str(error) or type(error).__name__)
        self._update_notice()
        self.curl.value = render_curl(self.curl_command)
        self._reset_filters()
        self.redraw()

    def redraw(self) -> None:
        """Redraw the picture, summary and table from the stored result and the filters."""
        if self._image_bytes is None:
            self.boxes_drawn = 0
            self.picture.layout.display = "none"
            self.picture.value = b""
            self.summary.value = ""
            self.table.value = ""
            return

        from vdp101.drawing import draw_detections

        shown = visible_rows(self.rows, min_score=self.min_score.value, categories=self.categories.value)
        self.boxes_drawn = len(shown)
        self.picture.value = encode_picture(draw_detections(self._image_bytes, [obj for _, obj in shown]))
        self.picture.layout.display = ""
        summary = f"{self._image_label}: " + render_summary(len(shown), len(self.rows), min_score=self.min_score.value)
        selected = self.image.value[1] if self.image.value else self._image_label
        if selected != self._image_label:
            # The picture still shows the last run, so say which image it belongs to.
            summary += f". Press Run to detect objects in {selected}."
        self.summary.value = f"<span>{html.escape(summary)}</span>"
        self.table.value = render_table(shown)

    # Steps of run()

    def _trigger(self) -> None:
        from vdp101.client import trigger_image_base64, trigger_image_urls, trigger_multipart
        from vdp101.curl import curl_command
        from vdp101.responses import parse_detections

        pipeline_id = self.pipeline.value
        if not pipeline_id:
            raise ValueError(
                f"No pipeline is selected. Create one on the gateway at {self.gateway.api_url}, "
                "then press Refresh list."
            )
        kind, name = self.image.value
        method = self.method.value
        if kind == "upload" and method == "url":
            raise ValueError(URL_NEEDS_SAMPLE)

        path = sample_path(name) if kind == "sample" else self._uploads[name]
        image_bytes = path.read_bytes()
        images: list[Any]
        if method == "url":
            images = [self.gateway.sample_url(name)]
            trigger = trigger_image_urls
        else:
            images = [path]
            trigger = trigger_image_base64 if method == "base64" else trigger_multipart

        self.curl_command = curl_command(pipeline_id, method=method, images=images, gateway=self.gateway)
        response = trigger(pipeline_id, images, gateway=self.gateway, timeout=self.timeout)
        detections = parse_detections(response)

        self.rows = [(found.model, obj) for found in detections for obj in found.objects]
        self._image_bytes = image_bytes
        self._image_label = name
        if not self.rows and kind == "upload" and self.gateway.is_local:
            self._result_notice = NO_OBJECTS_ON_LOCAL_GATEWAY
        logger.info(
            "Pipeline %s found %d objects in %s (%s method)", pipeline_id, len(self.rows), name, method
        )

    def _reset_filters(self) -> None:
        """Offer the categories of the new result, all selected, keeping the score threshold."""
        categories = sorted({obj.category for _, obj in self.rows})
        self._resetting_filters = True
        try:
            self.categories.options = categories
            self.categories.value = tuple(categories)
        finally:
            self._resetting_filters = False

    def _fail(self, message: str) -> None:
        logger.error("Detection explorer: %s", message)
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        self.error_message = message
        self.error.value = render_error(message)

    def _update_notice(self) -> None:
        kind, _name = self.image.value or ("sample", "")
        needs_sample = kind == "upload" and self.method.value == "url"
        self.notice_message = URL_NEEDS_SAMPLE if needs_sample else self._result_notice
        self.notice.value = render_notice(self.notice_message)
        self.run_button.disabled = needs_sample

    # Observers

    def _on_upload(self, change: Mapping[str, Any]) -> None:
        self.add_uploads(change["new"])

    def _on_choice_change(self, _change: Mapping[str, Any]) -> None:
        self._update_notice()
        if self._image_bytes is not None:
            self.redraw()

    def _on_filter_change(self, _change: Mapping[str, Any]) -> None:
        if not self._resetting_filters:
            self.redraw()

    # Display

    def __repr__(self) -> str:
        kind, name = self.image.value or ("", "")
        state = f"{self.boxes_drawn} of {len(self.rows)} boxes drawn" if self._image_bytes else "not run yet"
        return (
            f"DetectionExplorer(pipeline={self.pipeline.value!r}, image={name!r}, "
            f"method={self.method.value!r}): {state}"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = self.widget._repr_mimebundle_(**kwargs)
        # The VBox's own text is a long, truncated repr of its children.
        bundle["text/plain"] = repr(self)
        return bundle


def explore_detections(
    *,
    gateway: Gateway | str | None = None,
    pipeline_id: str | None = None,
    timeout: float = 30.0,
) -> DetectionExplorer:
    """Build a DetectionExplorer; a notebook cell that ends with it shows the widget.

    Args:
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        pipeline_id: pipeline selected at first (default ``vdp-101-sync``).
        timeout: seconds to wait for each request to the gateway.
    """
    return DetectionExplorer(gateway=gateway, pipeline_id=pipeline_id, timeout=timeout)
