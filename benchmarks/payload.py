"""Payload: base64 JSON against multipart uploads of large images.

    python -m benchmarks.payload

For each file size, a PNG of RGB noise is generated (seeded, never downloaded) and
sent to a fresh gateway process (``python -m benchmarks.serve gateway-uncached`` on
core 0) with ``vdp101.trigger_image_base64`` and ``vdp101.trigger_multipart`` from
this process (core 1). That gateway's stand-in model keeps no results, so every
repeat of a file costs what the first upload of a new file costs. It records the
bytes of the HTTP request, the client's wall and CPU time, the server's wall and
CPU time (from a Server-Timing header that ``benchmarks.serve --server-timing``
adds) and how far the request raised the server's peak resident memory. The peak
comes from the kernel's high-water mark (VmHWM in /proc/PID/status), reset before
each request through /proc/PID/clear_refs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.noise_images import noise_png
from benchmarks.processes import LOAD_CPU, LOOPBACK, running_server
from benchmarks.recording import ROOT, format_table, median, warn_if_busy, write_results

SIZES = {"100 kB": 100_000, "1 MB": 1_000_000, "10 MB": 10_000_000, "30 MB": 30_000_000}
METHODS = ("base64", "multipart")
PIPELINE_ID = "vdp-101-sync"
REPEATS = {"100 kB": 20, "1 MB": 10, "10 MB": 5, "30 MB": 3}
REQUEST_TIMEOUT = 300.0
"""Seconds the client waits for one response; a 30 MB base64 request takes a few seconds here."""

MAX_MULTIPART_PEAK_RATIO = 2.0
"""Target: a 30 MB multipart upload raises the gateway's peak memory by at most this multiple of the file."""


class MemoryProbe:
    """Reads a process's resident memory and resets its high-water mark (Linux)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def _status_kib(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"/proc/{self.pid}/status has no {field} line; this benchmark needs Linux.")

    def resident_bytes(self) -> int:
        return self._status_kib("VmRSS") * 1024

    def peak_bytes(self) -> int:
        return self._status_kib("VmHWM") * 1024

    def reset_peak(self) -> None:
        """Set the high-water mark to the current resident size (writing 5 to clear_refs, Linux 4.0+)."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")


def server_timing_seconds(response: Any) -> tuple[float, float]:
    """Return the server's wall and CPU seconds from the response's Server-Timing header."""
    durations = {}
    for entry in response.headers["server-timing"].split(","):
        name, _, duration = entry.strip().partition(";dur=")
        durations[name] = float(duration) / 1000
    return durations["app"], durations["cpu"]


def request_wire_bytes(response: Any) -> int:
    """Return the size of the HTTP request behind ``response``: request line, headers and body."""
    prepared = response.request
    head = f"{prepared.method} {prepared.path_url} HTTP/1.1\r\nHost: {LOOPBACK}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in prepared.headers.items()) + "\r\n"
    body = prepared.body or b""
    return len(head.encode("latin-1")) + len(body)


def send(method: str, path: Path, gateway: Any) -> Any:
    """Trigger the pipeline with one image, the way a notebook reader would."""
    import vdp101

    if method == "base64":
        return vdp101.trigger_image_base64(PIPELINE_ID, path, gateway=gateway, timeout=REQUEST_TIMEOUT)
    return vdp101.trigger_multipart(PIPELINE_ID, path, gateway=gateway, timeout=REQUEST_TIMEOUT)


def measure(method: str, image: Path, warmup_image: Path, *, repeats: int) -> dict[str, Any]:
    """Send ``image`` ``repeats`` times to a fresh gateway and return the measurements."""
    import vdp101

    runs = []
    with running_server("gateway-uncached", extra=["--server-timing"]) as (process, port):
        gateway = vdp101.connect(f"http://{LOOPBACK}:{port}", quiet=True)
        probe = MemoryProbe(process.pid)
        # Load the decoders and parsers of this method first, so the peak is the request's own.
        send(method, warmup_image, gateway).raise_for_status()
        for _ in range(repeats):
            resident_before = probe.resident_bytes()
            probe.reset_peak()
            client_cpu_before = time.process_time()
            started = time.perf_counter()
            response = send(method, image, gateway)
            wall = time.perf_counter() - started
            client_cpu = time.process_time() - client_cpu_before
            if response.status_code != 200:
                raise RuntimeError(
                    f"The {method} upload of {image.name} failed with HTTP {response.status_code}: {response.text[:300]}"
                )
            server_wall, server_cpu = server_timing_seconds(response)
            runs.append(
                {
                    "wall_s": wall,
                    "client_cpu_s": client_cpu,
                    "server_wall_s": server_wall,
                    "server_cpu_s": server_cpu,
                    "resident_before_bytes": resident_before,
                    "peak_increase_bytes": probe.peak_bytes() - resident_before,
                    "request_bytes": request_wire_bytes(response),
                    "response_bytes": len(response.content),
                }
            )
    return {
        "method": method,
        "file_bytes": image.stat().st_size,
        "request_bytes": runs[0]["request_bytes"],
        "response_bytes": runs[0]["response_bytes"],
        "wall_s": median([run["wall_s"] for run in runs]),
        "client_cpu_s": median([run["client_cpu_s"] for run in runs]),
        "server_wall_s": median([run["server_wall_s"] for run in runs]),
        "server_cpu_s": median([run["server_cpu_s"] for run in runs]),
        "peak_increase_bytes": max(run["peak_increase_bytes"] for run in runs),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES), help="file sizes to send")
    options = parser.parse_args(argv)
    warn_if_busy()

    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {LOAD_CPU})
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        warmup_image = Path(folder) / "warmup.png"
        warmup_image.write_bytes(noise_png(20_000, seed=7))
        for label in options.sizes:
            image = Path(folder) / f"noise-{label.replace(' ', '')}.png"
            image.write_bytes(noise_png(SIZES[label]))
            for method in METHODS:
                row = {"size": label, **measure(method, image, warmup_image, repeats=REPEATS[label])}
                rows.append(row)
                print(
                    f"{label:>6} {method:>9}: {row['wall_s']:.3f} s, "
                    f"peak +{row['peak_increase_bytes'] / 1e6:.1f} MB",
                    file=sys.stderr,
                )

    table = format_table(
        ["size", "method", "file bytes", "request bytes", "x file", "client wall s", "client CPU s",
         "server wall s", "server CPU s", "server peak +MB", "peak x file"],
        [
            [
                row["size"],
                row["method"],
                f"{row['file_bytes']:,}",
                f"{row['request_bytes']:,}",
                f"{row['request_bytes'] / row['file_bytes']:.3f}",
                f"{row['wall_s']:.3f}",
                f"{row['client_cpu_s']:.3f}",
                f"{row['server_wall_s']:.3f}",
                f"{row['server_cpu_s']:.3f}",
                f"{row['peak_increase_bytes'] / 1e6:.1f}",
                f"{row['peak_increase_bytes'] / row['file_bytes']:.2f}",
            ]
            for row in rows
        ],
    )  # fmt: skip
    print(table)
    results: dict[str, Any] = {"repeats": {label: REPEATS[label] for label in options.sizes}, "rows": rows}
    largest = [row for row in rows if row["size"] == "30 MB" and row["method"] == "multipart"]
    if largest:
        ratio = largest[0]["peak_increase_bytes"] / largest[0]["file_bytes"]
        results["verdicts"] = {
            "multipart_30mb_peak_ratio": ratio,
            "multipart_30mb_peak_target": MAX_MULTIPART_PEAK_RATIO,
            "multipart_30mb_peak_pass": ratio <= MAX_MULTIPART_PEAK_RATIO,
        }
        print(
            f"30 MB multipart raised the gateway's peak memory by {ratio:.2f}x the file "
            f"(target <= {MAX_MULTIPART_PEAK_RATIO}x, {'pass' if ratio <= MAX_MULTIPART_PEAK_RATIO else 'miss'})"
        )
    path = write_results("payload", results)
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
