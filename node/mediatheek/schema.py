"""Tables of the mediatheek index: listings, their FTS5 index, tags and facet counts.

Why it looks like this:

* ``listings.id`` is derived from ``published_at`` (microseconds since the epoch,
  shifted left 10 bits, low bits break ties), so rowid order *is* date order.
  Sorting by date, paging by date and filtering on a date range then become
  rowid operations that FTS5 and every index (which all end in the rowid) do
  natively, without a separate ``published_at`` index.
* The FTS5 table uses external content (no second copy of the text) and the
  ``unicode61 remove_diacritics 2`` tokenizer so "cafe" finds "café" and
  "financiele" finds "financiële".  No stemmer: the Porter stemmer is English
  and would mangle Dutch.
* The text columns are title, summary, body text, tags and ``names`` (credit,
  organisation name and author: "Herman Coster" or an organisation's name finds
  its listings).  Prefix indexes of 3 and 4 characters make search as you type
  ("kerm" finds "kermis") one doclist read (migration 20).
* The FTS5 table has a last column, ``filters``, holding one synthetic token per
  equality filter (kind, organisation, language, licence).  A filtered text
  query is then one FTS5 expression, and FTS5 intersects the doclists itself,
  skipping through them, instead of one b-tree seek per text match.  User text
  is restricted to the four text columns, and relevance never looks at it.
* Triggers keep the FTS index, the tag table and the facet counts in step with
  every write to ``listings``, so nothing can drift whoever writes the row.
  ``listing_facets`` holds counts over non-withdrawn listings, which makes the
  unfiltered facet panel a handful of primary-key reads.
* Bulk loads (benchmarks, a re-index) drop the triggers, insert, and call
  :func:`rebuild_derived`, which is many times faster than row-by-row triggers.
"""

from __future__ import annotations

import sqlite_utils

KINDS = ("article", "photo", "video", "audio", "document", "event", "vacancy")
FACET_COLUMNS = {
    "kind": "kind",
    "org": "origin_actor",
    "language": "language",
    "licence": "licence",
}

# Equality filters are also indexed as synthetic tokens in the FTS column ``filters``
# (a virtual generated column of ``listings``, so every writer gets it right): the
# prefix names the column, the rest is the value's UTF-8 bytes in hex, so any value
# is one unicode61 token ("0k70686f746f" is kind = photo).  User text is only ever
# matched against TEXT_COLUMNS (see query.to_match), so it cannot reach these tokens.
FILTER_PREFIX = {"kind": "0k", "origin_actor": "0o", "language": "0l", "licence": "0c"}
FILTERS_SQL = " || ' ' || ".join(f"'{p}' || hex({c})" for c, p in FILTER_PREFIX.items())
TEXT_COLUMNS = ("title", "summary", "body_text", "tags", "names")
# Who made it and whose it is: credit, organisation name and the object's author, one
# searchable text (a virtual generated column, so every writer of ``listings`` gets it)
NAMES_SQL = (
    "credit || ' ' || origin_name || ' ' || coalesce(json_extract(document, '$.author'), '')"
)
# FTS5 prefix indexes: a 3- or 4-letter prefix typed into the search box ("kerm") is one
# doclist read; longer prefixes expand to few terms.  See docs/search.md.
PREFIX_INDEXES = "3 4"


def filter_token(column: str, value: str) -> str:
    """The synthetic FTS token of ``column = value`` (as FILTERS_SQL makes it, folded)."""
    return FILTER_PREFIX[column] + value.encode("utf-8").hex()


TABLES = [
    f"""CREATE TABLE listings (
        id INTEGER PRIMARY KEY,
        object_id TEXT NOT NULL UNIQUE,
        origin_actor TEXT NOT NULL, origin_name TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL CHECK (kind IN {KINDS!r}),
        title TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '',
        body_text TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
        language TEXT NOT NULL DEFAULT '', licence TEXT NOT NULL DEFAULT '',
        credit TEXT NOT NULL DEFAULT '', usage_terms TEXT NOT NULL DEFAULT '',
        embargo_until TEXT, expires_at TEXT,
        published_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        thumbnail_url TEXT, document TEXT NOT NULL DEFAULT '{{}}',
        proof_ok INTEGER NOT NULL DEFAULT 0, local INTEGER NOT NULL DEFAULT 0,
        withdrawn INTEGER NOT NULL DEFAULT 0,
        details TEXT NOT NULL DEFAULT '{{}}', starts_at TEXT, ends_at TEXT,
        filters TEXT GENERATED ALWAYS AS ({FILTERS_SQL}) VIRTUAL,
        names TEXT GENERATED ALWAYS AS ({NAMES_SQL}) VIRTUAL)""",
    # Every index ends in the rowid, i.e. in publication time: (kind, id) serves
    # "kind = ? ORDER BY date" and date ranges without touching the table.
    "CREATE INDEX listings_kind ON listings (kind)",
    "CREATE INDEX listings_org ON listings (origin_actor)",
    "CREATE INDEX listings_org_kind ON listings (origin_actor, kind)",
    "CREATE INDEX listings_language ON listings (language)",
    "CREATE INDEX listings_licence ON listings (licence)",
    "CREATE INDEX listings_withdrawn ON listings (id) WHERE withdrawn = 1",
    "CREATE INDEX listings_expires ON listings (expires_at) WHERE expires_at IS NOT NULL",
    "CREATE INDEX listings_embargo ON listings (embargo_until) WHERE embargo_until IS NOT NULL",
    # events only: the agenda asks "ends after now, starts before the range's end"
    "CREATE INDEX listings_window ON listings (ends_at, starts_at) WHERE ends_at IS NOT NULL",
    f"""CREATE VIRTUAL TABLE listings_fts USING fts5(
        title, summary, body_text, tags, names, filters,
        content='listings', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='{PREFIX_INDEXES}')""",
    # the index's terms (no data of its own): a prefix longer than the prefix indexes is
    # expanded into its few words once per search (see plan.expand_prefixes)
    "CREATE VIRTUAL TABLE listings_vocab USING fts5vocab(listings_fts, 'row')",
    """CREATE TABLE listing_tags (
        tag TEXT NOT NULL, listing_id INTEGER NOT NULL,
        PRIMARY KEY (tag, listing_id)) WITHOUT ROWID""",
    """CREATE TABLE listing_facets (
        facet TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (facet, value)) WITHOUT ROWID""",
]


def _facet_rows(row: str) -> str:
    """SELECT yielding (facet, value) pairs of one listing row (``new`` or ``old``)."""
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


TRIGGERS = {
    "listings_ai": f"AFTER INSERT ON listings BEGIN {_add('new')} END",
    "listings_ad": f"AFTER DELETE ON listings BEGIN {_remove('old')} END",
    "listings_au": (
        "AFTER UPDATE OF id, title, summary, body_text, tags, kind, origin_actor,"
        " origin_name, credit, document,"
        f" language, licence, withdrawn ON listings BEGIN {_remove('old')} {_add('new')} END"
    ),
}


def create_tables(db: sqlite_utils.Database) -> None:
    """Create the mediatheek tables, indexes and triggers as migrations 4, 14 and 20 left them."""
    for sql in TABLES:
        db.execute(sql)
    create_triggers(db)


def create_triggers(db: sqlite_utils.Database) -> None:
    for name, body in TRIGGERS.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def drop_triggers(db: sqlite_utils.Database) -> None:
    """For bulk loads only: follow with :func:`rebuild_derived` and :func:`create_triggers`."""
    for name in TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_derived(db: sqlite_utils.Database) -> None:
    """Recompute the FTS index, tag table and facet counts from ``listings``."""
    db.execute("INSERT INTO listings_fts (listings_fts) VALUES ('rebuild')")
    db.execute("DELETE FROM listing_tags")
    db.execute(
        "INSERT OR IGNORE INTO listing_tags (tag, listing_id)"
        " SELECT j.value, l.id FROM listings l, json_each(l.tags) j"
    )
    db.execute("DELETE FROM listing_facets")
    for facet, column in FACET_COLUMNS.items():
        db.execute(
            f"INSERT INTO listing_facets (facet, value, n) SELECT ?, {column}, count(*)"
            f" FROM listings WHERE withdrawn = 0 GROUP BY {column}",
            [facet],
        )
    db.execute(
        "INSERT INTO listing_facets (facet, value, n) SELECT 'tag', t.tag, count(*)"
        " FROM listing_tags t JOIN listings l ON l.id = t.listing_id"
        " WHERE l.withdrawn = 0 GROUP BY t.tag"
    )
    db.execute("DELETE FROM listing_facets WHERE n <= 0")
    db.execute("INSERT INTO listings_fts (listings_fts) VALUES ('optimize')")
