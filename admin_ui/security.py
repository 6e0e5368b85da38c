"""The guard in front of every admin page: session, login, role, CSRF, errors as HTML.

Access is denied by default: a route is open to logged-in editors unless marked
:func:`public` (login page) or :func:`admin_only` (user and token management).
The middleware reads the role from the database on every request, so disabling an
account or changing a role takes effect at once, not when the cookie expires.
Every POST must carry the session's CSRF token (form field ``csrf`` or header
``X-CSRF-Token`` for scripts and uploads), compared in constant time.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from admin_ui import i18n
from admin_ui.i18n import _
from admin_ui.keys import CODEC, EXPIRED, NODE, SESSION, UNREAD, USER
from admin_ui.refusals import refusal_text
from admin_ui.render import render_error
from admin_ui.session import COOKIE_NAME, SESSION_LIFETIME_SECONDS, Session
from node import services
from node.core.errors import NotFound, ProblemError

log = logging.getLogger("mediakring.admin_ui")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFIX = "/admin"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def public(handler: Handler) -> Handler:
    """Mark a page that needs no login (the login page itself)."""
    handler.admin_ui_access = "public"  # type: ignore[attr-defined]
    return handler


def admin_only(handler: Handler) -> Handler:
    """Mark a page or action for node admins only; editors get a 403 page."""
    handler.admin_ui_access = "admin"  # type: ignore[attr-defined]
    return handler


def _access(request: web.Request) -> str:
    return getattr(request.match_info.handler, "admin_ui_access", "editor")


def set_session_cookie(
    request: web.Request, response: web.StreamResponse, session: Session
) -> None:
    settings = services.settings(request.app[NODE])
    response.set_cookie(
        COOKIE_NAME,
        request.app[CODEC].seal(session),
        path=PREFIX,
        max_age=SESSION_LIFETIME_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.session_cookie_secure,
    )


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    sent = request.headers.get("X-CSRF-Token", "")
    if not sent and request.content_type == "application/x-www-form-urlencoded":
        sent = str((await request.post()).get("csrf", ""))
    return bool(sent) and hmac.compare_digest(sent.encode(), session.csrf.encode())


def redirect(location: str) -> web.Response:
    """A 303 See Other: after a POST the browser fetches the next page with GET."""
    return web.Response(status=303, headers={"Location": location})


def _login_redirect(request: web.Request, expired: bool) -> web.Response:
    target = f"{PREFIX}/login?next={quote(request.path_qs, safe='')}"
    return redirect(target + ("&expired=1" if expired else ""))


async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    access = _access(request)
    session: Session = request[SESSION]
    if request.method not in ("GET", "HEAD") and not await _csrf_ok(request, session):
        log.info("refused %s %s: missing or wrong CSRF token", request.method, request.path)
        return render_error(
            request,
            403,
            _(
                "Dit formulier is verlopen of niet door deze site verstuurd. Laad de pagina"
                " opnieuw en probeer het nog eens."
            ),
        )
    if access == "public":
        return await handler(request)
    user = request.get(USER)
    if user is None:
        if request.method == "GET":
            return _login_redirect(request, expired=bool(request.get(EXPIRED)))
        return render_error(request, 401, _("Log eerst in."))
    if access == "admin" and user.role != "admin":
        return render_error(request, 403, _("Alleen voor beheerders."))
    return await handler(request)


async def _load(request: web.Request) -> Session:
    """The request's session; an anonymous new one when it is missing, bad or expired."""
    node = request.app[NODE]
    cookie = request.cookies.get(COOKIE_NAME)
    session = request.app[CODEC].open(cookie) if cookie else None
    if session is not None and session.expired():
        request[EXPIRED] = bool(session.username)
        session = Session(language=session.language)
    session = session or Session()
    request[SESSION] = session
    request[USER] = None
    language = session.language or services.settings(node).default_language
    if session.username:
        try:
            user = await services.get_user(node, session.username)
        except NotFound:
            user = None
        if user is not None and not user.disabled:
            request[USER] = user
            language = user.language
            request[UNREAD] = await services.unread_notifications(node)
    i18n.set_language(language)
    return session


@web.middleware
async def guard_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(PREFIX + "/static/"):
        return await handler(request)
    session = await _load(request)
    try:
        response = await _guard(request, handler)
    except ProblemError as exc:
        response = render_error(request, exc.status, refusal_text(exc))
    except web.HTTPException as exc:
        if exc.status >= 400:
            response = render_error(request, exc.status, _http_reason(exc.status))
        else:  # a redirect raised by a handler: keep it, but still set the cookie
            response = web.Response(status=exc.status, headers=exc.headers)
    final: Session = request[SESSION]
    if final is not session or not request.cookies.get(COOKIE_NAME) or request.get(EXPIRED):
        set_session_cookie(request, response, final)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _http_reason(status: int) -> str:
    if status == 404:
        return _("Deze pagina bestaat niet.")
    if status == 405:
        return _("Dat kan op deze pagina niet.")
    if status == 413:
        return _("Wat je verstuurde is te groot.")
    return _("Dat lukte niet.")
