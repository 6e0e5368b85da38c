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

from node.app.devnet import NodeProcess, create_node

LISTINGS = int(os.environ.get("MEDIAKRING_BENCH_LISTINGS", "5000"))
SHARES = int(os.environ.get("MEDIAKRING_BENCH_SHARES", "40"))


async def seed_listed_items(session, node: NodeProcess, count: int) -> None:
    """Create ``count`` listed items through the API (set-up, not measured)."""
    semaphore = asyncio.Semaphore(8)

    async def one(n: int) -> None:
        async with semaphore:
            item = await call(
                session,
                node,
                "POST",
                "/api/v1/items",
                json={
                    "kind": "article",
                    "title": f"Nieuwsbericht {n} over de gemeenteraad",
                    "summary": "Samenvatting",
                    "body": "<p>Tekst van het bericht.</p>",
                    "tags": ["raad"],
                    "credit": "Stadsomroep",
                    "licence": "CC-BY-4.0",
                },
            )
            await call(
                session,
                node,
                "PUT",
                f"/api/v1/items/{item['id']}/audience",
                json={"mediatheek": True},
            )

    await asyncio.gather(*(one(n) for n in range(count)))


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
    a.start()
    b.start()
    try:
        async with aiohttp.ClientSession() as session:
            await seed_listed_items(session, a, LISTINGS)
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
