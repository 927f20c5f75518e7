"""The floor: a bare ASGI app that reads the request body and returns fixed JSON.

It runs on the same uvicorn settings as the gateway, so the difference between the
two is what FastAPI, request parsing, image decoding and the stand-in model add.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_BODY = b'{"health_check_response":{"status":"SERVING_STATUS_SERVING"}}'


def create_floor_app(body: bytes = DEFAULT_BODY) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """Return an ASGI app that responds to every HTTP request with 200 and ``body`` as JSON."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return

        # Read the whole body, as the gateway must before it can parse JSON.
        more_body = True
        while more_body:
            message = await receive()
            more_body = message.get("more_body", False)

        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app
