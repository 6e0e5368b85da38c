"""Partner records: who we share with, and the state of each partnership.

A partnership is mutual: an accepted follow of each other's mediatheek.  The
row tracks both halves (``we_follow`` and ``they_follow``); it is ``active``
once both are accepted.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from node.core.clock import iso, new_id
from node.core.errors import NotFound

FOLLOW_STATES = ("none", "pending", "accepted", "rejected", "ended")


def _state(row: dict[str, Any]) -> str:
    if row["state"] == "ended":
        return "ended"
    if "rejected" in (row["we_follow"], row["they_follow"]):
        return "rejected"
    if row["we_follow"] == "accepted" and row["they_follow"] == "accepted":
        return "active"
    return "pending"


def get_by_actor(db: sqlite_utils.Database, actor_url: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM partners WHERE actor_url = ?", [actor_url]))
    return rows[0] if rows else None


def get_partner(db: sqlite_utils.Database, partner_id: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM partners WHERE id = ?", [partner_id]))
    if not rows:
        raise NotFound(f"There is no partner {partner_id!r}.")
    return rows[0]


def upsert(
    db: sqlite_utils.Database, actor_url: str, *, direction: str, **changes: Any
) -> dict[str, Any]:
    """Create or update the partner row for ``actor_url`` and recompute its state."""
    row = get_by_actor(db, actor_url)
    now = iso()
    if row is None:
        row = {
            "id": new_id(),
            "actor_url": actor_url,
            "name": "",
            "handle": "",
            "mediatheek_url": None,
            "state": "pending",
            "direction": direction,
            "we_follow": "none",
            "they_follow": "none",
            "backfill_state": "none",
            "backfill_next": None,
            "backfill_count": 0,
            "backfill_error": None,
            "created_at": now,
            "updated_at": now,
        }
        row.update(changes)
        row["state"] = _state(row)
        db["partners"].insert(row)
        return row
    ended = row["state"] == "ended"
    row.update(changes, updated_at=now)
    # An ended partnership stays ended: late answers to the old follows (the Reject or
    # Undo that ended it, in either order) must not reopen it.  Only a new request
    # reopens it, through :func:`start_again`.
    if changes.get("state") != "ended" and not ended:
        row["state"] = _state(row)
    db["partners"].update(row["id"], row)
    return row


def start_again(db: sqlite_utils.Database, actor_url: str, direction: str) -> bool:
    """A new request after an ended or rejected partnership starts from nothing.

    Both halves go back to "none", so neither the old Reject nor the old Undo colours the
    new request; ``direction`` says who asked this time.  Returns True when it reset a row.
    """
    row = get_by_actor(db, actor_url)
    if row is None or row["state"] not in ("ended", "rejected"):
        return False
    db["partners"].update(
        row["id"],
        {
            "state": "pending",
            "direction": direction,
            "we_follow": "none",
            "they_follow": "none",
            "updated_at": iso(),
        },
    )
    return True


def active_partners(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM partners WHERE state = 'active' ORDER BY name"))


def is_active(db: sqlite_utils.Database, actor_url: str) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM partners WHERE actor_url = ? AND state = 'active'", [actor_url]
        ).fetchone()
    )


def may_read_mediatheek(db: sqlite_utils.Database, actor_url: str) -> bool:
    """Whoever's follow of our mediatheek we accepted may page it (for back-fill), even
    while their half of the partnership is still on its way."""
    return bool(
        db.execute(
            "SELECT 1 FROM partners WHERE actor_url = ? AND they_follow = 'accepted'"
            " AND state != 'ended'",
            [actor_url],
        ).fetchone()
    )


def display_name(actor_url: str, row: dict[str, Any] | None = None) -> str:
    """What people call a partner: its organisation name, else its handle, never a raw URL."""
    if row and str(row.get("name") or "").strip():
        return str(row["name"]).strip()
    host = urlsplit(actor_url).netloc or actor_url
    handle = str((row or {}).get("handle") or "").strip()
    return f"{handle}@{host}" if handle else host


def names(db: sqlite_utils.Database) -> dict[str, str]:
    """Every partner we ever had, by actor URL, as :func:`display_name` says it."""
    return {
        row["actor_url"]: display_name(row["actor_url"], row)
        for row in db.query("SELECT actor_url, name, handle FROM partners")
    }


def update_profile(
    db: sqlite_utils.Database, actor_url: str, *, name: str, icon_url: str | None
) -> bool:
    """The partner renamed itself or changed its avatar (its actor ``Update``); True if known."""
    row = get_by_actor(db, actor_url)
    if row is None:
        return False
    changes: dict[str, Any] = {"icon_url": icon_url, "updated_at": iso()}
    if name:
        changes["name"] = name
    db["partners"].update(row["id"], changes)
    return True


def to_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "actor": row["actor_url"],
        "name": row["name"],
        "display_name": display_name(row["actor_url"], row),
        "handle": row["handle"],
        "icon": row.get("icon_url"),
        "state": row["state"],
        "direction": row["direction"],
        "we_follow": row["we_follow"],
        "they_follow": row["they_follow"],
        "backfill": {
            "state": row["backfill_state"],
            "listings": row["backfill_count"],
            "error": row["backfill_error"],
        },
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def list_partners(db: sqlite_utils.Database) -> dict[str, list[dict[str, Any]]]:
    rows = [to_json(r) for r in db.query("SELECT * FROM partners ORDER BY created_at")]
    return {
        "partners": [r for r in rows if r["state"] == "active"],
        "incoming": [r for r in rows if r["state"] == "pending" and r["direction"] == "incoming"],
        "outgoing": [r for r in rows if r["state"] == "pending" and r["direction"] == "outgoing"],
        "all": rows,
    }
