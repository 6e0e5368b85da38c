"""Moderation API for contributions, and ``setup`` for the whole contributions feature.

Editors (write scope) accept a contribution — it becomes a draft item credited
to the contributor — or reject it with a reason the contributor is told.  The
files of a pending contribution can be viewed (read scope) but are never
served to the public: they have not been moderated.
"""

from __future__ import annotations

from aiohttp import web

from node.contributions import store as queue
from node.core.appkeys import DB, SETTINGS
from node.core.errors import NotFound
from node.http import contribution_form as contribution_pages
from node.http import public as public_routes
from node.http.api import openapi
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object
from node.media.serve import file_response
from node.sharing.services import SERVICES

routes = web.RouteTableDef()


@routes.get("/api/v1/contributions")
@require_scope("read")
async def list_contributions(request: web.Request) -> web.Response:
    status = request.query.get("status") or None
    base = request.app[SETTINGS].base_url
    rows = await request.app[DB].read(lambda d: queue.list_page(d, status))
    return web.json_response({"contributions": [queue.to_json(r, base) for r in rows]})


@routes.get("/api/v1/contributions/{id}")
@require_scope("read")
async def get_contribution(request: web.Request) -> web.Response:
    cid, base = request.match_info["id"], request.app[SETTINGS].base_url
    row = await request.app[DB].read(lambda d: queue.get(d, cid))
    return web.json_response(queue.to_json(row, base))


@routes.get("/api/v1/contributions/{id}/media/{position:\\d+}")
@require_scope("read")
async def contribution_file(request: web.Request) -> web.StreamResponse:
    """One file for the moderator's preview (only files that were uploaded, not remote)."""
    cid, position = request.match_info["id"], int(request.match_info["position"])
    row = await request.app[DB].read(lambda d: queue.get(d, cid))
    media = next((m for m in row["media"] if m["position"] == position), None)
    if media is None or not media["sha256"] or row["status"] != "pending":
        raise NotFound(f"Contribution {cid!r} has no stored file {position}.")
    path = request.app[SERVICES].media_store.path_for(media["sha256"])
    return file_response(path, media["media_type"], media["sha256"], media["original_name"])


@routes.post("/api/v1/contributions/{id}/accept")
@require_scope("write")
async def accept(request: web.Request) -> web.Response:
    item = await request.app[SERVICES].contributions.accept(request.match_info["id"])
    location = f"{request.app[SETTINGS].base_url}/api/v1/items/{item['id']}"
    return web.json_response(item, status=201, headers={"Location": location})


@routes.post("/api/v1/contributions/{id}/reject")
@require_scope("write")
async def reject(request: web.Request) -> web.Response:
    data = await read_json_object(request, ("reason",))
    result = await request.app[SERVICES].contributions.reject(
        request.match_info["id"], data.get("reason", "")
    )
    return web.json_response(result)


_S, _NS = {"type": "string"}, {"anyOf": [{"type": "string"}, {"type": "null"}]}
SCHEMAS = {
    "Contribution": {
        "type": "object",
        "required": ["id", "source", "name", "status", "licence", "consent", "media"],
        "properties": {
            "id": _S,
            "source": {"enum": ["web", "fediverse"]},
            "name": _S,
            "contact": _S,
            "text": _S,
            "licence": _S,
            "consent": {"type": "boolean"},
            "status": {"enum": list(queue.STATUSES)},
            "actor": _NS,
            "note_id": _NS,
            "received_at": _S,
            "decided_at": _NS,
            "reason": _NS,
            "notified": _NS,
            "item_id": _NS,
            "item_url": _NS,
            "media": {"type": "array", "items": {"type": "object"}},
        },
    }
}
_ID = {"name": "id", "in": "path", "required": True, "schema": _S}
_ref = {"$ref": "#/components/schemas/Contribution"}
PATHS = {
    "/api/v1/contributions": {
        "get": openapi._op(
            "The moderation queue, newest first",
            "read",
            openapi._responses(
                "200",
                {
                    "type": "object",
                    "properties": {"contributions": {"type": "array", "items": _ref}},
                },
                422,
            ),
            params=[openapi._query("status", {"enum": list(queue.STATUSES)}, "only this status")],
        )
    },
    "/api/v1/contributions/{id}": {
        "parameters": [_ID],
        "get": openapi._op("One contribution", "read", openapi._responses("200", _ref, 404)),
    },
    "/api/v1/contributions/{id}/media/{position}": {
        "parameters": [
            _ID,
            {"name": "position", "in": "path", "required": True, "schema": {"type": "integer"}},
        ],
        "get": openapi._op(
            "A file of a pending contribution, for moderation",
            "read",
            openapi._responses("200", None, 404),
        ),
    },
    "/api/v1/contributions/{id}/accept": {
        "parameters": [_ID],
        "post": openapi._op(
            "Accept: create a draft item credited to the contributor, with the files"
            " (location data stripped)",
            "write",
            openapi._responses("201", openapi._ref("Item"), 404, 409, 422, 502),
        ),
    },
    "/api/v1/contributions/{id}/reject": {
        "parameters": [_ID],
        "post": openapi._op(
            "Reject with a reason; the contributor is told (fediverse reply or e-mail)",
            "write",
            openapi._responses("200", _ref, 404, 409, 415, 422),
            body={
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"reason": _S},
                        "additionalProperties": False,
                    }
                }
            },
        ),
    },
}


def setup(app: web.Application) -> None:
    """The contributions service, its API, the public form and the public pages."""
    app.router.add_routes(routes)
    app.router.add_routes(contribution_pages.routes)
    openapi.register(PATHS, SCHEMAS)
    public_routes.setup(app)
