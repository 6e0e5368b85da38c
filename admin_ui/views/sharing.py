"""Notifications and "Gedeeld met ons": what partners shared, a preview, and "Gebruiken".

Thumbnails of partner items live on the partner's node and are served only to a
signed request from an organisation in the item's audience, so the browser
cannot load them itself: ``/admin/proxy/thumbnail`` fetches them through the
node (authorized fetch) and keeps a small number in memory.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from aiohttp import web

from admin_ui.desk_state import notification_title
from admin_ui.forms import KIND_LABELS
from admin_ui.i18n import _
from admin_ui.keys import NODE
from admin_ui.render import render
from admin_ui.security import PREFIX, redirect
from admin_ui.sharing_text import (
    SHARE_STATES,
    local_time,
    problem_text,
    remote_files,
    zoned_time,
)
from node import services
from node.core.errors import NotFound, ProblemError

log = logging.getLogger("mediakring.admin_ui")
routes = web.RouteTableDef()
THUMB_CACHE_SIZE = 256
THUMB_CACHE: web.AppKey[OrderedDict[str, tuple[bytes, str]]] = web.AppKey("thumb_cache")


# -- notifications -----------------------------------------------------------------------


@routes.get("/notifications", name="notifications")
async def notifications_page(request: web.Request) -> web.Response:
    before = request.query.get("before") or None
    page = await services.list_notifications(request.app[NODE], before=before)
    for n in page["items"]:
        n["title"] = notification_title(n)
    notice = _("Alles gemarkeerd als gelezen.") if request.query.get("done") == "all" else ""
    return render(
        request,
        "notifications.html",
        {
            "page": page,
            "local_time": local_time,
            "notice": notice,
            "next_url": (
                str(request.rel_url.update_query(before=page["next_before"]))
                if page["next_before"]
                else None
            ),
        },
    )


@routes.post("/notifications/{id}/open", name="open_notification")
async def open_notification(request: web.Request) -> web.Response:
    """Mark one notification as read and go to what it is about."""
    node = request.app[NODE]
    notification_id = request.match_info["id"]
    page = await services.list_notifications(node)
    found = next((n for n in page["items"] if n["id"] == notification_id), None)
    await services.mark_notifications_read(node, notification_id)
    link = (found or {}).get("link") or ""
    if (found or {}).get("kind") == "contribution":
        link = f"{PREFIX}/contributions"
    if link.startswith(PREFIX + "/") and not link.startswith("//"):
        return redirect(link)
    return redirect(f"{PREFIX}/notifications")


@routes.post("/notifications/read-all", name="read_all_notifications")
async def read_all(request: web.Request) -> web.Response:
    await services.mark_notifications_read(request.app[NODE], None)
    return redirect(f"{PREFIX}/notifications?done=all")


# -- shared with us ----------------------------------------------------------------------


def _share_view(share: dict[str, Any]) -> dict[str, Any]:
    return {
        **share,
        "kind_label": _(KIND_LABELS.get(share["kind"], share["kind"])),
        "state_label": _(SHARE_STATES.get(share["state"], share["state"])),
        "thumb": (
            f"{PREFIX}/proxy/thumbnail?share={share['id']}" if share["thumbnail_url"] else None
        ),
        "embargo_local": zoned_time(share["embargo_until"]),
        "received_local": local_time(share["received_at"]),
    }


@routes.get("/shared-with-us", name="shared")
async def shared_page(request: web.Request) -> web.Response:
    shares = await services.list_shares(request.app[NODE])
    return render(request, "shared.html", {"shares": [_share_view(s) for s in shares]})


async def _share_page(
    request: web.Request,
    share_id: str,
    error: str = "",
    status: int = 200,
    embargo_alert: bool = False,
) -> web.Response:
    share = await services.get_share(request.app[NODE], share_id)
    return render(
        request,
        "share.html",
        {
            "share": _share_view(share),
            "body_html": share["body_html"],
            "files": remote_files(share["media"], f"{PREFIX}/proxy/media?share={share_id}"),
            "tags": share["tags"],
            "error": error,
            "embargo_alert": embargo_alert,
            "used": request.query.get("used") == "1",
        },
        status=status,
    )


@routes.get("/shared-with-us/{id}", name="share")
async def share_page(request: web.Request) -> web.Response:
    return await _share_page(request, request.match_info["id"])


@routes.post("/shared-with-us/{id}/use", name="use_share")
async def use_share(request: web.Request) -> web.Response:
    share_id = request.match_info["id"]
    try:
        used = await services.use_share(request.app[NODE], share_id)
    except NotFound:
        raise
    except ProblemError as exc:
        status = exc.status if exc.status < 500 else 502
        # an embargo refusal repeats what the page already says: the page says it once
        return await _share_page(
            request,
            share_id,
            problem_text(exc),
            status=status,
            embargo_alert=exc.code == "embargoed",
        )
    # A second click (or a colleague's) lands on the one copy we already have.
    return redirect(f"{PREFIX}/items/{used.item['id']}?used={'1' if used.created else 'already'}")


# -- thumbnails of partner items -----------------------------------------------------------


@routes.get("/proxy/thumbnail", name="thumbnail_proxy")
async def thumbnail_proxy(request: web.Request) -> web.Response:
    """A partner item's thumbnail, fetched by the node with a signed GET."""
    share_id = request.query.get("share")
    listing = request.query.get("listing")
    if share_id:
        key, kwargs = f"s:{share_id}", {"share_id": share_id}
    elif listing and listing.isdigit():
        key, kwargs = f"l:{listing}", {"listing_id": int(listing)}
    else:
        raise web.HTTPNotFound()
    cache = request.app[THUMB_CACHE]
    if key in cache:
        cache.move_to_end(key)
        data, media_type = cache[key]
    else:
        try:
            data, media_type = await services.remote_thumbnail(request.app[NODE], **kwargs)
        except NotFound:
            raise
        except ProblemError as exc:
            log.info("thumbnail %s not fetched: %s", key, exc.detail)
            raise web.HTTPNotFound() from None
        cache[key] = (data, media_type)
        while len(cache) > THUMB_CACHE_SIZE:
            cache.popitem(last=False)
    return web.Response(
        body=data,
        content_type=media_type,
        headers={"Cache-Control": "private, max-age=600"},
    )


@routes.get("/proxy/media", name="media_proxy")
async def media_proxy(request: web.Request) -> web.StreamResponse:
    """A partner item's file, streamed from its origin with Range (for the players).

    The node fetches it with a signed GET (see ``services.remote_media``, which also
    keeps embargo and expiry); the browser gets the bytes as they arrive.
    """
    share_id = request.query.get("share")
    listing = request.query.get("listing")
    position = request.query.get("n", "0")
    if not position.isdigit():
        raise web.HTTPNotFound()
    if share_id:
        kwargs: dict[str, Any] = {"share_id": share_id}
    elif listing and listing.isdigit():
        kwargs = {"listing_id": int(listing)}
    else:
        raise web.HTTPNotFound()
    try:
        async with services.remote_media(
            request.app[NODE],
            **kwargs,
            index=int(position),
            range_header=request.headers.get("Range"),
        ) as (status, headers, chunks):
            response = web.StreamResponse(status=status, headers=headers)
            response.headers["Cache-Control"] = "private, max-age=600"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
            await response.prepare(request)
            if request.method != "HEAD":
                async for chunk in chunks:
                    await response.write(chunk)
            await response.write_eof()
            return response
    except NotFound:
        raise
    except ProblemError as exc:
        log.info("media of %s not streamed: %s", kwargs, exc.detail)
        status = exc.status if exc.status < 500 else 502
        return web.Response(status=status, text=problem_text(exc))


def setup(app: web.Application) -> None:
    app[THUMB_CACHE] = OrderedDict()
    app.router.add_routes(routes)
