"""The database layer: migrations recorded, WAL, one writer, rollback on failure."""

from __future__ import annotations

import asyncio

import pytest

from node.core.db import Database
from node.core.db.database import connect
from node.core.storage import migrate


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "mediakring.db"
    migrate(path)
    return path


def test_migrations_are_recorded_and_idempotent(db_path):
    db = connect(db_path)
    recorded = [(r["scope"], r["number"]) for r in db["migrations"].rows]
    assert ("node", 1) in recorded and ("node", 2) in recorded
    assert migrate(db_path) == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_failed_write_leaves_nothing(db_path):
    database = Database(db_path)

    def half_then_fail(db):
        db["users"].insert(
            {"username": "half", "password_hash": "x", "role": "editor", "created_at": "now"}
        )
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await database.write(half_then_fail)
    count = await database.read(lambda db: db["users"].count)
    assert count == 0
    database.close()


async def test_writes_are_serialised_and_reads_run_concurrently(db_path):
    database = Database(db_path, readers=2)

    def insert(i):
        return lambda db: db["users"].insert(
            {"username": f"user{i}", "password_hash": "x", "role": "editor", "created_at": "now"}
        )

    await asyncio.gather(*(database.write(insert(i)) for i in range(50)))
    counts = await asyncio.gather(*(database.read(lambda db: db["users"].count) for _ in range(10)))
    assert counts == [50] * 10
    database.close()


async def test_checkpoint_truncates_the_wal(db_path):
    database = Database(db_path)
    await database.write(lambda db: db.execute("CREATE TABLE filler (x TEXT)"))
    for _ in range(20):
        await database.write(lambda db: db.execute("INSERT INTO filler VALUES (?)", ["x" * 4000]))
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.stat().st_size > 0
    busy, _, _ = await database.checkpoint()
    assert busy == 0
    assert wal.stat().st_size == 0
    database.close()


async def test_reads_do_not_block_the_event_loop(db_path):
    """A slow read runs on a reader thread; the loop keeps ticking meanwhile."""
    database = Database(db_path)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await database.read(
        lambda db: db.execute(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 3000000)"
            " SELECT count(*) FROM c"
        ).fetchone()
    )
    task.cancel()
    assert ticks >= 3
    database.close()
