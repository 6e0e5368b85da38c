"""Metadata for people: licence and language are picked by name (not SPDX ids or codes),
in the editor and in the mediatheek facets, in Dutch and English; a custom licence must be
an http(s) address (``javascript:x`` is refused with a reason and nothing is stored)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from node import services
from tests.admin_ui.conftest import login, run_axe, screenshot

TEXT = {
    "nl": {
        "licence": "Licentie",
        "address": "Adres van de andere licentie",
        "language": "Taal van de inhoud",
        "save": "Opslaan",
        "saved": "Opgeslagen.",
        "english": "Engels",
        "dutch": "Nederlands",
        "by_sa": "CC BY-SA 4.0 (naamsvermelding, gelijk delen)",
        "arr": "Alle rechten voorbehouden",
        "bad_url": "Geef het adres van de licentie, beginnend met https:// of http://.",
    },
    "en": {
        "licence": "Licence",
        "address": "Address of the other licence",
        "language": "Language of the content",
        "save": "Save",
        "saved": "Saved.",
        "english": "English",
        "dutch": "Dutch",
        "by_sa": "CC BY-SA 4.0 (attribution, share alike)",
        "arr": "All rights reserved",
        "bad_url": "Give the licence's address, starting with https:// or http://.",
    },
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_licence_and_language_are_picked_by_name(page: Page, node, lang: str) -> None:
    t = TEXT[lang]
    item = await services.create_item(node.app, {"kind": "article", "title": "Kermis"})
    await login(page, node)
    await services.set_user_language(node.app, "admin", lang)
    await page.goto(node.url(f"/admin/items/{item['id']}"))

    licence = page.get_by_label(t["licence"], exact=True)
    labels = await licence.locator("option").all_inner_texts()
    assert t["by_sa"] in labels and t["arr"] in labels
    assert not any(label.startswith("CC-BY") for label in labels)  # names, not SPDX ids
    language = page.get_by_label(t["language"], exact=True)
    assert t["dutch"] in await language.locator("option").all_inner_texts()
    await licence.select_option(label=t["by_sa"])
    await language.select_option(label=t["english"])
    await page.get_by_role("button", name=t["save"], exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(t["saved"])
    saved = await services.get_item(node.app, item["id"])
    assert saved["licence"] == "CC-BY-SA-4.0" and saved["language"] == "en"
    await expect(page.get_by_label(t["licence"], exact=True)).to_have_value("CC-BY-SA-4.0")
    assert await run_axe(page) == []
    await screenshot(page, f"pickers-editor-{lang}")

    # A custom licence: a script address is refused, with a reason, and nothing stored.
    await licence.select_option("custom")
    await page.get_by_label(t["address"]).fill("javascript:x")
    await page.get_by_role("button", name=t["save"], exact=True).click()
    await expect(page.locator("#f-licence_url-error")).to_have_text(t["bad_url"])
    after = await services.get_item(node.app, item["id"])
    assert after["licence"] == "CC-BY-SA-4.0" and after["version"] == saved["version"]
    await screenshot(page, f"pickers-bad-licence-{lang}")
    await page.get_by_label(t["address"]).fill("https://creativecommons.org/licenses/by/3.0/nl/")
    await page.get_by_role("button", name=t["save"], exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(t["saved"])
    custom = await services.get_item(node.app, item["id"])
    assert custom["licence"] == "https://creativecommons.org/licenses/by/3.0/nl/"

    # The mediatheek's facets name the language and the licence too.
    await services.set_audience(
        node.app, item["id"], {"partners": [], "mediatheek": True, "public": False}
    )
    other = await services.create_item(
        node.app, {"kind": "article", "title": "Kermis twee", "licence": "CC-BY-NC-4.0"}
    )
    await services.set_audience(
        node.app, other["id"], {"partners": [], "mediatheek": True, "public": False}
    )
    await page.goto(node.url("/admin/mediatheek"))
    facets = page.locator(".facets")
    await expect(facets).to_contain_text(t["english"])
    await expect(facets).to_contain_text(t["dutch"])
    await expect(facets).to_contain_text("CC BY-NC 4.0")
    assert "CC-BY-NC-4.0" not in await facets.inner_text()
    assert await run_axe(page) == []
    await screenshot(page, f"pickers-facets-{lang}")
