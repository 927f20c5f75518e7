"""Generate PNG files of RGB noise with a chosen file size.

Noise does not compress, so a PNG of W x H random pixels takes about 3·W·H bytes
and decodes to an image the size of the file (Pillow keeps RGB at 4 bytes a pixel).
The bytes come from a seeded generator, so every run makes the same files.
"""

from __future__ import annotations

import io
import math
import random

from PIL import Image

PNG_OVERHEAD = 200
"""Bytes of PNG signature, chunk headers and zlib framing, an estimate that is corrected by measuring."""


def _encode(width: int, height: int, seed: int) -> bytes:
    pixels = random.Random(seed).randbytes(width * height * 3)
    image = Image.frombytes("RGB", (width, height), pixels)
    output = io.BytesIO()
    # Random pixels do not compress, so the fastest zlib level gives the same size.
    image.save(output, format="PNG", compress_level=1)
    return output.getvalue()


def noise_png(target_bytes: int, *, seed: int = 101) -> bytes:
    """Return a PNG of RGB noise whose size is within 1 % of ``target_bytes``.

    The image is as close to square as the size allows.

    Raises:
        ValueError: ``target_bytes`` is below 1,000, too small for a meaningful image.
    """
    if target_bytes < 1000:
        raise ValueError(f"target_bytes={target_bytes} is too small; ask for 1,000 bytes or more.")
    width = max(1, math.isqrt(max(1, (target_bytes - PNG_OVERHEAD) // 3)))
    # Each row is one filter byte and 3 bytes a pixel.
    height = max(1, round((target_bytes - PNG_OVERHEAD) / (3 * width + 1)))
    data = _encode(width, height, seed)
    # Correct the row count once for the zlib and chunk overhead that the estimate missed.
    surplus_rows = round((len(data) - target_bytes) / (3 * width + 1))
    if surplus_rows:
        data = _encode(width, height - surplus_rows, seed)
    return data
