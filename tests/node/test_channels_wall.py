"""Wall screens: admin API, the full-screen page, its polled feed, and refusals."""

from __future__ import annotations

import json
import re

from node.channels.publish import set_public
from node.core.appkeys import DB, IDENTITY
from node.items import service
from tests.node.test_channels_support import earlier, later, make_item


async def create_screen(http, node, **body):
    async with http.post(
        node.url("/api/v1/wall-screens"),
        headers=node.auth("admin"),
        json={"name": "Hal gemeentehuis", **body},
    ) as r:
        assert r.status == 201, await r.text()
        return await r.json()


async def _put_items(http, node, screen, ids):
    async with http.put(
        node.url(f"/api/v1/wall-screens/{screen['id']}/items"),
        headers=node.auth("admin"),
        json={"items": ids},
    ) as r:
        return r.status, await r.json()


async def _shown(http, screen) -> tuple[list[str], str]:
    """Titles in feed.json, and the page's embedded data (what the screen shows first)."""
    async with http.get(screen["url"] + "/feed.json") as r:
        assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
        feed = await r.json()
    async with http.get(screen["url"]) as r:
        assert r.status == 200
        page = await r.text()
    return [i["title"] for i in feed["items"]], page


def _partner_only(db, item_id: str) -> None:
    db["audience"].insert(
        {"item_id": item_id, "public": 0, "mediatheek": 0, "updated_at": later(seconds=0)}
    )
    db["audience_partners"].insert(
        {
            "item_id": item_id,
            "partner_actor": "https://partner.example/actor",
            "shared_at": later(seconds=0),
        }
    )


async def test_screen_shows_chosen_public_items_first_then_latest_public(node, http):
    public = await make_item(node, title="Openbaar nieuws")
    chosen = await make_item(node, title="Gekozen openbaar")
    embargoed = await make_item(
        node, title="Gekozen maar onder embargo", embargo_until=later(days=1)
    )
    screen = await create_screen(http, node, rotate_seconds=8)
    assert len(screen["token"]) >= 32 and screen["url"].endswith("/wall/" + screen["token"])
    status, body = await _put_items(http, node, screen, [chosen["id"], embargoed["id"]])
    assert status == 200 and body["items"] == [chosen["id"], embargoed["id"]]
    titles, page = await _shown(http, screen)
    # The embargoed item may be chosen, but is not shown before its time.
    assert titles == ["Gekozen openbaar", "Openbaar nieuws"]
    assert "onder embargo" not in page
    async with http.get(screen["url"] + "/feed.json") as r:
        feed = await r.json()
    assert feed["screen"]["rotate_seconds"] == 8
    assert feed["items"][1]["credit_line"] == "Beeld/tekst: Omroep West · Licentie: CC BY 4.0"
    assert public["id"] == feed["items"][1]["id"]


async def test_screen_refuses_draft_partner_only_and_expired_items(node, http):
    ok = await make_item(node, title="Openbaar")
    draft = await make_item(node, public=False, title="Intern concept")
    partner = await make_item(node, public=False, title="Alleen voor partners")
    await node.app[DB].write(lambda db: _partner_only(db, partner["id"]))
    expired = await make_item(node, title="Verlopen nieuws", expires_at=earlier(minutes=5))
    screen = await create_screen(http, node, include_public=False)
    assert (await _put_items(http, node, screen, [ok["id"]]))[0] == 200
    for item, reason in (
        (draft, "is not public"),
        (partner, "is not public"),
        (expired, "has expired"),
    ):
        status, problem = await _put_items(http, node, screen, [ok["id"], item["id"]])
        assert status == 422, problem
        assert reason in problem["detail"] and item["id"] in problem["detail"]
    # Nothing half-stored: the screen still has exactly its earlier choice.
    async with http.get(node.url("/api/v1/wall-screens"), headers=node.auth("admin")) as r:
        assert (await r.json())["screens"][0]["items"] == [ok["id"]]
    titles, page = await _shown(http, screen)
    assert titles == ["Openbaar"]
    for item in (draft, partner, expired):
        assert item["title"] not in page


async def test_items_that_stop_being_public_leave_the_screen_at_once(node, http):
    """Filtered at read time: chosen rows left from before, unpublished, expired, embargoed."""
    keep = await make_item(node, title="Blijft staan")
    unpublished = await make_item(node, title="Wordt ingetrokken")
    expiring = await make_item(node, title="Verloopt zo", expires_at=later(hours=2))
    embargo_later = await make_item(node, title="Krijgt alsnog embargo")
    draft = await make_item(node, public=False, title="Concept van vroeger")
    partner = await make_item(node, public=False, title="Partnerstuk van vroeger")
    await node.app[DB].write(lambda db: _partner_only(db, partner["id"]))
    screen = await create_screen(http, node, include_public=False)
    ids = [keep["id"], unpublished["id"], expiring["id"], embargo_later["id"]]
    assert (await _put_items(http, node, screen, ids))[0] == 200
    titles, _page = await _shown(http, screen)
    assert titles == ["Blijft staan", "Wordt ingetrokken", "Verloopt zo", "Krijgt alsnog embargo"]

    identity = node.app[IDENTITY]

    def change(db):
        set_public(db, unpublished["id"], False)
        service.update_item(db, identity, expiring["id"], {"expires_at": earlier(minutes=1)})
        service.update_item(db, identity, embargo_later["id"], {"embargo_until": later(days=2)})
        # rows chosen before walls obeyed the rule
        for n, item in enumerate((draft, partner), start=10):
            db["wall_screen_items"].insert(
                {"screen_id": screen["id"], "item_id": item["id"], "position": n}
            )

    await node.app[DB].write(change)
    titles, page = await _shown(http, screen)
    assert titles == ["Blijft staan"]
    for item in (unpublished, expiring, embargo_later, draft, partner):
        assert item["title"] not in page


async def test_wall_labels_follow_the_page_language(node, http):
    await make_item(node, title="Nieuws")
    screen = await create_screen(http, node)
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    async with http.get(screen["url"] + "?lang=nl", headers=english_browser) as r:
        page = await r.text()
    assert '<html lang="nl">' in page and "Beeld/tekst: Omroep West" in page
    # the script polls feed.json in the page's language, whatever the browser says
    assert 'feed.json?lang=" +' in page and "documentElement.lang" in page
    async with http.get(screen["url"] + "/feed.json?lang=nl", headers=english_browser) as r:
        feed = await r.json()
    assert feed["lang"] == "nl"
    assert feed["items"][0]["credit_line"].startswith("Beeld/tekst: Omroep West · Licentie:")
    async with http.get(screen["url"] + "/feed.json?lang=en") as r:
        assert (await r.json())["items"][0]["credit_line"].startswith("Credit: Omroep West")


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
