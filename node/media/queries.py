"""Read side of media: rows to API JSON and to the shape the protocol mapping needs.

Synchronous functions over a ``sqlite_utils.Database`` so they run inside
``Database.read`` / ``Database.write`` (one call, one connection, one thread).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import sqlite_utils


class _MediaUrls(Protocol):
    def media_url(self, media_id: str, rendition: str | None = None) -> str: ...


def get_media(db: sqlite_utils.Database, media_id: str) -> dict[str, Any] | None:
    """The media row with its renditions (``{"renditions": {name: row}}``), or None."""
    rows = list(db.query("SELECT * FROM media WHERE id = ?", [media_id]))
    if not rows:
        return None
    row = rows[0]
    row["renditions"] = {
        r["name"]: r
        for r in db.query("SELECT * FROM renditions WHERE media_id = ? ORDER BY name", [media_id])
    }
    return row


def get_rendition(db: sqlite_utils.Database, media_id: str, name: str) -> dict[str, Any] | None:
    rows = list(
        db.query(
            "SELECT r.*, m.original_name FROM renditions r JOIN media m ON m.id = r.media_id"
            " WHERE r.media_id = ? AND r.name = ?",
            [media_id, name],
        )
    )
    return rows[0] if rows else None


def blob_in_use(db: sqlite_utils.Database, sha256: str) -> bool:
    """Whether any media or rendition row, or the organisation's profile, refers to this blob."""
    return bool(
        db.execute(
            "SELECT 1 FROM media WHERE sha256 = ? UNION ALL"
            " SELECT 1 FROM renditions WHERE sha256 = ? UNION ALL"
            " SELECT 1 FROM identity WHERE icon_sha256 = ? OR image_sha256 = ? LIMIT 1",
            [sha256, sha256, sha256, sha256],
        ).fetchone()
    )


def _focal_point(raw: str | None) -> list[float] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return [float(v) for v in value] if isinstance(value, list) and len(value) == 2 else None


def api_json(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The API shape of one media row (as returned by :func:`get_media`)."""
    url = f"{base_url}/api/v1/media/{row['id']}"
    return {
        "id": row["id"],
        "item_id": row["item_id"],
        "position": row["position"],
        "url": url,
        "sha256": row["sha256"],
        "size": row["size"],
        "media_type": row["media_type"],
        "category": row["category"],
        "original_name": row["original_name"],
        "width": row["width"],
        "height": row["height"],
        "duration": row["duration"],
        "blurhash": row["blurhash"],
        "focal_point": _focal_point(row["focal_point"]),
        "alt": row["alt"],
        "created_at": row["created_at"],
        "renditions": {name: f"{url}/renditions/{name}" for name in row["renditions"]},
    }


def media_for_items(
    db: sqlite_utils.Database, identity: _MediaUrls, item_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Media of many items in one query, ordered by position, in the protocol-mapping shape."""
    out: dict[str, list[dict[str, Any]]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return out
    marks = ",".join("?" * len(item_ids))
    rows = db.query(
        f"SELECT m.*, EXISTS (SELECT 1 FROM renditions r WHERE r.media_id = m.id"
        f" AND r.name = 'thumbnail') AS has_thumb FROM media m"
        f" WHERE m.item_id IN ({marks}) ORDER BY m.item_id, m.position, m.created_at",
        list(item_ids),
    )
    for row in rows:
        out[row["item_id"]].append(
            {
                "id": row["id"],
                "url": identity.media_url(row["id"]),
                "media_type": row["media_type"],
                "size": row["size"],
                "sha256": row["sha256"],
                "width": row["width"],
                "height": row["height"],
                "duration": row["duration"],
                "blurhash": row["blurhash"],
                "focal_point": _focal_point(row["focal_point"]),
                "alt": row["alt"],
                "thumbnail_url": identity.media_url(row["id"], "thumbnail")
                if row["has_thumb"]
                else None,
            }
        )
    return out
