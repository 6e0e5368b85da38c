"""Offer: a partner shares an item with us; it waits in "Gedeeld met ons" with a notification."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from node.core.appkeys import DB
from node.core.clock import iso, new_id
from node.sharing import notifications, partners_store, webhooks
from node.sharing.incoming.common import Refused, log, parse_item


def store_share(
    db, sender: str, sender_name: str, activity_id: str, obj: dict[str, Any], item: dict[str, Any]
) -> str | None:
    """Insert or refresh the share; returns its id when it is new (for the notification)."""
    now = iso()
    thumbnail = next(
        (m.get("thumbnail_url") for m in item.get("media", []) if m.get("thumbnail_url")), None
    )
    values = {
        "origin_actor": sender,
        "origin_name": sender_name,
        "activity_id": activity_id,
        "kind": item["kind"],
        "title": item["title"],
        "document": json.dumps(obj, ensure_ascii=False),
        "thumbnail_url": thumbnail,
        "embargo_until": item.get("embargo_until"),
        "expires_at": item.get("expires_at"),
        "updated_at": now,
    }
    existing = db.execute(
        "SELECT id, origin_actor FROM incoming_shares WHERE object_id = ?", [obj["id"]]
    ).fetchone()
    if existing:
        if existing[1] != sender:
            raise Refused(f"Offer: {obj['id']} was shared by {existing[1]}, not {sender}")
        db["incoming_shares"].update(existing[0], {**values, "state": "offered"})
        return None
    share_id = new_id()
    db["incoming_shares"].insert(
        {"id": share_id, "object_id": obj["id"], "received_at": now, "state": "offered", **values}
    )
    return share_id


async def handle(app: web.Application, sender: str, activity: dict[str, Any]) -> None:
    obj = activity.get("object")
    item = parse_item(sender, obj, "Offer")

    def apply(db):
        partner = partners_store.get_by_actor(db, sender)
        if not partner or partner["state"] != "active":
            raise Refused(f"Offer from {sender}, which is not a partner")
        share_id = store_share(db, sender, partner["name"], activity["id"], obj, item)
        if share_id:
            notifications.notify(
                db,
                "shared_with_us",
                f"{partner['name'] or sender} deelde: {item['title']}",
                link=f"/admin/shared-with-us/{share_id}",
                data={"share_id": share_id, "origin": sender, "object": obj["id"]},
            )
            # In the same transaction as the share: a crash cannot store one without the other.
            webhooks.queue_event(
                db,
                "item.shared_with_us",
                {
                    "share_id": share_id,
                    "origin": sender,
                    "object_id": obj["id"],
                    "kind": item["kind"],
                    "title": item["title"],
                    "credit": item.get("credit"),
                    "licence": item.get("licence"),
                    "embargo_until": item.get("embargo_until"),
                },
            )
        return share_id

    share_id = await app[DB].write(apply)
    if share_id:
        webhooks.wake(app)
    log.info("share %s from %s stored (%s)", obj["id"], sender, share_id or "refreshed")
