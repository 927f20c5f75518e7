"""Pipeline routes of the local gateway: CRUD, listing, recipes, state changes."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from vdp101.gateway.destinations import PostgresDestination
from vdp101.gateway.pipelines import LOCAL_USER

HTTP_SOURCE = "source-connectors/source-http"
GRPC_SOURCE = "source-connectors/source-grpc"
HTTP_DESTINATION = "destination-connectors/destination-http"
GRPC_DESTINATION = "destination-connectors/destination-grpc"
POSTGRES_DESTINATION = "destination-connectors/postgres-db"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


def make_recipe(*resource_names: str) -> dict:
    components = [
        {"id": name.split("/")[-1], "resource_name": name}
        for name in resource_names
    ]
    return {"version": "v1alpha", "components": components}


def create(api: TestClient, pipeline_id: str, *resource_names: str, description: str = ""):
    names = resource_names or (HTTP_SOURCE, "models/yolov7", HTTP_DESTINATION)
    body = {"id": pipeline_id, "description": description, "recipe": make_recipe(*names)}
    return api.post("/v1alpha/pipelines", json=body)


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


# -- Example pipeline ----------------------------------------------------------


def test_new_store_has_example_pipeline(api):
    response = api.get("/v1alpha/pipelines/vdp-101-sync", params={"view": "VIEW_FULL"})

    assert response.status_code == 200
    pipeline = response.json()["pipeline"]
    assert pipeline["name"] == "pipelines/vdp-101-sync"
    assert pipeline["mode"] == "MODE_SYNC"
    assert pipeline["state"] == "STATE_ACTIVE"
    assert [c["resource_name"] for c in pipeline["recipe"]["components"]] == [
        HTTP_SOURCE,
        "models/yolov7",
        HTTP_DESTINATION,
    ]


# -- Create --------------------------------------------------------------------


def test_create_returns_full_resource(api):
    response = create(api, "my-pipeline", description="Detect objects")

    assert response.status_code == 201
    pipeline = response.json()["pipeline"]
    assert pipeline["name"] == "pipelines/my-pipeline"
    assert pipeline["id"] == "my-pipeline"
    assert pipeline["description"] == "Detect objects"
    assert uuid.UUID(pipeline["uid"]).version == 4
    assert pipeline["mode"] == "MODE_SYNC"
    assert pipeline["state"] == "STATE_ACTIVE"
    assert pipeline["user"] == LOCAL_USER
    assert RFC3339.match(pipeline["create_time"])
    assert pipeline["update_time"] == pipeline["create_time"]
    assert pipeline["recipe"]["components"][1] == {
        "id": "yolov7",
        "resource_name": "models/yolov7",
        "resource_detail": {"name": "models/yolov7", "id": "yolov7", "task": "TASK_DETECTION"},
        "metadata": {},
        "dependencies": {},
    }


def test_create_ignores_output_only_fields(api):
    body = {
        "id": "ignored-fields",
        "recipe": make_recipe(HTTP_SOURCE, "models/yolov7", HTTP_DESTINATION),
        "uid": "00000000-0000-4000-8000-000000000000",
        "name": "pipelines/other",
        "mode": "MODE_ASYNC",
        "state": "STATE_INACTIVE",
        "user": "users/someone",
    }

    pipeline = api.post("/v1alpha/pipelines", json=body).json()["pipeline"]

    assert pipeline["uid"] != body["uid"]
    assert pipeline["name"] == "pipelines/ignored-fields"
    assert pipeline["mode"] == "MODE_SYNC"
    assert pipeline["state"] == "STATE_ACTIVE"
    assert pipeline["user"] == LOCAL_USER


def test_create_taken_id_returns_409(api):
    response = create(api, "vdp-101-sync")

    assert response.status_code == 409
    assert response.json() == {
        "code": 6,
        "message": "Pipeline id 'vdp-101-sync' is already taken. Choose another id, or delete the existing pipeline first.",
        "details": [],
    }


@pytest.mark.parametrize("pipeline_id", ["1starts-with-digit", "has_underscore", "ends-with-", "a" * 64, "ünï", ""])
def test_create_invalid_id_returns_400(api, pipeline_id):
    response = create(api, pipeline_id)

    assert response.status_code == 400
    assert response.json()["code"] == 3
    assert response.json()["message"] == (
        "Invalid field 'id': A pipeline id has at most 63 ASCII letters, digits and '-', starts with a letter "
        f"and ends with a letter or digit (received {pipeline_id!r})."
    )


def test_create_accepts_63_character_id(api):
    response = create(api, "a" * 63)

    assert response.status_code == 201


# -- Recipe rules and modes ------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_names", "mode"),
    [
        ((HTTP_SOURCE, "models/yolov7", HTTP_DESTINATION), "MODE_SYNC"),
        ((GRPC_SOURCE, "models/yolov7", GRPC_DESTINATION), "MODE_SYNC"),
        ((HTTP_SOURCE, "models/yolov7", POSTGRES_DESTINATION), "MODE_ASYNC"),
        ((GRPC_SOURCE, "models/yolov7", POSTGRES_DESTINATION), "MODE_ASYNC"),
        ((HTTP_SOURCE, "models/yolov7", "models/yolov7-tiny", HTTP_DESTINATION), "MODE_SYNC"),
    ],
)
def test_create_derives_mode_from_recipe(api, resource_names, mode):
    response = create(api, "mode-check", *resource_names)

    assert response.status_code == 201
    assert response.json()["pipeline"]["mode"] == mode


@pytest.mark.parametrize(
    ("resource_names", "message"),
    [
        (
            (HTTP_SOURCE, "models/yolov7", GRPC_DESTINATION),
            "Source 'source-connectors/source-http' and destination 'destination-connectors/destination-grpc' "
            "use different protocols. A SYNC pipeline pairs source-http with destination-http, or source-grpc "
            "with destination-grpc.",
        ),
        (
            (GRPC_SOURCE, "models/yolov7", HTTP_DESTINATION),
            "Source 'source-connectors/source-grpc' and destination 'destination-connectors/destination-http' "
            "use different protocols. A SYNC pipeline pairs source-http with destination-http, or source-grpc "
            "with destination-grpc.",
        ),
        (
            ("models/yolov7", HTTP_DESTINATION),
            "The recipe has no source component. Add one with resource_name 'source-connectors/source-http' "
            "or 'source-connectors/source-grpc'.",
        ),
        (
            (HTTP_SOURCE, GRPC_SOURCE, "models/yolov7", HTTP_DESTINATION),
            "The recipe has 2 source components ('source-http', 'source-grpc'); a recipe has exactly one.",
        ),
        (
            (HTTP_SOURCE, HTTP_DESTINATION),
            "The recipe has no model component. Add one, e.g. with resource_name 'models/yolov7'.",
        ),
        (
            (HTTP_SOURCE, "models/yolov7"),
            "The recipe has no destination component. Add one, e.g. with resource_name "
            "'destination-connectors/destination-http'.",
        ),
        (
            (HTTP_SOURCE, "models/resnet50", HTTP_DESTINATION),
            "Model 'models/resnet50' (component 'resnet50') is not available on this gateway. "
            "Known models: models/yolov7, models/yolov7-tiny.",
        ),
        (
            ("source-connectors/source-csv", "models/yolov7", HTTP_DESTINATION),
            "Source 'source-connectors/source-csv' (component 'source-csv') is not supported. "
            "Use 'source-connectors/source-http' or 'source-connectors/source-grpc'.",
        ),
        (
            (HTTP_SOURCE, "models/yolov7", HTTP_DESTINATION, POSTGRES_DESTINATION),
            "The recipe mixes the SYNC destination 'destination-connectors/destination-http' with data "
            "destinations. Use destination-http or destination-grpc alone for a SYNC pipeline, or only data "
            "destinations for an ASYNC pipeline.",
        ),
        (
            (HTTP_SOURCE, "instances/yolov7", HTTP_DESTINATION),
            "recipe.components[1].resource_name 'instances/yolov7' is not a connector or model. Use a name "
            "that starts with 'source-connectors/', 'models/' or 'destination-connectors/'.",
        ),
    ],
)
def test_create_invalid_recipe_returns_400(api, resource_names, message):
    response = create(api, "bad-recipe", *resource_names)

    assert response.status_code == 400
    assert response.json() == {"code": 3, "message": message, "details": []}


def test_create_duplicate_component_id_returns_400(api):
    recipe = make_recipe(HTTP_SOURCE, "models/yolov7", HTTP_DESTINATION)
    recipe["components"][2]["id"] = "yolov7"

    response = api.post("/v1alpha/pipelines", json={"id": "dupes", "recipe": recipe})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Component id 'yolov7' is used by recipe.components[1] and recipe.components[2]. "
        "Give each component a unique id."
    )


def test_create_invalid_component_id_returns_400(api):
    recipe = make_recipe(HTTP_SOURCE, "models/yolov7", HTTP_DESTINATION)
    recipe["components"][0]["id"] = "-source"

    response = api.post("/v1alpha/pipelines", json={"id": "bad-component", "recipe": recipe})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Invalid field 'recipe.components[0].id': A component id has at most 64 ASCII letters, digits, '-' "
        "and '_', and starts and ends with a letter or digit (received '-source')."
    )


def test_create_wrong_recipe_version_returns_400(api):
    recipe = make_recipe(HTTP_SOURCE, "models/yolov7", HTTP_DESTINATION)
    recipe["version"] = "v1beta"

    response = api.post("/v1alpha/pipelines", json={"id": "versioned", "recipe": recipe})

    assert response.status_code == 400
    assert response.json()["message"] == "Invalid field 'recipe.version': Input should be 'v1alpha' (received 'v1beta')."


# -- Get and look up -------------------------------------------------------------


def test_get_basic_view_omits_recipe(api):
    default = api.get("/v1alpha/pipelines/vdp-101-sync").json()["pipeline"]
    basic = api.get("/v1alpha/pipelines/vdp-101-sync", params={"view": "VIEW_BASIC"}).json()["pipeline"]

    assert default["recipe"] is None
    assert basic["recipe"] is None
    assert basic["id"] == "vdp-101-sync"


def test_get_unknown_pipeline_returns_404(api):
    response = api.get("/v1alpha/pipelines/no-such-pipeline")

    assert response.status_code == 404
    assert response.json() == {
        "code": 5,
        "message": "Pipeline 'no-such-pipeline' was not found. List pipelines with GET /v1alpha/pipelines to check the id.",
        "details": [],
    }


def test_look_up_by_uid_returns_pipeline(api):
    uid = create(api, "by-uid").json()["pipeline"]["uid"]

    response = api.get(f"/v1alpha/pipelines/{uid}/lookUp", params={"view": "VIEW_FULL"})

    assert response.status_code == 200
    assert response.json()["pipeline"]["id"] == "by-uid"
    assert response.json()["pipeline"]["recipe"] is not None


def test_look_up_unknown_uid_returns_404(api):
    uid = "3f1e5a52-9d7c-4b7e-9a51-1c2d3e4f5a6b"

    response = api.get(f"/v1alpha/pipelines/{uid}/lookUp")

    assert response.status_code == 404
    assert response.json()["message"] == (
        f"No pipeline has uid '{uid}'. List pipelines with GET /v1alpha/pipelines to check the uid."
    )


def test_look_up_invalid_uid_returns_400(api):
    response = api.get("/v1alpha/pipelines/not-a-uuid/lookUp")

    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid path parameter 'uid': Input should be a valid UUID")


# -- List ------------------------------------------------------------------------


def test_list_returns_newest_first(api):
    for number in range(3):
        create(api, f"pipeline-{number}")

    body = api.get("/v1alpha/pipelines").json()

    assert [p["id"] for p in body["pipelines"]] == ["pipeline-2", "pipeline-1", "pipeline-0", "vdp-101-sync"]
    assert body["total_size"] == 4
    assert body["next_page_token"] == ""
    assert all(p["recipe"] is None for p in body["pipelines"])


def test_list_full_view_includes_recipe(api):
    body = api.get("/v1alpha/pipelines", params={"view": "VIEW_FULL"}).json()

    assert body["pipelines"][0]["recipe"]["version"] == "v1alpha"


def test_list_pages_with_page_token(api):
    for number in range(4):
        create(api, f"pipeline-{number}")

    first = api.get("/v1alpha/pipelines", params={"page_size": 2}).json()
    second = api.get("/v1alpha/pipelines", params={"page_size": 2, "page_token": first["next_page_token"]}).json()
    third = api.get("/v1alpha/pipelines", params={"page_size": 2, "page_token": second["next_page_token"]}).json()

    assert [p["id"] for p in first["pipelines"]] == ["pipeline-3", "pipeline-2"]
    assert [p["id"] for p in second["pipelines"]] == ["pipeline-1", "pipeline-0"]
    assert [p["id"] for p in third["pipelines"]] == ["vdp-101-sync"]
    assert first["total_size"] == second["total_size"] == third["total_size"] == 5
    assert third["next_page_token"] == ""


def test_list_default_page_size_is_10(api):
    for number in range(12):
        create(api, f"pipeline-{number}")

    body = api.get("/v1alpha/pipelines").json()

    assert len(body["pipelines"]) == 10
    assert body["total_size"] == 13
    assert body["next_page_token"] != ""


def test_list_caps_page_size_at_100(api):
    for number in range(101):
        create(api, f"pipeline-{number}")

    body = api.get("/v1alpha/pipelines", params={"page_size": 500}).json()

    assert len(body["pipelines"]) == 100
    assert body["total_size"] == 102


def test_list_negative_page_size_returns_400(api):
    response = api.get("/v1alpha/pipelines", params={"page_size": -1})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Invalid query parameter 'page_size': Input should be greater than or equal to 0 (received '-1')."
    )


def test_list_invalid_page_token_returns_400(api):
    response = api.get("/v1alpha/pipelines", params={"page_token": "not-a-token"})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "page_token 'not-a-token' is invalid. Pass the next_page_token of a previous list response, "
        "or leave it empty for the first page."
    )


def test_list_filters_by_mode(api):
    create(api, "async-one", HTTP_SOURCE, "models/yolov7", POSTGRES_DESTINATION)

    sync = api.get("/v1alpha/pipelines", params={"filter": "mode=MODE_SYNC"}).json()
    not_sync = api.get("/v1alpha/pipelines", params={"filter": "mode != MODE_SYNC"}).json()

    assert [p["id"] for p in sync["pipelines"]] == ["vdp-101-sync"]
    assert sync["total_size"] == 1
    assert [p["id"] for p in not_sync["pipelines"]] == ["async-one"]


def test_list_filters_by_state_and_mode(api):
    create(api, "async-active", HTTP_SOURCE, "models/yolov7", POSTGRES_DESTINATION)
    create(api, "async-inactive", HTTP_SOURCE, "models/yolov7", POSTGRES_DESTINATION)
    api.post("/v1alpha/pipelines/async-inactive/deactivate")

    body = api.get("/v1alpha/pipelines", params={"filter": "mode=MODE_ASYNC AND state=STATE_ACTIVE"}).json()

    assert [p["id"] for p in body["pipelines"]] == ["async-active"]


def test_list_filters_by_create_time(api):
    first = create(api, "older").json()["pipeline"]
    create(api, "newer")

    after = f'create_time>timestamp("{first["create_time"]}")'
    body = api.get("/v1alpha/pipelines", params={"filter": after}).json()
    before = api.get("/v1alpha/pipelines", params={"filter": 'create_time<timestamp("2000-06-19T23:31:08.657Z")'})

    assert [p["id"] for p in body["pipelines"]] == ["newer"]
    assert before.json()["pipelines"] == []
    assert before.json()["total_size"] == 0


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "mode=MODE_PULL",
            "Invalid filter 'mode=MODE_PULL': 'MODE_PULL' is not a valid mode. Use one of MODE_UNSPECIFIED, "
            "MODE_SYNC, MODE_ASYNC.",
        ),
        (
            "owner=me",
            "Invalid filter 'owner=me': cannot parse 'owner=me'. Supported clauses are mode=MODE_..., "
            'state=STATE_... and create_time>timestamp("2023-06-19T23:31:08Z"), joined by AND.',
        ),
        (
            'create_time>timestamp("yesterday")',
            'Invalid filter \'create_time>timestamp("yesterday")\': \'yesterday\' is not an RFC 3339 timestamp '
            'such as "2023-06-19T23:31:08.657Z".',
        ),
        (
            'create_time>timestamp("2023-02-30T00:00:00Z")',
            'Invalid filter \'create_time>timestamp("2023-02-30T00:00:00Z")\': \'2023-02-30T00:00:00Z\' is not a '
            "valid date and time: day is out of range for month.",
        ),
        (
            'create_time>timestamp("9999-12-31T23:59:59-23:59")',
            'Invalid filter \'create_time>timestamp("9999-12-31T23:59:59-23:59")\': \'9999-12-31T23:59:59-23:59\' '
            "is not a valid date and time: date value out of range.",
        ),
        (
            'update_time<timestamp("2023-06-19T23:31:08+24:00")',
            'Invalid filter \'update_time<timestamp("2023-06-19T23:31:08+24:00")\': \'2023-06-19T23:31:08+24:00\' '
            "has the time zone offset +24:00, beyond +-23:59.",
        ),
    ],
)
def test_list_invalid_filter_returns_400(api, expression, message):
    response = api.get("/v1alpha/pipelines", params={"filter": expression})

    assert response.status_code == 400
    assert response.json() == {"code": 3, "message": message, "details": []}


# -- Update ----------------------------------------------------------------------


def test_patch_updates_description(api):
    before = create(api, "patched").json()["pipeline"]

    response = api.patch("/v1alpha/pipelines/patched", json={"description": "New words"})

    assert response.status_code == 200
    after = response.json()["pipeline"]
    assert after["description"] == "New words"
    assert parse_time(after["update_time"]) > parse_time(before["update_time"])
    assert after["create_time"] == before["create_time"]
    assert api.get("/v1alpha/pipelines/patched").json()["pipeline"]["description"] == "New words"


def test_patch_ignores_output_only_fields(api):
    before = api.get("/v1alpha/pipelines/vdp-101-sync").json()["pipeline"]

    response = api.patch(
        "/v1alpha/pipelines/vdp-101-sync",
        json={"uid": "x", "name": "pipelines/x", "mode": "MODE_ASYNC", "state": "STATE_INACTIVE", "id": "vdp-101-sync"},
    )

    assert response.status_code == 200
    after = response.json()["pipeline"]
    assert (after["uid"], after["name"], after["mode"], after["state"]) == (
        before["uid"],
        "pipelines/vdp-101-sync",
        "MODE_SYNC",
        "STATE_ACTIVE",
    )


def test_patch_different_id_returns_400(api):
    response = api.patch("/v1alpha/pipelines/vdp-101-sync", json={"id": "other-id"})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Field 'id' is 'other-id' but the pipeline's id is 'vdp-101-sync', and the id cannot be updated. "
        "Rename the pipeline with POST /v1alpha/pipelines/vdp-101-sync/rename."
    )


def test_patch_changed_recipe_returns_400(api):
    recipe = make_recipe(HTTP_SOURCE, "models/yolov7-tiny", HTTP_DESTINATION)

    response = api.patch("/v1alpha/pipelines/vdp-101-sync", json={"recipe": recipe})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The recipe of pipeline 'vdp-101-sync' cannot be updated. Create a new pipeline with the new recipe."
    )


def test_patch_unknown_pipeline_returns_404(api):
    response = api.patch("/v1alpha/pipelines/missing", json={"description": "x"})

    assert response.status_code == 404
    assert response.json()["code"] == 5


# -- Delete ----------------------------------------------------------------------


def test_delete_returns_204_and_frees_id(api):
    first_uid = create(api, "short-lived").json()["pipeline"]["uid"]

    deleted = api.delete("/v1alpha/pipelines/short-lived")
    missing = api.get("/v1alpha/pipelines/short-lived")
    recreated = create(api, "short-lived")

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert missing.status_code == 404
    assert recreated.status_code == 201
    assert recreated.json()["pipeline"]["uid"] != first_uid


def test_delete_unknown_pipeline_returns_404(api):
    response = api.delete("/v1alpha/pipelines/missing")

    assert response.status_code == 404
    assert response.json()["message"] == (
        "Pipeline 'missing' was not found. List pipelines with GET /v1alpha/pipelines to check the id."
    )


# -- Activate, deactivate, watch ---------------------------------------------------


def test_deactivate_async_pipeline_then_activate(api):
    create(api, "to-db", HTTP_SOURCE, "models/yolov7", POSTGRES_DESTINATION)

    deactivated = api.post("/v1alpha/pipelines/to-db/deactivate")
    watched = api.get("/v1alpha/pipelines/to-db/watch")
    activated = api.post("/v1alpha/pipelines/to-db/activate")

    assert deactivated.status_code == 200
    assert deactivated.json()["pipeline"]["state"] == "STATE_INACTIVE"
    assert watched.json() == {"state": "STATE_INACTIVE"}
    assert activated.json()["pipeline"]["state"] == "STATE_ACTIVE"
    assert api.get("/v1alpha/pipelines/to-db/watch").json() == {"state": "STATE_ACTIVE"}


def test_deactivate_sync_pipeline_returns_400(api):
    response = api.post("/v1alpha/pipelines/vdp-101-sync/deactivate")

    assert response.status_code == 400
    assert response.json() == {
        "code": 9,
        "message": "Pipeline 'vdp-101-sync' is MODE_SYNC and cannot be deactivated. Only MODE_ASYNC pipelines "
        "can be deactivated.",
        "details": [],
    }


def test_activate_active_pipeline_keeps_state(api):
    response = api.post("/v1alpha/pipelines/vdp-101-sync/activate")

    assert response.status_code == 200
    assert response.json()["pipeline"]["state"] == "STATE_ACTIVE"


def test_watch_returns_state(api):
    response = api.get("/v1alpha/pipelines/vdp-101-sync/watch")

    assert response.status_code == 200
    assert response.json() == {"state": "STATE_ACTIVE"}


def test_watch_unknown_pipeline_returns_404(api):
    response = api.get("/v1alpha/pipelines/missing/watch")

    assert response.status_code == 404


# -- Rename ----------------------------------------------------------------------


def test_rename_moves_pipeline_to_new_id(api):
    uid = create(api, "old-name").json()["pipeline"]["uid"]

    response = api.post("/v1alpha/pipelines/old-name/rename", json={"new_pipeline_id": "new-name"})

    assert response.status_code == 200
    assert response.json()["pipeline"]["name"] == "pipelines/new-name"
    assert response.json()["pipeline"]["uid"] == uid
    assert api.get("/v1alpha/pipelines/old-name").status_code == 404
    assert api.get("/v1alpha/pipelines/new-name").json()["pipeline"]["uid"] == uid


def test_rename_to_taken_id_returns_409(api):
    create(api, "other")

    response = api.post("/v1alpha/pipelines/other/rename", json={"new_pipeline_id": "vdp-101-sync"})

    assert response.status_code == 409
    assert response.json() == {
        "code": 6,
        "message": "Pipeline id 'vdp-101-sync' is already taken. Choose another new_pipeline_id.",
        "details": [],
    }


def test_rename_invalid_id_returns_400(api):
    response = api.post("/v1alpha/pipelines/vdp-101-sync/rename", json={"new_pipeline_id": "no spaces"})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Invalid field 'new_pipeline_id': A pipeline id has at most 63 ASCII letters, digits and '-', starts "
        "with a letter and ends with a letter or digit (received 'no spaces')."
    )


def test_rename_to_same_id_returns_400(api):
    response = api.post("/v1alpha/pipelines/vdp-101-sync/rename", json={"new_pipeline_id": "vdp-101-sync"})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "new_pipeline_id 'vdp-101-sync' is the pipeline's current id. Pass a different id."
    )


def test_rename_unknown_pipeline_returns_404(api):
    response = api.post("/v1alpha/pipelines/missing/rename", json={"new_pipeline_id": "found"})

    assert response.status_code == 404


# -- Health ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1alpha/health/pipeline", "/v1alpha/__liveness", "/v1alpha/__readiness"])
def test_health_routes_report_serving(api, path):
    response = api.get(path)

    assert response.status_code == 200
    assert response.json() == {"health_check_response": {"status": "SERVING_STATUS_SERVING"}}


# -- Database passwords ----------------------------------------------------------

DATABASE_URL = "postgresql://vdp:s3cret-pw@db.example.org:5432/results"
MASKED_DATABASE_URL = "postgresql://vdp:****@db.example.org:5432/results"


@pytest.fixture
def postgres_pipeline(api, monkeypatch) -> dict:
    """Create the ASYNC pipeline 'to-postgres', whose destination has DATABASE_URL.

    The destination check that connects to the server is replaced, so no PostgreSQL
    server is needed.
    """
    monkeypatch.setattr(PostgresDestination, "check", lambda self: None)
    recipe = make_recipe(HTTP_SOURCE, "models/yolov7", POSTGRES_DESTINATION)
    recipe["components"][2]["metadata"] = {"database_url": DATABASE_URL}
    response = api.post("/v1alpha/pipelines", json={"id": "to-postgres", "recipe": recipe})
    assert response.status_code == 201
    return response.json()["pipeline"]


def test_create_masks_database_password(postgres_pipeline):
    assert postgres_pipeline["recipe"]["components"][2]["metadata"] == {"database_url": MASKED_DATABASE_URL}


def test_store_keeps_database_password(app, postgres_pipeline):
    stored = app.state.store.get("to-postgres")

    assert stored.recipe["components"][2]["metadata"] == {"database_url": DATABASE_URL}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1alpha/pipelines/to-postgres?view=VIEW_FULL", None),
        ("GET", "/v1alpha/pipelines?view=VIEW_FULL", None),
        ("GET", "/v1alpha/pipelines/{uid}/lookUp?view=VIEW_FULL", None),
        ("PATCH", "/v1alpha/pipelines/to-postgres", {"description": "Results in PostgreSQL"}),
        ("POST", "/v1alpha/pipelines/to-postgres/deactivate", None),
        ("POST", "/v1alpha/pipelines/to-postgres/activate", None),
        ("POST", "/v1alpha/pipelines/to-postgres/rename", {"new_pipeline_id": "renamed-postgres"}),
    ],
)
def test_pipeline_responses_mask_database_password(api, postgres_pipeline, method, path, body):
    response = api.request(method, path.format(uid=postgres_pipeline["uid"]), json=body)

    assert response.status_code == 200
    payload = response.json()
    pipelines = payload["pipelines"] if "pipelines" in payload else [payload["pipeline"]]
    [pipeline] = [pipeline for pipeline in pipelines if pipeline["uid"] == postgres_pipeline["uid"]]
    assert pipeline["recipe"]["components"][2]["metadata"] == {"database_url": MASKED_DATABASE_URL}
    assert "s3cret-pw" not in response.text


def test_patch_accepts_masked_recipe(api, postgres_pipeline):
    response = api.patch(
        "/v1alpha/pipelines/to-postgres",
        json={"description": "Same recipe", "recipe": postgres_pipeline["recipe"]},
    )

    assert response.status_code == 200
    assert response.json()["pipeline"]["description"] == "Same recipe"


def test_patch_other_database_url_returns_400(api, postgres_pipeline):
    recipe = postgres_pipeline["recipe"]
    recipe["components"][2]["metadata"] = {"database_url": "postgresql://vdp:other@db.example.org:5432/results"}

    response = api.patch("/v1alpha/pipelines/to-postgres", json={"recipe": recipe})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The recipe of pipeline 'to-postgres' cannot be updated. Create a new pipeline with the new recipe."
    )


def test_invalid_recipe_message_masks_password(api, caplog):
    recipe = {"version": "v1alpha", "components": {"metadata": {"database_url": DATABASE_URL}}}

    response = api.post("/v1alpha/pipelines", json={"id": "bad-recipe", "recipe": recipe})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Invalid field 'recipe.components': Input should be a valid list "
        "(received {'metadata': {'database_url': 'postgresql://vdp:****@db.example.org:5432/resu...)."
    )
    assert "s3cret-pw" not in caplog.text
