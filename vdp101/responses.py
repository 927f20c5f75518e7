"""Read the detections out of a SYNC trigger response.

A SYNC response of the v1alpha API looks like this (one entry in ``model_outputs``
per model of the recipe, one entry in ``task_outputs`` per input image)::

    {"data_mapping_indices": ["01GPXG4P8MWZD4ZQMXD98CAEGG"],
     "model_outputs": [{"model": "models/yolov7", "task": "TASK_DETECTION",
                        "task_outputs": [{"index": "01GPXG4P8MWZD4ZQMXD98CAEGG",
                                          "detection": {"objects": [
                                              {"category": "dog", "score": 0.96,
                                               "bounding_box": {"top": 102, "left": 324,
                                                                "width": 208, "height": 405}}]}}]}]}

Releases before the SYNC/ASYNC split named the list ``model_instance_outputs`` and
the model field ``model_instance``. Both spellings are read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from vdp101.errors import UnexpectedResponseError, error_from_response

if TYPE_CHECKING:
    import requests

__all__ = [
    "BoundingBox",
    "DetectedObject",
    "Detections",
    "parse_detections",
    "parse_response_namespace",
]

logger = logging.getLogger(__name__)

DETECTION_TASK = "TASK_DETECTION"

# JSON names of the types that _require checks, for messages.
_TYPE_NAMES: dict[type, str] = {str: "a string", list: "a list", Mapping: "a JSON object"}


@dataclass(frozen=True)
class BoundingBox:
    """Box around an object, in pixels of the original image.

    The origin is the top left corner of the image and y grows downwards.
    """

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """x of the box's right edge: left + width."""
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """y of the box's bottom edge: top + height."""
        return self.top + self.height


@dataclass(frozen=True)
class DetectedObject:
    """One detected object: COCO category name, confidence score (0 to 1) and box."""

    category: str
    score: float
    bounding_box: BoundingBox


@dataclass(frozen=True)
class Detections:
    """Objects that one model found in one input image.

    Attributes:
        input_position: position of the image in the request's ``task_inputs``, from 0.
        index: the data mapping index (a ULID) that the gateway gave this input.
        model: resource name of the model, e.g. ``models/yolov7``.
        task: the model's task, ``TASK_DETECTION``.
        objects: the detected objects, in the order of the response.
    """

    input_position: int
    index: str
    model: str
    task: str
    objects: tuple[DetectedObject, ...]


def parse_response_namespace(text: str | bytes) -> Any:
    """Parse a JSON response body into nested SimpleNamespace objects.

    Fields become attributes, as in ``r.model_outputs[0].task_outputs[0].detection``.
    Lists stay lists.
    """
    return json.loads(text, object_hook=lambda fields: SimpleNamespace(**fields))


def parse_detections(response: requests.Response | Mapping[str, Any] | str | bytes) -> list[Detections]:
    """Collect the detections of every model for every input of a SYNC response.

    Args:
        response: a ``requests.Response``, the parsed JSON body, or the body text.

    Returns:
        One Detections per model and input, in response order: all inputs of the first
        model, then all inputs of the next. Outputs of models whose task is not
        ``TASK_DETECTION`` are skipped.

    Raises:
        VdpError: a subclass matching the status (PipelineNotFoundError for 404, ...)
            when the response status is not 200. The message carries the gateway's.
        UnexpectedResponseError: the body is not JSON, or lacks a field; the message
            names the field, such as ``model_outputs[0].task_outputs``.
    """
    http_response = None
    if isinstance(response, Mapping):
        body: Any = response
    elif isinstance(response, (str, bytes)):
        body = _load_json(response, None)
    else:
        http_response = response
        if response.status_code != 200:
            raise error_from_response(response)
        body = _load_json(response.content, response)

    if not isinstance(body, Mapping):
        raise _shape_error("", "a JSON object", body, http_response)
    return _read_body(body, http_response)


def _load_json(text: str | bytes, http_response: requests.Response | None) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        start = text[:80] if isinstance(text, str) else text[:80].decode("utf-8", "replace")
        raise UnexpectedResponseError(
            f"The response body is not JSON ({error}); it starts with {start!r}. "
            "Check that the URL points at a VDP API gateway.",
            status_code=getattr(http_response, "status_code", None),
            response=http_response,
        ) from error


def _read_body(body: Mapping[str, Any], http_response: requests.Response | None) -> list[Detections]:
    if "model_outputs" in body:
        outputs_field = "model_outputs"
    elif "model_instance_outputs" in body:
        outputs_field = "model_instance_outputs"
    else:
        hint = ""
        if "data_mapping_indices" in body:
            hint = (
                " It has only data_mapping_indices, as an ASYNC pipeline returns: "
                "read the results from the pipeline's destination."
            )
        raise UnexpectedResponseError(
            f"The response has no model_outputs field (fields: {sorted(body)}).{hint}",
            status_code=getattr(http_response, "status_code", None),
            response=http_response,
        )

    indices = body.get("data_mapping_indices", [])
    if not isinstance(indices, list):
        raise _shape_error("data_mapping_indices", "a list", indices, http_response)
    model_outputs = _require(body, outputs_field, list, outputs_field, http_response)

    detections = []
    for model_position, model_output in enumerate(model_outputs):
        path = f"{outputs_field}[{model_position}]"
        if not isinstance(model_output, Mapping):
            raise _shape_error(path, "a JSON object", model_output, http_response)
        detections.extend(_read_model_output(model_output, path, indices, http_response))
    return detections


def _read_model_output(
    model_output: Mapping[str, Any],
    path: str,
    indices: list[Any],
    http_response: requests.Response | None,
) -> list[Detections]:
    model_field = "model_instance" if "model" not in model_output and "model_instance" in model_output else "model"
    model = _require(model_output, model_field, str, f"{path}.{model_field}", http_response)
    task = _require(model_output, "task", str, f"{path}.task", http_response)
    if task != DETECTION_TASK:
        logger.debug("Skipping %s: its task is %s, not %s", path, task, DETECTION_TASK)
        return []
    task_outputs = _require(model_output, "task_outputs", list, f"{path}.task_outputs", http_response)

    detections = []
    for output_position, task_output in enumerate(task_outputs):
        output_path = f"{path}.task_outputs[{output_position}]"
        if not isinstance(task_output, Mapping):
            raise _shape_error(output_path, "a JSON object", task_output, http_response)
        index = _require(task_output, "index", str, f"{output_path}.index", http_response)
        detection = _require(task_output, "detection", Mapping, f"{output_path}.detection", http_response)

        # Protobuf's JSON mapping may leave out an empty repeated field, so a missing
        # "objects" means that nothing was detected.
        raw_objects = detection.get("objects", [])
        if not isinstance(raw_objects, list):
            raise _shape_error(f"{output_path}.detection.objects", "a list", raw_objects, http_response)
        objects = tuple(
            _read_object(raw, f"{output_path}.detection.objects[{i}]", http_response)
            for i, raw in enumerate(raw_objects)
        )

        input_position = indices.index(index) if index in indices else output_position
        detections.append(Detections(input_position, index, model, task, objects))
    return detections


def _read_object(raw: Any, path: str, http_response: requests.Response | None) -> DetectedObject:
    if not isinstance(raw, Mapping):
        raise _shape_error(path, "a JSON object", raw, http_response)
    category = _require(raw, "category", str, f"{path}.category", http_response)
    score = _require_number(raw, "score", path, http_response)
    box = _require(raw, "bounding_box", Mapping, f"{path}.bounding_box", http_response)
    bounding_box = BoundingBox(
        left=_require_number(box, "left", f"{path}.bounding_box", http_response),
        top=_require_number(box, "top", f"{path}.bounding_box", http_response),
        width=_require_number(box, "width", f"{path}.bounding_box", http_response),
        height=_require_number(box, "height", f"{path}.bounding_box", http_response),
    )
    return DetectedObject(category, score, bounding_box)


def _require(
    container: Mapping[str, Any],
    field: str,
    expected_type: type,
    path: str,
    http_response: requests.Response | None,
) -> Any:
    if field not in container:
        raise UnexpectedResponseError(
            f"The response has no {path} field. Check that the pipeline is a SYNC "
            "detection pipeline and that the gateway speaks the v1alpha API.",
            status_code=getattr(http_response, "status_code", None),
            response=http_response,
        )
    value = container[field]
    if not isinstance(value, expected_type):
        raise _shape_error(path, _TYPE_NAMES.get(expected_type, "a value"), value, http_response)
    return value


def _require_number(
    container: Mapping[str, Any], field: str, parent_path: str, http_response: requests.Response | None
) -> float:
    value = _require(container, field, object, f"{parent_path}.{field}", http_response)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _shape_error(f"{parent_path}.{field}", "a number", value, http_response)
    return value


def _shape_error(
    path: str, expected: str, value: Any, http_response: requests.Response | None
) -> UnexpectedResponseError:
    value_text = repr(value)
    if len(value_text) > 80:
        value_text = value_text[:80] + "..."
    subject = f"The response field {path}" if path else "The response body"
    return UnexpectedResponseError(
        f"{subject} should be {expected} but is {value_text}. "
        "Check that the gateway speaks the v1alpha API.",
        status_code=getattr(http_response, "status_code", None),
        response=http_response,
    )
