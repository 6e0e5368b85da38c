"""/api/v1/imports: events and vacancies from an iCalendar file or a page with JSON-LD.

``multipart/form-data`` with one ``file`` part (an .ics file or a saved HTML page),
a raw ``text/calendar`` body, or JSON ``{"url": "https://…"}`` for a page the node
fetches through its outbound guard.  The body is read in chunks and refused with
413 as soon as it passes the import limit, before anything is parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from node import services
from node.core.errors import UnsupportedMediaType, ValidationFailed
from node.http.api.auth import require_scope
from node.http.api.jsonbody import read_json_object
from node.items.imports import MAX_BYTES, too_large
from node.media.multipart import form_parts, part_chunks
from node.services.imports import read_capped

routes = web.RouteTableDef()
#: Room for the multipart envelope around a file of the largest accepted size.
MULTIPART_OVERHEAD = 64 * 1024


async def _raw_chunks(request: web.Request) -> AsyncIterator[bytes]:
    while chunk := await request.content.readany():
        yield chunk


async def _file_from_multipart(request: web.Request) -> tuple[bytes, str | None]:
    async for part in form_parts(request):
        if part.name == "file":
            return await read_capped(part_chunks(part)), part.filename
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
            data, filename = await read_capped(_raw_chunks(request)), "upload.ics"
        else:
            data, filename = await _file_from_multipart(request)
        result = await services.import_items(request.app, data=data, filename=filename)
    else:
        raise UnsupportedMediaType(
            "Send multipart/form-data with a 'file', a text/calendar body,"
            f" or application/json with a 'url'; got {kind or 'none'!r}."
        )
    return web.json_response(result.to_json(), status=201)


def _openapi() -> tuple[dict, dict]:
    from node.http.api.openapi import INT, JSON, STRING, op, ref, responses

    schemas = {
        "ImportResult": {
            "type": "object",
            "required": ["source", "count", "items"],
            "properties": {
                "source": STRING,
                "count": INT,
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "kind", "title", "notes"],
                        "properties": {
                            "id": STRING,
                            "kind": {"enum": ["event", "vacancy"]},
                            "title": STRING,
                            "notes": {"type": "array", "items": STRING},
                        },
                    },
                },
            },
            "description": "The drafts created (not shared, not public). A refusal is a"
            " problem whose 'reason' is one of too-large (413, with 'limit'),"
            " too-many-events ('count', 'limit'), malformed-ics, no-events, no-time-zone,"
            " no-end, no-title, no-closing-date, bad-date, too-deep, url-refused,"
            " fetch-failed, invalid-item ('index', 'item_title', 'field' such as"
            " details.end); nothing is stored then.",
        },
        "ImportUrl": {
            "type": "object",
            "required": ["url"],
            "additionalProperties": False,
            "properties": {"url": {**STRING, "format": "uri"}},
        },
    }
    file_form = {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "string", "contentMediaType": "text/calendar"}},
    }
    paths = {
        "/api/v1/imports": {
            "post": op(
                "Import events and vacancies from an iCalendar file or a page with"
                " schema.org JSON-LD, as drafts, all or nothing",
                "write",
                responses("201", ref("ImportResult"), 400, 413, 415, 422, 502),
                body={
                    "multipart/form-data": {"schema": file_form},
                    "text/calendar": {"schema": STRING},
                    JSON: {"schema": ref("ImportUrl")},
                },
            )
        }
    }
    return paths, schemas


def setup(app: web.Application) -> None:
    from node.http.api import openapi

    openapi.register(*_openapi())
    app.router.add_routes(routes)
