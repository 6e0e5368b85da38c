"""The agenda and the vacancy portal: our own and our partners' events and vacancies.

Two sources, each read through the one visibility rule:

* our own public items (``public_items_sql``: audience public, not deleted,
  embargo passed, not expired), for the node's own agenda and its iCal feed;
* the mediatheek index (``listings``): our own listed items (``local``) and
  what partners listed, never withdrawn, with the same embargo and expiry
  fragments, for the network agenda and the portal.

A past event (``node.items.kinds.is_past``) leaves the agenda but stays in the
library; a vacancy leaves the portal at its closing date because that date is
its expiry.  The indexed ``ends_at`` only narrows the SQL; ``is_past`` decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from node.channels.public import public_items
from node.core.identity import Identity
from node.items import kinds as item_kinds
from node.items import visibility
from node.mediatheek.store import normalise_tags, row_to_listing
from protocol.sanitize import plain_text

MAX_ENTRIES = 500
SCOPES = ("network", "own")
_LISTING_COLUMNS = (
    "id, object_id, origin_actor, origin_name, kind, title, summary, body_text, tags,"
    " licence, credit, embargo_until, expires_at, published_at, updated_at, local,"
    " details, starts_at, ends_at"
)


@dataclass(frozen=True)
class AgendaQuery:
    """Events overlapping [start, end) (either open), with optional filters."""

    scope: str = "network"
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    place: str | None = None
    tag: str | None = None
    org: str | None = None
    limit: int = MAX_ENTRIES
    #: Our signed-in editors also see partners' listings that are not public.
    partner_view: bool = False


@dataclass(frozen=True)
class PortalQuery:
    """Listed vacancies; ``q`` searches title, text and employer."""

    q: str | None = None
    contract_type: str | None = None
    location: str | None = None
    org: str | None = None
    limit: int = MAX_ENTRIES
    offset: int = 0


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def plain_details(value: Any) -> Any:
    """Details with every string as plain text: a partner's markup never travels on."""
    if isinstance(value, str):
        return plain_text(value) if ("<" in value or "&" in value) else value
    if isinstance(value, dict):
        return {k: plain_details(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_details(v) for v in value]
    return value


def _from_listing(row: dict[str, Any]) -> dict[str, Any]:
    listing = row_to_listing(row)
    return {
        "key": f"l{listing['id']}",
        "uri": listing["object_id"],
        "url": listing["object_id"],
        "kind": listing["kind"],
        "title": listing["title"],
        "summary": listing["summary"],
        "text": listing["body_text"],
        "tags": listing["tags"],
        "details": plain_details(listing["details"]),
        "origin_actor": listing["origin_actor"],
        "origin_name": listing["origin_name"],
        "local": bool(listing.get("local")),
        "published_at": listing["published_at"],
        "updated_at": listing["updated_at"],
        "expires_at": listing.get("expires_at"),
    }


def _from_item(identity: Identity, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": f"i{item['id']}",
        "uri": item["uri"],
        "url": identity.item_url(item["id"]),
        "kind": item["kind"],
        "title": item["title"],
        "summary": item.get("summary") or "",
        "text": plain_text(item.get("body_html") or ""),
        "tags": normalise_tags(item.get("tags") or []),
        "details": plain_details(item.get("details") or {}),
        "origin_actor": identity.actor_url,
        "origin_name": identity.name,
        "local": True,
        "published_at": item["published_at"],
        "updated_at": item["updated_at"],
        "expires_at": item.get("expires_at"),
    }


def _visible_listings(
    kind: str, where: list[str], params: list[Any], now: str, *, partner_view: bool = False
) -> tuple:
    """Listings of ``kind`` that may be shown: public ones (public pages, feeds, API),
    or also partner-only ones for ``partner_view`` (our signed-in editors)."""
    clauses = [
        "kind = ?",
        "withdrawn = 0",
        visibility.usable_sql("listings", "?"),
        *([] if partner_view else [visibility.addressed_publicly_sql("listings")]),
        *where,
    ]
    return " AND ".join(clauses), [kind, now, now, *params]


def _window(entry: dict[str, Any]) -> tuple[dt.datetime, dt.datetime] | None:
    try:
        return item_kinds.event_window(entry["details"])
    except (KeyError, TypeError, ValueError):
        return None  # a listing without readable times is not on the agenda


def _matches(entry: dict[str, Any], query: AgendaQuery) -> bool:
    window = _window(entry)
    if window is None:
        return False
    if query.start is not None and not window[1] > query.start:
        return False
    if query.end is not None and not window[0] < query.end:
        return False
    if query.tag and query.tag.strip().lstrip("#").lower() not in entry["tags"]:
        return False
    if query.org and entry["origin_actor"] != query.org:
        return False
    if query.place:
        place = entry["details"].get("place") or {}
        words = f"{place.get('name') or ''} {place.get('address') or ''}".lower()
        if query.place.strip().lower() not in words:
            return False
    return True


def own_events(db: sqlite_utils.Database, identity: Identity, now: str) -> list[dict[str, Any]]:
    """Our own public events that are not past, soonest first."""
    moment = visibility.now_moment(now)
    items = public_items(db, identity, now, kind="event", limit=MAX_ENTRIES)
    entries = [_from_item(identity, i) for i in items]
    upcoming = [e for e in entries if _window(e) and not item_kinds.is_past(e["details"], moment)]
    return sorted(upcoming, key=lambda e: (_window(e), e["uri"]))


def _listed_events(db: sqlite_utils.Database, query: AgendaQuery, now: str) -> list[dict]:
    where, params = ["ends_at IS NOT NULL", "ends_at > ?"], [now]
    if query.start is not None:
        where.append("ends_at > ?")
        params.append(visibility.now_text(query.start))
    if query.end is not None:
        where.append("starts_at < ?")
        params.append(visibility.now_text(query.end))
    if query.org:
        where.append("origin_actor = ?")
        params.append(query.org)
    sql, values = _visible_listings("event", where, params, now, partner_view=query.partner_view)
    cur = db.execute(
        f"SELECT {_LISTING_COLUMNS} FROM listings WHERE {sql} ORDER BY starts_at, id LIMIT ?",
        [*values, MAX_ENTRIES * 4],
    )
    names = [d[0] for d in cur.description]
    return [_from_listing(dict(zip(names, r, strict=True))) for r in cur]


def agenda(
    db: sqlite_utils.Database, identity: Identity, query: AgendaQuery, now: str
) -> list[dict[str, Any]]:
    """The agenda: own public events, plus (network) every listed event; soonest first."""
    if query.scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    moment = visibility.now_moment(now)
    entries = own_events(db, identity, now)
    if query.scope == "network":
        seen = {e["uri"] for e in entries}
        entries += [e for e in _listed_events(db, query, now) if e["uri"] not in seen]
    found = [
        e for e in entries if _matches(e, query) and not item_kinds.is_past(e["details"], moment)
    ]
    found.sort(key=lambda e: (_window(e), e["uri"]))
    return found[: max(1, min(query.limit, MAX_ENTRIES))]


def agenda_entry(
    db: sqlite_utils.Database, identity: Identity, key: str, now: str
) -> dict[str, Any] | None:
    """One event of the network agenda by its key (``l<listing id>`` or ``i<item id>``)."""
    kind = "event"
    if key.startswith("i"):
        found = [e for e in own_events(db, identity, now) if e["key"] == key]
        return found[0] if found else None
    entry = listed_entry(db, kind, key, now)
    if entry is None or _window(entry) is None:
        return None
    return None if item_kinds.is_past(entry["details"], visibility.now_moment(now)) else entry


def listed_entry(db: sqlite_utils.Database, kind: str, key: str, now: str) -> dict | None:
    """One visible listing of ``kind`` by its key ``l<id>``, or None."""
    if not key.startswith("l") or not key[1:].isdigit() or len(key) > 24:
        return None
    sql, values = _visible_listings(kind, ["id = ?"], [int(key[1:])], now)
    cur = db.execute(f"SELECT {_LISTING_COLUMNS} FROM listings WHERE {sql}", values)
    row = cur.fetchone()
    if row is None:
        return None
    return _from_listing(dict(zip([d[0] for d in cur.description], row, strict=True)))


def organisations(entries: list[dict[str, Any]]) -> dict[str, str]:
    """actor URL -> name of the organisations among ``entries`` (for a filter list)."""
    return {e["origin_actor"]: e["origin_name"] or e["origin_actor"] for e in entries}


# -- the vacancy portal ----------------------------------------------------------------


def vacancies(
    db: sqlite_utils.Database, query: PortalQuery, now: str
) -> tuple[list[dict[str, Any]], int]:
    """A page of listed vacancies (own and partners'), newest first, and the total."""
    where: list[str] = []
    params: list[Any] = []
    if query.q:
        where.append(
            "lower(title || ' ' || summary || ' ' || body_text || ' ' || origin_name || ' '"
            " || coalesce(json_extract(details, '$.employer'), '')) LIKE ? ESCAPE '\\'"
        )
        params.append(_like(query.q))
    if query.contract_type:
        where.append("json_extract(details, '$.contract_type') = ?")
        params.append(query.contract_type)
    if query.location:
        where.append("lower(coalesce(json_extract(details, '$.location'), '')) LIKE ? ESCAPE '\\'")
        params.append(_like(query.location))
    if query.org:
        where.append("origin_actor = ?")
        params.append(query.org)
    sql, values = _visible_listings("vacancy", where, params, now)
    total = db.execute(f"SELECT count(*) FROM listings WHERE {sql}", values).fetchone()[0]
    limit = max(1, min(query.limit, MAX_ENTRIES))
    cur = db.execute(
        f"SELECT {_LISTING_COLUMNS} FROM listings WHERE {sql} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*values, limit, max(0, query.offset)],
    )
    names = [d[0] for d in cur.description]
    return [_from_listing(dict(zip(names, r, strict=True))) for r in cur], total


def portal_organisations(db: sqlite_utils.Database, now: str) -> dict[str, str]:
    """Organisations with a visible vacancy (for the filter list)."""
    sql, values = _visible_listings("vacancy", [], [], now)
    rows = db.execute(
        f"SELECT DISTINCT origin_actor, origin_name FROM listings WHERE {sql}", values
    )
    return {r[0]: r[1] or r[0] for r in rows}


# -- periods of the agenda views ---------------------------------------------------------

VIEWS = ("week", "month")
PAGE_ZONE = ZoneInfo(item_kinds.DEFAULT_TIMEZONE)


def period(view: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First day and the day after the last of the week (Monday first) or month of ``day``."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}")
    if view == "week":
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=7)
    first = day.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    return first, after


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the agenda's zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(), PAGE_ZONE)


def start_day(entry: dict[str, Any]) -> dt.date:
    """The day an entry starts on, as the agenda pages group it (in the event's zone)."""
    details = entry["details"]
    if details.get("all_day"):
        return dt.date.fromisoformat(str(details["start"])[:10])
    window = _window(entry)
    zone = _zone_of(details)
    return window[0].astimezone(zone).date() if window else dt.date.min


def _zone_of(details: dict[str, Any]) -> ZoneInfo:
    try:
        return ZoneInfo(details.get("timezone") or item_kinds.DEFAULT_TIMEZONE)
    except (ValueError, KeyError):
        return PAGE_ZONE
