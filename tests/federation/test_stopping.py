"""Shutdown ends a worker even when a cancellation was swallowed (as 3.11's wait_for can)."""

from __future__ import annotations

import asyncio

from federation.stopping import cancel_and_wait


async def test_a_worker_that_swallows_one_cancellation_is_still_stopped():
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed += 1  # the lost cancellation: the loop goes round again

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_and_wait([task], every=0.05), 5)
    assert task.cancelled() and swallowed == 1


async def test_finished_tasks_are_left_alone():
    done = asyncio.create_task(asyncio.sleep(0, "klaar"))
    await done
    await cancel_and_wait([done])
    assert done.result() == "klaar"
