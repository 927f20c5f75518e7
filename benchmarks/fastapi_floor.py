"""A FastAPI app with one catch-all route that returns fixed JSON.

It sits between the bare ASGI floor and the gateway: the gap to the floor is
FastAPI's routing and request handling, the gap to the gateway is the gateway's own work.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response


def create_fastapi_floor_app(body: bytes) -> FastAPI:
    """Return a FastAPI app that answers GET and POST on any path with 200 and ``body``."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def fixed_body(path: str, request: Request) -> Response:
        await request.body()
        return Response(content=body, media_type="application/json")

    return app
