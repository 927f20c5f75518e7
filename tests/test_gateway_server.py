"""LocalGateway and `python -m vdp101.gateway` over real loopback HTTP."""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from vdp101.gateway import GatewayBindError, LocalGateway
from vdp101.gateway.__main__ import main, parse_args
from vdp101.gateway.server import bind_listener

HEALTHY = {"health_check_response": {"status": "SERVING_STATUS_SERVING"}}


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_session_gateway_answers_health(gateway):
    response = requests.get(f"{gateway}/v1alpha/health/pipeline", timeout=5)

    assert gateway.startswith("http://127.0.0.1:")
    assert response.status_code == 200
    assert response.json() == HEALTHY


def test_session_gateway_lists_example_pipeline(gateway):
    response = requests.get(f"{gateway}/v1alpha/pipelines/vdp-101-sync", timeout=5)

    assert response.status_code == 200
    assert response.json()["pipeline"]["mode"] == "MODE_SYNC"


def test_session_gateway_returns_v1alpha_errors(gateway):
    response = requests.get(f"{gateway}/v1alpha/pipelines/missing", timeout=5)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == 5


def test_local_gateway_start_and_stop():
    local_gateway = LocalGateway()

    local_gateway.start()
    url = local_gateway.url
    health = requests.get(f"{url}/v1alpha/__readiness", timeout=5)
    local_gateway.stop()

    assert health.json() == HEALTHY
    assert not local_gateway.running
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/v1alpha/__liveness", timeout=5)


def test_local_gateway_uses_requested_port():
    port = unused_port()

    with LocalGateway(port=port) as local_gateway:
        assert local_gateway.url == f"http://127.0.0.1:{port}"
        assert local_gateway.port == port
        assert requests.get(f"{local_gateway.url}/v1alpha/__liveness", timeout=5).status_code == 200


def test_local_gateway_port_in_use_raises():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        with pytest.raises(GatewayBindError) as raised:
            LocalGateway(port=port).start()

    assert str(raised.value) == (
        f"Port {port} on 127.0.0.1 is already in use. Stop the program that uses it or choose another port."
    )
    assert raised.value.errno == errno.EADDRINUSE
    assert isinstance(raised.value, OSError)


def test_bind_foreign_address_names_host():
    # 192.0.2.0/24 is reserved for documentation (RFC 5737), so no machine has it.
    with pytest.raises(GatewayBindError) as raised:
        bind_listener("192.0.2.1", 0)

    assert raised.value.describe(host_option="--host", port_option="--port") == (
        "192.0.2.1 is not an address of this machine, so the gateway cannot listen on it. "
        "Choose another --host, such as 127.0.0.1, or 0.0.0.0 for every interface."
    )


@pytest.mark.parametrize(
    ("port", "error", "message"),
    [
        (
            8080,
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
            "host 'gateway.invalid' could not be resolved to an address (Name or service not known). "
            "Check the --host, or give an address such as 127.0.0.1.",
        ),
        (
            80,
            PermissionError(errno.EACCES, "Permission denied"),
            "permission to listen on port 80 on gateway.invalid was denied. Ports below 1024 need "
            "administrator rights on most systems, so choose a --port of 1024 or above.",
        ),
        (
            8080,
            OSError(errno.EINVAL, "Invalid argument"),
            "the gateway cannot listen on port 8080 on gateway.invalid (Invalid argument). "
            "Choose another --host or --port.",
        ),
    ],
)
def test_bind_error_describes_cause(port, error, message):
    bind_error = GatewayBindError("gateway.invalid", port, error)

    assert bind_error.describe(host_option="--host", port_option="--port") == message


def test_local_gateway_url_before_start_raises():
    local_gateway = LocalGateway()

    with pytest.raises(RuntimeError, match=r"^The gateway is not running. Call start\(\) first.$"):
        local_gateway.url  # noqa: B018

    assert repr(local_gateway) == "<LocalGateway not running>"


def test_local_gateway_stop_twice_is_harmless():
    local_gateway = LocalGateway().start()

    local_gateway.stop()
    local_gateway.stop()

    assert not local_gateway.running


def test_local_gateway_keeps_pipelines_in_data_dir(tmp_path):
    recipe = {
        "version": "v1alpha",
        "components": [
            {"id": "source", "resource_name": "source-connectors/source-http"},
            {"id": "model", "resource_name": "models/yolov7"},
            {"id": "destination", "resource_name": "destination-connectors/destination-http"},
        ],
    }
    with LocalGateway(data_dir=tmp_path) as first:
        created = requests.post(f"{first.url}/v1alpha/pipelines", json={"id": "kept", "recipe": recipe}, timeout=5)

    with LocalGateway(data_dir=tmp_path) as second:
        kept = requests.get(f"{second.url}/v1alpha/pipelines/kept", timeout=5)

    assert created.status_code == 201
    assert kept.status_code == 200
    assert kept.json()["pipeline"]["uid"] == created.json()["pipeline"]["uid"]


def test_local_gateway_triggers_over_http():
    with LocalGateway() as local_gateway:
        response = requests.post(
            f"{local_gateway.url}/v1alpha/pipelines/vdp-101-sync/triggerSync",
            json={"task_inputs": [{"detection": {"image_url": f"{local_gateway.url}/samples/horse.png"}}]},
            timeout=10,
        )

    objects = response.json()["model_outputs"][0]["task_outputs"][0]["detection"]["objects"]
    assert response.status_code == 200
    assert objects == [
        {"category": "horse", "score": 0.89, "bounding_box": {"top": 8, "left": 17, "width": 373, "height": 305}}
    ]


# -- Command line ------------------------------------------------------------------------------


def test_cli_defaults():
    args = parse_args([])

    assert (args.host, args.port, args.data_dir, args.samples_dir, args.log_level) == (
        "127.0.0.1",
        8080,
        None,
        None,
        "info",
    )


def test_cli_allow_private_urls_reaches_app(monkeypatch):
    created: list[dict] = []
    served: list[dict] = []

    def record_app(**arguments):
        created.append(arguments)
        return "app"

    def record_run(server, sockets):
        served.append({"app": server.config.app, "sockets": sockets})
        server.started = True

    def bind_loopback(host, port):
        bound.append((host, port))
        return bind_listener("127.0.0.1", 0)

    bound: list[tuple[str, int]] = []
    monkeypatch.setattr("vdp101.gateway.app.create_app", record_app)
    monkeypatch.setattr("vdp101.gateway.server.bind_listener", bind_loopback)
    monkeypatch.setattr("uvicorn.Server.run", record_run)

    assert main(["--host", "0.0.0.0", "--port", "9000", "--allow-private-urls"]) == 0
    assert main(["--host", "0.0.0.0", "--port", "9000"]) == 0
    assert created == [
        {"data_dir": None, "samples_dir": None, "host": "0.0.0.0", "allow_private_urls": True},
        {"data_dir": None, "samples_dir": None, "host": "0.0.0.0", "allow_private_urls": False},
    ]
    assert bound == [("0.0.0.0", 9000)] * 2
    assert [call["app"] for call in served] == ["app"] * 2
    assert [len(call["sockets"]) for call in served] == [1, 1]


def test_cli_port_in_use_prints_one_line(monkeypatch, capsys, caplog):
    created = []
    monkeypatch.setattr("vdp101.gateway.app.create_app", lambda **arguments: created.append(arguments))
    caplog.set_level(logging.INFO)

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        status = main(["--port", str(port)])

    assert status == 1
    assert capsys.readouterr().err == (
        f"error: port {port} on 127.0.0.1 is already in use. Stop the program that uses it or choose another --port.\n"
    )
    assert created == []
    assert caplog.records == []


@pytest.mark.parametrize("command", [["vdp101.gateway"], ["vdp101", "gateway"]])
def test_module_port_in_use_exits_early(command):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = subprocess.run(
            [sys.executable, "-m", *command, "--port", str(port)], capture_output=True, text=True, timeout=60
        )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 is already in use. Stop the program that uses it or choose another --port.\n"
    )


def test_cli_help_describes_options():
    result = subprocess.run(
        [sys.executable, "-m", "vdp101.gateway", "--help"], capture_output=True, text=True, timeout=60, check=True
    )

    assert result.stdout.startswith("usage: python -m vdp101.gateway")
    for option in ("--host", "--port", "--data-dir", "--samples-dir", "--allow-private-urls", "--log-level"):
        assert option in result.stdout


def test_cli_rejects_invalid_port():
    result = subprocess.run(
        [sys.executable, "-m", "vdp101.gateway", "--port", "eighty"], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert "argument --port: invalid int value: 'eighty'" in result.stderr


def test_cli_serves_until_interrupted(tmp_path):
    port = unused_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "vdp101.gateway", "--port", str(port), "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_PROXY": "127.0.0.1"},
    )
    try:
        health = None
        deadline = time.monotonic() + 30
        while health is None and time.monotonic() < deadline and process.poll() is None:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/v1alpha/health/pipeline", timeout=2)
            except requests.ConnectionError:
                time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert health is not None
    assert health.json() == HEALTHY
    assert process.returncode == 0
    assert f"Serving the VDP gateway at http://127.0.0.1:{port}/v1alpha" in stderr
    assert "VDP gateway started: 1 pipeline(s) in " in stderr
    assert "VDP gateway stopped" in stderr
    assert (tmp_path / "pipelines.sqlite3").is_file()
