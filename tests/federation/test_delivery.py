"""Delivery: retries, gone inboxes, shared inbox collapse, hanging targets, circuit breaker."""

from __future__ import annotations

import asyncio
import random

import pytest
from aiohttp import web

from federation import retry
from federation.delivery import CircuitBreaker
from protocol.vocab import CONTEXT
from tests.federation.harness import post_signed


def activity(node, n=1) -> dict:
    return {"@context": CONTEXT, "id": f"{node.base_url}/activities/{n}", "type": "Create",
            "actor": node.actor_url, "object": {"id": f"{node.base_url}/items/{n}",
                                               "type": "Note", "content": "x"}}  # fmt: skip


# -- the pure policy ---------------------------------------------------------------------


def test_retry_policy_classifies_outcomes():
    rng = random.Random(1)
    kw = dict(attempts=1, created_at=0.0, now=100.0, give_up_hours=1.0, rng=rng)
    assert retry.decide(202, **kw).action == "delivered"
    assert retry.decide(410, **kw, personal=True).action == "gone"
    for status, personal in ((404, False), (410, False), (404, True)):
        decision = retry.decide(status, **kw, personal=personal)
        assert decision.action == "failed" and "followers are kept" in decision.reason
    assert "shared inbox" in retry.decide(410, **kw).reason
    assert retry.decide(401, **kw).action == "failed"
    assert retry.decide(422, **kw).action == "failed"
    five = retry.decide(500, **kw)
    assert five.action == "retry" and 100 + 22 <= five.next_attempt_at <= 100 + 38
    assert retry.decide(None, error="timeout", **kw).action == "retry"
    assert retry.decide(429, retry_after="120", **kw).next_attempt_at == 220.0
    dated = retry.decide(503, retry_after="Thu, 01 Jan 1970 00:05:00 GMT", **kw)
    assert dated.next_attempt_at == 300.0
    late = dict(kw, now=3590.0)
    assert retry.decide(500, **late).action == "failed"


def test_backoff_grows_and_is_capped():
    rng = random.Random(2)
    delays = [retry.backoff(n, rng) for n in range(1, 20)]
    assert delays[3] > delays[0]
    assert max(delays) <= retry.MAX_DELAY * 1.25


def test_retry_after_parsing():
    assert retry.parse_retry_after("30", 0) == 30
    assert retry.parse_retry_after("garbage", 0) is None
    assert retry.parse_retry_after(None, 0) is None


def test_circuit_breaker_holds_and_releases():
    now = [0.0]
    breaker = CircuitBreaker(lambda: now[0], threshold=3, cooldown=60)
    for _ in range(3):
        breaker.record("bad.example", ok=False)
    assert breaker.held() == {"bad.example"}
    now[0] = 61
    assert breaker.held() == set()
    for _ in range(3):
        breaker.record("bad.example", ok=False)
    now[0] = 61 + 100
    assert breaker.held() == {"bad.example"}  # second trip: doubled cool-down
    breaker.record("bad.example", ok=True)
    assert breaker.held() == set()


# -- against real servers --------------------------------------------------------------


async def test_shared_inbox_collapse(nodes, fake):
    a = await nodes(0)
    recipients = [fake.base + f"/users/u{i}" for i in range(5)]
    act = activity(a)
    await a.fed.publish(act, recipients)
    await a.fed.drain()
    states = await a.fed.delivery_states(act["id"])
    assert [s["inbox"] for s in states] == [fake.base + "/shared-inbox"]
    assert states[0]["state"] == "delivered"
    assert len(fake.inbox_posts) == 1


async def follow(node, actor: str, inbox: str, shared: str | None) -> None:
    row = {"follower": actor, "target": node.actor_url, "follow_id": actor + "/follow",
           "inbox": inbox, "shared_inbox": shared, "state": "accepted",
           "created_at": node.fed.clock()}  # fmt: skip
    await node.fed.store.write(lambda db: db["followers"].insert(row))


async def follower_states(node) -> dict[str, str]:
    return {f["follower"]: f["state"] for f in await node.fed.followers(node.actor_url, state=None)}


@pytest.mark.parametrize("status", [404, 410])
async def test_shared_inbox_404_or_410_keeps_every_follower(nodes, fake, status):
    a = await nodes(0)
    shared = fake.base + "/shared-inbox"
    users = [fake.base + "/users/u0", fake.base + "/users/u1"]
    for user in users:
        await follow(a, user, user + "/inbox", shared)
    answered = []

    async def once(request):  # the shared inbox answers 404/410 once, then recovers
        answered.append(status)
        del fake.overrides["/shared-inbox"]
        return web.Response(status=status)

    fake.overrides["/shared-inbox"] = once
    first = activity(a, 2)
    await a.fed.publish(first, [a.actor_url + "/followers"])
    await a.fed.drain()
    [state] = await a.fed.delivery_states(first["id"])
    assert answered == [status] and state["inbox"] == shared
    assert state["state"] == "failed" and state["last_status"] == status
    assert "shared inbox" in state["last_error"] and "followers are kept" in state["last_error"]
    assert await follower_states(a) == dict.fromkeys(users, "accepted")

    second = activity(a, 3)
    await a.fed.publish(second, [a.actor_url + "/followers"])
    await a.fed.drain()
    assert [s["state"] for s in await a.fed.delivery_states(second["id"])] == ["delivered"]
    assert [path for path, _ in fake.inbox_posts] == ["/shared-inbox"]
    assert await follower_states(a) == dict.fromkeys(users, "accepted")


async def test_only_the_actors_own_410_marks_that_follower_gone(nodes, fake):
    a = await nodes(0)
    shared = fake.base + "/shared-inbox"
    left, lost, other = (fake.base + f"/users/{n}" for n in ("left", "lost", "other"))
    await follow(a, left, left + "/inbox", None)  # personal inbox: answers 410
    await follow(a, lost, lost + "/inbox", None)  # personal inbox: answers 404
    await follow(a, other, other + "/inbox", shared)  # same server, shared inbox: fine

    def answer(code):
        async def handler(request):
            return web.Response(status=code)

        return handler

    fake.overrides["/users/left/inbox"] = answer(410)
    fake.overrides["/users/lost/inbox"] = answer(404)
    act = activity(a, 4)
    await a.fed.publish(act, [a.actor_url + "/followers"])
    await a.fed.drain()
    states = {s["inbox"]: s for s in await a.fed.delivery_states(act["id"])}
    assert states[left + "/inbox"]["state"] == "gone"
    assert states[lost + "/inbox"]["state"] == "failed"
    assert states[shared]["state"] == "delivered"
    assert await follower_states(a) == {left: "gone", lost: "accepted", other: "accepted"}

    again = activity(a, 5)  # the gone follower is no longer a recipient
    await a.fed.publish(again, [a.actor_url + "/followers"])
    await a.fed.drain()
    inboxes = sorted(s["inbox"] for s in await a.fed.delivery_states(again["id"]))
    assert inboxes == sorted([lost + "/inbox", shared])


async def test_delete_of_the_actor_marks_only_that_follower_gone(nodes, fake, http):
    a = await nodes(0)
    shared = fake.base + "/shared-inbox"
    gone, stays = fake.base + "/users/gone", fake.base + "/users/stays"
    for user in (gone, stays):
        await follow(a, user, user + "/inbox", shared)
    note = {"@context": CONTEXT, "id": stays + "/notes/1#delete", "type": "Delete",
            "actor": stays, "object": stays + "/notes/1"}  # fmt: skip
    delete = {"@context": CONTEXT, "id": gone + "#delete", "type": "Delete", "actor": gone,
              "object": gone}  # fmt: skip
    for doc, path in ((note, "/users/stays"), (delete, "/users/gone")):
        resp = await post_signed(http, a.base_url + "/inbox", doc, fake.key_id(path), fake.key)
        assert resp.status == 202
    await a.fed.drain()
    assert await follower_states(a) == {gone: "gone", stays: "accepted"}


async def test_5xx_retries_with_backoff_then_delivers(nodes, fake):
    a = await nodes(0)
    calls = []

    async def flaky(request):
        calls.append(1)
        return web.Response(status=503 if len(calls) == 1 else 202,
                            headers={"Retry-After": "0"})  # fmt: skip

    fake.overrides["/shared-inbox"] = flaky
    act = activity(a)
    await a.fed.publish(act, [fake.base + "/users/x"])
    await a.fed.drain()
    state = (await a.fed.delivery_states(act["id"]))[0]
    assert state["state"] == "delivered" and state["attempts"] == 2


async def test_4xx_stops_and_health_reports(nodes, fake):
    a = await nodes(0)

    async def refuse(request):
        return web.Response(status=400)

    fake.overrides["/shared-inbox"] = refuse
    act = activity(a)
    await a.fed.publish(act, [fake.base + "/users/x"])
    await a.fed.drain()
    state = (await a.fed.delivery_states(act["id"]))[0]
    assert state["state"] == "failed" and state["last_status"] == 400
    health = await a.fed.delivery_health()
    assert health["deliveries"]["failed"] == 1


async def test_hanging_target_times_out_without_stalling_others(nodes, fake, tmp_path):
    from tests.federation.harness import FakeActors

    a = await nodes(0, delivery_timeout_seconds=0.5)
    other = await FakeActors().start()
    try:

        async def hang(request):
            await asyncio.sleep(3600)

        fake.overrides["/shared-inbox"] = hang
        acts = [activity(a, n) for n in range(6)]
        for act in acts:
            await a.fed.publish(act, [fake.base + "/users/slow", other.base + "/users/fast"])
        await asyncio.wait_for(a.fed.drain(), 10)
        fast = [s for act in acts for s in await a.fed.delivery_states(act["id"])
                if s["host"] == other.base.split("//")[1]]  # fmt: skip
        slow = [s for act in acts for s in await a.fed.delivery_states(act["id"])
                if s["host"] == fake.base.split("//")[1]]  # fmt: skip
        assert all(s["state"] == "delivered" for s in fast) and len(fast) == 6
        assert all(s["state"] == "pending" and "timed out" in s["last_error"] for s in slow)
        health = await a.fed.delivery_health()
        assert health["failing_hosts"][0]["host"] == fake.base.split("//")[1]
    finally:
        await other.stop()


async def test_breaker_holds_failing_host_and_retry_now_releases(nodes, fake):
    a = await nodes(0)

    async def broken(request):
        return web.Response(status=500)

    fake.overrides["/shared-inbox"] = broken
    acts = [activity(a, n) for n in range(8)]
    for act in acts:
        await a.fed.publish(act, [fake.base + "/users/x"])
    await a.fed.drain()
    host = fake.base.split("//")[1]
    assert host in (await a.fed.delivery_health())["held_hosts"]
    fake.overrides.clear()
    assert await a.fed.retry_now(host) == 8
    await a.fed.drain()
    states = [(await a.fed.delivery_states(act["id"]))[0]["state"] for act in acts]
    assert states == ["delivered"] * 8


async def test_unreachable_recipient_gets_a_durable_row_resolved_later(nodes, fake):
    a = await nodes(0)

    async def down(request):
        return web.Response(status=502)

    fake.overrides["/users/late"] = down
    act = activity(a)
    await a.fed.publish(act, [fake.base + "/users/late"])
    rows = await a.fed.delivery_states(act["id"])
    assert rows[0]["inbox"] == fake.base + "/users/late" and rows[0]["state"] == "pending"
    fake.overrides.clear()
    await a.fed.retry_now()
    await a.fed.drain()
    rows = await a.fed.delivery_states(act["id"])
    assert rows[0]["state"] == "delivered" and rows[0]["inbox"] == fake.base + "/shared-inbox"
