"""The transactional outbox: an activity is written in the same transaction as its cause.

A use case that changes state and must tell other nodes calls :func:`enqueue`
inside its own ``db.write`` function.  The row commits (or rolls back) with the
change, so "the editor's decision is stored" and "the partners will be told"
can never disagree.  After the commit a dispatcher hands each pending row to
the federation engine, which resolves inboxes and writes one durable delivery
per inbox; at start-up the dispatcher sends whatever was written but not yet
handed over.  Re-dispatching is harmless: the engine stores activities and
deliveries by activity id with ``INSERT OR IGNORE``.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from node.core.clock import iso


def enqueue(db: sqlite_utils.Database, activity: dict[str, Any], recipients: list[str]) -> str:
    """Record ``activity`` for ``recipients`` in the caller's transaction; returns its id."""
    activity_id = activity.get("id")
    if not isinstance(activity_id, str) or not activity_id:
        raise ValueError("an outbox activity needs an id")
    db.execute(
        "INSERT OR IGNORE INTO outbox (id, body, recipients, created_at) VALUES (?, ?, ?, ?)",
        [
            activity_id,
            json.dumps(activity, ensure_ascii=False, separators=(",", ":")),
            json.dumps(list(dict.fromkeys(recipients))),
            iso(),
        ],
    )
    return activity_id


def pending(db: sqlite_utils.Database, limit: int = 100) -> list[tuple[str, dict, list[str]]]:
    """Rows written but not yet handed to federation, oldest first."""
    rows = db.execute(
        "SELECT id, body, recipients FROM outbox WHERE dispatched_at IS NULL"
        " ORDER BY created_at, id LIMIT ?",
        [limit],
    ).fetchall()
    return [(r[0], json.loads(r[1]), json.loads(r[2])) for r in rows]


def mark_dispatched(db: sqlite_utils.Database, activity_id: str) -> None:
    db.execute("UPDATE outbox SET dispatched_at = ? WHERE id = ?", [iso(), activity_id])


def mark_failed(db: sqlite_utils.Database, activity_id: str, error: str) -> None:
    db.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
        [error[:500], activity_id],
    )


def drop_recipient(
    db: sqlite_utils.Database, recipient: str, activity_types: tuple[str, ...]
) -> int:
    """Take ``recipient`` off rows of these types not yet handed over; returns how many.

    Used when a partnership ends: content decided for the partner but not yet sent must
    not leave after the end.  A row left with nobody to send to is marked dispatched.
    """
    changed = 0
    rows = db.execute(
        "SELECT id, body, recipients FROM outbox WHERE dispatched_at IS NULL"
    ).fetchall()
    for activity_id, body, recipients_json in rows:
        recipients = json.loads(recipients_json)
        if recipient not in recipients or json.loads(body).get("type") not in activity_types:
            continue
        remaining = [r for r in recipients if r != recipient]
        db.execute(
            "UPDATE outbox SET recipients = ?, dispatched_at = CASE WHEN ? THEN dispatched_at"
            " ELSE ? END, last_error = ? WHERE id = ?",
            [json.dumps(remaining), bool(remaining), iso(), "partnership ended", activity_id],
        )
        changed += 1
    return changed
