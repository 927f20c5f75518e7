"""Draw detected objects on their image with Pillow, and show them with matplotlib.

Each COCO category has a fixed colour, so a "dog" box looks the same in every figure.
Line width and label size grow with the image, so labels stay readable on a 64-pixel
thumbnail and on a 4000-pixel photo.
"""

from __future__ import annotations

import colorsys
import io
import os
import zlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union

from vdp101.coco import COCO_CATEGORIES
from vdp101.responses import Detections

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["category_color", "draw_detections", "plot_side_by_side"]

ImageInput = Union[str, "os.PathLike[str]", bytes, "Image.Image"]

# The golden ratio spreads consecutive class ids around the hue circle, so neighbours
# in the COCO list ("cat", "dog", "horse") get clearly different colours.
_HUE_STEP = 0.618033988749895

# Image size (the longer side, in pixels) per pixel of box line width and of label font size.
_PIXELS_PER_LINE_WIDTH = 200
_PIXELS_PER_FONT_SIZE = 32
_MIN_LINE_WIDTH = 2
_MIN_FONT_SIZE = 10


def category_color(category: str) -> tuple[int, int, int]:
    """Return the RGB colour for a category name.

    The 80 COCO categories get fixed colours by class id. Other names get a colour
    derived from a CRC-32 of the name, which is the same in every run.
    """
    if category in COCO_CATEGORIES:
        class_id = COCO_CATEGORIES.index(category)
        hue = (class_id * _HUE_STEP) % 1.0
        # Alternate two brightness levels so that colours of similar hue stay apart.
        saturation, value = (0.85, 0.95) if class_id % 2 == 0 else (0.65, 0.75)
    else:
        hue = zlib.crc32(category.encode("utf-8")) / 0xFFFFFFFF
        saturation, value = 0.75, 0.85

    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return round(red * 255), round(green * 255), round(blue * 255)


def draw_detections(
    image: ImageInput,
    objects: Detections | Iterable[Any],
    *,
    min_score: float = 0.0,
) -> Image.Image:
    """Draw a box and a "category score" label for each object on a copy of the image.

    Args:
        image: a file path, the file's bytes, or a PIL image. Transparent images are
            composited on white. The input image is not modified.
        objects: a Detections, or objects with ``category``, ``score`` and
            ``bounding_box`` (``left``, ``top``, ``width``, ``height`` in pixels): the
            DetectedObject dataclass, SimpleNamespace objects from
            parse_response_namespace, or dicts from the JSON body.
        min_score: objects with a lower score (0 to 1) are left out.

    Returns:
        A new RGB image.
    """
    from PIL import ImageDraw, ImageFont

    canvas = _load_rgb(image)
    draw = ImageDraw.Draw(canvas)
    longer_side = max(canvas.size)
    line_width = max(_MIN_LINE_WIDTH, round(longer_side / _PIXELS_PER_LINE_WIDTH))
    font = ImageFont.load_default(size=max(_MIN_FONT_SIZE, round(longer_side / _PIXELS_PER_FONT_SIZE)))

    if isinstance(objects, Detections):
        objects = objects.objects
    for detected in objects:
        category, score, (left, top, width, height) = _read_object(detected)
        if score < min_score:
            continue

        color = category_color(category)
        # The outline is drawn inside the rectangle, so clamping to the last pixel
        # keeps a box that touches the image border visible on all four sides.
        right = min(left + width, canvas.width - 1)
        bottom = min(top + height, canvas.height - 1)
        draw.rectangle((left, top, right, bottom), outline=color, width=line_width)
        label = f"{category} {score:.2f}"
        _draw_label(draw, label, font, color, left=left, top=top, line_width=line_width, image_size=canvas.size)
    return canvas


def plot_side_by_side(
    image: ImageInput,
    objects: Detections | Iterable[Any],
    *,
    titles: tuple[str, str] = ("Input", "Detections"),
    min_score: float = 0.0,
) -> Figure:
    """Show the image and the image with its detections next to each other.

    Args:
        image, objects, min_score: as for draw_detections.
        titles: titles of the left and right panels.

    Returns:
        A matplotlib Figure with both axes turned off. It is closed in pyplot, so a
        notebook shows it once, as the cell's value.
    """
    import matplotlib.pyplot as plt

    original = _load_rgb(image)
    drawn = draw_detections(original, objects, min_score=min_score)

    panel_width = 5.0
    panel_height = panel_width * original.height / original.width
    figure, axes = plt.subplots(1, 2, figsize=(2 * panel_width, panel_height + 0.6), layout="constrained")
    plt.close(figure)
    for axis, panel_image, title in zip(axes, (original, drawn), titles):
        axis.imshow(panel_image)
        axis.set_title(title)
        axis.set_axis_off()
    return figure


def _load_rgb(image: ImageInput) -> Image.Image:
    """Open the image and return an RGB copy, with transparency composited on white."""
    from PIL import Image

    if isinstance(image, Image.Image):
        source = image
    elif isinstance(image, bytes):
        source = Image.open(io.BytesIO(image))
    else:
        source = Image.open(os.fspath(image))
    source.load()

    if source.mode == "P" and "transparency" in source.info:
        source = source.convert("RGBA")
    if source.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", source.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, source.convert("RGBA")).convert("RGB")
    return source.convert("RGB")


def _read_object(detected: Any) -> tuple[str, float, tuple[float, float, float, float]]:
    """Return category, score and (left, top, width, height) of a dataclass, namespace or dict."""
    if isinstance(detected, Mapping):
        box = detected["bounding_box"]
        return detected["category"], detected["score"], (box["left"], box["top"], box["width"], box["height"])
    box = detected.bounding_box
    return detected.category, detected.score, (box.left, box.top, box.width, box.height)


def _draw_label(
    draw: Any,
    label: str,
    font: Any,
    color: tuple[int, int, int],
    *,
    left: float,
    top: float,
    line_width: int,
    image_size: tuple[int, int],
) -> None:
    """Draw the label on a tag filled with the box colour, above the box where it fits."""
    text_left, text_top, text_right, text_bottom = draw.textbbox((0, 0), label, font=font)
    padding = line_width
    tag_width = text_right - text_left + 2 * padding
    tag_height = text_bottom - text_top + 2 * padding
    image_width, image_height = image_size

    # The tag goes above the box if there is room, else inside its top edge, and never past the right border.
    tag_top = top - tag_height if top >= tag_height else top
    tag_top = max(0, min(tag_top, image_height - tag_height))
    tag_left = max(0, min(left, image_width - tag_width))
    draw.rectangle((tag_left, tag_top, tag_left + tag_width - 1, tag_top + tag_height - 1), fill=color)

    red, green, blue = color
    # Black text on light tags, white on dark ones (ITU-R BT.601 luma).
    text_color = (0, 0, 0) if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else (255, 255, 255)
    draw.text((tag_left + padding - text_left, tag_top + padding - text_top), label, font=font, fill=text_color)
