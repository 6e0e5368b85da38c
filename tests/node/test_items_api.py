"""Items through the developer API on a real node: contract, paging, versions, refusals."""

from __future__ import annotations

import asyncio

import pytest

PROBLEM = "application/problem+json"


async def create(http, node, **fields):
    body = {"kind": "article", "title": "Raadsvergadering", **fields}
    async with http.post(node.url("/api/v1/items"), json=body, headers=node.auth("write")) as r:
        assert r.status == 201, await r.text()
        return await r.json()


async def test_create_read_update_keeps_versions(node, http):
    item = await create(
        http,
        node,
        tags=["gemeente", "#raad"],
        licence="cc-by-4.0",
        location={"name": "Spui, Den Haag", "latitude": 52.08, "longitude": 4.31},
        embargo_until="2030-01-01T09:00:00+01:00",
    )
    assert item["uri"] == node.url(f"/items/{item['id']}")
    assert item["tags"] == ["gemeente", "raad"]
    assert item["licence"] == "CC-BY-4.0"
    assert item["embargo_until"] == "2030-01-01T08:00:00.000000Z"
    url = node.url(f"/api/v1/items/{item['id']}")
    async with http.patch(url, json={"title": "Raad besluit"}, headers=node.auth("write")) as r:
        assert r.status == 200
        updated = await r.json()
    assert updated["title"] == "Raad besluit" and updated["version"] == 2
    async with http.get(url + "/versions", headers=node.auth("read")) as r:
        versions = (await r.json())["versions"]
    assert [v["version"] for v in versions] == [1]
    assert versions[0]["item"]["title"] == "Raadsvergadering"


async def test_body_html_is_sanitised(node, http):
    item = await create(
        http,
        node,
        body='<p onclick="x()">Hoi<script>alert(1)</script>'
        '<a href="javascript:alert(1)">link</a></p>',
    )
    assert "<script" not in item["body"]
    assert "javascript:" not in item["body"]
    assert "onclick" not in item["body"]
    assert "Hoi" in item["body"]


async def test_paging_and_filters(node, http):
    for i in range(5):
        await create(http, node, title=f"Foto {i}", kind="photo", tags=["markt"])
    await create(http, node, title="Podcast", kind="audio")
    seen, url = [], node.url("/api/v1/items?kind=photo&limit=2")
    while url:
        async with http.get(url, headers=node.auth("read")) as r:
            page = await r.json()
        assert len(page["items"]) <= 2
        seen += [i["title"] for i in page["items"]]
        url = page["next"] and node.url(page["next"])
    assert seen == [f"Foto {i}" for i in reversed(range(5))]
    async with http.get(
        node.url("/api/v1/items?tag=markt&limit=50"), headers=node.auth("read")
    ) as r:
        assert len((await r.json())["items"]) == 5


async def test_delete_then_gone(node, http):
    item = await create(http, node)
    url = node.url(f"/api/v1/items/{item['id']}")
    async with http.delete(url, headers=node.auth("write")) as r:
        assert r.status == 204
    async with http.get(url, headers=node.auth("read")) as r:
        assert r.status == 404
        assert r.content_type == PROBLEM


@pytest.mark.parametrize(
    "body, headers, status, reason",
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, "not valid JSON"),
        (
            b'{"kind": "article", "title": "x"}',
            {"Content-Type": "text/plain"},
            415,
            "application/json",
        ),
        (b"", {}, 415, "application/json"),
        (b'["a"]', {"Content-Type": "application/json"}, 400, "JSON object"),
        (
            b'{"kind": "article", "title": "x", "colour": "red"}',
            {"Content-Type": "application/json"},
            422,
            "colour",
        ),
        (
            b'{"kind": "article", "title": "x", "embargo_until": "next tuesday"}',
            {"Content-Type": "application/json"},
            422,
            "embargo_until",
        ),
        (
            b'{"kind": "article", "title": "x", "expires_at": "2026-02-30T10:00:00Z"}',
            {"Content-Type": "application/json"},
            422,
            "expires_at",
        ),
        (
            b'{"kind": "article", "title": "x", "expires_at": "2026-05-01T10:00:00"}',
            {"Content-Type": "application/json"},
            422,
            "time zone",
        ),
        (
            b'{"kind": "article", "title": "x", "embargo_until": "2030-01-02T00:00:00Z",'
            b' "expires_at": "2030-01-01T00:00:00Z"}',
            {"Content-Type": "application/json"},
            422,
            "later than embargo_until",
        ),
        (b'{"kind": "hologram", "title": "x"}', {"Content-Type": "application/json"}, 422, "kind"),
        (b'{"kind": "article"}', {"Content-Type": "application/json"}, 422, "title"),
        (
            b'{"kind": "article", "title": "x", "licence": "free-ish"}',
            {"Content-Type": "application/json"},
            422,
            "licence",
        ),
        (
            b'{"kind": "article", "title": "' + b"x" * 301 + b'"}',
            {"Content-Type": "application/json"},
            422,
            "longer than 300",
        ),
    ],
)
async def test_bad_input_is_refused_and_nothing_stored(node, http, body, headers, status, reason):
    async with http.post(
        node.url("/api/v1/items"), data=body, headers={**node.auth("write"), **headers}
    ) as r:
        assert r.status == status, await r.text()
        assert r.content_type == "application/problem+json"
        problem = await r.json()
    assert reason in problem["detail"]
    assert problem["status"] == status
    async with http.get(node.url("/api/v1/items"), headers=node.auth("read")) as r:
        assert (await r.json())["items"] == []


async def test_oversized_json_body_is_refused(node, http):
    body = b'{"kind": "article", "title": "x", "body": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    async with http.post(
        node.url("/api/v1/items"),
        data=body,
        headers={**node.auth("write"), "Content-Type": "application/json"},
    ) as r:
        assert r.status == 413
        assert "limited" in (await r.json())["detail"]


async def test_no_token_and_wrong_scope(node, http):
    async with http.get(node.url("/api/v1/items")) as r:
        assert r.status == 401
        assert "API token" in (await r.json())["detail"]
    async with http.get(
        node.url("/api/v1/items"), headers={"Authorization": "Bearer mk_forged"}
    ) as r:
        assert r.status == 401
        assert "unknown or revoked" in (await r.json())["detail"]
    async with http.post(
        node.url("/api/v1/items"), json={"kind": "article", "title": "x"}, headers=node.auth("read")
    ) as r:
        assert r.status == 403
        assert "needs 'write'" in (await r.json())["detail"]


@pytest.mark.parametrize(
    "query, reason",
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("since=yesterday", "since"),
        ("kind=x", "kind"),
        ("cursor=%%%", "cursor"),
        ("colour=red", "colour"),
    ],
)
async def test_bad_list_queries(node, http, query, reason):
    async with http.get(node.url(f"/api/v1/items?{query}"), headers=node.auth("read")) as r:
        assert r.status == 422
        assert reason in (await r.json())["detail"]


async def test_concurrent_creates_all_land(node, http):
    results = await asyncio.gather(*(create(http, node, title=f"n{i}") for i in range(20)))
    assert len({r["id"] for r in results}) == 20
