"""The composition root: ``create_app(settings)`` builds one node.

Nothing is loaded at import time.  ``create_app`` migrates and opens the
database and loads the identity (start-up work, before the server accepts
requests); background work starts and stops inside ``cleanup_ctx`` so that
start-up and shutdown are symmetric and tests can run many nodes in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.forwarded import parse_trusted_proxies
from node.core.identity import ensure_instance_key, load_identity
from node.core.settings import Settings
from node.core.storage import open_database
from node.http.api.problems import problem_middleware
from node.http.client_address import forwarded_client_middleware
from node.sharing.services import SERVICES, Services

log = logging.getLogger("mediakring.node")

FeatureSetup = Callable[[web.Application], None]
PLUGIN_GROUP = "mediakring.plugins"


def feature_setups() -> list[FeatureSetup]:
    """Every feature's ``setup(app)``, imported lazily to keep import time empty."""
    from node.app import network
    from node.http import media as media_routes
    from node.http.api import contributions as contributions_api
    from node.http.api import imports as imports_api
    from node.http.api import items as items_api
    from node.http.api import meta as meta_api
    from node.http.api import sharing as sharing_api
    from node.http.api import usage as usage_api
    from node.http.channels import routes as channels_routes

    setups: list[FeatureSetup] = [
        meta_api.setup,
        items_api.setup,
        imports_api.setup,
        media_routes.setup,
        network.setup,
        sharing_api.setup,
        channels_routes.setup,
        contributions_api.setup,
        usage_api.setup,
    ]
    setups.extend(plugin_setups())
    return setups


def plugin_setups() -> list[FeatureSetup]:
    """Setups of installed plugins (admin_ui), found by entry point so node never imports them."""
    from importlib.metadata import entry_points

    return [ep.load() for ep in entry_points(group=PLUGIN_GROUP)]


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the WAL checkpointer while the node runs; close the database after."""
    db = app[DB]
    checkpointer = asyncio.create_task(_checkpoint_loop(db, app[SETTINGS].wal_checkpoint_seconds))
    yield
    checkpointer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await checkpointer
    await asyncio.get_running_loop().run_in_executor(None, db.close)


async def _search_index_ctx(app: web.Application) -> AsyncIterator[None]:
    """Keep the mediatheek's search index caught up (and its queue pruned) while the node
    runs, so a search after a bulk write (a back-fill) rarely has to wait for it."""
    task = asyncio.create_task(_search_index_loop(app[DB]))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    from node.mediatheek import textindex

    await app[DB].read(textindex.forget)


async def _search_index_loop(db, every: float = 1.0) -> None:
    from node.mediatheek import textindex

    rounds = 0
    while True:
        rounds += 1
        try:
            # searches catch up too; pruning what they applied is this loop's job
            if await db.read(textindex.catch_up) or rounds % 10 == 0:
                await db.write(textindex.prune)
        except Exception:  # the next round (or the next search) tries again
            log.exception("search index catch-up failed")
        await asyncio.sleep(every)


async def _checkpoint_loop(db, every: int) -> None:
    """Keep the WAL from growing without bound under a steady write load."""
    while True:
        await asyncio.sleep(every)
        try:
            await db.checkpoint()
        except Exception:  # the next round tries again; a failed checkpoint loses nothing
            log.exception("WAL checkpoint failed")


def build_services(app: web.Application) -> Services:
    """Every service of the node, in dependency order; each reads the others lazily."""
    from node.app.network import build_federation
    from node.contributions.service import Contributions
    from node.media.store import MediaStore
    from node.sharing.backfill import Backfill
    from node.sharing.outbox_dispatch import Dispatcher
    from node.sharing.outgoing import Distributor
    from node.sharing.partnerships import Partnerships

    federation = build_federation(app)
    return Services(
        federation=federation,
        media_store=MediaStore(app[SETTINGS].media_dir),
        partnerships=Partnerships(app),
        distributor=Distributor(app),
        backfill=Backfill(app),
        contributions=Contributions(app),
        outbox=Dispatcher(app[DB], federation.publish),
    )


def create_app(settings: Settings) -> web.Application:
    """Build the aiohttp application for one node."""
    if not settings.db_path.exists():
        raise FileNotFoundError(
            f"No node in {settings.data_dir}: run 'mediakring init --data {settings.data_dir}'"
        )
    middlewares = [problem_middleware]
    trusted = parse_trusted_proxies(settings.trusted_proxies)
    if trusted:  # outermost, so that every handler and error page sees the real client
        middlewares.insert(0, forwarded_client_middleware(trusted))
    app = web.Application(middlewares=middlewares, client_max_size=settings.max_json_bytes)
    app[SETTINGS] = settings
    db = open_database(settings.db_path, readers=settings.db_readers)
    app[DB] = db
    if db.write_sync(ensure_instance_key):
        log.info("made the instance actor's own RSA key (the organisation's keys are unchanged)")
    app[IDENTITY] = db.read_sync(lambda d: load_identity(d, settings.base_url))
    app[SERVICES] = build_services(app)
    app.cleanup_ctx.append(_database_ctx)
    app.cleanup_ctx.append(_search_index_ctx)
    for setup in feature_setups():
        setup(app)
    return app
