"""Routes that serve the bundled sample images, so image_url inputs work offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from vdp101.gateway.errors import NotFound
from vdp101.gateway.images import ImageFetchError
from vdp101.gateway.schemas import ErrorBody, SamplesResponse

__all__ = ["SAMPLES_PATH", "find_sample", "own_sample_path", "router", "sample_files"]

SAMPLES_PATH = "/samples"
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
_MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
}
_IMAGE_CONTENT: dict[str, Any] = {
    media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in sorted(set(_MEDIA_TYPES.values()))
}

router = APIRouter(
    tags=["samples"],
    responses={"default": {"model": ErrorBody, "description": "Any other error, as a google.rpc.Status."}},
)


def sample_files(samples_dir: Path) -> list[str]:
    """Return the sorted names of the image files directly inside ``samples_dir``."""
    if not samples_dir.is_dir():
        return []
    return sorted(
        path.name
        for path in samples_dir.iterdir()
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in _MEDIA_TYPES
    )


def find_sample(samples_dir: Path, name: str) -> Path | None:
    """Return the path of sample ``name``, or None if ``name`` is not one of them.

    Only names that ``sample_files`` lists are served, so "..", sub-folders and
    other files of the folder are never reachable.
    """
    if name not in sample_files(samples_dir):
        return None
    return samples_dir / name


def own_sample_path(url: str, request: Request) -> Path | None:
    """Return the sample file that ``url`` names on this gateway, or None for other URLs.

    A URL names this gateway when its host and port are the ones the request was
    sent to, or a loopback host with the gateway's port. Reading the file from disk
    avoids an HTTP request from the gateway to itself.

    Raises:
        ImageFetchError: the URL cannot be parsed, or it points into this gateway's
            /samples/ but no sample has that name.
    """
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.path.startswith(SAMPLES_PATH + "/"):
            return None
        target = (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except ValueError as error:
        # urlsplit rejects an unclosed IPv6 bracket, and .port an out-of-range port.
        raise ImageFetchError(f"Image URL {url!r} is not a valid URL ({error}). Check its host and port.") from error
    if not _is_own_address(target, request):
        return None

    name = unquote(parts.path[len(SAMPLES_PATH) + 1 :])
    samples_dir: Path = request.app.state.samples_dir
    path = find_sample(samples_dir, name)
    if path is None:
        raise ImageFetchError(
            f"Image URL {url} could not be fetched: this gateway has no sample named {name!r}. "
            f"GET {SAMPLES_PATH} lists the samples."
        )
    return path


def _is_own_address(target: tuple[str | None, int], request: Request) -> bool:
    default_port = 443 if request.url.scheme == "https" else 80
    addresses = set()
    host_header = request.headers.get("host")
    if host_header:
        try:
            header_parts = urlsplit(f"//{host_header}")
            addresses.add((header_parts.hostname, header_parts.port or default_port))
        except ValueError:
            pass
    server = request.scope.get("server")
    if server and server[1] is not None:
        server_host, server_port = server[0], server[1]
        addresses.add((server_host, server_port))
        addresses.update((host, server_port) for host in _LOOPBACK_HOSTS)
    return target in addresses


@router.get(SAMPLES_PATH, response_model=SamplesResponse, summary="List the sample images")
def list_samples(request: Request) -> dict[str, Any]:
    return {"samples": sample_files(request.app.state.samples_dir)}


@router.get(
    SAMPLES_PATH + "/{name}",
    response_class=FileResponse,
    responses={
        200: {"description": "The image file.", "content": _IMAGE_CONTENT},
        404: {"model": ErrorBody, "description": "No sample has that name (gRPC 5)."},
    },
    summary="Download a sample image",
)
def get_sample(name: str, request: Request) -> FileResponse:
    path = find_sample(request.app.state.samples_dir, name)
    if path is None:
        raise NotFound(f"Sample {name!r} was not found. GET {SAMPLES_PATH} lists the samples.")
    return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix.lower()])
