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


async def test_ics_upload_creates_draft_events(node, http):
    status, _, body = await upload(http, node, ics("agenda.ics"))
    assert status == 201, body
    assert body["count"] == 4
    assert [i["kind"] for i in body["items"]] == ["event"] * 4
    assert body["items"][3]["notes"] == ["recurring: only the first occurrence was imported"]
    first = body["items"][0]["id"]
    async with http.get(node.url(f"/api/v1/items/{first}"), headers=node.auth("read")) as r:
        item = await r.json()
    assert item["details"]["start"] == "2026-12-05T18:00:00.000000Z"
    assert item["details"]["place"]["name"] == "Paard"
    assert item["details"]["organiser"] == "Paard Den Haag"
    for created in body["items"]:  # drafts: not shared, not in the mediatheek, not public
        url = node.url(f"/api/v1/items/{created['id']}/audience")
        async with http.get(url, headers=node.auth("read")) as r:
            audience = await r.json()
        assert (audience["partners"], audience["mediatheek"], audience["public"]) == (
            [],
            False,
            False,
        )
    async with http.get(node.url(f"/items/{first}")) as r:
        assert r.status == 404  # the public page does not show a draft


async def test_raw_text_calendar_body_is_accepted(node, http):
    async with http.post(
        node.url("/api/v1/imports"),
        data=ics("agenda.ics"),
        headers={**node.auth("write"), "Content-Type": "text/calendar"},
    ) as r:
        assert r.status == 201
    assert len(await stored(http, node)) == 4


async def test_end_before_start_is_refused_naming_the_event_and_field(node, http):
    body = await refused(http, node, ics("end-before-start.ics"), 422, "invalid-item")
    assert (body["index"], body["field"]) == (1, "details.end")
    assert "Eindigt voor het begint" in body["detail"]


async def test_one_bad_event_late_in_a_file_stores_none_of_them(node, http):
    bad = vevent(99).replace("DTEND:20261205T200000Z", "DTEND:20261205T180000Z")
    body = await refused(http, node, calendar(vevent(1), vevent(2), bad), 422, "invalid-item")
    assert body["index"] == 3


async def test_hostile_html_is_sanitised_on_import(node, http):
    status, _, _ = await upload(http, node, ics("hostile.ics"))
    assert status == 201
    (item,) = await stored(http, node)
    for field in ("title", "summary", "body"):
        assert "<script" not in item[field] and "onerror" not in item[field]


async def test_page_with_json_ld_imports_events_and_a_vacancy(node, http, page_server):
    pages, base = page_server
    pages["/agenda"] = ((VECTORS / "jsonld" / "agenda-en-vacatures.html").read_bytes(), "text/html")
    async with http.post(
        node.url("/api/v1/imports"), json={"url": base + "/moved"}, headers=node.auth("write")
    ) as r:
        body = await r.json()
        assert r.status == 201, body
    assert [i["kind"] for i in body["items"]] == ["event", "vacancy", "event"]
    vacancy_id = body["items"][1]["id"]
    async with http.get(node.url(f"/api/v1/items/{vacancy_id}"), headers=node.auth("read")) as r:
        vacancy = await r.json()
    assert vacancy["details"]["closing_date"] == "2027-01-15"
    assert vacancy["expires_at"] == "2027-01-15T22:59:59.999999Z"  # the closing date is the expiry
    assert vacancy["details"]["employer"] == "Omroep West"
    festival = next(i for i in await stored(http, node) if i["title"].startswith("Mediahaven"))
    assert "<script" not in festival["body"] and "evil.example" not in festival["body"]


async def test_vacancy_with_a_past_closing_date_is_refused(node, http, page_server):
    pages, base = page_server
    pages["/oud"] = (
        b'<html><script type="application/ld+json">{"@context": "https://schema.org",'
        b' "@type": "JobPosting", "title": "Verlopen", "validThrough": "2020-01-31",'
        b' "jobLocation": "Den Haag", "url": "https://example.org/v"}</script></html>',
        "text/html",
    )
    async with http.post(
        node.url("/api/v1/imports"), json={"url": base + "/oud"}, headers=node.auth("write")
    ) as r:
        body = await r.json(content_type=None)
    assert r.status == 422 and body["field"] == "details.closing_date", body
    assert "past" in body["detail"]
    assert await stored(http, node) == []


async def test_an_oversized_page_is_refused(node, http, page_server):
    pages, base = page_server
    pages["/groot"] = (b"<html>" + b" " * (MAX_BYTES + 10) + b"</html>", "text/html")
    async with http.post(
        node.url("/api/v1/imports"), json={"url": base + "/groot"}, headers=node.auth("write")
    ) as r:
        body = await r.json(content_type=None)
    assert (r.status, body["reason"], body["limit"]) == (413, "too-large", MAX_BYTES)


async def test_import_answers_match_the_openapi_document(node, http):
    from jsonschema.validators import Draft202012Validator

    async with http.get(node.url("/api/v1/openapi.json")) as r:
        document = await r.json()
    op = document["paths"]["/api/v1/imports"]["post"]
    assert {"multipart/form-data", "text/calendar", "application/json"} <= set(
        op["requestBody"]["content"]
    )

    def check(status: int, body: dict, content_type: str) -> None:
        schema = op["responses"][str(status)]["content"][content_type]["schema"]
        Draft202012Validator({**schema, "components": document["components"]}).validate(body)

    status, _, body = await upload(http, node, ics("agenda.ics"))
    check(status, body, "application/json")
    status, content_type, body = await upload(http, node, ics("floating.ics"))
    check(status, body, content_type)
