"""SYNC trigger routes: run a pipeline's models on images and return the detections.

The routes are ``async def``. A small request whose files the detector has seen
before is handled on the event loop, because looking it up only hashes the files.
Every other request runs in a worker thread, as a ``def`` route would, because it
may fetch an image URL, resolve its host, read a file or decode an image.

``find_triggerable``, ``error_responses`` and the ``PipelineIdPath`` and
``FileParts`` parameter types are shared with the ASYNC trigger routes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from ulid import ULID

from vdp101.gateway.content_types import require_json_body, require_multipart_body
from vdp101.gateway.errors import FailedPrecondition
from vdp101.gateway.model import StandInDetector
from vdp101.gateway.pipelines import find_pipeline
from vdp101.gateway.recipes import model_names, source_protocol
from vdp101.gateway.schemas import (
    PIPELINE_ID_PATTERN,
    ErrorBody,
    TriggerRequest,
    TriggerSyncResponse,
)
from vdp101.gateway.store import MemoryStore, PipelineRecord, PipelineStore
from vdp101.gateway.trigger_inputs import (
    cached_json_detections,
    cached_multipart_detections,
    detect_json_inputs,
    detect_multipart_inputs,
)

__all__ = [
    "FileParts",
    "PipelineIdPath",
    "check_triggerable",
    "error_responses",
    "find_triggerable",
    "router",
    "sync_result",
]

logger = logging.getLogger(__name__)

PipelineIdPath = Annotated[str, Path(pattern=PIPELINE_ID_PATTERN, description="The pipeline id.")]
FileParts = Annotated[list[UploadFile], File(description="One part named 'file' per image.")]


def error_responses(*, invalid_argument: str, failed_precondition: str) -> dict[int | str, dict[str, Any]]:
    """Build the error responses that a trigger router declares in the OpenAPI document.

    Args:
        invalid_argument: when the router returns HTTP 400 (gRPC 3).
        failed_precondition: when it returns HTTP 422 (gRPC 9).
    """
    return {
        400: {"model": ErrorBody, "description": f"{invalid_argument} (gRPC 3)."},
        404: {"model": ErrorBody, "description": "No pipeline has that id (gRPC 5)."},
        422: {"model": ErrorBody, "description": f"{failed_precondition} (gRPC 9)."},
        "default": {"model": ErrorBody, "description": "Any other error, as a google.rpc.Status."},
    }


router = APIRouter(
    prefix="/v1alpha",
    tags=["triggers"],
    responses=error_responses(
        invalid_argument="Malformed body or missing task_inputs",
        failed_precondition="Wrong pipeline mode, source or state, or an unusable image",
    ),
)


def find_triggerable(request: Request, pipeline_id: str, *, mode: str) -> PipelineRecord:
    """Return the stored pipeline ``pipeline_id`` if it can be triggered on the path for ``mode``.

    Raises:
        NotFound: no pipeline has that id.
        FailedPrecondition: as check_triggerable.
    """
    store: PipelineStore = request.app.state.store
    record = find_pipeline(store, pipeline_id)
    check_triggerable(record, mode=mode)
    return record


def check_triggerable(record: PipelineRecord, *, mode: str) -> None:
    """Check that ``record`` can be triggered over HTTP on the path for ``mode``.

    Raises:
        FailedPrecondition: the pipeline has a gRPC source, is not active, or has the other mode.
    """
    if source_protocol(record.recipe) == "gRPC":
        raise FailedPrecondition(
            f"Pipeline {record.id!r} has the source 'source-connectors/source-grpc' and is triggered over "
            "gRPC only. Trigger a pipeline whose source is 'source-connectors/source-http'."
        )
    if record.state != "STATE_ACTIVE":
        raise FailedPrecondition(
            f"Pipeline {record.id!r} is {record.state}. Activate it with "
            f"POST /v1alpha/pipelines/{record.id}/activate and trigger it again."
        )
    if record.mode != mode:
        endpoint = "triggerAsync" if record.mode == "MODE_ASYNC" else "triggerSync"
        raise FailedPrecondition(
            f"Pipeline {record.id!r} is {record.mode}, but this endpoint triggers {mode} pipelines. "
            f"Use POST /v1alpha/pipelines/{record.id}/{endpoint}."
        )


def sync_result(
    record: PipelineRecord,
    detections: list[list[dict[str, Any]]],
    *,
    known_models: Mapping[str, str],
) -> dict[str, Any]:
    """Build the triggerSync response of ``record`` from the objects detected in each input.

    Every known model is the same stand-in, so each model component of the recipe
    gets the same ``detections``.

    Returns:
        ``{"data_mapping_indices": [ULID per input], "model_outputs": [one per model component]}``.
    """
    indices = [str(ULID()) for _ in detections]
    model_outputs = [
        {
            "model": model,
            "task": known_models[model],
            "task_outputs": [
                {"index": index, "detection": {"objects": objects}} for index, objects in zip(indices, detections)
            ],
        }
        for model in model_names(record.recipe)
    ]
    return {"data_mapping_indices": indices, "model_outputs": model_outputs}


def _trigger_sync(
    pipeline_id: str, request: Request, detect: Callable[[StandInDetector], list[list[dict[str, Any]]]]
) -> dict[str, Any]:
    """Run a SYNC trigger; call it in a worker thread, because it may fetch URLs and decode images."""
    record = find_triggerable(request, pipeline_id, mode="MODE_SYNC")
    detections = detect(request.app.state.detector)
    return _sync_response(record, detections, request)


async def _trigger_sync_cached(
    pipeline_id: str, request: Request, detections: list[list[dict[str, Any]]]
) -> dict[str, Any]:
    """Finish a SYNC trigger whose inputs were all found in the detector's result cache."""
    if isinstance(request.app.state.store, MemoryStore):
        record = find_triggerable(request, pipeline_id, mode="MODE_SYNC")
    else:
        # The SQLite store opens its file and may wait up to 10 s for a lock, so it is
        # read in a worker thread.
        record = await run_in_threadpool(find_triggerable, request, pipeline_id, mode="MODE_SYNC")
    return _sync_response(record, detections, request)


def _sync_response(record: PipelineRecord, detections: list[list[dict[str, Any]]], request: Request) -> dict[str, Any]:
    result = sync_result(record, detections, known_models=request.app.state.known_models)
    logger.info("Triggered pipeline %s on %d image(s)", record.id, len(detections))
    return result


_JSON_ROUTE: dict[str, Any] = {
    "response_model": TriggerSyncResponse,
    "dependencies": [Depends(require_json_body)],
}
_MULTIPART_ROUTE: dict[str, Any] = {
    "response_model": TriggerSyncResponse,
    "dependencies": [Depends(require_multipart_body)],
}


@router.post(
    "/pipelines/{pipeline_id}/triggerSync",
    summary="Trigger a SYNC pipeline with image URLs or base64 images",
    **_JSON_ROUTE,
)
async def trigger_sync(pipeline_id: PipelineIdPath, body: TriggerRequest, request: Request) -> dict[str, Any]:
    cached = cached_json_detections(body.task_inputs, detector=request.app.state.detector)
    if cached is not None:
        return await _trigger_sync_cached(pipeline_id, request, cached)
    return await run_in_threadpool(
        _trigger_sync,
        pipeline_id,
        request,
        lambda detector: detect_json_inputs(body.task_inputs, request, detector=detector),
    )


@router.post(
    "/pipelines/{pipeline_id}/triggerSyncMultipart",
    summary="Trigger a SYNC pipeline with uploaded image files",
    **_MULTIPART_ROUTE,
)
async def trigger_sync_multipart(pipeline_id: PipelineIdPath, file: FileParts, request: Request) -> dict[str, Any]:
    cached = cached_multipart_detections(file, detector=request.app.state.detector)
    if cached is not None:
        return await _trigger_sync_cached(pipeline_id, request, cached)
    return await run_in_threadpool(
        _trigger_sync, pipeline_id, request, lambda detector: detect_multipart_inputs(file, detector=detector)
    )


# /trigger and /trigger-multipart, the paths' names before the SYNC/ASYNC split, run the
# same handlers. The route names keep their OpenAPI operation ids apart.
router.add_api_route(
    "/pipelines/{pipeline_id}/trigger",
    trigger_sync,
    methods=["POST"],
    name="trigger_legacy",
    deprecated=True,
    summary="Trigger a SYNC pipeline (name used before triggerSync)",
    **_JSON_ROUTE,
)
router.add_api_route(
    "/pipelines/{pipeline_id}/trigger-multipart",
    trigger_sync_multipart,
    methods=["POST"],
    name="trigger_multipart_legacy",
    deprecated=True,
    summary="Trigger a SYNC pipeline with files (name used before triggerSyncMultipart)",
    **_MULTIPART_ROUTE,
)
