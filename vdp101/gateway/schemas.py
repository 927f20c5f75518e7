"""Pydantic models of the v1alpha request and response bodies.

They validate requests and describe the API in the gateway's OpenAPI document.
Request models forbid unknown fields, because protojson in the real gateway
rejects them too. Fields marked "output only" are accepted and ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

__all__ = [
    "COMPONENT_ID_PATTERN",
    "PIPELINE_ID_PATTERN",
    "BoundingBox",
    "Component",
    "ComponentInput",
    "DetectedObject",
    "Detection",
    "DetectionInput",
    "ErrorBody",
    "HealthCheckResponse",
    "HealthResponse",
    "ListPipelinesResponse",
    "Mode",
    "ModelOutput",
    "Pipeline",
    "PipelineCreate",
    "PipelineResponse",
    "PipelineUpdate",
    "Recipe",
    "RecipeInput",
    "RenameRequest",
    "SamplesResponse",
    "State",
    "TaskInput",
    "TaskOutput",
    "TriggerRequest",
    "TriggerSyncResponse",
    "View",
    "WatchResponse",
]

# RFC 1034 label: ASCII letters, digits and '-', starting with a letter, ending with a
# letter or digit, at most 63 characters.
PIPELINE_ID_PATTERN = r"^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
# Recipe component ids may also contain '_' and start with a digit.
COMPONENT_ID_PATTERN = r"^[A-Za-z0-9]([A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$"

Mode = Literal["MODE_UNSPECIFIED", "MODE_SYNC", "MODE_ASYNC"]
State = Literal["STATE_UNSPECIFIED", "STATE_INACTIVE", "STATE_ACTIVE", "STATE_ERROR"]
View = Literal["VIEW_UNSPECIFIED", "VIEW_BASIC", "VIEW_FULL"]
Task = Literal[
    "TASK_UNSPECIFIED",
    "TASK_CLASSIFICATION",
    "TASK_DETECTION",
    "TASK_KEYPOINT",
    "TASK_OCR",
    "TASK_INSTANCE_SEGMENTATION",
    "TASK_SEMANTIC_SEGMENTATION",
    "TASK_TEXT_TO_IMAGE",
    "TASK_TEXT_GENERATION",
]

PipelineId = Annotated[str, Field(pattern=PIPELINE_ID_PATTERN, examples=["vdp-101-sync"])]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
OutputOnly = Field(default=None, description="Output only; ignored in requests.")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """The v1alpha error body, a google.rpc.Status."""

    code: int = Field(description="gRPC status code, e.g. 3 INVALID_ARGUMENT, 5 NOT_FOUND.")
    message: str
    details: list[dict[str, Any]] = Field(default_factory=list)


# -- Pipelines ---------------------------------------------------------------


class ComponentInput(_Request):
    """A recipe component as a client sends it."""

    id: str = Field(pattern=COMPONENT_ID_PATTERN, examples=["yolov7"])
    resource_name: str = Field(
        min_length=1,
        examples=["models/yolov7"],
        description="source-connectors/..., models/... or destination-connectors/...",
    )
    resource_detail: dict[str, Any] | None = OutputOnly
    metadata: dict[str, Any] | None = None
    dependencies: dict[str, str] | None = None


class RecipeInput(_Request):
    """A recipe as a client sends it."""

    version: Literal["v1alpha"]
    components: list[ComponentInput]


class Component(BaseModel):
    """A recipe component as the gateway returns it."""

    id: str
    resource_name: str
    resource_detail: dict[str, Any]
    metadata: dict[str, Any]
    dependencies: dict[str, str]


class Recipe(BaseModel):
    """A recipe as the gateway returns it."""

    version: str
    components: list[Component]


class Pipeline(BaseModel):
    """A pipeline resource."""

    name: str = Field(examples=["pipelines/vdp-101-sync"])
    uid: str = Field(json_schema_extra={"format": "uuid"})
    id: str
    description: str
    recipe: Recipe | None = Field(description="null in VIEW_BASIC, the recipe in VIEW_FULL.")
    mode: Mode
    state: State
    user: str = Field(examples=["users/5d2c1e62-0b8f-4a43-9c3e-6f0f0c1f3a90"])
    create_time: Timestamp
    update_time: Timestamp


class PipelineCreate(_Request):
    """Body of ``POST /v1alpha/pipelines``."""

    id: PipelineId
    description: str = ""
    recipe: RecipeInput
    name: str | None = OutputOnly
    uid: str | None = OutputOnly
    mode: str | None = OutputOnly
    state: str | None = OutputOnly
    user: str | None = OutputOnly
    create_time: str | None = OutputOnly
    update_time: str | None = OutputOnly


class PipelineUpdate(_Request):
    """Body of ``PATCH /v1alpha/pipelines/{id}``: the fields to change.

    Only ``description`` can change. ``id`` and ``recipe`` are accepted when they
    equal the current values.
    """

    id: str | None = None
    description: str | None = None
    recipe: RecipeInput | None = None
    name: str | None = OutputOnly
    uid: str | None = OutputOnly
    mode: str | None = OutputOnly
    state: str | None = OutputOnly
    user: str | None = OutputOnly
    create_time: str | None = OutputOnly
    update_time: str | None = OutputOnly


class RenameRequest(_Request):
    """Body of ``POST /v1alpha/pipelines/{id}/rename``."""

    new_pipeline_id: PipelineId
    name: str | None = Field(default=None, description="The current resource name; ignored.")


class PipelineResponse(BaseModel):
    pipeline: Pipeline


class ListPipelinesResponse(BaseModel):
    pipelines: list[Pipeline]
    next_page_token: str = Field(description="Pass as page_token for the next page; empty on the last.")
    total_size: int = Field(description="Number of pipelines that match the filter.")


class WatchResponse(BaseModel):
    state: State


class HealthCheckResponse(BaseModel):
    status: Literal["SERVING_STATUS_SERVING"]


class HealthResponse(BaseModel):
    health_check_response: HealthCheckResponse


# -- Triggers ----------------------------------------------------------------


class DetectionInput(_Request):
    """One image for a detection model: a URL or the base64 of the file."""

    image_url: str | None = Field(default=None, examples=["http://127.0.0.1:8080/samples/coffee.jpg"])
    image_base64: str | None = Field(default=None, description="Standard base64 of the image file.")

    @model_validator(mode="after")
    def _check_one_source(self) -> DetectionInput:
        if (self.image_url is None) == (self.image_base64 is None):
            raise ValueError("set exactly one of 'image_url' or 'image_base64'")
        return self


class TaskInput(_Request):
    detection: DetectionInput


class TriggerRequest(_Request):
    """Body of ``triggerSync`` and ``trigger``."""

    task_inputs: list[TaskInput] = Field(min_length=1)


class BoundingBox(BaseModel):
    """Box in pixels of the original image, origin at the top left."""

    top: float
    left: float
    width: float
    height: float

    @field_serializer("top", "left", "width", "height")
    def _write_whole_pixels(self, value: float) -> float | int:
        # protojson writes a float field holding a whole number without a fraction.
        return int(value) if float(value).is_integer() else value


class DetectedObject(BaseModel):
    category: str
    score: float
    bounding_box: BoundingBox


class Detection(BaseModel):
    objects: list[DetectedObject]


class TaskOutput(BaseModel):
    index: str = Field(description="The ULID of the input, as in data_mapping_indices.")
    detection: Detection


class ModelOutput(BaseModel):
    model: str = Field(examples=["models/yolov7"])
    task: Task
    task_outputs: list[TaskOutput]


class TriggerSyncResponse(BaseModel):
    data_mapping_indices: list[str] = Field(description="One ULID per input, in input order.")
    model_outputs: list[ModelOutput] = Field(description="One entry per model component, in recipe order.")


# -- Samples -----------------------------------------------------------------


class SamplesResponse(BaseModel):
    samples: list[str] = Field(description="File names, sorted; fetch one at /samples/{name}.")
