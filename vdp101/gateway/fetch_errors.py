"""Describe in plain words why the download of an image URL failed.

requests wraps the errors of urllib3, whose text names the connection pool and its
retries, such as "HTTPConnectionPool(host='127.0.0.1', port=8099): Max retries
exceeded with url: ...". A client of the gateway needs the host and port that could
not be reached, and why.
"""

from __future__ import annotations

import errno
import ssl
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    IncompleteRead,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

__all__ = ["describe_fetch_failure"]

_REACHABLE_ADVICE = "Check that the host is reachable from the gateway's machine."


def describe_fetch_failure(error: requests.RequestException, *, url: str, timeout: float) -> str:
    """Return why the download of ``url`` failed, as one or two sentences.

    The text follows "Image URL ... could not be fetched: ". It names the host and
    port of the failed connection, which differ from those of ``url`` after a redirect.

    Args:
        error: the exception that requests raised.
        url: the URL that was requested. Its host and port are named when ``error``
            does not carry the address of the failed connection.
        timeout: the timeout of the request, in seconds.
    """
    chain = _exception_chain(error)
    address = _address(chain, url)

    if _find(chain, NameResolutionError) is not None:
        return f"could not connect to {address} (host name not resolved). Check the host name in the URL."
    if _find(chain, NewConnectionError) is not None:
        system_error = _system_error(chain)
        if system_error is None:
            return f"could not connect to {address}. {_REACHABLE_ADVICE}"
        if system_error.errno == errno.ECONNREFUSED:
            return (
                f"could not connect to {address} (connection refused). Check that a server is "
                "running at that address and that the URL's port is right."
            )
        return f"could not connect to {address} ({_lower_first(system_error.strerror)}). {_REACHABLE_ADVICE}"
    # In urllib3 2.x NewConnectionError is a subclass of ConnectTimeoutError, so it is handled first.
    if _find(chain, ConnectTimeoutError) is not None:
        return f"could not connect to {address} (timed out after {timeout:g} s). {_REACHABLE_ADVICE}"
    if isinstance(error, requests.ReadTimeout) or _find(chain, ReadTimeoutError) is not None:
        return f"no answer within {timeout:g} s from {address}. Check that the server there responds."

    if isinstance(error, requests.exceptions.SSLError) or _find(chain, ssl.SSLError) is not None:
        return (
            f"the TLS connection to {address} failed ({_describe_tls(chain)}). Check that the server "
            "at that address speaks HTTPS with a valid certificate for its host name."
        )
    broken = _find(chain, ProtocolError)
    if broken is not None:
        return f"the connection to {address} closed before the download finished ({_describe_broken(broken)})."

    text = " ".join(str(error).split()).rstrip(".")
    return f"{text}."


def _exception_chain(error: BaseException) -> list[BaseException]:
    """Return ``error`` and the exceptions that it wraps, outermost first.

    requests passes the urllib3 error as the first argument, MaxRetryError keeps its
    cause in ``reason``, and urllib3 raises the socket error ``from`` its own.
    """
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        if isinstance(current, MaxRetryError) and current.reason is not None:
            current = current.reason
        elif current.args and isinstance(current.args[0], BaseException):
            current = current.args[0]
        elif isinstance(current, ProtocolError) and current.args and isinstance(current.args[-1], BaseException):
            # ProtocolError("Connection broken: ...", the error that broke it)
            current = current.args[-1]
        else:
            current = current.__cause__ or current.__context__
    return chain


def _find(chain: list[BaseException], kind: type[BaseException]) -> BaseException | None:
    return next((exception for exception in chain if isinstance(exception, kind)), None)


def _system_error(chain: list[BaseException]) -> OSError | None:
    """Return the first error of the operating system, such as ConnectionRefusedError, in ``chain``."""
    for exception in chain:
        # requests' own exceptions subclass OSError but carry no errno.
        if isinstance(exception, OSError) and not isinstance(exception, requests.RequestException):
            if exception.strerror:
                return exception
    return None


def _address(chain: list[BaseException], url: str) -> str:
    """Return "host:port" of the connection that failed, or else of ``url``."""
    host: str | None = None
    port: int | None = None
    retries = _find(chain, MaxRetryError)
    request = getattr(chain[0], "request", None)
    if isinstance(retries, MaxRetryError) and retries.pool is not None:
        host, port = retries.pool.host, retries.pool.port
    else:
        parts = urlsplit(getattr(request, "url", None) or url)
        try:
            host, port = parts.hostname, parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            host = parts.hostname

    if not host:
        return url
    host_text = f"[{host}]" if ":" in host else host
    return f"{host_text}:{port}" if port else host_text


def _describe_tls(chain: list[BaseException]) -> str:
    error = _find(chain, ssl.SSLError)
    if error is None:
        return _lower_first(str(chain[-1]))
    verify_message = getattr(error, "verify_message", None)
    if verify_message:
        return f"certificate verify failed: {verify_message}"
    reason = getattr(error, "reason", None)
    if isinstance(reason, str) and reason:
        # An OpenSSL reason code, such as "WRONG_VERSION_NUMBER".
        return reason.lower().replace("_", " ")
    return _lower_first(str(error))


def _describe_broken(error: BaseException) -> str:
    cause = error.args[1] if len(error.args) > 1 else None
    if isinstance(cause, IncompleteRead):
        return f"{cause.partial} bytes received, {cause.expected} more expected"
    if isinstance(cause, OSError) and cause.strerror:
        return _lower_first(cause.strerror)
    if isinstance(cause, BaseException) and str(cause):
        return _lower_first(str(cause))
    return _lower_first(str(error.args[0] if error.args else error)).rstrip(".")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
