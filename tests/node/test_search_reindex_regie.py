"""Regie after ``mediakring mediatheek reindex``: the index the command builds hides what the
rules in ``node.items.visibility`` hide (docs/search.md, *Regie*).

A real node's data directory, the real command in its own process, then the real node
served on 127.0.0.1 searching exactly the index the command wrote.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sys
from pathlib import Path

from node import services
from node.core.clock import iso, utcnow
from node.core.db.database import connect
from node.mediatheek import SearchQuery, textindex, upsert_listing, withdraw_listing
from tests.conftest import serve

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://a.example/actor"


def listing(n: int, title: str, **kw) -> dict:
    return {
        "object_id": f"https://a.example/items/{n}",
        "origin_actor": ORIGIN,
        "kind": "article",
        "title": title,
        "published_at": f"2026-01-0{n}T10:00:00Z",
    } | kw


async def restart(node) -> None:
    """Serve ``node`` again on its own port (the fixture stops it at the end)."""
    node.app, node.runner = await serve(node.settings)


async def api(http, node, path: str = "/api/v1/mediatheek", **params) -> dict:
    async with http.get(node.url(path), params=params, headers=node.auth("read")) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def test_the_reindexed_index_hides_what_the_rules_hide(node_factory, http):
    now = utcnow()
    node = await node_factory()
    await node.runner.cleanup()  # stopped: the command alone builds the index it will read
    data = node.settings.db_path.parent
    shutil.rmtree(data / "mediatheek-index", ignore_errors=True)
    embargo = iso(now + dt.timedelta(days=1))
    db = connect(node.settings.db_path)
    try:
        for row in (
            listing(1, "kermis vrij"),
            listing(2, "kermis geheim", embargo_until=embargo),
            listing(3, "kermis verlopen", expires_at=iso(now - dt.timedelta(days=1))),
            listing(4, "kermis tijdelijk", expires_at=iso(now + dt.timedelta(hours=1))),
            listing(5, "kermis ingetrokken"),
        ):
            upsert_listing(db, row)
        assert withdraw_listing(db, listing(5, "")["object_id"])
    finally:
        db.conn.close()

    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "node.app.cli", "mediatheek", "reindex", "--data", str(data),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(command.communicate(), 120)
    assert command.returncode == 0, err.decode()
    # every listing not withdrawn is a document: the rules hide the rest at search time
    assert "Rebuilt the mediatheek search index: 4 listings" in out.decode()
    assert (data / "mediatheek-index" / f"v{textindex.VERSION}").is_dir()
    await restart(node)

    # found: the free one, the one under embargo marked so (partners plan with it), the one
    # expiring in an hour; never the expired one, never the withdrawn one
    found = await api(http, node, q="kermis")
    marks = {i["title"]: i["embargoed"] for i in found["items"]}
    assert marks == {"kermis vrij": False, "kermis geheim": True, "kermis tijdelijk": False}
    assert found["total"] == 3
    assert found["facets"]["embargoed"] == {"true": 1, "false": 2}
    assert found["facets"]["kind"] == {"article": 3}
    # free to use now: not the one under embargo (counted from the index's embargo key)
    free = await api(http, node, q="kermis", embargoed="false")
    assert sorted(i["title"] for i in free["items"]) == ["kermis tijdelijk", "kermis vrij"]
    assert free["total"] == 2 and free["facets"]["embargoed"] == {"false": 2}
    under = await api(http, node, q="kermis", embargoed="true")
    assert [i["title"] for i in under["items"]] == ["kermis geheim"] and under["total"] == 1
    suggested = await api(http, node, "/api/v1/mediatheek/suggest", q="kerm")
    assert sorted(suggested["suggestions"]) == ["kermis tijdelijk", "kermis vrij"]
    for word in ("verlopen", "ingetrokken"):
        gone = await api(http, node, q=word)
        assert (gone["items"], gone["total"], gone["facets"]["kind"]) == ([], 0, {}), word

    # two days on, with no write: the embargo has passed and the short expiry too (the
    # index's keys decide; the node's own searches take the moment like the other tests)
    later = iso(now + dt.timedelta(days=2))
    after = await services.mediatheek_search(
        node.app, SearchQuery(q="kermis", embargoed=False, facets=True, now=later)
    )
    assert sorted(i["title"] for i in after.items) == ["kermis geheim", "kermis vrij"]
    assert after.total == 2
    assert after.facets["embargoed"] == {"false": 2} and after.facets["kind"] == {"article": 2}
