"""Uploading with progress and cancel, the item editor, escaping and validation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from node import services
from node.core.db.database import connect
from tests.admin_ui import media_files
from tests.admin_ui.conftest import login


def media_rows(node, table: str = "media") -> int:
    db = connect(node.settings.db_path)
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        db.conn.close()


def temp_files(node) -> list[Path]:
    tmp = node.settings.media_dir / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


async def test_upload_photo_shows_progress_to_100(page: Page, node, tmp_path) -> None:
    files = [
        media_files.photo(tmp_path / "raadhuis.jpg"),
        media_files.photo(tmp_path / "markt.jpg", (1200, 800)),
    ]
    await login(page, node)
    await page.goto(node.url("/admin/upload"))
    await page.get_by_label("Bestanden kiezen").set_input_files([str(f) for f in files])
    rows = page.locator("#uploads li")
    await expect(rows).to_have_count(2)
    for index in range(2):
        await expect(rows.nth(index)).to_have_attribute("data-state", "done", timeout=30_000)
        assert await rows.nth(index).locator("progress").evaluate("p => p.value") == 100
    items, _ = await services.list_items(node.app, {"kind": "photo"}, 10, None)
    # the file name never becomes the title; a photo without a caption is a "Nieuwe foto"
    assert sorted(i["title"] for i in items) == ["Nieuwe foto", "Nieuwe foto"]
    assert all(len(i["media"]) == 1 for i in items)
    await page.goto(node.url("/admin/library"))
    await expect(page.locator(".grid img")).to_have_count(2)
    await page.get_by_role("link", name="Nieuwe foto").first.click()
    player = page.locator(".player img")
    await expect(player).to_be_visible()
    assert await player.evaluate("img => img.complete && img.naturalWidth > 0")


async def test_cancelled_upload_stores_nothing(page: Page, context, node, tmp_path) -> None:
    big = media_files.big_jpeg(tmp_path / "groot.jpg", 40)
    await login(page, node)
    await page.goto(node.url("/admin/upload"))
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": 4 * 1024 * 1024,
        },
    )
    await page.get_by_label("Bestanden kiezen").set_input_files(str(big))
    row = page.locator("#uploads li").first
    await page.wait_for_function(
        "() => { const p = document.querySelector('#uploads progress');"
        " return p && p.value >= 10; }",
        timeout=30_000,
    )
    assert await row.locator("progress").evaluate("p => p.value") < 100
    await row.get_by_role("button", name=re.compile("Annuleren")).click()
    await expect(row).to_have_attribute("data-state", "cancelled")
    await expect(row).to_contain_text("er is niets opgeslagen")
    for _ in range(50):
        if not temp_files(node):
            break
        await page.wait_for_timeout(100)
    assert temp_files(node) == []
    assert media_rows(node) == 0
    items, _ = await services.list_items(node.app, {}, 10, None)
    assert items == []  # the draft made for the file was removed again
    assert media_rows(node, "items") == 0  # entirely: not even a tombstone row


@pytest.mark.skipif(not media_files.ffmpeg_available(), reason="ffmpeg is not installed")
async def test_editor_has_players_for_photo_video_audio(page: Page, node, tmp_path) -> None:
    item = await services.create_item(node.app, {"kind": "article", "title": "Weekmarkt"})
    files = [
        media_files.photo(tmp_path / "foto.jpg", (800, 600)),
        media_files.video(tmp_path / "clip.mp4"),
        media_files.audio(tmp_path / "geluid.ogg"),
    ]
    await login(page, node)
    await page.goto(node.url(f"/admin/items/{item['id']}"))
    await page.get_by_label("Bestanden kiezen").set_input_files([str(f) for f in files])
    done = page.locator("#uploads li[data-state=done]")
    await expect(done).to_have_count(3, timeout=60_000)
    await page.reload()
    await expect(page.locator(".player img")).to_have_count(1)
    video = page.locator(".player video[controls]")
    await expect(video).to_have_count(1)
    assert (await video.get_attribute("poster") or "").endswith("/renditions/poster")
    await expect(page.locator(".player audio[controls]")).to_have_count(1)
    assert (
        await video.evaluate(
            "v => new Promise(ok => { if (v.readyState > 0) ok(v.duration);"
            " v.onloadedmetadata = () => ok(v.duration); v.onerror = () => ok(-1); })"
        )
        > 0
    )


async def test_metadata_is_saved_and_script_in_title_is_escaped(page: Page, node) -> None:
    evil = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 1">'
    item = await services.create_item(node.app, {"kind": "photo", "title": evil})
    await login(page, node)
    for path in ("/admin/library", f"/admin/items/{item['id']}"):
        await page.goto(node.url(path))
        await expect(page.get_by_text(evil).first).to_be_visible()
        assert await page.evaluate("typeof window.pwned") == "undefined"
    await page.get_by_label("Titel", exact=True).fill("Raadsvergadering")
    await page.get_by_label("Samenvatting").fill("De raad besprak de begroting.")
    await page.get_by_label("Tags").fill("gemeenteraad, begroting")
    await page.get_by_label("Plaatsnaam").fill("Den Haag")
    await page.get_by_label("Breedtegraad").fill("52,08")
    await page.get_by_label("Lengtegraad").fill("4.31")
    await page.get_by_label(re.compile("^Credit")).fill("Foto: J. de Vries")
    await page.get_by_label("Licentie", exact=True).select_option("CC-BY-4.0")
    await page.get_by_label("Embargo tot").fill("2030-05-01T09:00")
    await page.get_by_label("Verloopt op").fill("2031-05-01T09:00")
    await page.get_by_role("button", name="Opslaan").click()
    await expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
    saved = await services.get_item(node.app, item["id"])
    assert saved["title"] == "Raadsvergadering" and saved["tags"] == ["gemeenteraad", "begroting"]
    assert saved["licence"] == "CC-BY-4.0" and saved["embargo_until"].startswith("2030-05-01T07:00")
    assert saved["location"] == {"name": "Den Haag", "latitude": 52.08, "longitude": 4.31}


async def test_overlong_title_gives_dutch_error_and_stores_nothing(page: Page, node) -> None:
    item = await services.create_item(node.app, {"kind": "article", "title": "Kort"})
    await login(page, node)
    await page.goto(node.url(f"/admin/items/{item['id']}"))
    await page.get_by_label("Titel", exact=True).evaluate("el => el.value = 'x'.repeat(301)")
    await page.get_by_label("Samenvatting").fill("Dit mag ook niet bewaard worden.")
    await page.get_by_role("button", name="Opslaan").click()
    await expect(page.locator("#f-title-error")).to_have_text(
        "Te lang: maximaal 300 tekens, nu 301."
    )
    await expect(page.get_by_label("Titel", exact=True)).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".notice-error")).to_have_text(
        "Niet opgeslagen: verbeter de gemarkeerde velden."
    )
    after = await services.get_item(node.app, item["id"])
    assert after["title"] == "Kort" and after["summary"] == "" and after["version"] == 1
