"""Tests for vdp101.curl: the cURL commands and what they return when run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vdp101.client import trigger_image_base64, trigger_image_urls, trigger_multipart
from vdp101.curl import curl_command
from vdp101.errors import InvalidImageError, InvalidRequestError
from vdp101.responses import parse_detections

ROOT = Path(__file__).resolve().parent.parent
REMOTE = "http://127.0.0.1:8080"

needs_curl = pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("bash") is None or shutil.which("base64") is None,
    reason="running the commands needs curl, bash and base64 on PATH",
)


@pytest.fixture
def in_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test from the repository root, where the commands' data/ paths start."""
    monkeypatch.chdir(ROOT)


def run_in_bash(command: str) -> str:
    completed = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_url_command_sends_json(in_repository_root: None) -> None:
    command = curl_command(
        "vdp-101-sync", method="url", images="https://example.org/dog.jpg", gateway=f"{REMOTE}/v1alpha"
    )

    assert command == (
        "curl --silent --show-error --max-time 30 \\\n"
        "  -X POST http://127.0.0.1:8080/v1alpha/pipelines/vdp-101-sync/triggerSync \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        """  --data '{"task_inputs": [{"detection": {"image_url": "https://example.org/dog.jpg"}}]}'"""
    )


def test_base64_command_encodes_each_file(in_repository_root: None) -> None:
    command = curl_command(
        "vdp-101-sync", method="base64", images=["data/coffee.jpg", "data/horse.png"], gateway=REMOTE, timeout=5
    )

    assert command == (
        """printf '{"task_inputs": [{"detection": {"image_base64": "%s"}}, """
        """{"detection": {"image_base64": "%s"}}]}' \\\n"""
        """  "$(base64 < data/coffee.jpg | tr -d '\\n')" \\\n"""
        """  "$(base64 < data/horse.png | tr -d '\\n')" |\n"""
        "curl --silent --show-error --max-time 5 \\\n"
        "  -X POST http://127.0.0.1:8080/v1alpha/pipelines/vdp-101-sync/triggerSync \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  --data-binary @-"
    )


def test_multipart_command_has_file_parts(in_repository_root: None) -> None:
    command = curl_command(
        "vdp-101-sync", method="multipart", images=[Path("data/coffee.jpg"), "data/chelsea.jpg"], gateway=REMOTE
    )

    assert command == (
        "curl --silent --show-error --max-time 30 \\\n"
        "  -X POST http://127.0.0.1:8080/v1alpha/pipelines/vdp-101-sync/triggerSyncMultipart \\\n"
        "  -F file=@data/coffee.jpg \\\n"
        "  -F file=@data/chelsea.jpg"
    )


def test_unusual_file_names_are_quoted(tmp_path: Path) -> None:
    spaced = tmp_path / "my photo.jpg"
    semicolon = tmp_path / "a;b.jpg"
    spaced.write_bytes(b"")
    semicolon.write_bytes(b"")

    multipart = curl_command("vdp-101-sync", method="multipart", images=[spaced, semicolon], gateway=REMOTE)
    base64_command = curl_command("vdp-101-sync", method="base64", images=[spaced], gateway=REMOTE)

    assert f"-F 'file=@{spaced}'" in multipart
    assert f"""-F 'file=@"{semicolon}"'""" in multipart
    assert f"base64 < '{spaced}' |" in base64_command


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        curl_command("vdp-101-sync", method="grpc", images="data/coffee.jpg", gateway=REMOTE)  # type: ignore[arg-type]

    assert str(raised.value) == "Trigger method 'grpc' is not one of 'url', 'base64' or 'multipart'."


def test_missing_file_is_rejected(in_repository_root: None) -> None:
    with pytest.raises(InvalidImageError) as raised:
        curl_command("vdp-101-sync", method="base64", images="data/dog.jpg", gateway=REMOTE)

    assert str(raised.value) == (
        f"Image file 'data/dog.jpg' was not found (relative paths start at {ROOT}). "
        "Check the path, because the command reads the file when it runs."
    )


def test_url_without_scheme_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match=r"^Image URL 'data/coffee.jpg' has no scheme"):
        curl_command("vdp-101-sync", method="url", images="data/coffee.jpg", gateway=REMOTE)


def test_empty_image_list_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match=r"^No images were given\."):
        curl_command("vdp-101-sync", method="multipart", images=[], gateway=REMOTE)


@needs_curl
def test_url_command_matches_python(gateway: str) -> None:
    image_url = f"{gateway}/samples/chelsea.jpg"

    from_curl = parse_detections(run_in_bash(curl_command("vdp-101-sync", method="url", images=image_url, gateway=gateway)))
    from_python = parse_detections(trigger_image_urls("vdp-101-sync", image_url, gateway=gateway))

    assert [d.objects for d in from_curl] == [d.objects for d in from_python]
    assert from_curl[0].objects[0].category == "cat"


@needs_curl
def test_base64_command_matches_python(gateway: str, in_repository_root: None) -> None:
    images = ["data/coffee.jpg", "data/horse.png"]

    from_curl = parse_detections(run_in_bash(curl_command("vdp-101-sync", method="base64", images=images, gateway=gateway)))
    from_python = parse_detections(trigger_image_base64("vdp-101-sync", images, gateway=gateway))

    assert [(d.input_position, d.objects) for d in from_curl] == [(d.input_position, d.objects) for d in from_python]
    assert [len(d.objects) for d in from_curl] == [3, 1]


@needs_curl
def test_multipart_command_matches_python(gateway: str, in_repository_root: None) -> None:
    images = ["data/astronaut.jpg", "data/chelsea.jpg"]

    from_curl = parse_detections(
        run_in_bash(curl_command("vdp-101-sync", method="multipart", images=images, gateway=gateway))
    )
    from_python = parse_detections(trigger_multipart("vdp-101-sync", images, gateway=gateway))

    assert [(d.input_position, d.objects) for d in from_curl] == [(d.input_position, d.objects) for d in from_python]
    assert [d.objects[0].category for d in from_curl] == ["person", "cat"]


@needs_curl
def test_large_base64_file_runs(gateway: str, tmp_path: Path) -> None:
    # Random pixels make a PNG of about 270 KB, whose base64 is longer than Linux's
    # 128 KiB limit on one command-line argument.
    pixels = np.random.default_rng(seed=7).integers(0, 256, size=(300, 300, 3), dtype=np.uint8)
    path = tmp_path / "noise image.png"
    Image.fromarray(pixels).save(path)

    output = run_in_bash(curl_command("vdp-101-sync", method="base64", images=path, gateway=gateway))

    detections = parse_detections(output)
    assert path.stat().st_size > 200_000
    assert [(d.input_position, d.objects) for d in detections] == [(0, ())]


@needs_curl
def test_unknown_pipeline_command_returns_error(gateway: str, in_repository_root: None) -> None:
    output = run_in_bash(curl_command("no-such-pipeline", method="multipart", images="data/chelsea.jpg", gateway=gateway))

    assert output.startswith('{"code":5,')
