"""POST /api/v1/imports on a real node: .ics uploads and JSON-LD pages served by a real server.

Every refusal is checked for its status and reason AND for leaving the library empty:
an import is all or nothing.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from node.items.imports import MAX_BYTES, MAX_ITEMS
from tests.conftest import free_port
from tests.node.test_import_parsing import calendar, vevent

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
PROBLEM = "application/problem+json"


def ics(name: str) -> bytes:
    return (VECTORS / "ical" / name).read_bytes()


async def upload(http, node, data: bytes, filename: str = "agenda.ics"):
    form = aiohttp.FormData()
    form.add_field("file", data, filename=filename, content_type="text/calendar")
    async with http.post(node.url("/api/v1/imports"), data=form, headers=node.auth("write")) as r:
        return r.status, r.content_type, await r.json(content_type=None)


async def stored(http, node) -> list[dict]:
    async with http.get(node.url("/api/v1/items?limit=200"), headers=node.auth("read")) as r:
        assert r.status == 200
        return (await r.json())["items"]


async def refused(http, node, data: bytes, status: int, reason: str) -> dict:
    got, content_type, body = await upload(http, node, data)
    assert (got, content_type) == (status, PROBLEM), body
    assert body["reason"] == reason, body
    assert await stored(http, node) == []
    return body


@pytest.fixture
async def page_server():
    """A real web server on 127.0.0.1 that serves pages by path."""
    pages: dict[str, tuple[bytes, str]] = {}

    async def handle(request: web.Request) -> web.Response:
        if request.path == "/moved":
            raise web.HTTPFound("/agenda")
        body, content_type = pages[request.path]
        return web.Response(body=body, content_type=content_type)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield pages, f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_too_large_upload_is_refused_before_parsing(node, http):
    body = await refused(http, node, b"BEGIN:VCALENDAR\r\n" + b"X" * (5 * 1024 * 1024), 413,
                         "too-large")  # fmt: skip
    assert body["limit"] == MAX_BYTES


async def test_ten_thousand_events_are_refused(node, http):
    body = await refused(
        http, node, calendar(*(vevent(n) for n in range(10_000))), 422, "too-many-events"
    )
    assert (body["count"], body["limit"]) == (10_000, MAX_ITEMS)


@pytest.mark.parametrize(
    ("name", "reason"),
    [("floating.ics", "no-time-zone"), ("malformed.ics", "malformed-ics"),
     ("truncated.ics", "malformed-ics"), ("no-events.ics", "no-events")],
)  # fmt: skip
async def test_bad_files_are_refused_and_store_nothing(node, http, name, reason):
    await refused(http, node, ics(name), 422, reason)


async def test_a_page_url_on_a_private_address_is_refused_by_a_public_node(
    node_factory, http, page_server
):
    node = await node_factory(allow_private_network=False)
    pages, base = page_server
    pages["/agenda"] = ((VECTORS / "jsonld" / "agenda-en-vacatures.html").read_bytes(), "text/html")
    async with http.post(
        node.url("/api/v1/imports"), json={"url": base + "/agenda"}, headers=node.auth("write")
    ) as r:
        body = await r.json(content_type=None)
    assert r.status == 422 and body["reason"] == "url-refused", body
    assert await stored(http, node) == []


async def test_unknown_body_type_and_missing_token(node, http):
    async with http.post(node.url("/api/v1/imports"), data=b"x", headers=node.auth("write")) as r:
        assert r.status == 415
    async with http.post(node.url("/api/v1/imports"), data=ics("agenda.ics")) as r:
        assert r.status == 401
    async with http.post(
        node.url("/api/v1/imports"), data=ics("agenda.ics"), headers=node.auth("read")
    ) as r:
        assert r.status == 403
