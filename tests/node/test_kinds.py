"""The kinds event and vacancy: details checked field by field, through the API, on a real node.

Each bad input is refused with 422 problem+json naming ``details.<field>`` (or
``expires_at``), and nothing is stored; good input comes back clean, and a
vacancy's closing date becomes its expiry.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from node.core.errors import ValidationFailed
from node.items import kinds

PROBLEM = "application/problem+json"
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def event(**changes):
    details = {
        "start": "2030-12-05T19:00:00+01:00",
        "end": "2030-12-05T22:00:00+01:00",
        "timezone": "Europe/Amsterdam",
        "place": {"name": "Paard", "address": "Prinsegracht 12, Den Haag"},
        "price": "gratis",
    }
    details.update(changes)
    return {key: value for key, value in details.items() if value is not ...}


def vacancy(**changes):
    details = {
        "location": "Den Haag",
        "hours": "32-36 uur per week",
        "hours_min": 32,
        "hours_max": 36,
        "contract_type": "permanent",
        "salary": {"min": 3200, "max": 4100, "currency": "EUR", "unit": "MONTH"},
        "closing_date": (_today() + dt.timedelta(days=30)).isoformat(),
        "apply_url": "https://omroep.example/vacatures/1",
        "education_level": "hbo",
    }
    details.update(changes)
    return {key: value for key, value in details.items() if value is not ...}


# -- the pure checks -------------------------------------------------------------------


def test_a_clean_event_is_canonical_with_defaults() -> None:
    clean = kinds.clean_details("event", event(), now=NOW, organisation="Omroep")
    assert clean["start"] == "2030-12-05T18:00:00.000000Z"
    assert clean["end"] == "2030-12-05T21:00:00.000000Z"
    assert clean["organiser"] == "Omroep" and clean["status"] == "scheduled"
    assert clean["all_day"] is False and clean["online_url"] is None
    start, end = kinds.event_window(clean)
    assert start == dt.datetime(2030, 12, 5, 18, tzinfo=dt.UTC) and end.hour == 21
    assert not kinds.is_past(clean, NOW)
    assert kinds.is_past(clean, dt.datetime(2030, 12, 5, 21, 0, 1, tzinfo=dt.UTC))


def test_an_all_day_event_runs_to_the_end_of_its_last_day_in_its_zone() -> None:
    clean = kinds.clean_details(
        "event", event(all_day=True, start="2030-12-05", end="2030-12-06"), now=NOW
    )
    assert (clean["start"], clean["end"]) == ("2030-12-05", "2030-12-06")
    start, end = kinds.event_window(clean)
    assert start == dt.datetime(2030, 12, 4, 23, tzinfo=dt.UTC)
    assert end == dt.datetime(2030, 12, 6, 23, tzinfo=dt.UTC)
    one_day = kinds.clean_details(
        "event", event(all_day=True, start="2030-12-05", end="2030-12-05")
    )
    assert kinds.event_window(one_day)[1] == dt.datetime(2030, 12, 5, 23, tzinfo=dt.UTC)


def test_closing_instant_is_the_end_of_the_day_in_amsterdam() -> None:
    assert kinds.closing_instant("2026-12-31") == "2026-12-31T22:59:59.999999Z"
    assert kinds.closing_instant("2026-07-01") == "2026-07-01T21:59:59.999999Z"


def test_a_clean_vacancy_defaults_the_employer() -> None:
    clean = kinds.clean_details("vacancy", vacancy(), now=NOW, organisation="Omroep")
    assert clean["employer"] == "Omroep" and clean["apply_email"] is None
    assert clean["salary"] == {"min": 3200, "max": 4100, "currency": "EUR", "unit": "MONTH"}


EVENT_BAD = [
    (event(end="2030-12-05T18:00:00+01:00"), "details.end", "later than start"),
    (event(start="2030-12-05T19:00:00"), "details.start", "no time zone"),
    (event(end="2030-12-05T22:00:00"), "details.end", "no time zone"),
    (event(start=...), "details.start", "required"),
    (event(all_day=True, start="2030-12-06", end="2030-12-05"), "details.end", "before start"),
    (event(all_day=True, start="2030-12-06T10:00:00Z", end="2030-12-07"), "details.start", "date"),
    (event(timezone="Europe/Nergens"), "details.timezone", "not a known IANA"),
    (event(timezone="../../etc/passwd"), "details.timezone", "IANA"),
    (event(place=None), "details.place", "online_url"),
    (event(place={"address": "ergens"}), "details.place.name", "required"),
    (event(online_url="javascript:alert(1)"), "details.online_url", "http(s)"),
    (event(ticket_url="ftp://x.example/"), "details.ticket_url", "http(s)"),
    (event(status="afgelast"), "details.status", "scheduled, cancelled, postponed"),
    (event(price="x" * 101), "details.price", "longer than 100"),
    (event(organiser="<script>alert(1)</script>"), "details.organiser", "plain text"),
    (event(colour="red"), "details.colour", "unknown"),
    (event(place={"name": "Paard", "latitude": 91, "longitude": 4}), "details.place", "±90"),
]


@pytest.mark.parametrize(("details", "field", "reason"), EVENT_BAD)
def test_bad_event_details_are_refused_naming_the_field(details, field, reason) -> None:
    with pytest.raises(ValidationFailed) as caught:
        kinds.clean_details("event", details, now=NOW)
    assert caught.value.extra.get("field") == field or field in str(caught.value)
    assert reason in str(caught.value)


VACANCY_BAD = [
    (vacancy(closing_date="2020-01-01"), "details.closing_date", "in the past"),
    (vacancy(closing_date="31-12-2030"), "details.closing_date", "date such as"),
    (vacancy(closing_date=...), "details.closing_date", "required"),
    (vacancy(apply_url=None), "details.apply_url", "how to apply"),
    (vacancy(apply_url=None, apply_email="niet-een-adres"), "details.apply_email", "e-mail"),
    (vacancy(salary={"min": 5000, "max": 4000}), "details.salary.min", "salary.max"),
    (vacancy(salary={"min": 1, "unit": "WEEK"}), "details.salary.unit", "HOUR, MONTH, YEAR"),
    (vacancy(salary={"min": 1, "currency": "euro"}), "details.salary.currency", "ISO 4217"),
    (vacancy(hours_min=40, hours_max=32), "details.hours_min", "hours_max"),
    (vacancy(contract_type="vast"), "details.contract_type", "permanent"),
    (vacancy(location=""), "details.location", "required"),
    (vacancy(perks="fruit"), "details.perks", "unknown"),
]


@pytest.mark.parametrize(("details", "field", "reason"), VACANCY_BAD)
def test_bad_vacancy_details_are_refused_naming_the_field(details, field, reason) -> None:
    with pytest.raises(ValidationFailed) as caught:
        kinds.clean_details("vacancy", details)
    assert field in str(caught.value)
    assert reason in str(caught.value)


def test_today_is_an_allowed_closing_date() -> None:
    clean = kinds.clean_details("vacancy", vacancy(closing_date=_today().isoformat()))
    assert clean["closing_date"] == _today().isoformat()


def test_other_kinds_carry_no_details() -> None:
    assert kinds.clean_details("article", {}) == {}
    with pytest.raises(ValidationFailed, match="only events and vacancies"):
        kinds.clean_details("article", {"start": "2030-01-01T00:00:00Z"})


# -- through the API, on a real node ---------------------------------------------------


async def _post(http, node, body):
    async with http.post(node.url("/api/v1/items"), json=body, headers=node.auth("write")) as r:
        return r.status, r.content_type, await r.json()


async def _count(http, node) -> int:
    async with http.get(node.url("/api/v1/items?limit=100"), headers=node.auth("read")) as r:
        return len((await r.json())["items"])


async def test_api_refuses_each_bad_input_and_stores_nothing(node, http) -> None:
    cases = [
        ({"kind": "event", "details": event(end="2030-12-05T10:00:00Z")}, "details.end"),
        ({"kind": "event", "details": event(start="2030-12-05T19:00:00")}, "details.start"),
        ({"kind": "event", "details": event(timezone="Mars/Olympus")}, "details.timezone"),
        ({"kind": "event", "details": event(place=None)}, "details.place"),
        ({"kind": "event", "details": event(colour="red")}, "details.colour"),
        ({"kind": "event"}, "details"),
        ({"kind": "event", "details": "morgen"}, "details"),
        (
            {"kind": "vacancy", "details": vacancy(closing_date="2020-01-01")},
            "details.closing_date",
        ),
        ({"kind": "vacancy", "details": vacancy(apply_url=None)}, "details.apply_url"),
        (
            {"kind": "vacancy", "details": vacancy(salary={"min": 9, "max": 1})},
            "details.salary.min",
        ),
        (
            {"kind": "vacancy", "details": vacancy(), "expires_at": "2031-01-01T00:00:00Z"},
            "expires_at",
        ),
        ({"kind": "article", "details": {"start": "2030-12-05T19:00:00Z"}}, "details"),
    ]
    for body, field in cases:
        status, content_type, problem = await _post(http, node, {"title": "Fout", **body})
        assert (status, content_type) == (422, PROBLEM), (body, problem)
        assert problem["detail"].startswith(f"{field}:"), (field, problem)
    assert await _count(http, node) == 0


async def test_api_creates_an_event_and_a_cancellation_patch_keeps_the_rest(node, http) -> None:
    body = {
        "kind": "event",
        "title": "Open dag",
        "summary": "<script>alert(1)</script>Kom langs",
        "body": '<p onclick="x()">Programma<script>steal()</script></p>',
        "details": event(),
    }
    status, _, item = await _post(http, node, body)
    assert status == 201, item
    assert item["details"]["start"] == "2030-12-05T18:00:00.000000Z"
    assert item["details"]["organiser"]  # this organisation's name
    assert "<script" not in item["body"] and "onclick" not in item["body"]
    assert "steal()" not in item["body"] and "Programma" in item["body"]
    assert "<script" not in item["summary"] and "Kom langs" in item["summary"]
    assert item["expires_at"] is None  # an event has no automatic expiry
    url = node.url(f"/api/v1/items/{item['id']}")
    async with http.patch(
        url, json={"details": {"status": "cancelled"}}, headers=node.auth("write")
    ) as r:
        assert r.status == 200
        changed = await r.json()
    assert changed["details"]["status"] == "cancelled"
    assert changed["details"]["place"]["name"] == "Paard" and changed["version"] == 2
    # a bad change is refused and leaves the item as it was
    bad = {"details": {"end": "2030-12-05T17:00:00Z"}}
    async with http.patch(url, json=bad, headers=node.auth("write")) as r:
        assert r.status == 422 and (await r.json())["detail"].startswith("details.end:")
    async with http.get(url, headers=node.auth("read")) as r:
        assert (await r.json())["version"] == 2


async def test_api_vacancy_closing_date_is_its_expiry(node, http) -> None:
    closing = (_today() + dt.timedelta(days=10)).isoformat()
    status, _, item = await _post(
        http,
        node,
        {"kind": "vacancy", "title": "Eindredacteur", "details": vacancy(closing_date=closing)},
    )
    assert status == 201, item
    assert item["expires_at"] == kinds.closing_instant(closing)
    url = node.url(f"/api/v1/items/{item['id']}")
    later = (_today() + dt.timedelta(days=20)).isoformat()
    async with http.patch(
        url, json={"details": {"closing_date": later}}, headers=node.auth("write")
    ) as r:
        assert r.status == 200
        assert (await r.json())["expires_at"] == kinds.closing_instant(later)
    async with http.patch(
        url, json={"expires_at": "2031-01-01T00:00:00Z"}, headers=node.auth("write")
    ) as r:
        problem = await r.json()
        assert r.status == 422 and "follows the closing date" in problem["detail"]
    # an article still has no details, and says so
    status, _, article = await _post(http, node, {"kind": "article", "title": "Nieuws"})
    assert status == 201 and article["details"] == {}


async def test_event_and_vacancy_responses_match_the_openapi_schema(node, http) -> None:
    from jsonschema.validators import Draft202012Validator

    async with http.get(node.url("/api/v1/openapi.json")) as r:
        document = await r.json()
    schema = document["paths"]["/api/v1/items"]["post"]["responses"]["201"]["content"]
    validator = Draft202012Validator(
        {**schema["application/json"]["schema"], "components": document["components"]}
    )
    request_schema = document["components"]["schemas"]["ItemInput"]
    request_validator = Draft202012Validator(
        {**request_schema, "components": document["components"]}
    )
    for kind, details in (("event", event()), ("vacancy", vacancy())):
        body = {"kind": kind, "title": kind, "details": details}
        request_validator.validate(body)
        status, _, item = await _post(http, node, body)
        assert status == 201
        validator.validate(item)
    assert not request_validator.is_valid({"kind": "event", "details": event(colour="red")})
