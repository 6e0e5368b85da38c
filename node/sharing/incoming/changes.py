"""Update, Delete and Undo(Offer) from an item's origin: follow its changes everywhere."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from node.core import outbox
from node.core.appkeys import DB, IDENTITY
from node.core.clock import iso
from node.items import service as items
from node.mediatheek import store as index
from node.sharing import notifications, partners_store
from node.sharing.incoming.common import Refused, log, object_id, parse_item, require_origin
from node.sharing.listings import listing_from_item
from node.sharing.objects import activity_id
from node.sharing.services import SERVICES
from protocol import activities


async def handle_update(app: web.Application, sender: str, activity: dict[str, Any]) -> None:
    obj = activity.get("object")
    item = parse_item(sender, obj, "Update")

    def apply(db):
        listing = index.get_listing(db, item["uri"])
        share = db.execute(
            "SELECT id, origin_actor FROM incoming_shares WHERE object_id = ?", [item["uri"]]
        ).fetchone()
        owners = {o for o in (listing and listing["origin_actor"], share and share[1]) if o}
        if not owners:
            raise Refused(f"Update of {item['uri']}, which we never received")
        if owners != {sender}:
            raise Refused(f"Update of {item['uri']} from {sender}, who is not its origin")
        if listing:
            index.upsert_listing(
                db,
                listing_from_item(
                    item,
                    origin_actor=sender,
                    origin_name=listing.get("origin_name") or "",
                    document=obj,
                    local=False,
                    proof_ok=bool(listing.get("proof_ok")),
                ),
            )
        if share:
            db["incoming_shares"].update(
                share[0],
                {
                    "title": item["title"],
                    "kind": item["kind"],
                    "document": json.dumps(obj, ensure_ascii=False),
                    "embargo_until": item.get("embargo_until"),
                    "expires_at": item.get("expires_at"),
                    "updated_at": iso(),
                },
            )

    await app[DB].write(apply)
    log.info("update of %s from %s applied", item["uri"], sender)


async def handle_delete(app: web.Application, sender: str, activity: dict[str, Any]) -> list[str]:
    """Withdraw the listing and share; remove our copies.  Returns copies removed.

    Removing a copy is a change to an item we may have passed on (to our followers or
    partners), so it goes on to them as our own withdrawal; the origin gets an Accept
    confirming the removal.  All of it commits in the one transaction.
    """
    obj_id = require_origin(sender, object_id(activity.get("object")), "Delete")
    identity, distributor = app[IDENTITY], app[SERVICES].distributor

    def apply(db):
        listing = index.get_listing(db, obj_id)
        share = db.execute(
            "SELECT id, origin_actor FROM incoming_shares WHERE object_id = ?", [obj_id]
        ).fetchone()
        copies = [
            r[0]
            for r in db.execute(
                "SELECT id FROM items WHERE derived_from = ? AND deleted = 0", [obj_id]
            )
        ]
        if not (listing or share or copies):
            return None
        if listing:
            index.delete_listing(db, obj_id)
        if share:
            db["incoming_shares"].update(share[0], {"state": "expired", "updated_at": iso()})
        for copy_id in copies:
            distributor.queue_withdrawal(db, items.get_item(db, identity, copy_id))
            db["items"].update(copy_id, {"deleted": 1, "updated_at": iso()})
            db.execute("UPDATE audience SET public = 0 WHERE item_id = ?", [copy_id])
        if copies:
            confirm = activities.accept(
                activity_id(identity), identity.actor_url, activity, to=[sender]
            )
            outbox.enqueue(db, confirm, [sender])
            notifications.notify(
                db,
                "copy_removed",
                f"Kopie verwijderd op verzoek van de bron: {obj_id}",
                data={"object": obj_id, "copies": copies},
            )
        return copies

    copies = await app[DB].write(apply)
    distributor.wake()
    if copies is None:
        log.info("Delete of %s from %s: never received, nothing to do", obj_id, sender)
        return []
    return copies


async def handle_undo_offer(app: web.Application, sender: str, activity: dict[str, Any]) -> None:
    offer = activity.get("object")
    target = object_id(offer.get("object")) if isinstance(offer, dict) else None
    obj_id = require_origin(sender, target, "Undo(Offer)")

    def apply(db):
        row = db.execute(
            "SELECT id, origin_actor FROM incoming_shares WHERE object_id = ?", [obj_id]
        ).fetchone()
        if not row:
            return False
        if row[1] != sender:
            raise Refused(f"Undo(Offer) of {obj_id} from {sender}, who did not offer it")
        db["incoming_shares"].update(row[0], {"state": "retracted", "updated_at": iso()})
        return True

    retracted = await app[DB].write(apply)
    log.info("share %s retracted by %s (%s)", obj_id, sender, retracted)


#: Actor types an organisation (or a person) is published as.
ACTOR_TYPES = ("Organization", "Person", "Service", "Group", "Application")


def _icon_url(document: dict[str, Any]) -> str | None:
    icon = document.get("icon")
    if isinstance(icon, list):
        icon = icon[0] if icon else None
    url = icon.get("url") if isinstance(icon, dict) else icon
    if isinstance(url, list):
        url = url[0] if url else None
    if isinstance(url, dict):
        url = url.get("href")
    if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 2000:
        return url
    return None


async def handle_actor_update(app: web.Application, sender: str, activity: dict[str, Any]) -> bool:
    """``Update`` of the sender's own actor: refresh the partner's cached name and avatar.

    Returns False when the object is no actor (the caller treats it otherwise).  Only the
    actor itself may describe itself (the signature already proved the sender); an Update
    of someone else's actor is refused.  The name goes to the partner row, and to the
    shares and listings we hold from it, in one transaction.
    """
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") not in ACTOR_TYPES:
        return False
    if object_id(obj) != sender:
        raise Refused(f"Update of actor {object_id(obj)} from {sender}, who is not that actor")
    name = " ".join(str(obj.get("name") or obj.get("preferredUsername") or "").split())[:200]
    icon = _icon_url(obj)

    def apply(db) -> bool:
        known = partners_store.update_profile(db, sender, name=name, icon_url=icon)
        if known and name:
            db.execute(
                "UPDATE incoming_shares SET origin_name = ? WHERE origin_actor = ?", [name, sender]
            )
            db.execute(
                "UPDATE listings SET origin_name = ? WHERE origin_actor = ? AND origin_name != ?",
                [name, sender, name],
            )
        return known

    known = await app[DB].write(apply)
    log.info("actor update from %s: %s", sender, "profile refreshed" if known else "not a partner")
    return True
