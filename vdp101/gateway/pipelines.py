"""Pipeline routes: create, list, get, update, delete, look up, (de)activate, rename, watch."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from vdp101.gateway.content_types import require_json_body
from vdp101.gateway.destinations import redact_recipe
from vdp101.gateway.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from vdp101.gateway.filters import format_timestamp, parse_filter
from vdp101.gateway.recipes import derive_mode, resource_detail
from vdp101.gateway.schemas import (
    PIPELINE_ID_PATTERN,
    ErrorBody,
    ListPipelinesResponse,
    PipelineCreate,
    PipelineResponse,
    PipelineUpdate,
    RecipeInput,
    RenameRequest,
    View,
    WatchResponse,
)
from vdp101.gateway.store import PipelineIdTakenError, PipelineRecord, PipelineStore

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "EXAMPLE_PIPELINE_ID",
    "LOCAL_USER",
    "MAX_PAGE_SIZE",
    "add_example_pipeline",
    "find_pipeline",
    "pipeline_resource",
    "router",
]

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
EXAMPLE_PIPELINE_ID = "vdp-101-sync"
# The local gateway has a single user, who owns every pipeline.
LOCAL_USER = "users/9f3c6e0a-4d2b-4c8e-8a71-2b5e0d7c1f64"

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid argument (gRPC 3) or failed precondition (gRPC 9)."},
    404: {"model": ErrorBody, "description": "No pipeline has that id (gRPC 5)."},
    "default": {"model": ErrorBody, "description": "Any other error, as a google.rpc.Status."},
}
router = APIRouter(prefix="/v1alpha", tags=["pipelines"], responses=_ERRORS)

PipelineIdPath = Annotated[str, Path(pattern=PIPELINE_ID_PATTERN, description="The pipeline id.")]
ViewQuery = Annotated[View, Query(description="VIEW_BASIC (default) leaves out the recipe; VIEW_FULL includes it.")]


def get_store(request: Request) -> PipelineStore:
    return request.app.state.store


def get_known_models(request: Request) -> Mapping[str, str]:
    return request.app.state.known_models


StoreDependency = Annotated[PipelineStore, Depends(get_store)]
ModelsDependency = Annotated[Mapping[str, str], Depends(get_known_models)]


# -- Resources ---------------------------------------------------------------


def _pipeline_not_found(pipeline_id: str) -> NotFound:
    return NotFound(
        f"Pipeline {pipeline_id!r} was not found. List pipelines with GET /v1alpha/pipelines to check the id."
    )


def find_pipeline(store: PipelineStore, pipeline_id: str) -> PipelineRecord:
    """Return the stored pipeline ``pipeline_id``. Raises NotFound if there is none."""
    record = store.get(pipeline_id)
    if record is None:
        raise _pipeline_not_found(pipeline_id)
    return record


def _replace(store: PipelineStore, old_id: str, record: PipelineRecord) -> None:
    """Store ``record`` in place of ``old_id``; NotFound if another request deleted it meanwhile."""
    try:
        store.replace(old_id, record)
    except KeyError as error:
        raise _pipeline_not_found(old_id) from error


def pipeline_resource(record: PipelineRecord, *, view: str, known_models: Mapping[str, str]) -> dict[str, Any]:
    """Build the v1alpha pipeline resource; the recipe is null unless ``view`` is VIEW_FULL.

    The store keeps each ``metadata.database_url`` whole for the ASYNC worker, but the
    resource shows it with the password replaced by ``****``.
    """
    recipe = None
    if view == "VIEW_FULL":
        masked_recipe = redact_recipe(record.recipe)
        recipe = {
            "version": masked_recipe["version"],
            "components": [
                {**component, "resource_detail": resource_detail(component["resource_name"], known_models=known_models)}
                for component in masked_recipe["components"]
            ],
        }
    return {
        "name": f"pipelines/{record.id}",
        "uid": record.uid,
        "id": record.id,
        "description": record.description,
        "recipe": recipe,
        "mode": record.mode,
        "state": record.state,
        "user": LOCAL_USER,
        "create_time": format_timestamp(record.create_time),
        "update_time": format_timestamp(record.update_time),
    }


def _stored_recipe(recipe: RecipeInput) -> dict[str, Any]:
    """Keep the client's fields of a recipe; resource_detail is output only."""
    return {
        "version": recipe.version,
        "components": [
            {
                "id": component.id,
                "resource_name": component.resource_name,
                "metadata": component.metadata or {},
                "dependencies": component.dependencies or {},
            }
            for component in recipe.components
        ],
    }


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _next_update_time(previous: datetime) -> datetime:
    # Two updates within one clock tick still get increasing update_time values.
    return max(_now(), previous + timedelta(microseconds=1))


def new_pipeline_record(
    *, pipeline_id: str, description: str, recipe: dict[str, Any], known_models: Mapping[str, str]
) -> PipelineRecord:
    """Validate ``recipe`` and build an active pipeline. Raises InvalidArgument."""
    mode = derive_mode(recipe, known_models=known_models)
    created = _now()
    return PipelineRecord(
        uid=str(uuid.uuid4()),
        id=pipeline_id,
        description=description,
        recipe=recipe,
        mode=mode,
        state="STATE_ACTIVE",
        create_time=created,
        update_time=created,
    )


def add_example_pipeline(store: PipelineStore, *, known_models: Mapping[str, str]) -> None:
    """Create ``vdp-101-sync``: an HTTP source, YOLOv7 and an HTTP destination."""
    recipe = {
        "version": "v1alpha",
        "components": [
            {"id": "source-http", "resource_name": "source-connectors/source-http", "metadata": {}, "dependencies": {}},
            {"id": "yolov7", "resource_name": "models/yolov7", "metadata": {}, "dependencies": {}},
            {
                "id": "destination-http",
                "resource_name": "destination-connectors/destination-http",
                "metadata": {},
                "dependencies": {},
            },
        ],
    }
    record = new_pipeline_record(
        pipeline_id=EXAMPLE_PIPELINE_ID,
        description="SYNC object detection: HTTP source, YOLOv7, HTTP destination.",
        recipe=recipe,
        known_models=known_models,
    )
    store.insert(record)
    logger.info("Created the example pipeline %s in %s", EXAMPLE_PIPELINE_ID, store.location)


# -- Paging ------------------------------------------------------------------


def _sort_key(record: PipelineRecord) -> tuple[datetime, str]:
    return (record.create_time, record.uid)


def _encode_page_token(record: PipelineRecord) -> str:
    cursor = json.dumps([record.create_time.isoformat(), record.uid])
    return base64.urlsafe_b64encode(cursor.encode()).decode()


def _decode_page_token(token: str) -> tuple[datetime, str]:
    invalid = InvalidArgument(
        f"page_token {token!r} is invalid. Pass the next_page_token of a previous list response, "
        "or leave it empty for the first page."
    )
    try:
        create_time, uid = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        moment = datetime.fromisoformat(create_time)
    except (ValueError, TypeError, binascii.Error, UnicodeEncodeError) as error:
        raise invalid from error
    if moment.tzinfo is None or not isinstance(uid, str):
        raise invalid
    return (moment, uid)


# -- Routes ------------------------------------------------------------------


@router.post(
    "/pipelines",
    status_code=201,
    response_model=PipelineResponse,
    dependencies=[Depends(require_json_body)],
    responses={409: {"model": ErrorBody, "description": "The pipeline id is taken (gRPC 6)."}},
    summary="Create a pipeline",
)
def create_pipeline(
    body: PipelineCreate, store: StoreDependency, known_models: ModelsDependency, request: Request
) -> dict[str, Any]:
    recipe = _stored_recipe(body.recipe)
    record = new_pipeline_record(
        pipeline_id=body.id, description=body.description, recipe=recipe, known_models=known_models
    )
    if record.mode == "MODE_ASYNC":
        # Imported here because async_triggers imports this module.
        from vdp101.gateway.async_triggers import check_pipeline_destinations

        check_pipeline_destinations(request.app, record.recipe)
    try:
        store.insert(record)
    except PipelineIdTakenError as error:
        raise AlreadyExists(
            f"Pipeline id {body.id!r} is already taken. Choose another id, or delete the existing pipeline first."
        ) from error
    logger.info("Created pipeline %s (%s, uid %s)", record.id, record.mode, record.uid)
    return {"pipeline": pipeline_resource(record, view="VIEW_FULL", known_models=known_models)}


@router.get("/pipelines", response_model=ListPipelinesResponse, summary="List pipelines")
def list_pipelines(
    store: StoreDependency,
    known_models: ModelsDependency,
    page_size: Annotated[
        int, Query(ge=0, description=f"Default {DEFAULT_PAGE_SIZE}; larger values than {MAX_PAGE_SIZE} are capped.")
    ] = 0,
    page_token: Annotated[str, Query(description="next_page_token of the previous page.")] = "",
    view: ViewQuery = "VIEW_BASIC",
    filter: Annotated[
        str, Query(description='e.g. mode=MODE_SYNC AND create_time>timestamp("2023-06-19T23:31:08Z")')
    ] = "",
) -> dict[str, Any]:
    matches = parse_filter(filter)
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)

    records = sorted((r for r in store.all() if matches(r)), key=_sort_key, reverse=True)
    total_size = len(records)
    if page_token:
        cursor = _decode_page_token(page_token)
        records = [r for r in records if _sort_key(r) < cursor]

    page = records[:size]
    next_page_token = _encode_page_token(page[-1]) if len(records) > size else ""
    return {
        "pipelines": [pipeline_resource(r, view=view, known_models=known_models) for r in page],
        "next_page_token": next_page_token,
        "total_size": total_size,
    }


@router.get("/pipelines/{pipeline_id}", response_model=PipelineResponse, summary="Get a pipeline")
def get_pipeline(
    pipeline_id: PipelineIdPath, store: StoreDependency, known_models: ModelsDependency, view: ViewQuery = "VIEW_BASIC"
) -> dict[str, Any]:
    record = find_pipeline(store, pipeline_id)
    return {"pipeline": pipeline_resource(record, view=view, known_models=known_models)}


@router.patch(
    "/pipelines/{pipeline_id}",
    response_model=PipelineResponse,
    dependencies=[Depends(require_json_body)],
    summary="Update a pipeline's description",
)
def update_pipeline(
    pipeline_id: PipelineIdPath, body: PipelineUpdate, store: StoreDependency, known_models: ModelsDependency
) -> dict[str, Any]:
    record = find_pipeline(store, pipeline_id)
    if body.id is not None and body.id != record.id:
        raise InvalidArgument(
            f"Field 'id' is {body.id!r} but the pipeline's id is {record.id!r}, and the id cannot be updated. "
            f"Rename the pipeline with POST /v1alpha/pipelines/{record.id}/rename."
        )
    # A recipe copied from a response has its database passwords masked and is still the same recipe.
    if body.recipe is not None and _stored_recipe(body.recipe) not in (record.recipe, redact_recipe(record.recipe)):
        raise InvalidArgument(
            f"The recipe of pipeline {record.id!r} cannot be updated. Create a new pipeline with the new recipe."
        )

    description = record.description if body.description is None else body.description
    updated = replace(record, description=description, update_time=_next_update_time(record.update_time))
    _replace(store, record.id, updated)
    logger.info("Updated pipeline %s", record.id)
    return {"pipeline": pipeline_resource(updated, view="VIEW_FULL", known_models=known_models)}


@router.delete(
    "/pipelines/{pipeline_id}",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Deleted; the body is empty."}},
    summary="Delete a pipeline",
)
def delete_pipeline(pipeline_id: PipelineIdPath, store: StoreDependency) -> Response:
    if not store.delete(pipeline_id):
        raise _pipeline_not_found(pipeline_id)
    logger.info("Deleted pipeline %s", pipeline_id)
    return Response(status_code=204)


@router.get("/pipelines/{uid}/lookUp", response_model=PipelineResponse, summary="Get a pipeline by its uid")
def look_up_pipeline(
    uid: Annotated[uuid.UUID, Path(description="The pipeline's uid.")],
    store: StoreDependency,
    known_models: ModelsDependency,
    view: ViewQuery = "VIEW_BASIC",
) -> dict[str, Any]:
    record = store.get_by_uid(str(uid))
    if record is None:
        raise NotFound(f"No pipeline has uid '{uid}'. List pipelines with GET /v1alpha/pipelines to check the uid.")
    return {"pipeline": pipeline_resource(record, view=view, known_models=known_models)}


@router.post("/pipelines/{pipeline_id}/activate", response_model=PipelineResponse, summary="Activate a pipeline")
def activate_pipeline(pipeline_id: PipelineIdPath, store: StoreDependency, known_models: ModelsDependency) -> dict[str, Any]:
    record = _set_state(store, find_pipeline(store, pipeline_id), "STATE_ACTIVE")
    return {"pipeline": pipeline_resource(record, view="VIEW_FULL", known_models=known_models)}


@router.post(
    "/pipelines/{pipeline_id}/deactivate",
    response_model=PipelineResponse,
    summary="Deactivate an ASYNC pipeline",
)
def deactivate_pipeline(
    pipeline_id: PipelineIdPath, store: StoreDependency, known_models: ModelsDependency
) -> dict[str, Any]:
    record = find_pipeline(store, pipeline_id)
    if record.mode == "MODE_SYNC":
        raise FailedPrecondition(
            f"Pipeline {record.id!r} is MODE_SYNC and cannot be deactivated. Only MODE_ASYNC pipelines "
            "can be deactivated.",
            http_status=400,
        )
    record = _set_state(store, record, "STATE_INACTIVE")
    return {"pipeline": pipeline_resource(record, view="VIEW_FULL", known_models=known_models)}


def _set_state(store: PipelineStore, record: PipelineRecord, state: str) -> PipelineRecord:
    if record.state == state:
        return record
    updated = replace(record, state=state, update_time=_next_update_time(record.update_time))
    _replace(store, record.id, updated)
    logger.info("Pipeline %s is now %s", record.id, state)
    return updated


@router.post(
    "/pipelines/{pipeline_id}/rename",
    response_model=PipelineResponse,
    dependencies=[Depends(require_json_body)],
    responses={409: {"model": ErrorBody, "description": "The new id is taken (gRPC 6)."}},
    summary="Change a pipeline's id",
)
def rename_pipeline(
    pipeline_id: PipelineIdPath, body: RenameRequest, store: StoreDependency, known_models: ModelsDependency
) -> dict[str, Any]:
    record = find_pipeline(store, pipeline_id)
    new_id = body.new_pipeline_id
    if new_id == record.id:
        raise InvalidArgument(f"new_pipeline_id {new_id!r} is the pipeline's current id. Pass a different id.")

    renamed = replace(record, id=new_id, update_time=_next_update_time(record.update_time))
    try:
        _replace(store, record.id, renamed)
    except PipelineIdTakenError as error:
        raise AlreadyExists(f"Pipeline id {new_id!r} is already taken. Choose another new_pipeline_id.") from error
    logger.info("Renamed pipeline %s to %s", record.id, new_id)
    return {"pipeline": pipeline_resource(renamed, view="VIEW_FULL", known_models=known_models)}


@router.get("/pipelines/{pipeline_id}/watch", response_model=WatchResponse, summary="Get a pipeline's state")
def watch_pipeline(pipeline_id: PipelineIdPath, store: StoreDependency) -> dict[str, Any]:
    return {"state": find_pipeline(store, pipeline_id).state}
