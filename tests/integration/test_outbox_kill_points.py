"""kill -9 between "the editor pressed the button" and "the partner has it" loses nothing.

Node A is a real ``mediakring run`` process; partner B is a real node on its own port.
A is SIGKILLed right after answering a share, and again right after answering an edit
that adds an embargo, at several delays, so that the kill lands at different points:
after the commit but before the outbox row was handed to federation, with the delivery
queued, or after delivery.  After each restart B must hold the share exactly once, with
the newest terms, and refuse to use it while the new embargo lasts.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from node.app.devnet import create_node
from tests.integration.network import ProcessNode, api, make_partners, wait_for

pytestmark = pytest.mark.slow

KILL_DELAYS = (0.0, 0.05, 0.3)


def where_it_was(data_dir: Path, activity_type: str) -> str:
    """Where the newest activity of ``activity_type`` stood when the node died."""
    db = sqlite3.connect(f"file:{data_dir / 'mediakring.db'}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute(
            "SELECT id, dispatched_at FROM outbox WHERE body LIKE ? ORDER BY created_at DESC",
            [f'%"type":"{activity_type}"%'],
        ).fetchone()
        if row is None:
            return "not committed"
        if row[1] is None:
            return "committed, not dispatched"
        states = {
            r[0] for r in db.execute("SELECT state FROM deliveries WHERE activity_id = ?", [row[0]])
        }
    finally:
        db.close()
    return "delivered" if states == {"delivered"} else f"deliveries {sorted(states)}"


@pytest.mark.parametrize("delay", KILL_DELAYS)
async def test_kill_after_share_and_after_edit_loses_nothing(tmp_path, node_factory, http, delay):
    b = await node_factory("WijkTV Den Haag")
    seen: list[str] = []
    n = KILL_DELAYS.index(delay)
    process = create_node(tmp_path / f"a{n}", f"Omroep Kill {n}")
    a = ProcessNode(process)
    await asyncio.to_thread(process.start)
    try:
        await make_partners(http, a, b)
        item = await api(http, a, "POST", "/api/v1/items", expect=201,
                         json={"kind": "article", "title": f"Raadsvergadering {n}",
                               "body": "<p>Live verslag.</p>"})  # fmt: skip

        # Kill point 1: right after the share was answered.
        await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
                  json={"partners": [b.url("/actor")]})  # fmt: skip
        await asyncio.sleep(delay)
        await asyncio.to_thread(process.kill)
        seen.append(f"share +{delay}s: {where_it_was(process.data_dir, 'Offer')}")
        await asyncio.to_thread(process.start)

        async def b_has_it():
            shares = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
            return [s for s in shares if s["object_id"] == item["uri"]] or None

        [share] = await wait_for(b_has_it, within=30, what="B to receive the Offer")

        # Kill point 2: right after an edit that adds an embargo was answered.
        embargo = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
        await api(http, a, "PATCH", f"/api/v1/items/{item['id']}", expect=200,
                  json={"title": f"Raadsvergadering {n} (gewijzigd)",
                        "embargo_until": embargo})  # fmt: skip
        await asyncio.sleep(delay)
        await asyncio.to_thread(process.kill)
        seen.append(f"edit +{delay}s: {where_it_was(process.data_dir, 'Update')}")
        await asyncio.to_thread(process.start)

        async def b_has_the_edit():
            shares = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
            got = [s for s in shares if s["id"] == share["id"]]
            return got and got[0]["title"].endswith("(gewijzigd)") and got[0]

        got = await wait_for(b_has_the_edit, within=30, what="B to receive the Update")
        assert got["embargo_until"] is not None
        shares = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
        assert [s["id"] for s in shares if s["object_id"] == item["uri"]] == [share["id"]]
        refused = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use",
                            expect=409)  # fmt: skip
        assert refused["type"].endswith("/embargoed"), refused
    finally:
        await asyncio.to_thread(process.stop)
    print("kill points:", *seen, sep="\n  ")  # shown with -s; the closing note reports them
