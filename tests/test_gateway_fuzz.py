"""Property-based tests of the gateway against its own OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid. No response may be a
5xx, and every response must match the status codes, content types and schemas
that /openapi.json declares.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from vdp101.gateway import create_app, images
from vdp101.gateway.images import ImageFetchError

# Generated cases per operation; keeps the whole module well under a minute.
MAX_EXAMPLES = 40

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # JSON Schema cannot express every rule, so a schema-valid request may still be
            # rejected. Examples: a recipe without a source or with an unknown model, an
            # unparseable filter or page_token (400), a missing pipeline (404), a taken id
            # (409), or bytes that are not an image (422).
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404", "409", "422"]},
        },
    }
)

fuzz_app = create_app()
# ASYNC triggers write to data destinations and are fuzzed with their own tests.
schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app, config=CONFIG).exclude(path_regex="Async")


def reject_fetch(url: str, **_: object) -> bytes:
    raise ImageFetchError(f"Image URL {url} could not be fetched: the test suite allows no network access.")


@pytest.fixture(scope="module", autouse=True)
def no_image_downloads() -> Iterator[None]:
    """Keep generated image_url values from reaching the network; own /samples/ URLs still work."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(images, "fetch_image_bytes", reject_fetch)
        yield


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_gateway_conforms_to_openapi(case):
    case.call_and_validate()


# -- Recorded responses against the document ------------------------------------------------

RECIPE = {
    "version": "v1alpha",
    "components": [
        {"id": "source", "resource_name": "source-connectors/source-http"},
        {"id": "model", "resource_name": "models/yolov7"},
        {"id": "destination", "resource_name": "destination-connectors/destination-http"},
    ],
}
COFFEE_URL = "http://testserver/samples/coffee.jpg"


PIPELINE = "/v1alpha/pipelines/{pipeline_id}"


@pytest.mark.parametrize(
    ("method", "template", "url", "request_kwargs", "status"),
    [
        ("POST", "/v1alpha/pipelines", "/v1alpha/pipelines", {"json": {"id": "documented", "recipe": RECIPE}}, 201),
        ("GET", "/v1alpha/pipelines", "/v1alpha/pipelines", {"params": {"view": "VIEW_FULL", "page_size": 1}}, 200),
        ("GET", PIPELINE, "/v1alpha/pipelines/vdp-101-sync", {"params": {"view": "VIEW_FULL"}}, 200),
        ("GET", PIPELINE, "/v1alpha/pipelines/vdp-101-sync", {}, 200),
        ("GET", PIPELINE, "/v1alpha/pipelines/BAD_ID", {}, 400),
        ("PATCH", PIPELINE, "/v1alpha/pipelines/vdp-101-sync", {"json": {"description": "x"}}, 200),
        ("DELETE", PIPELINE, "/v1alpha/pipelines/missing", {}, 404),
        ("POST", PIPELINE + "/activate", "/v1alpha/pipelines/vdp-101-sync/activate", {}, 200),
        ("POST", PIPELINE + "/deactivate", "/v1alpha/pipelines/vdp-101-sync/deactivate", {}, 400),
        ("GET", PIPELINE + "/watch", "/v1alpha/pipelines/vdp-101-sync/watch", {}, 200),
        (
            "POST",
            PIPELINE + "/rename",
            "/v1alpha/pipelines/vdp-101-sync/rename",
            {"json": {"new_pipeline_id": "vdp-101-sync"}},
            400,
        ),
        (
            "POST",
            PIPELINE + "/triggerSync",
            "/v1alpha/pipelines/vdp-101-sync/triggerSync",
            {"json": {"task_inputs": [{"detection": {"image_url": COFFEE_URL}}]}},
            200,
        ),
        (
            "POST",
            PIPELINE + "/triggerSync",
            "/v1alpha/pipelines/vdp-101-sync/triggerSync",
            {"json": {"task_inputs": [{"detection": {"image_base64": "bm90IGFuIGltYWdl"}}]}},
            422,
        ),
        (
            "POST",
            PIPELINE + "/triggerSyncMultipart",
            "/v1alpha/pipelines/vdp-101-sync/triggerSyncMultipart",
            {"files": [("file", ("a.png", b"not an image", "image/png"))]},
            422,
        ),
        ("GET", "/v1alpha/health/pipeline", "/v1alpha/health/pipeline", {}, 200),
        ("GET", "/samples", "/samples", {}, 200),
        ("GET", "/samples/{name}", "/samples/horse.png", {}, 200),
        ("GET", "/samples/{name}", "/samples/unicorn.jpg", {}, 404),
    ],
)
def test_response_matches_openapi(api, method, template, url, request_kwargs, status):
    response = api.request(method, url, **request_kwargs)

    assert response.status_code == status
    assert schema[template][method].validate_response(response) is None


def test_lookup_and_delete_match_openapi(api):
    uid = api.get("/v1alpha/pipelines/vdp-101-sync").json()["pipeline"]["uid"]

    looked_up = api.get(f"/v1alpha/pipelines/{uid}/lookUp")
    deleted = api.delete("/v1alpha/pipelines/vdp-101-sync")

    assert looked_up.status_code == 200
    assert deleted.status_code == 204
    assert schema["/v1alpha/pipelines/{uid}/lookUp"]["GET"].validate_response(looked_up) is None
    assert schema["/v1alpha/pipelines/{pipeline_id}"]["DELETE"].validate_response(deleted) is None


def test_openapi_documents_only_v1alpha_errors(api):
    document = api.get("/openapi.json").json()

    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"]["default"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }, f"{method.upper()} {path}"
