"""Tables of the mediatheek: listings and the queue that feeds the search index.

Why it looks like this:

* ``listings.id`` is derived from ``published_at`` (microseconds since the epoch,
  shifted left 10 bits, low bits break ties), so rowid order *is* date order.
  Sorting by date, paging by date and filtering on a date range are id
  operations, in SQLite and in the search index (its ``id`` fast field).
* ``names`` (credit, organisation name and author: "Herman Coster" or an
  organisation's name finds its listings) is a virtual generated column, so
  every writer gets it right; the search index reads it.  ``filters`` is the
  generated column of the FTS5 index before migration 24; nothing reads it now.
* Triggers enqueue every write to ``listings`` in ``listings_index_queue`` in
  the same transaction (the transactional outbox, migration 24), and the search
  index (:mod:`node.mediatheek.textindex`) applies the queue, so nothing can
  drift whoever writes the row.
* Bulk loads (benchmarks) drop the triggers, insert, create them again and rebuild
  the search index from ``listings`` (a missing index rebuilds itself).
"""

from __future__ import annotations

import sqlite_utils

KINDS = ("article", "photo", "video", "audio", "document", "event", "vacancy")

# the generated column of the FTS5 filter tokens (migration 14; unused since migration 24)
FILTER_PREFIX = {"kind": "0k", "origin_actor": "0o", "language": "0l", "licence": "0c"}
FILTERS_SQL = " || ' ' || ".join(f"'{p}' || hex({c})" for c, p in FILTER_PREFIX.items())
# Who made it and whose it is: credit, organisation name and the object's author, one
# searchable text (a virtual generated column, so every writer of ``listings`` gets it)
NAMES_SQL = (
    "credit || ' ' || origin_name || ' ' || coalesce(json_extract(document, '$.author'), '')"
)
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
    # "kind = ? ORDER BY date" and date ranges without touching the table.  Search,
    # filters and facets are the tantivy index's, so only what SQL itself asks is indexed
    # (migration 25 dropped language, licence and origin_actor alone: (origin_actor,
    # kind) serves every lookup by organisation).
    "CREATE INDEX listings_kind ON listings (kind)",
    "CREATE INDEX listings_org_kind ON listings (origin_actor, kind)",
    "CREATE INDEX listings_withdrawn ON listings (id) WHERE withdrawn = 1",
    "CREATE INDEX listings_expires ON listings (expires_at) WHERE expires_at IS NOT NULL",
    "CREATE INDEX listings_embargo ON listings (embargo_until) WHERE embargo_until IS NOT NULL",
    # events only: the agenda asks "ends after now, starts before the range's end"
    "CREATE INDEX listings_window ON listings (ends_at, starts_at) WHERE ends_at IS NOT NULL",
    # the transactional outbox of the search index (migration 24, textindex.py)
    """CREATE TABLE listings_index_queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, listing_id INTEGER NOT NULL)""",
]


TRIGGERS = {
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


def create_tables(db: sqlite_utils.Database) -> None:
    """Create the mediatheek tables, indexes and triggers as the migrations up to 25 left them."""
    for sql in TABLES:
        db.execute(sql)
    create_triggers(db)


def create_triggers(db: sqlite_utils.Database) -> None:
    for name, body in TRIGGERS.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def drop_triggers(db: sqlite_utils.Database) -> None:
    """For bulk loads only: follow with :func:`create_triggers` and
    :func:`node.mediatheek.textindex.rebuild` (the queue did not see the rows)."""
    for name in TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
