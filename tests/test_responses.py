"""Tests for vdp101.responses: reading detections out of SYNC trigger responses."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import requests

from vdp101.errors import InvalidImageError, PipelineNotFoundError, UnexpectedResponseError
from vdp101.responses import (
    BoundingBox,
    DetectedObject,
    Detections,
    parse_detections,
    parse_response_namespace,
)

FIRST_INDEX = "01H2ZQ8VJ7R5M1XK3B2C4D6E8F"
SECOND_INDEX = "01H2ZQ8VJ7R5M1XK3B2C4D6E8G"

# A reply of triggerSync for two images (a cat photo, then an empty desk) and one model.
TWO_IMAGES_BODY: dict[str, Any] = {
    "data_mapping_indices": [FIRST_INDEX, SECOND_INDEX],
    "model_outputs": [
        {
            "model": "models/yolov7",
            "task": "TASK_DETECTION",
            "task_outputs": [
                {
                    "index": FIRST_INDEX,
                    "detection": {
                        "objects": [
                            {
                                "category": "cat",
                                "score": 0.94,
                                "bounding_box": {"top": 0, "left": 18, "width": 384, "height": 300},
                            },
                            {
                                "category": "couch",
                                "score": 0.41,
                                "bounding_box": {"top": 120.5, "left": 0, "width": 451, "height": 180},
                            },
                        ]
                    },
                },
                {"index": SECOND_INDEX, "detection": {"objects": []}},
            ],
        }
    ],
}

CAT = DetectedObject("cat", 0.94, BoundingBox(left=18, top=0, width=384, height=300))
COUCH = DetectedObject("couch", 0.41, BoundingBox(left=0, top=120.5, width=451, height=180))


def make_response(status: int, body: object) -> requests.Response:
    url = "http://127.0.0.1:8080/v1alpha/pipelines/vdp-101-sync/triggerSync"
    response = requests.Response()
    response.status_code = status
    response._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response.url = url
    response.request = requests.Request("POST", url, json={"task_inputs": []}).prepare()
    return response


def test_parse_two_inputs_one_model() -> None:
    detections = parse_detections(TWO_IMAGES_BODY)

    assert detections == [
        Detections(0, FIRST_INDEX, "models/yolov7", "TASK_DETECTION", (CAT, COUCH)),
        Detections(1, SECOND_INDEX, "models/yolov7", "TASK_DETECTION", ()),
    ]


@pytest.mark.parametrize("as_type", ["response", "text", "bytes", "dict"])
def test_parse_accepts_every_input_type(as_type: str) -> None:
    inputs = {
        "response": make_response(200, TWO_IMAGES_BODY),
        "text": json.dumps(TWO_IMAGES_BODY),
        "bytes": json.dumps(TWO_IMAGES_BODY).encode(),
        "dict": TWO_IMAGES_BODY,
    }

    detections = parse_detections(inputs[as_type])

    assert [d.objects for d in detections] == [(CAT, COUCH), ()]


def test_parse_two_models_in_order() -> None:
    body = copy.deepcopy(TWO_IMAGES_BODY)
    second_model = copy.deepcopy(body["model_outputs"][0])
    second_model["model"] = "models/yolov7-tiny"
    second_model["task_outputs"][0]["detection"]["objects"] = [second_model["task_outputs"][0]["detection"]["objects"][0]]
    body["model_outputs"].append(second_model)

    detections = parse_detections(body)

    assert [(d.model, d.input_position, d.objects) for d in detections] == [
        ("models/yolov7", 0, (CAT, COUCH)),
        ("models/yolov7", 1, ()),
        ("models/yolov7-tiny", 0, (CAT,)),
        ("models/yolov7-tiny", 1, ()),
    ]


def test_parse_older_model_instance_outputs() -> None:
    body = {
        "data_mapping_indices": [FIRST_INDEX],
        "model_instance_outputs": [
            {
                "model_instance": "models/yolov7/instances/v1.0-cpu",
                "task": "TASK_DETECTION",
                "task_outputs": [TWO_IMAGES_BODY["model_outputs"][0]["task_outputs"][0]],
            }
        ],
    }

    detections = parse_detections(body)

    assert detections == [
        Detections(0, FIRST_INDEX, "models/yolov7/instances/v1.0-cpu", "TASK_DETECTION", (CAT, COUCH))
    ]


def test_input_position_follows_mapping_indices() -> None:
    body = copy.deepcopy(TWO_IMAGES_BODY)
    body["model_outputs"][0]["task_outputs"].reverse()

    detections = parse_detections(body)

    assert [(d.index, d.input_position) for d in detections] == [(SECOND_INDEX, 1), (FIRST_INDEX, 0)]


def test_missing_objects_means_none_found() -> None:
    body = copy.deepcopy(TWO_IMAGES_BODY)
    body["model_outputs"][0]["task_outputs"][1]["detection"] = {}

    detections = parse_detections(body)

    assert detections[1].objects == ()


def test_other_task_outputs_are_skipped() -> None:
    body = copy.deepcopy(TWO_IMAGES_BODY)
    body["model_outputs"].insert(
        0,
        {
            "model": "models/mobilenet",
            "task": "TASK_CLASSIFICATION",
            "task_outputs": [{"index": FIRST_INDEX, "classification": {"category": "tabby", "score": 0.8}}],
        },
    )

    detections = parse_detections(body)

    assert [d.model for d in detections] == ["models/yolov7", "models/yolov7"]


def test_not_found_raises_with_message() -> None:
    response = make_response(404, {"code": 5, "message": "pipeline not found", "details": []})

    with pytest.raises(PipelineNotFoundError) as raised:
        parse_detections(response)

    assert str(raised.value) == (
        "Pipeline 'vdp-101-sync' was not found at http://127.0.0.1:8080/v1alpha "
        "(HTTP 404: pipeline not found). Create it, or list pipelines to check the id."
    )
    assert raised.value.status_code == 404


def test_undecodable_image_raises_invalid_image() -> None:
    response = make_response(422, {"code": 9, "message": "input 0 is not a decodable image", "details": []})

    with pytest.raises(InvalidImageError) as raised:
        parse_detections(response)

    assert raised.value.gateway_message == "input 0 is not a decodable image"


def test_async_reply_explains_missing_outputs() -> None:
    with pytest.raises(UnexpectedResponseError) as raised:
        parse_detections({"data_mapping_indices": [FIRST_INDEX]})

    assert str(raised.value) == (
        "The response has no model_outputs field (fields: ['data_mapping_indices']). "
        "It has only data_mapping_indices, as an ASYNC pipeline returns: read the results "
        "from the pipeline's destination."
    )


@pytest.mark.parametrize(
    ("remove", "field"),
    [
        (("model_outputs", 0, "task_outputs"), "model_outputs[0].task_outputs"),
        (("model_outputs", 0, "task"), "model_outputs[0].task"),
        (("model_outputs", 0, "model"), "model_outputs[0].model"),
        (("model_outputs", 0, "task_outputs", 0, "index"), "model_outputs[0].task_outputs[0].index"),
        (("model_outputs", 0, "task_outputs", 1, "detection"), "model_outputs[0].task_outputs[1].detection"),
        (
            ("model_outputs", 0, "task_outputs", 0, "detection", "objects", 1, "score"),
            "model_outputs[0].task_outputs[0].detection.objects[1].score",
        ),
        (
            ("model_outputs", 0, "task_outputs", 0, "detection", "objects", 0, "bounding_box", "left"),
            "model_outputs[0].task_outputs[0].detection.objects[0].bounding_box.left",
        ),
    ],
)
def test_missing_field_is_named(remove: tuple[Any, ...], field: str) -> None:
    body = copy.deepcopy(TWO_IMAGES_BODY)
    container: Any = body
    for key in remove[:-1]:
        container = container[key]
    del container[remove[-1]]

    with pytest.raises(UnexpectedResponseError) as raised:
        parse_detections(make_response(200, body))

    assert str(raised.value) == (
        f"The response has no {field} field. Check that the pipeline is a SYNC detection "
        "pipeline and that the gateway speaks the v1alpha API."
    )
    assert raised.value.status_code == 200


def test_wrong_field_type_is_named() -> None:
    body = copy.deepcopy(TWO_IMAGES_BODY)
    body["model_outputs"][0]["task_outputs"][0]["detection"]["objects"][0]["score"] = "high"

    with pytest.raises(UnexpectedResponseError) as raised:
        parse_detections(body)

    assert str(raised.value) == (
        "The response field model_outputs[0].task_outputs[0].detection.objects[0].score "
        "should be a number but is 'high'. Check that the gateway speaks the v1alpha API."
    )


def test_list_body_is_rejected() -> None:
    with pytest.raises(UnexpectedResponseError, match=r"^The response body should be a JSON object but is \[\]\."):
        parse_detections("[]")


def test_html_body_is_rejected() -> None:
    with pytest.raises(UnexpectedResponseError) as raised:
        parse_detections(make_response(200, "<html>Console</html>"))

    assert str(raised.value) == (
        "The response body is not JSON (Expecting value: line 1 column 1 (char 0)); it starts "
        "with '<html>Console</html>'. Check that the URL points at a VDP API gateway."
    )


def test_bounding_box_right_and_bottom() -> None:
    box = BoundingBox(left=18, top=10, width=384, height=300)

    assert box.right == 402
    assert box.bottom == 310


def test_namespace_gives_attribute_access() -> None:
    response = parse_response_namespace(json.dumps(TWO_IMAGES_BODY))

    first_output = response.model_outputs[0].task_outputs[0]
    box = first_output.detection.objects[0].bounding_box

    assert response.data_mapping_indices == [FIRST_INDEX, SECOND_INDEX]
    assert first_output.index == FIRST_INDEX
    assert (box.left, box.top, box.width, box.height) == (18, 0, 384, 300)
    assert first_output.detection.objects[1].category == "couch"
