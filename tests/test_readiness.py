"""Tests for wait_until_ready, against servers on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vdp101.errors import GatewayUnreachableError, InvalidRequestError
from vdp101.gateway import LocalGateway
from vdp101.readiness import wait_until_ready

SERVING = {"health_check_response": {"status": "SERVING_STATUS_SERVING"}}
NOT_SERVING = {"health_check_response": {"status": "SERVING_STATUS_NOT_SERVING"}}

HINT = (
    "Check that it is running (`python -m vdp101 gateway` for the local gateway, `docker ps` for the "
    "containers of a real VDP) and that the host and port are right (the API gateway listens on 8080, "
    "the console on 3000). A real VDP can take several minutes to start: wait longer with a larger timeout."
)


class ScriptedServer:
    """HTTP server on 127.0.0.1 that replies to each request with the next (status, body) of a script.

    The last reply repeats once the script runs out. ``paths`` records the requested paths.
    """

    def __init__(self, replies):
        self.replies = list(replies)
        self.paths = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.paths.append(self.path)
                status, body = server.replies[0] if len(server.replies) == 1 else server.replies.pop(0)
                content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def closed_port():
    """A port of 127.0.0.1 that is bound but not listening, so connections are refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


def test_local_gateway_is_ready():
    with LocalGateway() as gateway:
        assert wait_until_ready(gateway.url, timeout=10) == SERVING


@pytest.mark.parametrize("suffix", ["", "/", "/v1alpha", "/v1alpha/"])
def test_url_with_or_without_version(suffix):
    with ScriptedServer([(200, SERVING)]) as server:
        wait_until_ready(server.url + suffix, timeout=10)

    assert server.paths == ["/v1alpha/__readiness"]


def test_waits_through_not_serving_replies():
    replies = [(503, NOT_SERVING), (503, NOT_SERVING), (200, SERVING)]

    with ScriptedServer(replies) as server:
        body = wait_until_ready(server.url, timeout=30, interval=0)

    assert body == SERVING
    assert len(server.paths) == 3


def test_refused_connection_raises_with_hint(closed_port):
    url = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(GatewayUnreachableError) as raised:
        wait_until_ready(url, timeout=0)

    assert str(raised.value) == (
        f"The VDP gateway at {url}/v1alpha/__readiness was not ready within 0 s "
        f"(1 request(s), last result: connection refused or failed). {HINT}"
    )


def test_not_serving_status_raises_after_timeout():
    with ScriptedServer([(503, NOT_SERVING)]) as server:
        with pytest.raises(GatewayUnreachableError) as raised:
            wait_until_ready(server.url, timeout=0)

    assert str(raised.value) == (
        f"The VDP gateway at {server.url}/v1alpha/__readiness was not ready within 0 s "
        f"(1 request(s), last result: HTTP 503, status 'SERVING_STATUS_NOT_SERVING'). {HINT}"
    )


def test_html_page_is_not_ready():
    with ScriptedServer([(200, "<html>VDP console</html>")]) as server:
        with pytest.raises(GatewayUnreachableError, match=r"last result: HTTP 200, status None\)"):
            wait_until_ready(server.url, timeout=0)


def test_url_without_scheme_is_invalid():
    with pytest.raises(InvalidRequestError, match="Gateway URL 'localhost:8080' has no scheme"):
        wait_until_ready("localhost:8080", timeout=0)
