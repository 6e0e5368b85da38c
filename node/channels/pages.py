"""HTML for embeddable players, wall screens and their "not found" pages.

Templates are plain files filled by replacing markers; every value goes
through :func:`html.escape` (or is JSON with ``<``, ``>`` and ``&`` escaped
inside a data block), so a title like ``<script>`` is shown, never run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
from importlib import resources
from typing import Any
from urllib.parse import quote

from aiohttp import web

from node.channels.attribution import credit_of, licence_label, licence_url
from node.channels.public import category, media_view
from node.channels.texts import text
from node.core.identity import Identity

WALL_POLL_SECONDS = 30


@functools.cache
def _template(name: str) -> str:
    return resources.files("node.channels").joinpath("templates", name).read_text("utf-8")


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"__{key}__", value)
    return template


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def oembed_url(identity: Identity, item_id: str) -> str:
    return (
        f"{identity.base_url}/oembed?url={quote(identity.item_url(item_id), safe='')}&format=json"
    )


def _player(item: dict[str, Any], identity: Identity, lang: str) -> str:
    media = [media_view(identity, m) for m in item["media"]]
    kinds = {category(m["media_type"]): m for m in reversed(media)}
    poster = next((m["thumbnail_url"] for m in media if m["thumbnail_url"]), None)
    fallback = _e(text(lang, "no_media_support"))
    if item["kind"] == "video" and "video" in kinds:
        m = kinds["video"]
        poster_attr = f' poster="{_e(poster)}"' if poster else ""
        return (
            f'<video controls preload="metadata" playsinline{poster_attr}>'
            f'<source src="{_e(m["url"])}" type="{_e(m["media_type"])}">'
            f"{fallback}</video>"
        )
    if item["kind"] == "audio" and "audio" in kinds:
        m = kinds["audio"]
        still = f'<img src="{_e(poster)}" alt="">' if poster else ""
        return (
            f'{still}<audio controls preload="metadata">'
            f'<source src="{_e(m["url"])}" type="{_e(m["media_type"])}">'
            f"{fallback}</audio>"
        )
    if "image" in kinds:
        m = kinds["image"]
        alt = m["alt"] or item["title"]
        size = (
            f' width="{int(m["width"])}" height="{int(m["height"])}"'
            if m["width"] and m["height"]
            else ""
        )
        return f'<img src="{_e(m["url"])}" alt="{_e(alt)}"{size}>'
    return f'<div class="text"><p>{_e(item["summary"])}</p></div>'


def embed_page(item: dict[str, Any], identity: Identity, lang: str) -> str:
    """The player page an oEmbed iframe points at, with credit and licence visible."""
    label = _e(f"{text(lang, 'licence')}: {licence_label(item['licence'], lang)}")
    url = licence_url(item["licence"])
    licence = f'<a href="{_e(url)}" rel="license" target="_blank">{label}</a>' if url else label
    return _fill(
        _template("embed.html"),
        {
            "LANG": _e(lang),
            "TITLE": _e(item["title"]),
            "CANONICAL": _e(item["uri"]),
            "OEMBED": _e(oembed_url(identity, item["id"])),
            "PLAYER": _player(item, identity, lang),
            "CREDIT": _e(f"{text(lang, 'credit')}: {credit_of(item, identity.name)}"),
            "LICENCE": licence,
        },
    )


def _json_for_script(value: Any) -> str:
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


@functools.cache
def wall_script_hash() -> str:
    digest = hashlib.sha256(_template("wall.js").encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def wall_page(feed: dict[str, Any], lang: str) -> str:
    """The full-screen page; its script rotates, polls and falls back to the cached feed."""
    config = {
        "feed": feed,
        "poll_seconds": WALL_POLL_SECONDS,
        "texts": {"empty": text(lang, "no_items")},
    }
    return _fill(
        _template("wall.html"),
        {
            "LANG": _e(lang),
            "TITLE": _e(f"{feed['screen']['name']} – {feed['organisation']}"),
            "OFFLINE": _e(text(lang, "offline")),
            "DATA": _json_for_script(config),
            "SCRIPT": _template("wall.js"),
        },
    )


def not_found_page(lang: str, key: str = "not_found") -> web.Response:
    body = (
        f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
        f"<title>{_e(text(lang, 'not_found_title'))}</title></head>"
        f"<body><p>{_e(text(lang, key))}</p></body></html>"
    )
    return web.Response(
        status=404, text=body, content_type="text/html", headers={"Cache-Control": "no-store"}
    )


def csp(identity: Identity, *, script_hash: str | None = None, framing: bool) -> str:
    """A tight Content-Security-Policy: media only from this node, no foreign script."""
    media = f"'self' {identity.base_url}"
    parts = [
        "default-src 'none'",
        f"img-src {media}",
        f"media-src {media}",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors {'*' if framing else chr(39) + 'self' + chr(39)}",
    ]
    if script_hash:
        parts += [f"script-src '{script_hash}'", "connect-src 'self'"]
    return "; ".join(parts)
