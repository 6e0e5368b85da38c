"""Which organisation am I: each node's own name (and avatar) in the admin header and
every page title, and the admin's "Organisatie" page that edits the profile the actor
document and the public pages show; partners get an ``Update`` of the actor."""

from __future__ import annotations

import io
import re

import aiohttp
from PIL import Image
from playwright.async_api import Page, expect

from node.core.appkeys import DB
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import make_partners, wait_for


def png(colour: tuple[int, int, int] = (200, 30, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), colour).save(buffer, "PNG")
    return buffer.getvalue()


async def set_language(page: Page, language: str) -> None:
    await page.locator("#language-select").select_option(language)
    await page.get_by_role("button", name=re.compile("Wijzig taal|Change language")).click()
    await page.wait_for_load_state()


async def actor(http: aiohttp.ClientSession, node) -> dict:
    headers = {"Accept": "application/activity+json"}
    async with http.get(node.url("/actor"), headers=headers) as r:
        assert r.status == 200
        return await r.json(content_type=None)


async def actor_updates(node) -> int:
    return await node.app[DB].read(
        lambda d: d.execute(
            'SELECT COUNT(*) FROM outbox WHERE body LIKE \'%"type":"Update"%\''
            ' AND body LIKE \'%"type":"Organization"%\''
        ).fetchone()[0]
    )


async def test_each_node_shows_its_own_name_in_header_and_titles(page: Page, node_factory) -> None:
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    for node, name in ((a, "Stadsomroep Den Haag"), (b, "WijkTV Den Haag")):
        await page.goto(node.url("/admin/login"))
        await expect(page).to_have_title(f"Inloggen · {name}")
        await expect(page.locator(".brand")).to_have_text(name)
        await login(page, node)
        await expect(page).to_have_title(f"Bibliotheek · {name}")
        await expect(page.locator(".brand")).to_have_text(name)
        await set_language(page, "en")
        await expect(page).to_have_title(f"Library · {name}")
        await expect(page.locator(".brand")).to_have_text(name)
        await page.goto(node.url("/admin/users"))
        await expect(page).to_have_title(f"Users · {name}")
        await set_language(page, "nl")
        await page.context.clear_cookies()


async def test_admin_edits_the_profile_and_partners_get_an_update(page: Page, node_factory) -> None:
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
        await login(page, a)
        await (
            page.get_by_role("navigation", name="Hoofdmenu")
            .get_by_role("link", name="Organisatie")
            .click()
        )
        await expect(page).to_have_title("Organisatie · Stadsomroep Den Haag")
        await page.get_by_label("Naam", exact=True).fill("Stadsomroep Haaglanden")
        await page.get_by_label("Beschrijving").fill("Nieuws uit Den Haag & omstreken.")
        await page.locator("#f-icon").set_input_files(
            {"name": "logo.png", "mimeType": "image/png", "buffer": png()}
        )
        await page.locator("#f-image").set_input_files(
            {"name": "kop.webp", "mimeType": "image/webp", "buffer": png((20, 90, 160))}
        )
        await page.get_by_role("button", name="Opslaan").click()
        await expect(page.get_by_role("status")).to_have_text("Profiel opgeslagen.")
        await expect(page).to_have_title("Organisatie · Stadsomroep Haaglanden")
        await expect(page.locator("#org-name")).to_have_text("Stadsomroep Haaglanden")
        avatar = page.locator(".brand img.avatar")
        await expect(avatar).to_have_count(1)
        assert await avatar.evaluate("img => img.complete && img.naturalWidth > 0")
        assert await run_axe(page) == []
        await screenshot(page, "organisation-nl")
        await page.locator(".site-header").screenshot(path=str(page_path("organisation-header-nl")))

        doc = await actor(http, a)
        assert doc["name"] == "Stadsomroep Haaglanden"
        assert doc["summary"] == "Nieuws uit Den Haag & omstreken."
        assert re.fullmatch(
            re.escape(a.url("/profile/icon/")) + r"[0-9a-f]{64}\.jpg", doc["icon"]["url"]
        )
        async with http.get(doc["icon"]["url"]) as r:
            assert r.status == 200 and r.content_type == "image/jpeg"
            assert Image.open(io.BytesIO(await r.read())).size == (300, 300)
        assert doc["image"]["url"].startswith(a.url("/profile/image/"))
        async with http.get(a.url("/")) as r:
            home = await r.text()
        assert "Stadsomroep Haaglanden" in home and doc["icon"]["url"] in home

        async def b_got_update():
            return await b.app[DB].read(
                lambda d: d.execute(
                    "SELECT COUNT(*) FROM inbox_queue WHERE activity_id LIKE ?",
                    [a.url("/actor#update-%")],
                ).fetchone()[0]
            )

        await wait_for(b_got_update, what="the partner to receive the Update of the actor")

        await set_language(page, "en")
        await expect(page).to_have_title("Organisation · Stadsomroep Haaglanden")
        await expect(page.get_by_label("Description")).to_have_value(
            "Nieuws uit Den Haag & omstreken."
        )
        assert await run_axe(page) == []
        await screenshot(page, "organisation-en")
        await page.locator(".site-header").screenshot(path=str(page_path("organisation-header-en")))


def page_path(name: str):
    from tests.admin_ui.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


async def test_bad_profile_input_is_refused_with_a_reason_and_changes_nothing(
    page: Page, node_factory
) -> None:
    a = await node_factory("Stadsomroep Den Haag")
    await login(page, a)
    # the browser's own checks are lifted, so the node's validation is what answers
    cases = [
        ("nl", {"name": "   "}, "name", "Vul de naam van de organisatie in."),
        ("nl", {"name": "x" * 101}, "name", "De naam mag hoogstens 100 tekens hebben"),
        ("en", {"name": "x" * 101}, "name", "The name may have at most 100 characters"),
        ("nl", {"file": True}, "icon", "Dit bestand is geen PNG-, JPEG- of WebP-afbeelding."),
        ("en", {"file": True}, "icon", "This file is not a PNG, JPEG or WebP image."),
        ("en", {"summary": "y" * 501}, "summary", "at most 500 characters"),
    ]
    async with aiohttp.ClientSession() as http:
        for language, change, field, reason in cases:
            await page.goto(a.url("/admin/organisation"))
            if (await page.locator("html").get_attribute("lang")) != language:
                await set_language(page, language)
            await page.evaluate(
                "document.querySelectorAll('[maxlength],[required]').forEach(e => {"
                " e.removeAttribute('maxlength'); e.removeAttribute('required'); })"
            )
            await page.locator("#f-summary").fill("Nieuwe beschrijving die niet mag blijven")
            if "name" in change:
                await page.locator("#f-name").fill(change["name"])
            if "summary" in change:
                await page.locator("#f-summary").fill(change["summary"])
            if "file" in change:
                await page.locator("#f-icon").set_input_files(
                    {"name": "logo.txt", "mimeType": "text/plain", "buffer": b"geen plaatje\n"}
                )
            await page.locator("form[action='/admin/organisation'] button[type=submit]").click()
            error = page.locator(f"#f-{field}-error")
            await expect(error).to_contain_text(reason)
            await expect(page.locator(f"#f-{field}")).to_have_attribute("aria-invalid", "true")
            await expect(page.get_by_role("alert")).to_have_text(
                re.compile("Niet opgeslagen|Not saved")
            )
            await expect(page).to_have_title(re.compile(r"· Stadsomroep Den Haag$"))
            doc = await actor(http, a)
            assert doc["name"] == "Stadsomroep Den Haag" and doc["summary"] == ""
            assert "icon" not in doc
            assert await actor_updates(a) == 0
        assert await run_axe(page) == []
        await screenshot(page, "organisation-refused-en")
