"""Use is idempotent on real nodes: one copy per original, whatever the clicks or concurrency.

A shares (or lists) an item with B; B's editors hit "use" ten times at once. B must hold one
copy, every answer must name that copy (one 201, the rest 200), and A must hear of the use
exactly once.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from node.core.appkeys import DB
from node.sharing.services import SERVICES
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for

CONCURRENT = 10


@pytest.fixture
async def pair(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    await make_partners(http, a, b)
    return a, b


async def settle(*nodes) -> None:
    """Let deliveries and inbox processing finish on every node."""
    for _ in range(3):
        for node in nodes:
            await node.app[SERVICES].federation.drain()
        await asyncio.sleep(0.05)


async def post_status(http, node, path: str) -> tuple[int, dict]:
    async with http.post(node.url(path), headers=node.auth("write")) as r:
        return r.status, await r.json()


async def copies_of(node, uri: str) -> list[tuple[str, int]]:
    """Every items row derived from ``uri`` on ``node``: (id, deleted)."""
    return await node.app[DB].read(
        lambda d: d.execute(
            "SELECT id, deleted FROM items WHERE derived_from = ? ORDER BY created_at", [uri]
        ).fetchall()
    )


async def used_reports(http, a, item_id: str) -> int:
    data = await api(http, a, "GET", f"/api/v1/items/{item_id}/insight")
    return data["totals"]["used"]


async def receipts_in_outbox(node, uri: str) -> int:
    """B's outbox rows that report a use of ``uri`` (Create of a copy derived from it)."""
    return await node.app[DB].read(
        lambda d: d.execute(
            "SELECT count(*) FROM outbox WHERE json_extract(body, '$.type') = 'Create'"
            " AND json_extract(body, '$.object.derivedFrom') = ?",
            [uri],
        ).fetchone()[0]
    )


async def assert_one_report_at_origin(http, a, b, item_id: str) -> None:
    await wait_for(
        lambda: used_reports(http, a, item_id), what="A to record B's use in its insight"
    )
    await settle(b, a)
    await asyncio.sleep(0.3)  # a second report, if any were sent, would arrive now
    await settle(b, a)
    assert await used_reports(http, a, item_id) == 1
    insight = await api(http, a, "GET", f"/api/v1/items/{item_id}/insight")
    assert [p["actor"] for p in insight["partners"] if p["used_at"]] == [b.url("/actor")]


def assert_one_creator(results: list[tuple[int, dict]]) -> str:
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 200: CONCURRENT - 1}, [(s, body) for s, body in results]
    ids = {body["id"] for _, body in results}
    assert len(ids) == 1, ids
    return ids.pop()


async def test_ten_concurrent_uses_of_one_share_make_one_copy(pair, http):
    a, b = pair
    item = await create_item_with_photo(http, a, title="Brand in de haven")
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")]},
        expect=200,
    )

    async def share():
        listed = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
        return listed and listed[0]

    share_id = (await wait_for(share, what="the share to reach B"))["id"]
    path = f"/api/v1/shared-with-us/{share_id}/use"

    results = await asyncio.gather(*(post_status(http, b, path) for _ in range(CONCURRENT)))

    copy_id = assert_one_creator(results)
    assert await copies_of(b, item["uri"]) == [(copy_id, 0)]
    media = await b.app[DB].read(
        lambda d: d.execute("SELECT count(*) FROM media WHERE item_id = ?", [copy_id]).fetchone()
    )
    assert media[0] == 1
    state = await b.app[DB].read(
        lambda d: d.execute(
            "SELECT state, used_item_id FROM incoming_shares WHERE id = ?", [share_id]
        ).fetchone()
    )
    assert tuple(state) == ("used", copy_id)
    listed = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
    assert listed[0]["id"] == share_id
    assert await receipts_in_outbox(b, item["uri"]) == 1
    tmp = b.settings.media_dir / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []  # the losers' temp files are gone

    # A later click answers with the same copy, and tells nobody again.
    status, again = await post_status(http, b, path)
    assert (status, again["id"]) == (200, copy_id)
    await assert_one_report_at_origin(http, a, b, item["id"])
    assert await receipts_in_outbox(b, item["uri"]) == 1


async def test_ten_concurrent_uses_of_one_listing_make_one_copy(pair, http):
    a, b = pair
    item = await create_item_with_photo(http, a, title="Koningsdag op het Plein", tags=["feest"])
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [], "mediatheek": True},
        expect=200,
    )

    async def found():
        res = await api(http, b, "GET", "/api/v1/mediatheek?q=koningsdag")
        return res["items"] and res["items"][0]

    listing = await wait_for(found, what="B to index A's listing")
    path = f"/api/v1/mediatheek/{listing['id']}/use"

    results = await asyncio.gather(*(post_status(http, b, path) for _ in range(CONCURRENT)))

    copy_id = assert_one_creator(results)
    assert await copies_of(b, item["uri"]) == [(copy_id, 0)]
    assert await receipts_in_outbox(b, item["uri"]) == 1
    await assert_one_report_at_origin(http, a, b, item["id"])

    # The same original offered as a share afterwards is the same copy: the share says used.
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")], "mediatheek": True},
        expect=200,
    )

    async def share():
        listed = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
        return listed and listed[0]

    share_id = (await wait_for(share, what="the share to reach B"))["id"]
    status, body = await post_status(http, b, f"/api/v1/shared-with-us/{share_id}/use")
    assert (status, body["id"]) == (200, copy_id)
    state = await b.app[DB].read(
        lambda d: d.execute(
            "SELECT state, used_item_id FROM incoming_shares WHERE id = ?", [share_id]
        ).fetchone()
    )
    assert tuple(state) == ("used", copy_id)
    assert await copies_of(b, item["uri"]) == [(copy_id, 0)]
    assert await receipts_in_outbox(b, item["uri"]) == 1


async def test_a_deleted_copy_can_be_used_again(pair, http):
    """Deleting the copy is the editor's choice; using the original again makes a fresh one."""
    a, b = pair
    item = await create_item_with_photo(http, a, title="Opnieuw gebruikt")
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")]},
        expect=200,
    )

    async def share():
        listed = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
        return listed and listed[0]

    path = f"/api/v1/shared-with-us/{(await wait_for(share, what='the share'))['id']}/use"
    first = await api(http, b, "POST", path, expect=201)
    await api(http, b, "DELETE", f"/api/v1/items/{first['id']}", expect=204)
    second = await api(http, b, "POST", path, expect=201)
    assert second["id"] != first["id"]
    assert await copies_of(b, item["uri"]) == [(first["id"], 1), (second["id"], 0)]
    third = await api(http, b, "POST", path, expect=200)
    assert third["id"] == second["id"]
