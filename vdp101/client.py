"""Connect to a VDP API gateway, trigger pipelines and manage them over HTTP.

Every function sends one request with a timeout and logs it: DEBUG gives the method,
URL and body size, INFO one line with the status and elapsed time. Image bytes are
never logged.

``resolve_gateway``, ``pipeline_url``, ``send_request``, ``read_success_body``,
``as_image_list`` and ``read_image_files`` are the building blocks of these functions,
and vdp101.asynchronous and vdp101.curl use them too. The package does not re-export
them.

Example::

    gateway = connect()
    response = trigger_image_urls("vdp-101-sync", gateway.sample_url("chelsea.jpg"), gateway=gateway)
    parse_detections(response)[0].objects
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import quote

from vdp101.errors import (
    GatewayUnreachableError,
    InvalidImageError,
    InvalidRequestError,
    UnexpectedResponseError,
    error_from_response,
)
from vdp101.samples import sample_path
from vdp101.urls import gateway_root_url, normalize_gateway_url

if TYPE_CHECKING:
    import requests

    from vdp101.gateway import LocalGateway

__all__ = [
    "Gateway",
    "as_image_list",
    "connect",
    "create_pipeline",
    "delete_pipeline",
    "get_pipeline",
    "list_pipelines",
    "pipeline_url",
    "read_image_files",
    "read_success_body",
    "resolve_gateway",
    "send_request",
    "trigger_image_base64",
    "trigger_image_urls",
    "trigger_multipart",
    "watch_pipeline",
]

logger = logging.getLogger(__name__)

GATEWAY_URL_VARIABLE = "VDP_API_GATEWAY_URL"
SAMPLE_BASE_URL_VARIABLE = "VDP101_SAMPLE_BASE_URL"

# Original PNG photos of the bundled samples, for a gateway that cannot reach the
# local gateway's /samples route. data/README.md lists where each sample comes from.
# NOTE: this URL follows the repository layout of scikit-image 0.21.0, and no test
# fetches it. Set VDP101_SAMPLE_BASE_URL if it stops working.
SCIKIT_IMAGE_SAMPLE_BASE_URL = "https://raw.githubusercontent.com/scikit-image/scikit-image/v0.21.0/skimage/data/"

DEFAULT_TIMEOUT = 30.0
HEALTH_CHECK_TIMEOUT = 5.0

# Errno text inside the message of a requests ConnectionError, e.g. "[Errno 111] Connection refused".
_ERRNO_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")

ImageUrls = Union[str, Iterable[str]]
ImagePaths = Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]]


class Gateway:
    """A VDP API gateway that the client sends requests to.

    Attributes:
        api_url: URL of the v1alpha API, e.g. ``http://127.0.0.1:8080/v1alpha``.
        root_url: the same URL without ``/v1alpha``.
        is_local: True for vdp101's local gateway, whether this process started it or
            connect() found its ``/samples`` route at the URL.
    """

    def __init__(
        self,
        url: str,
        *,
        local_gateway: LocalGateway | None = None,
        is_local: bool | None = None,
        source: str | None = None,
    ) -> None:
        """Wrap the gateway at ``url``, with or without ``/v1alpha``, without contacting it.

        ``local_gateway`` is the LocalGateway server that this process started, which
        stop() shuts down. ``source`` names where ``url`` was read from, such as
        VDP_API_GATEWAY_URL, in the error for an invalid URL.

        Raises:
            InvalidRequestError: ``url`` is not an http(s) URL, as normalize_gateway_url describes.
        """
        self.api_url = normalize_gateway_url(url, source=source)
        self.root_url = gateway_root_url(url)
        self.is_local = local_gateway is not None if is_local is None else is_local
        self._local_gateway = local_gateway

    def __repr__(self) -> str:
        kind = "local" if self.is_local else "remote"
        return f"Gateway({self.api_url!r}, {kind})"

    def sample_url(self, name: str) -> str:
        """Return a URL from which the gateway can download the bundled sample ``name``.

        The local gateway serves the samples at ``{root_url}/samples/{name}``. For
        another gateway the URL is ``VDP101_SAMPLE_BASE_URL`` followed by the name if
        that variable is set, else the original PNG photo in the scikit-image
        repository on GitHub, which the gateway must be able to download.

        Raises:
            FileNotFoundError: no bundled sample has that name; the message lists them.
        """
        sample_path(name)
        if self.is_local:
            return f"{self.root_url}/samples/{quote(name)}"

        base_url = os.environ.get(SAMPLE_BASE_URL_VARIABLE)
        if base_url:
            return base_url + quote(name)
        return SCIKIT_IMAGE_SAMPLE_BASE_URL + quote(Path(name).stem) + ".png"

    def stop(self) -> None:
        """Stop the local gateway if this process started it. Other gateways are left running."""
        global _shared_local_gateway

        if self._local_gateway is None:
            return
        self._local_gateway.stop()
        self._local_gateway = None
        with _local_gateway_lock:
            if _shared_local_gateway is self:
                _shared_local_gateway = None


_shared_local_gateway: Gateway | None = None
_local_gateway_lock = threading.Lock()


def connect(url: str | None = None, *, quiet: bool = False) -> Gateway:
    """Connect to a gateway and print one line that names the gateway in use.

    Args:
        url: the gateway URL, with or without ``/v1alpha``. If None, the environment
            variable ``VDP_API_GATEWAY_URL`` is used. If that is unset too, a local
            gateway is started on a free port of 127.0.0.1, once per process, and later
            calls return the same one.
        quiet: if True, print nothing.

    Returns:
        The Gateway to pass as ``gateway=`` to the other functions.

    Raises:
        InvalidRequestError: the URL is not an http(s) URL.
        GatewayUnreachableError: ``GET /v1alpha/health/pipeline`` failed, timed out
            after 5 s, or returned another status than 200.
    """
    source = None
    if url is None:
        url = os.environ.get(GATEWAY_URL_VARIABLE) or None
        source = GATEWAY_URL_VARIABLE
    if url is None:
        gateway, started = _start_shared_local_gateway()
        if not quiet:
            if started:
                print(f"Started a local VDP gateway at {gateway.api_url} (stand-in detection model, offline).")
            else:
                print(f"Using the local VDP gateway at {gateway.api_url}, started earlier in this process.")
        return gateway

    gateway = Gateway(url, source=source)
    _check_health(gateway, source=source)
    gateway.is_local = _serves_samples(gateway)
    if not quiet:
        origin = f" (from {source})" if source else ""
        print(f"Using the VDP gateway at {gateway.api_url}{origin}.")
    return gateway


def trigger_image_urls(
    pipeline_id: str,
    image_urls: ImageUrls,
    *,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> requests.Response:
    """Trigger a SYNC pipeline with images that the gateway downloads from URLs.

    Sends ``POST /v1alpha/pipelines/{pipeline_id}/triggerSync`` with
    ``{"task_inputs": [{"detection": {"image_url": URL}}, ...]}``.

    Args:
        pipeline_id: id of the pipeline, e.g. ``vdp-101-sync``.
        image_urls: one http(s) URL, or a list of them.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for the response.

    Returns:
        The response, whatever its status. parse_detections reads it.

    Raises:
        InvalidRequestError: no URL was given, or a URL has no scheme.
        GatewayUnreachableError: the connection failed or timed out.
    """
    urls = as_image_list(image_urls)
    for url in urls:
        if not isinstance(url, str) or "://" not in url:
            raise InvalidRequestError(
                f"Image URL {str(url)!r} has no scheme such as https://. For a local "
                "file, use trigger_image_base64 or trigger_multipart."
            )

    body = {"task_inputs": [{"detection": {"image_url": url}} for url in urls]}
    return _trigger(pipeline_id, "triggerSync", gateway=gateway, timeout=timeout, json=body)


def trigger_image_base64(
    pipeline_id: str,
    image_paths: ImagePaths,
    *,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> requests.Response:
    """Trigger a SYNC pipeline with local image files, base64-encoded in a JSON body.

    Sends ``POST /v1alpha/pipelines/{pipeline_id}/triggerSync`` with
    ``{"task_inputs": [{"detection": {"image_base64": ...}}, ...]}``. Base64 makes
    the body a third larger than the files, so trigger_multipart suits large images.

    Args:
        pipeline_id: id of the pipeline, e.g. ``vdp-101-sync``.
        image_paths: one file path, or a list of them.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for the response.

    Returns:
        The response, whatever its status. parse_detections reads it.

    Raises:
        InvalidImageError: a path does not exist or is not a file.
        InvalidRequestError: no path was given.
        GatewayUnreachableError: the connection failed or timed out.
    """
    files = read_image_files(image_paths)
    body = {
        "task_inputs": [
            {"detection": {"image_base64": base64.b64encode(content).decode("ascii")}} for _, content in files
        ]
    }
    return _trigger(pipeline_id, "triggerSync", gateway=gateway, timeout=timeout, json=body)


def trigger_multipart(
    pipeline_id: str,
    image_paths: ImagePaths,
    *,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> requests.Response:
    """Trigger a SYNC pipeline with local image files sent as a multipart upload.

    Sends ``POST /v1alpha/pipelines/{pipeline_id}/triggerSyncMultipart`` with one
    ``file`` part per image, in the order given.

    Args:
        pipeline_id: id of the pipeline, e.g. ``vdp-101-sync``.
        image_paths: one file path, or a list of them.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for the response.

    Returns:
        The response, whatever its status. parse_detections reads it.

    Raises:
        InvalidImageError: a path does not exist or is not a file.
        InvalidRequestError: no path was given.
        GatewayUnreachableError: the connection failed or timed out.
    """
    files = [
        ("file", (path.name, content, mimetypes.guess_type(path.name)[0] or "application/octet-stream"))
        for path, content in read_image_files(image_paths)
    ]
    return _trigger(pipeline_id, "triggerSyncMultipart", gateway=gateway, timeout=timeout, files=files)


def _trigger(
    pipeline_id: str, endpoint: str, *, gateway: Gateway | str | None, timeout: float, **body: Any
) -> requests.Response:
    """Send ``POST /v1alpha/pipelines/{pipeline_id}/{endpoint}`` with ``body`` (``json=`` or
    ``files=``) and return the response, whatever its status."""
    api_url = resolve_gateway(gateway).api_url
    return send_request("POST", pipeline_url(api_url, pipeline_id, endpoint), timeout=timeout, **body)


def list_pipelines(
    *,
    view: str | None = None,
    page_size: int | None = None,
    page_token: str | None = None,
    filter: str | None = None,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """List pipelines with ``GET /v1alpha/pipelines``.

    Args:
        view: ``VIEW_BASIC`` (the gateway's default, without recipes) or ``VIEW_FULL``.
        page_size: pipelines per page; the gateway's default is 10 and its maximum 100.
        page_token: ``next_page_token`` of the previous page.
        filter: an expression such as ``mode=MODE_SYNC AND state=STATE_ACTIVE``.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for the response.

    Returns:
        The body: ``{"pipelines": [...], "next_page_token": str, "total_size": int}``.

    Raises:
        VdpError: the subclass matching a non-2xx status.
        GatewayUnreachableError: the connection failed or timed out.
    """
    params = {"view": view, "page_size": page_size, "page_token": page_token, "filter": filter}
    api_url = resolve_gateway(gateway).api_url
    response = send_request(
        "GET",
        f"{api_url}/pipelines",
        timeout=timeout,
        params={name: value for name, value in params.items() if value is not None},
    )
    return read_success_body(response)


def get_pipeline(
    pipeline_id: str,
    *,
    view: str | None = None,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Get one pipeline with ``GET /v1alpha/pipelines/{pipeline_id}``.

    Args:
        pipeline_id: id of the pipeline.
        view: ``VIEW_BASIC`` (the gateway's default, without the recipe) or ``VIEW_FULL``.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for the response.

    Returns:
        The body: ``{"pipeline": {...}}``.

    Raises:
        PipelineNotFoundError: no pipeline has that id.
        VdpError: the subclass matching another non-2xx status.
        GatewayUnreachableError: the connection failed or timed out.
    """
    params = {"view": view} if view is not None else {}
    api_url = resolve_gateway(gateway).api_url
    response = send_request("GET", pipeline_url(api_url, pipeline_id), timeout=timeout, params=params)
    return read_success_body(response)


def create_pipeline(
    pipeline_id: str,
    recipe: Mapping[str, Any],
    *,
    description: str | None = None,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Create a pipeline with ``POST /v1alpha/pipelines``.

    Args:
        pipeline_id: the new id: letters, digits and ``-``, starting with a letter,
            at most 63 characters.
        recipe: ``{"version": "v1alpha", "components": [...]}`` with one source, one
            or more models and one or more destinations.
        description: optional free text.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for the response.

    Returns:
        The body: ``{"pipeline": {...}}``, with the mode derived from the recipe.

    Raises:
        InvalidRequestError: the gateway rejected the id or the recipe (HTTP 400).
        PipelineExistsError: a pipeline with that id exists (HTTP 409).
        VdpError: the subclass matching another non-2xx status.
        GatewayUnreachableError: the connection failed or timed out.
    """
    body: dict[str, Any] = {"id": pipeline_id, "recipe": dict(recipe)}
    if description is not None:
        body["description"] = description
    api_url = resolve_gateway(gateway).api_url
    response = send_request("POST", f"{api_url}/pipelines", timeout=timeout, json=body)
    return read_success_body(response)


def delete_pipeline(
    pipeline_id: str,
    *,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Delete a pipeline with ``DELETE /v1alpha/pipelines/{pipeline_id}``.

    Args:
        pipeline_id: id of the pipeline.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for the response.

    Raises:
        PipelineNotFoundError: no pipeline has that id.
        VdpError: the subclass matching another non-2xx status.
        GatewayUnreachableError: the connection failed or timed out.
    """
    api_url = resolve_gateway(gateway).api_url
    response = send_request("DELETE", pipeline_url(api_url, pipeline_id), timeout=timeout)
    read_success_body(response)


def watch_pipeline(
    pipeline_id: str,
    *,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> str:
    """Get a pipeline's state with ``GET /v1alpha/pipelines/{pipeline_id}/watch``.

    Args:
        pipeline_id: id of the pipeline.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for the response.

    Returns:
        The state: ``STATE_ACTIVE``, ``STATE_INACTIVE``, ``STATE_ERROR`` or
        ``STATE_UNSPECIFIED``.

    Raises:
        PipelineNotFoundError: no pipeline has that id.
        VdpError: the subclass matching another non-2xx status.
        UnexpectedResponseError: the body has no ``state`` string.
        GatewayUnreachableError: the connection failed or timed out.
    """
    api_url = resolve_gateway(gateway).api_url
    response = send_request("GET", pipeline_url(api_url, pipeline_id, "watch"), timeout=timeout)
    state = read_success_body(response).get("state")
    if not isinstance(state, str):
        raise UnexpectedResponseError(
            f"The reply to GET {response.url} has no 'state' string (got {state!r}). "
            "Check that the URL points at a VDP API gateway.",
            status_code=response.status_code,
            response=response,
        )
    return state


def _start_shared_local_gateway() -> tuple[Gateway, bool]:
    """Return this process's local gateway, starting it first if needed, and whether it was started now."""
    global _shared_local_gateway

    with _local_gateway_lock:
        if _shared_local_gateway is not None:
            return _shared_local_gateway, False

        from vdp101.gateway import LocalGateway

        server = LocalGateway(host="127.0.0.1", port=0)
        server.start()
        _shared_local_gateway = Gateway(server.url, local_gateway=server)
        return _shared_local_gateway, True


def resolve_gateway(gateway: Gateway | str | None) -> Gateway:
    """Return the Gateway for a ``gateway=`` argument: a Gateway, a URL, or None.

    None means VDP_API_GATEWAY_URL if it is set, else this process's local gateway,
    started if needed. A URL is used without a health check, because the request that
    follows reports an unreachable gateway itself.
    """
    if isinstance(gateway, Gateway):
        return gateway
    if gateway is not None:
        return Gateway(gateway)

    url = os.environ.get(GATEWAY_URL_VARIABLE) or None
    if url is None:
        return _start_shared_local_gateway()[0]
    return Gateway(url, source=GATEWAY_URL_VARIABLE)


def _check_health(gateway: Gateway, *, source: str | None) -> None:
    """Raise GatewayUnreachableError unless ``GET /v1alpha/health/pipeline`` returns 200.

    ``source`` names where the URL came from, such as VDP_API_GATEWAY_URL, or is None
    for a URL that the caller passed.
    """
    origin = f", URL from {source}" if source else ""
    origin_note = f" (URL from {source})" if source else ""
    health_url = f"{gateway.api_url}/health/pipeline"
    try:
        response = send_request("GET", health_url, timeout=HEALTH_CHECK_TIMEOUT)
    except GatewayUnreachableError as error:
        reason = _describe_failure(error.__cause__, HEALTH_CHECK_TIMEOUT)
        raise GatewayUnreachableError(
            f"Could not reach the VDP gateway at {gateway.api_url} ({reason}{origin}). "
            "Start the local gateway with `python -m vdp101 gateway`, "
            f"or check {GATEWAY_URL_VARIABLE} and the URL's host and port."
        ) from error

    if response.status_code != 200:
        raise GatewayUnreachableError(
            f"The server at {gateway.root_url} returned HTTP {response.status_code} for "
            f"GET {health_url}, so it is not a VDP API gateway{origin_note}. Check the "
            "host and port: a local VDP serves its API gateway on port 8080 and its console on 3000.",
            status_code=response.status_code,
            response=response,
        )


def _serves_samples(gateway: Gateway) -> bool:
    """Return whether the gateway is vdp101's local gateway, which lists its samples at ``/samples``.

    The listing is ``{"samples": ["astronaut.jpg", ...]}``. VDP itself has no such route.
    """
    try:
        response = send_request("GET", f"{gateway.root_url}/samples", timeout=HEALTH_CHECK_TIMEOUT)
    except GatewayUnreachableError:
        return False
    if response.status_code != 200:
        return False
    try:
        listing = response.json()
    except ValueError:
        return False
    return isinstance(listing, dict) and isinstance(listing.get("samples"), list)


def pipeline_url(api_url: str, pipeline_id: str, method: str | None = None) -> str:
    """Build the URL of a pipeline resource, or of a method on it.

    Args:
        api_url: the gateway's API URL, ending in ``/v1alpha``.
        pipeline_id: id of the pipeline; it is percent-encoded, so ``/`` cannot end
            up in the path.
        method: the custom method after the id, such as ``triggerSync``, or None.

    Returns:
        ``{api_url}/pipelines/{pipeline_id}``, followed by ``/{method}`` if one is given.

    Raises:
        InvalidRequestError: ``pipeline_id`` is empty or not a string.
    """
    if not isinstance(pipeline_id, str) or not pipeline_id.strip():
        raise InvalidRequestError(
            f"Pipeline id {pipeline_id!r} is empty or not a string. Pass the id, such as 'vdp-101-sync'."
        )
    url = f"{api_url}/pipelines/{quote(pipeline_id, safe='')}"
    return f"{url}/{method}" if method else url


def as_image_list(values: Any) -> list[Any]:
    """Return the images of an ``image_urls`` or ``image_paths`` argument as a list.

    A single string or path becomes a one-item list, and any other iterable a list of
    its items, in order.

    Raises:
        InvalidRequestError: the iterable is empty.
    """
    if isinstance(values, (str, os.PathLike)):
        return [values]
    items = list(values)
    if not items:
        raise InvalidRequestError("No images were given. Pass one image, or a list of them.")
    return items


def read_image_files(image_paths: ImagePaths) -> list[tuple[Path, bytes]]:
    """Read the image files of an ``image_paths`` argument, before anything is sent.

    Args:
        image_paths: one file path, or a list of them.

    Returns:
        ``(path, file content)`` for each file, in the order given.

    Raises:
        InvalidImageError: a path is a folder, or no file exists there.
        InvalidRequestError: no path was given.
    """
    files = []
    for value in as_image_list(image_paths):
        path = Path(value)
        if path.is_dir():
            raise InvalidImageError(
                f"Image path {str(path)!r} is a folder, not a file. Pass the image files "
                f"in it, for example sorted(Path({str(path)!r}).glob('*.jpg'))."
            )
        if not path.is_file():
            raise InvalidImageError(
                f"Image file {str(path)!r} was not found (relative paths start at "
                f"{Path.cwd()}). Check the path, or use vdp101.sample_path('chelsea.jpg') "
                "for a bundled sample."
            )
        files.append((path, path.read_bytes()))
    return files


def send_request(method: str, url: str, *, timeout: float, **arguments: Any) -> requests.Response:
    """Send one HTTP request to a gateway and log it.

    DEBUG logs the method, URL and body size, and INFO the status and elapsed time.
    The body itself is never logged.

    Args:
        method: the HTTP method, such as ``POST``.
        url: the full URL.
        timeout: seconds to wait for the connection and for the response.
        arguments: passed to ``requests.Request``, such as ``json=``, ``files=`` or ``params=``.

    Returns:
        The response, whatever its status.

    Raises:
        GatewayUnreachableError: the connection failed or timed out. The message says
            what to check.
    """
    import requests

    prepared = requests.Request(method, url, **arguments).prepare()
    body = prepared.body or b""
    logger.debug("%s %s, body %d bytes", method, prepared.url, len(body))

    started = time.perf_counter()
    try:
        with requests.Session() as session:
            response = session.send(prepared, timeout=timeout)
    except requests.Timeout as error:
        raise GatewayUnreachableError(
            f"{method} {prepared.url} timed out after {timeout:g} s. Check that the gateway "
            "is running and not overloaded, or pass a larger timeout."
        ) from error
    except requests.ConnectionError as error:
        raise GatewayUnreachableError(
            f"Could not connect to {prepared.url} ({_describe_failure(error, timeout)}). "
            "Start the local gateway with `python -m vdp101 gateway`, "
            f"or check {GATEWAY_URL_VARIABLE} and the URL's host and port."
        ) from error

    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info("%s %s: HTTP %d in %.0f ms", method, prepared.url, response.status_code, elapsed_ms)
    return response


def _describe_failure(error: BaseException | None, timeout: float) -> str:
    """Return why a request failed: "timed out after 5 s", the operating system's reason
    such as "Connection refused", or "connection failed"."""
    import requests

    if isinstance(error, requests.Timeout):
        return f"timed out after {timeout:g} s"
    match = _ERRNO_REASON.search(str(error))
    return match.group(1).strip() if match else "connection failed"


def read_success_body(response: requests.Response) -> dict[str, Any]:
    """Read the JSON object of a successful reply.

    Returns:
        The body of a 2xx reply, or ``{}`` for an empty one such as HTTP 204.

    Raises:
        VdpError: the subclass that error_from_response picks for a non-2xx status.
        UnexpectedResponseError: a 2xx body that is not a JSON object.
    """
    if not 200 <= response.status_code < 300:
        raise error_from_response(response)
    if response.status_code == 204 or not response.content:
        return {}
    try:
        body = response.json()
    except ValueError as error:
        raise UnexpectedResponseError(
            f"The reply to {response.request.method} {response.url} is not JSON. "
            "Check that the URL points at a VDP API gateway.",
            status_code=response.status_code,
            response=response,
        ) from error
    if not isinstance(body, dict):
        raise UnexpectedResponseError(
            f"The reply to {response.request.method} {response.url} is not a JSON object. "
            "Check that the URL points at a VDP API gateway.",
            status_code=response.status_code,
            response=response,
        )
    return body
