"""Making an item public or not — the one write every public channel depends on.

``set_public`` is synchronous (runs inside ``Database.write``) and reports
whether anything changed, so that the async caller (:func:`publish`, and later
the sharing API) emits ``item.published`` exactly once, after the commit.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from aiohttp import web

from node.channels.public import public_item
from node.core.appkeys import DB, IDENTITY
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


async def publish(app: web.Application, item_id: str, public: bool) -> bool:
    """Set the flag and, when the item just became visible to the public, emit the event.

    An item made public while still under embargo is not announced here; the
    embargo-lifting job will have to emit it when the embargo passes.
    """
    from node.sharing.webhooks import emit

    changed = await app[DB].write(lambda db: set_public(db, item_id, public))
    if changed and public:
        identity = app[IDENTITY]
        now = iso()
        item = await app[DB].read(lambda db: public_item(db, identity, item_id, now))
        if item is not None:
            await emit(app, "item.published", published_payload(item))
    return changed
