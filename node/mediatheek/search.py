"""``search()``: full text, filters, facets and paging with bounded work per query.

Plain FTS5 ``ORDER BY rank`` scores every match, which takes over half a second
for a word in a third of a million listings.  Here every query looks at a
bounded *window* of the newest candidates (ids are publication order), ranks
within it, and extrapolates the total from how far back in time the window
reaches (``total_exact`` false).  Rare queries fit the window whole and are
exact.  See :mod:`node.mediatheek.plan` for how candidates are found.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import sqlite_utils

from node.mediatheek import facets as facet_counts
from node.mediatheek.plan import Filters, btree_ids, embargoed_ids, fts_window, hidden_ids
from node.mediatheek.query import (
    MAX_LIMIT,
    SORTS,
    SearchQuery,
    SearchResult,
    decode_cursor,
    encode_cursor,
    parts,
)
from node.mediatheek.store import id_range, iso, row_to_listing

WINDOW = 1000  # newest matches ranked for relevance when no filter needs the row
FILTERED_WINDOW = 200  # the same when every match must be checked against its row
SELECTIVE = 2000  # filters selecting at most this many listings drive from the b-tree
COUNT_CAP = 5000  # browse totals are counted exactly up to this many
COLUMN_WEIGHTS = {"title": 4.0, "tags": 3.0, "summary": 2.0, "body_text": 1.0}
ITEM_COLUMNS = (
    "id, object_id, origin_actor, origin_name, kind, title, summary, tags, language,"
    " licence, credit, usage_terms, embargo_until, expires_at, published_at,"
    " updated_at, thumbnail_url, proof_ok, local"
)


def search(db: sqlite_utils.Database, query: SearchQuery) -> SearchResult:
    """Run one search; ValueError only for a bad sort, timestamp or cursor."""
    if query.sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    now = iso(query.now or dt.datetime.now(dt.UTC))
    limit = max(1, min(int(query.limit), MAX_LIMIT))
    lo, hi = id_range(query.since, query.until)
    equal = {
        col: getattr(query, name)
        for name, col in (
            ("kind", "kind"),
            ("org", "origin_actor"),
            ("language", "language"),
            ("licence", "licence"),
        )
        if getattr(query, name) is not None
    }
    tag = query.tag.strip().lstrip("#").strip().lower() if query.tag is not None else None
    f = Filters(equal, tag, lo, hi)
    excluded = hidden_ids(db, now)
    only: set[int] | None = None
    if query.embargoed is not None:
        embargoed = embargoed_ids(db, now)
        if query.embargoed:
            only = embargoed - excluded
        else:
            excluded |= embargoed
    found = parts(query.q)
    sort = query.sort if found else "date"
    position = decode_cursor(sort, query.cursor)
    if found:
        window, exact = _match_window(db, " AND ".join(found), f, excluded, only)
    else:
        window, exact = _browse_window(db, f, excluded, only)
    ids = [i for i, _ in window]
    everything = not f.any and query.embargoed is None and (lo, hi) == id_range(None, None)
    unfiltered = facet_counts.unfiltered(db, now) if everything and not found else None
    if unfiltered is not None:
        total, exact = unfiltered[1], True
    else:
        total = len(ids) if exact else _extrapolate(db, ids, f)
    if sort == "relevance":
        scores = _scores(db, found, " AND ".join(found), ids)
        ranked = sorted(ids, key=lambda i: (-scores[i], -i))
        start = position if position is not None else max(0, query.offset)
        page = ranked[start : start + limit + 1]
        more = len(page) > limit  # relevance pages stay inside the ranked window
        next_cursor = encode_cursor(sort, start + limit) if more else None
    else:
        page = _date_page(db, found, f, excluded, only, ids, exact, position, query.offset, limit)
        more = len(page) > limit
        next_cursor = encode_cursor(sort, page[limit - 1]) if more else None
    page = page[:limit]
    result = SearchResult(_fetch(db, page, now), total, exact, next_cursor=next_cursor)
    if query.facets:
        if unfiltered is not None:
            result.facets = unfiltered[0]
        else:
            result.facets = facet_counts.over_ids(db, ids, now, total)
            result.facets_exact = exact
    return result


def _match_window(
    db, match: str, f: Filters, excluded: set[int], only: set[int] | None
) -> tuple[list[tuple[int, float]], bool]:
    """Newest matches passing every filter, and whether that is all of them."""
    if only is not None:
        return _among(db, match, f, sorted(only, reverse=True), excluded), True
    if f.any:
        candidates = btree_ids(db, f, f.hi, SELECTIVE + 1)
        if len(candidates) <= SELECTIVE:
            return _among(db, match, f, candidates, excluded), True
    cap = FILTERED_WINDOW if f.any else WINDOW
    rows = fts_window(db, match, f, f.hi, cap + len(excluded), scored=False)
    visible = [r for r in rows if r[0] not in excluded][:cap]
    return visible, len(rows) < cap + len(excluded)


def _among(
    db, match: str, f: Filters, ids: list[int], excluded: set[int]
) -> list[tuple[int, float]]:
    """Those of ``ids`` (newest first) that match and pass the filters, walking FTS5 once."""
    ids = [i for i in ids if f.lo <= i <= f.hi and i not in excluded]
    if not ids:
        return []
    wanted = set(_keep(db, ids, f))
    rows = db.execute(
        "SELECT rowid FROM listings_fts WHERE listings_fts MATCH ? AND rowid BETWEEN ? AND ?"
        " ORDER BY rowid DESC",
        [match, min(wanted, default=0), max(wanted, default=-1)],
    )
    return [(r[0], 0.0) for r in rows if r[0] in wanted]


def _keep(db, ids: list[int], f: Filters) -> list[int]:
    if not f.any:
        return ids
    cond, params = f.where()
    sql = f"SELECT l.id FROM listings l WHERE l.id IN (SELECT value FROM json_each(?)) AND {cond}"
    return [r[0] for r in db.execute(sql, ["[" + ",".join(map(str, ids)) + "]", *params])]


def _browse_window(
    db, f: Filters, excluded: set[int], only: set[int] | None
) -> tuple[list[tuple[int, float]], bool]:
    if only is not None:
        ids = _keep(db, sorted((i for i in only if f.lo <= i <= f.hi), reverse=True), f)
        return [(i, 0.0) for i in sorted(ids, reverse=True)], True
    rows = _ids(db, f, f.hi, COUNT_CAP + len(excluded))
    visible = [i for i in rows if i not in excluded][:COUNT_CAP]
    return [(i, 0.0) for i in visible], len(rows) < COUNT_CAP + len(excluded)


def _ids(db, f: Filters, hi: int, cap: int) -> list[int]:
    if f.any:
        return btree_ids(db, f, hi, cap)
    sql = "SELECT id FROM listings WHERE id BETWEEN ? AND ? ORDER BY id DESC LIMIT ?"
    return [r[0] for r in db.execute(sql, [f.lo, hi, cap])]


def _span(db) -> tuple[int, int]:
    """Oldest and newest listing id (two aggregates, so each is one b-tree seek)."""
    row = db.execute(
        "SELECT (SELECT min(id) FROM listings), (SELECT max(id) FROM listings)"
    ).fetchone()
    return (row[0] or 0, row[1] or 0)


def _extrapolate(db, ids: list[int], f: Filters) -> int:
    """Estimate all matches from the window, assuming even density over time."""
    first, last = _span(db)
    top, bottom = min(f.hi, last), max(f.lo, first)
    reached = ids[-1] if ids else bottom
    if top <= reached:
        return len(ids)
    return max(len(ids), round(len(ids) * (top - bottom) / (top - reached)))


def _date_page(db, found, f, excluded, only, ids, exact, position, offset, limit) -> list[int]:
    """Ids of one date-ordered page (plus one to see if more follow)."""
    if position is None and offset + limit < len(ids):
        return ids[offset : offset + limit + 1]
    if exact:
        below = [i for i in ids if position is None or i < position]
        start = offset if position is None else 0
        return below[start : start + limit + 1]
    hi = min(f.hi, position - 1) if position is not None else f.hi
    f2 = Filters(f.equal, f.tag, f.lo, hi)
    want = limit + 1 + (offset if position is None else 0)
    if found:
        rows = fts_window(db, " AND ".join(found), f2, hi, want + len(excluded), scored=False)
        got = [r[0] for r in rows]
    else:
        got = _ids(db, f2, hi, want + len(excluded))
    got = [i for i in got if i not in excluded]
    return got[want - limit - 1 : want]


def _scores(db, found: list[str], match: str, ids: list[int]) -> dict[int, float]:
    """Column-weighted idf score per id: cheap where bm25's corpus statistics are not.

    bm25 must read a common word's whole doclist to learn its frequency; here a
    phrase's frequency is estimated from a bounded window, and each column's
    contribution is one FTS5 query constrained by the full expression.
    """
    scores = dict.fromkeys(ids, 0.0)
    if not ids or not found:
        return scores
    first, last = _span(db)
    n_docs = db.execute("SELECT sum(n) FROM listing_facets WHERE facet = 'kind'").fetchone()[0]
    n_docs = max(1, n_docs or 1)
    low, high = min(ids), max(ids)
    for phrase in found[:4]:
        sample = [
            r[0]
            for r in db.execute(
                "SELECT rowid FROM listings_fts WHERE listings_fts MATCH ? ORDER BY rowid DESC"
                " LIMIT 200",
                [phrase],
            )
        ]
        df = len(sample)
        if df == 200 and last > sample[-1]:
            df = min(n_docs, round(df * (last - first) / (last - sample[-1])))
        idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        for column, weight in COLUMN_WEIGHTS.items():
            rows = db.execute(
                "SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?"
                " AND rowid BETWEEN ? AND ?",
                [f"{{{column}}} : {phrase} AND ({match})", low, high],
            )
            for (rowid,) in rows:
                if rowid in scores:
                    scores[rowid] += idf * weight
    return scores


def _json(ids) -> str:
    return "[" + ",".join(map(str, ids)) + "]"


def _fetch(db, ids: list[int], now: str) -> list[dict[str, Any]]:
    """The listings of one page, in page order, without the heavy columns."""
    if not ids:
        return []
    cur = db.execute(
        f"SELECT {ITEM_COLUMNS} FROM listings WHERE id IN (SELECT value FROM json_each(?))",
        ["[" + ",".join(map(str, ids)) + "]"],
    )
    names = [d[0] for d in cur.description]
    by_id = {row[0]: row_to_listing(dict(zip(names, row, strict=True))) for row in cur}
    for item in by_id.values():
        item["embargoed"] = bool(item["embargo_until"] and item["embargo_until"] > now)
    return [by_id[i] for i in ids if i in by_id]
