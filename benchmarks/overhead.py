"""Gateway overhead: triggerSync latency and throughput next to a bare ASGI floor.

    python -m benchmarks.overhead

Six servers run in turn under uvicorn with the same settings, each in its own
process on core 0, while the load generator runs in another process on core 1.
The whole sequence runs ``--rounds`` times (3 by default), and each number in the
table is the median over the rounds:

- ``floor``: a bare ASGI app that reads the body and returns fixed JSON;
- ``fastapi-floor``: one FastAPI ``async def`` route that does the same;
- ``fastapi-threadpool``: the same route declared with ``def``, so that FastAPI
  runs it in a worker thread;
- ``fastapi-schemas``: an ``async def`` route, as the trigger routes are, that
  lets FastAPI parse the body into the gateway's request model and validate and
  serialize the fixed response with the gateway's response model;
- ``gateway``: ``vdp101.gateway.create_app()``, the stand-in model included. Every
  request sends the same file, so after the first one the stand-in model takes its
  objects from its result caches;
- ``gateway-uncached``: the same gateway with that cache turned off, so every
  request decodes the image and hashes its pixels, as the first upload of a file does.

Every server receives the same triggerSync request (a bundled sample as
``image_base64``), and the floors return the gateway's own response bytes.
Last, the same request is sent to each app as a direct ASGI call, without a socket,
uvicorn or HTTP parsing, which times each app's own work. The steps of a request
(JSON parsing, base64 decoding, image decoding, the stand-in model's lookup and its
result caches) are timed in this process too, to show how much of the gap to the
floor they account for.
"""

from __future__ import annotations

import argparse
import asyncio
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
from benchmarks.recording import ROOT, format_table, median, warn_if_busy, write_results

PIPELINE_PATH = "/v1alpha/pipelines/vdp-101-sync/triggerSync"
TARGETS = ("floor", "fastapi-floor", "fastapi-threadpool", "fastapi-schemas", "gateway", "gateway-uncached")
CONCURRENCY_LEVELS = (1, 8, 32)
REQUESTS_PER_LEVEL = {1: 3000, 8: 5000, 32: 8000}
MAX_SECONDS = 20.0
WARMUP = 200
ROUNDS = 3
"""Times that every target runs at every level, in turn. The reported numbers are the
medians over rounds, so a burst of other work on a shared machine moves one round only."""

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


def measure_target(
    target: str, body_file: Path, response_file: Path | None, *, round_number: int
) -> list[dict[str, Any]]:
    """Run every concurrency level against a fresh server of ``target``."""
    rows = []
    with running_server(target, response_file=response_file) as (process, port):
        for concurrency in CONCURRENCY_LEVELS:
            cpu_before = server_cpu_seconds(process)
            summary = run_load_process(port, body_file, concurrency)
            summary["server_cpu_s"] = server_cpu_seconds(process) - cpu_before
            summary["target"] = target
            summary["round"] = round_number
            rows.append(summary)
            print(
                f"round {round_number} {target:>18} c={concurrency:<2} "
                f"median {summary['latency_ms']['median']:.3f} ms, {summary['throughput_rps']:.0f} req/s",
                file=sys.stderr,
            )
    return rows


def median_over_rounds(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per target and level with the medians of its rounds in ``runs``."""
    grouped: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for run in runs:
        grouped.setdefault((run["target"], run["concurrency"]), []).append(run)
    rows = []
    for (target, concurrency), rounds in grouped.items():
        statuses: dict[str, int] = {}
        for run in rounds:
            for status, count in run["statuses"].items():
                statuses[status] = statuses.get(status, 0) + count
        rows.append(
            {
                "target": target,
                "concurrency": concurrency,
                "rounds": len(rounds),
                "latency_ms": {
                    "median": median([run["latency_ms"]["median"] for run in rounds]),
                    "p99": median([run["latency_ms"]["p99"] for run in rounds]),
                },
                "throughput_rps": median([run["throughput_rps"] for run in rounds]),
                "server_cpu_fraction": median([run["server_cpu_s"] / run["elapsed_s"] for run in rounds]),
                "client_cpu_fraction": median([run["client_cpu_fraction"] for run in rounds]),
                "statuses": statuses,
            }
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
    from vdp101.gateway.model import StandInDetector, encoded_digest
    from vdp101.samples import data_dir

    detector = StandInDetector(data_dir())
    text = json.loads(body)["task_inputs"][0]["detection"]["image_base64"]
    data = base64.b64decode(text, validate=True)
    image = decode_image(data, source="benchmark")
    detector.keep_base64_objects(text, detector.detect_encoded(data, source="benchmark"))
    return {
        "json.loads of the body": _median_microseconds(lambda: json.loads(body)),
        "base64.b64decode": _median_microseconds(lambda: base64.b64decode(text, validate=True)),
        "decode_image (Pillow)": _median_microseconds(lambda: decode_image(data, source="benchmark")),
        "StandInDetector.detect (pixel digest)": _median_microseconds(lambda: detector.detect(image)),
        "encoded_digest (SHA-256 of the file)": _median_microseconds(lambda: encoded_digest(data)),
        "StandInDetector.detect_encoded, cached": _median_microseconds(
            lambda: detector.detect_encoded(data, source="benchmark")
        ),
        "StandInDetector.cached_base64_objects": _median_microseconds(lambda: detector.cached_base64_objects(text)),
    }


async def _median_asgi_microseconds(app: Any, body: bytes, *, runs: int) -> float:
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    headers = [
        (b"host", LOOPBACK.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    durations = []
    for run in range(WARMUP + runs):
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": PIPELINE_PATH, "raw_path": PIPELINE_PATH.encode(), "query_string": b"",
            "root_path": "", "headers": headers, "client": (LOOPBACK, 50000), "server": (LOOPBACK, 80), "state": {},
        }  # fmt: skip
        started = time.perf_counter()
        await app(scope, receive, send)
        if run >= WARMUP:
            durations.append(time.perf_counter() - started)
    if set(status) != {200}:
        raise RuntimeError(f"A direct ASGI call returned HTTP {sorted(set(status))}, expected only 200.")
    return statistics.median(durations) * 1e6


def asgi_costs(body: bytes, response_file: Path, *, runs: int = 2000) -> dict[str, float]:
    """Return the median microseconds that each target's app takes for ``body``, called directly.

    The request is an ASGI call in this process, so the time leaves out the socket,
    uvicorn and HTTP parsing, which the floor pays as much as the gateway does.
    """
    from benchmarks.serve import build_app

    return {
        target: asyncio.run(_median_asgi_microseconds(build_app(target, response_file=response_file), body, runs=runs))
        for target in TARGETS
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
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="times that every target runs at every level")
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
        runs = []
        for round_number in range(1, options.rounds + 1):
            for target in TARGETS:
                floor_response = None if target.startswith("gateway") else response_file
                runs += measure_target(target, body_file, floor_response, round_number=round_number)
        rows = median_over_rounds(runs)

        if len(os.sched_getaffinity(0)) > 1:
            os.sched_setaffinity(0, {LOAD_CPU})
        direct_calls = asgi_costs(body, response_file)
    stages = stage_costs(body)

    by_key = {(row["target"], row["concurrency"]): row for row in rows}
    latency_ratio = by_key["gateway", 1]["latency_ms"]["median"] / by_key["floor", 1]["latency_ms"]["median"]
    throughput_ratio = by_key["gateway", 32]["throughput_rps"] / by_key["floor", 32]["throughput_rps"]
    schemas_latency_ratio = (
        by_key["fastapi-schemas", 1]["latency_ms"]["median"] / by_key["floor", 1]["latency_ms"]["median"]
    )
    schemas_throughput_ratio = by_key["fastapi-schemas", 32]["throughput_rps"] / by_key["floor", 32]["throughput_rps"]
    verdicts = {
        "fastapi_schemas_latency_ratio_at_1": schemas_latency_ratio,
        "fastapi_schemas_throughput_ratio_at_32": schemas_throughput_ratio,
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
                f"{row['server_cpu_fraction']:.2f}",
                f"{row['client_cpu_fraction']:.2f}",
                sum(n for status, n in row["statuses"].items() if status != "200"),
            ]
            for row in rows
        ],
    )
    print(f"\ntriggerSync with {options.image.name} ({options.image.stat().st_size} bytes) as image_base64, "
          f"{len(objects)} objects in the response, medians of {options.rounds} rounds")
    print(table)
    print("\nthe same request as a direct ASGI call, no socket or HTTP parsing (median microseconds):")
    print(format_table(["app", "median us"], [[name, f"{cost:.0f}"] for name, cost in direct_calls.items()]))
    floor_median_us = by_key["floor", 1]["latency_ms"]["median"] * 1000
    print("\nsteps of one request, timed in process (median microseconds):")
    print(
        format_table(
            ["step", "median us", "x floor median"],
            [[name, f"{cost:.0f}", f"{cost / floor_median_us:.2f}"] for name, cost in stages.items()],
        )
    )
    print(
        f"fastapi-schemas/floor: {schemas_latency_ratio:.2f}x median latency at 1 client, "
        f"{schemas_throughput_ratio:.0%} throughput at 32 clients"
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
            "settings": {
                "requests_per_level": REQUESTS_PER_LEVEL,
                "max_seconds": MAX_SECONDS,
                "warmup": WARMUP,
                "rounds": options.rounds,
            },
            "rows": rows,
            "runs": runs,
            "direct_asgi_call_us": direct_calls,
            "stage_costs_us": stages,
            "verdicts": verdicts,
        },
    )
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
