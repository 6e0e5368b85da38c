"""The editor's desk: a partner's avatar, and indexes for the library's status filter.

The partner row already keeps the organisation's name; an actor ``Update`` from the
partner (a new name or avatar) refreshes both, so the desk never shows a stale name.
Embargo and expiry are rare among a library's items: partial indexes let the "under
embargo" and "expired" filters (node/items/states.py) read only the items that have one.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(17, "desk_state")
def _desk_state(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE partners ADD COLUMN icon_url TEXT")
    db.execute(
        "CREATE INDEX items_embargo ON items (embargo_until) WHERE embargo_until IS NOT NULL"
    )
    db.execute("CREATE INDEX items_expiry ON items (expires_at) WHERE expires_at IS NOT NULL")
