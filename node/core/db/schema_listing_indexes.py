"""Migration 25: three ``listings`` indexes that no query reads any more go.

Since migration 24 the mediatheek's text search, its filters and its facets are
answered by the tantivy index, so no SQL statement filters listings by
``language`` or ``licence``, and every lookup by ``origin_actor`` (a partner's
listings, its name, the agenda of one organisation) is served by the leading
column of ``listings_org_kind``.  Each of them still cost a B-tree insert for
every listing stored: a back-fill of 20,000 listings spent about a fifth of the
receiving node's CPU on them.

Plain SQL only: a migration must not call live application code.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations

DROPPED_V25 = ("listings_language", "listings_licence", "listings_org")


@node_migrations(25, "listings_unread_indexes")
def _listings_unread_indexes(db: sqlite_utils.Database) -> None:
    for name in DROPPED_V25:
        db.execute(f"DROP INDEX IF EXISTS {name}")
