"""Accepting a contribution: its files become item media of a new draft item.

Each file is made ready before anything is written — fetched (fediverse),
stripped of location data (:mod:`node.media.scrub`), and analysed
exactly as an editor's upload is (so renditions, blurhash and sizes exist) —
and then one write creates the item, records the media and marks the
contribution accepted.  If any step fails nothing is half-stored and the
contribution stays pending; every temp file is removed either way.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from node.contributions import store as queue
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.errors import Conflict
from node.items import service as items
from node.media import scrub
from node.media import service as media_service
from node.media.detect import clean_name
from node.media.queries import blob_in_use
from node.media.store import MediaStore, TempBlob
from node.sharing.media_fetch import fetch_media
from node.sharing.services import SERVICES

CHUNK = 1 << 20
KIND_BY_CATEGORY = {"image": "photo", "video": "video", "audio": "audio", "document": "document"}


@dataclass
class Ready:
    temp: TempBlob
    analysis: media_service.Analysis
    name: str
    alt: str


async def _file_chunks(store: MediaStore, path: Path) -> AsyncIterator[bytes]:
    fh = await store.run(path.open, "rb")
    try:
        while chunk := await store.run(fh.read, CHUNK):
            yield chunk
    finally:
        await store.run(fh.close)


async def _scrubbed(
    app: web.Application, store: MediaStore, path: Path, media_type: str
) -> Path | None:
    """A location-free copy of ``path`` in the temp area, or None when it needs none."""
    dst = store.tmp_dir / f"scrub-{uuid.uuid4().hex}"
    category = media_type.split("/", 1)[0]
    if category == "image":
        max_pixels = app[SETTINGS].max_image_pixels
        done = await store.run(scrub.scrub_image, path, dst, media_type, max_pixels)
    elif media_type in scrub.CONTAINERS:
        done = await scrub.scrub_av(path, dst, scrub.CONTAINERS[media_type])
    else:
        done = False
    if not done:
        await store.run(lambda: dst.unlink(missing_ok=True))
        return None
    return dst


async def _prepare_one(app: web.Application, row: dict[str, Any]) -> Ready:
    store: MediaStore = app[SERVICES].media_store
    settings = app[SETTINGS]
    fetched: TempBlob | None = None
    scrubbed: Path | None = None
    try:
        if row["sha256"]:
            source = store.path_for(row["sha256"])
            if not await store.run(source.exists):
                raise Conflict(f"File {row['position']} of this contribution is missing.")
        else:
            limit = lambda d: settings.max_bytes_for(d.category)  # noqa: E731
            fetched = await fetch_media(app[SERVICES].federation, store, row["url"], None, limit)
            source = fetched.path
        media_type = fetched.detected.media_type if fetched else row["media_type"] or ""
        scrubbed = await _scrubbed(app, store, source, media_type)
        temp = await store.receive(
            _file_chunks(store, scrubbed or source), lambda d: settings.max_bytes_for(d.category)
        )
    finally:
        if fetched is not None:
            await store.run(store.discard, fetched)
        if scrubbed is not None:
            await store.run(lambda: scrubbed.unlink(missing_ok=True))
    try:
        analysis = await media_service.analyse(store, temp, settings)
    except BaseException:
        await store.run(store.discard, temp)
        raise
    name = clean_name(row["original_name"], fallback=f"bijdrage-{temp.sha256[:12]}")
    return Ready(temp, analysis, name, media_service.clean_alt(row["alt"]))


def _item_fields(row: dict[str, Any], ready: list[Ready]) -> dict[str, Any]:
    category = ready[0].analysis.detected.category if ready else None
    kind = KIND_BY_CATEGORY.get(category or "", "article")
    body = "".join(f"<p>{html.escape(p)}</p>" for p in row["text"].split("\n\n") if p.strip())
    how = (
        "het bijdrageformulier"
        if row["source"] == "web"
        else f"een fediverse-bericht ({row['note_id']})"
    )
    terms = (
        f"Ingezonden via {how}; de maker gaf toestemming om te publiceren."
        if row["consent"]
        else f"Ingezonden via {how}; vraag de maker toestemming voor publicatie."
    )
    return {
        "kind": kind,
        "title": f"Bijdrage van {row['name']}"[:300],
        "body": body[:200_000],
        "credit": row["name"][:300],
        "author": row["name"][:200],
        "licence": row["licence"],
        "usage_terms": terms,
    }


def _provenance(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": "contribution",
        "contribution_id": row["id"],
        "channel": row["source"],
        "contributor": row["name"],
        "actor": row["actor"],
        "note_id": row["note_id"],
        "licence_granted": row["licence"],
        "consent": bool(row["consent"]),
        "received_at": row["received_at"],
    }


async def accept(app: web.Application, contribution_id: str) -> dict[str, Any]:
    """Make the draft item; 409 when the contribution was already decided."""
    db, identity = app[DB], app[IDENTITY]
    store: MediaStore = app[SERVICES].media_store
    row = await db.read(lambda d: queue.require_pending(d, contribution_id))
    ready: list[Ready] = []
    try:
        for media_row in row["media"]:
            ready.append(await _prepare_one(app, media_row))

        def write(d) -> str:
            current = queue.require_pending(d, contribution_id)
            item = items.create_item(
                d,
                identity,
                _item_fields(current, ready),
                extra={"provenance": _provenance(current)},
            )
            for r in ready:
                media_service._record(d, store, item["id"], r.temp, r.analysis, r.name, r.alt)
            queue.decide(d, contribution_id, "accepted", item_id=item["id"])
            return item["id"]

        try:
            item_id = await db.write(write)
        except BaseException:
            # blobs an earlier file's _record placed were rolled back with their rows
            await release_blobs(app, [b.sha256 for r in ready for b in _blobs(r)])
            raise
    finally:
        leftovers = [b for r in ready for b in _blobs(r)]
        await store.run(media_service._discard_all, store, leftovers)
    await release_blobs(app, [m["sha256"] for m in row["media"] if m["sha256"]])
    return await db.read(lambda d: items.get_item(d, identity, item_id))


def _blobs(ready: Ready) -> list[TempBlob]:
    return [ready.temp, *(r.temp for r in ready.analysis.renditions)]


async def release_blobs(app: web.Application, shas: list[str]) -> None:
    """Remove the citizen's original files once no item and no pending contribution needs them.

    The accepted copies were stripped of location data, so keeping the originals
    would keep exactly what we promised not to publish.
    """
    store: MediaStore = app[SERVICES].media_store

    def drop(d) -> None:
        for sha in set(shas):
            if not blob_in_use(d, sha) and not queue.pending_blob(d, sha):
                store.remove(sha)

    if shas:
        await app[DB].write(drop)
