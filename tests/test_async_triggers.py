"""Tests for the ASYNC trigger routes, end to end with the SQLite destination."""

from __future__ import annotations

import base64
import json
import re
import socket
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient

from vdp101.frames import split_frames
from vdp101.gateway import LocalGateway, create_app
from vdp101.gateway.async_worker import AsyncQueue
from vdp101.gateway.model import StandInDetector
from vdp101.samples import data_dir, sample_path

ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
ANNOTATIONS = json.loads((data_dir() / "annotations.json").read_text())
PAN_FRAMES = ANNOTATIONS["pan.gif"]["frames"]
ROW_WAIT = 60.0
"""Seconds a test waits for the worker to write the rows it expects."""


def _recipe(metadata: dict | None = None) -> dict:
    return {
        "version": "v1alpha",
        "components": [
            {"id": "source", "resource_name": "source-connectors/source-http"},
            {"id": "detector", "resource_name": "models/yolov7"},
            {"id": "database", "resource_name": "destination-connectors/sqlite-db", "metadata": metadata or {}},
        ],
    }


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT _airbyte_ab_id, _airbyte_data FROM _airbyte_raw_vdp").fetchall()
    return [{"ab_id": ab_id, **json.loads(data)} for ab_id, data in rows]


def _wait_for_rows(path: Path, count: int) -> list[dict]:
    deadline = time.monotonic() + ROW_WAIT
    rows = _rows(path)
    while len(rows) < count and time.monotonic() < deadline:
        time.sleep(0.05)
        rows = _rows(path)
    assert len(rows) >= count, f"{len(rows)} of {count} rows reached {path} within {ROW_WAIT} s"
    return rows


@pytest.fixture
def frames(tmp_path) -> list[Path]:
    return split_frames(sample_path("pan.gif"), tmp_path / "frames")


@pytest.fixture
def async_api(tmp_path):
    """A TestClient for a gateway with a data folder and the pipeline vdp-101-async."""
    app = create_app(data_dir=tmp_path / "gateway")
    with TestClient(app) as client:
        created = client.post("/v1alpha/pipelines", json={"id": "vdp-101-async", "recipe": _recipe()})
        assert created.status_code == 201
        yield client


def _multipart(paths: list[Path]) -> list[tuple]:
    return [("file", (path.name, path.read_bytes(), "image/png")) for path in paths]


def test_create_async_pipeline_has_async_mode(async_api):
    pipeline = async_api.get("/v1alpha/pipelines/vdp-101-async").json()["pipeline"]

    assert pipeline["mode"] == "MODE_ASYNC"
    assert pipeline["state"] == "STATE_ACTIVE"


def test_multipart_returns_index_per_file(async_api, frames, tmp_path):
    response = async_api.post("/v1alpha/pipelines/vdp-101-async/triggerAsyncMultipart", files=_multipart(frames[:3]))

    assert response.status_code == 200
    indices = response.json()["data_mapping_indices"]
    assert list(response.json()) == ["data_mapping_indices"]
    assert len(indices) == 3
    assert all(ULID.match(index) for index in indices)

    rows = _wait_for_rows(tmp_path / "gateway" / "destination.sqlite3", 3)
    by_index = {row["index"]: row for row in rows}
    for position, index in enumerate(indices):
        assert by_index[index]["detection"] == {"objects": PAN_FRAMES[position]}
        assert by_index[index]["model"] == "models/yolov7"
        assert by_index[index]["pipeline"]["name"] == "pipelines/vdp-101-async"


def test_json_trigger_reads_url_and_base64(async_api, tmp_path):
    body = {
        "task_inputs": [
            {"detection": {"image_url": "http://testserver/samples/chelsea.jpg"}},
            {"detection": {"image_base64": base64.b64encode(sample_path("horse.png").read_bytes()).decode()}},
        ]
    }

    response = async_api.post("/v1alpha/pipelines/vdp-101-async/triggerAsync", json=body)

    assert response.status_code == 200
    first, second = response.json()["data_mapping_indices"]
    rows = {row["index"]: row for row in _wait_for_rows(tmp_path / "gateway" / "destination.sqlite3", 2)}
    assert rows[first]["detection"]["objects"] == ANNOTATIONS["chelsea.jpg"]["objects"]
    assert [item["category"] for item in rows[second]["detection"]["objects"]] == ["horse"]


def test_undecodable_file_gets_error_row(async_api, tmp_path):
    files = [("file", ("notes.txt", b"plain text", "text/plain"))]

    response = async_api.post("/v1alpha/pipelines/vdp-101-async/triggerAsyncMultipart", files=files)

    assert response.status_code == 200
    [row] = _wait_for_rows(tmp_path / "gateway" / "destination.sqlite3", 1)
    assert row["index"] == response.json()["data_mapping_indices"][0]
    assert row["detection"] is None
    assert row["error"]["code"] == 9
    assert row["error"]["message"].startswith("File part 0 ('notes.txt') is not a decodable image (10 bytes): ")


@pytest.mark.parametrize("path", ["triggerAsync", "triggerAsyncMultipart"])
def test_sync_pipeline_on_async_path_returns_422(api, path):
    if path == "triggerAsync":
        body = {"json": {"task_inputs": [{"detection": {"image_url": "http://testserver/samples/chelsea.jpg"}}]}}
    else:
        body = {"files": _multipart([sample_path("chelsea.jpg")])}

    response = api.post(f"/v1alpha/pipelines/vdp-101-sync/{path}", **body)

    assert response.status_code == 422
    assert response.json() == {
        "code": 9,
        "message": "Pipeline 'vdp-101-sync' is MODE_SYNC, but this endpoint triggers MODE_ASYNC pipelines. "
        "Use POST /v1alpha/pipelines/vdp-101-sync/triggerSync.",
        "details": [],
    }


def test_async_pipeline_on_sync_path_returns_422(async_api, frames):
    response = async_api.post("/v1alpha/pipelines/vdp-101-async/triggerSyncMultipart", files=_multipart(frames[:1]))

    assert response.status_code == 422
    assert response.json()["message"] == (
        "Pipeline 'vdp-101-async' is MODE_ASYNC, but this endpoint triggers MODE_SYNC pipelines. "
        "Use POST /v1alpha/pipelines/vdp-101-async/triggerAsync."
    )


def test_unknown_pipeline_returns_404(async_api, frames):
    response = async_api.post("/v1alpha/pipelines/no-such-pipeline/triggerAsyncMultipart", files=_multipart(frames[:1]))

    assert response.status_code == 404
    assert response.json()["code"] == 5


def test_invalid_base64_queues_nothing(async_api, tmp_path):
    body = {
        "task_inputs": [
            {"detection": {"image_url": "http://testserver/samples/chelsea.jpg"}},
            {"detection": {"image_base64": "not base64!"}},
        ]
    }

    response = async_api.post("/v1alpha/pipelines/vdp-101-async/triggerAsync", json=body)

    assert response.status_code == 422
    assert response.json()["message"].startswith("task_inputs[1].detection.image_base64 is not valid base64 (")
    assert async_api.app.state.async_runtime.queue.count() == 0


def test_inactive_pipeline_returns_422(async_api, frames):
    async_api.post("/v1alpha/pipelines/vdp-101-async/deactivate")

    response = async_api.post("/v1alpha/pipelines/vdp-101-async/triggerAsyncMultipart", files=_multipart(frames[:1]))

    assert response.status_code == 422
    assert response.json()["message"] == (
        "Pipeline 'vdp-101-async' is STATE_INACTIVE. Activate it with "
        "POST /v1alpha/pipelines/vdp-101-async/activate and trigger it again."
    )


def test_create_with_unreachable_postgres_returns_422(api):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    recipe = _recipe({"database_url": f"postgresql://vdp:secret@127.0.0.1:{port}/results"})

    response = api.post("/v1alpha/pipelines", json={"id": "vdp-101-async", "recipe": recipe})

    assert response.status_code == 422
    message = response.json()["message"]
    assert message.startswith(
        f"The PostgreSQL database 'results' at 127.0.0.1:{port} (user 'vdp') could not be reached: "
    )
    assert "secret" not in message
    assert api.get("/v1alpha/pipelines/vdp-101-async").status_code == 404


def test_create_with_other_database_url_returns_400(api):
    recipe = _recipe({"database_url": "sqlite:///tmp/results.db"})

    response = api.post("/v1alpha/pipelines", json={"id": "vdp-101-async", "recipe": recipe})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "Destination component 'database' has metadata.database_url 'sqlite:///tmp/results.db', which is not "
        "a PostgreSQL URL. Use postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or leave it out to write to "
        "the gateway's SQLite file."
    )


def test_unwritable_destination_fails_trigger(async_api, frames, tmp_path):
    destination = tmp_path / "gateway" / "destination.sqlite3"
    destination.unlink()
    destination.mkdir()

    response = async_api.post("/v1alpha/pipelines/vdp-101-async/triggerAsyncMultipart", files=_multipart(frames[:1]))

    assert response.status_code == 422
    assert response.json()["message"] == (
        f"The SQLite file {destination} could not be opened: unable to open database file. Check that "
        "the gateway's data folder exists and is writable. Nothing was queued; trigger pipeline "
        "'vdp-101-async' again once the destination is reachable."
    )
    assert async_api.app.state.async_runtime.queue.count() == 0


def test_concurrent_batches_give_one_row_each(tmp_path, frames):
    """Many multipart batches sent at once over HTTP: every index gets exactly one row."""
    with LocalGateway(data_dir=tmp_path / "gateway") as gateway:
        api_url = f"{gateway.url}/v1alpha"
        created = requests.post(f"{api_url}/pipelines", json={"id": "vdp-101-async", "recipe": _recipe()}, timeout=30)
        assert created.status_code == 201

        def send(batch_number: int) -> list[tuple[str, int]]:
            positions = [(batch_number * 3 + offset) % len(frames) for offset in range(3)]
            response = requests.post(
                f"{api_url}/pipelines/vdp-101-async/triggerAsyncMultipart",
                files=_multipart([frames[position] for position in positions]),
                timeout=30,
            )
            assert response.status_code == 200, response.text
            return list(zip(response.json()["data_mapping_indices"], positions))

        with ThreadPoolExecutor(max_workers=8) as pool:
            sent = [pair for batch in pool.map(send, range(40)) for pair in batch]
        rows = _wait_for_rows(tmp_path / "gateway" / "destination.sqlite3", len(sent))

    assert len(sent) == 120
    assert len({index for index, _ in sent}) == 120
    assert sorted(row["index"] for row in rows) == sorted(index for index, _ in sent)
    by_index = {row["index"]: row for row in rows}
    for index, position in sent:
        assert by_index[index]["detection"] == {"objects": PAN_FRAMES[position]}


class _GatedDetector:
    """Detector that blocks in its first call until ``gate`` is set."""

    def __init__(self) -> None:
        self.real = StandInDetector(data_dir())
        self.entered = threading.Event()
        self.gate = threading.Event()

    def detect(self, image):
        self.entered.set()
        self.gate.wait()
        return self.real.detect(image)


def test_stop_keeps_queue_and_restart_resumes(tmp_path, frames):
    """Inputs queued when the gateway stops are written after a restart, once each."""
    data_folder = tmp_path / "gateway"
    destination = data_folder / "destination.sqlite3"
    gateway = LocalGateway(data_dir=data_folder).start()
    api_url = f"{gateway.url}/v1alpha"
    requests.post(f"{api_url}/pipelines", json={"id": "vdp-101-async", "recipe": _recipe()}, timeout=30)
    detector = _GatedDetector()
    gateway.app.state.detector = detector
    trigger_url = f"{api_url}/pipelines/vdp-101-async/triggerAsyncMultipart"

    # The worker takes the first batch and blocks in the detector; the later
    # batches wait in the queue.
    sent = requests.post(trigger_url, files=_multipart(frames[:4]), timeout=30).json()["data_mapping_indices"]
    assert detector.entered.wait(ROW_WAIT)
    for start in (4, 8):
        batch = frames[start : start + 4]
        sent += requests.post(trigger_url, files=_multipart(batch), timeout=30).json()["data_mapping_indices"]

    worker = gateway.app.state.async_runtime.worker
    stopper = threading.Thread(target=gateway.stop)
    stopper.start()
    assert worker.stopping.wait(ROW_WAIT)
    detector.gate.set()
    stopper.join()

    queue = AsyncQueue(data_folder / "async_queue.sqlite3")
    assert queue.indices() == sent[4:]
    queue.close()
    assert sorted(row["index"] for row in _rows(destination)) == sorted(sent[:4])

    with LocalGateway(data_dir=data_folder):
        rows = _wait_for_rows(destination, len(sent))
    assert len(rows) == 12
    assert sorted(row["index"] for row in rows) == sorted(sent)
    assert {row["index"]: row["detection"]["objects"] for row in rows} == {
        index: PAN_FRAMES[position] for position, index in enumerate(sent)
    }


def test_gateway_without_data_dir_removes_temporary_folder():
    gateway = LocalGateway().start()
    requests.post(f"{gateway.url}/v1alpha/pipelines", json={"id": "vdp-101-async", "recipe": _recipe()}, timeout=30)
    runtime = gateway.app.state.async_runtime
    folder = runtime.folder
    response = requests.post(
        f"{gateway.url}/v1alpha/pipelines/vdp-101-async/triggerAsyncMultipart",
        files=_multipart([sample_path("coffee.jpg")]),
        timeout=30,
    )
    [index] = response.json()["data_mapping_indices"]
    [row] = _wait_for_rows(runtime.sqlite_path, 1)

    gateway.stop()

    assert row["index"] == index
    assert runtime.is_temporary
    assert not folder.exists()
