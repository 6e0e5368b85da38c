"""Sharing benchmarks on real node processes on loopback.

- Back-fill: a new partner indexes N existing listings by paging the origin's
  mediatheek (each listing proof-checked); reported as listings per second.
- Share → notification latency: the time from ``PUT .../audience`` on the origin
  until the partner's notifications API shows the share (p50, p99).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from node.clock import iso, new_id
from node.db.database import connect
from node.devnet import NodeProcess, create_node

LISTINGS = int(os.environ.get("MEDIAKRING_BENCH_LISTINGS", "5000"))
SHARES = int(os.environ.get("MEDIAKRING_BENCH_SHARES", "40"))


def seed_listed_items(node: NodeProcess, count: int) -> list[str]:
    """Insert ``count`` listed items straight into the origin's database (set-up only)."""
    db = connect(node.data_dir / "mediakring.db")
    ids = []
    db.conn.execute("BEGIN")
    now = iso()
    for n in range(count):
        item_id = new_id()
        ids.append(item_id)
        db["items"].insert(
            {
                "id": item_id,
                "uri": f"{node.base_url}/items/{item_id}",
                "kind": "article",
                "title": f"Nieuwsbericht {n} over de gemeenteraad",
                "summary": "Samenvatting",
                "body_html": "<p>Tekst van het bericht.</p>",
                "tags": json.dumps(["raad"]),
                "credit": "Stadsomroep",
                "licence": "CC-BY-4.0",
                "created_at": now,
                "updated_at": now,
            }
        )
        db["audience"].insert({"item_id": item_id, "public": 0, "mediatheek": 1, "updated_at": now})
    db.conn.execute("COMMIT")
    db.conn.close()
    return ids


async def call(session, node: NodeProcess, method: str, path: str, **kwargs):
    headers = {"Authorization": f"Bearer {node.token}"}
    async with session.request(method, node.base_url + path, headers=headers, **kwargs) as r:
        body = await r.json(content_type=None)
        if r.status >= 400:
            raise RuntimeError(f"{method} {path}: {r.status} {body}")
        return body


async def until(check, within: float = 300.0, every: float = 0.005):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(every)
    raise TimeoutError("benchmark condition not reached")


async def run(root: Path) -> dict:
    a = create_node(root, "Origine")
    b = create_node(root, "Partner")
    seed_listed_items(a, LISTINGS)
    a.start()
    b.start()
    try:
        async with aiohttp.ClientSession() as session:
            await call(
                session, b, "POST", "/api/v1/partners", json={"handle": a.base_url + "/actor"}
            )

            async def incoming():
                listed = await call(session, a, "GET", "/api/v1/partners")
                return listed["incoming"] and listed["incoming"][0]

            request = await until(incoming)
            started = time.perf_counter()
            await call(session, a, "POST", f"/api/v1/partners/{request['id']}/accept")

            async def filled():
                partners = (await call(session, b, "GET", "/api/v1/partners"))["partners"]
                if partners and partners[0]["backfill"]["state"] == "failed":
                    raise RuntimeError(f"back-fill failed: {partners[0]['backfill']}")
                return partners and partners[0]["backfill"]["state"] == "done" and partners[0]

            partner = await until(filled, every=0.02)
            elapsed = time.perf_counter() - started
            indexed = partner["backfill"]["listings"]
            latencies = []
            for n in range(SHARES):
                item = await call(
                    session,
                    a,
                    "POST",
                    "/api/v1/items",
                    json={"kind": "article", "title": f"Deelbericht {n}"},
                )
                before = (await call(session, b, "GET", "/api/v1/notifications"))["unread"]
                t0 = time.perf_counter()
                await call(
                    session,
                    a,
                    "PUT",
                    f"/api/v1/items/{item['id']}/audience",
                    json={"partners": [b.base_url + "/actor"]},
                )

                async def notified(before=before):
                    page = await call(session, b, "GET", "/api/v1/notifications?unread=true")
                    return page["unread"] > before

                await until(notified, within=30, every=0.002)
                latencies.append((time.perf_counter() - t0) * 1000)
    finally:
        a.stop()
        b.stop()
    latencies.sort()
    return {
        "backfill_listings": indexed,
        "backfill_seconds": round(elapsed, 3),
        "backfill_listings_per_second": round(indexed / elapsed),
        "share_notification_ms_p50": round(statistics.median(latencies), 1),
        "share_notification_ms_p99": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "targets": {
            "backfill_listings_per_second": ">= 5000",
            "share_notification_ms_p50": "<= 100",
        },
    }


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run(Path(tmp)))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
