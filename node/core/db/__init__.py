"""SQLite storage: one writer behind a queue, concurrent readers, numbered migrations."""

from node.core.db.database import Database
from node.core.db.migrations import Migration, MigrationSet

__all__ = ["Database", "Migration", "MigrationSet"]
