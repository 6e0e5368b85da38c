"""Claiming deliveries host by host: at most N per host, every host served, none starved.

The claims run against a real node's SQLite file; rows are inserted as the outbox
would leave them (pending, due, unlocked).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from aiohttp import web

from federation import delivery
from protocol.vocab import CONTEXT
from tests.federation.harness import free_port


async def queue(node, hosts: int, per: int, *, activity: str = "bench") -> None:
    """``per`` due rows for each of ``hosts`` hosts, the first host's rows oldest."""
    now = node.fed.clock()
    act_id = f"{node.base_url}/activities/{activity}"
    body = json.dumps({"@context": CONTEXT, "id": act_id, "type": "Create"})
    rows = [{"activity_id": act_id, "inbox": f"http://h{h:02d}.example/inbox/{i}",
             "host": f"h{h:02d}.example", "recipient": None, "resolved": 1,
             "state": "pending", "attempts": 0, "next_attempt_at": now - 10**6 + h * per + i,
             "created_at": now} for h in range(hosts) for i in range(per)]  # fmt: skip

    def run(db) -> None:
        db["activities"].insert({"id": act_id, "type": "Create", "body": body,
                                 "created_at": now})  # fmt: skip
        db["deliveries"].insert_all(rows)

    await node.fed.store.write(run)


async def finish(node, rows: list[dict]) -> None:
    """What the worker does after the POSTs: the rows are delivered, the slots free."""
    ids = [(r["id"],) for r in rows]
    await node.fed.store.write(
        lambda db: db.conn.executemany(
            "UPDATE deliveries SET state = 'delivered', locked_until = NULL WHERE id = ?", ids
        )
    )


async def test_one_claim_serves_all_50_hosts_however_long_the_first_hosts_queues(nodes):
    node = await nodes(0, delivery_concurrency_per_host=8)
    await queue(node, hosts=50, per=200)  # 10,000 rows, hosts 0..9 hold the oldest 2,000
    rows = await node.fed.deliverer.claim()
    per_host = Counter(r["host"] for r in rows)
    assert len(per_host) == 50
    assert set(per_host.values()) == {8}
    # within a host the oldest rows go first
    first = sorted((r for r in rows if r["host"] == "h07.example"), key=lambda r: r["id"])
    assert [r["inbox"] for r in first] == [f"http://h07.example/inbox/{i}" for i in range(8)]


async def test_claims_rotate_over_hosts_when_room_is_short(nodes):
    node = await nodes(0, delivery_concurrency_per_host=8)
    await queue(node, hosts=50, per=40)
    deliverer = node.fed.deliverer
    deliverer.max_in_flight = 100  # 12 hosts' worth per claim
    served: list[Counter] = []
    for _ in range(5):
        rows = await deliverer.claim()
        assert len(rows) == 100
        counts = Counter(r["host"] for r in rows)
        assert max(counts.values()) <= 8
        served.append(counts)
        await finish(node, rows)
    hosts = set().union(*served[:4])  # 4 × 100 rows cover 50 hosts × 8 at least once
    assert len(hosts) == 50
    # and the fifth claim starts again where the round ended, not at the first host only
    assert sum(served[4].values()) == 100


async def test_claim_counts_what_is_in_flight_and_skips_held_hosts(nodes):
    node = await nodes(0, delivery_concurrency_per_host=8)
    await queue(node, hosts=4, per=20)
    deliverer = node.fed.deliverer
    deliverer.in_flight["h01.example"] = 5
    deliverer.in_flight["h02.example"] = 8
    for _ in range(5):
        deliverer.breaker.record("h03.example", ok=False)  # circuit open
    counts = Counter(r["host"] for r in await deliverer.claim())
    assert counts == {"h00.example": 8, "h01.example": 3}
    # leased rows are not claimed twice
    deliverer.in_flight.clear()
    deliverer.breaker.reset()
    again = Counter(r["host"] for r in await deliverer.claim())
    assert again == {"h00.example": 8, "h01.example": 8, "h02.example": 8, "h03.example": 8}
    ids = await node.fed.store.read(
        lambda db: db.execute(
            "SELECT count(*) FROM deliveries WHERE locked_until IS NOT NULL"
        ).fetchone()[0]
    )
    assert ids == 8 + 3 + 32


async def test_rows_not_yet_due_wait(nodes):
    node = await nodes(0, delivery_concurrency_per_host=8)
    await queue(node, hosts=2, per=3)
    later = node.fed.clock() + 3600
    await node.fed.store.write(
        lambda db: db.execute(
            "UPDATE deliveries SET next_attempt_at = ? WHERE host = 'h01.example'", [later]
        )
    )
    counts = Counter(r["host"] for r in await node.fed.deliverer.claim())
    assert counts == {"h00.example": 3}


class CountingInboxes:
    """A real aiohttp server with inboxes ``/inbox/{i}`` that records which arrived and
    the most POSTs it had open at once; each takes ``pause`` seconds."""

    def __init__(self, pause: float) -> None:
        self.pause, self.open, self.most, self.got = pause, 0, 0, []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def _inbox(self, request: web.Request) -> web.Response:
        self.open += 1
        self.most = max(self.most, self.open)
        await request.read()
        await asyncio.sleep(self.pause)
        self.got.append(request.match_info["i"])
        self.open -= 1
        return web.Response(status=202)

    async def __aenter__(self) -> CountingInboxes:
        app = web.Application()
        app.router.add_post("/inbox/{i}", self._inbox)
        self.runner = web.AppRunner(app, handle_signals=False)
        await self.runner.setup()
        self.port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.runner.cleanup()


async def publish_to_followers(node, inboxes: CountingInboxes, count: int) -> None:
    """``count`` followers, each with its own inbox on ``inboxes``; one Create to them."""
    now = node.fed.clock()
    urls = [f"http://127.0.0.1:{inboxes.port}/inbox/{i}" for i in range(count)]
    rows = [{"follower": u + "/actor", "target": node.actor_url, "follow_id": u + "#f",
             "inbox": u, "shared_inbox": None, "state": "accepted", "created_at": now}
            for u in urls]  # fmt: skip
    await node.fed.store.write(lambda db: db["followers"].insert_all(rows))
    activity = {"@context": CONTEXT, "id": node.base_url + "/activities/1", "type": "Create",
                "actor": node.actor_url}  # fmt: skip
    await node.fed.publish(activity, [node.actor_url + "/followers"])


def delivered(db) -> int:
    return db.execute("SELECT count(*) FROM deliveries WHERE state = 'delivered'").fetchone()[0]


async def test_deliveries_to_one_host_never_exceed_its_limit_and_all_arrive(nodes):
    """Claimed rows beyond the limit wait in memory and take the slots as they free up."""
    async with CountingInboxes(pause=0.01) as inboxes:
        node = await nodes(0, delivery_concurrency_per_host=4)
        await publish_to_followers(node, inboxes, 60)
        await node.fed.drain()
    assert sorted(inboxes.got, key=int) == [str(i) for i in range(60)]
    assert inboxes.most <= 4
    states = await node.fed.store.read(
        lambda db: db.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall()
    )
    assert states == [("delivered", 60)]


async def test_a_claim_says_whether_it_stopped_short(nodes):
    """The background loop claims again at once only after a claim that stopped short."""
    node = await nodes(0, delivery_concurrency_per_host=8)
    await queue(node, hosts=3, per=5)
    deliverer = node.fed.deliverer
    deliverer.max_in_flight = 10  # room for 10 of the 15 due rows
    assert len(await deliverer.claim()) == 10
    assert deliverer._short
    deliverer.max_in_flight = 512
    assert len(await deliverer.claim()) == 5  # the rest: every host had its turn
    assert not deliverer._short


async def test_the_background_loop_delivers_a_fan_out_exactly_once(nodes):
    """A fan-out of 300 to one host run by the node's own worker loop, which waits for a
    wake after a claim that took all it could and records outcomes in group commits:
    every delivery arrives once, the host limit holds, every row ends delivered."""
    async with CountingInboxes(pause=0) as inboxes:
        node = await nodes(0, workers=True, delivery_concurrency_per_host=8)
        await publish_to_followers(node, inboxes, 300)
        for _ in range(1000):
            if await node.fed.store.read(delivered) == 300:
                break
            await asyncio.sleep(0.01)
    assert sorted(inboxes.got, key=int) == [str(i) for i in range(300)]
    assert inboxes.most <= 8
    assert await node.fed.store.read(delivered) == 300


def finish_in_turns(deliverer, rows: list[dict], status: int, last_after: float = 0) -> None:
    """Outcomes as running deliveries report them: each row's from a task of its own
    in ``deliverer.tasks``, one event-loop turn after the one before; the last waits
    ``last_after`` seconds more, as a slow POST would."""

    async def deliver(row: dict, turns: int, pause: float) -> None:
        for _ in range(turns):
            await asyncio.sleep(0)
        await asyncio.sleep(pause)
        deliverer._outcome(row, status, None, f"HTTP {status}", None)

    for i, row in enumerate(rows):
        pause = last_after if i == len(rows) - 1 else 0
        task = asyncio.create_task(deliver(row, i, pause))
        deliverer.tasks.add(task)
        task.add_done_callback(deliverer.tasks.discard)


def counting_writes(node) -> list[str]:
    """Every transaction the node's store runs from now on, by the function it ran."""
    writes: list[str] = []
    store_write = node.fed.store.write

    async def counted(fn):
        writes.append(getattr(fn, "__qualname__", ""))
        return await store_write(fn)

    node.fed.store.write = counted  # counts transactions; every one still runs
    return writes


async def delivery_states(node) -> list[tuple[str, int]]:
    return await node.fed.store.read(
        lambda db: db.execute(
            "SELECT state, count(*) FROM deliveries GROUP BY state ORDER BY state"
        ).fetchall()
    )


async def test_outcomes_that_finish_together_share_one_transaction(nodes):
    """Group commit: outcomes arriving within FLUSH_AFTER are recorded in one write."""
    node = await nodes(0, delivery_concurrency_per_host=8)
    await queue(node, hosts=2, per=10)
    deliverer = node.fed.deliverer
    rows = await deliverer.claim()
    assert len(rows) == 16
    writes = counting_writes(node)
    finish_in_turns(deliverer, rows, 202)
    await asyncio.gather(*list(deliverer.tasks))
    await deliverer._flusher
    assert len(writes) == 1
    assert await delivery_states(node) == [("delivered", 16), ("pending", 4)]
    # one that finishes later gets a transaction of its own
    rest = await deliverer.claim()
    deliverer._outcome(rest[0], 500, None, "HTTP 500", None)
    await asyncio.wait_for(deliverer._flusher, 5)
    assert len(writes) == 3  # the claim and the outcome


async def test_the_commit_waits_for_deliveries_under_way_and_not_after_the_last(nodes, monkeypatch):
    """While deliveries are still under way the outcomes wait to share a commit; once the
    last one has its outcome nothing else can join, so the commit goes at once rather
    than after FLUSH_AFTER (made an hour here: the test ends only if it goes early)."""
    monkeypatch.setattr(delivery, "FLUSH_AFTER", 3600.0)
    node = await nodes(0, delivery_concurrency_per_host=8)
    await queue(node, hosts=1, per=3)
    deliverer = node.fed.deliverer
    rows = await deliverer.claim()
    writes = counting_writes(node)
    finish_in_turns(deliverer, rows, 202, last_after=0.2)
    for _ in range(100):
        if len(deliverer._results) == 2:
            break
        await asyncio.sleep(0.01)
    assert len(deliverer._results) == 2  # two outcomes in, the third still under way
    assert writes == [] and await delivery_states(node) == [("pending", 3)]
    await asyncio.gather(*list(deliverer.tasks))
    await asyncio.wait_for(deliverer._flusher, 10)
    assert len(writes) == 1
    assert await delivery_states(node) == [("delivered", 3)]


async def test_publishing_queues_nothing_for_blocked_or_unlisted_hosts_among_many(nodes):
    """The domain policy is asked once per host during a fan-out: whatever that saves,
    every inbox on a refused host stays unqueued and every allowed one is queued once."""
    node = await nodes(0, closed_network=True)
    await node.fed.set_domain_rule("allowed.example", "allow")
    await node.fed.set_domain_rule("blocked.example", "block")
    now = node.fed.clock()
    hosts = ["allowed.example", "blocked.example", "unlisted.example"]
    rows = [{"follower": f"https://{h}/users/{i}", "target": node.actor_url,
             "follow_id": f"https://{h}/follows/{i}", "inbox": f"https://{h}/users/{i}/inbox",
             "shared_inbox": f"https://{h}/inbox" if i % 2 else None, "state": "accepted",
             "created_at": now + i} for i in range(40) for h in hosts]  # fmt: skip
    await node.fed.store.write(lambda db: db["followers"].insert_all(rows))
    activity = {"@context": CONTEXT, "id": node.base_url + "/activities/1", "type": "Create",
                "actor": node.actor_url}  # fmt: skip
    await node.fed.publish(activity, [node.actor_url + "/followers"])
    queued = await node.fed.store.read(
        lambda db: db.execute("SELECT inbox, host FROM deliveries").fetchall()
    )
    assert {host for _, host in queued} == {"allowed.example"}
    # the 20 odd followers share one inbox, the 20 even ones each have their own
    assert sorted(inbox for inbox, _ in queued) == sorted(
        ["https://allowed.example/inbox"]
        + [f"https://allowed.example/users/{i}/inbox" for i in range(0, 40, 2)]
    )


async def test_retry_now_wins_over_an_outcome_still_waiting_for_its_commit(nodes):
    """A failure recorded after "retry now" would put its back-off back: it goes first."""
    node = await nodes(0, delivery_concurrency_per_host=8)
    await queue(node, hosts=1, per=1)
    deliverer = node.fed.deliverer
    [row] = await deliverer.claim()
    deliverer._outcome(row, None, None, "connection failed", None)  # a retry, backed off
    await node.fed.retry_now()
    await deliverer.flush()
    now = node.fed.clock()
    state, attempts, due = await node.fed.store.read(
        lambda db: db.execute(
            "SELECT state, attempts, next_attempt_at FROM deliveries WHERE id = ?", [row["id"]]
        ).fetchone()
    )
    assert (state, attempts) == ("pending", 1)
    assert due <= now
