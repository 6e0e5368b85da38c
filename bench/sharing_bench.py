"""Sharing benchmarks on real node processes on loopback.

- Back-fill: a new partner indexes N existing listings by paging the origin's
  mediatheek (signed pages, FEDERATION.md §5.1); reported as listings per second and
  as the partner's CPU-seconds per 1,000 listings, at 5,000 and 20,000 listings
  (``MEDIAKRING_BENCH_LISTINGS``, comma-separated).  The clock runs from the moment
  the partner's back-fill is ``running`` until it is ``done``.  The origin is pinned
  to one core and the partner to the other.  In the same run: the same back-fill from
  an origin that does not sign its pages (every listing's proof checked), and, with
  ``MEDIAKRING_BENCH_BASELINE_TREE`` set to a checkout of older code (e.g. a detached
  worktree of main), that code's back-fill as the peer, in the same conditions.
- Share → notification latency: the time from ``PUT .../audience`` on the origin
  until the partner's notifications API shows the share (p50, p99).

Seeding: one listed item goes through the API; the origin's other listings are
copies of its signed document with their own ids and titles, each signed anew with
the origin's key and written to its index while it is stopped (seconds, not the
minutes that N API round trips take).  Every wait has a timeout.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from node.app.devnet import NodeProcess, create_node

SIZES = [int(n) for n in os.environ.get("MEDIAKRING_BENCH_LISTINGS", "5000,20000").split(",")]
SHARES = int(os.environ.get("MEDIAKRING_BENCH_SHARES", "40"))
TARGET_PER_SECOND = 5000
ORIGIN_CORE, PARTNER_CORE = 0, 1
BASELINE_TREE = os.environ.get("MEDIAKRING_BENCH_BASELINE_TREE", "")
BASELINE_TIMEOUT = 900


def pin(node: NodeProcess, core: int) -> None:
    """Pin a node process to one core (a no-op on a one-core machine)."""
    if node.process is not None and len(os.sched_getaffinity(0)) > 1:
        # every thread the node already has (database, I/O pools); later ones inherit it
        for tid in os.listdir(f"/proc/{node.process.pid}/task"):
            os.sched_setaffinity(int(tid), {core})


def cpu_seconds(node: NodeProcess) -> float:
    """User + system CPU time of a node process so far (all its threads)."""
    with open(f"/proc/{node.process.pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def clone_listings(data_dir: Path, base_url: str, count: int) -> None:
    """Give the (stopped) origin ``count`` listed items: the first one's signed document,
    copied with a new id and title and signed again with the origin's key."""
    import copy
    import datetime as dt
    import json as jsonlib

    from node.core import clock
    from node.core.db.database import connect
    from node.core.identity import load_identity
    from node.mediatheek import store as index
    from node.sharing.objects import with_proof

    db = connect(data_dir / "mediakring.db")
    identity = load_identity(db, base_url)
    cur = db.execute("SELECT * FROM listings WHERE local = 1 ORDER BY id LIMIT 1")
    row = index.row_to_listing(
        dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    )
    original = row["document"]
    text = jsonlib.dumps({k: v for k, v in original.items() if k != "proof"})
    object_id = row["object_id"]
    published = index.parse_time(row["published_at"])
    db.conn.execute("BEGIN")
    for n in range(1, count):
        new_id = f"{object_id}-{n}"
        doc = jsonlib.loads(text.replace(object_id, new_id))
        doc["name"] = f"Nieuwsbericht {n} over de gemeenteraad"
        when = clock.iso(published - dt.timedelta(seconds=n))  # one id per listing
        for key in ("published", "updated"):
            if key in doc:
                doc[key] = when
        listing = copy.copy(row)
        listing.pop("id", None)
        listing.update(
            object_id=new_id,
            title=doc["name"],
            published_at=when,
            updated_at=when,
            document=with_proof(identity, doc),
        )
        index.upsert_listing(db, listing)
    db.conn.execute("COMMIT")
    db.conn.close()


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
    timeout = aiohttp.ClientTimeout(total=30)
    async with session.request(
        method, node.base_url + path, headers=headers, timeout=timeout, **kwargs
    ) as r:
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


async def backfill(root: Path, count: int, shares: int, sign_pages: bool = True) -> dict:
    a = create_node(root, "Origine", sign_collection_pages=sign_pages)
    b = create_node(root, "Partner")
    a.start()
    try:
        async with aiohttp.ClientSession() as session:
            await seed_listed_items(session, a, 1)
    finally:
        a.stop()
    clone_listings(a.data_dir, a.base_url, count)
    a.start()
    b.start()
    pin(a, ORIGIN_CORE)
    pin(b, PARTNER_CORE)
    try:
        async with aiohttp.ClientSession() as session:
            await call(
                session, b, "POST", "/api/v1/partners", json={"handle": a.base_url + "/actor"}
            )

            async def incoming():
                listed = await call(session, a, "GET", "/api/v1/partners")
                return listed["incoming"] and listed["incoming"][0]

            request = await until(incoming, within=60)
            await call(session, a, "POST", f"/api/v1/partners/{request['id']}/accept")

            async def state():
                partners = (await call(session, b, "GET", "/api/v1/partners"))["partners"]
                fill = partners[0]["backfill"] if partners else {}
                if fill.get("state") == "failed":
                    raise RuntimeError(f"back-fill failed: {fill}")
                return fill.get("state"), (partners[0] if partners else None)

            async def running():
                now, _ = await state()
                return now in ("running", "done")

            await until(running, within=60, every=0.002)
            started = time.perf_counter()
            cpu_a, cpu_b = cpu_seconds(a), cpu_seconds(b)

            async def filled():
                # done means stored *and* searchable: the partner's mediatheek search counts
                # every listing (its search index has caught up), so indexing is timed too
                now, partner = await state()
                if now != "done":
                    return None
                page = await call(session, b, "GET", "/api/v1/mediatheek?limit=1")
                stored = partner["backfill"]["listings"]
                return partner if page.get("total", 0) >= stored else None

            # polled every 50 ms: each poll is two API requests the partner serves on the
            # core it back-fills on (at 20 ms they took ~9% of its busy time)
            partner = await until(filled, within=600, every=0.05)
            elapsed = time.perf_counter() - started
            cpu_a, cpu_b = cpu_seconds(a) - cpu_a, cpu_seconds(b) - cpu_b
            indexed = partner["backfill"]["listings"]
            found = await call(session, b, "GET", "/api/v1/mediatheek?q=gemeenteraad&limit=1")
            latencies = []
            for n in range(shares):
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
    out = {
        "backfill_listings": indexed,
        "backfill_seconds": round(elapsed, 3),
        "backfill_listings_per_second": round(indexed / elapsed),
        # CPU per side: what the rate would be if each side had its core to itself
        "origin_cpu_seconds": round(cpu_a, 2),
        "partner_cpu_seconds": round(cpu_b, 2),
        "listings_per_partner_cpu_second": round(indexed / max(cpu_b, 0.01)),
        "listings_per_origin_cpu_second": round(indexed / max(cpu_a, 0.01)),
        "partner_cpu_seconds_per_1000": round(cpu_b / max(indexed, 1) * 1000, 3),
        "searchable_after_backfill": found.get("total", found.get("count")),
    }
    if latencies:
        out["share_notification_ms_p50"] = round(statistics.median(latencies), 1)
        out["share_notification_ms_p99"] = round(latencies[int(len(latencies) * 0.99) - 1], 1)
    return out


def _row(measure, ours, unit, target, met, peer=None) -> dict:
    ratio = round(ours / peer, 2) if peer else None
    return {"measure": measure, "ours": ours, "ceiling": None, "peer": peer, "unit": unit,
            "ratio": ratio, "target": target, "met": met}  # fmt: skip


def baseline(count: int) -> dict | None:
    """The older code's back-fill of ``count`` listings (its own bench, run from its tree)."""
    if not BASELINE_TREE:
        return None
    env = {**os.environ, "MEDIAKRING_BENCH_LISTINGS": str(count), "MEDIAKRING_BENCH_SHARES": "0"}
    env.pop("MEDIAKRING_BENCH_BASELINE_TREE", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.sharing_bench"], cwd=BASELINE_TREE, env=env,
            capture_output=True, text=True, timeout=BASELINE_TIMEOUT, check=True,
        )  # fmt: skip
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"baseline run failed: {exc}", file=sys.stderr)
        return None
    out = done.stdout
    return json.loads(out[out.index("{") :]).get(f"backfill_{count}")


def main() -> dict:
    result: dict = {"sizes": SIZES, "baseline_tree": BASELINE_TREE or None}
    rows = []
    for n, count in enumerate(SIZES):
        old = baseline(count)
        with tempfile.TemporaryDirectory() as tmp:
            one = asyncio.run(backfill(Path(tmp), count, SHARES if n == 0 else 0))
        with tempfile.TemporaryDirectory() as tmp:
            unsigned = asyncio.run(backfill(Path(tmp), count, 0, sign_pages=False))
        result[f"backfill_{count}"] = one
        result[f"backfill_{count}_unsigned_pages"] = unsigned
        if old is not None:
            result[f"backfill_{count}_baseline"] = old
        rate = one["backfill_listings_per_second"]
        rows.append(_row(f"back-fill {count:,} listings", rate, "listings/s",
                         f">= {TARGET_PER_SECOND}", rate >= TARGET_PER_SECOND,
                         old and old["backfill_listings_per_second"]))  # fmt: skip
        cpu = one["partner_cpu_seconds_per_1000"]
        old_cpu = old and round(old["partner_cpu_seconds"] / old["backfill_listings"] * 1000, 3)
        rows.append(_row(f"back-fill {count:,}: partner CPU-s per 1,000 listings", cpu,
                         "CPU-s", f"<= {1000 / TARGET_PER_SECOND:g}",
                         cpu <= 1000 / TARGET_PER_SECOND, old_cpu))  # fmt: skip
        plain = unsigned["backfill_listings_per_second"]
        rows.append(_row(f"back-fill {count:,}, unsigned pages (per-listing proofs)", plain,
                         "listings/s", "informational", None))  # fmt: skip
        if "share_notification_ms_p50" in one:
            p50 = one["share_notification_ms_p50"]
            rows.append(_row("share -> notification p50", p50, "ms", "<= 100", p50 <= 100))
    result["rows"] = rows
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
