"""The library's "Importeren" form in a real browser: a file, a page URL, and a refusal."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from node import services
from tests.admin_ui.conftest import login, run_axe
from tests.node.test_imports_api import page_server  # noqa: F401 (a fixture)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


async def drafts(node) -> list[dict]:
    page, _next = await services.list_items(node.app, {}, 200, None)
    return page


async def test_import_an_ics_file_then_a_refusal(page: Page, node) -> None:
    await login(page, node)
    await page.get_by_text("Importeren", exact=True).click()
    await page.get_by_label("Bestand (.ics of .html, hoogstens 2 MB)").set_input_files(
        str(VECTORS / "ical" / "floating.ics")
    )
    await page.get_by_role("button", name="Bestand importeren").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Niets geïmporteerd. Evenement 1 heeft een tijd zonder tijdzone."
    )
    assert await drafts(node) == []
    assert await run_axe(page) == []
    await page.get_by_label("Bestand (.ics of .html, hoogstens 2 MB)").set_input_files(
        str(VECTORS / "ical" / "agenda.ics")
    )
    await page.get_by_role("button", name="Bestand importeren").click()
    await expect(page.get_by_role("status")).to_have_text(
        "4 items geïmporteerd als concepten: bekijk en deel ze hieronder."
    )
    items = await drafts(node)
    assert len(items) == 4 and {i["author"] for i in items} == {"admin"}
    await expect(page.get_by_text("Kerstconcert Haagse Jongerenkoren")).to_be_visible()


async def test_import_a_page_url_in_english(page: Page, node, page_server) -> None:  # noqa: F811
    pages, base = page_server
    pages["/agenda"] = ((VECTORS / "jsonld" / "agenda-en-vacatures.html").read_bytes(), "text/html")
    await services.set_user_language(node.app, "admin", "en")
    await login(page, node)
    await page.get_by_text("Import", exact=True).click()
    await page.get_by_label("Or the address of a web page").fill(base + "/agenda")
    await page.get_by_role("button", name="Import page").click()
    await expect(page.get_by_role("status")).to_have_text(
        "3 items imported as drafts: review and share them below."
    )
    assert sorted(i["kind"] for i in await drafts(node)) == ["event", "event", "vacancy"]
