"""Migration 25: the listings indexes no query reads are dropped, and lookups by
organisation still seek an index instead of scanning every listing."""

from __future__ import annotations

import sqlite_utils

from node.core.db.database import connect
from node.core.db.schema_listing_indexes import DROPPED_V25
from node.core.storage import migrate
from node.mediatheek import store
from node.mediatheek.schema import create_tables
from node.sharing.partnerships import wind_down
from tests.node.migrating import database_before

PARTNER = "https://wijktv.example/actor"


def _indexes(db: sqlite_utils.Database) -> set[str]:
    return {
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'listings'"
            " AND sql IS NOT NULL"
        )
    }


def test_migration_25_drops_the_unread_indexes_and_keeps_the_rest(tmp_path):
    path = tmp_path / "mediakring.db"
    database_before(path, 25)
    db = connect(path)
    before = _indexes(db)
    assert set(DROPPED_V25) <= before  # what migration 14 created
    db.conn.close()

    applied = migrate(path)
    assert len(applied) == 1 and "25" in applied[0], applied
    db = connect(path)
    after = _indexes(db)
    assert after == before - set(DROPPED_V25)
    assert {"listings_kind", "listings_org_kind", "listings_window"} <= after


def test_the_live_schema_builds_the_indexes_the_migrations_leave(tmp_path):
    migrated = tmp_path / "migrated.db"
    migrate(migrated)
    fresh = sqlite_utils.Database(tmp_path / "fresh.db")
    create_tables(fresh)
    assert _indexes(fresh) == _indexes(connect(migrated))


def _plans(path, run) -> list[str]:
    """The query plan of every statement on ``listings`` that ``run(db)`` executes."""
    db = connect(path)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    db.conn.execute("BEGIN")
    try:
        run(db)
    finally:
        db.conn.set_trace_callback(None)
        db.conn.execute("ROLLBACK")
    plans = []
    for sql in statements:
        if "listings" not in sql or not sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
            continue
        rows = db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        plans.append(" / ".join(r[-1] for r in rows))
    return plans


def test_lookups_by_organisation_seek_the_organisation_index(tmp_path):
    path = tmp_path / "mediakring.db"
    migrate(path)
    plans = _plans(path, lambda db: store.origin_name(db, PARTNER)) + _plans(
        path, lambda db: wind_down(db, PARTNER)
    )
    on_org = [p for p in plans if "origin_actor" in p or "listings_org_kind" in p]
    assert on_org, plans
    assert all("USING INDEX listings_org_kind (origin_actor=?)" in p for p in on_org), on_org
    assert not any("SCAN listings" in p for p in plans), plans
