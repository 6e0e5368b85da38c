"""Tables owned by federation/: its durable queues and caches.

Declared as plain schema steps (see ``federation.store.SchemaStep``) that the
node records and applies.  Every timestamp is a REAL (Unix seconds, UTC): the
queues compare them on every claim, and numbers compare and index cheaply.
"""

from __future__ import annotations

import sqlite_utils

from federation.store import SchemaStep


def _queues_and_caches(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE remote_actors (
            id TEXT PRIMARY KEY, inbox TEXT, shared_inbox TEXT,
            rsa_key_id TEXT, rsa_public_pem TEXT,
            ed25519_keys TEXT NOT NULL DEFAULT '{}', document TEXT NOT NULL,
            fetched_at REAL NOT NULL, gone INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute("CREATE INDEX remote_actors_key ON remote_actors (rsa_key_id)")
    db.execute(
        """CREATE TABLE inbox_queue (
            id INTEGER PRIMARY KEY, activity_id TEXT NOT NULL UNIQUE, actor TEXT NOT NULL,
            type TEXT NOT NULL, body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending','done','failed')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
            locked_until REAL, last_error TEXT, received_at REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX inbox_queue_due ON inbox_queue (state, next_attempt_at)")
    db.execute(
        """CREATE TABLE activities (
            id TEXT PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL,
            created_at REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX activities_created ON activities (created_at DESC)")
    db.execute(
        """CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
            inbox TEXT NOT NULL, host TEXT NOT NULL, recipient TEXT,
            resolved INTEGER NOT NULL DEFAULT 1,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending','delivered','failed','gone')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
            locked_until REAL, last_status INTEGER, last_error TEXT,
            created_at REAL NOT NULL, delivered_at REAL,
            UNIQUE (activity_id, inbox))"""
    )
    db.execute("CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at)")
    db.execute("CREATE INDEX deliveries_host ON deliveries (host, state)")
    db.execute(
        """CREATE TABLE followers (
            follower TEXT NOT NULL, target TEXT NOT NULL, follow_id TEXT NOT NULL,
            inbox TEXT, shared_inbox TEXT,
            state TEXT NOT NULL CHECK (state IN ('pending','accepted','rejected','gone')),
            created_at REAL NOT NULL, PRIMARY KEY (follower, target))"""
    )
    db.execute("CREATE INDEX followers_target ON followers (target, state, created_at)")
    db.execute(
        """CREATE TABLE following (
            object TEXT NOT NULL, target_actor TEXT NOT NULL, follow_id TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('pending','accepted','rejected','undone')),
            created_at REAL NOT NULL, PRIMARY KEY (object))"""
    )
    db.execute(
        """CREATE TABLE domain_policy (
            domain TEXT PRIMARY KEY, rule TEXT NOT NULL CHECK (rule IN ('allow','block')))"""
    )
    db.execute(
        """CREATE TABLE seen_signatures (
            hash TEXT PRIMARY KEY, expires_at REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX seen_signatures_expiry ON seen_signatures (expires_at)")


SCHEMA_STEPS: list[SchemaStep] = [(1, "queues_and_caches", _queues_and_caches)]
