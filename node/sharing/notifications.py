"""Notifications for the node's editors ("B heeft een item met je gedeeld")."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from node.core.clock import iso, new_id
from node.core.errors import NotFound


def notify(
    db: sqlite_utils.Database,
    kind: str,
    title: str,
    *,
    body: str = "",
    link: str | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Record one notification; returns its id.  Runs inside the caller's write."""
    notification_id = new_id()
    db["notifications"].insert(
        {
            "id": notification_id,
            "kind": kind,
            "title": title,
            "body": body,
            "link": link,
            "data": json.dumps(data or {}, ensure_ascii=False),
            "read_at": None,
            "created_at": iso(),
        }
    )
    return notification_id


def _to_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "title": row["title"],
        "body": row["body"],
        "link": row["link"],
        "data": json.loads(row["data"]),
        "read": row["read_at"] is not None,
        "read_at": row["read_at"],
        "created_at": row["created_at"],
    }


def list_notifications(
    db: sqlite_utils.Database,
    *,
    unread_only: bool = False,
    limit: int = 50,
    before: str | None = None,
) -> dict[str, Any]:
    where, params = [], []
    if unread_only:
        where.append("read_at IS NULL")
    if before:
        where.append("id < ?")
        params.append(before)
    sql = "SELECT * FROM notifications"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = list(db.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit + 1]))
    unread = db.execute("SELECT count(*) FROM notifications WHERE read_at IS NULL").fetchone()[0]
    page = [_to_json(r) for r in rows[:limit]]
    return {
        "items": page,
        "unread": unread,
        "next_before": page[-1]["id"] if len(rows) > limit else None,
    }


def unread_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM notifications WHERE read_at IS NULL").fetchone()[0]


def mark_read(db: sqlite_utils.Database, notification_id: str | None = None) -> int:
    """Mark one notification (or, with None, all) as read; returns how many changed."""
    if notification_id is None:
        return db.execute(
            "UPDATE notifications SET read_at = ? WHERE read_at IS NULL", [iso()]
        ).rowcount
    if not db["notifications"].count_where("id = ?", [notification_id]):
        raise NotFound(f"There is no notification {notification_id!r}.")
    return db.execute(
        "UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL",
        [iso(), notification_id],
    ).rowcount
