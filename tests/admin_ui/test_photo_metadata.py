"""Metadata that fills itself, in the browser, in Dutch and English.

* a photo's EXIF creator, copyright and caption fill credit, usage terms, summary and the
  title (never the file name); its GPS position is offered to the editor, not kept in
  the file;
* an iPhone's HEIC is accepted and gets JPEG renditions; a truncated one is refused with
  a translated reason and nothing is stored;
* a video's location metadata is gone (ffprobe) when the editor ticks the box;
* alt text typed in the editor reaches the attachment a real partner node received.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import aiohttp
import pillow_heif
import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from playwright.async_api import Browser, Page, expect

from node import services
from node.sharing.services import SERVICES
from tests.admin_ui import media_files
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for

pillow_heif.register_heif_opener()


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = "Herman Coster"  # Artist
    exif[0x8298] = "(c) 2026 Omroep West"  # Copyright
    exif[0x010E] = "Kermis op het Malieveld\nDe draaimolen bij avond"  # ImageDescription
    exif.get_ifd(0x8769)[0x9003] = "2026:05:01 14:30:00"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1], gps[3] = "N", "E"
    gps[2] = (IFDRational(52), IFDRational(4), IFDRational(12))
    gps[4] = (IFDRational(4), IFDRational(18), IFDRational(0))
    return exif


def _photo_with_exif(path: Path, fmt: str = "JPEG") -> Path:
    Image.new("RGB", (640, 480), "teal").save(path, fmt, exif=_exif().tobytes())
    return path


async def _upload(page: Page, node, path: Path, lang: str) -> None:
    await page.goto(node.url("/admin/upload"))
    label = "Bestanden kiezen" if lang == "nl" else "Choose files"
    await page.get_by_label(label).set_input_files(str(path))


async def _only_item(node) -> dict:
    found, _ = await services.list_items(node.app, {}, 10, None)
    assert len(found) == 1
    return await services.get_item(node.app, found[0]["id"])


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_exif_fills_credit_terms_summary_and_title(
    page: Page, node, tmp_path, lang: str
) -> None:
    await login(page, node)
    await services.set_user_language(node.app, "admin", lang)
    photo = _photo_with_exif(tmp_path / "IMG_4711.jpg")
    await _upload(page, node, photo, lang)
    row = page.locator("#uploads li").first
    await expect(row).to_have_attribute("data-state", "done", timeout=30_000)
    item = await _only_item(node)
    assert item["credit"] == "Herman Coster"
    assert item["usage_terms"] == "(c) 2026 Omroep West"
    assert item["summary"] == "Kermis op het Malieveld\nDe draaimolen bij avond"
    assert item["title"] == "Kermis op het Malieveld"  # the caption, not "IMG_4711"
    # the stored original carries no GPS any more
    media = item["media"][0]
    stored = node.app[SERVICES].media_store.path_for(media["sha256"])
    with Image.open(stored) as image:
        assert not image.getexif().get_ifd(0x8825)
    # the editor offers the location; taking it over fills the fields
    await page.goto(node.url(f"/admin/items/{item['id']}"))
    take = "Locatie uit de foto overnemen" if lang == "nl" else "Use the photo's location"
    await page.get_by_role("button", name=take).click()
    lat = "Breedtegraad" if lang == "nl" else "Latitude"
    await expect(page.get_by_label(lat)).to_have_value("52.07")
    assert await run_axe(page) == []
    await screenshot(page, f"metadata-exif-editor-{lang}")


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_heic_is_accepted_and_a_truncated_one_refused(
    page: Page, node, tmp_path, lang: str
) -> None:
    await login(page, node)
    await services.set_user_language(node.app, "admin", lang)
    heic = _photo_with_exif(tmp_path / "IMG_0001.heic", "HEIF")
    await _upload(page, node, heic, lang)
    row = page.locator("#uploads li").first
    await expect(row).to_have_attribute("data-state", "done", timeout=30_000)
    item = await _only_item(node)
    media = item["media"][0]
    assert media["media_type"] == "image/heic" and media["width"] == 640
    assert item["credit"] == "Herman Coster"
    with Image.open(node.app[SERVICES].media_store.path_for(media["sha256"])) as stored:
        assert not stored.getexif().get_ifd(0x8825)  # the phone's GPS is not kept
    rendition = await page.request.get(node.url(f"/admin/media/{media['id']}/renditions/medium"))
    assert rendition.status == 200 and rendition.headers["content-type"] == "image/jpeg"

    broken = tmp_path / "IMG_0002.heic"
    broken.write_bytes(heic.read_bytes()[: len(heic.read_bytes()) // 2])
    await page.goto(node.url(f"/admin/items/{item['id']}"))
    label = "Bestanden kiezen" if lang == "nl" else "Choose files"
    await page.get_by_label(label).set_input_files(str(broken))
    failed = page.locator("#uploads li").first
    await expect(failed).to_have_attribute("data-state", "failed", timeout=30_000)
    reason = (
        "Het bestand is beschadigd of onvolledig en is niet opgeslagen."
        if lang == "nl"
        else "The file is damaged or incomplete and was not stored."
    )
    await expect(failed).to_contain_text(reason)
    assert len((await services.get_item(node.app, item["id"]))["media"]) == 1
    await screenshot(page, f"metadata-heic-refused-{lang}")


def _ffprobe_tags(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    doc = json.loads(out)
    tags = dict(doc["format"].get("tags") or {})
    for stream in doc.get("streams") or []:
        tags.update(stream.get("tags") or {})
    return tags


def _located_video(tmp_path: Path) -> Path:
    """A phone-like MP4 with a location and a device maker in its metadata."""
    plain = media_files.video(tmp_path / "plain.mp4")
    located = tmp_path / "kermis.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(plain), "-c", "copy",
         "-metadata", "location=+52.07+004.30/", "-metadata", "make=Apple",
         "-movflags", "use_metadata_tags", str(located)],
        check=True, timeout=60,
    )  # fmt: skip
    return located


@pytest.mark.skipif(not media_files.ffmpeg_available(), reason="needs ffmpeg")
async def test_video_loses_its_location_when_the_editor_ticks_the_box(
    page: Page, node, tmp_path
) -> None:
    located = _located_video(tmp_path)
    assert "location" in json.dumps(_ffprobe_tags(located))
    item = await services.create_item(node.app, {"kind": "video", "title": "Kermis"})
    await login(page, node)
    await page.goto(node.url(f"/admin/items/{item['id']}"))
    await page.get_by_label("Locatie- en apparaatgegevens uit video en audio verwijderen").check()
    await page.get_by_label("Bestanden kiezen").set_input_files(str(located))
    row = page.locator("#uploads li").first
    await expect(row).to_have_attribute("data-state", "done", timeout=30_000)
    media = (await services.get_item(node.app, item["id"]))["media"][0]
    stored = node.app[SERVICES].media_store.path_for(media["sha256"])
    tags = json.dumps(_ffprobe_tags(stored)).lower()
    assert "location" not in tags and "52.07" not in tags and "apple" not in tags
    await screenshot(page, "metadata-video-stripped-nl")


async def test_alt_text_reaches_the_partners_attachment(
    page: Page, browser: Browser, node_factory
) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        item = await create_item_with_photo(http, a, title="Markt op het Plein")
        audience = {"partners": [b.url("/actor")], "mediatheek": False, "public": False}
        await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", json=audience, expect=200)
    media_id = item["media"][0]["id"]
    await login(page, a)
    await page.goto(a.url(f"/admin/items/{item['id']}"))
    alt = "Kramen met groente op het Plein, met het Binnenhof op de achtergrond"
    await page.get_by_label("Alt-tekst").fill(alt)
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
    assert (await services.get_item(a.app, item["id"]))["media"][0]["alt"] == alt
    await expect(page.locator(f"#f-alt-{media_id}")).to_have_value(alt)
    await expect(page.locator(".preview-item img").first).to_have_attribute("alt", alt)
    await screenshot(page, "metadata-alt-editor-nl")

    async def delivered():
        shares = await services.list_shares(b.app)
        share = next((s for s in shares if s["title"] == "Markt op het Plein"), None)
        if share is None:
            return None
        media = (await services.get_share(b.app, share["id"]))["media"]
        return share if media and media[0]["alt"] == alt else None

    share = await wait_for(delivered, what="the alt text at B")
    context_b = await browser.new_context(viewport={"width": 1280, "height": 900})
    page_b = await context_b.new_page()  # its own cookies: both nodes are on 127.0.0.1
    await login(page_b, b)
    await page_b.goto(b.url(f"/admin/shared-with-us/{share['id']}"))
    await expect(page_b.locator(f".remote-files img[alt='{alt}']")).to_have_count(1)
    assert await run_axe(page_b) == []
    await screenshot(page_b, "metadata-alt-partner-nl")
    await context_b.close()
