"""Wait until a VDP API gateway is ready to accept requests.

A VDP started with Docker Compose can take several minutes, while its containers
start, before its readiness route returns ``SERVING_STATUS_SERVING``.
``wait_until_ready`` polls that route, so a notebook or a script can start once the
gateway is ready instead of failing on its first request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from vdp101.errors import GatewayUnreachableError
from vdp101.urls import normalize_gateway_url

__all__ = ["READINESS_PATH", "SERVING_STATUS", "wait_until_ready"]

logger = logging.getLogger(__name__)

READINESS_PATH = "/__readiness"
"""Readiness route, relative to the API URL that ends in ``/v1alpha``."""

SERVING_STATUS = "SERVING_STATUS_SERVING"

MAX_REQUEST_TIMEOUT = 5.0
"""Maximum wait for the reply to one readiness request, in seconds."""


def wait_until_ready(url: str, *, timeout: float = 60.0, interval: float = 1.0) -> dict[str, Any]:
    """Poll ``GET {url}/v1alpha/__readiness`` until the gateway reports that it is serving.

    The gateway is ready when the route returns HTTP 200 with
    ``{"health_check_response": {"status": "SERVING_STATUS_SERVING"}}``. Refused
    connections, timeouts and other replies count as "not ready yet".

    Args:
        url: the gateway URL, with or without ``/v1alpha``, e.g. ``http://localhost:8080``.
        timeout: seconds to keep trying. The route is requested at least once, even
            with a timeout of 0.
        interval: seconds to sleep between two requests.

    Returns:
        The JSON body of the readiness reply.

    Raises:
        InvalidRequestError: (a ValueError) the URL is not an http(s) URL.
        GatewayUnreachableError: the gateway was not ready within ``timeout``. The
            message gives the last result and what to check.
    """
    import requests

    readiness_url = normalize_gateway_url(url) + READINESS_PATH
    deadline = time.monotonic() + timeout
    attempts = 0
    while True:
        attempts += 1
        request_timeout = min(MAX_REQUEST_TIMEOUT, max(deadline - time.monotonic(), 0.1))
        try:
            response = requests.get(readiness_url, timeout=request_timeout)
        except requests.Timeout:
            last_result = f"no reply within {request_timeout:g} s"
        except requests.ConnectionError:
            last_result = "connection refused or failed"
        else:
            body = _read_json(response)
            status = body.get("health_check_response", {}).get("status") if isinstance(body, dict) else None
            if response.status_code == 200 and status == SERVING_STATUS:
                logger.info("Gateway at %s is ready after %d request(s)", readiness_url, attempts)
                return body
            last_result = f"HTTP {response.status_code}, status {status!r}"
        logger.debug("Gateway at %s is not ready: %s", readiness_url, last_result)

        if time.monotonic() + interval > deadline:
            break
        time.sleep(interval)

    raise GatewayUnreachableError(
        f"The VDP gateway at {readiness_url} was not ready within {timeout:g} s "
        f"({attempts} request(s), last result: {last_result}). Check that it is running "
        "(`python -m vdp101 gateway` for the local gateway, `docker ps` for the containers "
        "of a real VDP) and that the host and port are right (the API gateway listens on 8080, "
        "the console on 3000). A real VDP can take several minutes to start: wait longer with "
        "a larger timeout."
    )


def _read_json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
