"""Tests for vdp101.asynchronous: ASYNC triggers in batches and reading the destination table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

import vdp101.asynchronous as asynchronous
from vdp101.asynchronous import (
    AsyncInputError,
    DestinationQueryError,
    PartialTriggerError,
    ResultsTimeoutError,
    _qmark_to_format,
    async_recipe,
    load_indices,
    query_destination,
    read_results,
    save_indices,
    sqlite_destination_path,
    trigger_async_multipart,
    wait_for_results,
)
from vdp101.errors import InvalidRequestError, PipelineStateError
from vdp101.frames import split_frames
from vdp101.gateway import LocalGateway
from vdp101.gateway.destinations import SqliteDestination
from vdp101.responses import BoundingBox, DetectedObject
from vdp101.samples import data_dir, sample_path

PAN_FRAMES = json.loads((data_dir() / "annotations.json").read_text())["pan.gif"]["frames"]
MISSING_INDEX = "01H00000000000000000000000"


@pytest.fixture
def local(tmp_path):
    """A LocalGateway with a data folder and the pipeline vdp-101-async (SQLite destination)."""
    with LocalGateway(data_dir=tmp_path / "gateway") as gateway:
        created = requests.post(
            f"{gateway.url}/v1alpha/pipelines", json={"id": "vdp-101-async", "recipe": async_recipe()}, timeout=30
        )
        assert created.status_code == 201
        yield gateway


@pytest.fixture
def database(tmp_path) -> Path:
    return sqlite_destination_path(tmp_path / "gateway")


@pytest.fixture
def frames(tmp_path) -> list[Path]:
    return split_frames(sample_path("pan.gif"), tmp_path / "frames")


def test_async_recipe_for_sqlite():
    assert async_recipe() == {
        "version": "v1alpha",
        "components": [
            {"id": "source", "resource_name": "source-connectors/source-http"},
            {"id": "detector", "resource_name": "models/yolov7"},
            {"id": "database", "resource_name": "destination-connectors/sqlite-db", "metadata": {}},
        ],
    }


def test_async_recipe_for_postgres():
    recipe = async_recipe(database_url="postgresql://vdp:pw@127.0.0.1/results", model="models/yolov7-tiny")

    assert recipe["components"][1] == {"id": "detector", "resource_name": "models/yolov7-tiny"}
    assert recipe["components"][2] == {
        "id": "database",
        "resource_name": "destination-connectors/postgres-db",
        "metadata": {"database_url": "postgresql://vdp:pw@127.0.0.1/results"},
    }


def test_batches_return_indices_in_order(local, database, frames, tmp_path):
    indices_file = tmp_path / "indices.txt"

    indices = trigger_async_multipart(
        "vdp-101-async", frames, batch_size=5, indices_file=indices_file, progress=False, gateway=local.url
    )
    detections = wait_for_results(indices, database=database, timeout=60)

    assert len(indices) == 12
    assert load_indices(indices_file) == indices
    assert [item.index for item in detections] == indices
    assert [len(item.objects) for item in detections] == [len(objects) for objects in PAN_FRAMES]
    assert detections[2].objects[1] == DetectedObject(
        category="spoon", score=0.78, bounding_box=BoundingBox(left=137, top=12, width=23, height=131)
    )


def test_progress_bar_counts_images(local, frames, capsys):
    trigger_async_multipart("vdp-101-async", frames[:6], batch_size=4, gateway=local.url)

    bar = capsys.readouterr().err.split("\r")[-1].strip()
    assert bar.startswith("vdp-101-async: 100%|")
    assert bar.endswith("| 6/6 images")


def test_batch_size_below_one_is_rejected(frames):
    with pytest.raises(InvalidRequestError) as raised:
        trigger_async_multipart("vdp-101-async", frames, batch_size=0, progress=False, gateway="http://127.0.0.1:9")

    assert str(raised.value) == "batch_size is 0; send at least 1 image per request."


def test_sync_pipeline_raises_state_error(local, frames):
    with pytest.raises(PipelineStateError) as raised:
        trigger_async_multipart("vdp-101-sync", frames[:2], progress=False, gateway=local.url)

    assert raised.value.status_code == 422
    assert raised.value.gateway_message == (
        "Pipeline 'vdp-101-sync' is MODE_SYNC, but this endpoint triggers MODE_ASYNC pipelines. "
        "Use POST /v1alpha/pipelines/vdp-101-sync/triggerSync."
    )


def test_later_batch_rejected_keeps_accepted(local, frames, monkeypatch, tmp_path):
    """When the pipeline is deactivated after the first batch, the second batch fails."""
    real_send = asynchronous.send_request
    calls = []

    def send_then_deactivate(method, url, **arguments):
        response = real_send(method, url, **arguments)
        calls.append(url)
        if len(calls) == 1:
            requests.post(f"{local.url}/v1alpha/pipelines/vdp-101-async/deactivate", timeout=30)
        return response

    monkeypatch.setattr(asynchronous, "send_request", send_then_deactivate)
    indices_file = tmp_path / "indices.txt"

    with pytest.raises(PartialTriggerError) as raised:
        trigger_async_multipart(
            "vdp-101-async", frames[:6], batch_size=3, indices_file=indices_file, progress=False, gateway=local.url
        )

    assert len(raised.value.accepted_indices) == 3
    assert load_indices(indices_file) == raised.value.accepted_indices
    assert raised.value.status_code == 422
    assert str(raised.value).startswith("Batch 2 (pan-003.png to pan-005.png) was rejected: ")
    assert str(raised.value).endswith(
        "The 3 images before it were accepted; their indices are in the error's accepted_indices."
    )


def test_save_and_load_indices_round_trip(tmp_path):
    path = save_indices(["01H0000000000000000000000A", "01H0000000000000000000000B"], tmp_path / "indices.txt")

    assert path.read_text() == "01H0000000000000000000000A\n01H0000000000000000000000B\n"
    assert load_indices(path) == ["01H0000000000000000000000A", "01H0000000000000000000000B"]


def test_wait_timeout_names_missing_count(tmp_path):
    database = tmp_path / "destination.sqlite3"
    SqliteDestination(database).check()

    with pytest.raises(ResultsTimeoutError) as raised:
        wait_for_results([MISSING_INDEX, "01H0000000000000000000000B"], database=database, timeout=0)

    assert raised.value.missing == [MISSING_INDEX, "01H0000000000000000000000B"]
    assert str(raised.value) == (
        f"2 of 2 results are missing from _airbyte_raw_vdp in SQLite file {database} after 0 s "
        f"(first missing index: {MISSING_INDEX}). Check the gateway's log for destination errors, "
        "then call wait_for_results again, perhaps with a larger timeout."
    )


def test_error_row_raises_async_input_error(local, database, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    good = sample_path("chelsea.jpg")
    indices = trigger_async_multipart("vdp-101-async", [good, broken], progress=False, gateway=local.url)

    with pytest.raises(AsyncInputError) as raised:
        wait_for_results(indices, database=database, timeout=60)

    [failed] = raised.value.failed
    assert failed.index == indices[1]
    assert failed.objects == ()
    assert str(raised.value).startswith(
        f"The pipeline could not process 1 of 2 inputs. Index {indices[1]}: File part 1 ('broken.png') "
        "is not a decodable image (9 bytes): "
    )
    assert str(raised.value).endswith(" read_results() returns every row with its error.")
    results = read_results(indices, database=database)
    assert [result.error is None for result in results] == [True, False]
    assert [obj.category for obj in results[0].objects] == ["cat"]


def test_query_missing_sqlite_file(tmp_path):
    with pytest.raises(DestinationQueryError) as raised:
        query_destination(tmp_path / "none.sqlite3", "SELECT 1")

    assert str(raised.value) == (
        f"SQLite file {tmp_path / 'none.sqlite3'} does not exist. The local gateway creates "
        "<data dir>/destination.sqlite3 when an ASYNC pipeline is first triggered; check the data folder "
        "the gateway was started with."
    )


def test_query_file_without_results_table(tmp_path):
    import sqlite3

    path = tmp_path / "other.sqlite3"
    sqlite3.connect(path).close()

    with pytest.raises(DestinationQueryError) as raised:
        read_results([MISSING_INDEX], database=path)

    assert str(raised.value) == (
        f"SQLite file {path} has no table _airbyte_raw_vdp. The gateway creates it when a pipeline whose "
        "destination is this database is created or triggered; check the database name."
    )


def test_query_by_index_with_sql(local, database, frames):
    [index] = trigger_async_multipart("vdp-101-async", frames[:1], progress=False, gateway=local.url)
    wait_for_results([index], database=database, timeout=60)

    rows = query_destination(
        database,
        "SELECT _airbyte_data->>'model' AS model, _airbyte_data->>'detection' AS detection "
        "FROM _airbyte_raw_vdp WHERE _airbyte_data->>'index' = ?",
        [index],
    )

    assert [row["model"] for row in rows] == ["models/yolov7"]
    assert json.loads(rows[0]["detection"]) == {"objects": PAN_FRAMES[0]}


@pytest.mark.parametrize(
    ("sql", "converted"),
    [
        ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = %s AND b = %s"),
        ("SELECT '?' || ? FROM t", "SELECT '?' || %s FROM t"),
        ("SELECT \"odd?name\" FROM t WHERE x LIKE 'a%'", "SELECT \"odd?name\" FROM t WHERE x LIKE 'a%%'"),
        ("SELECT 100 % 7", "SELECT 100 %% 7"),
    ],
)
def test_qmark_placeholders_become_format(sql, converted):
    assert _qmark_to_format(sql) == converted
