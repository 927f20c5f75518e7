"""A local VDP gateway: the v1alpha pipeline REST API with a stand-in detection model.

``create_app()`` builds the FastAPI application and ``LocalGateway`` serves it
with uvicorn in a background thread.
"""

from __future__ import annotations

from vdp101.gateway.app import create_app
from vdp101.gateway.server import GatewayBindError, GatewayStartError, LocalGateway

__all__ = ["GatewayBindError", "GatewayStartError", "LocalGateway", "create_app"]
