"""Machine description, result files and text tables shared by the benchmarks."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

BUSY_LOAD_AVERAGE = 1.0
"""One-minute load average above which other processes share the cores with the benchmark."""

_load_at_start: list[float] = []
"""The load average that ``warn_if_busy`` read when the benchmark started."""

PACKAGES = (
    "vdp101",
    "fastapi",
    "starlette",
    "uvicorn",
    "h11",
    "httptools",
    "uvloop",
    "pydantic",
    "python-multipart",
    "pillow",
    "requests",
    "nbval",
    "nbconvert",
    "ipykernel",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_total_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _git_commit() -> str | None:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "vdp101"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}+changes" if dirty else commit


def package_versions() -> dict[str, str | None]:
    """Return the installed version of each package that the benchmarks depend on, or None."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def machine_info() -> dict[str, Any]:
    """Describe the machine and software that a result was measured on."""
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_total_bytes": _memory_total_bytes(),
        "load_average_1m_at_start": _load_at_start[0] if _load_at_start else None,
        "load_average_1m_at_end": os.getloadavg()[0],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "packages": package_versions(),
        "git_commit": _git_commit(),
    }


def warn_if_busy() -> None:
    """Print a warning to stderr when other processes keep the machine busy, and note the load."""
    load = os.getloadavg()[0]
    _load_at_start.append(load)
    if load > BUSY_LOAD_AVERAGE:
        print(
            f"warning: the 1-minute load average is {load:.2f} on {os.cpu_count()} cores, so other processes "
            "compete with the benchmark and its numbers will be noisy. Stop them and run it again.",
            file=sys.stderr,
        )


def write_results(name: str, results: dict[str, Any]) -> Path:
    """Write ``results`` with the machine description to ``benchmarks/results/NAME.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "command": "python " + " ".join([f"-m benchmarks.{name}", *sys.argv[1:]]),
        "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        **results,
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the ``fraction`` quantile (0-1) of ``values`` by linear interpolation."""
    if not values:
        raise ValueError("percentile() needs at least one value.")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def median(values: Sequence[float]) -> float:
    """Return the median of ``values``."""
    return statistics.median(values)


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Return ``rows`` as a Markdown table with columns padded to equal width."""
    cells = [[str(value) for value in header]] + [[str(value) for value in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(value.ljust(width) for value, width in zip(row, widths)) + " |"

    separator = "| " + " | ".join("-" * width for width in widths) + " |"
    return "\n".join([line(cells[0]), separator, *(line(row) for row in cells[1:])])
