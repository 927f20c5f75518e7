"""The local gateway's stand-in for an object-detection model.

A real VDP runs YOLOv7 on every image. The local gateway has no model weights, so
it replays annotations recorded by hand for the bundled sample images
(``annotations.json`` in the samples folder). It recognises a sample by its decoded
pixels, so the same photo sent as JPEG, lossless PNG, base64 or multipart gets the
same answer. A resized or re-compressed copy is matched by a small thumbnail, and
its boxes are scaled to its size. Any other image gets no objects.

``StandInDetector.detect_encoded`` also keeps the objects of recently seen files
under the SHA-256 of their encoded bytes, so a file sent again is neither decoded
nor hashed pixel by pixel.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image, ImageSequence

from vdp101.gateway.images import decode_image

__all__ = [
    "ANNOTATIONS_FILE",
    "KNOWN_MODELS",
    "RESULT_CACHE_SIZE",
    "StandInDetector",
    "encoded_digest",
    "pixel_digest",
]

logger = logging.getLogger(__name__)

ANNOTATIONS_FILE = "annotations.json"

KNOWN_MODELS: dict[str, str] = {
    "models/yolov7": "TASK_DETECTION",
    "models/yolov7-tiny": "TASK_DETECTION",
}
"""Model resource names the local gateway accepts in a recipe, with their AI task.
Both replay the same recorded annotations."""

THUMBNAIL_SIZE = (16, 16)
MAX_THUMBNAIL_DISTANCE = 6.0
"""Largest mean absolute difference (grey levels, 0-255) between two 16x16 thumbnails
that still counts as the same photo. Re-compressing a sample as JPEG at quality 50
stays below 3; two different bundled photos are more than 30 apart."""

MAX_ASPECT_RATIO_CHANGE = 0.02

DIGEST_BAND_BYTES = 2**20
"""Bytes of RGB pixels that ``pixel_digest`` copies out of the image at a time."""

RESULT_CACHE_SIZE = 256
"""Distinct encoded files whose objects ``StandInDetector.detect_encoded`` keeps, and
distinct base64 texts that ``StandInDetector.keep_base64_objects`` keeps."""

ENCODED_CHUNK_BYTES = 2**20
"""Bytes of an encoded file that ``encoded_digest`` reads from a binary file at a time."""


@dataclass(frozen=True)
class _Reference:
    name: str
    width: int
    height: int
    thumbnail: bytes
    objects: tuple[dict[str, Any], ...]


def _flatten(image: Image.Image) -> Image.Image:
    """Return ``image`` as RGB, with any transparency composited over white.

    An RGB image is returned itself, not copied, because Pillow keeps RGB at 4 bytes a
    pixel and a copy of a 10-megapixel upload would cost another 40 MB.
    """
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image if image.mode == "RGB" else image.convert("RGB")
    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
    background.alpha_composite(image.convert("RGBA"))
    return background.convert("RGB")


def pixel_digest(image: Image.Image) -> str:
    """Return a SHA-256 hex digest of the image's size and RGB pixels.

    The rows are hashed in bands of about ``DIGEST_BAND_BYTES``, which gives the
    digest of the whole ``tobytes()`` without holding a second copy of the pixels.
    """
    flat = _flatten(image)
    digest = hashlib.sha256(f"{flat.width}x{flat.height}:".encode())
    rows_per_band = max(1, DIGEST_BAND_BYTES // (3 * flat.width))
    for top in range(0, flat.height, rows_per_band):
        band = flat.crop((0, top, flat.width, min(top + rows_per_band, flat.height)))
        digest.update(band.tobytes())
    return digest.hexdigest()


def encoded_digest(data: bytes | BinaryIO) -> bytes:
    """Return the SHA-256 digest of an encoded file, given as bytes or as a binary file.

    A file is read in chunks from its current position and then put back there, so
    ``decode_image`` can read it next without a copy of the file in memory.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        return hashlib.sha256(data).digest()
    start = data.tell()
    digest = hashlib.sha256()
    while chunk := data.read(ENCODED_CHUNK_BYTES):
        digest.update(chunk)
    data.seek(start)
    return digest.digest()


def _text_digest(text: str) -> bytes:
    # "surrogatepass" encodes any Python string, even one with lone surrogates.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _thumbnail(image: Image.Image) -> bytes:
    # Shrinking before the grey conversion keeps the full-size grey copy out of memory.
    return _flatten(image).resize(THUMBNAIL_SIZE, Image.Resampling.BOX).convert("L").tobytes()


def _distance(first: bytes, second: bytes) -> float:
    return sum(abs(a - b) for a, b in zip(first, second)) / len(first)


def _copy_object(item: dict[str, Any]) -> dict[str, Any]:
    """Copy an object in the shape that ``_normalise_object`` returns, its box included."""
    return {**item, "bounding_box": dict(item["bounding_box"])}


def _scaled_objects(reference: _Reference, width: int, height: int) -> list[dict[str, Any]]:
    if (width, height) == (reference.width, reference.height):
        return [_copy_object(item) for item in reference.objects]
    x_scale = width / reference.width
    y_scale = height / reference.height
    scaled = []
    for item in reference.objects:
        box = item["bounding_box"]
        new_item = _copy_object(item)
        new_item["bounding_box"] = {
            "top": round(box["top"] * y_scale),
            "left": round(box["left"] * x_scale),
            "width": round(box["width"] * x_scale),
            "height": round(box["height"] * y_scale),
        }
        scaled.append(new_item)
    return scaled


def _normalise_object(item: dict[str, Any]) -> dict[str, Any]:
    box = item["bounding_box"]
    return {
        "category": str(item["category"]),
        "score": float(item["score"]),
        "bounding_box": {
            "top": int(box["top"]),
            "left": int(box["left"]),
            "width": int(box["width"]),
            "height": int(box["height"]),
        },
    }


class _ResultCache:
    """Thread-safe LRU map from a SHA-256 digest to the objects detected in an image.

    It stores its own copies of the objects and returns new copies, so a caller that
    changes a result cannot change what the next caller gets.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[dict[str, Any], ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: bytes) -> list[dict[str, Any]] | None:
        with self._lock:
            objects = self._entries.get(key)
            if objects is None:
                return None
            self._entries.move_to_end(key)
        return [_copy_object(item) for item in objects]

    def put(self, key: bytes, objects: list[dict[str, Any]]) -> None:
        if self.max_entries <= 0:
            return
        stored = tuple(_copy_object(item) for item in objects)
        with self._lock:
            self._entries[key] = stored
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class StandInDetector:
    """Detector that replays the recorded annotations of the images in ``samples_dir``.

    ``annotations.json`` maps a file name to ``{"objects": [...]}`` for a still
    image, or to ``{"frames": [[...], [...]]}`` with one object list per frame of
    an animated file. Objects use the v1alpha shape: ``category``, ``score`` and
    ``bounding_box`` with ``top``, ``left``, ``width`` and ``height`` in pixels.

    Args:
        samples_dir: folder of the sample images and ``annotations.json``.
        cache_size: distinct encoded files whose objects ``detect_encoded`` keeps, and
            distinct base64 texts that ``keep_base64_objects`` keeps. 0 turns both
            caches off.
    """

    def __init__(self, samples_dir: Path, *, cache_size: int = RESULT_CACHE_SIZE) -> None:
        self.samples_dir = Path(samples_dir)
        self._by_digest: dict[str, _Reference] = {}
        self._references: list[_Reference] = []
        self._results = _ResultCache(cache_size)
        self._base64_results = _ResultCache(cache_size)
        annotations_path = self.samples_dir / ANNOTATIONS_FILE
        if not annotations_path.is_file():
            logger.warning("No %s in %s: every image will get no objects", ANNOTATIONS_FILE, self.samples_dir)
            return
        annotations = json.loads(annotations_path.read_text(encoding="utf-8"))
        for name, entry in annotations.items():
            self._load_sample(name, entry)
        logger.debug("Loaded annotations for %d images from %s", len(self._references), annotations_path)

    def _load_sample(self, name: str, entry: dict[str, Any]) -> None:
        path = self.samples_dir / name
        if not path.is_file():
            logger.warning("Annotated sample %s is missing from %s", name, self.samples_dir)
            return
        if "frames" in entry:
            frame_objects = entry["frames"]
        else:
            frame_objects = [entry["objects"]]
        with Image.open(path) as image:
            for position, frame in enumerate(ImageSequence.Iterator(image)):
                if position >= len(frame_objects):
                    break
                objects = tuple(_normalise_object(item) for item in frame_objects[position])
                label = name if len(frame_objects) == 1 else f"{name}[{position}]"
                reference = _Reference(label, frame.width, frame.height, _thumbnail(frame), objects)
                self._by_digest.setdefault(pixel_digest(frame), reference)
                self._references.append(reference)

    @property
    def sample_count(self) -> int:
        """Number of recorded images and animation frames."""
        return len(self._references)

    @property
    def cached_file_count(self) -> int:
        """Number of encoded files whose objects ``detect_encoded`` has kept."""
        return len(self._results)

    def detect_encoded(self, data: bytes | BinaryIO, *, source: str) -> list[dict[str, Any]]:
        """Decode an encoded image file and return its recorded objects, as ``detect`` does.

        The objects are kept under the SHA-256 of the encoded bytes, so the same file
        sent again skips the decoding and the pixel digest. Identical bytes decode to
        identical pixels, so the result is the one that ``detect`` returns. A file
        that does not decode is not kept and fails again on every call.

        Args:
            data: the encoded file, as bytes or as a binary file positioned at its start.
            source: how the client sent it, used in error messages.

        Raises:
            ImageDecodeError: as ``decode_image``.
        """
        key = encoded_digest(data)
        cached = self._results.get(key)
        if cached is not None:
            return cached
        objects = self.detect(decode_image(data, source=source))
        self._results.put(key, objects)
        return objects

    def cached_objects(self, data: bytes | BinaryIO) -> list[dict[str, Any]] | None:
        """Return the objects that ``detect_encoded`` kept for an encoded file, or None.

        It hashes the file and never decodes it, so its cost grows with the file's
        size only.
        """
        return self._results.get(encoded_digest(data))

    def keep_base64_objects(self, text: str, objects: list[dict[str, Any]]) -> None:
        """Keep the objects that ``detect_encoded`` returned for the file that ``text`` decodes to.

        They are kept under the SHA-256 of the exact text, so ``cached_base64_objects``
        finds them for the same text without decoding it.
        """
        self._base64_results.put(_text_digest(text), objects)

    def cached_base64_objects(self, text: str) -> list[dict[str, Any]] | None:
        """Return the objects kept by ``keep_base64_objects`` for this exact text, or None.

        Identical text decodes to identical bytes, so the objects are those of its file.
        """
        return self._base64_results.get(_text_digest(text))

    def detect(self, image: Image.Image) -> list[dict[str, Any]]:
        """Return the recorded objects for ``image``, or [] when it is not a known sample.

        For an animated image only the current frame is looked at.
        """
        reference = self._by_digest.get(pixel_digest(image))
        if reference is not None:
            return _scaled_objects(reference, image.width, image.height)

        nearest = self._nearest_reference(image)
        if nearest is None:
            return []
        logger.debug("Matched a re-encoded or resized copy of %s", nearest.name)
        return _scaled_objects(nearest, image.width, image.height)

    def _nearest_reference(self, image: Image.Image) -> _Reference | None:
        aspect = image.width / image.height
        thumbnail = _thumbnail(image)
        best: tuple[float, _Reference] | None = None
        for reference in self._references:
            reference_aspect = reference.width / reference.height
            if abs(aspect - reference_aspect) > MAX_ASPECT_RATIO_CHANGE * reference_aspect:
                continue
            distance = _distance(thumbnail, reference.thumbnail)
            if distance <= MAX_THUMBNAIL_DISTANCE and (best is None or distance < best[0]):
                best = (distance, reference)
        return None if best is None else best[1]
