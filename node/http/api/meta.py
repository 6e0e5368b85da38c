"""Service endpoints: OpenAPI document, health check, who a token speaks to."""

from __future__ import annotations

from aiohttp import web

from node import services
from node.core.appkeys import DB
from node.http.api import openapi as openapi_spec
from node.http.api.auth import request_scope, require_scope

routes = web.RouteTableDef()


@routes.get("/api/v1/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 document; public, so developers can read it before having a token."""
    return web.json_response(openapi_spec.document())


@routes.get("/api/v1/whoami")
@require_scope("read")
async def whoami(request: web.Request) -> web.Response:
    """The organisation this node speaks for and the token's scope ("test connection")."""
    return web.json_response(
        {
            "organisation": services.organisation_name(request.app),
            "base_url": services.settings(request.app).base_url,
            "scope": await request_scope(request),
        }
    )


@routes.get("/healthz")
async def health(request: web.Request) -> web.Response:
    """Liveness plus a database round trip; 503 when the database cannot be read."""
    try:
        await request.app[DB].read(lambda db: db.execute("SELECT 1").fetchone())
    except Exception as exc:  # report, never crash the health check
        return web.json_response({"status": "fail", "database": str(exc)}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
