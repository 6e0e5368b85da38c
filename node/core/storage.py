"""Opening a node's database: connect, apply every package's migrations."""

from __future__ import annotations

from pathlib import Path

from federation.schema import SCHEMA_STEPS
from node.core.db import (
    Database,
    schema,
    schema_changes,
    schema_contributions,
    schema_delivery_claim,
    schema_desk_state,
    schema_embedded,
    schema_instance_actor,
    schema_instants,
    schema_kinds,
    schema_listing_indexes,
    schema_listing_kinds,
    schema_outbox,
    schema_profile,
    schema_search,
    schema_search_index,
    schema_sharing,
    schema_usage,
    schema_use,
)
from node.core.db.database import connect
from node.core.db.migrations import MigrationSet, apply_migrations, migration_set_from_steps
from node.core.db.schema import node_migrations

#: Every module that declares node migrations.  A new schema file is one more line here
#: (a test fails when a ``node/core/db/schema*.py`` file is missing from this list).
NODE_SCHEMAS = (
    schema,
    schema_contributions,
    schema_sharing,
    schema_outbox,
    schema_instants,
    schema_use,
    schema_instance_actor,
    schema_kinds,
    schema_listing_kinds,
    schema_profile,
    schema_usage,
    schema_desk_state,
    schema_embedded,
    schema_search,
    schema_delivery_claim,
    schema_changes,
    schema_search_index,
    schema_listing_indexes,
)


def all_migrations() -> list[MigrationSet]:
    """Federation's tables first (node tables may refer to them), then node's."""
    return [
        migration_set_from_steps("federation", SCHEMA_STEPS),
        node_migrations.collect(NODE_SCHEMAS),
    ]


def migrate(path: Path) -> list[str]:
    """Bring the database file at ``path`` up to date (synchronously; start-up and CLI)."""
    db = connect(path)
    try:
        return apply_migrations(db, all_migrations())
    finally:
        db.conn.close()


def open_database(path: Path, readers: int = 4) -> Database:
    migrate(path)
    return Database(path, readers=readers)
