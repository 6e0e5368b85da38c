"""Hand the outbox's pending rows to the federation engine: after a commit and at start-up.

A stand-in for the full dispatcher; its entry point ``dispatch_now(app)`` keeps
its name when that lands.  A use case writes its activities with
:func:`node.outbox.enqueue` inside its own transaction and calls
:func:`dispatch_now` after the commit.  At start-up, :func:`setup`'s cleanup
context sends whatever a crash left written but not handed over.

Handing a row over twice is harmless (the engine stores activities and their
deliveries by activity id with ``INSERT OR IGNORE``), so a crash between
``publish`` and ``mark_dispatched`` costs at most one repeat hand-over, never a
second activity.  A lock per application keeps concurrent callers from doing
even that in the common case.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from node import outbox
from node.appkeys import DB, SERVICES

log = logging.getLogger("mediakring.outbox")

_LOCK: web.AppKey[asyncio.Lock] = web.AppKey("outbox_dispatch_lock", asyncio.Lock)


async def dispatch_now(app: web.Application) -> int:
    """Publish every pending outbox row and mark it dispatched; returns how many went."""
    lock = app.get(_LOCK)
    if lock is None:  # an app without setup(): still correct, only unserialised
        return await _dispatch(app)
    async with lock:
        return await _dispatch(app)


async def _dispatch(app: web.Application) -> int:
    db, federation = app[DB], app[SERVICES]["federation"]
    sent = 0
    while True:
        rows = await db.read(outbox.pending)
        if not rows:
            return sent
        progressed = False
        for activity_id, activity, recipients in rows:
            try:
                await federation.publish(activity, recipients)
            except Exception as exc:  # kept pending: the next dispatch (or start-up) retries
                log.exception("outbox row %s could not be handed over", activity_id)
                await db.write(lambda d, a=activity_id, e=exc: outbox.mark_failed(d, a, repr(e)))
                continue
            await db.write(lambda d, a=activity_id: outbox.mark_dispatched(d, a))
            sent += 1
            progressed = True
        if not progressed:  # every row in this batch failed: stop, retry later
            return sent


async def _startup_ctx(app: web.Application) -> AsyncIterator[None]:
    """At start-up, send what was committed but not handed over before a crash.

    Runs as a task so that an unreachable recipient (actor look-ups time out)
    never delays the node's start; shutdown waits for it or cancels it.
    """
    task = asyncio.create_task(_resume(app))
    yield
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _resume(app: web.Application) -> None:
    try:
        count = await dispatch_now(app)
    except Exception:  # rows stay pending; the next dispatch retries them
        log.exception("outbox dispatch at start-up failed")
        return
    if count:
        log.info("outbox: handed over %d activities left from before the restart", count)


def setup(app: web.Application) -> None:
    """Register after federation's own cleanup context, so the engine runs first."""
    app[_LOCK] = asyncio.Lock()
    app.cleanup_ctx.append(_startup_ctx)
