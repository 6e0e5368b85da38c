"""GET /api/v1/items/{id}.ninjs and POST /api/v1/items/import/ninjs.

``/api/v1/items/{id}`` (registered earlier by the items API) would also match
``x.ninjs``; aiohttp resolves same-prefix routes in registration order, so a
small middleware hands ``*.ninjs`` requests that landed on the items route to
the ninjs handler.  If the items route ever narrows ``{id}`` to
``{id:[^/.]+}``, our own route matches directly and the middleware is idle.
"""

from __future__ import annotations

from aiohttp import web

from node.channels import ninjs
from node.core.appkeys import DB, IDENTITY
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object
from node.items import service

routes = web.RouteTableDef()
NINJS_PATH = "/api/v1/items/{id:[^/.]+}.ninjs"
ITEMS_ROUTE = "/api/v1/items/{id}"
CONTENT_TYPE = "application/json"


@routes.get(NINJS_PATH)
@require_scope("read")
async def export_ninjs(request: web.Request) -> web.Response:
    """One item as IPTC ninjs 2.1 (any item the token may read, not only public ones)."""
    item_id = request.match_info["id"].removesuffix(".ninjs")
    identity = request.app[IDENTITY]
    item = await request.app[DB].read(lambda db: service.get_item(db, identity, item_id))
    return web.json_response(ninjs.to_ninjs(item, identity), content_type=CONTENT_TYPE)


@routes.post("/api/v1/items/import/ninjs")
@require_scope("write")
async def import_ninjs(request: web.Request) -> web.Response:
    """Create an item from a ninjs document; invalid documents store nothing (422)."""
    doc = await read_json_object(request)
    ninjs.validate(doc)
    data = ninjs.from_ninjs(doc)
    identity = request.app[IDENTITY]
    extra = {"provenance": {"imported_from": "ninjs", "uri": doc["uri"]}}
    item = await request.app[DB].write(
        lambda db: service.create_item(db, identity, data, extra=extra)
    )
    return web.json_response(item, status=201, headers={"Location": f"/api/v1/items/{item['id']}"})


@web.middleware
async def ninjs_suffix_middleware(request: web.Request, handler):
    """Route ``GET /api/v1/items/<id>.ninjs`` to the export when the items route caught it."""
    route = request.match_info.route
    resource = route.resource if route is not None else None
    if (
        request.method == "GET"
        and request.path.endswith(".ninjs")
        and resource is not None
        and resource.canonical == ITEMS_ROUTE
    ):
        request.match_info["id"] = request.match_info["id"].removesuffix(".ninjs")
        return await export_ninjs(request)
    return await handler(request)
