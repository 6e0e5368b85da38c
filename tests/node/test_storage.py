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


def test_every_schema_module_is_listed_explicitly():
    """A schema file that storage.NODE_SCHEMAS does not name would never run."""
    from pathlib import Path

    from node.core import storage

    folder = Path(storage.__file__).parent / "db"
    files = {p.stem for p in folder.glob("schema*.py")}
    assert {m.__name__.rsplit(".", 1)[1] for m in storage.NODE_SCHEMAS} == files


def test_migrations_do_not_import_live_code():
    """Old migrations must not change when live code does: schema files import only db/."""
    import ast
    from pathlib import Path

    from node.core import storage

    folder = Path(storage.__file__).parent / "db"
    offenders = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("node."):
                if not node.module.startswith("node.core.db"):
                    offenders.append(f"{path.name}: {node.module}")
    assert offenders == []


def test_frozen_mediatheek_tables_match_what_migration_4_recorded(db_path):
    """The frozen copy builds the same tables the live schema describes today."""
    from node.mediatheek.schema import TABLES, TRIGGERS

    db = connect(db_path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert set(TRIGGERS) <= names
    assert all(db[t].exists() for t in ("listings", "listings_index_queue"))
    # migration 24 dropped the FTS5 index and its derived tables (the index is tantivy's)
    assert not any(db[t].exists() for t in ("listings_fts", "listing_tags", "listing_facets"))
    assert len(TABLES) > 0
