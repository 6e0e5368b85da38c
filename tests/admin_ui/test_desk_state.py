"""The editor's desk shows where every item stands, and the loop back to the origin is closed.

Real nodes on 127.0.0.1: A (Omroep West) and B (Wijk-tv Noord) are partners.  In Chromium,
in Dutch and in English:

- library cards carry a badge per workflow state (draft, ready, shared, listed, public,
  embargoed, expired) and a proper file count; the status filter narrows the grid, an
  unknown status is a translated refusal (422), not a 500;
- B reports from its copy's page where it published the item (a wrong address is refused
  with a reason); A's insight names B's organisation and shows the address, A's regie panel
  says "published", and A's editors get a notification;
- a partner that only got the mediatheek listing is "seen in the mediatheek", not "received";
- A renames itself: its actor ``Update`` renames the partner on B's desk.

Screenshots: ``tests/artifacts/admin_ui/desk-*``.
"""

from __future__ import annotations

import datetime as dt
import re

import aiohttp
from playwright.async_api import Browser, Page, expect

from node import services
from tests.admin_ui.conftest import EDITOR_PASSWORD, login, run_axe, screenshot
from tests.integration.network import create_item_with_photo, make_partners, wait_for

LANGUAGES = ("nl", "en")
BADGE_WORDS = {
    "nl": {
        "draft": "Concept",
        "ready": "Klaar om te delen",
        "shared": "Gedeeld met 1 partner",
        "listed": "In de mediatheek",
        "public": "Openbaar",
        "embargoed": "Embargo tot 1 januari 2099, 09:00 (CET) · daarna openbaar",
        "expired": "Verlopen",
        "files": "1 bestand",
        "filter": "Status",
        "show": "Toon",
        "bad-state": "Onbekende status “bijna”: kies een status uit de lijst.",
    },
    "en": {
        "draft": "Draft",
        "ready": "Ready to share",
        "shared": "Shared with 1 partner",
        "listed": "In the mediatheek",
        "public": "Public",
        "embargoed": "Embargo until 1 January 2099, 09:00 (CET) · public after that",
        "expired": "Expired",
        "files": "1 file",
        "filter": "Status",
        "show": "Show",
        "bad-state": "Unknown status “bijna”: choose a status from the list.",
    },
}


async def _new_page(browser: Browser) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    return await context.new_page()


def _ago(**delta) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _item(app, title: str, audience: dict | None = None, **fields) -> dict:
    item = await services.create_item(app, {"kind": "article", "title": title, **fields})
    if audience:
        await services.set_audience(app, item["id"], audience)
    return item


async def test_badges_and_state_filter_in_both_languages(browser: Browser, node_factory) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        photo = await create_item_with_photo(http, a, title="Foto zonder regie")
    partner = b.url("/actor")
    body = {"body": "<p>Tekst.</p>"}
    titles = {
        "draft": "Alleen een titel",
        "ready": "Foto zonder regie",
        "shared": "Gedeeld met Wijk-tv",
        "listed": "In de mediatheek gezet",
        "public": "Openbaar bericht",
        "embargoed": "Begroting 2099",
        "expired": "Oude vacature",
    }
    await _item(a.app, titles["draft"])
    await _item(a.app, titles["shared"], {"partners": [partner]}, **body)
    await _item(a.app, titles["listed"], {"mediatheek": True}, **body)
    await _item(a.app, titles["public"], {"public": True}, **body)
    await _item(
        a.app,
        titles["embargoed"],
        {"public": True},
        embargo_until="2099-01-01T08:00:00Z",
        **body,
    )
    await _item(a.app, titles["expired"], {"public": True}, expires_at=_ago(minutes=5), **body)
    await services.add_user(a.app, "anna", "editor", EDITOR_PASSWORD)
    page = await _new_page(browser)
    await login(page, a, "anna", EDITOR_PASSWORD)
    problems: dict[str, list] = {}
    for lang in LANGUAGES:
        words = BADGE_WORDS[lang]
        await services.set_user_language(a.app, "anna", lang)
        await page.goto(a.url("/admin/library"))
        await expect(page.locator("html")).to_have_attribute("lang", lang)
        for state, title in titles.items():
            card = page.locator(".card", has_text=title)
            badge = card.locator(f".state-badge[data-state='{state}']")
            await expect(badge).to_have_text(words[state])
        photo_card = page.locator(".card", has_text=titles["ready"])
        await expect(photo_card.locator(".meta")).to_contain_text(words["files"])
        await expect(photo_card.locator(".meta")).not_to_contain_text("(en)")
        # the embargoed item is not public yet: no public badge until the embargo ends
        embargoed = page.locator(".card", has_text=titles["embargoed"])
        await expect(embargoed.locator(".state-badge[data-state='public']")).to_have_count(0)
        problems[f"{lang}-library"] = await run_axe(page)
        await screenshot(page, f"desk-{lang}-library-badges")

        # The status filter: only the embargoed item.
        await page.get_by_label(words["filter"], exact=True).select_option("embargoed")
        await page.get_by_role("button", name=words["show"], exact=True).click()
        await expect(page).to_have_url(re.compile(r"state=embargoed"))
        await expect(page.locator(".card")).to_have_count(1)
        await expect(page.locator(".card")).to_contain_text(titles["embargoed"])
        await screenshot(page, f"desk-{lang}-library-filter")
        await page.get_by_label(words["filter"], exact=True).select_option("shared")
        await page.get_by_role("button", name=words["show"], exact=True).click()
        await expect(page.locator(".card")).to_have_count(1)
        await expect(page.locator(".card")).to_contain_text(titles["shared"])

        # An unknown status: a translated reason, no 500.
        response = await page.goto(a.url("/admin/library?state=bijna"))
        assert response is not None and response.status == 422
        await expect(page.get_by_role("alert")).to_have_text(words["bad-state"])
        problems[f"{lang}-library-bad-state"] = await run_axe(page)
        await screenshot(page, f"desk-{lang}-library-bad-state")

        # The editor carries the same badges.
        await page.goto(a.url(f"/admin/items/{photo['id']}"))
        await expect(page.locator("#item-states .state-badge")).to_have_text(words["ready"])
        await expect(page.locator(".meta").first).to_contain_text(words["files"])
    assert {k: v for k, v in problems.items() if v} == {}


LOOP_WORDS = {
    "nl": {
        "report": "Gepubliceerd melden",
        "other": "Een ander kanaal: het adres van de pagina",
        "address": "Adres (https://…)",
        "not-http": "Dit adres begint niet met http:// of https://.",
        "missing": "Kies waar je het item publiceerde, of vul het adres in.",
        "reported": "Gemeld: de bron hoort waar je het item publiceerde.",
        "notification": "Wijk-tv Noord publiceerde: Markt op het Plein, op"
        " https://wijktv-noord.example/nieuws/markt",
        "used-notification": "Wijk-tv Noord gebruikte: Markt op het Plein",
        "wall": "Een muurkrant",
    },
    "en": {
        "report": "Report publication",
        "other": "Another channel: the address of the page",
        "address": "Address (https://…)",
        "not-http": "This address does not start with http:// or https://.",
        "missing": "Choose where you published the item, or fill in the address.",
        "reported": "Reported: the origin hears where you published the item.",
        "notification": "Wijk-tv Noord published: Markt op het Plein, on a wall display",
        "used-notification": "Wijk-tv Noord used: Markt op het Plein",
        "wall": "A wall display",
    },
}


async def test_partner_reports_publication_and_origin_sees_it(
    browser: Browser, node_factory
) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        shared = await create_item_with_photo(http, a)
        listed_only = await create_item_with_photo(http, a, title="Alleen in de mediatheek")
    await services.set_audience(a.app, shared["id"], {"partners": [b.url("/actor")]})
    await services.set_audience(a.app, listed_only["id"], {"mediatheek": True})

    async def share_arrived():
        return next(iter(await services.list_shares(b.app)), None)

    share = await wait_for(share_arrived, what="the share to reach B")
    copy = (await services.use_share(b.app, share["id"])).item
    await services.add_user(a.app, "anna", "editor", EDITOR_PASSWORD)
    await services.add_user(b.app, "bram", "editor", EDITOR_PASSWORD)
    page_a, page_b = await _new_page(browser), await _new_page(browser)
    await login(page_a, a, "anna", EDITOR_PASSWORD)
    await login(page_b, b, "bram", EDITOR_PASSWORD)
    problems: dict[str, list] = {}

    # Using the copy already told A: a notification and the "used" step.
    async def used():
        data = await services.item_insight(a.app, shared["id"])
        return any(p["used_at"] for p in data["partners"])

    await wait_for(used, what="A to hear of B's use")
    for lang in LANGUAGES:
        words = LOOP_WORDS[lang]
        await services.set_user_language(b.app, "bram", lang)
        await page_b.goto(b.url(f"/admin/items/{copy['id']}"))
        report = page_b.locator("#report")
        await expect(report.get_by_role("heading")).to_have_text(words["report"])
        # bad input first: another scheme, then an empty address
        await report.get_by_label(words["other"]).check()
        await report.get_by_label(words["address"]).fill("ftp://wijktv-noord.example/markt")
        await report.get_by_role("button", name=words["report"]).click()
        await expect(page_b.locator("#report-error")).to_contain_text(words["not-http"])
        await expect(report.get_by_label(words["address"])).to_have_value(
            "ftp://wijktv-noord.example/markt"
        )
        problems[f"{lang}-b-report-refused"] = await run_axe(page_b)
        await screenshot(page_b, f"desk-{lang}-b-report-refused")
        await report.get_by_label(words["other"]).check()
        await report.get_by_label(words["address"]).fill("")
        await report.get_by_role("button", name=words["report"]).click()
        await expect(page_b.locator("#report-error")).to_have_text(words["missing"])
    # Dutch: the article's address; English: a wall display.
    await services.set_user_language(b.app, "bram", "nl")
    await page_b.goto(b.url(f"/admin/items/{copy['id']}"))
    report = page_b.locator("#report")
    await report.get_by_label(LOOP_WORDS["nl"]["other"]).check()
    await report.get_by_label(LOOP_WORDS["nl"]["address"]).fill(
        "https://wijktv-noord.example/nieuws/markt"
    )
    await report.get_by_role("button", name="Gepubliceerd melden").click()
    await expect(page_b.get_by_role("status")).to_have_text(LOOP_WORDS["nl"]["reported"])
    await screenshot(page_b, "desk-nl-b-reported")
    await services.set_user_language(b.app, "bram", "en")
    await page_b.goto(b.url(f"/admin/items/{copy['id']}"))
    await page_b.locator("#report").get_by_label(LOOP_WORDS["en"]["wall"]).check()
    await page_b.locator("#report").get_by_role("button", name="Report publication").click()
    await expect(page_b.get_by_role("status")).to_have_text(LOOP_WORDS["en"]["reported"])
    await screenshot(page_b, "desk-en-b-reported")

    async def both_published():
        data = await services.item_insight(a.app, shared["id"])
        return sum(len(p["published_on"]) for p in data["partners"]) == 2

    await wait_for(both_published, what="both publication reports to reach A")
    for lang in LANGUAGES:
        words = LOOP_WORDS[lang]
        await services.set_user_language(a.app, "anna", lang)
        await page_a.goto(a.url(f"/admin/items/{shared['id']}"))
        row = page_a.locator("#insight").get_by_role("row", name=re.compile("Wijk-tv Noord"))
        await expect(row).to_be_visible()
        await expect(page_a.locator("#insight")).not_to_contain_text("/actor")
        published = row.locator("td[data-column='published']")
        await expect(published).to_contain_text("https://wijktv-noord.example/nieuws/markt")
        link = published.get_by_role("link", name="https://wijktv-noord.example/nieuws/markt")
        await expect(link).to_have_attribute("href", "https://wijktv-noord.example/nieuws/markt")
        await expect(published).to_contain_text(words["wall"].lower())
        await expect(row.locator("td[data-column='shared']")).not_to_have_text("—")
        await expect(row.locator("td[data-column='used']")).not_to_have_text("—")
        # the regie panel: B's furthest step, by name
        state = page_a.locator("#regie .state[data-state='published']")
        await expect(state).to_contain_text("Gepubliceerd op" if lang == "nl" else "Published on")
        await expect(page_a.locator("#regie label", has_text="Wijk-tv Noord")).to_be_visible()
        problems[f"{lang}-a-item-insight"] = await run_axe(page_a)
        await screenshot(page_a, f"desk-{lang}-a-item-insight")

        # A's notifications: B used it, and B published it (twice)
        await page_a.goto(a.url("/admin/notifications"))
        notes = page_a.locator(".notifications li")
        await expect(notes.filter(has_text=words["used-notification"])).to_have_count(1)
        await expect(notes.filter(has_text=words["notification"])).to_have_count(1)
        problems[f"{lang}-a-notifications"] = await run_axe(page_a)
        await screenshot(page_a, f"desk-{lang}-a-notifications")

        # The listing-only item: B saw it in the mediatheek, but did not receive it.
        await page_a.goto(a.url(f"/admin/items/{listed_only['id']}"))
        row = page_a.locator("#insight").get_by_role("row", name=re.compile("Wijk-tv Noord"))
        await expect(row.locator("td[data-column='shared']")).to_have_text("—")
        await expect(row.locator("td[data-column='listed']")).not_to_have_text("—")
        heading = "Ontvangen als deling" if lang == "nl" else "Received as a share"
        await expect(page_a.locator("#insight thead")).to_contain_text(heading)
        await screenshot(page_a, f"desk-{lang}-a-listing-only-insight")

        # The organisation's insight page names the partner too, and the address.
        await page_a.goto(a.url("/admin/insight"))
        await expect(page_a.locator("#per-partner")).to_contain_text("Wijk-tv Noord")
        await expect(page_a.locator("main")).not_to_contain_text(b.url("/actor"))
        await expect(page_a.locator("main")).to_contain_text(
            "https://wijktv-noord.example/nieuws/markt"
        )
        problems[f"{lang}-a-insight"] = await run_axe(page_a)
        await screenshot(page_a, f"desk-{lang}-a-insight")
    # opening the notification leads to the item's insight
    await page_a.goto(a.url("/admin/notifications"))
    entry = page_a.locator(".notifications li", has_text=LOOP_WORDS["en"]["used-notification"])
    await entry.get_by_role("button").click()
    await expect(page_a).to_have_url(re.compile(rf"/admin/items/{shared['id']}"))
    assert {k: v for k, v in problems.items() if v} == {}


async def test_actor_update_renames_the_partner_on_b(browser: Browser, node_factory) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        item = await create_item_with_photo(http, a)
    await services.set_audience(a.app, item["id"], {"partners": [b.url("/actor")]})

    async def share_arrived():
        return next(iter(await services.list_shares(b.app)), None)

    await wait_for(share_arrived, what="the share to reach B")
    icon = (await _png()).getvalue()
    await services.update_profile(a.app, name="Omroep West Holland", summary="", icon=icon)

    async def renamed():
        partners = (await services.list_partners(b.app))["partners"]
        return next((p for p in partners if p["name"] == "Omroep West Holland"), None)

    partner = await wait_for(renamed, what="B to learn A's new name")
    assert partner["icon"] and partner["icon"].startswith(a.url("/"))
    page = await _new_page(browser)
    await login(page, b)
    for lang in LANGUAGES:
        await services.set_user_language(b.app, "admin", lang)
        await page.goto(b.url("/admin/partners"))
        await expect(page.locator("main")).to_contain_text("Omroep West Holland")
        await screenshot(page, f"desk-{lang}-b-partners-renamed")
        await page.goto(b.url("/admin/shared-with-us"))
        await expect(page.locator("main")).to_contain_text("Omroep West Holland")
        await expect(page.locator("main")).not_to_contain_text("Omroep West ·")
        await screenshot(page, f"desk-{lang}-b-partner-renamed")


async def _png():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), "navy").save(buf, "PNG")
    return buf
