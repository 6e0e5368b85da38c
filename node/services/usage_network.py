"""The core group's usage overview: participants send monthly counts to a coordinator.

Both sides are off by default.  A participant names the coordinator (a partner's actor
URL, ``usage_coordinator``) and opts in (``usage_report_opt_in``); then once a month
(the scheduler, or ``mediakring usage send``) it writes a ``Create`` of an
``mk:UsageReport`` to its outbox, in the same transaction that records the sending.
The report holds the figures of :mod:`node.services.usage` and nothing else: no item
titles, no content.  The coordinator (``usage_collect_reports``) accepts a report only
from an active partner, attributed to the sender, for a well-formed past month, with
non-negative whole counts; anything else is refused with a logged reason and stores
nothing.  Its admin shows one row per participant, with the kind of participant
(community/volunteer or commercial) the coordinator sets.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import sqlite_utils
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from node.channels.reach import LOCAL_ZONE
from node.core import outbox
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import iso, utcnow
from node.core.errors import Conflict, NotFound, ValidationFailed
from node.services import usage
from node.sharing import outbox_dispatch, partners_store
from node.sharing.incoming.common import Refused
from node.sharing.objects import activity_id
from protocol import activities
from protocol.validate import host_of

log = logging.getLogger("mediakring.usage")
REPORT_TYPE = "UsageReport"
KINDS = ("community", "commercial", "unknown")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_COUNT = 2**53


# -- participant ----------------------------------------------------------------------


def report_object(identity, period: str, figures: dict[str, int]) -> dict[str, Any]:
    """The report as it travels: counts only."""
    return {
        "id": f"{identity.base_url}/usage/{period}",
        "type": REPORT_TYPE,
        "attributedTo": identity.actor_url,
        "usagePeriod": period,
        "usageFigures": {name: int(figures[name]) for name in usage.FIGURES},
    }


def _month(at: str | None) -> usage.Period:
    """A finished month (default: the last one); the current month is not over yet."""
    if not at:
        return usage.current_period("month").previous()
    period = usage.parse_period("month", at)
    if period.end > utcnow():
        raise ValidationFailed(f"at: {at!r} is not over yet; reports are of whole months")
    return period


async def send_report(app: web.Application, at: str | None = None) -> dict[str, Any]:
    """Send one month's report to the coordinator; nothing when not opted in."""
    settings, identity = app[SETTINGS], app[IDENTITY]
    coordinator = settings.usage_coordinator.strip()
    if not settings.usage_report_opt_in or not coordinator:
        return {
            "sent": False,
            "reason": "not opted in: set usage_coordinator and usage_report_opt_in",
        }
    period = _month(at)
    report = await usage.report_for(app, period)
    obj = report_object(identity, period.label, report["figures"])

    def write(db: sqlite_utils.Database) -> str:
        if not partners_store.is_active(db, coordinator):
            raise Conflict(f"usage_coordinator: {coordinator} is not an active partner")
        activity = activities.create(
            activity_id(identity), identity.actor_url, obj, to=[coordinator]
        )
        outbox.enqueue(db, activity, [coordinator])
        db.execute(
            "INSERT INTO usage_sent (period, coordinator, activity_id, figures, sent_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (period, coordinator) DO UPDATE SET"
            " activity_id = excluded.activity_id, figures = excluded.figures,"
            " sent_at = excluded.sent_at",
            [period.label, coordinator, activity["id"], json.dumps(obj["usageFigures"]), iso()],
        )
        return activity["id"]

    sent_id = await app[DB].write(write)
    outbox_dispatch.wake(app)
    log.info("usage report %s for %s sent to %s", sent_id, period.label, coordinator)
    return {
        "sent": True,
        "period": period.label,
        "coordinator": coordinator,
        "activity_id": sent_id,
        "figures": obj["usageFigures"],
    }


async def send_due(app: web.Application) -> dict[str, Any] | None:
    """The scheduler's job: last month's report, once per coordinator."""
    settings = app[SETTINGS]
    coordinator = settings.usage_coordinator.strip()
    if not settings.usage_report_opt_in or not coordinator:
        return None
    label = usage.current_period("month").previous().label
    done = await app[DB].read(
        lambda db: db.execute(
            "SELECT 1 FROM usage_sent WHERE period = ? AND coordinator = ?", [label, coordinator]
        ).fetchone()
    )
    if done:
        return None
    return await send_report(app, label)


async def sent_reports(app: web.Application) -> list[dict[str, Any]]:
    return await app[DB].read(
        lambda db: [
            {**r, "figures": json.loads(r["figures"])}
            for r in db.query("SELECT * FROM usage_sent ORDER BY period DESC LIMIT 24")
        ]
    )


async def usage_scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    """Each night at 03:00 (Amsterdam): send last month's report if it has not gone yet."""
    scheduler = AsyncIOScheduler(timezone=LOCAL_ZONE)

    async def job() -> None:
        try:
            await send_due(app)
        except asyncio.CancelledError:
            log.debug("usage report interrupted by shutdown")
        except Exception:  # logged; tomorrow's run tries again
            log.exception("sending the usage report failed")

    scheduler.add_job(job, "cron", hour=3, minute=0, id="usage-report", coalesce=True)
    scheduler.start()
    yield
    with contextlib.suppress(Exception):
        scheduler.shutdown(wait=False)


# -- coordinator ----------------------------------------------------------------------


def check_report(sender: str, activity: dict[str, Any]) -> tuple[str, dict[str, int]]:
    """(period, figures) of a well-formed report from ``sender``, or Refused with a reason."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") != REPORT_TYPE:
        raise Refused("usage report: the object must be an embedded UsageReport")
    attributed = obj.get("attributedTo")
    attributed = attributed.get("id") if isinstance(attributed, dict) else attributed
    if attributed != sender:
        raise Refused(f"usage report: attributedTo {attributed!r} is not the sender {sender}")
    if not isinstance(obj.get("id"), str) or host_of(obj["id"]) != host_of(sender):
        raise Refused("usage report: its id must be on the sender's host")
    period = obj.get("usagePeriod")
    if not isinstance(period, str) or not _MONTH.match(period):
        raise Refused(f"usage report: usagePeriod {str(period)[:20]!r} is not a month (YYYY-MM)")
    year, month = int(period[:4]), int(period[5:])
    if year < 2000:
        raise Refused(f"usage report: usagePeriod {period} is before 2000")
    end = dt.date(year + month // 12, month % 12 + 1, 1)
    if dt.datetime.combine(end, dt.time(), LOCAL_ZONE) > utcnow():
        raise Refused(f"usage report: usagePeriod {period} is not over yet")
    raw = obj.get("usageFigures")
    if not isinstance(raw, dict):
        raise Refused("usage report: usageFigures must be an object of counts")
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_COUNT:
            raise Refused(f"usage report: {str(name)[:40]} must be a non-negative whole number")
    return period, {name: int(raw.get(name, 0)) for name in usage.FIGURES}


async def receive_report(app: web.Application, sender: str, activity: dict[str, Any]) -> None:
    """Inbox: store a partner's report (the latest per period wins); Refused otherwise."""
    if not app[SETTINGS].usage_collect_reports:
        raise Refused("usage report: this node does not collect usage reports")
    period, figures = check_report(sender, activity)

    def write(db: sqlite_utils.Database) -> None:
        if not partners_store.is_active(db, sender):
            raise Refused(f"usage report: {sender} is not an active partner")
        db.execute(
            "INSERT INTO usage_reports (sender, period, figures, activity_id, received_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sender, period) DO UPDATE SET"
            " figures = excluded.figures, activity_id = excluded.activity_id,"
            " received_at = excluded.received_at"
            " WHERE usage_reports.activity_id != excluded.activity_id",
            [sender, period, json.dumps(figures), activity["id"], iso()],
        )

    await app[DB].write(write)
    log.info("usage report for %s from %s stored", period, sender)


async def network_overview(app: web.Application, at: str | None = None) -> dict[str, Any]:
    """One row per participant for a month (default: last month), with its kind."""
    period = usage.parse_period("month", at) if at else usage.current_period().previous()

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        rows = list(
            db.query(
                "SELECT r.sender, r.figures, r.received_at, p.name,"
                " coalesce(k.kind, 'unknown') AS kind FROM usage_reports r"
                " LEFT JOIN partners p ON p.actor_url = r.sender"
                " LEFT JOIN usage_participants k ON k.actor = r.sender"
                " WHERE r.period = ? ORDER BY p.name, r.sender",
                [period.label],
            )
        )
        periods = [r[0] for r in db.execute(
            "SELECT DISTINCT period FROM usage_reports ORDER BY period DESC LIMIT 36"
        )]  # fmt: skip
        return {"rows": rows, "periods": periods}

    data = await app[DB].read(read)
    rows = [
        {
            "actor": r["sender"],
            "name": r["name"] or r["sender"],
            "kind": r["kind"],
            "received_at": r["received_at"],
            "figures": json.loads(r["figures"]),
        }
        for r in data["rows"]
    ]
    totals = {name: sum(r["figures"].get(name, 0) for r in rows) for name in usage.FIGURES}
    return {
        "at": period.label,
        "collecting": app[SETTINGS].usage_collect_reports,
        "periods": data["periods"],
        "rows": rows,
        "totals": totals,
    }


async def set_participant_kind(app: web.Application, actor: str, kind: str) -> None:
    """The coordinator says what kind of participant a partner is."""
    if kind not in KINDS:
        raise ValidationFailed(f"kind: {str(kind)[:20]!r} is not one of {', '.join(KINDS)}")

    def write(db: sqlite_utils.Database) -> None:
        known = db.execute(
            "SELECT 1 FROM partners WHERE actor_url = ? UNION"
            " SELECT 1 FROM usage_reports WHERE sender = ?",
            [actor, actor],
        ).fetchone()
        if not known:
            raise NotFound(f"{actor[:200]} is neither a partner nor a participant")
        db.execute(
            "INSERT INTO usage_participants (actor, kind, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (actor) DO UPDATE SET kind = excluded.kind,"
            " updated_at = excluded.updated_at",
            [actor, kind, iso()],
        )

    await app[DB].write(write)
