"""Login, logout, sessions, CSRF, roles and the login rate limit, in a real browser."""

from __future__ import annotations

import re
import time

import pytest
from playwright.async_api import Page, expect

import admin_ui.session
from admin_ui.session import Session, SessionCodec
from node import services
from tests.admin_ui.conftest import add_editor, login


async def test_login_and_logout(page: Page, node) -> None:
    await page.goto(node.url("/admin/library"))
    await expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    await login(page, node)
    await expect(page).to_have_url(re.compile(r"/admin/library$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Bibliotheek")
    cookie = next(c for c in await page.context.cookies() if c["name"] == "mk_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/admin"
    await page.get_by_role("button", name="Uitloggen").click()
    await expect(page.get_by_role("status")).to_have_text("Je bent uitgelogd.")
    await page.goto(node.url("/admin/library"))
    await expect(page).to_have_url(re.compile(r"/admin/login"))


async def test_old_cookie_is_useless_after_logout(page: Page, node) -> None:
    await login(page, node)
    old = [c for c in await page.context.cookies() if c["name"] == "mk_session"]
    await page.get_by_role("button", name="Uitloggen").click()
    await page.context.add_cookies(old)
    await page.goto(node.url("/admin/library"))
    await expect(page).to_have_url(re.compile(r"/admin/login"))


async def test_wrong_password(page: Page, node) -> None:
    await login(page, node, password="niet-het-wachtwoord")
    await expect(page.get_by_role("alert")).to_have_text(
        "Onbekende gebruikersnaam of onjuist wachtwoord."
    )
    await expect(page).to_have_url(re.compile(r"/admin/login"))


async def test_post_without_or_with_wrong_csrf_token_is_refused(page: Page, node) -> None:
    await login(page, node)
    for form in (
        {"kind": "article", "title": "Zonder token"},
        {"kind": "article", "title": "Fout token", "csrf": "verzonnen"},
    ):
        response = await page.request.post(node.url("/admin/items/new"), form=form, max_redirects=0)
        assert response.status == 403
        assert "Dit formulier is verlopen" in await response.text()
    page_items, _ = await services.list_items(node.app, {}, 10, None)
    assert page_items == []


async def test_form_without_token_in_the_page_gets_403_page(page: Page, node) -> None:
    await login(page, node)
    await page.goto(node.url("/admin/items/new"))
    await page.locator("input[name=csrf]").evaluate_all("els => els.forEach(e => e.remove())")
    await page.get_by_label("Titel").fill("Wordt niet opgeslagen")
    await page.get_by_role("button", name="Aanmaken").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")


async def test_editor_opening_admin_page_gets_403(page: Page, node) -> None:
    password = await add_editor(node)
    await login(page, node, "redacteur", password)
    await expect(page.get_by_role("link", name="Gebruikers")).to_have_count(0)
    for path in ("/admin/users", "/admin/tokens"):
        response = await page.goto(node.url(path))
        assert response is not None and response.status == 403
        await expect(page.get_by_role("alert")).to_have_text("Alleen voor beheerders.")
    response = await page.request.post(
        node.url("/admin/tokens"),
        form={
            "label": "x",
            "scope": "admin",
            "csrf": await page.locator("meta[name=csrf-token]").get_attribute("content"),
        },
    )
    assert response.status == 403
    assert [t for t in await services.list_tokens(node.app) if t["label"] == "x"] == []


async def test_disabled_account_is_logged_out_at_once(page: Page, node) -> None:
    password = await add_editor(node)
    await login(page, node, "redacteur", password)
    await services.set_user_disabled(node.app, "redacteur", True)
    await page.goto(node.url("/admin/library"))
    await expect(page).to_have_url(re.compile(r"/admin/login"))


async def test_expired_session_redirects_to_login(page: Page, node) -> None:
    """A cookie sealed with the node's key but issued 13 hours ago is refused."""
    key = (node.settings.data_dir / admin_ui.session.KEY_FILE).read_bytes()
    old = Session(username="admin", issued_at=time.time() - 13 * 3600)
    await page.context.add_cookies(
        [
            {
                "name": admin_ui.session.COOKIE_NAME,
                "value": SessionCodec(key).seal(old),
                "url": node.url("/admin/"),
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    await page.goto(node.url("/admin/upload"))
    await expect(page).to_have_url(re.compile(r"/admin/login\?next=%2Fadmin%2Fupload"))
    await expect(page.get_by_role("status")).to_have_text("Je sessie is verlopen. Log opnieuw in.")
    await page.get_by_label("Gebruikersnaam").fill("admin")
    await page.get_by_label("Wachtwoord").fill(node.admin_password)
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page).to_have_url(re.compile(r"/admin/upload$"))


async def test_short_lifetime_expires_a_fresh_login(page: Page, node, monkeypatch) -> None:
    await login(page, node)
    monkeypatch.setattr(admin_ui.session, "SESSION_LIFETIME_SECONDS", 0.5)
    await page.wait_for_timeout(800)
    await page.goto(node.url("/admin/library"))
    await expect(page).to_have_url(re.compile(r"/admin/login\?next=.*expired=1"))


@pytest.mark.parametrize("extra", [{"login_attempts_per_minute": 3}])
async def test_login_rate_limit(page: Page, node_factory, extra) -> None:
    node = await node_factory(**extra)
    for _attempt in range(3):
        await login(page, node, password="fout-fout-fout")
    response = await page.request.post(
        node.url("/admin/login"),
        form={
            "username": "admin",
            "password": node.admin_password,
            "csrf": await page.locator("input[name=csrf]").first.get_attribute("value"),
        },
    )
    assert response.status == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Te veel mislukte inlogpogingen" in await response.text()
