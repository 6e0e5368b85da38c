"""kill -9 right after the use commit: the copy exists once, and the origin hears of it once.

B is a real ``mediakring run`` process (node/app/devnet.py); A runs in this test's process. B is
started with the test-only kill point ``MK_TEST_CRASH_AFTER_USE_COMMIT=1``: the first use
commits (copy, media, provenance, share "used", receipt in the outbox) and B then SIGKILLs
itself before handing the receipt to federation. After the kill, B's database must hold the
copy once, the share must say used, and the receipt must wait in the outbox unsent. B is
restarted on the same data directory and port without the kill point; its start-up dispatch
must send the receipt, A must record the use exactly once, and using again answers 200 with
the same copy.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from node.app.devnet import create_node
from node.sharing.use import CRASH_AFTER_COMMIT_ENV
from tests.integration.network import (
    ProcessNode,
    api,
    create_item_with_photo,
    make_partners,
    wait_for,
)

pytestmark = pytest.mark.slow


def _query(data_dir: Path, sql: str, params: list) -> list[tuple]:
    db = sqlite3.connect(f"file:{data_dir / 'mediakring.db'}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def _state(data_dir: Path, uri: str, share_id: str) -> dict:
    copies = _query(data_dir, "SELECT id FROM items WHERE derived_from = ? AND deleted = 0", [uri])
    share = _query(
        data_dir, "SELECT state, used_item_id FROM incoming_shares WHERE id = ?", [share_id]
    )
    receipts = _query(
        data_dir,
        "SELECT id, dispatched_at FROM outbox WHERE json_extract(body, '$.type') = 'Create'"
        " AND json_extract(body, '$.object.derivedFrom') = ?",
        [uri],
    )
    handed_over = _query(
        data_dir,
        "SELECT count(*) FROM activities WHERE id IN"
        " (SELECT id FROM outbox WHERE json_extract(body, '$.object.derivedFrom') = ?)",
        [uri],
    )[0][0]
    return {"copies": [r[0] for r in copies], "share": share[0], "receipts": receipts,
            "handed_over": handed_over}  # fmt: skip


async def test_sigkill_after_the_use_commit_then_restart_reports_once(
    tmp_path, node_factory, monkeypatch
):
    a = await node_factory("Stadsomroep Den Haag")
    b = create_node(tmp_path, "WijkTV Crash")
    node_b = ProcessNode(b)
    monkeypatch.setenv(CRASH_AFTER_COMMIT_ENV, "1")
    try:
        await asyncio.to_thread(b.start)
        monkeypatch.delenv(CRASH_AFTER_COMMIT_ENV)  # the restart below runs without it
        async with aiohttp.ClientSession() as http:
            await make_partners(http, a, node_b)
            item = await create_item_with_photo(http, a, title="Storm over de boulevard")
            await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience",
                      json={"partners": [node_b.url("/actor")]}, expect=200)  # fmt: skip

            async def share():
                listed = (await api(http, node_b, "GET", "/api/v1/shared-with-us"))["items"]
                return listed and listed[0]

            share_id = (await wait_for(share, what="the share to reach B"))["id"]
            path = f"/api/v1/shared-with-us/{share_id}/use"

            # Kill point: B dies right after committing the copy.
            with pytest.raises(aiohttp.ClientError):
                await api(http, node_b, "POST", path)
            code = await asyncio.to_thread(b.process.wait, 10)
            assert code == -9, f"B exited with {code}, not by SIGKILL"

            at_kill = _state(b.data_dir, item["uri"], share_id)
            [copy_id] = at_kill["copies"]
            assert at_kill["share"] == ("used", copy_id)
            [(receipt_id, dispatched)] = at_kill["receipts"]
            assert dispatched is None and at_kill["handed_over"] == 0
            insight = await api(http, a, "GET", f"/api/v1/items/{item['id']}/insight")
            assert insight["totals"]["used"] == 0  # the origin has not heard yet

            await asyncio.to_thread(b.start)  # same data directory and port

            async def reported():
                data = await api(http, a, "GET", f"/api/v1/items/{item['id']}/insight")
                return data["totals"]["used"] or None

            await wait_for(reported, within=30, what="A to hear of the use after B's restart")

            again = await api(http, node_b, "POST", path, expect=200)
            assert again["id"] == copy_id

            async def delivered():
                rows = await asyncio.to_thread(
                    _query, b.data_dir,
                    "SELECT state FROM deliveries WHERE activity_id = ?", [receipt_id],
                )  # fmt: skip
                return rows == [("delivered",)] or None

            await wait_for(delivered, within=30, what="B to record the receipt delivered")
            await asyncio.sleep(1.0)  # a repeated report, if any, would arrive now

            after = _state(b.data_dir, item["uri"], share_id)
            assert after["copies"] == [copy_id]
            assert after["share"] == ("used", copy_id)
            assert [r[0] for r in after["receipts"]] == [receipt_id]
            assert after["receipts"][0][1] is not None and after["handed_over"] == 1
            insight = await api(http, a, "GET", f"/api/v1/items/{item['id']}/insight")
            assert insight["totals"]["used"] == 1
            used_events = [e for e in insight["events"] if e["event"] == "used"]
            assert [e["partner"] for e in used_events] == [node_b.url("/actor")]
    finally:
        await asyncio.to_thread(b.stop)
