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

from node.items import visibility
from node.mediatheek import facets as facet_counts
from node.mediatheek.plan import (
    Filters,
    among_ids,
    browse_ids,
    embargoed_ids,
    expand_prefixes,
    hidden_ids,
    match_ids,
)
from node.mediatheek.query import (
    MAX_LIMIT,
    SORTS,
    SearchQuery,
    SearchResult,
    decode_cursor,
    encode_cursor,
    parts,
    text_match,
)
from node.mediatheek.store import id_range, iso, row_to_listing

WINDOW = 1000  # newest matches ranked for relevance (and sampled for facets)
FILTERED_WINDOW = 200  # the same with filters: their matches lie further apart
FACET_SAMPLE = 200  # facets of a long result are counted over its newest listings
COUNT_CAP = 5000  # browse totals are counted exactly up to this many
COLUMN_WEIGHTS = {"title": 4.0, "tags": 3.0, "names": 3.0, "summary": 2.0, "body_text": 1.0}
ITEM_COLUMNS = (
    "id, object_id, origin_actor, origin_name, kind, title, summary, tags, language,"
    " licence, credit, usage_terms, embargo_until, expires_at, published_at,"
    " updated_at, thumbnail_url, proof_ok, local, details, starts_at, ends_at"
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
            excluded = excluded | embargoed
    found = expand_prefixes(db, parts(query.q))
    match = text_match(found)
    sort = query.sort if found else "date"
    position = decode_cursor(sort, query.cursor)
    offset = max(0, query.offset)
    everything = not f.any and query.embargoed is None and (lo, hi) == id_range(None, None)
    unfiltered = facet_counts.unfiltered(db, now) if everything and not found else None
    if only is not None:
        ids, complete = among_ids(db, match, f, sorted(only, reverse=True)), True
    elif match is not None:
        ids, complete = match_ids(db, match, f, FILTERED_WINDOW if f.any else WINDOW, excluded)
    else:
        # the unfiltered total is known, so browsing everything needs the first page only
        cap = offset + limit + 1 if unfiltered is not None else COUNT_CAP
        ids, complete = browse_ids(db, f, cap, excluded)
    window = ids[: FILTERED_WINDOW if f.any else WINDOW]
    exact = complete or unfiltered is not None
    if unfiltered is not None:
        total = unfiltered[1]
    else:
        total = len(ids) if complete else _extrapolate(db, ids, f)
    if sort == "relevance":
        # text only: intersecting with the filter tokens again, once per column, costs
        # more than walking the text's matches in the window's rowid range
        # (ranked_ids keeps to the window's ids)
        start = position if position is not None else offset
        page = ranked_ids(db, found, match, window, start + limit + 1)[start:]
        more = len(page) > limit  # relevance pages stay inside the ranked window
        next_cursor = encode_cursor(sort, start + limit) if more else None
    else:
        page = _date_page(db, match, f, excluded, ids, complete, position, offset, limit)
        more = len(page) > limit
        next_cursor = encode_cursor(sort, page[limit - 1]) if more else None
    page = page[:limit]
    result = SearchResult(_fetch(db, page, now), total, exact, next_cursor=next_cursor)
    if query.facets:
        if unfiltered is not None:
            result.facets = unfiltered[0]
        else:
            sample = ids if complete and len(ids) <= WINDOW else window[:FACET_SAMPLE]
            result.facets = facet_counts.over_ids(db, sample, now, total)
            result.facets_exact = complete and len(sample) == total
    return result


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


def _date_page(db, match, f, excluded, ids, complete, position, offset, limit) -> list[int]:
    """Ids of one date-ordered page (plus one to see if more follow)."""
    if position is None and offset + limit < len(ids):
        return ids[offset : offset + limit + 1]
    if complete:
        below = [i for i in ids if position is None or i < position]
        start = offset if position is None else 0
        return below[start : start + limit + 1]
    hi = min(f.hi, position - 1) if position is not None else f.hi
    f2 = Filters(f.equal, f.tag, f.lo, hi)
    want = limit + 1 + (offset if position is None else 0)
    if match is not None:
        got, _ = match_ids(db, match, f2, want, excluded)
    else:
        got, _ = browse_ids(db, f2, want, excluded)
    return got[want - limit - 1 : want]


def ranked_ids(db, found: list[str], match: str, ids: list[int], want: int) -> list[int]:
    """The best ``want`` of ``ids`` by column-weighted idf, best first (ties: newest).

    One statement: per phrase and column a FTS5 query inside the window's rowid
    range, summed, grouped and ordered by SQLite, so only the top rows reach
    Python.  The idf of each phrase comes from :func:`_idf`.
    """
    if not ids or not found:
        return sorted(ids, reverse=True)[:want]
    low, high = min(ids), max(ids)
    subs, params = [], []
    for phrase, idf in _idf(db, found[:4]):
        for column, weight in COLUMN_WEIGHTS.items():
            subs.append(
                "SELECT rowid, ? AS w FROM listings_fts WHERE listings_fts MATCH ?"
                " AND rowid BETWEEN ? AND ?"
            )
            params += [idf * weight, f"{{{column}}} : {phrase} AND ({match})", low, high]
    sql = (
        f"SELECT s.rowid FROM ({' UNION ALL '.join(subs)}) s"
        " WHERE s.rowid IN (SELECT value FROM json_each(?))"
        " GROUP BY s.rowid ORDER BY sum(s.w) DESC, s.rowid DESC LIMIT ?"
    )
    window = "[" + ",".join(map(str, ids)) + "]"
    return [r[0] for r in db.execute(sql, [*params, window, want])]


def _idf(db, found: list[str]) -> list[tuple[str, float]]:
    """Each phrase with its idf; the document frequency estimated from the newest 200
    matches when there are more (how far back in time they reach)."""
    first, last = _span(db)
    n_docs = db.execute("SELECT sum(n) FROM listing_facets WHERE facet = 'kind'").fetchone()[0]
    n_docs = max(1, n_docs or 1)
    out = []
    for phrase in found:
        sample = [
            r[0]
            for r in db.execute(
                "SELECT rowid FROM listings_fts WHERE listings_fts MATCH ? ORDER BY rowid DESC"
                " LIMIT 200",
                [text_match([phrase])],
            )
        ]
        df = len(sample)
        if df == 200 and last > sample[-1]:
            df = min(n_docs, round(df * (last - first) / (last - sample[-1])))
        out.append((phrase, math.log(1 + (n_docs - df + 0.5) / (df + 0.5))))
    return out


def _fetch(db, ids: list[int], now: str) -> list[dict[str, Any]]:
    """The listings of one page, in page order, without the heavy columns."""
    if not ids:
        return []
    cur = db.execute(
        f"SELECT {ITEM_COLUMNS} FROM listings WHERE id IN (SELECT value FROM json_each(?))",
        ["[" + ",".join(map(str, ids)) + "]"],
    )
    names = [d[0] for d in cur.description]
    moment = visibility.now_moment(now)
    by_id = {row[0]: row_to_listing(dict(zip(names, row, strict=True))) for row in cur}
    for item in by_id.values():
        item["embargoed"] = visibility.is_embargoed(item, moment)
    return [by_id[i] for i in ids if i in by_id]


SUGGEST_LIMIT = 8


def suggest(db: sqlite_utils.Database, q: str, now: str | None = None, limit: int = 8) -> list[str]:
    """Titles to offer while someone types ``q``: the best-matching listings' titles.

    The same search as the result list (the last word is a prefix, hidden
    listings never count), restricted to listings free to use now: a title
    under embargo is never suggested.  Empty for text without words.
    """
    if not parts(q):
        return []
    found = search(
        db,
        SearchQuery(q=q, embargoed=False, limit=min(max(1, limit), SUGGEST_LIMIT * 2), now=now),
    )
    titles: list[str] = []
    for item in found.items:
        title = (item.get("title") or "").strip()
        if title and title not in titles:
            titles.append(title)
    return titles[: max(1, min(limit, SUGGEST_LIMIT))]
