"""One editor, one save (issue 14, problem 1), on two real nodes, in Dutch and English.

The editor of A fills in title, credit and an embargo and ticks partner B in the
same form, presses the one "Opslaan", sees who gets the item with which embargo
and confirms.  B then holds the share WITH the embargo and the new metadata.
Cancelling the confirmation sends and stores nothing; leaving the page with
unsaved changes asks first; a validation error keeps every input, ticks included.
"""

from __future__ import annotations

import re

import aiohttp
import pytest
from playwright.async_api import Browser, Dialog, Page, expect

from node import services
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import actor_url, make_partners, wait_for

TEXT = {
    "nl": {
        "title": "Titel",
        "credit": "^Credit",
        "embargo": "Embargo tot",
        "save": "Opslaan",
        "confirm": "Bevestigen",
        "cancel": "Annuleren",
        "saved": "Opgeslagen.",
        "summary": "WijkTV Den Haag krijgt dit item, met embargo tot 3 december 2099 09:00.",
        "kept": "Niets verzonden of opgeslagen; je invoer staat er nog.",
        "invalid": "Niet opgeslagen: verbeter de gemarkeerde velden.",
        "library": "Bibliotheek",
    },
    "en": {
        "title": "Title",
        "credit": "^Credit",
        "embargo": "Embargo until",
        "save": "Save",
        "confirm": "Confirm",
        "cancel": "Cancel",
        "saved": "Saved.",
        "summary": "WijkTV Den Haag gets this item, with an embargo until 3 December 2099 09:00.",
        "kept": "Nothing was sent or saved; your input is still here.",
        "invalid": "Not saved: correct the marked fields.",
        "library": "Library",
    },
}


async def _page(browser: Browser) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    return await context.new_page()


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_one_save_carries_metadata_ticks_and_embargo_to_the_partner(
    browser: Browser, node_factory, lang: str
) -> None:
    t = TEXT[lang]
    a = await node_factory("Omroep West")
    b = await node_factory("WijkTV Den Haag")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        b_actor = await actor_url(b)
    item = await services.create_item(a.app, {"kind": "article", "title": "kermis.jpg"})
    await services.set_user_language(a.app, "admin", lang)
    page = await _page(browser)
    await login(page, a)
    await page.goto(a.url(f"/admin/items/{item['id']}"))
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    regie = page.locator("#regie")
    # the regie is part of the item form: one form, one primary button
    assert await page.locator("#item-form #regie").count() == 1
    await expect(page.locator("button.primary")).to_have_count(1)

    # A validation error keeps every input, the ticks included.
    await page.get_by_label(t["title"], exact=True).fill("")
    await page.get_by_label(re.compile(t["credit"])).fill("Foto: Herman Coster")
    await regie.get_by_label("WijkTV Den Haag").check()
    await page.get_by_role("button", name=t["save"], exact=True).click()
    await expect(page.get_by_role("alert").first).to_have_text(t["invalid"])
    await expect(page.get_by_label(re.compile(t["credit"]))).to_have_value("Foto: Herman Coster")
    await expect(regie.get_by_label("WijkTV Den Haag")).to_be_checked()

    # Metadata, embargo and a partner tick in the one form.
    await page.get_by_label(t["title"], exact=True).fill("Kermis op het Malieveld")
    await page.get_by_label(t["embargo"]).fill("2099-12-03T09:00")
    assert await run_axe(page) == []
    await screenshot(page, f"onesave-{lang}-editor")

    # Leaving with unsaved changes asks first (dismissed: we stay, the input too).
    dialogs: list[str] = []

    async def stay(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        await dialog.dismiss()

    page.on("dialog", stay)
    await (
        page.get_by_role("navigation")
        .get_by_role("link", name=t["library"])
        .click(no_wait_after=True)
    )
    await wait_for(lambda: _truthy(dialogs), what="the beforeunload warning")
    page.remove_listener("dialog", stay)
    assert dialogs == ["beforeunload"]
    assert page.url.split("?")[0].endswith(f"/admin/items/{item['id']}")
    await expect(page.get_by_label(t["title"], exact=True)).to_have_value("Kermis op het Malieveld")

    # The first share asks for confirmation; cancelling keeps the input and sends nothing.
    await page.get_by_role("button", name=t["save"], exact=True).click()
    await expect(page.locator("#confirm-summary")).to_have_text(t["summary"])
    assert await run_axe(page) == []
    await screenshot(page, f"onesave-{lang}-confirm")
    assert (await services.describe_audience(a.app, item["id"]))["partners"] == []
    assert (await services.get_item(a.app, item["id"]))["title"] == "kermis.jpg"
    await page.get_by_role("button", name=t["cancel"]).click()
    await expect(page.get_by_role("status")).to_have_text(t["kept"])
    await expect(page.get_by_label(t["title"], exact=True)).to_have_value("Kermis op het Malieveld")
    await expect(page.get_by_label(t["embargo"])).to_have_value("2099-12-03T09:00")
    await expect(regie.get_by_label("WijkTV Den Haag")).to_be_checked()
    assert (await services.describe_audience(a.app, item["id"]))["partners"] == []
    assert (await services.get_item(a.app, item["id"]))["title"] == "kermis.jpg"

    # Save and confirm: both parts are stored, the ticks are kept.
    await page.get_by_role("button", name=t["save"], exact=True).click()
    await page.get_by_role("button", name=t["confirm"]).click()
    await expect(page.get_by_role("status")).to_have_text(t["saved"])
    await expect(regie.get_by_label("WijkTV Den Haag")).to_be_checked()
    stored = await services.get_item(a.app, item["id"])
    assert stored["title"] == "Kermis op het Malieveld"
    assert stored["credit"] == "Foto: Herman Coster"
    assert stored["embargo_until"].startswith("2099-12-03T08:00:00")
    assert (await services.describe_audience(a.app, item["id"]))["partners"] == [b_actor]

    # B received the share with the new metadata and the embargo.
    async def arrived() -> bool:
        return len(await services.list_shares(b.app)) == 1

    await wait_for(arrived, what="the share to reach B")
    [share] = await services.list_shares(b.app)
    assert share["title"] == "Kermis op het Malieveld"
    assert share["credit"] == "Foto: Herman Coster"
    assert share["embargo_until"].startswith("2099-12-03T08:00:00")
    assert share["embargoed"] is True

    # Nothing changed and saved again: no confirmation, no new share.
    await page.get_by_role("button", name=t["save"], exact=True).click()
    await expect(page.locator("#confirm-summary")).to_have_count(0)


async def _truthy(values: list) -> bool:
    return bool(values)
