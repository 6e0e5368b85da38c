"""SQL the engine runs for reports and collections (run through Store.read / write)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

PAGE_SIZE = 50
KEEP_DONE_SECONDS = 30 * 24 * 3600.0  # inbox rows stay this long for de-duplication


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dicts(cursor) -> list[dict]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


async def empty_collection(cursor: str | None, requester: str | None):
    return [], None, 0


def followers(db: sqlite_utils.Database, target: str, state: str | None) -> list[dict]:
    sql = "SELECT * FROM followers WHERE target = ?"
    args: list[Any] = [target]
    if state is not None:
        sql += " AND state = ?"
        args.append(state)
    rows = _dicts(db.execute(sql + " ORDER BY created_at, follower", args))
    for row in rows:
        row["created_at"] = iso(row["created_at"])
    return rows


def delivery_targets(db: sqlite_utils.Database, target: str) -> list[tuple[str, str | None]]:
    """``(follower, inbox)`` for each accepted follower of ``target``, oldest first: the
    shared inbox where the follower has one.  Publishing reads only this, as plain tuples:
    the full rows of :func:`followers` (every column, timestamps formatted) cost a fan-out
    to 1,000 followers 5 ms more before its first delivery."""
    return db.execute(
        "SELECT follower, COALESCE(NULLIF(shared_inbox, ''), inbox) FROM followers"
        " WHERE target = ? AND state = 'accepted' ORDER BY created_at, follower",
        [target],
    ).fetchall()


def following(db: sqlite_utils.Database) -> list[dict]:
    rows = _dicts(db.execute("SELECT * FROM following ORDER BY created_at"))
    for row in rows:
        row["created_at"] = iso(row["created_at"])
    return rows


def follower_page(db: sqlite_utils.Database, target: str, cursor: str | None):
    """Accepted followers, oldest first; the cursor is the offset (opaque to clients)."""
    offset = int(cursor) if cursor and cursor.isdigit() else 0
    total = db.execute(
        "SELECT count(*) FROM followers WHERE target = ? AND state = 'accepted'", [target]
    ).fetchone()[0]
    rows = db.execute(
        "SELECT follower FROM followers WHERE target = ? AND state = 'accepted'"
        " ORDER BY created_at, follower LIMIT ? OFFSET ?",
        [target, PAGE_SIZE, offset],
    ).fetchall()
    next_cursor = str(offset + PAGE_SIZE) if offset + PAGE_SIZE < total else None
    return [r[0] for r in rows], next_cursor, total


def delivery_states(db: sqlite_utils.Database, activity_id: str) -> list[dict]:
    rows = _dicts(
        db.execute(
            "SELECT inbox, host, recipient, state, attempts, last_status, last_error,"
            " next_attempt_at, delivered_at FROM deliveries WHERE activity_id = ? ORDER BY id",
            [activity_id],
        )
    )
    for row in rows:
        row["delivered_at"] = iso(row["delivered_at"])
        row["next_attempt_at"] = iso(row["next_attempt_at"]) if row["state"] == "pending" else None
    return rows


def delivery_health(db: sqlite_utils.Database, now: float) -> dict:
    by_state = dict.fromkeys(("pending", "delivered", "failed", "gone"), 0)
    for state, count in db.execute("SELECT state, count(*) FROM deliveries GROUP BY state"):
        by_state[state] = count
    failing = _dicts(
        db.execute(
            "SELECT host, count(*) AS pending, max(attempts) AS max_attempts,"
            " min(created_at) AS oldest, max(last_error) AS last_error FROM deliveries"
            " WHERE state = 'pending' AND attempts > 0 GROUP BY host ORDER BY pending DESC"
            " LIMIT 50"
        )
    )
    for row in failing:
        row["oldest"] = iso(row["oldest"])
    oldest = db.execute(
        "SELECT min(created_at) FROM deliveries WHERE state = 'pending'"
    ).fetchone()[0]
    inbox = dict.fromkeys(("pending", "done", "failed"), 0)
    for state, count in db.execute("SELECT state, count(*) FROM inbox_queue GROUP BY state"):
        inbox[state] = count
    return {
        "deliveries": by_state, "failing_hosts": failing, "oldest_pending": iso(oldest),
        "oldest_pending_age_seconds": (now - oldest) if oldest else None, "inbox": inbox,
    }  # fmt: skip


def retry_now(db: sqlite_utils.Database, host: str | None, now: float) -> int:
    if host is None:
        cur = db.execute("UPDATE deliveries SET next_attempt_at = ? WHERE state = 'pending'", [now])
    else:
        cur = db.execute(
            "UPDATE deliveries SET next_attempt_at = ?, state = 'pending',"
            " created_at = CASE WHEN state = 'failed' THEN ? ELSE created_at END"
            " WHERE host = ? AND state IN ('pending', 'failed')",
            [now, now, host],
        )
    return cur.rowcount


def cancel_pending(
    db: sqlite_utils.Database, recipient: str, activity_types: tuple[str, ...], reason: str
) -> int:
    """Stop pending deliveries of these activity types to ``recipient``; returns how many.

    They end as 'gone' (never retried, not even by :func:`retry_now`) with ``reason`` as
    their last error, so the delivery log says why they never went out.
    """
    marks = ", ".join("?" for _ in activity_types)
    cur = db.execute(
        "UPDATE deliveries SET state = 'gone', locked_until = NULL, last_error = ?"
        " WHERE state = 'pending' AND recipient = ?"
        f" AND activity_id IN (SELECT id FROM activities WHERE type IN ({marks}))",
        [reason, recipient, *activity_types],
    )
    return cur.rowcount


def prune(db: sqlite_utils.Database, now: float) -> None:
    db.execute("DELETE FROM seen_signatures WHERE expires_at < ?", [now])
    db.execute(
        "DELETE FROM inbox_queue WHERE state = 'done' AND received_at < ?",
        [now - KEEP_DONE_SECONDS],
    )
