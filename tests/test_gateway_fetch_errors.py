"""Tests for the plain-word reasons of failed image URL downloads in the gateway."""

from __future__ import annotations

import errno
import re
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
import urllib3.util.connection

from vdp101.gateway.images import ImageFetchError, fetch_image_bytes

REACHABLE_ADVICE = "Check that the host is reachable from the gateway's machine."


def fetch_error(url: str, **options) -> str:
    with pytest.raises(ImageFetchError) as raised:
        fetch_image_bytes(url, **options)
    return str(raised.value)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def raw_server() -> Iterator[Callable[[bytes], int]]:
    """Start loopback servers that read a request, send fixed bytes and close the connection."""
    listeners: list[socket.socket] = []

    def start(reply: bytes) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listeners.append(listener)

        def serve() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                with connection:
                    connection.recv(65536)
                    connection.sendall(reply)

        threading.Thread(target=serve, daemon=True).start()
        return listener.getsockname()[1]

    yield start
    for listener in listeners:
        listener.close()


def test_refused_connection_names_address():
    port = closed_port()
    url = f"http://127.0.0.1:{port}/a.jpg"

    assert fetch_error(url, timeout=2) == (
        f"Image URL {url} could not be fetched: could not connect to 127.0.0.1:{port} (connection refused). "
        "Check that a server is running at that address and that the URL's port is right."
    )


@pytest.mark.parametrize("public_only", [False, True])
def test_unresolved_host_names_address(public_only, monkeypatch):
    def fail_lookup(*arguments, **options):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail_lookup)
    url = "http://images.invalid:8000/a.jpg"

    assert fetch_error(url, timeout=2, public_only=public_only) == (
        f"Image URL {url} could not be fetched: could not connect to images.invalid:8000 (host name not resolved). "
        "Check the host name in the URL."
    )


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (socket.timeout("timed out"), "timed out after 3 s"),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "network is unreachable"),
    ],
)
def test_connect_failure_names_reason(failure, reason, monkeypatch):
    # The connection is replaced, so that no packet leaves the machine.
    def fail_connection(*arguments, **options):
        raise failure

    monkeypatch.setattr(urllib3.util.connection, "create_connection", fail_connection)
    url = "https://203.0.113.5/a.jpg"

    assert fetch_error(url, timeout=3) == (
        f"Image URL {url} could not be fetched: could not connect to 203.0.113.5:443 ({reason}). {REACHABLE_ADVICE}"
    )


def test_closed_connection_names_address(raw_server):
    port = raw_server(b"")
    url = f"http://127.0.0.1:{port}/a.jpg"

    assert fetch_error(url, timeout=5) == (
        f"Image URL {url} could not be fetched: the connection to 127.0.0.1:{port} closed before the download "
        "finished (remote end closed connection without response)."
    )


def test_short_body_counts_bytes(raw_server):
    port = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    url = f"http://127.0.0.1:{port}/a.jpg"

    assert fetch_error(url, timeout=5) == (
        f"Image URL {url} could not be fetched: the connection to 127.0.0.1:{port} closed before the download "
        "finished (10 bytes received, 90 more expected)."
    )


def test_https_to_plain_server_names_tls(raw_server):
    port = raw_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    url = f"https://127.0.0.1:{port}/a.jpg"

    message = fetch_error(url, timeout=5)

    # OpenSSL 3.0 gives the reason code WRONG_VERSION_NUMBER, and later versions may give another.
    assert re.fullmatch(
        re.escape(f"Image URL {url} could not be fetched: the TLS connection to 127.0.0.1:{port} failed (")
        + r"[a-z0-9 ]+"
        + re.escape(
            "). Check that the server at that address speaks HTTPS with a valid certificate for its host name."
        ),
        message,
    ), message


def test_url_without_host_keeps_requests_text():
    assert fetch_error("http:///a.jpg", timeout=2) == (
        "Image URL http:///a.jpg could not be fetched: Invalid URL 'http:///a.jpg': No host supplied."
    )
