"""A partner's avatar, as its organisation actor last described it.

The partner row already keeps the organisation's name; an actor ``Update`` from the
partner (a new name or avatar) refreshes both, so the desk never shows a stale name.
"""

from __future__ import annotations

import sqlite_utils

from node.core.db.schema import node_migrations


@node_migrations(17, "partner_icon")
def _partner_icon(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE partners ADD COLUMN icon_url TEXT")
