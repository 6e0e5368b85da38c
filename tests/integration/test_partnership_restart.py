"""Partnerships end and start again, from either side, on real nodes.

Ending retracts what was shared, stops queued content for the ex-partner (but not
the messages that end the partnership), and a new request from either side is
seen as incoming by the other, can be accepted, and sharing works again.
"""

from __future__ import annotations

import pytest
from aiohttp import web

from node.app import create_app
from node.core.appkeys import DB
from node.sharing.services import SERVICES
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for


async def partner_row(http, node, other) -> dict | None:
    listed = await api(http, node, "GET", "/api/v1/partners")
    return next((p for p in listed["all"] if p["actor"] == other.url("/actor")), None)


async def end_partnership(http, node, other) -> None:
    row = await partner_row(http, node, other)
    await api(http, node, "POST", f"/api/v1/partners/{row['id']}/end", expect=200)


async def wait_ended(http, node, other) -> None:
    async def ended():
        row = await partner_row(http, node, other)
        return row and row["state"] == "ended"

    await wait_for(ended, what=f"{node.base_url} to see the partnership with {other.base_url} end")


async def shares(http, node) -> list[dict]:
    return (await api(http, node, "GET", "/api/v1/shared-with-us"))["items"]


async def share_with(http, origin, partner, item) -> None:
    await api(
        http,
        origin,
        "PUT",
        f"/api/v1/items/{item['id']}/audience",
        json={"partners": [partner.url("/actor")]},
        expect=200,
    )


async def offered(http, node, title: str) -> dict:
    async def find():
        return next(
            (
                s
                for s in await shares(http, node)
                if s["title"] == title and s["state"] == "offered"
            ),
            None,
        )

    return await wait_for(find, what=f"{title!r} to be offered to {node.base_url}")


@pytest.mark.parametrize(("ender", "requester"), [(0, 0), (0, 1), (1, 1), (1, 0)])
async def test_end_and_start_again_from_either_side(node_factory, http, ender, requester):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    await make_partners(http, a, b)
    item = await create_item_with_photo(http, a, title="Voor en na")
    await share_with(http, a, b, item)
    await offered(http, b, "Voor en na")

    nodes = (a, b)
    x, y = nodes[ender], nodes[1 - ender]
    await end_partnership(http, x, y)
    await wait_ended(http, x, y)
    await wait_ended(http, y, x)
    # The end is complete on both sides: the share is retracted, the audience is empty,
    # and neither side lists a request.
    await wait_for(
        lambda: _state_of(http, b, "Voor en na", "retracted"), what="B's share to be retracted"
    )
    audience = await api(http, a, "GET", f"/api/v1/items/{item['id']}/audience")
    assert audience["partners"] == []
    for node in (a, b):
        listed = await api(http, node, "GET", "/api/v1/partners")
        assert listed["partners"] == listed["incoming"] == listed["outgoing"] == []

    # A new request from either side is incoming on the other, is accepted, and works.
    p, q = nodes[requester], nodes[1 - requester]
    await make_partners(http, p, q)
    for node in (a, b):
        listed = await api(http, node, "GET", "/api/v1/partners")
        assert listed["incoming"] == listed["outgoing"] == []
    await share_with(http, a, b, item)
    await offered(http, b, "Voor en na")
    second = await create_item_with_photo(http, b, title="Terug naar A")
    await share_with(http, b, a, second)
    await offered(http, a, "Terug naar A")


async def _state_of(http, node, title: str, state: str) -> bool:
    return any(s["title"] == title and s["state"] == state for s in await shares(http, node))


async def stop(node) -> None:
    await node.runner.cleanup()


async def start_again(node) -> None:
    """Serve the same node (same data directory and port) again."""
    app = create_app(node.settings)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    port = int(node.base_url.rsplit(":", 1)[1])
    await web.TCPSite(runner, "127.0.0.1", port).start()
    node.app, node.runner = app, runner


async def test_ending_stops_queued_content_but_sends_the_end(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    await make_partners(http, a, b)
    await stop(b)  # B is unreachable: what A sends it stays queued
    shared = await create_item_with_photo(http, a, title="Nooit aangekomen")
    await share_with(http, a, b, shared)
    listed = await create_item_with_photo(http, a, title="Nooit in de mediatheek")
    await api(
        http,
        a,
        "PUT",
        f"/api/v1/items/{listed['id']}/audience",
        json={"mediatheek": True},
        expect=200,
    )
    fed_a = a.app[SERVICES].federation

    async def queued_types():
        rows = await a.app[DB].read(
            lambda d: d.execute(
                "SELECT a.type, d.state, d.last_error FROM deliveries d"
                " JOIN activities a ON a.id = d.activity_id WHERE d.recipient = ?"
                " ORDER BY d.id",
                [b.url("/actor")],
            ).fetchall()
        )
        return rows

    async def both_queued():  # handed from the outbox to federation just after the commit
        rows = await queued_types()
        return {t for t, s, _ in rows if s == "pending"} >= {"Offer", "Add"}

    await wait_for(both_queued, what="the Offer and the Add to be queued for B")

    await end_partnership(http, a, b)
    rows = await queued_types()
    for kind, state, error in rows:
        if kind in ("Offer", "Add"):
            assert (state, error) == ("gone", "partnership ended"), (kind, state, error)
    pending = [t for t, s, _ in rows if s == "pending"]
    assert "Undo" in pending and "Reject" in pending

    await start_again(b)
    await fed_a.retry_now()
    await wait_ended(http, b, a)

    async def end_delivered():
        rows = await queued_types()
        return all(s != "pending" for _, s, _ in rows) and rows

    rows = await wait_for(end_delivered, what="A's end messages to be delivered")
    assert {t for t, s, _ in rows if s == "delivered"} >= {"Undo", "Reject"}
    assert {t for t, s, _ in rows if s == "delivered"} & {"Offer", "Add"} == set()
    # Nothing of the content reached B: no share, no listing, no notification about it.
    assert await shares(http, b) == []
    found = await api(http, b, "GET", "/api/v1/mediatheek?q=mediatheek")
    assert found["items"] == []
    notes = await api(http, b, "GET", "/api/v1/notifications")
    assert not any("Nooit" in n["title"] for n in notes["items"])
    # A retry of everything for B's host does not revive the stopped content either.
    host = b.base_url.split("//", 1)[1]
    await fed_a.retry_now(host)
    rows = await queued_types()
    assert all(s == "gone" for t, s, _ in rows if t in ("Offer", "Add"))
