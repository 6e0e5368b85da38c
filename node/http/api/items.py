"""/api/v1/items: create, list, read, update, delete, versions; /api/v1/changes."""

from __future__ import annotations

from aiohttp import web

from node import services
from node.channels.changes import parse_since
from node.core.clock import iso, parse_iso
from node.core.errors import ValidationFailed
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object
from node.items import service
from node.items.model import CREATE_FIELDS, EDITABLE_FIELDS, KINDS

routes = web.RouteTableDef()
MAX_PAGE = 200


def _list_params(request: web.Request) -> tuple[dict[str, str], int, str | None]:
    query = request.query
    unknown = sorted(set(query) - {*service.LIST_FILTERS, "limit", "cursor"})
    if unknown:
        raise ValidationFailed(f"Unknown query parameter(s): {', '.join(unknown)}.")
    try:
        limit = int(query.get("limit", "50"))
    except ValueError as exc:
        raise ValidationFailed("limit: must be a whole number") from exc
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit: must be between 1 and {MAX_PAGE}")
    filters = {k: query[k] for k in service.LIST_FILTERS if query.get(k)}
    if "kind" in filters and filters["kind"] not in KINDS:
        raise ValidationFailed(f"kind: must be one of {', '.join(KINDS)}")
    for field in ("since", "until"):
        if field in filters:
            try:
                filters[field] = iso(parse_iso(filters[field]))
            except ValueError as exc:
                raise ValidationFailed(f"{field}: not an ISO 8601 timestamp ({exc})") from exc
    if filters.get("embargoed") not in (None, "true", "false"):
        raise ValidationFailed("embargoed: must be true or false")
    return filters, limit, query.get("cursor")


@routes.get("/api/v1/items")
@require_scope("read")
async def list_items(request: web.Request) -> web.Response:
    filters, limit, cursor = _list_params(request)
    page, next_cursor = await services.list_items(request.app, filters, limit, cursor)
    next_url = None
    if next_cursor:
        next_url = str(request.rel_url.update_query(cursor=next_cursor))
    return web.json_response({"items": page, "next": next_url})


@routes.get("/api/v1/changes")
@require_scope("read")
async def list_changes(request: web.Request) -> web.Response:
    """What changed after change number ``since``, oldest first (incremental sync)."""
    unknown = sorted(set(request.query) - {"since", "limit"})
    if unknown:
        raise ValidationFailed(f"Unknown query parameter(s): {', '.join(unknown)}.")
    since = parse_since(request.query.get("since"))
    try:
        limit = int(request.query.get("limit", "100"))
    except ValueError as exc:
        raise ValidationFailed("limit: must be a whole number") from exc
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit: must be between 1 and {MAX_PAGE}")
    page = await services.list_changes(request.app, since, limit)
    nxt = str(request.rel_url.with_query(since=str(page["last"]), limit=str(limit)))
    return web.json_response({**page, "next": nxt})


@routes.post("/api/v1/items")
@require_scope("write")
async def create_item(request: web.Request) -> web.Response:
    data = await read_json_object(request, CREATE_FIELDS)
    item = await services.create_item(request.app, data)
    return web.json_response(item, status=201, headers={"Location": f"/api/v1/items/{item['id']}"})


@routes.get("/api/v1/items/{id}")
@require_scope("read")
async def get_item(request: web.Request) -> web.Response:
    return web.json_response(await services.get_item(request.app, request.match_info["id"]))


@routes.patch("/api/v1/items/{id}")
@require_scope("write")
async def patch_item(request: web.Request) -> web.Response:
    item_id = request.match_info["id"]
    data = await read_json_object(request, (*EDITABLE_FIELDS, "media_alt"))
    item = await services.update_item(request.app, item_id, data)
    return web.json_response(item)


@routes.delete("/api/v1/items/{id}")
@require_scope("write")
async def delete_item(request: web.Request) -> web.Response:
    await services.delete_item(request.app, request.match_info["id"])
    return web.Response(status=204)


@routes.get("/api/v1/items/{id}/versions")
@require_scope("read")
async def item_versions(request: web.Request) -> web.Response:
    versions = await services.list_versions(request.app, request.match_info["id"])
    return web.json_response({"versions": versions})


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
