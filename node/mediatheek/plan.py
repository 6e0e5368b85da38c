"""Finding candidate listing ids, newest first, with bounded work.

Every candidate stream is walked in rowid (= date) order from the newest end,
inside SQLite, so no query ships tens of thousands of ids to Python.  For a
text query with filters there are four plans, chosen from two cheap bounded
counts (matches of the text in the date range, listings passing the filters):

* ``probe`` — few listings pass the filters: read their ids from the b-tree and
  ask FTS5 about exactly those rowids (``rowid IN (...)``, one seek each);
* ``scan_all`` — the text has few matches in the range: walk them all and check
  each against the filters with one covering-index seek (``EXISTS``);
* ``scan_in`` — both are many, but the filters select a few thousand listings:
  walk the matches newest first, testing membership in that (in-memory) set;
* ``scan`` — the filters are broad: walk the matches newest first with the
  index seeks, stopping after the window is full.

Withdrawn listings are a small, slowly changing set: it is cached per
connection (invalidated by ``PRAGMA data_version`` and the connection's own
change counter) and removed in Python, refilling the window when needed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

FILTER_COLUMNS = {
    "kind": "kind",
    "org": "origin_actor",
    "language": "language",
    "licence": "licence",
}
# the covering index that answers "does listing X have column = value" in one seek
_PROBE_INDEX = {
    "kind": "listings_kind",
    "origin_actor": "listings_org",
    "language": "listings_language",
    "licence": "listings_licence",
}
MARGIN = 16  # extra rows fetched per window so that a few hidden ones need no refill
MATCH_CAP = 5000  # matches in the date range are counted up to this many
SCAN_ALL = 1000  # at most this many matches are all checked, for an exact total
CAND_CAP = 3000  # listings passing the filters are counted up to this many
# rough cost, in microseconds, of: one FTS5 rowid probe; checking one match with index
# seeks; putting one filtered id into the in-memory set; testing one match against it
PROBE_COST, SEEK_COST, SET_COST, IN_COST = 10.0, 2.5, 0.3, 0.1


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

    def probes(self, rowid: str) -> tuple[str, list[Any]]:
        """The filters as covering-index seeks for the listing ``rowid`` (no table read)."""
        sql, params = [], []
        equal = dict(self.equal)
        if "origin_actor" in equal and "kind" in equal:
            sql.append(
                "EXISTS (SELECT 1 FROM listings INDEXED BY listings_org_kind"
                f" WHERE origin_actor = ? AND kind = ? AND id = {rowid})"
            )
            params += [equal.pop("origin_actor"), equal.pop("kind")]
        for column, value in equal.items():
            sql.append(
                f"EXISTS (SELECT 1 FROM listings INDEXED BY {_PROBE_INDEX[column]}"
                f" WHERE {column} = ? AND id = {rowid})"
            )
            params.append(value)
        if self.tag is not None:
            sql.append(
                f"EXISTS (SELECT 1 FROM listing_tags WHERE tag = ? AND listing_id = {rowid})"
            )
            params.append(self.tag)
        return " AND ".join(sql) or "1", params

    def ids_sql(self) -> tuple[str, list[Any]]:
        """``SELECT id ...`` of listings passing the filters with id in [?, ?], from an index."""
        if self.tag is not None and not self.equal:
            sql = "SELECT listing_id FROM listing_tags WHERE tag = ? AND listing_id BETWEEN ? AND ?"
            return sql, [self.tag]
        cond, params = self.where()
        return f"SELECT l.id FROM listings l WHERE {cond} AND l.id BETWEEN ? AND ?", params


_withdrawn: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def withdrawn_ids(db: sqlite_utils.Database) -> frozenset[int]:
    """Ids of withdrawn listings, cached until this or another connection changes the file."""
    conn = db.conn
    version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    try:
        hit = _withdrawn.get(db)
    except TypeError:  # no weak references to this object: no cache
        hit = None
    if hit is not None and hit[0] is conn and hit[1] == version:
        return hit[2]
    ids = frozenset(r[0] for r in conn.execute("SELECT id FROM listings WHERE withdrawn = 1"))
    try:
        _withdrawn[db] = (conn, version, ids)
    except TypeError:
        pass
    return ids


def hidden_ids(db: sqlite_utils.Database, now: str) -> frozenset[int]:
    """Withdrawn or expired listings: never shown (partial indexes keep this cheap)."""
    withdrawn = withdrawn_ids(db)
    expired = [
        r[0]
        for r in db.execute(
            "SELECT id FROM listings WHERE expires_at IS NOT NULL AND expires_at <= ?", [now]
        )
    ]
    return withdrawn.union(expired) if expired else withdrawn


def embargoed_ids(db: sqlite_utils.Database, now: str) -> set[int]:
    """Listings still under embargo at ``now``."""
    rows = db.execute(
        "SELECT id FROM listings WHERE embargo_until IS NOT NULL AND embargo_until > ?", [now]
    )
    return {r[0] for r in rows}


def newest(
    db: sqlite_utils.Database,
    sql: str,
    params: Callable[[int, int], Sequence[Any]],
    hi: int,
    cap: int | None,
    excluded: frozenset[int] | set[int],
) -> tuple[list[int], bool]:
    """Run ``sql`` (ids <= hi, newest first, LIMIT n) until ``cap`` visible ids are found.

    ``params(hi, n)`` gives the parameters.  Returns the visible ids (at least
    ``cap`` of them unless exhausted) and whether the stream was exhausted.
    With ``cap`` None the whole stream is read in one statement.
    """
    if cap is None:
        rows = [r[0] for r in db.execute(sql, params(hi, -1))]
        return [i for i in rows if i not in excluded], True
    out: list[int] = []
    while True:
        n = cap - len(out) + MARGIN
        rows = [r[0] for r in db.execute(sql, params(hi, n))]
        out += [i for i in rows if i not in excluded] if excluded else rows
        if len(rows) < n:
            return out, True
        if len(out) >= cap:
            return out, False
        hi = rows[-1] - 1


def count_upto(db: sqlite_utils.Database, sql: str, params: Sequence[Any], cap: int) -> int:
    """``min(cap, number of rows of sql)``, stopping early."""
    return db.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)", [*params, cap]).fetchone()[0]


_FTS = "SELECT rowid FROM listings_fts WHERE listings_fts MATCH ? AND rowid BETWEEN ? AND ?"


def match_ids(
    db: sqlite_utils.Database,
    match: str,
    f: Filters,
    cap: int,
    excluded: frozenset[int] | set[int],
) -> tuple[list[int], bool]:
    """Visible matches passing the filters, newest first: at least ``cap`` or all of them.

    The boolean is true when the list holds *all* of them.
    """
    if not f.any:
        sql = f"{_FTS} ORDER BY rowid DESC LIMIT ?"
        return newest(db, sql, lambda hi, n: [match, f.lo, hi, n], f.hi, cap, excluded)
    ids_sql, ids_params = f.ids_sql()
    n_cand = count_upto(db, ids_sql, [*ids_params, f.lo, f.hi], CAND_CAP)
    n_match = count_upto(db, _FTS, [match, f.lo, f.hi], MATCH_CAP)
    # how many matches a newest-first scan reads to find ``cap`` that pass the filters
    n_range = max(1, listings_between(db, f.lo, f.hi))
    reach = min(n_match, cap * n_range / max(1, n_cand)) if n_match >= MATCH_CAP else n_match
    costs = {"scan": SEEK_COST * reach}
    if n_cand < CAND_CAP:
        costs["probe"] = PROBE_COST * n_cand
        costs["scan_in"] = SET_COST * n_cand + IN_COST * reach
    plan = min(costs, key=costs.__getitem__)
    if n_match <= SCAN_ALL and plan == "scan":
        plan = "scan_all"
    if plan == "probe":
        # the few filtered listings, each looked up in the FTS index
        sql = (
            f"SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?"
            f" AND rowid IN ({ids_sql}) ORDER BY rowid DESC"
        )
        return newest(db, sql, lambda hi, n: [match, *ids_params, f.lo, hi], f.hi, None, excluded)
    if plan == "scan_in":
        # newest matches tested against the filtered ids held as an in-memory set
        sql = f"{_FTS} AND +rowid IN ({ids_sql}) ORDER BY rowid DESC LIMIT ?"
        return newest(
            db, sql, lambda hi, n: [match, f.lo, hi, *ids_params, f.lo, hi, n], f.hi, cap, excluded
        )
    # scan / scan_all: the newest matches (or all of few), each checked by index seeks
    probes, probe_params = f.probes("f.rowid")
    sql = (
        "SELECT f.rowid FROM listings_fts f WHERE f.listings_fts MATCH ?"
        f" AND f.rowid BETWEEN ? AND ? AND {probes} ORDER BY f.rowid DESC LIMIT ?"
    )
    return newest(
        db,
        sql,
        lambda hi, n: [match, f.lo, hi, *probe_params, n],
        f.hi,
        None if plan == "scan_all" else cap,
        excluded,
    )


def span(db: sqlite_utils.Database) -> tuple[int, int]:
    """Oldest and newest listing id (two aggregates, so each is one b-tree seek)."""
    row = db.execute(
        "SELECT (SELECT min(id) FROM listings), (SELECT max(id) FROM listings)"
    ).fetchone()
    return (row[0] or 0, row[1] or 0)


def listings_between(db: sqlite_utils.Database, lo: int, hi: int) -> int:
    """Estimated listings with id in [lo, hi], assuming even density over time."""
    first, last = span(db)
    n = db.execute("SELECT sum(n) FROM listing_facets WHERE facet = 'kind'").fetchone()[0] or 0
    top, bottom = min(hi, last), max(lo, first)
    if top < bottom:
        return 0
    return round(n * (top - bottom + 1) / (last - first + 1))


def among_ids(
    db: sqlite_utils.Database, match: str | None, f: Filters, ids: list[int]
) -> list[int]:
    """Those of ``ids`` that match (if ``match``) and pass the filters, newest first."""
    if not ids:
        return []
    wanted = "[" + ",".join(map(str, ids)) + "]"
    cond, params = f.probes("v.value")
    sql = f"SELECT v.value FROM json_each(?) v WHERE v.value BETWEEN ? AND ? AND {cond}"
    args: list[Any] = [wanted, f.lo, f.hi, *params]
    if match is not None:
        sql += (
            " AND v.value IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?"
            " AND rowid IN (SELECT value FROM json_each(?)))"
        )
        args += [match, wanted]
    return sorted((r[0] for r in db.execute(sql, args)), reverse=True)


def browse_ids(
    db: sqlite_utils.Database, f: Filters, cap: int, excluded: frozenset[int] | set[int]
) -> tuple[list[int], bool]:
    """Visible listings passing the filters, newest first (no text): ``cap`` or all."""
    if f.tag is not None and not f.equal:
        sql = (
            "SELECT listing_id FROM listing_tags WHERE tag = ? AND listing_id BETWEEN ? AND ?"
            " ORDER BY listing_id DESC LIMIT ?"
        )
        return newest(db, sql, lambda hi, n: [f.tag, f.lo, hi, n], f.hi, cap, excluded)
    cond, params = f.where()
    sql = (
        f"SELECT l.id FROM listings l WHERE {cond} AND l.id BETWEEN ? AND ?"
        " ORDER BY l.id DESC LIMIT ?"
    )
    return newest(db, sql, lambda hi, n: [*params, f.lo, hi, n], f.hi, cap, excluded)
