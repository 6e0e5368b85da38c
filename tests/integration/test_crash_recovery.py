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
import json
import sqlite3
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from node.app.devnet import create_node
from protocol import keys
from protocol.httpsig import parse_signature, sign_cavage, verify_parsed
from protocol.result import Failure
from tests.conftest import free_port
from tests.integration.network import ProcessNode, api, wait_for

pytestmark = pytest.mark.slow

FOLLOWERS = 50
DELAY = 0.2  # seconds per POST; with 2 at a time the fan-out takes about 5 s
AS2 = "application/activity+json"


class FakeFediverse:
    """One server, many actors; counts what arrives and applies each activity id once."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.keys = [keys.generate_rsa() for _ in range(count)]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sender_key = None  # A's public key, set once A runs
        self.posts: Counter[tuple[str, str]] = Counter()  # (inbox, activity id) -> raw POSTs
        self.applied: dict[str, list[dict]] = defaultdict(list)  # inbox -> activities
        self.bad_signatures: list[str] = []
        self._runner: web.AppRunner | None = None

    def actor(self, i: int) -> str:
        return f"{self.base}/actors/{i}"

    def inbox(self, i: int) -> str:
        return self.actor(i) + "/inbox"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/actors/{i}", self._actor_doc)
        app.router.add_post("/actors/{i}/inbox", self._inbox)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _actor_doc(self, request: web.Request) -> web.Response:
        i = int(request.match_info["i"])
        if not 0 <= i < self.count:
            raise web.HTTPNotFound()
        url = self.actor(i)
        doc = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": url, "type": "Person", "preferredUsername": f"burger{i}",
            "inbox": url + "/inbox", "outbox": url + "/outbox",
            "publicKey": {"id": url + "#main-key", "owner": url,
                          "publicKeyPem": keys.public_pem(self.keys[i])},
        }  # fmt: skip
        return web.Response(text=json.dumps(doc), content_type=AS2)

    async def _inbox(self, request: web.Request) -> web.Response:
        body = await request.read()
        parsed = parse_signature(
            "POST", request.path_qs, request.headers, body, scheme=request.scheme
        )
        if isinstance(parsed, Failure):
            self.bad_signatures.append(str(parsed))
            return web.json_response({"error": str(parsed)}, status=401)
        checked = verify_parsed(parsed, self.sender_key, datetime.now(UTC))
        if isinstance(checked, Failure):
            self.bad_signatures.append(str(checked))
            return web.json_response({"error": str(checked)}, status=401)
        activity = json.loads(body)
        inbox = str(request.url.with_query(None))
        key = (inbox, activity["id"])
        self.posts[key] += 1
        if self.posts[key] == 1:  # de-duplicate by activity id, as a real server does
            self.applied[inbox].append(activity)
        if activity["type"] == "Create":  # slow where it matters: the fan-out under test
            await asyncio.sleep(DELAY)  # applied before answering: a crash now means a repeat
        return web.Response(status=202)

    def creates_of(self, object_id: str) -> dict[str, list[dict]]:
        """Per inbox, the applied Create activities about ``object_id``."""
        out: dict[str, list[dict]] = {}
        for inbox, activities in self.applied.items():
            out[inbox] = [
                a for a in activities
                if a["type"] == "Create" and _id(a.get("object")) == object_id
            ]  # fmt: skip
        return out

    def received_type(self, kind: str) -> int:
        return sum(1 for acts in self.applied.values() for a in acts if a["type"] == kind)


def _id(value) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


async def _follow(http, fake: FakeFediverse, i: int, target_actor: str) -> None:
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{fake.actor(i)}/follows/1", "type": "Follow",
        "actor": fake.actor(i), "object": target_actor,
    }  # fmt: skip
    body = json.dumps(follow).encode()
    inbox = target_actor + "/inbox"
    headers = sign_cavage("POST", inbox, {"Content-Type": AS2}, body,
                          fake.actor(i) + "#main-key", fake.keys[i], datetime.now(UTC))  # fmt: skip
    async with http.post(inbox, data=body, headers=headers) as resp:
        assert resp.status == 202, await resp.text()


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
    fake = await asyncio.to_thread(FakeFediverse, FOLLOWERS)
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
            await asyncio.gather(*(_follow(http, fake, i, actor_url) for i in range(FOLLOWERS)))

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
