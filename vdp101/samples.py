"""Locate the sample images that ship with the tutorial."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "sample_names", "sample_path"]

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp")


def data_dir() -> Path:
    """Return the folder of sample images.

    ``VDP101_DATA_DIR`` overrides it. Otherwise the copy inside an installed
    wheel is used, else the ``data/`` folder of a source checkout.
    """
    override = os.environ.get("VDP101_DATA_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).parent / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def sample_names() -> list[str]:
    """Return the file names of the bundled sample images, sorted."""
    folder = data_dir()
    return sorted(
        path.name
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
    )


def sample_path(name: str) -> Path:
    """Return the path of the bundled sample image ``name``.

    Raises:
        FileNotFoundError: no sample has that name; the message lists the ones that exist.
    """
    path = data_dir() / name
    if path.name != name or not path.is_file():
        available = ", ".join(sample_names())
        raise FileNotFoundError(
            f"Sample image {name!r} was not found in {data_dir()}. Available samples: {available}."
        )
    return path
