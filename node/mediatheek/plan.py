"""Finding candidate listing ids, newest first, with bounded work.

Two drivers, chosen per query:

* the FTS5 doclist, walked in rowid (= date) order from the newest match
  (``fts_window``) — cheap per match, so it is used when filters are broad;
* a b-tree index on the filter columns (``btree_ids``), when the filters are
  selective: every index ends in the rowid, so it too yields ids in date order,
  and the FTS5 check then runs only over the few candidates' date range.

Withdrawn, expired and (un)embargoed listings are few, so they are fetched as
small id sets and removed in Python instead of joining every match to its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

FILTER_COLUMNS = {
    "kind": "kind",
    "org": "origin_actor",
    "language": "language",
    "licence": "licence",
}


@dataclass(frozen=True)
class Filters:
    """Index-resolvable filters: equality on columns and tags, plus an id (date) range."""

    equal: dict[str, str]
    tag: str | None
    lo: int
    hi: int

    @property
    def any(self) -> bool:
        return bool(self.equal or self.tag)

    def where(self, alias: str = "l") -> tuple[str, list[Any]]:
        """SQL condition over ``listings AS alias`` (date range excluded)."""
        sql, params = [], []
        for column, value in self.equal.items():
            sql.append(f"{alias}.{column} = ?")
            params.append(value)
        if self.tag is not None:
            sql.append(
                f"EXISTS (SELECT 1 FROM listing_tags t WHERE t.tag = ?"
                f" AND t.listing_id = {alias}.id)"
            )
            params.append(self.tag)
        return " AND ".join(sql) or "1", params


def hidden_ids(db: sqlite_utils.Database, now: str) -> set[int]:
    """Withdrawn or expired listings: never shown (partial indexes keep this cheap)."""
    rows = db.execute(
        "SELECT id FROM listings WHERE withdrawn = 1 UNION ALL SELECT id FROM listings"
        " WHERE expires_at IS NOT NULL AND expires_at <= ?",
        [now],
    )
    return {r[0] for r in rows}


def embargoed_ids(db: sqlite_utils.Database, now: str) -> set[int]:
    """Listings still under embargo at ``now``."""
    rows = db.execute(
        "SELECT id FROM listings WHERE embargo_until IS NOT NULL AND embargo_until > ?", [now]
    )
    return {r[0] for r in rows}


def btree_ids(db: sqlite_utils.Database, f: Filters, hi: int, cap: int) -> list[int]:
    """Up to ``cap`` ids passing the filters, newest first, from the b-tree indexes."""
    if f.tag is not None and not f.equal:
        sql = (
            "SELECT listing_id FROM listing_tags WHERE tag = ? AND listing_id BETWEEN ? AND ?"
            " ORDER BY listing_id DESC LIMIT ?"
        )
        return [r[0] for r in db.execute(sql, [f.tag, f.lo, hi, cap])]
    cond, params = f.where()
    sql = (
        f"SELECT l.id FROM listings l WHERE {cond} AND l.id BETWEEN ? AND ?"
        " ORDER BY l.id DESC LIMIT ?"
    )
    return [r[0] for r in db.execute(sql, [*params, f.lo, hi, cap])]


def fts_window(
    db: sqlite_utils.Database, match: str, f: Filters, hi: int, cap: int, scored: bool
) -> list[tuple[int, float]]:
    """Up to ``cap`` (id, bm25) of matches passing the filters, newest first.

    bm25 weights title 4, summary 2, body 1, tags 3; lower is better.
    """
    score = "bm25(listings_fts, 4.0, 2.0, 1.0, 3.0)" if scored else "0.0"
    if not f.any:
        sql = (
            f"SELECT rowid, {score} FROM listings_fts WHERE listings_fts MATCH ?"
            " AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?"
        )
        return list(db.execute(sql, [match, f.lo, hi, cap]))
    cond, params = f.where()
    sql = (
        f"SELECT f.rowid, {score.replace('listings_fts,', 'f,')} FROM listings_fts f"
        f" CROSS JOIN listings l ON l.id = f.rowid WHERE f.listings_fts MATCH ?"
        f" AND f.rowid BETWEEN ? AND ? AND {cond} ORDER BY f.rowid DESC LIMIT ?"
    )
    return list(db.execute(sql, [match, f.lo, hi, *params, cap]))


def fts_among(
    db: sqlite_utils.Database, match: str, ids: list[int], scored: bool
) -> list[tuple[int, float]]:
    """(id, bm25) for those of ``ids`` (newest first) that match, newest first."""
    if not ids:
        return []
    score = "bm25(listings_fts, 4.0, 2.0, 1.0, 3.0)" if scored else "0.0"
    wanted = set(ids)
    sql = (
        f"SELECT rowid, {score} FROM listings_fts WHERE listings_fts MATCH ?"
        " AND rowid BETWEEN ? AND ? ORDER BY rowid DESC"
    )
    rows = db.execute(sql, [match, ids[-1], ids[0]])
    return [(r[0], r[1]) for r in rows if r[0] in wanted]
