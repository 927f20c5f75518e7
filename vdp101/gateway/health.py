"""Health routes, which return SERVING as soon as the gateway accepts requests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from vdp101.gateway.schemas import ErrorBody, HealthResponse

__all__ = ["HEALTH_PATH", "router"]

HEALTH_PATH = "/v1alpha/health/pipeline"

router = APIRouter(
    tags=["health"],
    responses={"default": {"model": ErrorBody, "description": "Any other error, as a google.rpc.Status."}},
)


def _serving() -> dict[str, Any]:
    return {"health_check_response": {"status": "SERVING_STATUS_SERVING"}}


@router.get(HEALTH_PATH, response_model=HealthResponse, summary="Check the pipeline service")
def pipeline_health() -> dict[str, Any]:
    return _serving()


@router.get("/v1alpha/__liveness", response_model=HealthResponse, summary="Liveness probe")
def liveness() -> dict[str, Any]:
    return _serving()


@router.get("/v1alpha/__readiness", response_model=HealthResponse, summary="Readiness probe")
def readiness() -> dict[str, Any]:
    return _serving()
