"""Rotating a webhook's secret and a wall screen's address: the old value is refused at
once, the new one works, and bad requests get a reason."""

from __future__ import annotations

import asyncio
import hashlib
import hmac

import pytest
from aiohttp import web

from node.sharing.services import SERVICES
from tests.conftest import free_port
from tests.node.test_channels_support import make_item
from tests.node.test_channels_wall import create_screen
from tests.node.test_channels_webhooks import emit, subscribe


def _signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Keeper:
    """A receiver that records every delivery and answers 204."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []
        self.got = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((request.headers["X-Mediakring-Signature-256"], await request.read()))
        self.got.set()
        return web.Response(status=204)


@pytest.fixture
async def keeper():
    rec = Keeper()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


async def test_rotated_webhook_secret_signs_and_the_old_one_no_longer_verifies(node, http, keeper):
    _, hook = await subscribe(http, node, keeper.url, ["contribution.received"])
    old = hook["secret"]
    node.app[SERVICES].webhook_worker.base_delay = 0.05
    await emit(node.app, "contribution.received", {"n": 1})
    await asyncio.wait_for(keeper.got.wait(), timeout=10)
    signature, body = keeper.calls[0]
    assert hmac.compare_digest(signature, _signature(old, body))

    async with http.post(
        node.url(f"/api/v1/webhooks/{hook['id']}/secret"), headers=node.auth("admin")
    ) as r:
        assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
        rotated = await r.json()
    new = rotated["secret"]
    assert len(new) == 64 and new != old and rotated["id"] == hook["id"]
    async with http.get(node.url("/api/v1/webhooks"), headers=node.auth("admin")) as r:
        assert "secret" not in (await r.json())["webhooks"][0]  # shown once, in the answer

    keeper.got.clear()
    await emit(node.app, "contribution.received", {"n": 2})
    await asyncio.wait_for(keeper.got.wait(), timeout=10)
    signature, body = keeper.calls[1]
    assert hmac.compare_digest(signature, _signature(new, body))
    assert not hmac.compare_digest(signature, _signature(old, body))


async def test_rotating_a_webhook_secret_is_refused_with_a_reason(node, http, keeper):
    _, hook = await subscribe(http, node, keeper.url, ["contribution.received"])
    async with http.post(node.url("/api/v1/webhooks/nope/secret"), headers=node.auth("admin")) as r:
        assert r.status == 404
        assert "no webhook" in (await r.json())["detail"]
    async with http.post(
        node.url(f"/api/v1/webhooks/{hook['id']}/secret"), headers=node.auth("write")
    ) as r:
        assert r.status == 403
    async with http.post(node.url(f"/api/v1/webhooks/{hook['id']}/secret")) as r:
        assert r.status == 401


async def test_rotated_wall_address_works_and_the_old_one_is_404(node, http):
    item = await make_item(node, public=True, title="Raadsvergadering")
    screen = await create_screen(http, node)
    async with http.put(
        node.url(f"/api/v1/wall-screens/{screen['id']}/items"),
        headers=node.auth("admin"),
        json={"items": [item["id"]]},
    ) as r:
        assert r.status == 200
    async with http.get(screen["url"]) as r:
        assert r.status == 200
    async with http.post(
        node.url(f"/api/v1/wall-screens/{screen['id']}/token"), headers=node.auth("admin")
    ) as r:
        assert r.status == 200, await r.text()
        rotated = await r.json()
    assert rotated["url"] != screen["url"] and rotated["token"] != screen["token"]
    assert rotated["items"] == [item["id"]] and rotated["name"] == screen["name"]
    for old in (screen["url"], screen["url"] + "/feed.json"):
        async with http.get(old) as r:
            assert r.status == 404, old
    async with http.get(rotated["url"] + "/feed.json") as r:
        assert r.status == 200
        assert (await r.json())["items"][0]["title"] == "Raadsvergadering"


async def test_rotating_a_wall_address_is_refused_with_a_reason(node, http):
    screen = await create_screen(http, node)
    async with http.post(
        node.url("/api/v1/wall-screens/nope/token"), headers=node.auth("admin")
    ) as r:
        assert r.status == 404 and "no wall screen" in (await r.json())["detail"]
    async with http.post(
        node.url(f"/api/v1/wall-screens/{screen['id']}/token"), headers=node.auth("read")
    ) as r:
        assert r.status == 403
    async with http.get(screen["url"]) as r:
        assert r.status == 200  # a refused rotation changes nothing
