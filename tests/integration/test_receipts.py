"""Receipts only from the audience: "used" and "published" reports on real nodes.

A shares an item with B only; C is a partner that was not ticked; D is no partner.
Only B's report may reach A's insight and A's ``item.used_by_partner`` webhook.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web

from node.core.appkeys import DB, IDENTITY
from node.sharing.incoming import reports
from node.sharing.objects import activity_id, item_object
from node.sharing.services import SERVICES
from protocol import activities
from tests.conftest import free_port
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for
from tests.integration.test_sharing_refusals import settle


class HookReceiver:
    """A real webhook receiver on 127.0.0.1 that records every event it is sent."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.events.append(json.loads(await request.read()))
        return web.Response(status=204)


@pytest.fixture
async def hooks():
    rec = HookReceiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


@pytest.fixture
async def network(node_factory, http, hooks):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    c = await node_factory("Gemeente Den Haag")
    d = await node_factory("Onbekende Omroep")
    await make_partners(http, a, b)
    await make_partners(http, a, c)
    await api(
        http,
        a,
        "POST",
        "/api/v1/webhooks",
        json={"url": hooks.url, "events": ["item.used_by_partner"]},
        expect=201,
    )
    item = await create_item_with_photo(http, a, title="Alleen voor WijkTV")
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [b.url("/actor")]},
        expect=200,
    )
    await wait_for(
        lambda: _shares(http, b), what="B to receive the share"
    )  # B really is the audience
    return a, b, c, d, item


async def _shares(http, node):
    return (await api(http, node, "GET", "/api/v1/shared-with-us"))["items"]


async def report(http, reporter, origin, derived_from: str, *, channels=None) -> dict:
    """The reporter tells the origin it used (Create) or published (Update) a copy."""
    own = await create_item_with_photo(http, reporter, title="Onze kopie")
    identity = reporter.app[IDENTITY]
    obj = item_object(identity, own, [origin.url("/actor")])
    obj["derivedFrom"] = derived_from
    build = activities.create
    if channels:
        obj["publishedOn"] = channels
        build = activities.update
    activity = build(activity_id(identity), identity.actor_url, obj, to=[origin.url("/actor")])
    await reporter.app[SERVICES].federation.publish(activity, [origin.url("/actor")])
    return activity


async def insight_rows(node, item_id: str) -> list[tuple[str, str | None]]:
    return await node.app[DB].read(
        lambda d: [
            (r[0], r[1])
            for r in d.execute(
                "SELECT event, partner_actor FROM insight_events WHERE item_id = ?"
                " AND event IN ('used', 'published') ORDER BY id",
                [item_id],
            )
        ]
    )


async def webhook_rows(node) -> int:
    return await node.app[DB].read(
        lambda d: d.execute(
            "SELECT count(*) FROM webhook_deliveries WHERE event = 'item.used_by_partner'"
        ).fetchone()[0]
    )


async def inbox_outcome(node, activity: dict) -> str:
    """The inbox processed the activity (so a refusal is final, not still to come)."""

    async def done():
        row = await node.app[DB].read(
            lambda d: d.execute(
                "SELECT state FROM inbox_queue WHERE activity_id = ?", [activity["id"]]
            ).fetchone()
        )
        return row and row[0] != "pending" and row[0]

    return await wait_for(done, what=f"{activity['id']} to be processed")


async def test_report_from_a_non_partner_is_refused(network, http, hooks):
    a, _, _, d, item = network
    sent = await report(http, d, a, item["uri"])
    await settle(a, d)
    assert await inbox_outcome(a, sent) == "done"
    assert await insight_rows(a, item["id"]) == []
    insight = await api(http, a, "GET", f"/api/v1/items/{item['id']}/insight")
    assert insight["totals"].get("used", 0) == 0
    assert await webhook_rows(a) == 0 and hooks.events == []


async def test_report_from_a_partner_outside_the_audience_is_refused(network, http, hooks):
    a, _, c, _, item = network
    used = await report(http, c, a, item["uri"])
    published = await report(http, c, a, item["uri"], channels=["website"])
    await settle(a, c)
    for sent in (used, published):
        assert await inbox_outcome(a, sent) == "done"
    assert await insight_rows(a, item["id"]) == []
    assert await webhook_rows(a) == 0 and hooks.events == []


async def test_report_on_an_unknown_item_is_refused(network, http, hooks):
    a, b, _, _, _ = network
    sent = await report(http, b, a, a.url("/items/bestaat-niet"))
    await settle(a, b)
    assert await inbox_outcome(a, sent) == "done"
    count = await a.app[DB].read(
        lambda d: d.execute(
            "SELECT count(*) FROM insight_events WHERE event IN ('used', 'published')"
        ).fetchone()[0]
    )
    assert count == 0
    assert await webhook_rows(a) == 0 and hooks.events == []


async def test_use_by_the_audience_fires_the_webhook_exactly_once(network, http, hooks):
    a, b, _, _, item = network
    share = (await _shares(http, b))[0]
    copy = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=201)

    async def fired():
        return [e for e in hooks.events if e["event"] == "item.used_by_partner"]

    events = await wait_for(fired, what="the item.used_by_partner webhook")
    assert events[0]["data"]["item_id"] == item["id"]
    assert events[0]["data"]["partner"] == b.url("/actor")
    assert events[0]["data"]["event"] == "used"
    assert await insight_rows(a, item["id"]) == [("used", b.url("/actor"))]
    assert copy["derived_from"] == item["uri"]

    # The same report once more (a redelivery past the inbox): nothing happens twice.
    sent = await a.app[DB].read(
        lambda d: d.execute(
            "SELECT body FROM inbox_queue WHERE type = 'Create' AND actor = ?", [b.url("/actor")]
        ).fetchone()[0]
    )
    assert await reports.handle_copy_report(a.app, b.url("/actor"), json.loads(sent)) is True
    await asyncio.sleep(0.5)
    assert await insight_rows(a, item["id"]) == [("used", b.url("/actor"))]
    assert await webhook_rows(a) == 1
    assert len(await fired()) == 1


async def test_mediatheek_partner_may_report_on_a_listed_item(network, http, hooks):
    a, _, c, d, _ = network
    listed = await create_item_with_photo(http, a, title="In de mediatheek")
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{listed['id']}/audience",
        json={"mediatheek": True},
        expect=200,
    )
    await report(http, c, a, listed["uri"], channels=["tv"])
    refused = await report(http, d, a, listed["uri"], channels=["tv"])

    async def recorded():
        return await insight_rows(a, listed["id"])

    assert await wait_for(recorded, what="C's report") == [("published", c.url("/actor"))]
    await settle(a, c, d)
    assert await inbox_outcome(a, refused) == "done"
    assert await insight_rows(a, listed["id"]) == [("published", c.url("/actor"))]
    events = await wait_for(lambda: _async(hooks.events), what="the webhook for C's report")
    assert [e["data"]["partner"] for e in events] == [c.url("/actor")]


async def _async(value):
    return value
