"""HTTP API for media: upload to an item (multipart or raw body), download, info, renditions.

Bodies are read in chunks straight into :class:`MediaStore` — never with
``request.read()`` or ``request.post()``, which would hold the file in memory (and
are capped at the JSON limit anyway).  The store is created in ``cleanup_ctx`` and
registered as ``app[SERVICES].media_store`` for other modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import hdrs, web
from aiohttp.multipart import content_disposition_filename, parse_content_disposition
from PIL import Image

from node import services
from node.core.appkeys import DB, SETTINGS
from node.core.errors import BadRequest, NotFound, UnsupportedMediaType
from node.http.api.auth import require_scope
from node.items.service import item_exists
from node.media import service
from node.media.multipart import form_parts, part_chunks, read_text_part
from node.media.queries import api_json, get_media, get_rendition
from node.media.serve import file_response
from node.media.store import MediaStore, TempBlob, too_large
from node.sharing.services import SERVICES

routes = web.RouteTableDef()
MAX_ALT_FIELD = 16 * 1024


async def _body_chunks(request: web.Request) -> AsyncIterator[bytes]:
    """The raw body in chunks; a client that goes away mid-body becomes a clear 400."""
    try:
        while chunk := await request.content.readany():
            yield chunk
    except (ConnectionError, EOFError, OSError) as exc:
        raise BadRequest(f"The upload was interrupted: {exc}") from exc
    except Exception as exc:  # aiohttp's payload errors have no common public base here
        if type(exc).__module__.startswith("aiohttp"):
            raise BadRequest(f"The upload was interrupted: {exc}") from exc
        raise


async def _receive_multipart(
    request: web.Request, upload: dict[str, Any]
) -> tuple[TempBlob, str | None, str | None]:
    temp: TempBlob | None = None
    filename = alt = None
    store = request.app[SERVICES].media_store
    try:
        async for part in form_parts(request):
            if part.name == "file" and temp is None:
                filename = part.filename
                temp = await service.upload(
                    **upload,
                    chunks=part_chunks(part),
                    filename=filename,
                    declared_type=part.headers.get(hdrs.CONTENT_TYPE),
                    alt=None,
                )
            elif part.name == "file":
                raise BadRequest("Send one 'file' per request.")
            elif part.name == "alt":
                alt = await read_text_part(
                    part,
                    MAX_ALT_FIELD,
                    lambda: BadRequest(f"The 'alt' field is longer than {MAX_ALT_FIELD} bytes."),
                )
            else:
                raise BadRequest(f"Unknown form field {part.name!r}: expected 'file' and 'alt'.")
    except ValueError as exc:
        await _drop(store, temp)
        raise BadRequest(f"Malformed multipart body: {exc}") from exc
    except BaseException:
        await _drop(store, temp)
        raise
    if temp is None:
        raise BadRequest("The multipart body has no 'file' field.")
    return temp, filename, alt


async def _drop(store: MediaStore, temp: TempBlob | None) -> None:
    if temp is not None:
        await store.run(store.discard, temp)


def _raw_filename(request: web.Request) -> str | None:
    header = request.headers.get(hdrs.CONTENT_DISPOSITION)
    if header:
        _, params = parse_content_disposition(header)
        name = content_disposition_filename(params, "filename")
        if name:
            return name
    return request.query.get("filename")


@routes.post("/api/v1/items/{id}/media")
@require_scope("write")
async def upload_media(request: web.Request) -> web.Response:
    """Attach one file to an item; 201 with the media description."""
    item_id = request.match_info["id"]
    db, settings = request.app[DB], request.app[SETTINGS]
    if not await db.read(lambda d: item_exists(d, item_id)):
        raise NotFound(f"There is no item {item_id!r}.")
    biggest = max(settings.max_bytes_for(c) for c in ("image", "video", "audio", "document"))
    length = request.content_length
    if length is not None and length > biggest:
        raise too_large(length, biggest, "file")
    store = request.app[SERVICES].media_store
    upload = {"db": db, "store": store, "settings": settings, "item_id": item_id}
    if request.content_type == "multipart/form-data":
        temp, filename, alt = await _receive_multipart(request, upload)
    elif request.content_type.startswith("multipart/"):
        raise UnsupportedMediaType(
            f"{request.content_type} is not accepted: use multipart/form-data or a raw body."
        )
    else:
        filename, alt = _raw_filename(request), request.query.get("alt")
        declared = request.headers.get(hdrs.CONTENT_TYPE)
        temp = await service.upload(
            **upload,
            chunks=_body_chunks(request),
            declared_type=declared,
            filename=filename,
            alt=alt,
            expected_size=length,
        )
    distributor = request.app[SERVICES].distributor
    body = await service.finish(
        **upload, temp=temp, filename=filename, alt=alt, consequences=distributor.queue_changed
    )
    distributor.wake()
    return web.json_response(body, status=201, headers={hdrs.LOCATION: body["url"]})


async def _media_row(request: web.Request) -> dict[str, Any]:
    media_id = request.match_info["id"]
    row = await request.app[DB].read(lambda d: get_media(d, media_id))
    if row is None:
        raise NotFound(f"There is no media {media_id!r}.")
    return row


@routes.get("/api/v1/media/{id}")
@require_scope("read")
async def download(request: web.Request) -> web.StreamResponse:
    row = await _media_row(request)
    path = request.app[SERVICES].media_store.path_for(row["sha256"])
    return file_response(path, row["media_type"], row["sha256"], row["original_name"])


@routes.get("/api/v1/media/{id}/info")
@require_scope("read")
async def info(request: web.Request) -> web.Response:
    row = await _media_row(request)
    return web.json_response(api_json(row, request.app[SETTINGS].base_url))


@routes.get("/api/v1/media/{id}/renditions/{name}")
@require_scope("read")
async def rendition(request: web.Request) -> web.StreamResponse:
    media_id, name = request.match_info["id"], request.match_info["name"]
    row = await request.app[DB].read(lambda d: get_rendition(d, media_id, name))
    if row is None:
        raise NotFound(f"Media {media_id!r} has no rendition {name!r}.")
    stem = row["original_name"].rsplit(".", 1)[0] or "media"
    path = request.app[SERVICES].media_store.path_for(row["sha256"])
    return file_response(path, row["media_type"], row["sha256"], f"{stem}-{name}.jpg")


@routes.get(r"/profile/{which:icon|image}/{sha:[0-9a-f]{64}}.jpg")
async def profile_picture(request: web.Request) -> web.StreamResponse:
    """The organisation's avatar or header image: public, like the actor that names it."""
    which, sha = request.match_info["which"], request.match_info["sha"]
    path = services.profile_picture(request.app, which, sha)
    if path is None:
        raise NotFound("This is not the organisation's current picture.")
    response = file_response(path, "image/jpeg", sha)
    response.headers[hdrs.CACHE_CONTROL] = "public, max-age=31536000, immutable"
    return response


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    """Create the store, clear temp files a crash left behind, set Pillow's bomb limit."""
    settings = app[SETTINGS]
    store = app[SERVICES].media_store
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels

    def clear_tmp() -> None:  # no upload of this node can be running yet
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(store.tmp_dir)
        store.tmp_dir.mkdir(parents=True, exist_ok=True)

    await store.run(clear_tmp)
    yield
    await asyncio.get_running_loop().run_in_executor(None, store.close)


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_store_ctx)
    app.router.add_routes(routes)
