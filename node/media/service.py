"""One upload from body to rows: receive → check → analyse → place and record, or nothing.

The order is what keeps refusals clean: the body lands in a temp file, every check
and analysis runs against that temp file, and only when all passed are the blobs
linked into the store and the rows inserted — both inside one call on the database
writer thread, so that a failed insert unlinks exactly the blobs this upload created
and no concurrent upload can be between "blob placed" and "row written".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from PIL import Image

from node.core.clock import iso, new_id
from node.core.db import Database
from node.core.errors import NotFound, ValidationFailed
from node.core.settings import Settings
from node.media import images, probe, scrub
from node.media.detect import Detected, check_claims, clean_name, refine_zip
from node.media.embedded import read_embedded
from node.media.queries import api_json, blob_in_use, get_media
from node.media.store import MediaStore, TempBlob, too_large

MAX_ALT = 1500
T = TypeVar("T")


@dataclass
class Analysis:
    detected: Detected
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    blurhash: str | None = None
    renditions: list[images.Rendition] = field(default_factory=list)


async def _in_thread(
    store: MediaStore, orphan: Callable[[Any], list[TempBlob]], fn: Callable[..., T], *args: Any
) -> T:
    """Run ``fn`` on the store's threads; if we are cancelled meanwhile, the thread still
    finishes, so the temp files it made (``orphan(result)``) are removed when it does."""
    fut = asyncio.ensure_future(store.run(fn, *args))
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:

        def cleanup(done: asyncio.Future) -> None:
            if not done.cancelled() and done.exception() is None:
                store.executor.submit(_discard_all, store, orphan(done.result()))

        fut.add_done_callback(cleanup)
        raise


def clean_alt(raw: str | None) -> str:
    text = "".join(c for c in (raw or "") if c >= " " or c in "\n\t").strip()
    return text[:MAX_ALT]


async def _analyse_av(store: MediaStore, temp: TempBlob, settings: Settings) -> Analysis:
    info = await probe.probe(temp.path, temp.detected.category)
    detected = probe.reclassify(temp.detected, info)
    limit = settings.max_bytes_for(detected.category)
    if temp.size > limit:
        raise too_large(temp.size, limit, detected.category)
    result = Analysis(detected, info.width, info.height, info.duration)
    if not info.has_video:
        return result
    poster = store.tmp_dir / f"poster-{uuid.uuid4().hex}.jpg"
    try:
        if await probe.poster_frame(temp.path, poster, info.duration):
            result.blurhash, result.renditions = await _in_thread(
                store,
                lambda made: made[1],
                _poster_renditions,
                store,
                poster,
                settings.max_image_pixels,
            )
    finally:
        await asyncio.shield(store.run(lambda: poster.unlink(missing_ok=True)))
    return result


def _poster_renditions(
    store: MediaStore, poster: Path, max_pixels: int
) -> tuple[str | None, list[images.Rendition]]:
    """Poster frame as rendition "poster", plus thumbnail and blurhash made from it."""
    if not poster.exists() or poster.stat().st_size == 0:
        return None, []
    info = images.analyse_image(poster, max_pixels, store, renditions=False)
    made = [
        images.Rendition(
            "poster", store.write_temp(poster.read_bytes(), images.JPEG), info.width, info.height
        )
    ]
    with images.open_checked(poster, max_pixels) as frame:
        data, w, h = images.encode_jpeg(frame.convert("RGB"), images.SIZES["thumbnail"])
    made.append(images.Rendition("thumbnail", store.write_temp(data, images.JPEG), w, h))
    return info.blurhash, made


async def analyse(store: MediaStore, temp: TempBlob, settings: Settings) -> Analysis:
    """Decode enough of the file to know it is what it claims and to describe it."""
    category = temp.detected.category
    if category == "image":
        info = await _in_thread(
            store,
            lambda i: [r.temp for r in i.renditions],
            images.analyse_image,
            temp.path,
            settings.max_image_pixels,
            store,
        )
        return Analysis(
            temp.detected, info.width, info.height, None, info.blurhash, info.renditions
        )
    if category in ("video", "audio"):
        return await _analyse_av(store, temp, settings)
    return Analysis(await store.run(refine_zip, temp.path, temp.detected))


def _record(
    db: sqlite_utils.Database,
    store: MediaStore,
    item_id: str,
    temp: TempBlob,
    result: Analysis,
    name: str,
    alt: str,
    embedded: dict[str, Any] | None = None,
) -> str:
    """Place the blobs and insert the rows (writer thread); undo placed blobs on failure."""
    if not db.execute("SELECT 1 FROM items WHERE id = ? AND deleted = 0", [item_id]).fetchone():
        raise NotFound(f"There is no item {item_id!r}.")
    created: list[str] = []
    try:
        media_id = new_id()
        position = db.execute(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM media WHERE item_id = ?", [item_id]
        ).fetchone()[0]
        for blob in [temp, *(r.temp for r in result.renditions)]:
            if store.place(blob):
                created.append(blob.sha256)
        db["media"].insert(
            {
                "id": media_id,
                "item_id": item_id,
                "position": position,
                "sha256": temp.sha256,
                "size": temp.size,
                "media_type": result.detected.media_type,
                "category": result.detected.category,
                "original_name": name,
                "width": result.width,
                "height": result.height,
                "duration": result.duration,
                "blurhash": result.blurhash,
                "focal_point": None,
                "alt": alt,
                "created_at": iso(),
                "taken_at": (embedded or {}).get("taken_at"),
                "embedded": json.dumps(
                    {k: v for k, v in (embedded or {}).items() if k != "taken_at"},
                    ensure_ascii=False,
                ),
            }
        )
        for r in result.renditions:
            db["renditions"].insert(
                {
                    "media_id": media_id,
                    "name": r.name,
                    "sha256": r.temp.sha256,
                    "size": r.temp.size,
                    "media_type": r.temp.detected.media_type,
                    "width": r.width,
                    "height": r.height,
                }
            )
    except BaseException:
        for sha in created:
            if not blob_in_use(db, sha):  # our own uncommitted rows are rolled back next
                store.remove(sha)
        raise
    return media_id


async def upload(
    *,
    db: Database,
    store: MediaStore,
    settings: Settings,
    item_id: str,
    chunks: AsyncIterator[bytes],
    declared_type: str | None,
    filename: str | None,
    alt: str | None,
    expected_size: int | None = None,
    embedded: dict[str, Any] | None = None,
) -> TempBlob:
    """Receive the body into a temp file (step one; ``finish`` does the rest).

    An image's own metadata (EXIF/IPTC/XMP: creator, copyright, caption, date taken,
    location) is read into ``embedded`` when a dict is given — before the location is
    stripped from the file, which happens here for every image.
    """
    temp = await store.receive(
        chunks, lambda d: settings.max_bytes_for(d.category), expected_size=expected_size
    )
    try:
        check_claims(temp.detected, declared_type, filename)
        if temp.detected.category == "image":
            if embedded is not None:
                embedded.update(await store.run(read_embedded, temp.path))
            temp = await without_location(store, temp, settings)
    except BaseException:
        await asyncio.shield(store.run(store.discard, temp))
        raise
    return temp


async def without_location(store: MediaStore, temp: TempBlob, settings: Settings) -> TempBlob:
    """The image without GPS/XMP (a new temp blob, re-hashed); the same one if it had none."""

    def run() -> TempBlob:
        dst = store.new_temp_path()
        try:
            changed = scrub.scrub_image(
                temp.path, dst, temp.detected.media_type, settings.max_image_pixels
            )
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            changed = False  # undecodable or a bomb: analysis refuses it with a clear reason
        if not changed:
            dst.unlink(missing_ok=True)
            return temp
        return _replaced_by(temp, dst)

    return await store.run(run)


def _replaced_by(temp: TempBlob, dst: Path) -> TempBlob:
    """The cleaned copy ``dst`` as the upload's blob, hashed again; the original goes.
    Blocking (reads the whole file): call it on the store's thread."""
    hasher = hashlib.sha256()
    with dst.open("rb") as fin:
        while chunk := fin.read(1 << 20):
            hasher.update(chunk)
    temp.path.unlink(missing_ok=True)
    return TempBlob(dst, hasher.hexdigest(), dst.stat().st_size, temp.detected)


async def without_av_metadata(store: MediaStore, temp: TempBlob) -> TempBlob:
    """A video or audio file remuxed without any metadata (GPS, device, tags), re-hashed;
    the same blob when it is no container ffmpeg remuxes.  ffmpeg runs as a process, so
    the event loop never waits on it; a failed remux refuses the upload (nothing is
    stored) rather than keeping a copy that may carry a location."""
    container = scrub.CONTAINERS.get(temp.detected.media_type)
    if container is None:
        return temp
    dst = store.new_temp_path()
    if not await scrub.scrub_av(temp.path, dst, container):
        await store.run(lambda: dst.unlink(missing_ok=True))
        raise ValidationFailed(
            "The file's metadata could not be removed (ffmpeg could not remux it).",
            code="metadata-not-removed",
        )

    return await store.run(lambda: _replaced_by(temp, dst))


async def finish(
    *,
    db: Database,
    store: MediaStore,
    settings: Settings,
    item_id: str,
    temp: TempBlob,
    filename: str | None,
    alt: str | None,
    consequences: Callable[[sqlite_utils.Database, str], None] | None = None,
    embedded: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Analyse the received file and record it; every temp file is gone afterwards.

    ``consequences(db, item_id)`` runs in the same transaction as the media row, so
    that what the new file means for the item's audience commits with it.
    """
    result: Analysis | None = None
    try:
        result = await analyse(store, temp, settings)
        name = clean_name(filename, fallback=f"upload-{temp.sha256[:12]}")
        analysed = result

        def record(d: sqlite_utils.Database) -> str:
            new_id = _record(d, store, item_id, temp, analysed, name, clean_alt(alt), embedded)
            if consequences is not None:
                consequences(d, item_id)
            return new_id

        media_id = await db.write(record)
    finally:
        leftovers = [temp, *(r.temp for r in (result.renditions if result else []))]
        await asyncio.shield(store.run(_discard_all, store, leftovers))
    row = await db.read(lambda d: get_media(d, media_id))
    assert row is not None
    return api_json(row, settings.base_url)


def _discard_all(store: MediaStore, temps: list[TempBlob]) -> None:
    for temp in temps:
        with contextlib.suppress(OSError):
            store.discard(temp)
