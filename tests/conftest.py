"""Shared fixtures: an in-process gateway app, its TestClient, and a gateway on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vdp101.gateway import LocalGateway, create_app


@pytest.fixture
def app() -> FastAPI:
    """A fresh gateway app with an in-memory store holding only ``vdp-101-sync``."""
    return create_app()


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    """A TestClient for ``app``; its base URL is http://testserver."""
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def gateway() -> Iterator[str]:
    """Root URL (without /v1alpha) of a LocalGateway on 127.0.0.1, shared by the session."""
    with LocalGateway(host="127.0.0.1", port=0) as local_gateway:
        yield local_gateway.url
