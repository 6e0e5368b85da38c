"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), with credit and licence per item.

JSON Feed has no licence field, so credit and licence travel in the
``_mediakring`` extension object (extensions start with an underscore, per the
spec) and as a visible line at the end of ``content_html``.
"""

from __future__ import annotations

import json
from typing import Any

from node.channels.feedmodel import Entry, FeedMeta, content_html, description, rfc3339

VERSION = "https://jsonfeed.org/version/1.1"


def _attachment(m: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"url": m["url"], "mime_type": m["media_type"]}
    if m["size"]:
        out["size_in_bytes"] = m["size"]
    if m["duration"]:
        out["duration_in_seconds"] = m["duration"]
    if m["alt"]:
        out["title"] = m["alt"]
    return out


def _item(entry: Entry) -> dict[str, Any]:
    item = entry.item
    out: dict[str, Any] = {
        "id": item["uri"],
        "url": item["uri"],
        "title": item["title"],
        "content_html": content_html(entry),
        "summary": description(entry),
        "date_published": rfc3339(item["published_at"]),
        "date_modified": rfc3339(entry.updated),
        "authors": [{"name": entry.credit}],
        "tags": item["tags"],
        "language": item["language"],
        "_mediakring": {
            "kind": item["kind"],
            "credit": entry.credit,
            "credit_line": entry.credit_line,
            "licence": entry.licence,
            "licence_label": entry.licence_label,
            "licence_url": entry.licence_url,
        },
    }
    if entry.thumbnail:
        out["image"] = entry.thumbnail
    if entry.media:
        out["attachments"] = [_attachment(m) for m in entry.media]
    return out


def json_feed(meta: FeedMeta, entries: list[Entry]) -> bytes:
    doc = {
        "version": VERSION,
        "title": meta.title,
        "home_page_url": meta.identity.base_url,
        "feed_url": meta.self_url,
        "description": meta.description,
        "language": meta.lang,
        "authors": [{"name": meta.identity.name, "url": meta.identity.base_url}],
        "items": [_item(e) for e in entries],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()
