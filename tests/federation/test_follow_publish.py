"""Two real nodes on loopback: follows (auto, manual, reject, undo), publish, delivery states."""

from __future__ import annotations

from protocol.vocab import AS_PUBLIC, CONTEXT


def create(node, n: int = 1, to=None) -> dict:
    url = f"{node.base_url}/items/{n}"
    return {"@context": CONTEXT, "id": url + "/create", "type": "Create",
            "actor": node.actor_url, "to": to or [AS_PUBLIC],
            "object": {"id": url, "type": "Article", "attributedTo": node.actor_url,
                       "name": "Nieuws"}}  # fmt: skip


async def test_auto_follow_then_publish_reaches_follower(nodes):
    a, b = await nodes(0), await nodes(1)
    events = []

    async def record(event):
        events.append((event.kind, event.direction))

    b.fed.on_follow_event(record)
    a.fed.on_follow_event(record)
    await b.fed.follow(a.actor_url, a.actor_url)
    await b.fed.drain()
    await a.fed.drain()  # processes Follow, auto-accepts, delivers Accept
    await b.fed.drain()  # processes Accept
    assert [r["follower"] for r in await a.fed.followers(a.actor_url)] == [b.actor_url]
    assert (await b.fed.following())[0]["state"] == "accepted"
    assert ("follow_requested", "incoming") in events
    assert ("follow_accepted", "outgoing") in events

    activity = create(a)
    await a.fed.publish(activity, [a.actor_url + "/followers"])
    await a.fed.drain()
    await b.fed.drain()
    assert [r["id"] for r in b.received] == [activity["id"]]
    assert b.received[0]["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    states = await a.fed.delivery_states(activity["id"])
    assert states[0]["state"] == "delivered" and states[0]["last_status"] == 202
    assert states[0]["delivered_at"]


async def test_manual_partnership_approve_and_reject_and_undo(nodes):
    a, b = await nodes(0), await nodes(1)
    seen = []

    async def record(event):
        seen.append(event)

    b.fed.on_follow_event(record)
    a.fed.on_follow_event(record)
    mediatheek = a.actor_url + "/mediatheek"
    await b.fed.follow(a.actor_url, mediatheek)
    await b.fed.drain()
    await a.fed.drain()
    rows = await a.fed.followers(mediatheek, state=None)
    assert [(r["follower"], r["state"]) for r in rows] == [(b.actor_url, "pending")]
    assert await a.fed.approve_follow(b.actor_url, mediatheek)
    await a.fed.drain()
    await b.fed.drain()
    assert (await b.fed.following())[0]["state"] == "accepted"
    assert any(e.kind == "follow_accepted" and e.direction == "outgoing" for e in seen)

    await b.fed.undo_follow(mediatheek)
    await b.fed.drain()
    await a.fed.drain()
    assert await a.fed.followers(mediatheek, state=None) == []
    assert any(e.kind == "follow_undone" for e in seen)

    await b.fed.follow(a.actor_url, mediatheek)
    await b.fed.drain()
    await a.fed.drain()
    assert await a.fed.reject_follow(b.actor_url, mediatheek)
    await a.fed.drain()
    await b.fed.drain()
    assert (await b.fed.following())[0]["state"] == "rejected"


async def test_follow_policy_reject(nodes):
    a = await nodes(0, configure=lambda f: f.set_follow_policy(lambda t, f_: "reject"))
    b = await nodes(1)
    await b.fed.follow(a.actor_url, a.actor_url)
    await b.fed.drain()
    await a.fed.drain()
    await b.fed.drain()
    assert (await a.fed.followers(a.actor_url, state="rejected"))[0]["follower"] == b.actor_url
    assert (await b.fed.following())[0]["state"] == "rejected"


async def test_dedup_same_activity_twice_has_one_effect(nodes):
    a, b = await nodes(0), await nodes(1)
    activity = create(a)
    await a.fed.publish(activity, [b.actor_url])
    await a.fed.drain()
    await a.fed.retry_now()
    # a second publish of the same id to a new recipient path still delivers once per inbox
    await a.fed.store.write(lambda db: db.execute(
        "UPDATE deliveries SET state='pending', next_attempt_at=0"))  # fmt: skip
    await a.fed.drain()
    await b.fed.drain()
    assert len(b.received) == 1
    count = await b.fed.store.read(
        lambda db: db.execute("SELECT count(*) FROM inbox_queue").fetchone()[0]
    )
    assert count == 1


async def test_followers_collection_paging(nodes, http):
    a = await nodes(0)
    now = a.fed.clock()
    rows = [{"follower": f"https://f{i}.example/actor", "target": a.actor_url,
             "follow_id": f"https://f{i}.example/follow", "inbox": None, "shared_inbox": None,
             "state": "accepted", "created_at": now + i} for i in range(120)]  # fmt: skip
    await a.fed.store.write(lambda db: db["followers"].insert_all(rows))
    url = a.actor_url + "/followers"
    async with http.get(url, headers={"Accept": "application/activity+json"}) as resp:
        root = await resp.json(content_type=None)
    assert root["type"] == "OrderedCollection" and root["totalItems"] == 120
    items, page = list(root["first"]["orderedItems"]), root["first"]
    while "next" in page:
        async with http.get(page["next"]) as resp:
            page = await resp.json(content_type=None)
        items += page["orderedItems"]
    assert items == [r["follower"] for r in rows]
