"""FastAPI apps with one catch-all route that returns fixed JSON.

They sit between the bare ASGI floor and the gateway: the gap to the floor is
FastAPI's routing and request handling, the gap to the gateway is the gateway's
own work. The ``threadpool`` variant declares its endpoint with ``def``, so FastAPI
runs it in a worker thread. The ``schemas`` app also parses the body into the
gateway's request model and validates and serializes the response with its
response model, the work that FastAPI does for every triggerSync request.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Depends, FastAPI, Request, Response

from vdp101.gateway.schemas import TriggerRequest, TriggerSyncResponse


async def _read_body(request: Request) -> bytes:
    return await request.body()


def create_fastapi_floor_app(body: bytes, *, threadpool: bool = False) -> FastAPI:
    """Return a FastAPI app that responds to GET and POST on any path with 200 and ``body``.

    Args:
        body: the JSON bytes of every response.
        threadpool: declare the endpoint with ``def``, so that it runs in a worker thread.
    """
    app = FastAPI()
    route = app.api_route("/{path:path}", methods=["GET", "POST"], dependencies=[Depends(_read_body)])

    if threadpool:

        @route
        def fixed_body_in_thread(path: str) -> Response:
            return Response(content=body, media_type="application/json")

    else:

        @route
        async def fixed_body(path: str) -> Response:
            return Response(content=body, media_type="application/json")

    return app


def create_fastapi_schemas_app(body: bytes) -> FastAPI:
    """Return a FastAPI app whose POST route reads a ``TriggerRequest`` and returns ``body``.

    The route is ``async def`` and declares ``TriggerSyncResponse`` as its response
    model, so FastAPI parses and validates the JSON request body and validates and
    serializes ``body``, parsed once here, on every request. GET on any path returns
    ``body`` as it is, for the benchmark's health check.

    Args:
        body: the JSON bytes of a triggerSync response.
    """
    app = FastAPI()
    content: dict[str, Any] = json.loads(body)

    @app.get("/{path:path}")
    async def fixed_body(path: str) -> Response:
        return Response(content=body, media_type="application/json")

    @app.post("/{path:path}", response_model=TriggerSyncResponse)
    async def validated_body(path: str, request_body: TriggerRequest) -> dict[str, Any]:
        return content

    return app
