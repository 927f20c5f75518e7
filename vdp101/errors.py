"""Exceptions raised by the vdp101 client.

::

    VdpError
     ├── PipelineNotFoundError       HTTP 404: no pipeline has that id
     ├── PipelineExistsError         HTTP 409: the pipeline id is already taken
     ├── PipelineStateError          HTTP 422: wrong mode or state for the trigger
     ├── InvalidRequestError         HTTP 400, or an invalid argument (also ValueError)
     ├── InvalidImageError           HTTP 422 for an image, or a missing file (also ValueError)
     ├── GatewayUnreachableError     connection refused, timed out, or not a VDP gateway
     └── UnexpectedResponseError     a reply that lacks a field the client reads

``error_from_response`` turns a non-2xx reply into the matching class. It reads the
v1alpha error body ``{"code": <gRPC code>, "message": str, "details": []}``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    import requests

__all__ = [
    "GatewayUnreachableError",
    "InvalidImageError",
    "InvalidRequestError",
    "PipelineExistsError",
    "PipelineNotFoundError",
    "PipelineStateError",
    "UnexpectedResponseError",
    "VdpError",
    "error_from_response",
]

# Maximum length, in characters, of a non-JSON error body quoted in a message.
MAX_QUOTED_BODY = 200

_API_VERSION_PATH = "/v1alpha"

# Path of a pipeline resource and the optional method after it, e.g. "/v1alpha/pipelines/x/triggerSync".
_PIPELINE_PATH = re.compile(r"^(?P<prefix>.*/v1alpha)/pipelines/(?P<id>[^/]+)(?:/(?P<method>[^/]+))?/?$")


class VdpError(Exception):
    """Base class of the client's errors.

    Attributes:
        status_code: HTTP status of the gateway's reply, or None when there was no reply.
        grpc_code: gRPC status code from the error body (5 is NOT_FOUND), or None.
        response: the ``requests.Response``, or None.
        gateway_message: the ``message`` of the gateway's error body, or "".
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        grpc_code: int | None = None,
        response: requests.Response | None = None,
        gateway_message: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.grpc_code = grpc_code
        self.response = response
        self.gateway_message = gateway_message


class PipelineNotFoundError(VdpError):
    """No pipeline has the requested id (HTTP 404, gRPC NOT_FOUND)."""


class PipelineExistsError(VdpError):
    """A pipeline with the requested id already exists (HTTP 409, gRPC ALREADY_EXISTS)."""


class PipelineStateError(VdpError):
    """The pipeline cannot run this request in its mode or state (HTTP 422, gRPC FAILED_PRECONDITION)."""


class InvalidRequestError(VdpError, ValueError):
    """An argument is invalid, found by the client or rejected by the gateway (HTTP 400)."""


class InvalidImageError(VdpError, ValueError):
    """An image file is missing, or the gateway could not decode or fetch an image (HTTP 422)."""


class GatewayUnreachableError(VdpError):
    """The gateway did not reply: the connection failed or timed out, or the URL is not a VDP gateway."""


class UnexpectedResponseError(VdpError):
    """The gateway replied, but the body lacks a field that the client reads."""


def error_from_response(response: requests.Response) -> VdpError:
    """Build the exception that matches a non-2xx reply of the gateway.

    The pipeline id and API URL in the message come from the request URL, and the
    gateway's own message from the v1alpha error body. That message is left out of a
    PipelineNotFoundError's text when it says no more than the text itself, and stays
    in ``gateway_message``. A 422 whose message mentions an image becomes
    InvalidImageError, any other 422 PipelineStateError.

    Args:
        response: a reply with a 4xx or 5xx status.

    Returns:
        An instance of the matching VdpError subclass; the caller raises it.
    """
    status = response.status_code
    grpc_code, gateway_message = _read_error_body(response)
    api_url, pipeline_id, pipeline_method = _split_request_url(response.url)
    request_method = response.request.method if response.request is not None else "Request"
    if pipeline_id is None:
        pipeline_id = _read_request_pipeline_id(response)

    # The gateway's message often ends in a full stop, which would end up inside the brackets.
    quoted_message = gateway_message.rstrip(". ")
    reply = f"HTTP {status}: {quoted_message}" if quoted_message else f"HTTP {status}"
    common: dict[str, Any] = {
        "status_code": status,
        "grpc_code": grpc_code,
        "response": response,
        "gateway_message": gateway_message,
    }

    if status == 404 and pipeline_id is not None:
        if _restates_not_found(gateway_message, pipeline_id):
            reply = f"HTTP {status}"
        return PipelineNotFoundError(
            f"Pipeline {pipeline_id!r} was not found at {api_url} ({reply}). "
            "Create it, or list pipelines to check the id.",
            **common,
        )
    if status == 409:
        subject = f"Pipeline {pipeline_id!r}" if pipeline_id else "The pipeline id"
        advice = _unless_given("Choose another id, or delete the existing pipeline first.", gateway_message)
        return PipelineExistsError(f"{subject} already exists at {api_url} ({reply}).{advice}", **common)
    if status == 400:
        return InvalidRequestError(
            f"The gateway rejected {request_method} {response.url} as invalid ({reply}). "
            "Fix the value that the message names and send the request again.",
            **common,
        )
    if status == 422 and "image" in gateway_message.lower():
        # Both bad images and a wrong pipeline state are 422 FAILED_PRECONDITION, so only
        # the message distinguishes them.
        advice = _unless_given(
            "Send a JPEG or PNG file, or an image_url that the gateway can download.", gateway_message
        )
        return InvalidImageError(
            f"The gateway could not use an image sent to pipeline {pipeline_id!r} ({reply}).{advice}",
            **common,
        )
    if status == 422:
        subject = f"pipeline {pipeline_id!r}" if pipeline_id else "the pipeline"
        action = f"{pipeline_method} on {subject}" if pipeline_method else f"the request on {subject}"
        return PipelineStateError(
            f"The gateway at {api_url} cannot run {action} in the pipeline's current mode "
            f"or state ({reply}). Check its mode and state with get_pipeline, activate it, "
            "or use the trigger endpoint for its mode.",
            **common,
        )
    return VdpError(
        f"{request_method} {response.url} failed ({reply}). "
        "Check the gateway's log for the cause.",
        **common,
    )


def _read_error_body(response: requests.Response) -> tuple[int | None, str]:
    """Return the gRPC code and message of an error reply, or (None, quoted body text)."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        text = response.text.strip()
        if len(text) > MAX_QUOTED_BODY:
            text = text[:MAX_QUOTED_BODY] + "..."
        return None, text

    if not isinstance(body, dict):
        return None, str(body)[:MAX_QUOTED_BODY]
    code = body.get("code")
    grpc_code = code if isinstance(code, int) else None
    # FastAPI's own errors use "detail" instead of the v1alpha "message".
    message = body.get("message", body.get("detail", ""))
    return grpc_code, message if isinstance(message, str) else json.dumps(message)


def _unless_given(advice: str, gateway_message: str) -> str:
    """Return " " + ``advice``, or "" when the gateway's message already starts the same advice.

    The comparison uses the advice's first clause, so "Send a JPEG or PNG file." in the
    gateway's message stands for "Send a JPEG or PNG file, or an image_url ...".
    """
    first_clause = re.split(r"[,.]", advice, maxsplit=1)[0].lower()
    return "" if first_clause in gateway_message.lower() else f" {advice}"


def _restates_not_found(gateway_message: str, pipeline_id: str) -> bool:
    """Return whether a 404 message says no more than PipelineNotFoundError's own message.

    The local gateway answers "Pipeline 'x' was not found. List pipelines with GET
    /v1alpha/pipelines to check the id.", so quoting it would give the fact and the
    advice twice. Other messages, such as a real VDP's wording or "No route matches",
    are quoted.
    """
    fact = f"Pipeline {pipeline_id!r} was not found."
    if not gateway_message.startswith(fact):
        return False
    advice = gateway_message.removeprefix(fact).strip()
    return not advice or advice.lower().startswith("list pipelines")


def _read_request_pipeline_id(response: requests.Response) -> str | None:
    """Return the ``id`` field of a JSON request body, as sent to create a pipeline, or None."""
    body = response.request.body if response.request is not None else None
    if not body:
        return None
    try:
        sent = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    pipeline_id = sent.get("id") if isinstance(sent, dict) else None
    return pipeline_id if isinstance(pipeline_id, str) else None


def _split_request_url(url: str | None) -> tuple[str, str | None, str | None]:
    """Split a request URL into the API URL, the pipeline id and the method after it.

    ``http://h:8080/v1alpha/pipelines/p1/triggerSync`` gives
    ``("http://h:8080/v1alpha", "p1", "triggerSync")``. A URL without a pipeline id
    gives no id, and a URL without ``/v1alpha`` gives the URL without its query.
    """
    parts = urlsplit(url or "")
    base = f"{parts.scheme}://{parts.netloc}"
    match = _PIPELINE_PATH.match(parts.path)
    if match is not None:
        return base + match["prefix"], unquote(match["id"]), match["method"]

    version_end = parts.path.find(_API_VERSION_PATH)
    if version_end == -1:
        return base + parts.path, None, None
    return base + parts.path[: version_end + len(_API_VERSION_PATH)], None, None
