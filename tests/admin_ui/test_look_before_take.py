"""Look before you take: a partner's video and audio play in "Gedeeld met ons" and in the
mediatheek, streamed through the node's signed proxy with HTTP Range, in Dutch and English.

Node A shares a video and lists an audio item; node B's editor opens them in Chromium.
The players must reach ``readyState`` ≥ 2 (the browser decoded data it got through
``/admin/proxy/media`` by Range requests).  The proxy passes a single Range on (206,
``Content-Range``), answers a range past the end with 416, ignores ``bytes=abc`` (RFC 9110
§14.2: the whole file, 200), and refuses the files of an item under embargo.
"""

from __future__ import annotations

import re

import aiohttp
import pytest
from playwright.async_api import Page, expect

from node import services
from tests.admin_ui import media_files
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import api, make_partners, wait_for

pytestmark = pytest.mark.skipif(not media_files.ffmpeg_available(), reason="needs ffmpeg")


async def _item_with_file(http, node, path, audience: dict, **fields) -> dict:
    body = {"credit": "Beeld: Anna de Vries", "licence": "CC-BY-4.0", **fields}
    item = await api(http, node, "POST", "/api/v1/items", json=body, expect=201)
    await api(
        http,
        node,
        "POST",
        f"/api/v1/items/{item['id']}/media?filename={path.name}",
        data=path.read_bytes(),
        expect=201,
    )
    await api(http, node, "PUT", f"/api/v1/items/{item['id']}/audience", json=audience, expect=200)
    return item


async def _share_of(http, b, title: str) -> dict:
    async def found():
        shares = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
        return next((s for s in shares if s["title"] == title), None)

    return await wait_for(found, what=f"share {title!r} at B")


async def _listing_of(http, b, title: str) -> dict:
    async def found():
        hits = (await api(http, b, "GET", "/api/v1/mediatheek", params={"q": title}))["items"]
        return next((h for h in hits if h["title"] == title), None)

    return await wait_for(found, what=f"listing {title!r} at B")


async def _plays(page: Page, selector: str) -> None:
    player = page.locator(selector)
    await expect(player).to_have_count(1)
    await page.wait_for_function(
        f"document.querySelector({selector!r}).readyState >= 2", timeout=20_000
    )
    assert await player.evaluate("p => p.currentSrc.includes('/admin/proxy/media')")


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_partner_video_and_audio_play_through_the_proxy(
    page: Page, node_factory, tmp_path, lang: str
) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    video = media_files.video(tmp_path / "kermis.mp4")
    audio = media_files.audio(tmp_path / "interview.mp3")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        partner = {"partners": [b.url("/actor")], "mediatheek": False, "public": False}
        listed = {"partners": [], "mediatheek": True, "public": False}
        await _item_with_file(http, a, video, partner, kind="video", title="Kermis op het Plein")
        await _item_with_file(
            http, a, audio, listed, kind="audio", title="Interview met de burgemeester"
        )
        await _item_with_file(
            http,
            a,
            video,
            partner,
            kind="video",
            title="Begroting 2099",
            embargo_until="2099-01-01T08:00:00Z",
        )
        share = await _share_of(http, b, "Kermis op het Plein")
        embargoed = await _share_of(http, b, "Begroting 2099")
        listing = await _listing_of(http, b, "Interview met de burgemeester")
    await login(page, b)
    await services.set_user_language(b.app, "admin", lang)

    # The share's page: a video player fed by the proxy, and the rights beside it.
    await page.goto(b.url(f"/admin/shared-with-us/{share['id']}"))
    await _plays(page, "video")
    rights = page.locator("dl.rights")
    await expect(rights).to_contain_text("Beeld: Anna de Vries")
    await expect(rights).to_contain_text("CC BY 4.0")
    use = "Gebruiken" if lang == "nl" else "Use"
    await expect(page.get_by_role("button", name=use, exact=True)).to_be_visible()
    assert await run_axe(page) == []
    await screenshot(page, f"look-share-video-{lang}")

    # The mediatheek listing: an audio player.
    await page.goto(b.url(f"/admin/mediatheek/{listing['id']}"))
    await _plays(page, "audio")
    assert await run_axe(page) == []
    await screenshot(page, f"look-listing-audio-{lang}")

    # Under embargo: no player, a sentence why, and the proxy refuses the bytes.
    await page.goto(b.url(f"/admin/shared-with-us/{embargoed['id']}"))
    await expect(page.locator("video")).to_have_count(0)
    hint = "zodra het embargo voorbij is" if lang == "nl" else "once the embargo has ended"
    await expect(page.locator("#files-embargo")).to_contain_text(hint)
    assert await run_axe(page) == []
    await screenshot(page, f"look-share-embargoed-{lang}")
    refused = await page.request.get(b.url(f"/admin/proxy/media?share={embargoed['id']}&n=0"))
    assert refused.status == 409
    assert re.search("embargo", await refused.text(), re.IGNORECASE)


async def test_proxy_ranges_follow_rfc_9110(page: Page, node_factory, tmp_path) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    video = media_files.video(tmp_path / "kermis.mp4")
    size = video.stat().st_size
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        partner = {"partners": [b.url("/actor")], "mediatheek": False, "public": False}
        await _item_with_file(http, a, video, partner, kind="video", title="Kermis")
        share = await _share_of(http, b, "Kermis")
    await login(page, b)
    url = b.url(f"/admin/proxy/media?share={share['id']}&n=0")

    part = await page.request.get(url, headers={"Range": "bytes=0-99"})
    assert part.status == 206
    assert part.headers["content-range"] == f"bytes 0-99/{size}"
    assert len(await part.body()) == 100
    assert (await part.body()) == video.read_bytes()[:100]

    tail = await page.request.get(url, headers={"Range": "bytes=-10"})
    assert tail.status == 206 and (await tail.body()) == video.read_bytes()[-10:]

    past = await page.request.get(url, headers={"Range": "bytes=999999999-"})
    assert past.status == 416
    assert past.headers["content-range"] == f"bytes */{size}"

    for ignored in ("bytes=abc", "bytes=5-1", "items=0-1", "bytes=0-1,5-9"):
        whole = await page.request.get(url, headers={"Range": ignored})
        assert whole.status == 200, ignored
        assert (await whole.body()) == video.read_bytes(), ignored

    for missing in ("n=7", "n=x"):
        gone = await page.request.get(b.url(f"/admin/proxy/media?share={share['id']}&{missing}"))
        assert gone.status == 404
    assert (await page.request.get(b.url("/admin/proxy/media?share=nope&n=0"))).status == 404
