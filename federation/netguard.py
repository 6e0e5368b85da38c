"""Outbound address checks: requests go only to public addresses.

A remote document can name any URL (an inbox, a key id, a redirect), so every
hop is resolved and each address checked before we connect: loopback, private,
link-local, multicast and reserved ranges are refused unless the node runs on a
private test network.  The check itself is pure; the resolver uses the loop's
``getaddrinfo`` so DNS never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from protocol.result import Failure

#: Decides whether one resolved address may be contacted; injectable for tests.
AddressPolicy = Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool]


def is_public_address(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True when ``addr`` is globally routable unicast."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return not (
        addr.is_loopback
        or addr.is_private
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    )


def allow_everything(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The policy of a node on a private test network."""
    return True


def check_url_shape(url: str, *, allow_http: bool) -> Failure | None:
    """Scheme and host checks that need no DNS."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return Failure("netguard.malformed", f"not a valid URL: {url[:200]!r}")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return Failure("netguard.scheme", f"only http(s) URLs can be fetched: {url[:200]!r}")
    if parts.scheme == "http" and not allow_http:
        return Failure("netguard.scheme", "plain http is refused outside a private test network")
    if parts.username or parts.password:
        return Failure("netguard.malformed", "URLs with credentials are refused")
    return None


def check_addresses(addresses: list[str], policy: AddressPolicy) -> Failure | None:
    """Refuse when any resolved address is outside the policy (no DNS-rebinding gaps)."""
    if not addresses:
        return Failure("netguard.dns", "host name did not resolve")
    for text in addresses:
        try:
            addr = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return Failure("netguard.dns", f"unparseable address {text!r}")
        if not policy(addr):
            return Failure("netguard.private", f"address {addr} is not a public address")
    return None


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    """All addresses of ``host`` via the loop's resolver (runs in a thread)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({info[4][0] for info in infos})


async def check_url(
    url: str, *, allow_http: bool, policy: AddressPolicy, resolver: Resolver = resolve
) -> Failure | None:
    """Full outbound check of one URL: shape, then every address its host resolves to."""
    failure = check_url_shape(url, allow_http=allow_http)
    if failure is not None:
        return failure
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
        addresses = [str(literal)]
    except ValueError:
        addresses = await resolver(host, port)
    return check_addresses(addresses, policy)


class AddressRefused(OSError):
    """A connection was refused by the address policy (not a transient network error)."""


class GuardedResolver:
    """An aiohttp resolver that refuses hosts resolving outside the address policy.

    Installed on the client session's connector, it checks the addresses that
    are actually connected to (every redirect hop, every delivery), closing the
    gap between a separate check and aiohttp's own lookup.
    """

    def __init__(self, policy: AddressPolicy) -> None:
        from aiohttp.resolver import ThreadedResolver

        self._inner = ThreadedResolver()
        self._policy = policy

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list:
        results = await self._inner.resolve(host, port, family)
        failure = check_addresses([r["host"] for r in results], self._policy)
        if failure is not None:
            raise AddressRefused(f"{host}: {failure.detail}")
        return results

    async def close(self) -> None:
        await self._inner.close()
