"""SYNC trigger routes: run a pipeline's models on images and return the detections.

The helpers ``check_triggerable``, ``load_json_inputs``, ``load_multipart_inputs``
and ``run_models`` are shared with the ASYNC trigger routes.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from PIL import Image
from ulid import ULID

from vdp101.gateway import images
from vdp101.gateway.content_types import require_json_body, require_multipart_body
from vdp101.gateway.errors import FailedPrecondition
from vdp101.gateway.model import StandInDetector
from vdp101.gateway.pipelines import find_pipeline
from vdp101.gateway.recipes import model_names, source_protocol
from vdp101.gateway.samples import own_sample_path
from vdp101.gateway.schemas import (
    PIPELINE_ID_PATTERN,
    ErrorBody,
    TaskInput,
    TriggerRequest,
    TriggerSyncResponse,
)
from vdp101.gateway.store import PipelineRecord, PipelineStore

__all__ = ["check_triggerable", "load_json_inputs", "load_multipart_inputs", "router", "run_models"]

logger = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed body or missing task_inputs (gRPC 3)."},
    404: {"model": ErrorBody, "description": "No pipeline has that id (gRPC 5)."},
    422: {
        "model": ErrorBody,
        "description": "Wrong pipeline mode, source or state, or an unusable image (gRPC 9).",
    },
    "default": {"model": ErrorBody, "description": "Any other error, as a google.rpc.Status."},
}
router = APIRouter(prefix="/v1alpha", tags=["triggers"], responses=_ERRORS)

PipelineIdPath = Annotated[str, Path(pattern=PIPELINE_ID_PATTERN, description="The pipeline id.")]
FileParts = Annotated[list[UploadFile], File(description="One part named 'file' per image.")]

# A data URI prefix such as "data:image/png;base64," that browsers put before base64.
_DATA_URI_PREFIX = re.compile(r"^data:[^,]*;base64,")
_WHITESPACE = re.compile(r"\s+")


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


def load_json_inputs(task_inputs: list[TaskInput], request: Request) -> list[Image.Image]:
    """Decode the image of each task input, fetching image_url inputs.

    Raises:
        FailedPrecondition: an image cannot be fetched or decoded, or its base64 is invalid.
    """
    loaded = []
    for position, task_input in enumerate(task_inputs):
        detection = task_input.detection
        if detection.image_url is not None:
            data = _fetch(detection.image_url, request)
            source = f"Image URL {detection.image_url}"
        else:
            source = f"task_inputs[{position}].detection.image_base64"
            data = _decode_base64(detection.image_base64 or "", source=source)
        loaded.append(_decode(data, source=source))
    return loaded


def load_multipart_inputs(files: list[UploadFile]) -> list[Image.Image]:
    """Decode the image of each 'file' part. Raises FailedPrecondition for an unusable image."""
    loaded = []
    for position, upload in enumerate(files):
        source = f"File part {position} ({upload.filename!r})"
        # The spooled upload is decoded where it is, without a copy in memory.
        loaded.append(_decode(upload.file, source=source))
    return loaded


def run_models(
    record: PipelineRecord,
    inputs: list[Image.Image],
    *,
    detector: StandInDetector,
    known_models: Mapping[str, str],
) -> dict[str, Any]:
    """Run each model component of ``record`` on ``inputs``.

    Returns:
        ``{"data_mapping_indices": [ULID per input], "model_outputs": [one per model component]}``.
    """
    indices = [str(ULID()) for _ in inputs]
    # Every known model is the same stand-in, so each image is looked up once.
    detections = [detector.detect(image) for image in inputs]
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


def _fetch(url: str, request: Request) -> bytes:
    try:
        path = own_sample_path(url, request)
        if path is not None:
            return path.read_bytes()
        return images.fetch_image_bytes(url)
    except images.ImageFetchError as error:
        raise FailedPrecondition(str(error)) from error


def _decode_base64(text: str, *, source: str) -> bytes:
    compact = _WHITESPACE.sub("", _DATA_URI_PREFIX.sub("", text.strip()))
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as error:
        raise FailedPrecondition(
            f"{source} is not valid base64 ({error}). Send the standard base64 of the image file, "
            "for example the output of `base64 -w0 image.jpg`."
        ) from error


def _decode(data: bytes | BinaryIO, *, source: str) -> Image.Image:
    try:
        return images.decode_image(data, source=source)
    except images.ImageDecodeError as error:
        raise FailedPrecondition(str(error)) from error


def _trigger_sync(
    pipeline_id: str, request: Request, load: Callable[[], list[Image.Image]]
) -> dict[str, Any]:
    store: PipelineStore = request.app.state.store
    record = find_pipeline(store, pipeline_id)
    check_triggerable(record, mode="MODE_SYNC")
    inputs = load()
    result = run_models(
        record, inputs, detector=request.app.state.detector, known_models=request.app.state.known_models
    )
    logger.info("Triggered pipeline %s on %d image(s)", record.id, len(inputs))
    return result


@router.post(
    "/pipelines/{pipeline_id}/triggerSync",
    response_model=TriggerSyncResponse,
    dependencies=[Depends(require_json_body)],
    summary="Trigger a SYNC pipeline with image URLs or base64 images",
)
def trigger_sync(pipeline_id: PipelineIdPath, body: TriggerRequest, request: Request) -> dict[str, Any]:
    return _trigger_sync(pipeline_id, request, lambda: load_json_inputs(body.task_inputs, request))


@router.post(
    "/pipelines/{pipeline_id}/triggerSyncMultipart",
    response_model=TriggerSyncResponse,
    dependencies=[Depends(require_multipart_body)],
    summary="Trigger a SYNC pipeline with uploaded image files",
)
def trigger_sync_multipart(pipeline_id: PipelineIdPath, file: FileParts, request: Request) -> dict[str, Any]:
    return _trigger_sync(pipeline_id, request, lambda: load_multipart_inputs(file))


@router.post(
    "/pipelines/{pipeline_id}/trigger",
    response_model=TriggerSyncResponse,
    dependencies=[Depends(require_json_body)],
    deprecated=True,
    summary="Trigger a SYNC pipeline (name used before triggerSync)",
)
def trigger_legacy(pipeline_id: PipelineIdPath, body: TriggerRequest, request: Request) -> dict[str, Any]:
    return _trigger_sync(pipeline_id, request, lambda: load_json_inputs(body.task_inputs, request))


@router.post(
    "/pipelines/{pipeline_id}/trigger-multipart",
    response_model=TriggerSyncResponse,
    dependencies=[Depends(require_multipart_body)],
    deprecated=True,
    summary="Trigger a SYNC pipeline with files (name used before triggerSyncMultipart)",
)
def trigger_multipart_legacy(pipeline_id: PipelineIdPath, file: FileParts, request: Request) -> dict[str, Any]:
    return _trigger_sync(pipeline_id, request, lambda: load_multipart_inputs(file))
