"""Run one benchmark target under uvicorn on 127.0.0.1.

    python -m benchmarks.serve gateway --port 8181
    python -m benchmarks.serve floor --port 8182 --response-file body.json

Every target runs with the same uvicorn settings (``UVICORN_SETTINGS``), those
that ``vdp101.gateway.LocalGateway`` uses in the notebooks: no access log and no
logging configuration, so the gateway's INFO lines are not written anywhere.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import uvicorn

from benchmarks.floor import DEFAULT_BODY, create_floor_app

UVICORN_SETTINGS: dict[str, Any] = {
    "log_config": None,
    "access_log": False,
    "lifespan": "on",
}
"""Keyword arguments of uvicorn.Config shared by every target."""

TARGETS = ("floor", "fastapi-floor", "fastapi-threadpool", "fastapi-schemas", "gateway", "gateway-uncached")


def with_server_timing(app: Any) -> Any:
    """Wrap an ASGI app so that each response has a Server-Timing header.

    ``app;dur=`` is the wall time from the request's arrival (headers read, body
    not yet) to the start of the response, ``cpu;dur=`` the process's CPU time in
    the same span, both in milliseconds. The CPU time covers every thread of the
    process, so it belongs to one request only while requests do not overlap.
    """

    async def timed_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        cpu_started = time.process_time()

        async def send_with_timing(message: Any) -> None:
            if message["type"] == "http.response.start":
                wall_ms = (time.perf_counter() - started) * 1000
                cpu_ms = (time.process_time() - cpu_started) * 1000
                timing = f"app;dur={wall_ms:.3f}, cpu;dur={cpu_ms:.3f}".encode("ascii")
                message = {**message, "headers": [*message.get("headers", []), (b"server-timing", timing)]}
            await send(message)

        await app(scope, receive, send_with_timing)

    return timed_app


def build_app(target: str, *, response_file: Path | None) -> Any:
    """Return the ASGI app for ``target``, one of ``TARGETS``."""
    body = response_file.read_bytes() if response_file else DEFAULT_BODY
    if target == "gateway":
        from vdp101.gateway import create_app

        return create_app()
    if target == "gateway-uncached":
        from vdp101.gateway import create_app
        from vdp101.gateway.model import StandInDetector

        # The same gateway with the detector's result caches turned off, so every
        # request decodes its image and hashes the pixels as a new file does.
        app = create_app()
        app.state.detector = StandInDetector(app.state.samples_dir, cache_size=0)
        return app
    if target == "floor":
        return create_floor_app(body)
    if target in ("fastapi-floor", "fastapi-threadpool"):
        from benchmarks.fastapi_floor import create_fastapi_floor_app

        return create_fastapi_floor_app(body, threadpool=target == "fastapi-threadpool")
    if target == "fastapi-schemas":
        from benchmarks.fastapi_floor import create_fastapi_schemas_app

        return create_fastapi_schemas_app(body)
    raise ValueError(f"Unknown target {target!r}. Use one of {', '.join(TARGETS)}.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=TARGETS)
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    parser.add_argument("--response-file", type=Path, help="JSON body that the floors return")
    parser.add_argument("--cpu", type=int, help="pin the server process to this CPU")
    parser.add_argument("--server-timing", action="store_true", help="add a Server-Timing header to responses")
    options = parser.parse_args(argv)

    if options.cpu is not None:
        os.sched_setaffinity(0, {options.cpu})
    app = build_app(options.target, response_file=options.response_file)
    if options.server_timing:
        app = with_server_timing(app)
    uvicorn.run(app, host="127.0.0.1", port=options.port, **UVICORN_SETTINGS)


if __name__ == "__main__":
    main()
