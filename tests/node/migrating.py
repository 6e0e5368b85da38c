"""A node database as it was before a given migration, for tests of that migration."""

from __future__ import annotations

from pathlib import Path

from node.core.db.database import connect
from node.core.db.migrations import MigrationSet, apply_migrations
from node.core.storage import all_migrations


def database_before(path: Path, number: int) -> None:
    """Create the database at ``path`` with federation's migrations and node's migrations
    numbered below ``number`` applied, as a node of that age left it."""
    federation, node = all_migrations()
    earlier = MigrationSet("node")
    for m in node:
        if m.number < number:
            earlier.add(m.number, m.name, m.apply)
    db = connect(path)
    try:
        apply_migrations(db, [federation, earlier])
    finally:
        db.conn.close()
