# ruff: noqa: E501, W291  (a byte-exact copy of the DDL that migration 4 ran)
"""The mediatheek tables as migration node/004 created them: a frozen copy.

Copied from ``node.mediatheek.schema`` when migrations stopped calling live code;
later changes to the live schema need a new migration, never an edit here.
"""

from __future__ import annotations

import sqlite_utils

TABLES_V4 = (
    """CREATE TABLE listings (
        id INTEGER PRIMARY KEY,
        object_id TEXT NOT NULL UNIQUE,
        origin_actor TEXT NOT NULL, origin_name TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL CHECK (kind IN ('article', 'photo', 'video', 'audio', 'document')),
        title TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '',
        body_text TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
        language TEXT NOT NULL DEFAULT '', licence TEXT NOT NULL DEFAULT '',
        credit TEXT NOT NULL DEFAULT '', usage_terms TEXT NOT NULL DEFAULT '',
        embargo_until TEXT, expires_at TEXT,
        published_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        thumbnail_url TEXT, document TEXT NOT NULL DEFAULT '{}',
        proof_ok INTEGER NOT NULL DEFAULT 0, local INTEGER NOT NULL DEFAULT 0,
        withdrawn INTEGER NOT NULL DEFAULT 0,
        filters TEXT GENERATED ALWAYS AS ('0k' || hex(kind) || ' ' || '0o' || hex(origin_actor) || ' ' || '0l' || hex(language) || ' ' || '0c' || hex(licence)) VIRTUAL)""",
    """CREATE INDEX listings_kind ON listings (kind)""",
    """CREATE INDEX listings_org ON listings (origin_actor)""",
    """CREATE INDEX listings_org_kind ON listings (origin_actor, kind)""",
    """CREATE INDEX listings_language ON listings (language)""",
    """CREATE INDEX listings_licence ON listings (licence)""",
    """CREATE INDEX listings_withdrawn ON listings (id) WHERE withdrawn = 1""",
    """CREATE INDEX listings_expires ON listings (expires_at) WHERE expires_at IS NOT NULL""",
    """CREATE INDEX listings_embargo ON listings (embargo_until) WHERE embargo_until IS NOT NULL""",
    """CREATE VIRTUAL TABLE listings_fts USING fts5(
        title, summary, body_text, tags, filters,
        content='listings', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='3')""",
    """CREATE TABLE listing_tags (
        tag TEXT NOT NULL, listing_id INTEGER NOT NULL,
        PRIMARY KEY (tag, listing_id)) WITHOUT ROWID""",
    """CREATE TABLE listing_facets (
        facet TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (facet, value)) WITHOUT ROWID""",
)

TRIGGERS_V4 = {
    "listings_ai": """AFTER INSERT ON listings BEGIN 
        INSERT INTO listings_fts (rowid, title, summary, body_text, tags, filters)
            VALUES (new.id, new.title, new.summary, new.body_text, new.tags,
                    new.filters);
        INSERT OR IGNORE INTO listing_tags (tag, listing_id)
            SELECT value, new.id FROM json_each(new.tags);
        INSERT INTO listing_facets (facet, value, n)
            SELECT * , 1 FROM (SELECT 'kind', new.kind UNION ALL SELECT 'org', new.origin_actor UNION ALL SELECT 'language', new.language UNION ALL SELECT 'licence', new.licence UNION ALL SELECT DISTINCT 'tag', value FROM json_each(new.tags)) WHERE new.withdrawn = 0
            ON CONFLICT (facet, value) DO UPDATE SET n = n + 1; END""",
    "listings_ad": """AFTER DELETE ON listings BEGIN 
        INSERT INTO listings_fts (listings_fts, rowid, title, summary, body_text, tags, filters)
            VALUES ('delete', old.id, old.title, old.summary, old.body_text, old.tags,
                    old.filters);
        DELETE FROM listing_tags WHERE listing_id = old.id
            AND tag IN (SELECT value FROM json_each(old.tags));
        UPDATE listing_facets SET n = n - 1 WHERE old.withdrawn = 0
            AND (facet, value) IN (SELECT 'kind', old.kind UNION ALL SELECT 'org', old.origin_actor UNION ALL SELECT 'language', old.language UNION ALL SELECT 'licence', old.licence UNION ALL SELECT DISTINCT 'tag', value FROM json_each(old.tags)); END""",
    "listings_au": """AFTER UPDATE OF id, title, summary, body_text, tags, kind, origin_actor, language, licence, withdrawn ON listings BEGIN 
        INSERT INTO listings_fts (listings_fts, rowid, title, summary, body_text, tags, filters)
            VALUES ('delete', old.id, old.title, old.summary, old.body_text, old.tags,
                    old.filters);
        DELETE FROM listing_tags WHERE listing_id = old.id
            AND tag IN (SELECT value FROM json_each(old.tags));
        UPDATE listing_facets SET n = n - 1 WHERE old.withdrawn = 0
            AND (facet, value) IN (SELECT 'kind', old.kind UNION ALL SELECT 'org', old.origin_actor UNION ALL SELECT 'language', old.language UNION ALL SELECT 'licence', old.licence UNION ALL SELECT DISTINCT 'tag', value FROM json_each(old.tags)); 
        INSERT INTO listings_fts (rowid, title, summary, body_text, tags, filters)
            VALUES (new.id, new.title, new.summary, new.body_text, new.tags,
                    new.filters);
        INSERT OR IGNORE INTO listing_tags (tag, listing_id)
            SELECT value, new.id FROM json_each(new.tags);
        INSERT INTO listing_facets (facet, value, n)
            SELECT * , 1 FROM (SELECT 'kind', new.kind UNION ALL SELECT 'org', new.origin_actor UNION ALL SELECT 'language', new.language UNION ALL SELECT 'licence', new.licence UNION ALL SELECT DISTINCT 'tag', value FROM json_each(new.tags)) WHERE new.withdrawn = 0
            ON CONFLICT (facet, value) DO UPDATE SET n = n + 1; END""",
}


def create_tables_v4(db: sqlite_utils.Database) -> None:
    """Create the tables, indexes and triggers exactly as migration 4 did."""
    for sql in TABLES_V4:
        db.execute(sql)
    for name, body in TRIGGERS_V4.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
