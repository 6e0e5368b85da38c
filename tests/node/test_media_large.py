"""A 300 MB upload end to end: the right digest and size, and nothing left on a broken body.

The source is a sparse file (a PDF header, then holes), so the test costs disk space
only on the node's side.  Also the store's own writer: many tiny socket buffers and
short ``writev`` writes still give every byte once, in order.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from urllib.parse import urlsplit

import aiohttp

from node.media import store as media_store
from node.media.detect import SNIFF_BYTES
from tests.node import media_fixtures as fx

SIZE = 300 * 1024 * 1024
HEAD = b"%PDF-1.7\n% mediakring large upload test\n"


def sparse_pdf(path) -> str:
    with path.open("wb") as fh:
        fh.write(HEAD)
        fh.truncate(SIZE)
    hasher = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(8 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


async def test_300_mb_upload_stores_the_right_digest_and_size(node_factory, http, tmp_path):
    node = await node_factory(max_document_bytes=SIZE + 1024)
    item_id = await fx.new_item(node, http, kind="document")
    source = tmp_path / "groot.pdf"
    digest = sparse_pdf(source)
    with source.open("rb") as fh:
        async with http.post(
            node.url(f"/api/v1/items/{item_id}/media?filename=groot.pdf"),
            data=fh,
            headers={**node.auth("write"), "Content-Type": "application/pdf"},
        ) as resp:
            body = await resp.json()
            assert resp.status == 201, body
    assert body["sha256"] == digest
    assert body["size"] == SIZE
    media_dir = node.settings.media_dir
    (blob,) = fx.blobs(media_dir)
    assert blob.name == digest and blob.stat().st_size == SIZE
    assert fx.leftovers(media_dir) == []


async def test_300_mb_upload_broken_mid_body_leaves_nothing(node_factory):
    node = await node_factory(max_document_bytes=SIZE + 1024)
    async with aiohttp.ClientSession() as http:
        item_id = await fx.new_item(node, http, kind="document")
    url = urlsplit(node.base_url)
    _reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = (
        f"POST /api/v1/items/{item_id}/media HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\n"
        f"Authorization: {node.auth('write')['Authorization']}\r\n"
        f"Content-Type: application/pdf\r\nContent-Length: {SIZE}\r\n\r\n"
    ).encode()
    writer.write(head + HEAD)
    block = b"\x00" * (4 << 20)
    for _ in range(16):  # 64 MB of the 300, then the connection breaks
        writer.write(block)
        await writer.drain()
    media_dir = node.settings.media_dir
    for _ in range(100):
        if fx.leftovers(media_dir):
            break
        await asyncio.sleep(0.05)
    assert len(fx.leftovers(media_dir)) == 1  # it was streaming into a temp file
    writer.transport.abort()
    for _ in range(200):
        if not fx.leftovers(media_dir):
            break
        await asyncio.sleep(0.05)
    assert fx.leftovers(media_dir) == []
    assert fx.blobs(media_dir) == []
    assert fx.media_rows(node.settings.db_path) == 0


async def chunks_of(data: bytes, size: int):
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_many_tiny_buffers_are_written_once_in_order(tmp_path):
    store = media_store.MediaStore(tmp_path / "media")
    data = HEAD + os.urandom(3 * 1024 * 1024 + 17)  # > 1024 buffers of 1 KiB per batch
    try:
        temp = await store.receive(chunks_of(data, 1024), len(data))
        assert temp.size == len(data)
        assert temp.sha256 == hashlib.sha256(data).hexdigest()
        assert temp.path.read_bytes() == data
        assert len(data) > SNIFF_BYTES
    finally:
        store.close()


def test_a_short_writev_goes_on_after_the_bytes_taken():
    batch = [b"abc", b"defg", b"hi"]
    assert b"".join(media_store._after(batch, 0)) == b"abcdefghi"
    assert b"".join(bytes(b) for b in media_store._after(batch, 2)) == b"cdefghi"
    assert b"".join(bytes(b) for b in media_store._after(batch, 3)) == b"defghi"
    assert b"".join(bytes(b) for b in media_store._after(batch, 8)) == b"i"
    assert media_store._after(batch, 9) == []
