"""Closing the loop over the API: a partner reports where it published its copy, the origin
hears it (insight and a notification); bad channels are refused with a reason and send
nothing; an actor ``Update`` renames the partner, and only the actor itself may send one.
"""

from __future__ import annotations

import pytest

from node import services
from node.core.appkeys import DB
from node.sharing.incoming import changes
from node.sharing.incoming.common import Refused
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for

URL = "https://wijktv-noord.example/nieuws/markt"


async def _outbox_rows(node) -> int:
    return await node.app[DB].read(
        lambda db: db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    )


async def _copy_on_b(http, a, b) -> tuple[dict, dict]:
    await make_partners(http, a, b)
    item = await create_item_with_photo(http, a)
    await services.set_audience(a.app, item["id"], {"partners": [b.url("/actor")]})

    async def arrived():
        return next(iter(await services.list_shares(b.app)), None)

    share = await wait_for(arrived, what="the share to reach B")
    return item, (await services.use_share(b.app, share["id"])).item


@pytest.mark.parametrize(
    ("channel", "reason"),
    [
        ("ftp://wijktv-noord.example/markt", "channel-not-http"),
        ("javascript:alert(1)", "channel-not-http"),
        ("https://", "channel-bad-url"),
        ("https://wijk tv.example/x", "channel-bad-url"),
        ("https://wijktv-noord.example/" + "a" * 2100, "channel-too-long"),
        ("x" * 101, "channel-too-long"),
        ("", "channel-missing"),
        (None, "channel-missing"),
        (7, "channel-missing"),
    ],
)
async def test_bad_channels_are_refused_and_send_nothing(node_factory, http, channel, reason):
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    item, copy = await _copy_on_b(http, a, b)
    before = await _outbox_rows(b)
    body = await api(
        http,
        b,
        "POST",
        f"/api/v1/items/{copy['id']}/publish",
        json={"channel": channel},
        expect=422,
    )
    assert body["reason"] == reason, body
    assert body["detail"].startswith("channel:")
    insight = await services.item_insight(a.app, item["id"])
    assert all(not p["published_on"] for p in insight["partners"])
    assert await _outbox_rows(b) == before


async def test_reporting_an_address_reaches_the_origin_with_a_notification(node_factory, http):
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    item, copy = await _copy_on_b(http, a, b)
    own = await api(http, b, "POST", "/api/v1/items", json={"kind": "article", "title": "Eigen"})
    refused = await api(
        http, b, "POST", f"/api/v1/items/{own['id']}/publish", json={"channel": URL}, expect=422
    )
    assert refused["reason"] == "not-a-copy"
    await api(
        http, b, "POST", f"/api/v1/items/{copy['id']}/publish", json={"channel": URL}, expect=200
    )

    async def published():
        data = await services.item_insight(a.app, item["id"])
        return [p for e in data["partners"] for p in e["published_on"]]

    found = await wait_for(published, what="the publication report to reach A")
    assert [p["channel"] for p in found] == [URL]
    notes = (await services.list_notifications(a.app))["items"]
    kinds = {n["kind"]: n for n in notes}
    assert kinds["partner_used"]["data"]["partner_name"] == "Wijk-tv Noord"
    assert kinds["partner_used"]["link"] == f"/admin/items/{item['id']}#insight"
    assert kinds["partner_published"]["data"]["channels"] == [URL]
    assert (
        kinds["partner_published"]["title"] == f"Wijk-tv Noord publiceerde: {item['title']} ({URL})"
    )
    # the insight names B by organisation, and B received it as a share, not a listing
    entry = (await services.item_insight(a.app, item["id"]))["partners"][0]
    assert entry["shared_at"] and entry["listed_at"] is None


async def test_actor_update_renames_the_partner_and_only_the_actor_may_send_it(node_factory, http):
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    await _copy_on_b(http, a, b)
    await services.update_profile(a.app, name="Omroep West Holland", summary="Nieuws")

    async def renamed():
        partners = (await services.list_partners(b.app))["partners"]
        return next((p for p in partners if p["name"] == "Omroep West Holland"), None)

    partner = await wait_for(renamed, what="B to learn A's new name")
    assert partner["display_name"] == "Omroep West Holland"
    shares = await services.list_shares(b.app)
    assert {s["origin_name"] for s in shares} == {"Omroep West Holland"}
    # Someone else's actor in an Update is refused and changes nothing.
    forged = {
        "id": b.url("/activities/forged"),
        "type": "Update",
        "actor": b.url("/actor"),
        "object": {"id": a.url("/actor"), "type": "Organization", "name": "Overgenomen"},
    }
    with pytest.raises(Refused):
        await changes.handle_actor_update(a.app, b.url("/actor"), forged)
    # ... and an Update of the sender's own actor when it is no partner changes no row.
    stranger = {
        "id": "https://elders.example/activities/1",
        "type": "Update",
        "actor": "https://elders.example/actor",
        "object": {"id": "https://elders.example/actor", "type": "Organization", "name": "X"},
    }
    assert await changes.handle_actor_update(b.app, "https://elders.example/actor", stranger)
    names = await services.partner_names(b.app)
    assert "https://elders.example/actor" not in names
    assert names[a.url("/actor")] == "Omroep West Holland"
