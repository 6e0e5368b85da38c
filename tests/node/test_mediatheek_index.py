"""Mediatheek index and search on a real SQLite file (migrated like a node's)."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node.core.db.database import connect
from node.core.storage import migrate
from node.mediatheek import (
    SearchQuery,
    delete_listing,
    get_listing,
    search,
    upsert_listing,
    withdraw_listing,
)

NOW = "2026-01-01T00:00:00Z"
ORGS = [f"https://org{i}.mediakring.example/actor" for i in range(4)]
KINDS = ["article", "photo", "video", "audio", "document"]
WORDS = "gemeente raad verkeer fiets brug haven markt school zorg weer".split()


def listing(n: int, **kw) -> dict:
    base = {
        "object_id": f"https://x.example/items/{n}",
        "origin_actor": ORGS[0],
        "kind": "article",
        "title": f"titel {n}",
        "published_at": f"2025-01-{1 + n % 28:02d}T10:00:{n % 60:02d}Z",
    }
    return base | kw


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "node.core.db"
    migrate(path)
    conn = connect(path)
    yield conn
    conn.conn.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """500 random listings plus their plain-Python copies for brute-force checks."""
    path = tmp_path_factory.mktemp("m") / "node.core.db"
    migrate(path)
    conn = connect(path)
    rng = random.Random(5)
    rows = []
    for n in range(500):
        row = listing(
            n,
            origin_actor=rng.choice(ORGS),
            kind=rng.choice(KINDS),
            title=" ".join(rng.choices(WORDS, k=3)),
            summary=" ".join(rng.choices(WORDS, k=5)),
            tags=rng.sample(WORDS, 2),
            language=rng.choice(["nl", "en"]),
            licence=rng.choice(["cc-by-4.0", "all-rights-reserved"]),
            published_at=f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
            embargo_until="2026-02-01T00:00:00Z" if n % 17 == 0 else None,
            expires_at="2025-06-01T00:00:00Z" if n % 23 == 0 else None,
        )
        upsert_listing(conn, row)
        if n % 31 == 0:
            withdraw_listing(conn, row["object_id"])
        rows.append(row | {"withdrawn": n % 31 == 0})
    yield conn, rows
    conn.conn.close()


def visible(rows):
    return [
        r for r in rows if not r["withdrawn"] and not (r["expires_at"] and r["expires_at"] < NOW)
    ]


def titles(result):
    return [i["title"] for i in result.items]


def test_accent_folding_dutch_and_english(db):
    upsert_listing(db, listing(1, title="Café de Ruïne opent", summary="financiële steun"))
    upsert_listing(db, listing(2, title="Naïve art in Zürich"))
    for q in ("cafe", "café", "ruine", "financiele", "FINANCIËLE", "naive", "zurich"):
        assert search(db, SearchQuery(q=q, now=NOW)).total == 1, q


def test_phrase_and_and(db):
    upsert_listing(db, listing(1, title="nieuwe brug over de haven"))
    upsert_listing(db, listing(2, title="haven krijgt nieuwe brug"))
    assert search(db, SearchQuery(q='"nieuwe brug"', now=NOW)).total == 2
    assert titles(search(db, SearchQuery(q='"brug over"', now=NOW))) == [
        "nieuwe brug over de haven"
    ]
    assert search(db, SearchQuery(q="haven krijgt", now=NOW)).total == 1
    assert search(db, SearchQuery(q="hav*", now=NOW)).total == 2


def test_upsert_replaces_fts_row_and_ignores_stale_updates(db):
    first = upsert_listing(db, listing(1, title="oude kop", updated_at="2025-02-01T00:00:00Z"))
    again = upsert_listing(db, listing(1, title="nieuwe kop", updated_at="2025-03-01T00:00:00Z"))
    assert first == again
    assert search(db, SearchQuery(q="oude", now=NOW)).total == 0
    assert search(db, SearchQuery(q="nieuwe", now=NOW)).total == 1
    upsert_listing(db, listing(1, title="stale kop", updated_at="2025-01-01T00:00:00Z"))
    assert get_listing(db, first)["title"] == "nieuwe kop"


def test_withdrawn_expired_deleted_hidden(db):
    upsert_listing(db, listing(1, title="zichtbaar bericht"))
    upsert_listing(db, listing(2, title="verlopen bericht", expires_at="2025-06-01T00:00:00Z"))
    upsert_listing(db, listing(3, title="ingetrokken bericht"))
    upsert_listing(db, listing(4, title="gewist bericht"))
    assert withdraw_listing(db, listing(3)["object_id"])
    assert delete_listing(db, listing(4)["object_id"])
    for q in ("bericht", ""):
        result = search(db, SearchQuery(q=q, now=NOW, facets=True))
        assert titles(result) == ["zichtbaar bericht"]
        assert result.total == 1 and result.facets["kind"] == {"article": 1}
    assert get_listing(db, listing(4)["object_id"]) is None


def test_sort_relevance_prefers_title_and_date_is_newest_first(db):
    upsert_listing(db, listing(1, title="haven", published_at="2025-01-01T00:00:00Z"))
    upsert_listing(
        db, listing(2, title="x", body_text="haven", published_at="2025-05-01T00:00:00Z")
    )
    assert titles(search(db, SearchQuery(q="haven", now=NOW)))[0] == "haven"
    assert titles(search(db, SearchQuery(q="haven", sort="date", now=NOW)))[0] == "x"


@pytest.mark.parametrize("sort", ["date", "relevance"])
@pytest.mark.parametrize("q", ["", "haven", "gemeente raad"])
def test_paging_has_no_duplicates_or_gaps(corpus, sort, q):
    conn, _ = corpus
    whole = search(conn, SearchQuery(q=q, sort=sort, limit=100, now=NOW))
    seen, cursor = [], None
    while True:
        page = search(conn, SearchQuery(q=q, sort=sort, limit=7, cursor=cursor, now=NOW))
        seen += [i["id"] for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == whole.total
    assert seen[:100] == [i["id"] for i in whole.items]


filters = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(KINDS),
        "org": st.sampled_from(ORGS),
        "language": st.sampled_from(["nl", "en"]),
        "licence": st.sampled_from(["cc-by-4.0"]),
        "tag": st.sampled_from(WORDS),
        "embargoed": st.booleans(),
        "since": st.sampled_from(["2025-03-01T00:00:00Z"]),
        "until": st.sampled_from(["2025-09-01T00:00:00Z"]),
        "q": st.sampled_from(WORDS),
    },
)


def brute(rows, f):
    out = []
    for r in visible(rows):
        text = " ".join([r["title"], r.get("summary", ""), *r["tags"]])
        embargoed = bool(r["embargo_until"] and r["embargo_until"] > NOW)
        if (
            ("kind" in f and r["kind"] != f["kind"])
            or ("org" in f and r["origin_actor"] != f["org"])
            or ("language" in f and r["language"] != f["language"])
            or ("licence" in f and r["licence"] != f["licence"])
            or ("tag" in f and f["tag"] not in r["tags"])
            or ("embargoed" in f and embargoed != f["embargoed"])
            or ("since" in f and r["published_at"] < f["since"])
            or ("until" in f and r["published_at"] > f["until"])
            or ("q" in f and f["q"] not in text.split())
        ):
            continue
        out.append(r)
    return out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(f=filters)
def test_filters_and_facets_match_brute_force(corpus, f):
    conn, rows = corpus
    result = search(conn, SearchQuery(now=NOW, facets=True, limit=100, **f))
    expected = brute(rows, f)
    assert result.total_exact and result.total == len(expected)
    got = {i["object_id"] for i in result.items}
    assert len(got) == min(100, len(expected)) and got <= {r["object_id"] for r in expected}
    assert result.facets["kind"] == dict(Counter(r["kind"] for r in expected))
    assert result.facets["org"] == dict(Counter(r["origin_actor"] for r in expected))
    assert result.facets["tag"] == dict(Counter(t for r in expected for t in r["tags"]))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=60)
    | st.sampled_from(
        ['"', '"a', "NEAR(a b)", "a*", "*", "title:x", "a OR b", "NOT", "^a", "{title}:a", "a AND"]
    )
)
def test_hostile_query_text_never_raises(corpus, q):
    conn, _ = corpus
    result = search(conn, SearchQuery(q=q, now=NOW, facets=True))
    assert result.total >= 0


def test_get_listing_by_id_and_object_id(db):
    new = upsert_listing(db, listing(1, tags=["#Haven", "haven", "Brug"], document={"a": 1}))
    got = get_listing(db, new)
    assert got == get_listing(db, listing(1)["object_id"])
    assert got["tags"] == ["haven", "brug"] and got["document"] == {"a": 1}
    assert json.loads(db.execute("SELECT tags FROM listings").fetchone()[0]) == ["haven", "brug"]


@pytest.mark.parametrize(
    "f",
    [
        {"q": "haven", "kind": "photo"},
        {"q": "gemeente", "org": ORGS[1], "kind": "article"},
        {"q": "raad", "tag": "zorg", "since": "2025-03-01T00:00:00Z"},
        {"q": "markt school", "language": "en", "until": "2025-09-01T00:00:00Z"},
    ],
)
def test_filtered_text_in_date_order_matches_brute_force(corpus, f):
    conn, rows = corpus
    words = f["q"].split()
    expected = [r for r in brute(rows, {k: v for k, v in f.items() if k != "q"})]
    expected = [
        r
        for r in expected
        if all(w in " ".join([r["title"], r.get("summary", ""), *r["tags"]]).split() for w in words)
    ]
    order = {r["object_id"]: n for n, r in enumerate(rows)}  # ids break published_at ties
    want = sorted(expected, key=lambda r: (r["published_at"], order[r["object_id"]]))[::-1]
    result = search(conn, SearchQuery(now=NOW, sort="date", limit=100, **f))
    got = [i["object_id"] for i in result.items]
    if result.total_exact:
        assert result.total == len(want)
    assert got[: len(want)] == [r["object_id"] for r in want][: len(got)]
    assert len(got) == min(len(want), 100) or not result.total_exact
    seen, cursor = [], None
    while True:
        page = search(conn, SearchQuery(now=NOW, sort="date", limit=2, cursor=cursor, **f))
        seen += [i["object_id"] for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [r["object_id"] for r in want]


def _matches(r, words):
    return all(w in " ".join([r["title"], r.get("summary", ""), *r["tags"]]).split() for w in words)


def _newest_first(rows, expected):
    order = {r["object_id"]: n for n, r in enumerate(rows)}  # ids break published_at ties
    return [
        r["object_id"]
        for r in sorted(expected, key=lambda r: (r["published_at"], order[r["object_id"]]))[::-1]
    ]


def _all_pages(conn, f, limit=2):
    seen, cursor = [], None
    while True:
        page = search(conn, SearchQuery(now=NOW, sort="date", limit=limit, cursor=cursor, **f))
        seen += [i["object_id"] for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


equality_filters = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(KINDS),
        "org": st.sampled_from(ORGS),
        "language": st.sampled_from(["nl", "en"]),
        "licence": st.sampled_from(["cc-by-4.0", "all-rights-reserved"]),
        "tag": st.sampled_from(WORDS),
        "since": st.sampled_from(["2025-03-01T00:00:00Z", "2025-06-15T00:00:00Z"]),
        "until": st.sampled_from(["2025-09-01T00:00:00Z", "2025-11-20T00:00:00Z"]),
    },
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    f=equality_filters,
    q=st.sampled_from(["", *WORDS, "markt school", "haven gem*"]),
)
def test_equality_filters_with_text_match_brute_force(corpus, f, q):
    """Equality filters, with and without text, against brute force: date order,
    totals, paging by cursor."""
    conn, rows = corpus
    words = [w.rstrip("*") for w in q.split()]
    expected = []
    for r in brute(rows, f):
        text = [*r["title"].split(), *r.get("summary", "").split(), *r["tags"]]
        if all(
            any(t == w or (q.endswith("*") and w == words[-1] and t.startswith(w)) for t in text)
            for w in words
        ):
            expected.append(r)
    want = _newest_first(rows, expected)
    result = search(conn, SearchQuery(now=NOW, sort="date", limit=100, q=q, **f))
    got = [i["object_id"] for i in result.items]
    assert got[: len(want)] == want[: len(got)]
    if result.total_exact:
        assert result.total == len(want) and len(got) == min(100, len(want))
    assert _all_pages(conn, {"q": q, **f}) == want
    if q:  # relevance: the same set, whatever the order
        ranked = search(conn, SearchQuery(now=NOW, limit=100, q=q, **f))
        assert {i["object_id"] for i in ranked.items} <= set(want)


def test_relevance_ignores_the_filter_column(corpus):
    """A filter only removes listings: the survivors keep their relative order."""
    conn, _ = corpus
    for q in ("haven", "gemeente raad"):
        everything = search(conn, SearchQuery(q=q, limit=100, now=NOW))
        order = [i["object_id"] for i in everything.items]
        for kind in KINDS:
            some = search(conn, SearchQuery(q=q, kind=kind, limit=100, now=NOW))
            got = [i["object_id"] for i in some.items]
            assert [g for g in got if g in order] == [o for o in order if o in got]


@pytest.mark.parametrize("stem", ["gemee", "gemeente", "verke", "schoo", "marktx", "Gemeé"])
def test_long_prefixes_find_exactly_the_words_they_start(corpus, stem):
    """A prefix longer than the prefix indexes is expanded into its words from the
    vocabulary: the same listings as brute force over every word starting with it."""
    conn, rows = corpus
    folded = stem.lower().replace("é", "e")
    want = sorted(
        r["object_id"]
        for r in visible(rows)
        if any(
            w.startswith(folded)
            for w in " ".join([r["title"], r.get("summary", ""), *r["tags"]]).split()
        )
    )
    got = search(conn, SearchQuery(q=stem, now=NOW, sort="date", limit=100))
    seen = [i["object_id"] for i in got.items]
    while got.next_cursor:
        got = search(
            conn, SearchQuery(q=stem, now=NOW, sort="date", limit=100, cursor=got.next_cursor)
        )
        seen += [i["object_id"] for i in got.items]
    assert sorted(seen) == want
