"""Times and errors for people, in Dutch and English: the editor and the public item page
show Amsterdam time in words (ISO only in ``datetime`` attributes, never "UTC"); a wrong
partner address gets a translated reason with what to do next, never the internals of the
lookup.  Screenshots: ``tests/artifacts/admin_ui/times-*`` and ``partner-errors-*``."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from node import services
from node.core import human_time
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import api, create_item_with_photo

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
INTERNALS = re.compile(
    r"webfinger|aiohttp|netguard|Could not|HTTP \d|Cannot connect|ClientConnector|"
    r"acct:|\.well-known|Errno|refused:",
    re.IGNORECASE,
)


async def _as(page: Page, node, lang: str) -> None:
    await login(page, node)
    await services.set_user_language(node.app, "admin", lang)


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_editor_and_public_item_page_show_amsterdam_time_in_words(
    page: Page, node, http, lang: str
) -> None:
    item = await create_item_with_photo(http, node, title="Kermis op het Malieveld")
    await api(
        http, node, "PUT", f"/api/v1/items/{item['id']}/audience", json={"public": True}, expect=200
    )
    item = await api(http, node, "GET", f"/api/v1/items/{item['id']}", expect=200)
    await _as(page, node, lang)

    await page.goto(node.url(f"/admin/items/{item['id']}"))
    meta = page.locator("p.meta").first
    stamp = meta.locator("time")
    await expect(stamp).to_have_text(human_time.when(item["updated_at"], lang))
    assert await stamp.get_attribute("datetime") == human_time.machine(item["updated_at"])
    text = await meta.inner_text()
    assert "UTC" not in text and not ISO.search(text), text
    assert await run_axe(page) == []
    await screenshot(page, f"times-editor-{lang}")

    await page.goto(node.url("/admin/library"))
    card_time = page.locator(".card time").first
    await expect(card_time).to_have_text(human_time.day(item["created_at"], lang))

    await page.goto(item["uri"] + f"?lang={lang}")
    published = item.get("published_at") or item["created_at"]
    shown = page.locator("article time")
    await expect(shown).to_have_text(human_time.when(published, lang, zone=True))
    assert re.fullmatch(r"\d{1,2} [A-Za-z]+ 20\d\d, \d\d:\d\d \(CES?T\)", await shown.inner_text())
    body = await page.locator("body").inner_text()
    assert "UTC" not in body and not ISO.search(body), body
    await screenshot(page, f"times-public-item-{lang}")


REFUSALS = {
    "nl": {
        "niet-een-adres": "Vul een adres in. Gebruik de vorm naam@server.nl",
        "redactie@@omroep.example": "Controleer het adres: gebruik de vorm naam@server.nl",
        "redactie@nergens.invalid": "De server nergens.invalid bestaat niet.",
        "redactie@127.0.0.1": "deze node verbindt alleen met servers op het openbare internet",
        "http://127.0.0.1:9/actor": "deze node verbindt alleen met servers op het openbare",
    },
    "en": {
        "niet-een-adres": "Fill in an address. Use the form name@server.nl",
        "redactie@@omroep.example": "Check the address: use the form name@server.nl",
        "redactie@nergens.invalid": "The server nergens.invalid does not exist.",
        "redactie@127.0.0.1": "this node only connects to servers on the public internet",
        "http://127.0.0.1:9/actor": "this node only connects to servers on the public internet",
    },
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_wrong_partner_addresses_get_a_translated_reason_and_a_next_step(
    page: Page, node_factory, lang: str
) -> None:
    public = await node_factory("Omroep West", allow_private_network=False)
    await _as(page, public, lang)
    await page.goto(public.url("/admin/partners"))
    for number, (handle, expected) in enumerate(REFUSALS[lang].items()):
        await page.locator("input[name=handle]").fill(handle)
        await page.locator("form[action='/admin/partners'] button[type=submit]").click()
        error = page.locator("#partner-error")
        await expect(error).to_contain_text(expected)
        text = await error.inner_text()
        assert not INTERNALS.search(text), text
        if lang == "en":
            assert not re.search(r"\b(het|een|niet|adres)\b", text), text
        await screenshot(page, f"partner-errors-{lang}-{number}")
    assert await run_axe(page) == []


async def test_an_unreachable_partner_is_told_apart_from_an_unknown_account(
    page: Page, node_factory
) -> None:
    private = await node_factory("Wijk-tv Noord")  # test network: http and 127.0.0.1 allowed
    other = await node_factory("Omroep Oost")
    await _as(page, private, "nl")
    await page.goto(private.url("/admin/partners"))
    cases = {
        "redactie@127.0.0.1:9": "De server 127.0.0.1:9 geeft geen antwoord. Probeer het later",
        f"niemand@{other.url('')[7:].rstrip('/')}": "kent dit account niet",
    }
    for handle, expected in cases.items():
        await page.locator("input[name=handle]").fill(handle)
        await page.locator("form[action='/admin/partners'] button[type=submit]").click()
        await expect(page.locator("#partner-error")).to_contain_text(expected)
        assert not INTERNALS.search(await page.locator("#partner-error").inner_text())
