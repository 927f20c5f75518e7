"""Start benchmark servers as child processes on 127.0.0.1 and wait until they respond."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from benchmarks.recording import ROOT

LOOPBACK = "127.0.0.1"
HEALTH_PATH = "/v1alpha/health/pipeline"
READY_TIMEOUT = 30.0
"""Seconds a server may take to respond to its first health check before the benchmark stops."""

SERVER_CPU = 0
LOAD_CPU = 1
"""On a machine with two or more cores the server and the load generator each get a
core of their own, so neither steals time from the other."""


class ServerError(RuntimeError):
    """A benchmark server exited or did not respond in time."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def health_status(port: int, *, timeout: float = 0.5) -> int | None:
    """Return the status of GET /v1alpha/health/pipeline, or None if nothing responds."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request("GET", HEALTH_PATH)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


def wait_until_healthy(process: subprocess.Popen[bytes], port: int, *, poll_interval: float = 0.005) -> float:
    """Poll the health path until it returns 200; return the time.perf_counter() of that response.

    Raises:
        ServerError: the process exited or did not respond within ``READY_TIMEOUT`` seconds.
    """
    deadline = time.perf_counter() + READY_TIMEOUT
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise ServerError(f"The server on port {port} exited with status {process.returncode} before responding.")
        if health_status(port) == 200:
            return time.perf_counter()
        time.sleep(poll_interval)
    raise ServerError(f"The server on port {port} did not respond to {HEALTH_PATH} within {READY_TIMEOUT:g} s.")


def pin_arguments(cpu: int) -> list[str]:
    """Return ``["--cpu", N]`` when the machine has a core ``cpu``, else nothing."""
    available = sorted(os.sched_getaffinity(0))
    return ["--cpu", str(cpu)] if len(available) > 1 and cpu in available else []


@contextmanager
def running_server(
    target: str, *, response_file: Path | None = None, extra: Sequence[str] = ()
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Run ``python -m benchmarks.serve TARGET`` pinned to its own core; yield (process, port)."""
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.serve", target, "--port", str(port), *pin_arguments(SERVER_CPU)]
    if response_file is not None:
        command += ["--response-file", str(response_file)]
    command += list(extra)
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        wait_until_healthy(process, port)
        yield process, port
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process`` and wait for it, killing it after 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
