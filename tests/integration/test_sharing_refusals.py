"""Hostile or mistaken input between nodes: refused with a reason, nothing stored."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web

from node.core.appkeys import DB, IDENTITY
from node.sharing.objects import activity_id, item_object
from node.sharing.services import SERVICES
from protocol import activities
from tests.conftest import free_port
from tests.integration.network import (
    api,
    backfill_in_state,
    create_item_with_photo,
    make_partners,
    wait_for,
)


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


async def shares(http, node):
    return (await api(http, node, "GET", "/api/v1/shared-with-us"))["items"]


async def test_offer_from_a_non_partner_is_refused(pair, http, node_factory):
    _, b = pair
    stranger = await node_factory("Onbekende Omroep")
    item = await create_item_with_photo(http, stranger)
    identity = stranger.app[IDENTITY]
    offer = activities.offer(
        activity_id(identity),
        identity.actor_url,
        item_object(identity, item, [b.url("/actor")]),
        to=[b.url("/actor")],
    )
    await stranger.app[SERVICES].federation.publish(offer, [b.url("/actor")])
    await settle(stranger, b)
    assert await shares(http, b) == []
    assert (await api(http, b, "GET", "/api/v1/notifications?unread=true"))["items"][0][
        "kind"
    ] != "shared_with_us"


async def test_listing_whose_proof_fails_is_not_indexed(pair, http):
    a, b = pair
    item = await create_item_with_photo(http, a, title="Vervalst")
    identity = a.app[IDENTITY]
    add = activities.add(
        activity_id(identity),
        identity.actor_url,
        item_object(identity, item, [identity.actor_url + "/partners"]),
        identity.actor_url + "/mediatheek",
        to=[identity.actor_url + "/partners"],
    )
    from datetime import UTC, datetime

    from protocol import proofs

    signed = proofs.create_proof(
        add, identity.ed25519_key, identity.ed25519_key_id, datetime.now(UTC)
    )
    signed["object"]["name"] = "Iets anders dan ondertekend"
    await a.app[SERVICES].federation.publish(signed, [b.url("/actor")])
    await settle(a, b)
    result = await api(http, b, "GET", "/api/v1/mediatheek?q=ondertekend")
    assert result["items"] == []
    states = await a.app[SERVICES].federation.delivery_states(signed["id"])
    assert states[0]["state"] == "failed" and "401" in (states[0]["last_error"] or "")


async def test_update_from_someone_other_than_the_origin_is_refused(pair, http, node_factory):
    a, b = pair
    c = await node_factory("Gemeente Den Haag")
    await make_partners(http, c, b)
    item = await create_item_with_photo(http, a, title="Origineel")
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")]},
        expect=200,
    )
    await wait_for(lambda: shares(http, b), what="the share")
    forged = {**item, "title": "Vervalst door C"}
    ident_c = c.app[IDENTITY]
    obj = item_object(a.app[IDENTITY], forged, [b.url("/actor")])
    update = activities.update(activity_id(ident_c), ident_c.actor_url, obj, to=[b.url("/actor")])
    await c.app[SERVICES].federation.publish(update, [b.url("/actor")])
    await settle(a, b, c)
    assert [s["title"] for s in await shares(http, b)] == ["Origineel"]


async def test_update_and_delete_from_the_origin_propagate(pair, http):
    a, b = pair
    item = await create_item_with_photo(http, a, title="Eerste titel", tags=["raad"])
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")], "mediatheek": True},
        expect=200,
    )
    await wait_for(lambda: shares(http, b), what="the share")
    await api(
        http, a, "PATCH", f"/api/v1/items/{item['id']}", json={"title": "Tweede titel"}, expect=200
    )

    async def renamed():
        titles = [s["title"] for s in await shares(http, b)]
        found = (await api(http, b, "GET", "/api/v1/mediatheek?q=tweede"))["items"]
        return titles == ["Tweede titel"] and found

    await wait_for(renamed, what="the update to reach B's share and index")
    async with http.delete(a.url(f"/api/v1/items/{item['id']}"), headers=a.auth()) as r:
        assert r.status == 204

    async def gone():
        states = [s["state"] for s in await shares(http, b)]
        found = (await api(http, b, "GET", "/api/v1/mediatheek?q=tweede"))["items"]
        return states == ["expired"] and found == []

    await wait_for(gone, what="the deletion to reach B")


async def test_delete_for_an_item_never_received_changes_nothing(pair, http):
    a, b = pair
    identity = a.app[IDENTITY]
    delete = activities.delete(
        activity_id(identity),
        identity.actor_url,
        identity.item_url("nooitgezien"),
        to=[b.url("/actor")],
    )
    await a.app[SERVICES].federation.publish(delete, [b.url("/actor")])
    await settle(a, b)
    states = await a.app[SERVICES].federation.delivery_states(delete["id"])
    assert states[0]["state"] == "delivered"
    counts = await b.app[DB].read(lambda d: (d["items"].count, d["incoming_shares"].count))
    assert counts == (0, 0)


async def test_use_when_the_media_digest_does_not_match(pair, http):
    a, b = pair
    item = await create_item_with_photo(http, a)
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")]},
        expect=200,
    )
    share = (await wait_for(lambda: shares(http, b), what="the share"))[0]
    blob = a.app[SERVICES].media_store.path_for(item["media"][0]["sha256"])
    data = bytearray(blob.read_bytes())
    data[-20:] = bytes(b ^ 0xFF for b in data[-20:])  # same size, other content
    blob.write_bytes(bytes(data))
    body = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=502)
    assert "does not match the digest" in body["detail"]
    counts = await b.app[DB].read(lambda d: (d["items"].count, d["media"].count))
    assert counts == (0, 0)
    tmp = b.settings.media_dir / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []


async def test_expiry_withdraws_everywhere_and_partners_confirm(pair, http):
    a, b = pair
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    item = await create_item_with_photo(http, a, title="Tijdelijk", expires_at=soon)
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")]},
        expect=200,
    )
    share = (await wait_for(lambda: shares(http, b), what="the share"))[0]
    copy = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=201)

    async def confirmed():
        data = await api(http, a, "GET", f"/api/v1/items/{item['id']}/insight")
        return data["totals"]["removal_confirmed"] == 1

    await wait_for(confirmed, within=20, what="B to confirm removal of its copy")
    async with http.get(b.url(f"/api/v1/items/{copy['id']}"), headers=b.auth()) as r:
        assert r.status == 404


class LoopingPartner:
    """A fake partner whose mediatheek pages loop, or never end."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    async def start(self, public_pem: str) -> web.AppRunner:
        app = web.Application()
        actor = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": f"{self.base}/actor",
            "type": "Organization",
            "name": "Lus",
            "inbox": f"{self.base}/inbox",
            "mediatheek": f"{self.base}/mediatheek",
            "publicKey": {
                "id": f"{self.base}/actor#main-key",
                "owner": f"{self.base}/actor",
                "publicKeyPem": public_pem,
            },
        }

        async def actor_doc(request):
            return web.json_response(actor, content_type="application/activity+json")

        async def page(request):
            n = int(request.query.get("n", "0"))
            nxt = (n + 1) % 2 if self.mode == "loop" else n + 1
            return web.json_response(
                {
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "id": f"{self.base}/mediatheek?n={n}",
                    "type": "OrderedCollectionPage",
                    "orderedItems": [],
                    "next": f"{self.base}/mediatheek?n={nxt}",
                },
                content_type="application/activity+json",
            )

        app.router.add_get("/actor", actor_doc)
        app.router.add_get("/mediatheek", page)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        return runner


@pytest.mark.parametrize("mode, reason", [("loop", "loops back"), ("endless", "more than")])
async def test_backfill_pages_that_loop_or_never_end(node_factory, mode, reason):
    from protocol import keys

    b = await node_factory("WijkTV Den Haag", backfill_max_pages=20)
    fake = LoopingPartner(mode)
    runner = await fake.start(keys.public_pem(keys.generate_rsa()))
    try:
        actor = f"{fake.base}/actor"
        await b.app[DB].write(
            lambda d: d["partners"].insert(
                {
                    "id": "lus",
                    "actor_url": actor,
                    "name": "Lus",
                    "handle": "lus",
                    "mediatheek_url": f"{fake.base}/mediatheek",
                    "state": "active",
                    "direction": "outgoing",
                    "we_follow": "accepted",
                    "they_follow": "accepted",
                    "created_at": "2026-01-01",
                    "updated_at": "2026-01-01",
                }
            )
        )
        await b.app[SERVICES].backfill.start(actor)

        row = await backfill_in_state(b, "lus", ("failed",), what="the back-fill to give up")
        assert reason in row["backfill_error"]
    finally:
        await runner.cleanup()


async def test_backfill_indexes_existing_listings_of_a_new_partner(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    for n in range(3):
        item = await create_item_with_photo(http, a, title=f"Archief {n}", tags=["archief"])
        await api(
            http,
            a,
            "PUT",
            f"/api/v1/items/{item['id']}/audience",
            json={"mediatheek": True},
            expect=200,
        )
    await make_partners(http, a, b)

    async def filled():
        # the listings may be searchable a moment before the back-fill records "done"
        res = await api(http, b, "GET", "/api/v1/mediatheek?q=archief")
        listed = await api(http, b, "GET", "/api/v1/partners")
        done = listed["partners"] and listed["partners"][0]["backfill"]["state"] != "running"
        return len(res["items"]) == 3 and done and res

    await wait_for(filled, what="B's back-fill of A's mediatheek")
    partners = await api(http, b, "GET", "/api/v1/partners")
    assert partners["partners"][0]["backfill"] == {"state": "done", "listings": 3, "error": None}
    assert json.dumps(partners)
