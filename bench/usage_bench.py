"""Reach counting for the usage report: what it adds to a served feed, measured in one run.

1. ``ReachCounter.count`` (one request counted in memory) against the time of a whole
   ``/feeds/feed.json`` request served by a real node on 127.0.0.1, measured in the same
   run. Target: counting costs under 1 % of the request.
2. ``count`` against a bare ``Counter`` increment of a precomputed key (the ceiling of
   "a dict update, nothing more"; ours adds a method call, a channel check and a clock
   read). Target: at most 5× the bare increment.
3. Database writes for N counted requests: one transaction per flush, however many
   requests (a write per request would be N). Target: 1.

Rounds alternate and the best round counts (shared, noisy machines).
Run: ``.venv/bin/python -m bench usage_bench``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import timeit
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N = int(os.environ.get("MEDIAKRING_BENCH_N", "400"))
ROUNDS = int(os.environ.get("MEDIAKRING_BENCH_ROUNDS", "5"))


def _count_cost() -> tuple[float, float]:
    from node.channels.reach import ReachCounter

    counter, bare = ReachCounter(), Counter()
    key = ("2026-12-01", "feed")
    reps = 100_000
    ours = min(timeit.repeat(lambda: counter.count("feed"), number=reps, repeat=ROUNDS)) / reps

    def increment() -> None:
        bare[key] += 1

    ceiling = min(timeit.repeat(increment, number=reps, repeat=ROUNDS)) / reps
    return ours, ceiling


async def _feed_cost() -> tuple[float, int]:
    import aiohttp
    from aiohttp import web

    from node.app import create_app
    from node.app.bootstrap import init_node
    from node.app.devnet import free_port
    from node.channels.reach import REACH
    from node.core.appkeys import DB
    from node.core.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        init_node(Path(tmp), "Bench Omroep", f"http://127.0.0.1:{port}")
        app = create_app(load_settings(tmp, env={}, usage_counter_flush_seconds=3600))
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        best = float("inf")
        try:
            async with aiohttp.ClientSession() as http:
                url = f"http://127.0.0.1:{port}/feeds/feed.json"
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    for _ in range(N):
                        async with http.get(url) as r:
                            await r.read()
                    best = min(best, (time.perf_counter() - started) / N)
            writes = 0
            original = app[DB].write

            async def counting_write(fn):
                nonlocal writes
                writes += 1
                return await original(fn)

            app[DB].write = counting_write  # count the transactions of one flush
            await app[REACH].flush(app)
            app[DB].write = original
        finally:
            await runner.cleanup()
    return best, writes


def main() -> dict:
    ours, ceiling = _count_cost()
    feed, writes = asyncio.run(_feed_cost())
    share = ours / feed
    rows = [
        {
            "measure": "reach count vs a served feed request",
            "ours": round(ours * 1e6, 3),
            "ceiling": None,
            "peer": round(feed * 1e6, 1),
            "unit": "µs per request",
            "ratio": round(share, 5),
            "target": "< 0.01",
            "met": share < 0.01,
        },
        {
            "measure": "reach count vs bare Counter increment",
            "ours": round(ours * 1e6, 3),
            "ceiling": round(ceiling * 1e6, 3),
            "peer": None,
            "unit": "µs per call",
            "ratio": round(ours / ceiling, 2),
            "target": "≤ 5",
            "met": ours / ceiling <= 5,
        },
        {
            "measure": f"database transactions for {N * ROUNDS} counted requests",
            "ours": float(writes),
            "ceiling": 1.0,
            "peer": float(N * ROUNDS),
            "unit": "transactions",
            "ratio": float(writes),
            "target": "1",
            "met": writes == 1,
        },
    ]
    for row in rows:
        print(f"  {row['measure']}: {row['ours']} {row['unit']} (ratio {row['ratio']})")
    return {"rows": rows}


if __name__ == "__main__":
    main()
