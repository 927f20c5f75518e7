"""Start-up: the time to import vdp101 and the time until a local gateway responds.

    python -m benchmarks.startup

``import vdp101`` is timed inside fresh interpreters (perf_counter around the
import statement), and ``python -X importtime`` lists the modules that cost most.
Gateway readiness is the time from starting ``python -m vdp101.gateway`` to its
first 200 on /v1alpha/health/pipeline, polled every 5 ms. The in-process
``LocalGateway().start()`` that notebooks use is timed the same way, from a fresh
interpreter's first line.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from typing import Any

from benchmarks.processes import free_port, stop, wait_until_healthy
from benchmarks.recording import ROOT, format_table, median, warn_if_busy, write_results

MAX_IMPORT_SECONDS = 0.3
MAX_READY_SECONDS = 2.0

IMPORT_SCRIPT = "import time; started = time.perf_counter(); import vdp101; print(time.perf_counter() - started)"
LOCAL_GATEWAY_SCRIPT = (
    "import time; started = time.perf_counter()\n"
    "from vdp101.gateway import LocalGateway\n"
    "gateway = LocalGateway(); gateway.start(); print(time.perf_counter() - started); gateway.stop()\n"
)
IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)$")


def time_script(script: str) -> float:
    """Run ``script`` in a fresh interpreter and return the number it prints last."""
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return float(completed.stdout.strip().splitlines()[-1])


def import_culprits(limit: int) -> list[dict[str, Any]]:
    """Return the ``limit`` modules with the largest cumulative import time under ``import vdp101``."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import vdp101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    entries = []
    for line in completed.stderr.splitlines():
        match = IMPORTTIME_LINE.match(line)
        if match:
            self_us, cumulative_us, indent, module = match.groups()
            entries.append(
                {"module": module, "self_ms": int(self_us) / 1000, "cumulative_ms": int(cumulative_us) / 1000,
                 "depth": len(indent) // 2}
            )  # fmt: skip
    entries.sort(key=lambda entry: entry["cumulative_ms"], reverse=True)
    return entries[:limit]


def time_gateway_ready() -> float:
    """Start ``python -m vdp101.gateway`` and return the seconds until its first 200."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "vdp101.gateway", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        responded = wait_until_healthy(process, port)
    finally:
        stop(process)
    return responded - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="fresh interpreters per measure")
    options = parser.parse_args(argv)
    warn_if_busy()

    imports = [time_script(IMPORT_SCRIPT) for _ in range(options.runs)]
    ready = [time_gateway_ready() for _ in range(options.runs)]
    local = [time_script(LOCAL_GATEWAY_SCRIPT) for _ in range(options.runs)]
    culprits = import_culprits(12)

    rows = [
        ["import vdp101", median(imports), min(imports), max(imports), MAX_IMPORT_SECONDS],
        ["python -m vdp101.gateway to first 200", median(ready), min(ready), max(ready), MAX_READY_SECONDS],
        ["LocalGateway().start() in a fresh interpreter", median(local), min(local), max(local), MAX_READY_SECONDS],
    ]
    print(
        format_table(
            ["measure", "median s", "min s", "max s", "target s", "verdict"],
            [[name, f"{mid:.3f}", f"{low:.3f}", f"{high:.3f}", f"< {target}", "pass" if mid < target else "miss"]
             for name, mid, low, high, target in rows],
        )  # fmt: skip
    )
    print("\nlargest cumulative import times under `python -X importtime -c 'import vdp101'`:")
    print(
        format_table(
            ["module", "cumulative ms", "self ms"],
            [["  " * entry["depth"] + entry["module"], f"{entry['cumulative_ms']:.1f}", f"{entry['self_ms']:.1f}"]
             for entry in culprits],
        )  # fmt: skip
    )
    path = write_results(
        "startup",
        {
            "runs": options.runs,
            "import_s": imports,
            "gateway_ready_s": ready,
            "local_gateway_start_s": local,
            "import_culprits": culprits,
            "verdicts": {
                "import_median_s": median(imports),
                "import_target_s": MAX_IMPORT_SECONDS,
                "import_pass": median(imports) < MAX_IMPORT_SECONDS,
                "gateway_ready_median_s": median(ready),
                "gateway_ready_target_s": MAX_READY_SECONDS,
                "gateway_ready_pass": median(ready) < MAX_READY_SECONDS,
            },
        },
    )
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
