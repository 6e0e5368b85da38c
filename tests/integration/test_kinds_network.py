"""Events and vacancies between real nodes: details travel, a cancellation follows, and a
vacancy's closing moment removes the partner's copy through the normal expiry."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from node.core.appkeys import DB
from node.items import kinds
from node.sharing.schedule import run_due_work
from tests.integration.network import api, make_partners, wait_for

EVENT = {
    "start": "2030-12-05T19:00:00+01:00",
    "end": "2030-12-05T22:00:00+01:00",
    "timezone": "Europe/Amsterdam",
    "place": {"name": "Paard", "address": "Prinsegracht 12, Den Haag"},
    "online_url": "https://live.example/open-dag",
    "ticket_url": "https://tickets.example/1",
    "price": "gratis",
}


async def shared(http, node, object_id: str) -> dict | None:
    listed = (await api(http, node, "GET", "/api/v1/shared-with-us"))["items"]
    return next((s for s in listed if s["object_id"] == object_id), None)


async def pair_of(node_factory, http):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    await make_partners(http, a, b)
    return a, b


async def test_an_event_reaches_b_with_its_details_and_its_cancellation(node_factory, http):
    a, b = await pair_of(node_factory, http)
    item = await api(http, a, "POST", "/api/v1/items", expect=201,
                     json={"kind": "event", "title": "Open dag", "details": EVENT})  # fmt: skip
    await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
              json={"partners": [b.url("/actor")]})  # fmt: skip
    share = await wait_for(lambda: shared(http, b, item["uri"]), what="the Offer at B")
    assert share["kind"] == "event" and share["details"] == item["details"]
    assert share["details"]["organiser"] == "Stadsomroep Den Haag"

    copy = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=201)
    assert copy["kind"] == "event" and copy["details"] == item["details"]  # A stays organiser

    await api(http, a, "PATCH", f"/api/v1/items/{item['id']}", expect=200,
              json={"details": {"status": "cancelled"}})  # fmt: skip

    async def cancelled():
        now = await shared(http, b, item["uri"])
        return now if now["details"]["status"] == "cancelled" else None

    share = await wait_for(cancelled, what="the Update with the cancellation at B")
    assert share["details"] == {**item["details"], "status": "cancelled"}
    updates = await b.app[DB].read(
        lambda d: [
            json.loads(r[0])
            for r in d.execute("SELECT body FROM inbox_queue WHERE type = 'Update'")
        ]
    )
    [update] = [u for u in updates if u["object"]["id"] == item["uri"]]
    assert update["object"]["ical:status"] == "CANCELLED"
    assert update["object"]["eventStatus"] == "cancelled"


async def test_a_vacancy_leaves_b_when_its_closing_moment_passes(node_factory, http):
    a, b = await pair_of(node_factory, http)
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date().isoformat()
    details = {"location": "Den Haag", "closing_date": today,
               "apply_email": "vacatures@omroep.example"}  # fmt: skip
    body = {"kind": "vacancy", "title": "Eindredacteur", "details": details}
    item = await api(http, a, "POST", "/api/v1/items", expect=201, json=body)
    assert item["expires_at"] == kinds.closing_instant(today)
    await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
              json={"partners": [b.url("/actor")]})  # fmt: skip
    share = await wait_for(lambda: shared(http, b, item["uri"]), what="the Offer at B")
    assert share["details"]["closing_date"] == today
    assert share["expires_at"] == item["expires_at"]
    copy = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use", expect=201)
    assert copy["expires_at"] == item["expires_at"]

    # The closing moment arrives: stand the clock at it by moving the stored moment (the
    # same value the closing date gave) to just past now, then let the scheduler run.
    passed = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    await a.app[DB].write(
        lambda d: d.execute("UPDATE items SET expires_at = ? WHERE id = ?", [passed, item["id"]])
    )
    assert (await run_due_work(a.app))["expired"] == 1

    async def confirmed():
        data = await api(http, a, "GET", f"/api/v1/items/{item['id']}/insight")
        return data["totals"]["removal_confirmed"] == 1

    await wait_for(confirmed, within=20, what="B to confirm removal of its copy")
    async with http.get(b.url(f"/api/v1/items/{copy['id']}"), headers=b.auth()) as r:
        assert r.status == 404
    assert (await shared(http, b, item["uri"]))["state"] == "expired"
