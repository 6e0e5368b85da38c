"""The change feed (GET /api/v1/changes) and the narrow ``report`` token scope, on a real node."""

from __future__ import annotations

import datetime as dt

from tests.integration.network import api, create_item_with_photo


async def _changes(http, node, since=0, scope="read"):
    return await api(http, node, "GET", f"/api/v1/changes?since={since}", scope=scope, expect=200)


async def test_every_change_moves_the_item_to_the_end_of_the_feed(node, http):
    first = await create_item_with_photo(http, node, title="Eerste")
    second = await create_item_with_photo(http, node, title="Tweede")
    page = await _changes(http, node)
    assert [c["id"] for c in page["changes"]] == [first["id"], second["id"]]
    assert {c["state"] for c in page["changes"]} == {"private"}
    assert "item" not in page["changes"][0]  # not public: the feed tells only that
    last = page["last"]
    assert (await _changes(http, node, last))["changes"] == []

    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await api(
        http,
        node,
        "PUT",
        f"/api/v1/items/{first['id']}/audience",
        json={"partners": [], "mediatheek": False, "public": True},
        expect=200,
    )
    await api(http, node, "PATCH", f"/api/v1/items/{second['id']}", json={"embargo_until": future})
    await api(
        http,
        node,
        "PUT",
        f"/api/v1/items/{second['id']}/audience",
        json={"partners": [], "mediatheek": False, "public": True},
        expect=200,
    )
    page = await _changes(http, node, last)
    by_id = {c["id"]: c for c in page["changes"]}
    assert [c["id"] for c in page["changes"]] == [first["id"], second["id"]]
    assert by_id[first["id"]]["state"] == "public"
    assert by_id[first["id"]]["embargoed"] is False
    assert by_id[first["id"]]["item"]["credit"] == "Foto: Anna de Vries"
    assert by_id[first["id"]]["item"]["media"][0]["sha256"]
    assert by_id[second["id"]]["embargoed"] is True
    assert by_id[second["id"]]["item"]["embargo_until"].startswith(future[:19])

    last = page["last"]
    await api(http, node, "DELETE", f"/api/v1/items/{first['id']}", expect=204)
    page = await _changes(http, node, last)
    assert [(c["id"], c["state"]) for c in page["changes"]] == [(first["id"], "deleted")]
    assert "item" not in page["changes"][0]


async def test_the_feed_pages_with_next(node, http):
    for n in range(3):
        await api(http, node, "POST", "/api/v1/items", json={"kind": "article", "title": f"T{n}"})
    page = await api(http, node, "GET", "/api/v1/changes?limit=2", scope="read", expect=200)
    assert len(page["changes"]) == 2 and page["more"] is True
    rest = await api(http, node, "GET", page["next"], scope="read", expect=200)
    assert len(rest["changes"]) == 1 and rest["more"] is False


async def test_bad_feed_queries_are_refused_with_a_reason(node, http):
    for query, reason in (
        ("since=abc", "since: must be a change number"),
        ("since=-1", "since: must be 0 or more"),
        ("limit=0", "limit: must be between 1 and 200"),
        ("limit=x", "limit: must be a whole number"),
        ("cursor=1", "Unknown query parameter(s): cursor"),
    ):
        body = await api(http, node, "GET", f"/api/v1/changes?{query}", expect=422)
        assert reason in body["detail"], query
    async with http.get(node.url("/api/v1/changes")) as r:
        assert r.status == 401


async def test_a_report_token_reads_and_reports_but_changes_nothing(node, http):
    item = await create_item_with_photo(http, node)
    iid = item["id"]
    assert (await api(http, node, "GET", "/api/v1/items", scope="report", expect=200))["items"]
    await api(http, node, "GET", "/api/v1/changes", scope="report", expect=200)
    refused = [
        ("POST", "/api/v1/items", {"json": {"kind": "article", "title": "Nee"}}),
        ("PATCH", f"/api/v1/items/{iid}", {"json": {"title": "Nee"}}),
        ("DELETE", f"/api/v1/items/{iid}", {}),
        (
            "PUT",
            f"/api/v1/items/{iid}/audience",
            {"json": {"partners": [], "mediatheek": False, "public": True}},
        ),
        ("POST", "/api/v1/webhooks", {"json": {"url": "http://x.example/", "events": []}}),
    ]
    for method, path, kwargs in refused:
        body = await api(http, node, method, path, scope="report", expect=403, **kwargs)
        assert "needs 'write'" in body["detail"] or "needs 'admin'" in body["detail"]
    after = await api(http, node, "GET", f"/api/v1/items/{iid}")
    assert after["title"] == item["title"] and after["version"] == item["version"]
    # Reporting is allowed; our own item is no copy, so the report itself is refused.
    body = await api(
        http,
        node,
        "POST",
        f"/api/v1/items/{iid}/publish",
        scope="report",
        json={"channel": "https://site.example/2026/12/markt/"},
        expect=422,
    )
    assert "not a copy" in body["detail"]
    body = await api(
        http,
        node,
        "POST",
        f"/api/v1/items/{iid}/publish",
        scope="read",
        json={"channel": "website"},
        expect=403,
    )
    assert "needs 'report'" in body["detail"]


async def test_bad_channels_are_refused_with_a_reason(node, http):
    item = await create_item_with_photo(http, node)
    for channel, reason in (
        ("x" * 101, "a name of 1–100 characters"),
        ("https://site.example/" + "a" * 2000, "at most 2000 characters"),
        ("https://", "not a valid web address"),
        ("", "give a channel name"),
        (7, "give a channel name"),
    ):
        body = await api(
            http,
            node,
            "POST",
            f"/api/v1/items/{item['id']}/publish",
            scope="report",
            json={"channel": channel},
            expect=422,
        )
        assert reason in body["detail"], channel


async def test_whoami_names_the_organisation_and_scope(node, http):
    body = await api(http, node, "GET", "/api/v1/whoami", scope="report", expect=200)
    assert body == {
        "organisation": "Stadsomroep Den Haag",
        "base_url": node.base_url,
        "scope": "report",
    }
    async with http.get(node.url("/api/v1/whoami"), headers={"Authorization": "Bearer nope"}) as r:
        assert r.status == 401
