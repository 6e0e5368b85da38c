"""Use: take a partner's item into our own library, with provenance, and tell the origin.

Order matters for "nothing half-stored": every media file is fetched and
digest-checked first (temp files only); then one database write creates the
item, its media rows and provenance together; only then is the origin told.
Any failure before the write discards every temp file.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import web

from node.appkeys import DB, IDENTITY, SERVICES, SETTINGS
from node.clock import iso
from node.errors import Conflict, NotFound
from node.items import service as items
from node.items import visibility
from node.items.model import EDITABLE_FIELDS
from node.media import service as media_service
from node.media.store import TempBlob
from node.sharing import outgoing
from node.sharing.media_fetch import fetch_media
from protocol import activities, mapping
from protocol.result import Failure

#: What a copy takes over from the origin's item (the body is mapped separately).
_ITEM_FIELDS = tuple(f for f in EDITABLE_FIELDS if f != "body")


def _create_fields(item: dict[str, Any]) -> dict[str, Any]:
    data = {k: item[k] for k in _ITEM_FIELDS if item.get(k) not in (None, "")}
    data["kind"] = item["kind"]
    data["body"] = item.get("body_html") or ""
    data["title"] = (data.get("title") or "(zonder titel)")[:300]
    data["summary"] = (data.get("summary") or "")[:2000]
    if data.get("licence"):
        from node.items.licences import normalise_licence

        try:
            data["licence"] = normalise_licence(data["licence"])
        except ValueError:
            data["usage_terms"] = f"{data.get('usage_terms', '')}\nLicentie: {data['licence']}"
            data.pop("licence")
    if data.get("location") and not data["location"].get("name"):
        data.pop("location")
    return data


async def use_object(
    app: web.Application, document: dict[str, Any], origin_actor: str, origin_name: str
) -> dict[str, Any]:
    """Copy the origin's object into our library; returns the new item."""
    item = mapping.object_to_item(document)
    if isinstance(item, Failure):
        raise Conflict(f"The shared object cannot be used: {item.detail}")
    visibility.check_usable(item)
    store, settings, fed = app[SERVICES]["media_store"], app[SETTINGS], app[SERVICES]["federation"]
    temps: list[tuple[TempBlob, dict[str, Any]]] = []
    analyses: list[media_service.Analysis] = []
    try:
        for media in item["media"]:
            temp = await fetch_media(
                fed,
                store,
                media["url"],
                media.get("sha256"),
                settings.max_video_bytes,
                expected_size=media.get("size"),
            )
            temps.append((temp, media))
        for temp, _ in temps:
            analyses.append(await media_service.analyse(store, temp, settings))
        identity = app[IDENTITY]
        provenance = {
            "origin_actor": origin_actor,
            "origin_name": origin_name,
            "original_id": item["uri"],
            "credit": item.get("credit"),
            "licence": item.get("licence"),
            "usage_terms": item.get("usage_terms"),
            "used_at": iso(),
        }

        def create(db):
            new = items.create_item(
                db,
                identity,
                _create_fields(item),
                extra={"derived_from": item["uri"], "provenance": provenance},
            )
            for (temp, media), analysis in zip(temps, analyses, strict=True):
                media_service._record(
                    db,
                    store,
                    new["id"],
                    temp,
                    analysis,
                    media_service.clean_name(None, fallback=temp.sha256[:12]),
                    media_service.clean_alt(media.get("alt")),
                )
            return items.get_item(db, identity, new["id"])

        copy = await app[DB].write(create)
    finally:
        leftovers = [t for t, _ in temps] + [r.temp for a in analyses for r in a.renditions]
        with contextlib.suppress(OSError):
            await asyncio.shield(store.run(_discard, store, leftovers))
    await tell_origin(app, copy, origin_actor, "Create")
    return copy


def _discard(store, temps: list[TempBlob]) -> None:
    for temp in temps:
        store.discard(temp)


async def tell_origin(
    app: web.Application,
    copy: dict[str, Any],
    origin_actor: str,
    kind: str,
    channels: list[str] | None = None,
) -> str:
    """Create (use) or Update (published on channels) of our copy, to the origin only."""
    identity = app[IDENTITY]
    obj = outgoing.item_object(identity, copy, [origin_actor])
    obj["derivedFrom"] = copy["derived_from"]
    if channels:
        obj["publishedOn"] = channels
    builder = activities.create if kind == "Create" else activities.update
    activity = builder(outgoing.activity_id(identity), identity.actor_url, obj, to=[origin_actor])
    return await app[SERVICES]["federation"].publish(activity, [origin_actor])


async def use_share(app: web.Application, share_id: str) -> dict[str, Any]:
    import json

    row = await app[DB].read(
        lambda d: d.execute(
            "SELECT object_id, origin_actor, origin_name, document, state, used_item_id"
            " FROM incoming_shares WHERE id = ?",
            [share_id],
        ).fetchone()
    )
    if row is None:
        raise NotFound(f"There is no share {share_id!r}.")
    _object_id, origin, origin_name, document, state, used = row
    if state in ("retracted", "expired"):
        raise Conflict(
            f"This share was {'retracted' if state == 'retracted' else 'withdrawn'} by its origin.",
            code=f"share-{state}",
        )
    if used:
        raise Conflict("This share is already in your library.", code="already-used", item_id=used)
    copy = await use_object(app, json.loads(document), origin, origin_name)
    await app[DB].write(
        lambda d: d["incoming_shares"].update(
            share_id, {"state": "used", "used_item_id": copy["id"], "updated_at": iso()}
        )
    )
    return copy


async def use_listing(app: web.Application, listing_id: int) -> dict[str, Any]:
    from node.mediatheek import store as index

    listing = await app[DB].read(lambda d: index.get_listing(d, listing_id))
    if listing is None or listing["withdrawn"]:
        raise NotFound(f"There is no listing {listing_id!r}.")
    if listing["local"]:
        raise Conflict("This listing is your own item; it is already in your library.")
    existing = await app[DB].read(
        lambda d: d.execute(
            "SELECT id FROM items WHERE derived_from = ? AND deleted = 0", [listing["object_id"]]
        ).fetchone()
    )
    if existing:
        raise Conflict(
            "This item is already in your library.", code="already-used", item_id=existing[0]
        )
    return await use_object(
        app, listing["document"], listing["origin_actor"], listing.get("origin_name") or ""
    )
