"""Decode uploaded images and fetch images named by URL."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import BinaryIO
from urllib.parse import urlsplit

import requests
from PIL import Image, UnidentifiedImageError

from vdp101.gateway.fetch_errors import describe_fetch_failure
from vdp101.gateway.url_safety import (
    NonPublicAddressError,
    public_only_session,
    rejection_message,
)

__all__ = [
    "DEFAULT_FETCH_TIMEOUT",
    "MAX_IMAGE_BYTES",
    "ImageDecodeError",
    "ImageFetchError",
    "decode_image",
    "fetch_image_bytes",
]

logger = logging.getLogger(__name__)

DEFAULT_FETCH_TIMEOUT = 10.0
"""Seconds to wait for a remote image server to connect and to send each chunk."""

MAX_IMAGE_BYTES = 50 * 2**20
"""Largest image, in bytes, that the gateway fetches from a URL."""

MAX_IMAGE_PIXELS = 100_000_000
"""Largest decoded image, in pixels; larger ones are rejected as decompression bombs."""


class ImageDecodeError(ValueError):
    """Bytes that Pillow cannot decode as an image."""


class ImageFetchError(ValueError):
    """An image URL that cannot be downloaded."""


def decode_image(data: bytes | BinaryIO, *, source: str) -> Image.Image:
    """Decode ``data`` into a fully loaded Pillow image.

    Args:
        data: the encoded file (JPEG, PNG, GIF, ...), as bytes or as a binary file
            positioned at its start. A file is read where it is, so a spooled upload
            never has to be copied into memory whole.
        source: how the client sent it, used in error messages (a file name, "task_inputs[0]").

    Raises:
        ImageDecodeError: the bytes are empty, truncated, not an image, or larger than
            ``MAX_IMAGE_PIXELS``.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        size = len(data)
        stream: BinaryIO = io.BytesIO(data)
    else:
        stream = data
        start = stream.tell()
        size = stream.seek(0, io.SEEK_END) - start
        stream.seek(start)
    if not size:
        raise ImageDecodeError(f"{source} is empty. Send the bytes of a JPEG or PNG image.")
    try:
        image = Image.open(stream)
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ImageDecodeError(
                f"{source} is {width}x{height} pixels, more than the limit of "
                f"{MAX_IMAGE_PIXELS} pixels. Send a smaller image."
            )
        # The first frame is decoded now; later frames of an animation decode on seek().
        image.load()
        animated = getattr(image, "is_animated", False)
    except ImageDecodeError:
        raise
    except UnidentifiedImageError as error:
        # Pillow's own message repeats the stream's repr, with a memory address that
        # changes on every run, so the format is named here instead.
        raise ImageDecodeError(
            f"{source} is not a decodable image ({size} bytes): the format is not one "
            "that Pillow recognises. Send a JPEG or PNG file."
        ) from error
    except Image.DecompressionBombError as error:
        # Image.open rejects images of more than twice Pillow's Image.MAX_IMAGE_PIXELS
        # before the check above runs. Pillow's message ends in a full stop.
        raise ImageDecodeError(
            f"{source} is too large to decode ({size} bytes): {str(error).rstrip('.')}. Send a smaller image."
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        # Some of Pillow's messages end in a full stop and others do not.
        raise ImageDecodeError(
            f"{source} is not a decodable image ({size} bytes): {str(error).rstrip('.')}. "
            "Send a JPEG or PNG file."
        ) from error

    if stream is not data and not animated:
        # Pillow keeps the stream of a PNG or GIF for later frames, and the stream keeps
        # the encoded bytes. A still image needs neither once its pixels are loaded.
        stream.close()
    return image


def fetch_image_bytes(
    url: str,
    *,
    timeout: float = DEFAULT_FETCH_TIMEOUT,
    max_bytes: int = MAX_IMAGE_BYTES,
    public_only: bool = False,
) -> bytes:
    """Download the image at an http(s) ``url``.

    Args:
        url: the address to download.
        timeout: seconds to wait for the connection and for each chunk of the body.
        max_bytes: the download stops with an error past this size.
        public_only: connect only to globally routable addresses, for the URL and for
            every redirect, and ignore proxy environment variables (see url_safety).

    Raises:
        ImageFetchError: the scheme is not http(s), the server cannot be reached, answers
            with an error status, sends more than ``max_bytes`` or times out, or, with
            ``public_only``, the URL or a redirect leads to an address that is not
            public. The message contains the URL.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ImageFetchError(
            f"Image URL {url!r} is not an http or https URL. "
            "Send a web address, or send the file with image_base64 or multipart."
        )

    logger.debug("Fetching image %s", url)
    try:
        if public_only:
            with public_only_session() as session:
                return _download(session.get, url, timeout=timeout, max_bytes=max_bytes)
        return _download(requests.get, url, timeout=timeout, max_bytes=max_bytes)
    except NonPublicAddressError as error:
        raise ImageFetchError(rejection_message(url, error)) from error
    except requests.RequestException as error:
        reason = describe_fetch_failure(error, url=url, timeout=timeout)
        raise ImageFetchError(f"Image URL {url} could not be fetched: {reason}") from error


def _download(get: Callable[..., requests.Response], url: str, *, timeout: float, max_bytes: int) -> bytes:
    """Download ``url`` with ``get``, requests.get or a Session's get, up to ``max_bytes``."""
    with get(url, stream=True, timeout=timeout) as response:
        if response.status_code != 200:
            raise ImageFetchError(
                f"Image URL {url} could not be fetched: the server answered "
                f"HTTP {response.status_code}. Check that the URL opens in a browser."
            )
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise ImageFetchError(_too_large_message(url, max_bytes))
        body = bytearray()
        for chunk in response.iter_content(chunk_size=64 * 1024):
            body.extend(chunk)
            if len(body) > max_bytes:
                raise ImageFetchError(_too_large_message(url, max_bytes))
    return bytes(body)


def _too_large_message(url: str, max_bytes: int) -> str:
    return (
        f"Image URL {url} could not be fetched: the file is larger than "
        f"the limit of {max_bytes:,} bytes. Send a smaller image."
    )
