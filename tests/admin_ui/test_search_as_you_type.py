"""Search as you type in the admin, in Dutch and English, on a real node and chromium:
typing "kerm" suggests and finds "kermis"; credits and the organisation's name find
items; active filters are removable chips; the empty state says what to try; an
embargoed, expired or partner-only item is never suggested and the last two never
found.  Screenshots: ``tests/artifacts/admin_ui/search-*``.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.async_api import Page, expect

from node import services
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.admin_ui.test_organisation import set_language

SOON = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
PAST = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat()
KERMIS = "Kermis op het Malieveld"

TEXT = {
    "nl": {
        "kind": "Soort: Artikel",
        "remove": "Filter verwijderen: Soort: Artikel",
        "org": "Organisatie: Stadsomroep Den Haag",
        "nothing": "Niets gevonden voor “kerm zzqxw”.",
        "fewer": "Gebruik minder woorden, bijvoorbeeld alleen “kerm”.",
        "facet": "Artikel",
        "library_chip": "Zoeken: coster",
    },
    "en": {
        "kind": "Kind: Article",
        "remove": "Remove filter: Kind: Article",
        "org": "Organisation: Stadsomroep Den Haag",
        "nothing": "Nothing found for “kerm zzqxw”.",
        "fewer": "Use fewer words, for example just “kerm”.",
        "facet": "Article",
        "library_chip": "Search: coster",
    },
}


async def _item(node, listed: bool, **fields) -> None:
    item = await services.create_item(node.app, {"kind": "article", **fields})
    await services.set_audience(node.app, item["id"], {"mediatheek": listed})


async def _results(page: Page) -> list[str]:
    return await page.locator("ul.grid .card-title").all_inner_texts()


async def _search(page: Page, node, q: str) -> None:
    await page.goto(node.url("/admin/mediatheek"))
    await page.locator("#f-q").fill(q)
    await page.locator("#f-q").press("Enter")
    await page.wait_for_load_state()


async def test_search_as_you_type_chips_and_empty_state(page: Page, node_factory) -> None:
    node = await node_factory("Stadsomroep Den Haag")
    await _item(node, True, title=KERMIS, summary="Draaimolens", credit="Herman Coster")
    await _item(node, True, title="Nieuwe tram naar de Binckhorst")
    await _item(node, True, title="Kermisgeheim onder embargo", embargo_until=SOON)
    await _item(node, True, title="Kermisoud al verlopen", expires_at=PAST)
    await _item(node, False, title="Kermis alleen voor partners")
    await login(page, node)
    for language in ("nl", "en"):
        t = TEXT[language]
        await set_language(page, language)
        # typing "kerm" offers the kermis as a suggestion, and nothing hidden or embargoed
        await page.goto(node.url("/admin/mediatheek"))
        await page.locator("#f-q").press_sequentially("kerm", delay=40)
        options = page.locator("#f-q-suggestions option")
        await expect(options).to_have_count(1)
        await expect(options.first).to_have_attribute("value", KERMIS)
        await expect(page.locator("#f-q")).to_have_attribute("data-suggested", "1")
        await page.locator("#f-q").press("Enter")
        await page.wait_for_load_state()
        found = await _results(page)
        assert KERMIS in found and "Kermisgeheim onder embargo" in found
        assert "Kermisoud al verlopen" not in found and "Kermis alleen voor partners" not in found
        await screenshot(page, f"search-kerm-{language}")
        assert await run_axe(page) == []
        # a facet becomes a chip; removing the chip keeps the words
        await page.locator(".facets").get_by_role("link", name=t["facet"], exact=True).click()
        await expect(page.locator(".chip")).to_have_count(1)
        await expect(page.locator(".chip").first).to_contain_text(t["kind"])
        org = page.locator(".facets").get_by_role("link", name="Stadsomroep Den Haag")
        await org.click()
        await expect(page.locator(".chip")).to_have_count(2)
        await expect(page.locator(".chips")).to_contain_text(t["org"])
        await screenshot(page, f"search-chips-{language}")
        assert await run_axe(page) == []
        await page.get_by_role("link", name=t["remove"]).click()
        await expect(page.locator(".chip")).to_have_count(1)
        await expect(page.locator("#f-q")).to_have_value("kerm")
        assert KERMIS in await _results(page)
        # credits and the organisation's name are searchable
        await _search(page, node, "Herman Coster")
        assert await _results(page) == [KERMIS]
        await _search(page, node, "stadsomroep binck")
        assert await _results(page) == ["Nieuwe tram naar de Binckhorst"]
        # nothing found: the page says what to try, and the hint works
        await _search(page, node, "kerm zzqxw")
        await expect(page.locator(".empty-state")).to_contain_text(t["nothing"])
        await screenshot(page, f"search-empty-{language}")
        assert await run_axe(page) == []
        await page.get_by_role("link", name=t["fewer"]).click()
        assert KERMIS in await _results(page)
        # the own library: the credit finds it, the search is a removable chip
        await page.goto(node.url("/admin/library?q=coster"))
        await expect(page.locator("ul.grid .card-title")).to_have_text([KERMIS])
        chip = page.locator(".chip").filter(has_text=t["library_chip"])
        await expect(chip).to_have_count(1)
        await screenshot(page, f"search-library-{language}")
        await chip.get_by_role("link").click()
        await expect(page.locator(".chip")).to_have_count(0)
        assert re.search(r"/admin/library$", page.url.split("?")[0])
