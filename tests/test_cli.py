"""Tests for vdp101.cli: ``python -m vdp101 trigger|gateway`` in process and as a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests
from PIL import Image

import vdp101.gateway.__main__ as gateway_entry_point
from vdp101.cli import main
from vdp101.client import create_pipeline, delete_pipeline
from vdp101.drawing import draw_detections
from vdp101.responses import BoundingBox, DetectedObject
from vdp101.samples import sample_path

ROOT = Path(__file__).resolve().parent.parent
CHELSEA = str(sample_path("chelsea.jpg"))
COFFEE = str(sample_path("coffee.jpg"))
CHELSEA_CAT = DetectedObject("cat", 0.94, BoundingBox(left=18, top=0, width=384, height=300))


def run_main(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run main() in this process and return the exit status, stdout and stderr."""
    try:
        status = main(arguments)
    except SystemExit as exit_request:
        status = int(exit_request.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(autouse=True)
def without_gateway_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VDP_API_GATEWAY_URL", raising=False)


@pytest.fixture
def closed_port_url() -> str:
    """URL of a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def two_model_pipeline(gateway: str) -> Iterator[str]:
    pipeline_id = f"test-cli-{uuid.uuid4().hex[:8]}"
    recipe = {
        "version": "v1alpha",
        "components": [
            {"id": "source", "resource_name": "source-connectors/source-http"},
            {"id": "large", "resource_name": "models/yolov7"},
            {"id": "tiny", "resource_name": "models/yolov7-tiny"},
            {"id": "destination", "resource_name": "destination-connectors/destination-http"},
        ],
    }
    create_pipeline(pipeline_id, recipe, gateway=gateway)
    yield pipeline_id
    delete_pipeline(pipeline_id, gateway=gateway)


# trigger: output


def test_trigger_file_prints_table(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", f"--image-file={COFFEE}"], capsys
    )

    width = len(COFFEE)
    assert status == 0
    assert out == (
        f"{'image'.ljust(width)}  category      score  left  top  width  height\n"
        f"{COFFEE}  cup            0.91   172   17    237     292\n"
        f"{COFFEE}  spoon          0.78   325   64    100     262\n"
        f"{COFFEE}  dining table   0.55     0    0    600     400\n"
    )
    assert err == ""


def test_trigger_image_url_prints_table(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    image_url = f"{gateway}/samples/chelsea.jpg"

    status, out, _ = run_main(
        ["trigger", "--api-gateway-url", f"{gateway}/v1alpha", "--pipeline-id", "vdp-101-sync", "--image-url", image_url],
        capsys,
    )

    assert status == 0
    assert out.splitlines()[1].split() == [image_url, "cat", "0.94", "18", "0", "384", "300"]


@pytest.mark.parametrize("method", ["base64", "multipart"])
def test_trigger_file_methods_agree(gateway: str, method: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(
        [
            "trigger",
            f"--api-gateway-url={gateway}",
            "--pipeline-id=vdp-101-sync",
            f"--image-file={CHELSEA}",
            f"--image-file={COFFEE}",
            f"--method={method}",
        ],
        capsys,
    )

    rows = [line.split()[:2] for line in out.splitlines()[1:]]
    assert status == 0
    assert rows == [[CHELSEA, "cat"], [COFFEE, "cup"], [COFFEE, "spoon"], [COFFEE, "dining"]]


def test_image_without_objects_is_noted(gateway: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 48), (200, 200, 200)).save(blank)

    status, out, _ = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", f"--image-file={blank}"], capsys
    )

    assert status == 0
    assert out == f"No objects detected in {blank}.\n"


def test_local_gateway_explains_missing_objects(
    gateway: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 48), (200, 200, 200)).save(blank)

    status, out, err = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", f"--image-file={blank}"], capsys
    )

    assert status == 0
    assert out == f"No objects detected in {blank}.\n"
    assert err == (
        "note: the local gateway's stand-in model returns boxes only for the bundled sample images, "
        "so other images get no objects. Pass --api-gateway-url or set VDP_API_GATEWAY_URL to a real VDP "
        "to detect objects in them.\n"
    )


def test_remote_gateway_omits_local_model_note(
    gateway: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A gateway without the /samples route of vdp101's local gateway counts as a real VDP.
    monkeypatch.setattr("vdp101.client._serves_samples", lambda _gateway: False)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 48), (200, 200, 200)).save(blank)

    status, out, err = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", f"--image-file={blank}"], capsys
    )

    assert status == 0
    assert out == f"No objects detected in {blank}.\n"
    assert err == ""


def test_local_gateway_note_only_without_objects(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", f"--image-file={CHELSEA}"], capsys
    )

    assert status == 0
    assert err == ""


def test_two_models_add_model_column(
    gateway: str, two_model_pipeline: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_main(
        ["trigger", f"--api-gateway-url={gateway}", f"--pipeline-id={two_model_pipeline}", f"--image-file={CHELSEA}"],
        capsys,
    )

    lines = out.splitlines()
    assert status == 0
    assert lines[0].split() == ["image", "model", "category", "score", "left", "top", "width", "height"]
    assert lines[1].split()[:3] == [CHELSEA, "models/yolov7", "cat"]
    assert lines[2].split()[:3] == [CHELSEA, "models/yolov7-tiny", "cat"]


def test_output_saves_drawn_image(gateway: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "cat.png"

    status, out, _ = run_main(
        [
            "trigger",
            f"--api-gateway-url={gateway}",
            "--pipeline-id=vdp-101-sync",
            f"--image-file={CHELSEA}",
            f"--output={output}",
        ],
        capsys,
    )

    saved = np.asarray(Image.open(output))
    expected = np.asarray(draw_detections(CHELSEA, [CHELSEA_CAT]))
    assert status == 0
    assert out.splitlines()[-1] == f"Saved {CHELSEA} with 1 box drawn to {output}"
    assert np.array_equal(saved, expected)


def test_output_several_images_numbered(gateway: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "drawn.png"

    status, out, _ = run_main(
        [
            "trigger",
            f"--api-gateway-url={gateway}",
            "--pipeline-id=vdp-101-sync",
            f"--image-file={CHELSEA}",
            f"--image-file={COFFEE}",
            f"--output={output}",
        ],
        capsys,
    )

    assert status == 0
    assert out.splitlines()[-3:] == [
        f"Saved {CHELSEA} with 1 box drawn to {tmp_path / 'drawn-1.png'}",
        f"Saved {COFFEE} with 3 boxes drawn to {tmp_path / 'drawn-2.png'}",
        "One file per image: the input number (1 to 2) is added before .png.",
    ]
    assert Image.open(tmp_path / "drawn-1.png").size == (451, 300)
    assert Image.open(tmp_path / "drawn-2.png").size == (600, 400)
    assert not output.exists()


def test_output_from_image_url(gateway: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "cat.jpg"

    status, _, _ = run_main(
        [
            "trigger",
            f"--api-gateway-url={gateway}",
            "--pipeline-id=vdp-101-sync",
            f"--image-url={gateway}/samples/chelsea.jpg",
            f"--output={output}",
        ],
        capsys,
    )

    assert status == 0
    assert Image.open(output).format == "JPEG"
    assert Image.open(output).size == (451, 300)


def run_output_check(output: str, closed_port_url: str, capsys: pytest.CaptureFixture[str], *images: str) -> tuple[int, str, str]:
    """Run trigger with ``--output``, against a gateway URL where nothing listens."""
    image_options = [f"--image-file={image}" for image in images or (CHELSEA,)]
    return run_main(
        [
            "trigger",
            f"--api-gateway-url={closed_port_url}",
            "--pipeline-id=vdp-101-sync",
            *image_options,
            f"--output={output}",
        ],
        capsys,
    )


def test_output_in_missing_folder_fails_first(closed_port_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_output_check("/nonexistent-dir/out.png", closed_port_url, capsys)

    assert status == 2
    assert out == ""
    assert err == (
        "error: --output '/nonexistent-dir/out.png' cannot be saved: the folder /nonexistent-dir "
        "does not exist. Create it first, or choose a path in an existing folder.\n"
    )


def test_output_relative_missing_folder_named(
    closed_port_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    status, _, err = run_output_check("drawings/out.png", closed_port_url, capsys)

    assert status == 2
    assert err == (
        f"error: --output 'drawings/out.png' cannot be saved: the folder {tmp_path / 'drawings'} "
        "does not exist. Create it first, or choose a path in an existing folder.\n"
    )


def test_output_under_file_fails_first(closed_port_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("notes")
    output = tmp_path / "notes.txt" / "out.png"

    status, out, err = run_output_check(str(output), closed_port_url, capsys)

    assert status == 2
    assert out == ""
    assert err == (
        f"error: --output '{output}' cannot be saved: {tmp_path / 'notes.txt'} is a file, not a folder. "
        "Choose a path in an existing folder.\n"
    )


def test_output_unwritable_folder_fails_first(
    closed_port_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every folder is writable for root, and the tests may run as root, so access() is replaced.
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    output = tmp_path / "out.png"

    status, out, err = run_output_check(str(output), closed_port_url, capsys)

    assert status == 2
    assert out == ""
    assert err == (
        f"error: --output '{output}' cannot be saved: the folder {tmp_path} is not writable. "
        "Choose a folder that you can write to.\n"
    )


def test_output_naming_folder_fails_first(
    closed_port_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "drawings.png"
    output.mkdir()

    status, out, err = run_output_check(str(output), closed_port_url, capsys)

    assert status == 2
    assert out == ""
    assert err == (
        f"error: --output '{output}' cannot be saved: {output} is a folder. "
        f"Give a file name, such as '{output / 'detections.png'}'.\n"
    )


def test_output_numbered_file_unwritable(
    closed_port_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "drawn-2.png"
    locked.write_bytes(b"")
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked)
    output = tmp_path / "drawn.png"

    status, out, err = run_output_check(str(output), closed_port_url, capsys, CHELSEA, COFFEE)

    assert status == 2
    assert out == ""
    assert err == (
        f"error: --output '{output}' cannot be saved: the file {locked} exists and is not writable. "
        "Choose another file name.\n"
    )


# trigger: choosing the gateway


def test_environment_variable_sets_gateway(
    gateway: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VDP_API_GATEWAY_URL", gateway)

    status, out, err = run_main(["trigger", "--pipeline-id=vdp-101-sync", f"--image-file={CHELSEA}"], capsys)

    assert status == 0
    assert out.splitlines()[1].split()[1] == "cat"
    assert err == ""


def test_invalid_environment_url_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VDP_API_GATEWAY_URL", "localhost:8080")

    status, out, err = run_main(["trigger", "--pipeline-id=vdp-101-sync", f"--image-file={CHELSEA}"], capsys)

    assert status == 1
    assert out == ""
    assert err == (
        "error: Gateway URL 'localhost:8080' from VDP_API_GATEWAY_URL has no scheme. "
        "Set VDP_API_GATEWAY_URL to 'http://localhost:8080'.\n"
    )


def test_no_gateway_starts_local_one(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(["trigger", "--pipeline-id=vdp-101-sync", f"--image-file={CHELSEA}"], capsys)

    assert status == 0
    assert out.splitlines()[1].split()[1] == "cat"
    assert err.startswith("note: no --api-gateway-url or VDP_API_GATEWAY_URL was given, so a local gateway ran at ")
    assert err.count("\n") == 1


def test_timeout_flag_is_accepted(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", f"--image-file={CHELSEA}", "--timeout=2.5"],
        capsys,
    )

    assert status == 0


@pytest.mark.parametrize("position", ["before", "after"])
def test_verbose_logs_each_request(gateway: str, position: str, capsys: pytest.CaptureFixture[str]) -> None:
    trigger = ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", f"--image-file={CHELSEA}"]
    arguments = ["--verbose", *trigger] if position == "before" else [*trigger, "--verbose"]

    status, _, err = run_main(arguments, capsys)

    url = f"{gateway}/v1alpha/pipelines/vdp-101-sync/triggerSync"
    assert status == 0
    assert f"INFO vdp101.client: POST {url}: HTTP 200 in " in err
    assert f"INFO vdp101.client: GET {gateway}/v1alpha/health/pipeline: HTTP 200 in " in err


# trigger: errors


def test_unknown_pipeline_prints_one_error(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=no-such-pipeline", f"--image-file={CHELSEA}"],
        capsys,
    )

    assert status == 1
    assert out == ""
    assert err == (
        f"error: Pipeline 'no-such-pipeline' was not found at {gateway}/v1alpha (HTTP 404). "
        "Create it, or list pipelines to check the id.\n"
    )


def test_unknown_pipeline_on_local_gateway(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_main(["trigger", "--pipeline-id=no-such-pipeline", f"--image-file={CHELSEA}"], capsys)

    assert status == 1
    assert err.startswith("error: Pipeline 'no-such-pipeline' was not found at http://127.0.0.1:")
    assert err.count("\n") == 1


def test_unreachable_gateway_prints_error(closed_port_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(
        ["trigger", f"--api-gateway-url={closed_port_url}", "--pipeline-id=vdp-101-sync", f"--image-file={CHELSEA}"],
        capsys,
    )

    assert status == 1
    assert out == ""
    assert err == (
        f"error: Could not reach the VDP gateway at {closed_port_url}/v1alpha (Connection refused). "
        "Start the local gateway with `python -m vdp101 gateway`, or check VDP_API_GATEWAY_URL "
        "and the URL's host and port.\n"
    )


def test_missing_file_prints_error(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", "--image-file=no-such/dog.jpg"],
        capsys,
    )

    assert status == 1
    assert err == (
        f"error: --image-file 'no-such/dog.jpg' was not found or is not a file (relative paths start at "
        f"{Path.cwd()}). Check the path. The bundled sample images are in {sample_path('chelsea.jpg').parent}.\n"
    )


def test_non_image_file_prints_error(gateway: str, capsys: pytest.CaptureFixture[str]) -> None:
    annotations = str(sample_path("chelsea.jpg").parent / "annotations.json")

    status, _, err = run_main(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", f"--image-file={annotations}"],
        capsys,
    )

    assert status == 1
    assert err.startswith("error: The gateway could not use an image sent to pipeline 'vdp-101-sync' (HTTP 422: ")
    assert err.count("\n") == 1


def test_gateway_url_without_scheme(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_main(
        ["trigger", "--api-gateway-url=localhost:8080", "--pipeline-id=vdp-101-sync", f"--image-file={CHELSEA}"],
        capsys,
    )

    assert status == 1
    assert err == (
        "error: Gateway URL 'localhost:8080' has no scheme. Use 'http://localhost:8080'.\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["trigger", "--image-file=x.jpg"],
            "error: the following arguments are required: --pipeline-id. "
            "Run 'python -m vdp101 trigger --help' for the options.\n",
        ),
        (
            ["trigger", "--pipeline-id=p"],
            "error: one of the arguments --image-url --image-file is required. "
            "Run 'python -m vdp101 trigger --help' for the options.\n",
        ),
        (
            ["trigger", "--pipeline-id=p", "--image-url=http://h/a.jpg", "--image-file=b.jpg"],
            "error: argument --image-file: not allowed with argument --image-url. "
            "Run 'python -m vdp101 trigger --help' for the options.\n",
        ),
        (
            ["trigger", "--pipeline-id=p", "--image-file=b.jpg", "--timeout=soon"],
            "error: argument --timeout: 'soon' is not a number of seconds. "
            "Run 'python -m vdp101 trigger --help' for the options.\n",
        ),
        (
            ["trigger", "--pipeline-id=p", "--image-file=b.jpg", "--timeout=0"],
            "error: argument --timeout: '0' is not more than 0 seconds. "
            "Run 'python -m vdp101 trigger --help' for the options.\n",
        ),
        (
            ["trigger", "--pipeline-id=p", "--image-file=b.jpg", "--colour=red"],
            "error: unrecognized arguments: --colour=red. Run 'python -m vdp101 trigger --help' for the options.\n",
        ),
        (
            ["trigger", "--bogus", "extra", "--pipeline-id=p", "--image-file=b.jpg"],
            "error: unrecognized arguments: --bogus extra. Run 'python -m vdp101 trigger --help' for the options.\n",
        ),
        (
            ["gateway", "--bogus"],
            "error: unrecognized arguments: --bogus. Run 'python -m vdp101 gateway --help' for the options.\n",
        ),
        (
            ["gateway", "--port=http"],
            "error: argument --port: 'http' is not a whole number. "
            "Run 'python -m vdp101 gateway --help' for the options.\n",
        ),
        (
            ["gateway", "--port=70000"],
            "error: argument --port: '70000' is outside the port range 0 to 65535. "
            "Run 'python -m vdp101 gateway --help' for the options.\n",
        ),
        (
            [],
            "error: the following arguments are required: {trigger,gateway}. "
            "Run 'python -m vdp101 --help' for the options.\n",
        ),
    ],
)
def test_invalid_arguments_print_one_line(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_main(arguments, capsys)

    assert status == 2
    assert out == ""
    assert err == message


@pytest.mark.parametrize(
    ("arguments", "start", "end"),
    [
        (
            ["trigger", "--pipeline-id=p", "--image-file=b.jpg", "--method=grpc"],
            "error: argument --method: invalid choice: 'grpc' (choose from ",
            "). Run 'python -m vdp101 trigger --help' for the options.\n",
        ),
        (
            ["serve"],
            "error: argument {trigger,gateway}: invalid choice: 'serve' (choose from ",
            "). Run 'python -m vdp101 --help' for the options.\n",
        ),
    ],
)
def test_invalid_choice_prints_one_line(
    arguments: list[str], start: str, end: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Python versions differ in whether argparse quotes the choices, so only the
    # text around the list is compared.
    status, _, err = run_main(arguments, capsys)

    assert status == 2
    assert err.startswith(start)
    assert err.endswith(end)
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--image-url=http://h/a.jpg", "--method=base64"],
            "error: --method base64 sends local files, but --image-url was given. "
            "Use --image-file with it, or --method url.\n",
        ),
        (
            [f"--image-file={CHELSEA}", "--method=url"],
            "error: --method url sends image URLs, but --image-file was given. "
            "Use --image-url with it, or --method base64 or multipart.\n",
        ),
        (
            [f"--image-file={CHELSEA}", "--output=boxes.txt"],
            "error: --output 'boxes.txt' has no image file extension that Pillow can write. "
            "End it in .png or .jpg.\n",
        ),
    ],
)
def test_conflicting_options_are_rejected(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_main(["trigger", "--pipeline-id=vdp-101-sync", *arguments], capsys)

    assert status == 2
    assert err == message


# help


def test_trigger_help_explains_flags(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(["trigger", "--help"], capsys)

    text = " ".join(out.split())
    assert status == 0
    for flag in ["--api-gateway-url URL", "--pipeline-id ID", "--image-url URL", "--image-file PATH",
                 "--method {url,base64,multipart}", "--output PATH", "--timeout SECONDS", "--verbose"]:
        assert flag in text
    assert "seconds to wait for the gateway to connect and to respond (default: 30)" in text
    assert "(default: $VDP_API_GATEWAY_URL, or if that is unset, a local gateway that runs for this command only)" in text
    assert "out-1.png, out-2.png" in text


@pytest.mark.parametrize("columns", ["40", "80"])
def test_trigger_help_example_keeps_options(
    columns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", columns)

    status, out, _ = run_main(["trigger", "--help"], capsys)

    assert status == 0
    assert out.endswith(
        "example:\n"
        "  python -m vdp101 trigger \\\n"
        "    --pipeline-id=vdp-101-sync \\\n"
        "    --image-file=data/coffee.jpg \\\n"
        "    --output=coffee-detections.png\n"
    )


def test_trigger_help_keeps_options_whole(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "40")

    status, out, _ = run_main(["trigger", "--help"], capsys)

    assert status == 0
    lines = [line.strip() for line in out.splitlines()]
    assert [line for line in lines if line.endswith("-")] == []
    assert "--image-url), base64" in lines
    assert "--image-file) or" in lines


def test_gateway_help_explains_flags(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(["gateway", "--help"], capsys)

    text = " ".join(out.split())
    assert status == 0
    assert "--host HOST address to listen on (default: 127.0.0.1)" in text
    assert "--port PORT TCP port to listen on, 0 for any free port (default: 8080)" in text
    assert "--data-dir DIR folder for a SQLite file that keeps pipelines across restarts" in text
    assert (
        "--allow-private-urls fetch image URLs on loopback, private and link-local addresses too. Without it, "
        "a gateway whose --host is not a loopback address rejects them with HTTP 422"
    ) in text


# gateway


def test_gateway_command_delegates(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    received: list[list[str]] = []

    def record(argv: list[str]) -> int:
        received.append(argv)
        return 0

    monkeypatch.setattr(gateway_entry_point, "main", record)

    assert main(["gateway"]) == 0
    assert main(["gateway", "--host=0.0.0.0", "--port=9000", f"--data-dir={tmp_path}"]) == 0
    assert main(["gateway", "--host=0.0.0.0", "--allow-private-urls"]) == 0
    assert received == [
        ["--host", "127.0.0.1", "--port", "8080"],
        ["--host", "0.0.0.0", "--port", "9000", "--data-dir", str(tmp_path)],
        ["--host", "0.0.0.0", "--port", "8080", "--allow-private-urls"],
    ]


# python -m vdp101 as a subprocess


def run_module(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if name != "VDP_API_GATEWAY_URL"}
    return subprocess.run(
        [sys.executable, "-m", "vdp101", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_module_trigger_prints_table(gateway: str) -> None:
    completed = run_module(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=vdp-101-sync", "--image-file=data/chelsea.jpg"]
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == (
        "image             category  score  left  top  width  height\n"
        "data/chelsea.jpg  cat        0.94    18    0    384     300\n"
    )
    assert completed.stderr == ""


def test_module_error_has_no_traceback(gateway: str) -> None:
    completed = run_module(
        ["trigger", f"--api-gateway-url={gateway}", "--pipeline-id=no-such-pipeline", "--image-file=data/chelsea.jpg"]
    )

    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr.startswith("error: Pipeline 'no-such-pipeline' was not found at ")
    assert completed.stderr.count("\n") == 1
    assert "Traceback" not in completed.stderr


def test_module_gateway_serves_until_interrupted() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {name: value for name, value in os.environ.items() if name != "VDP_API_GATEWAY_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "vdp101", "gateway", f"--port={port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 60
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
            process.communicate()

    assert health is not None, stderr
    assert health.status_code == 200
    assert health.json() == {"health_check_response": {"status": "SERVING_STATUS_SERVING"}}
    assert process.returncode == 0
    assert f"Serving the VDP gateway at http://127.0.0.1:{port}/v1alpha" in stderr
