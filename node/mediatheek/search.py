"""``search()``: full text, filters, facets and paging over the tantivy index.

Exact: relevance is BM25 over every match (block-max WAND finds the top page
without scoring them all), totals and facets are counted over every match
(tantivy's fast fields).  Before each search the index catches up with the
queue of listing changes (:mod:`node.mediatheek.textindex`), so a write is
found by the very next search; every row shown is re-read from SQLite and
checked again against the rules in :mod:`node.items.visibility`, so a lagging
index can only omit a hidden listing, never show it.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import sqlite_utils
import tantivy

from node.items import visibility
from node.mediatheek import textindex
from node.mediatheek.query import (
    MAX_LIMIT,
    SORTS,
    Part,
    SearchQuery,
    SearchResult,
    decode_cursor,
    encode_cursor,
    parts,
)
from node.mediatheek.store import decode_listing, id_range, iso

FACETS = ("kind", "org", "language", "licence", "tag", "embargoed")
TOP_TAGS = 20
ALL_VALUES = 65_536  # every value of a segment is counted, so the top counts are exact
ITEM_COLUMNS = (
    "id, object_id, origin_actor, origin_name, kind, title, summary, tags, language,"
    " licence, credit, usage_terms, embargo_until, expires_at, published_at,"
    " updated_at, thumbnail_url, proof_ok, local, details, starts_at, ends_at"
)
_S = textindex.SCHEMA
_Q = tantivy.Query
_MUST, _SHOULD, _NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
_INT = tantivy.FieldType.Integer
_DESC = tantivy.Order.Desc


def search(db: sqlite_utils.Database, query: SearchQuery) -> SearchResult:
    """Run one search; ValueError only for a bad sort, timestamp or cursor."""
    if query.sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    now = iso(query.now or dt.datetime.now(dt.UTC))
    limit = max(1, min(int(query.limit), MAX_LIMIT))
    lo, hi = id_range(query.since, query.until)
    found = parts(query.q)
    sort = query.sort if found else "date"
    position = decode_cursor(sort, query.cursor)
    offset = max(0, query.offset)
    ti = textindex.caught_up(db)
    searcher = ti.searcher()
    base = _query(query, found, now, lo, hi)
    everything = _is_everything(query, found, lo, hi)
    counted = _everything(ti, searcher, base, now) if everything else None
    if sort == "relevance":
        start = position if position is not None else offset
        res = searcher.search(base, limit, count=True, offset=start)
        total = res.count or 0
        # equal scores keep the index's order: it is sorted by id, newest first
        page = searcher.fast_field_values("id", [address for _, address in res.hits])
        next_cursor = encode_cursor(sort, start + limit) if start + limit < total else None
    else:
        skip = offset if position is None else 0
        upper = position - 1 if position is not None else None
        if counted is not None:
            keys = _newest(db, searcher, base, upper, skip + limit + 1, counted[0])[skip:]
            page, more, total = keys[:limit], len(keys) > limit, counted[0]
        else:
            below = base if upper is None else _and([base, _range("id", None, upper)])
            res = searcher.search(
                below, limit, count=True, order_by_field="id", offset=skip, order=_DESC
            )
            page = [key for key, _ in res.hits]
            more = skip + limit < (res.count or 0)
            if position is None:
                total = res.count or 0
            else:  # the total counts every match, not only those below the cursor
                total = searcher.search(base, 1).count or 0
        next_cursor = encode_cursor(sort, page[-1]) if more and page else None
    result = SearchResult(_fetch(db, page, now, query.embargoed), total, True)
    result.next_cursor = next_cursor
    if query.facets:
        if counted is not None:  # a copy: the counts stay in the memo
            result.facets = {name: dict(values) for name, values in counted[1].items()}
        else:
            result.facets = _facets(searcher, base, now)
    return result


def _is_everything(query: SearchQuery, found: list[Part], lo: int, hi: int) -> bool:
    """No text and no filter: the whole mediatheek (the page most often opened)."""
    filters = (query.kind, query.org, query.language, query.licence, query.tag, query.embargoed)
    return not found and all(f is None for f in filters) and (lo, hi) == id_range(None, None)


def _everything(ti, searcher: tantivy.Searcher, base: tantivy.Query, now: str) -> tuple:
    """Total and facets of the whole mediatheek, exact, counted again only when the index
    changed or an embargo or expiry passed since they were counted."""
    key = visibility.now_key(now)
    memo = ti.memo.get("everything")
    if memo is not None and memo[0] == ti.watermark and not _passed(searcher, memo[1], key):
        return memo[2]
    counted = (searcher.search(base, 1).count or 0, _facets(searcher, base, now))
    ti.memo["everything"] = (ti.watermark, key, counted)
    return counted


def _passed(searcher: tantivy.Searcher, then: int, now: int) -> bool:
    """Whether an embargo or expiry lies between two moments (either order): a listing
    then changed state (both rules turn at their key, see visibility)."""
    if then == now:
        return False
    low, high = min(then, now) + 1, max(then, now)
    turning = _Q.boolean_query(
        [
            (_SHOULD, _range("expires_at", low, high, inverted=True)),
            (_SHOULD, _range("embargo_until", low, high, inverted=True)),
        ]
    )
    return bool(searcher.search(turning, 1).count)


def _newest(db, searcher, base, upper: int | None, want: int, total: int) -> list[int]:
    """The ids of the newest ``want`` matches at or below ``upper``, found in a window of
    ids that widens until it holds enough (ids are publication time, and listings are
    spread over time), so the whole index is not walked for the first page."""
    low, high = db.execute(  # two aggregates, so each is one b-tree seek
        "SELECT (SELECT min(id) FROM listings), (SELECT max(id) FROM listings)"
    ).fetchone()
    if low is None:
        return []
    top = high if upper is None else min(upper, high)
    width = max(1, (high - low) * want // max(total, 1)) * 2
    while True:
        start = top - width
        query = base if start <= low else _and([base, _range("id", start, top, inverted=True)])
        if upper is not None and start <= low:
            query = _and([base, _range("id", None, top)])
        hits = searcher.search(query, want, count=False, order_by_field="id", order=_DESC).hits
        if len(hits) >= want or start <= low:
            return [k for k, _ in hits]
        width *= 8


def _range(name: str, low: int | None, high: int | None, inverted: bool = False) -> tantivy.Query:
    return _Q.range_query(_S, name, _INT, low, high, use_inverted_index=inverted)


def _and(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else _Q.boolean_query([(_MUST, q) for q in queries])


def _filter(q: tantivy.Query) -> tantivy.Query:
    """A clause that selects but does not score."""
    return _Q.const_score_query(q, 0.0)


def _query(query: SearchQuery, found: list[Part], now: str, lo: int, hi: int) -> tantivy.Query:
    """The whole query: text, equality and date filters, and regie (expiry, embargo).

    Expired and (for ``embargoed=False``) embargoed listings are few, so they are
    excluded with an inverted-index range (its few terms) rather than by scanning
    a column for everything that is still allowed.
    """
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    text = _text(found)
    clauses.append((_MUST, text if text is not None else _Q.all_query()))
    equal = {
        "kind": query.kind,
        "org": query.org,
        "language": query.language,
        "licence": query.licence,
        "tag": query.tag.strip().lstrip("#").strip().lower() if query.tag is not None else None,
    }
    for name, value in equal.items():
        if value is not None:
            # a filter neither scores nor needs positions: the documents alone
            clauses.append((_MUST, _filter(_Q.term_query(_S, name, value, index_option="basic"))))
    if (lo, hi) != id_range(None, None):
        clauses.append((_MUST, _filter(_range("id", lo, hi))))
    clauses.append((_NOT, _range("expires_at", *visibility.expired_keys(now), inverted=True)))
    if query.embargoed is True:
        clauses.append(
            (
                _MUST,
                _filter(_range("embargo_until", *visibility.embargoed_keys(now), inverted=True)),
            )
        )
    elif query.embargoed is False:
        clauses.append(
            (_NOT, _range("embargo_until", *visibility.embargoed_keys(now), inverted=True))
        )
    return _Q.boolean_query(clauses)


def _text(found: list[Part]) -> tantivy.Query | None:
    """Every part must match, each in any text field (boosted BM25 per field)."""
    if not found:
        return None
    return _and([_part(part) for part in found])


def forget_built_queries() -> None:
    """Forget the remembered queries of words and phrases (the bench: build anew)."""
    _part.cache_clear()


@functools.lru_cache(maxsize=4096)
def _part(part: Part) -> tantivy.Query:
    """One word or phrase in any text field; a query depends on the part alone (not on
    the index or the moment), so the parts typed again and again are built once."""
    fields = []
    tokens = list(part.tokens)
    for name, boost in textindex.BOOSTS.items():
        if part.prefix:
            q = _Q.phrase_prefix_query(_S, name, tokens)
        elif len(tokens) == 1:
            # BM25 needs the term frequencies, not the positions (the default reads them)
            q = _Q.term_query(_S, name, tokens[0], index_option="freq")
        else:
            q = _Q.phrase_query(_S, name, tokens)
        fields.append((_SHOULD, _Q.boost_query(q, boost)))
    return _Q.boolean_query(fields)


def facet_aggregation(now: str) -> dict[str, Any]:
    """The aggregation request behind the facet counts at ``now``, one entry per name in
    :data:`FACETS`: terms of the fast fields (every value of a segment counted, so the top
    counts are exact; the top :data:`TOP_TAGS` tags), embargo by key range (free, under).

    The search below sends it; the bench sends it to its peer, so both ask the same."""
    aggs: dict[str, Any] = {
        name: {
            "terms": {
                "field": name,
                "size": TOP_TAGS if name == "tag" else ALL_VALUES,
                "segment_size": ALL_VALUES,
            }
        }
        for name in FACETS[:-1]
    }
    start = visibility.embargoed_keys(now)[0]
    aggs["embargoed"] = {
        "range": {"field": "embargo_until", "ranges": [{"to": start}, {"from": start}]}
    }
    return aggs


def _facets(searcher: tantivy.Searcher, query: tantivy.Query, now: str) -> dict:
    """Exact counts over every match: terms of the fast fields, embargo by key range."""
    got = searcher.aggregate(query, facet_aggregation(now))
    out: dict[str, dict[str, int]] = {}
    for name in FACETS[:-1]:
        buckets = got.get(name, {}).get("buckets", [])
        out[name] = _nonzero({b["key"]: b["doc_count"] for b in buckets})
    free, under = (b["doc_count"] for b in got["embargoed"]["buckets"])
    out["embargoed"] = _nonzero({"true": under, "false": free})
    return out


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: n for k, n in counts.items() if n}


def _fetch(db, ids: list[int], now: str, embargoed: bool | None) -> list[dict[str, Any]]:
    """The listings of one page, in page order, re-checked against SQLite with the rules
    of :mod:`node.items.visibility`: a listing withdrawn, gone, expired or (for a filter
    on it) of the other embargo state since the index last caught up is left out."""
    if not ids:
        return []
    where = f"withdrawn = 0 AND {visibility.not_expired_sql('', ':now')}"
    if embargoed is not None:
        rule = visibility.embargoed_sql if embargoed else visibility.embargo_passed_sql
        where += f" AND {rule('', ':now')}"
    cur = db.execute(
        f"SELECT {ITEM_COLUMNS}, {visibility.embargoed_sql('', ':now')} AS embargoed"
        f" FROM listings WHERE id IN ({','.join(map(str, ids))}) AND {where}",
        {"now": visibility.now_text(now)},
    )
    names = [d[0] for d in cur.description]
    by_id = {}
    for row in cur:
        item = decode_listing(dict(zip(names, row, strict=True)))
        item["embargoed"] = bool(item["embargoed"])
        by_id[item["id"]] = item
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
