"""One live copy per original: "use" is unique in the schema, not only in code.

A copy of a partner's item is an ``items`` row whose ``derived_from`` is the
original's URI.  The partial UNIQUE index below makes a second *live* copy of
the same original impossible, whichever code path tries to insert it.  A copy
the editor deleted (``deleted = 1``, a tombstone) does not count: the original
may be used again and gets a fresh copy.

Databases written before this migration may already hold several live copies of
one original (concurrent clicks made one copy each).  The oldest is kept as *the*
copy.  The others stay exactly as they were for the editor (same id, media and
provenance, still ``derived_from`` the original so an Update or Delete from the
origin still reaches them), but are marked ``duplicate_of`` the kept copy, which
takes them out of the unique index.  Shares pointing at a duplicate are pointed
at the kept copy, and a share left "offered" although its copy exists (a crash
between the copy and the share update) is marked "used".

Plain SQL only: a migration must not call live application code.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations

#: The condition that defines "a live copy" for the unique index; use.py's
#: look-ups use the same condition so the code and the constraint agree.
LIVE_COPY = "derived_from IS NOT NULL AND deleted = 0 AND duplicate_of IS NULL"


@node_migrations(11, "unique_use")
def _unique_use(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE items ADD COLUMN duplicate_of TEXT")
    # Rank the live copies of each original, oldest first (id breaks ties).
    db.execute(
        """CREATE TEMP TABLE copy_rank AS
           SELECT id, derived_from,
                  row_number() OVER (PARTITION BY derived_from ORDER BY created_at, id) AS n,
                  first_value(id) OVER (PARTITION BY derived_from ORDER BY created_at, id)
                      AS kept
           FROM items WHERE derived_from IS NOT NULL AND deleted = 0"""
    )
    db.execute(
        """UPDATE items SET duplicate_of =
               (SELECT kept FROM copy_rank WHERE copy_rank.id = items.id)
           WHERE id IN (SELECT id FROM copy_rank WHERE n > 1)"""
    )
    db.execute(
        """UPDATE incoming_shares SET used_item_id =
               (SELECT kept FROM copy_rank WHERE copy_rank.id = incoming_shares.used_item_id)
           WHERE used_item_id IN (SELECT id FROM copy_rank WHERE n > 1)"""
    )
    db.execute(
        """UPDATE incoming_shares
           SET state = 'used', updated_at = strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'),
               used_item_id = (SELECT kept FROM copy_rank
                               WHERE copy_rank.derived_from = incoming_shares.object_id
                               AND n = 1)
           WHERE state = 'offered'
             AND object_id IN (SELECT derived_from FROM copy_rank)"""
    )
    db.execute("DROP TABLE copy_rank")
    db.execute(f"CREATE UNIQUE INDEX items_one_live_copy ON items (derived_from) WHERE {LIVE_COPY}")
