"""WordPress plugin sync: a real node process and a real WordPress (Debian's, MariaDB, php).

- Full sync of N public articles (default 1,000) from ``since=0``: items per second.
- Full sync of M photo items (default 50), each photo sideloaded into the media library.
- An incremental sync when nothing changed (the cost of each WP-Cron run).

The node is pinned to core 0 and PHP to core 1 when ``taskset`` exists.  No ceiling: the
figure reported is items/s; every stage runs under its own timeout.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import aiohttp
from PIL import Image

from node.app.devnet import NodeProcess, create_node

ITEMS = int(os.environ.get("MEDIAKRING_BENCH_WP_ITEMS", "1000"))
PHOTOS = int(os.environ.get("MEDIAKRING_BENCH_WP_PHOTOS", "50"))
STAGE_TIMEOUT = float(os.environ.get("MEDIAKRING_BENCH_WP_TIMEOUT", "900"))


async def _call(session, node: NodeProcess, method: str, path: str, **kwargs):
    headers = {"Authorization": f"Bearer {node.token}"}
    async with session.request(method, node.base_url + path, headers=headers, **kwargs) as r:
        body = await r.json(content_type=None)
        if r.status >= 400:
            raise RuntimeError(f"{method} {path}: {r.status} {body}")
        return body


def _png(n: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (n % 256, (n * 7) % 256, (n * 13) % 256)).save(buf, "PNG")
    return buf.getvalue()


async def _seed(session, node: NodeProcess, count: int, photos: bool, offset: int) -> None:
    semaphore = asyncio.Semaphore(8)

    async def one(n: int) -> None:
        async with semaphore:
            item = await _call(
                session,
                node,
                "POST",
                "/api/v1/items",
                json={
                    "kind": "photo" if photos else "article",
                    "title": f"Bericht {n} uit de wijk",
                    "summary": "Samenvatting",
                    "body": f"<p>Tekst van bericht {n}.</p>",
                    "credit": "Redactie",
                    "licence": "CC-BY-4.0",
                    "tags": ["wijk"],
                },
            )
            if photos:
                await _call(
                    session,
                    node,
                    "POST",
                    f"/api/v1/items/{item['id']}/media?filename=f{n}.png",
                    data=_png(n),
                )
            await _call(
                session,
                node,
                "PUT",
                f"/api/v1/items/{item['id']}/audience",
                json={"partners": [], "mediatheek": False, "public": True},
            )

    await asyncio.gather(*(one(offset + n) for n in range(count)))


def _pin(site, core: str) -> None:
    """Run the site's php under taskset (the eval helper reads PHP from a file)."""
    if shutil.which("taskset"):
        site.php_prefix = ["taskset", "-c", core]


async def _sync(site) -> tuple[float, dict]:
    started = time.perf_counter()
    result = await site.php("return mediakring_sync();", within=STAGE_TIMEOUT)
    return time.perf_counter() - started, result


async def run() -> dict:
    from tests.wordpress.site import Site, missing

    gone = missing()
    if gone:
        return {"error": f"needs {', '.join(gone)} (make system-deps)", "rows": []}
    root = Path(tempfile.mkdtemp(prefix="mk-wp-bench-"))
    node = create_node(root, "Stadsomroep Bench")
    node.start()
    if node.process and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(node.process.pid, {0})
    site = Site(root / "wp").start()
    _pin(site, "1")
    rows = []
    try:
        report = _report_token(node)
        settings = {
            "node_url": node.base_url,
            "token": report,
            "status": "publish",
            "import_own": 1,
            "import_copies": 1,
        }
        await site.php(
            f"update_option('mediakring_settings', json_decode({json.dumps(json.dumps(settings))},"
            " true)); return true;"
        )
        async with aiohttp.ClientSession() as session:
            await asyncio.wait_for(_seed(session, node, ITEMS, False, 0), STAGE_TIMEOUT)
            seconds, result = await _sync(site)
            assert not result["error"], result["error"]
            count = await site.php(
                "return count(get_posts(['numberposts'=>-1,'fields'=>'ids',"
                "'meta_key'=>'_mediakring_uri']));"
            )
            assert count == ITEMS, f"{count} posts for {ITEMS} items"
            rows.append(_row(f"sync {ITEMS} articles (full, from since=0)", ITEMS / seconds))
            rows.append(
                {**_row(f"sync {ITEMS} articles: wall time", seconds), "unit": "s", "met": None}
            )
            idle, result = await _sync(site)
            assert result["applied"] == 0
            rows.append({**_row("incremental sync, nothing changed", idle), "unit": "s"})
            if PHOTOS:
                await asyncio.wait_for(_seed(session, node, PHOTOS, True, ITEMS), STAGE_TIMEOUT)
                seconds, result = await _sync(site)
                assert not result["error"], result["error"]
                atts = await site.php("return (int) wp_count_posts('attachment')->inherit;")
                assert atts == PHOTOS, f"{atts} attachments for {PHOTOS} photos"
                rows.append(_row(f"sync {PHOTOS} photo items (sideloaded)", PHOTOS / seconds))
    finally:
        site.stop()
        node.stop()
        shutil.rmtree(root, ignore_errors=True)
    return {"items": ITEMS, "photos": PHOTOS, "rows": rows}


def _report_token(node: NodeProcess) -> str:
    from node.core import accounts
    from node.core.db.database import connect

    db = connect(node.data_dir / "mediakring.db")
    db.conn.execute("BEGIN")
    token = accounts.create_token(db, "report", "wordpress-bench")[1]
    db.conn.execute("COMMIT")
    db.conn.close()
    return token


def _row(measure: str, value: float) -> dict:
    return {
        "measure": measure,
        "ours": round(value, 2),
        "ceiling": None,
        "peer": None,
        "unit": "items/s",
        "ratio": None,
        "target": "reported (no ceiling)",
        "met": None,
    }


def main() -> dict:
    return asyncio.run(run())


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
