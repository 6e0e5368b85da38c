"""Admin pages (users, tokens), the language switch, keyboard use, axe and screenshots."""

from __future__ import annotations

import re

import aiohttp
from playwright.async_api import Page, expect

from node import services
from tests.admin_ui import media_files
from tests.admin_ui.conftest import EDITOR_PASSWORD, login, run_axe, screenshot


async def test_users_and_tokens(page: Page, node) -> None:
    await login(page, node)
    await page.get_by_role("link", name="Gebruikers").click()
    await page.get_by_label("Gebruikersnaam").fill("sanne")
    await page.get_by_label("Rol").select_option("editor")
    await page.get_by_label("Wachtwoord").fill(EDITOR_PASSWORD)
    await page.get_by_role("button", name="Account toevoegen").click()
    await expect(page.get_by_role("status")).to_have_text("Account aangemaakt.")
    assert (await services.get_user(node.app, "sanne")).role == "editor"
    await page.get_by_role("button", name="Uitschakelen sanne").click()
    assert (await services.get_user(node.app, "sanne")).disabled

    await page.get_by_role("link", name="API-tokens").click()
    await page.get_by_label("Omschrijving").fill("muurkrant hal")
    await page.get_by_label("Bereik").select_option("read")
    await page.get_by_role("button", name="Token aanmaken").click()
    token = await page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("mk_")
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {token}"}
        async with http.get(node.url("/api/v1/items"), headers=headers) as response:
            assert response.status == 200
        await page.reload()  # shown once: a reload shows the list only
        await expect(page.get_by_label("Token", exact=True)).to_have_count(0)
        await page.get_by_role("button", name="Intrekken muurkrant hal").click()
        await expect(page.get_by_role("status")).to_have_text("Token ingetrokken.")
        async with http.get(node.url("/api/v1/items"), headers=headers) as response:
            assert response.status == 401


async def test_language_switch_to_english(page: Page, node) -> None:
    await login(page, node)
    assert await page.get_attribute("html", "lang") == "nl"
    await page.get_by_label("Taal", exact=True).select_option("en")
    await page.get_by_role("button", name="Wijzig taal").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Library")
    await expect(page.get_by_role("link", name="Upload", exact=True)).to_be_visible()
    assert (await services.get_user(node.app, "admin")).language == "en"
    await page.get_by_role("button", name="Log out").click()
    await login(page, node)  # the choice is kept on the account
    await expect(page.get_by_role("heading", level=1)).to_have_text("Library")


async def test_keyboard_skip_link_and_visible_focus(page: Page, node) -> None:
    await login(page, node)
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    await expect(skip).to_be_focused()
    assert await skip.evaluate("a => a.getBoundingClientRect().left >= 0")
    outline = await skip.evaluate("a => getComputedStyle(a).outlineStyle")
    assert outline != "none"
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile("#main$"))


async def _pages(page: Page, node, tmp_path) -> list[tuple[str, str]]:
    """(name, path) of every page, with content so the pages are not empty."""
    photo = await services.create_item(
        node.app, {"kind": "photo", "title": "Raadhuis", "tags": ["stad"], "summary": "Voorbeeld"}
    )
    with media_files.photo(tmp_path / "raadhuis.jpg", (900, 600)).open("rb") as fh:

        async def chunks():
            while chunk := fh.read(1 << 16):
                yield chunk

        await services.ingest_media(
            node.app, photo["id"], chunks(), filename="raadhuis.jpg", declared_type="image/jpeg"
        )
    await services.create_item(node.app, {"kind": "article", "title": "Zonder foto"})
    return [
        ("library", "/admin/library"),
        ("upload", "/admin/upload"),
        ("new-item", "/admin/items/new"),
        ("item-editor", f"/admin/items/{photo['id']}"),
        ("users", "/admin/users"),
        ("tokens", "/admin/tokens"),
        ("shared-empty", "/admin/shared-with-us"),
        ("mediatheek-empty", "/admin/mediatheek"),
        ("notifications-empty", "/admin/notifications"),
        ("insight-empty", "/admin/insight"),
        ("walls", "/admin/walls"),
        ("contributions-empty", "/admin/contributions"),
        ("partners-empty", "/admin/partners"),
        ("policy", "/admin/federation/policy"),
        ("deliveries", "/admin/federation/deliveries"),
        ("not-found", "/admin/items/bestaat-niet"),
    ]


async def test_axe_and_screenshots_of_every_page_in_both_languages(
    page: Page, node, tmp_path
) -> None:
    pages = await _pages(node=node, page=page, tmp_path=tmp_path)
    problems: dict[str, list] = {}
    for lang in ("nl", "en"):
        await page.context.clear_cookies()
        await page.goto(node.url("/admin/login"))
        if lang == "en":
            await page.get_by_label("Taal", exact=True).select_option("en")
            await page.get_by_role("button", name="Wijzig taal").click()
        await page.get_by_label(re.compile("Username|Gebruikersnaam")).fill("x")
        await page.get_by_label(re.compile("^(Password|Wachtwoord)$")).fill("verkeerd-wachtwoord")
        await page.locator("form[action='/admin/login'] button[type=submit]").click()
        problems[f"{lang}-login-error"] = await run_axe(page)
        await screenshot(page, f"{lang}-login-error")
        await login(page, node)
        await services.set_user_language(node.app, "admin", lang)
        for name, path in pages:
            await page.goto(node.url(path))
            await expect(page.locator("html")).to_have_attribute("lang", lang)
            problems[f"{lang}-{name}"] = await run_axe(page)
            await screenshot(page, f"{lang}-{name}")
        await page.get_by_role("button", name=re.compile("^(Log out|Uitloggen)$")).click()
        problems[f"{lang}-login"] = await run_axe(page)
        await screenshot(page, f"{lang}-login")
    assert {name: found for name, found in problems.items() if found} == {}


async def test_editor_403_page_is_accessible(page: Page, node) -> None:
    await services.add_user(node.app, "redacteur", "editor", EDITOR_PASSWORD)
    await login(page, node, "redacteur", EDITOR_PASSWORD)
    await page.goto(node.url("/admin/users"))
    assert await run_axe(page) == []
    await screenshot(page, "nl-forbidden")
