"""The scheduler as entry point: a public item under embargo reaches followers only after it.

Three citizens on a fake fediverse server follow node A.  An editor makes an item public
while its embargo still runs: followers get nothing, and the public feed does not show it.
When the embargo passes, the scheduler's job sends one Create per inbox; a later run of
the job sends nothing more.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from node.sharing.schedule import run_due_work
from protocol import keys
from tests.integration.fake_fediverse import AS2, FakeFediverse, follow
from tests.integration.network import api, wait_for

CITIZENS = 3


async def test_embargoed_public_item_reaches_followers_only_after_the_scheduler_lifts_it(
    node_factory, http
):
    fake = await asyncio.to_thread(FakeFediverse, CITIZENS)
    await fake.start()
    try:
        a = await node_factory("Stadsomroep Den Haag", scheduler_interval_seconds=1)
        async with http.get(a.url("/actor"), headers={"Accept": AS2}) as r:
            doc = await r.json(content_type=None)
        fake.sender_key = keys.load_public_pem(doc["publicKey"]["publicKeyPem"])
        await asyncio.gather(*(follow(http, fake, i, a.url("/actor")) for i in range(CITIZENS)))

        async def accepted():
            return fake.received_type("Accept") >= CITIZENS or None

        await wait_for(accepted, what="A to accept the citizens' follows")

        embargo = datetime.now(UTC) + timedelta(seconds=4)
        item = await api(http, a, "POST", "/api/v1/items", expect=201,
                         json={"kind": "article", "title": "Begroting 2027",
                               "body": "<p>De cijfers.</p>",
                               "embargo_until": embargo.isoformat()})  # fmt: skip
        await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
                  json={"public": True})  # fmt: skip

        # Before its time: the job runs (also by hand), nobody gets it, the feed hides it.
        assert (await run_due_work(a.app))["published"] == 0
        await asyncio.sleep(1.5)
        assert not any(fake.creates_of(item["uri"]).values())
        async with http.get(a.url("/feeds/feed.json")) as r:
            feed = await r.json(content_type=None)
        assert item["uri"] not in str(feed)

        async def everyone_has_it():
            creates = fake.creates_of(item["uri"])
            return len([c for c in creates.values() if c]) == CITIZENS or None

        await wait_for(everyone_has_it, within=20, what="the Create after the embargo")
        assert datetime.now(UTC) >= embargo
        await run_due_work(a.app)
        await asyncio.sleep(0.5)
        creates = fake.creates_of(item["uri"])
        assert {len(c) for c in creates.values()} == {1}  # once, not again
        assert fake.bad_signatures == []
    finally:
        await fake.stop()
