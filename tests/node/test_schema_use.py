"""Migration 11: one live copy per original, also for databases that already hold duplicates."""

from __future__ import annotations

import sqlite3

import pytest

from node.core.db.database import connect
from node.core.storage import all_migrations, migrate
from tests.node.migrating import database_before

ORIGINAL = "https://stadsomroep.example/items/markt"
OTHER = "https://stadsomroep.example/items/brand"


def _item(db, item_id: str, created_at: str, derived_from: str | None, deleted: int = 0) -> None:
    db.execute(
        "INSERT INTO items (id, uri, kind, title, derived_from, deleted, created_at, updated_at)"
        " VALUES (?, ?, 'photo', 'Markt', ?, ?, ?, ?)",
        [item_id, f"https://wijktv.example/items/{item_id}", derived_from, deleted,
         created_at, created_at],
    )  # fmt: skip


def _share(db, share_id: str, object_id: str, state: str, used: str | None) -> None:
    db.execute(
        "INSERT INTO incoming_shares (id, object_id, origin_actor, activity_id, kind, title,"
        " document, state, used_item_id, received_at, updated_at)"
        " VALUES (?, ?, 'https://stadsomroep.example/actor', ?, 'photo', 'Markt', '{}', ?, ?,"
        " '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z')",
        [share_id, object_id, f"{object_id}#offer", state, used],
    )


@pytest.fixture
def legacy(tmp_path):
    """Three live copies of one original (ten clicks made them), one deleted, one share."""
    path = tmp_path / "mediakring.db"
    database_before(path, 11)
    db = connect(path)
    db.conn.execute("BEGIN")
    _item(db, "copy-b", "2025-01-01T10:00:02.000000Z", ORIGINAL)
    _item(db, "copy-a", "2025-01-01T10:00:01.000000Z", ORIGINAL)  # the oldest: kept
    _item(db, "copy-c", "2025-01-01T10:00:03.000000Z", ORIGINAL)
    _item(db, "gone", "2025-01-01T09:00:00.000000Z", ORIGINAL, deleted=1)
    _item(db, "crashed", "2025-01-02T10:00:00.000000Z", OTHER)
    _item(db, "own", "2025-01-01T08:00:00.000000Z", None)
    _share(db, "s-markt", ORIGINAL, "used", "copy-c")  # pointed at the last duplicate
    _share(db, "s-brand", OTHER, "offered", None)  # crash: copy made, share not updated
    db.conn.execute("COMMIT")
    db.conn.close()
    return path


def test_duplicates_are_kept_marked_and_shares_point_at_the_oldest(legacy):
    assert "node/011_unique_use" in migrate(legacy)
    db = connect(legacy)
    rows = dict(db.execute("SELECT id, duplicate_of FROM items").fetchall())
    assert rows == {
        "copy-a": None,
        "copy-b": "copy-a",
        "copy-c": "copy-a",
        "gone": None,
        "crashed": None,
        "own": None,
    }
    # The duplicates stay in the library, still derived from the original (origin's
    # Update and Delete reach them), media and provenance untouched.
    kept = db.execute(
        "SELECT count(*) FROM items WHERE derived_from = ? AND deleted = 0", [ORIGINAL]
    ).fetchone()[0]
    assert kept == 3
    shares = {r[0]: (r[1], r[2]) for r in db.execute(
        "SELECT id, state, used_item_id FROM incoming_shares")}  # fmt: skip
    assert shares == {"s-markt": ("used", "copy-a"), "s-brand": ("used", "crashed")}


def test_after_migration_a_second_live_copy_is_impossible(legacy):
    migrate(legacy)
    db = connect(legacy)
    db.conn.execute("BEGIN")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        _item(db, "copy-d", "2025-02-01T00:00:00.000000Z", ORIGINAL)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        _item(db, "copy-e", "2025-02-01T00:00:00.000000Z", OTHER)
    # A deleted copy does not count, and an item that is no copy is unconstrained.
    _item(db, "gone-too", "2025-02-01T00:00:00.000000Z", OTHER, deleted=1)
    _item(db, "own-2", "2025-02-01T00:00:00.000000Z", None)
    db.conn.execute("COMMIT")
    # Deleting the live copy frees the original for a fresh copy.
    db.conn.execute("BEGIN")
    db.execute("UPDATE items SET deleted = 1 WHERE id = 'crashed'")
    _item(db, "fresh", "2025-02-02T00:00:00.000000Z", OTHER)
    db.conn.execute("COMMIT")
    db.conn.close()


def test_a_fresh_database_has_the_constraint(tmp_path):
    path = tmp_path / "mediakring.db"
    migrate(path)
    db = connect(path)
    index = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'items_one_live_copy'"
    ).fetchone()
    assert index and "UNIQUE" in index[0]
    recorded = {(r[0], r[1]) for r in db.execute("SELECT scope, number FROM migrations")}
    assert ("node", 11) in recorded
    assert 11 in {m.number for m in all_migrations()[1]}
