"""What federation serves for our object URLs, and to whom.

``/items/{id}`` and ``/media/{id}[/{rendition}]`` are answered from the item's
audience (:func:`node.sharing.audience.viewers`): public items to everyone,
others only to a signed request from an actor in the audience — federation
turns everything else into a 404 so existence does not leak.  An item's
document is the object its requester's audience was delivered
(:func:`node.sharing.forms.served_document`, FEDERATION.md §2.1).  Collections
(mediatheek, partners, outbox) are paged from the same rules.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from federation.types import RawJson, ResolvedObject
from node.core.appkeys import DB, IDENTITY
from node.core.clock import iso
from node.items import service as items
from node.items import visibility
from node.media.queries import get_media
from node.sharing import audience, partners_store
from node.sharing.forms import FOLLOWERS, item_document, served_document
from node.sharing.objects import followers_url, with_proof
from node.sharing.services import SERVICES
from protocol.vocab import AS_PUBLIC

#: Items per page of the outbox (built per request, read by fediverse servers).
PAGE = 250
#: Listings per mediatheek page (served as stored, read by back-filling partners).  Each
#: page costs a signed GET, a page signature and a write transaction; at 1,000 a page is
#: about 1.4 MB, and the partner spent 0.35 instead of 0.43 CPU-s per 1,000 listings.
MEDIATHEEK_PAGE = 1000


#: Renders an item's public page for a browser: (app, item_id) -> response (404 if hidden).
ItemHtml = Callable[[web.Application, str], Awaitable[web.Response]]


class Resolvers:
    def __init__(self, app: web.Application, item_html: ItemHtml) -> None:
        self.app = app
        #: The public page of an item, for browsers that ask an item URL for HTML; it is
        #: rendered on the HTTP floor, so the composition root hands it in.
        self.item_html = item_html

    async def item(self, path: str, requester: str | None) -> ResolvedObject | None:
        """The object the requester's audience was delivered (forms.served_document)."""
        item_id = path.removeprefix("/items/").strip("/")
        identity = self.app[IDENTITY]

        def load(db):
            if not items.item_exists(db, item_id):
                return None
            item = items.get_item(db, identity, item_id)
            return served_document(db, identity, item, requester, iso())

        found = await self.app[DB].read(load)
        if found is None:
            return None
        obj, who = found
        return ResolvedObject(
            document=with_proof(identity, obj),
            audience=who,
            html=lambda: self.item_html(self.app, item_id),
        )

    async def media(self, path: str, requester: str | None) -> ResolvedObject | None:
        parts = path.removeprefix("/media/").strip("/").split("/")
        media_id, rendition = parts[0], (parts[1] if len(parts) > 1 else None)
        identity = self.app[IDENTITY]

        def load(db):
            media = get_media(db, media_id)
            if media is None or not media["item_id"]:
                return None
            if not items.item_exists(db, media["item_id"]):
                return None
            item = items.get_item(db, identity, media["item_id"])
            return media, audience.viewers(db, {**item, "deleted": 0}, iso())

        found = await self.app[DB].read(load)
        if found is None:
            return None
        media, who = found
        blob = media if rendition is None else media["renditions"].get(rendition)
        if blob is None:
            return None
        store = self.app[SERVICES].media_store
        return ResolvedObject(
            audience=who, file=(store.path_for(blob["sha256"]), blob["media_type"], blob["sha256"])
        )

    # -- collections -------------------------------------------------------------

    async def mediatheek_page(self, cursor: str | None, requester: str | None):
        """Our listed items, newest first, each with its own proof (for back-fill)."""
        identity = self.app[IDENTITY]
        if requester is None or requester == identity.actor_url:
            allowed = requester is not None
        else:
            allowed = await self.app[DB].read(
                lambda d: partners_store.may_read_mediatheek(d, requester)
            )
        if not allowed:
            return [], None, 0
        before = _decode(cursor)

        def load(db):
            now = iso()
            where = f"local = 1 AND withdrawn = 0 AND {visibility.not_expired_sql('', '?')}"
            # totalItems is served with the collection only (the first request), and the
            # count reads every listing: once per back-fill, not once per page.
            total = (
                0
                if before
                else db.execute(f"SELECT count(*) FROM listings WHERE {where}", [now]).fetchone()[0]
            )
            params: list[Any] = [now]
            if before:
                where += " AND id < ?"
                params.append(int(before))
            rows = db.execute(
                f"SELECT id, document FROM listings WHERE {where} ORDER BY id DESC LIMIT ?",
                [*params, MEDIATHEEK_PAGE + 1],
            ).fetchall()
            return total, rows

        total, rows = await self.app[DB].read(load)
        more = len(rows) > MEDIATHEEK_PAGE
        rows = rows[:MEDIATHEEK_PAGE]
        page = [RawJson(doc) for _, doc in rows]  # served as stored: no decode and re-encode
        return page, (_encode(str(rows[-1][0])) if more and rows else None), total

    async def partners_page(self, cursor: str | None, requester: str | None):
        def load(db):
            if requester is None or not partners_store.is_active(db, requester):
                return [], None, 0
            actors = [p["actor_url"] for p in partners_store.active_partners(db)]
            return actors, None, len(actors)

        return await self.app[DB].read(load)

    async def outbox_page(self, cursor: str | None, requester: str | None):
        """Public items as the Create activities followers received."""
        from node.items.visibility import public_items_sql

        identity = self.app[IDENTITY]
        offset = int(_decode(cursor) or 0)

        def load(db):
            rows = list(
                db.query(public_items_sql() + f" LIMIT {PAGE + 1} OFFSET {offset}", {"now": iso()})
            )
            total = db.execute(
                "SELECT count(*) FROM (" + public_items_sql() + ")", {"now": iso()}
            ).fetchone()[0]
            objects = [
                item_document(db, identity, items.get_item(db, identity, r["id"]), FOLLOWERS)
                for r in rows
            ]
            return total, objects

        total, objects = await self.app[DB].read(load)
        more = len(objects) > PAGE
        page = [
            {
                "id": f"{obj['id']}#create",
                "type": "Create",
                "actor": identity.actor_url,
                "to": [AS_PUBLIC],
                "cc": [followers_url(identity)],
                "object": obj,
            }
            for obj in objects[:PAGE]
        ]
        return page, (_encode(str(offset + PAGE)) if more else None), total


def _encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        return None
