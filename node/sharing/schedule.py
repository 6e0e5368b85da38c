"""Time-based work: embargo lifting, expiry, back-fill resumption, listing pruning.

APScheduler runs one job at a short interval; the job asks the database what
is due.  All state lives in the database (``audience.public_sent_at``,
``audience.expiry_done_at``, ``incoming_shares.embargo_noticed_at``, the
partner's back-fill progress), so a restart loses nothing and nothing happens
twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from node.core.appkeys import DB, SETTINGS
from node.core.clock import iso
from node.items import visibility
from node.mediatheek import store as index
from node.sharing import notifications
from node.sharing.services import SERVICES

log = logging.getLogger("mediakring.schedule")


async def run_due_work(app: web.Application) -> dict[str, int]:
    """Do everything that has become due; returns counts (for tests and logs)."""
    now = iso()
    db = app[DB]
    distributor = app[SERVICES].distributor

    def due(d):
        lift = [
            r[0]
            for r in d.execute(
                "SELECT a.item_id FROM audience a JOIN items i ON i.id = a.item_id"
                " WHERE a.public = 1 AND a.public_sent_at IS NULL AND i.deleted = 0"
                f" AND {visibility.usable_sql('i', '?')}",
                [now, now],
            )
        ]
        expire = [
            r[0]
            for r in d.execute(
                "SELECT a.item_id FROM audience a JOIN items i ON i.id = a.item_id"
                " WHERE a.expiry_done_at IS NULL"
                f" AND {visibility.expired_sql('i', '?')} AND i.deleted = 0",
                [now],
            )
        ]
        shares = list(
            d.execute(
                "SELECT id, title, origin_name FROM incoming_shares"
                f" WHERE embargo_until IS NOT NULL AND {visibility.embargo_passed_sql('', '?')}"
                " AND embargo_noticed_at IS NULL AND state = 'offered'",
                [now],
            )
        )
        return lift, expire, shares

    lift, expire, shares = await db.read(due)
    for item_id in lift:
        if await distributor.lift_embargo(item_id):
            log.info("embargo lifted: %s published to followers", item_id)
    for item_id in expire:
        await distributor.expire(item_id)
        log.info("expired: %s withdrawn everywhere", item_id)

    def notice(d):
        for share_id, title, origin in shares:
            d.execute(
                "UPDATE incoming_shares SET embargo_noticed_at = ? WHERE id = ?", [now, share_id]
            )
            notifications.notify(
                d,
                "embargo_lifted",
                f"Embargo opgeheven: {title}",
                body=f"Van {origin}; het item mag nu gebruikt worden.",
                link=f"/admin/shared-with-us/{share_id}",
                data={"share_id": share_id},
            )
        index.purge_expired(d, now)

    await db.write(notice)
    backfill = app[SERVICES].backfill
    if backfill is not None:
        await backfill.resume_all()
    return {"published": len(lift), "expired": len(expire), "embargo_notices": len(shares)}


async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def job() -> None:
        try:
            await run_due_work(app)
        except asyncio.CancelledError:  # the node is stopping; the database keeps the state
            log.debug("due work interrupted by shutdown")
        except Exception:  # logged; the next run tries again from the database state
            log.exception("due work failed")

    scheduler.add_job(
        job,
        "interval",
        seconds=app[SETTINGS].scheduler_interval_seconds,
        id="due-work",
        coalesce=True,
        max_instances=1,
        next_run_time=None,
    )
    scheduler.start()
    scheduler.modify_job("due-work", next_run_time=_soon())
    yield
    scheduler.shutdown(wait=False)
    backfill = app[SERVICES].backfill
    if backfill is not None:
        await backfill.close()


def _soon():
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(seconds=0.5)
