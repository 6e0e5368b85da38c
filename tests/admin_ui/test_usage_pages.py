"""The "Gebruik" page and the coordinator's network overview, in Dutch and English."""

from __future__ import annotations

import aiohttp
from playwright.async_api import Page, expect

from node.services import usage
from node.sharing.services import SERVICES
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import api, create_item_with_photo, make_partners, wait_for

LAST_MONTH = usage.current_period("month").previous().label


async def switch_language(page: Page, language: str) -> None:
    await page.locator("#language-select").select_option(language)
    await page.locator("form[action='/admin/language'] button[type=submit]").click()
    await page.wait_for_load_state()


async def test_usage_page_and_network_overview(page: Page, node_factory) -> None:
    coordinator = await node_factory("Stadsomroep Den Haag", usage_collect_reports=True)
    participant = await node_factory(
        "WijkTV Den Haag",
        usage_coordinator=coordinator.url("/actor"),
        usage_report_opt_in=True,
    )
    async with aiohttp.ClientSession() as http:
        await make_partners(http, participant, coordinator)
        await create_item_with_photo(http, participant, title="Buurtfeest")
        async with http.get(participant.url("/feeds/rss.xml")) as r:
            assert r.status == 200
        sent = await api(
            http, participant, "POST", "/api/v1/usage/send", json={"at": LAST_MONTH}, expect=200
        )
        assert sent["sent"]

        async def arrived():
            await participant.app[SERVICES].outbox.run_once()
            for node in (participant, coordinator):
                await node.app[SERVICES].federation.drain()
            rows = (await api(http, coordinator, "GET", f"/api/v1/usage/network?at={LAST_MONTH}"))[
                "rows"
            ]
            return rows

        await wait_for(arrived, what="the report at the coordinator")

    await login(page, participant)
    await page.goto(participant.url("/admin/usage"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Gebruik")
    figures = page.locator("#usage-figures")
    await expect(figures.locator("[data-figure=items_made]")).to_have_text("1")
    await expect(figures.locator("[data-figure=feed_requests]")).to_have_text("1")
    await expect(page.locator("#usage-opt-in")).to_contain_text(coordinator.url("/actor"))
    await expect(page.locator("#usage-sent")).to_contain_text(LAST_MONTH)
    assert await run_axe(page) == []
    await screenshot(page, "usage-nl")
    href = await page.locator("#usage-csv").get_attribute("href")
    response = await page.request.get(participant.url(href))
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
    assert (await response.text()).startswith("period,at,start,end,items_made")

    await page.get_by_label("Periode").select_option(f"month:{LAST_MONTH}")
    await page.get_by_role("button", name="Toon").click()
    await expect(figures.locator("[data-figure=items_made]")).to_have_text("0")
    await page.goto(participant.url("/admin/usage?p=week:1"))
    await expect(page.locator("#usage-error")).to_contain_text("bestaat niet")

    await page.goto(participant.url("/admin/usage"))
    await switch_language(page, "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Usage")
    await expect(page.get_by_role("columnheader", name="What")).to_be_visible()
    await expect(page.get_by_text("Feed requests")).to_be_visible()
    assert await run_axe(page) == []
    await screenshot(page, "usage-en")

    # The coordinator's overview: one row for the participant, kind set by the coordinator.
    coord_page = await page.context.browser.new_page()
    await login(coord_page, coordinator)
    await coord_page.goto(coordinator.url("/admin/usage"))
    await coord_page.locator("#usage-network-link").click()
    await coord_page.get_by_label("Maand").select_option(LAST_MONTH)
    await coord_page.get_by_role("button", name="Toon").click()
    row = coord_page.locator("#network-overview tbody tr")
    await expect(row).to_have_count(1)
    await expect(row.get_by_role("rowheader")).to_have_text("WijkTV Den Haag")
    await row.get_by_label("Soort deelnemer van WijkTV Den Haag").select_option("community")
    await row.get_by_role("button", name="Opslaan").click()
    await expect(coord_page.get_by_role("status")).to_contain_text("Soort deelnemer opgeslagen")
    await expect(coord_page.get_by_label("Soort deelnemer van WijkTV Den Haag")).to_have_value(
        "community"
    )
    assert await run_axe(coord_page) == []
    await screenshot(coord_page, "usage-network-nl")
    kind_url = coordinator.url("/admin/usage/network/kind")
    form = {"actor": participant.url("/actor"), "kind": "community"}
    refused = await coord_page.request.post(kind_url, form=form)
    assert refused.status == 403  # no CSRF token
    token = await coord_page.locator("meta[name=csrf-token]").get_attribute("content")
    bad = await coord_page.request.post(kind_url, form={**form, "kind": "rijk", "csrf": token})
    assert bad.status == 422 and "Kies een soort deelnemer" in await bad.text()
    await switch_language(coord_page, "en")
    await expect(coord_page.get_by_role("heading", level=1)).to_have_text(
        "Network overview of the core group"
    )
    await expect(coord_page.get_by_label("Kind of participant of WijkTV Den Haag")).to_have_value(
        "community"
    )
    assert await run_axe(coord_page) == []
    await screenshot(coord_page, "usage-network-en")
    await coord_page.close()
