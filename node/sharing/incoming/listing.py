"""Add / Remove on a partner's mediatheek: a listing appears in, or leaves, our index."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.core.appkeys import DB
from node.mediatheek import store as index
from node.sharing import partners_store
from node.sharing.incoming.common import Refused, log, object_id, parse_item, require_origin
from node.sharing.listings import listing_from_item


def _check_target(db, sender: str, activity: dict[str, Any], what: str) -> dict[str, Any]:
    partner = partners_store.get_by_actor(db, sender)
    if not partner or partner["state"] != "active":
        raise Refused(f"{what} from {sender}, which is not a partner")
    target = object_id(activity.get("target"))
    if not target or target != (partner["mediatheek_url"] or f"{sender}/mediatheek"):
        raise Refused(f"{what}: target {target} is not {sender}'s mediatheek")
    return partner


async def handle_add(
    app: web.Application, sender: str, activity: dict[str, Any], proof_verified: bool
) -> None:
    if not proof_verified:
        raise Refused("Add: a listing must carry a valid object proof")
    obj = activity.get("object")
    item = parse_item(sender, obj, "Add")

    def apply(db):
        partner = _check_target(db, sender, activity, "Add")
        return index.upsert_listing(
            db,
            listing_from_item(
                item,
                origin_actor=sender,
                origin_name=partner["name"],
                document=obj,
                local=False,
                proof_ok=True,
            ),
        )

    listing_id = await app[DB].write(apply)
    log.info("listing %s from %s indexed as %s", item["uri"], sender, listing_id)


async def handle_remove(app: web.Application, sender: str, activity: dict[str, Any]) -> None:
    obj_id = require_origin(sender, object_id(activity.get("object")), "Remove")

    def apply(db):
        _check_target(db, sender, activity, "Remove")
        return index.withdraw_listing(db, obj_id)

    changed = await app[DB].write(apply)
    log.info("listing %s withdrawn by %s (%s)", obj_id, sender, changed)
