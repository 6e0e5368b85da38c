"""Mediatheek listings: our own items and our partners', kept in the local search index."""

from __future__ import annotations

from typing import Any

from node.core.clock import iso
from protocol.sanitize import plain_text


def listing_from_item(
    item: dict[str, Any],
    *,
    origin_actor: str,
    origin_name: str,
    document: dict[str, Any],
    local: bool,
    proof_ok: bool,
) -> dict[str, Any]:
    thumbnail = next(
        (m.get("thumbnail_url") for m in item.get("media") or [] if m.get("thumbnail_url")), None
    )
    return {
        "object_id": item["uri"],
        "origin_actor": origin_actor,
        "origin_name": origin_name,
        "kind": item["kind"],
        "title": item["title"],
        "summary": item.get("summary") or "",
        "body_text": plain_text(item.get("body_html") or ""),
        "tags": item.get("tags") or [],
        "language": item.get("language") or "",
        "licence": item.get("licence") or "",
        "credit": item.get("credit") or "",
        "usage_terms": item.get("usage_terms") or "",
        "embargo_until": item.get("embargo_until"),
        "expires_at": item.get("expires_at"),
        "published_at": item.get("created_at") or iso(),
        "updated_at": item.get("updated_at") or iso(),
        "thumbnail_url": thumbnail,
        "document": document,
        "details": item.get("details") or {},
        "local": local,
        "proof_ok": proof_ok,
    }
