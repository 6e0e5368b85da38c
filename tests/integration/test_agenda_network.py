"""The network agenda and vacancy portal on two real nodes: what A lists, B shows.

A makes events and a vacancy, places them in the mediatheek and makes them public;
B, A's partner, gets the listings over federation and shows them in its network
agenda, its network iCal feed (parsed with ``icalendar``) and its portal.  A
cancellation at A reaches B's feed; a past event never shows; the vacancy's
closing date (its expiry) takes it off B's portal when the clock passes it.
"""

from __future__ import annotations

import datetime as dt
import re

import icalendar

from node.core import clock
from node.core.appkeys import DB
from node.sharing.schedule import run_due_work
from tests.integration.network import api, make_partners, wait_for
from tests.node.test_agenda import (
    AMS,
    HOSTILE,
    _soon,
    assert_valid_job_posting,
    event_details,
    job_posting_of,
    vacancy_details,
)


async def _make(http, node, kind, title, details, public=True, **more):
    item = await api(http, node, "POST", "/api/v1/items", expect=201,
                     json={"kind": kind, "title": title, "details": details, **more})  # fmt: skip
    await api(http, node, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
              json={"mediatheek": True, "public": public})  # fmt: skip
    return item


async def _network_ics(http, node) -> dict[str, icalendar.Event]:
    async with http.get(node.url("/agenda/network.ics")) as r:
        assert r.status == 200
        cal = icalendar.Calendar.from_ical(await r.read())
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}


async def _listed_at(node, uri: str) -> bool:
    def row(db):
        return db.execute(
            "SELECT 1 FROM listings WHERE object_id = ? AND withdrawn = 0", [uri]
        ).fetchone()

    return bool(await node.app[DB].read(row))


async def test_an_event_listed_at_a_reaches_b_agenda_and_its_cancellation_follows(
    node_factory, http
):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("Filmhuis Delft")
    await make_partners(http, a, b)
    concert = await _make(http, a, "event", "Concert in het Paard", event_details(2),
                          summary=HOSTILE, tags=["muziek"])  # fmt: skip
    past = await _make(http, a, "event", "Voorbij", event_details(-3))
    for item in (concert, past):
        await wait_for(lambda i=item: _listed_at(b, i["uri"]) or None, what="B to get the listing")

    events = await _network_ics(http, b)
    assert set(events) == {concert["uri"]}  # the past event is listed, but not on the agenda
    ev = events[concert["uri"]]
    assert ev.decoded("DTSTART") == dt.datetime.fromisoformat(concert["details"]["start"])
    assert str(ev["DTSTART"].params["TZID"]) == "Europe/Amsterdam"
    assert str(ev["STATUS"]) == "CONFIRMED" and "<" not in str(ev.get("DESCRIPTION", ""))
    assert str(ev["ORGANIZER"].params["CN"]) == "Stadsomroep Den Haag"

    month = "/agenda?view=month&date=" + _soon(2).date().isoformat()
    async with http.get(b.url(month)) as r:
        html = await r.text()
    assert "Concert in het Paard" in html and "Voorbij" not in html and "<script>" not in html
    async with http.get(b.url(month + "&org=" + a.url("/actor"))) as r:
        assert "Concert in het Paard" in await r.text()
    async with http.get(b.url(month + "&org=https://elders.example/actor")) as r:
        assert "Concert in het Paard" not in await r.text()
    async with http.get(b.url("/agenda.ics")) as r:  # B's own feed: only B's events
        assert concert["uri"] not in (await r.read()).decode()

    details = {**concert["details"], "status": "cancelled"}
    await api(http, a, "PATCH", f"/api/v1/items/{concert['id']}", expect=200,
              json={"details": details})  # fmt: skip

    async def cancelled():
        got = await _network_ics(http, b)
        return concert["uri"] in got and str(got[concert["uri"]]["STATUS"]) == "CANCELLED"

    await wait_for(cancelled, what="the cancellation to reach B's network feed")


async def test_a_vacancy_listed_at_a_is_on_b_portal_until_its_closing_date(
    node_factory, http, monkeypatch
):
    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("Filmhuis Delft")
    await make_partners(http, a, b)
    today = dt.datetime.now(AMS).date()
    job = await _make(http, a, "vacancy", "Eindredacteur",
                      vacancy_details(closing_date=today.isoformat()),
                      summary="Voor onze nieuwsdienst", body=f"<p>Taken</p>{HOSTILE}")  # fmt: skip
    await wait_for(lambda: _listed_at(b, job["uri"]) or None, what="B to get the vacancy")

    async with http.get(b.url("/vacatures")) as r:
        portal = await r.text()
    assert "Eindredacteur" in portal and "Stadsomroep Den Haag" in portal
    key = re.search(r'href="/vacatures/(l\d+)"', portal).group(1)
    async with http.get(b.url(f"/vacatures/{key}")) as r:
        page = await r.text()
    doc = job_posting_of(page)
    assert doc["hiringOrganization"]["name"] == "Stadsomroep Den Haag"
    assert doc["validThrough"] == job["expires_at"] and "<" not in doc["description"]
    assert_valid_job_posting(doc)
    feed = await api(http, b, "GET", "/api/v1/vacancies")
    assert [i["uri"] for i in feed["items"]] == [job["uri"]]

    # The clock passes the closing date: the expiry hides it at once, everywhere.
    closing = dt.datetime.fromisoformat(job["expires_at"].replace("Z", "+00:00"))
    monkeypatch.setattr(clock, "utcnow", lambda: closing + dt.timedelta(seconds=1))
    await run_due_work(a.app)
    for node in (a, b):
        async with http.get(node.url("/vacatures")) as r:
            assert "Eindredacteur" not in await r.text()
        async with http.get(node.url(f"/vacatures/{key}")) as r:
            assert r.status == 404
        assert (await api(http, node, "GET", "/api/v1/vacancies"))["items"] == []


async def _on_b_public_pages(http, b, title: str) -> dict[str, bool]:
    """Where ``title`` shows on B's public surfaces (agenda, iCal, portal, feeds, API)."""
    found = {}
    for path in ("/agenda?view=month&date=" + _soon(2).date().isoformat(), "/agenda/network.ics",
                 "/vacatures", "/vacatures/feed.json", "/vacatures/rss.xml",
                 "/api/v1/agenda", "/api/v1/vacancies"):  # fmt: skip
        async with http.get(b.url(path)) as r:
            assert r.status == 200, path
            found[path] = title in await r.text()
    return found


async def _listing_public(node, uri: str) -> bool | None:
    def row(db):
        found = db.execute(
            "SELECT document FROM listings WHERE object_id = ? AND withdrawn = 0", [uri]
        ).fetchone()
        return None if found is None else "#Public" in found[0]

    return await node.app[DB].read(row)


async def test_a_partner_only_listing_stays_off_the_partners_public_pages(node_factory, http):
    """Regie: listed for partners is not public. B's public agenda, iCal, portal, feeds and
    API show A's event and vacancy only while A has made them public; B's editors see them."""
    from node import services

    a = await node_factory("Stadsomroep Den Haag")
    b = await node_factory("Filmhuis Delft")
    await make_partners(http, a, b)
    event = await _make(http, a, "event", "Besloten perspresentatie", event_details(2),
                        public=False)  # fmt: skip
    job = await _make(http, a, "vacancy", "Interne vacature eindredacteur", vacancy_details(),
                      public=False)  # fmt: skip
    for item in (event, job):
        await wait_for(lambda i=item: _listed_at(b, i["uri"]) or None, what="B's listing")
    for title in (event["title"], job["title"]):
        assert not any((await _on_b_public_pages(http, b, title)).values())
    since = dt.datetime.now(dt.UTC)
    admin_view = await services.network_agenda(b.app, since=since,
                                                until=since + dt.timedelta(days=40))  # fmt: skip
    assert event["uri"] in {e["uri"] for e in admin_view}  # B's editors may see it

    # A makes both public: the listings say so, and B's public pages show them.
    for item in (event, job):
        await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
                  json={"mediatheek": True, "public": True})  # fmt: skip
        await wait_for(lambda i=item: _listing_public(b, i["uri"]) or None, what="public at B")
    shown = await _on_b_public_pages(http, b, event["title"])
    assert shown["/agenda/network.ics"] and shown["/api/v1/agenda"]
    shown = await _on_b_public_pages(http, b, job["title"])
    assert shown["/vacatures"] and shown["/vacatures/feed.json"] and shown["/api/v1/vacancies"]

    # A withdraws the public tick (still listed): B's public pages drop them again.
    for item in (event, job):
        await api(http, a, "PUT", f"/api/v1/items/{item['id']}/audience", expect=200,
                  json={"mediatheek": True, "public": False})  # fmt: skip
    for item in (event, job):

        async def private(i=item):
            return (await _listing_public(b, i["uri"])) is False or None

        await wait_for(private, what="B to learn it is no longer public")
    for title in (event["title"], job["title"]):
        assert not any((await _on_b_public_pages(http, b, title)).values())
