"""Insight: where an organisation's content went, who used it, where it was published.

Every fact is one row in ``insight_events`` keyed by the activity that told us,
so a redelivered activity never counts twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any

import sqlite_utils

from node.core.clock import iso

EVENTS = (
    "shared",
    "listed",
    "retracted",
    "delivered",
    "used",
    "published",
    "withdrawn",
    "removal_confirmed",
    "like",
    "announce",
    "reply",
    "public",
)


def record(
    db: sqlite_utils.Database,
    item_id: str,
    event: str,
    *,
    partner_actor: str | None = None,
    channel: str | None = None,
    activity_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> bool:
    """Record one event; False when the same activity was already recorded."""
    if event not in EVENTS:
        raise ValueError(f"unknown insight event {event!r}")
    try:
        db["insight_events"].insert(
            {
                "item_id": item_id,
                "partner_actor": partner_actor,
                "event": event,
                "channel": channel,
                "activity_id": activity_id,
                "detail": json.dumps(detail or {}, ensure_ascii=False),
                "created_at": iso(),
            }
        )
    except sqlite3.IntegrityError:
        return False
    return True


def item_insight(db: sqlite_utils.Database, item_id: str) -> dict[str, Any]:
    """Per item: the timeline of events, and per partner what happened."""
    rows = list(db.query("SELECT * FROM insight_events WHERE item_id = ? ORDER BY id", [item_id]))
    partners: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "shared_at": None,
            "listed_at": None,
            "used_at": None,
            "published_on": [],
            "removal_confirmed_at": None,
        }
    )
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["event"]] += 1
        actor = row["partner_actor"]
        if not actor:
            continue
        entry = partners[actor]
        # Received as a share, and seen through the mediatheek listing, are kept apart: a
        # partner that only got the listing was never sent the item itself.
        if row["event"] == "shared" and not entry["shared_at"]:
            entry["shared_at"] = row["created_at"]
        elif row["event"] == "listed" and not entry["listed_at"]:
            entry["listed_at"] = row["created_at"]
        elif row["event"] == "used" and not entry["used_at"]:
            entry["used_at"] = row["created_at"]
        elif row["event"] == "published" and row["channel"]:
            entry["published_on"].append({"channel": row["channel"], "at": row["created_at"]})
        elif row["event"] == "removal_confirmed":
            entry["removal_confirmed_at"] = row["created_at"]
    return {
        "item_id": item_id,
        "totals": {e: counts.get(e, 0) for e in EVENTS},
        "partners": [{"actor": a, **v} for a, v in sorted(partners.items())],
        "events": [
            {
                "event": r["event"],
                "partner": r["partner_actor"],
                "channel": r["channel"],
                "at": r["created_at"],
                "detail": json.loads(r["detail"]),
            }
            for r in rows
        ],
    }


def organisation_insight(db: sqlite_utils.Database, since: str | None = None) -> dict[str, Any]:
    """Totals over time (per day), per partner and per channel."""
    where, params = "", []
    if since:
        where, params = "WHERE created_at >= ?", [since]
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, event, n in db.execute(
        f"SELECT substr(created_at, 1, 10), event, count(*) FROM insight_events {where}"
        " GROUP BY 1, 2 ORDER BY 1",
        params,
    ):
        per_day[day][event] = n
    per_partner: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for actor, event, n in db.execute(
        f"SELECT partner_actor, event, count(*) FROM insight_events {where}"
        f" {'AND' if where else 'WHERE'} partner_actor IS NOT NULL GROUP BY 1, 2",
        params,
    ):
        per_partner[actor][event] = n
    per_channel = {
        channel: n
        for channel, n in db.execute(
            f"SELECT channel, count(*) FROM insight_events {where}"
            f" {'AND' if where else 'WHERE'} channel IS NOT NULL GROUP BY 1",
            params,
        )
    }
    totals = {e: 0 for e in EVENTS}
    for events in per_day.values():
        for event, n in events.items():
            totals[event] += n
    return {
        "totals": totals,
        "per_day": [{"day": d, **v} for d, v in sorted(per_day.items())],
        "per_partner": [{"actor": a, **v} for a, v in sorted(per_partner.items())],
        "per_channel": per_channel,
    }
