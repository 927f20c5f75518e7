"""Read the images of trigger requests: base64, image URLs and multipart file parts.

The SYNC routes run the detector on each image at once. Small requests whose files
the detector has seen before get their objects from its result caches on the event
loop (``cached_json_detections``, ``cached_multipart_detections``), and all others in
a worker thread (``detect_json_inputs``, ``detect_multipart_inputs``). The ASYNC
routes keep the encoded bytes, or the URL, for the worker that runs later.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from fastapi import Request, UploadFile

from vdp101.gateway import images
from vdp101.gateway.errors import FailedPrecondition
from vdp101.gateway.model import StandInDetector
from vdp101.gateway.samples import own_sample_path
from vdp101.gateway.schemas import TaskInput
from vdp101.gateway.url_safety import (
    NonPublicAddressError,
    check_public_url,
    rejection_message,
)

__all__ = [
    "CACHED_LOOKUP_LIMIT",
    "ImageInput",
    "cached_json_detections",
    "cached_multipart_detections",
    "detect_json_inputs",
    "detect_multipart_inputs",
    "part_source",
    "read_json_inputs",
]

CACHED_LOOKUP_LIMIT = 512 * 1024
"""Most characters of base64, or bytes of file parts, in one SYNC request that the
routes hash on the event loop to find its images in the detector's result caches.
The bundled samples are at most 315 kB as base64. Hashing 512 KiB took 0.3 ms on the
2.6 GHz Xeon of docs/performance.md, as long as FastAPI's parsing of such a JSON body."""

# A data URI prefix such as "data:image/png;base64," that browsers put before base64.
_DATA_URI_PREFIX = re.compile(r"^data:[^,]*;base64,")


@dataclass(frozen=True)
class ImageInput:
    """One image of a JSON trigger request: its encoded bytes, or a URL still to fetch.

    Attributes:
        source: how the client sent it, for error messages ("Image URL http://...").
        data: the encoded image, or None when ``url`` is set.
        url: an http(s) URL outside this gateway's samples, or None when ``data`` is set.
    """

    source: str
    data: bytes | None = None
    url: str | None = None


def read_json_inputs(task_inputs: Sequence[TaskInput], request: Request) -> Iterator[ImageInput]:
    """Yield the image of each task input, in order, one input at a time.

    Base64 is decoded, and an ``image_url`` of this gateway's own samples is read
    from disk, so the gateway never sends an HTTP request to itself. Other URLs are
    yielded unfetched, once their host is checked when the app fetches public URLs only.

    Raises:
        FailedPrecondition: the base64 is invalid, the URL names a sample this gateway
            does not have or cannot be parsed, or its host is not public.
    """
    for position, task_input in enumerate(task_inputs):
        detection = task_input.detection
        if detection.image_url is None:
            source = f"task_inputs[{position}].detection.image_base64"
            yield ImageInput(source, data=_decode_base64(detection.image_base64 or "", source=source))
            continue

        url = detection.image_url
        try:
            sample = own_sample_path(url, request)
        except images.ImageFetchError as error:
            raise FailedPrecondition(str(error)) from error
        if sample is not None:
            yield ImageInput(f"Image URL {url}", data=sample.read_bytes())
            continue

        if request.app.state.public_image_urls_only:
            try:
                check_public_url(url)
            except NonPublicAddressError as error:
                raise FailedPrecondition(rejection_message(url, error)) from error
        yield ImageInput(f"Image URL {url}", url=url)


def part_source(position: int, upload: UploadFile) -> str:
    """Describe a multipart 'file' part for error messages, e.g. "File part 0 ('cat.jpg')"."""
    return f"File part {position} ({upload.filename!r})"


def detect_json_inputs(
    task_inputs: Sequence[TaskInput], request: Request, *, detector: StandInDetector
) -> list[list[dict[str, Any]]]:
    """Run ``detector`` on the image of each task input, in order, fetching image_url inputs.

    The objects of each base64 text of at most ``CACHED_LOOKUP_LIMIT`` characters are
    also kept under the text's own SHA-256, for ``cached_json_detections``.

    Returns:
        The detected objects of each input.

    Raises:
        FailedPrecondition: an image cannot be fetched or decoded, or its base64 is invalid.
    """
    public_only: bool = request.app.state.public_image_urls_only
    detections = []
    for task_input, item in zip(task_inputs, read_json_inputs(task_inputs, request)):
        data = item.data if item.url is None else _fetch(item.url, public_only=public_only)
        objects = _detect(detector, data, source=item.source)
        text = task_input.detection.image_base64
        if text is not None and len(text) <= CACHED_LOOKUP_LIMIT:
            detector.keep_base64_objects(text, objects)
        detections.append(objects)
    return detections


def detect_multipart_inputs(files: list[UploadFile], *, detector: StandInDetector) -> list[list[dict[str, Any]]]:
    """Run ``detector`` on the image of each 'file' part, in order.

    Raises:
        FailedPrecondition: an image cannot be decoded.
    """
    # Each spooled upload is hashed and decoded where it is, without a copy in memory.
    return [
        _detect(detector, upload.file, source=part_source(position, upload)) for position, upload in enumerate(files)
    ]


def cached_json_detections(
    task_inputs: Sequence[TaskInput], *, detector: StandInDetector
) -> list[list[dict[str, Any]]] | None:
    """Return the objects of every task input from the detector's base64 cache, or None.

    None means that ``detect_json_inputs`` must read the inputs, because an input is
    an image_url, the base64 texts are longer than ``CACHED_LOOKUP_LIMIT`` together,
    or a text is not in the cache. This function only hashes the texts: it never
    decodes, fetches or raises.
    """
    texts = []
    for task_input in task_inputs:
        text = task_input.detection.image_base64
        if text is None:
            return None
        texts.append(text)
    if sum(len(text) for text in texts) > CACHED_LOOKUP_LIMIT:
        return None

    detections = []
    for text in texts:
        objects = detector.cached_base64_objects(text)
        if objects is None:
            return None
        detections.append(objects)
    return detections


def cached_multipart_detections(
    files: list[UploadFile], *, detector: StandInDetector
) -> list[list[dict[str, Any]]] | None:
    """Return the objects of every 'file' part from the detector's file cache, or None.

    None means that ``detect_multipart_inputs`` must read the parts, because they are
    larger than ``CACHED_LOOKUP_LIMIT`` together or a file is not in the cache. The
    limit is below the 1 MiB at which Starlette moves a part to a file on disk, so
    the parts hashed here are read from memory.
    """
    sizes = [upload.size for upload in files]
    if None in sizes or sum(size or 0 for size in sizes) > CACHED_LOOKUP_LIMIT:
        return None

    detections = []
    for upload in files:
        objects = detector.cached_objects(upload.file)
        if objects is None:
            return None
        detections.append(objects)
    return detections


def _fetch(url: str, *, public_only: bool) -> bytes:
    try:
        return images.fetch_image_bytes(url, public_only=public_only)
    except images.ImageFetchError as error:
        raise FailedPrecondition(str(error)) from error


def _decode_base64(text: str, *, source: str) -> bytes:
    # Most clients send bare base64, which decodes in one pass. Text that passes this
    # strict check has no prefix and no whitespace, so cleaning it would change nothing.
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        pass

    # str.split() removes the same characters as the regular expression \s+, those for
    # which str.isspace() is true, in about a tenth of the time (docs/performance.md).
    compact = "".join(_DATA_URI_PREFIX.sub("", text.strip()).split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as error:
        raise FailedPrecondition(
            f"{source} is not valid base64 ({error}). Send the standard base64 of the image file, "
            "for example the output of `base64 -w0 image.jpg`."
        ) from error


def _detect(detector: StandInDetector, data: bytes | BinaryIO, *, source: str) -> list[dict[str, Any]]:
    try:
        return detector.detect_encoded(data, source=source)
    except images.ImageDecodeError as error:
        raise FailedPrecondition(str(error)) from error
