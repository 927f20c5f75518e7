"""The tutorial: execution time of each notebook and of the whole nbval run.

    python -m benchmarks.tutorial

Each notebook in notebooks/ and notebooks/solutions/ is executed by
``jupyter nbconvert --to notebook --execute`` into a temporary folder (the
committed files are left alone), with ``--allow-errors`` because some cells
raise on purpose (those marked ``# NBVAL_RAISES_EXCEPTION``). An error in any other
cell marks the notebook as failed. ``wall`` is the whole command, kernel start
included. ``cells`` is the span from the first cell's start to the last cell's
reply, read from the timing that nbconvert records in the executed notebook.
Then ``pytest notebooks`` runs nbval over every notebook, as the test suite does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.recording import ROOT, format_table, warn_if_busy, write_results

MAX_NOTEBOOK_SECONDS = 10.0
NOTEBOOK_TIMEOUT = 300
"""Seconds nbconvert allows each cell before it stops the run."""


def notebook_paths() -> list[Path]:
    """Return the lesson notebooks and then the solution notebooks, each sorted by name."""
    folder = ROOT / "notebooks"
    return sorted(folder.glob("*.ipynb")) + sorted((folder / "solutions").glob("*.ipynb"))


EXPECTED_ERROR_MARK = "NBVAL_RAISES_EXCEPTION"


def _unexpected_errors(notebook: dict[str, Any]) -> list[str]:
    """Return "ErrorName: message" for each error output of a cell not marked to raise."""
    errors = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or EXPECTED_ERROR_MARK in "".join(cell["source"]):
            continue
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                errors.append(f"{output['ename']}: {output['evalue']}")
    return errors


def _cell_span_seconds(notebook: dict[str, Any]) -> float | None:
    """Return seconds from the first cell's execute_input to the last cell's execute_reply."""
    starts, ends = [], []
    for cell in notebook["cells"]:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            starts.append(datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00")))
            ends.append(datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00")))
    if not starts:
        return None
    return (max(ends) - min(starts)).total_seconds()


def execute(notebook: Path, output_dir: Path) -> dict[str, Any]:
    """Execute ``notebook`` with nbconvert into ``output_dir`` and return its timings."""
    output = output_dir / notebook.name
    command = [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
        f"--ExecutePreprocessor.timeout={NOTEBOOK_TIMEOUT}", "--ExecutePreprocessor.record_timing=True",
        "--output-dir", str(output_dir), str(notebook),
    ]  # fmt: skip
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=notebook.parent, capture_output=True, text=True)
    wall = time.perf_counter() - started
    result: dict[str, Any] = {
        "notebook": str(notebook.relative_to(ROOT)),
        "wall_s": wall,
        "cells_s": None,
        "ok": completed.returncode == 0,
    }
    if completed.returncode != 0:
        result["errors"] = completed.stderr.strip().splitlines()[-1:] or ["nbconvert failed without a message"]
        return result
    executed = json.loads(output.read_text(encoding="utf-8"))
    result["cells_s"] = _cell_span_seconds(executed)
    errors = _unexpected_errors(executed)
    if errors:
        result["ok"] = False
        result["errors"] = errors
    return result


def run_nbval() -> dict[str, Any]:
    """Run ``pytest notebooks -q`` (nbval, as configured in pyproject.toml) and time it."""
    command = [sys.executable, "-m", "pytest", "notebooks", "-q"]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    summary = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""
    return {"wall_s": wall, "exit_code": completed.returncode, "summary": summary}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-nbval", action="store_true", help="time nbconvert runs only")
    options = parser.parse_args(argv)
    warn_if_busy()

    notebooks = notebook_paths()
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for notebook in notebooks:
            row = execute(notebook, Path(folder))
            rows.append(row)
            print(f"{row['notebook']}: {row['wall_s']:.2f} s", file=sys.stderr)
    nbval = None if options.skip_nbval else run_nbval()

    table_rows = []
    for row in rows:
        if not row["ok"]:
            verdict = "failed"
        elif row["wall_s"] < MAX_NOTEBOOK_SECONDS:
            verdict = "pass"
        else:
            verdict = "miss"
        cells = "-" if row["cells_s"] is None else f"{row['cells_s']:.2f}"
        table_rows.append([row["notebook"], f"{row['wall_s']:.2f}", cells, f"< {MAX_NOTEBOOK_SECONDS:g}", verdict])
    print(format_table(["notebook", "wall s", "cells s", "target s", "verdict"], table_rows))
    for row in rows:
        if not row["ok"]:
            print(f"{row['notebook']} failed: {row['errors'][0]}")
    if nbval is not None:
        print(f"\npytest notebooks (nbval): {nbval['wall_s']:.1f} s, exit {nbval['exit_code']}: {nbval['summary']}")
    path = write_results(
        "tutorial",
        {
            "notebooks": rows,
            "nbval": nbval,
            "verdicts": {
                "target_s": MAX_NOTEBOOK_SECONDS,
                "all_pass": bool(rows) and all(row["ok"] and row["wall_s"] < MAX_NOTEBOOK_SECONDS for row in rows),
            },
        },
    )
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
