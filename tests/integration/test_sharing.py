"""The network's purpose on three real nodes: A shares with B; C is a partner not ticked."""

from __future__ import annotations

from node.sharing.services import SERVICES
from protocol.result import Failure
from tests.integration.network import api, create_item_with_photo, wait_for


async def test_share_notify_use_and_insight(trio, http):
    a, b, c = trio
    item = await create_item_with_photo(http, a)
    audience = await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")], "mediatheek": False, "public": False},
        expect=200,
    )
    assert audience["partners"] == [b.url("/actor")]

    async def notified():
        page = await api(http, b, "GET", "/api/v1/notifications?unread=true")
        return page["unread"] >= 1 and page

    page = await wait_for(notified, what="B's notification")
    assert "Markt op het Plein" in page["items"][0]["title"]
    shares = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
    assert [s["title"] for s in shares] == ["Markt op het Plein"]
    assert shares[0]["credit"] == "Foto: Anna de Vries"

    async def delivered():
        got = await api(http, a, "GET", f"/api/v1/items/{item['id']}/audience")
        return got["deliveries"][b.url("/actor")]["state"] == "delivered" and got

    await wait_for(delivered, what="A to see the delivery state")

    # C, a partner that was not ticked, sees nothing by any path.
    assert (await api(http, c, "GET", "/api/v1/shared-with-us"))["items"] == []
    assert (await api(http, c, "GET", "/api/v1/notifications?unread=true"))["unread"] == 0
    fed_c = c.app[SERVICES].federation
    assert isinstance(await fed_c.fetch(item["uri"]), Failure)
    media_url = item["media"][0]["url"]
    async with http.get(media_url) as r:
        assert r.status == 404
    async with http.get(item["uri"], headers={"Accept": "application/activity+json"}) as r:
        assert r.status == 404
    # B, in the audience, may fetch the object.
    fetched = await b.app[SERVICES].federation.fetch(item["uri"])
    assert not isinstance(fetched, Failure) and fetched["name"] == "Markt op het Plein"

    copy = await api(http, b, "POST", f"/api/v1/shared-with-us/{shares[0]['id']}/use", expect=201)
    assert copy["derived_from"] == item["uri"]
    assert copy["provenance"]["origin_actor"] == a.url("/actor")
    assert copy["credit"] == "Foto: Anna de Vries" and copy["licence"] == "CC-BY-4.0"
    assert copy["media"][0]["sha256"] == item["media"][0]["sha256"]
    await api(
        http,
        b,
        "POST",
        f"/api/v1/items/{copy['id']}/publish",
        json={"channel": "website"},
        expect=200,
    )

    async def used():
        data = await api(http, a, "GET", f"/api/v1/items/{item['id']}/insight")
        partner = next((p for p in data["partners"] if p["actor"] == b.url("/actor")), None)
        return partner and partner["used_at"] and partner["published_on"] and data

    data = await wait_for(used, what="A's insight to show use and publication")
    assert data["totals"]["used"] == 1
    assert data["partners"][-1]["published_on"][0]["channel"] == "website"
    org = await api(http, a, "GET", "/api/v1/insight")
    assert org["per_channel"] == {"website": 1}


async def test_audience_naming_a_non_partner_is_refused(trio, http, node_factory):
    a, _, _ = trio
    stranger = await node_factory("Bioscoop Haags Filmhuis")
    item = await create_item_with_photo(http, a)
    body = await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [stranger.url("/actor")]},
        expect=422,
    )
    assert "not an active partner" in body["detail"]
    got = await api(http, a, "GET", f"/api/v1/items/{item['id']}/audience")
    assert got["partners"] == []


async def test_mediatheek_listing_search_update_and_withdraw(trio, http):
    a, b, c = trio
    item = await create_item_with_photo(http, a, title="Kermis op de Grote Markt", tags=["kermis"])
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [], "mediatheek": True},
        expect=200,
    )
    for node in (b, c):

        async def found(node=node):
            res = await api(http, node, "GET", "/api/v1/mediatheek?q=kermis")
            return res["items"] and res

        res = await wait_for(found, what=f"{node.base_url} to index the listing")
        assert res["items"][0]["origin"] == a.url("/actor")
        assert res["facets"]["kind"] == {"photo": 1}
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [], "mediatheek": False},
        expect=200,
    )

    async def withdrawn():
        res = await api(http, b, "GET", "/api/v1/mediatheek?q=kermis")
        return res["items"] == []

    await wait_for(withdrawn, what="the withdrawal to reach B")


async def test_embargoed_share_cannot_be_used(trio, http):
    a, b, _ = trio
    item = await create_item_with_photo(
        http, a, title="Begroting 2027", embargo_until="2099-01-01T00:00:00Z"
    )
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")]},
        expect=200,
    )

    async def arrived():
        return (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]

    shares = await wait_for(arrived, what="the embargoed share")
    assert shares[0]["embargoed"] is True
    body = await api(http, b, "POST", f"/api/v1/shared-with-us/{shares[0]['id']}/use", expect=409)
    assert "embargo" in body["detail"]
    assert (await api(http, b, "GET", "/api/v1/items"))["items"] == []
