"""What partners and followers tell the origin: use, publication, removal, reactions."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.appkeys import DB, IDENTITY
from node.channels import webhooks
from node.sharing import insight
from node.sharing.incoming.common import log, object_id

MK_DERIVED = ("mk:derivedFrom", "derivedFrom")
MK_CHANNELS = ("mk:publishedOn", "publishedOn")


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in obj:
            return obj[key]
    return None


def _our_item_id(app: web.Application, uri: str | None) -> str | None:
    prefix = app[IDENTITY].base_url + "/items/"
    if uri and uri.startswith(prefix):
        return uri[len(prefix) :].split("/")[0] or None
    return None


async def handle_copy_report(app: web.Application, sender: str, activity: dict[str, Any]) -> bool:
    """Create/Update of a partner's copy with mk:derivedFrom pointing at our item."""
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return False
    item_id = _our_item_id(app, object_id(_first(obj, MK_DERIVED)))
    if not item_id:
        return False
    channels = _first(obj, MK_CHANNELS) or []
    channels = [channels] if isinstance(channels, str) else list(channels)

    def apply(db):
        if not db.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone():
            return
        if activity["type"] == "Create":
            insight.record(
                db,
                item_id,
                "used",
                partner_actor=sender,
                activity_id=activity["id"],
                detail={"copy": obj.get("id")},
            )
        for channel in channels:
            insight.record(
                db,
                item_id,
                "published",
                partner_actor=sender,
                channel=str(channel)[:100],
                activity_id=f"{activity['id']}#{channel}",
            )

    recorded = await app[DB].write(apply)
    if recorded:
        await webhooks.emit(
            app,
            "item.used_by_partner",
            {
                "item_id": item_id,
                "partner": sender,
                "copy": obj.get("id"),
                "event": "used" if activity["type"] == "Create" else "published",
                "channels": channels,
            },
        )
    log.info("%s reported %s of %s (channels %s)", sender, activity["type"], item_id, channels)
    return True


async def handle_removal_confirmed(
    app: web.Application, sender: str, activity: dict[str, Any]
) -> bool:
    """Accept whose object is our Delete: the partner removed its copies."""
    deleted = activity.get("object")
    target = object_id(deleted.get("object")) if isinstance(deleted, dict) else None
    item_id = _our_item_id(app, target)
    if not item_id:
        return False
    await app[DB].write(
        lambda db: insight.record(
            db, item_id, "removal_confirmed", partner_actor=sender, activity_id=activity["id"]
        )
    )
    return True


async def handle_reaction(app: web.Application, sender: str, activity: dict[str, Any]) -> None:
    """Like, Announce and replies to our public items, counted in insight."""
    kind = activity["type"]
    if kind == "Create":
        obj = activity.get("object")
        target = object_id(obj.get("inReplyTo")) if isinstance(obj, dict) else None
        event = "reply"
    else:
        target = object_id(activity.get("object"))
        event = "like" if kind == "Like" else "announce"
    item_id = _our_item_id(app, target)
    if not item_id:
        return
    await app[DB].write(
        lambda db: (
            db.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone()
            and insight.record(db, item_id, event, partner_actor=sender, activity_id=activity["id"])
        )
    )
