"""Events and vacancies: one JSON column ``details`` on items (``{}`` for other kinds).

The fields of an event or vacancy (start, end, place, closing date, salary …)
are checked by ``node.items.kinds.clean_details`` before they are written; the
column holds the clean dict as JSON text.  Plain SQL only.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(13, "item_details")
def _item_details(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE items ADD COLUMN details TEXT NOT NULL DEFAULT '{}'")
