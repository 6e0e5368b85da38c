"""Making an item public or not — the one write every public channel depends on.

``set_public`` is synchronous (runs inside ``Database.write``) and reports
whether anything changed, so that its caller (the distributor's audience change)
emits ``item.published`` exactly once.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from node.core.clock import iso
from node.core.errors import NotFound
from node.items.service import item_exists


def set_public(db: sqlite_utils.Database, item_id: str, public: bool) -> bool:
    """Set the item's public flag; True when the flag changed.

    ``published_at`` is set the first time an item becomes public and kept
    afterwards, so re-publishing does not push an old item to the top of feeds.
    """
    if not item_exists(db, item_id):
        raise NotFound(f"There is no item {item_id!r}.")
    now = iso()
    rows = list(db.query("SELECT public, published_at FROM audience WHERE item_id = ?", [item_id]))
    if not rows:
        db["audience"].insert(
            {
                "item_id": item_id,
                "public": int(public),
                "mediatheek": 0,
                "published_at": now if public else None,
                "updated_at": now,
            }
        )
        return public
    if bool(rows[0]["public"]) == public:
        return False
    db["audience"].update(
        item_id,
        {
            "public": int(public),
            "updated_at": now,
            "published_at": rows[0]["published_at"] or (now if public else None),
        },
    )
    return True


def published_payload(item: dict[str, Any]) -> dict[str, Any]:
    """What ``item.published`` tells a webhook: enough to show or fetch the item."""
    return {
        "item": {
            key: item[key]
            for key in (
                "id",
                "uri",
                "kind",
                "title",
                "summary",
                "tags",
                "language",
                "credit",
                "licence",
                "usage_terms",
                "published_at",
                "updated_at",
                "media",
            )
        }
    }
