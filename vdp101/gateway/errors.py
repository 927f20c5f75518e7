"""Errors the gateway returns to clients as v1alpha error bodies.

::

    ApiError                 any status, any gRPC code
     ├── InvalidArgument     HTTP 400, gRPC 3 INVALID_ARGUMENT
     ├── NotFound            HTTP 404, gRPC 5 NOT_FOUND
     ├── AlreadyExists       HTTP 409, gRPC 6 ALREADY_EXISTS
     └── FailedPrecondition  HTTP 422 (or 400), gRPC 9 FAILED_PRECONDITION

The body is ``{"code": <gRPC code>, "message": str, "details": []}``, the shape that
grpc-gateway gives a ``google.rpc.Status``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

__all__ = [
    "AlreadyExists",
    "ApiError",
    "FailedPrecondition",
    "GrpcCode",
    "InvalidArgument",
    "NotFound",
    "error_body",
]


class GrpcCode(IntEnum):
    """gRPC status codes (google.rpc.Code) that the gateway returns."""

    OK = 0
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    FAILED_PRECONDITION = 9
    UNIMPLEMENTED = 12
    INTERNAL = 13


def error_body(grpc_code: int, message: str) -> dict[str, Any]:
    """Build the v1alpha error body."""
    return {"code": int(grpc_code), "message": message, "details": []}


class ApiError(Exception):
    """A request the gateway rejects with ``http_status`` and a gRPC code."""

    def __init__(self, http_status: int, grpc_code: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.grpc_code = grpc_code
        self.message = message

    def to_body(self) -> dict[str, Any]:
        """Build the JSON body sent to the client."""
        return error_body(self.grpc_code, self.message)


class InvalidArgument(ApiError):
    """A malformed body, an invalid id or value, or a recipe that breaks a rule."""

    def __init__(self, message: str) -> None:
        super().__init__(400, GrpcCode.INVALID_ARGUMENT, message)


class NotFound(ApiError):
    """No pipeline, sample or route has the requested name."""

    def __init__(self, message: str) -> None:
        super().__init__(404, GrpcCode.NOT_FOUND, message)


class AlreadyExists(ApiError):
    """The pipeline id is taken by another pipeline."""

    def __init__(self, message: str) -> None:
        super().__init__(409, GrpcCode.ALREADY_EXISTS, message)


class FailedPrecondition(ApiError):
    """The pipeline is in the wrong mode or state, or an input image is unusable.

    VDP returns 422 for triggers and 400 for deactivating a SYNC pipeline.
    """

    def __init__(self, message: str, *, http_status: int = 422) -> None:
        super().__init__(http_status, GrpcCode.FAILED_PRECONDITION, message)
