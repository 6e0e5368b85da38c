"""The change feed: every item in the order of its latest change, for incremental sync.

A website plugin (integrations/wordpress) keeps the sequence number of the last
change it applied and asks for what came after.  Each change says what the item
is now, so applying the same change twice has no second effect:

* ``deleted`` — removed (or withdrawn by its origin, for a copy);
* ``private`` — our own item, not public (any more);
* ``public`` — our own public item (with ``embargoed``/``expired`` from the one rule,
  and the moments, so the site can schedule them);
* ``copy`` — a partner's item taken into our library, with its origin's name.

The sequence lives in ``item_changes`` (migration 23); database triggers move an item
to its end on every change of the item, its audience or its media.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from node.core.errors import ValidationFailed
from node.core.identity import Identity
from node.items import service as items
from node.items import visibility
from node.media.queries import media_for_items

MAX_PAGE = 200


def parse_since(value: str | None) -> int:
    if value in (None, ""):
        return 0
    try:
        since = int(value)
    except ValueError as exc:
        raise ValidationFailed("since: must be a change number this API handed out") from exc
    if since < 0:
        raise ValidationFailed("since: must be 0 or more")
    return since


def _state(row: dict[str, Any], public: bool) -> str:
    if row["deleted"]:
        return "deleted"
    if row["derived_from"]:
        return "copy"
    return "public" if public else "private"


def list_changes(
    db: sqlite_utils.Database, identity: Identity, since: int, limit: int, now: str
) -> dict[str, Any]:
    """Changes after ``since``, oldest first: ``{"changes": [...], "last": n, "more": bool}``."""
    rows = list(
        db.query(
            "SELECT c.seq, c.item_id, c.uri, i.deleted AS gone, i.derived_from,"
            " COALESCE(a.public, 0) AS public"
            " FROM item_changes c LEFT JOIN items i ON i.id = c.item_id"
            " LEFT JOIN audience a ON a.item_id = c.item_id"
            " WHERE c.seq > ? ORDER BY c.seq LIMIT ?",
            [since, limit + 1],
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    live = [r["item_id"] for r in rows if r["gone"] == 0]
    media = media_for_items(db, identity, live) if live else {}
    full = (
        {
            r["id"]: r
            for r in db.query(
                f"SELECT * FROM items WHERE id IN ({','.join('?' * len(live))})", live
            )
        }
        if live
        else {}
    )
    changes = []
    for r in rows:
        change: dict[str, Any] = {"seq": r["seq"], "id": r["item_id"], "uri": r["uri"]}
        item_row = full.get(r["item_id"])
        if item_row is None:
            change["state"] = "deleted"
            changes.append(change)
            continue
        state = _state(item_row, bool(r["public"]))
        change["state"] = state
        if state in ("public", "copy"):
            item = items.row_to_json(item_row, media.get(r["item_id"], []))
            change["item"] = item
            change["embargoed"] = visibility.is_embargoed(item, now)
            change["expired"] = visibility.is_expired(item, now)
            if state == "copy":
                provenance = item.get("provenance") or {}
                change["origin"] = {
                    "name": provenance.get("origin_name") or "",
                    "actor": provenance.get("origin_actor") or "",
                }
        changes.append(change)
    last = rows[-1]["seq"] if rows else since
    return {"changes": changes, "last": last, "more": more}
