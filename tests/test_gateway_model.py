"""Tests for the stand-in detector that replays recorded annotations."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image

from vdp101.gateway import model
from vdp101.gateway.model import StandInDetector, pixel_digest
from vdp101.samples import data_dir, sample_path


@pytest.fixture(scope="module")
def detector() -> StandInDetector:
    return StandInDetector(data_dir())


def _reencode(image: Image.Image, image_format: str, **options) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return Image.open(io.BytesIO(buffer.getvalue()))


def test_detect_returns_recorded_cat(detector):
    objects = detector.detect(Image.open(sample_path("chelsea.jpg")))

    assert objects == [
        {
            "category": "cat",
            "score": 0.94,
            "bounding_box": {"top": 0, "left": 18, "width": 384, "height": 300},
        }
    ]


def test_detect_keeps_annotation_order(detector):
    objects = detector.detect(Image.open(sample_path("coffee.jpg")))

    assert [item["category"] for item in objects] == ["cup", "spoon", "dining table"]


@pytest.mark.parametrize("name", ["astronaut.jpg", "chelsea.jpg", "coffee.jpg", "horse.png"])
def test_lossless_png_copy_matches_sample(detector, name):
    original = Image.open(sample_path(name))
    copy = _reencode(original, "PNG")

    assert pixel_digest(copy) == pixel_digest(original)
    assert detector.detect(copy) == detector.detect(original)


def test_recompressed_jpeg_matches_sample(detector):
    original = Image.open(sample_path("astronaut.jpg"))
    copy = _reencode(original, "JPEG", quality=40)

    assert pixel_digest(copy) != pixel_digest(original)
    assert detector.detect(copy) == detector.detect(original)


def test_resized_copy_gets_scaled_boxes(detector):
    original = Image.open(sample_path("coffee.jpg"))
    half = original.resize((300, 200))

    objects = detector.detect(half)

    assert objects[0]["category"] == "cup"
    assert objects[0]["bounding_box"] == {"top": 8, "left": 86, "width": 118, "height": 146}


def test_unknown_image_has_no_objects(detector):
    assert detector.detect(Image.new("RGB", (451, 300), (120, 100, 80))) == []


def test_transparent_sample_uses_visible_pixels(detector):
    horse = Image.open(sample_path("horse.png"))
    alpha_dropped = horse.convert("RGB")

    assert detector.detect(horse)[0]["category"] == "horse"
    assert detector.detect(alpha_dropped) == []


def test_animation_frames_have_own_objects(tmp_path):
    red = Image.new("RGB", (64, 48), (200, 30, 30))
    blue = Image.new("RGB", (64, 48), (30, 30, 200))
    red.save(tmp_path / "clip.gif", save_all=True, append_images=[blue], duration=100)
    box = {"top": 1, "left": 2, "width": 3, "height": 4}
    annotations = {
        "clip.gif": {
            "frames": [
                [{"category": "apple", "score": 0.5, "bounding_box": box}],
                [{"category": "orange", "score": 0.6, "bounding_box": box}],
            ]
        }
    }
    (tmp_path / "annotations.json").write_text(json.dumps(annotations))

    detector = StandInDetector(tmp_path)

    assert detector.sample_count == 2
    assert detector.detect(red)[0]["category"] == "apple"
    assert detector.detect(blue)[0]["category"] == "orange"


def test_missing_annotations_file_detects_nothing(tmp_path):
    detector = StandInDetector(tmp_path)

    assert detector.sample_count == 0
    assert detector.detect(Image.open(sample_path("chelsea.jpg"))) == []


def test_pixel_digest_hashes_bands_in_order(monkeypatch):
    image = Image.effect_noise((37, 23), 64).convert("RGB")
    expected = hashlib.sha256(b"37x23:" + image.tobytes()).hexdigest()
    # 5 rows of 37 pixels per band: four full bands and a last band of 3 rows.
    monkeypatch.setattr(model, "DIGEST_BAND_BYTES", 5 * 37 * 3)

    assert pixel_digest(image) == expected
