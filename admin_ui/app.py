"""admin_ui's entry point: ``setup(app)`` mounts the editor and admin pages at /admin.

node/ finds this function through the ``mediakring.plugins`` entry point, so the
imports keep pointing down (admin_ui → node).  The pages live in a sub-application
with its own middleware (session, login, role, CSRF, HTML errors) and templates;
the node's own services are reached through the parent application.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from admin_ui import i18n
from admin_ui.forms import language_name, licence_name, to_local_input
from admin_ui.keys import CODEC, LIMITER, NODE
from admin_ui.kinds_form import card_date
from admin_ui.ratelimit import LoginLimiter
from admin_ui.security import PREFIX, guard_middleware
from admin_ui.session import SessionCodec, load_key
from admin_ui.sharing_text import camera_time, local_day, local_time, zoned_time
from admin_ui.views import (
    agenda,
    auth,
    contributions,
    imports,
    insight,
    items,
    library,
    media,
    mediatheek,
    network,
    organisation,
    sharing,
    tokens,
    usage,
    users,
    walls,
)
from node import services
from node.core import human_time

ROOT = Path(__file__).resolve().parent
#: Item forms carry a body of up to 200 000 characters; uploads stream and are not bound by it.
FORM_MAX_BYTES = 4 * 1024 * 1024


async def _open_sessions(sub: web.Application) -> None:
    """Load (or create) the session key at start-up, off the event loop."""
    settings = services.settings(sub[NODE])
    key = await asyncio.get_running_loop().run_in_executor(None, load_key, settings.data_dir)
    sub[CODEC] = SessionCodec(key)


def create_admin_app(node_app: web.Application) -> web.Application:
    sub = web.Application(middlewares=[guard_middleware], client_max_size=FORM_MAX_BYTES)
    sub[NODE] = node_app
    sub[LIMITER] = LoginLimiter(services.settings(node_app).login_attempts_per_minute)
    sub.on_startup.append(_open_sessions)
    env = aiohttp_jinja2.setup(
        sub,
        loader=jinja2.FileSystemLoader(ROOT / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    env.filters["localtime"] = to_local_input  # datetime-local input values only
    env.filters["human"] = local_time
    env.filters["zoned"] = zoned_time
    env.filters["day"] = local_day
    env.filters["machine"] = human_time.machine
    env.filters["when"] = card_date
    env.filters["licence_name"] = licence_name
    env.filters["language_name"] = language_name
    env.filters["camera_time"] = camera_time
    for module in (
        auth,
        library,
        imports,
        items,
        media,
        users,
        organisation,
        tokens,
        sharing,
        mediatheek,
        insight,
        usage,
        network,
        walls,
        contributions,
        agenda,
    ):
        module.setup(sub)
    sub.router.add_static("/static/", ROOT / "static", name="static")
    return sub


def setup(app: web.Application) -> None:
    """Mount the admin UI on the node's application at /admin."""
    app.add_subapp(PREFIX, create_admin_app(app))
    app.router.add_get(PREFIX, _to_admin_home)


async def _to_admin_home(request: web.Request) -> web.Response:
    return web.Response(status=302, headers={"Location": f"{PREFIX}/"})
