"""Fixtures for the admin UI tests: a real node, headless Chromium driven by Playwright.

The browser is the system's Chromium (never a downloaded one).  axe-core comes from
``tests/admin_ui/axe/node_modules`` (``make venv-test`` runs ``npm ci`` there).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from node import services
from tests.conftest import RunningNode

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE.parents[1] / "tests" / "artifacts" / "admin_ui"
EDITOR_PASSWORD = "redactie-wachtwoord-1"

if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip(
        "system Chromium is not installed (apt-get install chromium)", allow_module_level=True
    )


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    await context.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def login(
    page: Page, node: RunningNode, username: str = "admin", password: str | None = None
) -> None:
    """Log in through the form, as a person would."""
    await page.goto(node.url("/admin/login"))
    await page.get_by_label(re.compile("Gebruikersnaam|Username")).fill(username)
    await page.get_by_label(re.compile("^(Wachtwoord|Password)$")).fill(
        password or node.admin_password
    )
    await page.locator("form[action='/admin/login'] button[type=submit]").click()
    await page.wait_for_load_state()


async def add_editor(node: RunningNode, username: str = "redacteur") -> str:
    await services.add_user(node.app, username, "editor", EDITOR_PASSWORD)
    return EDITOR_PASSWORD


async def run_axe(page: Page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the current page."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


async def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
