"""Tables for citizen contributions: the moderation queue and the files it holds.

Files are kept in the content-addressed media store by hash; no ``media`` row is
made until an editor accepts, so nothing a citizen sent can reach a channel
before a person looked at it.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(8, "contributions")
def _contributions(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE contributions (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL CHECK (source IN ('web','fediverse')),
            name TEXT NOT NULL, contact TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT '',
            licence TEXT NOT NULL, consent INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending','accepted','rejected')),
            actor TEXT, note_id TEXT UNIQUE, client TEXT,
            reason TEXT, notified TEXT,
            received_at TEXT NOT NULL, decided_at TEXT, item_id TEXT)"""
    )
    db.execute("CREATE INDEX contributions_queue ON contributions (status, received_at DESC)")
    db.execute("CREATE INDEX contributions_client ON contributions (client, received_at)")
    db.execute("CREATE INDEX contributions_actor ON contributions (actor, received_at)")
    db.execute(
        """CREATE TABLE contribution_media (
            contribution_id TEXT NOT NULL REFERENCES contributions(id),
            position INTEGER NOT NULL, sha256 TEXT, size INTEGER,
            media_type TEXT, original_name TEXT NOT NULL DEFAULT '',
            url TEXT, alt TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (contribution_id, position))"""
    )
    db.execute("CREATE INDEX contribution_media_blob ON contribution_media (sha256)")
