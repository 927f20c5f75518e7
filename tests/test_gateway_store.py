"""Pipeline stores: in memory and SQLite, including restarts on the same data folder."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vdp101.gateway import create_app
from vdp101.gateway.store import (
    DATABASE_FILE,
    MemoryStore,
    PipelineIdTakenError,
    PipelineRecord,
    PipelineStore,
    SqliteStore,
)

RECIPE = {
    "version": "v1alpha",
    "components": [
        {"id": "source", "resource_name": "source-connectors/source-http"},
        {"id": "model", "resource_name": "models/yolov7"},
        {"id": "destination", "resource_name": "destination-connectors/postgres-db"},
    ],
}


def client_for(data_dir: Path) -> TestClient:
    return TestClient(create_app(data_dir=data_dir))


def pipeline_ids(client: TestClient) -> list[str]:
    return [p["id"] for p in client.get("/v1alpha/pipelines").json()["pipelines"]]


def make_record(pipeline_id: str, uid: str) -> PipelineRecord:
    moment = datetime(2023, 6, 19, 23, 31, 8, 657000, tzinfo=timezone.utc)
    return PipelineRecord(
        uid=uid,
        id=pipeline_id,
        description="",
        recipe=RECIPE,
        mode="MODE_ASYNC",
        state="STATE_ACTIVE",
        create_time=moment,
        update_time=moment,
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path) -> PipelineStore:
    return MemoryStore() if request.param == "memory" else SqliteStore(tmp_path)


# -- Restarts over HTTP -------------------------------------------------------------------


def test_sqlite_store_survives_restart(tmp_path):
    first = client_for(tmp_path)
    created = first.post(
        "/v1alpha/pipelines", json={"id": "kept", "description": "Stays", "recipe": RECIPE}
    ).json()["pipeline"]

    second = client_for(tmp_path)
    kept = second.get("/v1alpha/pipelines/kept", params={"view": "VIEW_FULL"}).json()["pipeline"]

    assert (tmp_path / DATABASE_FILE).is_file()
    assert kept == created
    assert pipeline_ids(second) == ["kept", "vdp-101-sync"]


def test_deleted_example_stays_deleted(tmp_path):
    first = client_for(tmp_path)
    assert first.delete("/v1alpha/pipelines/vdp-101-sync").status_code == 204

    second = client_for(tmp_path)

    assert second.get("/v1alpha/pipelines/vdp-101-sync").status_code == 404
    assert pipeline_ids(second) == []


def test_changes_survive_restart(tmp_path):
    first = client_for(tmp_path)
    first.post("/v1alpha/pipelines", json={"id": "to-db", "recipe": RECIPE})
    first.patch("/v1alpha/pipelines/to-db", json={"description": "Nightly"})
    first.post("/v1alpha/pipelines/to-db/deactivate")
    first.post("/v1alpha/pipelines/to-db/rename", json={"new_pipeline_id": "to-warehouse"})
    before = first.get("/v1alpha/pipelines/to-warehouse").json()["pipeline"]

    second = client_for(tmp_path)
    after = second.get("/v1alpha/pipelines/to-warehouse").json()["pipeline"]

    assert after == before
    assert after["description"] == "Nightly"
    assert after["state"] == "STATE_INACTIVE"
    assert second.get("/v1alpha/pipelines/to-db").status_code == 404


def test_data_dir_is_created(tmp_path):
    data_dir = tmp_path / "state" / "gateway"

    client = client_for(data_dir)

    assert (data_dir / DATABASE_FILE).is_file()
    assert pipeline_ids(client) == ["vdp-101-sync"]


def test_memory_stores_are_independent():
    first = TestClient(create_app())
    second = TestClient(create_app())

    first.post("/v1alpha/pipelines", json={"id": "only-here", "recipe": RECIPE})

    assert pipeline_ids(first) == ["only-here", "vdp-101-sync"]
    assert pipeline_ids(second) == ["vdp-101-sync"]


def test_two_apps_share_one_sqlite_file(tmp_path):
    first = client_for(tmp_path)
    second = client_for(tmp_path)

    first.post("/v1alpha/pipelines", json={"id": "shared", "recipe": RECIPE})
    duplicate = second.post("/v1alpha/pipelines", json={"id": "shared", "recipe": RECIPE})

    assert second.get("/v1alpha/pipelines/shared").status_code == 200
    assert duplicate.status_code == 409


# -- Store interface -------------------------------------------------------------------------


def test_store_round_trips_record(store):
    record = make_record("first", "0b7f3c2e-8a41-4f0e-9d55-3c1a2b4d5e6f")

    store.insert(record)

    assert store.get("first") == record
    assert store.get_by_uid(record.uid) == record
    assert store.all() == [record]
    assert store.get("second") is None
    assert store.get_by_uid("7a1d2c3b-0000-4000-8000-000000000000") is None


def test_store_rejects_taken_id(store):
    store.insert(make_record("first", "0b7f3c2e-8a41-4f0e-9d55-3c1a2b4d5e6f"))

    with pytest.raises(PipelineIdTakenError, match="^Pipeline id 'first' is already taken.$"):
        store.insert(make_record("first", "1c8e4d3f-9b52-4a1f-8e66-4d2b3c5e6f70"))


def test_store_replace_renames_record(store):
    record = make_record("first", "0b7f3c2e-8a41-4f0e-9d55-3c1a2b4d5e6f")
    store.insert(record)

    store.replace("first", replace(record, id="renamed", description="New"))

    assert store.get("first") is None
    assert store.get("renamed") == replace(record, id="renamed", description="New")


def test_store_replace_into_taken_id_fails(store):
    store.insert(make_record("first", "0b7f3c2e-8a41-4f0e-9d55-3c1a2b4d5e6f"))
    second = make_record("second", "1c8e4d3f-9b52-4a1f-8e66-4d2b3c5e6f70")
    store.insert(second)

    with pytest.raises(PipelineIdTakenError):
        store.replace("second", replace(second, id="first"))

    assert store.get("second") == second


def test_store_replace_unknown_id_raises_key_error(store):
    with pytest.raises(KeyError):
        store.replace("missing", make_record("missing", "0b7f3c2e-8a41-4f0e-9d55-3c1a2b4d5e6f"))


def test_store_delete_reports_existence(store):
    store.insert(make_record("first", "0b7f3c2e-8a41-4f0e-9d55-3c1a2b4d5e6f"))

    assert store.delete("first") is True
    assert store.delete("first") is False
    assert store.all() == []


def test_sqlite_store_reports_new_file(tmp_path):
    first = SqliteStore(tmp_path)
    second = SqliteStore(tmp_path)

    assert first.created_new is True
    assert second.created_new is False
    assert MemoryStore().created_new is True
