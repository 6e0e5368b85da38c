"""Rows of the moderation queue: insert, read, count, decide.

Synchronous functions over a ``sqlite_utils.Database`` so that one call is one
transaction on the writer (or a reader) thread, like the other node stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from node.core.clock import iso, new_id
from node.core.errors import Conflict, NotFound, ValidationFailed

STATUSES = ("pending", "accepted", "rejected")


@dataclass
class MediaEntry:
    """One file of a contribution: stored (``sha256``) or still remote (``url``)."""

    media_type: str | None
    original_name: str = ""
    sha256: str | None = None
    size: int | None = None
    url: str | None = None
    alt: str = ""


@dataclass
class NewContribution:
    source: str
    name: str
    licence: str
    consent: bool
    contact: str = ""
    text: str = ""
    actor: str | None = None
    note_id: str | None = None
    client: str | None = None
    media: list[MediaEntry] = field(default_factory=list)


def hour_ago() -> str:
    return iso(datetime.now(UTC) - timedelta(hours=1))


def recent_count(
    db: sqlite_utils.Database, *, client: str | None = None, actor: str | None = None
) -> int:
    """Contributions from one web client (hashed address) or one actor in the last hour."""
    column, value = ("client", client) if client is not None else ("actor", actor)
    return db.execute(
        f"SELECT count(*) FROM contributions WHERE {column} = ? AND received_at > ?",
        [value, hour_ago()],
    ).fetchone()[0]


def insert(db: sqlite_utils.Database, new: NewContribution) -> str | None:
    """Store one contribution and its file rows; None when its note was already stored."""
    if (
        new.note_id
        and db.execute("SELECT 1 FROM contributions WHERE note_id = ?", [new.note_id]).fetchone()
    ):
        return None
    contribution_id = new_id()
    db["contributions"].insert(
        {
            "id": contribution_id,
            "source": new.source,
            "name": new.name,
            "contact": new.contact,
            "text": new.text,
            "licence": new.licence,
            "consent": int(new.consent),
            "status": "pending",
            "actor": new.actor,
            "note_id": new.note_id,
            "client": new.client,
            "received_at": iso(),
        }
    )
    for position, m in enumerate(new.media):
        db["contribution_media"].insert(
            {
                "contribution_id": contribution_id,
                "position": position,
                "sha256": m.sha256,
                "size": m.size,
                "media_type": m.media_type,
                "original_name": m.original_name,
                "url": m.url,
                "alt": m.alt,
            }
        )
    return contribution_id


def media_of(db: sqlite_utils.Database, contribution_id: str) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT * FROM contribution_media WHERE contribution_id = ? ORDER BY position",
            [contribution_id],
        )
    )


def get(db: sqlite_utils.Database, contribution_id: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM contributions WHERE id = ?", [contribution_id]))
    if not rows:
        raise NotFound(f"There is no contribution {contribution_id!r}.")
    return {**rows[0], "media": media_of(db, contribution_id)}


def list_page(db: sqlite_utils.Database, status: str | None, limit: int = 100) -> list[dict]:
    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"status: must be one of {', '.join(STATUSES)}", field="status")
    where, params = ("WHERE status = ?", [status]) if status else ("", [])
    rows = list(
        db.query(
            f"SELECT * FROM contributions {where} ORDER BY received_at DESC, id DESC LIMIT ?",
            [*params, limit],
        )
    )
    return [{**r, "media": media_of(db, r["id"])} for r in rows]


def require_pending(db: sqlite_utils.Database, contribution_id: str) -> dict[str, Any]:
    """The contribution, if an editor may still decide on it; 409 when already decided."""
    row = get(db, contribution_id)
    if row["status"] != "pending":
        raise Conflict(
            f"Contribution {contribution_id!r} was already {row['status']} at {row['decided_at']}."
        )
    return row


def decide(
    db: sqlite_utils.Database,
    contribution_id: str,
    status: str,
    *,
    item_id: str | None = None,
    reason: str | None = None,
) -> None:
    require_pending(db, contribution_id)
    db["contributions"].update(
        contribution_id,
        {"status": status, "decided_at": iso(), "item_id": item_id, "reason": reason},
    )


def set_notified(db: sqlite_utils.Database, contribution_id: str, how: str) -> None:
    db["contributions"].update(contribution_id, {"notified": how})


def pending_blob(db: sqlite_utils.Database, sha256: str) -> bool:
    """Whether a contribution still waiting for a decision holds this blob."""
    return bool(
        db.execute(
            "SELECT 1 FROM contribution_media m JOIN contributions c ON c.id = m.contribution_id"
            " WHERE m.sha256 = ? AND c.status = 'pending' LIMIT 1",
            [sha256],
        ).fetchone()
    )


def to_json(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The API shape: files are described, never served here (they are unmoderated)."""
    return {
        "id": row["id"],
        "source": row["source"],
        "name": row["name"],
        "contact": row["contact"],
        "text": row["text"],
        "licence": row["licence"],
        "consent": bool(row["consent"]),
        "status": row["status"],
        "actor": row["actor"],
        "note_id": row["note_id"],
        "received_at": row["received_at"],
        "decided_at": row["decided_at"],
        "reason": row["reason"],
        "notified": row["notified"],
        "item_id": row["item_id"],
        "item_url": f"{base_url}/api/v1/items/{row['item_id']}" if row["item_id"] else None,
        "media": [
            {
                "position": m["position"],
                "sha256": m["sha256"],
                "size": m["size"],
                "media_type": m["media_type"],
                "original_name": m["original_name"],
                "url": m["url"],
                "alt": m["alt"],
            }
            for m in row["media"]
        ],
    }
