"""Migration 24: the mediatheek's search index moves to tantivy, fed by a queue.

``listings_index_queue`` is a transactional outbox: triggers on ``listings``
enqueue the id of every listing inserted, changed (both ids if the id moved) or
deleted, in the same transaction as the write, whoever makes it.  The search
index (``node/mediatheek/textindex.py``, beside the database file) applies the
queue up to a watermark it commits with its own documents, and queue rows at or
below that watermark are pruned.  An empty queue with no index yet makes the
index rebuild itself from ``listings`` on first use.

The FTS5 index, its vocabulary table, the tag table and the facet counts, and
their triggers, are dropped: tantivy gives exact relevance, totals and facets.

Only sqlite here: migrations must not import live code (this DDL is frozen).
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations

QUEUE_V24 = """CREATE TABLE listings_index_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, listing_id INTEGER NOT NULL)"""
TRIGGERS_V24 = {
    "listings_index_ai": (
        "AFTER INSERT ON listings BEGIN"
        " INSERT INTO listings_index_queue (listing_id) VALUES (new.id); END"
    ),
    "listings_index_au": (
        "AFTER UPDATE ON listings BEGIN"
        " INSERT INTO listings_index_queue (listing_id) VALUES (new.id);"
        " INSERT INTO listings_index_queue (listing_id) SELECT old.id WHERE old.id != new.id;"
        " END"
    ),
    "listings_index_ad": (
        "AFTER DELETE ON listings BEGIN"
        " INSERT INTO listings_index_queue (listing_id) VALUES (old.id); END"
    ),
}
DROPPED_V24 = (
    "DROP TRIGGER IF EXISTS listings_ai",
    "DROP TRIGGER IF EXISTS listings_ad",
    "DROP TRIGGER IF EXISTS listings_au",
    "DROP TABLE IF EXISTS listings_vocab",
    "DROP TABLE IF EXISTS listings_fts",
    "DROP TABLE IF EXISTS listing_tags",
    "DROP TABLE IF EXISTS listing_facets",
)


@node_migrations(24, "search_index_queue")
def _search_index_queue(db: sqlite_utils.Database) -> None:
    for sql in DROPPED_V24:
        db.execute(sql)
    db.execute(QUEUE_V24)
    for name, body in TRIGGERS_V24.items():
        db.execute(f"CREATE TRIGGER {name} {body}")
