"""Finding candidate listing ids, newest first, with bounded work.

Every candidate stream is walked in rowid (= date) order from the newest end,
inside SQLite, so no query ships tens of thousands of ids to Python.

Equality filters (kind, organisation, language, licence) also exist as
synthetic tokens in the FTS5 column ``filters`` (see
:mod:`node.mediatheek.schema`), so FTS5 can intersect the text with them
itself, skipping through the doclists.  That is not always cheapest: FTS5
hops through several long doclists (in reverse), while a seek into a cached
covering index is ~0.3 µs.  For a text query with filters the plan is chosen
from cheap estimates and bounded counts (listings passing the filters, from
the facet counts and then an index count up to ``CAND_CAP``; matches of the
text in the date range):

* ``probe`` — few listings pass the filters: read their ids from the b-tree and
  ask FTS5 about exactly those rowids (``rowid IN (...)``, one seek each);
* ``scan_in`` — the filters select a few thousand listings: walk the matches
  newest first, testing membership in that (in-memory) set;
* ``scan_all`` — the text has few matches in the range: walk them all and check
  each against the filters with covering-index seeks (exact total);
* ``scan`` — the filters are selective but the text is common: walk the
  matches newest first with the index seeks, stopping when the window is full;
* ``fts`` — the filters are broad and the text has many matches: one FTS5
  expression, text AND filter tokens (a tag, which has no token, by seeks).
  This is what keeps sparse combinations (a kind and a rare language) from
  reading thousands of matches one seek at a time.

Browsing (no text) with two or more equality filters uses the ``fts`` plan too,
where one b-tree index would be walked with a table read per row for the rest.

Withdrawn listings are a small, slowly changing set: it is cached per
connection (invalidated by ``PRAGMA data_version`` and the connection's own
change counter) and removed in Python, refilling the window when needed.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from node.items import visibility
from node.mediatheek.schema import filter_token

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
BROAD = 4  # filters estimated to pass this many times CAND_CAP listings are not counted
_FACET = {column: facet for facet, column in FILTER_COLUMNS.items()}
# FTS5 truncates tokens at 32768 bytes; a longer value (an absurd actor URL) stays a
# b-tree filter so that two values sharing a long start can never be confused
MAX_TOKEN = 32000


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

    def tokens(self) -> list[str]:
        """Synthetic FTS tokens of the equality filters that FTS5 can carry."""
        out = [filter_token(c, v) for c, v in self.equal.items()]
        return [t for t in out if len(t) <= MAX_TOKEN]

    def fts(self, text: str | None) -> str | None:
        """``text`` (an expression over the text columns) AND the filter tokens."""
        tokens = self.tokens()
        if not tokens:
            return text
        expr = "{filters} : (" + " AND ".join(f'"{t}"' for t in tokens) + ")"
        return expr if text is None else f"{text} AND {expr}"

    def residual(self) -> Filters:
        """The filters :meth:`fts` leaves out: the tag and any over-long value."""
        equal = {c: v for c, v in self.equal.items() if len(filter_token(c, v)) > MAX_TOKEN}
        return Filters(equal, self.tag, self.lo, self.hi)

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


PREFIX_INDEXED = 4  # prefixes up to this many characters have an FTS5 prefix index
MAX_EXPANSION = 32  # a longer prefix standing for more words than this stays a prefix
_STEM = re.compile(r'^"([a-z0-9]+)"\*$')


def expand_prefixes(db: sqlite_utils.Database, found: list[str]) -> list[str]:
    """Rewrite each long single-word prefix (``"malie"*``) as the OR of its words.

    Without a prefix index FTS5 merges every word's doclist for a prefix up front,
    on every evaluation, and one search evaluates its expression a dozen times
    (window, idf, one per column for the ranking).  The words are read once from
    the vocabulary instead; their OR is walked lazily, newest first.  Exactly the
    same listings match.  Stems that do not fold to plain ASCII letters and digits,
    or that could reach a filter token (a leading zero), or that stand for more
    than ``MAX_EXPANSION`` words, are left alone.
    """
    out = []
    for part in found:
        stem = _fold(part)
        if stem is None or len(stem) <= PREFIX_INDEXED or stem.startswith("0"):
            out.append(part)
            continue
        upper = stem[:-1] + chr(ord(stem[-1]) + 1)
        terms = [
            r[0]
            for r in db.execute(
                "SELECT term FROM listings_vocab WHERE term >= ? AND term < ? LIMIT ?",
                [stem, upper, MAX_EXPANSION + 1],
            )
        ]
        if not terms or len(terms) > MAX_EXPANSION:
            out.append(part)
        else:
            out.append("(" + " OR ".join(f'"{t}"' for t in terms) + ")")
    return out


def _fold(part: str) -> str | None:
    """The stem of a one-word prefix part, folded as unicode61 folds it, if plain."""
    match = _STEM.match(
        "".join(
            c for c in unicodedata.normalize("NFKD", part) if not unicodedata.combining(c)
        ).lower()
    )
    return match[1] if match else None


def hidden_ids(db: sqlite_utils.Database, now: str) -> frozenset[int]:
    """Withdrawn or expired listings: never shown (partial indexes keep this cheap)."""
    withdrawn = withdrawn_ids(db)
    expired = [
        r[0]
        for r in db.execute(
            f"SELECT id FROM listings WHERE {visibility.expired_sql('', '?')}", [now]
        )
    ]
    return withdrawn.union(expired) if expired else withdrawn


def embargoed_ids(db: sqlite_utils.Database, now: str) -> set[int]:
    """Listings still under embargo at ``now``."""
    rows = db.execute(f"SELECT id FROM listings WHERE {visibility.embargoed_sql('', '?')}", [now])
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
    text: str,
    f: Filters,
    cap: int,
    excluded: frozenset[int] | set[int],
) -> tuple[list[int], bool]:
    """Visible matches of ``text`` passing the filters, newest first: ``cap`` or all.

    The boolean is true when the list holds *all* of them.
    """
    if not f.any:
        sql = f"{_FTS} ORDER BY rowid DESC LIMIT ?"
        return newest(db, sql, lambda hi, n: [text, f.lo, hi, n], f.hi, cap, excluded)
    ids_sql, ids_params = f.ids_sql()
    n_range, estimate = estimate_candidates(db, f)
    if estimate >= BROAD * CAND_CAP:
        n_cand = CAND_CAP  # clearly broad: no need to count them
    else:
        n_cand = count_upto(db, ids_sql, [*ids_params, f.lo, f.hi], CAND_CAP)
    if n_cand >= CAND_CAP:
        n_match = count_upto(db, _FTS, [text, f.lo, f.hi], SCAN_ALL + 1)
        if n_match <= SCAN_ALL:
            # few text matches in the range: check them all by index seeks (exact total)
            return seek_scan(db, text, f, None, excluded)
        # broad filters, many matches: FTS5 intersects the text with the filter tokens
        # (the tag, if any, by index seeks), skipping through the doclists, instead of
        # one b-tree seek per match however few of them pass the filters
        return fts_scan(db, text, f, cap, excluded)
    # selective filters: their few thousand listings come from the b-tree, and the
    # text is matched against them (``probe``, ``scan_in``) or they against the text
    n_match = count_upto(db, _FTS, [text, f.lo, f.hi], MATCH_CAP)
    # how many matches a newest-first scan reads to find ``cap`` that pass the filters
    n_range = max(1, n_range)
    reach = min(n_match, cap * n_range / max(1, n_cand)) if n_match >= MATCH_CAP else n_match
    costs = {
        "scan": SEEK_COST * reach,
        "probe": PROBE_COST * n_cand,
        "scan_in": SET_COST * n_cand + IN_COST * reach,
    }
    plan = min(costs, key=costs.__getitem__)
    if plan == "probe":
        # the few filtered listings, each looked up in the FTS index
        sql = (
            f"SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?"
            f" AND rowid IN ({ids_sql}) ORDER BY rowid DESC"
        )
        return newest(db, sql, lambda hi, n: [text, *ids_params, f.lo, hi], f.hi, None, excluded)
    if plan == "scan_in":
        # newest matches tested against the filtered ids held as an in-memory set
        sql = f"{_FTS} AND +rowid IN ({ids_sql}) ORDER BY rowid DESC LIMIT ?"
        return newest(
            db, sql, lambda hi, n: [text, f.lo, hi, *ids_params, f.lo, hi, n], f.hi, cap, excluded
        )
    return seek_scan(db, text, f, None if n_match <= SCAN_ALL else cap, excluded)


def seek_scan(
    db: sqlite_utils.Database,
    text: str,
    f: Filters,
    cap: int | None,
    excluded: frozenset[int] | set[int],
) -> tuple[list[int], bool]:
    """``scan``/``scan_all``: newest matches of ``text`` (``cap``, or all if None), each
    checked against the filters by covering-index seeks.

    Cheaper than :func:`fts_scan` when the date range holds few text matches or
    a good share of them pass: a seek into a cached b-tree costs less than
    FTS5's hops through several long doclists (read in reverse).
    """
    probes, probe_params = f.probes("f.rowid")
    sql = (
        "SELECT f.rowid FROM listings_fts f WHERE f.listings_fts MATCH ?"
        f" AND f.rowid BETWEEN ? AND ? AND {probes} ORDER BY f.rowid DESC LIMIT ?"
    )
    return newest(db, sql, lambda hi, n: [text, f.lo, hi, *probe_params, n], f.hi, cap, excluded)


def fts_scan(
    db: sqlite_utils.Database,
    text: str | None,
    f: Filters,
    cap: int | None,
    excluded: frozenset[int] | set[int],
) -> tuple[list[int], bool]:
    """``scan``: newest matches of ``text`` AND the filter tokens (``cap``, or all if None).

    FTS5 intersects the doclists, skipping through the longer ones; filters
    without a token (the tag) are checked per match with one index seek.
    """
    match = f.fts(text)
    rest = f.residual()
    if not rest.any:
        sql = f"{_FTS} ORDER BY rowid DESC LIMIT ?"
        return newest(db, sql, lambda hi, n: [match, f.lo, hi, n], f.hi, cap, excluded)
    probes, probe_params = rest.probes("f.rowid")
    sql = (
        "SELECT f.rowid FROM listings_fts f WHERE f.listings_fts MATCH ?"
        f" AND f.rowid BETWEEN ? AND ? AND {probes} ORDER BY f.rowid DESC LIMIT ?"
    )
    return newest(db, sql, lambda hi, n: [match, f.lo, hi, *probe_params, n], f.hi, cap, excluded)


def estimate_candidates(db: sqlite_utils.Database, f: Filters) -> tuple[int, float]:
    """Listings in the date range, and those of them passing the filters, estimated in
    one statement from the maintained facet counts: listings spread evenly over time,
    each filter independent of the others."""
    wanted = [(_FACET[c], v) for c, v in f.equal.items()]
    if f.tag is not None:
        wanted.append(("tag", f.tag))
    lookups = "".join(
        ", (SELECT n FROM listing_facets WHERE facet = ? AND value = ?)" for _ in wanted
    )
    row = db.execute(
        "SELECT (SELECT sum(n) FROM listing_facets WHERE facet = 'kind'),"
        f" (SELECT min(id) FROM listings), (SELECT max(id) FROM listings){lookups}",
        [x for pair in wanted for x in pair],
    ).fetchone()
    total, first, last = row[0] or 0, row[1] or 0, row[2] or 0
    top, bottom = min(f.hi, last), max(f.lo, first)
    n_range = 0 if top < bottom else round(total * (top - bottom + 1) / (last - first + 1))
    estimate = float(n_range)
    for n in row[3:]:
        estimate *= (n or 0) / max(1, total)
    return n_range, estimate


def span(db: sqlite_utils.Database) -> tuple[int, int]:
    """Oldest and newest listing id (two aggregates, so each is one b-tree seek)."""
    row = db.execute(
        "SELECT (SELECT min(id) FROM listings), (SELECT max(id) FROM listings)"
    ).fetchone()
    return (row[0] or 0, row[1] or 0)


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
    if len(f.tokens()) >= 2:
        # several equality filters: FTS5 intersects their token doclists, where one
        # index would be walked with a table read per row to check the others
        return fts_scan(db, None, f, cap, excluded)
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
