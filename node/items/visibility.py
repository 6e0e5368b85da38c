"""Which items the public may see: the one rule every public channel uses.

An item is public when its audience says so, it is not deleted, its embargo
has passed and it has not expired.  Feeds, public pages, embeds, wall
displays and follower delivery all select through :func:`public_items_sql`
so that no channel can leak an item another one would hide.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from node.clock import parse_iso

PUBLIC_WHERE = (
    "items.deleted = 0 AND audience.public = 1"
    " AND (items.embargo_until IS NULL OR items.embargo_until <= :now)"
    " AND (items.expires_at IS NULL OR items.expires_at > :now)"
)


def public_items_sql(extra_where: str = "", order: str = "audience.published_at DESC") -> str:
    """SELECT items.* for public items; bind ``:now`` (ISO UTC) and any extra parameters."""
    where = PUBLIC_WHERE + (f" AND ({extra_where})" if extra_where else "")
    return (
        "SELECT items.*, audience.published_at AS published_at FROM items"
        f" JOIN audience ON audience.item_id = items.id WHERE {where} ORDER BY {order}"
    )


def _instant(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return parse_iso(str(value))


def _now(now: datetime | str | None) -> datetime:
    return _instant(now) or datetime.now(UTC)


def is_embargoed(item: Mapping[str, Any], now: datetime | str | None = None) -> bool:
    """True while the item's embargo lies in the future (compared as instants, not text)."""
    embargo = _instant(item.get("embargo_until"))
    return embargo is not None and embargo > _now(now)


def is_expired(item: Mapping[str, Any], now: datetime | str | None = None) -> bool:
    """True once the item's expiry has passed."""
    expires = _instant(item.get("expires_at"))
    return expires is not None and expires <= _now(now)
