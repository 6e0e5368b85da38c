"""The sharing and network pages: roles, CSRF, partners through the UI, regie refusals,
federation policy, delivery health, wall screens, notifications."""

from __future__ import annotations

import re

import aiohttp
from playwright.async_api import Page, expect

from node import services
from tests.admin_ui.conftest import EDITOR_PASSWORD, login, run_axe, screenshot
from tests.integration.network import wait_for

ADMIN_ONLY = ("/admin/partners", "/admin/federation/policy", "/admin/federation/deliveries")
EDITOR_PAGES = (
    "/admin/shared-with-us",
    "/admin/mediatheek",
    "/admin/notifications",
    "/admin/insight",
    "/admin/walls",
    "/admin/contributions",
)
FORMS = (
    "/admin/partners",
    "/admin/partners/x/accept",
    "/admin/federation/policy",
    "/admin/federation/deliveries/retry",
    "/admin/notifications/read-all",
    "/admin/walls",
    "/admin/items/x",
    "/admin/shared-with-us/x/use",
    "/admin/mediatheek/1/use",
    "/admin/contributions/x/accept",
    "/admin/contributions/x/reject",
)


async def test_roles_on_network_pages(page: Page, node) -> None:
    await services.add_user(node.app, "redacteur", "editor", EDITOR_PASSWORD)
    await login(page, node, "redacteur", EDITOR_PASSWORD)
    for path in ADMIN_ONLY:
        response = await page.goto(node.url(path))
        assert response.status == 403, path
        await expect(page.get_by_role("alert")).to_have_text("Alleen voor beheerders.")
    for path in EDITOR_PAGES:
        response = await page.goto(node.url(path))
        assert response.status == 200, path
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    await expect(nav.get_by_role("link", name="Partners")).to_have_count(0)
    await expect(nav.get_by_role("link", name="Mediatheek")).to_be_visible()


async def test_every_new_form_needs_the_csrf_token(page: Page, node) -> None:
    await login(page, node)
    for path in FORMS:
        response = await page.request.post(node.url(path), form={"x": "1"})
        assert response.status == 403, path
        assert "Dit formulier is verlopen" in await response.text()


async def test_request_and_accept_partnership_in_the_browser(page: Page, node_factory) -> None:
    a = await node_factory("Omroep West")
    b = await node_factory("Wijk-tv Noord")
    await login(page, a)
    await page.goto(a.url("/admin/partners"))
    await page.get_by_label("Adres van de organisatie").fill("niet-een-adres")
    await page.get_by_role("button", name="Verzoek versturen").click()
    await expect(page.locator("#partner-error")).to_contain_text("Vul een adres in")
    await page.get_by_label("Adres van de organisatie").fill("redactie@127.0.0.1:1")
    await page.get_by_role("button", name="Verzoek versturen").click()
    await expect(page.locator("#partner-error")).to_contain_text("geeft geen antwoord")
    await page.get_by_label("Adres van de organisatie").fill(b.url("/actor"))
    await page.get_by_role("button", name="Verzoek versturen").click()
    await expect(page.get_by_role("status")).to_contain_text("Verzoek verstuurd")
    await expect(page.locator("#outgoing")).to_contain_text("Wijk-tv Noord")

    page_b = await page.context.browser.new_page()
    await login(page_b, b)
    await page_b.goto(b.url("/admin/partners"))
    accept = page_b.get_by_role("button", name=re.compile("^Accepteren"))
    await wait_for(lambda: _reload_count(page_b, accept), what="the request to arrive at B")
    await accept.click()
    await expect(page_b.get_by_role("status")).to_have_text("Partnerschap geaccepteerd.")

    async def active() -> bool:
        return bool(await services.active_partners(a.app))

    await wait_for(active, what="A to see the partnership as active")
    await page.goto(a.url("/admin/partners"))
    await expect(page.locator("#active")).to_contain_text("Wijk-tv Noord")
    await page_b.close()


async def _reload_count(page: Page, locator) -> int:
    await page.reload()
    return await locator.count()


async def test_regie_refusal_is_shown_in_dutch(page: Page, node) -> None:
    item = await services.create_item(node.app, {"kind": "article", "title": "Raadsbesluit"})
    await login(page, node)
    await page.goto(node.url(f"/admin/items/{item['id']}"))
    csrf = await page.locator("meta[name=csrf-token]").get_attribute("content")
    # a partner that is not (or no longer) active, as a stale form would send it
    response = await page.request.post(
        node.url(f"/admin/items/{item['id']}"),
        form={
            "csrf": csrf,
            "title": "Raadsbesluit, gewijzigd",
            "partner": "https://elders.example/actor",
            "confirm": "1",
        },
    )
    assert response.status == 422
    html = await response.text()
    assert "Niet opgeslagen: je kunt alleen delen met actieve partners." in html
    assert 'value="Raadsbesluit, gewijzigd"' in html  # the input is kept
    assert (await services.describe_audience(node.app, item["id"]))["partners"] == []
    # ... and the metadata of the refused save was not stored either (one transaction)
    assert (await services.get_item(node.app, item["id"]))["title"] == "Raadsbesluit"
    # the public tick alone works without partners, through the one save
    await page.locator("#regie").get_by_label("Openbaar").check()
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
    assert (await services.describe_audience(node.app, item["id"]))["public"] is True


async def test_federation_policy_and_delivery_health(page: Page, node) -> None:
    await login(page, node)
    await page.goto(node.url("/admin/federation/policy"))
    await expect(page.locator("#closed-state")).to_contain_text("Uit")
    await page.get_by_label("Domein").fill("https://spam.example/pad")
    await page.get_by_label("Blokkeren").check()
    await page.get_by_role("button", name="Regel opslaan").click()
    await expect(page.locator("#policy-error")).to_contain_text("Geef een domeinnaam")
    await page.get_by_label("Domein").fill("Spam.Example")
    await page.get_by_label("Blokkeren").check()
    await page.get_by_role("button", name="Regel opslaan").click()
    await expect(page.get_by_role("status")).to_have_text("Beleid opgeslagen.")
    await expect(page.locator("#blocked")).to_contain_text("spam.example")
    assert await services.domain_rules(node.app) == {"spam.example": "block"}
    await page.get_by_label("Domein").fill("partner.example")
    await page.get_by_label("Toestaan").check()
    await page.get_by_role("button", name="Regel opslaan").click()
    await expect(page.locator("#allowed")).to_contain_text("partner.example")
    await page.get_by_role("button", name="Verwijderen spam.example").click()
    assert await services.domain_rules(node.app) == {"partner.example": "allow"}

    await page.goto(node.url("/admin/federation/deliveries"))
    await expect(page.locator("#failing")).to_contain_text("Geen problemen")
    await page.get_by_role("button", name="Alles nu opnieuw proberen").click()
    await expect(page.get_by_role("status")).to_contain_text("opnieuw geprobeerd")


async def test_wall_screens(page: Page, node) -> None:
    from node.channels.publish import set_public
    from node.core.appkeys import DB

    item = await services.create_item(node.app, {"kind": "article", "title": "Open dag"})
    later = await services.create_item(
        node.app,
        {"kind": "article", "title": "Nog geheim", "embargo_until": "2099-01-01T09:00:00Z"},
    )
    await services.create_item(node.app, {"kind": "article", "title": "Intern concept"})
    for public in (item, later):
        await node.app[DB].write(lambda db, i=public["id"]: set_public(db, i, True))
    await login(page, node)
    await page.goto(node.url("/admin/walls"))
    await page.get_by_label("Naam").fill("Muurkrant hal")
    await page.get_by_label("Wisseltijd in seconden").fill("2")
    await page.get_by_role("button", name="Scherm toevoegen").click()
    await expect(page.locator("#wall-error")).to_contain_text("3 tot 3600")
    await page.get_by_label("Wisseltijd in seconden").fill("20")
    await page.get_by_role("button", name="Scherm toevoegen").click()
    await expect(page.get_by_role("status")).to_have_text("Scherm aangemaakt.")
    screen = (await services.list_screens(node.app))[0]
    # only public items are offered; an embargoed one is marked
    await expect(page.get_by_label("Intern concept")).to_have_count(0)
    await expect(page.get_by_label(re.compile("^Nog geheim .*onder embargo tot"))).to_have_count(1)
    await page.get_by_label("Open dag").check()
    await page.get_by_role("button", name="Items opslaan Muurkrant hal").click()
    await expect(page.get_by_role("status")).to_have_text("Items opgeslagen.")
    assert (await services.list_screens(node.app))[0]["items"] == [item["id"]]
    async with aiohttp.ClientSession() as http:
        async with http.get(node.url(f"/wall/{screen['token']}")) as response:
            assert response.status == 200
    await page.get_by_role("button", name="Scherm verwijderen Muurkrant hal").click()
    await expect(page.get_by_role("status")).to_have_text("Scherm verwijderd.")
    assert await services.list_screens(node.app) == []


async def test_notifications_mark_read_and_badge(page: Page, node) -> None:
    from node.core.appkeys import DB
    from node.sharing import notifications

    for title in ("Eerste melding", "Tweede melding"):
        await node.app[DB].write(
            lambda db, t=title: notifications.notify(db, "test", t, link="/admin/library")
        )
    await login(page, node)
    await expect(page.locator("#unread-badge")).to_have_text("2 ongelezen")
    await page.get_by_role("link", name=re.compile("^Meldingen")).click()
    entry = page.locator(".notifications li", has_text="Eerste melding")
    await entry.get_by_role("button", name=re.compile("^Openen")).click()
    await expect(page).to_have_url(re.compile("/admin/library$"))
    await expect(page.locator("#unread-badge")).to_have_text("1 ongelezen")
    await page.goto(node.url("/admin/notifications"))
    await page.get_by_role("button", name="Alles als gelezen markeren").click()
    await expect(page.get_by_role("status")).to_have_text("Alles gemarkeerd als gelezen.")
    await expect(page.locator("#unread-badge")).to_have_count(0)


async def test_contributions_moderation(page: Page, node) -> None:
    from tests.admin_ui import media_files

    photo = media_files.photo(node.settings.data_dir / "brand.jpg", (640, 480)).read_bytes()
    async with aiohttp.ClientSession() as http:
        for name in ("Jan Burger", "Piet Spam"):
            async with http.get(node.url("/contribute")) as r:
                token = re.search(r'name="form_token" value="([^"]+)"', await r.text())[1]
            data = aiohttp.FormData(default_to_multipart=True)
            for key, value in {
                "form_token": token,
                "name": name,
                "contact": "jan@example.org",
                "text": f"Brand aan de Markt ({name}).",
                "licence": "CC-BY-4.0",
                "consent": "yes",
            }.items():
                data.add_field(key, value)
            data.add_field("files", photo, filename="brand.jpg", content_type="image/jpeg")
            async with http.post(node.url("/contribute"), data=data) as r:
                assert r.status == 201, await r.text()
    await login(page, node)
    await page.get_by_role("link", name=re.compile("^Meldingen")).click()
    entry = page.locator(".notifications li", has_text="Nieuwe bijdrage van Jan Burger")
    await entry.get_by_role("button", name=re.compile("^Openen")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Bijdragen van burgers")
    jan = page.locator("section.contribution", has_text="Jan Burger")
    image = jan.locator("img")
    await expect(image).to_be_visible()
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert await run_axe(page) == []
    await screenshot(page, "nl-contributions")
    piet = page.locator("section.contribution", has_text="Piet Spam")
    await piet.get_by_label("Reden van afwijzen").fill("Geen nieuws.")
    await piet.get_by_role("button", name=re.compile("^Afwijzen")).click()
    await expect(page.get_by_role("status")).to_have_text("Bijdrage afgewezen.")
    await expect(page.locator("section.contribution")).to_have_count(1)
    await jan.get_by_role("button", name=re.compile("^Accepteren als concept")).click()
    await expect(page.get_by_role("status")).to_contain_text("Bijdrage geaccepteerd")
    await expect(page.locator(".player img")).to_be_visible()
    assert await services.list_contributions(node.app, "pending") == []
