"""oEmbed 1.0 (JSON) and the embeddable player pages it points at.

``/oembed?url=<item URL>`` answers only for items the public may see now: an
unknown, non-public, embargoed or expired item is 404, exactly as if it did
not exist.  The XML format is not offered (501, as the spec says).
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

from aiohttp import web

from node.channels import pages, reach
from node.channels.attribution import credit_of, licence_label, licence_url
from node.channels.public import category, media_view, public_item
from node.channels.texts import choose_language
from node.core.appkeys import DB, IDENTITY, SETTINGS
from node.core.clock import iso
from node.core.identity import Identity
from node.http.api.problems import problem_response

routes = web.RouteTableDef()
CAPTION_PX = 90
DEFAULTS = {"video": (640, 360), "audio": (480, 160), "rich": (480, 270)}
_ID = re.compile(r"^/(?:items|embed)/([A-Za-z0-9_-]{1,64})/?$")


def item_id_from_url(identity: Identity, url: str) -> str | None:
    """The item id when ``url`` is this node's item or embed URL, else None."""
    base = identity.base_url
    if not url.lower().startswith(base.lower() + "/"):
        return None
    match = _ID.match(url[len(base) :].split("?", 1)[0].split("#", 1)[0])
    return match.group(1) if match else None


def _fit(width: int, height: int, max_w: int | None, max_h: int | None) -> tuple[int, int]:
    scale = min(1.0, (max_w / width) if max_w else 1.0, (max_h / height) if max_h else 1.0)
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def oembed_for(
    item: dict[str, Any], identity: Identity, lang: str, max_w: int | None, max_h: int | None
) -> dict[str, Any]:
    """The oEmbed response: photo for pictures, video for video, rich for the rest."""
    media = [media_view(identity, m) for m in item["media"]]
    first = {category(m["media_type"]): m for m in reversed(media)}
    thumb = next((m for m in media if m["thumbnail_url"]), None)
    out: dict[str, Any] = {
        "version": "1.0",
        "title": item["title"],
        "provider_name": identity.name,
        "provider_url": identity.base_url,
        "author_name": credit_of(item, identity.name),
        "cache_age": 3600,
        "license": licence_label(item["licence"], lang),
    }
    if licence_url(item["licence"]):
        out["license_url"] = licence_url(item["licence"])
    image = first.get("image")
    if item["kind"] == "photo" and image and image["width"] and image["height"]:
        width, height = _fit(image["width"], image["height"], max_w, max_h)
        out.update(type="photo", url=image["url"], width=width, height=height)
        return out
    kind = "video" if item["kind"] == "video" and "video" in first else "rich"
    natural = first.get("video") if kind == "video" else None
    if natural and natural["width"] and natural["height"]:
        width, height = natural["width"], natural["height"]
    else:
        width, height = DEFAULTS["audio" if item["kind"] == "audio" else kind]
    room_h = max_h - CAPTION_PX if max_h and max_h > CAPTION_PX else max_h
    width, height = _fit(width, height, max_w, room_h)
    height += CAPTION_PX
    src = f"{identity.base_url}/embed/{item['id']}"
    out.update(
        type=kind,
        width=width,
        height=height,
        html=(
            f'<iframe src="{html.escape(src)}" width="{width}" height="{height}"'
            f' title="{html.escape(item["title"], quote=True)}" frameborder="0"'
            ' allow="fullscreen; picture-in-picture" allowfullscreen loading="lazy"></iframe>'
        ),
    )
    if thumb and thumb["width"] and thumb["height"]:
        out.update(
            thumbnail_url=thumb["thumbnail_url"],
            thumbnail_width=thumb["width"],
            thumbnail_height=thumb["height"],
        )
    elif image and image["width"] and image["height"]:
        out.update(
            thumbnail_url=image["url"],
            thumbnail_width=image["width"],
            thumbnail_height=image["height"],
        )
    return out


def _positive(query, name: str) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name}: must be a positive whole number of pixels")
    return int(raw)


@routes.get("/oembed")
async def oembed(request: web.Request) -> web.Response:
    """oEmbed provider endpoint (JSON only)."""
    query = request.query
    fmt = query.get("format", "json")
    if fmt != "json":
        return problem_response(
            501,
            f"format {fmt[:20]!r} is not offered; use format=json",
            code="not-implemented",
            instance=request.path,
        )
    try:
        max_w, max_h = _positive(query, "maxwidth"), _positive(query, "maxheight")
    except ValueError as exc:
        return problem_response(422, str(exc), instance=request.path)
    url = query.get("url", "")
    if not url:
        return problem_response(422, "url: is required", instance=request.path)
    identity = request.app[IDENTITY]
    item_id = item_id_from_url(identity, url)
    now = iso()
    item = item_id and await request.app[DB].read(
        lambda db: public_item(db, identity, item_id, now)
    )
    if not item:
        return problem_response(404, "No public item at this URL.", instance=request.path)
    lang = choose_language(request, request.app[SETTINGS].default_language)
    return web.json_response(
        oembed_for(item, identity, lang, max_w, max_h),
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600"},
    )


@routes.get("/embed/{item_id}")
async def embed(request: web.Request) -> web.Response:
    """The player page shown inside other sites' iframes."""
    identity = request.app[IDENTITY]
    lang = choose_language(request, request.app[SETTINGS].default_language)
    item_id, now = request.match_info["item_id"], iso()
    item = await request.app[DB].read(lambda db: public_item(db, identity, item_id, now))
    if item is None:
        return pages.not_found_page(lang)
    reach.count(request, "embed")
    return web.Response(
        text=pages.embed_page(item, identity, lang),
        content_type="text/html",
        headers={
            "Content-Security-Policy": pages.csp(identity, framing=True),
            "Cache-Control": "public, max-age=300",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Vary": "Accept-Language",
        },
    )
