"""Federation benchmark: inbox acceptance, fan-out delivery and reach, each against a ceiling.

Run: ``.venv/bin/python bench/federation_bench.py``.  The load generator and the
receivers run in separate processes so the node under test has its own core.

* Inbox: signed activities accepted (202, durable row) per second by our inbox,
  vs. a bare aiohttp handler that only parses JSON and verifies the RSA signature.
* Fan-out: signed deliveries per second to 1,000 distinct inboxes (50 receiver
  ports × 20 paths), vs. a bare sign-and-POST loop with the same concurrency.
* Reach: seconds until one activity reached all 1,000 inboxes.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from protocol import keys  # noqa: E402
from protocol.httpsig import parse_signature, sign_cavage, verify_parsed  # noqa: E402
from protocol.vocab import AS2_MEDIA_TYPE, CONTEXT  # noqa: E402

INBOX_REQUESTS = 6000
CONCURRENCY = 64
FANOUT = 1000
PORTS = 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- processes ---------------------------------------------------------------------------


def _loadgen(pem: str, actor_base: str, url: str, n: int, tag: str, out) -> None:
    """Pre-sign ``n`` distinct requests, then fire them with fixed concurrency."""
    key = keys.load_private_pem(pem)
    actor = actor_base + "/users/bench"
    now = datetime.now(UTC)
    requests = []
    for i in range(n):
        doc = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Create",
               "id": f"{actor}/statuses/{tag}{i}/activity", "actor": actor,
               "object": {"id": f"{actor}/statuses/{tag}{i}", "type": "Note",
                          "attributedTo": actor, "content": "<p>bench</p>"}}  # fmt: skip
        body = json.dumps(doc).encode()
        headers = sign_cavage("POST", url, {"Content-Type": AS2_MEDIA_TYPE}, body,
                              actor + "#main-key", key, now)  # fmt: skip
        requests.append((body, headers))

    async def fire() -> tuple[float, int]:
        ok = 0
        queue = list(reversed(requests))
        connector = aiohttp.TCPConnector(limit=CONCURRENCY)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def worker():
                nonlocal ok
                while queue:
                    body, headers = queue.pop()
                    async with session.post(url, data=body, headers=headers) as resp:
                        await resp.read()
                        ok += resp.status == 202

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            return time.perf_counter() - start, ok

    elapsed, ok = asyncio.run(fire())
    out.put((elapsed, ok))


def _receivers(ports: list[int], ready) -> None:
    async def main():
        async def accept(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(status=202)

        app = web.Application()
        app.router.add_post("/inbox/{i}", accept)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        for port in ports:
            await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def run_loadgen(pem: str, actor_base: str, url: str, n: int, tag: str) -> tuple[float, int]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_loadgen, args=(pem, actor_base, url, n, tag, out))
    proc.start()
    return proc, out


# -- in-process servers -------------------------------------------------------------------


async def fake_actor_server(pem_public: str) -> tuple[web.AppRunner, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    async def actor(request: web.Request) -> web.Response:
        actor_id = base + request.path
        doc = {"@context": CONTEXT, "id": actor_id, "type": "Person", "inbox": actor_id + "/inbox",
               "publicKey": {"id": actor_id + "#main-key", "owner": actor_id,
                             "publicKeyPem": pem_public}}  # fmt: skip
        return web.Response(text=json.dumps(doc), content_type=AS2_MEDIA_TYPE)

    app = web.Application()
    app.router.add_get("/{tail:.*}", actor)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, base


async def bare_server(public_key) -> tuple[web.AppRunner, str]:
    port = free_port()

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        json.loads(body)
        parsed = parse_signature("POST", request.path_qs, request.headers, body)
        result = verify_parsed(parsed, public_key, datetime.now(UTC))
        return web.Response(status=202 if result else 401)

    app = web.Application()
    app.router.add_post("/inbox", handle)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/inbox"


async def wait_loadgen(proc, out) -> tuple[float, int]:
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(None, out.get)
    await loop.run_in_executor(None, proc.join)
    return result


async def start_node(tmp: Path):
    from tests.federation.harness import start_node as start

    return await start(tmp, 0, workers=True, inbox_rate_per_minute=10**9,
                       inbox_rate_per_address_per_minute=10**9,
                       delivery_concurrency_per_host=8, delivery_timeout_seconds=20.0,
                       inbox_max_bytes=1 << 20)  # fmt: skip


# -- the three measurements ----------------------------------------------------------------


async def bench_inbox(tmp: Path) -> dict:
    key = keys.generate_rsa()
    pem, public = keys.private_pem(key), key.public_key()
    actors_runner, actor_base = await fake_actor_server(keys.public_pem(key))
    bare_runner, bare_url = await bare_server(public)
    node = await start_node(tmp / "inbox")
    node.fed.inbox_worker.handlers.clear()
    try:
        proc, out = run_loadgen(pem, actor_base, bare_url, INBOX_REQUESTS, "bare")
        bare_s, bare_ok = await wait_loadgen(proc, out)
        url = node.base_url + "/inbox"
        proc, out = run_loadgen(pem, actor_base, url, INBOX_REQUESTS, "ours")
        ours_s, ours_ok = await wait_loadgen(proc, out)
    finally:
        await node.stop()
        await bare_runner.cleanup()
        await actors_runner.cleanup()
    ours, bare = ours_ok / ours_s, bare_ok / bare_s
    return {"inbox_accepted_per_s": round(ours), "inbox_bare_ceiling_per_s": round(bare),
            "inbox_ratio": round(ours / bare, 3), "inbox_ok": ours_ok,
            "inbox_requests": INBOX_REQUESTS}  # fmt: skip


def inbox_urls(ports: list[int]) -> list[str]:
    per = FANOUT // len(ports)
    return [f"http://127.0.0.1:{p}/inbox/{i}" for p in ports for i in range(per)]


async def bench_fanout(tmp: Path) -> dict:
    ctx = mp.get_context("spawn")
    ports = [free_port() for _ in range(PORTS)]
    ready = ctx.Event()
    proc = ctx.Process(target=_receivers, args=(ports, ready), daemon=True)
    proc.start()
    await asyncio.get_running_loop().run_in_executor(None, ready.wait)
    urls = inbox_urls(ports)
    node = await start_node(tmp / "fanout")
    try:
        bare = await bare_fanout(node, urls)
        now = node.fed.clock()
        rows = [{"follower": u.replace("/inbox/", "/actor/"), "target": node.actor_url,
                 "follow_id": u + "#f", "inbox": u, "shared_inbox": None, "state": "accepted",
                 "created_at": now} for u in urls]  # fmt: skip
        await node.fed.store.write(lambda db: db["followers"].insert_all(rows))
        activity = {"@context": CONTEXT, "id": node.base_url + "/activities/bench",
                    "type": "Create", "actor": node.actor_url,
                    "object": {"id": node.base_url + "/items/bench", "type": "Note",
                               "content": "bench"}}  # fmt: skip
        start = time.perf_counter()
        await node.fed.publish(activity, [node.actor_url + "/followers"])
        while True:
            done = await node.fed.store.read(delivered_count)
            if done >= FANOUT:
                break
            await asyncio.sleep(0.01)
        reach = time.perf_counter() - start
    finally:
        await node.stop()
        proc.terminate()
    ours = FANOUT / reach
    return {
        "fanout_deliveries_per_s": round(ours),
        "fanout_bare_ceiling_per_s": round(bare),
        "fanout_ratio": round(ours / bare, 3),
        "reach_1000_inboxes_s": round(reach, 3),
    }


def delivered_count(db) -> int:
    return db.execute("SELECT count(*) FROM deliveries WHERE state = 'delivered'").fetchone()[0]


async def bare_fanout(node, urls: list[str]) -> float:
    """Sign and POST the same body to every inbox, same per-host limit, no bookkeeping."""
    actor = node.fed.actor
    body = json.dumps({"@context": CONTEXT, "id": node.base_url + "/activities/bare",
                       "type": "Create", "actor": actor.actor_url}).encode()  # fmt: skip
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=8)
    async with aiohttp.ClientSession(connector=connector) as session:
        sem = asyncio.Semaphore(512)

        async def one(url: str) -> None:
            async with sem:
                headers = sign_cavage("POST", url, {"Content-Type": AS2_MEDIA_TYPE}, body,
                                      actor.rsa_key_id, actor.rsa_private_key,
                                      datetime.now(UTC))  # fmt: skip
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()

        start = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        return len(urls) / (time.perf_counter() - start)


async def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        results = await bench_inbox(Path(tmp))
        results.update(await bench_fanout(Path(tmp)))
    return results


def main() -> dict:
    results = asyncio.run(run())
    for name, value in results.items():
        print(f"{name:32} {value}")
    return results


if __name__ == "__main__":
    main()
