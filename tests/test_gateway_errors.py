"""Error bodies of the local gateway: routing, content types, malformed bodies, samples."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException as StarletteHTTPException

from vdp101.gateway import create_app
from vdp101.samples import data_dir

VALID_RECIPE = {
    "version": "v1alpha",
    "components": [
        {"id": "source", "resource_name": "source-connectors/source-http"},
        {"id": "model", "resource_name": "models/yolov7"},
        {"id": "destination", "resource_name": "destination-connectors/destination-http"},
    ],
}


def test_unknown_route_returns_404_body(api):
    response = api.get("/v1alpha/models")

    assert response.status_code == 404
    assert response.json() == {
        "code": 5,
        "message": "No route matches GET /v1alpha/models. The API paths start with /v1alpha, for example "
        "GET /v1alpha/pipelines.",
        "details": [],
    }


def test_unsupported_method_returns_405_body(api):
    response = api.put("/v1alpha/pipelines/vdp-101-sync", json={})

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"
    assert response.json() == {
        "code": 12,
        "message": "Method PUT is not allowed on /v1alpha/pipelines/vdp-101-sync. Allowed methods: DELETE, GET, PATCH.",
        "details": [],
    }


def test_get_on_trigger_route_returns_405(api):
    response = api.get("/v1alpha/pipelines/vdp-101-sync/triggerSync")

    assert response.status_code == 405
    assert response.json()["message"] == (
        "Method GET is not allowed on /v1alpha/pipelines/vdp-101-sync/triggerSync. Allowed methods: POST."
    )


def test_json_route_rejects_text_content_type(api):
    response = api.post(
        "/v1alpha/pipelines", content=b'{"id": "x"}', headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": 3,
        "message": "Content-Type 'text/plain' is not supported by POST /v1alpha/pipelines. Send a JSON body "
        "with 'Content-Type: application/json'.",
        "details": [],
    }


def test_json_route_rejects_form_content_type(api):
    response = api.post("/v1alpha/pipelines/vdp-101-sync/triggerSync", data={"task_inputs": "x"})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Content-Type 'application/x-www-form-urlencoded' is not supported by POST "
        "/v1alpha/pipelines/vdp-101-sync/triggerSync. Send a JSON body with 'Content-Type: application/json'."
    )


def test_json_route_accepts_json_with_charset(api):
    response = api.patch(
        "/v1alpha/pipelines/vdp-101-sync",
        content=b'{"description": "x"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 200


def test_multipart_route_rejects_json(api):
    response = api.post("/v1alpha/pipelines/vdp-101-sync/triggerSyncMultipart", json={"task_inputs": []})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Content-Type 'application/json' is not supported by POST /v1alpha/pipelines/vdp-101-sync/"
        "triggerSyncMultipart. Send multipart/form-data with one 'file' part per image."
    )


def test_multipart_without_boundary_returns_400(api):
    response = api.post(
        "/v1alpha/pipelines/vdp-101-sync/triggerSyncMultipart",
        content=b"--x\r\n",
        headers={"Content-Type": "multipart/form-data"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": 3,
        "message": "The request body could not be parsed (Missing boundary in multipart). Send UTF-8 encoded "
        "JSON, or multipart/form-data with a boundary, as the Content-Type header says.",
        "details": [],
    }


def test_multipart_plain_field_named_file_returns_400(api):
    response = api.post(
        "/v1alpha/pipelines/vdp-101-sync/triggerSyncMultipart",
        files=[("file", (None, b"just text"))],
    )

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Each 'file' part must be a file upload with a filename, not a plain form field."
    )


def test_malformed_json_names_position(api):
    response = api.post("/v1alpha/pipelines", content=b'{"id": "a",}', headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The request body is not valid JSON: Expecting property name enclosed in double quotes at position 11. "
        "Send a JSON object."
    )


def test_invalid_utf8_body_returns_400(api):
    response = api.post(
        "/v1alpha/pipelines", content=b'{"id": "\xff\xfe"}', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The request body could not be parsed (There was an error parsing the body). Send UTF-8 encoded JSON, "
        "or multipart/form-data with a boundary, as the Content-Type header says."
    )


def test_lone_surrogate_in_json_returns_400(api):
    response = api.patch(
        "/v1alpha/pipelines/vdp-101-sync",
        content=b'{"description": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The JSON body contains the unpaired UTF-16 surrogate '\\ud800', which is not valid Unicode. "
        "Send text as UTF-8, or escape characters outside the BMP as surrogate pairs."
    )


def test_surrogate_pair_in_json_is_accepted(api):
    response = api.patch(
        "/v1alpha/pipelines/vdp-101-sync",
        content=b'{"description": "\\ud83d\\ude00 \\\\ud800"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 200
    assert response.json()["pipeline"]["description"] == "\U0001f600 \\ud800"


def test_empty_body_returns_400(api):
    response = api.post("/v1alpha/pipelines", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["message"] == "The request body is missing or null. Send a JSON object."


def test_array_body_returns_400(api):
    response = api.post("/v1alpha/pipelines", json=[VALID_RECIPE])

    assert response.status_code == 400
    assert response.json()["message"] == "The request body must be a JSON object, not an array."


def test_unknown_body_field_returns_400(api):
    response = api.post("/v1alpha/pipelines", json={"id": "typo", "recipie": VALID_RECIPE, "recipe": VALID_RECIPE})

    assert response.status_code == 400
    assert response.json()["message"] == "Unknown field 'recipie'. Check its spelling against the v1alpha API."


def test_several_invalid_fields_are_listed(api):
    response = api.post("/v1alpha/pipelines", json={"id": 5, "description": ["x"]})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Invalid field 'id': Input should be a valid string (received 5). "
        "Invalid field 'description': Input should be a valid string (received ['x']). "
        "Missing required field 'recipe'."
    )


def test_more_than_three_errors_are_counted(api):
    components = [{"id": "ok", "resource_name": 1, "metadata": 2, "dependencies": 3, "extra": 4}]

    response = api.post("/v1alpha/pipelines", json={"id": "x", "recipe": {"version": "v1", "components": components}})

    assert response.status_code == 400
    assert response.json()["message"].endswith("(2 more invalid fields not shown.)")


def test_long_values_are_shortened(api):
    response = api.post("/v1alpha/pipelines", json={"id": "a" * 500, "recipe": VALID_RECIPE})

    message = response.json()["message"]
    assert response.status_code == 400
    assert message.endswith("(received '" + "a" * 76 + "...).")


def test_invalid_query_parameter_returns_400(api):
    response = api.get("/v1alpha/pipelines", params={"view": "VIEW_ALL"})

    assert response.status_code == 400
    assert response.json() == {
        "code": 3,
        "message": "Invalid query parameter 'view': Input should be 'VIEW_UNSPECIFIED', 'VIEW_BASIC' or "
        "'VIEW_FULL' (received 'VIEW_ALL').",
        "details": [],
    }


def test_invalid_path_id_returns_400(api):
    response = api.get("/v1alpha/pipelines/has_underscore")

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Invalid path parameter 'pipeline_id': A pipeline id has at most 63 ASCII letters, digits and '-', "
        "starts with a letter and ends with a letter or digit (received 'has_underscore')."
    )


def test_unexpected_error_returns_500_body(caplog):
    app = create_app()

    def fail() -> None:
        raise RuntimeError("disk on fire")

    app.add_api_route("/v1alpha/fail", fail)
    client = TestClient(app, raise_server_exceptions=False)

    with caplog.at_level(logging.ERROR, logger="vdp101.gateway.app"):
        response = client.get("/v1alpha/fail")

    assert response.status_code == 500
    assert response.json() == {
        "code": 13,
        "message": "Internal error in GET /v1alpha/fail (RuntimeError). See the gateway log.",
        "details": [],
    }
    assert caplog.records[-1].message == "Unexpected error in GET /v1alpha/fail"
    assert caplog.records[-1].exc_info is not None


@pytest.mark.parametrize("detail", ["Payload too large", "Payload too large."])
def test_http_error_detail_ends_once(detail):
    app = create_app()

    def reject() -> None:
        raise StarletteHTTPException(status_code=413, detail=detail)

    app.add_api_route("/v1alpha/reject", reject)
    response = TestClient(app).get("/v1alpha/reject")

    assert response.status_code == 413
    assert response.json()["message"] == "GET /v1alpha/reject failed: Payload too large."


def test_client_errors_are_logged(api, caplog):
    with caplog.at_level(logging.WARNING, logger="vdp101.gateway.app"):
        api.get("/v1alpha/pipelines/missing")

    assert [record.getMessage() for record in caplog.records] == [
        "GET /v1alpha/pipelines/missing -> HTTP 404 (gRPC 5): Pipeline 'missing' was not found. "
        "List pipelines with GET /v1alpha/pipelines to check the id."
    ]


# -- Samples --------------------------------------------------------------------------


def test_samples_lists_image_files(api):
    response = api.get("/samples")

    assert response.status_code == 200
    names = response.json()["samples"]
    assert names == sorted(names)
    assert {"astronaut.jpg", "chelsea.jpg", "coffee.jpg", "horse.png"} <= set(names)
    assert "annotations.json" not in names


def test_sample_download_returns_file_bytes(api):
    response = api.get("/samples/horse.png")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == (data_dir() / "horse.png").read_bytes()


@pytest.mark.parametrize("name", ["unicorn.jpg", "annotations.json", "README.md", ".hidden.jpg", "..."])
def test_unknown_sample_returns_404(api, name):
    response = api.get(f"/samples/{name}")

    assert response.status_code == 404
    assert response.json() == {
        "code": 5,
        "message": f"Sample {name!r} was not found. GET /samples lists the samples.",
        "details": [],
    }


@pytest.mark.parametrize("path", ["/samples/../pyproject.toml", "/samples/%2e%2e/pyproject.toml", "/samples/..%2Fpyproject.toml"])
def test_sample_path_traversal_returns_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == 5
    assert b"[build-system]" not in response.content
