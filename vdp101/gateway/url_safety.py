"""Keep a gateway that other machines can reach from fetching image URLs on private addresses.

A gateway downloads each ``image_url`` it is sent from the machine it runs on. On a
loopback address only that machine's users can send one. A gateway that listens on
another address (``--host 0.0.0.0`` for a class) would let anyone who reaches it
probe services that only its machine can reach: its loopback interface, the local
network, a cloud provider's metadata address. Such a gateway fetches only from
addresses that are globally routable.

The check runs when the connection is opened, for the first request and for every
redirect, and the connection goes to the address that was checked, so a second DNS
answer cannot replace it.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

__all__ = [
    "ALLOW_PRIVATE_URLS_OPTION",
    "NonPublicAddressError",
    "address_kind",
    "check_public_url",
    "is_loopback_host",
    "public_only_session",
    "rejection_message",
]

ALLOW_PRIVATE_URLS_OPTION = "--allow-private-urls"
"""Command-line option of ``python -m vdp101.gateway`` that lifts the check."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class NonPublicAddressError(ValueError):
    """A host that resolves to an address that is not globally routable.

    Attributes:
        host: the host name or address literal about to be connected to, from the
            requested URL or from a redirect.
        address: the address that is not public.
        kind: the kind of address, with its article, e.g. "a loopback address".
    """

    def __init__(self, host: str, address: IPAddress, kind: str) -> None:
        super().__init__(f"{host} resolves to {address}, {kind}")
        self.host = host
        self.address = address
        self.kind = kind


def is_loopback_host(host: str) -> bool:
    """Return whether a server that listens on ``host`` is reachable from this machine only.

    ``localhost``, a loopback address such as ``127.0.0.1`` or ``::1``, and a host name
    whose every address is a loopback address count as loopback. ``0.0.0.0``, ``::``
    and the empty string listen on every interface.
    """
    name = host.strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        addresses = _resolve(name, 0)
    except OSError:
        return False
    return bool(addresses) and all(address.is_loopback for address in addresses)


def address_kind(address: IPAddress) -> str | None:
    """Describe an address that is not globally routable, e.g. "a private address", or return None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved or not address.is_global:
        return "an address that is not globally routable"
    return None


def check_public_url(url: str) -> None:
    """Check that the host of an http(s) ``url`` resolves to public addresses only.

    URLs that cannot be parsed, other schemes and hosts that do not resolve pass, so
    that the download reports them with its usual message.

    Raises:
        NonPublicAddressError: the host is, or resolves to, an address that is not public.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return
    if parts.scheme.lower() not in ("http", "https") or not host:
        return
    try:
        _public_address(host, port)
    except OSError:
        return


def rejection_message(url: str, error: NonPublicAddressError) -> str:
    """Build the message for an image URL rejected because of ``error``."""
    redirected = error.host.strip("[]").lower() != (urlsplit(url).hostname or "").lower()
    literal = _is_address_literal(error.host)
    if redirected and literal:
        reason = f"it redirects to {error.host}, {error.kind}"
    elif redirected:
        reason = f"it redirects to host {error.host!r}, which resolves to {error.address}, {error.kind}"
    elif literal:
        reason = f"its host {error.host} is {error.kind}"
    else:
        reason = f"its host {error.host!r} resolves to {error.address}, {error.kind}"
    return (
        f"Image URL {url} was rejected: {reason}. A gateway that accepts connections from other "
        "machines fetches images from public addresses only. Send the image as image_base64 or "
        f"multipart instead, or start the gateway with {ALLOW_PRIVATE_URLS_OPTION}."
    )


def public_only_session() -> requests.Session:
    """Return a requests Session that connects to public addresses only.

    A connection to another address raises NonPublicAddressError before it is opened.
    The session ignores proxy environment variables, because a proxy would open the
    connection in its place, out of reach of the check.
    """
    session = requests.Session()
    session.trust_env = False
    adapter = PublicOnlyAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _resolve(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # An IPv6 address may carry a zone index, as in "fe80::1%eth0".
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _is_address_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _public_address(host: str, port: int) -> str:
    """Return the first address of ``host`` when all of them are public.

    Raises:
        NonPublicAddressError: one of the addresses is not public.
        OSError: the host does not resolve.
    """
    addresses = _resolve(host.strip("[]"), port)
    for address in addresses:
        kind = address_kind(address)
        if kind is not None:
            raise NonPublicAddressError(host, address, kind)
    return str(addresses[0])


class PublicOnlyConnectionMixin:
    """Open the connection to a checked public address of the host."""

    host: str
    port: int
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        try:
            address = _public_address(self.host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error  # type: ignore[arg-type]

        # urllib3 connects to _dns_host and keeps self.host for the Host header and for
        # TLS, so the certificate is still checked against the host name.
        # NOTE: _dns_host is an attribute of urllib3 2.x, not a public API.
        host = self._dns_host
        self._dns_host = address
        try:
            return super()._new_conn()  # type: ignore[misc, no-any-return]
        finally:
            self._dns_host = host


class PublicOnlyHTTPConnection(PublicOnlyConnectionMixin, HTTPConnection):
    pass


class PublicOnlyHTTPSConnection(PublicOnlyConnectionMixin, HTTPSConnection):
    pass


class PublicOnlyHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PublicOnlyHTTPConnection


class PublicOnlyHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PublicOnlyHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": PublicOnlyHTTPConnectionPool,
            "https": PublicOnlyHTTPSConnectionPool,
        }
