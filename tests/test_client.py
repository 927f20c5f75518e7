"""Tests for vdp101.client against a local gateway over loopback HTTP."""

from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from vdp101.client import (
    Gateway,
    connect,
    create_pipeline,
    delete_pipeline,
    get_pipeline,
    list_pipelines,
    trigger_image_base64,
    trigger_image_urls,
    trigger_multipart,
    watch_pipeline,
)
from vdp101.errors import (
    GatewayUnreachableError,
    InvalidImageError,
    InvalidRequestError,
    PipelineExistsError,
    PipelineNotFoundError,
    PipelineStateError,
    UnexpectedResponseError,
)
from vdp101.responses import BoundingBox, DetectedObject, parse_detections
from vdp101.samples import sample_path

CHELSEA_CAT = DetectedObject("cat", 0.94, BoundingBox(left=18, top=0, width=384, height=300))
COFFEE_OBJECTS = (
    DetectedObject("cup", 0.91, BoundingBox(left=172, top=17, width=237, height=292)),
    DetectedObject("spoon", 0.78, BoundingBox(left=325, top=64, width=100, height=262)),
    DetectedObject("dining table", 0.55, BoundingBox(left=0, top=0, width=600, height=400)),
)


def sync_recipe(*models: str) -> dict[str, object]:
    components: list[dict[str, object]] = [{"id": "source", "resource_name": "source-connectors/source-http"}]
    components += [{"id": f"model-{i}", "resource_name": model} for i, model in enumerate(models)]
    components.append({"id": "destination", "resource_name": "destination-connectors/destination-http"})
    return {"version": "v1alpha", "components": components}


@pytest.fixture
def closed_port_url() -> str:
    """URL of a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def silent_server_url() -> Iterator[str]:
    """URL of a loopback port that accepts connections but never responds."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


class _NotFoundHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        body = b"<html>Console</html>"
        self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def other_server_url() -> Iterator[str]:
    """URL of a loopback HTTP server that is not a VDP gateway: every GET returns 404."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFoundHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _EmptyObjectHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def empty_object_server_url() -> Iterator[str]:
    """URL of a loopback HTTP server whose every GET returns HTTP 200 with the body {}."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmptyObjectHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def pipeline_id(gateway: str) -> Iterator[str]:
    """A fresh pipeline id, deleted from the gateway after the test if it was created."""
    new_id = f"test-{uuid.uuid4().hex[:12]}"
    yield new_id
    try:
        delete_pipeline(new_id, gateway=gateway)
    except PipelineNotFoundError:
        pass


# connect() and Gateway


def test_connect_url_prints_one_line(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    connected = connect(gateway)

    assert capsys.readouterr().out == f"Using the VDP gateway at {gateway}/v1alpha.\n"
    assert connected.api_url == f"{gateway}/v1alpha"
    assert connected.root_url == gateway
    assert connected.is_local


def test_connect_quiet_prints_nothing(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    connect(f"{gateway}/v1alpha/", quiet=True)

    assert capsys.readouterr().out == ""


def test_connect_reads_environment_variable(
    gateway: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VDP_API_GATEWAY_URL", gateway)

    connected = connect()

    assert connected.api_url == f"{gateway}/v1alpha"
    assert capsys.readouterr().out == f"Using the VDP gateway at {gateway}/v1alpha (from VDP_API_GATEWAY_URL).\n"


def test_connect_starts_one_local_gateway(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("VDP_API_GATEWAY_URL", raising=False)

    first = connect()
    try:
        second = connect()
        response = trigger_multipart("vdp-101-sync", sample_path("chelsea.jpg"))
    finally:
        first.stop()

    output = capsys.readouterr().out
    assert second is first
    assert first.is_local
    assert output == (
        f"Started a local VDP gateway at {first.api_url} (stand-in detection model, offline).\n"
        f"Using the local VDP gateway at {first.api_url}, started earlier in this process.\n"
    )
    assert parse_detections(response)[0].objects == (CHELSEA_CAT,)


def test_connect_after_stop_starts_new(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VDP_API_GATEWAY_URL", raising=False)
    first = connect(quiet=True)
    first.stop()

    second = connect(quiet=True)
    try:
        assert second is not first
        assert get_pipeline("vdp-101-sync", gateway=second)["pipeline"]["id"] == "vdp-101-sync"
    finally:
        second.stop()


def test_connect_unreachable_names_url(closed_port_url: str) -> None:
    with pytest.raises(GatewayUnreachableError) as raised:
        connect(closed_port_url)

    assert str(raised.value) == (
        f"Could not reach the VDP gateway at {closed_port_url}/v1alpha (Connection refused). "
        "Start the local gateway with `python -m vdp101 gateway`, or check "
        "VDP_API_GATEWAY_URL and the URL's host and port."
    )
    assert raised.value.status_code is None


def test_unreachable_names_environment_variable(closed_port_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDP_API_GATEWAY_URL", closed_port_url)

    with pytest.raises(GatewayUnreachableError) as raised:
        connect()

    assert str(raised.value).startswith(
        f"Could not reach the VDP gateway at {closed_port_url}/v1alpha (Connection refused, "
        "URL from VDP_API_GATEWAY_URL). "
    )


def test_connect_other_server_is_rejected(other_server_url: str) -> None:
    with pytest.raises(GatewayUnreachableError) as raised:
        connect(other_server_url)

    assert str(raised.value) == (
        f"The server at {other_server_url} returned HTTP 404 for GET "
        f"{other_server_url}/v1alpha/health/pipeline, so it is not a VDP API gateway. Check the "
        "host and port: a local VDP serves its API gateway on port 8080 and its console on 3000."
    )
    assert raised.value.status_code == 404


def test_connect_without_scheme_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match="^Gateway URL 'localhost:8080' has no scheme"):
        connect("localhost:8080")


def test_connect_names_invalid_environment_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDP_API_GATEWAY_URL", "localhost:8080")

    with pytest.raises(InvalidRequestError) as raised:
        connect()

    assert str(raised.value) == (
        "Gateway URL 'localhost:8080' from VDP_API_GATEWAY_URL has no scheme. "
        "Set VDP_API_GATEWAY_URL to 'http://localhost:8080'."
    )


def test_trigger_names_invalid_environment_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDP_API_GATEWAY_URL", "localhost:8080")

    with pytest.raises(InvalidRequestError) as raised:
        trigger_image_base64("vdp-101-sync", sample_path("chelsea.jpg"))

    assert str(raised.value) == (
        "Gateway URL 'localhost:8080' from VDP_API_GATEWAY_URL has no scheme. "
        "Set VDP_API_GATEWAY_URL to 'http://localhost:8080'."
    )


def test_gateway_normalizes_url() -> None:
    remote = Gateway("http://vdp.example.org:8080/v1alpha/")

    assert remote.api_url == "http://vdp.example.org:8080/v1alpha"
    assert remote.root_url == "http://vdp.example.org:8080"
    assert not remote.is_local
    assert repr(remote) == "Gateway('http://vdp.example.org:8080/v1alpha', remote)"


def test_remote_sample_url_is_original_photo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VDP101_SAMPLE_BASE_URL", raising=False)

    url = Gateway("http://vdp.example.org:8080").sample_url("chelsea.jpg")

    assert url == "https://raw.githubusercontent.com/scikit-image/scikit-image/v0.21.0/skimage/data/chelsea.png"


def test_sample_base_url_variable_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDP101_SAMPLE_BASE_URL", "http://files.example.org/vdp101/")

    url = Gateway("http://vdp.example.org:8080").sample_url("horse.png")

    assert url == "http://files.example.org/vdp101/horse.png"


def test_local_sample_url_is_served(gateway: str) -> None:
    local = connect(gateway, quiet=True)

    assert local.sample_url("coffee.jpg") == f"{gateway}/samples/coffee.jpg"


def test_unknown_sample_url_raises() -> None:
    with pytest.raises(FileNotFoundError, match="^Sample image 'dog.jpg' was not found"):
        Gateway("http://vdp.example.org:8080").sample_url("dog.jpg")


def test_stop_leaves_remote_gateway_running(gateway: str) -> None:
    remote = Gateway(gateway)

    remote.stop()

    assert get_pipeline("vdp-101-sync", gateway=gateway)["pipeline"]["state"] == "STATE_ACTIVE"


# Triggers


def test_trigger_image_url_detects_cat(gateway: str) -> None:
    response = trigger_image_urls("vdp-101-sync", f"{gateway}/samples/chelsea.jpg", gateway=gateway)

    detections = parse_detections(response)
    assert response.status_code == 200
    assert [(d.input_position, d.model, d.objects) for d in detections] == [(0, "models/yolov7", (CHELSEA_CAT,))]


def test_trigger_base64_two_files(gateway: str) -> None:
    response = trigger_image_base64(
        "vdp-101-sync", [sample_path("coffee.jpg"), str(sample_path("chelsea.jpg"))], gateway=gateway
    )

    detections = parse_detections(response)
    assert [(d.input_position, d.objects) for d in detections] == [(0, COFFEE_OBJECTS), (1, (CHELSEA_CAT,))]
    assert [d.index for d in detections] == response.json()["data_mapping_indices"]


def test_trigger_multipart_matches_base64(gateway: str) -> None:
    paths = [sample_path("horse.png"), sample_path("coffee.jpg")]

    multipart = parse_detections(trigger_multipart("vdp-101-sync", paths, gateway=gateway))
    base64_json = parse_detections(trigger_image_base64("vdp-101-sync", paths, gateway=gateway))

    assert [d.objects for d in multipart] == [d.objects for d in base64_json]
    assert multipart[0].objects[0].category == "horse"


def test_trigger_accepts_gateway_object(gateway: str) -> None:
    connected = Gateway(f"{gateway}/v1alpha")

    response = trigger_multipart("vdp-101-sync", sample_path("chelsea.jpg"), gateway=connected)

    assert parse_detections(response)[0].objects == (CHELSEA_CAT,)


def test_trigger_uses_environment_variable(gateway: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDP_API_GATEWAY_URL", gateway)

    response = trigger_image_base64("vdp-101-sync", sample_path("chelsea.jpg"))

    assert response.url == f"{gateway}/v1alpha/pipelines/vdp-101-sync/triggerSync"


def test_trigger_unknown_pipeline_returns_404(gateway: str) -> None:
    response = trigger_image_base64("no-such-pipeline", sample_path("chelsea.jpg"), gateway=gateway)

    assert response.status_code == 404
    with pytest.raises(PipelineNotFoundError) as raised:
        parse_detections(response)
    assert str(raised.value) == (
        f"Pipeline 'no-such-pipeline' was not found at {gateway}/v1alpha (HTTP 404). "
        "Create it, or list pipelines to check the id."
    )
    assert raised.value.gateway_message == (
        "Pipeline 'no-such-pipeline' was not found. List pipelines with GET /v1alpha/pipelines to check the id."
    )
    assert raised.value.grpc_code == 5


def test_trigger_non_image_file_is_invalid(gateway: str) -> None:
    response = trigger_multipart("vdp-101-sync", sample_path("chelsea.jpg").parent / "annotations.json", gateway=gateway)

    assert response.status_code == 422
    with pytest.raises(InvalidImageError) as raised:
        parse_detections(response)
    assert raised.value.grpc_code == 9
    assert "'annotations.json'" in raised.value.gateway_message


def test_trigger_async_pipeline_is_state_error(gateway: str, pipeline_id: str) -> None:
    recipe = sync_recipe("models/yolov7")
    recipe["components"][-1]["resource_name"] = "destination-connectors/postgres-db"  # type: ignore[index]
    create_pipeline(pipeline_id, recipe, gateway=gateway)

    response = trigger_image_base64(pipeline_id, sample_path("chelsea.jpg"), gateway=gateway)

    with pytest.raises(PipelineStateError) as raised:
        parse_detections(response)
    assert str(raised.value).startswith(
        f"The gateway at {gateway}/v1alpha cannot run triggerSync on pipeline '{pipeline_id}' "
        "in the pipeline's current mode or state (HTTP 422: "
    )


def test_missing_file_raises_invalid_image(gateway: str) -> None:
    with pytest.raises(InvalidImageError) as raised:
        trigger_image_base64("vdp-101-sync", "no-such-dir/dog.jpg", gateway=gateway)

    assert str(raised.value) == (
        f"Image file 'no-such-dir/dog.jpg' was not found (relative paths start at {Path.cwd()}). "
        "Check the path, or use vdp101.sample_path('chelsea.jpg') for a bundled sample."
    )
    assert isinstance(raised.value, ValueError)


def test_folder_path_raises_invalid_image(gateway: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidImageError, match=r"is a folder, not a file\. Pass the image files in it"):
        trigger_multipart("vdp-101-sync", tmp_path, gateway=gateway)


def test_url_without_scheme_is_rejected(gateway: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        trigger_image_urls("vdp-101-sync", ["data/chelsea.jpg"], gateway=gateway)

    assert str(raised.value) == (
        "Image URL 'data/chelsea.jpg' has no scheme such as https://. For a local file, use "
        "trigger_image_base64 or trigger_multipart."
    )


def test_empty_image_list_is_rejected(gateway: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"^No images were given\."):
        trigger_multipart("vdp-101-sync", [], gateway=gateway)


def test_empty_pipeline_id_is_rejected(gateway: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"^Pipeline id '' is empty"):
        trigger_multipart("", sample_path("chelsea.jpg"), gateway=gateway)


def test_pipeline_id_is_percent_encoded(gateway: str) -> None:
    response = trigger_multipart("../health/pipeline", sample_path("chelsea.jpg"), gateway=gateway)

    assert response.url == f"{gateway}/v1alpha/pipelines/..%2Fhealth%2Fpipeline/triggerSyncMultipart"
    assert response.status_code == 404


def test_refused_connection_raises_unreachable(closed_port_url: str) -> None:
    with pytest.raises(GatewayUnreachableError) as raised:
        trigger_image_urls("vdp-101-sync", "http://127.0.0.1/chelsea.jpg", gateway=closed_port_url)

    assert str(raised.value) == (
        f"Could not connect to {closed_port_url}/v1alpha/pipelines/vdp-101-sync/triggerSync "
        "(Connection refused). Start the local gateway with `python -m vdp101 gateway`, or "
        "check VDP_API_GATEWAY_URL and the URL's host and port."
    )


def test_silent_server_raises_timeout(silent_server_url: str) -> None:
    with pytest.raises(GatewayUnreachableError) as raised:
        trigger_multipart("vdp-101-sync", sample_path("chelsea.jpg"), gateway=silent_server_url, timeout=0.2)

    assert str(raised.value) == (
        f"POST {silent_server_url}/v1alpha/pipelines/vdp-101-sync/triggerSyncMultipart timed out "
        "after 0.2 s. Check that the gateway is running and not overloaded, or pass a larger timeout."
    )


def test_requests_are_logged_without_images(gateway: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="vdp101.client")
    image_bytes = sample_path("chelsea.jpg").read_bytes()

    trigger_image_base64("vdp-101-sync", sample_path("chelsea.jpg"), gateway=gateway)

    records = [record for record in caplog.records if record.name == "vdp101.client"]
    url = f"{gateway}/v1alpha/pipelines/vdp-101-sync/triggerSync"
    body_size = len(json.dumps({"task_inputs": [{"detection": {"image_base64": ""}}]})) + (len(image_bytes) + 2) // 3 * 4
    assert [record.levelname for record in records] == ["DEBUG", "INFO"]
    assert records[0].getMessage() == f"POST {url}, body {body_size} bytes"
    assert records[1].getMessage().startswith(f"POST {url}: HTTP 200 in ")
    assert records[1].getMessage().endswith(" ms")


# Pipeline management


def test_create_get_list_delete_pipeline(gateway: str, pipeline_id: str) -> None:
    created = create_pipeline(
        pipeline_id, sync_recipe("models/yolov7"), description="made by test_client", gateway=gateway
    )
    fetched = get_pipeline(pipeline_id, view="VIEW_FULL", gateway=gateway)
    listed = list_pipelines(page_size=100, filter="mode=MODE_SYNC", gateway=gateway)
    deleted = delete_pipeline(pipeline_id, gateway=gateway)

    assert created["pipeline"]["id"] == pipeline_id
    assert created["pipeline"]["mode"] == "MODE_SYNC"
    assert fetched["pipeline"]["description"] == "made by test_client"
    assert fetched["pipeline"]["recipe"]["components"][1]["resource_name"] == "models/yolov7"
    assert pipeline_id in [pipeline["id"] for pipeline in listed["pipelines"]]
    assert deleted is None
    with pytest.raises(PipelineNotFoundError):
        get_pipeline(pipeline_id, gateway=gateway)


def test_two_models_give_two_outputs(gateway: str, pipeline_id: str) -> None:
    create_pipeline(pipeline_id, sync_recipe("models/yolov7", "models/yolov7-tiny"), gateway=gateway)

    response = trigger_multipart(pipeline_id, sample_path("chelsea.jpg"), gateway=gateway)

    detections = parse_detections(response)
    assert [(d.model, d.input_position, d.objects) for d in detections] == [
        ("models/yolov7", 0, (CHELSEA_CAT,)),
        ("models/yolov7-tiny", 0, (CHELSEA_CAT,)),
    ]


def test_create_taken_id_raises_exists(gateway: str) -> None:
    with pytest.raises(PipelineExistsError) as raised:
        create_pipeline("vdp-101-sync", sync_recipe("models/yolov7"), gateway=gateway)

    assert str(raised.value).startswith(f"Pipeline 'vdp-101-sync' already exists at {gateway}/v1alpha (HTTP 409: ")
    assert raised.value.status_code == 409


def test_create_unknown_model_is_invalid(gateway: str, pipeline_id: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        create_pipeline(pipeline_id, sync_recipe("models/no-such-model"), gateway=gateway)

    assert raised.value.status_code == 400
    assert "models/no-such-model" in raised.value.gateway_message


def test_delete_unknown_pipeline_raises(gateway: str) -> None:
    with pytest.raises(PipelineNotFoundError, match=r"^Pipeline 'no-such-pipeline' was not found at "):
        delete_pipeline("no-such-pipeline", gateway=gateway)


def test_watch_returns_active_state(gateway: str) -> None:
    assert watch_pipeline("vdp-101-sync", gateway=gateway) == "STATE_ACTIVE"


def test_watch_follows_deactivation(gateway: str, pipeline_id: str) -> None:
    recipe = sync_recipe("models/yolov7")
    recipe["components"][-1]["resource_name"] = "destination-connectors/sqlite-db"  # type: ignore[index]
    create_pipeline(pipeline_id, recipe, gateway=gateway)
    deactivated = requests.post(f"{gateway}/v1alpha/pipelines/{pipeline_id}/deactivate", timeout=10)

    assert deactivated.status_code == 200
    assert watch_pipeline(pipeline_id, gateway=f"{gateway}/v1alpha") == "STATE_INACTIVE"


def test_watch_unknown_pipeline_raises(gateway: str) -> None:
    with pytest.raises(PipelineNotFoundError) as raised:
        watch_pipeline("vdp-101-synk", gateway=gateway)

    assert str(raised.value) == (
        f"Pipeline 'vdp-101-synk' was not found at {gateway}/v1alpha (HTTP 404). "
        "Create it, or list pipelines to check the id."
    )


def test_watch_without_state_is_unexpected(empty_object_server_url: str) -> None:
    with pytest.raises(UnexpectedResponseError) as raised:
        watch_pipeline("vdp-101-sync", gateway=empty_object_server_url)

    assert str(raised.value) == (
        f"The reply to GET {empty_object_server_url}/v1alpha/pipelines/vdp-101-sync/watch has no 'state' "
        "string (got None). Check that the URL points at a VDP API gateway."
    )
    assert raised.value.status_code == 200
