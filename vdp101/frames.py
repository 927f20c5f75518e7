"""Split an animated GIF into still frames, and stitch frames back into a GIF.

A pipeline takes still images, so an animation is sent frame by frame. Frames are
written as PNG files because PNG is lossless: the gateway receives the exact pixels
of each frame. Transparent pixels are composited over white, as the local gateway
does when it reads an image.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["build_gif", "frame_durations", "plot_frames", "read_frames", "split_frames"]

logger = logging.getLogger(__name__)

DEFAULT_FRAME_DURATION_MS = 200
"""Display time of one frame of a built GIF, in milliseconds, unless the caller sets one."""

PANEL_INCHES = 1.6
"""Width of one frame in a plot_frames figure, in inches."""

FrameSource = Union["Image.Image", str, os.PathLike]


def read_frames(path: str | os.PathLike) -> list[Image.Image]:
    """Decode every frame of an image file as an RGB image.

    Args:
        path: an animated GIF (or any image file; a still image gives one frame).

    Returns:
        One fully loaded RGB image per frame, in display order.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        PIL.UnidentifiedImageError: the file is not an image.
    """
    from PIL import Image, ImageSequence

    with Image.open(path) as animation:
        frames = [_flatten(frame) for frame in ImageSequence.Iterator(animation)]
    logger.debug("Read %d frames from %s", len(frames), path)
    return frames


def frame_durations(path: str | os.PathLike) -> list[int]:
    """Return the display time of each frame of an animated file, in milliseconds.

    A frame without a recorded duration counts as ``DEFAULT_FRAME_DURATION_MS``.
    """
    from PIL import Image, ImageSequence

    with Image.open(path) as animation:
        return [
            int(frame.info.get("duration") or DEFAULT_FRAME_DURATION_MS)
            for frame in ImageSequence.Iterator(animation)
        ]


def split_frames(
    path: str | os.PathLike,
    output_dir: str | os.PathLike,
    *,
    prefix: str | None = None,
) -> list[Path]:
    """Write each frame of an animated file as a PNG file.

    Args:
        path: the animated GIF to split.
        output_dir: folder for the frames; it is created when missing.
        prefix: start of each file name; the default is the stem of ``path``.
            Files are named ``{prefix}-000.png``, ``{prefix}-001.png``, ...

    Returns:
        The paths of the written frames, in display order.
    """
    source = Path(path)
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = prefix if prefix is not None else source.stem

    paths = []
    for position, frame in enumerate(read_frames(source)):
        frame_path = folder / f"{stem}-{position:03d}.png"
        frame.save(frame_path, format="PNG")
        paths.append(frame_path)
    logger.info("Split %s into %d frames in %s", source, len(paths), folder)
    return paths


def build_gif(
    frames: Sequence[FrameSource],
    output_path: str | os.PathLike,
    *,
    duration_ms: int | Sequence[int] = DEFAULT_FRAME_DURATION_MS,
    loop: int = 0,
) -> Path:
    """Stitch frames into an animated GIF.

    Args:
        frames: Pillow images or paths of image files, in display order. All must
            have the size of the first one.
        output_path: the GIF file to write; its folder must exist.
        duration_ms: display time of every frame, or one value per frame, in milliseconds.
        loop: how many times viewers repeat the animation; 0 repeats it forever.

    Returns:
        ``output_path`` as a Path.

    Raises:
        ValueError: ``frames`` is empty, the frames differ in size, or
            ``duration_ms`` has a length other than the number of frames.
    """
    if not frames:
        raise ValueError("build_gif needs at least one frame; frames is empty.")
    images = [_load_frame(frame) for frame in frames]

    size = images[0].size
    for position, image in enumerate(images):
        if image.size != size:
            raise ValueError(
                f"Frame {position} is {image.width}x{image.height} pixels but frame 0 is "
                f"{size[0]}x{size[1]}. Resize the frames to one size first."
            )
    if not isinstance(duration_ms, int):
        durations = list(duration_ms)
        if len(durations) != len(images):
            raise ValueError(
                f"duration_ms has {len(durations)} values for {len(images)} frames. "
                "Give one value per frame, or a single int for all."
            )
    else:
        durations = [duration_ms] * len(images)

    target = Path(output_path)
    images[0].save(
        target,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=loop,
    )
    logger.info("Wrote %d frames to %s", len(images), target)
    return target


def plot_frames(
    frames: Sequence[FrameSource],
    *,
    columns: int = 6,
    titles: Sequence[str] | None = None,
) -> Figure:
    """Show frames in a grid, left to right and then top to bottom.

    Args:
        frames: Pillow images or paths of image files.
        columns: frames per row.
        titles: one title per frame; the default is "frame 0", "frame 1", ...

    Returns:
        A matplotlib Figure with the axes turned off. It is closed in pyplot, so a
        notebook shows it once, as the cell's value.

    Raises:
        ValueError: ``frames`` is empty, ``columns`` is below 1, or ``titles`` has
            a length other than the number of frames.
    """
    import matplotlib.pyplot as plt

    if not frames:
        raise ValueError("plot_frames needs at least one frame; frames is empty.")
    if columns < 1:
        raise ValueError(f"columns is {columns}; use 1 or more.")
    labels = list(titles) if titles is not None else [f"frame {position}" for position in range(len(frames))]
    if len(labels) != len(frames):
        raise ValueError(f"titles has {len(labels)} values for {len(frames)} frames. Give one title per frame.")

    images = [_load_frame(frame) for frame in frames]
    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    aspect = images[0].height / images[0].width
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(columns * PANEL_INCHES, rows * (PANEL_INCHES * aspect + 0.3)),
        layout="constrained",
        squeeze=False,
    )
    plt.close(figure)
    for position, axis in enumerate(axes.flat):
        axis.set_axis_off()
        if position < len(images):
            axis.imshow(images[position])
            axis.set_title(labels[position], fontsize=9)
    return figure


def _load_frame(frame: FrameSource) -> Image.Image:
    from PIL import Image

    if isinstance(frame, Image.Image):
        return _flatten(frame)
    with Image.open(frame) as image:
        return _flatten(image)


def _flatten(image: Image.Image) -> Image.Image:
    """Return an RGB copy of ``image`` with transparent pixels composited over white."""
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("RGB")
    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
    background.alpha_composite(image.convert("RGBA"))
    return background.convert("RGB")
