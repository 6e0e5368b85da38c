"""Wall screens: admin API, the full-screen page, its polled feed, and refusals."""

from __future__ import annotations

import json
import re

from tests.node.test_channels_support import later, make_item


async def create_screen(http, node, **body):
    async with http.post(
        node.url("/api/v1/wall-screens"),
        headers=node.auth("admin"),
        json={"name": "Hal gemeentehuis", **body},
    ) as r:
        assert r.status == 201, await r.text()
        return await r.json()


async def test_screen_shows_chosen_items_first_then_public(node, http):
    public = await make_item(node, title="Openbaar nieuws")
    partner = await make_item(node, public=False, title="Van partner gebruikt")
    await make_item(node, public=False, title="Intern concept")
    embargoed = await make_item(
        node, public=False, title="Gekozen maar onder embargo", embargo_until=later(days=1)
    )
    screen = await create_screen(http, node, rotate_seconds=8)
    assert len(screen["token"]) >= 32 and screen["url"].endswith("/wall/" + screen["token"])
    async with http.put(
        node.url(f"/api/v1/wall-screens/{screen['id']}/items"),
        headers=node.auth("admin"),
        json={"items": [partner["id"], embargoed["id"]]},
    ) as r:
        assert r.status == 200
        assert (await r.json())["items"] == [partner["id"], embargoed["id"]]
    async with http.get(screen["url"] + "/feed.json") as r:
        assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
        feed = await r.json()
    assert [i["title"] for i in feed["items"]] == ["Van partner gebruikt", "Openbaar nieuws"]
    assert feed["screen"]["rotate_seconds"] == 8
    assert feed["items"][1]["credit_line"] == "Beeld/tekst: Omroep West · Licentie: CC BY 4.0"
    assert public["id"] == feed["items"][1]["id"]


async def test_wall_page_embeds_data_safely_and_polls(node, http):
    await make_item(node, title="</script><script>alert(1)</script>")
    screen = await create_screen(http, node)
    async with http.get(screen["url"]) as r:
        assert r.status == 200
        csp = r.headers["Content-Security-Policy"]
        page = await r.text()
    assert "</script><script>alert(1)" not in page
    data = re.search(
        r'<script type="application/json" id="wall-data">(.*?)</script>', page, re.S
    ).group(1)
    config = json.loads(data)
    assert config["feed"]["items"][0]["title"] == "</script><script>alert(1)</script>"
    assert "feed.json" in page and "localStorage" in page and 'id="offline"' in page
    assert "script-src 'sha256-" in csp and "connect-src 'self'" in csp
    assert '<html lang="nl">' in page


async def test_unknown_token_and_scope_and_delete(node, http):
    async with http.get(node.url("/wall/" + "x" * 32)) as r:
        assert r.status == 404
    async with http.get(node.url("/wall/" + "x" * 32 + "/feed.json")) as r:
        assert r.status == 404
    async with http.post(
        node.url("/api/v1/wall-screens"), headers=node.auth("write"), json={"name": "x"}
    ) as r:
        assert r.status == 403
    async with http.post(
        node.url("/api/v1/wall-screens"),
        headers=node.auth("admin"),
        json={"name": "x", "rotate_seconds": 1},
    ) as r:
        assert r.status == 422
    screen = await create_screen(http, node)
    async with http.put(
        node.url(f"/api/v1/wall-screens/{screen['id']}/items"),
        headers=node.auth("admin"),
        json={"items": ["nope"]},
    ) as r:
        assert r.status == 422
    async with http.get(node.url("/api/v1/wall-screens"), headers=node.auth("admin")) as r:
        assert [s["id"] for s in (await r.json())["screens"]] == [screen["id"]]
    async with http.delete(
        node.url(f"/api/v1/wall-screens/{screen['id']}"), headers=node.auth("admin")
    ) as r:
        assert r.status == 204
    async with http.get(screen["url"]) as r:
        assert r.status == 404
