"""Tests for vdp101.drawing: boxes, labels and the side-by-side figure."""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from vdp101.coco import COCO_CATEGORIES
from vdp101.drawing import category_color, draw_detections, plot_side_by_side
from vdp101.responses import BoundingBox, DetectedObject, Detections
from vdp101.samples import sample_path

GREY = (128, 128, 128)
CAT = DetectedObject("cat", 0.94, BoundingBox(left=50, top=40, width=100, height=50))
CAT_COLOR = category_color("cat")


def grey_image(width: int = 200, height: int = 100) -> Image.Image:
    return Image.new("RGB", (width, height), GREY)


def test_category_colors_are_fixed() -> None:
    assert category_color("person") == (242, 36, 36)
    assert category_color("cat") == (114, 191, 67)
    assert category_color("dog") == (242, 36, 174)


def test_coco_categories_get_distinct_colors() -> None:
    colors = {category_color(category) for category in COCO_CATEGORIES}

    assert len(COCO_CATEGORIES) == 80
    assert len(colors) == 80


def test_unknown_category_color_is_stable() -> None:
    color = category_color("traffic cone")

    assert color == category_color("traffic cone")
    assert color != category_color("traffic sign")
    assert all(0 <= channel <= 255 for channel in color)


def test_box_outline_has_category_color() -> None:
    drawn = draw_detections(grey_image(), [CAT])

    # Line width is 2 pixels on a 200-pixel image, drawn inside the box.
    assert drawn.getpixel((50, 65)) == CAT_COLOR
    assert drawn.getpixel((51, 65)) == CAT_COLOR
    assert drawn.getpixel((52, 65)) == GREY
    assert drawn.getpixel((150, 65)) == CAT_COLOR
    assert drawn.getpixel((100, 90)) == CAT_COLOR
    assert drawn.getpixel((100, 65)) == GREY


def test_label_tag_sits_above_box() -> None:
    drawn = draw_detections(grey_image(), [CAT])

    assert drawn.getpixel((50, 39)) == CAT_COLOR
    assert drawn.getpixel((50, 30)) == CAT_COLOR
    assert drawn.getpixel((50, 20)) == GREY


def test_label_tag_inside_box_at_top() -> None:
    at_top = DetectedObject("cat", 0.94, BoundingBox(left=50, top=0, width=100, height=90))

    drawn = draw_detections(grey_image(), [at_top])

    # The tag covers the top left corner of the box and some rows below it.
    assert drawn.getpixel((52, 3)) == CAT_COLOR
    assert drawn.getpixel((52, 10)) == CAT_COLOR


def test_label_has_text_pixels() -> None:
    drawn = np.asarray(draw_detections(grey_image(), [CAT]))
    tag = drawn[26:40, 52:100]

    text_pixels = np.all(tag != CAT_COLOR, axis=-1).sum()

    assert text_pixels > 20


def test_box_on_border_stays_visible() -> None:
    whole = DetectedObject("dining table", 0.55, BoundingBox(left=0, top=0, width=200, height=100))
    color = category_color("dining table")

    drawn = draw_detections(grey_image(), [whole])

    assert drawn.getpixel((199, 50)) == color
    assert drawn.getpixel((100, 99)) == color
    assert drawn.getpixel((0, 50)) == color


def test_line_width_grows_with_image() -> None:
    large_cat = DetectedObject("cat", 0.94, BoundingBox(left=500, top=400, width=1000, height=500))

    drawn = draw_detections(grey_image(2000, 1000), [large_cat])

    # 2000 pixels / 200 pixels per line width = 10 pixels.
    assert drawn.getpixel((509, 650)) == CAT_COLOR
    assert drawn.getpixel((510, 650)) == GREY


def test_min_score_leaves_out_objects() -> None:
    drawn = draw_detections(grey_image(), [CAT], min_score=0.95)

    assert drawn.tobytes() == grey_image().tobytes()


def test_input_image_is_not_modified() -> None:
    image = grey_image()

    drawn = draw_detections(image, [CAT])

    assert drawn is not image
    assert image.getpixel((50, 65)) == GREY


def test_object_forms_draw_identically() -> None:
    as_dict = {"category": "cat", "score": 0.94, "bounding_box": {"left": 50, "top": 40, "width": 100, "height": 50}}
    as_namespace = SimpleNamespace(
        category="cat", score=0.94, bounding_box=SimpleNamespace(left=50, top=40, width=100, height=50)
    )
    as_detections = Detections(0, "01H2ZQ8VJ7R5M1XK3B2C4D6E8F", "models/yolov7", "TASK_DETECTION", (CAT,))

    expected = draw_detections(grey_image(), [CAT]).tobytes()

    assert draw_detections(grey_image(), [as_dict]).tobytes() == expected
    assert draw_detections(grey_image(), [as_namespace]).tobytes() == expected
    assert draw_detections(grey_image(), as_detections).tobytes() == expected


def test_image_forms_draw_identically() -> None:
    path = sample_path("chelsea.jpg")

    from_path = draw_detections(path, [CAT])
    from_text_path = draw_detections(str(path), [CAT])
    from_bytes = draw_detections(path.read_bytes(), [CAT])
    from_image = draw_detections(Image.open(path), [CAT])

    assert from_path.mode == "RGB"
    assert from_path.size == (451, 300)
    assert from_text_path.tobytes() == from_path.tobytes()
    assert from_bytes.tobytes() == from_path.tobytes()
    assert from_image.tobytes() == from_path.tobytes()


def test_transparency_composited_on_white() -> None:
    transparent = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    buffer = io.BytesIO()
    transparent.save(buffer, format="PNG")

    drawn = draw_detections(buffer.getvalue(), [CAT])

    assert drawn.mode == "RGB"
    assert drawn.getpixel((100, 65)) == (255, 255, 255)
    assert drawn.getpixel((50, 65)) == CAT_COLOR


def test_grayscale_image_becomes_rgb() -> None:
    drawn = draw_detections(Image.new("L", (200, 100), 128), [CAT])

    assert drawn.mode == "RGB"
    assert drawn.getpixel((100, 65)) == GREY


def test_drawing_is_deterministic() -> None:
    first = draw_detections(sample_path("coffee.jpg"), [CAT])
    second = draw_detections(sample_path("coffee.jpg"), [CAT])

    assert first.tobytes() == second.tobytes()


def test_missing_image_file_raises() -> None:
    with pytest.raises(FileNotFoundError):
        draw_detections("no-such-image.jpg", [CAT])


def test_side_by_side_shows_both_images() -> None:
    figure = plot_side_by_side(grey_image(), [CAT])

    left, right = figure.axes
    assert [axis.get_title() for axis in figure.axes] == ["Input", "Detections"]
    assert not left.axison
    assert not right.axison
    assert np.array_equal(left.images[0].get_array(), np.asarray(grey_image()))
    assert np.array_equal(right.images[0].get_array(), np.asarray(draw_detections(grey_image(), [CAT])))


def test_side_by_side_custom_titles() -> None:
    figure = plot_side_by_side(grey_image(), [CAT], titles=("Photo", "YOLOv7"))

    assert [axis.get_title() for axis in figure.axes] == ["Photo", "YOLOv7"]


def test_side_by_side_keeps_aspect_ratio() -> None:
    figure = plot_side_by_side(grey_image(200, 100), [CAT])

    width, height = figure.get_size_inches()
    assert width == 10.0
    assert height == pytest.approx(3.1)
