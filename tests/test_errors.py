"""Tests for vdp101.errors: mapping gateway error replies to exceptions."""

from __future__ import annotations

import json

import pytest
import requests

from vdp101.errors import (
    GatewayUnreachableError,
    InvalidImageError,
    InvalidRequestError,
    PipelineExistsError,
    PipelineNotFoundError,
    PipelineStateError,
    UnexpectedResponseError,
    VdpError,
    error_from_response,
)

API = "http://127.0.0.1:8080/v1alpha"


def make_response(
    status: int,
    body: object,
    url: str,
    *,
    method: str = "POST",
    request_json: object = None,
) -> requests.Response:
    """Build a reply as requests returns it, without a server."""
    request = requests.Request(method, url, json=request_json).prepare()
    response = requests.Response()
    response.status_code = status
    response._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response.url = url
    response.request = request
    return response


def test_not_found_names_pipeline_and_url() -> None:
    response = make_response(
        404,
        {"code": 5, "message": "pipeline 'vdp-101-sync' not found", "details": []},
        f"{API}/pipelines/vdp-101-sync/triggerSync",
    )

    error = error_from_response(response)

    assert type(error) is PipelineNotFoundError
    assert str(error) == (
        "Pipeline 'vdp-101-sync' was not found at http://127.0.0.1:8080/v1alpha "
        "(HTTP 404: pipeline 'vdp-101-sync' not found). Create it, or list pipelines to check the id."
    )
    assert error.status_code == 404
    assert error.grpc_code == 5
    assert error.gateway_message == "pipeline 'vdp-101-sync' not found"
    assert error.response is response


def test_not_found_without_body_message() -> None:
    response = make_response(404, {"code": 5}, f"{API}/pipelines/other", method="GET")

    error = error_from_response(response)

    assert type(error) is PipelineNotFoundError
    assert str(error) == (
        "Pipeline 'other' was not found at http://127.0.0.1:8080/v1alpha (HTTP 404). "
        "Create it, or list pipelines to check the id."
    )


def test_not_found_skips_repeated_gateway_message() -> None:
    response = make_response(
        404,
        {
            "code": 5,
            "message": "Pipeline 'vdp-101-synk' was not found. List pipelines with GET /v1alpha/pipelines to check the id.",
            "details": [],
        },
        f"{API}/pipelines/vdp-101-synk",
        method="GET",
    )

    error = error_from_response(response)

    assert type(error) is PipelineNotFoundError
    assert str(error) == (
        "Pipeline 'vdp-101-synk' was not found at http://127.0.0.1:8080/v1alpha (HTTP 404). "
        "Create it, or list pipelines to check the id."
    )
    assert error.gateway_message == (
        "Pipeline 'vdp-101-synk' was not found. List pipelines with GET /v1alpha/pipelines to check the id."
    )


@pytest.mark.parametrize(
    ("pipeline_id", "gateway_message", "quoted"),
    [
        (
            "other",
            "Pipeline 'other' was not found. It was deleted by users/1.",
            "Pipeline 'other' was not found. It was deleted by users/1",
        ),
        (
            "vdp-101-synk",
            "No route matches GET /v1alpha/pipelines/vdp-101-synk. The API paths start with /v1alpha.",
            "No route matches GET /v1alpha/pipelines/vdp-101-synk. The API paths start with /v1alpha",
        ),
    ],
)
def test_not_found_quotes_other_messages(pipeline_id: str, gateway_message: str, quoted: str) -> None:
    response = make_response(
        404, {"code": 5, "message": gateway_message, "details": []}, f"{API}/pipelines/{pipeline_id}", method="GET"
    )

    error = error_from_response(response)

    assert str(error) == (
        f"Pipeline {pipeline_id!r} was not found at http://127.0.0.1:8080/v1alpha (HTTP 404: {quoted}). "
        "Create it, or list pipelines to check the id."
    )


def test_bad_request_is_value_error() -> None:
    url = f"{API}/pipelines/vdp-101-sync/triggerSync"
    response = make_response(400, {"code": 3, "message": "task_inputs is empty", "details": []}, url)

    error = error_from_response(response)

    assert type(error) is InvalidRequestError
    assert isinstance(error, ValueError)
    assert str(error) == (
        f"The gateway rejected POST {url} as invalid (HTTP 400: task_inputs is empty). "
        "Fix the value that the message names and send the request again."
    )
    assert error.grpc_code == 3


def test_conflict_names_id_from_body() -> None:
    response = make_response(
        409,
        {"code": 6, "message": "pipeline already exists", "details": []},
        f"{API}/pipelines",
        request_json={"id": "vdp-101-sync", "recipe": {}},
    )

    error = error_from_response(response)

    assert type(error) is PipelineExistsError
    assert str(error) == (
        "Pipeline 'vdp-101-sync' already exists at http://127.0.0.1:8080/v1alpha "
        "(HTTP 409: pipeline already exists). Choose another id, or delete the existing pipeline first."
    )


def test_unprocessable_image_is_invalid_image() -> None:
    response = make_response(
        422,
        {"code": 9, "message": "input 0: the file is not a decodable image", "details": []},
        f"{API}/pipelines/vdp-101-sync/triggerSyncMultipart",
    )

    error = error_from_response(response)

    assert type(error) is InvalidImageError
    assert isinstance(error, ValueError)
    assert str(error) == (
        "The gateway could not use an image sent to pipeline 'vdp-101-sync' "
        "(HTTP 422: input 0: the file is not a decodable image). "
        "Send a JPEG or PNG file, or an image_url that the gateway can download."
    )


def test_unprocessable_state_is_state_error() -> None:
    response = make_response(
        422,
        {"code": 9, "message": "pipeline mode is MODE_ASYNC", "details": []},
        f"{API}/pipelines/vdp-101-async/triggerSync",
    )

    error = error_from_response(response)

    assert type(error) is PipelineStateError
    assert str(error) == (
        "The gateway at http://127.0.0.1:8080/v1alpha cannot run triggerSync on pipeline "
        "'vdp-101-async' in the pipeline's current mode or state (HTTP 422: pipeline mode is "
        "MODE_ASYNC). Check its mode and state with get_pipeline, activate it, or use the "
        "trigger endpoint for its mode."
    )


def test_server_error_quotes_text_body() -> None:
    url = f"{API}/pipelines/vdp-101-sync/triggerSync"
    response = make_response(502, "Bad Gateway", url)

    error = error_from_response(response)

    assert type(error) is VdpError
    assert str(error) == f"POST {url} failed (HTTP 502: Bad Gateway). Check the gateway's log for the cause."
    assert error.grpc_code is None


def test_long_text_body_is_shortened() -> None:
    response = make_response(500, "x" * 500, f"{API}/pipelines")

    error = error_from_response(response)

    assert error.gateway_message == "x" * 200 + "..."


def test_fastapi_detail_body_is_read() -> None:
    response = make_response(404, {"detail": "Not Found"}, f"{API}/unknown/path", method="GET")

    error = error_from_response(response)

    assert type(error) is VdpError
    assert error.gateway_message == "Not Found"


def test_quoted_pipeline_id_is_unquoted() -> None:
    response = make_response(404, {"code": 5, "message": ""}, f"{API}/pipelines/my%20pipe", method="DELETE")

    error = error_from_response(response)

    assert isinstance(error, PipelineNotFoundError)
    assert "Pipeline 'my pipe' was not found" in str(error)


@pytest.mark.parametrize(
    "error_class",
    [
        PipelineNotFoundError,
        PipelineExistsError,
        PipelineStateError,
        InvalidRequestError,
        InvalidImageError,
        GatewayUnreachableError,
        UnexpectedResponseError,
    ],
)
def test_every_error_is_vdp_error(error_class: type[VdpError]) -> None:
    error = error_class("message", status_code=None)

    assert isinstance(error, VdpError)
    assert error.message == "message"
    assert error.response is None


def test_conflict_advice_not_repeated() -> None:
    gateway_text = "Pipeline id 'vdp-101-sync' is already taken. Choose another id, or delete the existing pipeline first."
    response = make_response(
        409,
        {"code": 6, "message": gateway_text, "details": []},
        f"{API}/pipelines",
        request_json={"id": "vdp-101-sync", "recipe": {}},
    )

    error = error_from_response(response)

    assert str(error) == (
        "Pipeline 'vdp-101-sync' already exists at http://127.0.0.1:8080/v1alpha "
        "(HTTP 409: Pipeline id 'vdp-101-sync' is already taken. Choose another id, "
        "or delete the existing pipeline first)."
    )


def test_image_advice_not_repeated() -> None:
    gateway_text = (
        "notes.txt is not a decodable image (5 bytes): the format is not one that Pillow "
        "recognises. Send a JPEG or PNG file."
    )
    response = make_response(
        422,
        {"code": 9, "message": gateway_text, "details": []},
        f"{API}/pipelines/vdp-101-sync/triggerSyncMultipart",
    )

    error = error_from_response(response)

    assert str(error) == (
        "The gateway could not use an image sent to pipeline 'vdp-101-sync' (HTTP 422: notes.txt "
        "is not a decodable image (5 bytes): the format is not one that Pillow recognises. "
        "Send a JPEG or PNG file)."
    )
