"""End to end, in the browser, on two real nodes: upload, share, notify, preview, use,
find in the mediatheek, and see the use in the origin's insight.

Node A (Omroep West) and node B (Wijk-tv Noord) run on 127.0.0.1 and are made
partners through the API; everything after that is done by an editor of each
node in Chromium.  Every page both editors see is checked with axe and saved as a
screenshot in Dutch and English (``tests/artifacts/admin_ui/e2e-*``).
"""

from __future__ import annotations

import re

import aiohttp
from playwright.async_api import Browser, Page, expect

from node import services
from tests.admin_ui import media_files
from tests.admin_ui.conftest import CHROMIUM_ARGS, EDITOR_PASSWORD, login, run_axe, screenshot
from tests.integration.network import create_item_with_photo, make_partners, wait_for


async def _new_page(browser: Browser) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    return await context.new_page()


async def _reload_until(page: Page, locator, within: float = 20.0) -> None:
    """Reload until ``locator`` is visible (server-rendered pages do not update themselves)."""

    async def visible():
        await page.reload()
        return await locator.count() > 0 and await locator.first.is_visible()

    await wait_for(visible, within=within, what=str(locator))


async def test_share_notify_use_find_and_insight(browser: Browser, node_factory, tmp_path) -> None:
    assert CHROMIUM_ARGS  # the browser fixture launches /usr/bin/chromium
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        # an embargoed item A shares too, to see the embargo in B's pages
        embargoed = await create_item_with_photo(
            http, a, title="Begroting 2099", embargo_until="2099-01-01T08:00:00Z"
        )
    await services.add_user(a.app, "anna", "editor", EDITOR_PASSWORD)
    await services.add_user(b.app, "bram", "editor", EDITOR_PASSWORD)
    page_a = await _new_page(browser)
    page_b = await _new_page(browser)
    await login(page_a, a, "anna", EDITOR_PASSWORD)
    await login(page_b, b, "bram", EDITOR_PASSWORD)
    problems: dict[str, list] = {}

    async def check(page: Page, name: str) -> None:
        problems[name] = await run_axe(page)
        await screenshot(page, f"e2e-nl-{name}")

    # 1. A uploads a photo, with progress to 100 %.
    photo = media_files.photo(tmp_path / "stadhuisplein.jpg", (1200, 800))
    await page_a.goto(a.url("/admin/upload"))
    await page_a.get_by_label("Bestanden kiezen").set_input_files(str(photo))
    row = page_a.locator("#uploads li").first
    await expect(row).to_have_attribute("data-state", "done", timeout=30_000)
    assert await row.locator("progress").evaluate("p => p.value") == 100
    await row.get_by_role("link").click()
    await expect(page_a.get_by_role("heading", level=1)).to_contain_text("Nieuwe foto")
    await page_a.get_by_label("Titel", exact=True).fill("Feest op het Stadhuisplein")
    await page_a.get_by_label(re.compile("^Credit")).fill("Foto: Anna de Vries")
    await page_a.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page_a.get_by_role("status")).to_have_text("Opgeslagen.")
    item_url = page_a.url.split("?")[0]

    # 2. A ticks partner B and the mediatheek in the regie panel and applies.
    regie = page_a.locator("#regie")
    await regie.get_by_label("Wijk-tv Noord").check()
    await regie.get_by_label("In de mediatheek").check()
    await page_a.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page_a.locator("#confirm-summary")).to_have_text(
        "Wijk-tv Noord krijgt dit item, zonder embargo."
    )
    await page_a.get_by_role("button", name="Bevestigen").click()
    await expect(page_a.get_by_role("status")).to_have_text("Opgeslagen.")
    await expect(regie.get_by_label("Wijk-tv Noord")).to_be_checked()
    await _reload_until(page_a, regie.locator(".state[data-state='delivered']"))
    await expect(regie.locator(".state")).to_contain_text("Bezorgd")
    await check(page_a, "a-item-regie")
    # the embargoed item goes to B as well (through the same panel)
    await page_a.goto(a.url(f"/admin/items/{embargoed['id']}"))
    await regie.get_by_label("Wijk-tv Noord").check()
    await page_a.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page_a.locator("#confirm-summary")).to_contain_text("met embargo tot 1 januari")
    await page_a.get_by_role("button", name="Bevestigen").click()
    await expect(page_a.get_by_role("status")).to_have_text("Opgeslagen.")

    # 3. B's editor sees the notification badge.
    async def both_shares_arrived() -> bool:
        return len(await services.list_shares(b.app)) == 2

    await wait_for(both_shares_arrived, what="both shares to reach B")
    unread = await services.unread_notifications(b.app)
    assert unread >= 2  # the partnership request was announced too
    await page_b.goto(b.url("/admin/library"))
    await expect(page_b.locator("#unread-badge")).to_have_text(f"{unread} ongelezen")
    nav_link = page_b.get_by_role("link", name=f"Meldingen {unread} ongelezen")
    await expect(nav_link).to_be_visible()
    await check(page_b, "b-library-badge")
    await page_b.get_by_role("link", name=re.compile("^Meldingen")).click()
    await check(page_b, "b-notifications")

    # 4. B previews (the full image through the signed media proxy) and uses the item.
    entry = page_b.locator(".notifications li", has_text="Feest op het Stadhuisplein")
    await entry.get_by_role("button", name=re.compile("^Openen")).click()
    await expect(page_b.get_by_role("heading", level=1)).to_have_text("Feest op het Stadhuisplein")
    await expect(page_b.locator("#unread-badge")).to_have_text(f"{unread - 1} ongelezen")
    preview = page_b.locator(".remote-files img")
    await expect(preview).to_be_visible()
    await page_b.wait_for_function(
        "() => { const i = document.querySelector('.remote-files img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    await expect(page_b.get_by_text("Foto: Anna de Vries")).to_be_visible()
    await check(page_b, "b-share-preview")
    await page_b.get_by_role("button", name="Gebruiken").click()
    await expect(page_b.get_by_role("status")).to_contain_text("Opgenomen in je bibliotheek")
    await expect(page_b.get_by_label("Titel", exact=True)).to_have_value(
        "Feest op het Stadhuisplein"
    )
    copy_url = page_b.url.split("?")[0]
    copy_player = page_b.locator(".player img")
    await expect(copy_player).to_be_visible()
    assert await copy_player.evaluate("img => img.complete && img.naturalWidth > 0")
    await check(page_b, "b-copy-editor")

    # ... the embargoed share is marked and cannot be used yet.
    await page_b.goto(b.url("/admin/shared-with-us"))
    await expect(page_b.locator(".card .embargo")).to_contain_text(
        "Onder embargo tot 1 januari 2099, 09:00 (CET)"
    )
    await check(page_b, "b-shared-list")
    await page_b.get_by_role("link", name="Begroting 2099").click()
    await expect(page_b.locator("#embargo")).to_contain_text(
        "Onder embargo tot 1 januari 2099, 09:00 (CET)"
    )
    await page_b.get_by_role("button", name="Gebruiken").click()
    # the refusal is the sentence the page already shows, now as an alert: said once
    await expect(page_b.locator("#embargo[role=alert]")).to_contain_text(
        "Onder embargo tot 1 januari 2099, 09:00 (CET)"
    )
    assert await page_b.locator("#use-error").count() == 0
    await check(page_b, "b-share-embargoed")

    # 5. B finds the item again in the mediatheek search, with facets.
    await page_b.goto(b.url("/admin/mediatheek"))
    await page_b.get_by_label("Zoeken", exact=True).fill("stadhuisplein")
    await page_b.get_by_role("button", name="Zoek", exact=True).click()
    hit = page_b.get_by_role("link", name=re.compile("Feest op het Stadhuisplein"))
    await expect(hit).to_be_visible()
    await expect(page_b.locator(".facets")).to_contain_text("Omroep West")
    await check(page_b, "b-mediatheek")
    await hit.click()
    await expect(page_b.get_by_role("heading", level=1)).to_have_text("Feest op het Stadhuisplein")
    await check(page_b, "b-listing")
    # Using it again (here from the mediatheek) leads to the one copy B already has.
    await page_b.get_by_role("button", name="Gebruiken").click()
    await expect(page_b.get_by_role("status")).to_contain_text(
        "Dit item stond al in je bibliotheek; dit is je kopie."
    )
    assert page_b.url.split("?")[0] == copy_url
    await check(page_b, "b-copy-again")

    # 6. A's insight shows B's use, on the item and for the organisation.
    async def used() -> bool:
        data = await services.item_insight(a.app, item_url.rsplit("/", 1)[1])
        return any(p["used_at"] for p in data["partners"])

    await wait_for(used, what="A to hear of B's use")
    await page_a.goto(item_url)
    insight = page_a.locator("#insight")
    await expect(insight.get_by_role("row", name=re.compile("Wijk-tv Noord"))).to_be_visible()
    used_cell = insight.get_by_role("row", name=re.compile("Wijk-tv Noord")).locator("td").nth(2)
    await expect(used_cell).not_to_have_text("—")
    await page_a.get_by_role("link", name="Inzicht", exact=True).click()
    partner_row = page_a.locator("#per-partner").get_by_role("row", name=re.compile("Wijk-tv"))
    await expect(partner_row.locator("td[data-event='used']")).to_have_text("1")
    await expect(page_a.locator("#totals dd[data-event='used']")).to_have_text("1")
    await check(page_a, "a-insight")

    # Every page in English too, on both nodes (as the admin, who sees every page).
    await _all_pages_in_both_languages(browser, a, b, problems)
    assert {name: found for name, found in problems.items() if found} == {}


async def _all_pages_in_both_languages(browser: Browser, a, b, problems: dict) -> None:
    for node, tag in ((a, "a"), (b, "b")):
        share_paths = [
            f"/admin/shared-with-us/{s['id']}" for s in await services.list_shares(node.app)
        ]
        items, _ = await services.list_items(node.app, {}, 5, None)
        await services.create_screen(node.app, "Muurkrant hal", 15, True)
        paths = {
            "library": "/admin/library",
            "upload": "/admin/upload",
            "item": f"/admin/items/{items[0]['id']}",
            "shared": "/admin/shared-with-us",
            "notifications": "/admin/notifications",
            "mediatheek": "/admin/mediatheek",
            "insight": "/admin/insight",
            "walls": "/admin/walls",
            "contributions": "/admin/contributions",
            "partners": "/admin/partners",
            "policy": "/admin/federation/policy",
            "deliveries": "/admin/federation/deliveries",
            "users": "/admin/users",
            "tokens": "/admin/tokens",
        }
        if share_paths:
            paths["share"] = share_paths[0]
        page = await _new_page(browser)
        await login(page, node)
        for lang in ("nl", "en"):
            await services.set_user_language(node.app, "admin", lang)
            for name, path in paths.items():
                await page.goto(node.url(path))
                await expect(page.locator("html")).to_have_attribute("lang", lang)
                problems[f"{lang}-{tag}-{name}"] = await run_axe(page)
                await screenshot(page, f"e2e-{lang}-{tag}-{name}")
        await page.context.close()
