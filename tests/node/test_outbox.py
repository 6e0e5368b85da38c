"""The transactional outbox on a real SQLite file: rows commit with their cause, in order."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from node.core import outbox
from node.core.db import Database
from node.core.storage import migrate
from node.sharing.outbox_dispatch import MAX_ATTEMPTS, Dispatcher


@pytest.fixture
async def db(tmp_path):
    path = tmp_path / "mediakring.db"
    migrate(path)
    database = Database(path)
    yield database
    database.close()


def _activity(n: int, kind: str = "Offer") -> dict:
    return {"id": f"https://a.example/activities/{n}", "type": kind, "actor": "a"}


async def test_an_outbox_row_rolls_back_with_its_cause(db):
    def change_then_fail(d):
        outbox.enqueue(d, _activity(1), ["https://b.example/actor"])
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        await db.write(change_then_fail)
    assert await db.read(outbox.pending) == []


async def test_dispatch_is_in_order_and_marks_rows(db):
    for n in range(3):
        await db.write(lambda d, n=n: outbox.enqueue(d, _activity(n), ["r"]))
    sent: list[str] = []

    async def publish(activity, recipients):
        sent.append(activity["id"])
        return activity["id"]

    assert await Dispatcher(db, publish).run_once() == 3
    assert sent == [_activity(n)["id"] for n in range(3)]
    assert await db.read(outbox.pending) == []


async def test_a_failing_row_is_kept_then_given_up(db):
    await db.write(lambda d: outbox.enqueue(d, _activity(1), ["r"]))

    async def publish(activity, recipients):
        raise OSError("database of federation unavailable")

    dispatcher = Dispatcher(db, publish)
    for _ in range(MAX_ATTEMPTS - 1):
        assert await dispatcher.run_once() == 0
    [(activity_id, _, _)] = await db.read(outbox.pending)
    assert activity_id == _activity(1)["id"]
    await dispatcher.run_once()
    assert await db.read(outbox.pending) == []  # given up, and logged
    error = await db.read(lambda d: d.execute("SELECT last_error FROM outbox").fetchone()[0])
    assert "unavailable" in error


async def test_ending_a_partnership_drops_it_from_unsent_content_only(db):
    ex, other = "https://ex.example/actor", "https://other.example/actor"
    await db.write(lambda d: outbox.enqueue(d, _activity(1, "Offer"), [ex]))
    await db.write(lambda d: outbox.enqueue(d, _activity(2, "Add"), [ex, other]))
    await db.write(lambda d: outbox.enqueue(d, _activity(3, "Delete"), [ex]))
    changed = await db.write(lambda d: outbox.drop_recipient(d, ex, ("Offer", "Add")))
    assert changed == 2
    left = {a["type"]: r for _, a, r in await db.read(outbox.pending)}
    assert left == {"Add": [other], "Delete": [ex]}  # the Offer had nobody left


class _CommitsDuringTheEmptyRead(Database):
    """The real database, with one use case committing a row and waking the dispatcher
    at the worst moment: just after a pass has found the outbox empty."""

    dispatcher: Dispatcher | None = None
    committed = False

    async def read(self, fn, *args, **kwargs):
        result = await super().read(fn, *args, **kwargs)
        if fn is outbox.pending and result == [] and not self.committed:
            self.committed = True
            await self.write(lambda d: outbox.enqueue(d, _activity(7), ["r"]))
            self.dispatcher.wake()
        return result


async def test_a_wake_during_an_empty_pass_is_not_lost(tmp_path):
    path = tmp_path / "mediakring.db"
    migrate(path)
    db = _CommitsDuringTheEmptyRead(path)
    sent = asyncio.Event()

    async def publish(activity, recipients):
        sent.set()
        return activity["id"]

    db.dispatcher = Dispatcher(db, publish)
    task = asyncio.create_task(db.dispatcher.run_forever())
    try:
        # Without the wake the row would wait for the idle pass, 30 seconds away.
        await asyncio.wait_for(sent.wait(), 5.0)
        assert db.committed
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        db.close()
