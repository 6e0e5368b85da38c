"""``setup(app)`` for all channels: public routes, the channel API, the webhook worker."""

from __future__ import annotations

from aiohttp import web

from node.channels import reach
from node.http.api import openapi
from node.http.channels import (
    agenda_routes,
    api_doc,
    api_doc_agenda,
    embed,
    feed_routes,
    ninjs_routes,
    wall_routes,
    webhook_routes,
)
from node.sharing import webhook_worker


def setup(app: web.Application) -> None:
    """Register routes, the ``.ninjs`` suffix middleware and the delivery worker."""
    for table in (
        feed_routes.routes,
        agenda_routes.routes,
        embed.routes,
        wall_routes.routes,
        webhook_routes.routes,
        ninjs_routes.routes,
    ):
        app.router.add_routes(table)
    app.middlewares.append(ninjs_routes.ninjs_suffix_middleware)
    app.cleanup_ctx.append(webhook_worker.webhook_worker_ctx)
    reach.setup(app)
    openapi.register(api_doc.PATHS, api_doc.SCHEMAS)
    openapi.register(api_doc_agenda.PATHS, api_doc_agenda.SCHEMAS)
