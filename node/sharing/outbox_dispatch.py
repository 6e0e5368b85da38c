"""Hands committed outbox rows to the federation engine, in order, after the commit.

The dispatcher is the second half of the transactional outbox
(:mod:`node.core.outbox`).  It runs one pass at start-up (whatever a crash left
behind is sent now), then one pass each time a use case wakes it, and a slow
periodic pass as a safety net.  A row that fails is retried with backoff; a row
that keeps failing is given up after :data:`MAX_ATTEMPTS` and logged, so one
poisoned row cannot hold back every later activity.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from node.core import outbox
from node.core.db import Database
from node.sharing.services import SERVICES

log = logging.getLogger("mediakring.outbox")
MAX_ATTEMPTS = 12
IDLE_SECONDS = 30.0

Publish = Callable[[dict[str, Any], list[str]], Awaitable[str]]


class Dispatcher:
    """One per node: sends outbox rows oldest first through ``publish``."""

    def __init__(self, db: Database, publish: Publish) -> None:
        self._db = db
        self._publish = publish
        self._event = asyncio.Event()
        self._lock = asyncio.Lock()
        self._failures = 0

    def wake(self) -> None:
        self._event.set()

    async def run_once(self) -> int:
        """Dispatch every pending row; returns how many were handed over."""
        sent = 0
        async with self._lock:
            while True:
                rows = await self._db.read(outbox.pending)
                if not rows:
                    self._failures = 0
                    return sent
                for activity_id, activity, recipients in rows:
                    try:
                        await self._publish(activity, recipients)
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:  # kept in the row; retried with backoff
                        log.warning("outbox %s not dispatched: %s", activity_id, exc)
                        await self._db.write(
                            lambda d, a=activity_id, e=exc: self._failed(d, a, repr(e))
                        )
                        self._failures += 1
                        return sent
                    await self._db.write(lambda d, a=activity_id: outbox.mark_dispatched(d, a))
                    sent += 1

    @staticmethod
    def _failed(db, activity_id: str, error: str) -> None:
        outbox.mark_failed(db, activity_id, error)
        row = db.execute("SELECT attempts FROM outbox WHERE id = ?", [activity_id]).fetchone()
        if row and row[0] >= MAX_ATTEMPTS:
            log.error("outbox %s given up after %d attempts: %s", activity_id, row[0], error)
            outbox.mark_dispatched(db, activity_id)

    async def run_forever(self) -> None:
        while True:
            # Cleared before the pass, never after it: a use case that commits a row and
            # wakes us while the pass is reading must find the event still set, or its
            # row would wait for the idle pass (30 s) instead of going out now.
            self._event.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database state is the truth; the next pass retries
                log.exception("outbox pass failed")
                self._failures += 1
            delay = min(60.0, 0.5 * 2**self._failures) if self._failures else IDLE_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=delay)


def dispatcher_of(app: web.Application) -> Dispatcher:
    return app[SERVICES].outbox


def wake(app: web.Application) -> None:
    app[SERVICES].outbox.wake()


async def _dispatch_ctx(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(dispatcher_of(app).run_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def setup(app: web.Application) -> None:
    """Register the dispatcher; runs after federation's own start-up (cleanup_ctx order)."""
    app.cleanup_ctx.append(_dispatch_ctx)
