"""Accepted activities go from the inbox to the worker in memory, and stay durable.

The inbox stores each accepted row leased to the inbox worker and hands it over with
its parsed document, so the worker need not claim it back.  These tests hold the
guarantees that the claim gave: a handed row is handled once, a crash loses nothing,
a failed handler retries through the database, and due rows in the database are not
starved by a stream of handed ones.
"""

from __future__ import annotations

import asyncio

from federation import processing
from tests.federation.harness import post_signed, start_node
from tests.federation.test_inbox_refusals import note


async def queue_rows(node) -> list[tuple]:
    return await node.fed.store.read(
        lambda db: db.execute(
            "SELECT activity_id, state, attempts, locked_until IS NOT NULL FROM inbox_queue"
            " ORDER BY id"
        ).fetchall()
    )


async def accept(node, fake, http, n: int = 1) -> str:
    doc = note(fake, n=n)
    resp = await post_signed(http, node.base_url + "/inbox", doc, fake.key_id("/users/john"),
                             fake.key)  # fmt: skip
    assert resp.status == 202
    return doc["id"]


async def test_an_accepted_activity_is_stored_leased_and_handled_once(nodes, fake, http):
    node = await nodes(0)
    activity_id = await accept(node, fake, http)
    assert await queue_rows(node) == [(activity_id, "pending", 0, 1)]
    assert await node.fed.inbox_worker.claim() == []  # leased: nobody claims it back
    await node.fed.drain()
    assert [raw["id"] for raw in node.received] == [activity_id]
    assert await queue_rows(node) == [(activity_id, "done", 1, 0)]


async def test_with_the_worker_full_rows_wait_unleased_and_are_claimed(
    nodes, fake, http, monkeypatch
):
    monkeypatch.setattr(processing, "HANDED_MAX", 0)
    node = await nodes(0)
    activity_id = await accept(node, fake, http)
    assert await queue_rows(node) == [(activity_id, "pending", 0, 0)]
    await node.fed.drain()
    assert [raw["id"] for raw in node.received] == [activity_id]
    assert await queue_rows(node) == [(activity_id, "done", 1, 0)]


async def test_a_row_handed_over_survives_a_crash_of_the_worker(nodes, fake, http, tmp_path):
    crashed = await nodes(0)  # accepts, hands the row over, and never runs its worker
    activity_id = await accept(crashed, fake, http)
    restarted = await start_node(tmp_path / "n0", 0, workers=True)  # frees every lease
    try:
        for _ in range(500):  # its own worker loop takes the row up
            if await queue_rows(restarted) == [(activity_id, "done", 1, 0)]:
                break
            await asyncio.sleep(0.01)
        assert [raw["id"] for raw in restarted.received] == [activity_id]
        assert await queue_rows(restarted) == [(activity_id, "done", 1, 0)]
    finally:
        await restarted.stop()


async def test_a_failed_handler_retries_through_the_database(nodes, fake, http):
    failures = []

    def configure(fed) -> None:
        @fed.on("Create")
        async def flaky(ctx) -> None:
            if not failures:
                failures.append(ctx.raw["id"])
                raise RuntimeError("disk full")

    node = await nodes(0, configure=configure)
    activity_id = await accept(node, fake, http)
    await node.fed.drain()
    assert failures == [activity_id]
    assert await queue_rows(node) == [(activity_id, "pending", 1, 0)]  # backed off
    await node.fed.store.write(lambda db: db.execute("UPDATE inbox_queue SET next_attempt_at = 0"))
    await node.fed.drain()
    assert await queue_rows(node) == [(activity_id, "done", 2, 0)]


async def test_due_rows_in_the_database_are_not_starved_by_handed_ones(
    nodes, fake, http, monkeypatch
):
    monkeypatch.setattr(processing, "HANDED_MAX", 0)
    node = await nodes(0)
    waiting = await accept(node, fake, http, n=100)  # stored unleased: only a claim finds it
    monkeypatch.setattr(processing, "HANDED_MAX", 2000)
    worker = node.fed.inbox_worker
    for n in range(processing.CLAIM_EVERY):  # every round has a fresh handed row
        await accept(node, fake, http, n=n)
        assert await worker.run_once() >= 1
    assert waiting in [raw["id"] for raw in node.received]


async def test_a_handed_row_whose_lease_runs_out_is_left_to_the_claim(
    nodes, fake, http, monkeypatch
):
    """A long backlog in memory: a row whose lease is (almost) over is not processed from
    memory, where a claim could take it at the same time, but once, through the claim."""
    node = await nodes(0)
    activity_id = await accept(node, fake, http)
    worker = node.fed.inbox_worker
    later = node.fed.clock() + processing.LEASE_SECONDS + 1
    monkeypatch.setattr(worker, "clock", lambda: later)
    monkeypatch.setattr(processing, "CLAIM_EVERY", 1)  # memory and claim in one round
    await node.fed.drain()
    assert [raw["id"] for raw in node.received] == [activity_id]
    assert await queue_rows(node) == [(activity_id, "done", 1, 0)]
