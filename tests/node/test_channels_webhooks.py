"""Webhooks against a real receiver on 127.0.0.1: HMAC, retry after a 500, the log."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import pytest
from aiohttp import web

from node.core.appkeys import DB
from node.sharing.services import SERVICES
from node.sharing.webhooks import queue_event, wake
from tests.conftest import free_port
from tests.node.test_channels_support import make_item


class Receiver:
    """A loopback server that fails the first delivery with 500 and accepts the rest."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict, bytes]] = []
        self.secret = ""
        self.got = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.calls.append((dict(request.headers), body))
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers["X-Mediakring-Signature-256"], expected):
            return web.Response(status=401)
        if len(self.calls) == 1:
            return web.Response(status=500)
        self.got.set()
        return web.Response(status=204)


@pytest.fixture
async def receiver():
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


async def subscribe(http, node, url, events):
    async with http.post(
        node.url("/api/v1/webhooks"),
        headers=node.auth("admin"),
        json={"url": url, "events": events},
    ) as r:
        return r.status, await r.json()


async def test_published_item_is_delivered_signed_after_a_retry(node, http, receiver):
    status, hook = await subscribe(http, node, receiver.url, ["item.published"])
    assert status == 201 and len(hook["secret"]) == 64
    receiver.secret = hook["secret"]
    node.app[SERVICES].webhook_worker.base_delay = 0.05
    item = await make_item(node, public=False, title="Persbericht")
    for _ in range(2):  # the second time nothing changes, so no second event
        async with http.put(
            node.url(f"/api/v1/items/{item['id']}/audience"),
            headers=node.auth("admin"),
            json={"public": True},
        ) as r:
            assert r.status == 200, await r.text()
    await asyncio.wait_for(receiver.got.wait(), timeout=10)
    assert len(receiver.calls) == 2
    headers, body = receiver.calls[1]
    assert headers["X-Mediakring-Event"] == "item.published"
    assert int(headers["X-Mediakring-Timestamp"]) > 0
    payload = json.loads(body)
    assert (
        payload["id"]
        == headers["X-Mediakring-Delivery"]
        == receiver.calls[0][0]["X-Mediakring-Delivery"]
    )
    assert payload["data"]["item"]["title"] == "Persbericht"
    url = node.url(f"/api/v1/webhooks/{hook['id']}/deliveries")
    for _ in range(50):
        async with http.get(url, headers=node.auth("admin")) as r:
            log = (await r.json())["deliveries"]
        if log and log[0]["state"] == "delivered":
            break
        await asyncio.sleep(0.05)
    assert len(log) == 1
    delivery = log[0]
    assert (delivery["state"], delivery["attempts"], delivery["last_status"]) == (
        "delivered",
        2,
        204,
    )
    assert [a["status"] for a in delivery["log"]] == [500, 204]
    async with http.get(node.url("/api/v1/webhooks"), headers=node.auth("admin")) as r:
        listed = (await r.json())["webhooks"]
    assert listed[0]["id"] == hook["id"] and "secret" not in listed[0]


async def emit(app: web.Application, event: str, payload: dict) -> int:
    """What a use case does: queue the event in a transaction, wake the worker after."""
    queued = await app[DB].write(lambda d: queue_event(d, event, payload))
    wake(app)
    return queued


async def test_events_only_go_to_subscribers_and_delete_stops_them(node, http, receiver):
    _, hook = await subscribe(http, node, receiver.url, ["contribution.received"])
    assert await emit(node.app, "item.used_by_partner", {"x": 1}) == 0
    assert await emit(node.app, "contribution.received", {"x": 1}) == 1
    with pytest.raises(ValueError):
        await emit(node.app, "item.exploded", {})
    async with http.delete(
        node.url(f"/api/v1/webhooks/{hook['id']}"), headers=node.auth("admin")
    ) as r:
        assert r.status == 204
    async with http.get(
        node.url(f"/api/v1/webhooks/{hook['id']}/deliveries"), headers=node.auth("admin")
    ) as r:
        assert r.status == 404


@pytest.mark.parametrize(
    "url, events, reason",
    [
        ("javascript:alert(1)", ["item.published"], "only http and https"),
        ("ftp://files.example/hook", ["item.published"], "only http and https"),
        ("http://user:pw@hooks.example/", ["item.published"], "user name or password"),
        ("https://hooks.example/", ["item.deleted"], "unknown event"),
        ("https://hooks.example/", [], "non-empty list"),
    ],
)
async def test_bad_subscriptions_are_refused(node, http, url, events, reason):
    status, body = await subscribe(http, node, url, events)
    assert status == 422 and reason in body["detail"]


async def test_private_addresses_refused_unless_allowed(node_factory, http):
    strict = await node_factory("Gemeente", allow_private_network=False)
    for url in (
        "http://127.0.0.1:9/hook",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://localhost/hook",
    ):
        status, body = await subscribe(http, strict, url, ["item.published"])
        assert status == 422 and "not a public address" in body["detail"], url
    async with http.get(strict.url("/api/v1/webhooks"), headers=strict.auth("write")) as r:
        assert r.status == 403
