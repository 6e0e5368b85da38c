"""Ending a partnership in the admin UI asks for confirmation, without JavaScript."""

from __future__ import annotations

import re

import aiohttp
from playwright.async_api import Page, expect

from node import services
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import make_partners, wait_for


async def test_ending_a_partnership_needs_confirmation(page: Page, node_factory) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
    await login(page, a)
    await page.goto(a.url("/admin/partners"))
    await page.locator("#active").get_by_role("link", name=re.compile("^Beëindigen")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Partnerschap met Wijk-tv Noord beëindigen?"
    )
    assert await run_axe(page) == []
    await screenshot(page, "nl-partner-end")

    # Without the tick (as a browser without form validation would send it): nothing ends.
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    action = await page.locator("form[action$='/end']").get_attribute("action")
    response = await page.request.post(a.url(action), form={"csrf": csrf})
    assert response.status == 422
    assert "Niet beëindigd" in await response.text()
    assert [p["actor_url"] for p in await services.active_partners(a.app)] == [b.url("/actor")]

    # Cancelling goes back and changes nothing.
    await page.get_by_role("link", name="Annuleren").click()
    await expect(page.locator("#active")).to_contain_text("Wijk-tv Noord")

    # With the tick it ends, on both sides.
    await page.goto(a.url(action))
    await page.get_by_label("Ja, ik wil het partnerschap met Wijk-tv Noord beëindigen.").check()
    await page.get_by_role("button", name="Partnerschap beëindigen").click()
    await expect(page.get_by_role("status")).to_have_text("Partnerschap beëindigd.")
    await expect(page.locator("#active")).to_contain_text("Nog geen partners.")
    assert await services.active_partners(a.app) == []

    async def ended_at_b() -> bool:
        return not await services.active_partners(b.app)

    await wait_for(ended_at_b, what="B to see the partnership end")
    # An ended partnership has no confirmation page any more.
    response = await page.goto(a.url(action))
    assert response.status == 404


async def test_end_confirmation_in_english(page: Page, node_factory) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
    await services.set_user_language(a.app, "admin", "en")
    await login(page, a)
    partner = (await services.active_partners(a.app))[0]
    await page.goto(a.url(f"/admin/partners/{partner['id']}/end"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "End the partnership with Wijk-tv Noord?"
    )
    await expect(page.get_by_role("button", name="End partnership")).to_be_visible()
    await screenshot(page, "en-partner-end")
