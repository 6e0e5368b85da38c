"""Mediatheek search on 1,000,000 listings: our engine against plain FTS5, same data, same run.

The corpus is synthetic pseudo-Dutch text with a Zipf word distribution (so a
handful of words occur in a third of all listings and most words are rare),
60 organisations of Zipf-distributed size, five kinds, three years of dates.
It is generated once and cached in /tmp/mediakring-bench/ (outside the repo);
delete that directory to regenerate.

Query classes: (a) one rare word and two typical words, (b) one word that
matches about a third of all listings, (c) a typical or common word filtered by kind,
organisation and a 90-day date range, (d) facet counts (unfiltered, and for a typical
word, and for a word plus a kind filter).  Each class runs 200 varied queries
(d1 repeats the one unfiltered query) after an unmeasured warm-up pass; we
report p50/p99 in ms for ``node.mediatheek.search`` and for the plain FTS5
baseline, which runs on a sample of the cases for the slow classes
(``PLAIN_SAMPLE``, printed as ``plain_cases``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from node.items import visibility
from node.mediatheek import textindex
from node.mediatheek.schema import TABLES, TRIGGERS, create_tables, create_triggers, drop_triggers
from node.mediatheek.search import SearchQuery, facet_aggregation, forget_built_queries, search
from node.mediatheek.store import ID_SHIFT, id_base

CACHE = Path("/tmp/mediakring-bench")
N_LISTINGS = 1_000_000
NOW = "2026-01-01T00:00:00.000000Z"
START = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
QUERIES_PER_CLASS = 200
CREDITS = ("Redactie", "Herman Coster", "Fotopersbureau Haaglanden", "Anouk de Wit")
STOPWORDS = (
    "de het een en van in op met voor is dat te zijn niet aan er bij ook om als"
    " door over naar uit nog maar dan wel"
).split()
ONSETS = "b d f g h j k l m n p r s t v w z br dr gr kr pr st str sch sl sp tr vl zw".split()
VOWELS = "a e i o u aa ee oo uu ie oe ei ij ui au ou eu".split()
CODAS = "- n t k s l r m ng nd rt st cht ld rk".split()
SUFFIXES = "- - - en heid lijk ing er sel te baar ig isch".split()
ACCENTED = {"e": "ë", "i": "ï", "o": "ö"}
KIND_WEIGHTS = {"article": 40, "photo": 30, "video": 15, "audio": 8, "document": 7}
LANGS = {"nl": 80, "en": 14, "fy": 4, "de": 2}
LICENCES = {
    "all-rights-reserved": 50,
    "cc-by-4.0": 25,
    "cc-by-sa-4.0": 12,
    "cc-by-nc-4.0": 10,
    "cc0-1.0": 3,
}


def _word(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.choice((1, 2, 2, 3))):
        parts += [rng.choice(ONSETS), rng.choice(VOWELS), rng.choice(CODAS).strip("-")]
    word = "".join(parts) + rng.choice(SUFFIXES).strip("-")
    if rng.random() < 0.04:  # some accented spellings, as in "financiële", "ruïne"
        i = max((word.find(v, 2) for v in ACCENTED), default=-1)
        if i > 0:
            word = word[:i] + ACCENTED[word[i]] + word[i + 1 :]
    return word


def _vocabulary(rng: random.Random, size: int) -> tuple[list[str], list[float]]:
    words = list(STOPWORDS)
    seen = set(words)
    while len(words) < size:
        w = _word(rng)
        if len(w) > 2 and w not in seen:
            seen.add(w)
            words.append(w)
    cum, total = [], 0.0
    for rank in range(size):
        total += 1.0 / (rank + 2.7)
        cum.append(total)
    return words, cum


def _weighted(rng: random.Random, table: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(table), weights=list(table.values()), k=k)


def _rows(n_listings: int = N_LISTINGS, seed: int = 42) -> Iterator[list[tuple]]:
    """Batches of listing rows in publication order (ids ascending)."""
    rng = random.Random(seed)
    words, cum = _vocabulary(rng, 60_000)
    tags, tag_cum = _vocabulary(random.Random(seed + 1), 600)
    tags = tags[len(STOPWORDS) :]
    tag_cum = tag_cum[: len(tags)]
    orgs = [f"https://org{i:02d}.mediakring.example/actor" for i in range(60)]
    org_cum = list(_cumulate([1 / (i + 1) for i in range(60)]))
    span = (END - START).total_seconds()
    offsets = sorted(rng.random() * span for _ in range(n_listings))
    last_id = 0
    batch = 20_000
    for start in range(0, n_listings, batch):
        n = min(batch, n_listings - start)
        tokens = rng.choices(words, cum_weights=cum, k=n * 66)
        kinds = _weighted(rng, KIND_WEIGHTS, n)
        langs = _weighted(rng, LANGS, n)
        lics = _weighted(rng, LICENCES, n)
        org_pick = rng.choices(orgs, cum_weights=org_cum, k=n)
        rows = []
        for j in range(n):
            i = start + j
            when = START + dt.timedelta(seconds=offsets[i])
            published = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            last_id = max(id_base(when), last_id + 1)
            t = tokens[j * 66 : (j + 1) * 66]
            title = " ".join(t[:8]).capitalize()
            summary = " ".join(t[8:26]).capitalize() + "."
            body = " ".join(t[26:]).capitalize() + "."
            tag_list = sorted(set(rng.choices(tags, cum_weights=tag_cum, k=rng.randint(1, 4))))
            r = rng.random()
            embargo = _fmt(when + dt.timedelta(days=rng.randint(1, 30))) if r < 0.01 else None
            expires = (
                _fmt(END + dt.timedelta(days=rng.uniform(-1, 730))) if rng.random() < 0.03 else None
            )
            object_id = f"{org_pick[j].removesuffix('/actor')}/items/{i}"
            doc = json.dumps(
                {
                    "id": object_id,
                    "type": "Article",
                    "name": title,
                    "attributedTo": org_pick[j],
                    "published": published,
                }
            )
            rows.append(
                (
                    last_id,
                    object_id,
                    org_pick[j],
                    org_pick[j].split("//")[1][:5],
                    kinds[j],
                    title,
                    summary,
                    body,
                    json.dumps(tag_list),
                    langs[j],
                    lics[j],
                    CREDITS[i % len(CREDITS)],
                    "",
                    embargo,
                    expires,
                    published,
                    published,
                    None,
                    doc,
                    1,
                    0,
                    int(rng.random() < 0.003),
                )
            )
        yield rows


def _cumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def _fmt(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build(path: Path, n_listings: int = N_LISTINGS) -> None:
    """Generate the corpus: bulk insert without triggers, then build FTS and counts once."""
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    db = sqlite_utils.Database(conn)
    create_tables(db)
    drop_triggers(db)
    columns = (
        "id, object_id, origin_actor, origin_name, kind, title, summary, body_text, tags,"
        " language, licence, credit, usage_terms, embargo_until, expires_at, published_at,"
        " updated_at, thumbnail_url, document, proof_ok, local, withdrawn"
    )
    sql = f"INSERT INTO listings ({columns}) VALUES ({', '.join('?' * 22)})"
    conn.execute("BEGIN")
    for rows in _rows(n_listings):
        conn.executemany(sql, rows)
    create_triggers(db)
    _plain_fts(conn)
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, listings_fts, 'row')")
    conn.execute("CREATE TABLE bench_words (term TEXT PRIMARY KEY, doc INTEGER NOT NULL)")
    # the synthetic filter tokens (column ``filters``, all starting with a digit) are
    # not words: the generated vocabulary has no digits, so skip terms starting with one
    conn.execute(
        "INSERT INTO bench_words SELECT term, doc FROM temp.vocab WHERE term NOT GLOB '[0-9]*'"
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    tmp.rename(path)


# The plain FTS5 ceiling's own index (the node's search no longer has one since
# migration 24): the same columns and tokenizer the node's FTS5 index had.
PLAIN_FTS = """CREATE VIRTUAL TABLE listings_fts USING fts5(
    title, summary, body_text, tags, names, filters, content='listings', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='3 4')"""


def _plain_fts(conn: sqlite3.Connection) -> None:
    conn.execute(PLAIN_FTS)
    conn.execute("INSERT INTO listings_fts (listings_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO listings_fts (listings_fts) VALUES ('optimize')")


def corpus(n_listings: int = N_LISTINGS) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    # v2: FTS5 column ``filters`` with the synthetic filter tokens
    # v3: column ``names`` (credit, organisation, author) and prefix indexes 3 and 4
    path = CACHE / f"listings-{n_listings}-v3.db"
    if not path.exists():
        build(path, n_listings)
    conn = sqlite3.connect(path, isolation_level=None)
    # corpora built before migration 24: the search index's queue (empty: the index
    # rebuilds itself from listings on first use and is cached beside the corpus)
    conn.execute(TABLES[-1].replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
    for name, body in TRIGGERS.items():
        conn.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    conn.close()
    return path


def our_index(path: Path) -> float:
    """Build (or open) our search index of the corpus with our own rebuild code; seconds."""
    start = time.perf_counter()
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    textindex.catch_up(db, wait=3600)
    db.conn.close()
    return round(time.perf_counter() - start, 1)


TANTIVY_FIELDS = ("title", "summary", "body", "tags", "names")
TANTIVY_BOOSTS = {"title": 4.0, "tags": 3.0, "names": 3.0, "summary": 2.0, "body": 1.0}


def tantivy_index(path: Path):
    """The same corpus in an embedded tantivy index (built once, cached beside it).

    The peer holds every field our facets and regie read: raw fast fields kind, org,
    language, licence and tag (one value per tag), and integer fast fields for
    embargo and expiry (the same keys as ours, from :mod:`node.items.visibility`).
    What a result row shows is stored, so the peer reads its page from stored
    documents as ours reads it from SQLite.  Withdrawn listings are left out at
    build time, as in ours.
    """
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TANTIVY_FIELDS:  # a result row shows the title and summary: stored
        builder.add_text_field(name, stored=name in ("title", "summary"))
    for name in ("kind", "org", "language", "licence", "tag"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    builder.add_integer_field("embargo_until", stored=True, indexed=True, fast=True)
    builder.add_integer_field("expires_at", stored=True, indexed=True, fast=True)
    schema = builder.build()
    # v2: licence, tag, embargo_until and expires_at (the peer counts our six facets)
    where = path.with_suffix(".peer-v2.tantivy")
    done = where / "complete"
    if not done.exists():
        import shutil

        shutil.rmtree(where, ignore_errors=True)
        where.mkdir()
        index = tantivy.Index(schema, path=str(where))
        writer = index.writer(heap_size=400_000_000, num_threads=1)
        conn = sqlite3.connect(path)
        rows = conn.execute(
            "SELECT id, title, summary, body_text, tags, names, kind, origin_actor, language,"
            " licence, embargo_until, expires_at FROM listings WHERE withdrawn = 0"
        )
        for r in rows:
            tags = json.loads(r[4])
            keys = {"embargo_until": r[10], "expires_at": r[11]}
            writer.add_document(
                tantivy.Document(
                    id=r[0], title=r[1], summary=r[2], body=r[3], tags=" ".join(tags),
                    names=r[5], kind=r[6], org=r[7], language=r[8], licence=r[9] or "",
                    tag=tags, embargo_until=visibility.embargo_key(keys),
                    expires_at=visibility.expiry_key(keys),
                )
            )  # fmt: skip
        writer.commit()
        writer.wait_merging_threads()
        conn.close()
        done.write_text("ok")
    index = tantivy.Index(schema, path=str(where))
    index.reload()
    return index, schema


def _percentiles(samples: list[float], prefix: str = "") -> dict[str, float]:
    ordered = sorted(samples)
    return {
        f"{prefix}p50_ms": round(statistics.median(ordered) * 1000, 2),
        f"{prefix}p99_ms": round(
            ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2
        ),
    }


def _time(fn: Callable[[object], object], cases: list) -> dict[str, float]:
    """Wall-clock and CPU (process) time percentiles; on a shared, busy machine the
    CPU time is the steadier measure of the work a query does."""
    wall, cpu = [], []
    for case in cases:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(case)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return _percentiles(wall) | _percentiles(cpu, "cpu_")


def _plain(conn: sqlite3.Connection, match: str, where: str = "", params: tuple = ()) -> None:
    conn.execute(
        "SELECT l.id, l.title FROM listings_fts f JOIN listings l ON l.id = f.rowid"
        f" WHERE listings_fts MATCH ? AND l.withdrawn = 0 {where} ORDER BY rank LIMIT 20",
        (match, *params),
    ).fetchall()


def make_cases(conn: sqlite3.Connection, n: int = QUERIES_PER_CLASS, seed: int = 7) -> dict:
    """The query cases of every class (deterministic for a seed)."""
    rng = random.Random(seed)

    def words(lo, hi):
        return [
            r[0]
            for r in conn.execute(
                "SELECT term FROM bench_words WHERE doc BETWEEN ? AND ? ORDER BY term", (lo, hi)
            )
        ]

    # document-frequency bands are set for 1M listings and scale with the corpus
    n_docs = conn.execute("SELECT count(*) FROM listings").fetchone()[0]
    k = n_docs / 1_000_000
    rare = words(max(2, round(20 * k)), round(300 * k))
    typical, common = (
        words(round(5000 * k), round(20000 * k)),
        words(round(250_000 * k), round(450_000 * k)),
    )
    orgs = [r[0] for r in conn.execute("SELECT DISTINCT origin_actor FROM listings")]
    a = [f"{rng.choice(rare)} {rng.choice(typical)} {rng.choice(typical)}" for _ in range(n)]
    b = [rng.choice(common) for _ in range(n)]
    c = []
    for _ in range(n):
        start = START + dt.timedelta(days=rng.randint(0, 900))
        c.append(
            (
                rng.choice(typical + common),
                rng.choice(list(KIND_WEIGHTS)),
                rng.choice(orgs),
                _fmt(start),
                _fmt(start + dt.timedelta(days=90)),
            )
        )
    d2 = [rng.choice(typical) for _ in range(n)]
    d3 = [(rng.choice(typical + common), rng.choice(list(KIND_WEIGHTS))) for _ in range(n)]
    stems = sorted({w[:4] for w in typical if len(w) >= 6 and w[:4].isalpha()})
    e = [rng.choice(stems) for _ in range(n)]
    return {"a": a, "a2": a, "b": b, "c": c, "d1": list(range(n)), "d2": d2, "d3": d3, "e": e}


# plain FTS5 scores every match: a class-b query takes ~0.5 s, the unfiltered GROUP BY
# scans the whole table (seconds), so the slow baselines run on a sample of the cases.
PLAIN_SAMPLE = {"a": None, "a2": None, "b": 30, "c": 30, "d1": 5, "d2": 30, "d3": 30, "e": 30}
CLASS_LABELS = {
    "a_rare_plus_two_typical": "two typical words (+1 rare)",
    "a2_rare_plus_two_typical_typing": "two typical words (+1 rare), last one still a prefix",
    "b_word_in_third_of_listings": "very common word",
    "c_filtered_kind_org_dates": "word + kind + org + 90 days",
    "d1_facets_unfiltered": "facets, unfiltered",
    "d2_facets_typical_word": "facets, typical word",
    "d3_facets_word_and_kind": "facets, word + kind",
    "e_prefix_as_you_type": "4-letter prefix as you type",
}


def _tantivy_cases(index, schema) -> dict:
    """The peer's implementation of every query class, on the identical corpus.

    It does the work ours does: the same expiry filter on every query (a range over
    the expiry key, as ours), and every facet class counts our six facets (kind, org,
    language, licence, the top tags, embargoed) with the same aggregation requests.
    """
    import tantivy

    searcher = index.searcher()
    fields = list(TANTIVY_FIELDS)
    Q, Occur = tantivy.Query, tantivy.Occur

    def live(query):
        """Not expired at NOW: the regie clause ours adds to every query."""
        expired = Q.range_query(
            schema,
            "expires_at",
            tantivy.FieldType.Integer,
            *visibility.expired_keys(NOW),
            use_inverted_index=True,
        )
        return Q.boolean_query([(Occur.Must, query), (Occur.MustNot, expired)])

    def words(q: str):
        return index.parse_query(
            " ".join(f"+{w}" for w in q.split()), fields, field_boosts=TANTIVY_BOOSTS
        )

    def top(query) -> None:
        for _, address in searcher.search(live(query), 20).hits:
            searcher.doc(address).to_dict()

    def prefix(stem: str):
        return Q.boolean_query(
            [(Occur.Should, Q.phrase_prefix_query(schema, f, [stem])) for f in fields]
        )

    def typing(q: str):
        *done, last = q.split()
        parts = [(Occur.Must, words(" ".join(done)))] if done else []
        return Q.boolean_query([*parts, (Occur.Must, prefix(last))])

    def filtered(t):
        lo, hi = id_base(t[3]), id_base(t[4]) | (2**ID_SHIFT - 1)
        return Q.boolean_query(
            [
                (Occur.Must, words(t[0])),
                (Occur.Must, Q.term_query(schema, "kind", t[1])),
                (Occur.Must, Q.term_query(schema, "org", t[2])),
                (Occur.Must, Q.range_query(schema, "id", tantivy.FieldType.Integer, lo, hi)),
            ]
        )

    aggs = facet_aggregation(NOW)  # the very request the node's search sends

    def facets(query) -> None:
        searcher.aggregate(live(query), aggs)

    def word_and_kind(t) -> None:
        query = Q.boolean_query(
            [(Occur.Must, words(t[0])), (Occur.Must, Q.term_query(schema, "kind", t[1]))]
        )
        top(query)
        facets(query)

    def unfiltered(_) -> None:
        everything = Q.all_query()
        newest = searcher.search(
            live(everything), 20, order_by_field="id", order=tantivy.Order.Desc
        )
        for _, address in newest.hits:
            searcher.doc(address).to_dict()
        facets(everything)

    return {
        "a": lambda q: top(words(q)),
        "a2": lambda q: top(typing(q)),
        "b": lambda q: top(words(q)),
        "c": lambda t: top(filtered(t)),
        "d1": unfiltered,
        "d2": lambda q: (top(words(q)), facets(words(q))),
        "d3": word_and_kind,
        "e": lambda stem: top(prefix(stem)),
    }


def rows_for(report: dict, n_listings: int) -> list[dict]:
    """The common bench rows: our p99 against tantivy's (peer) and plain FTS5 (ceiling),
    wall-clock and CPU time (on a shared, loaded machine the CPU time is the steadier)."""
    out = []
    for name, label in CLASS_LABELS.items():
        r = report.get(name)
        if not r:
            continue
        for key, unit in (("p99_ms", "ms"), ("cpu_p99_ms", "ms CPU")):
            ours, peer, plain = r["ours"][key], r["tantivy"][key], r["plain_fts5"][key]
            target = "p99 ≤ 2× tantivy and ≤ plain FTS5"
            met = ours <= min(2 * peer, plain)
            if name.startswith("e_"):
                target += ", ≤ 20 ms"
                met = met and ours <= 20
            out.append(
                {
                    "measure": f"search p99, {label}, {n_listings // 1000}k listings",
                    "ours": ours,
                    "ceiling": plain,
                    "peer": peer,
                    "unit": unit,
                    "ratio": round(ours / peer, 2) if peer else None,
                    "target": target,
                    "met": met,
                }
            )
    return out


def sizes() -> tuple[int, ...]:
    """Corpus sizes to run: 100k and 1M, or ``MK_SEARCH_SIZES=100000`` for a quick run."""
    raw = os.environ.get("MK_SEARCH_SIZES", "100000,1000000")
    return tuple(int(v) for v in raw.split(",") if v.strip())


def main() -> dict:
    """At each size: build or reuse the corpus (SQLite and tantivy), then time every
    query class for ours, tantivy and plain FTS5 interleaved in the same run."""
    out: dict[str, object] = {"rows": []}
    for n in sizes():
        report = run(n)
        out[str(n)] = report
        out["rows"] += rows_for(report, n)
    return out


def run(n_listings: int) -> dict:
    """Every class runs once unmeasured (warm cache), then once measured; the plain
    baseline is warmed on its first three cases and measured on ``PLAIN_SAMPLE``."""
    path = corpus(n_listings)
    built = our_index(path)
    index, schema = tantivy_index(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA query_only=ON")
    conn.execute("PRAGMA cache_size=-500000")
    db = sqlite_utils.Database(conn)
    cases = make_cases(conn)
    peer = _tantivy_cases(index, schema)
    ours = lambda **kw: search(db, SearchQuery(now=NOW, **kw))  # noqa: E731
    report: dict[str, object] = {
        "listings": n_listings,
        "queries_per_class": QUERIES_PER_CLASS,
        "corpus": str(path),
        "our_index_open_or_build_s": built,
    }
    lo_hi = lambda s, u: (id_base(s), id_base(u) | (2**ID_SHIFT - 1))  # noqa: E731
    classes = {
        # completed words (the text ends in a space, so the last word is no prefix), as
        # tantivy and plain FTS5 get them; class e is the prefix as you type
        "a_rare_plus_two_typical": (lambda q: ours(q=q + " "), lambda q: _plain(conn, q), "a"),
        "a2_rare_plus_two_typical_typing": (
            lambda q: ours(q=q),
            lambda q: _plain(conn, q + "*"),
            "a2",
        ),
        "b_word_in_third_of_listings": (lambda q: ours(q=q), lambda q: _plain(conn, q), "b"),
        "c_filtered_kind_org_dates": (
            lambda t: ours(q=t[0], kind=t[1], org=t[2], since=t[3], until=t[4]),
            lambda t: _plain(
                conn,
                t[0],
                "AND l.kind = ? AND l.origin_actor = ? AND l.id BETWEEN ? AND ?",
                (t[1], t[2], *lo_hi(t[3], t[4])),
            ),
            "c",
        ),
        "d1_facets_unfiltered": (
            lambda _: ours(facets=True),
            lambda _: [
                conn.execute(
                    f"SELECT {col}, count(*) FROM listings WHERE withdrawn = 0 GROUP BY {col}"
                ).fetchall()
                for col in ("kind", "language")
            ],
            "d1",
        ),
        "d2_facets_typical_word": (
            lambda q: ours(q=q, facets=True),
            lambda q: conn.execute(
                "SELECT l.kind, count(*) FROM listings_fts f JOIN listings l ON l.id = f.rowid"
                " WHERE listings_fts MATCH ? AND l.withdrawn = 0 GROUP BY l.kind",
                (q,),
            ).fetchall(),
            "d2",
        ),
        "d3_facets_word_and_kind": (
            lambda t: ours(q=t[0], kind=t[1], facets=True),
            lambda t: conn.execute(
                "SELECT l.language, count(*) FROM listings_fts f JOIN listings l"
                " ON l.id = f.rowid WHERE listings_fts MATCH ? AND l.withdrawn = 0"
                " AND l.kind = ? GROUP BY l.language",
                t,
            ).fetchall(),
            "d3",
        ),
        # as you type: ours gets the bare stem (no "*"), plain FTS5 needs "stem*"
        "e_prefix_as_you_type": (
            lambda stem: ours(q=stem),
            lambda stem: _plain(conn, f"{stem}*"),
            "e",
        ),
    }
    for name, (mine, plain, key) in classes.items():
        sample = cases[key][: PLAIN_SAMPLE[key]]
        _time(mine, cases[key])  # warm-up pass, not measured
        _time(peer[key], cases[key])
        _time(plain, sample[:3])
        # the measured pass repeats the warm-up's cases: forget the queries built for
        # them, so ours builds every query anew, as the peer does
        forget_built_queries()
        report[name] = {
            "ours": _time(mine, cases[key]),
            "ours_cases": len(cases[key]),
            "tantivy": _time(peer[key], cases[key]),
            "plain_fts5": _time(plain, sample),
            "plain_cases": len(sample),
        }
        print(n_listings, name, report[name], flush=True)
    conn.close()
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
