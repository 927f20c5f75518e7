"""Tests for vdp101.urls: gateway URL normalization."""

from __future__ import annotations

import pytest

from vdp101.errors import InvalidRequestError
from vdp101.urls import gateway_root_url, normalize_gateway_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://host:8080", "http://host:8080/v1alpha"),
        ("http://host:8080/", "http://host:8080/v1alpha"),
        ("http://host:8080/v1alpha", "http://host:8080/v1alpha"),
        ("http://host:8080/v1alpha/", "http://host:8080/v1alpha"),
        ("  http://host:8080  ", "http://host:8080/v1alpha"),
        ("HTTPS://vdp.example.org", "https://vdp.example.org/v1alpha"),
        ("http://host/vdp", "http://host/vdp/v1alpha"),
        ("http://host/vdp/v1alpha//", "http://host/vdp/v1alpha"),
        ("http://[::1]:8080", "http://[::1]:8080/v1alpha"),
    ],
)
def test_normalize_accepts_common_forms(url: str, expected: str) -> None:
    assert normalize_gateway_url(url) == expected


def test_missing_scheme_suggests_http() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        normalize_gateway_url("localhost:8080")

    assert str(raised.value) == "Gateway URL 'localhost:8080' has no scheme. Use 'http://localhost:8080'."
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "vdp.example.org/v1alpha",
            "Gateway URL 'vdp.example.org/v1alpha' has no scheme. Use 'http://vdp.example.org/v1alpha'.",
        ),
        ("//localhost:8080", "Gateway URL '//localhost:8080' has no scheme. Use 'http://localhost:8080'."),
        ("http:/localhost:8080", "Gateway URL 'http:/localhost:8080' has no scheme. Use 'http://localhost:8080'."),
        ("HTTPS:vdp.example.org", "Gateway URL 'HTTPS:vdp.example.org' has no scheme. Use 'https://vdp.example.org'."),
        ("", "Gateway URL '' is empty. Use a URL such as 'http://localhost:8080'."),
        ("  ", "Gateway URL '  ' is empty. Use a URL such as 'http://localhost:8080'."),
    ],
)
def test_missing_scheme_names_fixed_url(url: str, message: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        normalize_gateway_url(url)

    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "localhost:8080",
            "Gateway URL 'localhost:8080' from VDP_API_GATEWAY_URL has no scheme. "
            "Set VDP_API_GATEWAY_URL to 'http://localhost:8080'.",
        ),
        (
            "ftp://localhost:8080",
            "Gateway URL 'ftp://localhost:8080' from VDP_API_GATEWAY_URL uses the scheme 'ftp', but the "
            "gateway speaks HTTP. Use an http:// or https:// URL, for example 'http://localhost:8080'.",
        ),
        (
            " ",
            "Gateway URL ' ' from VDP_API_GATEWAY_URL is empty. Use a URL such as 'http://localhost:8080'.",
        ),
    ],
)
def test_invalid_url_names_its_source(url: str, message: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        normalize_gateway_url(url, source="VDP_API_GATEWAY_URL")

    assert str(raised.value) == message


def test_other_scheme_is_rejected() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        normalize_gateway_url("grpc://localhost:8081")

    assert str(raised.value) == (
        "Gateway URL 'grpc://localhost:8081' uses the scheme 'grpc', but the gateway speaks "
        "HTTP. Use an http:// or https:// URL, for example 'http://localhost:8080'."
    )


def test_missing_host_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match=r"^Gateway URL 'http:///v1alpha' has no host\."):
        normalize_gateway_url("http:///v1alpha")


@pytest.mark.parametrize("url", ["http://host:8080/?page=1", "http://host:8080/#top"])
def test_query_or_fragment_is_rejected(url: str) -> None:
    with pytest.raises(InvalidRequestError, match="has a query or fragment"):
        normalize_gateway_url(url)


@pytest.mark.parametrize("url", ["http://host:8080", "http://host:8080/v1alpha/"])
def test_root_url_drops_version(url: str) -> None:
    assert gateway_root_url(url) == "http://host:8080"
