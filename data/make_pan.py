"""Make pan.gif, a slow pan across coffee.jpg, and record its boxes in annotations.json.

The photo is halved to 300 x 200 pixels and a 160 x 160 window moves from its
left edge to its right edge in 12 equal steps, one GIF frame per step. Each
frame's objects are the recorded boxes of coffee.jpg, halved, shifted by the
window's offset and clipped to the window. An object stays in a frame while at
least MIN_VISIBLE_FRACTION of its box area is inside the window, so the spoon
appears only once the window has moved far enough to the right.

Run it from any folder with the project's environment:

    python data/make_pan.py

It rewrites data/pan.gif and the "pan.gif" entry of data/annotations.json, and
leaves the other entries unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image

DATA_DIR = Path(__file__).resolve().parent
SOURCE_NAME = "coffee.jpg"
OUTPUT_NAME = "pan.gif"

SCALE = 0.5
"""Factor applied to the photo (and its boxes) before cropping."""
WINDOW_SIZE = (160, 160)
"""Width and height of each frame, in pixels of the halved photo."""
FRAME_COUNT = 12
FRAME_DURATION_MS = 200
MIN_VISIBLE_FRACTION = 0.3
"""Smallest part of a box's area that must be inside the window for the object to count."""


def window_offsets(scaled_size: tuple[int, int]) -> list[tuple[int, int]]:
    """Return the top-left corner of the window in each frame: left to right, centred vertically."""
    width, height = scaled_size
    travel = width - WINDOW_SIZE[0]
    top = (height - WINDOW_SIZE[1]) // 2
    return [(round(step * travel / (FRAME_COUNT - 1)), top) for step in range(FRAME_COUNT)]


def scale_box(box: dict[str, int]) -> tuple[float, float, float, float]:
    """Return the edges (left, top, right, bottom) of a recorded box after scaling."""
    return (
        box["left"] * SCALE,
        box["top"] * SCALE,
        (box["left"] + box["width"]) * SCALE,
        (box["top"] + box["height"]) * SCALE,
    )


def frame_objects(objects: list[dict[str, Any]], offset: tuple[int, int]) -> list[dict[str, Any]]:
    """Shift and clip the source objects into one window, and drop those mostly outside it."""
    window_left, window_top = offset
    window_right = window_left + WINDOW_SIZE[0]
    window_bottom = window_top + WINDOW_SIZE[1]

    visible = []
    for item in objects:
        left, top, right, bottom = scale_box(item["bounding_box"])
        clipped_left = max(left, window_left)
        clipped_top = max(top, window_top)
        clipped_right = min(right, window_right)
        clipped_bottom = min(bottom, window_bottom)
        if clipped_right <= clipped_left or clipped_bottom <= clipped_top:
            continue
        visible_area = (clipped_right - clipped_left) * (clipped_bottom - clipped_top)
        if visible_area < MIN_VISIBLE_FRACTION * (right - left) * (bottom - top):
            continue

        # Round the edges, not the width and height, so that a box touching the
        # window's edge stays flush with it.
        box_left = round(clipped_left) - window_left
        box_top = round(clipped_top) - window_top
        visible.append(
            {
                "category": item["category"],
                "score": item["score"],
                "bounding_box": {
                    "left": box_left,
                    "top": box_top,
                    "width": round(clipped_right) - window_left - box_left,
                    "height": round(clipped_bottom) - window_top - box_top,
                },
            }
        )
    return visible


def make_frames(photo: Image.Image) -> tuple[list[Image.Image], list[tuple[int, int]]]:
    """Return the palette frames of the pan and the window offset of each."""
    scaled_size = (round(photo.width * SCALE), round(photo.height * SCALE))
    scaled = photo.convert("RGB").resize(scaled_size, Image.Resampling.LANCZOS)

    # One palette, made from the whole scaled photo, serves every frame, so a
    # colour of the photo looks the same in all frames.
    palette = scaled.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    offsets = window_offsets(scaled_size)
    frames = []
    for left, top in offsets:
        crop = scaled.crop((left, top, left + WINDOW_SIZE[0], top + WINDOW_SIZE[1]))
        frames.append(crop.quantize(palette=palette, dither=Image.Dither.NONE))
    return frames, offsets


def format_annotations(annotations: dict[str, Any]) -> str:
    """Serialise annotations with one object per line, the layout of annotations.json."""
    lines = ["{"]
    entries = list(annotations.items())
    for entry_position, (name, entry) in enumerate(entries):
        lines.append(f"  {json.dumps(name)}: {{")
        fields = list(entry.items())
        for field_position, (field, value) in enumerate(fields):
            field_comma = "," if field_position < len(fields) - 1 else ""
            if field == "objects":
                lines.append('    "objects": [')
                lines.extend(_object_lines(value, "      "))
                lines.append(f"    ]{field_comma}")
            elif field == "frames":
                lines.append('    "frames": [')
                for frame_position, objects in enumerate(value):
                    frame_comma = "," if frame_position < len(value) - 1 else ""
                    if not objects:
                        lines.append(f"      []{frame_comma}")
                        continue
                    lines.append("      [")
                    lines.extend(_object_lines(objects, "        "))
                    lines.append(f"      ]{frame_comma}")
                lines.append(f"    ]{field_comma}")
            else:
                lines.append(f"    {json.dumps(field)}: {json.dumps(value)}{field_comma}")
        entry_comma = "," if entry_position < len(entries) - 1 else ""
        lines.append(f"  }}{entry_comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _object_lines(objects: list[dict[str, Any]], indent: str) -> list[str]:
    return [
        f"{indent}{json.dumps(item)}{',' if position < len(objects) - 1 else ''}"
        for position, item in enumerate(objects)
    ]


def main() -> None:
    annotations_path = DATA_DIR / "annotations.json"
    annotations = json.loads(annotations_path.read_text(encoding="utf-8"))
    source_objects = annotations[SOURCE_NAME]["objects"]

    with Image.open(DATA_DIR / SOURCE_NAME) as photo:
        frames, offsets = make_frames(photo)
    frames[0].save(
        DATA_DIR / OUTPUT_NAME,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=FRAME_DURATION_MS,
        loop=0,
    )

    annotations[OUTPUT_NAME] = {"frames": [frame_objects(source_objects, offset) for offset in offsets]}
    annotations_path.write_text(format_annotations(annotations), encoding="utf-8")
    counts = [len(objects) for objects in annotations[OUTPUT_NAME]["frames"]]
    print(f"Wrote {DATA_DIR / OUTPUT_NAME} ({len(frames)} frames) and its boxes; objects per frame: {counts}")


if __name__ == "__main__":
    main()
