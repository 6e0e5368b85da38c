"""Batch upserts (back-fill pages) leave the index exactly as single upserts do."""

from __future__ import annotations

import sqlite3

import pytest

from node.core.db.database import Database, connect
from node.core.storage import migrate
from node.mediatheek import SearchQuery, search
from node.mediatheek import store as index

ORGS = ["https://a.example/actor", "https://b.example/actor"]


def listing(n: int, **kw) -> dict:
    base = {
        "object_id": f"https://a.example/items/{n}",
        "origin_actor": ORGS[n % 2],
        "kind": ("article", "photo", "video")[n % 3],
        "title": f"bericht {n} over de {'haven' if n % 2 else 'brug'}",
        "summary": "gemeenteraad",
        "tags": [f"tag{n % 4}", "raad"],
        "language": ("nl", "en")[n % 2],
        # three listings share every instant: the batch must give each its own id
        "published_at": f"2025-03-{1 + n // 3:02d}T10:00:00Z",
    }
    return base | kw


@pytest.fixture
def two_dbs(tmp_path):
    out = []
    for name in ("single", "batch"):
        migrate(tmp_path / f"{name}.db")
        out.append(connect(tmp_path / f"{name}.db"))
    yield out
    for db in out:
        db.conn.close()


def snapshot(db) -> dict:
    """Everything the triggers derive, plus the rows themselves."""
    query = lambda sql: sorted(tuple(r) for r in db.execute(sql).fetchall())  # noqa: E731
    words = ["haven", "brug", "gemeenteraad", "raad", "bericht"]
    return {
        "listings": query("SELECT id, object_id, title, updated_at, withdrawn FROM listings"),
        "facets": search(db, SearchQuery(facets=True)).facets,
        "hits": {
            w: sorted(i["id"] for i in search(db, SearchQuery(q=w + " ", limit=100)).items)
            for w in words
        },
        "search": {
            w: [i["title"] for i in search(db, SearchQuery(q=w, limit=100)).items] for w in words
        },
    }


def test_upsert_rows_keeps_the_search_index_and_facets_as_single_upserts_do(two_dbs):
    single, batch = two_dbs
    existing = [listing(n) for n in range(6)]
    page = [
        *(listing(n) for n in range(6, 30)),
        # an update of a stored listing (newer), one older than the stored one (ignored)
        listing(1, title="bijgewerkt bericht over de haven", updated_at="2025-04-01T00:00:00Z"),
        listing(2, title="verouderd", updated_at="2024-01-01T00:00:00Z"),
        # the same new listing twice in one page: the second (newer) wins, as one by one
        listing(40, title="eerste versie"),
        listing(40, title="tweede versie brug", updated_at="2025-05-01T00:00:00Z"),
    ]
    for db in two_dbs:
        db.conn.execute("BEGIN")
        for row in existing:
            index.upsert_listing(db, row)
        db.conn.execute("COMMIT")
    single.conn.execute("BEGIN")
    for row in page:
        index.upsert_listing(single, row)
    single.conn.execute("COMMIT")
    batch.conn.execute("BEGIN")
    assert index.upsert_rows(batch, [index.prepare(row) for row in page]) == len(page)
    batch.conn.execute("COMMIT")

    assert snapshot(batch) == snapshot(single)
    titles = [i["title"] for i in search(batch, SearchQuery(q="brug", limit=100)).items]
    assert "tweede versie brug" in titles and "eerste versie" not in titles
    assert index.get_listing(batch, listing(2)["object_id"])["title"] != "verouderd"
    found = search(batch, SearchQuery(q="bericht", limit=100))
    assert len(found.items) == 30  # 0..29: every back-filled listing is searchable


def test_prepare_refuses_a_listing_that_cannot_be_stored():
    with pytest.raises(ValueError, match="published_at out of range"):
        index.prepare(listing(1, published_at="1600-01-01T00:00:00Z"))
    with pytest.raises(ValueError, match="unknown kind"):
        index.prepare(listing(1, kind="hologram"))


def many(count: int) -> list[dict]:
    """``count`` prepared rows, published a second apart (two per second share one)."""
    return [
        index.prepare(listing(n, published_at=f"2025-03-01T10:{n // 120:02d}:{n // 2 % 60:02d}Z"))
        for n in range(count)
    ]


def _queued(db) -> list[int]:
    return [r[0] for r in db.execute("SELECT listing_id FROM listings_index_queue ORDER BY seq")]


@pytest.mark.parametrize("variables", [None, 999])  # 999: older SQLite builds' default
def test_a_page_larger_than_one_insert_is_stored_and_queued_row_by_row(two_dbs, variables):
    """Rows go in many to a statement (ROWS_PER_INSERT, fewer where SQLite allows fewer
    parameters); every one is stored, and enqueued once for the search index, in order."""
    _, db = two_dbs
    if variables is not None:
        db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variables)
    page = many(index.ROWS_PER_INSERT * 2 + 51)
    db.conn.execute("BEGIN")
    assert index.upsert_rows(db, page) == len(page)
    db.conn.execute("COMMIT")
    stored = dict(db.execute("SELECT object_id, id FROM listings").fetchall())
    assert sorted(stored) == sorted(row["object_id"] for row in page)
    assert _queued(db) == [stored[row["object_id"]] for row in page]
    found = search(db, SearchQuery(q="bericht", limit=1))
    assert found.total == len(page)


def test_a_row_refused_by_sqlite_leaves_nothing_of_its_page(tmp_path):
    """One bad row in the middle of a page: the page's transaction stores none of it and
    queues nothing."""
    migrate(tmp_path / "n.db")
    db = Database(tmp_path / "n.db")
    page = many(index.ROWS_PER_INSERT + 20)
    page[index.ROWS_PER_INSERT + 5]["origin_actor"] = None  # NOT NULL in listings
    with pytest.raises(sqlite3.IntegrityError):
        db.write_sync(lambda d: index.upsert_rows(d, page))
    check = connect(tmp_path / "n.db")
    assert check.execute("SELECT count(*) FROM listings").fetchone()[0] == 0
    assert _queued(check) == []
    db.close()


def test_a_batched_page_keeps_embargo_expiry_and_withdrawal(two_dbs):
    """Regie through the batched insert: listings under embargo, expired or withdrawn,
    spread over several statements of one page, are searched exactly as single upserts
    would be: the embargoed ones flagged (and left out of ``embargoed=False``) until the
    embargo lifts, the expired and withdrawn ones never found."""
    _, db = two_dbs
    now = "2025-06-01T00:00:00Z"
    page = many(index.ROWS_PER_INSERT * 2 + 10)
    rules = {
        5: {"embargo_until": "2025-07-01T00:00:00Z"},
        index.ROWS_PER_INSERT + 7: {"embargo_until": "2025-07-01T00:00:00Z"},
        index.ROWS_PER_INSERT + 8: {"expires_at": "2025-05-01T00:00:00Z"},
        index.ROWS_PER_INSERT * 2 + 3: {"withdrawn": 1},
    }
    for n, change in rules.items():
        page[n] = index.prepare({**listing(n, published_at=page[n]["published_at"]), **change})
    db.conn.execute("BEGIN")
    index.upsert_rows(db, page)
    db.conn.execute("COMMIT")
    ids = {row["object_id"]: n for n, row in enumerate(page)}

    def found(**kw) -> dict[int, bool]:
        result = search(db, SearchQuery(q="bericht", limit=100, **kw))
        items, cursor = list(result.items), result.next_cursor
        while cursor:
            more = search(db, SearchQuery(q="bericht", limit=100, cursor=cursor, **kw))
            items, cursor = items + list(more.items), more.next_cursor
        return {ids[i["object_id"]]: i["embargoed"] for i in items}

    shown = found(now=now)
    assert len(shown) == len(page) - 2  # the expired and the withdrawn one are never found
    assert index.ROWS_PER_INSERT + 8 not in shown and index.ROWS_PER_INSERT * 2 + 3 not in shown
    assert {n for n, flag in shown.items() if flag} == {5, index.ROWS_PER_INSERT + 7}
    free = found(now=now, embargoed=False)
    assert 5 not in free and index.ROWS_PER_INSERT + 7 not in free
    later = found(now="2025-07-01T00:00:00Z")  # the embargo lifts with time alone
    assert not any(later.values()) and {5, index.ROWS_PER_INSERT + 7} <= set(later)
