"""Tests for the stand-in detector that replays recorded annotations."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image

from vdp101.gateway import model
from vdp101.gateway.images import ImageDecodeError
from vdp101.gateway.model import StandInDetector, encoded_digest, pixel_digest
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


# -- Results kept by the SHA-256 of the encoded file ---------------------------------


CHELSEA_OBJECTS = [
    {"category": "cat", "score": 0.94, "bounding_box": {"top": 0, "left": 18, "width": 384, "height": 300}}
]


def _png_of_color(value: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (value, value, value)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def decode_calls(monkeypatch) -> list[str]:
    """Record the source of every decode_image call that the detector makes."""
    calls: list[str] = []
    real_decode = model.decode_image

    def counting_decode(data, *, source):
        calls.append(source)
        return real_decode(data, source=source)

    monkeypatch.setattr(model, "decode_image", counting_decode)
    return calls


def test_detect_encoded_repeat_skips_decoding(decode_calls):
    detector = StandInDetector(data_dir())
    data = sample_path("chelsea.jpg").read_bytes()

    first = detector.detect_encoded(data, source="first")
    second = detector.detect_encoded(data, source="second")

    assert first == CHELSEA_OBJECTS
    assert second == CHELSEA_OBJECTS
    assert decode_calls == ["first"]
    assert detector.cached_file_count == 1


def test_detect_encoded_result_changes_stay_local():
    detector = StandInDetector(data_dir())
    data = sample_path("chelsea.jpg").read_bytes()

    first = detector.detect_encoded(data, source="first")
    first[0]["bounding_box"]["top"] = 99
    first.append({"category": "dog"})
    second = detector.detect_encoded(data, source="second")
    second[0]["category"] = "tiger"

    assert detector.detect_encoded(data, source="third") == CHELSEA_OBJECTS


def test_detect_encoded_matches_pixel_lookup():
    detector = StandInDetector(data_dir())
    original = Image.open(sample_path("coffee.jpg"))
    png = io.BytesIO()
    original.save(png, format="PNG")

    objects = detector.detect_encoded(png.getvalue(), source="coffee.png")

    assert objects == detector.detect(original)
    assert [item["category"] for item in objects] == ["cup", "spoon", "dining table"]


def test_detect_encoded_rejects_undecodable_every_time(decode_calls):
    detector = StandInDetector(data_dir())

    for attempt in ("first", "second"):
        with pytest.raises(ImageDecodeError) as raised:
            detector.detect_encoded(b"plain text", source=attempt)
        assert str(raised.value) == (
            f"{attempt} is not a decodable image (10 bytes): the format is not one that "
            "Pillow recognises. Send a JPEG or PNG file."
        )

    assert decode_calls == ["first", "second"]
    assert detector.cached_file_count == 0


def test_result_cache_drops_least_recent(decode_calls):
    detector = StandInDetector(data_dir(), cache_size=3)
    files = [_png_of_color(value) for value in (10, 20, 30, 40)]

    for position, data in enumerate(files[:3]):
        detector.detect_encoded(data, source=f"file {position}")
    detector.detect_encoded(files[0], source="file 0 again")
    detector.detect_encoded(files[3], source="file 3")

    assert detector.cached_file_count == 3
    # File 1 was the least recently used when file 3 arrived, so it was dropped.
    detector.detect_encoded(files[1], source="file 1 again")
    assert decode_calls == ["file 0", "file 1", "file 2", "file 3", "file 1 again"]
    assert detector.cached_file_count == 3


def test_result_cache_size_zero_keeps_nothing(decode_calls):
    detector = StandInDetector(data_dir(), cache_size=0)
    data = sample_path("chelsea.jpg").read_bytes()

    assert detector.detect_encoded(data, source="first") == CHELSEA_OBJECTS
    assert detector.detect_encoded(data, source="second") == CHELSEA_OBJECTS
    assert decode_calls == ["first", "second"]
    assert detector.cached_file_count == 0


def test_detect_encoded_reads_file_in_place(decode_calls):
    detector = StandInDetector(data_dir())
    data = sample_path("chelsea.jpg").read_bytes()
    upload = io.BytesIO(data)

    assert detector.detect_encoded(upload, source="upload") == CHELSEA_OBJECTS
    assert detector.detect_encoded(data, source="same bytes") == CHELSEA_OBJECTS
    assert decode_calls == ["upload"]


def test_encoded_digest_of_file_restores_position(monkeypatch):
    data = bytes(range(256)) * 50
    stream = io.BytesIO(b"head" + data)
    stream.seek(4)
    monkeypatch.setattr(model, "ENCODED_CHUNK_BYTES", 1000)

    assert encoded_digest(stream) == hashlib.sha256(data).digest()
    assert stream.tell() == 4
    assert encoded_digest(data) == hashlib.sha256(data).digest()


def test_base64_cache_matches_exact_text():
    detector = StandInDetector(data_dir())
    objects = detector.detect_encoded(sample_path("chelsea.jpg").read_bytes(), source="chelsea.jpg")

    detector.keep_base64_objects("Y2hlbHNlYQ==", objects)
    objects[0]["score"] = 0.1

    assert detector.cached_base64_objects("Y2hlbHNlYQ==") == CHELSEA_OBJECTS
    assert detector.cached_base64_objects("Y2hlbHNlYQ==\n") is None
    assert detector.cached_file_count == 1


def test_base64_cache_stays_bounded():
    detector = StandInDetector(data_dir(), cache_size=2)

    for text in ("AAAA", "BBBB", "CCCC"):
        detector.keep_base64_objects(text, CHELSEA_OBJECTS)

    assert detector.cached_base64_objects("AAAA") is None
    assert detector.cached_base64_objects("BBBB") == CHELSEA_OBJECTS
    assert detector.cached_base64_objects("CCCC") == CHELSEA_OBJECTS
