"""The small things, in a real browser, in Dutch and English: the embargo said once on the
use page; uploading into an open item refreshes its preview (no link to the same page);
the user form names every error at once; the rejection hint says how the contributor is
told; wall addresses and webhook secrets rotate from the admin (the old one refused);
refusals are translated and say what to do next.  Screenshots: ``tests/artifacts/admin_ui/
small-*``."""

from __future__ import annotations

import re

import aiohttp
import pytest
from playwright.async_api import Page, expect

from node import services
from tests.admin_ui import media_files
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for
from tests.node.test_contributions import contribute

ENGLISH_DETAIL = re.compile(
    r"is not|must be|recognised|There is no|already|detail|Traceback|multipart", re.IGNORECASE
)


async def _as(page: Page, node, lang: str) -> None:
    await login(page, node)
    await services.set_user_language(node.app, "admin", lang)


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_embargo_is_said_once_on_the_use_page(page: Page, node_factory, lang) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        item = await create_item_with_photo(
            http, a, title="Begroting 2099", embargo_until="2099-01-01T08:00:00Z"
        )
        await api(
            http,
            a,
            "PUT",
            f"/api/v1/items/{item['id']}/audience",
            json={"partners": [b.url("/actor")]},
            expect=200,
        )

        async def offered():
            shares = await services.list_shares(b.app)
            return next((s for s in shares if s["title"] == "Begroting 2099"), None)

        share = await wait_for(offered, what="the share to reach B")
    await _as(page, b, lang)
    await page.goto(b.url(f"/admin/shared-with-us/{share['id']}"))
    sentence = {"nl": "Onder embargo tot", "en": "Under embargo until"}[lang]
    use = {"nl": "Gebruiken", "en": "Use"}[lang]
    await page.get_by_role("button", name=use, exact=True).click()
    await expect(page.locator("#embargo")).to_contain_text(sentence)
    await expect(page.locator("#embargo")).to_have_attribute("role", "alert")
    main = await page.locator("main").inner_text()
    assert main.count(sentence) == 1, main
    assert await page.locator("#use-error").count() == 0
    assert await run_axe(page) == []
    await screenshot(page, f"small-embargo-once-{lang}")


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_upload_into_open_item_refreshes_its_preview(page: Page, node, tmp_path, lang):
    item = await services.create_item(node.app, {"kind": "article", "title": "Weekmarkt"})
    photo = media_files.photo(tmp_path / "markt.jpg", (800, 600))
    await _as(page, node, lang)
    await page.goto(node.url(f"/admin/items/{item['id']}"))
    preview = page.locator(".preview-item")
    assert await preview.locator("img").count() == 0
    title = page.locator("#f-title")
    await title.fill("Weekmarkt op zaterdag")  # an unsaved edit the refresh must keep
    await page.locator("#file-input").set_input_files(str(photo))
    row = page.locator("#uploads li").first
    await expect(row).to_have_attribute("data-state", "done")
    await expect(row).to_have_attribute("data-preview", "refreshed")
    await expect(preview.locator("img")).to_have_count(1)
    assert await preview.locator("img").evaluate("i => i.complete && i.naturalWidth > 0")
    # no "Item openen" link back to the page we are on
    assert await row.locator(f"a[href='/admin/items/{item['id']}']").count() == 0
    assert await title.input_value() == "Weekmarkt op zaterdag"
    assert await run_axe(page) == []
    await screenshot(page, f"small-upload-preview-{lang}")


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_upload_refusal_is_translated_with_what_to_do(page: Page, node, tmp_path, lang):
    item = await services.create_item(node.app, {"kind": "article", "title": "Weekmarkt"})
    text = tmp_path / "programma.bin"
    text.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)  # not a media file
    await _as(page, node, lang)
    await page.goto(node.url(f"/admin/items/{item['id']}"))
    await page.locator("#file-input").set_input_files(str(text))
    row = page.locator("#uploads li").first
    await expect(row).to_have_attribute("data-state", "failed")
    expected = {
        "nl": "Upload geweigerd. Dit soort bestand neemt de node niet aan. Gebruik een foto",
        "en": "Upload refused. The node does not accept this kind of file. Use a photo",
    }[lang]
    await expect(row.locator(".upload-status")).to_contain_text(expected)
    shown = await row.locator(".upload-status").inner_text()
    assert not ENGLISH_DETAIL.search(shown), shown
    await screenshot(page, f"small-upload-refused-{lang}")


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_missing_item_page_says_what_to_do(page: Page, node, lang) -> None:
    await _as(page, node, lang)
    response = await page.goto(node.url("/admin/items/bestaat-niet"))
    assert response is not None and response.status == 404
    expected = {"nl": "Dit bestaat niet (meer).", "en": "This does not exist (any more)."}
    body = await page.locator("main").inner_text()
    assert expected[lang] in body and "There is no" not in body, body
    await screenshot(page, f"small-not-found-{lang}")


USER_ERRORS = {
    "nl": ("2 tot 32 tekens", "Minstens 10 tekens."),
    "en": ("2 to 32 characters", "At least 10 characters."),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_user_form_shows_every_error_at_once(page: Page, node, lang) -> None:
    await _as(page, node, lang)
    await page.goto(node.url("/admin/users"))
    await page.locator("#f-username").fill("Niet Goed!")
    await page.locator("#f-password").fill("kort")
    await page.locator("form[action='/admin/users'] button[type=submit]").click()
    username_error, password_error = USER_ERRORS[lang]
    await expect(page.locator("#f-username-error")).to_contain_text(username_error)
    await expect(page.locator("#f-password-error")).to_contain_text(password_error)
    assert await page.locator("#f-username").input_value() == "niet goed!"
    assert await run_axe(page) == []
    await screenshot(page, f"small-user-errors-{lang}")
    users = [u.username for u in await services.list_users(node.app)]
    assert users == ["admin"]  # nothing half-made

    # an existing name and a short password: both named, too
    await page.locator("#f-username").fill("admin")
    await page.locator("#f-password").fill("kort")
    await page.locator("form[action='/admin/users'] button[type=submit]").click()
    taken = {"nl": "bestaat al", "en": "already exists"}[lang]
    await expect(page.locator("#f-username-error")).to_contain_text(taken)
    await expect(page.locator("#f-password-error")).to_contain_text(password_error)


HINTS = {
    "nl": ("Deze node verstuurt geen e-mail", "De inzender krijgt deze reden per e-mail."),
    "en": ("This node sends no e-mail", "The contributor gets this reason by e-mail."),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_rejection_hint_only_promises_mail_when_mail_is_configured(
    page: Page, node_factory, lang
) -> None:
    without, with_mail = HINTS[lang]
    plain = await node_factory("Stadsomroep Den Haag")
    mailing = await node_factory("Omroep West", smtp_url="smtp://127.0.0.1:9")
    async with aiohttp.ClientSession() as http:
        for target in (plain, mailing):
            await contribute(
                http, target, name="Herman Coster", contact="herman@example.org", text="Brand!"
            )
    await _as(page, plain, lang)
    await page.goto(plain.url("/admin/contributions"))
    hint = page.locator(".contribution .hint").first
    await expect(hint).to_contain_text(without)
    await expect(hint).to_contain_text("herman@example.org")
    assert await run_axe(page) == []
    await screenshot(page, f"small-reject-hint-{lang}")
    await page.context.clear_cookies()
    await _as(page, mailing, lang)
    await page.goto(mailing.url("/admin/contributions"))
    await expect(page.locator(".contribution .hint").first).to_have_text(with_mail)


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_wall_address_rotates_from_the_admin(page: Page, node, http, lang) -> None:
    screen = await services.create_screen(node.app, "Hal gemeentehuis", 15, True)
    old = node.url(f"/wall/{screen['token']}")
    async with http.get(old) as r:
        assert r.status == 200
    await _as(page, node, lang)
    await page.goto(node.url("/admin/walls"))
    section = page.locator("section.wall").first
    await expect(section.get_by_role("link", name=old)).to_be_visible()
    button = {"nl": "Nieuw adres maken", "en": "Make a new address"}[lang]
    await section.get_by_role("button", name=re.compile(button)).click()
    notice = {"nl": "Het oude adres werkt niet meer", "en": "The old address no longer works"}
    await expect(page.locator(".notice").first).to_contain_text(notice[lang])
    new = await page.locator("section.wall a[href*='/wall/']").first.get_attribute("href")
    assert new and new != old
    async with http.get(old) as r:
        assert r.status == 404
    async with http.get(new) as r:
        assert r.status == 200
    assert await run_axe(page) == []
    await screenshot(page, f"small-wall-rotated-{lang}")


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_webhook_secret_rotates_from_the_admin(page: Page, node, http, lang) -> None:
    hook = await api(
        http,
        node,
        "POST",
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["item.published"]},
        expect=201,
    )
    await _as(page, node, lang)
    await page.goto(node.url("/admin/tokens"))
    button = {"nl": "Nieuw geheim maken", "en": "Make a new secret"}[lang]
    await page.get_by_role("button", name=re.compile(button)).click()
    secret = await page.locator("#new-secret").input_value()
    assert len(secret) == 64 and secret != hook["secret"]
    warning = {"nl": "Het oude geheim werkt niet meer", "en": "The old secret no longer works"}
    await expect(page.locator(".notice-warning")).to_contain_text(warning[lang])
    assert await run_axe(page) == []
    await screenshot(page, f"small-webhook-rotated-{lang}")
    await page.reload()  # shown once
    assert await page.locator("#new-secret").count() == 0
