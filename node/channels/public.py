"""Reading public items for the channels, always through the one visibility rule.

Feeds, embeds, oEmbed, public pages and wall screens all call these functions, which select
with :func:`node.items.visibility.public_items_sql`; none of them writes its own
WHERE clause for "public", so none can leak what another would hide.  What they
return carries the public terms (credit, licence), never the partners' usage terms.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from node.core.identity import Identity
from node.items import visibility
from node.items.service import row_to_json
from node.items.visibility import public_items_sql
from node.media.queries import media_for_items

TAG_CLAUSE = "EXISTS (SELECT 1 FROM json_each(items.tags) WHERE lower(value) = lower(:tag))"


def _with_media(
    db: sqlite_utils.Database, identity: Identity, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    media = media_for_items(db, identity, [r["id"] for r in rows])
    out = []
    for row in rows:
        item = row_to_json(row, media.get(row["id"], []))
        item["published_at"] = row.get("published_at") or row["created_at"]
        # usage terms speak to partners who reuse the item (what they must do);
        # the public sees credit and licence only, on every channel read here
        item.pop("usage_terms", None)
        out.append(item)
    return out


def public_items(
    db: sqlite_utils.Database,
    identity: Identity,
    now: str,
    *,
    tag: str | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The newest public items (optionally of one tag and/or kind), with their media."""
    where, params = [], {"now": now, "limit": limit}
    if tag:
        where.append(TAG_CLAUSE)
        params["tag"] = tag.lstrip("#")
    if kind:
        where.append("items.kind = :kind")
        params["kind"] = kind
    sql = public_items_sql(" AND ".join(where)) + " LIMIT :limit"
    return _with_media(db, identity, list(db.query(sql, params)))


def public_item(
    db: sqlite_utils.Database, identity: Identity, item_id: str, now: str
) -> dict[str, Any] | None:
    """One item if, and only if, the public may see it now."""
    rows = list(db.query(public_items_sql("items.id = :id"), {"now": now, "id": item_id}))
    return _with_media(db, identity, rows)[0] if rows else None


def public_items_by_id(
    db: sqlite_utils.Database, identity: Identity, item_ids: list[str], now: str
) -> list[dict[str, Any]]:
    """Those of ``item_ids`` the public may see now, in the order given.

    Used for items an editor put on a wall screen: choosing an item does not
    publish it, so drafts, partner-only, embargoed and expired items are
    dropped here at read time, whenever they stopped being public.
    """
    if not item_ids:
        return []
    marks = ",".join(f":id{n}" for n in range(len(item_ids)))
    params: dict[str, Any] = {"now": now, **{f"id{n}": i for n, i in enumerate(item_ids)}}
    rows = list(db.query(public_items_sql(f"items.id IN ({marks})"), params))
    by_id = {r["id"]: r for r in rows}
    return _with_media(db, identity, [by_id[i] for i in item_ids if i in by_id])


def last_change(db: sqlite_utils.Database, now: str) -> str | None:
    """The latest moment at which anything public could have changed (for Last-Modified).

    Over-approximates on purpose: publication, unpublication, edits, deletion,
    an embargo lifting and an expiry all count, so a conditional GET never
    answers 304 for a feed whose content changed.
    """
    row = db.execute(
        f"""SELECT max(
              coalesce(max(audience.updated_at), ''), coalesce(max(items.updated_at), ''),
              coalesce(max({visibility.embargo_lifted_at_sql("items", "?")}), ''),
              coalesce(max({visibility.expired_at_sql("items", "?")}), ''))
           FROM audience JOIN items ON items.id = audience.item_id""",
        [now, now],
    ).fetchone()
    return (row[0] or None) if row else None


def media_view(identity: Identity, media: dict[str, Any]) -> dict[str, Any]:
    """The fields channels use of one media file, with the public URL built here."""
    return {
        "id": media["id"],
        "url": identity.media_url(media["id"]),
        "media_type": media.get("media_type") or "application/octet-stream",
        "size": media.get("size"),
        "width": media.get("width"),
        "height": media.get("height"),
        "duration": media.get("duration"),
        "alt": media.get("alt") or "",
        "thumbnail_url": media.get("thumbnail_url"),
    }


def category(media_type: str) -> str:
    """image / video / audio / document, from a media type."""
    head = media_type.split("/", 1)[0]
    return head if head in ("image", "video", "audio") else "document"
