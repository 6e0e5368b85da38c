"""What partners and followers tell the origin: use, publication, removal, reactions."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.core.appkeys import DB, IDENTITY
from node.sharing import insight, notifications, partners_store, webhooks
from node.sharing.incoming.common import Refused, log, object_id
from node.sharing.receipts_policy import check_receipt, clip_channel

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


def _notify(db, item_id: str, sender: str, used: bool, channels: list[str]) -> None:
    """Tell our editors a partner used or published one of our items (in the report's write).

    The title is Dutch for the API; the admin UI words it in the reader's language from
    ``data`` (kind ``partner_used`` / ``partner_published``)."""
    partner = partners_store.display_name(sender, partners_store.get_by_actor(db, sender))
    row = db.execute("SELECT title FROM items WHERE id = ?", [item_id]).fetchone()
    title = row[0] if row else item_id
    if used:
        kind, text = "partner_used", f"{partner} gebruikte: {title}"
    else:
        kind, text = "partner_published", f"{partner} publiceerde: {title}"
        if channels:
            text += f" ({', '.join(channels)})"
    notifications.notify(
        db,
        kind,
        text,
        link=f"/admin/items/{item_id}#insight",
        data={
            "item_id": item_id,
            "title": title,
            "partner": sender,
            "partner_name": partner,
            "channels": channels,
        },
    )


async def handle_copy_report(app: web.Application, sender: str, activity: dict[str, Any]) -> bool:
    """Create/Update of a partner's copy with mk:derivedFrom pointing at our item.

    Returns False when the activity is no report on one of our items (the caller then
    treats it otherwise); raises :class:`Refused` when it is one but the sender is not in
    the item's audience.  The insight rows and the ``item.used_by_partner`` webhook event
    are written in one transaction, keyed by the activity id, so a re-delivered report
    changes nothing.
    """
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return False
    derived = object_id(_first(obj, MK_DERIVED))
    item_id = _our_item_id(app, derived)
    if not item_id:
        if derived and derived.startswith(app[IDENTITY].base_url + "/"):
            raise Refused(f"report on {derived}, which is not one of our items")
        return False
    channels = _first(obj, MK_CHANNELS) or []
    channels = [channels] if isinstance(channels, str) else list(channels)
    channels = [clip_channel(c) for c in channels if isinstance(c, str) and c.strip()]
    used = activity["type"] == "Create"
    what = "use report" if used else "publication report"

    def apply(db) -> int:
        check_receipt(db, item_id, sender, "report", what)
        recorded = 0
        if used:
            recorded += insight.record(
                db,
                item_id,
                "used",
                partner_actor=sender,
                activity_id=activity["id"],
                detail={"copy": obj.get("id")},
            )
        for channel in channels:
            recorded += insight.record(
                db,
                item_id,
                "published",
                partner_actor=sender,
                channel=channel,
                activity_id=f"{activity['id']}#{channel}",
            )
        if recorded:
            _notify(db, item_id, sender, used, channels)
            webhooks.queue_event(
                db,
                "item.used_by_partner",
                {
                    "item_id": item_id,
                    "partner": sender,
                    "copy": obj.get("id"),
                    "event": "used" if used else "published",
                    "channels": channels,
                },
            )
        return recorded

    recorded = await app[DB].write(apply)
    if recorded:
        webhooks.wake(app)
    log.info(
        "%s reported %s of %s (channels %s, %s new)",
        sender,
        activity["type"],
        item_id,
        channels,
        recorded,
    )
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

    def apply(db) -> None:
        check_receipt(db, item_id, sender, "removal", "removal confirmation")
        insight.record(
            db, item_id, "removal_confirmed", partner_actor=sender, activity_id=activity["id"]
        )

    await app[DB].write(apply)
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

    def apply(db) -> None:
        check_receipt(db, item_id, sender, "reaction", event)
        insight.record(db, item_id, event, partner_actor=sender, activity_id=activity["id"])

    try:
        await app[DB].write(apply)
    except Refused as exc:  # logged here: a refused reply may still be a contribution
        log.info("refused %s %s from %s: %s", kind, activity.get("id"), sender, exc.detail)
