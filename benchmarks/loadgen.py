"""Closed-loop HTTP/1.1 load generator for one URL on 127.0.0.1.

    python -m benchmarks.loadgen --port 8181 --path /v1alpha/health/pipeline \
        --concurrency 8 --requests 2000 --max-seconds 20

Each of ``--concurrency`` keep-alive connections sends the same request, waits for
the whole response and sends the next one. The run stops after ``--requests``
measured requests or ``--max-seconds``, whichever comes first, after ``--warmup``
requests that are not measured. The summary is printed as one JSON object.

It uses asyncio streams and prebuilt request bytes, so one core sends several
thousand requests a second. ``client_cpu_fraction`` in the output shows how close
the generator itself came to saturating its core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.recording import median, percentile

LOOPBACK = "127.0.0.1"
REQUEST_TIMEOUT = 30.0
"""Seconds to wait for one response before the run fails."""


class LoadError(RuntimeError):
    """The server closed a connection, sent an unreadable response or timed out."""


@dataclass
class _Budget:
    """Shared request counter and deadline of one phase."""

    requests: int
    deadline: float
    claimed: int = 0

    def claim(self) -> bool:
        if self.claimed >= self.requests or time.perf_counter() >= self.deadline:
            return False
        self.claimed += 1
        return True


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    response_bytes: int = 0


def build_request(
    *, method: str, path: str, port: int, body: bytes = b"", content_type: str | None = None
) -> bytes:
    """Return the bytes of one keep-alive HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {LOOPBACK}:{port}", "Accept: */*"]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    """Return the status, Content-Length and whether the server closes the connection."""
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError) as error:
        raise LoadError(f"Invalid HTTP status line {lines[0]!r} in a response.") from error
    length = None
    closes = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            closes = True
    if length is None:
        raise LoadError(f"Response with status {status} has no Content-Length; chunked bodies are not supported.")
    return status, length, closes


async def _connection(port: int, request: bytes, budget: _Budget, tally: _Tally) -> None:
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    try:
        while budget.claim():
            started = time.perf_counter()
            writer.write(request)
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT)
                status, length, closes = _parse_head(head)
                await asyncio.wait_for(reader.readexactly(length), REQUEST_TIMEOUT)
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                raise LoadError(f"The server on port {port} closed the connection: {error}") from error
            except asyncio.TimeoutError as error:
                raise LoadError(f"No response from port {port} within {REQUEST_TIMEOUT:g} s.") from error
            tally.latencies.append(time.perf_counter() - started)
            tally.statuses[status] += 1
            tally.response_bytes += len(head) + length
            if closes:
                writer.close()
                reader, writer = await asyncio.open_connection(LOOPBACK, port)
    finally:
        writer.close()


async def _phase(port: int, request: bytes, *, concurrency: int, requests: int, seconds: float) -> tuple[_Tally, float, float]:
    budget = _Budget(requests, time.perf_counter() + seconds)
    tally = _Tally()
    cpu_before = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, request, budget, tally) for _ in range(concurrency)))
    return tally, time.perf_counter() - started, time.process_time() - cpu_before


def run_load(
    *,
    port: int,
    request: bytes,
    concurrency: int,
    requests: int,
    max_seconds: float,
    warmup: int,
) -> dict[str, Any]:
    """Send ``warmup`` and then ``requests`` requests on ``concurrency`` connections.

    Returns latencies in milliseconds, throughput in requests per second, and the
    fraction of one core that the generator used during the measured phase.
    """
    if warmup:
        asyncio.run(_phase(port, request, concurrency=concurrency, requests=warmup, seconds=max_seconds))
    tally, elapsed, cpu = asyncio.run(
        _phase(port, request, concurrency=concurrency, requests=requests, seconds=max_seconds)
    )
    milliseconds = [latency * 1000 for latency in tally.latencies]
    count = len(milliseconds)
    return {
        "concurrency": concurrency,
        "requests": count,
        "elapsed_s": elapsed,
        "throughput_rps": count / elapsed,
        "latency_ms": {
            "median": median(milliseconds),
            "p90": percentile(milliseconds, 0.90),
            "p99": percentile(milliseconds, 0.99),
            "mean": sum(milliseconds) / count,
            "max": max(milliseconds),
        },
        "statuses": {str(status): number for status, number in sorted(tally.statuses.items())},
        "request_bytes": len(request),
        "response_bytes_mean": tally.response_bytes / count,
        "client_cpu_fraction": cpu / elapsed,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="server port on 127.0.0.1")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--path", default="/")
    parser.add_argument("--body-file", type=Path, help="request body to send with every request")
    parser.add_argument("--content-type", help="Content-Type header of the body")
    parser.add_argument("--concurrency", type=int, default=1, help="open connections, one request in flight each")
    parser.add_argument("--requests", type=int, default=1000, help="measured requests, at most")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time limit of each phase, seconds")
    parser.add_argument("--warmup", type=int, default=100, help="requests sent before measuring")
    parser.add_argument("--cpu", type=int, help="pin the generator to this CPU")
    options = parser.parse_args(argv)

    if options.cpu is not None:
        os.sched_setaffinity(0, {options.cpu})
    body = options.body_file.read_bytes() if options.body_file else b""
    request = build_request(
        method=options.method, path=options.path, port=options.port, body=body, content_type=options.content_type
    )
    try:
        summary = run_load(
            port=options.port,
            request=request,
            concurrency=options.concurrency,
            requests=options.requests,
            max_seconds=options.max_seconds,
            warmup=options.warmup,
        )
    except (LoadError, OSError) as error:
        print(json.dumps({"error": str(error)}))
        sys.exit(1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
