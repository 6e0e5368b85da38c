"""The node's SQLite database, arranged so the event loop never waits on disk.

All writes go through one dedicated thread (a single-worker executor is the
queue in front of the one SQLite writer), each call in its own transaction.
Reads run on a small pool of reader threads, each with its own connection; WAL
mode lets them proceed while the writer commits.  The WAL is checkpointed and
truncated periodically so it cannot grow without bound.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import sqlite_utils

log = logging.getLogger(__name__)
T = TypeVar("T")


def connect(path: Path | str, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open a connection with the pragmas every connection of a node needs."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    return sqlite_utils.Database(conn)


class Database:
    """Async front for one SQLite file: ``await db.write(fn)`` and ``await db.read(fn)``.

    ``fn`` receives a :class:`sqlite_utils.Database`; a write runs inside a
    transaction that is rolled back if ``fn`` raises, so a failure leaves
    nothing half-stored.
    """

    def __init__(self, path: Path | str, *, readers: int = 4) -> None:
        self.path = Path(path)
        self._writer_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._reader_pool = ThreadPoolExecutor(
            max_workers=max(1, readers), thread_name_prefix="db-reader"
        )
        self._local = threading.local()
        self._writer: sqlite_utils.Database | None = None
        self._readers_opened: list[sqlite_utils.Database] = []
        self._readers_lock = threading.Lock()
        self._closed = False

    # -- synchronous core (runs on the pools, or directly from the CLI) --------

    def _writer_db(self) -> sqlite_utils.Database:
        if self._writer is None:
            self._writer = connect(self.path)
        return self._writer

    def _reader_db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path, readonly=True)
            self._local.db = db
            with self._readers_lock:
                self._readers_opened.append(db)
        return db

    def write_sync(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``fn`` in one transaction on the writer connection (writer thread only)."""
        db = self._writer_db()
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(db)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def read_sync(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        return fn(self._reader_db())

    # -- async API ---------------------------------------------------------------

    async def write(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Queue ``fn`` for the single writer and wait for its result."""
        if self._closed:
            raise RuntimeError("database is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer_pool, self.write_sync, fn)

    async def read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run a read off the event loop on a reader connection."""
        if self._closed:
            raise RuntimeError("database is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader_pool, self.read_sync, fn)

    async def checkpoint(self) -> tuple[int, int, int]:
        """Checkpoint the WAL and truncate it; returns SQLite's (busy, log, checkpointed)."""

        def run(db: sqlite_utils.Database) -> tuple[int, int, int]:
            row = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return tuple(row)  # type: ignore[return-value]

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer_pool, lambda: run(self._writer_db()))

    def close(self) -> None:
        """Close every connection and stop the worker threads."""
        self._closed = True

        def close_writer() -> None:
            if self._writer is not None:
                self._writer.conn.close()
                self._writer = None

        self._writer_pool.submit(close_writer).result()
        self._writer_pool.shutdown(wait=True)
        self._reader_pool.shutdown(wait=True)
        for db in self._readers_opened:
            try:
                db.conn.close()
            except sqlite3.Error:  # pragma: no cover - already closed
                pass
