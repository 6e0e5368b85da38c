"""/api/v1/webhooks: subscribe (secret shown once), list, delete, and the delivery log."""

from __future__ import annotations

from aiohttp import web

from node import services
from node.core.appkeys import DB
from node.core.errors import ValidationFailed
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object
from node.sharing import webhooks

routes = web.RouteTableDef()


@routes.get("/api/v1/webhooks")
@require_scope("admin")
async def list_webhooks(request: web.Request) -> web.Response:
    hooks = await request.app[DB].read(webhooks.list_webhooks)
    return web.json_response({"webhooks": hooks, "events": list(webhooks.EVENTS)})


@routes.post("/api/v1/webhooks")
@require_scope("admin")
async def create_webhook(request: web.Request) -> web.Response:
    data = await read_json_object(request, ("url", "events"))
    url, events = webhooks.clean_subscription(data)
    try:
        await webhooks.check_url(url, allow_private=webhooks.allow_private(request.app))
    except webhooks.UnsafeUrl as exc:
        raise ValidationFailed(f"url: {exc}", field="url") from exc
    hook = await request.app[DB].write(lambda db: webhooks.create_webhook(db, url, events))
    return web.json_response(
        hook, status=201, headers={"Location": f"/api/v1/webhooks/{hook['id']}"}
    )


@routes.delete("/api/v1/webhooks/{id}")
@require_scope("admin")
async def delete_webhook(request: web.Request) -> web.Response:
    hook_id = request.match_info["id"]
    await request.app[DB].write(lambda db: webhooks.delete_webhook(db, hook_id))
    return web.Response(status=204)


@routes.post("/api/v1/webhooks/{id}/secret")
@require_scope("admin")
async def rotate_secret(request: web.Request) -> web.Response:
    """A new signing secret, shown in this answer only; the old one stops at once."""
    hook = await services.rotate_webhook_secret(request.app, request.match_info["id"])
    return web.json_response(hook, headers={"Cache-Control": "no-store"})


@routes.get("/api/v1/webhooks/{id}/deliveries")
@require_scope("admin")
async def deliveries(request: web.Request) -> web.Response:
    hook_id = request.match_info["id"]
    log = await request.app[DB].read(lambda db: webhooks.list_deliveries(db, hook_id))
    return web.json_response({"deliveries": log})
