"""Helpers for the channel tests: items, audience rows and media rows written directly."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from node.channels.publish import set_public
from node.core.appkeys import DB, IDENTITY
from node.core.clock import iso, new_id, utcnow
from node.items import service


def later(**delta: float) -> str:
    return iso(utcnow() + dt.timedelta(**delta))


def earlier(**delta: float) -> str:
    return iso(utcnow() - dt.timedelta(**delta))


async def make_item(node, public: bool = True, **fields: Any) -> dict[str, Any]:
    """An item stored through the items service, optionally made public."""
    data = {
        "kind": "article",
        "title": "Raadsvergadering",
        "credit": "Omroep West",
        "licence": "CC-BY-4.0",
        **fields,
    }
    identity = node.app[IDENTITY]
    item = await node.app[DB].write(lambda db: service.create_item(db, identity, data))
    if public:
        await node.app[DB].write(lambda db: set_public(db, item["id"], True))
    return item


async def add_media(
    node,
    item_id: str,
    media_type: str,
    *,
    size: int = 1234,
    width: int | None = None,
    height: int | None = None,
    duration: float | None = None,
    thumbnail: bool = False,
    alt: str = "",
    position: int = 0,
) -> str:
    media_id = new_id()
    sha = hashlib.sha256(media_id.encode()).hexdigest()

    def write(db):
        db["media"].insert(
            {
                "id": media_id,
                "item_id": item_id,
                "position": position,
                "sha256": sha,
                "size": size,
                "media_type": media_type,
                "category": media_type.split("/")[0],
                "original_name": "x",
                "width": width,
                "height": height,
                "duration": duration,
                "alt": alt,
                "created_at": iso(),
            }
        )
        if thumbnail:
            db["renditions"].insert(
                {
                    "media_id": media_id,
                    "name": "thumbnail",
                    "sha256": sha,
                    "size": 10,
                    "media_type": "image/jpeg",
                    "width": 320,
                    "height": 180,
                }
            )

    await node.app[DB].write(write)
    return media_id


async def set_item_column(node, item_id: str, **values: Any) -> None:
    await node.app[DB].write(lambda db: db["items"].update(item_id, values))
