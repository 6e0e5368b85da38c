"""The usage report: what this node did in a month, quarter or year, from its own records.

Every figure is counted from rows the node already keeps, with period boundaries at
midnight Europe/Amsterdam:

- ``items_made``: our own items (not copies) created in the period;
- ``items_shared`` / ``items_listed``: our items shared with at least one partner / placed
  in the mediatheek for the partners, in the period (insight events, counted per item);
- ``uses_by_partners``: uses of our items that partners reported (insight ``used``);
- ``uses_of_partner_items``: copies of partners' items we took into our library;
- ``publications_by_partners``: publications of our items that partners reported;
- ``publications_reported``: publications of our copies we reported to their origins;
- ``followers`` (at the end of the period) and ``new_followers`` (in it): accepted
  followers of the organisation actor;
- ``feed_requests``, ``embed_requests``, ``wall_requests`` and ``wall_screens_active``:
  the reach counters (:mod:`node.channels.reach`); ``wall_screens``: screens configured
  at the end of the period;
- ``deliveries_sent``: activities delivered to other nodes' inboxes;
- ``storage_bytes``: bytes of the distinct media files (and renditions) stored by the
  end of the period.

The figures are counts only: no titles, no content.  They feed the admin page, the API
(JSON and CSV) and, for participants that opt in, the monthly report to the core group's
coordinator (:mod:`node.services.usage_network`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from aiohttp import web

from node.channels.reach import LOCAL_ZONE, REACH
from node.core.appkeys import DB, IDENTITY
from node.core.clock import iso, utcnow
from node.core.errors import ValidationFailed

PERIODS = ("month", "quarter", "year")
FIGURES = (
    "items_made",
    "items_shared",
    "items_listed",
    "uses_by_partners",
    "uses_of_partner_items",
    "publications_by_partners",
    "publications_reported",
    "followers",
    "new_followers",
    "feed_requests",
    "embed_requests",
    "wall_requests",
    "wall_screens",
    "wall_screens_active",
    "deliveries_sent",
    "storage_bytes",
)
#: Figures that are counted per day/month for the charts (the others are stocks).
SERIES = (
    "items_made",
    "items_shared",
    "uses_by_partners",
    "uses_of_partner_items",
    "publications_by_partners",
    "feed_requests",
    "embed_requests",
    "wall_requests",
    "deliveries_sent",
)
_AT = {
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q(\d)$"),
    "year": re.compile(r"^(\d{4})$"),
}
_AT_EXAMPLE = {"month": "2026-11", "quarter": "2026-Q4", "year": "2026"}


@dataclass(frozen=True)
class Period:
    """One calendar period in Europe/Amsterdam, with its UTC boundaries."""

    kind: str
    label: str
    first_day: dt.date
    end_day: dt.date  # exclusive

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), LOCAL_ZONE).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.end_day, dt.time(), LOCAL_ZONE).astimezone(dt.UTC)

    def buckets(self) -> list[str]:
        """Days of a month, months of a quarter or year (the charts' x axis)."""
        if self.kind == "month":
            days = (self.end_day - self.first_day).days
            return [(self.first_day + dt.timedelta(days=n)).isoformat() for n in range(days)]
        out, day = [], self.first_day
        while day < self.end_day:
            out.append(day.strftime("%Y-%m"))
            day = _add_months(day, 1)
        return out

    def bucket_of_day(self, day: str) -> str:
        return day if self.kind == "month" else day[:7]

    def previous(self) -> Period:
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return _period(self.kind, _add_months(self.first_day, -months))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _period(kind: str, first: dt.date) -> Period:
    if kind == "month":
        return Period(kind, first.strftime("%Y-%m"), first, _add_months(first, 1))
    if kind == "quarter":
        q = (first.month - 1) // 3 + 1
        start = dt.date(first.year, 3 * q - 2, 1)
        return Period(kind, f"{first.year}-Q{q}", start, _add_months(start, 3))
    start = dt.date(first.year, 1, 1)
    return Period(kind, str(first.year), start, dt.date(first.year + 1, 1, 1))


def current_period(kind: str = "month", now: dt.datetime | None = None) -> Period:
    today = (now or utcnow()).astimezone(LOCAL_ZONE).date()
    return _period(kind, today.replace(day=1))


def parse_period(kind: str | None, at: str | None, now: dt.datetime | None = None) -> Period:
    """``period`` and ``at`` from a request; ValidationFailed naming the bad parameter."""
    kind = kind or "month"
    if kind not in PERIODS:
        raise ValidationFailed(
            f"period: {kind[:20]!r} is not one of {', '.join(PERIODS)}", field="period"
        )
    now = now or utcnow()
    if not at:
        return current_period(kind, now)
    match = _AT[kind].match(at)
    bad = ValidationFailed(
        f"at: {at[:20]!r} is not a {kind} (write it like {_AT_EXAMPLE[kind]})", field="at"
    )
    if not match:
        raise bad
    year = int(match.group(1))
    if year < 2000:
        raise ValidationFailed(f"at: {at!r} is before 2000", field="at")
    if kind == "month":
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise bad
        first = dt.date(year, month, 1)
    elif kind == "quarter":
        quarter = int(match.group(2))
        if not 1 <= quarter <= 4:
            raise bad
        first = dt.date(year, 3 * quarter - 2, 1)
    else:
        first = dt.date(year, 1, 1)
    period = _period(kind, first)
    if period.start > now:
        raise ValidationFailed(f"at: {at!r} is in the future", field="at")
    return period


# -- counting -------------------------------------------------------------------------


def _between(db, sql: str, params: list[Any]) -> int:
    return int(db.execute(sql, params).fetchone()[0] or 0)


def _local_day(value: str | float) -> str:
    if isinstance(value, int | float):
        moment = dt.datetime.fromtimestamp(value, dt.UTC)
    else:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(LOCAL_ZONE).date().isoformat()


def figures(db: sqlite_utils.Database, actor_url: str, period: Period) -> dict[str, Any]:
    """Every figure of one period, and the per-day/per-month series for the charts."""
    start, end = iso(period.start), iso(period.end)
    t0, t1 = period.start.timestamp(), period.end.timestamp()
    first, last = period.first_day.isoformat(), period.end_day.isoformat()
    times: dict[str, list[str | float]] = {}

    def stamps(name: str, sql: str, params: list[Any]) -> int:
        rows = [r[0] for r in db.execute(sql, params).fetchall()]
        times[name] = rows
        return len(rows)

    out: dict[str, Any] = {}
    out["items_made"] = stamps(
        "items_made",
        "SELECT created_at FROM items WHERE derived_from IS NULL"
        " AND created_at >= ? AND created_at < ?",
        [start, end],
    )
    for name, event in (("items_shared", "shared"), ("items_listed", "listed")):
        out[name] = stamps(
            name,
            "SELECT min(created_at) FROM insight_events WHERE event = ?"
            " AND created_at >= ? AND created_at < ? GROUP BY item_id",
            [event, start, end],
        )
    for name, event in (("uses_by_partners", "used"), ("publications_by_partners", "published")):
        out[name] = stamps(
            name,
            "SELECT created_at FROM insight_events WHERE event = ?"
            " AND created_at >= ? AND created_at < ?",
            [event, start, end],
        )
    out["uses_of_partner_items"] = stamps(
        "uses_of_partner_items",
        "SELECT created_at FROM items WHERE derived_from IS NOT NULL AND duplicate_of IS NULL"
        " AND created_at >= ? AND created_at < ?",
        [start, end],
    )
    out["publications_reported"] = _between(
        db,
        "SELECT coalesce(sum(json_array_length(json_extract(body, '$.object.publishedOn'))), 0)"
        " FROM outbox WHERE json_extract(body, '$.type') = 'Update'"
        " AND json_extract(body, '$.object.derivedFrom') IS NOT NULL"
        " AND json_type(body, '$.object.publishedOn') = 'array'"
        " AND created_at >= ? AND created_at < ?",
        [start, end],
    )
    out["followers"] = _between(
        db,
        "SELECT count(*) FROM followers WHERE target = ? AND state = 'accepted' AND created_at < ?",
        [actor_url, t1],
    )
    out["new_followers"] = _between(
        db,
        "SELECT count(*) FROM followers WHERE target = ? AND state = 'accepted'"
        " AND created_at >= ? AND created_at < ?",
        [actor_url, t0, t1],
    )
    counters: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    screens_seen: set[str] = set()
    for day, channel, n in db.execute(
        "SELECT day, channel, n FROM usage_counters WHERE day >= ? AND day < ?", [first, last]
    ):
        kind = channel.split(":", 1)[0]
        counters[f"{kind}_requests"][period.bucket_of_day(day)] += n
        if kind == "wall":
            screens_seen.add(channel)
    for name in ("feed_requests", "embed_requests", "wall_requests"):
        out[name] = sum(counters[name].values())
    out["wall_screens"] = _between(
        db, "SELECT count(*) FROM wall_screens WHERE created_at < ?", [end]
    )
    out["wall_screens_active"] = len(screens_seen)
    out["deliveries_sent"] = stamps(
        "deliveries_sent",
        "SELECT delivered_at FROM deliveries WHERE state = 'delivered'"
        " AND coalesce(last_error, '') != 'collapsed into a shared inbox'"
        " AND delivered_at >= ? AND delivered_at < ?",
        [t0, t1],
    )
    out["storage_bytes"] = _between(
        db,
        "SELECT coalesce(sum(size), 0) FROM (SELECT sha256, max(size) AS size FROM ("
        " SELECT m.sha256, m.size FROM media m WHERE m.created_at < ?"
        " UNION ALL SELECT r.sha256, r.size FROM renditions r JOIN media m ON m.id = r.media_id"
        " WHERE m.created_at < ?) GROUP BY sha256)",
        [end, end],
    )
    buckets = period.buckets()
    series: dict[str, list[int]] = {}
    for name in SERIES:
        per = defaultdict(int, counters.get(name, {}))
        for stamp in times.get(name, []):
            per[period.bucket_of_day(_local_day(stamp))] += 1
        series[name] = [per.get(b, 0) for b in buckets]
    return {"figures": {name: out[name] for name in FIGURES}, "buckets": buckets, "series": series}


async def flush_counters(app: web.Application) -> None:
    """Write the reach counters still in memory, so the report counts every request."""
    if REACH in app:
        await app[REACH].flush(app)


async def usage_report(
    app: web.Application, kind: str | None = "month", at: str | None = None
) -> dict[str, Any]:
    """The usage report of one period (API, admin page, coordinator report)."""
    period = parse_period(kind, at)
    return await report_for(app, period)


async def report_for(app: web.Application, period: Period) -> dict[str, Any]:
    identity = app[IDENTITY]
    await flush_counters(app)
    data = await app[DB].read(lambda db: figures(db, identity.actor_url, period))
    return {
        "organisation": {"name": identity.name, "actor": identity.actor_url},
        "period": period.kind,
        "at": period.label,
        "start": iso(period.start),
        "end": iso(period.end),
        "timezone": "Europe/Amsterdam",
        "complete": period.end <= utcnow(),
        **data,
    }


def report_csv(report: dict[str, Any]) -> str:
    """One header row and one row per bucket, then the period's total row (``at`` = period).

    Stock figures (followers, wall screens, storage) are only on the total row.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["period", "at", "start", "end", *FIGURES])
    for index, bucket in enumerate(report["buckets"]):
        row = [report["series"][f][index] if f in report["series"] else "" for f in FIGURES]
        writer.writerow(["day" if report["period"] == "month" else "month", bucket, "", "", *row])
    figures_ = report["figures"]
    writer.writerow(
        [
            report["period"],
            report["at"],
            report["start"],
            report["end"],
            *[figures_[f] for f in FIGURES],
        ]
    )
    return out.getvalue()
