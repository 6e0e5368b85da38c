"""Who is really connecting: the client address behind the node's own reverse proxies.

Behind nginx every request arrives from the proxy's address, so a per-address limit
would count the whole world as one client: one flood would then hold up everybody,
partners included. For connections from an address listed in ``trusted_proxies`` the
client is read from ``X-Forwarded-For``, walking from the right (the entry the nearest
proxy appended) past further trusted proxies; entries to the left of the first
untrusted one are whatever the client chose to send and are never believed. A
connection from any other address keeps its own address: a forged ``X-Forwarded-For``
changes nothing.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """``"127.0.0.1, 10.0.0.0/8"`` → networks; ``ValueError`` names the entry that is wrong."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(networks)


def _is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The address to count ``peer``'s request against (see the module docstring)."""
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        if not hop:
            continue
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            log.debug("unreadable X-Forwarded-For entry %r from proxy %s", hop, peer)
            return peer
        if not _is_trusted(hop, trusted):
            return hop
    return peer
