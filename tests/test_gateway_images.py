"""Tests for image decoding and image URL fetching in the gateway."""

from __future__ import annotations

import http.server
import io
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterator

import pytest
from PIL import Image

from vdp101.gateway.images import ImageDecodeError, ImageFetchError, decode_image, fetch_image_bytes
from vdp101.samples import sample_path

CHELSEA = sample_path("chelsea.jpg").read_bytes()


class _ImageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == "/chelsea.jpg":
            self._send(200, CHELSEA)
        elif self.path == "/large.bin":
            self._send(200, b"\0" * 4096)
        elif self.path == "/slow.jpg":
            time.sleep(2)
            self._send(200, CHELSEA)
        else:
            self._send(404, b"not here")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def image_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ImageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_decode_image_reads_jpeg():
    image = decode_image(CHELSEA, source="chelsea.jpg")

    assert image.size == (451, 300)
    assert image.mode == "RGB"


def test_decode_image_rejects_text():
    with pytest.raises(ImageDecodeError) as caught:
        decode_image(b"hello", source="notes.txt")

    assert str(caught.value) == (
        "notes.txt is not a decodable image (5 bytes): the format is not one that "
        "Pillow recognises. Send a JPEG or PNG file."
    )


def test_decode_image_rejects_empty_bytes():
    with pytest.raises(ImageDecodeError) as caught:
        decode_image(b"", source="task_inputs[0]")

    assert str(caught.value) == "task_inputs[0] is empty. Send the bytes of a JPEG or PNG image."


def test_decode_image_rejects_truncated_jpeg():
    with pytest.raises(ImageDecodeError, match="half.jpg is not a decodable image"):
        decode_image(CHELSEA[: len(CHELSEA) // 2], source="half.jpg")


def test_decode_image_rejects_decompression_bomb():
    # A one-pixel PNG whose header claims 20000x20000 pixels, more than twice Pillow's limit.
    encoded = io.BytesIO()
    Image.new("L", (1, 1)).save(encoded, "PNG")
    data = bytearray(encoded.getvalue())
    header = struct.pack(">II", 20000, 20000) + data[24:29]
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))

    with pytest.raises(ImageDecodeError) as caught:
        decode_image(bytes(data), source="bomb.png")

    assert str(caught.value) == (
        f"bomb.png is too large to decode ({len(data)} bytes): Image size (400000000 pixels) exceeds limit of "
        f"{2 * Image.MAX_IMAGE_PIXELS} pixels, could be decompression bomb DOS attack. Send a smaller image."
    )


def test_decode_image_reads_binary_file():
    with sample_path("chelsea.jpg").open("rb") as file:
        image = decode_image(file, source="chelsea.jpg")

    assert image.size == (451, 300)
    assert image.getpixel((0, 0)) == decode_image(CHELSEA, source="chelsea.jpg").getpixel((0, 0))


def test_decode_image_rejects_empty_file():
    with pytest.raises(ImageDecodeError) as caught:
        decode_image(io.BytesIO(b""), source="File part 0 ('empty.png')")

    assert str(caught.value) == "File part 0 ('empty.png') is empty. Send the bytes of a JPEG or PNG image."


def test_decoded_still_png_drops_encoded_bytes():
    data = sample_path("horse.png").read_bytes()
    references_before = sys.getrefcount(data)

    image = decode_image(data, source="horse.png")

    assert image.size == (400, 328)
    assert sys.getrefcount(data) == references_before


def test_decoded_animation_keeps_later_frames():
    data = sample_path("pan.gif").read_bytes()
    image = decode_image(data, source="pan.gif")

    image.seek(1)
    image.load()

    assert image.tell() == 1


def test_fetch_returns_image_bytes(image_server):
    assert fetch_image_bytes(f"{image_server}/chelsea.jpg") == CHELSEA


def test_fetch_reports_http_status(image_server):
    url = f"{image_server}/missing.jpg"

    with pytest.raises(ImageFetchError) as caught:
        fetch_image_bytes(url)

    assert str(caught.value) == (
        f"Image URL {url} could not be fetched: the server answered HTTP 404. "
        "Check that the URL opens in a browser."
    )


def test_fetch_rejects_body_over_limit(image_server):
    with pytest.raises(ImageFetchError, match="larger than the limit of 1,000 bytes"):
        fetch_image_bytes(f"{image_server}/large.bin", max_bytes=1000)


def test_fetch_times_out(image_server):
    url = f"{image_server}/slow.jpg"

    with pytest.raises(ImageFetchError) as caught:
        fetch_image_bytes(url, timeout=0.2)

    address = image_server.removeprefix("http://")
    assert str(caught.value) == (
        f"Image URL {url} could not be fetched: no answer within 0.2 s from {address}. "
        "Check that the server there responds."
    )


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/a.jpg", "chelsea.jpg"])
def test_fetch_rejects_other_schemes(url):
    with pytest.raises(ImageFetchError, match="is not an http or https URL"):
        fetch_image_bytes(url)


def test_fetch_reports_refused_connection():
    with pytest.raises(ImageFetchError) as caught:
        fetch_image_bytes("http://127.0.0.1:9/a.jpg", timeout=2)

    assert str(caught.value) == (
        "Image URL http://127.0.0.1:9/a.jpg could not be fetched: could not connect to 127.0.0.1:9 "
        "(connection refused). Check that a server is running at that address and that the URL's port is right."
    )
