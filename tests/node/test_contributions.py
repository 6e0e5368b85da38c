"""Contributions via the public form: queue, moderation API, refusals, GPS stripping, e-mail."""

from __future__ import annotations

import asyncio
import io
import re

import aiohttp
from PIL import Image

from node.contributions import formtoken
from node.core.appkeys import DB, IDENTITY
from node.sharing.services import SERVICES
from tests.integration.network import api

GPS = 0x8825


def gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[GPS] = {1: "N", 2: (52.0, 4.0, 30.0), 3: "E", 4: (4.0, 18.0, 0.0)}
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), "blue").save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


async def form_token(http, node, lang: str = "") -> str:
    async with http.get(node.url("/contribute" + lang)) as r:
        assert r.status == 200
        page = await r.text()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def form_data(token: str | None, files=(), **fields) -> aiohttp.FormData:
    data = aiohttp.FormData(default_to_multipart=True)
    if token is not None:
        data.add_field("form_token", token)
    values = {
        "name": "Jan Burger",
        "contact": "jan@example.org",
        "text": "Brand aan de Markt, vanavond 21 uur.",
        "licence": "CC-BY-4.0",
        "consent": "yes",
        **fields,
    }
    for key, value in values.items():
        if value is not None:
            data.add_field(key, value)
    for name, body, kind in files:
        data.add_field("files", body, filename=name, content_type=kind)
    return data


async def post_form(http, node, data, headers=None) -> tuple[int, str]:
    async with http.post(node.url("/contribute"), data=data, headers=headers or {}) as r:
        return r.status, await r.text()


async def queue(http, node, status: str | None = None) -> list[dict]:
    query = f"?status={status}" if status else ""
    return (await api(http, node, "GET", f"/api/v1/contributions{query}", expect=200))[
        "contributions"
    ]


async def contribute(http, node, files=(), **fields) -> dict:
    status, page = await post_form(
        http, node, form_data(await form_token(http, node), files, **fields)
    )
    assert status == 201, page
    return (await queue(http, node))[0]


async def test_form_page_is_dutch_with_token_and_english_on_request(node, http):
    async with http.get(node.url("/contribute")) as r:
        page = await r.text()
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert '<html lang="nl">' in page and "Versturen" in page
    assert 'enctype="multipart/form-data"' in page and 'name="consent"' in page
    async with http.get(node.url("/contribute"), headers={"Accept-Language": "en"}) as r:
        assert '<html lang="en">' in await r.text()


async def test_form_contribution_lands_in_queue_with_notification_and_webhook(node, http):
    hook = await api(
        http,
        node,
        "POST",
        "/api/v1/webhooks",
        json={"url": node.url("/healthz"), "events": ["contribution.received"]},
        expect=201,
    )
    photo = gps_jpeg()
    row = await contribute(http, node, files=[("brand.jpg", photo, "image/jpeg")])
    assert row["source"] == "web" and row["status"] == "pending"
    assert row["name"] == "Jan Burger" and row["contact"] == "jan@example.org"
    assert row["licence"] == "CC-BY-4.0" and row["consent"] is True
    [media] = row["media"]
    assert media["size"] == len(photo) and media["media_type"] == "image/jpeg"
    assert media["original_name"] == "brand.jpg"
    # no item media row exists yet, but the blob is in the store for the moderator
    async with http.get(
        node.url(f"/api/v1/contributions/{row['id']}/media/0"), headers=node.auth("read")
    ) as r:
        assert r.status == 200 and await r.read() == photo
    notes = await api(http, node, "GET", "/api/v1/notifications", expect=200)
    assert any(n["title"] == "Nieuwe bijdrage van Jan Burger" for n in notes["items"])
    deliveries = await api(http, node, "GET", f"/api/v1/webhooks/{hook['id']}/deliveries")
    [delivery] = deliveries["deliveries"]
    assert delivery["event"] == "contribution.received"
    items = await api(http, node, "GET", "/api/v1/items", expect=200)
    assert items["items"] == []


async def test_accept_makes_draft_item_credited_without_gps(node, http):
    row = await contribute(http, node, files=[("brand.jpg", gps_jpeg(), "image/jpeg")])
    item = await api(
        http, node, "POST", f"/api/v1/contributions/{row['id']}/accept", scope="write", expect=201
    )
    assert item["kind"] == "photo" and item["credit"] == "Jan Burger"
    assert item["author"] == "Jan Burger" and item["licence"] == "CC-BY-4.0"
    assert item["provenance"]["source"] == "contribution"
    assert item["provenance"]["contribution_id"] == row["id"]
    assert "Brand aan de Markt" in item["body"]
    audience = await api(http, node, "GET", f"/api/v1/items/{item['id']}/audience", expect=200)
    assert audience["public"] is False  # a draft: nothing published by accepting
    [media] = item["media"]
    info = await api(http, node, "GET", f"/api/v1/media/{media['id']}/info", expect=200)
    assert set(info["renditions"]) >= {"thumbnail", "medium"}
    for url in [media["url"].replace("/media/", "/api/v1/media/"), *info["renditions"].values()]:
        async with http.get(url, headers=node.auth("read")) as r:
            assert r.status == 200, url
            image = Image.open(io.BytesIO(await r.read()))
            assert not image.getexif().get_ifd(GPS), url
            assert GPS not in image.getexif(), url
    original_exif = None
    async with http.get(info["url"], headers=node.auth("read")) as r:
        original_exif = Image.open(io.BytesIO(await r.read())).getexif()
    assert original_exif.get(0x010F) == "TestCam"  # camera data kept, only location gone
    accepted = await api(http, node, "GET", f"/api/v1/contributions/{row['id']}", expect=200)
    assert accepted["status"] == "accepted" and accepted["item_id"] == item["id"]
    # accepting twice is a conflict, and makes no second item
    again = await api(
        http, node, "POST", f"/api/v1/contributions/{row['id']}/accept", scope="write"
    )
    assert again["status"] == 409
    items = await api(http, node, "GET", "/api/v1/items", expect=200)
    assert len(items["items"]) == 1


async def test_moderation_needs_scopes_and_filters_by_status(node, http):
    row = await contribute(http, node, text="Alleen een tip")
    async with http.get(node.url("/api/v1/contributions")) as r:
        assert r.status == 401
    got = await api(http, node, "POST", f"/api/v1/contributions/{row['id']}/accept", scope="read")
    assert got["status"] == 403
    assert [c["id"] for c in await queue(http, node, "pending")] == [row["id"]]
    assert await queue(http, node, "accepted") == []
    bad = await api(http, node, "GET", "/api/v1/contributions?status=maybe")
    assert bad["status"] == 422
    item = await api(
        http, node, "POST", f"/api/v1/contributions/{row['id']}/accept", scope="write", expect=201
    )
    assert item["kind"] == "article" and item["media"] == []


async def test_reject_without_smtp_stores_reason_and_sends_nothing(node, http):
    row = await contribute(http, node, files=[("brand.jpg", gps_jpeg(), "image/jpeg")])
    result = await api(
        http,
        node,
        "POST",
        f"/api/v1/contributions/{row['id']}/reject",
        scope="write",
        json={"reason": "Onscherp"},
        expect=200,
    )
    assert result["status"] == "rejected" and result["reason"] == "Onscherp"
    assert result["notified"] == "none"
    store = node.app[SERVICES].media_store
    assert not store.path_for(row["media"][0]["sha256"]).exists()  # the citizen's file is gone
    again = await api(
        http, node, "POST", f"/api/v1/contributions/{row['id']}/reject", json={"reason": "x"}
    )
    assert again["status"] == 409


async def smtp_sink() -> tuple[asyncio.Server, list[bytes], int]:
    """A tiny SMTP server that keeps what it is sent (enough for smtplib)."""
    received: list[bytes] = []

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink\r\n")
        data_mode, body = False, b""
        while line := await reader.readline():
            if data_mode:
                if line == b".\r\n":
                    received.append(body)
                    data_mode, body = False, b""
                    writer.write(b"250 ok\r\n")
                else:
                    body += line
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                data_mode = True
                writer.write(b"354 go\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    return server, received, server.sockets[0].getsockname()[1]


async def test_reject_sends_dutch_email_when_smtp_configured(node_factory, http):
    server, received, port = await smtp_sink()
    async with server:
        node = await node_factory(smtp_url=f"smtp://127.0.0.1:{port}")
        row = await contribute(http, node, text="Tip over de brug")
        result = await api(
            http,
            node,
            "POST",
            f"/api/v1/contributions/{row['id']}/reject",
            json={"reason": "Al bekend bij de redactie"},
            expect=200,
        )
    assert result["notified"] == "email"
    [mail] = received
    text = mail.decode()
    assert "To: jan@example.org" in text and "Subject: Je bijdrage aan" in text
    assert "Al bekend bij de redactie" in text and "Dag Jan Burger" in text


# -- refusals -----------------------------------------------------------------------------


async def count_rows(node) -> int:
    return await node.app[DB].read(
        lambda d: (
            d.execute("SELECT count(*) FROM contributions").fetchone()[0]
            + d.execute("SELECT count(*) FROM contribution_media").fetchone()[0]
        )
    )


def tmp_files(node) -> list:
    return list((node.settings.media_dir / "tmp").iterdir())


async def test_flood_from_one_address_gets_429_in_dutch(node_factory, http):
    node = await node_factory(contribution_max_per_hour=3)
    for _ in range(3):
        await contribute(http, node, text="tip")
    token = await form_token(http, node)
    status, page = await post_form(http, node, form_data(token, text="nog een"))
    assert status == 429
    assert "afgelopen uur al 3 bijdragen" in page
    assert len(await queue(http, node)) == 3


async def test_missing_consent_is_refused_and_nothing_stored(node, http):
    token = await form_token(http, node)
    files = [("brand.jpg", gps_jpeg(), "image/jpeg")]
    status, page = await post_form(http, node, form_data(token, files, consent=None))
    assert status == 422 and "toestemming" in page
    assert await count_rows(node) == 0 and tmp_files(node) == []
    assert not any(p.is_file() for p in node.settings.media_dir.rglob("*") if "tmp" not in p.parts)


async def test_file_over_the_limit_is_refused(node_factory, http):
    node = await node_factory(max_image_bytes=10_000)
    token = await form_token(http, node)
    big = [("groot.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50_000, "image/png")]
    status, page = await post_form(http, node, form_data(token, big))
    assert status == 413 and "groter dan we aannemen" in page
    assert await count_rows(node) == 0 and tmp_files(node) == []


async def test_wrong_or_missing_form_token_is_403(node, http):
    real = await form_token(http, node)
    forged = real.rsplit(".", 1)[0] + ".AAAA"
    old = formtoken.make_token(
        formtoken.form_key(node.app[IDENTITY].ed25519_private_pem),
        now=1_000_000,
    )
    for token in (forged, old, None):
        files = [("brand.jpg", gps_jpeg(), "image/jpeg")]
        status, page = await post_form(http, node, form_data(token, files))
        assert status == 403, token
        assert "verlopen" in page
    assert await count_rows(node) == 0 and tmp_files(node) == []


async def test_bad_fields_are_refused_with_reasons(node, http):
    cases = [
        ({"name": ""}, "naam of pseudoniem"),
        ({"contact": "geen-adres"}, "e-mailadres"),
        ({"licence": "CC-BY-NC-4.0"}, "licenties"),
        ({"text": ""}, "Stuur een bestand"),
    ]
    for fields, words in cases:
        status, page = await post_form(
            http, node, form_data(await form_token(http, node), **fields)
        )
        assert status == 422 and words in page, (fields, page)
    status, page = await post_form(
        http,
        node,
        form_data(await form_token(http, node), [("x.jpg", b"<html><script>", "image/jpeg")]),
    )
    assert status == 415
    assert await count_rows(node) == 0 and tmp_files(node) == []
