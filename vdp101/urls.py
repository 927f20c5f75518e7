"""Normalize the gateway URLs that users type.

Tutorial code passes ``http://localhost:8080`` and appends ``/v1alpha`` itself, while
other snippets pass ``http://localhost:8080/v1alpha``. Both name the same API.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from vdp101.errors import InvalidRequestError

__all__ = ["API_VERSION_PATH", "gateway_root_url", "normalize_gateway_url"]

API_VERSION_PATH = "/v1alpha"

# "http:/host" or "https:host": a scheme written with too few slashes.
_SCHEME_WITHOUT_SLASHES = re.compile(r"^(https?):/?(?!/)", re.IGNORECASE)


def normalize_gateway_url(url: str, *, source: str | None = None) -> str:
    """Return the API URL of a gateway, ending in ``/v1alpha`` without a trailing slash.

    ``http://host:8080``, ``http://host:8080/``, ``http://host:8080/v1alpha`` and
    ``http://host:8080/v1alpha/`` all give ``http://host:8080/v1alpha``. A path before
    ``/v1alpha``, as behind a reverse proxy, is kept.

    Args:
        url: the gateway URL.
        source: where the URL was read from, such as the environment variable
            ``VDP_API_GATEWAY_URL``, named in error messages. None for a URL that the
            caller passed.

    Raises:
        InvalidRequestError: (a ValueError) the URL is empty, or has no http or https
            scheme, no host, a query or a fragment. The message shows the URL to use instead.
    """
    label = f"Gateway URL {url!r} from {source}" if source else f"Gateway URL {url!r}"
    text = url.strip()
    if not text:
        raise InvalidRequestError(f"{label} is empty. Use a URL such as 'http://localhost:8080'.")
    if "://" not in text:
        advice = f"Set {source} to" if source else "Use"
        raise InvalidRequestError(f"{label} has no scheme. {advice} {_with_scheme(text)!r}.")

    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidRequestError(
            f"{label} uses the scheme {parts.scheme!r}, but the gateway "
            "speaks HTTP. Use an http:// or https:// URL, for example 'http://localhost:8080'."
        )
    if not parts.hostname:
        raise InvalidRequestError(
            f"{label} has no host. Use a URL such as 'http://localhost:8080'."
        )
    if parts.query or parts.fragment:
        raise InvalidRequestError(
            f"{label} has a query or fragment. Pass only the scheme, host, "
            "port and path, for example 'http://localhost:8080'."
        )

    path = parts.path.rstrip("/")
    if not path.endswith(API_VERSION_PATH):
        path += API_VERSION_PATH
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def gateway_root_url(url: str) -> str:
    """Return the gateway URL without ``/v1alpha``, e.g. ``http://host:8080``.

    Raises:
        InvalidRequestError: as normalize_gateway_url.
    """
    return normalize_gateway_url(url).removesuffix(API_VERSION_PATH)


def _with_scheme(text: str) -> str:
    """Return the URL that ``text``, written without ``://``, stands for: ``localhost:8080`` gives
    ``http://localhost:8080``, and ``https:/host`` gives ``https://host``."""
    malformed = _SCHEME_WITHOUT_SLASHES.match(text)
    if malformed is not None:
        return f"{malformed[1].lower()}://{text[malformed.end():]}"
    return "http://" + text.lstrip("/")
