"""Tests for the durable queue and the worker of ASYNC pipelines."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest

from vdp101.gateway.async_worker import FIRST_RETRY_DELAY, AsyncQueue, AsyncWorker, QueuedInput
from vdp101.gateway.destinations import row_id
from vdp101.gateway.model import StandInDetector
from vdp101.samples import data_dir, sample_path

COFFEE_OBJECTS = json.loads((data_dir() / "annotations.json").read_text())["coffee.jpg"]["objects"]


def _recipe(*, models=("models/yolov7",), database_url: str | None = None) -> dict:
    metadata = {"database_url": database_url} if database_url else {}
    components = [{"id": "source", "resource_name": "source-connectors/source-http", "metadata": {}}]
    components += [{"id": f"model-{n}", "resource_name": name, "metadata": {}} for n, name in enumerate(models)]
    components.append({"id": "db", "resource_name": "destination-connectors/sqlite-db", "metadata": metadata})
    return {"version": "v1alpha", "components": components}


def _input(index: str, *, image: bytes | None = None, recipe: dict | None = None) -> QueuedInput:
    return QueuedInput(
        index=index,
        pipeline_name="pipelines/vdp-101-async",
        recipe=recipe or _recipe(),
        source=f"File part 0 ('{index}.jpg')",
        image_bytes=sample_path("coffee.jpg").read_bytes() if image is None else image,
    )


def _rows(path: Path) -> list[tuple[str, dict]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT _airbyte_ab_id, _airbyte_data FROM _airbyte_raw_vdp").fetchall()
    parsed = [(ab_id, json.loads(data)) for ab_id, data in rows]
    return sorted(parsed, key=lambda row: (row[1]["index"], row[1]["model"]))


@pytest.fixture
def queue(tmp_path) -> AsyncQueue:
    opened = AsyncQueue(tmp_path / "async_queue.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def worker(queue, tmp_path) -> AsyncWorker:
    detector = StandInDetector(data_dir())
    return AsyncWorker(queue, detector=lambda: detector, sqlite_path=tmp_path / "destination.sqlite3")


def test_queue_survives_reopening(tmp_path):
    first = AsyncQueue(tmp_path / "queue.sqlite3")
    first.put([_input("A"), _input("B")])
    first.close()

    second = AsyncQueue(tmp_path / "queue.sqlite3")

    assert second.indices() == ["A", "B"]
    assert second.due(10)[1] == _input("B")
    second.close()


def test_queue_rejects_duplicate_index(queue):
    queue.put([_input("A")])

    with pytest.raises(sqlite3.IntegrityError):
        queue.put([_input("B"), _input("A")])

    assert queue.indices() == ["A"]


def test_queue_postpone_doubles_delay(queue):
    queue.put([_input("A")])

    assert queue.postpone(["A"], now=1000.0) == FIRST_RETRY_DELAY
    assert queue.due(10, now=1000.0) == []
    assert queue.seconds_until_due(now=1000.0) == FIRST_RETRY_DELAY
    assert queue.postpone(["A"], now=1000.0) == 2 * FIRST_RETRY_DELAY
    assert [item.index for item in queue.due(10, now=1000.0 + 2 * FIRST_RETRY_DELAY)] == ["A"]


def test_process_batch_writes_one_row_per_input(worker, queue, tmp_path):
    queue.put([_input("A"), _input("B")])

    assert worker.process_batch() == 2

    rows = _rows(tmp_path / "destination.sqlite3")
    assert [ab_id for ab_id, _ in rows] == [str(row_id("A", "models/yolov7")), str(row_id("B", "models/yolov7"))]
    assert [data["index"] for _, data in rows] == ["A", "B"]
    assert rows[0][1]["detection"] == {"objects": COFFEE_OBJECTS}
    assert rows[0][1]["model"] == "models/yolov7"
    assert rows[0][1]["pipeline"]["name"] == "pipelines/vdp-101-async"
    assert rows[0][1]["pipeline"]["recipe"] == _recipe()
    assert queue.count() == 0


def test_two_models_give_two_rows(worker, queue, tmp_path):
    queue.put([_input("A", recipe=_recipe(models=("models/yolov7", "models/yolov7-tiny")))])

    worker.process_batch()

    rows = _rows(tmp_path / "destination.sqlite3")
    assert [(ab_id, data["model"]) for ab_id, data in rows] == [
        (str(row_id("A", "models/yolov7")), "models/yolov7"),
        (str(row_id("A", "models/yolov7-tiny")), "models/yolov7-tiny"),
    ]
    assert rows[0][1]["detection"] == rows[1][1]["detection"]


def test_undecodable_image_becomes_error_row(worker, queue, tmp_path):
    queue.put([_input("A", image=b"not an image")])

    worker.process_batch()

    [(_, data)] = _rows(tmp_path / "destination.sqlite3")
    assert data["detection"] is None
    assert data["error"]["code"] == 9
    assert data["error"]["message"].startswith("File part 0 ('A.jpg') is not a decodable image (12 bytes): ")
    assert queue.count() == 0


def test_unreachable_image_url_becomes_error_row(worker, queue, tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    url = f"http://127.0.0.1:{port}/dog.jpg"
    queue.put([QueuedInput("A", "pipelines/p", _recipe(), f"Image URL {url}", image_url=url)])

    worker.process_batch()

    [(_, data)] = _rows(tmp_path / "destination.sqlite3")
    assert data["error"]["message"].startswith(f"Image URL {url} could not be fetched: ")


def test_reprocessed_input_adds_no_row(worker, queue, tmp_path):
    """An input written but still queued, as after a crash before its delete, is not doubled."""
    queue.put([_input("A")])
    worker.process_batch()
    queue.put([_input("A"), _input("B")])

    worker.process_batch()

    rows = _rows(tmp_path / "destination.sqlite3")
    assert sorted(data["index"] for _, data in rows) == ["A", "B"]
    assert queue.count() == 0


def test_failed_destination_keeps_inputs_queued(worker, queue, tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    down = _recipe(database_url=f"postgresql://vdp:secret@127.0.0.1:{port}/results")
    queue.put([_input("A", recipe=down), _input("B")])

    assert worker.process_batch() == 2

    assert queue.indices() == ["A"]
    assert [data["index"] for _, data in _rows(tmp_path / "destination.sqlite3")] == ["B"]
    assert queue.due(10) == []
    assert worker.process_batch() == 0


def test_worker_thread_resumes_queue_on_start(queue, tmp_path):
    queue.put([_input("A"), _input("B"), _input("C")])
    detector = StandInDetector(data_dir())
    worker = AsyncWorker(queue, detector=lambda: detector, sqlite_path=tmp_path / "destination.sqlite3")

    worker.start()
    left = worker.stop(drain_timeout=30.0)

    assert left == 0
    assert sorted(data["index"] for _, data in _rows(tmp_path / "destination.sqlite3")) == ["A", "B", "C"]
