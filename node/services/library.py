"""The library: items and their media.

Async facades for front ends (see ``node.services``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import iso
from node.core.errors import NotFound
from node.items import service as items
from node.sharing.services import SERVICES

# -- items -----------------------------------------------------------------------------


async def list_items(
    app: web.Application, filters: dict[str, str], limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of items, newest first, and the cursor of the next page."""
    identity = app[IDENTITY]
    return await app[DB].read(
        lambda db: items.list_items(db, identity, filters, limit, cursor, iso())
    )


async def item_states(app: web.Application, items_: list[dict[str, Any]]) -> dict[str, Any]:
    """The workflow states (:mod:`node.items.states`) of each item, by id."""
    from node.items import states

    return await app[DB].read(lambda db: states.states_for(db, items_, iso()))


async def get_item(app: web.Application, item_id: str) -> dict[str, Any]:
    identity = app[IDENTITY]
    return await app[DB].read(lambda db: items.get_item(db, identity, item_id))


async def list_versions(app: web.Application, item_id: str) -> list[dict[str, Any]]:
    """The earlier versions of an item, newest first."""
    return await app[DB].read(lambda db: items.list_versions(db, item_id))


async def item_exists(app: web.Application, item_id: str) -> bool:
    return await app[DB].read(lambda db: items.item_exists(db, item_id))


async def create_item(
    app: web.Application, data: dict[str, Any], *, author: str = ""
) -> dict[str, Any]:
    identity = app[IDENTITY]
    return await app[DB].write(lambda db: items.create_item(db, identity, data, author=author))


async def update_item(app: web.Application, item_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Edit an item; the new version reaches every partner and follower who has it."""
    return await app[SERVICES].distributor.update_item(item_id, data)


async def save_item(
    app: web.Application,
    item_id: str,
    fields: dict[str, Any],
    audience: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The editor's one save: changed fields, then the regie, in one transaction.

    ``fields`` are the changed item fields (may be empty); ``audience`` is
    {"partners", "mediatheek", "public"} or None to leave it.  Partners added now
    receive the new version, with its embargo and terms; those who had it get an
    Update.  Returns {"item", "audience"}; a refusal of either part stores nothing.
    """
    return await app[SERVICES].distributor.save_item(item_id, fields, audience)


async def delete_item(app: web.Application, item_id: str) -> None:
    """Delete, and tell every partner and follower who has the item to remove it."""
    await app[SERVICES].distributor.delete_item(item_id)


# -- media -----------------------------------------------------------------------------


async def ingest_media(
    app: web.Application,
    item_id: str,
    chunks: AsyncIterator[bytes],
    *,
    filename: str | None,
    declared_type: str | None,
    alt: str | None = None,
    suggest_title: bool = False,
    strip_metadata: bool = False,
) -> dict[str, Any]:
    """Stream one file into the media store and attach it to an item.

    The same two steps as the API upload (receive, then analyse and record): if the
    client goes away or a check fails, the temp file is removed and no row is written.

    A photo's own metadata (EXIF/IPTC/XMP, read before its location is stripped)
    fills the item's empty credit, usage terms and summary, and — with
    ``suggest_title``, for an item the upload itself created — the title from the
    caption (never from the file name); all in the transaction that records the file.
    ``strip_metadata`` remuxes video and audio without location and device metadata.
    """
    from node.media import embedded as embedded_meta
    from node.media import service as media

    if not await item_exists(app, item_id):
        raise NotFound(f"There is no item {item_id!r}.")
    store = app[SERVICES].media_store
    upload = {"db": app[DB], "store": store, "settings": app[SETTINGS], "item_id": item_id}
    found: dict[str, Any] = {}
    temp = await media.upload(
        **upload,
        chunks=chunks,
        declared_type=declared_type,
        filename=filename,
        alt=alt,
        embedded=found,
    )
    if strip_metadata and temp.detected.category in ("video", "audio"):
        try:
            temp = await media.without_av_metadata(store, temp)
        except BaseException:
            await store.run(store.discard, temp)
            raise
    distributor = app[SERVICES].distributor
    identity = app[IDENTITY]

    def consequences(db: Any, changed_id: str) -> None:
        if found:
            item = items.get_item(db, identity, changed_id)
            fields = embedded_meta.suggestions(item, found, title=suggest_title)
            if fields:
                items.update_item(db, identity, changed_id, fields)
        distributor.queue_changed(db, changed_id)

    body = await media.finish(
        **upload,
        temp=temp,
        filename=filename,
        alt=alt,
        consequences=consequences,
        embedded=found,
    )
    distributor.wake()
    return body


async def embedded_metadata(app: web.Application, item_id: str) -> list[dict[str, Any]]:
    """What the item's photos said about themselves (date taken, a location the editor
    may take over), per media id, for the editor only."""
    import json

    def load(db: Any) -> list[dict[str, Any]]:
        rows = db.execute(
            "SELECT id, taken_at, embedded FROM media WHERE item_id = ? ORDER BY position",
            [item_id],
        ).fetchall()
        return [{"id": r[0], "taken_at": r[1], **json.loads(r[2] or "{}")} for r in rows]

    return await app[DB].read(load)


async def media_file(
    app: web.Application, media_id: str, rendition: str | None = None
) -> web.StreamResponse:
    """A streaming (sendfile, Range) response for a stored file or one of its renditions."""
    from node.media.queries import get_media, get_rendition
    from node.media.serve import file_response

    if rendition is None:
        row = await app[DB].read(lambda db: get_media(db, media_id))
        if row is None:
            raise NotFound(f"There is no media {media_id!r}.")
        path = app[SERVICES].media_store.path_for(row["sha256"])
        return file_response(path, row["media_type"], row["sha256"], row["original_name"])
    row = await app[DB].read(lambda db: get_rendition(db, media_id, rendition))
    if row is None:
        raise NotFound(f"Media {media_id!r} has no rendition {rendition!r}.")
    stem = row["original_name"].rsplit(".", 1)[0] or "media"
    path = app[SERVICES].media_store.path_for(row["sha256"])
    return file_response(path, row["media_type"], row["sha256"], f"{stem}-{rendition}.jpg")
