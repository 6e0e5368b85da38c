"""Events and vacancies in the editor, in Dutch and English: the form adapts to the kind,
posts through the items service, shows the node's refusals next to the field (translated)
and stores nothing half; the library card shows when; the admin agenda by week and month.

Screenshots: ``tests/artifacts/admin_ui/kinds-*``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect

from node import services
from tests.admin_ui.conftest import login, run_axe, screenshot

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: label texts per language (the catalogue's translations)
T = {
    "nl": {
        "kind": "Soort",
        "event": "Evenement",
        "vacancy": "Vacature",
        "title": "Titel",
        "start_date": "Begindatum",
        "start_time": "Begintijd",
        "end_date": "Einddatum",
        "end_time": "Eindtijd",
        "place": "Naam van de plek",
        "address": "Adres",
        "status": "Status",
        "create": "Aanmaken",
        "location": "Standplaats",
        "contract": "Soort contract",
        "salary_min": "Salaris vanaf",
        "salary_max": "Salaris tot en met",
        "closing": "Sluitingsdatum",
        "apply_email": "Solliciteren via e-mail",
        "created": "Item aangemaakt",
        "library": "Bibliotheek",
        "end_rule": "Het einde moet na het begin liggen",
        "closing_rule": "Geef een sluitingsdatum van vandaag of later.",
        "closes": "Sluit op",
        "zone_rule": "Onbekende tijdzone: gebruik een naam als Europe/Amsterdam.",
        "text_rule": "Gewone tekst van maximaal 100 tekens, zonder < of >.",
        "on": "Op ",
        "postponed": "Uitgesteld",
        "save": "Opslaan",
        "saved": "Opgeslagen.",
    },
    "en": {
        "kind": "Kind",
        "event": "Event",
        "vacancy": "Vacancy",
        "title": "Title",
        "start_date": "Start date",
        "start_time": "Start time",
        "end_date": "End date",
        "end_time": "End time",
        "place": "Name of the venue",
        "address": "Address",
        "status": "Status",
        "create": "Create",
        "location": "Location",
        "contract": "Contract type",
        "salary_min": "Salary from",
        "salary_max": "Salary up to",
        "closing": "Closing date",
        "apply_email": "Apply by e-mail",
        "created": "Item created",
        "library": "Library",
        "end_rule": "The end must be after the start",
        "closing_rule": "Give a closing date of today or later.",
        "closes": "Closes on",
        "zone_rule": "Unknown time zone: use a name such as Europe/Amsterdam.",
        "text_rule": "Plain text of at most 100 characters, without < or >.",
        "on": "On ",
        "postponed": "Postponed",
        "save": "Save",
        "saved": "Saved.",
    },
}


async def _as(page: Page, node, lang: str) -> dict[str, str]:
    await login(page, node)
    await services.set_user_language(node.app, "admin", lang)
    return T[lang]


def _day(days: int) -> dt.date:
    return dt.datetime.now(AMSTERDAM).date() + dt.timedelta(days=days)


async def _items(node, kind: str) -> list[dict]:
    found, _ = await services.list_items(node.app, {"kind": kind}, 50, None)
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_create_event_in_the_editor_and_see_it_in_the_library(
    page: Page, node, lang: str
) -> None:
    t = await _as(page, node, lang)
    day = _day(20)
    await page.goto(node.url("/admin/items/new"))
    await page.get_by_label(t["kind"], exact=True).select_option("event")
    await page.get_by_label(t["title"], exact=True).fill("Concert in het Paard")
    await page.get_by_label(t["start_date"]).fill(day.isoformat())
    await page.get_by_label(t["start_time"]).fill("20:00")
    await page.get_by_label(t["end_date"]).fill(day.isoformat())
    await page.get_by_label(t["end_time"]).fill("23:00")
    await page.get_by_label(t["place"]).fill("Paard")
    await page.get_by_label(t["address"], exact=True).fill("Prinsegracht 12, Den Haag")
    assert await run_axe(page) == []
    await screenshot(page, f"kinds-{lang}-new-event")
    await page.get_by_role("button", name=t["create"]).click()
    await expect(page.get_by_role("status")).to_contain_text(t["created"])
    [item] = await _items(node, "event")
    start = dt.datetime.combine(day, dt.time(20), tzinfo=AMSTERDAM).astimezone(dt.UTC)
    assert dt.datetime.fromisoformat(item["details"]["start"].replace("Z", "+00:00")) == start
    assert item["details"]["place"]["name"] == "Paard"
    assert item["details"]["timezone"] == "Europe/Amsterdam"
    # the editor shows the times back in the event's zone; a status change saves
    await expect(page.get_by_label(t["start_time"])).to_have_value("20:00")
    await page.get_by_label(t["status"], exact=True).select_option("postponed")
    await page.get_by_role("button", name=t["save"], exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(t["saved"])
    assert (await services.get_item(node.app, item["id"]))["details"]["status"] == "postponed"
    assert await run_axe(page) == []
    await screenshot(page, f"kinds-{lang}-edit-event")
    await page.goto(node.url("/admin/library"))
    card = page.locator(".card", has_text="Concert in het Paard")
    await expect(card.locator(".when")).to_have_text(f"{t['on']}{day.strftime('%d-%m-%Y')} 20:00")


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_create_vacancy_in_the_editor_and_see_it_in_the_library(
    page: Page, node, lang: str
) -> None:
    t = await _as(page, node, lang)
    closing = _day(14)
    await page.goto(node.url("/admin/items/new?kind=vacancy"))
    await page.get_by_label(t["title"], exact=True).fill("Verslaggever lokale politiek")
    await page.get_by_label(t["location"]).fill("Den Haag")
    await page.get_by_label(t["contract"]).select_option("temporary")
    await page.get_by_label(t["salary_min"]).fill("3200")
    await page.get_by_label(t["salary_max"]).fill("4100")
    await page.get_by_label(t["closing"]).fill(closing.isoformat())
    await page.get_by_label(t["apply_email"]).fill("vacatures@omroep.example")
    assert await run_axe(page) == []
    await screenshot(page, f"kinds-{lang}-new-vacancy")
    await page.get_by_role("button", name=t["create"]).click()
    await expect(page.get_by_role("status")).to_contain_text(t["created"])
    [item] = await _items(node, "vacancy")
    details = item["details"]
    assert details["salary"] == {"min": 3200, "max": 4100, "currency": "EUR", "unit": "MONTH"}
    assert details["closing_date"] == closing.isoformat()
    assert details["employer"] == services.organisation_name(node.app)  # the default
    assert item["expires_at"] is not None  # the closing date is the expiry
    # saving the editor unchanged is no new version (expires_at is not in the form)
    await page.get_by_role("button", name=t["save"], exact=True).click()
    assert (await services.get_item(node.app, item["id"]))["version"] == item["version"]
    assert await run_axe(page) == []
    await screenshot(page, f"kinds-{lang}-edit-vacancy")
    await page.goto(node.url("/admin/library"))
    card = page.locator(".card", has_text="Verslaggever lokale politiek")
    await expect(card.locator(".when")).to_have_text(
        f"{t['closes']} {closing.strftime('%d-%m-%Y')}"
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_refusals_are_shown_next_to_the_field_and_store_nothing(
    page: Page, node, lang: str
) -> None:
    t = await _as(page, node, lang)
    day = _day(5)
    # an event that ends before it starts: the node refuses details.end
    await page.goto(node.url("/admin/items/new?kind=event"))
    await page.get_by_label(t["title"], exact=True).fill("Verkeerd om")
    await page.get_by_label(t["start_date"]).fill(day.isoformat())
    await page.get_by_label(t["start_time"]).fill("20:00")
    await page.get_by_label(t["end_date"]).fill(day.isoformat())
    await page.get_by_label(t["end_time"]).fill("18:00")
    await page.get_by_label(t["place"]).fill("Paard")
    await page.get_by_role("button", name=t["create"]).click()
    await expect(page.locator("#f-d_end_date-error")).to_contain_text(t["end_rule"])
    await expect(page.get_by_label(t["end_time"])).to_have_value("18:00")  # input kept
    assert await run_axe(page) == []
    await screenshot(page, f"kinds-{lang}-event-error")
    # an unknown time zone (caught by the form) and markup in the price (refused by the node)
    await page.get_by_label(t["end_time"]).fill("22:00")
    await page.locator("#f-d_timezone").fill("Mars/Olympus")
    await page.get_by_role("button", name=t["create"]).click()
    await expect(page.locator("#f-d_timezone-error")).to_have_text(t["zone_rule"])
    await page.locator("#f-d_timezone").fill("Europe/Amsterdam")
    await page.locator("#f-d_price").fill("<b>gratis</b>")
    await page.get_by_role("button", name=t["create"]).click()
    await expect(page.locator("#f-d_price-error")).to_have_text(t["text_rule"])
    # a vacancy that closed yesterday: the node refuses details.closing_date
    await page.goto(node.url("/admin/items/new?kind=vacancy"))
    await page.get_by_label(t["title"], exact=True).fill("Te laat")
    await page.get_by_label(t["location"]).fill("Den Haag")
    await page.get_by_label(t["closing"]).fill(_day(-1).isoformat())
    await page.get_by_label(t["apply_email"]).fill("vacatures@omroep.example")
    await page.get_by_role("button", name=t["create"]).click()
    await expect(page.locator("#f-d_closing_date-error")).to_have_text(t["closing_rule"])
    # salary min above max
    await page.get_by_label(t["closing"]).fill(_day(3).isoformat())
    await page.get_by_label(t["salary_min"]).fill("5000")
    await page.get_by_label(t["salary_max"]).fill("3000")
    await page.get_by_role("button", name=t["create"]).click()
    await expect(page.locator("#f-d_salary_min-error")).to_be_visible()
    assert await _items(node, "event") == [] and await _items(node, "vacancy") == []


async def test_admin_agenda_by_week_and_month_with_an_organisation_filter(page: Page, node) -> None:
    day = _day(3)
    start = dt.datetime.combine(day, dt.time(19, 30), tzinfo=AMSTERDAM)
    await services.create_item(
        node.app,
        {
            "kind": "event",
            "title": "Wijkavond Transvaal",
            "details": {
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=2)).isoformat(),
                "timezone": "Europe/Amsterdam",
                "place": {"name": "Buurthuis"},
                "status": "scheduled",
            },
        },
    )
    await services.create_item(
        node.app,
        {
            "kind": "event",
            "title": "Festival drie dagen",
            "details": {
                "start": day.isoformat(),
                "end": (day + dt.timedelta(days=2)).isoformat(),
                "all_day": True,
                "timezone": "Europe/Amsterdam",
                "online_url": "https://festival.example/",
                "status": "cancelled",
            },
        },
    )
    for lang in ("nl", "en"):
        await _as(page, node, lang)
        await page.goto(node.url(f"/admin/agenda?view=week&date={day.isoformat()}"))
        week = page.locator(".agenda-week")
        await expect(week.get_by_role("link", name="Wijkavond Transvaal")).to_have_count(1)
        # the all-day festival is on each of its days that fall in this week
        shown = await week.get_by_role("link", name="Festival drie dagen").count()
        assert shown == min(3, 7 - day.weekday())
        assert await run_axe(page) == []
        await screenshot(page, f"kinds-{lang}-agenda-week")
        await page.get_by_role("link", name="Maand" if lang == "nl" else "Month").click()
        month = page.locator(".agenda-month")
        await expect(month.get_by_role("link", name="Wijkavond Transvaal")).to_have_count(1)
        assert await run_axe(page) == []
        await screenshot(page, f"kinds-{lang}-agenda-month")
        await page.get_by_label("Organisatie" if lang == "nl" else "Organisation").select_option(
            label="Stadsomroep Den Haag"
        )
        await page.get_by_role("button", name="Toon" if lang == "nl" else "Show").click()
        await expect(month.get_by_role("link", name="Wijkavond Transvaal")).to_have_count(1)
        await page.goto(node.url(f"/admin/agenda?view=week&date={day.isoformat()}&org=Anders"))
        await expect(page.locator(".agenda-event")).to_have_count(0)
