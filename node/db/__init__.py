"""SQLite storage: one writer behind a queue, concurrent readers, numbered migrations."""

from node.db.database import Database
from node.db.migrations import Migration, MigrationSet

__all__ = ["Database", "Migration", "MigrationSet"]
