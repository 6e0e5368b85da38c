"""Facet counts: from the maintained ``listing_facets`` table when unfiltered,
otherwise counted over a bounded window of matching listings and scaled up.
"""

from __future__ import annotations

import json
from collections import Counter

import sqlite_utils

from node.items import visibility

FACETS = ("kind", "org", "language", "licence", "tag", "embargoed")
TOP = 20
_COLUMNS = "kind, origin_actor, language, licence, tags, embargo_until"


def _count_rows(rows, now: str) -> dict[str, Counter]:
    counts: dict[str, Counter] = {name: Counter() for name in FACETS}
    moment = visibility.now_moment(now)
    for kind, org, language, licence, tags, embargo in rows:
        counts["kind"][kind] += 1
        counts["org"][org] += 1
        counts["language"][language] += 1
        counts["licence"][licence] += 1
        counts["tag"].update(json.loads(tags))
        under = visibility.is_embargoed({visibility.EMBARGO: embargo}, moment)
        counts["embargoed"]["true" if under else "false"] += 1
    return counts


def _finish(counts: dict[str, Counter], scale: float = 1.0) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        top = counts[name].most_common(TOP if name == "tag" else None)
        out[name] = {k: round(v * scale) for k, v in top if v > 0}
    return out


def expired_visible(db: sqlite_utils.Database, now: str) -> list[tuple]:
    """Facet columns of listings that expired but are not yet purged or withdrawn."""
    return list(
        db.execute(
            f"SELECT {_COLUMNS} FROM listings WHERE {visibility.expired_sql('', '?')}"
            " AND withdrawn = 0",
            [now],
        )
    )


def unfiltered(db: sqlite_utils.Database, now: str) -> tuple[dict[str, dict[str, int]], int]:
    """Facets and total of every visible listing: maintained counts minus the expired."""
    counts: dict[str, Counter] = {name: Counter() for name in FACETS}
    for facet, value, n in db.execute("SELECT facet, value, n FROM listing_facets WHERE n > 0"):
        counts[facet][value] = n
    for name, sub in _count_rows(expired_visible(db, now), now).items():
        counts[name].subtract(sub)
    total = sum(counts["kind"].values())
    embargoed = db.execute(
        f"SELECT count(*) FROM listings WHERE {visibility.embargoed_sql('', '?')}"
        f" AND withdrawn = 0 AND {visibility.not_expired_sql('', '?')}",
        [now, now],
    ).fetchone()[0]
    counts["embargoed"] = Counter({"true": embargoed, "false": total - embargoed})
    return _finish(counts), total


_OVER_IDS = f"""
WITH rows AS MATERIALIZED (
    SELECT kind, origin_actor, language, licence, tags, embargo_until FROM listings
    WHERE id IN (SELECT value FROM json_each(?1)))
SELECT 'kind', kind, count(*) FROM rows GROUP BY kind
UNION ALL SELECT 'org', origin_actor, count(*) FROM rows GROUP BY origin_actor
UNION ALL SELECT 'language', language, count(*) FROM rows GROUP BY language
UNION ALL SELECT 'licence', licence, count(*) FROM rows GROUP BY licence
UNION ALL SELECT 'tag', j.value, count(*) FROM rows, json_each(rows.tags) j GROUP BY j.value
UNION ALL SELECT 'embargoed',
    CASE WHEN {visibility.embargoed_sql("", "?2")} THEN 'true' ELSE 'false' END,
    count(*) FROM rows GROUP BY 2
"""


def over_ids(
    db: sqlite_utils.Database, ids: list[int], now: str, total: int
) -> dict[str, dict[str, int]]:
    """Facets over ``ids``, scaled to ``total`` when ``ids`` is only a sample of it.

    Counted by SQLite in one statement (no per-row Python, no JSON decoding here).
    """
    counts: dict[str, Counter] = {name: Counter() for name in FACETS}
    if ids:
        for facet, value, n in db.execute(_OVER_IDS, ["[" + ",".join(map(str, ids)) + "]", now]):
            counts[facet][value] = n
    scale = total / len(ids) if ids and total > len(ids) else 1.0
    return _finish(counts, scale)
