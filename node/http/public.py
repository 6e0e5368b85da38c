"""Routes of the public pages: ``/``, ``/@{handle}``, ``/tags/{tag}`` and the item view.

The item view lives at the item's ActivityPub id (``/items/{id}``), which
federation serves: AS2 to servers, and for browsers it calls the resolver's
``html`` callable — which delegates here.  That callable gets no request, so a
small middleware keeps the current request in a context variable for the
language choice, and turns federation's JSON 404 for a browser into a page.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from importlib import resources

from aiohttp import web

from node.channels import public as public_items
from node.channels.texts import choose_language
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import iso
from node.public import pages
from node.sharing.services import SERVICES

routes = web.RouteTableDef()
CURRENT: contextvars.ContextVar[web.Request | None] = contextvars.ContextVar(
    "mediakring_public_request", default=None
)
_VARY = "Accept, Accept-Language"


def language(app: web.Application) -> str:
    request = CURRENT.get()
    default = app[SETTINGS].default_language
    return choose_language(request, default) if request is not None else default


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        headers={**pages.HEADERS, "Vary": _VARY},
    )


async def item_html(app: web.Application, item_id: str) -> web.Response:
    """The browser view of one item; 404 unless the public may see it now."""
    identity = app[IDENTITY]
    item = await app[DB].read(lambda d: public_items.public_item(d, identity, item_id, iso()))
    lang = language(app)
    if item is None:
        return _html(pages.not_found_page(lang), 404)
    return _html(pages.item_page(identity, item, lang))


async def _latest(app: web.Application, tag: str | None = None) -> list[dict]:
    identity = app[IDENTITY]
    return await app[DB].read(
        lambda d: public_items.public_items(d, identity, iso(), tag=tag, limit=pages.LATEST)
    )


async def profile_html(app: web.Application) -> web.Response:
    return _html(pages.profile_page(app[IDENTITY], await _latest(app), language(app)))


@routes.get("/")
async def profile(request: web.Request) -> web.Response:
    return await profile_html(request.app)


@routes.get("/@{handle}")
async def handle_redirect(request: web.Request) -> web.StreamResponse:
    if request.match_info["handle"].lower() != request.app[IDENTITY].handle:
        return _html(pages.not_found_page(language(request.app)), 404)
    raise web.HTTPFound("/" + (f"?{request.query_string}" if request.query_string else ""))


@routes.get("/tags/{tag}")
async def tag_page(request: web.Request) -> web.Response:
    """Hashtag links in our posts point here (``tag.href``), so they must resolve."""
    tag = request.match_info["tag"].lstrip("#")[:64]
    lang = language(request.app)
    heading = pages.t(lang, "tag", tag=tag)
    items = await _latest(request.app, tag)
    return _html(pages.profile_page(request.app[IDENTITY], items, lang, heading=heading, tag=tag))


@routes.get("/static/upload.js")
async def upload_script(request: web.Request) -> web.StreamResponse:
    """The per-file upload progress component: the admin's dropzone and the public
    contribution form load this one file."""
    path = resources.files("node.public").joinpath("static", "upload.js")
    return web.FileResponse(
        str(path),
        headers={
            "Content-Type": "text/javascript; charset=utf-8",
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def public_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = CURRENT.set(request)
    try:
        response = await handler(request)
    finally:
        CURRENT.reset(token)
    if (
        response.status == 404
        and request.method == "GET"
        and request.path.startswith("/items/")
        and response.content_type == "application/problem+json"
        and "html" in request.headers.get("Accept", "")
    ):
        CURRENT.set(request)
        return _html(pages.not_found_page(language(request.app)), 404)
    return response


def setup(app: web.Application) -> None:
    """Register the pages; the actor URL shows the profile page to browsers too."""
    app.router.add_routes(routes)
    app.middlewares.append(public_middleware)
    federation = app[SERVICES].federation
    if federation is not None:
        federation.set_actor_html(lambda: profile_html(app))
