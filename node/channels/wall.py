"""Wall screens ("muurkranten"): configured per organisation, shown at /wall/{token}.

The token in the URL is the screen's only credential (a capability URL that is
typed into a display once), so it is long and random.  A screen shows the
organisation's latest public items plus public items an editor chose for it
(both through the one public rule, at read time, so an item that stops being
public leaves the screen at once); the
admin UI calls these service functions, the API exposes them to admins.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlite_utils

from node.channels.attribution import credit_line
from node.channels.public import category, media_view, public_items, public_items_by_id
from node.core.clock import iso, new_id
from node.core.errors import NotFound, ValidationFailed
from node.core.identity import Identity
from node.items import visibility
from protocol.sanitize import plain_text

MAX_CHOSEN = 100
LATEST_PUBLIC = 20


def _check(name: Any, rotate_seconds: Any, include_public: Any) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValidationFailed(
            "name: must be a non-empty string of at most 200 characters", field="name"
        )
    if (
        not isinstance(rotate_seconds, int)
        or isinstance(rotate_seconds, bool)
        or not 3 <= rotate_seconds <= 3600
    ):
        raise ValidationFailed(
            "rotate_seconds: must be a whole number from 3 to 3600", field="rotate_seconds"
        )
    if not isinstance(include_public, bool):
        raise ValidationFailed("include_public: must be true or false", field="include_public")


def _view(db: sqlite_utils.Database, row: dict[str, Any]) -> dict[str, Any]:
    items = [
        r["item_id"]
        for r in db.query(
            "SELECT item_id FROM wall_screen_items WHERE screen_id = ? ORDER BY position",
            [row["id"]],
        )
    ]
    return {
        "id": row["id"],
        "name": row["name"],
        "token": row["token"],
        "rotate_seconds": row["rotate_seconds"],
        "include_public": bool(row["include_public"]),
        "created_at": row["created_at"],
        "items": items,
    }


def _row(db: sqlite_utils.Database, screen_id: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM wall_screens WHERE id = ?", [screen_id]))
    if not rows:
        raise NotFound(f"There is no wall screen {screen_id!r}.")
    return rows[0]


def create_screen(
    db: sqlite_utils.Database, name: str, rotate_seconds: int = 15, include_public: bool = True
) -> dict[str, Any]:
    """A new screen with a fresh unguessable token."""
    _check(name, rotate_seconds, include_public)
    row = {
        "id": new_id(),
        "name": name.strip(),
        "token": secrets.token_urlsafe(24),
        "rotate_seconds": rotate_seconds,
        "include_public": int(include_public),
        "created_at": iso(),
    }
    db["wall_screens"].insert(row)
    return _view(db, row)


def rotate_screen_token(db: sqlite_utils.Database, screen_id: str) -> dict[str, Any]:
    """Give the screen a new unguessable token: its old address is 404 from now on.

    For a screen address that leaked or a display that was given away; the chosen
    items and settings stay as they were."""
    _row(db, screen_id)
    db.execute(
        "UPDATE wall_screens SET token = ? WHERE id = ?", [secrets.token_urlsafe(24), screen_id]
    )
    return _view(db, _row(db, screen_id))


def list_screens(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [_view(db, r) for r in db.query("SELECT * FROM wall_screens ORDER BY created_at")]


def _refusal(row: dict[str, Any] | None, item_id: str, now: str) -> str | None:
    """Why ``item_id`` may not go on a screen, or None when it may."""
    if row is None or row["deleted"]:
        return f"there is no item {item_id!r}"
    if not row["public"]:
        return f"item {item_id!r} is not public (a draft or shared with partners only)"
    if visibility.is_expired(row, now):
        return f"item {item_id!r} has expired"
    return None


def _candidate_rows(db: sqlite_utils.Database, where: str, params: dict[str, Any]) -> list[dict]:
    return list(
        db.query(
            "SELECT items.id, items.title, items.deleted, items.embargo_until, items.expires_at,"
            " coalesce(audience.public, 0) AS public FROM items"
            f" LEFT JOIN audience ON audience.item_id = items.id WHERE {where}",
            params,
        )
    )


def set_screen_items(
    db: sqlite_utils.Database, screen_id: str, item_ids: list[str], now: str | None = None
) -> dict[str, Any]:
    """Replace the screen's chosen items (in this order).

    A screen is public, so every item must be public: a draft or a
    partner-only item is refused with a reason, and so is an expired one.  A
    public item still under embargo is accepted; the screen shows it once the
    embargo has passed (``wall_feed`` applies the public rule at read time).
    """
    row = _row(db, screen_id)
    if not isinstance(item_ids, list) or not all(isinstance(i, str) for i in item_ids):
        raise ValidationFailed("items: must be a list of item ids", field="items")
    if len(item_ids) > MAX_CHOSEN:
        raise ValidationFailed(f"items: at most {MAX_CHOSEN} items", field="items")
    if len(set(item_ids)) != len(item_ids):
        raise ValidationFailed("items: an item is listed twice", field="items")
    now = now or iso()
    for item_id in item_ids:
        rows = _candidate_rows(db, "items.id = :id", {"id": item_id})
        reason = _refusal(rows[0] if rows else None, item_id, now)
        if reason:
            raise ValidationFailed(f"items: {reason}", field="items")
    db.execute("DELETE FROM wall_screen_items WHERE screen_id = ?", [screen_id])
    db["wall_screen_items"].insert_all(
        {"screen_id": screen_id, "item_id": item_id, "position": n}
        for n, item_id in enumerate(item_ids)
    )
    return _view(db, row)


def screen_candidates(
    db: sqlite_utils.Database, now: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """What the picker offers: the newest public, unexpired items, embargoed ones marked.

    The same test as :func:`set_screen_items`, so everything offered can be saved.
    """
    now = now or iso()
    where = (
        "items.deleted = 0 AND audience.public = 1"
        f" AND {visibility.not_expired_sql('items', ':now')}"
        " ORDER BY items.created_at DESC, items.id DESC LIMIT :limit"
    )
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "embargo_until": r["embargo_until"] if visibility.is_embargoed(r, now) else None,
        }
        for r in _candidate_rows(db, where, {"now": now, "limit": limit})
    ]


def delete_screen(db: sqlite_utils.Database, screen_id: str) -> None:
    _row(db, screen_id)
    db.execute("DELETE FROM wall_screens WHERE id = ?", [screen_id])


def screen_by_token(db: sqlite_utils.Database, token: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM wall_screens WHERE token = ?", [token]))
    return _view(db, rows[0]) if rows else None


def _slide(item: dict[str, Any], identity: Identity, lang: str) -> dict[str, Any]:
    media = [media_view(identity, m) for m in item["media"]]
    image = next((m["thumbnail_url"] for m in media if m["thumbnail_url"]), None) or next(
        (m["url"] for m in media if category(m["media_type"]) == "image"), None
    )
    video = next((m for m in media if category(m["media_type"]) == "video"), None)
    return {
        "id": item["id"],
        "kind": item["kind"],
        "title": item["title"],
        "summary": (item["summary"] or plain_text(item["body_html"]))[:400],
        "credit_line": credit_line(item, identity.name, lang),
        "image": image,
        "video": video["url"] if video else None,
        "video_type": video["media_type"] if video else None,
    }


def wall_feed(
    db: sqlite_utils.Database, identity: Identity, token: str, now: str, lang: str
) -> dict[str, Any] | None:
    """What a screen shows now: chosen items first, then the latest public ones."""
    screen = screen_by_token(db, token)
    if screen is None:
        return None
    items = public_items_by_id(db, identity, screen["items"], now)
    if screen["include_public"]:
        seen = {i["id"] for i in items}
        items += [
            i for i in public_items(db, identity, now, limit=LATEST_PUBLIC) if i["id"] not in seen
        ]
    return {
        "screen": {
            "id": screen["id"],
            "name": screen["name"],
            "rotate_seconds": screen["rotate_seconds"],
        },
        "organisation": identity.name,
        "generated_at": now,
        "lang": lang,
        "items": [_slide(i, identity, lang) for i in items],
    }
