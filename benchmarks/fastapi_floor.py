"""FastAPI apps with one catch-all route that returns fixed JSON.

They sit between the bare ASGI floor and the gateway: the gap to the floor is
FastAPI's routing and request handling, the gap to the gateway is the gateway's
own work. The ``threadpool`` variant declares its endpoint with ``def``, as the
gateway's trigger routes are, so FastAPI runs it in a worker thread.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request, Response


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
