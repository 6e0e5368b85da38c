"""Typed keys for what admin_ui keeps on its sub-application and on each request."""

from __future__ import annotations

from aiohttp import web

from admin_ui.ratelimit import LoginLimiter
from admin_ui.session import Session, SessionCodec
from node.services import User

#: The node's root application, which the node services are called with.
NODE: web.AppKey[web.Application] = web.AppKey("node", web.Application)
CODEC: web.AppKey[SessionCodec] = web.AppKey("session_codec", SessionCodec)
LIMITER: web.AppKey[LoginLimiter] = web.AppKey("login_limiter", LoginLimiter)

SESSION: web.RequestKey[Session] = web.RequestKey("admin_ui.session", Session)
USER: web.RequestKey[User | None] = web.RequestKey("admin_ui.user")
#: Unread notifications, for the badge in the navigation (set for logged-in users).
UNREAD: web.RequestKey[int] = web.RequestKey("admin_ui.unread", int)
#: Set when the request came with a logged-in session that had expired.
EXPIRED: web.RequestKey[bool] = web.RequestKey("admin_ui.expired", bool)


def session_of(request: web.Request) -> Session:
    return request[SESSION]


def user_of(request: web.Request) -> User:
    """The logged-in user; the middleware guarantees one on every non-public page."""
    user = request[USER]
    assert user is not None
    return user
