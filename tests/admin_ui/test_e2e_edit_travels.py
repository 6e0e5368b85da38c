"""An edit made in the editor, in the browser, reaches the partner with its new embargo.

Three real nodes: A shares an item with B only; C is A's partner too but not ticked.
Then A's editor adds an embargo and a new title in the item editor in Chromium and
presses "Opslaan".  B must get the new version and refuse to use it before its time;
C must get nothing.  This is the path that used to skip distribution entirely.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
from playwright.async_api import Browser, expect

from node import services
from tests.admin_ui.conftest import EDITOR_PASSWORD, login, screenshot
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for


async def test_editor_embargo_reaches_partner_and_blocks_use(browser: Browser, node_factory):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    c = await node_factory("Gemeente Den Haag")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        await make_partners(http, a, c)
        item = await create_item_with_photo(http, a, title="Kermis op het Malieveld")
        await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
                  json={"partners": [b.url("/actor")]})  # fmt: skip

        async def b_shares():
            return (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"] or None

        [share] = await wait_for(b_shares, what="B to receive the share")
        assert share["embargoed"] is False

        await services.add_user(a.app, "anna", "editor", EDITOR_PASSWORD)
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await login(page, a, "anna", EDITOR_PASSWORD)
        await page.goto(a.url(f"/admin/items/{item['id']}"))
        local = datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(days=2)
        await page.get_by_label("Titel", exact=True).fill("Kermis op het Malieveld (embargo)")
        await page.get_by_label("Embargo tot").fill(local.strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_role("button", name="Opslaan", exact=True).click()
        await expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
        await screenshot(page, "edit-travels-nl-saved")
        await context.close()

        async def b_has_the_embargo():
            shares = (await api(http, b, "GET", "/api/v1/shared-with-us"))["items"]
            got = [s for s in shares if s["id"] == share["id"] and s["embargoed"]]
            return got[0] if got else None

        updated = await wait_for(b_has_the_embargo, what="the embargo to reach B")
        assert updated["title"] == "Kermis op het Malieveld (embargo)"
        refused = await api(http, b, "POST", f"/api/v1/shared-with-us/{share['id']}/use",
                            expect=409)  # fmt: skip
        assert refused["type"].endswith("/embargoed"), refused
        b_items = (await api(http, b, "GET", "/api/v1/items"))["items"]
        assert b_items == []  # nothing was copied

        # C, a partner that was never ticked, got neither the share nor the edit.
        assert (await api(http, c, "GET", "/api/v1/shared-with-us"))["items"] == []
