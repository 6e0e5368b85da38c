"""Tables owned by ``node/``: identity, accounts, tokens, items with versions, media."""

from __future__ import annotations

import sqlite_utils

from node.core.db.migrations import MigrationSet

node_migrations = MigrationSet("node")


@node_migrations(1, "identity_users_tokens")
def _identity(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL, handle TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',
            rsa_private_pem TEXT NOT NULL, ed25519_private_pem TEXT NOT NULL,
            created_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE users (
            username TEXT PRIMARY KEY, password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin','editor')),
            disabled INTEGER NOT NULL DEFAULT 0, language TEXT NOT NULL DEFAULT 'nl',
            created_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
            scope TEXT NOT NULL CHECK (scope IN ('read','write','admin')),
            label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0)"""
    )


@node_migrations(2, "items_media")
def _items(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE items (
            id TEXT PRIMARY KEY, uri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
            title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',
            body_html TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
            language TEXT NOT NULL DEFAULT 'nl', location TEXT,
            credit TEXT NOT NULL DEFAULT '', licence TEXT NOT NULL DEFAULT 'all-rights-reserved',
            usage_terms TEXT NOT NULL DEFAULT '', embargo_until TEXT, expires_at TEXT,
            sensitive INTEGER NOT NULL DEFAULT 0, author TEXT NOT NULL DEFAULT '',
            derived_from TEXT, provenance TEXT, version INTEGER NOT NULL DEFAULT 1,
            deleted INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX items_created ON items (created_at DESC, id DESC)")
    db.execute("CREATE INDEX items_kind ON items (kind, created_at DESC)")
    db.execute(
        """CREATE TABLE item_versions (
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            version INTEGER NOT NULL, snapshot TEXT NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (item_id, version))"""
    )
    db.execute(
        """CREATE TABLE media (
            id TEXT PRIMARY KEY, item_id TEXT REFERENCES items(id) ON DELETE SET NULL,
            position INTEGER NOT NULL DEFAULT 0,
            sha256 TEXT NOT NULL, size INTEGER NOT NULL, media_type TEXT NOT NULL,
            category TEXT NOT NULL, original_name TEXT NOT NULL DEFAULT '',
            width INTEGER, height INTEGER, duration REAL, blurhash TEXT,
            focal_point TEXT, alt TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX media_item ON media (item_id, position)")
    db.execute("CREATE INDEX media_sha ON media (sha256)")
    db.execute(
        """CREATE TABLE renditions (
            media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
            name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
            media_type TEXT NOT NULL, width INTEGER, height INTEGER,
            PRIMARY KEY (media_id, name))"""
    )


@node_migrations(3, "audience")
def _audience(db: sqlite_utils.Database) -> None:
    """Regie per item, in one place: public, mediatheek, and the ticked partners."""
    db.execute(
        """CREATE TABLE audience (
            item_id TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            public INTEGER NOT NULL DEFAULT 0, mediatheek INTEGER NOT NULL DEFAULT 0,
            published_at TEXT, updated_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE audience_partners (
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            partner_actor TEXT NOT NULL, shared_at TEXT NOT NULL,
            retracted_at TEXT, PRIMARY KEY (item_id, partner_actor))"""
    )
    db.execute("CREATE INDEX audience_public ON audience (public, published_at DESC)")


@node_migrations(4, "mediatheek_index")
def _mediatheek_index(db: sqlite_utils.Database) -> None:
    """Listings of our own and our partners' mediatheek, with FTS5 and facet counts."""
    from node.core.db.frozen_mediatheek_v4 import create_tables_v4

    create_tables_v4(db)


@node_migrations(5, "channels")
def _channels(db: sqlite_utils.Database) -> None:
    """Wall screens with their chosen items, and webhooks with a durable delivery log."""
    db.execute(
        """CREATE TABLE wall_screens (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
            rotate_seconds INTEGER NOT NULL DEFAULT 15,
            include_public INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE wall_screen_items (
            screen_id TEXT NOT NULL REFERENCES wall_screens(id) ON DELETE CASCADE,
            item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, PRIMARY KEY (screen_id, item_id))"""
    )
    db.execute(
        """CREATE TABLE webhooks (
            id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL,
            secret TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
            event TEXT NOT NULL, body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending','delivering','delivered','failed')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL,
            locked_until TEXT, last_status INTEGER, last_error TEXT,
            created_at TEXT NOT NULL, delivered_at TEXT)"""
    )
    db.execute("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at)")
    db.execute(
        "CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at DESC)"
    )
    db.execute(
        """CREATE TABLE webhook_attempts (
            delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL, at TEXT NOT NULL, status INTEGER, error TEXT,
            duration_ms INTEGER NOT NULL, PRIMARY KEY (delivery_id, attempt))"""
    )
