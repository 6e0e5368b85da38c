"""Tables for the network's purpose: partners, shares, notifications and insight."""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(6, "sharing")
def _sharing(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE partners (
            id TEXT PRIMARY KEY, actor_url TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL DEFAULT '', handle TEXT NOT NULL DEFAULT '',
            mediatheek_url TEXT, state TEXT NOT NULL
                CHECK (state IN ('pending','active','rejected','ended')),
            direction TEXT NOT NULL CHECK (direction IN ('outgoing','incoming')),
            we_follow TEXT NOT NULL DEFAULT 'none', they_follow TEXT NOT NULL DEFAULT 'none',
            backfill_state TEXT NOT NULL DEFAULT 'none', backfill_next TEXT,
            backfill_count INTEGER NOT NULL DEFAULT 0, backfill_error TEXT,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE notifications (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '', link TEXT, data TEXT NOT NULL DEFAULT '{}',
            read_at TEXT, created_at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX notifications_unread ON notifications (read_at, created_at DESC)")
    db.execute(
        """CREATE TABLE incoming_shares (
            id TEXT PRIMARY KEY, object_id TEXT NOT NULL UNIQUE,
            origin_actor TEXT NOT NULL, origin_name TEXT NOT NULL DEFAULT '',
            activity_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
            document TEXT NOT NULL, thumbnail_url TEXT, embargo_until TEXT, expires_at TEXT,
            state TEXT NOT NULL DEFAULT 'offered'
                CHECK (state IN ('offered','used','retracted','expired')),
            used_item_id TEXT, received_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX incoming_shares_recent ON incoming_shares (received_at DESC)")
    db.execute(
        """CREATE TABLE insight_events (
            id INTEGER PRIMARY KEY, item_id TEXT NOT NULL, partner_actor TEXT,
            event TEXT NOT NULL, channel TEXT, detail TEXT NOT NULL DEFAULT '{}',
            activity_id TEXT UNIQUE, created_at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX insight_item ON insight_events (item_id, created_at)")
    db.execute("CREATE INDEX insight_time ON insight_events (created_at)")
    db.execute("ALTER TABLE audience ADD COLUMN public_sent_at TEXT")
    db.execute("ALTER TABLE audience ADD COLUMN listed_sent_at TEXT")
    db.execute("ALTER TABLE audience ADD COLUMN expiry_done_at TEXT")
    db.execute("ALTER TABLE audience_partners ADD COLUMN activity_id TEXT")


@node_migrations(7, "share_embargo_notice")
def _embargo_notice(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE incoming_shares ADD COLUMN embargo_noticed_at TEXT")
