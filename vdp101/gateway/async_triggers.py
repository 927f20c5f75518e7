"""ASYNC trigger routes: queue the inputs, acknowledge at once, write results later.

``triggerAsync`` (JSON ``task_inputs``) and ``triggerAsyncMultipart`` (one ``file``
part per image) accept inputs for MODE_ASYNC pipelines only. The gateway checks
that each data destination of the recipe can be reached, stores the inputs in
its durable queue and returns ``{"data_mapping_indices": [...]}``, one ULID per
input in input order. The background worker (``async_worker``) later writes the
detections to the destination table ``_airbyte_raw_vdp``.

An image that cannot be decoded or fetched does not fail the request: the worker
writes a row with an ``error`` for it, as a pipeline run would. Invalid base64
is a malformed request and is rejected at once.

``start_async_runtime`` and ``stop_async_runtime`` run from the app's lifespan.
Without a data folder, the queue and the SQLite destination live in a temporary
folder that is deleted when the app stops.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, UploadFile
from pydantic import BaseModel, Field
from ulid import ULID

from vdp101.gateway.async_worker import QUEUE_FILE, AsyncQueue, AsyncWorker, QueuedInput, data_destinations
from vdp101.gateway.content_types import require_json_body, require_multipart_body
from vdp101.gateway.destinations import (
    SQLITE_FILE,
    DestinationConfigError,
    DestinationUnavailableError,
)
from vdp101.gateway.errors import FailedPrecondition, InvalidArgument
from vdp101.gateway.schemas import TriggerRequest
from vdp101.gateway.store import PipelineRecord
from vdp101.gateway.trigger_inputs import part_source, read_json_inputs
from vdp101.gateway.triggers import FileParts, PipelineIdPath, error_responses, find_triggerable

__all__ = [
    "AsyncRuntime",
    "TriggerAsyncResponse",
    "check_pipeline_destinations",
    "check_recipe_destinations",
    "router",
    "start_async_runtime",
    "stop_async_runtime",
]

logger = logging.getLogger(__name__)

DRAIN_TIMEOUT_WITHOUT_DATA_DIR = 5.0
"""Seconds a gateway without a data folder keeps processing queued inputs when it
stops, because its temporary queue is deleted afterwards."""

router = APIRouter(
    prefix="/v1alpha",
    tags=["triggers"],
    responses=error_responses(
        invalid_argument="Malformed body or invalid destination metadata",
        failed_precondition="A SYNC or inactive pipeline, invalid base64, or a destination that cannot be reached",
    ),
)


class TriggerAsyncResponse(BaseModel):
    data_mapping_indices: list[str] = Field(
        description="One ULID per input, in input order. Each names the input's rows in the destination."
    )


class AsyncRuntime:
    """The queue, the worker and the folders of one app's ASYNC pipelines.

    Args:
        data_dir: the gateway's data folder, or None for a temporary folder that is
            deleted by ``stop``.
        detector: returns the detector to run on queued inputs.
        public_image_urls_only: the worker fetches image URLs on public addresses only.
    """

    def __init__(
        self, *, data_dir: Path | None, detector: Callable[[], Any], public_image_urls_only: bool = False
    ) -> None:
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="vdp101-async-")
            folder = Path(self._temporary.name)
        else:
            folder = Path(data_dir)
        self.folder = folder
        self.sqlite_path = folder / SQLITE_FILE
        self.queue = AsyncQueue(folder / QUEUE_FILE)
        self.worker = AsyncWorker(
            self.queue, detector=detector, sqlite_path=self.sqlite_path, public_image_urls_only=public_image_urls_only
        )

    @property
    def is_temporary(self) -> bool:
        """True when the folder is deleted at ``stop``."""
        return self._temporary is not None

    def start(self) -> None:
        """Start the worker; inputs queued before the last stop are processed first."""
        self.worker.start()
        logger.info("ASYNC worker started; queue %s, SQLite destination %s", self.queue.path, self.sqlite_path)

    def stop(self) -> int:
        """Stop the worker and close the queue.

        With a data folder, queued inputs stay in it for the next start. Without one,
        the worker first keeps processing for up to ``DRAIN_TIMEOUT_WITHOUT_DATA_DIR``
        seconds, and inputs still queued then are lost with the temporary folder.

        Returns:
            The number of inputs left in the queue.
        """
        drain_timeout = DRAIN_TIMEOUT_WITHOUT_DATA_DIR if self.is_temporary else 0.0
        left = self.worker.stop(drain_timeout=drain_timeout)
        self.queue.close()
        if self._temporary is not None:
            if left:
                logger.warning(
                    "%d accepted ASYNC inputs were not processed and are lost, because the gateway has no "
                    "data folder. Start it with a data folder to keep queued inputs across restarts.",
                    left,
                )
            self._temporary.cleanup()
        return left


_runtime_lock = threading.Lock()


def start_async_runtime(app: FastAPI, *, data_dir: Path | None) -> AsyncRuntime:
    """Create the ASYNC runtime of ``app``, store it as ``app.state.async_runtime`` and start it."""
    with _runtime_lock:
        runtime = getattr(app.state, "async_runtime", None)
        if runtime is None:
            runtime = AsyncRuntime(
                data_dir=data_dir,
                detector=lambda: app.state.detector,
                public_image_urls_only=getattr(app.state, "public_image_urls_only", False),
            )
            app.state.async_runtime = runtime
            runtime.start()
    return runtime


def stop_async_runtime(app: FastAPI) -> None:
    """Stop the ASYNC runtime of ``app``, if it was started."""
    with _runtime_lock:
        runtime = getattr(app.state, "async_runtime", None)
        app.state.async_runtime = None
    if runtime is not None:
        runtime.stop()


def _runtime_for(app: FastAPI) -> AsyncRuntime:
    runtime = getattr(app.state, "async_runtime", None)
    if runtime is not None:
        return runtime
    # An app served without its lifespan (Starlette's TestClient outside a `with`
    # block) has no runtime yet, so the first ASYNC request starts one.
    data_dir = getattr(app.state, "data_dir", None)
    return start_async_runtime(app, data_dir=Path(data_dir) if data_dir is not None else None)


def check_pipeline_destinations(app: FastAPI, recipe: Mapping[str, Any]) -> None:
    """Check the data destinations of a new ASYNC pipeline of ``app``.

    Raises:
        InvalidArgument: a destination component's metadata is invalid.
        FailedPrecondition: a destination cannot be reached; the message names it.
    """
    check_recipe_destinations(recipe, sqlite_path=_runtime_for(app).sqlite_path)


def check_recipe_destinations(recipe: Mapping[str, Any], *, sqlite_path: Path) -> None:
    """Check that every data destination of ``recipe`` can be reached and written.

    Args:
        recipe: the pipeline's recipe.
        sqlite_path: the SQLite destination file for components without a database URL.

    Raises:
        InvalidArgument: a destination component's metadata is invalid.
        FailedPrecondition: a destination cannot be reached; the message names it.
    """
    try:
        destinations = data_destinations(recipe, sqlite_path=sqlite_path)
    except DestinationConfigError as error:
        raise InvalidArgument(str(error)) from error
    for component_id, destination in destinations:
        try:
            destination.check()
        except DestinationUnavailableError as error:
            raise FailedPrecondition(str(error)) from error


def _trigger_async(
    pipeline_id: str, request: Request, read_inputs: Callable[[PipelineRecord], list[QueuedInput]]
) -> dict[str, Any]:
    record = find_triggerable(request, pipeline_id, mode="MODE_ASYNC")
    runtime = _runtime_for(request.app)
    try:
        check_recipe_destinations(record.recipe, sqlite_path=runtime.sqlite_path)
    except FailedPrecondition as error:
        raise FailedPrecondition(
            f"{error.message} Nothing was queued; trigger pipeline {record.id!r} again once the destination "
            "is reachable."
        ) from error

    inputs = read_inputs(record)
    runtime.queue.put(inputs)
    runtime.worker.notify()
    logger.info("Queued %d input(s) of pipeline %s", len(inputs), record.id)
    return {"data_mapping_indices": [item.index for item in inputs]}


def _json_inputs(record: PipelineRecord, body: TriggerRequest, request: Request) -> list[QueuedInput]:
    # Images of other URLs are fetched later by the worker.
    return [
        QueuedInput(str(ULID()), f"pipelines/{record.id}", record.recipe, item.source, item.data, item.url)
        for item in read_json_inputs(body.task_inputs, request)
    ]


def _multipart_inputs(record: PipelineRecord, files: list[UploadFile]) -> list[QueuedInput]:
    return [
        QueuedInput(
            str(ULID()),
            f"pipelines/{record.id}",
            record.recipe,
            part_source(position, upload),
            image_bytes=upload.file.read(),
        )
        for position, upload in enumerate(files)
    ]


@router.post(
    "/pipelines/{pipeline_id}/triggerAsync",
    response_model=TriggerAsyncResponse,
    dependencies=[Depends(require_json_body)],
    summary="Trigger an ASYNC pipeline with image URLs or base64 images",
)
def trigger_async(pipeline_id: PipelineIdPath, body: TriggerRequest, request: Request) -> dict[str, Any]:
    return _trigger_async(pipeline_id, request, lambda record: _json_inputs(record, body, request))


@router.post(
    "/pipelines/{pipeline_id}/triggerAsyncMultipart",
    response_model=TriggerAsyncResponse,
    dependencies=[Depends(require_multipart_body)],
    summary="Trigger an ASYNC pipeline with uploaded image files",
)
def trigger_async_multipart(pipeline_id: PipelineIdPath, file: FileParts, request: Request) -> dict[str, Any]:
    return _trigger_async(pipeline_id, request, lambda record: _multipart_inputs(record, file))
