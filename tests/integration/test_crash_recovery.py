"""A node killed with SIGKILL in the middle of a fan-out finishes it after a restart.

Node A is a real ``mediakring run`` process (node/app/devnet.py). Its 50 followers live on a
fake fediverse server in this test: 50 actor documents with their own RSA keys and their
own inboxes. The server verifies A's HTTP signature on every POST, answers slowly (so the
fan-out takes seconds) and keeps what a real server keeps: raw POSTs, and the activities
it *applied*, de-duplicated by activity id. A is killed after some deliveries arrived and
restarted on the same data directory and port; every inbox must then have applied the
Create exactly once: HTTP-level repeats are allowed (at-least-once delivery), a second
activity for the same post is not.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest

from node.app.devnet import create_node
from protocol import keys
from tests.integration.fake_fediverse import AS2, FakeFediverse, follow
from tests.integration.network import ProcessNode, api, wait_for

pytestmark = pytest.mark.slow

FOLLOWERS = 50
DELAY = 0.2  # seconds per POST; with 2 at a time the fan-out takes about 5 s


def _delivery_states(data_dir: Path, activity_id: str) -> dict[str, int]:
    db = sqlite3.connect(f"file:{data_dir / 'mediakring.db'}?mode=ro", uri=True, timeout=5)
    try:
        rows = db.execute(
            "SELECT state, count(*) FROM deliveries WHERE activity_id = ? GROUP BY state",
            [activity_id],
        ).fetchall()
    finally:
        db.close()
    return dict(rows)


async def test_sigkill_mid_fan_out_then_restart_delivers_each_activity_once(tmp_path):
    fake = await asyncio.to_thread(FakeFediverse, FOLLOWERS, DELAY)
    await fake.start()
    a = create_node(tmp_path, "Omroep Crash", delivery_concurrency_per_host=2)
    node = ProcessNode(a)
    try:
        await asyncio.to_thread(a.start)
        async with aiohttp.ClientSession() as http:
            actor_url = a.base_url + "/actor"
            async with http.get(actor_url, headers={"Accept": AS2}) as resp:
                doc = await resp.json(content_type=None)
            fake.sender_key = keys.load_public_pem(doc["publicKey"]["publicKeyPem"])

            # 50 citizens follow A; A accepts each automatically (its Accepts arrive here).
            await asyncio.gather(*(follow(http, fake, i, actor_url) for i in range(FOLLOWERS)))

            async def all_accepted():
                return fake.received_type("Accept") >= FOLLOWERS or None

            await wait_for(all_accepted, within=60, what="A to accept all 50 follows")
            assert fake.bad_signatures == []

            # A publishes: one Create, fanned out to 50 inboxes, two at a time.
            item = await api(http, node, "POST", "/api/v1/items", expect=201,
                             json={"kind": "article", "title": "Stroomstoring in de binnenstad",
                                   "body": "<p>Half de stad zat zonder licht.</p>"})  # fmt: skip
            await api(http, node, "PUT", f"/api/v1/items/{item['id']}/audience",
                      json={"public": True}, expect=200)  # fmt: skip

            def arrived() -> int:
                return sum(1 for creates in fake.creates_of(item["uri"]).values() if creates)

            async def some_arrived():
                return arrived() >= 8 or None

            await wait_for(some_arrived, within=30, what="the first deliveries of the Create")
            await asyncio.to_thread(a.kill)  # SIGKILL in the middle of the fan-out
            at_kill = arrived()
            assert 0 < at_kill < FOLLOWERS, f"{at_kill} deliveries before the kill: not mid-way"
            await asyncio.sleep(DELAY * 2)  # requests in flight at the kill finish here

            started = time.monotonic()
            await asyncio.to_thread(a.start)  # same data directory, same port

            async def all_arrived():
                return arrived() == FOLLOWERS or None

            await wait_for(all_arrived, within=60, what="every inbox to get the Create")
            resumed_in = time.monotonic() - started

            creates = fake.creates_of(item["uri"])
            [activity_id] = {c[0]["id"] for c in creates.values()}

            last_states: dict[str, int] = {}

            async def a_recorded_all():
                states = await asyncio.to_thread(_delivery_states, a.data_dir, activity_id)
                last_states.clear()
                last_states.update(states)
                return last_states == {"delivered": FOLLOWERS} or None

            try:
                await wait_for(a_recorded_all, within=30, what="A to mark all 50 delivered")
            except AssertionError as exc:
                raise AssertionError(f"{exc}; A's delivery states: {last_states}") from None
            await asyncio.sleep(1.0)  # any late repeat would show up now

        creates = fake.creates_of(item["uri"])
        assert sorted(creates) == sorted(fake.inbox(i) for i in range(FOLLOWERS))
        applied = {inbox: len(c) for inbox, c in creates.items()}
        assert set(applied.values()) == {1}, applied  # applied exactly once everywhere
        raw = {inbox: fake.posts[(inbox, activity_id)] for inbox in creates}
        assert all(n >= 1 for n in raw.values()), raw  # repeats at HTTP level are allowed
        assert fake.bad_signatures == []
        assert resumed_in < 30, f"fan-out took {resumed_in:.1f}s to resume after the restart"
    finally:
        await asyncio.to_thread(a.stop)
        await fake.stop()
