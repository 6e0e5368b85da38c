"""Uploading files with progress (from the browser, streamed into node's media store)
and showing stored media to logged-in users.

The browser sends each file with XMLHttpRequest so it can show progress and cancel;
the CSRF token travels in the ``X-CSRF-Token`` header because the body is streamed
straight into the store and never parsed as a form.  When the browser aborts, the
stream ends early, the store removes its temp file, and no media row is written.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, hdrs, web

from admin_ui.i18n import N_, _
from admin_ui.keys import NODE, user_of
from admin_ui.refusals import refusal_text
from admin_ui.render import render
from admin_ui.security import PREFIX
from node import services
from node.core.errors import BadRequest, ProblemError

log = logging.getLogger("mediakring.admin_ui")
routes = web.RouteTableDef()
CHUNK = 1 << 20
KIND_BY_CATEGORY = {"image": "photo", "video": "video", "audio": "audio"}
#: The title of an item made for a dropped file, until the editor (or a caption) names it.
NEW_TITLES = {
    "photo": N_("Nieuwe foto"),
    "video": N_("Nieuwe video"),
    "audio": N_("Nieuwe audio"),
    "document": N_("Nieuw document"),
}


#: Refusals of an upload, by the node's code, as a sentence that says what to do.
@routes.get("/upload", name="upload")
async def upload_page(request: web.Request) -> web.Response:
    return render(request, "upload.html")


@routes.post("/upload/start")
async def start_upload(request: web.Request) -> web.Response:
    """Create the draft item a dropped file goes into (title and kind from the file)."""
    name = request.query.get("name", "").strip()[:250] or _("Naamloos bestand")
    declared = request.query.get("type") or mimetypes.guess_type(name)[0] or ""
    kind = KIND_BY_CATEGORY.get(declared.split("/")[0], "document")
    # never the file name ("IMG_4711"): a photo's caption replaces this when it has one
    title = _(NEW_TITLES.get(kind, NEW_TITLES["document"]))
    item = await services.create_item(
        request.app[NODE], {"kind": kind, "title": title}, author=user_of(request).username
    )
    return web.json_response(
        {
            "id": item["id"],
            "editor": f"{PREFIX}/items/{item['id']}",
            "upload": f"{PREFIX}/items/{item['id']}/media?fresh=1",
        },
        status=201,
    )


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    try:
        while chunk := await part.read_chunk(CHUNK):
            yield chunk
    except (ConnectionError, EOFError, OSError, ValueError) as exc:
        raise BadRequest(f"The upload was interrupted: {exc}") from exc
    except Exception as exc:  # aiohttp's payload errors share no public base class
        if type(exc).__module__.startswith("aiohttp"):
            raise BadRequest(f"The upload was interrupted: {exc}") from exc
        raise


@routes.post("/items/{id}/media", name="item_media")
async def upload_media(request: web.Request) -> web.Response:
    """Stream one multipart field ``file`` into the item; JSON for the uploading script."""
    item_id = request.match_info["id"]
    try:
        if request.content_type != "multipart/form-data":
            raise BadRequest("Send the file as multipart/form-data.")
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != "file":
            raise BadRequest("The first form field must be 'file'.")
        media = await services.ingest_media(
            request.app[NODE],
            item_id,
            _chunks(part),
            filename=part.filename,
            declared_type=part.headers.get(hdrs.CONTENT_TYPE),
            suggest_title=request.query.get("fresh") == "1",
            strip_metadata=request.query.get("strip") == "1",
        )
    except ProblemError as exc:
        log.info("upload to %s refused: %s", item_id, exc.detail)
        return web.json_response(
            {"error": _("Upload geweigerd. %(reason)s", reason=refusal_text(exc))},
            status=exc.status,
        )
    return web.json_response(
        {
            "id": media["id"],
            "editor": f"{PREFIX}/items/{item_id}",
            "name": media["original_name"],
            "size": media["size"],
        },
        status=201,
    )


@routes.get("/media/{id}", name="media")
async def media_file(request: web.Request) -> web.StreamResponse:
    return await services.media_file(request.app[NODE], request.match_info["id"])


@routes.get("/media/{id}/renditions/{name}", name="rendition")
async def rendition_file(request: web.Request) -> web.StreamResponse:
    return await services.media_file(
        request.app[NODE], request.match_info["id"], request.match_info["name"]
    )


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
