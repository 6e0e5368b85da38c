"""Migration 14: listings of kind ``event`` and ``vacancy``, with their details.

The ``listings`` table has a CHECK on ``kind``, which SQLite cannot alter, so
the table is rebuilt: a new table with the wider CHECK and three new columns
(``details`` JSON, and for events the indexed window ``starts_at``/``ends_at``
as canonical UTC instants), the rows copied with their ids (the FTS5 index is
keyed on them and stays valid), the old table dropped and the new one renamed.
The triggers that keep FTS, tags and facet counts in step are dropped first and
created again exactly as they were; the FTS index is rebuilt to be sure.

Only sqlite here: migrations must not import live code (this DDL is frozen).
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.frozen_mediatheek_v4 import TRIGGERS_V4
from node.core.db.schema import node_migrations

LISTINGS_V14 = """CREATE TABLE listings_v14 (
        id INTEGER PRIMARY KEY,
        object_id TEXT NOT NULL UNIQUE,
        origin_actor TEXT NOT NULL, origin_name TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL CHECK (kind IN ('article', 'photo', 'video', 'audio', 'document', 'event', 'vacancy')),
        title TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '',
        body_text TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
        language TEXT NOT NULL DEFAULT '', licence TEXT NOT NULL DEFAULT '',
        credit TEXT NOT NULL DEFAULT '', usage_terms TEXT NOT NULL DEFAULT '',
        embargo_until TEXT, expires_at TEXT,
        published_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        thumbnail_url TEXT, document TEXT NOT NULL DEFAULT '{}',
        proof_ok INTEGER NOT NULL DEFAULT 0, local INTEGER NOT NULL DEFAULT 0,
        withdrawn INTEGER NOT NULL DEFAULT 0,
        details TEXT NOT NULL DEFAULT '{}', starts_at TEXT, ends_at TEXT,
        filters TEXT GENERATED ALWAYS AS ('0k' || hex(kind) || ' ' || '0o' || hex(origin_actor) || ' ' || '0l' || hex(language) || ' ' || '0c' || hex(licence)) VIRTUAL)"""  # noqa: E501

INDEXES_V14 = (
    "CREATE INDEX listings_kind ON listings (kind)",
    "CREATE INDEX listings_org ON listings (origin_actor)",
    "CREATE INDEX listings_org_kind ON listings (origin_actor, kind)",
    "CREATE INDEX listings_language ON listings (language)",
    "CREATE INDEX listings_licence ON listings (licence)",
    "CREATE INDEX listings_withdrawn ON listings (id) WHERE withdrawn = 1",
    "CREATE INDEX listings_expires ON listings (expires_at) WHERE expires_at IS NOT NULL",
    "CREATE INDEX listings_embargo ON listings (embargo_until) WHERE embargo_until IS NOT NULL",
    "CREATE INDEX listings_window ON listings (ends_at, starts_at) WHERE ends_at IS NOT NULL",
)

_COPIED = (
    "id, object_id, origin_actor, origin_name, kind, title, summary, body_text, tags,"
    " language, licence, credit, usage_terms, embargo_until, expires_at, published_at,"
    " updated_at, thumbnail_url, document, proof_ok, local, withdrawn"
)


@node_migrations(14, "listing_kinds")
def _listing_kinds(db: sqlite_utils.Database) -> None:
    for name in TRIGGERS_V4:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute(LISTINGS_V14)
    db.execute(f"INSERT INTO listings_v14 ({_COPIED}) SELECT {_COPIED} FROM listings")
    db.execute("DROP TABLE listings")
    db.execute("ALTER TABLE listings_v14 RENAME TO listings")
    for sql in INDEXES_V14:
        db.execute(sql)
    for name, body in TRIGGERS_V4.items():
        db.execute(f"CREATE TRIGGER {name} {body}")
    db.execute("INSERT INTO listings_fts (listings_fts) VALUES ('rebuild')")
