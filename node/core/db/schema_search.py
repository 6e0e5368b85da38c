"""Migration 20: search as you type, and names in the mediatheek's full-text index.

The FTS5 table ``listings_fts`` gets a fifth text column ``names`` (credit,
organisation name and the object's author, from a virtual generated column of
``listings``) and prefix indexes of 3 and 4 characters, so that "kerm" finds
"kermis" without a ``*`` and "Herman Coster" finds what he is credited with.
FTS5 tables cannot be altered: the triggers are dropped, the FTS table is
dropped and created anew, the triggers are created again (now also firing when
the credit, organisation name or document changes) and the index is rebuilt
from ``listings``.  Tags and facet counts are untouched.  A ``fts5vocab`` table
``listings_vocab`` (no data of its own) lists the index's terms, so a prefix
longer than the prefix indexes can be expanded into its words once per search.

Only sqlite here: migrations must not import live code (this DDL is frozen).
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations

NAMES_V20 = (
    "ALTER TABLE listings ADD COLUMN names TEXT GENERATED ALWAYS AS"
    " (credit || ' ' || origin_name || ' ' || coalesce(json_extract(document, '$.author'), ''))"
    " VIRTUAL"
)
FTS_V20 = """CREATE VIRTUAL TABLE listings_fts USING fts5(
        title, summary, body_text, tags, names, filters,
        content='listings', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='3 4')"""


# the index's terms, for expanding a long prefix into the few words it stands for
VOCAB_V20 = "CREATE VIRTUAL TABLE listings_vocab USING fts5vocab(listings_fts, 'row')"


def _facet_rows(row: str) -> str:
    return (
        f"SELECT 'kind', {row}.kind UNION ALL SELECT 'org', {row}.origin_actor"
        f" UNION ALL SELECT 'language', {row}.language"
        f" UNION ALL SELECT 'licence', {row}.licence"
        f" UNION ALL SELECT DISTINCT 'tag', value FROM json_each({row}.tags)"
    )


def _add(row: str) -> str:
    return f"""
        INSERT INTO listings_fts (rowid, title, summary, body_text, tags, names, filters)
            VALUES ({row}.id, {row}.title, {row}.summary, {row}.body_text, {row}.tags,
                    {row}.names, {row}.filters);
        INSERT OR IGNORE INTO listing_tags (tag, listing_id)
            SELECT value, {row}.id FROM json_each({row}.tags);
        INSERT INTO listing_facets (facet, value, n)
            SELECT * , 1 FROM ({_facet_rows(row)}) WHERE {row}.withdrawn = 0
            ON CONFLICT (facet, value) DO UPDATE SET n = n + 1;"""


def _remove(row: str) -> str:
    return f"""
        INSERT INTO listings_fts
            (listings_fts, rowid, title, summary, body_text, tags, names, filters)
            VALUES ('delete', {row}.id, {row}.title, {row}.summary, {row}.body_text, {row}.tags,
                    {row}.names, {row}.filters);
        DELETE FROM listing_tags WHERE listing_id = {row}.id
            AND tag IN (SELECT value FROM json_each({row}.tags));
        UPDATE listing_facets SET n = n - 1 WHERE {row}.withdrawn = 0
            AND (facet, value) IN ({_facet_rows(row)});"""


TRIGGERS_V20 = {
    "listings_ai": f"AFTER INSERT ON listings BEGIN {_add('new')} END",
    "listings_ad": f"AFTER DELETE ON listings BEGIN {_remove('old')} END",
    "listings_au": (
        "AFTER UPDATE OF id, title, summary, body_text, tags, kind, origin_actor,"
        " origin_name, credit, document,"
        f" language, licence, withdrawn ON listings BEGIN {_remove('old')} {_add('new')} END"
    ),
}


@node_migrations(20, "search_names_prefix")
def _search_names_prefix(db: sqlite_utils.Database) -> None:
    for name in TRIGGERS_V20:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("DROP TABLE listings_fts")
    db.execute(NAMES_V20)
    db.execute(FTS_V20)
    db.execute(VOCAB_V20)
    for name, body in TRIGGERS_V20.items():
        db.execute(f"CREATE TRIGGER {name} {body}")
    db.execute("INSERT INTO listings_fts (listings_fts) VALUES ('rebuild')")
