"""Sets ``request.remote`` to the real client behind the node's own reverse proxies.

The rule (which proxies are believed, which X-Forwarded-For entry counts) lives in
``node.core.forwarded``; this is only its aiohttp wiring, so that every handler (the
inbox's per-address limit, the contribution form's limit, the logs) sees the same client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from node.core.forwarded import Network, client_address


def forwarded_client_middleware(trusted: tuple[Network, ...]) -> Callable:
    """An aiohttp middleware that sets ``request.remote`` to the real client's address."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        peer = request.remote or ""
        address = client_address(peer, request.headers.getall("X-Forwarded-For", []), trusted)
        if address != peer:
            request = request.clone(remote=address)
        return await handler(request)

    return middleware
