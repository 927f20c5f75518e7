"""Gateway overhead: triggerSync latency and throughput next to a bare ASGI floor.

    python -m benchmarks.overhead

Three servers run in turn under uvicorn with the same settings, each in its own
process on core 0, while the load generator runs in another process on core 1:

- ``floor``: a bare ASGI app that reads the body and returns fixed JSON;
- ``fastapi-floor``: one FastAPI route that does the same;
- ``fastapi-threadpool``: the same route declared with ``def``, so that FastAPI
  runs it in a worker thread, as it runs the gateway's trigger routes;
- ``gateway``: ``vdp101.gateway.create_app()``, the stand-in model included.

Every server receives the same triggerSync request (a bundled sample as
``image_base64``), and both floors return the gateway's own response bytes.
Last, the steps that every request must take whatever the server (JSON parsing,
base64 decoding, image decoding, the stand-in model's lookup) are timed in this
process, to show how much of the gap to the floor they account for.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.processes import LOAD_CPU, LOOPBACK, pin_arguments, running_server
from benchmarks.recording import ROOT, format_table, warn_if_busy, write_results

PIPELINE_PATH = "/v1alpha/pipelines/vdp-101-sync/triggerSync"
TARGETS = ("floor", "fastapi-floor", "fastapi-threadpool", "gateway")
CONCURRENCY_LEVELS = (1, 8, 32)
REQUESTS_PER_LEVEL = {1: 3000, 8: 5000, 32: 8000}
MAX_SECONDS = 20.0
WARMUP = 200

MAX_LATENCY_RATIO = 1.5
"""Target: the gateway's median latency at 1 client is at most this multiple of the floor's."""
MIN_THROUGHPUT_RATIO = 0.6
"""Target: the gateway's throughput at 32 clients is at least this fraction of the floor's."""


def trigger_body(image: Path) -> bytes:
    """Return a triggerSync JSON body with ``image`` as ``image_base64``."""
    encoded = base64.b64encode(image.read_bytes()).decode("ascii")
    return json.dumps({"task_inputs": [{"detection": {"image_base64": encoded}}]}).encode()


def post(port: int, path: str, body: bytes) -> tuple[int, bytes]:
    """Send one JSON POST and return its status and body."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_load_process(port: int, body_file: Path, concurrency: int) -> dict[str, Any]:
    """Run the load generator in its own process and return its summary."""
    command = [
        sys.executable, "-m", "benchmarks.loadgen",
        "--port", str(port),
        "--method", "POST",
        "--path", PIPELINE_PATH,
        "--body-file", str(body_file),
        "--content-type", "application/json",
        "--concurrency", str(concurrency),
        "--requests", str(REQUESTS_PER_LEVEL[concurrency]),
        "--max-seconds", str(MAX_SECONDS),
        "--warmup", str(WARMUP),
        *pin_arguments(LOAD_CPU),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3 * MAX_SECONDS + 30)
    summary = json.loads(completed.stdout.strip().splitlines()[-1]) if completed.stdout.strip() else {}
    if completed.returncode != 0 or "error" in summary:
        raise RuntimeError(f"The load generator failed: {summary.get('error') or completed.stderr.strip()}")
    return summary


def server_cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """Return the CPU time (user + system, seconds) that ``process`` has used so far."""
    import psutil

    times = psutil.Process(process.pid).cpu_times()
    return float(times.user + times.system)


def measure_target(target: str, body_file: Path, response_file: Path | None) -> list[dict[str, Any]]:
    """Run every concurrency level against a fresh server of ``target``."""
    rows = []
    with running_server(target, response_file=response_file) as (process, port):
        for concurrency in CONCURRENCY_LEVELS:
            cpu_before = server_cpu_seconds(process)
            summary = run_load_process(port, body_file, concurrency)
            summary["server_cpu_s"] = server_cpu_seconds(process) - cpu_before
            summary["target"] = target
            rows.append(summary)
            print(
                f"{target:>13} c={concurrency:<2} median {summary['latency_ms']['median']:.3f} ms, "
                f"{summary['throughput_rps']:.0f} req/s",
                file=sys.stderr,
            )
    return rows


def _median_microseconds(step: Callable[[], object], *, runs: int = 300) -> float:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations) * 1e6


def stage_costs(body: bytes) -> dict[str, float]:
    """Return the median cost, in microseconds, of each step the gateway takes on ``body``."""
    from vdp101.gateway.images import decode_image
    from vdp101.gateway.model import StandInDetector
    from vdp101.samples import data_dir

    detector = StandInDetector(data_dir())
    text = json.loads(body)["task_inputs"][0]["detection"]["image_base64"]
    data = base64.b64decode(text, validate=True)
    image = decode_image(data, source="benchmark")
    return {
        "json.loads of the body": _median_microseconds(lambda: json.loads(body)),
        "base64.b64decode": _median_microseconds(lambda: base64.b64decode(text, validate=True)),
        "decode_image (Pillow)": _median_microseconds(lambda: decode_image(data, source="benchmark")),
        "StandInDetector.detect": _median_microseconds(lambda: detector.detect(image)),
    }


def capture_gateway_response(body: bytes) -> bytes:
    """Start a gateway, send ``body`` once and return the 200 response it sends back."""
    with running_server("gateway") as (_, port):
        status, response = post(port, PIPELINE_PATH, body)
    if status != 200:
        raise RuntimeError(f"The gateway returned HTTP {status} for triggerSync: {response[:300]!r}")
    return response


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, default=ROOT / "data" / "chelsea.jpg", help="image sent as image_base64")
    options = parser.parse_args(argv)
    warn_if_busy()

    body = trigger_body(options.image)
    response = capture_gateway_response(body)
    objects = json.loads(response)["model_outputs"][0]["task_outputs"][0]["detection"]["objects"]
    with tempfile.TemporaryDirectory() as folder:
        body_file = Path(folder) / "request.json"
        body_file.write_bytes(body)
        response_file = Path(folder) / "response.json"
        response_file.write_bytes(response)
        rows = []
        for target in TARGETS:
            rows += measure_target(target, body_file, None if target == "gateway" else response_file)

    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {LOAD_CPU})
    stages = stage_costs(body)

    by_key = {(row["target"], row["concurrency"]): row for row in rows}
    latency_ratio = by_key["gateway", 1]["latency_ms"]["median"] / by_key["floor", 1]["latency_ms"]["median"]
    throughput_ratio = by_key["gateway", 32]["throughput_rps"] / by_key["floor", 32]["throughput_rps"]
    verdicts = {
        "latency_ratio_at_1": latency_ratio,
        "latency_target": MAX_LATENCY_RATIO,
        "latency_pass": latency_ratio <= MAX_LATENCY_RATIO,
        "throughput_ratio_at_32": throughput_ratio,
        "throughput_target": MIN_THROUGHPUT_RATIO,
        "throughput_pass": throughput_ratio >= MIN_THROUGHPUT_RATIO,
    }

    table = format_table(
        ["target", "clients", "median ms", "p99 ms", "req/s", "server CPU", "loadgen CPU", "non-200"],
        [
            [
                row["target"],
                row["concurrency"],
                f"{row['latency_ms']['median']:.3f}",
                f"{row['latency_ms']['p99']:.3f}",
                f"{row['throughput_rps']:.0f}",
                f"{row['server_cpu_s'] / row['elapsed_s']:.2f}",
                f"{row['client_cpu_fraction']:.2f}",
                sum(n for status, n in row["statuses"].items() if status != "200"),
            ]
            for row in rows
        ],
    )
    print(f"\ntriggerSync with {options.image.name} ({options.image.stat().st_size} bytes) as image_base64, "
          f"{len(objects)} objects in the response")
    print(table)
    floor_median_us = by_key["floor", 1]["latency_ms"]["median"] * 1000
    print("\nsteps of one request, timed in process (median microseconds):")
    print(
        format_table(
            ["step", "median us", "x floor median"],
            [[name, f"{cost:.0f}", f"{cost / floor_median_us:.2f}"] for name, cost in stages.items()],
        )
    )
    print(
        f"gateway/floor median latency at 1 client: {latency_ratio:.2f}x (target <= {MAX_LATENCY_RATIO}x, "
        f"{'pass' if verdicts['latency_pass'] else 'miss'})"
    )
    print(
        f"gateway/floor throughput at 32 clients: {throughput_ratio:.0%} (target >= {MIN_THROUGHPUT_RATIO:.0%}, "
        f"{'pass' if verdicts['throughput_pass'] else 'miss'})"
    )
    path = write_results(
        "overhead",
        {
            "image": options.image.name,
            "image_bytes": options.image.stat().st_size,
            "request_bytes": len(body),
            "response_bytes": len(response),
            "settings": {"requests_per_level": REQUESTS_PER_LEVEL, "max_seconds": MAX_SECONDS, "warmup": WARMUP},
            "rows": rows,
            "stage_costs_us": stages,
            "verdicts": verdicts,
        },
    )
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
