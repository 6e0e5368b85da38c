"""The plugin's settings page in a real browser on the real WordPress, in Dutch and English.

Screenshots go to docs/images/wordpress-settings-{nl,en}.png (the install guide shows them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.admin_ui.conftest import CHROMIUM, CHROMIUM_ARGS, run_axe
from tests.wordpress.test_wordpress import _settings, configure

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture
async def wp_page():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = await browser.new_context(viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(30_000)
        yield await context.new_page()
        await browser.close()


async def _login(page, wordpress, user="admin", password="wachtwoord-123"):
    await page.goto(wordpress.url + "/wp-login.php")
    await page.fill("#user_login", user)
    await page.fill("#user_pass", password)
    await page.click("#wp-submit")
    await page.wait_for_load_state()


async def test_settings_page_tests_the_connection_in_dutch_and_english(wordpress, node, wp_page):
    page = wp_page
    settings = _settings(node)
    settings["token"] = ""
    await configure(wordpress, settings)
    await wordpress.php("delete_user_meta(1, 'locale'); return true;")
    await _login(page, wordpress)
    await page.goto(wordpress.url + "/wp-admin/options-general.php?page=mediakring")
    assert await page.locator("h1").inner_text() == "Mediakring"
    assert await page.get_by_role("button", name="Verbinding testen").is_visible()

    # A wrong token: a clear, translated reason.
    await page.fill("#mk-token", "mk_fout")
    await page.get_by_role("button", name="Verbinding testen").click()
    await page.wait_for_load_state()
    result = page.locator(".mediakring-result")
    assert "Verbinding mislukt: De node kent dit API-token niet" in await result.inner_text()
    # The token field never shows the stored token.
    assert await page.input_value("#mk-token") == ""

    await page.fill("#mk-token", node.tokens["report"])
    await page.get_by_role("button", name="Verbinding testen").click()
    await page.wait_for_load_state()
    text = await page.locator(".mediakring-result").inner_text()
    assert "Verbonden met Stadsomroep Den Haag (bereik van het token: report)" in text
    stored = await wordpress.php("return mediakring_settings()['token'];")
    assert stored == node.tokens["report"]
    assert not [v for v in await run_axe(page) if "mediakring" in str(v["nodes"])]
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(DOCS_IMAGES / "wordpress-settings-nl.png"), full_page=True)

    # A bad node URL is refused with a reason and not stored.
    await page.fill("#mk-node-url", "ftp://media.example.nl")
    await page.get_by_role("button", name="Instellingen opslaan").click()
    await page.wait_for_load_state()
    assert (
        "moet beginnen met http:// of https://"
        in await page.locator(".mediakring-result").inner_text()
    )
    assert await wordpress.php("return mediakring_settings()['node_url'];") == node.base_url

    # Without the nonce the form is refused.
    response = await page.request.post(
        wordpress.url + "/wp-admin/admin-post.php",
        form={"action": "mediakring_save", "node_url": "http://evil.example"},
    )
    assert response.status == 403
    assert await wordpress.php("return mediakring_settings()['node_url'];") == node.base_url

    # The same page for an admin who works in English.
    await wordpress.php("update_user_meta(1, 'locale', 'en_US'); return true;")
    await page.goto(wordpress.url + "/wp-admin/options-general.php?page=mediakring")
    await page.get_by_role("button", name="Test connection").click()
    await page.wait_for_load_state()
    text = await page.locator(".mediakring-result").inner_text()
    assert "Connected to Stadsomroep Den Haag (token scope: report)" in text
    await page.screenshot(path=str(DOCS_IMAGES / "wordpress-settings-en.png"), full_page=True)
    await wordpress.php("delete_user_meta(1, 'locale'); return true;")


async def test_an_editor_cannot_open_the_settings(wordpress, wp_page):
    await wordpress.php(
        "if (!username_exists('redacteur')) { wp_insert_user(['user_login'=>'redacteur',"
        "'user_pass'=>'redactie-123','role'=>'editor','user_email'=>'r@example.nl']); }"
        "return true;"
    )
    await _login(wp_page, wordpress, "redacteur", "redactie-123")
    response = await wp_page.goto(wordpress.url + "/wp-admin/options-general.php?page=mediakring")
    assert response.status == 403
    assert re.search("niet toegestaan|not allowed", await wp_page.content())
