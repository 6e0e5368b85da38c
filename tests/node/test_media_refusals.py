"""Every bad upload gets a clear 4xx with a reason and leaves nothing half-stored."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import aiohttp
import pytest

from tests.node import media_fixtures as fx


def assert_clean(node, *, blobs: int = 0) -> None:
    """No media row, no temp file, no blob (beyond ``blobs`` that existed before)."""
    media_dir = node.settings.media_dir
    assert fx.media_rows(node.settings.db_path) == 0
    assert fx.leftovers(media_dir) == []
    assert len(fx.blobs(media_dir)) == blobs


async def post(node, http, item_id, data, *, scope="write", headers=None, query=""):
    hdrs = {**(node.auth(scope) if scope else {}), **(headers or {})}
    async with http.post(
        node.url(f"/api/v1/items/{item_id}/media{query}"), data=data, headers=hdrs
    ) as resp:
        text = await resp.text()
        body = json.loads(text) if resp.content_type.endswith("json") else {"detail": text}
        return resp.status, body


async def eventually_clean(node, seconds: float = 5.0) -> None:
    """The server notices a vanished client asynchronously; give it a moment."""
    for _ in range(int(seconds / 0.05)):
        if not fx.leftovers(node.settings.media_dir):
            break
        await asyncio.sleep(0.05)
    assert_clean(node)


async def test_truncated_upload_client_disconnects_mid_body(node, http):
    item_id = await fx.new_item(node, http)
    body = fx.jpeg((2000, 1500), "teal") + b"\x00" * 3_000_000
    half = len(body) // 2
    url = urlsplit(node.base_url)
    host, port = url.hostname, url.port
    _reader, writer = await asyncio.open_connection(host, port)
    token = node.auth("write")["Authorization"]
    head = (
        f"POST /api/v1/items/{item_id}/media HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: {token}\r\nContent-Type: image/jpeg\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body[:half])
    await writer.drain()
    await asyncio.sleep(0.3)  # let the server start streaming into a temp file
    assert len(fx.leftovers(node.settings.media_dir)) == 1
    writer.close()
    await writer.wait_closed()
    await eventually_clean(node)


async def test_aiohttp_client_aborting_mid_stream(node, http):
    item_id = await fx.new_item(node, http)

    async def body():
        yield fx.jpeg((800, 600))
        for _ in range(20):
            yield b"\x00" * 65536
            await asyncio.sleep(0.01)
        raise RuntimeError("client gave up")

    with pytest.raises((aiohttp.ClientError, RuntimeError)):
        await post(node, http, item_id, body(), headers={"Content-Length": str(10**7)})
    await eventually_clean(node)


@pytest.mark.parametrize(
    "data, headers, reason",
    [
        (b"", {}, "empty"),
        (b"", {"Content-Type": "image/jpeg"}, "empty"),
        (
            b'--x\r\nContent-Disposition: form-data; name="alt"\r\n\r\nhi\r\n--x--\r\n',
            {"Content-Type": "multipart/form-data; boundary=x"},
            "no 'file' field",
        ),
        (b"abc", {"Content-Type": "multipart/mixed; boundary=x"}, "multipart/form-data"),
    ],
)
async def test_missing_file_or_wrong_content_type(node, http, data, headers, reason):
    item_id = await fx.new_item(node, http)
    status, body = await post(node, http, item_id, data, headers=headers)
    assert status in (400, 415) and reason in body["detail"], body
    assert_clean(node)


async def test_over_the_limit_refused_by_content_length_and_while_streaming(node_factory, http):
    node = await node_factory(max_image_bytes=20_000)
    item_id = await fx.new_item(node, http)
    big = fx.jpeg((1500, 1000), "white") + b"\xff" * 50_000
    status, body = await post(node, http, item_id, big)
    assert status == 413 and "20000" in body["detail"], body
    assert_clean(node)

    async def chunked():  # no Content-Length: the limit must hold as bytes arrive
        for offset in range(0, len(big), 8192):
            yield big[offset : offset + 8192]

    status, body = await post(node, http, item_id, chunked())
    assert status == 413 and "image is larger" in body["detail"], body
    assert_clean(node)
    # a PDF of the same size is fine: limits are per category
    status, _ = await post(node, http, item_id, fx.pdf() + b"%" * 50_000)
    assert status == 201


async def test_html_named_jpg_is_refused(node, http):
    item_id = await fx.new_item(node, http)
    form = aiohttp.FormData()
    form.add_field(
        "file",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        filename="photo.jpg",
        content_type="image/jpeg",
    )
    status, body = await post(node, http, item_id, form)
    assert status == 415, body
    assert "content is text/html, not an accepted media type" in body["detail"]
    assert_clean(node)


@pytest.mark.parametrize(
    "data, headers, query",
    [
        (fx.pdf(), {"Content-Type": "image/jpeg"}, ""),
        (fx.jpeg(), {}, "?filename=report.pdf"),
        (fx.jpeg(), {"Content-Type": "video/mp4"}, ""),
    ],
)
async def test_content_contradicting_the_claimed_type_is_refused(node, http, data, headers, query):
    item_id = await fx.new_item(node, http)
    status, body = await post(node, http, item_id, data, headers=headers, query=query)
    assert status == 415 and body["detail"].startswith("content is "), body
    assert_clean(node)


async def test_corrupt_image_is_refused(node, http):
    item_id = await fx.new_item(node, http)
    garbage = fx.jpeg()[:200] + bytes(range(256)) * 40
    status, body = await post(node, http, item_id, garbage, query="?filename=kapot.jpg")
    assert status == 422 and "corrupt image" in body["detail"], body
    assert_clean(node)


async def test_decompression_bomb_is_refused(node_factory, http):
    node = await node_factory(max_image_pixels=1_000_000)
    item_id = await fx.new_item(node, http)
    bomb = fx.png_bomb()
    assert len(bomb) < 200_000
    status, body = await post(node, http, item_id, bomb)
    assert status == 422 and "decompression bomb" in body["detail"], body
    assert body["type"].endswith("decompression-bomb")
    assert_clean(node)


@fx.needs_ffmpeg
async def test_corrupt_video_is_refused(node, http, tmp_path):
    item_id = await fx.new_item(node, http, "video")
    clip = fx.mp4(tmp_path)
    broken = clip[:32] + b"\x00" * 5000
    status, body = await post(node, http, item_id, broken)
    assert status == 422 and "corrupt video" in body["detail"], body
    assert_clean(node)


async def test_path_traversal_name_only_names_the_download(node, http):
    item_id = await fx.new_item(node, http)
    form = aiohttp.FormData()
    form.add_field(
        "file", fx.pdf(), filename="../../etc/passwd.pdf", content_type="application/pdf"
    )
    status, body = await post(node, http, item_id, form)
    assert status == 201, body
    assert body["original_name"] == "passwd.pdf"
    stored = fx.blobs(node.settings.media_dir)
    assert [p.name for p in stored] == [body["sha256"]]
    assert not (node.settings.data_dir.parent / "etc").exists()
    status, body = await post(
        node,
        http,
        item_id,
        fx.pdf() + b" ",
        headers={"Content-Disposition": 'attachment; filename="..\\..\\x"'},
    )
    assert (status, body["original_name"]) == (201, "x")
    raw = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="../../../tmp/evil"'
        b"\r\nContent-Type: application/pdf\r\n\r\n" + fx.pdf() + b"  \r\n--b--\r\n"
    )
    status, body = await post(
        node, http, item_id, raw, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert (status, body["original_name"]) == (201, "evil")
    assert fx.leftovers(node.settings.media_dir) == []


async def test_scopes_are_enforced_before_reading(node, http):
    item_id = await fx.new_item(node, http)
    status, body = await post(node, http, item_id, fx.jpeg(), scope="read")
    assert status == 403 and "write" in body["detail"]
    status, body = await post(node, http, item_id, fx.jpeg(), scope=None)
    assert status == 401
    status, body = await post(node, http, "nope", fx.jpeg())
    assert status == 404
    assert_clean(node)


async def test_refused_upload_keeps_an_existing_shared_blob(node, http):
    item_id = await fx.new_item(node, http)
    status, body = await post(node, http, item_id, fx.pdf())
    assert status == 201
    status, _ = await post(node, http, item_id, fx.pdf(), headers={"Content-Type": "audio/mpeg"})
    assert status == 415
    assert [p.name for p in fx.blobs(node.settings.media_dir)] == [body["sha256"]]
    assert fx.media_rows(node.settings.db_path) == 1
