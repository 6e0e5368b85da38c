"""Helpers for tests with several real nodes federating on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any

from PIL import Image

from node.core.appkeys import DB


async def wait_for(
    check: Callable[[], Awaitable[Any]], within: float = 15.0, what: str = "condition"
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` on timeout."""
    deadline = time.monotonic() + within
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


async def backfill_in_state(
    node, partner: str, states: tuple[str, ...], within: float = 15.0, what: str = "back-fill"
) -> dict:
    """Poll ``node``'s partners row ``partner`` until its back-fill is in one of ``states``;
    that row."""

    async def reached():
        row = await node.app[DB].read(lambda d: d["partners"].get(partner))
        return row["backfill_state"] in states and row

    return await wait_for(reached, within=within, what=what)


def png_bytes(colour: str = "red", size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


async def api(
    http, node, method: str, path: str, scope: str = "admin", expect: int | None = None, **kwargs
) -> Any:
    async with http.request(method, node.url(path), headers=node.auth(scope), **kwargs) as r:
        body = await r.json() if r.content_type.endswith("json") else await r.text()
        if expect is not None:
            assert r.status == expect, f"{method} {path}: {r.status} {body}"
        return body


async def actor_url(node) -> str:
    return node.url("/actor")


async def make_partners(http, a, b) -> None:
    """A asks B; B's admin accepts; both sides end active."""
    await api(http, a, "POST", "/api/v1/partners", json={"handle": await actor_url(b)}, expect=201)

    async def incoming():
        listed = await api(http, b, "GET", "/api/v1/partners")
        return next((p for p in listed["incoming"] if p["actor"] == a.url("/actor")), None)

    request = await wait_for(incoming, what="the partnership request to arrive")
    await api(http, b, "POST", f"/api/v1/partners/{request['id']}/accept", expect=200)
    for x, y in ((a, b), (b, a)):

        async def active(x=x, y=y):
            listed = await api(http, x, "GET", "/api/v1/partners")
            return any(p["actor"] == y.url("/actor") for p in listed["partners"])

        await wait_for(active, what=f"{x.base_url} to see {y.base_url} as active partner")


async def create_item_with_photo(http, node, **fields) -> dict:
    body = {
        "kind": "photo",
        "title": "Markt op het Plein",
        "credit": "Foto: Anna de Vries",
        "licence": "CC-BY-4.0",
        "usage_terms": "Alleen met naamsvermelding",
        "tags": ["markt"],
        **fields,
    }
    item = await api(http, node, "POST", "/api/v1/items", json=body, expect=201)
    await api(
        http,
        node,
        "POST",
        f"/api/v1/items/{item['id']}/media?filename=markt.png",
        data=png_bytes(),
        expect=201,
    )
    return await api(http, node, "GET", f"/api/v1/items/{item['id']}")


class ProcessNode:
    """A node running as a real process (node.app.devnet.NodeProcess), in the shape the
    helpers above expect (``base_url``, ``url``, ``auth``)."""

    def __init__(self, process) -> None:
        self.process = process

    @property
    def base_url(self) -> str:
        return self.process.base_url

    def url(self, path: str) -> str:
        return self.process.base_url + path

    def auth(self, scope: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.process.token}"}
