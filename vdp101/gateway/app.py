"""The FastAPI application of the local VDP gateway and its error handlers.

Every error, including unknown routes, unsupported methods and invalid requests,
is returned as the v1alpha body ``{"code": <gRPC code>, "message": str, "details": []}``.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vdp101 import samples as bundled_samples
from vdp101.gateway import health, pipelines, samples, triggers
from vdp101.gateway.errors import ApiError, GrpcCode, error_body
from vdp101.gateway.model import KNOWN_MODELS, StandInDetector
from vdp101.gateway.store import open_store
from vdp101.gateway.url_safety import ALLOW_PRIVATE_URLS_OPTION, is_loopback_host
from vdp101.gateway.validation import describe_validation_errors

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

ASYNC_TRIGGERS_MODULE = "vdp101.gateway.async_triggers"

# gRPC codes for the HTTP errors that Starlette raises itself (routing, body parsing).
_GRPC_CODE_FOR_STATUS = {
    400: GrpcCode.INVALID_ARGUMENT,
    404: GrpcCode.NOT_FOUND,
    405: GrpcCode.UNIMPLEMENTED,
    409: GrpcCode.ALREADY_EXISTS,
    422: GrpcCode.FAILED_PRECONDITION,
}


def create_app(
    *,
    data_dir: Path | str | None = None,
    samples_dir: Path | str | None = None,
    host: str = "127.0.0.1",
    allow_private_urls: bool = False,
) -> FastAPI:
    """Build the local gateway application.

    Args:
        data_dir: folder of the SQLite pipeline store, created if missing. None keeps
            pipelines in memory.
        samples_dir: folder of the sample images and ``annotations.json``; defaults to
            the bundled samples.
        host: the address that the server running the app listens on. Unless it is a
            loopback address, an ``image_url`` whose host is, or resolves to, a
            loopback, private, link-local or other non-public address is rejected
            with HTTP 422. The gateway's own ``/samples/`` URLs are always accepted.
        allow_private_urls: fetch image URLs on any address, whatever ``host`` is.

    The app state contains ``store`` (the PipelineStore), ``detector`` (the
    StandInDetector), ``known_models`` (model resource name -> task), ``data_dir``
    (a Path or None), ``samples_dir`` and ``public_image_urls_only`` (a bool).
    """
    samples_path = Path(samples_dir) if samples_dir is not None else bundled_samples.data_dir()
    data_path = Path(data_dir) if data_dir is not None else None
    reachable_from_network = not is_loopback_host(host)
    public_image_urls_only = reachable_from_network and not allow_private_urls
    if reachable_from_network:
        _log_image_url_policy(host, public_image_urls_only=public_image_urls_only)
    store = open_store(data_path)
    if store.created_new:
        pipelines.add_example_pipeline(store, known_models=KNOWN_MODELS)

    # ASYNC triggers (triggerAsync, triggerAsyncMultipart) live in their own module. Its
    # `router` is an APIRouter with the prefix /v1alpha, and its runtime (queue and
    # worker) starts and stops with the app. The gateway works without the module.
    async_triggers = None
    if importlib.util.find_spec(ASYNC_TRIGGERS_MODULE) is not None:
        async_triggers = importlib.import_module(ASYNC_TRIGGERS_MODULE)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if async_triggers is not None:
            async_triggers.start_async_runtime(app, data_dir=data_path)
        logger.info(
            "VDP gateway started: %d pipeline(s) in %s, samples from %s",
            len(store.all()),
            store.location,
            samples_path,
        )
        yield
        if async_triggers is not None:
            async_triggers.stop_async_runtime(app)
        logger.info("VDP gateway stopped")

    app = FastAPI(
        title="vdp101 local VDP gateway",
        version="v1alpha",
        description=(
            "A local stand-in for the VDP pipeline service REST API (v1alpha). "
            "Its detection model replays recorded annotations of the bundled sample images."
        ),
        lifespan=lifespan,
        # Swagger UI and ReDoc load scripts from a CDN, which an offline gateway cannot reach.
        docs_url=None,
        redoc_url=None,
        # A body without Content-Type is read as JSON, as the VDP API gateway does.
        strict_content_type=False,
    )
    app.state.store = store
    app.state.data_dir = data_path
    app.state.detector = StandInDetector(samples_path)
    app.state.known_models = dict(KNOWN_MODELS)
    app.state.samples_dir = samples_path
    app.state.public_image_urls_only = public_image_urls_only

    app.include_router(health.router)
    app.include_router(pipelines.router)
    app.include_router(triggers.router)
    app.include_router(samples.router)

    if async_triggers is not None:
        app.include_router(async_triggers.router)

    _add_error_handlers(app)
    return app


def _log_image_url_policy(host: str, *, public_image_urls_only: bool) -> None:
    if public_image_urls_only:
        logger.info(
            "The gateway listens on %s, so it rejects image URLs on loopback, private and other "
            "non-public addresses. %s lifts this.",
            host,
            ALLOW_PRIVATE_URLS_OPTION,
        )
    else:
        logger.warning(
            "The gateway listens on %s and fetches image URLs on any address, so anyone who reaches it "
            "can make it connect to this machine's loopback and private networks.",
            host,
        )


def _add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _handle_api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _handle_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _handle_unexpected_error)


def _error_response(
    request: Request, http_status: int, grpc_code: int, message: str, *, headers: dict[str, str] | None = None
) -> JSONResponse:
    # The gateway returns a response for a client error and carries on, so it logs a warning.
    logger.warning("%s %s -> HTTP %d (gRPC %d): %s", request.method, request.url.path, http_status, grpc_code, message)
    return JSONResponse(error_body(grpc_code, message), status_code=http_status, headers=headers)


def _handle_api_error(request: Request, error: ApiError) -> JSONResponse:
    return _error_response(request, error.http_status, error.grpc_code, error.message)


def _handle_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    content_type = request.headers.get("content-type", "")
    message = describe_validation_errors(error.errors(), multipart=content_type.startswith("multipart/"))
    return _error_response(request, 400, GrpcCode.INVALID_ARGUMENT, message)


def _handle_http_exception(request: Request, error: StarletteHTTPException) -> JSONResponse:
    method, path = request.method, request.url.path
    headers = dict(error.headers) if error.headers else None
    if error.status_code == 404:
        message = (
            f"No route matches {method} {path}. The API paths start with /v1alpha, "
            "for example GET /v1alpha/pipelines."
        )
    elif error.status_code == 405:
        allowed = ", ".join(_allowed_methods(request)) or (headers or {}).get("Allow", "")
        headers = {**(headers or {}), "Allow": allowed}
        message = f"Method {method} is not allowed on {path}. Allowed methods: {allowed}."
    elif error.status_code == 400:
        detail = str(error.detail).rstrip(".")
        message = (
            f"The request body could not be parsed ({detail}). Send UTF-8 encoded JSON, or "
            "multipart/form-data with a boundary, as the Content-Type header says."
        )
    else:
        message = f"{method} {path} failed: {str(error.detail).rstrip('.')}."
    grpc_code = _GRPC_CODE_FOR_STATUS.get(error.status_code, GrpcCode.UNKNOWN)
    return _error_response(request, error.status_code, grpc_code, message, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Return the methods that the OpenAPI document lists for the request's path."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods.update(method.upper() for method in operations)
    return sorted(methods)


def _handle_unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.exception("Unexpected error in %s %s", request.method, request.url.path)
    message = f"Internal error in {request.method} {request.url.path} ({type(error).__name__}). See the gateway log."
    return JSONResponse(error_body(GrpcCode.INTERNAL, message), status_code=500)
