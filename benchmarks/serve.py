"""Run one benchmark target under uvicorn on 127.0.0.1.

    python -m benchmarks.serve gateway --port 8181
    python -m benchmarks.serve floor --port 8182 --response-file body.json

Both targets run with the same uvicorn settings (``UVICORN_SETTINGS``), which are
those of ``python -m vdp101.gateway``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import uvicorn

from benchmarks.floor import DEFAULT_BODY, create_floor_app

UVICORN_SETTINGS: dict[str, Any] = {
    "log_level": "warning",
    "access_log": False,
}
"""Keyword arguments of uvicorn.Config shared by every target."""


def build_app(target: str, *, response_file: Path | None) -> Any:
    """Return the ASGI app for ``target``: "gateway", "floor" or "fastapi-floor"."""
    body = response_file.read_bytes() if response_file else DEFAULT_BODY
    if target == "gateway":
        from vdp101.gateway import create_app

        return create_app()
    if target == "floor":
        return create_floor_app(body)
    if target == "fastapi-floor":
        from benchmarks.fastapi_floor import create_fastapi_floor_app

        return create_fastapi_floor_app(body)
    raise ValueError(f"Unknown target {target!r}. Use gateway, floor or fastapi-floor.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=["gateway", "floor", "fastapi-floor"])
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    parser.add_argument("--response-file", type=Path, help="JSON body that the floors return")
    parser.add_argument("--cpu", type=int, help="pin the server process to this CPU")
    options = parser.parse_args(argv)

    if options.cpu is not None:
        os.sched_setaffinity(0, {options.cpu})
    app = build_app(options.target, response_file=options.response_file)
    uvicorn.run(app, host="127.0.0.1", port=options.port, **UVICORN_SETTINGS)


if __name__ == "__main__":
    main()
