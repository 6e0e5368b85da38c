"""Public pages worth sharing, in a real browser, in Dutch and English: the organisation's
avatar and name, dates, feed and oEmbed autodiscovery, no partner-only usage terms, a
readable layout at phone width (390 px), and the styled contribution form with the same
per-file upload progress component as the admin.  Screenshots:
``tests/artifacts/admin_ui/public-*`` and ``contribute-*``."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.async_api import Browser, Page, expect

from node import services
from node.contributions import store as queue
from node.core.appkeys import DB
from tests.admin_ui import media_files
from tests.admin_ui.conftest import run_axe, screenshot
from tests.integration.network import api, create_item_with_photo

PHONE = {"width": 390, "height": 844}
TERMS = "Alleen met naamsvermelding"


def _avatar() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


async def _published(http, node) -> dict:
    await services.update_profile(
        node.app,
        name="Stadsomroep Den Haag",
        summary="Nieuws, beeld en geluid uit de stad.",
        icon=_avatar(),
    )
    item = await create_item_with_photo(
        http,
        node,
        title="Kermis op het Malieveld",
        summary="De draaimolens staan er weer, tot en met zondag.",
        body="<p>Een week lang <em>kermis</em> in het centrum.</p>",
    )
    await api(
        http, node, "PUT", f"/api/v1/items/{item['id']}/audience", json={"public": True}, expect=200
    )
    return item


async def _phone(browser: Browser, lang: str) -> Page:
    """A phone whose browser asks for the language (pages follow Accept-Language)."""
    context = await browser.new_context(
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        locale="nl-NL" if lang == "nl" else "en-GB",
    )
    context.set_default_timeout(15_000)
    return await context.new_page()


async def _fits(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at phone width ({width}px)"


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_public_pages_read_well_on_a_phone(browser: Browser, node, http, lang) -> None:
    item = await _published(http, node)
    page = await _phone(browser, lang)
    try:
        await page.goto(node.url(f"/?lang={lang}"))
        header = page.locator("header.site")
        await expect(header.locator(".site-name")).to_have_text("Stadsomroep Den Haag")
        avatar = header.locator("img.avatar")
        await expect(avatar).to_be_visible()
        assert await avatar.evaluate("i => i.complete && i.naturalWidth > 0")
        feeds = {
            await link.get_attribute("type"): await link.get_attribute("href")
            for link in await page.locator("link[rel=alternate]").all()
        }
        for kind in ("application/rss+xml", "application/atom+xml", "application/feed+json"):
            assert kind in feeds, feeds
        card = page.locator("main article").first
        published = "Gepubliceerd" if lang == "nl" else "Published"
        await expect(card.locator("p.meta")).to_contain_text(published)
        assert await card.locator("time").get_attribute("datetime")
        body = await page.locator("body").inner_text()
        assert TERMS not in body and "Foto: Anna de Vries" in body
        await _fits(page)
        assert await run_axe(page) == []
        await screenshot(page, f"public-profile-phone-{lang}")

        await card.get_by_role("link", name="Kermis op het Malieveld").click()
        await expect(page.locator("h1")).to_have_text("Kermis op het Malieveld")
        await expect(page.locator("article p.meta").first).to_contain_text(published)
        oembed = page.locator("link[rel=alternate][type='application/json+oembed']")
        assert "/oembed?url=" in (await oembed.get_attribute("href") or "")
        body = await page.locator("body").inner_text()
        assert TERMS not in body and "Gebruiksvoorwaarden" not in body
        await expect(page.locator("article time")).to_have_count(1)
        await _fits(page)
        assert await run_axe(page) == []
        await screenshot(page, f"public-item-phone-{lang}")
    finally:
        await page.context.close()
    assert item["usage_terms"] == TERMS  # the partners' copy keeps its terms


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_public_profile_on_a_desktop(page: Page, node, http, lang) -> None:
    await _published(http, node)
    await page.goto(node.url(f"/?lang={lang}"))
    await expect(page.locator("header.site .site-name")).to_have_text("Stadsomroep Den Haag")
    assert await run_axe(page) == []
    await screenshot(page, f"public-profile-desktop-{lang}")


TEXTS = {
    "nl": ("Naam of pseudoniem", "E-mailadres", "Bestanden", "Versturen", "Bedankt!", "Verstuurd"),
    "en": ("Name or pseudonym", "E-mail address", "Files", "Send", "Thank you!", "Sent"),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_contribution_form_shows_progress_per_file(
    page: Page, context, node, tmp_path, lang
) -> None:
    big = media_files.big_jpeg(tmp_path / "groot.jpg", 12)
    small = media_files.photo(tmp_path / "klein.jpg", (640, 480))
    name, contact, files, send, thanks, sent = TEXTS[lang]
    await page.goto(node.url(f"/contribute?lang={lang}"))
    # the admin's component, not a copy: the same script file on both
    assert await page.locator("script[src='/static/upload.js']").count() == 1
    await page.get_by_label(re.compile(name)).fill("Herman Coster")
    await page.get_by_label(re.compile(contact)).fill("herman@example.org")
    await page.locator("textarea[name=text]").fill("Brand bij de Binckhorst, 14:10")
    await page.locator("input[name=consent]").check()
    await page.get_by_label(re.compile(f"^{files}")).set_input_files([str(big), str(small)])
    assert await run_axe(page) == []
    await screenshot(page, f"contribute-form-{lang}")
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 3 << 20},
    )
    await page.get_by_role("button", name=send).click()
    rows = page.locator(".uploads li")
    await expect(rows).to_have_count(2)
    await page.wait_for_function(
        "() => { const p = document.querySelector('.uploads progress');"
        " return p && p.value >= 10 && p.value < 100; }",
        timeout=30_000,
    )
    await expect(rows.nth(0).locator("progress")).to_be_visible()
    assert await rows.nth(1).locator("progress").evaluate("p => p.value") < 100
    await expect(rows.nth(0)).to_contain_text("groot.jpg")
    await screenshot(page, f"contribute-progress-{lang}")
    await expect(page.locator("main h1")).to_have_text(thanks, timeout=60_000)
    for index in range(2):
        await expect(rows.nth(index)).to_have_attribute("data-state", "done")
        await expect(rows.nth(index)).to_contain_text(sent)
        assert await rows.nth(index).locator("progress").evaluate("p => p.value") == 100
    await screenshot(page, f"contribute-sent-{lang}")
    waiting = await node.app[DB].read(lambda d: queue.list_page(d, "pending"))
    assert len(waiting) == 1
    media = await node.app[DB].read(lambda d: queue.media_of(d, waiting[0]["id"]))
    assert len(media) == 2


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_contribution_refusal_replaces_the_form_in_words(page: Page, node, lang) -> None:
    name, contact, _files, send, *_ = TEXTS[lang]
    await page.goto(node.url(f"/contribute?lang={lang}"))
    await page.get_by_label(re.compile(name)).fill("Herman Coster")
    await page.get_by_label(re.compile(contact)).fill("herman@example.org")
    await page.locator("input[name=consent]").check()
    # neither a file nor a tip: the node refuses, the answer page says what to do
    await page.get_by_role("button", name=send).click()
    expected = {"nl": "Stuur een bestand of schrijf een tip.", "en": "Send a file or write a tip."}
    await expect(page.locator("main [role=alert]")).to_have_text(expected[lang])
    # the answer is a page of the organisation's site, not a bare one
    await expect(page.locator("header.site .site-name")).to_have_text("Stadsomroep Den Haag")
    back = {"nl": "Terug naar het formulier", "en": "Back to the form"}[lang]
    await expect(page.get_by_role("link", name=back)).to_be_visible()
    assert await run_axe(page) == []
    await screenshot(page, f"contribute-refused-{lang}")
