"""Run the gateway with uvicorn in a background thread of the current process."""

from __future__ import annotations

import errno
import http.client
import logging
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from vdp101.gateway.app import create_app
from vdp101.gateway.health import HEALTH_PATH

__all__ = ["GatewayBindError", "GatewayStartError", "LocalGateway", "bind_listener"]

logger = logging.getLogger(__name__)

START_TIMEOUT = 10.0
"""Seconds that ``LocalGateway.start`` waits for the health route to respond."""

STOP_TIMEOUT = 10.0
"""Seconds that ``LocalGateway.stop`` waits for uvicorn to finish."""

_POLL_INTERVAL = 0.05


class GatewayStartError(RuntimeError):
    """The gateway did not respond on its health route in time."""


class GatewayBindError(OSError):
    """The gateway cannot listen on its host and port.

    ``errno`` and ``strerror`` are those of the failed bind, or of the failed name
    lookup for a host name that does not resolve. ``str()`` gives the message with
    the advice for LocalGateway's ``host`` and ``port`` arguments, and ``describe()``
    lets a command line name its own options.
    """

    def __init__(self, host: str, port: int, error: OSError) -> None:
        super().__init__(error.errno, error.strerror)
        self.host = host
        self.port = port
        self.unresolved = isinstance(error, socket.gaierror)

    def describe(self, *, host_option: str = "host", port_option: str = "port") -> str:
        """Return the message starting in lower case, for an ``error: ...`` line.

        ``host_option`` and ``port_option`` name the settings that the advice
        suggests changing, such as ``--port``.
        """
        host, port = self.host, self.port
        if self.unresolved:
            return (
                f"host {host!r} could not be resolved to an address ({self.strerror}). "
                f"Check the {host_option}, or give an address such as 127.0.0.1."
            )
        if self.errno == errno.EADDRINUSE:
            return (
                f"port {port} on {host} is already in use. "
                f"Stop the program that uses it or choose another {port_option}."
            )
        if self.errno == errno.EADDRNOTAVAIL:
            return (
                f"{host} is not an address of this machine, so the gateway cannot listen on it. "
                f"Choose another {host_option}, such as 127.0.0.1, or 0.0.0.0 for every interface."
            )
        if self.errno == errno.EACCES and 0 < port < 1024:
            return (
                f"permission to listen on port {port} on {host} was denied. Ports below 1024 need "
                f"administrator rights on most systems, so choose a {port_option} of 1024 or above."
            )
        return (
            f"the gateway cannot listen on port {port} on {host} ({self.strerror}). "
            f"Choose another {host_option} or {port_option}."
        )

    def __str__(self) -> str:
        message = self.describe()
        return message[:1].upper() + message[1:]


def bind_listener(host: str, port: int) -> socket.socket:
    """Bind a TCP socket to ``host`` and ``port`` and return it, not yet listening.

    Args:
        host: an IPv4 or IPv6 address, or a host name that resolves to an IPv4 address.
        port: TCP port, or 0 for a free one.

    Raises:
        GatewayBindError: (an OSError) the port is in use, the host is not an address
            of this machine or does not resolve, or the system denied the port.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise GatewayBindError(host, port, error) from error
    return listener


class LocalGateway:
    """The local VDP gateway, served by uvicorn in a daemon thread.

    Args:
        host: address to listen on.
        port: TCP port; 0 picks a free one.
        data_dir: folder of the SQLite pipeline store; None keeps pipelines in memory.
        samples_dir: folder of the sample images; None uses the bundled ones.
        allow_private_urls: fetch image URLs on any address even when ``host`` is not a
            loopback address; see create_app.

    Example::

        with LocalGateway() as gateway:
            requests.get(f"{gateway.url}/v1alpha/pipelines", timeout=5)
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: Path | str | None = None,
        samples_dir: Path | str | None = None,
        allow_private_urls: bool = False,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.app = create_app(
            data_dir=data_dir, samples_dir=samples_dir, host=host, allow_private_urls=allow_private_urls
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        """The TCP port the gateway listens on. Raises RuntimeError before ``start()``."""
        if self._socket is None:
            raise RuntimeError("The gateway is not running. Call start() first.")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """Root URL such as "http://127.0.0.1:8080", without /v1alpha."""
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> LocalGateway:
        """Bind the port, start uvicorn and wait until the health route responds.

        Raises:
            GatewayBindError: (an OSError) the address cannot be bound, for example
                because the port is in use.
            GatewayStartError: the gateway did not become healthy within START_TIMEOUT seconds.
        """
        if self.running:
            return self
        listener = bind_listener(self.host, self.requested_port)
        self._socket = listener

        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, name=f"vdp-gateway-{self.port}", daemon=True
        )
        self._thread.start()
        self._wait_until_healthy()
        logger.info("Local VDP gateway started at %s", self.url)
        return self

    def stop(self) -> None:
        """Stop uvicorn and release the port. Does nothing when not running."""
        if self._server is None or self._thread is None:
            return
        url = self.url
        self._server.should_exit = True
        self._thread.join(timeout=STOP_TIMEOUT)
        if self._thread.is_alive():  # pragma: no cover - uvicorn ignored should_exit
            logger.warning("Local VDP gateway at %s did not stop within %g s", url, STOP_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        self._server = None
        self._thread = None
        self._socket = None
        logger.info("Local VDP gateway at %s stopped", url)

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._thread is not None and not self._thread.is_alive():
                break
            try:
                if _health_status(self.host, self.port) == 200:
                    return
            except OSError as error:
                last_error = error
            time.sleep(_POLL_INTERVAL)
        url = self.url
        self.stop()
        raise GatewayStartError(
            f"The local VDP gateway at {url} did not respond on {HEALTH_PATH} within {START_TIMEOUT:g} s "
            f"(last error: {last_error}). Check the log for uvicorn errors."
        )

    def __enter__(self) -> LocalGateway:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._socket is not None else "not running"
        return f"<LocalGateway {where}>"


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _health_status(host: str, port: int) -> int:
    # http.client ignores proxy environment variables, so the check stays on this machine.
    connection = http.client.HTTPConnection(_url_host(host).strip("[]"), port, timeout=1.0)
    try:
        connection.request("GET", HEALTH_PATH)
        return connection.getresponse().status
    finally:
        connection.close()
