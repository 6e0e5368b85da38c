"""Uploading media to an item: multipart and raw body, dedup, renditions, video and audio."""

from __future__ import annotations

import hashlib
import io

import aiohttp
import pytest
from PIL import ExifTags, Image

from tests.node import media_fixtures as fx


async def upload_raw(node, http, item_id, data, *, query="", headers=None, scope="write"):
    async with http.post(
        node.url(f"/api/v1/items/{item_id}/media{query}"),
        data=data,
        headers={**node.auth(scope), **(headers or {})},
    ) as resp:
        return resp.status, await resp.json()


async def get_bytes(node, http, url, scope="read"):
    async with http.get(url, headers=node.auth(scope)) as resp:
        assert resp.status == 200, await resp.text()
        return resp, await resp.read()


async def test_multipart_upload_describes_the_image(node, http):
    item_id = await fx.new_item(node, http)
    form = aiohttp.FormData()
    form.add_field("file", fx.jpeg((640, 480)), filename="raad.jpg", content_type="image/jpeg")
    form.add_field("alt", "De gemeenteraad in vergadering")
    async with http.post(
        node.url(f"/api/v1/items/{item_id}/media"), data=form, headers=node.auth("write")
    ) as resp:
        assert resp.status == 201, await resp.text()
        body = await resp.json()
        assert resp.headers["Location"] == body["url"]
    assert body["item_id"] == item_id
    assert body["url"] == node.url(f"/api/v1/media/{body['id']}")
    assert (body["media_type"], body["category"]) == ("image/jpeg", "image")
    assert (body["width"], body["height"], body["duration"]) == (640, 480, None)
    assert body["alt"] == "De gemeenteraad in vergadering"
    assert body["original_name"] == "raad.jpg"
    assert body["blurhash"] and len(body["blurhash"]) > 6
    assert set(body["renditions"]) == {"thumbnail", "medium"}
    assert body["sha256"] == hashlib.sha256(fx.jpeg((640, 480))).hexdigest()
    stored = node.settings.media_dir / body["sha256"][:2] / body["sha256"][2:4] / body["sha256"]
    assert stored.read_bytes() == fx.jpeg((640, 480))
    _, thumb = await get_bytes(node, http, body["renditions"]["thumbnail"])
    assert Image.open(io.BytesIO(thumb)).size == (400, 300)
    async with http.get(
        node.url(f"/api/v1/media/{body['id']}/info"), headers=node.auth("read")
    ) as resp:
        assert await resp.json() == body


async def test_raw_body_upload_with_name_from_header_and_query(node, http):
    item_id = await fx.new_item(node, http)
    status, body = await upload_raw(
        node,
        http,
        item_id,
        fx.png(),
        query="?alt=Logo",
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": 'attachment; filename="logo.png"',
        },
    )
    assert status == 201, body
    assert (body["media_type"], body["width"], body["height"]) == ("image/png", 64, 48)
    assert (body["original_name"], body["alt"]) == ("logo.png", "Logo")
    status, body = await upload_raw(node, http, item_id, fx.pdf(), query="?filename=nota.pdf")
    assert status == 201, body
    assert (body["media_type"], body["category"], body["original_name"]) == (
        "application/pdf",
        "document",
        "nota.pdf",
    )
    assert body["renditions"] == {} and body["position"] == 1


async def test_same_content_twice_is_stored_once(node, http):
    item_id = await fx.new_item(node, http)
    data = fx.jpeg((1000, 700), "olive")
    first = (await upload_raw(node, http, item_id, data))[1]
    second = (await upload_raw(node, http, item_id, data))[1]
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert (first["position"], second["position"]) == (0, 1)
    originals = [p for p in fx.blobs(node.settings.media_dir) if p.name == first["sha256"]]
    assert len(originals) == 1
    # original + thumbnail + medium, shared by both rows
    assert len(fx.blobs(node.settings.media_dir)) == 3
    assert fx.leftovers(node.settings.media_dir) == []


async def test_exif_orientation_applied_and_gps_never_in_renditions(node, http):
    item_id = await fx.new_item(node, http)
    status, body = await upload_raw(
        node, http, item_id, fx.rotated_jpeg_with_gps(), query="?filename=strand.jpg"
    )
    assert status == 201, body
    assert (body["width"], body["height"]) == (300, 600)  # portrait after orientation 6
    for name in ("thumbnail", "medium"):
        resp, data = await get_bytes(node, http, body["renditions"][name])
        assert resp.content_type == "image/jpeg"
        image = Image.open(io.BytesIO(data))
        assert image.size[1] > image.size[0]
        top, bottom = (
            image.getpixel((image.width // 2, 5)),
            image.getpixel((image.width // 2, image.height - 5)),
        )
        assert top[0] > 200 and top[2] < 60, top  # red on top, as displayed
        assert bottom[2] > 200 and bottom[0] < 60, bottom
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Orientation not in exif and b"TestCam" not in data


async def test_original_is_stored_without_location_but_keeps_camera_data(node, http):
    item_id = await fx.new_item(node, http)
    original = fx.rotated_jpeg_with_gps()
    status, body = await upload_raw(node, http, item_id, original, query="?filename=strand.jpg")
    assert status == 201, body
    _, data = await get_bytes(node, http, body["url"])
    exif = Image.open(io.BytesIO(data)).getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert exif.get(ExifTags.Base.Orientation) == 6 and b"TestCam" in data
    assert (
        hashlib.sha256(data).hexdigest() == body["sha256"] != hashlib.sha256(original).hexdigest()
    )
    assert fx.leftovers(node.settings.media_dir) == []


async def test_item_media_appear_in_the_item(node, http):
    item_id = await fx.new_item(node, http)
    _, body = await upload_raw(node, http, item_id, fx.jpeg(), query="?alt=Foto")
    async with http.get(node.url(f"/api/v1/items/{item_id}"), headers=node.auth("read")) as r:
        media = (await r.json())["media"]
    assert [m["id"] for m in media] == [body["id"]]
    assert media[0]["url"] == node.url(f"/media/{body['id']}")
    assert media[0]["thumbnail_url"] == node.url(f"/media/{body['id']}/thumbnail")
    assert (media[0]["alt"], media[0]["focal_point"]) == ("Foto", None)


async def test_office_document_and_zip_are_documents(node, http):
    item_id = await fx.new_item(node, http, "document")
    _, body = await upload_raw(node, http, item_id, fx.docx(), query="?filename=nota.docx")
    assert body["media_type"].endswith("wordprocessingml.document"), body
    _, body = await upload_raw(node, http, item_id, fx.zip_archive(), query="?filename=a.zip")
    assert (body["media_type"], body["category"]) == ("application/zip", "document")


@fx.needs_ffmpeg
async def test_video_is_probed_and_gets_a_poster(node, http, tmp_path):
    item_id = await fx.new_item(node, http, "video")
    status, body = await upload_raw(
        node, http, item_id, fx.mp4(tmp_path), query="?filename=clip.mp4"
    )
    assert status == 201, body
    assert (body["media_type"], body["category"]) == ("video/mp4", "video")
    assert (body["width"], body["height"]) == (320, 240)
    assert body["duration"] == pytest.approx(2.0, abs=0.2)
    assert set(body["renditions"]) == {"poster", "thumbnail"} and body["blurhash"]
    _, poster = await get_bytes(node, http, body["renditions"]["poster"])
    assert Image.open(io.BytesIO(poster)).size == (320, 240)
    assert fx.leftovers(node.settings.media_dir) == []


@fx.needs_ffmpeg
async def test_audio_is_probed(node, http, tmp_path):
    item_id = await fx.new_item(node, http, "audio")
    status, body = await upload_raw(node, http, item_id, fx.audio(tmp_path))
    assert status == 201, body
    assert (body["media_type"], body["category"]) == ("audio/ogg", "audio")
    assert body["duration"] == pytest.approx(1.5, abs=0.2)
    assert body["width"] is None and body["renditions"] == {}
    status, body = await upload_raw(node, http, item_id, fx.wav(tmp_path))
    assert (status, body["media_type"]) == (201, "audio/wav")
