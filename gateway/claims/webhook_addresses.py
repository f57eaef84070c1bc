"""Where webhooks may connect: public internet addresses only, unless the operator allows a network.

A webhook URL names a host a caller chose; unchecked, the gateway would post to anything it can
reach (cloud metadata at 169.254.169.254, the database, an admin port on loopback). The rule judges
addresses, not spellings: the host is resolved with the system resolver (which also reads the odd
IPv4 forms ``2130706433``, ``127.1``, ``0x7f.1``) and EVERY address it yields must be public;
IPv6 addresses that carry an IPv4 one (``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4
``2002::/16``) are judged by that IPv4 address too. Well-known metadata host names are refused by
name, before any lookup. ``PAYER_GATEWAY_CLAIMS_WEBHOOK_ALLOWED_NETWORKS`` lists networks allowed
anyway (the demo's and the tests' loopback receivers); the default allows none.

The same :class:`WebhookAddressGuard` judges a URL at registration and again at every delivery,
where :class:`gateway.claims.webhook_transport.PinnedAddressTransport` connects to exactly the
addresses it judged (a name may resolve differently by then: DNS rebinding).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

import httpx

IPAddress = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
#: ``(host, port) -> addresses as text``; the system resolver unless a test injects another.
Resolver = Callable[[str, int], Awaitable[list[str]]]

#: Instance metadata services by name (their addresses are link-local or CGNAT and refused anyway;
#: the names are refused too, so a resolver that maps them elsewhere changes nothing).
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",  # Google Cloud
        "metadata.goog",  # Google Cloud
        "instance-data",  # AWS
        "instance-data.ec2.internal",  # AWS
        "metadata.azure.com",  # Azure (as commonly listed; its service answers on 169.254.169.254)
        "metadata.platformequinix.com",  # Equinix Metal
        "metadata.tencentyun.com",  # Tencent Cloud
        "metadata.packet.net",  # Equinix (Packet)
        "kubernetes.default",  # the cluster's API server, from inside a pod
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
    }
)
_NAT64 = IPv6Network("64:ff9b::/96")
DEFAULT_PORTS = {"http": 80, "https": 443}


class AddressRefused(httpx.TransportError):
    """The host is, or resolves to, an address webhooks may not reach. Shown to callers only as
    its code: the reason (for logs) never carries the resolved address, which could map a
    private network for whoever registers names."""

    code = "ADDRESS_NOT_ALLOWED"

    def __init__(self, reason: str) -> None:
        super().__init__(f"webhook target refused: {reason}")
        self.reason = reason


def parse_networks(text: str | Iterable[str]) -> tuple[Network, ...]:
    """``"127.0.0.0/8,::1/128"`` as networks; a ValueError names the entry that is not one."""
    entries = text.split(",") if isinstance(text, str) else text
    networks: list[Network] = []
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"{entry!r} is not a network: write CIDR blocks, e.g. 127.0.0.0/8,::1/128"
            ) from exc
    return tuple(networks)


async def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, off the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _judged_forms(address: IPAddress) -> list[IPAddress]:
    """The address and any IPv4 address it carries: each must pass."""
    if isinstance(address, IPv4Address):
        return [address]
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _NAT64:
        return [IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address, address.sixtofour]
    return [address]


def _kind(address: IPAddress) -> str | None:
    """Why ``address`` is not a public internet address, or None."""
    # Several checks, not is_global alone: Python 3.11's is_global calls multicast (224/4,
    # ff00::/8) and IPv6 site-local (fec0::/10) global.
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("site-local", isinstance(address, IPv6Address) and address.is_site_local),
        ("not global", not address.is_global),  # CGNAT 100.64/10, and what the above missed
    )
    return next((name for name, refused in checks if refused), None)


def address_problem(address: IPAddress, allowed: Iterable[Network] = ()) -> str | None:
    """Why a webhook may not connect to ``address`` (e.g. ``"loopback"``), or None."""
    allowed = tuple(allowed)
    for form in _judged_forms(address):
        if any(form.version == net.version and form in net for net in allowed):
            continue
        kind = _kind(form)
        if kind is not None:
            return kind
    return None


def host_name(host: str) -> str:
    """The host as compared with names: lower case, without the root's trailing dot."""
    return host.rstrip(".").lower()


@dataclass
class WebhookAddressGuard:
    """Resolves a webhook host and judges every address; one instance per process."""

    allowed_networks: tuple[Network, ...] = ()
    resolver: Resolver = system_resolver
    timeout_seconds: float = 5.0

    async def url_addresses(self, url: httpx.URL) -> list[IPAddress]:
        """Every address of the URL's host, all allowed; else AddressRefused."""
        return await self.addresses(url.host, url.port or DEFAULT_PORTS.get(url.scheme, 443))

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address of ``host``, all allowed, in the resolver's order; else AddressRefused."""
        name = host_name(host)
        if name in METADATA_HOSTS:
            raise AddressRefused("metadata host name")
        try:
            async with asyncio.timeout(self.timeout_seconds):
                found = await self.resolver(name, port)
        except (OSError, TimeoutError) as exc:  # socket.gaierror is an OSError
            raise AddressRefused("host name does not resolve") from exc
        addresses = [ip_address(text) for text in dict.fromkeys(found)]
        if not addresses:
            raise AddressRefused("host name does not resolve")
        for address in addresses:
            kind = address_problem(address, self.allowed_networks)
            if kind is not None:
                raise AddressRefused(f"resolves to a {kind} address")
        return addresses
