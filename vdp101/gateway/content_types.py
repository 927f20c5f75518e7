"""Route dependencies that check the Content-Type of a request body.

They run before FastAPI validates the body, so a client that sends the wrong kind
of body learns which Content-Type the route expects instead of reading a list of
field errors.
"""

from __future__ import annotations

from email.message import Message

from fastapi import Request

from vdp101.gateway.errors import InvalidArgument

__all__ = ["require_json_body", "require_multipart_body"]


def _media_type(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("content-type")
    if not header:
        return None
    message = Message()
    message["content-type"] = header
    return message.get_content_maintype(), message.get_content_subtype()


def require_json_body(request: Request) -> None:
    """Reject a body whose Content-Type is set and is not JSON.

    A request without a Content-Type is read as JSON, as the VDP API gateway does.
    """
    media_type = _media_type(request)
    if media_type is None:
        return
    maintype, subtype = media_type
    if maintype == "application" and (subtype == "json" or subtype.endswith("+json")):
        return
    raise InvalidArgument(
        f"Content-Type {request.headers['content-type']!r} is not supported by "
        f"{request.method} {request.url.path}. Send a JSON body with 'Content-Type: application/json'."
    )


def require_multipart_body(request: Request) -> None:
    """Reject a body that is not multipart/form-data."""
    media_type = _media_type(request)
    if media_type == ("multipart", "form-data"):
        return
    received = request.headers.get("content-type", "none")
    raise InvalidArgument(
        f"Content-Type {received!r} is not supported by {request.method} {request.url.path}. "
        "Send multipart/form-data with one 'file' part per image."
    )
