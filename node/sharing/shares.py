"""Shares partners sent us ("Gedeeld met ons"), as the API and the admin UI show them.

One query and one JSON shape, used by ``GET /api/v1/shared-with-us`` and by the
admin UI's list (through :mod:`node.services`).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from node.core.clock import iso
from node.core.errors import NotFound
from node.items import visibility
from protocol import mapping
from protocol.result import Failure

MAX_SHARES = 200


def share_json(row: dict[str, Any], now: str | None = None) -> dict[str, Any]:
    """An ``incoming_shares`` row as the API shows it (rights metadata from the document)."""
    doc = json.loads(row["document"])
    now = now or iso()
    return {
        "id": row["id"],
        "object_id": row["object_id"],
        "origin": row["origin_actor"],
        "origin_name": row["origin_name"],
        "kind": row["kind"],
        "title": row["title"],
        "summary": doc.get("summary"),
        "credit": doc.get("credit"),
        "licence": doc.get("licence"),
        "usage_terms": doc.get("usageTerms"),
        "thumbnail_url": row["thumbnail_url"],
        "embargo_until": row["embargo_until"],
        "embargoed": visibility.is_embargoed(row, now),
        "expires_at": row["expires_at"],
        "state": row["state"],
        "used_item_id": row["used_item_id"],
        "received_at": row["received_at"],
        "details": _details(row["kind"], doc),
    }


def _details(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """An event's or vacancy's details as the origin sent them ({} for other kinds)."""
    if kind not in ("event", "vacancy"):
        return {}
    item = mapping.object_to_item(doc)
    return {} if isinstance(item, Failure) else item.get("details") or {}


def list_shares(db: sqlite_utils.Database, limit: int = MAX_SHARES) -> list[dict[str, Any]]:
    """The most recently received shares, newest first, as :func:`share_json`."""
    now = iso()
    rows = db.query(
        "SELECT * FROM incoming_shares ORDER BY received_at DESC LIMIT ?", [min(limit, MAX_SHARES)]
    )
    return [share_json(r, now) for r in rows]


def get_share(db: sqlite_utils.Database, share_id: str) -> dict[str, Any]:
    """One share with a preview of its item (sanitised body, tags, media); NotFound if none."""
    rows = list(db.query("SELECT * FROM incoming_shares WHERE id = ?", [share_id]))
    if not rows:
        raise NotFound(f"There is no share {share_id!r}.")
    item = mapping.object_to_item(json.loads(rows[0]["document"]))
    preview = {} if isinstance(item, Failure) else item
    return {
        **share_json(rows[0]),
        "body_html": preview.get("body_html") or "",
        "tags": preview.get("tags") or [],
        "media": preview.get("media") or [],
    }
