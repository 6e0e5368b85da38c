"""/wall/{token} (the screen), /wall/{token}/feed.json (what it polls), and the admin API."""

from __future__ import annotations

from aiohttp import web

from node import services
from node.channels import pages, reach, wall
from node.channels.texts import choose_language
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import iso
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object

routes = web.RouteTableDef()
_TOKEN = r"{token:[A-Za-z0-9_-]{16,64}}"


def _with_url(request: web.Request, screen: dict) -> dict:
    return {**screen, "url": f"{request.app[IDENTITY].base_url}/wall/{screen['token']}"}


async def _feed(request: web.Request) -> tuple[dict | None, str]:
    identity = request.app[IDENTITY]
    lang = choose_language(request, request.app[SETTINGS].default_language)
    token, now = request.match_info["token"], iso()
    feed = await request.app[DB].read(lambda db: wall.wall_feed(db, identity, token, now, lang))
    if feed is not None:
        reach.count(request, f"wall:{feed['screen']['id']}")
    return feed, lang


@routes.get(f"/wall/{_TOKEN}")
async def wall_page(request: web.Request) -> web.Response:
    feed, lang = await _feed(request)
    if feed is None:
        return pages.not_found_page(lang, "wall_not_found")
    csp = pages.csp(request.app[IDENTITY], script_hash=pages.wall_script_hash(), framing=False)
    return web.Response(
        text=pages.wall_page(feed, lang),
        content_type="text/html",
        headers={
            "Content-Security-Policy": csp,
            "Cache-Control": "no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        },
    )


@routes.get(f"/wall/{_TOKEN}/feed.json")
async def wall_feed(request: web.Request) -> web.Response:
    feed, _ = await _feed(request)
    if feed is None:
        return web.json_response(
            {"error": "not found"}, status=404, headers={"Cache-Control": "no-store"}
        )
    return web.json_response(
        feed, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


@routes.get("/api/v1/wall-screens")
@require_scope("admin")
async def list_screens(request: web.Request) -> web.Response:
    screens = await request.app[DB].read(wall.list_screens)
    return web.json_response({"screens": [_with_url(request, s) for s in screens]})


@routes.post("/api/v1/wall-screens")
@require_scope("admin")
async def create_screen(request: web.Request) -> web.Response:
    data = await read_json_object(request, ("name", "rotate_seconds", "include_public"))
    screen = await request.app[DB].write(
        lambda db: wall.create_screen(
            db, data.get("name"), data.get("rotate_seconds", 15), data.get("include_public", True)
        )
    )
    return web.json_response(_with_url(request, screen), status=201)


@routes.put("/api/v1/wall-screens/{id}/items")
@require_scope("admin")
async def set_items(request: web.Request) -> web.Response:
    data = await read_json_object(request, ("items",))
    screen_id = request.match_info["id"]
    screen = await request.app[DB].write(
        lambda db: wall.set_screen_items(db, screen_id, data.get("items"))
    )
    return web.json_response(_with_url(request, screen))


@routes.post("/api/v1/wall-screens/{id}/token")
@require_scope("admin")
async def rotate_token(request: web.Request) -> web.Response:
    """A new address for the screen; the old ``/wall/{token}`` is 404 from now on."""
    screen = await services.rotate_screen_url(request.app, request.match_info["id"])
    return web.json_response(_with_url(request, screen), headers={"Cache-Control": "no-store"})


@routes.delete("/api/v1/wall-screens/{id}")
@require_scope("admin")
async def delete_screen(request: web.Request) -> web.Response:
    screen_id = request.match_info["id"]
    await request.app[DB].write(lambda db: wall.delete_screen(db, screen_id))
    return web.Response(status=204)
