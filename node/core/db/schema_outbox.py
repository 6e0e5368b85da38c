"""The transactional outbox: activities decided inside a change's own transaction."""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(9, "outbox")
def _outbox(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            recipients TEXT NOT NULL,
            created_at TEXT NOT NULL,
            dispatched_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )"""
    )
    db.execute("CREATE INDEX outbox_pending ON outbox (created_at) WHERE dispatched_at IS NULL")
