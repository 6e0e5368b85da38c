"""Downloading media: sendfile with Range, a strong ETag that is the SHA-256, 304, 404."""

from __future__ import annotations

import os

from tests.node import media_fixtures as fx


async def uploaded(node, http, data: bytes, name: str = "verslag.pdf") -> dict:
    item_id = await fx.new_item(node, http, "document")
    async with http.post(
        node.url(f"/api/v1/items/{item_id}/media?filename={name}"),
        data=data,
        headers=node.auth("write"),
    ) as resp:
        assert resp.status == 201, await resp.text()
        return await resp.json()


async def test_download_has_type_name_and_strong_etag(node, http):
    data = fx.pdf() + os.urandom(100_000)
    media = await uploaded(node, http, data, "Jaarverslag 2025 — ré.pdf")
    async with http.get(media["url"], headers=node.auth("read")) as resp:
        assert resp.status == 200
        assert await resp.read() == data
        assert resp.headers["Content-Type"] == "application/pdf"
        assert resp.headers["ETag"] == f'"{media["sha256"]}"'
        assert resp.headers["Accept-Ranges"] == "bytes"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        disposition = resp.headers["Content-Disposition"]
        assert disposition.startswith("attachment; filename=")
        assert "filename*=UTF-8''Jaarverslag%202025%20%E2%80%94%20r%C3%A9.pdf" in disposition


async def test_if_none_match_gives_304(node, http):
    media = await uploaded(node, http, fx.pdf())
    etag = f'"{media["sha256"]}"'
    for header in (etag, f'"other", W/{etag}', "*"):
        async with http.get(
            media["url"], headers={**node.auth("read"), "If-None-Match": header}
        ) as resp:
            assert resp.status == 304, header
            assert resp.headers["ETag"] == etag
            assert await resp.read() == b""
    async with http.get(
        media["url"], headers={**node.auth("read"), "If-None-Match": '"stale"'}
    ) as resp:
        assert resp.status == 200
    async with http.get(media["url"], headers={**node.auth("read"), "If-Match": '"stale"'}) as resp:
        assert resp.status == 412


async def test_range_request_gives_206(node, http):
    data = fx.pdf() + os.urandom(50_000)
    media = await uploaded(node, http, data)
    headers = {**node.auth("read"), "Range": "bytes=100-199"}
    async with http.get(media["url"], headers=headers) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
        assert await resp.read() == data[100:200]
    headers["Range"] = "bytes=-10"
    async with http.get(media["url"], headers=headers) as resp:
        assert resp.status == 206 and await resp.read() == data[-10:]
    # If-Range with the current ETag keeps the range; a stale one gets the whole file
    headers = {**node.auth("read"), "Range": "bytes=0-9", "If-Range": f'"{media["sha256"]}"'}
    async with http.get(media["url"], headers=headers) as resp:
        assert resp.status == 206 and await resp.read() == data[:10]
    headers["If-Range"] = '"stale"'
    async with http.get(media["url"], headers=headers) as resp:
        assert resp.status == 200 and await resp.read() == data
    headers = {**node.auth("read"), "Range": f"bytes={len(data) + 10}-"}
    async with http.get(media["url"], headers=headers) as resp:
        assert resp.status == 416


async def test_rendition_and_info_and_unknown_ids(node, http):
    item_id = await fx.new_item(node, http)
    async with http.post(
        node.url(f"/api/v1/items/{item_id}/media"),
        data=fx.jpeg((900, 600)),
        headers=node.auth("write"),
    ) as resp:
        media = await resp.json()
    async with http.get(media["renditions"]["medium"], headers=node.auth("read")) as resp:
        assert resp.status == 200 and resp.content_type == "image/jpeg"
        assert resp.headers["Content-Disposition"].startswith("inline")
    for path in (
        f"/api/v1/media/{'x' * 20}",
        f"/api/v1/media/{'x' * 20}/info",
        f"/api/v1/media/{media['id']}/renditions/huge",
    ):
        async with http.get(node.url(path), headers=node.auth("read")) as resp:
            assert resp.status == 404
            assert resp.content_type == "application/problem+json"
    async with http.get(media["url"]) as resp:
        assert resp.status == 401
