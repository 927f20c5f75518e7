"""Image URL checks of a gateway that other machines can reach.

Every URL here names a loopback or private address or the image server of the test
on 127.0.0.1, so no request leaves this machine.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from vdp101.gateway import LocalGateway, create_app, url_safety
from vdp101.gateway.async_worker import AsyncQueue, AsyncWorker, QueuedInput
from vdp101.gateway.images import ImageFetchError, fetch_image_bytes
from vdp101.gateway.model import StandInDetector
from vdp101.samples import data_dir, sample_path

CHELSEA = sample_path("chelsea.jpg").read_bytes()
CHELSEA_CAT = {"category": "cat", "score": 0.94, "bounding_box": {"top": 0, "left": 18, "width": 384, "height": 300}}
ADVICE = (
    "A gateway that accepts connections from other machines fetches images from public addresses only. "
    "Send the image as image_base64 or multipart instead, or start the gateway with --allow-private-urls."
)


class _ImageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == "/chelsea.jpg":
            self.send_response(200)
            self.send_header("Content-Length", str(len(CHELSEA)))
            self.end_headers()
            self.wfile.write(CHELSEA)
        elif self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/redirect?to="))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def image_server() -> Iterator[str]:
    """Root URL of an HTTP server on 127.0.0.1 with /chelsea.jpg and /redirect?to=URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ImageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_counts_as_public(monkeypatch) -> None:
    """Treat 127.0.0.1, and only that address, as public, so the image server acts as a public server."""
    real_kind = url_safety.address_kind
    monkeypatch.setattr(
        url_safety, "address_kind", lambda address: None if str(address) == "127.0.0.1" else real_kind(address)
    )


@pytest.fixture
def network_api() -> Iterator[TestClient]:
    """A TestClient for an app that listens on every interface, as a class gateway does."""
    with TestClient(create_app(host="0.0.0.0")) as client:
        yield client


def trigger_url(api: TestClient, url: str, *, pipeline_id: str = "vdp-101-sync", endpoint: str = "triggerSync"):
    body = {"task_inputs": [{"detection": {"image_url": url}}]}
    return api.post(f"/v1alpha/pipelines/{pipeline_id}/{endpoint}", json=body)


# -- Addresses and hosts ---------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.10.20", "a private address"),
        ("fc00::1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("100.64.0.1", "an address that is not globally routable"),
        ("93.184.216.34", None),
        ("2606:2800:220:1::1", None),
    ],
)
def test_address_kind_names_each_range(address, kind):
    assert url_safety.address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.10.20", False),
    ],
)
def test_loopback_host_detection(host, loopback):
    assert url_safety.is_loopback_host(host) is loopback


# -- Fetching ----------------------------------------------------------------------


def test_fetch_rejects_loopback_address(image_server):
    url = f"{image_server}/chelsea.jpg"

    with pytest.raises(ImageFetchError) as raised:
        fetch_image_bytes(url, public_only=True)

    assert str(raised.value) == f"Image URL {url} was rejected: its host 127.0.0.1 is a loopback address. {ADVICE}"


def test_fetch_rejects_host_resolving_to_loopback(image_server):
    url = image_server.replace("127.0.0.1", "localhost") + "/chelsea.jpg"

    with pytest.raises(ImageFetchError) as raised:
        fetch_image_bytes(url, public_only=True)

    assert str(raised.value) == (
        f"Image URL {url} was rejected: its host 'localhost' resolves to 127.0.0.1, a loopback address. {ADVICE}"
    )


def test_fetch_rejects_redirect_to_loopback(image_server, loopback_counts_as_public):
    url = f"{image_server}/redirect?to=http://127.0.0.2:8080/chelsea.jpg"

    with pytest.raises(ImageFetchError) as raised:
        fetch_image_bytes(url, public_only=True)

    assert str(raised.value) == (
        f"Image URL {url} was rejected: it redirects to 127.0.0.2, a loopback address. {ADVICE}"
    )


def test_fetch_follows_redirect_to_public(image_server, loopback_counts_as_public):
    url = f"{image_server}/redirect?to={image_server}/chelsea.jpg"

    assert fetch_image_bytes(url, public_only=True) == CHELSEA


def test_fetch_ignores_proxy_variables(image_server, loopback_counts_as_public, monkeypatch):
    # Nothing listens on port 9 of 127.0.0.2, so a request sent through this proxy would fail.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.2:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.2:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    assert fetch_image_bytes(f"{image_server}/chelsea.jpg", public_only=True) == CHELSEA


def test_fetch_without_check_reaches_loopback(image_server):
    assert fetch_image_bytes(f"{image_server}/chelsea.jpg") == CHELSEA


# -- Gateway routes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:5432/cat.jpg", "its host 127.0.0.1 is a loopback address"),
        ("http://localhost:8080/v1alpha/pipelines", "its host 'localhost' resolves to 127.0.0.1, a loopback address"),
        ("http://[::1]/cat.jpg", "its host ::1 is a loopback address"),
        ("http://192.168.10.20/admin.png", "its host 192.168.10.20 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "its host 169.254.169.254 is a link-local address"),
    ],
)
def test_network_gateway_rejects_private_urls(network_api, url, reason):
    response = trigger_url(network_api, url)

    assert response.status_code == 422
    assert response.json() == {"code": 9, "message": f"Image URL {url} was rejected: {reason}. {ADVICE}", "details": []}


def test_network_gateway_reads_own_samples(network_api):
    response = trigger_url(network_api, "http://testserver/samples/chelsea.jpg")

    assert response.status_code == 200
    assert response.json()["model_outputs"][0]["task_outputs"][0]["detection"]["objects"] == [CHELSEA_CAT]


def test_network_gateway_async_rejects_at_once(network_api):
    recipe = {
        "version": "v1alpha",
        "components": [
            {"id": "source", "resource_name": "source-connectors/source-http"},
            {"id": "detector", "resource_name": "models/yolov7"},
            {"id": "database", "resource_name": "destination-connectors/sqlite-db"},
        ],
    }
    assert network_api.post("/v1alpha/pipelines", json={"id": "to-sqlite", "recipe": recipe}).status_code == 201
    url = "http://10.0.0.5/cat.jpg"

    response = trigger_url(network_api, url, pipeline_id="to-sqlite", endpoint="triggerAsync")

    assert response.status_code == 422
    assert response.json()["message"] == (
        f"Image URL {url} was rejected: its host 10.0.0.5 is a private address. {ADVICE}"
    )
    assert network_api.app.state.async_runtime.queue.count() == 0


def test_allow_private_urls_fetches_loopback(image_server):
    with TestClient(create_app(host="0.0.0.0", allow_private_urls=True)) as api:
        response = trigger_url(api, f"{image_server}/chelsea.jpg")

    assert response.status_code == 200
    assert response.json()["model_outputs"][0]["task_outputs"][0]["detection"]["objects"] == [CHELSEA_CAT]


def test_loopback_gateway_fetches_loopback_urls(api, image_server):
    response = trigger_url(api, f"{image_server}/chelsea.jpg")

    assert response.status_code == 200
    assert response.json()["model_outputs"][0]["task_outputs"][0]["detection"]["objects"] == [CHELSEA_CAT]


@pytest.mark.parametrize(
    ("arguments", "public_only"),
    [
        ({}, False),
        ({"host": "localhost"}, False),
        ({"host": "0.0.0.0"}, True),
        ({"host": "::"}, True),
        ({"host": "0.0.0.0", "allow_private_urls": True}, False),
    ],
)
def test_local_gateway_passes_host_to_app(arguments, public_only):
    # The gateway is not started, so nothing listens on these addresses.
    assert LocalGateway(**arguments).app.state.public_image_urls_only is public_only


def test_network_gateway_logs_url_policy(caplog):
    caplog.set_level(logging.INFO, logger="vdp101.gateway.app")

    create_app(host="0.0.0.0")
    create_app(host="0.0.0.0", allow_private_urls=True)
    create_app(host="127.0.0.1")

    records = [record for record in caplog.records if record.name == "vdp101.gateway.app"]
    assert [(record.levelname, record.getMessage()) for record in records] == [
        (
            "INFO",
            "The gateway listens on 0.0.0.0, so it rejects image URLs on loopback, private and other "
            "non-public addresses. --allow-private-urls lifts this.",
        ),
        (
            "WARNING",
            "The gateway listens on 0.0.0.0 and fetches image URLs on any address, so anyone who reaches it "
            "can make it connect to this machine's loopback and private networks.",
        ),
    ]


# -- ASYNC worker -------------------------------------------------------------------


def test_worker_writes_error_row_for_private_url(tmp_path):
    queue = AsyncQueue(tmp_path / "async_queue.sqlite3")
    detector = StandInDetector(data_dir())
    worker = AsyncWorker(
        queue, detector=lambda: detector, sqlite_path=tmp_path / "destination.sqlite3", public_image_urls_only=True
    )
    recipe = {
        "version": "v1alpha",
        "components": [
            {"id": "source", "resource_name": "source-connectors/source-http", "metadata": {}},
            {"id": "detector", "resource_name": "models/yolov7", "metadata": {}},
            {"id": "db", "resource_name": "destination-connectors/sqlite-db", "metadata": {}},
        ],
    }
    url = "http://127.0.0.1:9/cat.jpg"
    queue.put([QueuedInput("A", "pipelines/to-sqlite", recipe, f"Image URL {url}", image_url=url)])

    worker.process_batch()
    queue.close()

    with sqlite3.connect(tmp_path / "destination.sqlite3") as connection:
        [(data,)] = connection.execute("SELECT _airbyte_data FROM _airbyte_raw_vdp").fetchall()
    row = json.loads(data)
    assert row["detection"] is None
    assert row["error"] == {
        "code": 9,
        "message": f"Image URL {url} was rejected: its host 127.0.0.1 is a loopback address. {ADVICE}",
    }
