"""The agenda, its iCalendar feeds and the vacancy portal on one real node.

Events and vacancies are made through the API and placed in the mediatheek and
on the public channels; the pages, feeds and JSON come back over HTTP and are
parsed with real parsers (``icalendar``, ``feedparser``, ``pyld`` with the
bundled contexts offline).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
from pyld import jsonld

from node.channels.jobposting import REQUIRED
from node.core.appkeys import DB
from node.core.db.database import connect
from protocol.jsonld import document_loader
from tests.integration.network import api

AMS = ZoneInfo("Europe/Amsterdam")
SCHEMA = "http://schema.org#"  # the IRI form our bundled context (and Mastodon) use
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _soon(days: int, hour: int = 19) -> dt.datetime:
    day = dt.datetime.now(AMS).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), AMS)


def event_details(days: int = 3, **changes):
    start = _soon(days)
    details = {
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=3)).isoformat(),
        "timezone": "Europe/Amsterdam",
        "place": {"name": "Paard", "address": "Prinsegracht 12, Den Haag"},
        "price": "gratis",
    }
    details.update(changes)
    return details


def vacancy_details(**changes):
    details = {
        "location": "Den Haag",
        "hours": "32-36 uur per week",
        "hours_min": 32,
        "hours_max": 36,
        "contract_type": "permanent",
        "salary": {"min": 3200, "max": 4100, "currency": "EUR", "unit": "MONTH"},
        "closing_date": (dt.datetime.now(AMS).date() + dt.timedelta(days=30)).isoformat(),
        "apply_url": "https://omroep.example/vacatures/1",
        "education_level": "hbo",
    }
    details.update(changes)
    return details


async def make(http, node, kind: str, title: str, details, *, public=True, listed=True, **more):
    item = await api(http, node, "POST", "/api/v1/items", expect=201,
                     json={"kind": kind, "title": title, "details": details, **more})  # fmt: skip
    await api(http, node, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
              json={"public": public, "mediatheek": listed})  # fmt: skip
    return item


async def get(http, node, path: str, **kwargs):
    async with http.get(node.url(path), **kwargs) as r:
        return r.status, r.headers, await r.read()


def events_of(body: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}


async def test_events_reach_the_agenda_page_and_both_ical_feeds(node, http) -> None:
    concert = await make(http, node, "event", "Concert in het Paard", event_details(2),
                         summary="Live muziek", tags=["muziek"])  # fmt: skip
    cancelled = await make(http, node, "event", "Open dag", event_details(4, status="cancelled"))
    whole = await make(http, node, "event", "Festival", event_details(
        5, all_day=True, start=_soon(5).date().isoformat(),
        end=_soon(6).date().isoformat()))  # fmt: skip
    hidden = await make(http, node, "event", "Intern overleg", event_details(3), public=False,
                        listed=False)  # fmt: skip

    status, headers, body = await get(http, node, "/agenda.ics")
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    own = events_of(body)
    assert set(own) == {concert["uri"], cancelled["uri"], whole["uri"]}
    start = own[concert["uri"]].decoded("DTSTART")
    assert start.tzinfo is not None and str(own[concert["uri"]]["DTSTART"].params["TZID"]) == (
        "Europe/Amsterdam"
    )
    assert start == dt.datetime.fromisoformat(concert["details"]["start"])
    assert str(own[concert["uri"]]["STATUS"]) == "CONFIRMED"
    assert str(own[cancelled["uri"]]["STATUS"]) == "CANCELLED"
    assert own[concert["uri"]]["LOCATION"] == "Paard, Prinsegracht 12, Den Haag"
    day = own[whole["uri"]].decoded("DTSTART")
    assert type(day) is dt.date and own[whole["uri"]].decoded("DTEND") == _soon(7).date()

    # conditional GET: the same body answers 304 to its ETag
    status, _, _ = await get(http, node, "/agenda.ics", headers={"If-None-Match": headers["ETag"]})
    assert status == 304

    status, _, body = await get(http, node, "/agenda/network.ics")
    assert status == 200 and set(events_of(body)) == set(own)  # own listed = own public, once

    month = "/agenda?view=month&date=" + _soon(2).date().isoformat()
    status, _, page = await get(http, node, month)
    html = page.decode()
    assert status == 200 and "Concert in het Paard" in html and "Intern overleg" not in html
    assert hidden["uri"] not in html and "Toevoegen aan agenda" in html
    if _soon(2).month == _soon(4).month:
        assert "Afgelast" in html
    status, _, page = await get(http, node, "/agenda?view=week&lang=en&tag=muziek&date="
                                + _soon(2).date().isoformat())  # fmt: skip
    assert status == 200 and "Add to calendar" in page.decode()
    assert "Concert in het Paard" in page.decode() and "Open dag" not in page.decode()

    key = re.search(r'href="/agenda/([li][^"]+)\.ics" type', html).group(1)
    status, headers, body = await get(http, node, f"/agenda/{key}.ics")
    assert status == 200, (key, body)
    assert "attachment" in headers.get("Content-Disposition", ""), (key, dict(headers))
    assert len(events_of(body)) == 1

    listed = await api(http, node, "GET", "/api/v1/agenda?view=month&place=paard&date="
                       + _soon(2).date().isoformat())  # fmt: skip
    assert concert["uri"] in {i["uri"] for i in listed["items"]}


async def test_bad_agenda_and_portal_queries_are_refused_with_a_reason(node, http) -> None:
    for path, name in [
        ("/agenda?view=year", "view"),
        ("/agenda?date=morgen", "date"),
        ("/agenda?date=0001-01-01", "date"),
        ("/agenda?scope=everyone", "scope"),
        ("/agenda?tag=%3Cscript%3E", "tag"),
        ("/agenda?org=javascript:alert(1)", "org"),
        ("/agenda?place=" + "x" * 500, "place"),
        ("/agenda/network.ics?tag=a%20b", "tag"),
        ("/vacatures?contract=slaaf", "contract"),
        ("/vacatures?page=0", "page"),
        ("/vacatures/feed.json?page=x", "page"),
        ("/api/v1/vacancies?q=" + "x" * 500, "q"),
    ]:
        async with http.get(node.url(path)) as r:
            problem = await r.json(content_type=None)
            assert r.status == 422, path
            assert r.content_type == "application/problem+json"
            assert problem["detail"].startswith(f"{name}:"), (path, problem)
    for path in ("/agenda/l99999.ics", "/agenda/..%2Fx.ics", "/vacatures/l424242"):
        async with http.get(node.url(path)) as r:
            assert r.status == 404, path


async def test_a_past_event_leaves_the_agenda_but_stays_in_the_library(node, http) -> None:
    past = await make(http, node, "event", "Gisteren", event_details(-2))
    coming = await make(http, node, "event", "Morgen", event_details(1))
    _, _, body = await get(http, node, "/agenda.ics")
    assert set(events_of(body)) == {coming["uri"]}
    _, _, body = await get(http, node, "/agenda/network.ics")
    assert set(events_of(body)) == {coming["uri"]}
    _, _, page = await get(http, node, "/agenda?view=month&date=" + _soon(-2).date().isoformat())
    assert "Gisteren" not in page.decode()
    assert (await api(http, node, "GET", f"/api/v1/items/{past['id']}", expect=200))["id"]


async def test_portal_lists_filters_and_feeds_vacancies(node, http) -> None:
    editor = await make(http, node, "vacancy", "Eindredacteur", vacancy_details(),
                        summary="Voor onze nieuwsdienst")  # fmt: skip
    intern = await make(http, node, "vacancy", "Stagiair video",
                        vacancy_details(contract_type="internship", location="Delft"))  # fmt: skip
    await make(http, node, "vacancy", "Niet gedeeld", vacancy_details(), public=False, listed=False)

    status, _, page = await get(http, node, "/vacatures")
    html = page.decode()
    assert status == 200 and "Eindredacteur" in html and "Stagiair video" in html
    assert "Niet gedeeld" not in html
    _, _, page = await get(http, node, "/vacatures?contract=internship")
    assert "Stagiair video" in page.decode() and "Eindredacteur" not in page.decode()
    _, _, page = await get(http, node, "/vacatures?location=delft&lang=en")
    assert "Stagiair video" in page.decode() and "Eindredacteur" not in page.decode()
    _, _, page = await get(http, node, "/vacatures?q=nieuwsdienst")
    assert "Eindredacteur" in page.decode() and "Stagiair" not in page.decode()

    status, _, body = await get(http, node, "/vacatures/rss.xml")
    feed = feedparser.parse(body)
    assert status == 200 and not feed.bozo
    assert {e.title for e in feed.entries} == {"Eindredacteur", "Stagiair video"}
    status, _, body = await get(http, node, "/vacatures/feed.json")
    doc = json.loads(body)
    assert {i["id"] for i in doc["items"]} == {editor["uri"], intern["uri"]}
    listed = await api(http, node, "GET", "/api/v1/vacancies?contract=permanent")
    assert [i["uri"] for i in listed["items"]] == [editor["uri"]] and listed["total"] == 1


def job_posting_of(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def assert_valid_job_posting(doc: dict) -> None:
    """Expanded offline with the bundled schema.org terms: every term known, all required."""
    expanded = jsonld.expand(doc, {"documentLoader": document_loader})
    assert len(expanded) == 1
    node = expanded[0]
    assert node["@type"] == [SCHEMA + "JobPosting"]

    def unknown(compact: dict, full: dict, where: str) -> list[str]:
        missing = []
        for key, value in compact.items():
            if key.startswith("@"):
                continue
            if SCHEMA + key not in full:
                missing.append(where + key)
            elif isinstance(value, dict):
                missing += unknown(value, full[SCHEMA + key][0], f"{where}{key}.")
        return missing

    assert unknown(doc, node, "") == []
    for term in REQUIRED:
        assert SCHEMA + term in node, term
    org = node[SCHEMA + "hiringOrganization"][0]
    assert org["@type"] == [SCHEMA + "Organization"] and org[SCHEMA + "name"][0]["@value"]


async def test_vacancy_page_carries_job_posting_json_ld_that_validates(node, http) -> None:
    item = await make(http, node, "vacancy", "Eindredacteur", vacancy_details(),
                      summary="Voor onze nieuwsdienst")  # fmt: skip
    _, _, page = await get(http, node, "/vacatures")
    key = re.search(r'href="/vacatures/(l\d+)"', page.decode()).group(1)
    status, headers, page = await get(http, node, f"/vacatures/{key}")
    assert status == 200 and "script-src" not in headers["Content-Security-Policy"]
    doc = job_posting_of(page.decode())
    assert doc["title"] == "Eindredacteur" and doc["@id"] == item["uri"]
    assert doc["validThrough"] == item["expires_at"]
    assert doc["baseSalary"]["value"]["minValue"] == 3200
    assert_valid_job_posting(doc)


async def test_hostile_html_never_reaches_ical_json_ld_or_html_unescaped(node, http) -> None:
    await make(http, node, "event", f"Feest {HOSTILE}", event_details(2), summary=HOSTILE,
               body=f"<p>Programma</p>{HOSTILE}")  # fmt: skip
    await make(http, node, "vacancy", f"Baan {HOSTILE}", vacancy_details(), summary=HOSTILE,
               body=f"<p>Functie</p>{HOSTILE}")  # fmt: skip
    _, _, body = await get(http, node, "/agenda/network.ics")
    for ev in events_of(body).values():
        for field in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            assert "<" not in str(ev.get(field, "")), field
    _, _, page = await get(http, node, "/agenda?view=month&date=" + _soon(2).date().isoformat())
    _, _, portal = await get(http, node, "/vacatures")
    key = re.search(r'href="/vacatures/(l\d+)"', portal.decode()).group(1)
    _, _, vacancy = await get(http, node, f"/vacatures/{key}")
    for html in (page.decode(), portal.decode(), vacancy.decode()):
        assert "<script>" not in html and "<img src=x" not in html
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    doc = job_posting_of(vacancy.decode())
    assert "<" not in doc["description"] and "<" not in doc["title"]
    _, _, feed = await get(http, node, "/vacatures/feed.json")
    assert "<script" not in feed.decode()


@pytest.mark.parametrize("kind", ["event", "vacancy"])
async def test_listings_keep_details_and_the_event_window(node, http, kind) -> None:
    details = event_details(2) if kind == "event" else vacancy_details()
    item = await make(http, node, kind, "Met details", details)

    def row(db):
        return db.execute(
            "SELECT kind, details, starts_at, ends_at FROM listings WHERE object_id = ?",
            [item["uri"]],
        ).fetchone()

    got = await node.app[DB].read(row)
    assert got[0] == kind and json.loads(got[1]) == item["details"]
    if kind == "event":
        assert (got[2], got[3]) == (item["details"]["start"], item["details"]["end"])
    else:
        assert got[2] is None and got[3] is None


def test_migration_14_keeps_listings_and_their_search_index(tmp_path) -> None:
    from node.core.db.migrations import apply_migrations
    from node.core.storage import all_migrations
    from tests.node.migrating import database_before

    path = tmp_path / "old.db"
    database_before(path, 14)
    db = connect(path)
    sets = all_migrations()
    db.execute(
        "INSERT INTO listings (id, object_id, origin_actor, kind, title, tags, published_at,"
        " updated_at) VALUES (1024, 'https://a.example/items/1', 'https://a.example/actor',"
        " 'photo', 'Markt op het Plein', '[\"markt\"]', '2026-01-01T00:00:00.000000Z',"
        " '2026-01-01T00:00:00.000000Z')"
    )
    db.conn.commit()
    assert apply_migrations(db, sets)[0] == "node/014_listing_kinds"  # later ones follow
    from node.mediatheek import SearchQuery, search

    found = search(db, SearchQuery(q="markt", facets=True, now="2026-02-01T00:00:00Z"))
    assert [i["id"] for i in found.items] == [1024]  # the search index rebuilt from listings
    row = db.execute("SELECT kind, details, starts_at FROM listings").fetchone()
    assert row == ("photo", "{}", None)
    assert found.facets["kind"] == {"photo": 1}
    db.execute(
        "INSERT INTO listings (id, object_id, origin_actor, kind, published_at, updated_at)"
        " VALUES (2048, 'https://a.example/items/2', 'https://a.example/actor', 'event',"
        " '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')"
    )
    live = connect(tmp_path / "live.db")
    from node.mediatheek.schema import create_tables

    create_tables(live)
    for table in ("listings",):
        assert [r[1:3] for r in db.execute(f"PRAGMA table_xinfo({table})")] == [
            r[1:3] for r in live.execute(f"PRAGMA table_xinfo({table})")
        ]
    indexes = (
        "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"
        " AND tbl_name = 'listings' ORDER BY name"
    )
    assert db.execute(indexes).fetchall() == live.execute(indexes).fetchall()


async def test_agenda_and_vacancy_api_responses_match_the_openapi_schema(node, http) -> None:
    from tests.node.test_openapi import response_schema, spec, validator_for

    await make(http, node, "event", "Concert", event_details(1))
    await make(http, node, "vacancy", "Eindredacteur", vacancy_details())
    document = await spec(http, node)
    for path in ("/api/v1/agenda", "/api/v1/vacancies"):
        when = f"?date={_soon(1).date().isoformat()}" if path.endswith("agenda") else ""
        async with http.get(node.url(path + when)) as r:  # public: no token
            assert r.status == 200
            body = await r.json()
        assert body["items"], path
        validator_for(document, response_schema(document, path, "get", 200)).validate(body)


async def test_embargoed_and_withdrawn_listings_stay_off_agenda_and_portal(node, http) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    embargoed = await make(http, node, "event", "Nog geheim", event_details(2),
                           embargo_until=later)  # fmt: skip
    withdrawn = await make(http, node, "event", "Teruggetrokken", event_details(2))
    job = await make(http, node, "vacancy", "Geheime baan", vacancy_details(), embargo_until=later)
    await api(http, node, "PUT", f"/api/v1/items/{withdrawn['id']}/audience", expect=200,
              json={"public": False, "mediatheek": False})  # fmt: skip
    _, _, body = await get(http, node, "/agenda/network.ics")
    assert set(events_of(body)) == set()
    _, _, body = await get(http, node, "/agenda.ics")
    assert embargoed["uri"] not in body.decode() and withdrawn["uri"] not in body.decode()
    _, _, page = await get(http, node, "/vacatures")
    assert "Geheime baan" not in page.decode()
    assert job["uri"] not in json.dumps(await api(http, node, "GET", "/api/v1/vacancies"))
