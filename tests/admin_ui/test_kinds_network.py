"""On two real partner nodes: events and vacancies listed at A (Stadsomroep Den Haag) and
B (WijkTV Den Haag) show up in B's admin agenda, in B's public network agenda and in B's
vacancy portal, in Dutch and English; axe finds nothing serious; the pages are saved as
screenshots (``tests/artifacts/admin_ui/network-agenda-*``, ``vacancy-portal-*``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import aiohttp
from playwright.async_api import Browser, expect

from node import services
from node.core.db.database import connect
from tests.admin_ui.conftest import login, run_axe, screenshot
from tests.integration.network import make_partners, wait_for

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LISTED = {"mediatheek": True, "public": True}


def _at(day: dt.date, hour: int) -> str:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=AMSTERDAM).isoformat()


async def _listed(node, **fields) -> dict:
    item = await services.create_item(node.app, fields)
    await services.set_audience(node.app, item["id"], LISTED)
    return item


def _listings(node, kind: str) -> int:
    """Partners' listings of ``kind`` in the node's mediatheek index that carry details."""
    db = connect(node.settings.db_path)
    try:
        return db.execute(
            "SELECT count(*) FROM listings WHERE kind = ? AND local = 0 AND withdrawn = 0"
            " AND details NOT IN ('', '{}')",
            [kind],
        ).fetchone()[0]
    finally:
        db.conn.close()


async def test_network_agenda_and_vacancy_portal_in_both_languages(
    browser: Browser, node_factory
) -> None:
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("WijkTV Den Haag")
    async with aiohttp.ClientSession() as http:
        await make_partners(http, a, b)
    today = dt.datetime.now(AMSTERDAM).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    await _listed(
        a,
        kind="event",
        title="Concert: Haags Jazz Collectief",
        details={
            "start": _at(monday + dt.timedelta(days=3), 20),
            "end": _at(monday + dt.timedelta(days=3), 23),
            "timezone": "Europe/Amsterdam",
            "place": {"name": "Paard", "address": "Prinsegracht 12, Den Haag"},
            "price": "€ 17,50",
        },
    )
    await _listed(
        a,
        kind="event",
        title="Haags Mediafestival",
        details={
            "start": (monday + dt.timedelta(days=4)).isoformat(),
            "end": (monday + dt.timedelta(days=6)).isoformat(),
            "all_day": True,
            "timezone": "Europe/Amsterdam",
            "place": {"name": "Spuiplein"},
            "price": "gratis",
        },
    )
    await _listed(
        a,
        kind="event",
        title="Open dag Stadsomroep",
        details={
            "start": _at(monday + dt.timedelta(days=5), 10),
            "end": _at(monday + dt.timedelta(days=5), 16),
            "timezone": "Europe/Amsterdam",
            "place": {"name": "Spui 70"},
            "status": "cancelled",
        },
    )
    await _listed(
        b,
        kind="event",
        title="Online meet-up: maak je eigen wijkreportage",
        details={
            "start": _at(monday + dt.timedelta(days=1), 19),
            "end": _at(monday + dt.timedelta(days=1), 21),
            "timezone": "Europe/Amsterdam",
            "online_url": "https://meet.example.org/wijk",
        },
    )
    await _listed(
        a,
        kind="vacancy",
        title="Verslaggever lokale politiek",
        details={
            "location": "Den Haag",
            "hours": "32-36 uur per week",
            "contract_type": "permanent",
            "salary": {"min": 3200, "max": 4100, "currency": "EUR", "unit": "MONTH"},
            "closing_date": (today + dt.timedelta(days=30)).isoformat(),
            "apply_email": "vacatures@stadsomroep.example",
            "education_level": "hbo",
        },
    )
    await _listed(
        b,
        kind="vacancy",
        title="Stagiair camera en montage",
        details={
            "location": "Den Haag Transvaal",
            "hours": "24 uur per week",
            "contract_type": "internship",
            "closing_date": (today + dt.timedelta(days=2)).isoformat(),
            "apply_url": "https://wijktv.example/stage",
        },
    )

    async def arrived():
        found = (_listings(b, "event"), _listings(b, "vacancy"))
        print("listings at B", found)
        return found == (3, 1)

    await wait_for(arrived, within=30, what="A's listings at B")
    problems: dict[str, list] = {}
    for lang in ("nl", "en"):
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900}, locale=lang, extra_http_headers={
                "Accept-Language": lang
            }
        )  # fmt: skip
        context.set_default_timeout(20_000)
        page = await context.new_page()
        # the public network agenda at B: A's events and B's own, a week view
        await page.goto(b.url(f"/agenda?view=week&date={monday.isoformat()}"))
        await expect(page.locator("html")).to_have_attribute("lang", lang)
        await expect(page.get_by_text("Concert: Haags Jazz Collectief").first).to_be_visible()
        await expect(
            page.get_by_text("Online meet-up: maak je eigen wijkreportage").first
        ).to_be_visible()
        await expect(page.get_by_text("Open dag Stadsomroep").first).to_be_visible()
        problems[f"{lang}-network-agenda"] = await run_axe(page)
        await screenshot(page, f"network-agenda-{lang}")
        await page.goto(b.url(f"/agenda?view=month&date={monday.isoformat()}"))
        await expect(page.get_by_text("Haags Mediafestival").first).to_be_visible()
        problems[f"{lang}-network-agenda-month"] = await run_axe(page)
        await screenshot(page, f"network-agenda-month-{lang}")
        # the vacancy portal at B: both organisations' vacancies
        await page.goto(b.url("/vacatures"))
        await expect(page.get_by_text("Verslaggever lokale politiek").first).to_be_visible()
        await expect(page.get_by_text("Stagiair camera en montage").first).to_be_visible()
        problems[f"{lang}-vacancy-portal"] = await run_axe(page)
        await screenshot(page, f"vacancy-portal-{lang}")
        # B's editors see A's events in the admin agenda, and can filter to A
        await login(page, b)
        await services.set_user_language(b.app, "admin", lang)
        await page.goto(b.url(f"/admin/agenda?view=week&date={monday.isoformat()}"))
        week = page.locator(".agenda-week")
        await expect(
            week.get_by_role("link", name="Concert: Haags Jazz Collectief")
        ).to_be_visible()
        await expect(
            week.get_by_role("link", name="Online meet-up: maak je eigen wijkreportage")
        ).to_be_visible()
        problems[f"{lang}-admin-agenda"] = await run_axe(page)
        await screenshot(page, f"admin-network-agenda-{lang}")
        await page.locator("#f-org").select_option(label="Stadsomroep Den Haag")
        await page.locator("form.filters button[type=submit]").click()
        await expect(
            week.get_by_role("link", name="Concert: Haags Jazz Collectief")
        ).to_be_visible()
        await expect(
            week.get_by_role("link", name="Online meet-up: maak je eigen wijkreportage")
        ).to_have_count(0)
        await context.close()
    assert {name: found for name, found in problems.items() if found} == {}
