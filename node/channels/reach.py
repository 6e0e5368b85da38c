"""Reach counters: how often feeds, embeds and wall screens were requested.

A request only adds one to a dict in memory (no I/O on the event loop, no write per
request).  A background task writes the batch every ``usage_counter_flush_seconds`` as
one transaction of upserts on the database thread, into ``usage_counters`` keyed by the
local day (Europe/Amsterdam, the boundaries the usage report uses) and channel; the
node's stop writes what is left.  The usage report flushes first, so its counts are
exact for what was served.

Channels: ``feed`` (the /feeds/* documents), ``embed`` (the /embed/{id} player pages)
and ``wall:<screen id>`` (a wall screen's page and the feed.json it polls).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import sqlite_utils
from aiohttp import web

from node.core.appkeys import DB, SETTINGS

log = logging.getLogger("mediakring.reach")
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
CHANNELS = ("feed", "embed", "wall")


def local_day(moment: dt.datetime | None = None) -> str:
    """The Europe/Amsterdam calendar day of ``moment`` (now by default), as YYYY-MM-DD."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(LOCAL_ZONE).date().isoformat()


def _day_and_end(now: float) -> tuple[str, float]:
    """The local day of ``now`` and the moment (epoch seconds) the next one starts."""
    local = dt.datetime.fromtimestamp(now, LOCAL_ZONE)
    tomorrow = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), LOCAL_ZONE)
    return local.date().isoformat(), tomorrow.timestamp()


class ReachCounter:
    """In-memory increments, written to the database in batches."""

    def __init__(self) -> None:
        self._pending: Counter[tuple[str, str]] = Counter()
        self._lock = asyncio.Lock()
        self._day, self._day_ends = "", 0.0

    def count(self, channel: str) -> None:
        """One request served on ``channel``; costs a dict update, nothing more."""
        if channel.partition(":")[0] not in CHANNELS:
            raise ValueError(f"unknown reach channel {channel!r}")
        now = time.time()
        if now >= self._day_ends:  # the local day is worked out once per day
            self._day, self._day_ends = _day_and_end(now)
        self._pending[(self._day, channel)] += 1

    async def flush(self, app: web.Application) -> int:
        """Write the pending increments in one transaction; returns how many rows changed."""
        async with self._lock:
            batch, self._pending = self._pending, Counter()
            if not batch:
                return 0
            try:
                await app[DB].write(lambda db: _add(db, batch))
            except BaseException:
                self._pending.update(batch)  # kept for the next flush
                raise
            return len(batch)


def _add(db: sqlite_utils.Database, batch: Counter[tuple[str, str]]) -> None:
    db.conn.executemany(
        "INSERT INTO usage_counters (day, channel, n) VALUES (?, ?, ?)"
        " ON CONFLICT (day, channel) DO UPDATE SET n = n + excluded.n",
        [(day, channel, n) for (day, channel), n in batch.items()],
    )


REACH: web.AppKey[ReachCounter] = web.AppKey("reach", ReachCounter)


def count(request: web.Request, channel: str) -> None:
    request.app[REACH].count(channel)


async def reach_ctx(app: web.Application) -> AsyncIterator[None]:
    """Flush the counters periodically while the node runs, and once when it stops."""
    counter = app[REACH]
    every = app[SETTINGS].usage_counter_flush_seconds

    async def loop() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await counter.flush(app)
            except asyncio.CancelledError:
                raise
            except Exception:  # kept in memory; the next pass writes it
                log.exception("writing reach counters failed")

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    try:
        await counter.flush(app)
    except Exception:
        log.exception("writing reach counters at shutdown failed")


def setup(app: web.Application) -> None:
    app[REACH] = ReachCounter()
    app.cleanup_ctx.append(reach_ctx)
