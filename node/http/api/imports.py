"""/api/v1/imports: events and vacancies from an iCalendar file or a page with JSON-LD.

``multipart/form-data`` with one ``file`` part (an .ics file or a saved HTML page),
a raw ``text/calendar`` body, or JSON ``{"url": "https://…"}`` for a page the node
fetches through its outbound guard.  The body is read in chunks and refused with
413 as soon as it passes the import limit, before anything is parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, web

from node import services
from node.core.errors import BadRequest, UnsupportedMediaType, ValidationFailed
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object
from node.items.imports import MAX_BYTES, too_large
from node.media.multipart import part_chunks

routes = web.RouteTableDef()
#: Room for the multipart envelope around a file of the largest accepted size.
MULTIPART_OVERHEAD = 64 * 1024


async def _capped(chunks: AsyncIterator[bytes]) -> bytes:
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > MAX_BYTES:
            raise too_large()
    return bytes(data)


async def _raw_chunks(request: web.Request) -> AsyncIterator[bytes]:
    while chunk := await request.content.readany():
        yield chunk


async def _file_from_multipart(request: web.Request) -> tuple[bytes, str | None]:
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError, KeyError) as exc:
        raise BadRequest(f"Malformed multipart body: {exc}") from exc
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            raise BadRequest("Nested multipart bodies are not accepted.")
        if part.name == "file":
            return await _capped(part_chunks(part)), part.filename
        await part.release()
    raise ValidationFailed("file: send the .ics file or HTML page as a 'file' part", field="file")


@routes.post("/api/v1/imports")
@require_scope("write")
async def create_import(request: web.Request) -> web.Response:
    kind = request.content_type
    if kind == "application/json":
        body = await read_json_object(request, {"url"})
        url = body.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ValidationFailed("url: give the http(s) address of a page", field="url")
        result = await services.import_items(request.app, url=url.strip())
    elif kind in ("multipart/form-data", "text/calendar"):
        limit = MAX_BYTES + (MULTIPART_OVERHEAD if kind == "multipart/form-data" else 0)
        if request.content_length is not None and request.content_length > limit:
            raise too_large(request.content_length)
        if kind == "text/calendar":
            data, filename = await _capped(_raw_chunks(request)), "upload.ics"
        else:
            data, filename = await _file_from_multipart(request)
        result = await services.import_items(request.app, data=data, filename=filename)
    else:
        raise UnsupportedMediaType(
            "Send multipart/form-data with a 'file', a text/calendar body,"
            f" or application/json with a 'url'; got {kind or 'none'!r}."
        )
    return web.json_response(result.to_json(), status=201)


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
