"""Bearer-token authentication for the API, with ordered scopes (read < report < write < admin)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from aiohttp import web

from node.core import accounts
from node.core.appkeys import DB
from node.core.errors import Forbidden, Unauthorized

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SCOPE_KEY: web.RequestKey[str | None] = web.RequestKey("mediakring.scope", object)  # type: ignore[arg-type]


async def request_scope(request: web.Request) -> str | None:
    """The scope of the request's bearer token, or None when there is no valid token."""
    if SCOPE_KEY in request:
        return request[SCOPE_KEY]
    header = request.headers.get("Authorization", "")
    scope = None
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        scope = await request.app[DB].read(lambda db: accounts.token_scope(db, token))
    request[SCOPE_KEY] = scope
    return scope


async def check_scope(request: web.Request, needed: str) -> None:
    scope = await request_scope(request)
    if scope is None:
        if request.headers.get("Authorization"):
            raise Unauthorized("The bearer token is unknown or revoked.")
        raise Unauthorized("This endpoint needs an API token: 'Authorization: Bearer <token>'.")
    if not accounts.scope_allows(scope, needed):
        raise Forbidden(f"This token has scope '{scope}'; this action needs '{needed}'.")


def require_scope(needed: str) -> Callable[[Handler], Handler]:
    """Decorate an API handler so it runs only for a token with at least ``needed``."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            await check_scope(request, needed)
            return await handler(request)

        guarded.required_scope = needed  # type: ignore[attr-defined]
        return guarded

    return wrap
