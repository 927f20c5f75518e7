"""Tests for splitting animated GIFs into frames and building them back."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from vdp101.frames import build_gif, frame_durations, plot_frames, read_frames, split_frames
from vdp101.gateway.model import StandInDetector
from vdp101.samples import data_dir, sample_path


def test_split_pan_writes_twelve_pngs(tmp_path):
    paths = split_frames(sample_path("pan.gif"), tmp_path / "frames")

    assert [path.name for path in paths] == [f"pan-{i:03d}.png" for i in range(12)]
    with Image.open(paths[5]) as frame:
        assert frame.format == "PNG"
        assert frame.mode == "RGB"
        assert frame.size == (160, 160)


def test_split_frames_uses_given_prefix(tmp_path):
    paths = split_frames(sample_path("pan.gif"), tmp_path, prefix="cow")

    assert paths[0] == tmp_path / "cow-000.png"
    assert paths[-1] == tmp_path / "cow-011.png"


def test_split_frames_match_recorded_annotations(tmp_path):
    """Each PNG frame has the pixels that the stand-in detector recorded for it."""
    detector = StandInDetector(data_dir())
    recorded = json.loads((data_dir() / "annotations.json").read_text())["pan.gif"]["frames"]

    for position, path in enumerate(split_frames(sample_path("pan.gif"), tmp_path)):
        with Image.open(path) as frame:
            assert detector.detect(frame) == recorded[position]


def test_pan_frame_counts_show_spoon_entering():
    recorded = json.loads((data_dir() / "annotations.json").read_text())["pan.gif"]["frames"]

    counts = [len(objects) for objects in recorded]
    assert counts == [2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    assert recorded[2][1] == {
        "category": "spoon",
        "score": 0.78,
        "bounding_box": {"left": 137, "top": 12, "width": 23, "height": 131},
    }


def test_frame_durations_of_pan():
    assert frame_durations(sample_path("pan.gif")) == [200] * 12


def test_build_gif_round_trips_frames(tmp_path):
    colours = [(255, 0, 0), (0, 128, 0), (0, 0, 255)]
    frames = [Image.new("RGB", (20, 10), colour) for colour in colours]

    path = build_gif(frames, tmp_path / "out.gif", duration_ms=[100, 150, 300])

    assert path == tmp_path / "out.gif"
    assert frame_durations(path) == [100, 150, 300]
    assert [frame.getpixel((5, 5)) for frame in read_frames(path)] == colours


def test_build_gif_reads_frame_paths(tmp_path):
    frame_paths = split_frames(sample_path("pan.gif"), tmp_path / "frames")

    path = build_gif(frame_paths[:3], tmp_path / "three.gif")

    with Image.open(path) as animation:
        assert animation.n_frames == 3
        assert animation.size == (160, 160)


def test_build_gif_composites_transparency_on_white(tmp_path):
    transparent = Image.new("RGBA", (4, 4), (0, 0, 0, 0))

    path = build_gif([transparent], tmp_path / "white.gif")

    assert read_frames(path)[0].getpixel((1, 1)) == (255, 255, 255)


def test_build_gif_rejects_empty_frames(tmp_path):
    with pytest.raises(ValueError, match="^build_gif needs at least one frame; frames is empty.$"):
        build_gif([], tmp_path / "empty.gif")


def test_build_gif_rejects_mixed_sizes(tmp_path):
    frames = [Image.new("RGB", (20, 10)), Image.new("RGB", (10, 10))]

    with pytest.raises(ValueError) as raised:
        build_gif(frames, tmp_path / "mixed.gif")

    assert str(raised.value) == (
        "Frame 1 is 10x10 pixels but frame 0 is 20x10. Resize the frames to one size first."
    )


def test_build_gif_rejects_wrong_duration_count(tmp_path):
    frames = [Image.new("RGB", (4, 4))] * 3

    with pytest.raises(ValueError) as raised:
        build_gif(frames, tmp_path / "bad.gif", duration_ms=[100, 200])

    assert str(raised.value) == (
        "duration_ms has 2 values for 3 frames. Give one value per frame, or a single int for all."
    )


def test_plot_frames_fills_grid_rows():
    frames = [Image.new("RGB", (40, 20), (10 * i, 0, 0)) for i in range(7)]

    figure = plot_frames(frames, columns=3)

    assert len(figure.axes) == 9
    assert [axis.get_title() for axis in figure.axes] == [f"frame {i}" for i in range(7)] + ["", ""]
    assert [len(axis.images) for axis in figure.axes] == [1] * 7 + [0, 0]


def test_plot_frames_uses_given_titles():
    frames = [Image.new("RGB", (10, 10))] * 2

    figure = plot_frames(frames, titles=["first", "second"])

    assert [axis.get_title() for axis in figure.axes] == ["first", "second"]


def test_plot_frames_rejects_title_count():
    with pytest.raises(ValueError) as raised:
        plot_frames([Image.new("RGB", (10, 10))], titles=["a", "b"])

    assert str(raised.value) == "titles has 2 values for 1 frames. Give one title per frame."
